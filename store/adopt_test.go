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

// After a restore of the server, a device queues again every op it made,
// so the server gets back the ones it lost: never another device's or
// another author's, never one twice, and team ops first, so a dossier the
// server lost is created again by the first push.
func TestRequeueQueuesOwnOpsOnceTeamFirst(t *testing.T) {
	s := openTest(t, Options{Author: "sanne", Now: fixedClock(t0)})
	id, _ := s.CreateClient(NewClient{Name: "Na De Back-up", Team: "Noord"})
	s.ToggleCheck(id, 1, "c1")
	all, _, _ := s.Outbox(100)
	s.Ack([]string{all[0].ID, all[1].ID, all[2].ID}) // exists, name, team
	remote := mkOp(id, "name", "Van Elders", MakeHLC(t0.Add(time.Hour), 0), "laptop-2")
	s.ApplyRemote([]Op{remote})

	n, err := s.Requeue("sanne")
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("queued %d ops again, want the 3 acknowledged ones", n)
	}
	out, _, _ := s.Outbox(100)
	if len(out) != len(all) {
		t.Fatalf("outbox holds %d ops, want %d (each own op once)", len(out), len(all))
	}
	seen := map[string]bool{}
	for _, op := range out {
		if seen[op.ID] || op.ID == remote.ID {
			t.Errorf("outbox holds %s twice or another device's op", op.Field)
		}
		seen[op.ID] = true
	}
	// The queued-again ops follow the ones still waiting; among them the
	// team op comes first.
	again := out[len(out)-3:]
	if again[0].Field != "team" || all[2].Field != "team" {
		t.Errorf("queued again in the order %s, %s, %s: the team op is not first", again[0].Field, again[1].Field, again[2].Field)
	}
	if n, _ := s.Requeue("sanne"); n != 0 {
		t.Errorf("a second requeue queued %d ops", n)
	}
	if n, _ := s.Requeue("bert"); n != 0 {
		t.Errorf("a requeue for another author queued %d ops", n)
	}
	// Without a known user: every op made here, still not another device's.
	ids := make([]string, len(out))
	for i, op := range out {
		ids[i] = op.ID
	}
	s.Ack(ids)
	if n, _ := s.Requeue(""); n != len(all) {
		t.Errorf("a requeue without a user queued %d ops, want the %d made here", n, len(all))
	}
}
