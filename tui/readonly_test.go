package tui

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

// readOnlyModel is the golden caseload with Bram Jansen's dossier (of
// team Zuid) shared with UWV Oost to read only, seen by a user of the teams Noord
// and UWV Oost, as the sync client records them: Bram's dossier is held
// read only, Anna's (Noord) is the user's own.
func readOnlyModel(t *testing.T) (*Model, *store.Store) {
	t.Helper()
	// The store judges access by its own clock: the app's day here.
	st, err := store.Open(filepath.Join(t.TempDir(), "brug.db"), store.Options{NoSync: true, Author: "test", Now: func() time.Time { return clToday }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clGoldenData(t, st)
	sums, err := st.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range sums {
		if sm.Name == "Bram Jansen" {
			if _, err := st.ShareDossier(sm.ID, store.ShareInput{Team: "UWV Oost", Org: "UWV", Purpose: "beoordeling beschut werk",
				Mode: store.ShareRead, From: "2025-09-01", Until: "2026-06-30", ConsentDate: "2025-08-28", ConsentHow: "spoken"}, clToday.Format(time.DateOnly)); err != nil {
				t.Fatal(err)
			}
		}
	}
	teams := []string{"Noord", "UWV Oost"}
	b, err := json.Marshal(teams)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetMeta(store.MetaSyncTeams, b); err != nil {
		t.Fatal(err)
	}
	m := New(Options{Store: st, Method: method.Default(), Lang: "nl", User: "jobcoach", Teams: teams,
		Renderer: clRenderer(), Now: func() time.Time { return clToday }})
	return m, st
}

// openBram opens Bram Jansen's overview from the list.
func openBram(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	clWaitFor(t, tm, "Bram Jansen", "alleen lezen")
	tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	clWaitFor(t, tm, "Alleen lezen: met je team gedeeld")
}

// TestGoldenReadOnly pins how a dossier held through a read-only share
// looks: marked "(alleen lezen)" in the list (° with a count where the
// name column is narrow) and said on its overview. Run with -update to
// regenerate, and read the diff like code.
func TestGoldenReadOnly(t *testing.T) {
	for _, size := range []struct{ w, h int }{{60, 20}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			t.Run("list", func(t *testing.T) {
				m, _ := readOnlyModel(t)
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
				clWaitFor(t, tm, "Bram", "alleen lezen: 1")
				golden.RequireEqual(t, clFinalView(t, tm, size.w, size.h))
			})
			t.Run("overview", func(t *testing.T) {
				m, _ := readOnlyModel(t)
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
				openBram(t, tm)
				golden.RequireEqual(t, clFinalView(t, tm, size.w, size.h))
			})
		})
	}
}

// TestReadOnlyRefusedInTheApp: on a dossier held read only the app opens
// no form or editor (the record form, a new journal entry) and refuses a
// checklist toggle, each with a Dutch status line, and no op is written;
// the user's own dossier still opens its form.
func TestReadOnlyRefusedInTheApp(t *testing.T) {
	m, st := readOnlyModel(t)
	ops := func() int {
		s, err := st.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return s.Ops
	}
	before := ops()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 40))
	openBram(t, tm)
	tm.Type("e") // the record form
	clWaitFor(t, tm, "Vraag het team")
	tm.Type("v") // journal: a list, it opens
	clWaitFor(t, tm, "Verslagen")
	tm.Type("n") // a new entry: a form, refused
	clWaitFor(t, tm, "Alleen lezen: dit dossier")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	clWaitFor(t, tm, "1-6 naar stap") // back on the overview
	tm.Type("1")                      // step 1: a view, it opens
	clWaitFor(t, tm, "Stap 1")
	tm.Send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}) // toggle the first item: refused by the store
	clWaitFor(t, tm, "vraag het team")
	if n := ops(); n != before {
		t.Errorf("%d ops written on a read-only dossier", n-before)
	}
	// Anna's dossier (Noord, the user's own team) opens its form.
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	clWaitFor(t, tm, "1-6 naar stap")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	clWaitFor(t, tm, "Cliënten")
	tm.Send(tea.KeyMsg{Type: tea.KeyUp})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	clWaitFor(t, tm, "coaches: Piet Bakker")
	tm.Type("e")
	clWaitFor(t, tm, "Geboortejaar")
	view := string(clFinalView(t, tm, 100, 40))
	if strings.Contains(view, "Alleen lezen") {
		t.Errorf("the user's own dossier is said to be read only:\n%s", view)
	}
}
