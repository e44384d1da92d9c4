package tui

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/dossier"
	"github.com/brug-nl/brug/tui/kit"
)

// The dossier-screen tests (step, editor, conflicts, entity lists) drive
// the real root model over a real store on a temporary file. Commands are
// run by calling them and feeding their messages back, in order; nothing
// sleeps and nothing reads the wall clock.

// dxNow is the fixed clock of these tests, for the store and the app.
var dxNow = time.Date(2025, 11, 14, 10, 0, 0, 0, time.UTC)

// dxMethodYAML is a small method of our own, so that the tests do not
// change when the default method's wording does.
const dxMethodYAML = `
id: test-method
version: 1
name: {nl: "Testmethode", en: "Test method"}
steps:
  - n: 1
    title: {nl: "Kennismaken en verkennen", en: "Getting to know the person"}
    goal: {nl: "Leer de deelnemer kennen en ontdek samen of een stap richting werk gewenst is.", en: "Get to know the person and find out together whether a step towards work is wanted."}
    checklist:
      - {id: c1, nl: "Kennismakingsgesprek gevoerd", en: "Introductory conversation held"}
      - {id: c2, nl: "Wensen en talenten opgehaald in de eigen woorden van de deelnemer", en: "Wishes and talents gathered in the person's own words"}
      - {id: c3, nl: "Toestemming om informatie te delen met de betrokken organisaties vastgelegd", en: "Consent to share information with the organisations involved recorded"}
    questions:
      - {id: q1, nl: "Wat zou je graag willen doen als je aan werk denkt?", en: "What would you like to do when you think of work?"}
      - {id: q2, nl: "Wie helpt je nu en wat heb je van hen nodig?", en: "Who helps you now and what do you need from them?"}
    tips:
      - {nl: "Begin bij de persoon en niet bij een vacature.", en: "Start from the person and not from a vacancy."}
  - n: 2
    title: {nl: "Partners aan tafel", en: "Partners at the table"}
    goal: {nl: "Breng in beeld wie er vanuit elk domein betrokken is.", en: "Map who is involved from each domain."}
    checklist:
      - {id: c1, nl: "Zorgaanbieder in beeld", en: "Care provider known"}
    questions:
      - {id: q1, nl: "Wie beslist er over de route?", en: "Who decides on the route?"}
  - n: 3
    title: {nl: "Samen een doel kiezen", en: "Choosing a goal together"}
    goal: {nl: "Kies de plek die nu het best past.", en: "Choose the place that fits best now."}
    checklist:
      - {id: c1, nl: "Doel gekozen", en: "Goal chosen"}
    questions:
      - {id: q1, nl: "Wat is de weg terug als het even niet lukt?", en: "What is the way back if it does not work out for a while?"}
`

func dxMethod(t testing.TB) *method.Method {
	t.Helper()
	m, err := method.Parse("test-method.yaml", []byte(dxMethodYAML))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// dxEnv is an app on a store with one client.
type dxEnv struct {
	t  testing.TB
	st *store.Store
	m  *Model
	id string // the client
}

// dxOpen opens a store on a temporary file with one client, and the app on
// it at width x height in lang.
func dxOpen(t testing.TB, lang string, width, height int) *dxEnv {
	t.Helper()
	meth := dxMethod(t)
	st, err := store.Open(filepath.Join(t.TempDir(), "brug.db"),
		store.Options{NoSync: true, Author: "test", Method: meth, Now: func() time.Time { return dxNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	id, err := st.CreateClient(store.NewClient{Name: "Anna de Vries", Team: "Noord",
		Places: []store.Place{store.PlaceDagbesteding}, RouteTarget: store.PlaceWerkervaring})
	if err != nil {
		t.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	m := New(Options{Store: st, Method: meth, Lang: lang, User: "Sanne", Renderer: r,
		Now: func() time.Time { return dxNow }})
	e := &dxEnv{t: t, st: st, m: m, id: id}
	e.send(tea.WindowSizeMsg{Width: width, Height: height})
	return e
}

// send gives msg to the root and runs what follows until nothing is left.
func (e *dxEnv) send(msg tea.Msg) {
	e.t.Helper()
	queue := []tea.Msg{msg}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 {
			e.t.Fatal("commands do not settle")
		}
		msg := queue[0]
		queue = queue[1:]
		if _, ok := msg.(tea.QuitMsg); ok {
			continue
		}
		_, cmd := e.m.Update(msg)
		queue = append(queue, clFlatten(cmd)...)
	}
}

// push opens s on top, as a screen would.
func (e *dxEnv) push(s kit.Screen) { e.t.Helper(); e.send(kit.PushMsg{Screen: s}) }

// keys presses named keys ("enter", "ctrl+s", " ", or text).
func (e *dxEnv) keys(names ...string) {
	e.t.Helper()
	for _, n := range names {
		e.send(dxKey(n))
	}
}

// typeText types text rune by rune; a newline is enter.
func (e *dxEnv) typeText(text string) {
	e.t.Helper()
	for _, r := range text {
		if r == '\n' {
			e.send(tea.KeyMsg{Type: tea.KeyEnter})
			continue
		}
		e.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// dxKey is the key message for a key name as Bubble Tea spells it.
func dxKey(name string) tea.KeyMsg {
	switch name {
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)}
}

// client reads the dossier from the store.
func (e *dxEnv) client() *store.Client {
	e.t.Helper()
	c, err := e.st.Client(e.id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// view is the whole app's view; it checks that no line is wider than the
// window.
func (e *dxEnv) view() string {
	e.t.Helper()
	v := e.m.View()
	for i, l := range strings.Split(v, "\n") {
		if w := lipgloss.Width(l); w > e.m.Context().Width {
			e.t.Errorf("line %d is %d cells wide, more than %d: %q", i+1, w, e.m.Context().Width, l)
		}
	}
	return v
}

// status is the status line shown.
func (e *dxEnv) status() string { return e.m.status }

// conflict makes field of the client a conflict: two devices write a and
// b, each replacing the heads they saw (the same ones), as two coaches
// working offline would.
func (e *dxEnv) conflict(field, a, b string) {
	e.t.Helper()
	hs, err := e.st.Heads(e.id, field)
	if err != nil {
		e.t.Fatal(err)
	}
	var prev []string
	for _, h := range hs {
		prev = append(prev, h.ID)
	}
	ops := []store.Op{
		{ID: store.NewID(), Dossier: e.id, Field: field, Value: a, HLC: store.MakeHLC(dxNow.Add(time.Hour), 0), Device: "device-piet", Author: "Piet", Prev: prev},
		{ID: store.NewID(), Dossier: e.id, Field: field, Value: b, HLC: store.MakeHLC(dxNow.Add(2*time.Hour), 0), Device: "device-kees", Author: "Kees", Prev: prev},
	}
	if _, err := e.st.ApplyRemote(ops); err != nil {
		e.t.Fatal(err)
	}
}

// top is the screen in front.
func (e *dxEnv) top() kit.Screen { return e.m.Top() }

func TestStepToggleRecordsWhoAndWhen(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	if v := e.view(); !strings.Contains(v, "[ ] Kennismakingsgesprek gevoerd") {
		t.Fatalf("unticked item not shown:\n%s", v)
	}
	e.keys(" ")
	v := e.client().Steps[0].Checks["c1"]
	if v.Value != "1" || v.By != "test" || !v.At.Equal(dxNow) {
		t.Fatalf("check c1 = %+v, want ticked by test at %v", v, dxNow)
	}
	view := e.view()
	if !strings.Contains(view, "[x] Kennismakingsgesprek gevoerd") || !strings.Contains(view, "— test, 14 nov") {
		t.Fatalf("ticked item without who and when:\n%s", view)
	}
	if !strings.Contains(view, "1 van 3 afgevinkt") {
		t.Errorf("count not updated:\n%s", view)
	}
	e.keys("enter") // enter on a checklist item toggles too
	if e.client().Steps[0].Checked("c1") {
		t.Fatal("second toggle did not untick")
	}
	if v := e.view(); !strings.Contains(v, "[ ] Kennismakingsgesprek gevoerd") {
		t.Fatalf("untick not shown:\n%s", v)
	}
}

func TestStepOptimisticToggleReconciles(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	ctx := e.m.Context()
	s := dossier.NewStepScreen(ctx, e.id, 1).(*dossier.StepScreen)
	s.SetSize(80, 21)
	for _, msg := range clFlatten(s.Init()) {
		s.Update(msg)
	}
	// The key flips the box at once, before the store has answered.
	_, cmd := s.Update(dxKey(" "))
	if !s.State().Checked("c1") {
		t.Fatal("toggle is not shown before the store answers")
	}
	// Meanwhile the item was ticked in the store by someone else, so the
	// store's toggle unticks it; the reload after the write shows that.
	if _, err := e.st.ToggleCheck(e.id, 1, "c1"); err != nil {
		t.Fatal(err)
	}
	for _, msg := range clFlatten(cmd) {
		_, next := s.Update(msg)
		for _, m := range clFlatten(next) {
			if c, ok := m.(kit.ChangedMsg); ok {
				_, reload := s.Update(c)
				for _, r := range clFlatten(reload) {
					s.Update(r)
				}
			}
		}
	}
	if s.State().Checked("c1") {
		t.Fatal("screen still shows the optimistic tick after the reload")
	}
}

func TestStepDropsStaleLoads(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	s := dossier.NewStepScreen(e.m.Context(), e.id, 1).(*dossier.StepScreen)
	old := s.Init()
	fresh := s.Init()
	if _, err := e.st.ToggleCheck(e.id, 1, "c2"); err != nil {
		t.Fatal(err)
	}
	for _, msg := range clFlatten(fresh) {
		s.Update(msg)
	}
	oldMsgs := clFlatten(old) // read now, but asked for earlier
	for _, msg := range oldMsgs {
		s.Update(msg)
	}
	if !s.State().Checked("c2") {
		t.Fatal("an older load replaced a newer one")
	}
	// A load meant for another screen is not taken either.
	other := dossier.NewStepScreen(e.m.Context(), e.id, 1).(*dossier.StepScreen)
	for _, msg := range clFlatten(other.Init()) {
		s.Update(msg)
	}
	if s.Loads.Applied != 2 {
		t.Fatalf("applied load %d, want 2", s.Loads.Applied)
	}
}

func TestStepAnswerThroughEditor(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	e.keys("down", "down", "down") // past the three checklist items to q1
	e.keys("enter")
	if _, ok := e.top().(*dossier.EditorScreen); !ok {
		t.Fatalf("enter on a question opened %T, want the editor", e.top())
	}
	if !e.top().Capturing() {
		t.Fatal("the editor does not capture keys")
	}
	e.typeText("Iets met dieren.\nLiefst buiten, q en ? zijn tekst.")
	e.keys("ctrl+s")
	if _, ok := e.top().(*dossier.StepScreen); !ok {
		t.Fatalf("after saving %T is in front, want the step screen", e.top())
	}
	got := e.client().Steps[0].Answers["q1"]
	if want := "Iets met dieren.\nLiefst buiten, q en ? zijn tekst."; got.Value != want {
		t.Fatalf("answer = %q, want %q", got.Value, want)
	}
	if e.status() != "Opgeslagen." {
		t.Errorf("status = %q, want the saved message", e.status())
	}
	if v := e.view(); !strings.Contains(v, "Iets met dieren.") {
		t.Fatalf("answer not shown under its question:\n%s", v)
	}
	// Opening it again and saving without a change makes no op.
	before, _ := e.st.History(e.id, "step/1/answer/q1")
	e.keys("enter", "ctrl+s")
	after, _ := e.st.History(e.id, "step/1/answer/q1")
	if len(after) != len(before) {
		t.Fatalf("an unchanged save made %d ops", len(after)-len(before))
	}
}

func TestStepNoteAndStatus(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	e.keys("N")
	ed, ok := e.top().(*dossier.EditorScreen)
	if !ok || ed.Field != "step/1/note" {
		t.Fatalf("N opened %T, want the editor on the note", e.top())
	}
	e.typeText("Volgende keer samen naar de kringloop.")
	e.keys("ctrl+s")
	if got := e.client().Steps[0].Note.Value; got != "Volgende keer samen naar de kringloop." {
		t.Fatalf("note = %q", got)
	}
	// CreateClient made step 1 active; S moves it on: done, open, active.
	// Done with the checklist still open asks first (j goes on).
	for _, want := range []store.StepStatus{store.StepDone, store.StepOpen, store.StepActive} {
		e.keys("S")
		if want == store.StepDone {
			e.keys("j")
		}
		if got := e.client().Steps[0].StatusOrOpen(); got != want {
			t.Fatalf("status = %s, want %s", got, want)
		}
	}
	if v := e.view(); !strings.Contains(v, "Status: bezig") {
		t.Errorf("status not shown:\n%s", v)
	}
	// A signed-off step is the coordinator's: S leaves it.
	if _, err := e.st.Commit(e.id, store.Set("step/1/status", string(store.StepSignedOff)), store.Set("step/1/comment", "Mooi gedaan.")); err != nil {
		t.Fatal(err)
	}
	e.send(kit.ChangedMsg{Dossier: e.id})
	e.keys("S")
	if got := e.client().Steps[0].StatusOrOpen(); got != store.StepSignedOff {
		t.Fatalf("S changed a signed-off step to %s", got)
	}
	if !strings.Contains(e.status(), "afgetekend") || !strings.Contains(e.status(), "coördinator") {
		t.Errorf("status line = %q, want why nothing happened", e.status())
	}
	e.m.Context().Role = kit.RoleCoordinator // a coordinator is told how to reopen it
	e.keys("S")
	if !strings.Contains(e.status(), "Druk op B") {
		t.Errorf("status line for a coordinator = %q", e.status())
	}
	if v := e.view(); !strings.Contains(v, "Mooi gedaan.") {
		t.Errorf("coordinator's comment not shown:\n%s", v)
	}
}

func TestStepNavigation(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	e.keys("right")
	if !strings.Contains(e.view(), "Stap 2 van 3 · Partners aan tafel") {
		t.Fatalf("→ did not go to step 2:\n%s", e.view())
	}
	e.keys("]", "]") // past the last step stays there
	if s := e.top().(*dossier.StepScreen); s.N != 3 {
		t.Fatalf("step = %d, want 3", s.N)
	}
	e.keys("[", "left", "left")
	if s := e.top().(*dossier.StepScreen); s.N != 1 {
		t.Fatalf("step = %d, want 1", s.N)
	}
	e.keys("2")
	if s := e.top().(*dossier.StepScreen); s.N != 2 {
		t.Fatalf("2 went to step %d", s.N)
	}
}

func TestStepScrollsToCursor(t *testing.T) {
	e := dxOpen(t, "en", 60, 16)
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	e.keys("end")
	v := e.view()
	if !strings.Contains(v, "› ") || !strings.Contains(v, "no note yet") {
		t.Fatalf("end did not scroll to the note:\n%s", v)
	}
	if !strings.Contains(v, "Start from the person") {
		t.Errorf("the last row does not show the tips below it:\n%s", v)
	}
	e.keys("home")
	if v := e.view(); !strings.Contains(v, "Goal:") {
		t.Errorf("home did not scroll back to the top:\n%s", v)
	}
}

func TestStepPreviewOfLongAnswer(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	long := strings.Repeat("heel lang antwoord ", 3000) // about 57 KB
	if _, err := e.st.Commit(e.id, store.Set("step/1/answer/q1", long)); err != nil {
		t.Fatal(err)
	}
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	v := e.view()
	shown := 0
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "heel lang") {
			shown++
			if shown == 2 && !strings.HasSuffix(strings.TrimRight(l, " "), " …") {
				t.Errorf("second answer line does not end in an ellipsis: %q", l)
			}
		}
	}
	if shown != 2 {
		t.Fatalf("long answer shows %d lines, want 2:\n%s", shown, v)
	}
}

// TestGoldenStep pins the look of the step screen, without colour, at the
// smallest usual window and a large one. Run with -update to rewrite the
// files in testdata/TestGoldenStep/, and review the diff like code.
func TestGoldenStep(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			e := dxOpen(t, "nl", size[0], size[1])
			dxGoldenStep(t, e)
			e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
			e.keys("down", "down", "down", "down") // onto q2, in conflict
			golden.RequireEqual(t, []byte(e.view()))
		})
	}
}

// dxGoldenStep fills step 1 as a coach would after a first conversation.
func dxGoldenStep(t testing.TB, e *dxEnv) {
	t.Helper()
	for _, c := range []string{"c1", "c2"} {
		if _, err := e.st.ToggleCheck(e.id, 1, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.st.Commit(e.id,
		store.Set("step/1/answer/q1", "Iets met dieren, het liefst buiten. Bij de kinderboerderij voelde ze zich thuis.\nNiet te vroeg beginnen."),
		store.Set("step/1/note", "Volgende keer samen langs de kinderboerderij in Noord."),
	); err != nil {
		t.Fatal(err)
	}
	e.conflict("step/1/answer/q2", "Haar moeder en de begeleider van de dagbesteding.", "De begeleider, twee keer per week; de buurman rijdt soms.")
}

// TestStepHelpSaysWhatEnterDoes: on a checklist item enter ticks (as
// space does), so the help bar says so; on a question or the note it
// opens.
func TestStepHelpSaysWhatEnterDoes(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	enterHelp := func() string {
		for _, b := range e.top().Help() {
			if b.Help().Key == "enter" {
				return b.Help().Desc
			}
		}
		return ""
	}
	if got := enterHelp(); got != "aan/uit" {
		t.Errorf("on the first checklist item enter is offered as %q, want aan/uit", got)
	}
	if v := e.view(); !strings.Contains(v, "enter aan/uit") {
		t.Errorf("the help bar does not say enter ticks:\n%s", v)
	}
	e.keys("end")
	if got := enterHelp(); got != "openen" {
		t.Errorf("on the note enter is offered as %q, want openen", got)
	}
}
