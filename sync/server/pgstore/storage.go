package pgstore

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/storage"
)

// The server's storage (storage.Storage) on PostgreSQL: one SQL
// transaction per View and Update.
//
// Isolation. An Update runs READ COMMITTED and first takes a
// transaction-level advisory lock (writeLockID), held until it commits or
// rolls back: write transactions of every process on the database run
// one at a time, as bbolt's do within one process. Each statement of a
// READ COMMITTED transaction sees everything committed before it began,
// so a write transaction, holding the lock, sees every write committed
// before it (the isolation docs/storage.md asks of a backend), and
// sequence numbers are given in commit order: the lock is released only
// after the commit is visible. No two write transactions ever overlap, so
// none fails with a serialization error and Update never re-runs fn (it
// must not: the server's functions keep in-memory state, such as the
// group commit's results, that a second run would double). A View runs
// REPEATABLE READ, READ ONLY: one snapshot for all its statements (a pull
// reads LastSeq and then the ops after a cursor from the same state).
//
// One file per interface: oplog.go (OpLog, Sequence), records.go (the
// server's records), crypt.go (dossier keys and sealing). A method added
// to a storage interface goes into the file of its interface.

// writeLockID is the advisory lock of write transactions ("brugwrit").
const writeLockID int64 = 0x6272756777726974

// Storage is a region on PostgreSQL.
type Storage struct {
	db     *DB
	master []byte    // wraps the dossiers' keys and seals the receipt key; nil: kept as they are
	keys   keyCache  // dossiers' data keys, unwrapped (keycache.go)
	kinds  sqlKinds  // what each statement may write (txconn.go)
	heads  headCache // opened head ops (headcache.go)
	// wholes counts the states read for some fields that were then read
	// whole (oplog.go, whole), for tests.
	wholes atomic.Int64
	// partials counts the states read for some fields (prefetch.go).
	partials atomic.Int64
	// fieldStatesOff reads every state whole; fieldStatesFault breaks the
	// reads for some fields on purpose (SetFieldStates, for tests).
	fieldStatesOff   atomic.Bool
	fieldStatesFault atomic.Int32
	// probePushed, for tests, probes the log for every pushed op a
	// state is read for (partialStatesProbeQuery) instead of answering
	// from the ops' dossiers (pushedKnown).
	probePushed atomic.Bool
}

var _ storage.Storage = (*Storage)(nil)
var _ storage.Tx = (*Tx)(nil)
var _ storage.OpDossierPrefetcher = (*Tx)(nil)
var _ storage.PullBatcher = (*Tx)(nil)
var _ storage.OpsReader = (*Tx)(nil)
var _ storage.NumberedReader = (*Tx)(nil)
var _ storage.SyncPrefetcher = (*Storage)(nil)

// MasterKeyName is the name the master key is read under from
// store.Encryption's Keyring (a server's key file ignores it).
const MasterKeyName = "brug-region"

// OpenStorage connects to the data database at dataURL and the key store
// at keysURL ("" keeps the key store in the data database), migrates both
// and returns the storage. The master key comes from opt.Encryption's
// Keyring (made there on a new region); without Encryption the dossiers'
// keys are kept unwrapped in the key store (a test region: erasing still
// deletes the key).
func OpenStorage(dataURL, keysURL string, opt store.Options) (*Storage, error) {
	ctx := context.Background()
	if keysURL == "" {
		// The key store in the data database, but through a pool of its
		// own: a transaction holding a data connection reads keys, and
		// with one pool a burst of them could take every connection and
		// wait for another one forever.
		keysURL = dataURL
	}
	db, err := Open(ctx, dataURL, keysURL)
	if err != nil {
		return nil, err
	}
	s := &Storage{db: db}
	if enc := opt.Encryption; enc != nil {
		if enc.Keyring == nil {
			db.Close()
			return nil, errors.New("pgstore: a PostgreSQL region takes its master key from a key file (--master-key), not a passphrase")
		}
		if s.master, err = masterKey(enc.Keyring); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := s.checkMaster(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.convertBodies(ctx, nil); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.tagFields(ctx, nil); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// DB is the connection pools, for tools and tests.
func (s *Storage) DB() *DB { return s.db }

// Close closes the pools.
func (s *Storage) Close() error {
	s.db.Close()
	return nil
}

// Store is nil: a PostgreSQL region has no op-log store of the laptop's
// kind (the server's SSH sessions and the admin commands that read
// dossiers through it are not available on it yet).
func (s *Storage) Store() *store.Store { return nil }

// Wrap is not available: there is no op-log store whose transactions to
// wrap. It returns nil.
func (s *Storage) Wrap(*store.Tx) storage.Tx { return nil }

// View runs fn in a read transaction (REPEATABLE READ, READ ONLY).
func (s *Storage) View(fn func(storage.Tx) error) error { return s.run(false, nil, fn) }

// Update runs fn in a write transaction (READ COMMITTED, under the write
// lock; see the top of this file).
func (s *Storage) Update(fn func(storage.Tx) error) error { return s.run(true, nil, fn) }

// PrefetchedUpdate is Update, reading with its BEGIN, in the same round
// trip, what the syncs of a group ask first (storage.SyncPrefetcher;
// prefetch.go).
func (s *Storage) PrefetchedUpdate(p storage.SyncPrefetch, fn func(storage.Tx) error) error {
	return s.run(true, &p, fn)
}

// Tx is one transaction.
type Tx struct {
	s     *Storage
	tx    *txConn
	ctx   context.Context
	write bool
	// page is the page of numbers OpsAfter is calling back for (nil
	// outside it), with its ops' sealed bodies once OpJSON asked.
	page *opPage
	// dos is what the transaction read of dossiers' op logs, by
	// dossier key (oplog.go's dossierState).
	dos map[[16]byte]*dossierState
	// opDossier is the dossier key of each op key PrefetchOpDossiers
	// read ("" for none), kept current by NumberOp.
	opDossier map[string]string
	// hist is what PrefetchHistories read, by dossier key, until
	// DossierJSON takes it; coming holds the dossiers whose row is still
	// to be read (oplog.go, histFor).
	hist   map[[16]byte]*histEntry
	coming *histRows
	// dec decodes the op bodies DossierOps gives; plain is its buffer
	// for a body opened.
	dec   *store.OpBodyDecoder
	plain []byte
	// ciphers are the dossiers' ciphers the transaction made (crypt.go).
	ciphers map[[16]byte]cipher.AEAD
	// taggers make the dossiers' field tags (fieldtag.go).
	taggers map[[16]byte]fieldTagger
	// tags are the field tags made in the transaction, by dossier and
	// field (fieldTag): a group's BEGIN makes those of the pushed fields
	// for the read of their heads, and its pushes ask them again for
	// every op.
	tags map[[16]byte]map[string]int64
	// headGen is the generation of the process's cache of head ops a
	// write transaction publishes against (headcache.go).
	headGen uint64
}

// exec runs a statement.
func (tx *Tx) exec(sql string, args ...any) error {
	_, err := tx.tx.Exec(tx.ctx, sql, args...)
	return err
}

// later is exec for a write whose answer nothing waits for: in a write
// transaction it is queued (txconn.go) and goes with the next statement
// or the COMMIT, whose error its own failure becomes (the transaction is
// aborted either way).
func (tx *Tx) later(sql string, args ...any) error {
	if !tx.write {
		return tx.exec(sql, args...)
	}
	tx.tx.queue(sql, 0, args...)
	return nil
}

// exists runs a query of one boolean; false on an error (which aborts the
// transaction, so that it cannot commit).
func (tx *Tx) exists(sql string, args ...any) bool {
	var ok bool
	if err := tx.tx.QueryRow(tx.ctx, sql, args...).Scan(&ok); err != nil {
		return false
	}
	return ok
}

// WriteTo is not available: back up a PostgreSQL region with the
// database's own tools (pg_dump, or a base backup with WAL archiving).
func (tx *Tx) WriteTo(io.Writer) (int64, error) {
	return 0, fmt.Errorf("%w: a PostgreSQL region is backed up with pg_dump or pg_basebackup, not brug admin backup", store.ErrInvalid)
}

// WriteKeyStoreTo is not available, as WriteTo.
func (tx *Tx) WriteKeyStoreTo(w io.Writer) (int64, error) { return tx.WriteTo(w) }

// idKey is the 16-byte key of a text id.
func idKey(id string) ([]byte, error) {
	u, err := uuid.Parse(id)
	if err != nil || len(id) != 36 {
		return nil, fmt.Errorf("%w: id %q", store.ErrInvalid, id)
	}
	return u[:], nil
}

// idText is the text form of a 16-byte key.
func idText(k []byte) string {
	u, err := uuid.FromBytes(k)
	if err != nil {
		return ""
	}
	return u.String()
}

// FieldStateStats gives the dossiers' states a write transaction read
// for the fields a push writes, and how many of them it then read whole,
// since the storage opened; for tests.
func (s *Storage) FieldStateStats() (partials, wholes int) {
	return int(s.partials.Load()), int(s.wholes.Load())
}

// FieldStateFault is a deliberate fault of the reads of a state for some
// fields, for the test that must catch it.
type FieldStateFault int32

const (
	// FaultFieldsNone is the reads as they are.
	FaultFieldsNone FieldStateFault = iota
	// FaultFieldsNeverWhole answers from a state read for some fields
	// about any field (the heads of the others missing).
	FaultFieldsNeverWhole
	// FaultPushedNeverKnown answers that a dossier read for a push has
	// none of the pushed ops whose dossiers were read (pushedKnown),
	// whatever ops holds.
	FaultPushedNeverKnown
)

// SetFieldStates turns the reads of states for the pushed fields off (on
// false: every state read whole) or on, with a deliberate fault or
// FaultFieldsNone; for tests.
func (s *Storage) SetFieldStates(on bool, fault FieldStateFault) {
	s.fieldStatesOff.Store(!on)
	s.fieldStatesFault.Store(int32(fault))
}
