package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/brug-nl/brug/store/method"
)

// SchemaVersion is the version of the bucket layout this code writes.
//
//   - 1: the first layout.
//   - 2: list summaries name the steps waiting for review (Summary.Waiting).
//   - 3: written only by a development build for a few commits; its
//     layout is that of 2.
//   - 4: the log is keyed by dossier, then op id (bucket "log"; the
//     "ops" and "dossier_ops" buckets go); replaced and outbox entries
//     name a dossier and an op.
//   - 5: ops in the log in a binary encoding (opbin.go); no heads bucket
//     (heads are derived from the log and the replaced set, which holds
//     every id a prev names, merge.go); one summary per dossier. Opening
//     a schema 4 file rewrites it into a new file (migrate5.go).
const SchemaVersion = 5

// magic marks a bbolt file as a brug database.
const magic = "brug-db"

// Bucket names, all in one place. Keys hold ids only, never names or text.
var (
	bMeta      = []byte("meta")           // magic, schema, device, hlc
	bOps       = []byte("log")            // dossier id + op id -> sealed op
	bReplaced  = []byte("replaced")       // dossier id + op id a prev of an op of that dossier names -> nil
	bSummaries = []byte("summary_chunks") // chunk (1 byte) -> sealed chunk of dossiers' sealed summaries (summaries.go)
	bDue       = []byte("due")            // due day (YYYYMMDD, 4 bytes) + dossier id + agreement id -> nil
	bOutbox    = []byte("outbox")         // seq -> dossier id + op id, ops made here not yet acknowledged by a server

	stateBuckets = [][]byte{bReplaced, bSummaries, bDue}
	allBuckets   = [][]byte{bMeta, bOps, bActors, bReplaced, bSummaries, bDue, bOutbox}

	// The summaries of schema 5 as first released, one record per
	// dossier (and schema 4's chunks of them); regrouped on open
	// (convertSummaries).
	bSummariesOld = []byte("summaries")

	// The heads of schema 4 and before: dossier id + field -> heads. From
	// schema 5 heads are derived from the log and the replaced set.
	bOldHeads = []byte("heads")

	// The log of schema 1 and 2: op id -> sealed op, and its dossier index.
	bOldOps        = []byte("ops")
	bOldDossierOps = []byte("dossier_ops")

	kMagic  = []byte("magic")
	kSchema = []byte("schema")
	kDevice = []byte("device")
	kHLC    = []byte("hlc")
	kKind   = []byte("kind")

	// serverBuckets are buckets only a sync server's file has: an
	// older file without a kind marker is a server's when it has one.
	serverBuckets = [][]byte{[]byte("x_users"), []byte("x_seq"), []byte("x_devices")}
)

// FileKind is what a brug file is for, recorded in it when it is made: a
// laptop's (the app, login, sync, export, report) or a sync server's
// (serve, admin). Each refuses the other's file.
type FileKind string

// File kinds. An older file without the marker gets it on its first open
// that may write: a server's when it has the server's buckets, else a
// laptop's when it holds anything, else the kind of that open.
const (
	FileAny    FileKind = ""
	FileLaptop FileKind = "laptop"
	FileServer FileKind = "server"
)

// Options configure Open.
type Options struct {
	// Author is recorded on every op made through this store (the user name).
	Author string
	// Method is the six-step method; nil means method.Default().
	Method *method.Method
	// Codec seals values at rest when Encryption is nil; nil means
	// PlainCodec.
	Codec Codec
	// Encryption encrypts the file at rest (crypt.go): a new file is made
	// encrypted, an existing plain one is encrypted on this open (not a
	// read-only one), an encrypted one is unlocked. Nil: a new file is
	// plain, and an encrypted file fails with ErrEncrypted.
	Encryption *Encryption
	// keyStoreReadOnly opens Encryption.KeyStore read-only (Verify's copy).
	keyStoreReadOnly bool
	// Now is the wall clock; nil means time.Now.
	Now func() time.Time
	// LockTimeout is how long to wait for another brug to close the file
	// before failing with ErrLocked; 0 means 500 ms.
	LockTimeout time.Duration
	// ReadOnly opens the file without writing (a shared lock).
	ReadOnly bool
	// NoSync skips fsync on commit. For tests and bulk generation only.
	NoSync bool
	// Kind is the kind of file the caller works on. A file of the other
	// kind is refused with ErrWrongKind; a new file is marked with it.
	// FileAny opens either kind and marks a new file with neither.
	Kind FileKind
	// Progress, when set, is told how far an upgrade of an older file's
	// layout has come (ops copied, ops in all), so that a caller can show
	// a progress bar. It is called from Open's goroutine.
	Progress func(done, total int64)
}

// Store is an open brug database.
type Store struct {
	db        *boltDB
	kind      FileKind
	path      string
	codec     Codec
	method    *method.Method
	checklist []int // checklist size per step of the method
	clock     *Clock
	device    string
	author    string
	hook      CommitHook // see WithCommitHook
	schema    int        // the file's layout version once init ran
	actors    *actorTable
	crypt     *crypt // the keys of an encrypted file, or nil
	created   bool   // this open made the file
	now       func() time.Time
	reads     *readQueue // the read log's queue (readlog.go), shared by views
	// oldSummaries: a read-only open of a file whose summaries have the
	// layout before chunks (summaries.go), read as they are.
	oldSummaries bool
	// noHeadsMemo makes every read of heads in a write transaction walk
	// the log (fieldHeadsOf), as a test's slow path (headsmemo.go).
	noHeadsMemo bool
}

// migrations[v] upgrades a database of schema v to v+1, inside the opening
// transaction. Add one here when the layout changes, and bump SchemaVersion.
var migrations = map[int]func(s *Store, tx *bolt.Tx) error{
	// Summaries gain the steps waiting for review. Schema 5 derives
	// every summary again from the log (migrate5.go), so nothing is done
	// here.
	1: func(*Store, *bolt.Tx) error { return nil },
	// The log is keyed dossier first, so a dossier's ops are one range
	// and its index goes; replaced and outbox entries gain the dossier.
	// relayLog does nothing on a file whose log moved already, so schema
	// 3 (the layout of 2) takes the same step.
	2: (*Store).relayLog,
	3: (*Store).relayLog,
}

// Open opens or creates the brug database at path. A file that is not a
// brug database, or was written by a newer brug, is refused and left
// untouched. A file another brug holds open fails with ErrLocked.
func Open(path string, opt Options) (*Store, error) {
	if opt.Method == nil {
		opt.Method = method.Default()
	}
	if opt.Codec == nil {
		opt.Codec = PlainCodec{}
	}
	if opt.LockTimeout == 0 {
		opt.LockTimeout = 500 * time.Millisecond
	}
	if opt.Author == "" {
		opt.Author = "onbekend"
	}
	if err := checkFile(path, opt.ReadOnly); err != nil {
		return nil, err
	}
	if err := checkHighWater(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if !opt.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create folder for %s: %w", path, err)
		}
	}
	bopt := &bolt.Options{Timeout: opt.LockTimeout, ReadOnly: opt.ReadOnly, NoSync: opt.NoSync, FreelistType: bolt.FreelistMapType, InitialMmapSize: initialMmapSize()}
	db, err := openBolt(path, bopt)
	switch {
	case errors.Is(err, ErrDamaged):
		return nil, err
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("open %s: %w; close the other brug first", path, ErrLocked)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, fmt.Errorf("open %s: %w (%v); check the --db path", path, ErrNotBrug, err)
	case err != nil:
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{db: &boltDB{DB: db, path: path}, path: path, codec: opt.Codec, method: opt.Method, author: opt.Author, now: opt.Now, reads: newReadQueue()}
	for _, st := range opt.Method.Steps {
		s.checklist = append(s.checklist, len(st.Checklist))
	}
	if err := s.unlock(opt.Encryption, opt.ReadOnly, opt.keyStoreReadOnly, opt.Kind); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	var last HLC
	if err := s.init(opt.ReadOnly, opt.Kind, &last); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if s.schema == 4 {
		if err := s.migrate5(bopt, opt.Progress); err != nil {
			s.db.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		s.schema = SchemaVersion
	}
	err = s.db.View(func(tx *bolt.Tx) (err error) {
		s.actors, err = s.loadActors(tx)
		return err
	})
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := s.convertSummaries(opt.ReadOnly); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s.clock = NewClock(opt.Now, last)
	if s.crypt == nil && opt.Encryption != nil && !opt.ReadOnly {
		if s.created {
			err = s.lockNew(opt.Encryption)
		} else {
			err = s.encryptFile(opt.Encryption, opt.NoSync)
			if err == nil {
				return Open(path, opt)
			}
		}
		if err != nil {
			s.Close()
			if s.created {
				// No key for it (ErrChoosePassphrase): leave no file behind,
				// not even an empty plain one.
				os.Remove(path)
			}
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	if !opt.ReadOnly {
		// Reads logged by read-only opens (readlog.go) move into the
		// file; on failure they stay where they are for the next try.
		_ = s.FlushReads()
	}
	return s, nil
}

// openBolt is bolt.Open with a damaged freelist page (which bbolt reads
// while opening) turned into ErrDamaged.
func openBolt(path string, opt *bolt.Options) (db *bolt.DB, err error) {
	defer guardDamage(path, &err, debug.SetPanicOnFault(true))
	db, err = bolt.Open(path, 0o600, opt)
	if err == nil {
		db.AllocSize = allocSize
	}
	return db, err
}

// allocSize is how far bbolt grows the file past what a commit needs
// (its default is 16 MiB, 1.6 KB per dossier of a 10,000-client region
// at worst). Each growth costs an fsync: 1 MiB is about a hundred in the
// initial pull of that region, lost in its noise (8.97 s against 9.3 s
// with 4 MiB on a loaded machine), and takes the encrypted device file
// from 10,090 to 9,776 bytes per dossier.
const allocSize = 1 << 20

// minBoltFile is the size below which a file cannot be a bbolt file:
// bbolt refuses one smaller than two pages of at least 4 KiB with its
// own words ("file size too small"), which say nothing to a user who gave
// a CSV file as --db.
const minBoltFile = 2 * 4096

// checkFile refuses a path that exists but cannot be a bbolt file, before
// bbolt gets a chance to touch it.
func checkFile(path string, readOnly bool) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("open %s: %w: it is a folder; give a file name", path, ErrNotBrug)
	}
	if readOnly && fi.Size() == 0 {
		return fmt.Errorf("open %s: %w: the file is empty; check the --db path", path, ErrNotBrug)
	}
	if fi.Size() > 0 && fi.Size() < minBoltFile {
		return fmt.Errorf("open %s: %w: the file is too small (%d bytes); check the --db path", path, ErrNotBrug, fi.Size())
	}
	return nil
}

// init checks the meta bucket and creates the buckets of a new file, or
// runs migrations on an older one. A read-only open never writes: a bbolt
// file without brug's buckets is refused, not made into a brug file.
func (s *Store) init(readOnly bool, want FileKind, last *HLC) error {
	var state string // "new", "ok", "migrate"
	var version int
	var marked bool // the file has its kind marker
	err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bMeta)
		if meta == nil {
			empty := true
			_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if !empty {
				return fmt.Errorf("%w: the file has no brug metadata; check the --db path", ErrNotBrug)
			}
			if readOnly {
				return fmt.Errorf("%w: the file holds no brug data; check the --db path", ErrNotBrug)
			}
			state = "new"
			s.kind = want
			return nil
		}
		if !bytes.Equal(meta.Get(kMagic), []byte(magic)) {
			return fmt.Errorf("%w: unknown file marker; check the --db path", ErrNotBrug)
		}
		b := meta.Get(kSchema)
		if len(b) != 4 {
			return fmt.Errorf("%w: no schema version; check the --db path", ErrNotBrug)
		}
		version = int(binary.BigEndian.Uint32(b))
		switch {
		case version > SchemaVersion:
			return fmt.Errorf("%w: schema %d, this brug knows up to %d; update brug", ErrTooNew, version, SchemaVersion)
		case version < SchemaVersion:
			state = "migrate"
		default:
			state = "ok"
		}
		s.device = string(meta.Get(kDevice))
		if b := meta.Get(kHLC); len(b) == 8 {
			*last = HLC(binary.BigEndian.Uint64(b))
		}
		s.kind, marked = FileKind(meta.Get(kKind)), meta.Get(kKind) != nil
		if !marked {
			s.kind = inferKind(tx)
		}
		if want != FileAny && s.kind != FileAny && s.kind != want {
			return fmt.Errorf("%w: it is a %s file", ErrWrongKind, s.kind)
		}
		if s.kind == FileAny {
			s.kind = want
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.schema = version
	if state == "ok" && (marked || readOnly || s.kind == FileAny) {
		return nil
	}
	if readOnly {
		return fmt.Errorf("%w: open it once without read-only", ErrUpgrade)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bMeta)
		if state == "new" {
			s.created = true
			s.device = NewID()
			if err := meta.Put(kMagic, []byte(magic)); err != nil {
				return err
			}
			if err := meta.Put(kDevice, []byte(s.device)); err != nil {
				return err
			}
			version = SchemaVersion
		}
		if s.kind != FileAny {
			if err := meta.Put(kKind, []byte(s.kind)); err != nil {
				return err
			}
		}
		// Up to schema 4 a migration runs in this transaction; from 4 to
		// 5 the file is rewritten after it (migrate5.go).
		target := SchemaVersion
		if version < SchemaVersion {
			target = 4
		}
		for v := version; v < target; v++ {
			m, ok := migrations[v]
			if !ok {
				return fmt.Errorf("no migration from schema %d", v)
			}
			if err := m(s, tx); err != nil {
				return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
			}
		}
		s.schema = target
		return meta.Put(kSchema, u32(uint32(target)))
	})
}

// inferKind tells the kind of a file an older brug made, without a kind
// marker: a server's when it has the server's buckets, a laptop's when it
// holds ops or has been enrolled, else FileAny (an empty file).
func inferKind(tx *bolt.Tx) FileKind {
	for _, b := range serverBuckets {
		if tx.Bucket(b) != nil {
			return FileServer
		}
	}
	if ops := tx.Bucket(bOps); ops != nil {
		if k, _ := ops.Cursor().First(); k != nil {
			return FileLaptop
		}
	}
	if meta := tx.Bucket(bMeta); meta != nil && meta.Get([]byte("x_sync_url")) != nil {
		return FileLaptop
	}
	return FileAny
}

// Kind is what the file is for; FileAny for a file not yet marked.
func (s *Store) Kind() FileKind { return s.kind }

// Close closes the database file (and a separate key store).
func (s *Store) Close() error {
	var ferr error
	if s.reads != nil && !s.db.IsReadOnly() {
		ferr = s.flushReads(false)
	}
	if s.crypt != nil && s.crypt.scrubNow != nil && !s.db.IsReadOnly() {
		s.crypt.scrubNow()
	}
	err := s.db.Close()
	if s.crypt != nil && s.crypt.ks != nil {
		if kerr := s.crypt.ks.Close(); err == nil {
			err = kerr
		}
	}
	if err == nil {
		err = ferr
	}
	return err
}

// Path is the file the store is open on.
func (s *Store) Path() string { return s.path }

// KeyStore is the path of the separate key store the dossiers' keys are
// kept in (Encryption.KeyStore), or "" when there is none.
func (s *Store) KeyStore() string {
	if s.crypt == nil || s.crypt.ks == nil {
		return ""
	}
	return s.crypt.ks.Path()
}

// Device is this replica's id.
func (s *Store) Device() string { return s.device }

// Author is the user recorded on ops made here.
func (s *Store) Author() string { return s.author }

// Method is the method the store validates step fields against.
func (s *Store) Method() *method.Method { return s.method }

func u32(v uint32) []byte {
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, v)
	return b
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// present is the value of keys in set-like buckets. It is never empty:
// bbolt returns nil for an empty value written in the same transaction,
// which would read as "absent".
var present = []byte{1}

// initialMmapSize is the size bbolt maps the file with from the start.
// Each time a growing file outgrows its map, bbolt maps it anew and first
// copies every key and value the write transaction holds onto the heap; an
// initial pull grew the map a dozen times. Mapping 1 GiB up front costs
// address space only, not memory. Not on Windows, where bbolt grows the
// file itself to the size of its map.
func initialMmapSize() int {
	if runtime.GOOS == "windows" {
		return 0
	}
	return 1 << 30
}
