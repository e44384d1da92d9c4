package pgstore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// TestPrefetchedRowsReadAhead: PrefetchHistories' rows are read, opened
// and decoded by a goroutine of their own while the transaction goes on.
// The transaction's connection is its alone until it ends: a statement
// sent at once after PrefetchHistories, before any dossier is asked,
// waits for it (without, pgx refuses the statement: the connection is
// busy). Once DossierOps is asked the goroutine decodes the ops: the same
// ops as read without PrefetchHistories, and a damaged body the same
// error, given only when that op is asked for. No goroutine is left once
// a transaction has ended: committed, rolled back, or its context
// cancelled with rows still to come.
func TestPrefetchedRowsReadAhead(t *testing.T) {
	var region [][]store.Op
	for range 12 {
		region = append(region, bodyRegion()...)
	}
	pg := openStorageT(t, pgtest.DB(t), "", store.Options{})
	fill(t, pg, region)
	var dks []string
	for _, ops := range region {
		k, _ := store.LogKey(&ops[0])
		dks = append(dks, string(k[:16]))
	}
	// A damaged body: the last op of dossier 5 (a head of its field).
	damaged, _ := store.LogKey(&region[5][len(region[5])-1])
	if _, err := pg.db.Data.Exec(context.Background(), "UPDATE oplog SET op = op || '\\x00'::bytea WHERE dossier = $1 AND op_id = $2", damaged[:16], damaged[16:]); err != nil {
		t.Fatal(err)
	}
	noReaders := func(when string) {
		t.Helper()
		if n := histReaders.Load(); n != 0 {
			t.Fatalf("%s: %d goroutines still read PrefetchHistories' rows", when, n)
		}
	}
	// read reads every dossier's ops, whole or as a snapshot, skipping the
	// damaged op or not; an error is kept as the dossier's answer.
	read := func(tx storage.Tx, snapshot, skipDamaged bool) []string {
		var out []string
		for _, dk := range dks {
			keep, err := keepFor(tx, dk, snapshot)
			if err != nil {
				t.Fatal(err)
			}
			if skipDamaged {
				k := keep
				keep = func(key []byte) bool { return k(key) && string(key) != string(damaged) }
			}
			ops, err := tx.(storage.OpsReader).DossierOps([]byte(dk), keep, nil)
			if err != nil {
				out = append(out, "error: "+err.Error())
				continue
			}
			out = append(out, fmt.Sprint(ops))
		}
		return out
	}
	type variant struct{ snapshot, skipDamaged bool }
	want := map[variant][]string{}
	for _, v := range []variant{{false, false}, {true, false}, {false, true}, {true, true}} {
		if err := pg.View(func(tx storage.Tx) error {
			want[v] = read(tx, v.snapshot, v.skipDamaged)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		failed := 0
		for _, a := range want[v] {
			if strings.HasPrefix(a, "error: ") {
				failed++
			}
		}
		if failed != map[bool]int{false: 1, true: 0}[v.skipDamaged] {
			t.Fatalf("%+v: %d dossiers failed to read without PrefetchHistories", v, failed)
		}
	}

	for _, v := range []variant{{false, false}, {true, false}, {false, true}, {true, true}} {
		for _, update := range []bool{false, true} {
			run := pg.View
			if update {
				run = pg.Update
			}
			// DossierOps asked first (the goroutine decodes every row), a
			// statement at once after PrefetchHistories.
			if err := run(func(tx storage.Tx) error {
				if _, err := tx.(storage.OpsReader).DossierOps([]byte(dks[0]), func([]byte) bool { return true }, nil); err != nil {
					return err
				}
				if err := tx.(storage.PullBatcher).PrefetchHistories(dks, v.snapshot); err != nil {
					return err
				}
				if err := tx.(*Tx).exec("SELECT 1"); err != nil {
					return fmt.Errorf("a statement with rows to come: %w", err)
				}
				if got := read(tx, v.snapshot, v.skipDamaged); !reflect.DeepEqual(got, want[v]) {
					t.Errorf("%+v, update %v, after a statement: the ops differ:\n%q\nwant\n%q", v, update, got, want[v])
				}
				if err := tx.(storage.PullBatcher).PrefetchHistories(dks, v.snapshot); err != nil {
					return err
				}
				if got := read(tx, v.snapshot, v.skipDamaged); !reflect.DeepEqual(got, want[v]) {
					t.Errorf("%+v, update %v, read as they come: the ops differ:\n%q\nwant\n%q", v, update, got, want[v])
				}
				return nil
			}); err != nil {
				t.Fatalf("%+v, update %v: %v", v, update, err)
			}
			noReaders("after a commit")
		}
	}

	// Transactions ended with rows to come.
	for _, update := range []bool{false, true} {
		run := pg.View
		if update {
			run = pg.Update
		}
		if err := run(func(tx storage.Tx) error {
			tx.(storage.OpsReader).DossierOps([]byte(dks[0]), func([]byte) bool { return true }, nil)
			return tx.(storage.PullBatcher).PrefetchHistories(dks, false)
		}); err != nil {
			t.Fatal(err)
		}
		noReaders("after a commit with rows to come")
		stop := errors.New("stop")
		if err := run(func(tx storage.Tx) error {
			tx.(storage.OpsReader).DossierOps([]byte(dks[0]), func([]byte) bool { return true }, nil)
			if err := tx.(storage.PullBatcher).PrefetchHistories(dks, false); err != nil {
				return err
			}
			return stop
		}); !errors.Is(err, stop) {
			t.Fatalf("a rolled back transaction: %v", err)
		}
		noReaders("after a rollback with rows to come")
	}

	// A context cancelled with rows to come: each dossier is read as
	// without PrefetchHistories, or an error is given; the goroutine ends
	// with the transaction, and the storage goes on.
	for _, write := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		tx, err := pg.begin(ctx, write, nil)
		if err != nil {
			t.Fatal(err)
		}
		tx.DossierOps([]byte(dks[0]), func([]byte) bool { return true }, nil)
		if err := tx.PrefetchHistories(dks, false); err != nil {
			t.Fatal(err)
		}
		cancel()
		got := read(tx, false, true)
		for i := range got {
			if got[i] != want[variant{false, true}][i] && !strings.HasPrefix(got[i], "error: ") {
				t.Errorf("cancelled: dossier %d: %s", i, got[i])
			}
		}
		tx.rollback()
		noReaders("after a cancelled transaction")
	}
	if err := pg.View(func(tx storage.Tx) error {
		if got := read(tx, false, true); !reflect.DeepEqual(got, want[variant{false, true}]) {
			t.Errorf("after a cancelled transaction: the ops differ")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestPrefetchedRowsReaderPanics: a panic on the goroutine reading
// PrefetchHistories' rows is an error of the dossiers past it, as a
// panic of the transaction's own goroutine is the sync's error (the
// server's safeCall); without the reader's recover the test binary
// dies. The dossiers read before it are read as without PrefetchHistories,
// and the connection serves the next transaction.
func TestPrefetchedRowsReaderPanics(t *testing.T) {
	var region [][]store.Op
	for range 4 {
		region = append(region, bodyRegion()...)
	}
	pg := openStorageT(t, pgtest.DB(t), "", store.Options{})
	fill(t, pg, region)
	var dks []string
	for _, ops := range region {
		k, _ := store.LogKey(&ops[0])
		dks = append(dks, string(k[:16]))
	}
	all := func([]byte) bool { return true }
	var want []string
	if err := pg.View(func(tx storage.Tx) error {
		for _, dk := range dks {
			ops, err := tx.(storage.OpsReader).DossierOps([]byte(dk), all, nil)
			if err != nil {
				return err
			}
			want = append(want, fmt.Sprint(ops))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	defer func() { histRowHook = nil }()
	histRowHook = func(dk []byte) {
		if string(dk) == dks[10] {
			panic("a test's panic")
		}
	}
	err := pg.View(func(tx storage.Tx) error {
		tx.(storage.OpsReader).DossierOps([]byte(dks[0]), all, nil)
		if err := tx.(storage.PullBatcher).PrefetchHistories(dks, false); err != nil {
			return err
		}
		for i, dk := range dks {
			ops, err := tx.(storage.OpsReader).DossierOps([]byte(dk), all, nil)
			if i >= 10 {
				return err
			}
			if err != nil {
				t.Errorf("dossier %d, before the panic: %v", i, err)
			} else if fmt.Sprint(ops) != want[i] {
				t.Errorf("dossier %d, before the panic: ops differ", i)
			}
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "a test's panic") {
		t.Fatalf("the dossier past the panic: %v", err)
	}
	histRowHook = nil
	if n := histReaders.Load(); n != 0 {
		t.Fatalf("%d goroutines still read PrefetchHistories' rows", n)
	}
	if err := pg.View(func(tx storage.Tx) error {
		if err := tx.(storage.PullBatcher).PrefetchHistories(dks, false); err != nil {
			return err
		}
		for i, dk := range dks {
			ops, err := tx.(storage.OpsReader).DossierOps([]byte(dk), all, nil)
			if err != nil {
				return err
			}
			if fmt.Sprint(ops) != want[i] {
				t.Errorf("dossier %d, after the panic: ops differ", i)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
