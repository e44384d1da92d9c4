package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/clients"
	"github.com/brug-nl/brug/tui/dossier"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/kit/kittest"
)

// openOverview opens the client's overview as the list does.
func (e *dxEnv) openOverview() {
	e.t.Helper()
	e.send(kit.OpenMsg{To: kit.OpenDossier, Dossier: e.id})
	if _, ok := e.top().(*dossier.Overview); !ok {
		e.t.Fatalf("the overview did not open: %T", e.top())
	}
}

// clearInput empties the focused text input (ctrl+u deletes to the start).
func (e *dxEnv) clearInput() {
	e.t.Helper()
	e.keys("end")
	e.send(tea.KeyMsg{Type: tea.KeyCtrlU})
}

func TestRecordEditsEveryFieldAndTransfers(t *testing.T) {
	e := dxOpen(t, "nl", 80, 30)
	e.openOverview()
	before := e.client()
	e.keys("e")
	if _, ok := e.top().(*clients.ClientForm); !ok {
		t.Fatalf("e opened %T, want the record form", e.top())
	}
	v := e.view()
	for _, want := range []string{"Gegevens van Anna de Vries", "Anna de Vries", "Noord"} {
		if !strings.Contains(v, want) {
			t.Fatalf("record form lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "Waar nu") || strings.Contains(v, "Huidige plek") {
		t.Errorf("the record form offers the current places (the route's job):\n%s", v)
	}
	// A birth year in the future is refused as on the new-client form.
	e.clearInput()
	e.typeText("Anna de Wit")
	e.keys("tab")
	e.typeText("2099")
	e.keys("ctrl+s")
	if v := e.view(); !strings.Contains(v, "Dat jaar moet nog komen") {
		t.Fatalf("a future birth year was not refused:\n%s", v)
	}
	if got := e.client().Name.Value; got != "Anna de Vries" {
		t.Fatalf("a refused form saved the name %q", got)
	}
	e.clearInput()
	e.typeText("1991")
	e.keys("tab")
	e.clearInput()
	e.typeText("Zuid") // a transfer
	e.keys("tab")
	e.typeText("Sanne, Piet")
	e.keys("tab")            // the benefit: the places are skipped
	e.keys("right", "right") // geen, participatiewet
	e.keys("tab", "left")    // route target: werkervaringsplaats back to opleiding
	e.keys("ctrl+s")
	c := e.client()
	got := []string{c.Name.Value, c.BirthYear.Value, c.Team.Value, c.Coaches.Value, c.Benefit.Value, c.RouteTarget.Value, c.Places.Value}
	want := []string{"Anna de Wit", "1991", "Zuid", "Sanne, Piet", "participatiewet", "opleiding", before.Places.Value}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("field %d = %q, want %q", i, got[i], want[i])
		}
	}
	if !strings.Contains(e.status(), "Overgedragen aan team Zuid") {
		t.Errorf("status after a transfer: %q", e.status())
	}
	// The history goes along: the dossier is the same one, with its steps.
	if c.ID != before.ID || c.Steps[0].Status.Value != before.Steps[0].Status.Value || !c.Exists {
		t.Errorf("the transfer lost history: %+v", c.Steps)
	}
	if _, ok := e.top().(*dossier.Overview); !ok {
		t.Fatalf("after saving, the top is %T, want the overview", e.top())
	}
	if v := e.view(); !strings.Contains(v, "Anna de Wit") || !strings.Contains(v, "team Zuid") {
		t.Errorf("the overview does not show the new record:\n%s", v)
	}
}

func TestRecordEditWithoutChangesWritesNothing(t *testing.T) {
	e := dxOpen(t, "en", 80, 30)
	e.openOverview()
	before := e.client().LastChange
	e.keys("e", "ctrl+s")
	if after := e.client().LastChange; after != before {
		t.Errorf("saving an unchanged record wrote ops")
	}
	if _, ok := e.top().(*dossier.Overview); !ok {
		t.Errorf("top is %T after saving", e.top())
	}
}

func TestWithdrawHidesAndRestoreBrings(t *testing.T) {
	e := dxOpen(t, "nl", 100, 30)
	e.openOverview()
	e.keys("X")
	if v := e.view(); !strings.Contains(v, "Cliënt Anna de Vries intrekken") {
		t.Fatalf("X does not ask:\n%s", v)
	}
	e.keys("n")
	if !e.client().Exists {
		t.Fatal("n withdrew the client")
	}
	e.keys("X", "j")
	if e.client().Exists {
		t.Fatal("X j did not withdraw the client")
	}
	if !strings.Contains(e.status(), "Ingetrokken") || !strings.Contains(e.view(), "is ingetrokken") {
		t.Errorf("withdrawal not said: %q\n%s", e.status(), e.view())
	}
	// The list hides it; W shows it, marked; U on its overview restores.
	e.keys("esc")
	list, ok := e.top().(*clients.ClientList)
	if !ok {
		t.Fatalf("top is %T, want the list", e.top())
	}
	if len(list.Rows) != 0 || strings.Contains(e.view(), "Anna") {
		t.Fatalf("the list shows a withdrawn client:\n%s", e.view())
	}
	e.keys("W")
	if v := e.view(); !strings.Contains(v, "Anna de Vries (ingetrokken)") {
		t.Fatalf("W does not show the withdrawn client:\n%s", v)
	}
	e.keys("enter", "U")
	if !e.client().Exists {
		t.Fatal("U did not restore the client")
	}
	// The dossier is whole again, not erased.
	if e.st.Erased(e.id) {
		t.Fatal("a withdrawal erased the dossier")
	}
}

func TestIndicationsAndArrangements(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.openOverview()
	e.keys("i", "n")
	e.keys("right") // wlz
	e.keys("tab", "tab")
	e.typeText("31-02-2026")
	e.keys("ctrl+s")
	v := e.view()
	if !strings.Contains(v, "februari heeft geen 31 dagen") {
		t.Fatalf("31-02-2026 is not explained:\n%s", v)
	}
	if strings.Count(v, "14-3-2025") > 1 {
		t.Errorf("the general date hint shows more than once:\n%s", v)
	}
	e.keys("backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
	e.typeText("1-3-2026")
	e.keys("ctrl+s")
	c := e.client()
	if len(c.Indications) != 1 || c.Indications[0].Kind.Value != "wlz" || c.Indications[0].Until.Value != "2026-03-01" || c.Indications[0].Date.Value != "2025-11-14" {
		t.Fatalf("indication = %+v", c.Indications)
	}
	if v := e.view(); !strings.Contains(v, "Wlz") {
		t.Errorf("list lacks the indication:\n%s", v)
	}
	// E ends it today.
	e.keys("E")
	if got := e.client().Indications[0].Until.Value; got != "2025-11-14" {
		t.Errorf("E set until to %q", got)
	}
	// Arrangements: a wage value is a percentage.
	e.keys("esc", "w", "n", "tab")
	e.typeText("veel")
	e.keys("ctrl+s")
	if v := e.view(); !strings.Contains(v, "een percentage van 0 tot 100") {
		t.Fatalf("a wage value \"veel\" was not refused:\n%s", v)
	}
	for range 4 {
		e.keys("backspace")
	}
	e.typeText("60")
	e.keys("ctrl+s")
	c = e.client()
	if len(c.Arrangements) != 1 || c.Arrangements[0].Value.Value != "60%" || c.Arrangements[0].From.Value != "2025-11-14" {
		t.Fatalf("arrangement = %+v", c.Arrangements)
	}
	// Change: the end day before the start is refused.
	e.keys("enter", "tab", "tab", "tab")
	e.typeText("1-1-2025")
	e.keys("ctrl+s")
	if v := e.view(); !strings.Contains(v, "De einddatum ligt voor de begindatum") {
		t.Fatalf("an end before the start was not refused:\n%s", v)
	}
}

func TestTypedValuesAreChecked(t *testing.T) {
	e := dxOpen(t, "nl", 100, 30)
	e.openOverview()
	// Phone "abc" and e-mail "piet@@".
	e.keys("c", "n")
	e.typeText("Piet")
	e.keys("tab", "tab", "tab")
	e.typeText("abc")
	e.keys("ctrl+s")
	if v := e.view(); !strings.Contains(v, "schrijf een telefoonnummer met cijfers") {
		t.Fatalf("phone abc accepted:\n%s", v)
	}
	for range 3 {
		e.keys("backspace")
	}
	e.typeText("06-12345678")
	e.keys("tab")
	e.typeText("piet@@")
	e.keys("ctrl+s")
	if v := e.view(); !strings.Contains(v, "schrijf een e-mailadres") {
		t.Fatalf("e-mail piet@@ accepted:\n%s", v)
	}
	if n := len(e.client().Contacts); n != 0 {
		t.Fatalf("a refused contact was saved (%d)", n)
	}
	e.keys("backspace", "backspace")
	e.typeText("@example.nl")
	e.keys("ctrl+s")
	if n := len(e.client().Contacts); n != 1 || e.client().Contacts[0].Email.Value != "piet@example.nl" {
		t.Fatalf("contacts = %+v", e.client().Contacts)
	}
	// A due date in 1900.
	e.keys("esc", "a", "n")
	e.typeText("Bellen met de werkgever")
	e.keys("tab", "tab", "tab", "tab")
	e.typeText("1-1-1900")
	e.keys("ctrl+s")
	if v := e.view(); !strings.Contains(v, "een datum voor 1990 klopt niet") {
		t.Fatalf("a due date in 1900 accepted:\n%s", v)
	}
	e.keys("esc", "j")
	// A move dated tomorrow.
	e.keys("esc", "r", "m", " ", "tab")
	e.clearInput()
	e.typeText("15-11-2025")
	e.keys("ctrl+s")
	if v := e.view(); !strings.Contains(v, "die datum is nog niet geweest") {
		t.Fatalf("a move dated tomorrow accepted:\n%s", v)
	}
	if n := len(e.client().Moves); n != 0 {
		t.Fatalf("a refused move was recorded")
	}
}

func TestDoneWithOpenChecklistAsks(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	e.keys(" ") // tick one of three
	e.keys("S")
	if v := e.view(); !strings.Contains(v, "Nog 2 van de 3 punten op de checklist zijn open") {
		t.Fatalf("done with open items does not ask:\n%s", v)
	}
	if e.client().Steps[0].StatusOrOpen() != store.StepActive {
		t.Fatal("the step was marked done before the answer")
	}
	// q answers no, and does not quit while asking.
	_, cmd := e.m.Update(dxKey("q"))
	for _, msg := range clFlatten(cmd) {
		if _, ok := msg.(tea.QuitMsg); ok {
			t.Fatal("q quit the app while the step asked")
		}
	}
	if e.client().Steps[0].StatusOrOpen() != store.StepActive {
		t.Fatal("q marked the step done")
	}
	e.keys("S", "j")
	if got := e.client().Steps[0].StatusOrOpen(); got != store.StepDone {
		t.Fatalf("j: status %s, want done", got)
	}
	// Every item ticked: no question.
	e.keys("S", "S") // open, active
	e.keys("down", " ", "down", " ")
	e.keys("S")
	if got := e.client().Steps[0].StatusOrOpen(); got != store.StepDone {
		t.Fatalf("with the checklist complete S gave %s, want done at once", got)
	}
}

func TestSyncRefreshesOpenScreensAndWarnsTheEditor(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	e.keys("N") // the note's editor, over the step screen
	e.typeText("Mijn tekst")
	// A sync brings a note from another laptop.
	coRemote(t, e.st, e.id, "step/1/note", "Notitie van Piet", "piet", dxNow.Add(-time.Hour))
	e.m.sync.after = func(time.Duration, tea.Msg) tea.Cmd { return nil } // no next sync
	e.send(syncDoneMsg{res: SyncResult{Pulled: 1}})
	if v := e.view(); !strings.Contains(v, "Intussen gewijzigd (sync)") {
		t.Fatalf("the editor does not say its text changed meanwhile:\n%s", v)
	}
	e.keys("esc", "j")
	if v := e.view(); !strings.Contains(v, "Notitie van Piet") {
		t.Fatalf("the step screen below was not refreshed by the sync:\n%s", v)
	}
	// The same in an entity's edit form: a journal entry's text.
	e.keys("esc")
	kittest.Add(t, e.st, e.id, store.EntityJournal, map[string]string{"kind": "bezoek", "date": "2025-11-13", "text": "Eerste versie"})
	e.openOverview()
	e.keys("v", "enter")
	if _, ok := e.top().(*kit.Form); !ok {
		t.Fatalf("enter on the journal opened %T", e.top())
	}
	jid := e.client().Journal[0].ID
	coRemote(t, e.st, e.id, store.JournalField(jid, "text"), "Versie van Piet", "piet", dxNow.Add(-time.Minute))
	e.send(syncDoneMsg{res: SyncResult{Pulled: 1}})
	if v := e.view(); !strings.Contains(v, "Intussen gewijzigd (sync)") {
		t.Fatalf("the journal form does not say its text changed meanwhile:\n%s", v)
	}
	// A sync that names other dossiers leaves this one alone.
	if (kit.ChangedMsg{Dossiers: []string{"other"}}).Touches(e.id) || !(kit.ChangedMsg{Dossiers: []string{e.id}}).Touches(e.id) {
		t.Error("ChangedMsg.Touches does not follow the dossier ids")
	}
}

func TestCountsSayOneClient(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.send(kit.ChangedMsg{All: true}) // the list loads
	if v := e.view(); !strings.Contains(v, "1 van 1 cliënt ") || strings.Contains(v, "1 cliënten") {
		t.Errorf("the list's count with one client:\n%s", v)
	}
	if _, err := e.st.CreateClient(store.NewClient{Name: "Bram", Team: "Noord"}); err != nil {
		t.Fatal(err)
	}
	e.send(kit.ChangedMsg{All: true})
	if v := e.view(); !strings.Contains(v, "2 van 2 cliënten") {
		t.Errorf("the list's count with two clients:\n%s", v)
	}
}
