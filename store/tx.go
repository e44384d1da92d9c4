package store

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Tx is a store transaction for code that keeps its own records next to
// the op log (the sync server's sequence numbers, accounts and audit log,
// through Buckets), so that accepting an op and recording it happen in
// one commit.
type Tx struct {
	s  *Store
	tx *bolt.Tx
	w  *writer
	// arena holds the strings of the ops DossierOps decodes, across its
	// calls in the transaction (nil until then).
	arena *opArena
}

// Update runs fn in a write transaction. Ops applied through the Tx are
// materialised before the commit; an error from fn rolls everything back.
func (s *Store) Update(fn func(*Tx) error) error {
	return s.db.Update(func(btx *bolt.Tx) error {
		tx := &Tx{s: s, tx: btx, w: s.newWriter(btx)}
		if err := fn(tx); err != nil {
			return err
		}
		return tx.w.finish()
	})
}

// View runs fn in a read transaction.
func (s *Store) View(fn func(*Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{s: s, tx: btx}) })
}

// Buckets lets the one who opened a store keep buckets of its own in the
// store's file, in the store's transactions: the sync server's bbolt
// backend (sync/server/boltstore) keeps the server's records next to the
// op log, so that accepting an op and recording it happen in one commit.
// Only OpenWithBuckets hands it out, so no other code reaches bbolt
// through a Tx.
type Buckets struct{ s *Store }

// OpenWithBuckets opens a store as Open does, with the capability to keep
// buckets of one's own in it.
func OpenWithBuckets(path string, opt Options) (*Store, *Buckets, error) {
	s, err := Open(path, opt)
	if err != nil {
		return nil, nil, err
	}
	return s, &Buckets{s: s}, nil
}

// tx checks that tx is a transaction of b's store.
func (b *Buckets) tx(tx *Tx) (*bolt.Tx, error) {
	if b == nil || b.s == nil || tx.s.db != b.s.db {
		return nil, fmt.Errorf("%w: a transaction of another store", ErrInvalid)
	}
	return tx.tx, nil
}

// Bucket returns a bucket of the caller's own, created on first use in a
// write transaction; nil in a read transaction when it does not exist yet.
// Its name must start with "x_" so it can never collide with the store's.
// Values in it are the caller's to seal (see Tx.Seal and Tx.Open).
func (b *Buckets) Bucket(tx *Tx, name string) (*bolt.Bucket, error) {
	if !strings.HasPrefix(name, "x_") {
		return nil, fmt.Errorf("%w bucket name %q: must start with x_", ErrInvalid, name)
	}
	btx, err := b.tx(tx)
	if err != nil {
		return nil, err
	}
	if !btx.Writable() {
		return btx.Bucket([]byte(name)), nil
	}
	return btx.CreateBucketIfNotExists([]byte(name))
}

// DropBucket deletes a bucket of the caller's own, if there is one, in a
// write transaction (a layout change of the caller's).
func (b *Buckets) DropBucket(tx *Tx, name string) error {
	if !strings.HasPrefix(name, "x_") {
		return fmt.Errorf("%w bucket name %q: must start with x_", ErrInvalid, name)
	}
	btx, err := b.tx(tx)
	if err != nil {
		return err
	}
	if btx.Bucket([]byte(name)) == nil {
		return nil
	}
	return btx.DeleteBucket([]byte(name))
}

// WriteTo writes the whole file as this transaction sees it to w: a
// consistent copy (a backup) while other transactions go on.
func (tx *Tx) WriteTo(w io.Writer) (int64, error) { return tx.tx.WriteTo(w) }

// Seal seals a value with the store's codec, for the caller's buckets.
func (tx *Tx) Seal(plain []byte) ([]byte, error) { return tx.s.sealFor(nil, plain) }

// Open opens a sealed value of the caller's buckets.
func (tx *Tx) Open(sealed []byte) ([]byte, error) { return tx.s.openFor(nil, sealed) }

// SealFor seals a value of the caller's buckets that belongs to a dossier
// (a server's draft of it) with that dossier's data key, so that erasing
// the dossier makes the value unreadable wherever its bytes are left, as
// its ops are. The dossier's key is made if it has none; a value sealed
// for an erased dossier is refused.
func (tx *Tx) SealFor(dossier string, plain []byte) ([]byte, error) {
	dk, err := idKey(dossier)
	if err != nil {
		return nil, err
	}
	if b := tx.tx.Bucket(bErased); b != nil && b.Get(dk) != nil {
		return nil, fmt.Errorf("client %s: %w", dossier, ErrErased)
	}
	return tx.s.sealFor(dk, plain)
}

// OpenFor opens a value SealFor sealed for dossier. Once the dossier is
// erased its key is gone and the error wraps ErrDossierKey.
func (tx *Tx) OpenFor(dossier string, sealed []byte) ([]byte, error) {
	dk, err := idKey(dossier)
	if err != nil {
		return nil, err
	}
	return tx.s.openFor(dk, sealed)
}

// WriteKeyStoreTo writes a consistent copy of the key store (Encryption.
// KeyStore) to w, as its own read transaction sees it. Called inside a
// transaction of the data file (a backup), the copy holds every key of
// the values that transaction sees, except those of dossiers erased since
// it began: a key is committed to the key store before the values sealed
// with it, and deleted after the erasure commits. It fails when the store
// has no key store.
func (tx *Tx) WriteKeyStoreTo(w io.Writer) (int64, error) {
	if tx.s.crypt == nil || tx.s.crypt.ks == nil {
		return 0, fmt.Errorf("%w: the file has no key store", ErrInvalid)
	}
	var n int64
	err := tx.s.crypt.ks.View(func(ktx *bolt.Tx) error {
		var err error
		n, err = ktx.WriteTo(w)
		return err
	})
	return n, err
}

// Apply applies an op made elsewhere, as ApplyRemote does, inside the
// transaction. It reports false when the op was known already.
func (tx *Tx) Apply(op Op) (bool, error) {
	if err := ValidateOp(op, nil); err != nil {
		return false, err
	}
	return tx.ApplyJSON(op, nil)
}

// ApplyJSON is Apply for an op the caller checked with ValidateOp, with
// its JSON (what json.Marshal makes of it) in raw, or nil: a server does
// that work for a whole push before it takes the write lock.
func (tx *Tx) ApplyJSON(op Op, raw []byte) (bool, error) {
	if tx.w == nil {
		return false, fmt.Errorf("apply op %s: read-only transaction", op.ID)
	}
	if b := tx.tx.Bucket(bErased); b != nil {
		if dk, ok := idArray(op.Dossier); ok && b.Get(dk[:]) != nil {
			return false, ErrErased
		}
	}
	ok, err := tx.w.applyJSON(op, false, raw)
	if ok {
		tx.s.clock.Observe(op.HLC)
	}
	return ok, err
}

// ExpectHeads tells a write transaction that it will read or apply to the
// heads of fields of dossier (a push about to apply its ops), so that the
// first read of any of them reads them all from one walk of the
// dossier's log (headsmemo.go). It changes no answer; a read
// transaction, an invalid id and fields never read are harmless.
func (tx *Tx) ExpectHeads(dossier string, fields []string) {
	if tx.w == nil {
		return
	}
	if dkey, err := idKey(dossier); err == nil {
		tx.w.expect(dkey, fields)
	}
}

// HeadsBoundError is ApplyJSONBounded's refusal: the op would leave its
// field with more heads than the bound, and more than it has (Before).
type HeadsBoundError struct{ Before, After int }

func (e *HeadsBoundError) Error() string {
	return fmt.Sprintf("the field would hold %d conflicting values (it holds %d)", e.After, e.Before)
}

// ApplyJSONBounded is ApplyJSON for an op that must not leave its field
// with more than bound heads unless it leaves it with no more than it has
// (a resolve always passes): it answers a *HeadsBoundError, having
// written nothing, instead. It decides as HeadsAfter and Heads would
// before applying, from the one read of the field's heads the apply
// makes anyway.
func (tx *Tx) ApplyJSONBounded(op Op, raw []byte, bound int) (bool, error) {
	if tx.w == nil {
		return false, fmt.Errorf("apply op %s: read-only transaction", op.ID)
	}
	if b := tx.tx.Bucket(bErased); b != nil {
		if dk, ok := idArray(op.Dossier); ok && b.Get(dk[:]) != nil {
			return false, ErrErased
		}
	}
	ok, err := tx.w.applyBounded(op, false, bound)
	if ok {
		tx.s.clock.Observe(op.HLC)
	}
	return ok, err
}

// Known reports whether the log holds op id of dossier.
func (tx *Tx) Known(dossier, id string) bool {
	// The log key (logKey) built on the stack: a push asks this of
	// every op it judges.
	d, ok := idArray(dossier)
	if !ok {
		return false
	}
	k, ok := idArray(id)
	if !ok {
		return false
	}
	var key [32]byte
	copy(key[:16], d[:])
	copy(key[16:], k[:])
	return tx.tx.Bucket(bOps).Get(key[:]) != nil
}

// Op reads op id of dossier from the log.
func (tx *Tx) Op(dossier, id string) (Op, error) {
	var op Op
	dkey, err := idKey(dossier)
	if err != nil {
		return op, err
	}
	k, err := idKey(id)
	if err != nil {
		return op, err
	}
	lkey := logKey(dkey, k)
	raw := tx.tx.Bucket(bOps).Get(lkey)
	if raw == nil {
		return op, fmt.Errorf("op %s: %w", id, ErrNotFound)
	}
	return tx.s.openOp(lkey, raw)
}

// Heads returns the current heads of a field.
func (tx *Tx) Heads(dossier, field string) ([]Head, error) {
	dkey, err := idKey(dossier)
	if err != nil {
		return nil, err
	}
	return tx.heads(dkey, field)
}

// heads reads the heads of a field of dossier dkey: in a write
// transaction from its writer's memo (headsmemo.go), a copy.
func (tx *Tx) heads(dkey []byte, field string) ([]Head, error) {
	if tx.w != nil {
		hs, err := tx.w.fieldHeads(dkey, field)
		return slices.Clone(hs), err
	}
	return tx.s.fieldHeadsOf(tx.tx, dkey, field)
}

// HeadsWhere calls fn with the heads of each field of dossier that keep
// accepts, in field order, as Heads gives them (newest first), until fn
// returns an error: one walk of the dossier's range of the log, only the
// accepted fields' ops decoded. A reader that needs a few fields of a
// dossier (its shares) reads them without opening every head.
func (tx *Tx) HeadsWhere(dossier string, keep func(field string) bool, fn func(field string, heads []Head) error) error {
	dkey, err := idKey(dossier)
	if err != nil {
		return err
	}
	all, err := tx.s.headsWhere(tx.tx, dkey, keep)
	if err != nil {
		return err
	}
	for _, fh := range all {
		if len(fh.Heads) == 0 {
			continue
		}
		if err := fn(fh.Field, fh.Heads); err != nil {
			return err
		}
	}
	return nil
}

// HeadsAfter returns the heads op's field would have if op were applied
// now, by the merge rule Apply uses, without applying it. For an op the
// log holds already it returns the heads as they are.
func (tx *Tx) HeadsAfter(op Op) ([]Head, error) {
	dkey, err := idKey(op.Dossier)
	if err != nil {
		return nil, err
	}
	key, err := idKey(op.ID)
	if err != nil {
		return nil, err
	}
	heads, err := tx.heads(dkey, op.Field)
	if err != nil || tx.tx.Bucket(bOps).Get(logKey(dkey, key)) != nil {
		return heads, err
	}
	rb := tx.tx.Bucket(bReplaced)
	after, _ := mergeField(heads, []Op{op}, func(id string) bool {
		k, err := idKey(id)
		return err == nil && rb.Get(logKey(dkey, k)) != nil
	})
	return after, nil
}

// Exists reports whether the log holds any op of the dossier.
func (tx *Tx) Exists(dossier string) bool {
	dkey, err := idKey(dossier)
	if err != nil {
		return false
	}
	k, _ := tx.tx.Bucket(bOps).Cursor().Seek(dkey)
	return len(k) >= 16 && string(k[:16]) == string(dkey)
}

// Dossiers calls fn with the key of every dossier the log holds ops of,
// in key (id) order, until fn returns an error.
func (tx *Tx) Dossiers(fn func(dkey []byte) error) error {
	c := tx.tx.Bucket(bOps).Cursor()
	for k, _ := c.First(); k != nil; {
		if len(k) != 32 {
			k, _ = c.Next()
			continue
		}
		dkey := bytes.Clone(k[:16])
		if err := fn(dkey); err != nil {
			return err
		}
		next, ok := afterPrefix(dkey)
		if !ok {
			return nil
		}
		k, _ = c.Seek(next)
	}
	return nil
}

// afterPrefix is the least key after every key that starts with p; false
// when there is none (p is all 0xff).
func afterPrefix(p []byte) ([]byte, bool) {
	next := bytes.Clone(p)
	for i := len(next) - 1; i >= 0; i-- {
		if next[i] != 0xff {
			next[i]++
			return next[:i+1], true
		}
	}
	return nil, false
}

// Erased reports whether the dossier was erased.
func (tx *Tx) Erased(dossier string) bool {
	dkey, err := idKey(dossier)
	if err != nil {
		return false
	}
	b := tx.tx.Bucket(bErased)
	return b != nil && b.Get(dkey) != nil
}

// WithAuthor returns a view of the store that records ops as made by
// author: on a server, each SSH session writes as its own user. The views
// share the file, clock and device.
func (s *Store) WithAuthor(author string) *Store {
	c := *s
	c.author = author
	return &c
}

// CommitHook runs inside the transaction of a local action, after its ops
// are applied and before the commit; an error rolls the action back and is
// returned by it.
type CommitHook func(tx *Tx, ops []Op) error

// WithCommitHook returns a view of the store whose actions (Commit,
// CreateClient, ToggleCheck, ...) call hook with the ops they made. Ops
// made through the view are not queued in the outbox: the hook takes them
// over. On a server, each SSH session writes through such a view, so its
// ops are access-checked, numbered and audited like pushed ones.
func (s *Store) WithCommitHook(hook CommitHook) *Store {
	c := *s
	c.hook = hook
	return &c
}

// SetMeta stores a small setting of the replica (the sync server's address,
// the sync cursor) under name, which must start with "x_". Values are
// sealed like all others.
func (s *Store) SetMeta(name string, value []byte) error {
	if !strings.HasPrefix(name, "x_") {
		return fmt.Errorf("%w meta name %q: must start with x_", ErrInvalid, name)
	}
	sealed, err := s.sealFor(nil, value)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put([]byte(name), sealed) })
}

// Meta reads a setting stored with SetMeta; nil when not set.
func (s *Store) Meta(name string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bMeta).Get([]byte(name))
		if raw == nil {
			return nil
		}
		var err error
		out, err = s.openFor(nil, raw)
		return err
	})
	return out, err
}
