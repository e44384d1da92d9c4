package pgstore

import (
	"fmt"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// A transaction makes each field tag once (fieldTag, and the group's BEGIN
// for the heads it reads: prefetch.go) and every row still gets its own
// field's tag: ops of several dossiers with the same fields in one
// transaction, read ahead for the push (the tags made at BEGIN) and not,
// with fields the BEGIN did not tag among them, one by one and folded;
// and the heads read for the next push by those tags are the fields'.
func TestFieldTagsOncePerTransaction(t *testing.T) {
	foldedAndAhead(t, func(t *testing.T, ahead bool) {
		s := openStorageT(t, pgtest.DB(t), "", store.Options{})
		ds := []string{store.NewID(), store.NewID(), store.NewID()}
		// The dossiers and their keys exist (a push reads ahead
		// only dossiers whose keys the process holds).
		mustUpdate(t, s, func(tx storage.Tx) error {
			for _, d := range ds {
				if _, err := tx.ApplyJSON(testOp(d, "name", "Jan"), nil); err != nil {
					return err
				}
			}
			return nil
		})
		prev := map[string]string{}
		for round := range 3 {
			var ops []store.Op
			var pre storage.SyncPrefetch
			for i := range 12 {
				d := ds[i%len(ds)]
				f := fmt.Sprintf("step/%d/note", i%4+1)
				var p []string
				if id, ok := prev[d+f]; ok {
					p = []string{id}
				}
				op := testOp(d, f, fmt.Sprintf("r%d v%d", round, i), p...)
				prev[d+f] = op.ID
				ops = append(ops, op)
				if i < 8 { // the others' fields are not read ahead
					k, dk := string(mk(op.ID)), string(mk(d))
					pre.Ops = append(pre.Ops, k)
					pre.Pushed = append(pre.Pushed, storage.PushedOp{Op: k, Dossier: dk, Field: f})
					pre.Dossiers = append(pre.Dossiers, dk)
				}
				s.heads.drop([16]byte(mk(d)), nil) // read for the push, not from the cache
			}
			fn := func(tx storage.Tx) error {
				for _, op := range ops {
					if _, err := tx.ApplyJSON(op, nil); err != nil {
						return err
					}
				}
				return nil
			}
			var err error
			if ahead {
				err = s.PrefetchedUpdate(pre, fn)
			} else {
				err = s.Update(fn)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if r, n, w := fieldTags(t, s); r != 3+3*12 || n != 0 || w != 0 {
			t.Fatalf("%d rows with their field's tag, %d without, %d with another; want %d, 0, 0", r, n, w, 3+3*12)
		}
		if ahead {
			if p, _ := s.FieldStateStats(); p == 0 {
				t.Fatal("no state was read for a push")
			}
		}
	})
}

// The numbers queued writes take (txConn.boxed) keep their values as more
// are queued, past a slab's 256.
func TestBoxedKeepsEveryNumber(t *testing.T) {
	var q txConn
	var ps []*int64
	for i := range 1000 {
		ps = append(ps, q.boxed(int64(i)*1_000_003))
	}
	for i, p := range ps {
		if *p != int64(i)*1_000_003 {
			t.Fatalf("number %d is %d", i, *p)
		}
	}
}
