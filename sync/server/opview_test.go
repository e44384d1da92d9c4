package server

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// The op log through the storage (opview.go) gives SSH sessions and the
// admin commands the same answers and checks as the op-log store: the
// same script of actions runs on a bbolt server through its op-log store
// and on a server that reads and writes through the storage (the backend
// under test: bbolt with the op-log store switched off, or PostgreSQL),
// and the transcripts of what each answered (summaries, dossiers, the ops
// made, errors, exports, audit records) are the same but for ids and
// clocks.

// newRefEnv is an env on the bbolt file with its op-log store, whatever
// the backend under test.
func newRefEnv(t *testing.T) *env {
	t.Helper()
	open := openStorage
	openStorage = testBackends["bolt"]
	defer func() { openStorage = open }()
	e := newEnv(t)
	if e.srv.Store() == nil {
		t.Fatal("the reference server has no op-log store")
	}
	return e
}

// newLogEnv is an env on the backend under test that reads and writes
// dossiers through the storage only.
func newLogEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.srv.logOnly = true
	return e
}

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	// Clock readings: HLCs in JSON (op "hlc", head "h", summary "l",
	// client "last_change") and the times of values.
	clockRE = regexp.MustCompile(`"(hlc|h|l|last_change|at)":("[^"]*"|[0-9]+)`)
)

// canonical is a transcript with ids numbered in order of appearance and
// clock readings blanked.
func canonical(s string) string {
	s = clockRE.ReplaceAllString(s, `"$1":_`)
	ids := map[string]string{}
	return uuidRE.ReplaceAllStringFunc(s, func(id string) string {
		if ids[id] == "" {
			ids[id] = fmt.Sprintf("<id%d>", len(ids)+1)
		}
		return ids[id]
	})
}

// transcript collects what a script was answered.
type transcript struct {
	t *testing.T
	b strings.Builder
}

func (tr *transcript) add(what string, v any, err error) {
	tr.t.Helper()
	j, jerr := json.Marshal(v)
	if jerr != nil {
		tr.t.Fatal(jerr)
	}
	fmt.Fprintf(&tr.b, "%s: %s; err=%v\n", what, j, err)
}

// sessionScript runs the actions of a coordinator's and a coach's SSH
// sessions, and the admin commands that read dossiers, on e.
func sessionScript(t *testing.T, e *env) string {
	tr := &transcript{t: t}
	e.teams("Noord", "Zuid")
	e.user("cor", protocol.RoleCoordinator, "Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	bert := e.user("bert", protocol.RoleCoach, "Zuid")
	bram, ops := anna.create("Noord", "Bram Bakker")
	anna.sync(ops...)
	zoe, ops := bert.create("Zuid", "Zoë Zwart")
	bert.sync(ops...)

	cor, err := e.srv.Session("cor", ChannelSSH, "s-cor")
	e.must(err)
	ses, err := e.srv.Session("anna", ChannelSSH, "s-anna")
	e.must(err)
	sums, err := cor.Summaries()
	tr.add("summaries", sums, err)

	sara, err := cor.CreateClient(store.NewClient{Name: " Sara de Vries ", BirthYear: "1990", Team: "Noord",
		Places: []store.Place{store.PlaceWerkervaring}})
	tr.add("create", sara, err)
	_, err = cor.CreateClient(store.NewClient{Name: "", Team: "Noord"})
	tr.add("create without a name", nil, err)
	_, err = cor.CreateClient(store.NewClient{Name: "Elders", Team: "Zuid"})
	tr.add("create in another team", nil, err)
	item := e.srv.method.Steps[0].Checklist[0].ID
	for range 2 {
		op, err := cor.ToggleCheck(sara, 1, item)
		tr.add("toggle", op, err)
	}
	_, err = cor.ToggleCheck(zoe, 1, item)
	tr.add("toggle in another team", nil, err)
	ag, err := cor.AddEntity(sara, store.EntityAgreement, map[string]string{"what": "CV maken", "due": "2026-11-20", "role": ""})
	tr.add("add agreement", ag, err)
	_, err = cor.AddEntity(sara, "nonsense", nil)
	tr.add("add nonsense", nil, err)
	move, err := cor.RecordMove(sara, []store.Place{store.PlaceDagbesteding}, "2026-11-02", "proef")
	tr.add("move", move, err)
	_, err = cor.RecordMove(sara, nil, "2026-11-03", "")
	tr.add("move nowhere", nil, err)
	_, err = cor.RecordMoveEmployer(sara, []store.Place{store.PlaceWerkervaring}, "2026-11-04", "", "Garage Çelik")
	tr.add("move with employer", nil, err)
	tr.add("remove move", nil, cor.RemoveEntity(sara, store.EntityMove, move))
	tr.add("restore move", nil, cor.RestoreEntity(sara, store.EntityMove, move))
	tr.add("remove agreement", nil, cor.RemoveEntity(sara, store.EntityAgreement, ag))

	made, err := cor.Commit(sara, store.Set("step/1/note", "eerste"))
	tr.add("note", made, err)
	made, err = ses.Commit(sara, store.Edit("step/1/note", "tweede", nil)) // saw nothing: a conflict
	tr.add("concurrent note", made, err)
	hs, err := cor.Heads(sara, "step/1/note")
	tr.add("heads", hs, err)
	tr.add("resolve", nil, cor.Resolve(sara, "step/1/note", "samen"))
	made, err = cor.Commit(sara, store.Set("name", "Sara de Vries"))
	tr.add("same name again", made, err)
	made, err = cor.Commit(sara, store.Set("step/1/status", string(store.StepDone)))
	tr.add("step done", made, err)
	made, err = ses.Commit(sara, store.Set("step/1/status", string(store.StepSignedOff)))
	tr.add("coach signs off", made, err)
	made, err = cor.Commit(sara, store.Set("step/1/status", string(store.StepSignedOff)))
	tr.add("coordinator signs off", made, err)
	made, err = ses.Commit(sara, store.Set("step/1/status", string(store.StepActive)))
	tr.add("coach reopens", made, err)
	made, err = cor.Commit(sara, store.Set("step/99/bogus", "1"))
	tr.add("bad field", made, err)
	made, err = cor.Commit(zoe, store.Set("name", "Zoë"))
	tr.add("write another team's", made, err)
	made, err = cor.Commit("no-id", store.Set("name", "x"))
	tr.add("write a bad id", made, err)
	c, err := cor.Client(zoe)
	tr.add("read another team's", c, err)
	_, err = cor.Heads(zoe, "name")
	tr.add("heads of another team's", nil, err)
	made, err = ses.Commit(bram, store.Set("team", "Zuid"), store.Set("coaches", "anna"))
	tr.add("anna moves Bram", made, err)

	sums, err = cor.Summaries()
	tr.add("summaries after", sums, err)
	for _, id := range []string{sara, bram} {
		c, err := cor.Client(id)
		tr.add("client", c, err)
	}
	pl, err := cor.Placements(nil)
	tr.add("placements", pl, err)
	fr, err := cor.FlowReport(store.FlowQuery{From: "2026-10-01", To: "2026-12-31"})
	tr.add("flow", fr, err)

	cands, err := e.admin.Candidates("sara")
	tr.add("candidates", cands, err)
	_, err = e.admin.Candidates("nobody")
	tr.add("candidates of nobody", nil, err)
	x, err := e.admin.Export("Sara de Vries")
	x.At, x.Method = x.At.UTC().Truncate(0), nil
	tr.add("export", x, err)
	_, err = e.admin.Export("B") // Bram and ... ambiguous or one
	tr.add("export of B", nil, err)
	moved, err := e.admin.RenameTeam("Noord", "Noord-West")
	tr.add("rename", moved, err)
	sums, err = cor.Summaries()
	tr.add("summaries after the rename", sums, err)
	// A dossier closed long ago is due for erasure.
	old, err := cor.CreateClient(store.NewClient{Name: "Oud Dossier", Team: "Noord-West"})
	tr.add("create an old one", old, err)
	made, err = cor.Commit(old, store.Set("closed", "2005-03-01"), store.Set("closed_reason", "werk"))
	tr.add("close it", made, err)
	ret, err := e.admin.Retention(false, nil)
	tr.add("retention", ret, err)
	ret, err = e.admin.Retention(true, []string{old})
	tr.add("retention erases", ret, err)
	id, err := e.admin.Erase("Sara")
	tr.add("erase by name", id, err)
	_, err = cor.Client(sara)
	tr.add("read erased", nil, err)
	_, err = cor.Commit(sara, store.Set("name", "terug"))
	tr.add("write erased", nil, err)

	for _, a := range e.auditAll() {
		tr.add("audit", []string{a.Channel, a.User, a.Action, a.Dossier, a.Detail}, nil)
	}
	return tr.b.String()
}

func TestSessionOnStorageAnswersAsOnTheOpLogStore(t *testing.T) {
	ref := newRefEnv(t)
	want := canonical(sessionScript(t, ref))
	got := canonical(sessionScript(t, newLogEnv(t)))
	if testing.Verbose() {
		t.Log(got)
	}
	if got == want {
		return
	}
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			t.Errorf("line %d differs (%s backend through the storage):\n op-log store: %s\n storage:      %s", i+1, testBackend, w, g)
		}
	}
}

// TestSessionsOnTwoServersShareOneDatabase: sessions on two server
// processes over one PostgreSQL database see each other's writes at
// once (nothing of a dossier is cached), a change made on one builds on
// the value written on the other (its prev names it, its clock is past
// it), and both stamp their ops with the region's one device id.
func TestSessionsOnTwoServersShareOneDatabase(t *testing.T) {
	e := newEnv(t)
	if e.srv.Store() != nil {
		t.Skipf("two server processes share a database, not a bbolt file (the backend is %s)", testBackend)
	}
	e.teams("Noord")
	e.user("cor", protocol.RoleCoordinator, "Noord")
	e.user("anna", protocol.RoleCoach, "Noord")
	other, err := Open(e.path, Options{Now: e.clock.Now, NoSync: true})
	e.must(err)
	defer other.Close()
	cor, err := e.srv.Session("cor", ChannelSSH, "s1")
	e.must(err)
	anna, err := other.Session("anna", ChannelSSH, "s2")
	e.must(err)

	id, err := cor.CreateClient(store.NewClient{Name: "Sara", Team: "Noord"})
	e.must(err)
	sums, err := anna.Summaries()
	if err != nil || len(sums) != 1 || sums[0].ID != id || sums[0].Name != "Sara" {
		t.Fatalf("the other server's list: %+v, %v", sums, err)
	}
	first, err := anna.Commit(id, store.Set("step/1/note", "van anna"))
	e.must(err)
	second, err := cor.Commit(id, store.Set("step/1/note", "van cor"))
	e.must(err)
	if len(first) != 1 || len(second) != 1 {
		t.Fatalf("ops made: %+v, %+v", first, second)
	}
	if p := second[0].Prev; len(p) != 1 || p[0] != first[0].ID {
		t.Errorf("cor's note replaces %v, want anna's %s made on the other server", p, first[0].ID)
	}
	if second[0].HLC <= first[0].HLC {
		t.Errorf("cor's note is stamped %d, not past anna's %d", second[0].HLC, first[0].HLC)
	}
	if second[0].Device != first[0].Device {
		t.Errorf("the servers stamp their ops with two devices: %s and %s", first[0].Device, second[0].Device)
	}
	c, err := anna.Client(id)
	e.must(err)
	if got := c.Steps[0].Note; got.Value != "van cor" || got.Conflict() {
		t.Errorf("the other server reads the note as %+v, want cor's without a conflict", got)
	}
}
