package store

import (
	"errors"
	"testing"
)

func TestTxAppliesAndKeepsOwnBucketsAtomically(t *testing.T) {
	s := openTest(t, Options{})
	d := NewID()
	op := mkOp(d, "exists", "1", 5<<16, "dev")
	boom := errors.New("boom")
	err := s.Update(func(tx *Tx) error {
		if _, err := tx.Apply(op); err != nil {
			return err
		}
		b, err := tx.Bucket("x_seq")
		if err != nil {
			return err
		}
		b.Put([]byte("1"), []byte(op.ID))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v", err)
	}
	if ops, _ := s.Ops(d); len(ops) != 0 {
		t.Fatal("rolled-back op was kept")
	}
	err = s.Update(func(tx *Tx) error {
		if _, err := tx.Bucket("seq"); !errors.Is(err, ErrInvalid) {
			t.Errorf("bucket without x_ prefix: %v", err)
		}
		ok, err := tx.Apply(op)
		if !ok || err != nil {
			return err
		}
		if ok, _ := tx.Apply(op); ok {
			t.Error("second apply of the same op reported new")
		}
		b, _ := tx.Bucket("x_seq")
		return b.Put([]byte("1"), []byte(op.ID))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *Tx) error {
		b, _ := tx.Bucket("x_seq")
		if b == nil || string(b.Get([]byte("1"))) != op.ID || !tx.Known(op.ID) || !tx.Exists(d) {
			t.Error("op and own bucket not committed together")
		}
		return nil
	})
	if c, err := s.Client(d); err != nil || !c.Exists {
		t.Errorf("client not materialised after Update: %v", err)
	}
	w := s.WithAuthor("coordinator")
	made, err := w.Commit(d, Set("name", "Via SSH"))
	if err != nil || made[0].Author != "coordinator" || made[0].Device != s.Device() {
		t.Errorf("WithAuthor commit: %+v %v", made, err)
	}
}

func TestMeta(t *testing.T) {
	s := openTest(t, Options{})
	if v, err := s.Meta("x_cursor"); v != nil || err != nil {
		t.Fatalf("unset meta = %q, %v", v, err)
	}
	if err := s.SetMeta("schema", []byte("9")); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetMeta(schema) = %v: must not overwrite the store's own meta", err)
	}
	s.SetMeta("x_cursor", []byte("42"))
	if v, _ := s.Meta("x_cursor"); string(v) != "42" {
		t.Errorf("meta = %q", v)
	}
}

func TestStatsCountsOps(t *testing.T) {
	s := openTest(t, Options{})
	a, _ := s.CreateClient(NewClient{Name: "Een"})
	b, _ := s.CreateClient(NewClient{Name: "Twee"})
	opsA, _ := s.Ops(a)
	opsB, _ := s.Ops(b)
	s.ApplyRemote(opsA) // known ops are not counted twice
	st, _ := s.Stats()
	if st.Ops != len(opsA)+len(opsB) || st.Clients != 2 || st.Outbox != st.Ops {
		t.Errorf("stats %+v, want %d ops, 2 clients", st, len(opsA)+len(opsB))
	}
	s.Erase(a)
	st, _ = s.Stats()
	if n, _ := s.OutboxLen(); st.Ops != len(opsB) || st.Clients != 1 || n != len(opsB) {
		t.Errorf("after erase: stats %+v, outbox %d, want %d ops", st, n, len(opsB))
	}
}
