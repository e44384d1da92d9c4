package tui

import (
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/dossier"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/texts"
)

func TestEditorEscWithChangesAsks(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	e.push(dossier.NewEditor(e.m.Context(), e.id, "step/1/answer/q1", "Wat zou je graag willen doen?", "", nil))
	e.typeText("Koken")
	e.keys("esc")
	ed, ok := e.top().(*dossier.EditorScreen)
	if !ok {
		t.Fatalf("esc with changes left the editor for %T", e.top())
	}
	if v := e.view(); !strings.Contains(v, "Wijzigingen weggooien? (j/n)") {
		t.Fatalf("no question asked:\n%s", v)
	}
	// q is the global quit key, but while the editor asks (and edits) it
	// is an answer: anything but j or y keeps editing.
	e.keys("n")
	if e.top() != kit.Screen(ed) || ed.Confirm.Asking {
		t.Fatal("n did not go back to editing")
	}
	e.typeText(" en q?")
	if got := ed.Area.Value(); got != "Koken en q?" {
		t.Fatalf("text after n = %q, want the typing to go on", got)
	}
	e.keys("esc", "j")
	if _, ok := e.top().(*dossier.StepScreen); !ok {
		t.Fatalf("j did not drop the changes: %T in front", e.top())
	}
	if v := e.client().Steps[0].Answers["q1"]; v.Set() {
		t.Fatalf("dropped text was saved: %+v", v)
	}
}

func TestEditorEscUnchangedLeaves(t *testing.T) {
	e := dxOpen(t, "en", 80, 24)
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	e.push(dossier.NewEditor(e.m.Context(), e.id, "step/1/note", "Note", "as it was", nil))
	e.keys("esc")
	if _, ok := e.top().(*dossier.StepScreen); !ok {
		t.Fatalf("esc without changes stayed in %T", e.top())
	}
	// In English the question says y/n, and y drops.
	e.push(dossier.NewEditor(e.m.Context(), e.id, "step/1/note", "Note", "", nil))
	e.typeText("x")
	e.keys("esc")
	if v := e.view(); !strings.Contains(v, "Discard changes? (y/n)") {
		t.Fatalf("no English question:\n%s", v)
	}
	e.keys("y")
	if _, ok := e.top().(*dossier.StepScreen); !ok {
		t.Fatalf("y did not drop: %T in front", e.top())
	}
}

// TestEditorKeepsTextThatArrivedMeanwhile is the point of Edit with seen
// heads: a text saved elsewhere while the editor was open is not
// overwritten but kept beside the new one as a conflict.
func TestEditorKeepsTextThatArrivedMeanwhile(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	e.keys("down", "down", "down", "enter") // the editor on q1, nothing seen
	if _, err := e.st.Commit(e.id, store.Set("step/1/answer/q1", "Van de andere laptop")); err != nil {
		t.Fatal(err)
	}
	e.typeText("Van deze laptop")
	e.keys("ctrl+s")
	v := e.client().Steps[0].Answers["q1"]
	if !v.Conflict() || len(v.Heads) != 2 {
		t.Fatalf("answer = %+v, want a conflict of both texts", v)
	}
	if view := e.view(); !strings.Contains(view, "2 versies") {
		t.Fatalf("conflict not shown under the question:\n%s", view)
	}
	// Enter on a question in conflict opens the conflict, not the editor.
	e.keys("enter")
	if c, ok := e.top().(*dossier.ConflictScreen); !ok || c.Field != "step/1/answer/q1" {
		t.Fatalf("enter opened %T, want the conflict of q1", e.top())
	}
}

func TestEditorFillsBodyAndFits(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 16}, {200, 50}} {
		e := dxOpen(t, "nl", size[0], size[1])
		long := strings.Repeat("Een hele lange vraag over werk en wat daarvoor nodig is. ", 4)
		e.push(dossier.NewEditor(e.m.Context(), e.id, "step/1/answer/q1", long, strings.Repeat("regel\n", 60), nil))
		v := e.view()
		if n := strings.Count(v, "\n") + 1; n != size[1] {
			t.Errorf("%dx%d: view has %d lines, want the window's %d", size[0], size[1], n, size[1])
		}
	}
}

// TestDossierTexts checks the catalogue parts of these screens: every key
// is theirs alone (a key in two parts would silently win or lose), has a
// Dutch and an English text, and both take the same arguments.
func TestDossierTexts(t *testing.T) {
	seen := map[string]int{}
	for _, part := range texts.Parts() {
		for k := range part {
			seen[k]++
		}
	}
	verbs := func(s string) string {
		var out []string
		for i := 0; i < len(s)-1; i++ {
			if s[i] == '%' {
				out = append(out, s[i:i+2])
				i++
			}
		}
		return strings.Join(out, "")
	}
	for _, part := range []map[string][2]string{texts.Parts()["step"], texts.Parts()["entities"]} {
		for k, v := range part {
			if seen[k] > 1 {
				t.Errorf("key %q is in more than one catalogue part", k)
			}
			if v[0] == "" || v[1] == "" {
				t.Errorf("key %q lacks a Dutch or English text: %q", k, v)
			}
			if verbs(v[0]) != verbs(v[1]) {
				t.Errorf("key %q: Dutch takes %q, English %q", k, verbs(v[0]), verbs(v[1]))
			}
		}
	}
}

// TestEditorUnchangedWithTabs: the text area turns tabs into spaces; a
// text with tabs that the user did not touch is still unchanged.
func TestEditorUnchangedWithTabs(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	if _, err := e.st.Commit(e.id, store.Set("step/1/note", "kolom\tkolom\r\n")); err != nil {
		t.Fatal(err)
	}
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	e.keys("N", "esc")
	if _, ok := e.top().(*dossier.StepScreen); !ok {
		t.Fatalf("esc on an untouched text asked anyway: %T in front", e.top())
	}
	e.keys("N", "ctrl+s")
	if hist, _ := e.st.History(e.id, "step/1/note"); len(hist) != 1 {
		t.Fatalf("saving an untouched text made %d ops", len(hist)-1)
	}
}
