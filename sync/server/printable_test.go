package server

import (
	"errors"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// nasty are names that steer a terminal: an OSC title change ended by BEL,
// a screen clear, a C1 CSI, and a bidi override that reverses what follows.
var nasty = []string{"\x1b]0;owned\x07laptop", "x\x1b[2J\x1b[H", "lap\u009b31mtop", "laptop\u202egpj.exe", "del\x7f"}

// TestEnrolRefusesControlCharacters: anyone with an invite code could
// enrol a device named with ESC/OSC/BEL sequences and rewrite the admin's
// screen on `brug admin device list`; such names are refused.
func TestEnrolRefusesControlCharacters(t *testing.T) {
	e := newEnv(t)
	_, err := e.admin.AddUser("anna", protocol.RoleCoach, nil)
	e.must(err)
	code, _, err := e.admin.Invite("anna")
	e.must(err)
	for _, name := range nasty {
		status, perr := e.post(protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, DeviceName: name}, nil)
		if status != 400 || perr.Code != protocol.ErrorBadRequest || !strings.Contains(perr.Message, "device_name") {
			t.Fatalf("device_name %q: %d %+v", name, status, perr)
		}
	}
	devs, err := e.admin.Devices("")
	e.must(err)
	if len(devs) != 0 {
		t.Fatalf("devices stored: %+v", devs)
	}
	// The code was not spent: the same code with a plain name works.
	var resp protocol.EnrollResponse
	if status, perr := e.post(protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, DeviceName: "Zoë's laptop 👩‍💻"}, &resp); status != 200 {
		t.Fatalf("plain name: %d %+v", status, perr)
	}
}

// TestPushRefusesControlCharacters: a client name (or any value, or the
// op's device id) with escape sequences reached every team member's and
// coordinator's screen; they are refused, while text keeps its line breaks.
func TestPushRefusesControlCharacters(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	before := e.stats()
	for _, v := range nasty {
		for _, field := range []string{"name", "step/1/note"} {
			resp := a.sync(a.op(id, field, v))
			if len(resp.Refused) != 1 || resp.Refused[0].Code != protocol.RefuseInvalid {
				t.Fatalf("%s %q: %+v", field, v, resp)
			}
		}
	}
	if e.stats() != before {
		t.Fatal("stored something")
	}
	_, newOps := a.create("Noord", "\x1b[31mRood")
	if resp := a.sync(newOps...); len(resp.Refused) != 1 || resp.Refused[0].ID != newOps[1].ID {
		t.Fatalf("a new client with an escape in its name: %+v", resp)
	}
	if resp := a.sync(a.op(id, "step/1/note", "regel 1\nregel 2\tmet tab")); len(resp.Accepted) != 1 {
		t.Fatalf("text with line breaks: %+v", resp.Refused)
	}
	// A device id with an escape is refused too (and binds nothing).
	b := e.user("bram", protocol.RoleCoach, "Noord")
	b.name = "dev\x1b]0;x\x07"
	if resp := b.sync(b.op(id, "birthyear", "1990")); len(resp.Refused) != 1 || resp.Refused[0].Code != protocol.RefuseInvalid {
		t.Fatalf("device id with an escape: %+v", resp)
	}
	b.name = "dev-bram"
	if resp := b.sync(b.op(id, "birthyear", "1990")); len(resp.Accepted) != 1 {
		t.Fatalf("the same device with a plain id: %+v", resp)
	}
}

// TestSessionAndKeysRefuseControlCharacters: an SSH session's edits and a
// key comment reach other screens the same way; both are refused.
func TestSessionAndKeysRefuseControlCharacters(t *testing.T) {
	e := newSessionEnv(t)
	before := e.stats().Ops
	if _, err := e.session("cor").Commit(e.noord, store.Set("name", "\x1b]0;x\x07Noor")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("session commit with an escape: %v", err)
	}
	if e.stats().Ops != before {
		t.Fatal("stored something")
	}
	_, good := newPub(t, "x")
	line := strings.TrimSpace(good)
	fields := strings.Fields(line)
	bad := fields[0] + " " + fields[1] + " cor\x1b]0;owned\x07@laptop\n"
	if _, err := ParseKeys([]byte(bad)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "comment") {
		t.Fatalf("key comment with an escape: %v", err)
	}
	if _, err := e.admin.AddTeam("Noord\u202eZuid"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("team name with a bidi override: %v", err)
	}
}
