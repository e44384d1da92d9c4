package server

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/protocol"
)

func ids(ops []store.Op) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = op.ID
	}
	return out
}

func refusedCodes(resp protocol.SyncResponse) map[string]string {
	out := map[string]string{}
	for _, r := range resp.Refused {
		out[r.ID] = r.Code
		if r.Reason == "" {
			panic("refusal without reason")
		}
	}
	return out
}

func TestSyncRoundTripBetweenTwoCoaches(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	b := e.user("bert", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	resp := a.sync(ops...)
	if len(resp.Accepted) != 3 || len(resp.Refused) != 0 {
		t.Fatalf("accepted %v refused %v", resp.Accepted, resp.Refused)
	}
	if len(resp.Ops) != 0 {
		// The dossier came into anna's view with this push, but she has
		// every op of it: none is echoed back.
		t.Fatalf("anna got %d ops back, want none", len(resp.Ops))
	}
	b.sync()
	if len(b.have[id]) != 3 {
		t.Fatalf("bert has %d ops of the dossier, want 3", len(b.have[id]))
	}
	// One change travels; the author does not get their own op echoed.
	edit := b.op(id, "name", "Noor B.", ops[1].ID)
	if resp := b.sync(edit); len(resp.Ops) != 0 {
		t.Fatalf("bert got his own op back: %v", resp.Ops)
	}
	resp = a.sync()
	if len(resp.Ops) != 1 || resp.Ops[0].ID != edit.ID {
		t.Fatalf("anna got %v, want bert's edit", ids(resp.Ops))
	}
	// Nothing new is success with nothing in it.
	resp = a.sync()
	if len(resp.Ops)+len(resp.Drop)+len(resp.Erased) != 0 || resp.More {
		t.Fatalf("idle sync moved something: %+v", resp)
	}
}

func TestForgedAuthorRefusedNothingStored(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	e.user("bert", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	before := e.stats()
	forged := a.op(id, "name", "Changed by 'bert'")
	forged.Author = "bert"
	resp := a.sync(forged)
	if refusedCodes(resp)[forged.ID] != protocol.RefuseAuthor || len(resp.Accepted) != 0 {
		t.Fatalf("forged op: %+v", resp)
	}
	if after := e.stats(); after != before {
		t.Fatalf("stats changed: %+v -> %+v", before, after)
	}
}

func TestRefusedOpDoesNotBlockTheRest(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	bad := a.op(id, "step/3/check/no-such-item", "1")
	shape := a.op(id, "nonsense", "x")
	unknown := a.op(store.NewID(), "name", "Nobody")
	good := a.op(id, "birthyear", "1990")
	resp := a.sync(bad, shape, unknown, good)
	codes := refusedCodes(resp)
	want := map[string]string{bad.ID: protocol.RefuseMethod, shape.ID: protocol.RefuseInvalid, unknown.ID: protocol.RefuseUnknown}
	for id, code := range want {
		if codes[id] != code {
			t.Errorf("op %s: refused %q, want %q", id, codes[id], code)
		}
	}
	if !slices.Equal(resp.Accepted, []string{good.ID}) {
		t.Fatalf("accepted %v, want only the good op", resp.Accepted)
	}
}

func TestPushIsIdempotent(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	_, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	st := e.stats()
	resp := a.sync(ops...)
	if len(resp.Accepted) != 3 || len(resp.Refused) != 0 {
		t.Fatalf("second push: %+v", resp)
	}
	if e.stats() != st {
		t.Fatalf("second push stored again: %+v -> %+v", st, e.stats())
	}
}

// A sync whose answer is lost after the server committed (the connection
// broke): the device retries with its old cursor and ends with every op,
// once.
func TestRetryAfterLostResponse(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	b := e.user("bert", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	// bert's first answer is lost: the server marked the dossier as sent.
	var lost protocol.SyncResponse
	if status, _ := e.post(protocol.PathSync, b.token, protocol.SyncRequest{Cursor: b.cursor}, &lost); status != 200 || len(lost.Ops) != 3 {
		t.Fatalf("first sync: %d, %d ops", status, len(lost.Ops))
	}
	b.sync()
	if len(b.have[id]) != 3 {
		t.Fatalf("after retry bert has %d ops, want 3", len(b.have[id]))
	}
	// anna's push whose answer is lost: the retry is acknowledged, not stored twice.
	edit := a.op(id, "birthyear", "1991")
	var ignored protocol.SyncResponse
	e.post(protocol.PathSync, a.token, protocol.SyncRequest{Push: []store.Op{edit}, Cursor: a.cursor}, &ignored)
	st := e.stats()
	resp := a.sync(edit)
	if !slices.Contains(resp.Accepted, edit.ID) || e.stats() != st {
		t.Fatalf("retry: %+v, stats %+v -> %+v", resp, st, e.stats())
	}
	b.sync()
	if _, ok := b.have[id][edit.ID]; !ok || len(b.have[id]) != 4 {
		t.Fatalf("bert has %d ops", len(b.have[id]))
	}
}

func TestPagingDeliversEverythingOnce(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	var all []store.Op
	for i := 0; i < 20; i++ {
		_, ops := a.create("Noord", "Client")
		all = append(all, ops...)
	}
	a.sync(all...)
	b := e.user("bert", protocol.RoleCoach, "Noord")
	pages, got := 0, 0
	for {
		resp, status, _ := b.try(7)
		if status != 200 {
			t.Fatal(status)
		}
		pages++
		got += len(resp.Ops)
		if !resp.More {
			break
		}
	}
	if pages < 5 {
		t.Errorf("%d pages for 60 ops with limit 7", pages)
	}
	n := 0
	for _, ops := range b.have {
		n += len(ops)
	}
	if n != 60 || got != 60 {
		t.Fatalf("bert has %d ops (received %d), want 60 once each", n, got)
	}
	// Later ops arrive incrementally after paging.
	more := a.op(all[0].Dossier, "birthyear", "1980")
	a.sync(more)
	resp := b.sync()
	if len(resp.Ops) != 1 {
		t.Fatalf("after paging got %d ops, want 1", len(resp.Ops))
	}
}

// A fresh device gets the heads of each field, not every op; later ops
// still merge on top.
func TestFreshDeviceGetsSnapshot(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	v2 := a.op(id, "name", "Noor 2", ops[1].ID)
	v3 := a.op(id, "name", "Noor 3", v2.ID)
	a.sync(append(ops, v2, v3)...)
	b := e.user("bert", protocol.RoleCoach, "Noord")
	b.sync()
	if len(b.have[id]) != 3 {
		t.Fatalf("fresh device got %d ops, want the 3 heads", len(b.have[id]))
	}
	if _, ok := b.have[id][v3.ID]; !ok {
		t.Fatal("the name's head is missing from the snapshot")
	}
}

// TestOpenRefusesBadMethodFile: a server opened with a method file that
// does not parse, or is over the size limit, does not open (it would hand
// devices a file they refuse).
func TestOpenRefusesBadMethodFile(t *testing.T) {
	for name, file := range map[string][]byte{
		"unparsable": []byte("id: x\nversion: 0\n"),
		"too large":  append(method.DefaultYAML(), []byte("# "+strings.Repeat("x", protocol.MaxMethodBytes)+"\n")...),
	} {
		t.Run(name, func(t *testing.T) {
			srv, err := Open(filepath.Join(t.TempDir(), "s.db"), Options{NoSync: true, MethodFile: file})
			if err == nil {
				srv.Close()
				t.Fatal("opened with a bad method file")
			}
		})
	}
	srv, err := Open(filepath.Join(t.TempDir(), "s.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if mi := srv.Method(); mi == nil || mi.ID != method.Default().ID || mi.Version < 1 || len(mi.Hash) != 64 {
		t.Errorf("default method info = %+v", mi)
	}
}
