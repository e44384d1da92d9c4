package store

import (
	"errors"
	"testing"
	"time"
)

// TestCloseAndReopenTrajectory: closing is ops like any other (a date, a
// reason of a fixed set, a note), reopening a later op; bad values are
// refused and leave the dossier as it was.
func TestCloseAndReopenTrajectory(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	id, err := s.CreateClient(NewClient{Name: "Sluit Ooit"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Client(id)
	if _, ok := c.ClosedOn(); ok {
		t.Fatal("a new dossier is closed")
	}
	if _, err := s.Commit(id, Set("closed", "2026-11-30"), Set("closed_reason", "werk"), Set("closed_note", "vast contract")); err != nil {
		t.Fatal(err)
	}
	c, _ = s.Client(id)
	on, ok := c.ClosedOn()
	if !ok || !on.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)) || c.ClosedReason.Value != "werk" || c.ClosedNote.Value != "vast contract" {
		t.Fatalf("closed = %v %v, reason %q, note %q", on, ok, c.ClosedReason.Value, c.ClosedNote.Value)
	}
	for _, bad := range []Change{Set("closed", "30-11-2026"), Set("closed_reason", "zomaar"), Set("closed_reason", "werk\n")} {
		if _, err := s.Commit(id, Set("closed", "2026-12-01"), bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("commit %s=%q: %v, want ErrInvalid", bad.Field, bad.Value, err)
		}
	}
	c, _ = s.Client(id)
	if c.Closed.Value != "2026-11-30" {
		t.Errorf("a refused commit changed closed to %q", c.Closed.Value)
	}
	if _, err := s.Commit(id, Set("closed", ""), Set("closed_reason", "")); err != nil {
		t.Fatal(err)
	}
	c, _ = s.Client(id)
	if _, ok := c.ClosedOn(); ok || c.ClosedReason.Value != "" {
		t.Errorf("reopened dossier still closed: %q %q", c.Closed.Value, c.ClosedReason.Value)
	}
	// The close travels as ops: another replica applying them sees it.
	ops, _ := s.Ops(id)
	o := openTest(t, Options{Now: fixedClock(t0)})
	if _, err := o.ApplyRemote(ops); err != nil {
		t.Fatal(err)
	}
	oc, _ := o.Client(id)
	if oc.Closed.Value != "" || !oc.ClosedNote.Set() {
		t.Errorf("replica: closed %q note set %v", oc.Closed.Value, oc.ClosedNote.Set())
	}
}
