package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/dossier"
	"github.com/brug-nl/brug/tui/kit"
)

// visibleAgreementWhats are the texts of the agreements not removed.
func visibleAgreementWhats(c *store.Client) []string {
	var out []string
	for _, a := range c.Agreements {
		if !a.Removed {
			out = append(out, a.What.Value)
		}
	}
	return out
}

func TestAgreementAddRemoveUndo(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewAgreementsScreen(e.m.Context(), e.id))
	if v := e.view(); !strings.Contains(v, "Nog geen afspraken") {
		t.Fatalf("empty list not explained:\n%s", v)
	}
	e.keys("n")
	if _, ok := e.top().(*kit.Form); !ok {
		t.Fatalf("n opened %T, want the form", e.top())
	}
	e.typeText("Bel UWV over de beoordeling")
	e.keys("tab")
	e.typeText("jobcoach")
	e.keys("tab", "tab")
	e.typeText("Sanne")
	e.keys("tab")
	e.typeText("20-11-2025") // a Dutch date is read as one
	e.keys("ctrl+s")
	if _, ok := e.top().(*dossier.EntityScreen); !ok {
		t.Fatalf("after saving %T is in front, want the list", e.top())
	}
	c := e.client()
	if len(c.Agreements) != 1 {
		t.Fatalf("%d agreements, want 1", len(c.Agreements))
	}
	a := c.Agreements[0]
	if a.What.Value != "Bel UWV over de beoordeling" || a.Role.Value != "jobcoach" || a.Person.Value != "Sanne" || a.Due.Value != "2025-11-20" || a.Org.Set() {
		t.Fatalf("agreement = %+v", a)
	}
	if v := e.view(); !strings.Contains(v, "20 nov 2025  Bel UWV over de beoordeling") {
		t.Fatalf("new agreement not listed:\n%s", v)
	}

	e.keys("x")
	if got := visibleAgreementWhats(e.client()); len(got) != 0 {
		t.Fatalf("after x the agreement is still there: %v", got)
	}
	if !e.client().Agreements[0].Removed {
		t.Fatal("x did not leave a tombstone")
	}
	if e.status() != "Verwijderd — toets u maakt het ongedaan" {
		t.Errorf("status = %q", e.status())
	}
	if v := e.view(); strings.Contains(v, "Bel UWV") {
		t.Fatalf("a removed agreement is shown:\n%s", v)
	}
	e.keys("u")
	if got := visibleAgreementWhats(e.client()); len(got) != 1 {
		t.Fatalf("after u: %v, want the agreement back", got)
	}
	if v := e.view(); !strings.Contains(v, "Bel UWV") {
		t.Fatalf("restored agreement not shown:\n%s", v)
	}
	e.keys("u")
	if !strings.Contains(e.status(), "niets") {
		t.Errorf("a second u says %q, want that there is nothing to undo", e.status())
	}
}

func TestAgreementOverdueAndDone(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	for _, f := range []map[string]string{
		{"what": "Te laat", "due": "2025-11-10"},
		{"what": "Vandaag", "due": "2025-11-14"},
		{"what": "Zonder datum"},
		{"what": "Al klaar", "due": "2025-11-01", "done": "1"},
	} {
		if _, err := e.st.AddEntity(e.id, store.EntityAgreement, f); err != nil {
			t.Fatal(err)
		}
	}
	e.push(dossier.NewAgreementsScreen(e.m.Context(), e.id))
	lines := strings.Split(e.view(), "\n")
	var rows []string
	for _, l := range lines[1:] {
		if strings.Contains(l, "[") {
			rows = append(rows, strings.TrimRight(l, " "))
		}
	}
	want := []string{
		"›! [ ] 10 nov 2025  Te laat  te laat",
		"   [ ] 14 nov 2025  Vandaag",
		"   [ ] geen datum   Zonder datum",
		"   [x] 1 nov 2025   Al klaar",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	e.keys(" ") // the overdue one is done now
	var done store.Agreement
	for _, a := range e.client().Agreements {
		if a.What.Value == "Te laat" {
			done = a
		}
	}
	if done.Done.Value != "1" {
		t.Fatalf("space did not mark done: %+v", done.Done)
	}
	if v := e.view(); strings.Contains(v, "te laat") || !strings.Contains(v, "[x] 10 nov 2025") {
		t.Fatalf("done agreement still overdue:\n%s", v)
	}
}

func TestAgreementEditKeepsOtherFields(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	id, err := e.st.AddEntity(e.id, store.EntityAgreement, map[string]string{"what": "Bel UWV", "org": "UWV", "due": "2025-11-20"})
	if err != nil {
		t.Fatal(err)
	}
	e.push(dossier.NewAgreementsScreen(e.m.Context(), e.id))
	e.keys("e")
	e.keys("tab", "tab", "tab", "tab")
	for range "2025-11-20" {
		e.keys("backspace")
	}
	e.send(dxKey("backspace"))
	e.typeText("bogus")
	e.keys("ctrl+s")
	f, ok := e.top().(*kit.Form)
	if !ok {
		t.Fatalf("a wrong date was saved: %T in front", e.top())
	}
	if !strings.Contains(f.ErrText, "datum") {
		t.Errorf("error = %q, want it to say how to write a date", f.ErrText)
	}
	for range "bogus" {
		e.send(dxKey("backspace"))
	}
	e.typeText("2025-12-01")
	e.keys("ctrl+s")
	hist, _ := e.st.History(e.id, store.EntityAgreement+"/"+id+"/org")
	if len(hist) != 1 {
		t.Fatalf("an unchanged field got %d ops", len(hist))
	}
	if got := e.client().Agreements[0].Due.Value; got != "2025-12-01" {
		t.Fatalf("due = %q", got)
	}
}

func TestJournalAddDefaultsToToday(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewJournalScreen(e.m.Context(), e.id))
	e.keys("n", "right") // bezoek → gesprek
	e.keys("tab", "tab")
	e.typeText("Bakkerij Jansen")
	e.keys("tab")
	e.typeText("Anna werkte mee in de winkel.\nVolgende week weer.")
	e.keys("ctrl+s")
	c := e.client()
	if len(c.Journal) != 1 {
		t.Fatalf("%d journal entries", len(c.Journal))
	}
	j := c.Journal[0]
	if j.Kind.Value != "gesprek" || j.Date.Value != "2025-11-14" || j.Place.Value != "Bakkerij Jansen" || j.Text.Value != "Anna werkte mee in de winkel.\nVolgende week weer." {
		t.Fatalf("entry = kind %q date %q place %q text %q", j.Kind.Value, j.Date.Value, j.Place.Value, j.Text.Value)
	}
	if v := e.view(); !strings.Contains(v, "14 nov 2025  Gesprek · Bakkerij Jansen") || !strings.Contains(v, "Anna werkte mee") {
		t.Fatalf("entry not listed:\n%s", v)
	}
}

func TestContactNeedsSomething(t *testing.T) {
	e := dxOpen(t, "en", 80, 24)
	e.push(dossier.NewContactsScreen(e.m.Context(), e.id))
	e.keys("n", "ctrl+s")
	if _, ok := e.top().(*kit.Form); !ok || !strings.Contains(e.status(), "at least a name") {
		t.Fatalf("an empty contact was saved or not explained: %T, %q", e.top(), e.status())
	}
	e.typeText("Piet Bakker")
	e.keys("tab", "tab")
	e.typeText("Bakkerij Jansen")
	e.keys("ctrl+s")
	if c := e.client(); len(c.Contacts) != 1 || c.Contacts[0].Name.Value != "Piet Bakker" || c.Contacts[0].Org.Value != "Bakkerij Jansen" {
		t.Fatalf("contacts = %+v", c.Contacts)
	}
	if v := e.view(); !strings.Contains(v, "Piet Bakker  Bakkerij Jansen") {
		t.Fatalf("contact not listed:\n%s", v)
	}
}

func TestFormEscAsksWhenChanged(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewContactsScreen(e.m.Context(), e.id))
	e.keys("n", "esc")
	if _, ok := e.top().(*dossier.EntityScreen); !ok {
		t.Fatalf("esc on an untouched form stayed in %T", e.top())
	}
	e.keys("n")
	e.typeText("q") // text, not quit
	e.keys("esc")
	if v := e.view(); !strings.Contains(v, "Wijzigingen weggooien? (j/n)") {
		t.Fatalf("no question:\n%s", v)
	}
	e.keys("n")
	if f, ok := e.top().(*kit.Form); !ok || f.Values()["name"] != "q" {
		t.Fatalf("n did not keep the form: %T", e.top())
	}
	e.keys("esc", "j")
	if _, ok := e.top().(*dossier.EntityScreen); !ok || len(e.client().Contacts) != 0 {
		t.Fatalf("j did not drop the form: %T", e.top())
	}
}

func TestRouteStepBackIsNormalMove(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	if _, err := e.st.RecordMove(e.id, []store.Place{store.PlaceWerkervaring}, "2025-10-01", "Proefplaatsing bij de bakker"); err != nil {
		t.Fatal(err)
	}
	e.push(dossier.NewRouteScreen(e.m.Context(), e.id))
	// Back to day activities, with one foot in volunteering, via the form.
	e.keys("m")
	e.keys(" ", "down", " ") // dagbesteding and vrijwilligerswerk
	e.keys("tab")
	for range "2025-11-14" {
		e.send(dxKey("backspace"))
	}
	e.typeText("1-11-2025")
	e.keys("tab")
	e.typeText("Even terug: te veel tegelijk.")
	e.keys("ctrl+s")
	if _, ok := e.top().(*dossier.EntityScreen); !ok {
		t.Fatalf("after recording %T is in front (status %q)", e.top(), e.status())
	}
	c := e.client()
	if c.Places.Value != "dagbesteding,vrijwilligerswerk" {
		t.Fatalf("places = %q", c.Places.Value)
	}
	if len(c.Moves) != 2 || !c.Moves[1].Back() || c.Moves[0].Back() {
		t.Fatalf("moves = %+v", c.Moves)
	}
	v := e.view()
	lines := strings.Split(v, "\n")
	var forward, back string
	for _, l := range lines {
		switch {
		case strings.Contains(l, "1 okt 2025"):
			forward = l
		case strings.Contains(l, "1 nov 2025"):
			back = l
		}
	}
	if strings.Contains(forward, "stapje terug") || !strings.Contains(back, "↩ stapje terug") {
		t.Fatalf("step back not marked (only) on the move back:\n%s", v)
	}
	if !strings.Contains(v, "Nu: dagbesteding + vrijwilligerswerk") && !strings.Contains(v, "Nu: dagbesteding") {
		t.Errorf("current place not shown:\n%s", v)
	}
	if strings.Contains(strings.ToLower(v), "mislukt") {
		t.Errorf("a step back is worded as a failure:\n%s", v)
	}
}

func TestRouteMoveNeedsPlace(t *testing.T) {
	e := dxOpen(t, "en", 80, 24)
	e.push(dossier.NewRouteScreen(e.m.Context(), e.id))
	e.keys("m", "ctrl+s")
	if _, ok := e.top().(*kit.Form); !ok || !strings.Contains(e.status(), "at least one place") {
		t.Fatalf("a move without a place: %T, %q", e.top(), e.status())
	}
	if len(e.client().Moves) != 0 {
		t.Fatal("a move without a place was recorded")
	}
}

func TestEntityConflictOpensConflict(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	id, err := e.st.AddEntity(e.id, store.EntityJournal, map[string]string{"kind": "bezoek", "date": "2025-11-12", "text": "Bezoek"})
	if err != nil {
		t.Fatal(err)
	}
	field := store.EntityJournal + "/" + id + "/text"
	e.conflict(field, "Bezoek, ging goed", "Bezoek, ging matig")
	e.push(dossier.NewJournalScreen(e.m.Context(), e.id))
	if v := e.view(); !strings.Contains(v, "›! 12 nov 2025") {
		t.Fatalf("conflict marker missing:\n%s", v)
	}
	e.keys("enter")
	if c, ok := e.top().(*dossier.ConflictScreen); !ok || c.Field != field {
		t.Fatalf("enter opened %T, want the conflict of the text", e.top())
	}
}

// TestDossierScreensFitWidth renders every screen of this part with full
// data at the smallest, the usual and a wide window and checks that no
// line is wider than the window.
func TestDossierScreensFitWidth(t *testing.T) {
	for _, size := range [][2]int{{60, 16}, {80, 24}, {200, 50}} {
		for _, lang := range []string{"nl", "en"} {
			e := dxOpen(t, lang, size[0], size[1])
			dxFill(t, e)
			ctx := e.m.Context()
			screens := []kit.Screen{
				dossier.NewStepScreen(ctx, e.id, 1), dossier.NewStepScreen(ctx, e.id, 2),
				dossier.NewConflictsScreen(ctx, e.id), dossier.NewConflictScreen(ctx, e.id, "step/1/answer/q2"),
				dossier.NewJournalScreen(ctx, e.id), dossier.NewAgreementsScreen(ctx, e.id),
				dossier.NewContactsScreen(ctx, e.id), dossier.NewRouteScreen(ctx, e.id),
				dossier.NewEditor(ctx, e.id, "step/1/note", strings.Repeat("lange titel ", 20), strings.Repeat("woord ", 300), nil),
			}
			for _, s := range screens {
				e.push(s)
				if v := e.view(); strings.Contains(v, "«") {
					t.Errorf("%dx%d %s %T: a text is missing from the catalogue:\n%s", size[0], size[1], lang, s, v)
				}
				// The forms and the merge editor these screens open.
				var opens string
				switch s.(type) {
				case *dossier.EntityScreen:
					opens = "n"
				case *dossier.ConflictScreen:
					opens = "m"
				}
				if opens != "" {
					e.keys(opens)
					if e.top() == s {
						t.Errorf("%T: %s opened nothing", s, opens)
					}
					_ = e.view()
					e.keys("esc")
				}
				e.keys("end")
				_ = e.view()
				e.send(kit.PopMsg{})
			}
		}
	}
}

// dxFill puts something in every part of the client's dossier, with long
// texts, and a conflict.
func dxFill(t testing.TB, e *dxEnv) {
	t.Helper()
	long := "Een lange tekst die over meer dan één regel loopt, zodat het afbreken van regels ook getest wordt; met een woordzonderspatiesdatveellangerisdandebreedtevanhetschermzodathetinstukkenmoet."
	if _, err := e.st.Commit(e.id,
		store.Set("step/1/answer/q1", long+"\nTweede regel.\nDerde regel."),
		store.Set("step/1/note", long),
		store.Set("step/1/comment", "Graag de toestemming nog vastleggen."),
	); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"c1", "c2", "c3"} {
		if _, err := e.st.ToggleCheck(e.id, 1, c); err != nil {
			t.Fatal(err)
		}
	}
	e.conflict("step/1/answer/q2", long, "Kort.")
	for _, f := range []map[string]string{
		{"what": long, "due": "2025-11-10", "role": "jobcoach", "org": "Zorgaanbieder De Brug", "person": "Sanne de Jong-van der Berg"},
		{"what": "Vervoer regelen", "due": "2025-12-01"},
	} {
		if _, err := e.st.AddEntity(e.id, store.EntityAgreement, f); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.st.AddEntity(e.id, store.EntityJournal, map[string]string{"kind": "overleg", "date": "2025-11-12", "place": long[:150], "text": long}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.AddEntity(e.id, store.EntityContact, map[string]string{"name": "Piet Bakker", "role": "werkgever", "org": long[:150], "phone": "06-12345678", "email": "piet@bakkerij.nl"}); err != nil {
		t.Fatal(err)
	}
	all := store.Places()
	if _, err := e.st.RecordMove(e.id, all, "2025-10-01", long); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.RecordMove(e.id, all[:1], "2025-11-01", ""); err != nil {
		t.Fatal(err)
	}
}

// dxGoldenLists gives the client agreements, a journal, a network and a
// route with a step back, as after a few months of coaching.
func dxGoldenLists(t testing.TB, e *dxEnv) {
	t.Helper()
	for _, f := range []map[string]string{
		{"what": "Bel UWV over de beoordeling voor beschut werk", "due": "2025-11-10", "role": "jobcoach", "person": "Sanne"},
		{"what": "Proefplaatsing bespreken met de werkgever", "due": "2025-11-20", "role": "werkgever", "org": "Bakkerij Jansen", "person": "Piet"},
		{"what": "Vervoer regelen met de regiotaxi"},
		{"what": "Toestemming ondertekend", "due": "2025-10-01", "done": "1"},
	} {
		if _, err := e.st.AddEntity(e.id, store.EntityAgreement, f); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.st.RecordMove(e.id, []store.Place{store.PlaceWerkervaring, store.PlaceDagbesteding}, "2025-09-01", "Twee dagen bij de bakker, drie dagen dagbesteding."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.RecordMove(e.id, []store.Place{store.PlaceDagbesteding}, "2025-10-15", "Even terug: de verhuizing kostte veel energie. Na de winter opnieuw."); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenLists pins the agreements and route lists and the move form.
// Run with -update to rewrite testdata/TestGoldenLists/.
func TestGoldenLists(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		for _, screen := range []string{"agreements", "route", "moveform"} {
			t.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], screen), func(t *testing.T) {
				e := dxOpen(t, "nl", size[0], size[1])
				dxGoldenLists(t, e)
				ctx := e.m.Context()
				switch screen {
				case "agreements":
					e.push(dossier.NewAgreementsScreen(ctx, e.id))
				case "route":
					e.push(dossier.NewRouteScreen(ctx, e.id))
					e.keys("down")
				case "moveform":
					e.push(dossier.NewRouteScreen(ctx, e.id))
					e.keys("m", "down", "down", "down", " ")
				}
				golden.RequireEqual(t, []byte(e.view()))
			})
		}
	}
}

// TestEntityFormSpaceKeepsTheChoice: in a single-choice field the option
// shown is the one picked; space keeps it instead of moving on.
func TestEntityFormSpaceKeepsTheChoice(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewJournalScreen(e.m.Context(), e.id))
	e.keys("n", "right", " ", " ")
	f, ok := e.top().(*kit.Form)
	if !ok {
		t.Fatalf("n opened %T, want the form", e.top())
	}
	if got, want := f.Values()["kind"], store.JournalKinds[1]; got != want {
		t.Errorf("kind after right and two spaces = %q, want %q", got, want)
	}
}
