package client_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestWorkBeforeLoginIsAccepted: a coach works offline under her local
// login name, then enrols as her server account saying the work is hers
// (Adopt). Her earlier changes are recorded as the enrolled user and the
// server accepts them all; without Adopt the enrolment is refused and
// nothing is rewritten: the work could be another person's.
func TestWorkBeforeLoginIsAccepted(t *testing.T) {
	r := newRegion(t)
	if _, err := r.admin.AddUser("sanne.devries", protocol.RoleCoach, []string{"Noord"}); err != nil {
		t.Fatal(err)
	}
	code, _, err := r.admin.Invite("sanne.devries")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "laptop.db"), store.Options{Author: "sanne", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := st.CreateClient(store.NewClient{Name: "Offline Begonnen", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	st.ToggleCheck(id, 1, "c1")
	toks := &client.MemoryStore{}
	var other *client.OtherUserError
	if _, err := client.Enroll(context.Background(), nil, st, toks, r.url, code, "laptop"); !errors.As(err, &other) {
		t.Fatalf("enrolment on unsent work of another name: %v, want OtherUserError", err)
	}
	if ops, _, _ := st.Outbox(100); len(ops) == 0 || ops[0].Author != "sanne" {
		t.Fatal("a refused enrolment rewrote the waiting changes")
	}
	if u, _ := st.Meta(client.MetaUser); len(u) != 0 {
		t.Fatalf("a refused enrolment recorded user %q", u)
	}
	if code, _, err = r.admin.Invite("sanne.devries"); err != nil {
		t.Fatal(err)
	}
	if _, err := client.EnrollWith(context.Background(), nil, st, toks, r.url, code, "laptop", client.EnrollOptions{Adopt: true}); err != nil {
		t.Fatal(err)
	}
	res, err := (&client.Syncer{Store: st, Tokens: toks}).Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Refused != 0 || res.Pushed == 0 {
		t.Fatalf("sync result %+v: earlier work must be accepted", res)
	}
	if got := client.Teams(st); len(got) != 1 || got[0] != "Noord" {
		t.Errorf("teams recorded at enrolment: %v, want [Noord]", got)
	}
	if got := client.Role(st); got != protocol.RoleCoach {
		t.Errorf("role recorded at enrolment: %q, want coach", got)
	}
	if n, _ := st.OutboxLen(); n != 0 {
		t.Errorf("%d ops still waiting", n)
	}
	if err := st.Check(); err != nil {
		t.Error(err)
	}
}

// TestTeamsFollowTheServer: a coach added to a second team after her
// device enrolled gets that team on her next sync, so her forms offer it.
func TestTeamsFollowTheServer(t *testing.T) {
	r := newRegion(t)
	piet := r.laptop("piet", "Noord")
	if got := client.Teams(piet.st); !slices.Equal(got, []string{"Noord"}) {
		t.Fatalf("teams at enrolment: %v", got)
	}
	if err := r.admin.AddMember("Zuid", "piet"); err != nil {
		t.Fatal(err)
	}
	piet.sync(t)
	if got := client.Teams(piet.st); !slices.Equal(got, []string{"Noord", "Zuid"}) {
		t.Errorf("teams after a sync: %v, want [Noord Zuid]", got)
	}
}
