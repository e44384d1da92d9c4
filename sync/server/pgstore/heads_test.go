package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// HeadKeys reads a dossier's state (its heads' bodies with it) and Op
// answers a head from it without a query (the share index's rebuild
// asks so of every dossier). Both answer as the database does: the ops
// no prev names, in id order, each as its stored JSON decodes; before
// and after ops applied in the same transaction (its state opened), and
// for an erased dossier.
func TestHeadKeysAndOpFromTheDossiersState(t *testing.T) {
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	ctx := context.Background()
	a, b, erased := store.NewID(), store.NewID(), store.NewID()
	mustUpdate(t, s, func(tx storage.Tx) error {
		for _, d := range []string{a, b, erased} {
			first := testOp(d, "share/s1/team", "Zuid")
			ops := []store.Op{first, testOp(d, "share/s1/team", "West", first.ID), testOp(d, "share/s1/team", "Oost", first.ID), testOp(d, "name", "Jan")}
			for _, op := range ops {
				if _, err := tx.ApplyJSON(op, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err := s.EraseDossier(erased); err != nil {
		t.Fatal(err)
	}
	// want reads the heads from the database in tx (its queued writes sent), past what tx keeps:
	// the ids no prev names, and each op's stored JSON.
	want := func(stx storage.Tx, dossier string) []store.Op {
		tx := stx.(*Tx)
		rows, _ := tx.tx.Query(ctx, `SELECT op_id FROM oplog o WHERE dossier = $1
			AND NOT EXISTS (SELECT 1 FROM replaced r WHERE r.dossier = o.dossier AND r.op_id = o.op_id) ORDER BY op_id`, mk(dossier))
		ids, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			t.Fatal(err)
		}
		var out []store.Op
		for _, id := range ids {
			raw, err := tx.OpJSON(append(mk(dossier), id...))
			if err != nil {
				t.Fatal(err)
			}
			var op store.Op
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			out = append(out, op)
		}
		return out
	}
	got := func(tx storage.Tx, dossier string) []store.Op {
		keys, err := tx.HeadKeys(mk(dossier), nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []store.Op
		for _, k := range keys {
			op, err := tx.Op(dossier, idText(k[16:]))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, op)
		}
		return out
	}
	check := func(when string, tx storage.Tx) {
		for _, d := range []string{a, b, erased} {
			g, w := got(tx, d), want(tx, d)
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%s, dossier %s: heads from the state\n%+v\nfrom the database\n%+v", when, d, g, w)
			}
			if when != "after applying" && when != "just applied" && d != erased && len(g) != 3 {
				t.Errorf("%s: %d heads, want 3 (two concurrent edits and a name)", when, len(g))
			}
		}
	}
	if err := s.View(func(tx storage.Tx) error { check("in a View", tx); return nil }); err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, s, func(tx storage.Tx) error {
		check("before applying", tx)
		hs, err := tx.Heads(a, "share/s1/team") // opens the state
		if err != nil || len(hs) != 2 {
			return fmt.Errorf("heads: %+v %v", hs, err)
		}
		if _, err := tx.ApplyJSON(testOp(a, "share/s1/team", "Noord", hs[0].ID, hs[1].ID), nil); err != nil {
			return err
		}
		if _, err := tx.ApplyJSON(testOp(b, "share/s2/team", "Noord"), nil); err != nil {
			return err
		}
		check("just applied", tx)
		return nil
	})
	mustUpdate(t, s, func(tx storage.Tx) error {
		if _, err := tx.Heads(a, "name"); err != nil { // opened
			return err
		}
		check("after applying", tx)
		if len(got(tx, a)) != 2 || len(got(tx, b)) != 4 {
			t.Errorf("after applying: %d and %d heads, want 2 and 4", len(got(tx, a)), len(got(tx, b)))
		}
		return nil
	})
}
