package pgstore

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// OpsAfter reads a page's op bodies only when OpJSON first asks for one
// of its ops (the rest of the page with one query). OpJSON inside its
// callback must answer exactly as it does alone, for any choice of ops
// taken, from any cursor, over several pages, with an erased dossier
// whose numbers are still there; and a walk that takes nothing reads no
// body: one statement per page.
func TestOpsAfterBodiesOnlyWhenAsked(t *testing.T) {
	defer func(n int) { opsPage = n }(opsPage)
	opsPage = 7
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	a, b, c := store.NewID(), store.NewID(), store.NewID()
	var all []store.Op
	mustUpdate(t, s, func(tx storage.Tx) error {
		for i := range 40 {
			op := testOp([]string{a, b, c}[i%3], fmt.Sprintf("step/%d/note", i), fmt.Sprintf("v%d", i))
			if _, err := tx.ApplyJSON(op, nil); err != nil {
				return err
			}
			if _, err := tx.NumberOp(op.ID, op.Dossier); err != nil {
				return err
			}
			all = append(all, op)
		}
		return nil
	})
	if err := s.EraseDossier(c); err != nil { // its numbers stay until DropDossierOps
		t.Fatal(err)
	}
	type answer struct {
		json []byte
		err  string
	}
	// What OpJSON answers for each op alone (no page).
	alone := map[string]answer{}
	if err := s.View(func(tx storage.Tx) error {
		for _, op := range all {
			raw, err := tx.OpJSON(append(mk(op.Dossier), mk(op.ID)...))
			alone[op.ID] = answer{raw, errString(err)}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, op := range all {
		if e := alone[op.ID]; (op.Dossier == c) != (e.err != "") || (e.err != "" && !errors.Is(errFrom(e.err), store.ErrNotFound)) {
			t.Fatalf("op of %s alone: %q", op.Dossier, e.err)
		}
	}
	takes := map[string]func(i int, dossier string) bool{
		"nothing":    func(int, string) bool { return false },
		"everything": func(int, string) bool { return true },
		"one dossier": func(_ int, d string) bool {
			return d == a
		},
		"the erased":  func(_ int, d string) bool { return d == c },
		"every fifth": func(i int, _ string) bool { return i%5 == 0 },
		"page ends":   func(i int, _ string) bool { return i%7 == 6 },
	}
	for name, take := range takes {
		for _, cursor := range []uint64{0, 3, 7, 20, 39, 40} {
			before := s.db.Queries()
			var pages, asked uint64
			err := s.View(func(tx storage.Tx) error {
				i := 0
				return tx.OpsAfter(cursor, func(seq uint64, op, dossier []byte) (bool, error) {
					if i%opsPage == 0 {
						pages++
					}
					i++
					want := all[seq-1]
					if !bytes.Equal(op, mk(want.ID)) || !bytes.Equal(dossier, mk(want.Dossier)) {
						return false, fmt.Errorf("number %d: another op", seq)
					}
					if !take(int(seq-1), idText(dossier)) {
						return true, nil
					}
					asked++
					raw, err := tx.OpJSON(append(dossier, op...))
					if got, w := (answer{raw, errString(err)}), alone[want.ID]; !bytes.Equal(got.json, w.json) || got.err != w.err {
						return false, fmt.Errorf("number %d in the walk: %q, %q; alone: %q, %q", seq, got.json, got.err, w.json, w.err)
					}
					return true, nil
				})
			})
			if err != nil {
				t.Fatalf("%s from %d: %v", name, cursor, err)
			}
			// BEGIN, COMMIT, one query per page read (the last one
			// short, or empty when the count divides), and per page at
			// most one for the bodies.
			n := s.db.Queries() - before
			if asked == 0 && n > pages+3 {
				t.Errorf("%s from %d: %d statements for %d pages taking nothing, want at most %d", name, cursor, n, pages, pages+3)
			}
			if n > 2*pages+3 {
				t.Errorf("%s from %d: %d statements for %d pages and %d ops asked", name, cursor, n, pages, asked)
			}
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, store.ErrNotFound) {
		return "not found"
	}
	return err.Error()
}

func errFrom(s string) error {
	if s == "not found" {
		return store.ErrNotFound
	}
	return errors.New(s)
}
