package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/kit"
)

// sharingModel is the golden caseload with Anna's dossier shared with
// the municipality's team until 1 October (within 30 days of today, 15
// September 2025) and Bram's with UWV until next summer.
func sharingModel(t *testing.T) (*Model, *store.Store, string) {
	t.Helper()
	st := clStore(t)
	anna := clGoldenData(t, st)
	today := clToday.Format(time.DateOnly)
	if _, err := st.ShareDossier(anna, store.ShareInput{Team: "Werk Gemeente", Org: "Gemeente Nijmegen", Purpose: "samen naar een werkervaringsplaats",
		Mode: store.ShareReadWrite, From: "2025-09-01", Until: "2025-10-01", ConsentDate: "2025-09-01", ConsentHow: "written"}, today); err != nil {
		t.Fatal(err)
	}
	sums, err := st.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range sums {
		if sm.Name == "Bram Jansen" {
			if _, err := st.ShareDossier(sm.ID, store.ShareInput{Team: "UWV Oost", Org: "UWV", Purpose: "beoordeling beschut werk",
				Mode: store.ShareRead, From: "2025-09-01", Until: "2026-06-30", ConsentDate: "2025-08-28", ConsentHow: "spoken"}, today); err != nil {
				t.Fatal(err)
			}
		}
	}
	m := New(Options{Store: st, Method: method.Default(), Lang: "nl", User: "jobcoach",
		Renderer: clRenderer(), Now: func() time.Time { return clToday }})
	return m, st, anna
}

// openSharing opens Anna's overview and presses D.
func openSharing(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	clWaitFor(t, tm, "Bram Jansen", "Sanne Visser")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	clWaitFor(t, tm, "Gedeeld met")
	tm.Type("D")
	clWaitFor(t, tm, "Werk Gemeente (Gemeente Nijmegen)")
}

// TestGoldenSharing pins the sharing screens at 60x20 and 80x24: the list
// with a consent that ends within 30 days flagged, the overview saying
// with whom and until when, the sharing screen, and the form refusing a
// share without the consent. Run with -update to regenerate, and read the
// diff like code.
func TestGoldenSharing(t *testing.T) {
	for _, size := range []struct{ w, h int }{{60, 20}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			t.Run("list", func(t *testing.T) {
				m, _, _ := sharingModel(t)
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
				clWaitFor(t, tm, "Bram Jansen", "Sanne Visser", "toestemming")
				golden.RequireEqual(t, clFinalView(t, tm, size.w, size.h))
			})
			t.Run("overview", func(t *testing.T) {
				m, _, _ := sharingModel(t)
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
				clWaitFor(t, tm, "Bram Jansen", "Sanne Visser")
				tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
				clWaitFor(t, tm, "Gedeeld met")
				golden.RequireEqual(t, clFinalView(t, tm, size.w, size.h))
			})
			t.Run("screen", func(t *testing.T) {
				m, _, _ := sharingModel(t)
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
				openSharing(t, tm)
				golden.RequireEqual(t, clFinalView(t, tm, size.w, size.h))
			})
			t.Run("form", func(t *testing.T) {
				m, _, _ := sharingModel(t)
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
				openSharing(t, tm)
				tm.Type("n")
				clWaitFor(t, tm, "Dossier delen")
				tm.Type("UWV Oost")
				tm.Send(tea.KeyMsg{Type: tea.KeyTab})
				tm.Type("UWV")
				tm.Send(tea.KeyMsg{Type: tea.KeyTab})
				tm.Type("banenafspraak")
				tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
				// The form says it under its fields, and the footer's
				// status line says it once its message arrived: wait for
				// both (a CI run quit in between and lost the footer's).
				clWaitForTimes(t, tm, "heeft de toestemming nodig", 2)
				golden.RequireEqual(t, clFinalView(t, tm, size.w, size.h))
			})
		})
	}
}

// shareOf returns the dossier's share with team.
func shareOf(t *testing.T, st *store.Store, dossier, team string) (store.Share, bool) {
	t.Helper()
	c, err := st.Client(dossier)
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range c.Shares {
		if sh.Team.Value == team && !sh.Removed {
			return sh, true
		}
	}
	return store.Share{}, false
}

// pollStore waits until ok holds for the store, or fails.
func pollStore(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline, not synchronising
	}
}

// TestSharingAddAndWithdraw: on the sharing screen n records a share with
// the person's consent (the consent's how chosen with →; recorded by the
// user), and X twice withdraws it as of today (after a first X that only
// asks), the other share left alone.
func TestSharingAddAndWithdraw(t *testing.T) {
	m, st, anna := sharingModel(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 40))
	openSharing(t, tm)
	tm.Type("n")
	clWaitFor(t, tm, "Dossier delen")
	tm.Type("UWV Oost")
	tm.Send(tea.KeyMsg{Type: tea.KeyTab})
	tm.Type("UWV")
	tm.Send(tea.KeyMsg{Type: tea.KeyTab})
	tm.Type("banenafspraak")
	for range 5 { // mode, from, until, consent day, consent how
		tm.Send(tea.KeyMsg{Type: tea.KeyTab})
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRight}) // spoken
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	clWaitFor(t, tm, "Gedeeld.", "UWV Oost (UWV)")
	var sh store.Share
	pollStore(t, "the new share", func() bool {
		var ok bool
		sh, ok = shareOf(t, st, anna, "UWV Oost")
		return ok
	})
	today := clToday.Format(time.DateOnly)
	if sh.Org.Value != "UWV" || sh.Purpose.Value != "banenafspraak" || sh.Mode.Value != store.ShareRead || sh.From.Value != today ||
		sh.Until.Value != "2025-12-31" || sh.ConsentDate.Value != today || sh.ConsentHow.Value != "spoken" || sh.ConsentBy.Value != "jobcoach" {
		t.Fatalf("share recorded as %+v", sh.Terms())
	}
	// The new share is the second row: go there, X, another key: nothing.
	tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	tm.Type("X")
	clWaitFor(t, tm, "intrekken per vandaag")
	if sh, _ := shareOf(t, st, anna, "UWV Oost"); sh.Withdrawn.Value != "" {
		t.Fatalf("withdrawn after one X")
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyUp})
	tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	tm.Type("X")
	tm.Type("X")
	// The status comes before the reload that shows the withdrawal.
	clWaitFor(t, tm, "Toestemming ingetrokken", "ingetrokken op")
	pollStore(t, "the withdrawal", func() bool {
		sh, _ = shareOf(t, st, anna, "UWV Oost")
		return sh.Withdrawn.Value != ""
	})
	if sh.Withdrawn.Value != today {
		t.Errorf("withdrawn %q, want today", sh.Withdrawn.Value)
	}
	if other, _ := shareOf(t, st, anna, "Werk Gemeente"); other.Withdrawn.Value != "" {
		t.Errorf("the other share was withdrawn too")
	}
	view := string(clFinalView(t, tm, 80, 40))
	if !strings.Contains(view, "ingetrokken op") {
		t.Errorf("the screen does not show the withdrawal:\n%s", view)
	}
}

// TestConsentItemOpensSharing: on step 1 the checklist item about
// consent (c8) offers D and opens the sharing screen; on another item D
// does nothing.
func TestConsentItemOpensSharing(t *testing.T) {
	m, _, _ := sharingModel(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 40))
	clWaitFor(t, tm, "Bram Jansen", "Sanne Visser")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	clWaitFor(t, tm, "Gedeeld met")
	tm.Type("1")
	clWaitFor(t, tm, "Checklist")
	tm.Type("D") // on c1: nothing
	for range 7 {
		tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	}
	clWaitFor(t, tm, "D delen")
	tm.Type("D")
	clWaitFor(t, tm, "Werk Gemeente (Gemeente Nijmegen)")
	view := string(clFinalView(t, tm, 100, 40))
	if !strings.Contains(view, "Delen") {
		t.Errorf("not the sharing screen:\n%s", view)
	}
}

// TestCoordinatorSeesDossiersSharedWithTheirTeam: a coordinator's team
// overview and review queue hold the dossiers shared with their team
// today (review across caseloads), not those of other teams, nor one whose
// share ended.
func TestCoordinatorSeesDossiersSharedWithTheirTeam(t *testing.T) {
	st := coStore(t)
	ids := coFixture(t, st)
	today := clToday.Format(time.DateOnly)
	if _, err := st.ShareDossier(ids["Anna"], store.ShareInput{Team: "Gemeente Werk", Org: "Gemeente", Purpose: "werk",
		Mode: store.ShareRead, From: "2025-09-01", Until: "2025-12-31", ConsentDate: "2025-09-01", ConsentHow: "written"}, today); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ShareDossier(ids["Cor"], store.ShareInput{Team: "Gemeente Werk", Org: "Gemeente", Purpose: "werk",
		Mode: store.ShareRead, From: "2025-08-01", Until: "2025-09-14", ConsentDate: "2025-08-01", ConsentHow: "written"}, today); err != nil {
		t.Fatal(err)
	}
	e := coOpen(t, st, kit.RoleCoordinator, []string{"Gemeente Werk"}, 80, 24)
	e.keys("O")
	if got := teamRows(t, e); !slices.Equal(got, []string{"Anna"}) {
		t.Errorf("team overview = %v, want only Anna (shared today; Cor's share ended yesterday)", got)
	}
	e.keys("esc", "B")
	if got := queueRows(t, e); len(got) == 0 || !strings.HasPrefix(got[0], "Anna") {
		t.Errorf("review queue = %v, want Anna's waiting step", got)
	}
}

// TestSharingNamesTheRegistersOrganisation: the organisation a share
// names is what a move to another organisation is consented for
// (store.CheckTransfer). For a team the register lists, the form refuses
// another organisation and records the register's when left empty; for a
// team it does not list (the region's default organisation) it stays
// empty.
func TestSharingNamesTheRegistersOrganisation(t *testing.T) {
	m, st, anna := sharingModel(t)
	if err := st.SetRegister(store.NewRegister([]store.Org{{Name: "UWV Nederland", Kind: store.OrgUWV, Teams: []string{"UWV Noord"}}})); err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 40))
	openSharing(t, tm)
	add := func(team, org string) {
		tm.Type("n")
		clWaitFor(t, tm, "Dossier delen")
		tm.Type(team)
		tm.Send(tea.KeyMsg{Type: tea.KeyTab})
		tm.Type(org)
		tm.Send(tea.KeyMsg{Type: tea.KeyTab})
		tm.Type("werk")
		for range 5 { // mode, from, until, consent day, consent how
			tm.Send(tea.KeyMsg{Type: tea.KeyTab})
		}
		tm.Send(tea.KeyMsg{Type: tea.KeyRight}) // spoken
		tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	}
	add("UWV Noord", "Gemeente Nijmegen")
	clWaitFor(t, tm, "Team UWV Noord hoort volgens het register bij UWV Nederland")
	if _, ok := shareOf(t, st, anna, "UWV Noord"); ok {
		t.Fatal("a share with another organisation than the register's was recorded")
	}
	// The focus is on the organisation: emptied, the register's is taken.
	for range len("Gemeente Nijmegen") {
		tm.Send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	clWaitFor(t, tm, "Gedeeld.", "UWV Noord (UWV Nederland)")
	add("Vrije Inloop", "")
	clWaitFor(t, tm, "Gedeeld.")
	var sh store.Share
	pollStore(t, "the share with the team of the default organisation", func() bool {
		var ok bool
		sh, ok = shareOf(t, st, anna, "Vrije Inloop")
		return ok
	})
	if sh.Org.Value != "" {
		t.Errorf("a team the register does not list: org %q, want the default organisation (empty)", sh.Org.Value)
	}
	if sh, _ := shareOf(t, st, anna, "UWV Noord"); sh.Org.Value != "UWV Nederland" {
		t.Errorf("org %q, want the register's", sh.Org.Value)
	}
}

// TestEmptySharingOffersNew: a dossier shared with nobody says "press n to
// share it"; at 60 columns its help bar must offer n, not X (withdraw a
// consent there is none of), which pushed n off the bar before.
func TestEmptySharingOffersNew(t *testing.T) {
	tm := teatest.NewTestModel(t, clGoldenModel(t), teatest.WithInitialTermSize(MinWidth, MinHeight))
	clWaitFor(t, tm, "Anna de Vries", "Sanne Visser")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	clWaitFor(t, tm, "Stappen")
	tm.Type("D")
	clWaitFor(t, tm, "niemand buiten het eigen team")
	view := string(clFinalView(t, tm, MinWidth, MinHeight))
	lines := strings.Split(view, "\n")
	bar := lines[len(lines)-1]
	if !strings.Contains(bar, "n nieuw") {
		t.Errorf("the help bar of an empty sharing list lacks n: %q", bar)
	}
	for _, no := range []string{"X ", "enter bewerken", "x verwijderen", "u terugzetten"} {
		if strings.Contains(bar, no) {
			t.Errorf("the help bar of an empty sharing list offers %q: %q", no, bar)
		}
	}
}
