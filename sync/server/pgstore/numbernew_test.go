package pgstore

import (
	"fmt"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// An op that the transaction read, under the write lock, to have no
// number (a group's pushed ops, read with its BEGIN) is numbered with a
// plain insert (sqlNumberNewOp, folded sqlNumberNewOps); one read to have
// a number, or not read, with the insert that renumbers it (ON CONFLICT).
// The database holds the same afterwards as when nothing was read ahead,
// one by one and folded, with an op numbered again among them; and an op
// wrongly taken for one without a number fails the transaction rather
// than being stored.
func TestNewOpsNumberedAsBefore(t *testing.T) {
	dossiers := []string{store.NewID(), store.NewID()}
	var before, group []store.Op
	for i, d := range dossiers {
		before = append(before, testOp(d, "name", fmt.Sprint("Jan ", i)))
	}
	for i := range 30 {
		group = append(group, testOp(dossiers[i%2], fmt.Sprintf("step/%d/note", i%6+1), fmt.Sprint("note ", i)))
	}
	keys := func(ops []store.Op) []string {
		var out []string
		for _, op := range ops {
			out = append(out, string(dkeyT(t, op.ID)))
		}
		return out
	}
	// run stores before, then group (and numbers before[0] again when
	// again) in one transaction, with the group's ops read ahead when
	// ahead; it gives the database's contents and the statements queued.
	run := func(folding, ahead, again bool) (string, []string) {
		foldWrites = folding
		defer func() { foldWrites = true }()
		s := openStorageT(t, pgtest.DB(t), "", store.Options{})
		mustUpdate(t, s, func(tx storage.Tx) error {
			for _, op := range before {
				if _, err := tx.ApplyJSON(op, nil); err != nil {
					return err
				}
				if _, err := tx.NumberOp(op.ID, op.Dossier); err != nil {
					return err
				}
			}
			return nil
		})
		var sqls []string
		fn := func(stx storage.Tx) error {
			tx := stx.(*Tx)
			for _, op := range group {
				if _, err := tx.ApplyJSON(op, nil); err != nil {
					return err
				}
				if _, err := tx.NumberOp(op.ID, op.Dossier); err != nil {
					return err
				}
			}
			if again {
				if _, err := tx.NumberOp(before[0].ID, before[0].Dossier); err != nil {
					return err
				}
			}
			ws := tx.tx.queued
			if folding {
				ws = fold(ws)
			}
			for _, w := range ws {
				sqls = append(sqls, w.sql)
			}
			return nil
		}
		if ahead {
			pre := storage.SyncPrefetch{Ops: keys(append(group, before...))}
			if err := s.PrefetchedUpdate(pre, fn); err != nil {
				t.Fatal(err)
			}
		} else {
			mustUpdate(t, s, fn)
		}
		return dumpTables(t, s, dossiers), sqls
	}
	count := func(sqls []string, sql string) int {
		n := 0
		for _, s := range sqls {
			if s == sql {
				n++
			}
		}
		return n
	}
	for _, again := range []bool{false, true} {
		want, _ := run(false, false, again)
		for _, folding := range []bool{false, true} {
			got, sqls := run(folding, true, again)
			if got != want {
				t.Errorf("again %v, folding %v: the ops read ahead left another database:\nnot read ahead:\n%s\nread ahead:\n%s", again, folding, want, got)
			}
			switch {
			case !folding && (count(sqls, sqlNumberNewOp) < len(group)/2 || count(sqls, sqlNumberOp) != btoi(again)):
				// (Those queued before a statement of the
				// transaction went with it.)
				t.Errorf("again %v: %d plain inserts and %d that renumber still queued, want most of %d and %d", again, count(sqls, sqlNumberNewOp), count(sqls, sqlNumberOp), len(group), btoi(again))
			case folding && !again && count(sqls, sqlNumberNewOps) != 1:
				t.Errorf("the numbers of new ops folded into %v", sqls)
			case folding && again && count(sqls, sqlNumberOps) != 1:
				t.Errorf("the numbers of new ops and one numbered again folded into %v", sqls)
			}
		}
	}

	// An op taken for one without a number (what a wrong read would
	// make of it) fails the transaction: nothing of it is stored.
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	mustUpdate(t, s, func(tx storage.Tx) error {
		if _, err := tx.ApplyJSON(before[0], nil); err != nil {
			return err
		}
		_, err := tx.NumberOp(before[0].ID, before[0].Dossier)
		return err
	})
	err := s.PrefetchedUpdate(storage.SyncPrefetch{Ops: keys(before[:1])}, func(stx storage.Tx) error {
		tx := stx.(*Tx)
		tx.opDossier[string(dkeyT(t, before[0].ID))] = ""
		op := testOp(dossiers[0], "step/1/note", "lost")
		if _, err := tx.ApplyJSON(op, nil); err != nil {
			return err
		}
		_, err := tx.NumberOp(before[0].ID, before[0].Dossier)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "duplicate key") {
		t.Fatalf("an op with a number taken for one without: %v, want the unique key's error", err)
	}
	if err := s.View(func(tx storage.Tx) error {
		if tx.LastSeq() != 1 {
			return fmt.Errorf("the failed transaction's number is there: last %d", tx.LastSeq())
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
