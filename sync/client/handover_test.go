package client_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestHandoverNeverResignsOrLeaks: a laptop of coach bert (team Noord) is
// logged in as carla (team Zuid). Today that said nothing, left bert's
// dossiers readable, and rewrote bert's unsent tick to carla's name. Now
// the enrolment is refused and nothing changes; with Replace, bert's tick
// goes to the server first, as bert's, and only then is the file emptied.
func TestHandoverNeverResignsOrLeaks(t *testing.T) {
	ctx := context.Background()
	r := newRegion(t)
	bert := r.laptop("bert", "Noord")
	id, err := bert.st.CreateClient(store.NewClient{Name: "Noor Hazelhoef", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	bert.sync(t)
	if _, err := bert.st.ToggleCheck(id, 1, "c1"); err != nil { // unsent
		t.Fatal(err)
	}
	tick, _, _ := bert.st.Outbox(1)
	if _, err := r.admin.AddUser("carla", protocol.RoleCoach, []string{"Zuid"}); err != nil {
		t.Fatal(err)
	}
	invite := func() string {
		code, _, err := r.admin.Invite("carla")
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	toks := bert.syncer.Tokens
	bertTok, _ := toks.Get(r.url)

	// Refused: nothing recorded, nothing rewritten, bert's token kept.
	var other *client.OtherUserError
	_, err = client.Enroll(ctx, nil, bert.st, toks, r.url, invite(), "laptop")
	if !errors.As(err, &other) || other.Other.User != "bert" || other.Other.Unsent != 1 || other.Other.Dossiers != 1 {
		t.Fatalf("enrolment as carla on bert's file: %v", err)
	}
	if u, _ := bert.st.Meta(client.MetaUser); string(u) != "bert" {
		t.Errorf("user after a refused enrolment: %q", u)
	}
	if tok, _ := toks.Get(r.url); tok != bertTok {
		t.Error("a refused enrolment replaced bert's token")
	}
	if ops, _, _ := bert.st.Outbox(10); len(ops) != 1 || ops[0].Author != "bert" {
		t.Fatalf("bert's unsent tick after a refused enrolment: %+v", ops)
	}

	// Without bert's token his tick cannot be sent: no wipe.
	empty := &client.MemoryStore{}
	var unsent *client.UnsentError
	if err := client.SendPending(ctx, nil, bert.st, empty); !errors.As(err, &unsent) || unsent.Left != 1 {
		t.Fatalf("sending without bert's token: %v", err)
	}

	// Replace: bert's tick is sent as bert's, then the file is emptied.
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	var ns *store.Store
	opt := client.EnrollOptions{Replace: func(o client.Occupant) (client.Store, error) {
		if err := client.SendPending(ctx, nil, bert.st, toks); err != nil {
			return nil, err
		}
		var err error
		ns, err = store.Open(fresh, store.Options{Author: "carla", NoSync: true})
		return ns, err
	}}
	resp, err := client.EnrollWith(ctx, nil, bert.st, toks, r.url, invite(), "laptop", opt)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if resp.User != "carla" {
		t.Fatalf("enrolled as %q", resp.User)
	}
	if n, _ := bert.st.OutboxLen(); n != 0 {
		t.Errorf("%d of bert's changes not sent before the wipe", n)
	}
	if u, _ := ns.Meta(client.MetaUser); string(u) != "carla" {
		t.Errorf("the new file is enrolled for %q", u)
	}
	// A colleague of bert's team gets the tick, signed by bert.
	anna := r.laptop("anna", "Noord")
	anna.sync(t)
	ops, err := anna.st.Ops(id)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, op := range ops {
		if op.ID == tick[0].ID {
			found = true
			if op.Author != "bert" {
				t.Errorf("bert's tick reached the server signed by %q", op.Author)
			}
		}
	}
	if !found {
		t.Error("bert's unsent tick never reached the server")
	}
	// carla's file holds nothing of bert's team.
	carla := &client.Syncer{Store: ns, Tokens: toks}
	if _, err := carla.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if sums, _ := ns.Summaries(); len(sums) != 0 {
		t.Errorf("carla's file holds %d dossiers of another team", len(sums))
	}
}
