package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/dossier"
)

func TestConflictPickResolves(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	const field = "step/1/answer/q2"
	e.conflict(field, "Mijn moeder helpt.", "De begeleider van de dagbesteding.")
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	if v := e.view(); !strings.Contains(v, " ! Wie helpt je nu") {
		t.Fatalf("no conflict marker on the question:\n%s", v)
	}
	e.keys("down", "down", "down", "down", "enter")
	c, ok := e.top().(*dossier.ConflictScreen)
	if !ok {
		t.Fatalf("enter opened %T, want the conflict screen", e.top())
	}
	v := e.view()
	for _, want := range []string{"Versie 1 · Kees, 14 nov 12:00", "Versie 2 · Piet, 14 nov 11:00", "Mijn moeder helpt.", "De begeleider van de dagbesteding."} {
		if !strings.Contains(v, want) {
			t.Errorf("conflict screen lacks %q:\n%s", want, v)
		}
	}
	if c.Columns() {
		t.Error("at 80 columns the versions should be stacked")
	}
	e.keys("2") // keep Piet's
	if _, ok := e.top().(*dossier.StepScreen); !ok {
		t.Fatalf("after picking %T is in front, want the step screen", e.top())
	}
	cl := e.client()
	if len(cl.Conflicts) != 0 {
		t.Fatalf("conflicts after resolving: %v", cl.Conflicts)
	}
	if got := cl.Steps[0].Answers["q2"].Value; got != "Mijn moeder helpt." {
		t.Fatalf("answer = %q, want the picked version", got)
	}
	hist, err := e.st.History(e.id, field)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, op := range hist {
		texts = append(texts, op.Value)
	}
	all := strings.Join(texts, "|")
	if !strings.Contains(all, "Mijn moeder helpt.") || !strings.Contains(all, "De begeleider van de dagbesteding.") {
		t.Fatalf("history lost a version: %q", all)
	}
	if v := e.view(); strings.Contains(v, " ! Wie helpt") || !strings.Contains(v, "Mijn moeder helpt.") {
		t.Fatalf("step screen still shows the conflict:\n%s", v)
	}
	if !strings.Contains(e.status(), "Conflict opgelost") {
		t.Errorf("status = %q", e.status())
	}
}

func TestConflictChooseWithArrowsAndEnter(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	const field = "step/1/note"
	e.conflict(field, "Piets notitie", "Kees' notitie")
	e.push(dossier.NewConflictScreen(e.m.Context(), e.id, field))
	e.keys("right", "enter") // from version 1 (Kees, newest) to 2 (Piet)
	if got := e.client().Steps[0].Note; got.Conflict() || got.Value != "Piets notitie" {
		t.Fatalf("note = %+v, want Piet's version alone", got)
	}
}

func TestConflictMergeWritesOverAllHeads(t *testing.T) {
	e := dxOpen(t, "nl", 200, 50)
	const field = "step/1/answer/q1"
	e.conflict(field, "Buiten werken.", "Iets met dieren.")
	e.push(dossier.NewConflictsScreen(e.m.Context(), e.id))
	e.keys("enter")
	c, ok := e.top().(*dossier.ConflictScreen)
	if !ok {
		t.Fatalf("enter in the list opened %T", e.top())
	}
	if !c.Columns() {
		t.Error("at 200 columns the versions should be side by side")
	}
	e.keys("m")
	ed, ok := e.top().(*dossier.EditorScreen)
	if !ok {
		t.Fatalf("m opened %T, want the editor", e.top())
	}
	text := ed.Area.Value()
	if !strings.Contains(text, "Buiten werken.") || !strings.Contains(text, "Iets met dieren.") || !strings.Contains(text, "── Versie 1 · Kees") {
		t.Fatalf("merge editor does not hold both versions under headers:\n%s", text)
	}
	// Write the merged text from scratch.
	ed.Area.SetValue("")
	e.typeText("Buiten werken, met dieren.")
	e.keys("ctrl+s")
	// Saved: the editor and the settled conflict screen are gone; the list
	// is empty.
	if _, ok := e.top().(*dossier.ConflictsScreen); !ok {
		t.Fatalf("after merging %T is in front, want the conflicts list", e.top())
	}
	cl := e.client()
	if len(cl.Conflicts) != 0 || cl.Steps[0].Answers["q1"].Value != "Buiten werken, met dieren." {
		t.Fatalf("after merge: conflicts %v, answer %q", cl.Conflicts, cl.Steps[0].Answers["q1"].Value)
	}
	hist, _ := e.st.History(e.id, field)
	last := hist[len(hist)-1]
	if len(last.Prev) != 2 {
		t.Fatalf("merged op replaces %v, want both heads", last.Prev)
	}
	if v := e.view(); !strings.Contains(v, "Geen conflicten") {
		t.Fatalf("list not empty after merge:\n%s", v)
	}
}

func TestConflictMergeAcceptedAsIs(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	const field = "step/1/note"
	e.conflict(field, "Een", "Twee")
	e.push(dossier.NewConflictScreen(e.m.Context(), e.id, field))
	e.keys("m", "ctrl+s") // the prefilled text is a new text, saved as it is
	if got := e.client().Steps[0].Note; got.Conflict() || !strings.Contains(got.Value, "Een") || !strings.Contains(got.Value, "Twee") {
		t.Fatalf("note = %+v, want one text with both versions", got)
	}
}

func TestConflictsListLabels(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	agr, err := e.st.AddEntity(e.id, store.EntityAgreement, map[string]string{"what": "Bel UWV"})
	if err != nil {
		t.Fatal(err)
	}
	jr, err := e.st.AddEntity(e.id, store.EntityJournal, map[string]string{"kind": "bezoek", "date": "2025-11-10", "text": "Bezoek"})
	if err != nil {
		t.Fatal(err)
	}
	e.conflict("step/1/answer/q1", "a", "b")
	e.conflict("step/2/note", "a", "b")
	e.conflict(store.EntityAgreement+"/"+agr+"/what", "Bel UWV vandaag", "Bel UWV morgen")
	e.conflict(store.EntityJournal+"/"+jr+"/text", "Bezoek, ging goed", "Bezoek, ging matig")
	e.push(dossier.NewConflictsScreen(e.m.Context(), e.id))
	v := e.view()
	for _, want := range []string{
		"! Stap 1 · vraag q1: Wat zou je graag willen doen als je aan werk denkt?",
		"! Stap 2 · notitie",
		"! Afspraak · wat",
		"! Verslag · tekst",
		"2 versies: Kees, 14 nov 12:00; Piet, 14 nov 11:00",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("conflicts list lacks %q:\n%s", want, v)
		}
	}
}

func TestConflictGoneShowsSo(t *testing.T) {
	e := dxOpen(t, "en", 80, 24)
	e.push(dossier.NewConflictScreen(e.m.Context(), e.id, "step/1/note"))
	if v := e.view(); !strings.Contains(v, "no conflict") {
		t.Fatalf("a field without conflict is not explained:\n%s", v)
	}
	e.keys("1", "m") // nothing to pick or merge
	if _, ok := e.top().(*dossier.ConflictScreen); !ok {
		t.Fatalf("keys on a settled field opened %T", e.top())
	}
}

// TestGoldenConflict pins the conflict screen: stacked at 80 columns, side
// by side at 200. Run with -update to rewrite testdata/TestGoldenConflict/.
func TestGoldenConflict(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			e := dxOpen(t, "nl", size[0], size[1])
			dxGoldenStep(t, e)
			e.push(dossier.NewConflictScreen(e.m.Context(), e.id, "step/1/answer/q2"))
			golden.RequireEqual(t, []byte(e.view()))
		})
	}
}

// TestConflictPickKeepsAVersionNeverShown: a third version arrives from
// sync while the conflict screen is open. Picking one of the two shown
// replaces those two only; the unseen one stays, as a conflict with the
// choice, instead of being overwritten without anyone reading it.
func TestConflictPickKeepsAVersionNeverShown(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	const field = "step/1/answer/q2"
	e.conflict(field, "Mijn moeder helpt.", "De begeleider van de dagbesteding.")
	e.push(dossier.NewConflictScreen(e.m.Context(), e.id, field))
	late := store.Op{ID: store.NewID(), Dossier: e.id, Field: field, Value: "Mijn buurman, op dinsdag.",
		HLC: store.MakeHLC(dxNow.Add(3*time.Hour), 0), Device: "device-fenna", Author: "Fenna"}
	if _, err := e.st.ApplyRemote([]store.Op{late}); err != nil {
		t.Fatal(err)
	}
	e.keys("2")
	v := e.client().Steps[0].Answers["q2"]
	if len(v.Heads) != 2 {
		t.Fatalf("after the pick the answer has %d versions, want the choice and the unseen one", len(v.Heads))
	}
	texts := []string{v.Heads[0].Value, v.Heads[1].Value}
	if !slices.Contains(texts, "Mijn buurman, op dinsdag.") {
		t.Errorf("the version that arrived meanwhile was overwritten: %q", texts)
	}
}
