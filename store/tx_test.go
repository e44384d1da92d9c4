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
		if b == nil || string(b.Get([]byte("1"))) != op.ID || !tx.Known(d, op.ID) || !tx.Exists(d) {
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

func TestCommitHookSeesOpsAndCanRefuse(t *testing.T) {
	s := openTest(t, Options{Author: "coach"})
	id, err := s.CreateClient(NewClient{Name: "Noor", Team: "Noord", Places: []Place{PlaceDagbesteding}})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.OutboxLen()
	boom := errors.New("not yours")
	var seen []Op
	var headsInTx []Head
	refuse := false
	h := s.WithAuthor("cor").WithCommitHook(func(tx *Tx, ops []Op) error {
		seen = append(seen, ops...)
		headsInTx, _ = tx.Heads(id, "step/1/status")
		b, err := tx.Bucket("x_hooked")
		if err != nil {
			return err
		}
		if err := b.Put([]byte(ops[0].ID), []byte{1}); err != nil {
			return err
		}
		if refuse {
			return boom
		}
		return nil
	})
	if _, err := h.Commit(id, Set("step/1/status", "signed-off")); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].Author != "cor" || seen[0].Field != "step/1/status" {
		t.Fatalf("hook saw %+v", seen)
	}
	if len(headsInTx) != 1 || headsInTx[0].Value != "signed-off" {
		t.Errorf("the hook does not see the applied op: %+v", headsInTx)
	}
	if n, _ := s.OutboxLen(); n != before {
		t.Errorf("outbox grew from %d to %d; a hooked view must not queue ops", before, n)
	}
	refuse = true
	if _, err := h.ToggleCheck(id, 1, "c1"); !errors.Is(err, boom) {
		t.Fatalf("ToggleCheck with a refusing hook = %v", err)
	}
	c, err := s.Client(id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Steps[0].Checked("c1") {
		t.Error("a refused change was kept")
	}
	if len(seen) != 2 {
		t.Errorf("hook calls: %d ops seen, want 2", len(seen))
	}
	var kept int
	s.View(func(tx *Tx) error {
		b, _ := tx.Bucket("x_hooked")
		kept = b.Stats().KeyN
		return nil
	})
	if kept != 1 {
		t.Errorf("hook bucket holds %d keys, want only the committed one", kept)
	}
}
