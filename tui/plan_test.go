package tui

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

// planModel is the golden caseload with a contact for Anna, saving plans
// in saveDir ("" for none, as on the server).
func planModel(t *testing.T, saveDir string) *Model {
	t.Helper()
	st := clStore(t)
	anna := clGoldenData(t, st)
	clAdd(t, st, anna, store.EntityContact, map[string]string{"name": "Joost Mulder", "role": "jobcoach",
		"org": "Werkbedrijf", "phone": "06-11223344", "email": "joost@werkbedrijf.example"})
	return New(Options{Store: st, Method: method.Default(), Lang: "nl", User: "jobcoach",
		Renderer: clRenderer(), Now: func() time.Time { return clToday }, SaveDir: saveDir})
}

// openPlan opens Anna's overview and presses p.
func openPlan(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	clWaitFor(t, tm, "Anna de Vries", "Sanne Visser")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	clWaitFor(t, tm, "Laatste verslag")
	tm.Type("p")
	clWaitFor(t, tm, "Jouw plan, Anna")
}

// TestGoldenPlan pins the plan screen at 80x24, at the top and scrolled
// to the end (G), where the agreements and contacts are.
func TestGoldenPlan(t *testing.T) {
	t.Run("top", func(t *testing.T) {
		tm := teatest.NewTestModel(t, planModel(t, ""), teatest.WithInitialTermSize(80, 24))
		openPlan(t, tm)
		golden.RequireEqual(t, clFinalView(t, tm, 80, 24))
	})
	t.Run("end", func(t *testing.T) {
		tm := teatest.NewTestModel(t, planModel(t, ""), teatest.WithInitialTermSize(80, 24))
		openPlan(t, tm)
		tm.Type("G")
		clWaitFor(t, tm, "joost@werkbedrijf.example")
		golden.RequireEqual(t, clFinalView(t, tm, 80, 24))
	})
}

// TestPlanSaves: ctrl+s on the plan writes it as HTML and Markdown in the
// save folder, readable by the user only, and says where.
func TestPlanSaves(t *testing.T) {
	dir := t.TempDir()
	tm := teatest.NewTestModel(t, planModel(t, dir), teatest.WithInitialTermSize(200, 50))
	openPlan(t, tm)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	clWaitFor(t, tm, "Plan opgeslagen")
	base := filepath.Join(dir, "plan-anna-de-vries-"+clToday.Format(time.DateOnly))
	for ext, want := range map[string]string{".html": "<h1>Jouw plan, Anna</h1>", ".md": "# Jouw plan, Anna"} {
		b, err := os.ReadFile(base + ext)
		if err != nil {
			t.Fatalf("the plan was not saved: %v", err)
		}
		if !strings.Contains(string(b), want) || !strings.Contains(string(b), "Joost Mulder") {
			t.Errorf("%s lacks %q or the contact", base+ext, want)
		}
		if fi, err := os.Stat(base + ext); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", base+ext, fi.Mode().Perm())
		}
	}
	view := string(clFinalView(t, tm, 200, 50))
	if !strings.Contains(view, base+".html") {
		t.Errorf("the status line does not say where the plan went:\n%s", view)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestPlanSaveWithoutFolder: on the server (no save folder) ctrl+s says
// saving is not possible there and writes nothing.
func TestPlanSaveWithoutFolder(t *testing.T) {
	tm := teatest.NewTestModel(t, planModel(t, ""), teatest.WithInitialTermSize(200, 50))
	openPlan(t, tm)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	clWaitFor(t, tm, "Opslaan kan hier niet")
	_ = clFinalView(t, tm, 200, 50)
}

// TestPlanOtherLanguage: L shows the plan in English in a Dutch app, and
// ctrl+s then saves the English plan.
func TestPlanOtherLanguage(t *testing.T) {
	dir := t.TempDir()
	tm := teatest.NewTestModel(t, planModel(t, dir), teatest.WithInitialTermSize(200, 50))
	openPlan(t, tm)
	tm.Type("L")
	clWaitFor(t, tm, "Your plan, Anna", "Who can you call?")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	clWaitFor(t, tm, "Plan opgeslagen")
	b, err := os.ReadFile(filepath.Join(dir, "plan-anna-de-vries-"+clToday.Format(time.DateOnly)+".md"))
	if err != nil || !strings.Contains(string(b), "# Your plan, Anna") {
		t.Errorf("the saved plan is not the English one (%v):\n%s", err, b)
	}
	_ = clFinalView(t, tm, 200, 50)
}

// TestPlanSaveLogsPrint: saving the plan to print or hand over is a
// print in the laptop's read log (opening the dossier an open).
func TestPlanSaveLogsPrint(t *testing.T) {
	st := clStore(t)
	anna := clGoldenData(t, st)
	m := New(Options{Store: st, Method: method.Default(), Lang: "nl", User: "jobcoach",
		Renderer: clRenderer(), Now: func() time.Time { return clToday }, SaveDir: t.TempDir()})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(200, 50))
	openPlan(t, tm)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	clWaitFor(t, tm, "Plan opgeslagen")
	reads, err := st.ReadsOf(anna)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range reads {
		actions = append(actions, r.Action)
	}
	if !slices.Contains(actions, store.ReadPrint) || !slices.Contains(actions, store.ReadOpen) {
		t.Errorf("read log of the dossier holds %v, want an open and a print", actions)
	}
}
