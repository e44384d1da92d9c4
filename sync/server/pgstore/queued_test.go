package pgstore

import (
	"fmt"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// An op's insert and number are queued and sent with the next statement
// or the COMMIT (txconn.go). What they write is there for the statements
// after them in the same transaction; a queued write that fails fails the
// transaction, whether a statement follows it or only the COMMIT; and a
// number counted on that the database does not give (the sequence moved
// under the lock) fails it too, with nothing stored.
func TestQueuedWritesCommitOrFail(t *testing.T) {
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	d := store.NewID()
	op := testOp(d, "name", "Jan")
	mustUpdate(t, s, func(tx storage.Tx) error {
		if _, err := tx.ApplyJSON(op, nil); err != nil {
			return err
		}
		seq, err := tx.NumberOp(op.ID, op.Dossier)
		if err != nil || seq != 1 {
			t.Fatalf("number: %d %v", seq, err)
		}
		// Read back in the same transaction: sent first.
		n := 0
		if err := tx.OpsAfter(0, func(got uint64, _, _ []byte) (bool, error) {
			n++
			if got != seq {
				t.Errorf("number %d read back, want %d", got, seq)
			}
			return true, nil
		}); err != nil {
			return err
		}
		if n != 1 || !tx.Exists(d) {
			t.Errorf("in the transaction: %d numbers, exists %v", n, tx.Exists(d))
		}
		return nil
	})
	bad := func(withStatement bool) error {
		return s.Update(func(stx storage.Tx) error {
			tx := stx.(*Tx)
			tx.tx.queue("INSERT INTO no_such_table VALUES (1)", 0)
			if withStatement {
				tx.LastSeq() // answered from what the transaction keeps: no statement
				tx.Exists(d) // a statement: it fails, and the transaction with it
			}
			return nil
		})
	}
	for _, with := range []bool{false, true} {
		if err := bad(with); err == nil || !strings.Contains(err.Error(), "no_such_table") {
			t.Errorf("a queued write that fails (a statement after it: %v): %v, want its error", with, err)
		}
	}
	// The sequence moved: the number counted on is not the one given.
	other := testOp(d, "name", "Piet", op.ID)
	err := s.Update(func(stx storage.Tx) error {
		tx := stx.(*Tx)
		if _, err := tx.ApplyJSON(other, nil); err != nil {
			return err
		}
		tx.tx.last += 5 // what a writer past the lock would make of it
		_, err := tx.NumberOp(other.ID, other.Dossier)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "the sequence moved under the write lock") {
		t.Fatalf("a number not given as counted: %v", err)
	}
	if err := s.View(func(tx storage.Tx) error {
		if tx.LastSeq() != 1 || tx.Known(d, other.ID) {
			return fmt.Errorf("what the failed transactions wrote is there: last %d, known %v", tx.LastSeq(), tx.Known(d, other.ID))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
