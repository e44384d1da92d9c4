package tui

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/report"
	"github.com/brug-nl/brug/tui/texts"
)

// rpStore is a store whose clock stands on 6 January 2025, so the dossiers
// made in it exist before the periods the tests look at (the app's clock,
// clToday, is 15 September 2025).
func rpStore(t testing.TB) *store.Store {
	t.Helper()
	made := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	s, err := store.Open(filepath.Join(t.TempDir(), "brug.db"), store.Options{NoSync: true, Author: "test",
		Now: func() time.Time { return made }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func rpMove(t testing.TB, st *store.Store, id, date string, to ...store.Place) {
	t.Helper()
	if _, err := st.RecordMove(id, to, date, ""); err != nil {
		t.Fatal(err)
	}
}

// rpData fills st with a small region. In the third quarter of 2025 Anna
// moves on to a work-experience place, Cor to a banenafspraak job, and
// Bram steps back from the training he started in the second quarter.
func rpData(t testing.TB, st *store.Store) map[string]string {
	t.Helper()
	ids := map[string]string{}
	mk := func(name, team string, places ...store.Place) string {
		ids[name] = clCreate(t, st, store.NewClient{Name: name, Team: team, Places: places})
		return ids[name]
	}
	rpMove(t, st, mk("Anna", "Noord", store.PlaceDagbesteding), "2025-07-14", store.PlaceDagbesteding, store.PlaceWerkervaring)
	bram := mk("Bram", "Noord", store.PlaceDagbesteding)
	rpMove(t, st, bram, "2025-04-10", store.PlaceOpleiding)
	rpMove(t, st, bram, "2025-08-01", store.PlaceDagbesteding)
	rpMove(t, st, mk("Cor", "Zuid", store.PlaceBeschut), "2025-09-01", store.PlaceBanenafspraak)
	mk("Dirk", "Zuid", store.PlaceDagbesteding)
	mk("Fleur", "Wijkteam Oost", store.PlaceVrijwillig)
	return ids
}

// rpLoaded is the report screen on st, loaded.
func rpLoaded(t testing.TB, st kit.Store, width, height int) *report.FlowReport {
	t.Helper()
	ctx := clContext(st, width, height)
	s := report.NewFlowReport(ctx)
	s.SetSize(width, height)
	s, _ = clRun(t, s, s.Init())
	r := s.(*report.FlowReport)
	if !r.Loaded {
		t.Fatalf("report not loaded: %v", r.Err)
	}
	return r
}

func TestFlowReportShowsTheCurrentQuarter(t *testing.T) {
	st := rpStore(t)
	rpData(t, st)
	r := rpLoaded(t, st, 100, 40)
	q := r.Report.Query
	if q.From != "2025-07-01" || q.To != "2025-09-15" || len(q.Teams) != 0 {
		t.Errorf("query %+v, want the third quarter up to today, all teams", q)
	}
	if r.Report.People != 5 || r.Report.MovedOn != 2 || r.Report.SteppedBack != 1 {
		t.Errorf("report %+v", r.Report.FlowCounts)
	}
	view := r.View()
	for _, want := range []string{"3e kwartaal 2025", "1 jul 2025 – 15 sep 2025", "team: alle teams",
		"2 van 5 doorgestroomd · 1 zette een stapje terug", "Plek aan het begin", "Doorgestroomd naar",
		"Stapje terug vanaf", "Plek aan het eind"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	// Each row: the place, a bar scaled to the section's largest count
	// (here 2 for day activities at the start, at most 60 cells), and
	// the count.
	lines := strings.Split(view, "\n")
	i := slices.Index(lines, "Plek aan het begin")
	if i < 0 || i+3 >= len(lines) {
		t.Fatalf("no section for the start:\n%s", view)
	}
	for j, want := range []string{
		"  dagbesteding         " + strings.Repeat("█", 60) + " 2",
		"  vrijwilligerswerk    " + strings.Repeat("█", 30) + " 1",
		"  opleiding            " + strings.Repeat("█", 30) + " 1",
		"  werkervaringsplaats  0",
	} {
		if lines[i+1+j] != want {
			t.Errorf("row %d:\n got %q\nwant %q", j, lines[i+1+j], want)
		}
	}
}

func TestFlowReportPeriodKeys(t *testing.T) {
	st := rpStore(t)
	rpData(t, st)
	r := rpLoaded(t, st, 100, 40)
	period := func() string { return r.Report.Query.From + ".." + r.Report.Query.To }

	s, _ := clPress(t, r, "left")
	r = s.(*report.FlowReport)
	if period() != "2025-04-01..2025-06-30" || r.Report.MovedOn != 1 || store.Count(r.Report.MovedTo, store.PlaceOpleiding) != 1 {
		t.Errorf("previous quarter: %s, %+v", period(), r.Report.FlowCounts)
	}
	if !strings.Contains(r.View(), "2e kwartaal 2025") {
		t.Errorf("view does not name the second quarter:\n%s", r.View())
	}
	clPress(t, r, "right")
	if period() != "2025-07-01..2025-09-15" {
		t.Errorf("next quarter: %s", period())
	}
	// The period holding today is the last one.
	_, root := clPress(t, r, "right")
	if period() != "2025-07-01..2025-09-15" || len(root) != 0 {
		t.Errorf("went past today: %s", period())
	}
	clPress(t, r, "p")
	if period() != "2025-01-01..2025-09-15" || r.Report.MovedOn != 3 || r.Report.SteppedBack != 1 {
		t.Errorf("this year: %s, %+v", period(), r.Report.FlowCounts)
	}
	clPress(t, r, "[")
	if period() != "2024-01-01..2024-12-31" || r.Report.People != 0 {
		t.Errorf("last year: %s, %+v", period(), r.Report.FlowCounts)
	}
	if !strings.Contains(r.View(), "jaar 2024") || !strings.Contains(r.View(), "Niemand in deze periode") {
		t.Errorf("an empty year says so:\n%s", r.View())
	}
	clPress(t, r, "p") // the quarter of the month the period was left at
	if period() != "2024-07-01..2024-09-30" {
		t.Errorf("back to quarters: %s", period())
	}
}

// TestFlowReportQuarterStepsFromMonthEnds checks that stepping from the
// last day of a long month never skips a quarter.
func TestFlowReportQuarterStepsFromMonthEnds(t *testing.T) {
	st := rpStore(t)
	ctx := clContext(st, 100, 40)
	ctx.Now = func() time.Time { return time.Date(2025, 12, 31, 10, 0, 0, 0, time.UTC) }
	r := report.NewFlowReport(ctx).(*report.FlowReport)
	r.Anchor = time.Date(2025, 3, 31, 10, 0, 0, 0, time.UTC)
	var got []string
	for range 4 {
		r.Step(1)
		from, _ := r.Period()
		got = append(got, from)
	}
	if want := []string{"2025-04-01", "2025-07-01", "2025-10-01", "2025-10-01"}; !slices.Equal(got, want) {
		t.Errorf("quarters %v, want %v", got, want)
	}
}

func TestFlowReportTeamCycles(t *testing.T) {
	st := rpStore(t)
	rpData(t, st)
	r := rpLoaded(t, st, 100, 40)
	var seen []string
	for range 4 {
		clPress(t, r, "t")
		seen = append(seen, fmt.Sprintf("%v:%d", r.Report.Query.Teams, r.Report.People))
	}
	if want := []string{"[Noord]:2", "[Wijkteam Oost]:1", "[Zuid]:2", "[]:5"}; !slices.Equal(seen, want) {
		t.Errorf("teams %v, want %v", seen, want)
	}
	clPress(t, r, "t")
	if !strings.Contains(r.View(), "team: Noord") || !strings.Contains(r.View(), "1 van 2 doorgestroomd") {
		t.Errorf("view for Noord:\n%s", r.View())
	}

	// With a server, the user's own teams are offered, whatever the file holds.
	ctx := clContext(st, 100, 40)
	ctx.Teams = []string{"Zuid", "West"}
	s := report.NewFlowReport(ctx)
	s, _ = clRun(t, s, s.Init())
	seen = nil
	for range 3 {
		s, _ = clPress(t, s, "t")
		fr := s.(*report.FlowReport)
		seen = append(seen, fmt.Sprintf("%v:%d", fr.Report.Query.Teams, fr.Report.People))
	}
	if want := []string{"[Zuid]:2", "[West]:0", "[]:5"}; !slices.Equal(seen, want) {
		t.Errorf("server teams %v, want %v", seen, want)
	}
}

func TestFlowReportReloadsAfterChange(t *testing.T) {
	st := rpStore(t)
	ids := rpData(t, st)
	r := rpLoaded(t, st, 100, 40)
	rpMove(t, st, ids["Dirk"], "2025-09-10", store.PlaceRegulier)
	_, cmd := r.Update(kit.ChangedMsg{Dossier: ids["Dirk"]})
	clRun(t, r, cmd)
	if r.Report.MovedOn != 3 || store.Count(r.Report.MovedTo, store.PlaceRegulier) != 1 {
		t.Errorf("after a move: %+v", r.Report.FlowCounts)
	}
}

func TestFlowReportDropsStaleAnswers(t *testing.T) {
	st := rpStore(t)
	rpData(t, st)
	r := rpLoaded(t, st, 100, 40)
	old := r.Seq
	r.Reload() // a newer load is asked for; its answer has not come yet
	clRun(t, r, func() tea.Msg { return report.FlowLoadedMsg{Seq: old, Report: store.FlowReport{}} })
	if r.Loaded || r.Report.People != 5 {
		t.Errorf("an old answer was taken: loaded %v, %+v", r.Loaded, r.Report.FlowCounts)
	}
}

// rpPlainStore hides the store's FlowReport, as a store that cannot count.
type rpPlainStore struct{ kit.Store }

// rpFailingStore counts with an error.
type rpFailingStore struct{ kit.Store }

func (rpFailingStore) FlowReport(store.FlowQuery) (store.FlowReport, error) {
	return store.FlowReport{}, errors.New("disk on fire")
}

func TestFlowReportWithoutReporter(t *testing.T) {
	st := rpStore(t)
	ctx := clContext(rpPlainStore{st}, 80, 20)
	s := report.NewFlowReport(ctx)
	if cmd := s.Init(); cmd != nil {
		t.Error("a store that cannot count is asked to")
	}
	if v := s.View(); !strings.Contains(v, "niet beschikbaar") {
		t.Errorf("view:\n%s", v)
	}
}

func TestFlowReportError(t *testing.T) {
	st := rpStore(t)
	ctx := clContext(rpFailingStore{st}, 80, 20)
	s := report.NewFlowReport(ctx)
	s, root := clRun(t, s, s.Init())
	if len(root) != 1 {
		t.Fatalf("root messages %v", root)
	}
	if m, ok := root[0].(kit.StatusMsg); !ok || !m.Err || !strings.Contains(m.Text, "disk on fire") {
		t.Errorf("status %+v", root[0])
	}
	if v := s.View(); !strings.Contains(v, "Kan de doorstroom niet tellen: disk on fire") {
		t.Errorf("view:\n%s", v)
	}
}

func TestFlowReportOpensFromTheList(t *testing.T) {
	st := rpStore(t)
	rpData(t, st)
	l := clLoadedList(t, st, 80, 20)
	_, root := clPress(t, l, "F")
	if len(root) != 1 {
		t.Fatalf("root messages %v", root)
	}
	if open, ok := root[0].(kit.OpenMsg); !ok || open.To != kit.OpenFlowReport {
		t.Errorf("F sent %#v, want OpenMsg for the flow report", root[0])
	}
	if !slices.ContainsFunc(l.Help(), func(b key.Binding) bool { return b.Help().Key == "F" }) {
		t.Error("the list's help does not name F")
	}
}

func TestFlowReportHelp(t *testing.T) {
	st := rpStore(t)
	for _, lang := range []string{"nl", "en"} {
		ctx := clContext(st, 80, 20)
		ctx.T = texts.NewTexts(lang)
		ctx.Keys = kit.NewKeyMap(ctx.T)
		var keys []string
		for _, b := range report.NewFlowReport(ctx).Help() {
			if b.Help().Desc == "" || strings.Contains(b.Help().Desc, "«") {
				t.Errorf("%s: key %q has no help text", lang, b.Help().Key)
			}
			keys = append(keys, b.Help().Key)
		}
		if want := []string{"←", "→", "p", "t", "↑/k", "↓/j", "home", "end"}; !slices.Equal(keys, want) {
			t.Errorf("%s: help keys %v, want %v", lang, keys, want)
		}
	}
}

// TestFlowReportFits renders the report at many sizes, in Dutch without
// colour and in English with colour: no line is wider than the screen, the view is never taller, and scrolling reaches the end.
func TestFlowReportFits(t *testing.T) {
	st := rpStore(t)
	rpData(t, st)
	for _, size := range [][2]int{{60, 12}, {80, 20}, {109, 30}, {110, 30}, {200, 46}} {
		r := rpLoaded(t, st, size[0], size[1])
		colour := lipgloss.NewRenderer(io.Discard)
		colour.SetColorProfile(termenv.TrueColor)
		for i, lang := range []string{"nl", "en"} {
			r.Ctx.T = texts.NewTexts(lang)
			if i == 1 {
				r.Ctx.Styles = kit.NewStyles(colour, kit.DefaultPalette())
			}
			r.Scroll(-1000)
			for step := 0; step < 50; step++ {
				lines := strings.Split(r.View(), "\n")
				if len(lines) > size[1] {
					t.Errorf("%v %s: %d lines", size, lang, len(lines))
				}
				for _, l := range lines {
					if w := lipgloss.Width(l); w > size[0] {
						t.Errorf("%v %s: line %d wide: %q", size, lang, w, l)
					}
				}
				if r.Offset == r.MaxOffset() {
					if strings.Contains(r.View(), "↓") {
						t.Errorf("%v %s: says more at the end", size, lang)
					}
					break
				}
				clPress(t, r, "down")
			}
		}
	}
}

func TestFlowBar(t *testing.T) {
	for _, c := range []struct {
		count, most, width int
		want               string
	}{
		{0, 10, 10, ""},
		{10, 10, 10, strings.Repeat("█", 10)},
		{5, 10, 10, strings.Repeat("█", 5)},
		{1, 1000, 10, "▏"},
		{3, 8, 4, "█▌"},
	} {
		if got := report.FlowBar(c.count, c.most, c.width); got != c.want {
			t.Errorf("flowBar(%d, %d, %d) = %q, want %q", c.count, c.most, c.width, got, c.want)
		}
	}
}

// TestGoldenFlowReport pins the look of the report at 80x24 and 200x50,
// without colour. Run `go test ./tui -run TestGoldenFlowReport -update` to
// regenerate, and read the diff like code.
func TestGoldenFlowReport(t *testing.T) {
	for _, size := range []struct{ w, h int }{{60, 20}, {80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			st := rpStore(t)
			rpData(t, st)
			m := New(Options{Store: st, Method: method.Default(), Lang: "nl", User: "coordinator",
				Renderer: clRenderer(), Now: func() time.Time { return clToday }})
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
			clWaitFor(t, tm, "Anna", "Fleur")
			tm.Type("F")
			clWaitFor(t, tm, "doorgestroomd")
			golden.RequireEqual(t, clFinalView(t, tm, size.w, size.h))
		})
	}
}

// TestFlowReportEndAndHome: G/End go to the report's last line, g/Home back
// to its first, as in every other scrolling screen.
func TestFlowReportEndAndHome(t *testing.T) {
	st := rpStore(t)
	rpData(t, st)
	r := rpLoaded(t, st, 60, 6)
	if r.MaxOffset() == 0 {
		t.Fatal("the report fits in 6 lines; the test needs it to scroll")
	}
	for _, k := range []string{"G", "end"} {
		r.Offset = 0
		clPress(t, r, k)
		if r.Offset != r.MaxOffset() {
			t.Errorf("%s: offset %d, want the end %d", k, r.Offset, r.MaxOffset())
		}
	}
	for _, k := range []string{"g", "home"} {
		r.Offset = r.MaxOffset()
		clPress(t, r, k)
		if r.Offset != 0 {
			t.Errorf("%s: offset %d, want 0", k, r.Offset)
		}
	}
}
