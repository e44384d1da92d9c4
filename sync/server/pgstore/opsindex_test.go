package pgstore

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// numbersOf gives the numbers of ops as OpsAfter walks them: number, op
// and dossier (hex).
func numbersOf(t *testing.T, s *Storage) []string {
	t.Helper()
	var out []string
	if err := s.View(func(tx storage.Tx) error {
		return tx.OpsAfter(0, func(seq uint64, op, dossier []byte) (bool, error) {
			out = append(out, fmt.Sprintf("%d %x %x", seq, op, dossier))
			return true, nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func hasOpsDossierIndex(t *testing.T, s *Storage) bool {
	t.Helper()
	var n int
	if err := s.db.Data.QueryRow(context.Background(), "SELECT count(*) FROM pg_indexes WHERE tablename = 'ops' AND indexname = 'ops_dossier_seq'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// TestOpsWithoutDossierIndex (migration 00008): a region numbered before
// the migration keeps every number through it (and through its Down and
// Up again), the index of ops by dossier is gone after it and back after
// its Down, and an erasure's DropDossierOps still takes away exactly the
// numbers of its dossier, on either side of the migration.
func TestOpsWithoutDossierIndex(t *testing.T) {
	ctx := context.Background()
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	if hasOpsDossierIndex(t, s) {
		t.Fatal("a new region has the index of ops by dossier")
	}
	downTo := func(v int64) {
		t.Helper()
		db := stdlib.OpenDBFromPool(s.db.Data)
		defer db.Close()
		p, err := provider(db, Data)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if _, err := p.DownTo(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	downTo(7)
	if !hasOpsDossierIndex(t, s) {
		t.Fatal("migration 00008's Down did not make the index again")
	}
	ds := []string{store.NewID(), store.NewID(), store.NewID(), store.NewID()}
	number := func(round int, ds []string) {
		mustUpdate(t, s, func(tx storage.Tx) error {
			for i := range 30 {
				op := testOp(ds[i%len(ds)], fmt.Sprintf("step/%d/note", i%5), fmt.Sprintf("r%d v%d", round, i))
				if _, err := tx.ApplyJSON(op, nil); err != nil {
					return err
				}
				if _, err := tx.NumberOp(op.ID, op.Dossier); err != nil {
					return err
				}
			}
			return nil
		})
	}
	number(0, ds)
	if n := len(numbersOf(t, s)); n != 30 {
		t.Fatalf("%d numbers, want 30", n)
	}
	// drop erases dossier d and drops its numbers, and checks that exactly
	// its numbers went.
	drop := func(d string) {
		t.Helper()
		want := slices.DeleteFunc(numbersOf(t, s), func(n string) bool { return containsDossier(n, d) })
		if err := s.EraseDossier(d); err != nil {
			t.Fatal(err)
		}
		mustUpdate(t, s, func(tx storage.Tx) error { return tx.DropDossierOps(string(mk(d))) })
		if got := numbersOf(t, s); !slices.Equal(got, want) {
			t.Fatalf("after erasing %s: %d numbers, want %d", d, len(got), len(want))
		}
	}
	drop(ds[0]) // as version 00007
	kept := numbersOf(t, s)

	if _, err := Migrate(ctx, s.db.Data, Data); err != nil {
		t.Fatal(err)
	}
	if hasOpsDossierIndex(t, s) {
		t.Fatal("migration 00008 left the index of ops by dossier")
	}
	if got := numbersOf(t, s); !slices.Equal(got, kept) {
		t.Fatalf("after migration 00008: %d numbers, want %d", len(got), len(kept))
	}
	number(1, ds[1:])
	drop(ds[1])
	downTo(7)
	after := numbersOf(t, s)
	if _, err := Migrate(ctx, s.db.Data, Data); err != nil {
		t.Fatal(err)
	}
	if got := numbersOf(t, s); !slices.Equal(got, after) {
		t.Fatalf("down and up again: %d numbers, want %d", len(got), len(after))
	}
	drop(ds[2])
	for _, n := range numbersOf(t, s) {
		if !containsDossier(n, ds[3]) {
			t.Fatalf("a number of an erased dossier is left: %s", n)
		}
	}
}

// containsDossier reports whether a line of numbersOf is of dossier d.
func containsDossier(n, d string) bool {
	var seq uint64
	var op, dossier []byte
	fmt.Sscanf(n, "%d %x %x", &seq, &op, &dossier)
	return string(dossier) == string(mk(d))
}
