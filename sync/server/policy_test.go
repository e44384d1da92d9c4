package server

import (
	"errors"
	"fmt"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// One policy judges an op whichever way it comes: the same writes, pushed
// over HTTP by a device and made in an SSH session (through Session.hook),
// are accepted or refused alike, with the same reason code. Before the
// policy was one function each channel had its own copy of the rules, and
// they disagreed: a client created over SSH in a team the server lacks
// was refused as forbidden, the same push as invalid.
func TestOpPolicySameForPushAndSession(t *testing.T) {
	const accept = "accepted"
	type write struct {
		field, value string
		prevSignOff  bool // name the signed-off status as seen
		seenNone     bool // name no value as seen: a value beside the others
	}
	cases := []struct {
		name   string
		user   string
		setup  string // "", "signed-off" (a coordinator signed step 1 off), "erased", "full" (step/1/note holds MaxFieldHeads values)
		create string // a new client in this team instead of a write to the dossier
		w      write
		want   string
	}{
		{name: "coach writes to their team's dossier", user: "anna", w: write{field: "name", value: "Noor Visser"}, want: accept},
		{name: "coach writes to another team's dossier", user: "zoe", w: write{field: "name", value: "Noor Visser"}, want: protocol.RefuseForbidden},
		{name: "admin writes", user: "root", w: write{field: "name", value: "Noor Visser"}, want: protocol.RefuseForbidden},
		{name: "coach moves the dossier to a team the server lacks", user: "anna", w: write{field: "team", value: "Nergens"}, want: protocol.RefuseInvalid},
		{name: "coach hands the dossier to another team", user: "anna", w: write{field: "team", value: "Zuid"}, want: accept},
		{name: "coach signs a step off", user: "anna", w: write{field: "step/1/status", value: string(store.StepSignedOff)}, want: protocol.RefuseForbidden},
		{name: "coordinator signs a step off", user: "cor", w: write{field: "step/1/status", value: string(store.StepSignedOff)}, want: accept},
		{name: "coach reopens a signed-off step", user: "anna", setup: "signed-off", w: write{field: "step/1/status", value: string(store.StepOpen), prevSignOff: true}, want: protocol.RefuseForbidden},
		{name: "coordinator reopens a signed-off step", user: "cor", setup: "signed-off", w: write{field: "step/1/status", value: string(store.StepOpen), prevSignOff: true}, want: accept},
		{name: "coach adds a value to a field at the bound on heads", user: "anna", setup: "full", w: write{field: "step/1/note", value: "nog een", seenNone: true}, want: protocol.RefuseHeads},
		{name: "coach resolves a field at the bound on heads", user: "anna", setup: "full", w: write{field: "step/1/note", value: "opgelost"}, want: accept},
		{name: "coach writes to an erased dossier", user: "anna", setup: "erased", w: write{field: "name", value: "Noor Visser"}, want: protocol.RefuseErased},
		{name: "coach creates a client in their team", user: "anna", create: "Noord", want: accept},
		{name: "coach creates a client in another team", user: "anna", create: "Zuid", want: protocol.RefuseForbidden},
		{name: "coach creates a client in a team the server lacks", user: "anna", create: "Nergens", want: protocol.RefuseInvalid},
	}

	e := newEnv(t)
	e.teams("Noord", "Zuid")
	devs := map[string]*device{
		"anna": e.user("anna", protocol.RoleCoach, "Noord"),
		"zoe":  e.user("zoe", protocol.RoleCoach, "Zuid"),
		"cor":  e.user("cor", protocol.RoleCoordinator, "Noord"),
	}
	_, err := e.admin.AddUser("root", protocol.RoleAdmin, nil)
	e.must(err)
	sessions := map[string]*Session{}
	for _, u := range []string{"anna", "zoe", "cor", "root"} {
		ss, err := e.srv.Session(u, ChannelSSH, "s-"+u)
		e.must(err)
		sessions[u] = ss
	}
	cor := devs["cor"]
	// dossier makes a dossier of team Noord in the state a case needs and
	// returns its id and the id of the sign-off, if any.
	dossier := func(setup string) (string, string) {
		id, ops := cor.create("Noord", "Noor")
		var signOff string
		if setup == "full" {
			for i := range protocol.MaxFieldHeads {
				ops = append(ops, cor.op(id, "step/1/note", fmt.Sprint("waarde ", i)))
			}
		}
		if setup == "signed-off" {
			op := cor.op(id, "step/1/status", string(store.StepSignedOff))
			signOff = op.ID
			ops = append(ops, op)
		}
		if resp := cor.sync(ops...); len(resp.Refused) != 0 {
			t.Fatalf("setup refused: %+v", resp.Refused)
		}
		if setup == "erased" {
			_, err := e.admin.Erase(id)
			e.must(err)
		}
		return id, signOff
	}
	// viaPush pushes the case's write from the user's device (root, an
	// admin, has none: a device enrolled for the case).
	viaPush := func(user, id, signOff string, c write, create string) string {
		d := devs[user]
		if d == nil {
			d = e.enrol(user)
			devs[user] = d
		}
		var ops []store.Op
		if create != "" {
			_, ops = d.create(create, "Nieuw")
		} else {
			var prev []string
			if c.prevSignOff {
				prev = []string{signOff}
			}
			if c.field == "step/1/note" && !c.seenNone {
				// A resolve names every value the field holds.
				hs, err := e.heads(id, c.field)
				e.must(err)
				for _, h := range hs {
					prev = append(prev, h.ID)
				}
			}
			ops = []store.Op{d.op(id, c.field, c.value, prev...)}
		}
		resp := d.sync(ops...)
		if len(resp.Refused) > 0 {
			return resp.Refused[0].Code
		}
		return accept
	}
	// viaSession makes the same write in the user's SSH session.
	viaSession := func(user, id, signOff string, c write, create string) string {
		ss := sessions[user]
		var err error
		if create != "" {
			_, err = ss.CreateClient(store.NewClient{Name: "Nieuw", Team: create})
		} else if c.seenNone {
			_, err = ss.Commit(id, store.Edit(c.field, c.value, nil))
		} else if c.prevSignOff {
			_, err = ss.Commit(id, store.Edit(c.field, c.value, []string{signOff}))
		} else {
			_, err = ss.Commit(id, store.Set(c.field, c.value))
		}
		var re *RefusedError
		switch {
		case err == nil:
			return accept
		case errors.As(err, &re):
			return re.Refusal.Code
		case errors.Is(err, store.ErrErased):
			return protocol.RefuseErased // the store refuses it before the policy runs
		case errors.Is(err, ErrForbidden):
			return protocol.RefuseForbidden // the session refuses a role that never writes first
		}
		return "error: " + err.Error()
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, signOff := dossier(c.setup)
			push := viaPush(c.user, id, signOff, c.w, c.create)
			id, signOff = dossier(c.setup)
			session := viaSession(c.user, id, signOff, c.w, c.create)
			if push != session {
				t.Errorf("push says %s, SSH session says %s", push, session)
			}
			if push != c.want {
				t.Errorf("push says %s, want %s", push, c.want)
			}
			if session != c.want {
				t.Errorf("SSH session says %s, want %s", session, c.want)
			}
		})
	}
}
