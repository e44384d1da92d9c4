package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Schema 4 to 5 rewrites the whole file: the log in its binary encoding
// (opbin.go), the replaced set holding every id a prev names, one summary
// per dossier, no heads bucket (heads are derived, merge.go). It is done
// as a new file beside the old one (same folder, mode 0600), filled,
// fsynced and renamed over the old one, and the folder fsynced: a crash
// at any moment leaves the old file (and a stray .schema5 file, removed
// by the next open) or the new one, never half of either. The freed pages
// of the old file go with it, so no byte of the old layout stays behind.
// Every value is opened and sealed again through openFor and sealFor, so
// a new codec can take over in this same rewrite.

// migrateSuffix names the new file while it is being filled.
const migrateSuffix = ".schema5"

// migrateBatchBytes is how much one transaction of the new file puts.
const migrateBatchBytes = 8 << 20

// migrate5 rewrites the open schema 4 file as schema 5 and reopens the
// store on it. progress, if set, is called with the ops copied so far and
// the ops in all.
func (s *Store) migrate5(bopt *bolt.Options, progress func(done, total int64)) error {
	tmp := s.path + migrateSuffix
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", tmp, err)
	}
	nopt := *bopt
	nopt.NoSync = true // one fsync at the end
	ndb, err := bolt.Open(tmp, 0o600, &nopt)
	if err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	ndb.AllocSize = allocSize
	err = s.db.View(func(old *bolt.Tx) error {
		// A schema 4 log holds JSON; the old file's actors, if any, read
		// whatever else it holds. The new file numbers its own.
		oldActors, err := s.loadActors(old)
		if err != nil {
			return err
		}
		s.actors = newActorTable()
		return s.copy5(old, oldActors, ndb, progress)
	})
	if err == nil {
		err = ndb.Sync()
	}
	if cerr := ndb.Close(); err == nil {
		err = cerr
	}
	if err == nil && migrateHook != nil {
		migrateHook("synced")
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("upgrade to schema 5: %w", err)
	}
	if runtime.GOOS == "windows" {
		// A file held open cannot be renamed over there.
		if err := s.db.Close(); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, s.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("upgrade to schema 5: %w", err)
	}
	if migrateHook != nil {
		migrateHook("renamed")
	}
	if err := syncDir(filepath.Dir(s.path)); err != nil {
		return fmt.Errorf("upgrade to schema 5: %w", err)
	}
	if runtime.GOOS != "windows" {
		_ = s.db.Close() // the old file, unlinked by the rename
	}
	db, err := openBolt(s.path, bopt)
	if err != nil {
		return fmt.Errorf("open %s after the upgrade: %w", s.path, err)
	}
	s.db = &boltDB{DB: db, path: s.path}
	return nil
}

// migrateHook, when set (tests), is called at named points of migrate5.
var migrateHook func(point string)

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // folders cannot be opened for a sync there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// copy5 fills the new file ndb from the schema 4 transaction old.
func (s *Store) copy5(old *bolt.Tx, oldActors *actorTable, ndb *bolt.DB, progress func(done, total int64)) error {
	w := &newFileWriter{db: ndb}
	if err := w.begin(); err != nil {
		return err
	}
	defer w.rollback()
	for _, name := range allBuckets {
		if _, err := w.tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	// meta: the file's own values as they are; settings (x_) opened and
	// sealed again.
	err := old.Bucket(bMeta).ForEach(func(k, v []byte) error {
		switch {
		case bytes.Equal(k, kSchema):
			v = u32(5)
		case bytes.HasPrefix(k, []byte("x_")):
			plain, err := s.openFor(nil, v)
			if err != nil {
				return fmt.Errorf("meta %s: %w", k, err)
			}
			if v, err = s.sealFor(nil, plain); err != nil {
				return err
			}
		}
		return w.put(bMeta, bytes.Clone(k), bytes.Clone(v))
	})
	if err != nil {
		return err
	}

	// The log, dossier by dossier, with each dossier's replaced set and
	// summary, every put an append.
	log := old.Bucket(bOps)
	total := int64(log.Stats().KeyN)
	var done int64
	var cur []byte
	var ops []Op
	var dues [][]byte
	var sums []chunkEntry
	flush := func() error {
		if len(ops) == 0 {
			return nil
		}
		dkey := cur
		byField := map[string][]Op{}
		for _, op := range ops {
			byField[op.Field] = append(byField[op.Field], op)
		}
		named := map[[16]byte]bool{}
		for _, fo := range byField {
			_, ids := mergeField(nil, fo, noneReplaced)
			for _, p := range ids {
				pk, err := idKey(p)
				if err != nil {
					return err
				}
				named[[16]byte(pk)] = true
			}
		}
		keys := make([][16]byte, 0, len(named))
		for k := range named {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) })
		for _, k := range keys {
			if err := w.put(bReplaced, logKey(dkey, k[:]), present); err != nil {
				return err
			}
		}
		fields := make([]string, 0, len(byField))
		for f := range byField {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		var all []fieldHeads
		for _, f := range fields {
			hs, _ := mergeField(nil, byField[f], replacedIn(named))
			if len(hs) > 0 {
				all = append(all, fieldHeads{Field: f, Heads: hs})
			}
		}
		if len(all) > 0 {
			sm := summarise(project(idString(dkey), len(s.checklist), all), s.checklist)
			sums = append(sums, chunkEntry{key: bytes.Clone(dkey), enc: encodeSummary(&sm)})
			dues = append(dues, dueKeys(dkey, &sm)...)
		}
		ops = ops[:0]
		return nil
	}
	var n uint64
	err = log.ForEach(func(k, v []byte) error {
		if len(k) != 32 {
			return fmt.Errorf("log key %x: %w", k, errCorrupt)
		}
		if !bytes.Equal(k[:16], cur) {
			if err := flush(); err != nil {
				return err
			}
			cur = bytes.Clone(k[:16])
		}
		lkey := bytes.Clone(k)
		plain, err := s.openFor(k[:16], v)
		if err != nil {
			return fmt.Errorf("op %x: %w", k, err)
		}
		op, err := decodeOp(lkey, plain, oldActors)
		if err != nil {
			return fmt.Errorf("op %x: %w", k, err)
		}
		enc, err := s.sealOp(lkey, &op)
		if err != nil {
			return err
		}
		if err := w.put(bOps, lkey, enc); err != nil {
			return err
		}
		ops = append(ops, op)
		n++
		done++
		if progress != nil && done%4096 == 0 {
			progress(done, total)
		}
		if migrateHook != nil && done%1024 == 0 {
			migrateHook("ops")
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if err := w.bucket(bOps).SetSequence(n); err != nil {
		return err
	}
	if err := s.summaryChunksOf(sums, func(k, v []byte) error { return w.put(bSummaries, k, v) }); err != nil {
		return err
	}
	slices.SortFunc(dues, bytes.Compare)
	for _, k := range dues {
		if err := w.put(bDue, k, present); err != nil {
			return err
		}
	}
	// The outbox, the erased tombstones and the buckets of others (x_: a
	// server's accounts, sequences, audit) as they are, values opened and
	// sealed again; what schema 4 derived (heads, summaries, replaced,
	// due) and an import cut off are left behind.
	skip := map[string]bool{string(bMeta): true, string(bOps): true, string(bActors): true, string(bOldHeads): true, string(bSummaries): true, string(bSummariesOld): true,
		string(bReplaced): true, string(bDue): true, string(bImport): true}
	err = old.ForEach(func(name []byte, b *bolt.Bucket) error {
		if skip[string(name)] {
			return nil
		}
		reseal := bytes.HasPrefix(name, []byte("x_"))
		if err := w.commitIfFull(); err != nil {
			return err
		}
		nb, err := w.tx.CreateBucketIfNotExists(name)
		if err != nil {
			return err
		}
		return s.copyBucket(w, [][]byte{bytes.Clone(name)}, b, nb, reseal)
	})
	if err != nil {
		return err
	}
	if err := s.saveActors(w.tx); err != nil {
		return err
	}
	if progress != nil {
		progress(total, total)
	}
	return w.commit()
}

// copyBucket copies b into nb (path: nb's names from the root), nested
// buckets too, with its sequence.
func (s *Store) copyBucket(w *newFileWriter, path [][]byte, b, nb *bolt.Bucket, reseal bool) error {
	if err := nb.SetSequence(b.Sequence()); err != nil {
		return err
	}
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			sub, err := nb.CreateBucketIfNotExists(k)
			if err != nil {
				return err
			}
			return s.copyBucket(w, append(slices.Clone(path), bytes.Clone(k)), b.Bucket(k), sub, reseal)
		}
		if reseal {
			plain, err := s.openFor(nil, v)
			if err != nil {
				return err
			}
			if v, err = s.sealFor(nil, plain); err != nil {
				return err
			}
		}
		// One transaction per bucket tree: a server's own buckets are
		// small beside the log.
		return nb.Put(bytes.Clone(k), bytes.Clone(v))
	})
}

// newFileWriter puts into the buckets of a new file in transactions of
// about migrateBatchBytes, with pages filled: every put is an append.
type newFileWriter struct {
	db      *bolt.DB
	tx      *bolt.Tx
	buckets map[string]*bolt.Bucket
	n       int
}

func (w *newFileWriter) begin() error {
	tx, err := w.db.Begin(true)
	if err != nil {
		return err
	}
	w.tx, w.n, w.buckets = tx, 0, map[string]*bolt.Bucket{}
	return nil
}

func (w *newFileWriter) bucket(name []byte) *bolt.Bucket {
	b, ok := w.buckets[string(name)]
	if !ok {
		b = w.tx.Bucket(name)
		b.FillPercent = 1
		w.buckets[string(name)] = b
	}
	return b
}

// put puts k and v, which must stay unchanged until the batch commits.
func (w *newFileWriter) put(name, k, v []byte) error {
	if err := w.bucket(name).Put(k, v); err != nil {
		return err
	}
	w.n += len(k) + len(v) + 16
	return w.commitIfFull()
}

func (w *newFileWriter) commitIfFull() error {
	if w.n < migrateBatchBytes {
		return nil
	}
	if err := w.commit(); err != nil {
		return err
	}
	return w.begin()
}

func (w *newFileWriter) commit() error {
	tx := w.tx
	w.tx = nil
	return tx.Commit()
}

func (w *newFileWriter) rollback() {
	if w.tx != nil {
		_ = w.tx.Rollback()
	}
}
