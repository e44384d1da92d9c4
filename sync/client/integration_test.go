package client_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
)

// region is a real sync server on 127.0.0.1 with teams Noord and Zuid.
type region struct {
	t     *testing.T
	url   string
	admin *server.Admin
}

func newRegion(t *testing.T) *region {
	t.Helper()
	srv, err := server.Open(filepath.Join(t.TempDir(), "server.db"), server.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		if err := srv.Store().Check(); err != nil {
			t.Errorf("server store inconsistent: %v", err)
		}
		srv.Close()
	})
	r := &region{t: t, url: hs.URL, admin: srv.Admin("tester", server.ChannelCLI)}
	for _, team := range []string{"Noord", "Zuid"} {
		if _, err := r.admin.AddTeam(team); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// replica is one enrolled laptop.
type replica struct {
	st     *store.Store
	syncer *client.Syncer
}

// laptop makes a user in team and enrols a fresh replica for them through
// client.Enroll, with tokens in memory.
func (r *region) laptop(user, team string) *replica {
	r.t.Helper()
	return enrolLaptop(r.t, r.admin, r.url, user, team, nil)
}

// enrolLaptop adds user to team on the server admin manages, enrols a
// fresh replica at url for them with tokens in memory, and checks its
// file when the test ends. now, when not nil, is the laptop's clock (its
// store's and its syncer's).
func enrolLaptop(t *testing.T, admin *server.Admin, url, user, team string, now func() time.Time) *replica {
	t.Helper()
	if _, err := admin.AddUser(user, protocol.RoleCoach, []string{team}); err != nil {
		t.Fatal(err)
	}
	code, _, err := admin.Invite(user)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), user+".db"), store.Options{Author: user, NoSync: true, Now: now, Encryption: &store.Encryption{Keyring: store.KeyFile{Dir: t.TempDir()}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Check(); err != nil {
			t.Errorf("%s: kept state differs from rebuilt state: %v", user, err)
		}
		st.Close()
	})
	toks := &client.MemoryStore{}
	if _, err := client.Enroll(context.Background(), nil, st, toks, url, code, user+"-laptop"); err != nil {
		t.Fatal(err)
	}
	return &replica{st: st, syncer: &client.Syncer{Store: st, Tokens: toks, Now: now}}
}

func (p *replica) sync(t *testing.T) client.Result {
	t.Helper()
	res, err := p.syncer.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// opIDs is the set of op ids a replica holds for a dossier.
func opIDs(t *testing.T, st *store.Store, dossier string) []string {
	t.Helper()
	ops, err := st.Ops(dossier)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, op := range ops {
		ids = append(ids, op.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestRealServerReplicasConverge: three laptops of one team edit offline,
// the same text field concurrently among it, and converge through the
// real server with the conflict kept on every replica.
func TestRealServerReplicasConverge(t *testing.T) {
	r := newRegion(t)
	piet, kees, fem := r.laptop("piet", "Noord"), r.laptop("kees", "Noord"), r.laptop("fem", "Noord")
	id, err := piet.st.CreateClient(store.NewClient{Name: "Anna de Vries", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	piet.sync(t)
	kees.sync(t)
	fem.sync(t)
	// Offline, Piet and Kees both write the same note; Fem ticks an item.
	if _, err := piet.st.Commit(id, store.Edit("step/1/note", "van Piet", nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := kees.st.Commit(id, store.Edit("step/1/note", "van Kees", nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := fem.st.ToggleCheck(id, 1, "c1"); err != nil {
		t.Fatal(err)
	}
	other, err := kees.st.CreateClient(store.NewClient{Name: "Bram", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second round brings everyone what the others pushed after them
		for _, p := range []*replica{kees, fem, piet} {
			p.sync(t)
		}
	}
	want := opIDs(t, piet.st, id)
	for name, p := range map[string]*replica{"kees": kees, "fem": fem} {
		if got := opIDs(t, p.st, id); !slices.Equal(got, want) {
			t.Fatalf("%s holds %d ops of the dossier, piet %d", name, len(got), len(want))
		}
		if got, wantOther := opIDs(t, p.st, other), opIDs(t, kees.st, other); !slices.Equal(got, wantOther) {
			t.Fatalf("%s: second dossier differs", name)
		}
	}
	for name, p := range map[string]*replica{"piet": piet, "kees": kees, "fem": fem} {
		hs, err := p.st.Heads(id, "step/1/note")
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != 2 {
			t.Fatalf("%s: %d heads on the concurrently edited note, want a conflict of 2", name, len(hs))
		}
		if st, _ := p.st.Stats(); st.Outbox != 0 {
			t.Fatalf("%s: %d ops still waiting", name, st.Outbox)
		}
	}
}

// TestRealServerTransferMovesDossier: a dossier moved to another team
// leaves the old team's laptops and arrives whole on the new team's.
func TestRealServerTransferMovesDossier(t *testing.T) {
	r := newRegion(t)
	piet, kees, anna := r.laptop("piet", "Noord"), r.laptop("kees", "Noord"), r.laptop("anna", "Zuid")
	id, err := piet.st.CreateClient(store.NewClient{Name: "Cor van Dijk", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := piet.st.Commit(id, store.Edit("step/1/note", "eerste gesprek", nil)); err != nil {
		t.Fatal(err)
	}
	piet.sync(t)
	kees.sync(t)
	if res := anna.sync(t); res.Pulled != 0 {
		t.Fatalf("another team's laptop received %d ops", res.Pulled)
	}
	if _, err := piet.st.Commit(id, store.Set("team", "Zuid")); err != nil {
		t.Fatal(err)
	}
	history := opIDs(t, piet.st, id)
	piet.sync(t)

	res := kees.sync(t)
	if res.Dropped != 1 {
		t.Fatalf("kees: %+v, want the dossier dropped", res)
	}
	if _, err := kees.st.Client(id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("kees still has the dossier: %v", err)
	}
	res = anna.sync(t)
	if got := opIDs(t, anna.st, id); !slices.Equal(got, history) {
		t.Fatalf("anna received %d ops of the dossier, its history has %d", len(got), len(history))
	}
	c, err := anna.st.Client(id)
	if err != nil || c.Team.Value != "Zuid" || c.Name.Value != "Cor van Dijk" {
		t.Fatalf("anna's copy: %+v, %v", c, err)
	}
	// Anna's team now writes it; Kees's push for it would be refused.
	if _, err := anna.st.Commit(id, store.Set("step/1/status", "done")); err != nil {
		t.Fatal(err)
	}
	if res := anna.sync(t); res.Pushed != 1 || res.Refused != 0 {
		t.Fatalf("anna's edit after the transfer: %+v", res)
	}
}
