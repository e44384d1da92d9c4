package store

import (
	"errors"
	"testing"
)

func TestEraseLeavesOnlyATombstone(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	keep, _ := s.CreateClient(NewClient{Name: "Blijft Bestaan"})
	gone, _ := s.CreateClient(NewClient{Name: "Wordt Gewist"})
	s.AddEntity(gone, EntityAgreement, map[string]string{"what": "Bellen", "due": "2026-12-01"})
	s.Commit(gone, Set("step/1/answer/q1", "gevoelige tekst"))
	before, _ := s.Ops(gone)
	if err := s.Erase(gone); err != nil {
		t.Fatal(err)
	}
	if ops, _ := s.Ops(gone); len(ops) != 0 {
		t.Errorf("%d ops left after erasure", len(ops))
	}
	if _, err := s.Client(gone); !errors.Is(err, ErrNotFound) {
		t.Errorf("Client after erase: %v", err)
	}
	if !s.Erased(gone) || s.Erased(keep) {
		t.Error("erased marks wrong")
	}
	sums, _ := s.Summaries()
	if len(sums) != 1 || sums[0].ID != keep {
		t.Errorf("summaries after erase: %+v", sums)
	}
	if _, err := s.ApplyRemote(before[:1]); !errors.Is(err, ErrErased) {
		t.Errorf("re-sending an erased dossier's op: %v, want ErrErased", err)
	}
	if _, err := s.Commit(gone, Set("name", "x")); !errors.Is(err, ErrErased) {
		t.Errorf("local op on erased dossier: %v, want ErrErased", err)
	}
	ob, _, _ := s.Outbox(1000)
	for _, op := range ob {
		if op.Dossier == gone {
			t.Fatal("outbox still holds an erased dossier's op")
		}
	}
}

func TestDropThenReturnWhole(t *testing.T) {
	a := openTest(t, Options{Now: fixedClock(t0)})
	b := openTest(t, Options{})
	id, _ := a.CreateClient(NewClient{Name: "Overgedragen"})
	a.ToggleCheck(id, 1, "c1")
	all, _ := a.Ops(id)
	b.ApplyRemote(all)
	if err := b.Drop(id); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Client(id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("dropped client still there: %v", err)
	}
	if n, err := b.ApplyRemote(all); err != nil || n != len(all) {
		t.Fatalf("history did not come back whole: %d of %d, %v", n, len(all), err)
	}
	c, _ := b.Client(id)
	if !c.Steps[0].Checked("c1") {
		t.Error("returned dossier lost its check")
	}
}

func TestAckEmptiesOutbox(t *testing.T) {
	s := openTest(t, Options{})
	id, _ := s.CreateClient(NewClient{Name: "Ack"})
	ops, seqs, err := s.Outbox(3)
	if err != nil || len(ops) != 3 || len(seqs) != 3 {
		t.Fatalf("outbox: %d ops, %v", len(ops), err)
	}
	st, _ := s.Stats()
	ids := []string{ops[0].ID, ops[1].ID, ops[0].ID}
	if err := s.Ack(ids); err != nil {
		t.Fatal(err)
	}
	st2, _ := s.Stats()
	if st.Outbox-st2.Outbox != 2 {
		t.Errorf("outbox %d -> %d, want two fewer", st.Outbox, st2.Outbox)
	}
	_ = id
}

func TestRemovingTheLatestMoveRestoresThePlace(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	id, _ := s.CreateClient(NewClient{Name: "Route", Places: []Place{PlaceDagbesteding}})
	first, _ := s.RecordMove(id, []Place{PlaceDagbesteding, PlaceWerkervaring}, "2026-09-01", "proefplaatsing")
	last, _ := s.RecordMove(id, []Place{PlaceBeschut}, "2026-10-01", "contract")
	place := func() string { c, _ := s.Client(id); return c.Places.Value }
	if err := s.RemoveEntity(id, EntityMove, last); err != nil {
		t.Fatal(err)
	}
	if got := place(); got != "dagbesteding,werkervaringsplaats" {
		t.Errorf("after removing the latest move, places = %q", got)
	}
	if err := s.RestoreEntity(id, EntityMove, last); err != nil {
		t.Fatal(err)
	}
	if got := place(); got != "beschut-werk" {
		t.Errorf("after restoring it, places = %q", got)
	}
	// Removing an earlier move leaves the current place alone.
	if err := s.RemoveEntity(id, EntityMove, first); err != nil {
		t.Fatal(err)
	}
	if got := place(); got != "beschut-werk" {
		t.Errorf("after removing an earlier move, places = %q", got)
	}
}
