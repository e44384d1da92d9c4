package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/tui/clients"
	"github.com/brug-nl/brug/tui/dossier"
	"github.com/brug-nl/brug/tui/kit"
)

// ctrlC presses ctrl+c on the root and reports whether the app quit; what
// else the key brought about is run to the end.
func ctrlC(e *dxEnv) bool {
	e.t.Helper()
	_, cmd := e.m.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
	quit := false
	for _, msg := range clFlatten(cmd) {
		if _, ok := msg.(tea.QuitMsg); ok {
			quit = true
			continue
		}
		e.send(msg)
	}
	return quit
}

// TestCtrlCWithUnsavedTextAsks: a reflexive ctrl+c in an editor or a form
// holding typed text asks, as esc does, instead of quitting and losing
// it; while it asks, a second ctrl+c quits; with nothing typed, ctrl+c
// quits at once.
func TestCtrlCWithUnsavedTextAsks(t *testing.T) {
	cases := []struct {
		name string
		open func(e *dxEnv)
		typ  func(e *dxEnv)
	}{
		{"editor", func(e *dxEnv) {
			e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
			e.push(dossier.NewEditor(e.m.Context(), e.id, "step/1/note", "Notitie", "", nil))
		}, func(e *dxEnv) { e.typeText("Belangrijk gesprek") }},
		{"entity form", func(e *dxEnv) {
			e.push(dossier.NewAgreementsScreen(e.m.Context(), e.id))
			e.keys("n")
		}, func(e *dxEnv) { e.typeText("Bel UWV") }},
		{"client form", func(e *dxEnv) {
			e.push(clients.NewClientForm(e.m.Context()))
		}, func(e *dxEnv) { e.typeText("Anna") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := dxOpen(t, "nl", 80, 24)
			c.open(e)
			form := e.top()
			if _, ok := form.(kit.Unsaved); !ok {
				t.Fatalf("%T does not say whether it holds unsaved text", form)
			}
			c.typ(e)
			if ctrlC(e) {
				t.Fatal("ctrl+c with typed text quit")
			}
			if e.top() != form {
				t.Fatalf("ctrl+c left the screen for %T", e.top())
			}
			if v := e.view(); !strings.Contains(strings.ToLower(v), "weggooien") {
				t.Fatalf("ctrl+c did not ask:\n%s", v)
			}
			if !ctrlC(e) {
				t.Error("a second ctrl+c while asking did not quit")
			}
		})
		t.Run(c.name+" untouched", func(t *testing.T) {
			e := dxOpen(t, "nl", 80, 24)
			c.open(e)
			if !ctrlC(e) {
				t.Error("ctrl+c with nothing typed did not quit")
			}
		})
	}
}

// TestHelpBarOffersNoQuitWhileTyping: while a text input has focus, ? and
// q are typed, not obeyed, so the help bar does not offer them; elsewhere
// it does.
func TestHelpBarOffersNoQuitWhileTyping(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	e.push(dossier.NewStepScreen(e.m.Context(), e.id, 1))
	if v := e.view(); !strings.Contains(v, "q stoppen") || !strings.Contains(v, "? hulp") {
		t.Fatalf("the step screen does not offer ? and q:\n%s", v)
	}
	e.push(dossier.NewEditor(e.m.Context(), e.id, "step/1/note", "Notitie", "", nil))
	if v := e.view(); strings.Contains(v, "q stoppen") || strings.Contains(v, "? hulp") {
		t.Errorf("the editor offers ? or q, which it types:\n%s", v)
	}
}
