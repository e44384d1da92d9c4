package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// Accident or attack: devices that keep writing one field without naming
// its values in prev gave it ever more heads (1,536 of 64 KiB made a 1.4 GB
// server). A push past MaxFieldHeads is refused; resolving is accepted.
func TestFieldHeadsBoundedResolvingAccepted(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	b := e.user("bert", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	b.sync()
	var heads []string
	for i := range protocol.MaxFieldHeads {
		op := a.op(id, "step/1/note", fmt.Sprint("waarde ", i)) // names no value: a new head each
		heads = append(heads, op.ID)
		if resp := a.sync(op); len(resp.Accepted) != 1 {
			t.Fatalf("head %d refused: %+v", i+1, resp.Refused)
		}
	}
	// One more concurrent value, from another device: refused with its code.
	extra := b.op(id, "step/1/note", "nog een")
	resp := b.sync(extra)
	if len(resp.Refused) != 1 || resp.Refused[0].Code != protocol.RefuseHeads {
		t.Fatalf("head %d: want refused %q, got %+v", protocol.MaxFieldHeads+1, protocol.RefuseHeads, resp)
	}
	hs, err := e.heads(id, "step/1/note")
	e.must(err)
	if len(hs) != protocol.MaxFieldHeads {
		t.Fatalf("the field holds %d heads, want %d", len(hs), protocol.MaxFieldHeads)
	}
	// Replacing one value keeps the count: accepted. Other fields are free.
	one := b.op(id, "step/1/note", "vervangt er een", heads[0])
	other := b.op(id, "step/2/note", "ander veld")
	if resp := b.sync(one, other); len(resp.Accepted) != 2 {
		t.Fatalf("an op replacing a head, or of another field, refused: %+v", resp.Refused)
	}
	// Resolving the conflict, naming every value: accepted, one head left,
	// and new concurrent values are accepted again.
	prev := append([]string{one.ID}, heads[1:]...)
	resolve := a.op(id, "step/1/note", "opgelost", prev...)
	if resp := a.sync(resolve); len(resp.Accepted) != 1 {
		t.Fatalf("resolving refused: %+v", resp.Refused)
	}
	hs, err = e.heads(id, "step/1/note")
	e.must(err)
	if len(hs) != 1 || hs[0].ID != resolve.ID {
		t.Fatalf("after resolving: %d heads", len(hs))
	}
	if resp := b.sync(b.op(id, "step/1/note", "nieuw")); len(resp.Accepted) != 1 {
		t.Fatalf("a new value after resolving refused: %+v", resp.Refused)
	}
}

// The same bound holds for a write over SSH that adds a value beside the
// ones it saw, and an SSH edit that names every value resolves the field.
func TestSessionWriteBoundedByFieldHeads(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	_, err := e.admin.AddUser("cor", protocol.RoleCoordinator, []string{"Noord"})
	e.must(err)
	id, ops := a.create("Noord", "Noor")
	for i := range protocol.MaxFieldHeads {
		ops = append(ops, a.op(id, "step/1/note", fmt.Sprint("waarde ", i)))
	}
	a.sync(ops...)
	ss, err := e.srv.Session("cor", ChannelSSH, "s")
	e.must(err)
	if _, err := ss.Commit(id, store.Edit("step/1/note", "nog een", nil)); err == nil || !strings.Contains(err.Error(), "conflicting values") {
		t.Fatalf("an SSH write adding head %d: %v", protocol.MaxFieldHeads+1, err)
	}
	if hs, _ := e.heads(id, "step/1/note"); len(hs) != protocol.MaxFieldHeads {
		t.Fatalf("the refused SSH write left %d heads", len(hs))
	}
	if _, err := ss.Commit(id, store.Set("step/1/note", "opgelost")); err != nil {
		t.Fatalf("an SSH write resolving the field: %v", err)
	}
	if hs, _ := e.heads(id, "step/1/note"); len(hs) != 1 {
		t.Fatalf("after resolving over SSH: %d heads", len(hs))
	}
}
