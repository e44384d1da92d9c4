package tui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/clients"
	"github.com/brug-nl/brug/tui/coord"
	"github.com/brug-nl/brug/tui/dossier"
	"github.com/brug-nl/brug/tui/kit"
)

// The coordinator tests run the real root model on a real store whose
// author is the coordinator, "anke". The coaches' work arrives as ops made
// on their laptops (ApplyRemote), at fixed times before the app's clock
// (clToday, 15 Sep 2025).

// coT0 is the store's own clock: when the coordinator's replica made the
// clients.
var coT0 = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

// coClocks holds each coordinator store's clock: coT0 while coFixture
// creates the clients, the app's day (clToday) from the end of coFixture
// on, so the coordinator's own ops come after the coaches' (a replica's
// clock does not adopt stamps more than a day ahead of its wall clock).
var coClocks sync.Map // *store.Store -> *atomic.Int64 (Unix nanoseconds)

// coStore opens the coordinator's store; on cleanup its kept state must
// equal the state rebuilt from the log.
func coStore(t testing.TB) *store.Store {
	t.Helper()
	clock := &atomic.Int64{}
	clock.Store(coT0.UnixNano())
	st, err := store.Open(filepath.Join(t.TempDir(), "brug.db"),
		store.Options{NoSync: true, Author: "anke", Now: func() time.Time { return time.Unix(0, clock.Load()).UTC() }})
	if err != nil {
		t.Fatal(err)
	}
	coClocks.Store(st, clock)
	t.Cleanup(func() {
		if err := st.Check(); err != nil {
			t.Errorf("kept state differs from rebuilt state: %v", err)
		}
		_ = st.Close()
		coClocks.Delete(st)
	})
	return st
}

// coRemote applies an op made on who's laptop at the given time, replacing
// the field's heads as the laptop knew them.
func coRemote(t testing.TB, st *store.Store, id, field, value, who string, at time.Time) store.Op {
	t.Helper()
	hs, err := st.Heads(id, field)
	if err != nil {
		t.Fatal(err)
	}
	var prev []string
	for _, h := range hs {
		prev = append(prev, h.ID)
	}
	op := store.Op{ID: store.NewID(), Dossier: id, Field: field, Value: value, HLC: store.MakeHLC(at, 0),
		Device: "laptop-" + who, Author: who, Prev: prev}
	if _, err := st.ApplyRemote([]store.Op{op}); err != nil {
		t.Fatal(err)
	}
	return op
}

func coDay(month time.Month, day int) time.Time {
	return time.Date(2025, month, day, 10, 0, 0, 0, time.UTC)
}

// coFixture fills st with five clients in three teams and returns their
// ids by first name. Waiting for review: Bram's step 3 (since 20 Aug) and
// Anna's step 1 (since 1 Sep) in Noord and Zuid, Eva's step 1 in Oost;
// Dirk's step 1 too, but Dirk is removed.
func coFixture(t testing.TB, st *store.Store) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, c := range []struct{ name, team string }{
		{"Anna de Vries", "Noord"}, {"Bram Jansen", "Zuid"}, {"Cor van Dijk", "Noord"}, {"Dirk Smit", "Noord"}, {"Eva Bos", "Oost"},
	} {
		id, err := st.CreateClient(store.NewClient{Name: c.name, Team: c.team, Places: []store.Place{store.PlaceDagbesteding}})
		if err != nil {
			t.Fatal(err)
		}
		ids[strings.Fields(c.name)[0]] = id
	}
	if _, err := st.AddEntity(ids["Anna"], store.EntityAgreement, map[string]string{"what": "UWV bellen", "due": "2025-09-01"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddEntity(ids["Cor"], store.EntityAgreement, map[string]string{"what": "Intake plannen", "due": "2025-10-01"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Commit(ids["Dirk"], store.Set("exists", "0")); err != nil {
		t.Fatal(err)
	}

	anna := ids["Anna"]
	coRemote(t, st, anna, "step/1/check/c1", "1", "piet", coDay(8, 25))
	coRemote(t, st, anna, "step/1/check/c2", "1", "piet", coDay(8, 26))
	coRemote(t, st, anna, "step/1/answer/q1", "Iets met dieren, het liefst buiten.", "piet", coDay(8, 26))
	coRemote(t, st, anna, "step/1/note", "Anna wil eerst meelopen op de kinderboerderij.", "piet", coDay(8, 27))
	coRemote(t, st, anna, "step/1/status", "done", "piet", coDay(9, 1))
	coRemote(t, st, anna, "step/2/status", "active", "piet", coDay(9, 1).Add(time.Minute))

	bram := ids["Bram"]
	coRemote(t, st, bram, "step/1/status", "done", "kees", coDay(7, 1))
	coRemote(t, st, bram, "step/1/status", "signed-off", "marleen", coDay(7, 3))
	coRemote(t, st, bram, "step/2/status", "done", "kees", coDay(7, 20))
	coRemote(t, st, bram, "step/2/status", "signed-off", "marleen", coDay(7, 22))
	coRemote(t, st, bram, "step/3/check/c1", "1", "kees", coDay(8, 10))
	// Two laptops answered q1 of step 3 offline: a conflict.
	a := store.Op{ID: store.NewID(), Dossier: bram, Field: "step/3/answer/q1", Value: "Beschut werk in de groenvoorziening.", HLC: store.MakeHLC(coDay(8, 12), 0), Device: "laptop-kees", Author: "kees"}
	b := store.Op{ID: store.NewID(), Dossier: bram, Field: "step/3/answer/q1", Value: "Een werkervaringsplaats bij de gemeente.", HLC: store.MakeHLC(coDay(8, 13), 0), Device: "laptop-joke", Author: "joke"}
	if _, err := st.ApplyRemote([]store.Op{a, b}); err != nil {
		t.Fatal(err)
	}
	coRemote(t, st, bram, "step/3/status", "done", "kees", coDay(8, 20))
	coRemote(t, st, bram, "step/4/status", "active", "kees", coDay(8, 20).Add(time.Minute))

	coRemote(t, st, ids["Eva"], "step/1/status", "done", "sara", coDay(9, 10))
	coRemote(t, st, ids["Dirk"], "step/1/status", "done", "piet", coDay(9, 5))
	if clock, ok := coClocks.Load(st); ok {
		clock.(*atomic.Int64).Store(clToday.UnixNano())
	}
	return ids
}

// coOpen is the app on the fixture, as role with teams, at width x height.
func coOpen(t testing.TB, st kit.Store, role string, teams []string, width, height int) *dxEnv {
	t.Helper()
	return coOpenLang(t, st, "nl", role, teams, width, height)
}

func coOpenLang(t testing.TB, st kit.Store, lang, role string, teams []string, width, height int) *dxEnv {
	t.Helper()
	m := New(Options{Store: st, Method: method.Default(), Lang: lang, User: "anke", Renderer: clRenderer(),
		Now: func() time.Time { return clToday }, Role: role, Teams: teams})
	e := &dxEnv{t: t, m: m}
	e.send(tea.WindowSizeMsg{Width: width, Height: height})
	clDrive(t, m, m.Init())
	return e
}

// queueRows is what the queue in front lists: "name/step".
func queueRows(t testing.TB, e *dxEnv) []string {
	t.Helper()
	q, ok := e.top().(*coord.ReviewQueue)
	if !ok {
		t.Fatalf("%T is in front, want the review queue", e.top())
	}
	var out []string
	for _, i := range q.Shown {
		out = append(out, fmt.Sprintf("%s/%d", q.Rows[i].Name, q.Rows[i].Step))
	}
	return out
}

func TestReviewQueueLists(t *testing.T) {
	st := coStore(t)
	coFixture(t, st)
	e := coOpen(t, st, kit.RoleCoordinator, []string{"Noord", "Zuid"}, 80, 24)
	e.keys("B")
	// Oldest first; Eva is in another team, Dirk is removed.
	if got, want := queueRows(t, e), []string{"Bram Jansen/3", "Anna de Vries/1"}; !slices.Equal(got, want) {
		t.Fatalf("queue = %v, want %v", got, want)
	}
	v := e.view()
	for _, want := range []string{"Bram Jansen", "3 · Samen een doel", "26 d", "Anna de Vries", "14 d", "2 stappen wachten"} {
		if !strings.Contains(v, want) {
			t.Errorf("queue view lacks %q:\n%s", want, v)
		}
	}
	// Without teams (no server) every team's steps are there; t filters.
	e = coOpen(t, st, kit.RoleCoordinator, nil, 80, 24)
	e.keys("B")
	if got := queueRows(t, e); len(got) != 3 || got[2] != "Eva Bos/1" {
		t.Fatalf("queue without teams = %v, want Eva's step last", got)
	}
	e.keys("t") // Noord
	if got, want := queueRows(t, e), []string{"Anna de Vries/1"}; !slices.Equal(got, want) {
		t.Fatalf("queue of Noord = %v, want %v", got, want)
	}
	e.keys("t", "t", "t") // Oost, Zuid, all
	if got := queueRows(t, e); len(got) != 3 {
		t.Fatalf("after cycling the teams the queue shows %v, want all three", got)
	}
}

func TestReviewSignOff(t *testing.T) {
	st := coStore(t)
	ids := coFixture(t, st)
	e := coOpen(t, st, kit.RoleCoordinator, []string{"Noord", "Zuid"}, 80, 24)
	e.keys("B", "enter")
	r, ok := e.top().(*dossier.ReviewScreen)
	if !ok || r.Dossier != ids["Bram"] || r.N != 3 {
		t.Fatalf("enter opened %T, want the review of Bram's step 3", e.top())
	}
	v := e.view()
	for _, want := range []string{"Stap 3 van 6", "klaar gemeld door kees, 20 aug", "[x] ", "— kees, 10 aug", "Checklist"} {
		if !strings.Contains(v, want) {
			t.Errorf("review lacks %q:\n%s", want, v)
		}
	}
	outBefore, _ := st.OutboxLen()
	e.keys("A")
	if !strings.Contains(e.view(), "Stap 3 van Bram Jansen aftekenen?") {
		t.Fatalf("a does not ask first:\n%s", e.view())
	}
	e.keys("n") // no: nothing happens
	if got := statusOf(t, st, ids["Bram"], 3); got != store.StepDone {
		t.Fatalf("status after no = %s", got)
	}
	e.keys("A", "j")
	hist, err := st.History(ids["Bram"], "step/3/status")
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if last.Value != "signed-off" || last.Author != "anke" || last.Device != st.Device() || len(last.Prev) != 1 || last.Prev[0] != hist[len(hist)-2].ID {
		t.Fatalf("sign-off op = %+v, want signed-off by anke replacing the done op", last)
	}
	if got, want := queueRows(t, e), []string{"Anna de Vries/1"}; !slices.Equal(got, want) {
		t.Fatalf("queue after sign-off = %v, want %v", got, want)
	}
	if !strings.Contains(e.status(), "Stap 3 van Bram Jansen is afgetekend") {
		t.Errorf("status line = %q", e.status())
	}
	// The op waits in the outbox for the next sync to the coaches.
	if out, _ := st.OutboxLen(); out != outBefore+1 {
		t.Errorf("outbox %d -> %d, want one op more", outBefore, out)
	}
}

func statusOf(t testing.TB, st *store.Store, id string, n int) store.StepStatus {
	t.Helper()
	c, err := st.Client(id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Steps[n-1].StatusOrOpen()
}

func TestReviewSignOffRefusedWhenStatusChanged(t *testing.T) {
	st := coStore(t)
	ids := coFixture(t, st)
	e := coOpen(t, st, kit.RoleCoordinator, []string{"Noord", "Zuid"}, 80, 24)
	e.keys("B", "enter", "A")
	// While the coordinator is asked, the coach's reopening arrives.
	coRemote(t, st, ids["Bram"], "step/3/status", "active", "kees", coDay(9, 14))
	e.keys("j")
	if got := statusOf(t, st, ids["Bram"], 3); got != store.StepActive {
		t.Fatalf("status = %s, want the coach's active: the sign-off was of what the coordinator no longer sees", got)
	}
	if !strings.Contains(e.status(), "intussen veranderd") {
		t.Errorf("status line = %q, want why nothing was signed off", e.status())
	}
	if _, ok := e.top().(*dossier.ReviewScreen); !ok {
		t.Fatalf("%T in front, want the review still", e.top())
	}
	// The review shows the new state and refuses a sign-off of it.
	if v := e.view(); !strings.Contains(v, "wacht niet op beoordeling") {
		t.Errorf("review does not say the step no longer waits:\n%s", v)
	}
	e.keys("A")
	if !strings.Contains(e.status(), "Alleen een stap die klaar is gemeld") {
		t.Errorf("status line = %q", e.status())
	}
}

func TestReviewSendBack(t *testing.T) {
	st := coStore(t)
	ids := coFixture(t, st)
	e := coOpen(t, st, kit.RoleCoordinator, []string{"Noord", "Zuid"}, 80, 24)
	e.keys("B", "down", "enter", "T")
	if _, ok := e.top().(*dossier.SendBackScreen); !ok {
		t.Fatalf("t opened %T, want the comment editor", e.top())
	}
	e.keys("ctrl+s") // an empty comment is not sent
	if _, ok := e.top().(*dossier.SendBackScreen); !ok || !strings.Contains(e.status(), "Schrijf een opmerking") {
		t.Fatalf("empty send back: %T in front, status %q", e.top(), e.status())
	}
	e.typeText("Toestemming om te delen ontbreekt nog (c8).")
	e.keys("ctrl+s")
	c, err := st.Client(ids["Anna"])
	if err != nil {
		t.Fatal(err)
	}
	s1 := c.Steps[0]
	if s1.StatusOrOpen() != store.StepActive || s1.Status.By != "anke" {
		t.Fatalf("status = %+v, want active by anke", s1.Status)
	}
	if s1.Comment.Value != "Toestemming om te delen ontbreekt nog (c8)." || s1.Comment.By != "anke" {
		t.Fatalf("comment = %+v", s1.Comment)
	}
	// One commit: both ops right after each other on the clock.
	status, _ := st.History(ids["Anna"], "step/1/status")
	comment, _ := st.History(ids["Anna"], "step/1/comment")
	if len(comment) != 1 || comment[0].HLC != status[len(status)-1].HLC+1 {
		t.Errorf("status and comment ops not made together: %+v, %+v", status[len(status)-1], comment)
	}
	if got := queueRows(t, e); !slices.Equal(got, []string{"Bram Jansen/3"}) {
		t.Fatalf("queue after send back = %v", got)
	}
	if !strings.Contains(e.status(), "teruggestuurd") {
		t.Errorf("status line = %q", e.status())
	}
}

// TestReviewSendBackConcurrentComment: a comment written elsewhere while
// the coordinator types becomes a conflict with theirs; neither is lost.
func TestReviewSendBackConcurrentComment(t *testing.T) {
	st := coStore(t)
	ids := coFixture(t, st)
	bram := ids["Bram"]
	first := coRemote(t, st, bram, "step/3/comment", "Graag de loonwaarde erbij.", "marleen", coDay(8, 21))
	e := coOpen(t, st, kit.RoleCoordinator, []string{"Noord", "Zuid"}, 120, 30)
	e.keys("B", "enter")
	if v := e.view(); !strings.Contains(v, "Vorige opmerking van de coördinator (marleen, 21 aug): Graag de loonwaarde erbij.") {
		t.Fatalf("previous comment not shown:\n%s", v)
	}
	e.keys("T")
	e.typeText("Het doel is nog niet met de werkgever besproken.")
	other := coRemote(t, st, bram, "step/3/comment", "Loonwaarde is binnen, dank.", "marleen", coDay(9, 14))
	if len(other.Prev) != 1 || other.Prev[0] != first.ID {
		t.Fatalf("the other comment does not replace the first: %+v", other)
	}
	e.keys("ctrl+s")
	c, err := st.Client(bram)
	if err != nil {
		t.Fatal(err)
	}
	cm := c.Steps[2].Comment
	if !cm.Conflict() || len(cm.Heads) != 2 {
		t.Fatalf("comment = %+v, want a conflict of two texts", cm)
	}
	texts := []string{cm.Heads[0].Value, cm.Heads[1].Value}
	slices.Sort(texts)
	if want := []string{"Het doel is nog niet met de werkgever besproken.", "Loonwaarde is binnen, dank."}; !slices.Equal(texts, want) {
		t.Fatalf("conflict texts = %v, want %v", texts, want)
	}
	if !slices.Contains(c.Conflicts, "step/3/comment") {
		t.Errorf("conflicts = %v, want the comment", c.Conflicts)
	}
}

// coRefusing is a server session's store: it knows refusals per dossier.
type coRefusing struct {
	*store.Store
	n map[string]int
}

func (r coRefusing) RefusedPerDossier() (map[string]int, error) { return r.n, nil }

// teamRows is what the overview in front lists, by first name.
func teamRows(t testing.TB, e *dxEnv) []string {
	t.Helper()
	o, ok := e.top().(*coord.TeamOverview)
	if !ok {
		t.Fatalf("%T is in front, want the team overview", e.top())
	}
	var out []string
	for _, i := range o.Shown {
		out = append(out, strings.Fields(o.Rows[i].Name)[0])
	}
	return out
}

func TestTeamOverview(t *testing.T) {
	st := coStore(t)
	ids := coFixture(t, st)
	e := coOpen(t, coRefusing{st, map[string]int{ids["Anna"]: 2}}, kit.RoleCoordinator, nil, 80, 24)
	e.keys("O")
	// Longest idle first: Cor has had no change since June.
	if got, want := teamRows(t, e), []string{"Cor", "Bram", "Anna", "Eva"}; !slices.Equal(got, want) {
		t.Fatalf("overview = %v, want %v", got, want)
	}
	o := e.top().(*coord.TeamOverview)
	for _, r := range o.Rows {
		want := map[string]struct{ idle, overdue, conflicts, refused int }{
			"Cor": {105, 0, 0, 0}, "Bram": {25, 0, 1, 0}, "Anna": {13, 1, 0, 2}, "Eva": {5, 0, 0, 0},
		}[strings.Fields(r.Name)[0]]
		if r.Idle != want.idle || r.Overdue != want.overdue || r.Conflicts != want.conflicts || r.Refused != want.refused {
			t.Errorf("%s: idle %d, overdue %d, conflicts %d, refused %d; want %+v", r.Name, r.Idle, r.Overdue, r.Conflicts, r.Refused, want)
		}
	}
	v := e.view()
	for _, want := range []string{"Cor van Dijk", "105 d", "4/6 0%", "1/6 0%", "4 cliënten · 1 met te late afspraken · 1 met conflicten", "dagen stil"} {
		if !strings.Contains(v, want) {
			t.Errorf("overview lacks %q:\n%s", want, v)
		}
	}
	e.keys("s") // most overdue first
	if got := teamRows(t, e); got[0] != "Anna" {
		t.Fatalf("by overdue = %v, want Anna first", got)
	}
	e.keys("s") // by name
	if got, want := teamRows(t, e), []string{"Anna", "Bram", "Cor", "Eva"}; !slices.Equal(got, want) {
		t.Fatalf("by name = %v, want %v", got, want)
	}
	e.keys("t") // Noord
	if got, want := teamRows(t, e), []string{"Anna", "Cor"}; !slices.Equal(got, want) {
		t.Fatalf("team Noord = %v, want %v", got, want)
	}
	if !strings.Contains(e.view(), "Team: Noord") {
		t.Errorf("filter line does not name the team:\n%s", e.view())
	}
	e.keys("down", "enter")
	if ov, ok := e.top().(*dossier.Overview); !ok || ov.ID != ids["Cor"] {
		t.Fatalf("enter opened %T, want Cor's overview", e.top())
	}
}

// TestTeamOverviewOnLaptop: without a server nothing counts refusals, and
// the overview says so with a dash instead of a zero; with teams known only
// those teams are there.
func TestTeamOverviewOnLaptop(t *testing.T) {
	st := coStore(t)
	coFixture(t, st)
	e := coOpen(t, st, kit.RoleCoordinator, []string{"Zuid"}, 80, 24)
	e.keys("O")
	if got := teamRows(t, e); !slices.Equal(got, []string{"Bram"}) {
		t.Fatalf("overview of Zuid = %v", got)
	}
	o := e.top().(*coord.TeamOverview)
	if o.Rows[0].Refused != -1 {
		t.Fatalf("refused = %d, want unknown", o.Rows[0].Refused)
	}
	line := strings.Split(e.view(), "\n")[3] // header, filter, titles, the row
	if !strings.HasSuffix(strings.TrimRight(line, " "), "—") {
		t.Errorf("row %q does not end in a dash for the refusals", line)
	}
}

// TestCoordinatorKeysOnlyForCoordinators: a coach gets neither screen nor
// their keys in the help; a coordinator gets both.
func TestCoordinatorKeysOnlyForCoordinators(t *testing.T) {
	st := coStore(t)
	coFixture(t, st)
	for _, role := range []string{"coach", "wijkteam", ""} {
		e := coOpen(t, st, role, nil, 120, 30)
		e.keys("O", "B")
		if _, ok := e.top().(*clients.ClientList); !ok {
			t.Errorf("role %q: O and B opened %T", role, e.top())
		}
		for _, b := range e.top().Help() {
			if b.Help().Key == "O" || b.Help().Key == "B" {
				t.Errorf("role %q: help offers %s", role, b.Help().Key)
			}
		}
	}
	e := coOpen(t, st, kit.RoleCoordinator, nil, 120, 30)
	var keys []string
	for _, b := range e.top().Help() {
		keys = append(keys, b.Help().Key)
	}
	if !slices.Contains(keys, "O") || !slices.Contains(keys, "B") {
		t.Errorf("coordinator's list help = %v, want O and B", keys)
	}
	e.keys("O")
	if _, ok := e.top().(*coord.TeamOverview); !ok {
		t.Fatalf("O opened %T", e.top())
	}
	e.keys("esc", "B")
	if _, ok := e.top().(*coord.ReviewQueue); !ok {
		t.Fatalf("B opened %T", e.top())
	}
}

// TestStepShowsReviewOutcome: what a coordinator did reaches the coach's
// step screen: a step sent back is marked and shows the comment as the
// reason; a signed-off step shows its status and the comment, and cannot
// be changed.
func TestStepShowsReviewOutcome(t *testing.T) {
	e := dxOpen(t, "nl", 100, 30)
	at, later := dxNow.Add(-48*time.Hour), dxNow.Add(-24*time.Hour)
	// The coach marked steps 1 and 2 done; the coordinator sent 1 back and
	// signed 2 off; a sync brings it all.
	coRemote(t, e.st, e.id, "step/1/status", "done", "sanne", at)
	coRemote(t, e.st, e.id, "step/2/status", "done", "sanne", at.Add(time.Minute))
	coRemote(t, e.st, e.id, "step/1/status", "active", "anke", later)
	coRemote(t, e.st, e.id, "step/1/comment", "Toestemming ontbreekt nog.", "anke", later.Add(time.Second))
	coRemote(t, e.st, e.id, "step/2/status", "signed-off", "anke", later.Add(time.Minute))
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	v := e.view()
	for _, want := range []string{"Status: bezig · teruggestuurd", "Teruggestuurd door de coördinator (anke, 13 nov): Toestemming ontbreekt nog."} {
		if !strings.Contains(v, want) {
			t.Errorf("sent-back step lacks %q:\n%s", want, v)
		}
	}
	// The coach works on it and marks it done again: now it waits, and the
	// comment is no longer the reason it is open (j: done with the
	// checklist still open).
	e.keys("S", "j")
	v = e.view()
	if !strings.Contains(v, "Status: klaar · wacht op beoordeling") || !strings.Contains(v, "Opmerking van de coördinator (anke, 13 nov)") {
		t.Errorf("step done again:\n%s", v)
	}
	e.keys("right")
	v = e.view()
	if !strings.Contains(v, "Status: afgetekend") || strings.Contains(v, "teruggestuurd") {
		t.Errorf("signed-off step:\n%s", v)
	}
	e.keys("S")
	if got := e.client().Steps[1].StatusOrOpen(); got != store.StepSignedOff {
		t.Fatalf("the coach changed a signed-off step to %s", got)
	}
}

// TestReviewFromStepScreen: a coordinator on a step screen opens its
// review with B (to reopen a signed-off step, say); a coach cannot.
func TestReviewFromStepScreen(t *testing.T) {
	st := coStore(t)
	ids := coFixture(t, st)
	for _, role := range []string{"coach", kit.RoleCoordinator} {
		e := coOpen(t, st, role, nil, 80, 24)
		e.push(dossier.NewStepScreen(e.m.Context(), ids["Bram"], 1))
		e.keys("B")
		_, review := e.top().(*dossier.ReviewScreen)
		if review != (role == kit.RoleCoordinator) {
			t.Errorf("role %s: B on the step screen opened %T", role, e.top())
		}
	}
	// The coordinator reopens Bram's signed-off step 1.
	e := coOpen(t, st, kit.RoleCoordinator, nil, 80, 24)
	e.push(dossier.NewStepScreen(e.m.Context(), ids["Bram"], 1))
	e.keys("B", "T")
	e.typeText("Graag de toestemming opnieuw vastleggen.")
	e.keys("ctrl+s")
	if _, ok := e.top().(*dossier.StepScreen); !ok {
		t.Fatalf("after the send back %T is in front, want the step screen", e.top())
	}
	if got := statusOf(t, st, ids["Bram"], 1); got != store.StepActive {
		t.Fatalf("status = %s, want active", got)
	}
	if v := e.view(); !strings.Contains(v, "teruggestuurd") {
		t.Errorf("step screen does not show the send back:\n%s", v)
	}
}

// TestCoordEnglish: the screens speak English with --lang en and fit the
// smallest window in it too (view checks every line's width).
func TestCoordEnglish(t *testing.T) {
	st := coStore(t)
	ids := coFixture(t, st)
	e := coOpenLang(t, st, "en", kit.RoleCoordinator, nil, 80, 24)
	e.keys("O")
	if v := e.view(); !strings.Contains(v, "Idle  Overdue  Conflicts") || !strings.Contains(v, "4 clients · 1 with overdue agreements") {
		t.Errorf("team overview in English:\n%s", v)
	}
	e.keys("esc", "B")
	if v := e.view(); !strings.Contains(v, "3 steps wait for review") || !strings.Contains(v, "3 · Choosing a goal") {
		t.Errorf("queue in English:\n%s", v)
	}
	e.keys("enter", "A")
	if v := e.view(); !strings.Contains(v, "marked done by kees, 20 Aug") || !strings.Contains(v, "Sign off step 3 for Bram Jansen? y = yes") {
		t.Errorf("review in English:\n%s", v)
	}
	e.keys("y") // English answers y, not j
	if got := statusOf(t, st, ids["Bram"], 3); got != store.StepSignedOff {
		t.Fatalf("status after y = %s, want signed off", got)
	}
}

// TestGoldenCoord pins the look of the team overview, the review queue and
// a review at 80x24 and 200x50, without colour. Run with -update to
// rewrite testdata/TestGoldenCoord and review the diff like code.
func TestGoldenCoord(t *testing.T) {
	for _, size := range []struct{ w, h int }{{60, 20}, {80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			start := func(t *testing.T) *teatest.TestModel {
				st := coStore(t)
				ids := coFixture(t, st)
				m := New(Options{Store: coRefusing{st, map[string]int{ids["Anna"]: 2}}, Method: method.Default(), Lang: "nl",
					User: "anke", Renderer: clRenderer(), Now: func() time.Time { return clToday }, Role: kit.RoleCoordinator})
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
				clWaitFor(t, tm, "Anna de Vries", "Eva Bos")
				return tm
			}
			t.Run("overview", func(t *testing.T) {
				tm := start(t)
				tm.Type("O")
				clWaitFor(t, tm, "Stil")
				golden.RequireEqual(t, clFinalView(t, tm, size.w, size.h))
			})
			t.Run("queue", func(t *testing.T) {
				tm := start(t)
				tm.Type("B")
				clWaitFor(t, tm, "wachten op beoordeling")
				golden.RequireEqual(t, clFinalView(t, tm, size.w, size.h))
			})
			t.Run("review", func(t *testing.T) {
				tm := start(t)
				tm.Type("B")
				clWaitFor(t, tm, "wachten op beoordeling")
				tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
				clWaitFor(t, tm, "klaar gemeld door")
				tm.Type("A")
				clWaitFor(t, tm, "aftekenen?")
				golden.RequireEqual(t, clFinalView(t, tm, size.w, size.h))
			})
		})
	}
}
