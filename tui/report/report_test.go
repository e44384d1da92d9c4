package report

import (
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/kit/kittest"
	"github.com/brug-nl/brug/tui/texts"
)

// rpFailingStore counts with an error.
type rpFailingStore struct{ kit.Store }

// rpPlainStore hides the store's FlowReport, as a store that cannot count.
type rpPlainStore struct{ kit.Store }

// rpLoaded is the report screen on st, loaded.
func rpLoaded(t testing.TB, st kit.Store, width, height int) *FlowReport {
	t.Helper()
	ctx := kittest.Context(st, width, height)
	s := NewFlowReport(ctx)
	s.SetSize(width, height)
	s, _ = kittest.Run(t, s, s.Init())
	r := s.(*FlowReport)
	if !r.loaded {
		t.Fatalf("report not loaded: %v", r.err)
	}
	return r
}

func TestFlowReportShowsTheCurrentQuarter(t *testing.T) {
	st := kittest.FlowStore(t)
	kittest.FlowData(t, st)
	r := rpLoaded(t, st, 100, 40)
	q := r.report.Query
	if q.From != "2025-07-01" || q.To != "2025-09-15" || len(q.Teams) != 0 {
		t.Errorf("query %+v, want the third quarter up to today, all teams", q)
	}
	if r.report.People != 5 || r.report.MovedOn != 2 || r.report.SteppedBack != 1 {
		t.Errorf("report %+v", r.report.FlowCounts)
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
	st := kittest.FlowStore(t)
	kittest.FlowData(t, st)
	r := rpLoaded(t, st, 100, 40)
	period := func() string { return r.report.Query.From + ".." + r.report.Query.To }

	s, _ := kittest.Press(t, r, "left")
	r = s.(*FlowReport)
	if period() != "2025-04-01..2025-06-30" || r.report.MovedOn != 1 || store.Count(r.report.MovedTo, store.PlaceOpleiding) != 1 {
		t.Errorf("previous quarter: %s, %+v", period(), r.report.FlowCounts)
	}
	if !strings.Contains(r.View(), "2e kwartaal 2025") {
		t.Errorf("view does not name the second quarter:\n%s", r.View())
	}
	kittest.Press(t, r, "right")
	if period() != "2025-07-01..2025-09-15" {
		t.Errorf("next quarter: %s", period())
	}
	// The period holding today is the last one.
	_, root := kittest.Press(t, r, "right")
	if period() != "2025-07-01..2025-09-15" || len(root) != 0 {
		t.Errorf("went past today: %s", period())
	}
	kittest.Press(t, r, "p")
	if period() != "2025-01-01..2025-09-15" || r.report.MovedOn != 3 || r.report.SteppedBack != 1 {
		t.Errorf("this year: %s, %+v", period(), r.report.FlowCounts)
	}
	kittest.Press(t, r, "[")
	if period() != "2024-01-01..2024-12-31" || r.report.People != 0 {
		t.Errorf("last year: %s, %+v", period(), r.report.FlowCounts)
	}
	if !strings.Contains(r.View(), "jaar 2024") || !strings.Contains(r.View(), "Niemand in deze periode") {
		t.Errorf("an empty year says so:\n%s", r.View())
	}
	kittest.Press(t, r, "p") // the quarter of the month the period was left at
	if period() != "2024-07-01..2024-09-30" {
		t.Errorf("back to quarters: %s", period())
	}
}

// TestFlowReportQuarterStepsFromMonthEnds checks that stepping from the
// last day of a long month never skips a quarter.
func TestFlowReportQuarterStepsFromMonthEnds(t *testing.T) {
	st := kittest.FlowStore(t)
	ctx := kittest.Context(st, 100, 40)
	ctx.Now = func() time.Time { return time.Date(2025, 12, 31, 10, 0, 0, 0, time.UTC) }
	r := NewFlowReport(ctx).(*FlowReport)
	r.anchor = time.Date(2025, 3, 31, 10, 0, 0, 0, time.UTC)
	var got []string
	for range 4 {
		r.step(1)
		from, _ := r.period()
		got = append(got, from)
	}
	if want := []string{"2025-04-01", "2025-07-01", "2025-10-01", "2025-10-01"}; !slices.Equal(got, want) {
		t.Errorf("quarters %v, want %v", got, want)
	}
}

func TestFlowReportTeamCycles(t *testing.T) {
	st := kittest.FlowStore(t)
	kittest.FlowData(t, st)
	r := rpLoaded(t, st, 100, 40)
	var seen []string
	for range 4 {
		kittest.Press(t, r, "t")
		seen = append(seen, fmt.Sprintf("%v:%d", r.report.Query.Teams, r.report.People))
	}
	if want := []string{"[Noord]:2", "[Wijkteam Oost]:1", "[Zuid]:2", "[]:5"}; !slices.Equal(seen, want) {
		t.Errorf("teams %v, want %v", seen, want)
	}
	kittest.Press(t, r, "t")
	if !strings.Contains(r.View(), "team: Noord") || !strings.Contains(r.View(), "1 van 2 doorgestroomd") {
		t.Errorf("view for Noord:\n%s", r.View())
	}

	// With a server, the user's own teams are offered, whatever the file holds.
	ctx := kittest.Context(st, 100, 40)
	ctx.Teams = []string{"Zuid", "West"}
	s := NewFlowReport(ctx)
	s, _ = kittest.Run(t, s, s.Init())
	seen = nil
	for range 3 {
		s, _ = kittest.Press(t, s, "t")
		fr := s.(*FlowReport)
		seen = append(seen, fmt.Sprintf("%v:%d", fr.report.Query.Teams, fr.report.People))
	}
	if want := []string{"[Zuid]:2", "[West]:0", "[]:5"}; !slices.Equal(seen, want) {
		t.Errorf("server teams %v, want %v", seen, want)
	}
}

func TestFlowReportReloadsAfterChange(t *testing.T) {
	st := kittest.FlowStore(t)
	ids := kittest.FlowData(t, st)
	r := rpLoaded(t, st, 100, 40)
	kittest.Move(t, st, ids["Dirk"], "2025-09-10", store.PlaceRegulier)
	_, cmd := r.Update(kit.ChangedMsg{Dossier: ids["Dirk"]})
	kittest.Run(t, r, cmd)
	if r.report.MovedOn != 3 || store.Count(r.report.MovedTo, store.PlaceRegulier) != 1 {
		t.Errorf("after a move: %+v", r.report.FlowCounts)
	}
}

func TestFlowReportDropsStaleAnswers(t *testing.T) {
	st := kittest.FlowStore(t)
	kittest.FlowData(t, st)
	r := rpLoaded(t, st, 100, 40)
	old := r.seq
	r.reload() // a newer load is asked for; its answer has not come yet
	kittest.Run(t, r, func() tea.Msg { return flowLoadedMsg{seq: old, report: store.FlowReport{}} })
	if r.loaded || r.report.People != 5 {
		t.Errorf("an old answer was taken: loaded %v, %+v", r.loaded, r.report.FlowCounts)
	}
}

func TestFlowReportWithoutReporter(t *testing.T) {
	st := kittest.FlowStore(t)
	ctx := kittest.Context(rpPlainStore{st}, 80, 20)
	s := NewFlowReport(ctx)
	if cmd := s.Init(); cmd != nil {
		t.Error("a store that cannot count is asked to")
	}
	if v := s.View(); !strings.Contains(v, "niet beschikbaar") {
		t.Errorf("view:\n%s", v)
	}
}

func TestFlowReportError(t *testing.T) {
	st := kittest.FlowStore(t)
	ctx := kittest.Context(rpFailingStore{st}, 80, 20)
	s := NewFlowReport(ctx)
	s, root := kittest.Run(t, s, s.Init())
	if len(root) != 1 {
		t.Fatalf("root messages %v", root)
	}
	if m, ok := root[0].(kit.StatusMsg); !ok || !m.Err || !strings.Contains(m.Text, "de schijf gaf een leesfout of schrijffout bij /tmp/brug.db") {
		t.Errorf("status %+v", root[0])
	}
	if v := s.View(); !strings.Contains(v, "Kan de doorstroom niet tellen: de schijf gaf een leesfout") {
		t.Errorf("view:\n%s", v)
	}
}

func TestFlowReportHelp(t *testing.T) {
	st := kittest.FlowStore(t)
	for _, lang := range []string{"nl", "en"} {
		ctx := kittest.Context(st, 80, 20)
		ctx.T = texts.NewTexts(lang)
		ctx.Keys = kit.NewKeyMap(ctx.T)
		var keys []string
		for _, b := range NewFlowReport(ctx).Help() {
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
	st := kittest.FlowStore(t)
	kittest.FlowData(t, st)
	for _, size := range [][2]int{{60, 12}, {80, 20}, {109, 30}, {110, 30}, {200, 46}} {
		r := rpLoaded(t, st, size[0], size[1])
		colour := lipgloss.NewRenderer(io.Discard)
		colour.SetColorProfile(termenv.TrueColor)
		for i, lang := range []string{"nl", "en"} {
			r.ctx.T = texts.NewTexts(lang)
			if i == 1 {
				r.ctx.Styles = kit.NewStyles(colour, kit.DefaultPalette())
			}
			r.scroll(-1000)
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
				if r.offset == r.maxOffset() {
					if strings.Contains(r.View(), "↓") {
						t.Errorf("%v %s: says more at the end", size, lang)
					}
					break
				}
				kittest.Press(t, r, "down")
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
		if got := flowBar(c.count, c.most, c.width); got != c.want {
			t.Errorf("flowBar(%d, %d, %d) = %q, want %q", c.count, c.most, c.width, got, c.want)
		}
	}
}

// TestFlowReportEndAndHome: G/End go to the report's last line, g/Home back
// to its first, as in every other scrolling screen.
func TestFlowReportEndAndHome(t *testing.T) {
	st := kittest.FlowStore(t)
	kittest.FlowData(t, st)
	r := rpLoaded(t, st, 60, 6)
	if r.maxOffset() == 0 {
		t.Fatal("the report fits in 6 lines; the test needs it to scroll")
	}
	for _, k := range []string{"G", "end"} {
		r.offset = 0
		kittest.Press(t, r, k)
		if r.offset != r.maxOffset() {
			t.Errorf("%s: offset %d, want the end %d", k, r.offset, r.maxOffset())
		}
	}
	for _, k := range []string{"g", "home"} {
		r.offset = r.maxOffset()
		kittest.Press(t, r, k)
		if r.offset != 0 {
			t.Errorf("%s: offset %d, want 0", k, r.offset)
		}
	}
}

func (rpFailingStore) FlowReport(store.FlowQuery) (store.FlowReport, error) {
	return store.FlowReport{}, &fs.PathError{Op: "read", Path: "/tmp/brug.db", Err: syscall.EIO}
}
