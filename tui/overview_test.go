package tui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/dossier"
	"github.com/brug-nl/brug/tui/kit"
)

// clOverview is a loaded overview of dossier id.
func clOverview(t *testing.T, st kit.Store, id string, width, height int) *dossier.Overview {
	t.Helper()
	ctx := clContext(st, width, height)
	s := dossier.NewOverviewScreen(ctx, id)
	s.SetSize(width, height)
	s, _ = clRun(t, s, s.Init())
	o := s.(*dossier.Overview)
	if o.Client == nil {
		t.Fatalf("overview did not load: %v", o.Err)
	}
	return o
}

// clRich makes a client with something in every part of the overview.
func clRich(t *testing.T, st *store.Store) string {
	t.Helper()
	id := clCreate(t, st, store.NewClient{Name: "Anna de Vries", BirthYear: "1990", Team: "Noord", Coaches: "Piet, Kees",
		Places: []store.Place{store.PlaceDagbesteding, store.PlaceWerkervaring}, Benefit: "wajong", RouteTarget: store.PlaceBanenafspraak})
	for _, c := range []string{"c1", "c2"} {
		if _, err := st.ToggleCheck(id, 1, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Commit(id, store.Set("step/1/status", "done"), store.Set("step/2/status", "active")); err != nil {
		t.Fatal(err)
	}
	clAdd(t, st, id, store.EntityAgreement, map[string]string{"what": "Bel UWV over de beoordeling\nen vraag naar de termijn", "due": "2025-09-10"})
	clAdd(t, st, id, store.EntityAgreement, map[string]string{"what": "Proefplaatsing bespreken met werkgever", "due": "2025-09-20"})
	clAdd(t, st, id, store.EntityAgreement, map[string]string{"what": "Vervoer regelen", "due": "2025-10-01"})
	clAdd(t, st, id, store.EntityAgreement, map[string]string{"what": "Evaluatie plannen", "due": "2025-11-01"})
	clAdd(t, st, id, store.EntityAgreement, map[string]string{"what": "Al gedaan", "due": "2025-09-01", "done": "1"})
	clAdd(t, st, id, store.EntityJournal, map[string]string{"kind": "bezoek", "date": "2025-09-01", "text": "Oud verslag"})
	clAdd(t, st, id, store.EntityJournal, map[string]string{"kind": "bezoek", "date": "2025-09-12", "text": "Bezoek op de werkplek, ging goed.\nTweede regel."})
	return id
}

func TestOverviewShowsDossier(t *testing.T) {
	st := clStore(t)
	id := clRich(t, st)
	o := clOverview(t, st, id, 80, 21)
	v := o.View()
	for _, want := range []string{
		"Anna de Vries", "geboren 1990 (35 jaar)", "team Noord", "coaches: Piet, Kees",
		"Nu op: dagbesteding + werkervaringsplaats", "Doel: banenafspraak", "Uitkering: Wajong",
		"1 Kennismaken en verkennen", "klaar", "2/",
		"10 sep 2025 te laat  Bel UWV over de beoordeling",
		"20 sep 2025", "1 okt 2025", "en nog 1",
		"12 sep 2025  Bezoek op de werkplek, ging goed.",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("overview lacks %q:\n%s", want, v)
		}
	}
	for _, not := range []string{"Al gedaan", "Oud verslag", "Tweede regel", "en vraag naar", "!"} {
		if strings.Contains(v, not) {
			t.Errorf("overview shows %q:\n%s", not, v)
		}
	}
	if o.Title() != "Anna de Vries" {
		t.Errorf("title %q", o.Title())
	}
	// The cursor starts on the current step (2).
	if !strings.Contains(v, "› 2 Partners aan tafel") {
		t.Errorf("cursor not on the current step:\n%s", v)
	}
}

func TestOverviewConflictLine(t *testing.T) {
	st := clStore(t)
	id := clCreate(t, st, store.NewClient{Name: "Bram"})
	for _, v := range []string{"versie A", "versie B"} {
		if _, err := st.Commit(id, store.Edit("step/3/note", v, nil)); err != nil {
			t.Fatal(err)
		}
	}
	v := clOverview(t, st, id, 80, 21).View()
	if !strings.Contains(v, "! 1 veld met tegenstrijdige wijzigingen") {
		t.Errorf("conflict line missing:\n%s", v)
	}
	for _, line := range strings.Split(v, "\n") {
		if strings.Contains(line, "3 Samen een doel") && !strings.HasSuffix(strings.TrimRight(line, " "), "!") {
			t.Errorf("step 3 lacks its conflict marker: %q", line)
		}
	}
}

func TestOverviewKeysPush(t *testing.T) {
	st := clStore(t)
	id := clCreate(t, st, store.NewClient{Name: "Cor"})
	o := clOverview(t, st, id, 80, 21)
	for _, k := range []string{"1", "6", "enter", "v", "a", "c", "r", "!", "p"} {
		_, msgs := clPress(t, o, k)
		if len(msgs) != 1 {
			t.Errorf("%s: %v", k, msgs)
			continue
		}
		if _, ok := msgs[0].(kit.PushMsg); !ok {
			t.Errorf("%s sent %#v, want a push", k, msgs[0])
		}
	}
	if _, msgs := clPress(t, o, "7"); len(msgs) != 0 {
		t.Errorf("7 (no such step) sent %v", msgs)
	}
}

func TestOverviewReloadsOnOwnChange(t *testing.T) {
	st := clStore(t)
	id := clCreate(t, st, store.NewClient{Name: "Daan"})
	other := clCreate(t, st, store.NewClient{Name: "Eva"})
	o := clOverview(t, st, id, 80, 21)
	if _, err := st.Commit(id, store.Set("team", "Zuid")); err != nil {
		t.Fatal(err)
	}
	_, cmd := o.Update(kit.ChangedMsg{Dossier: other})
	if cmd != nil {
		t.Errorf("a change to another dossier reloads")
	}
	s, cmd := o.Update(kit.ChangedMsg{Dossier: id})
	clRun(t, s, cmd)
	if !strings.Contains(o.View(), "team Zuid") {
		t.Errorf("not reloaded:\n%s", o.View())
	}
	// An answer for another dossier or an older load is dropped.
	o.Update(dossier.ClientMsg{ID: other, Seq: o.Seq, Client: &store.Client{ID: other}})
	o.Update(dossier.ClientMsg{ID: id, Seq: o.Seq - 1, Client: &store.Client{ID: id}})
	if o.Client.Name.Value != "Daan" {
		t.Errorf("a stale answer replaced the dossier")
	}
}

func TestOverviewNotFound(t *testing.T) {
	st := clStore(t)
	ctx := clContext(st, 80, 21)
	s := dossier.NewOverviewScreen(ctx, store.NewID())
	s, msgs := clRun(t, s, s.Init())
	if len(msgs) != 1 {
		t.Fatalf("%v", msgs)
	}
	if sm, ok := msgs[0].(kit.StatusMsg); !ok || !sm.Err || !strings.Contains(sm.Text, "esc") {
		t.Errorf("want an error status that says what to do, got %#v", msgs[0])
	}
	if !strings.Contains(s.View(), "bestaat niet") {
		t.Errorf("view: %s", s.View())
	}
}

func TestOverviewFitsWidth(t *testing.T) {
	st := clStore(t)
	id := clRich(t, st)
	if _, err := st.Commit(id, store.Set("coaches", strings.Repeat("Coach met een naam, ", 8))); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{MinWidth, 80, 140, 200} {
		for i, line := range strings.Split(clOverview(t, st, id, w, 21).View(), "\n") {
			if lw := lipgloss.Width(line); lw > w {
				t.Errorf("width %d: line %d is %d wide: %q", w, i, lw, line)
			}
		}
	}
}

// TestOverviewMarksSentBackStep: a step a coordinator sent back (active
// again, with a comment no older than that) reads "teruggestuurd" in the
// step list, not "bezig"; a step the coach made active again later does not.
func TestOverviewMarksSentBackStep(t *testing.T) {
	// A clock a second further on each reading, so "later" is later.
	now := clToday
	st, err := store.Open(filepath.Join(t.TempDir(), "brug.db"), store.Options{NoSync: true, Author: "test",
		Now: func() time.Time { now = now.Add(time.Second); return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	id := clCreate(t, st, store.NewClient{Name: "Bram"})
	if _, err := st.Commit(id, store.Set("step/1/status", "done"), store.Set("step/2/status", "done")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Commit(id, store.Set("step/1/status", "active"), store.Edit("step/1/comment", "Graag de checklist afmaken.", nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Commit(id, store.Edit("step/2/comment", "Oude opmerking.", nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Commit(id, store.Set("step/2/status", "active")); err != nil {
		t.Fatal(err)
	}
	v := clOverview(t, st, id, 80, 21).View()
	for _, line := range strings.Split(v, "\n") {
		switch {
		case strings.Contains(line, "1 Kennismaken"):
			if !strings.Contains(line, "teruggestuurd") {
				t.Errorf("step 1 was sent back: %q", line)
			}
		case strings.Contains(line, "2 Partners"):
			if strings.Contains(line, "teruggestuurd") || !strings.Contains(line, "bezig") {
				t.Errorf("step 2 was made active by the coach after the comment: %q", line)
			}
		}
	}
	if w := lipgloss.Width(v); w > 80 {
		t.Errorf("overview is %d wide", w)
	}
}
