package pgstore

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// The ids an op's prev names go into the replaced set with a plain
// insert, those the set holds already left out (ApplyJSON, fold.go): the
// set after a push is every id any stored op's prev named, and nothing
// fails, when several ops of one transaction name the same prev, when an
// op names a prev an earlier transaction's op named, when it names an id
// not stored, and when a prev is named again after the transaction's
// states were read anew (a read whole after a push's partial read), one
// by one and folded, with the states read whole and read for the push.
func TestReplacedInsertedOnce(t *testing.T) {
	foldedAndAhead(t, func(t *testing.T, ahead bool) {
		s := openStorageT(t, pgtest.DB(t), "", store.Options{})
		d1, d2 := store.NewID(), store.NewID()
		named := map[string]bool{} // dossier key + op key
		// push stores ops in one transaction (read ahead as a
		// group's BEGIN reads them when ahead).
		push := func(ops ...store.Op) {
			t.Helper()
			fn := func(tx storage.Tx) error {
				for _, op := range ops {
					ok, err := tx.ApplyJSON(op, nil)
					if err != nil {
						return err
					}
					if !ok {
						return fmt.Errorf("op %s taken for known", op.ID)
					}
					if _, err := tx.NumberOp(op.ID, op.Dossier); err != nil {
						return err
					}
				}
				return nil
			}
			var err error
			if ahead {
				var pre storage.SyncPrefetch
				for _, op := range ops {
					k, d := string(mk(op.ID)), string(mk(op.Dossier))
					pre.Ops = append(pre.Ops, k)
					pre.Pushed = append(pre.Pushed, storage.PushedOp{Op: k, Dossier: d, Field: op.Field})
					if !slices.Contains(pre.Dossiers, d) {
						pre.Dossiers = append(pre.Dossiers, d)
					}
				}
				err = s.PrefetchedUpdate(pre, fn)
			} else {
				err = s.Update(fn)
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range ops {
				for _, p := range op.Prev {
					named[string(mk(op.Dossier))+string(mk(p))] = true
				}
			}
		}
		p1 := testOp(d1, "step/1/note", "p1")
		p2 := testOp(d2, "step/1/note", "p2")
		q1 := testOp(d1, "step/2/note", "q1")
		push(p1, p2, q1)
		// Two ops of one transaction name p1; one names p1 and an
		// id never stored; p2 is named in d2 and, as an id, in d1.
		ghost := store.NewID()
		push(testOp(d1, "step/1/note", "a", p1.ID), testOp(d1, "step/1/note", "b", p1.ID, ghost),
			testOp(d2, "step/1/note", "c", p2.ID), testOp(d1, "step/2/note", "d", p2.ID, q1.ID))
		// A later transaction names p1, the ghost and q1 again, and
		// a field's op asks the dossier whole in between.
		push(testOp(d1, "step/1/note", "e", p1.ID, ghost), testOp(d1, "name", "f"), testOp(d1, "step/2/note", "g", q1.ID))
		// Read ahead for h's field alone, then i of another field:
		// the dossier is read whole again (after h's writes went),
		// and i names p1 again.
		h, i := testOp(d1, "step/3/note", "h", p1.ID, q1.ID), testOp(d1, "step/1/note", "i", p1.ID)
		j := testOp(d2, "step/2/note", "j", p2.ID)
		pre := storage.SyncPrefetch{}
		for _, op := range []store.Op{h, j} {
			k, d := string(mk(op.ID)), string(mk(op.Dossier))
			pre.Ops, pre.Dossiers = append(pre.Ops, k), append(pre.Dossiers, d)
			pre.Pushed = append(pre.Pushed, storage.PushedOp{Op: k, Dossier: d, Field: op.Field})
			s.heads.drop([16]byte(mk(op.Dossier)), nil) // read for the push, not from the cache
		}
		partials, wholes := s.FieldStateStats()
		if err := s.PrefetchedUpdate(pre, func(tx storage.Tx) error {
			for _, op := range []store.Op{h, j, i} {
				if _, err := tx.ApplyJSON(op, nil); err != nil {
					return err
				}
				for _, p := range op.Prev {
					named[string(mk(op.Dossier))+string(mk(p))] = true
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if p, w := s.FieldStateStats(); p != partials+2 || w != wholes+1 {
			t.Fatalf("%d states read for the push, %d of them whole again; want 2 and 1", p-partials, w-wholes)
		}
		var got []string
		rows, err := s.db.Data.Query(context.Background(), "SELECT dossier || op_id FROM replaced ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k []byte
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			got = append(got, string(k))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		want := slices.Sorted(func(yield func(string) bool) {
			for k := range named {
				if !yield(k) {
					return
				}
			}
		})
		if !slices.Equal(got, want) {
			t.Fatalf("replaced holds %d ids, want the %d named", len(got), len(want))
		}
	})
}

// foldedAndAhead runs f as subtests with the queued writes sent one by
// one and folded (foldWrites), each with the states read ahead for the
// push (a group's BEGIN) and not.
func foldedAndAhead(t *testing.T, f func(t *testing.T, ahead bool)) {
	for _, folding := range []bool{false, true} {
		for _, ahead := range []bool{false, true} {
			t.Run(fmt.Sprintf("folding=%v,ahead=%v", folding, ahead), func(t *testing.T) {
				foldWrites = folding
				defer func() { foldWrites = true }()
				f(t, ahead)
			})
		}
	}
}
