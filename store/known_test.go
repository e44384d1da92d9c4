package store

import (
	"strings"
	"testing"
)

// TestKnownAnswersWithoutAllocating: Known, which a server's push asks
// of every op it judges, tells a stored op from an unknown one and a
// malformed id (either case of hex digits, as before), and allocates
// nothing beyond bbolt's own read of the log.
func TestKnownAnswersWithoutAllocating(t *testing.T) {
	s, d, op := storeWithOneOp(t)
	s.View(func(tx *Tx) error {
		for _, c := range []struct {
			dossier, id string
			want        bool
		}{
			{d, op.ID, true},
			{strings.ToUpper(d), strings.ToUpper(op.ID), true},
			{d, NewID(), false},
			{NewID(), op.ID, false},
			{d, "not-an-id", false},
			{"", op.ID, false},
		} {
			if got := tx.Known(c.dossier, c.id); got != c.want {
				t.Errorf("Known(%q, %q) = %v, want %v", c.dossier, c.id, got, c.want)
			}
		}
		other := NewID()
		key, err := LogKey(&op)
		if err != nil {
			t.Fatal(err)
		}
		bare := testing.AllocsPerRun(100, func() { tx.tx.Bucket(bOps).Get(key) })
		if n := testing.AllocsPerRun(100, func() { tx.Known(d, op.ID) }); n > bare {
			t.Errorf("Known allocates %.0f times, a bare read of the log %.0f", n, bare)
		}
		if n := testing.AllocsPerRun(100, func() { tx.Known(d, other) }); n > bare {
			t.Errorf("Known of an unknown op allocates %.0f times, a bare read of the log %.0f", n, bare)
		}
		return nil
	})
}

// TestHoldsLogKey: the merge's test of the replaced set (holdsLogKey)
// answers as the log key it replaced (logKey of idKey) did, for held,
// missing and malformed ids, and allocates nothing beyond bbolt's read.
func TestHoldsLogKey(t *testing.T) {
	s, d, op := storeWithOneOp(t)
	s.View(func(tx *Tx) error {
		b := tx.tx.Bucket(bOps)
		dk, _ := idKey(d)
		old := func(id string) bool {
			k, err := idKey(id)
			return err == nil && b.Get(logKey(dk, k)) != nil
		}
		for _, id := range []string{op.ID, strings.ToUpper(op.ID), NewID(), "x", ""} {
			if got, want := holdsLogKey(b, dk, id), old(id); got != want {
				t.Errorf("holdsLogKey(%q) = %v, the old test %v", id, got, want)
			}
		}
		key := logKey(dk, mustKey(op.ID))
		bare := testing.AllocsPerRun(100, func() { b.Get(key) })
		if n := testing.AllocsPerRun(100, func() { holdsLogKey(b, dk, op.ID) }); n > bare {
			t.Errorf("holdsLogKey allocates %.0f times, a bare read %.0f", n, bare)
		}
		return nil
	})
}

// storeWithOneOp is a store holding one op, in dossier d.
func storeWithOneOp(t *testing.T) (s *Store, d string, op Op) {
	t.Helper()
	s = openTest(t, Options{})
	d = NewID()
	op = mkOp(d, "name", "1", 5<<16, "dev")
	if err := s.Update(func(tx *Tx) error { _, err := tx.Apply(op); return err }); err != nil {
		t.Fatal(err)
	}
	return s, d, op
}
