package store

import (
	"testing"
	"time"
)

func TestAdoptOutboxRewritesOnlyUnsentLocalOps(t *testing.T) {
	s := openTest(t, Options{Author: "sanne", Now: fixedClock(t0)})
	id, _ := s.CreateClient(NewClient{Name: "Offline Begonnen"})
	s.ToggleCheck(id, 1, "c1")
	// One op already reached a server (acknowledged), one came from
	// another device: neither may change.
	sent, _, _ := s.Outbox(1)
	s.Ack([]string{sent[0].ID})
	remote := mkOp(id, "team", "Noord", MakeHLC(t0.Add(time.Hour), 0), "laptop-2")
	s.ApplyRemote([]Op{remote})

	n, err := s.AdoptOutbox("sanne.devries")
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stats()
	if n != st.Outbox {
		t.Errorf("adopted %d ops, outbox holds %d", n, st.Outbox)
	}
	ops, _ := s.Ops(id)
	for _, op := range ops {
		switch {
		case op.ID == sent[0].ID && op.Author != "sanne":
			t.Error("an op a server already has was rewritten")
		case op.ID == remote.ID && op.Author != remote.Author:
			t.Error("another device's op was rewritten")
		case op.ID != sent[0].ID && op.ID != remote.ID && op.Author != "sanne.devries":
			t.Errorf("outbox op %s still authored by %s", op.Field, op.Author)
		}
	}
	c, _ := s.Client(id)
	if c.Steps[0].Checks["c1"].By != "sanne.devries" {
		t.Errorf("check shows %q as its author", c.Steps[0].Checks["c1"].By)
	}
	if again, _ := s.AdoptOutbox("sanne.devries"); again != 0 {
		t.Errorf("second adopt changed %d ops", again)
	}
}
