package tui

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/clients"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/kit/kittest"
	"github.com/brug-nl/brug/tui/texts"
)

// The screen test helpers live in tui/kit/kittest, shared with the
// feature packages' tests; these names keep the app's tests short.
var clToday = kittest.Today

func clStore(t testing.TB) *store.Store             { return kittest.Store(t) }
func clRenderer() *lipgloss.Renderer                { return kittest.Renderer() }
func clContext(st kit.Store, w, h int) *kit.Context { return kittest.Context(st, w, h) }
func clFlatten(cmd tea.Cmd) []tea.Msg               { return kittest.Flatten(cmd) }
func clRun(t testing.TB, s kit.Screen, cmd tea.Cmd) (kit.Screen, []tea.Msg) {
	t.Helper()
	return kittest.Run(t, s, cmd)
}
func clType(t testing.TB, s kit.Screen, text string) kit.Screen {
	t.Helper()
	return kittest.Type(t, s, text)
}
func clPress(t testing.TB, s kit.Screen, keys ...string) (kit.Screen, []tea.Msg) {
	t.Helper()
	return kittest.Press(t, s, keys...)
}
func clCreate(t testing.TB, st *store.Store, n store.NewClient) string {
	t.Helper()
	return kittest.Create(t, st, n)
}
func clAdd(t testing.TB, st *store.Store, id, kind string, fields map[string]string) {
	t.Helper()
	kittest.Add(t, st, id, kind, fields)
}

// clDrive feeds cmd's messages to the root model until nothing is left,
// as the Bubble Tea runtime would, minus the terminal.
func clDrive(t testing.TB, m *Model, cmd tea.Cmd) {
	t.Helper()
	queue := clFlatten(cmd)
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 {
			t.Fatal("commands do not settle")
		}
		msg := queue[0]
		queue = queue[1:]
		if _, ok := msg.(tea.QuitMsg); ok {
			continue
		}
		_, next := m.Update(msg)
		queue = append(queue, clFlatten(next)...)
	}
}

// clLoadedList is a list screen on st that has loaded its clients.
func clLoadedList(t testing.TB, st kit.Store, width, height int) *clients.ClientList {
	t.Helper()
	ctx := clContext(st, width, height)
	s := clients.NewClientList(ctx)
	s.SetSize(width, height)
	s, _ = clRun(t, s, s.Init())
	l := s.(*clients.ClientList)
	if !l.Loaded {
		t.Fatalf("list did not load: %v", l.Err)
	}
	return l
}

func shownNames(l *clients.ClientList) []string {
	out := make([]string, len(l.Shown))
	for i, r := range l.Shown {
		out[i] = l.Rows[r].Name
	}
	return out
}

func TestListFilterNarrowsRows(t *testing.T) {
	st := clStore(t)
	clCreate(t, st, store.NewClient{Name: "Anna de Vries", Team: "Noord"})
	clCreate(t, st, store.NewClient{Name: "Bram Jansen", Team: "Zuid"})
	clCreate(t, st, store.NewClient{Name: "Cor van Dijk", Team: "Noord"})
	l := clLoadedList(t, st, 80, 21)
	if got := len(l.Shown); got != 3 {
		t.Fatalf("shown %d, want 3", got)
	}
	var s kit.Screen = l
	s, _ = clPress(t, s, "/")
	if !s.Capturing() {
		t.Fatal("/ did not focus the filter")
	}
	s = clType(t, s, "noord")
	if got := strings.Join(shownNames(l), ","); got != "Anna de Vries,Cor van Dijk" {
		t.Errorf("filter on team: %s", got)
	}
	s, _ = clPress(t, s, "backspace", "backspace", "backspace", "backspace", "backspace")
	if len(l.Shown) != 3 {
		t.Errorf("an emptied filter shows %d rows, want 3", len(l.Shown))
	}
	s = clType(t, s, "VAN")
	if got := strings.Join(shownNames(l), ","); got != "Cor van Dijk" {
		t.Errorf("case-insensitive filter on name: %s", got)
	}
	if !strings.Contains(s.View(), "1 van 3 cliënten") {
		t.Errorf("count line missing:\n%s", s.View())
	}
	s = clType(t, s, "xyz")
	if len(l.Shown) != 0 || !strings.Contains(s.View(), "Geen cliënt gevonden") {
		t.Errorf("no-match state:\n%s", s.View())
	}
	s, _ = clPress(t, s, "esc")
	if s.Capturing() || l.Filter.Value() != "" || len(l.Shown) != 3 {
		t.Errorf("esc should clear and leave the filter: capturing %v, value %q, shown %d", s.Capturing(), l.Filter.Value(), len(l.Shown))
	}
}

func TestListHidesRemoved(t *testing.T) {
	st := clStore(t)
	clCreate(t, st, store.NewClient{Name: "Blijft"})
	gone := clCreate(t, st, store.NewClient{Name: "Weg"})
	if _, err := st.Commit(gone, store.Set("exists", "0")); err != nil {
		t.Fatal(err)
	}
	l := clLoadedList(t, st, 80, 21)
	if got := strings.Join(shownNames(l), ","); got != "Blijft" {
		t.Errorf("shown %s, want only Blijft", got)
	}
}

func TestListSortCycles(t *testing.T) {
	st := clStore(t)
	b := clCreate(t, st, store.NewClient{Name: "Bram"})
	a := clCreate(t, st, store.NewClient{Name: "anna"})
	c := clCreate(t, st, store.NewClient{Name: "Cor"})
	// Bram is two steps on; Anna changed last.
	if _, err := st.Commit(b, store.Set("step/1/status", "done"), store.Set("step/2/status", "done")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Commit(c, store.Set("step/1/status", "done")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ToggleCheck(a, 1, "c1"); err != nil {
		t.Fatal(err)
	}
	l := clLoadedList(t, st, 80, 21)
	want := []string{
		"anna,Bram,Cor", // name, case-insensitive
		"anna,Cor,Bram", // last change first
		"anna,Cor,Bram", // step: anna at 1, Cor at 2, Bram at 3
		"anna,Bram,Cor", // back to name
	}
	var s kit.Screen = l
	for i, w := range want {
		if got := strings.Join(shownNames(l), ","); got != w {
			t.Errorf("sort %d (%s): %s, want %s", i, l.Ctx.T.S(clients.SortKeys[l.SortBy]), got, w)
		}
		s, _ = clPress(t, s, "s")
	}
	// The cursor stays on the same client across a sort: now by last
	// change, Bram is third; by name (two presses on) second.
	s, _ = clPress(t, s, "down", "down", "s", "s")
	if got := l.SelectedID(); got != b || l.Cursor != 1 || l.SortBy != clients.SortName {
		t.Errorf("selection after sort: %s at %d, want Bram at 1", got, l.Cursor)
	}
	_ = s
}

func TestListCursorBoundsAndScroll(t *testing.T) {
	st := clStore(t)
	for i := range 30 {
		clCreate(t, st, store.NewClient{Name: fmt.Sprintf("Cliënt %02d", i)})
	}
	l := clLoadedList(t, st, 80, 10) // 7 visible rows
	var s kit.Screen = l
	s, _ = clPress(t, s, "up")
	if l.Cursor != 0 {
		t.Errorf("up at top: cursor %d", l.Cursor)
	}
	s, _ = clPress(t, s, "end")
	if l.Cursor != 29 || l.Offset != 30-l.VisibleRows() {
		t.Errorf("end: cursor %d offset %d", l.Cursor, l.Offset)
	}
	s, _ = clPress(t, s, "down")
	if l.Cursor != 29 {
		t.Errorf("down at bottom: cursor %d", l.Cursor)
	}
	s, _ = clPress(t, s, "pgup")
	if l.Cursor != 29-l.VisibleRows() {
		t.Errorf("pgup: cursor %d", l.Cursor)
	}
	s, _ = clPress(t, s, "home", "pgdown", "pgdown", "pgdown", "pgdown", "pgdown")
	if l.Cursor != 29 {
		t.Errorf("pgdown past the end: cursor %d", l.Cursor)
	}
	v := s.View()
	if !strings.Contains(v, "› Cliënt 29") || strings.Contains(v, "Cliënt 00") {
		t.Errorf("view does not follow the cursor:\n%s", v)
	}
	if got := len(strings.Split(v, "\n")); got != 10 {
		t.Errorf("view has %d lines, want the body height 10", got)
	}
}

func TestListOpenAndNewPush(t *testing.T) {
	st := clStore(t)
	id := clCreate(t, st, store.NewClient{Name: "Anna"})
	l := clLoadedList(t, st, 80, 21)
	_, msgs := clPress(t, l, "enter")
	if len(msgs) != 1 {
		t.Fatalf("enter: %v", msgs)
	}
	if open, ok := msgs[0].(kit.OpenMsg); !ok || open.To != kit.OpenDossier || open.Dossier != id {
		t.Errorf("enter sent %#v, want OpenMsg for the overview of %s", msgs[0], id)
	}
	_, msgs = clPress(t, l, "n")
	if len(msgs) != 1 {
		t.Fatalf("n: %v", msgs)
	}
	if push, ok := msgs[0].(kit.PushMsg); !ok {
		t.Errorf("n sent %T", msgs[0])
	} else if _, ok := push.Screen.(*clients.ClientForm); !ok {
		t.Errorf("n pushed %T, want the form", push.Screen)
	}
	// Enter from the filter opens the highlighted client too.
	s, _ := clPress(t, l, "/")
	s = clType(t, s, "ann")
	_, msgs = clPress(t, s, "enter")
	if len(msgs) != 1 {
		t.Fatalf("enter in filter: %v", msgs)
	}
	if open, ok := msgs[0].(kit.OpenMsg); !ok || open.To != kit.OpenDossier || open.Dossier != id {
		t.Errorf("enter in filter sent %#v, want OpenMsg for the overview of %s", msgs[0], id)
	}
}

func TestListEmptyState(t *testing.T) {
	l := clLoadedList(t, clStore(t), 80, 21)
	if v := l.View(); !strings.Contains(v, "Druk op n") {
		t.Errorf("empty list does not say how to add a client:\n%s", v)
	}
	_, msgs := clPress(t, l, "enter")
	if len(msgs) != 0 {
		t.Errorf("enter on an empty list: %v", msgs)
	}
}

func TestListOverdueAndConflictMarks(t *testing.T) {
	st := clStore(t)
	late := clCreate(t, st, store.NewClient{Name: "Laat"})
	clAdd(t, st, late, store.EntityAgreement, map[string]string{"what": "Bel UWV", "due": "2025-09-14"})
	soon := clCreate(t, st, store.NewClient{Name: "Op tijd"})
	clAdd(t, st, soon, store.EntityAgreement, map[string]string{"what": "Proefplaatsing", "due": "2025-09-15"})
	both := clCreate(t, st, store.NewClient{Name: "Ruzie"})
	for _, v := range []string{"versie A", "versie B"} {
		if _, err := st.Commit(both, store.Edit("step/1/note", v, nil)); err != nil {
			t.Fatal(err)
		}
	}
	l := clLoadedList(t, st, 80, 21)
	lines := strings.Split(l.View(), "\n")
	row := func(name string) string {
		for _, ln := range lines {
			if strings.Contains(ln, name) {
				return ln
			}
		}
		t.Fatalf("no row for %s in\n%s", name, strings.Join(lines, "\n"))
		return ""
	}
	if r := row("Laat"); !strings.Contains(r, "14 sep 2025 te laat") {
		t.Errorf("overdue not marked: %q", r)
	}
	if r := row("Op tijd"); !strings.Contains(r, "15 sep 2025") || strings.Contains(r, "te laat") {
		t.Errorf("due today is not late: %q", r)
	}
	if r := row("Ruzie"); !strings.HasSuffix(strings.TrimRight(r, " "), "!") {
		t.Errorf("conflict marker missing: %q", r)
	}
	if r := row("Op tijd"); strings.Contains(r, "!") {
		t.Errorf("conflict marker without conflict: %q", r)
	}
}

func TestListReloadKeepsSelectionAndDropsStale(t *testing.T) {
	st := clStore(t)
	clCreate(t, st, store.NewClient{Name: "Anna"})
	bram := clCreate(t, st, store.NewClient{Name: "Bram"})
	l := clLoadedList(t, st, 80, 21)
	var s kit.Screen = l
	s, _ = clPress(t, s, "down")
	stale := l.Reload() // answered after a newer one: must be dropped
	clCreate(t, st, store.NewClient{Name: "Aaron"})
	s, _ = clRun(t, s, s.Init())
	if got := len(l.Rows); got != 3 {
		t.Fatalf("after reload: %d rows", got)
	}
	if l.SelectedID() != bram {
		t.Errorf("selection lost on reload")
	}
	before := l.Seq
	s, _ = s.Update(stale())
	if len(l.Rows) != 3 || l.Seq != before {
		t.Errorf("a stale load was applied")
	}
	// A change anywhere reloads.
	clCreate(t, st, store.NewClient{Name: "Dirk"})
	s, cmd := s.Update(kit.ChangedMsg{Dossier: bram})
	clRun(t, s, cmd)
	if got := len(l.Rows); got != 4 {
		t.Errorf("ChangedMsg did not reload: %d rows", got)
	}
}

// TestListFitsWidth checks that no line of the list is wider than the
// screen, at the smallest and a wide size, with long names and texts.
func TestListFitsWidth(t *testing.T) {
	st := clStore(t)
	id := clCreate(t, st, store.NewClient{Name: strings.Repeat("Heel lange naam ", 10), Team: strings.Repeat("Team ", 20),
		Places: []store.Place{store.PlaceDagbesteding, store.PlaceWerkervaring, store.PlaceBanenafspraak}})
	clAdd(t, st, id, store.EntityAgreement, map[string]string{"what": strings.Repeat("Afspraak met een lange tekst ", 10), "due": "2025-01-01"})
	for _, w := range []int{MinWidth, 80, 120, 200} {
		l := clLoadedList(t, st, w, 21)
		views := []string{l.View()}
		s, _ := clPress(t, l, "/")
		s = clType(t, s, "heel")
		views = append(views, s.View())
		for _, v := range views {
			for i, line := range strings.Split(v, "\n") {
				if lw := lipgloss.Width(line); lw > w {
					t.Errorf("width %d: line %d is %d wide: %q", w, i, lw, line)
				}
			}
		}
	}
}

// clSynthetic makes n summaries with Dutch-looking names, teams and due
// dates, the same every run.
func clSynthetic(n int) []store.Summary {
	first := []string{"Anna", "Bram", "Cor", "Daan", "Eva", "Fleur", "Gijs", "Hanna", "Iris", "Joris", "Kees", "Lotte", "Mees", "Noor", "Otto", "Pien", "Ruben", "Sanne", "Thijs", "Vera"}
	last := []string{"de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker"}
	teams := []string{"Noord", "Zuid", "Oost", "West", "Centrum", "Wijkteam De Hoven"}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]store.Summary, n)
	for i := range out {
		prog := make([]uint8, 6)
		step := 1 + rng.IntN(6)
		for j := range prog {
			switch {
			case j+1 < step:
				prog[j] = 100
			case j+1 == step:
				prog[j] = uint8(rng.IntN(100))
			}
		}
		s := store.Summary{ID: fmt.Sprintf("id%05d", i),
			Name:        first[rng.IntN(len(first))] + " " + last[rng.IntN(len(last))],
			Team:        teams[rng.IntN(len(teams))],
			Places:      string(store.Places()[rng.IntN(7)]),
			CurrentStep: step, StepsDone: step - 1, Progress: prog,
			Conflicts:  rng.IntN(20) / 19,
			LastChange: store.HLC(rng.Uint64N(1 << 40)),
		}
		if rng.IntN(3) > 0 {
			s.NextDue = fmt.Sprintf("2025-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28))
			s.NextWhat = "Gesprek met werkgever over proefplaatsing"
			s.OpenDues = []string{s.NextDue}
		}
		out[i] = s
	}
	return out
}

// clFakeStore serves fixed summaries; other methods are not used.
type clFakeStore struct {
	kit.Store
	summaries []store.Summary
}

func (f clFakeStore) Summaries() ([]store.Summary, error) { return f.summaries, nil }

// BenchmarkListFilterKeystroke measures one keystroke in the filter of a
// list of 10,000 clients: the Update that refilters and the View that
// draws it, with colour on. "type" adds a letter (only the rows shown are
// rescanned); "backspace" removes one (all rows are rescanned).
func BenchmarkListFilterKeystroke(b *testing.B) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	ctx := clContext(clFakeStore{summaries: clSynthetic(10_000)}, 200, 50)
	ctx.Styles = kit.NewStyles(r, kit.DefaultPalette())
	var s kit.Screen = clients.NewClientList(ctx)
	s.SetSize(200, 47) // the body of a 200x50 window: the most rows drawn
	s, _ = clRun(b, s, s.Init())
	s, _ = clPress(b, s, "/")
	s = clType(b, s, "e")
	l := s.(*clients.ClientList)
	if len(l.Rows) != 10_000 {
		b.Fatalf("%d rows", len(l.Rows))
	}
	typeKey := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'n'}}
	backKey := tea.KeyMsg{Type: tea.KeyBackspace}
	b.Run("type", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			s, _ = s.Update(backKey) // back to "e"
			b.StartTimer()
			s, _ = s.Update(typeKey) // "en"
			_ = s.View()
		}
	})
	b.Run("backspace", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			s, _ = s.Update(typeKey) // "en"
			b.StartTimer()
			s, _ = s.Update(backKey) // back to "e": a full rescan
			_ = s.View()
		}
	})
}

// TestWidgets checks the shared renderers: dates, places, counts and the
// progress bar, which must read the same without colour.
func TestWidgets(t *testing.T) {
	nl, en := texts.NewTexts("nl"), texts.NewTexts("en")
	for _, c := range []struct {
		lang     *texts.Texts
		in, want string
	}{
		{nl, "2025-03-04", "4 mrt 2025"}, {en, "2025-03-04", "4 Mar 2025"},
		{nl, "2025-12-31", "31 dec 2025"}, {nl, "", ""}, {nl, "morgen", "morgen"}, {nl, "2025-13-01", "2025-13-01"},
	} {
		if got := kit.FormatDate(c.lang, c.in); got != c.want {
			t.Errorf("formatDate(%s, %q) = %q, want %q", c.lang.Lang, c.in, got, c.want)
		}
	}
	if got := kit.PlacesLabel(nl, "dagbesteding,werkervaringsplaats"); got != "dagbesteding + werkervaringsplaats" {
		t.Errorf("placesLabel: %q", got)
	}
	if got := kit.PlaceLabel(en, store.PlaceBeschut); got != "sheltered work" {
		t.Errorf("placeLabel: %q", got)
	}
	if got := kit.PlaceLabel(nl, "maan"); got != "maan" {
		t.Errorf("unknown place: %q", got)
	}
	for _, c := range []struct {
		n      int
		nl, en string
	}{{0, "0", "0"}, {999, "999", "999"}, {1000, "1.000", "1,000"}, {10000, "10.000", "10,000"}, {1234567, "1.234.567", "1,234,567"}} {
		if got := kit.FormatCount(nl, c.n); got != c.nl {
			t.Errorf("formatCount(nl, %d) = %q", c.n, got)
		}
		if got := kit.FormatCount(en, c.n); got != c.en {
			t.Errorf("formatCount(en, %d) = %q", c.n, got)
		}
	}
	for _, c := range []struct {
		pcts  []uint8
		width int
		want  string
	}{
		{[]uint8{100, 50, 0, 0, 0, 0}, 6, "█▒░░░░"},
		{[]uint8{100, 50, 0, 0, 0, 0}, 17, "██ █░ ░░ ░░ ░░ ░░"},
		{[]uint8{100, 60, 0, 0, 0, 0}, 17, "██ █▒ ░░ ░░ ░░ ░░"},
		{[]uint8{100, 50, 0, 0, 0, 0}, 8, "█▒░░░░  "},
		{[]uint8{30}, 10, "███░░░░░░░"},
		{[]uint8{35}, 10, "███▒░░░░░░"},
		{[]uint8{99}, 10, "█████████▒"},
		{[]uint8{1}, 10, "▒░░░░░░░░░"},
		{nil, 3, "   "},
	} {
		if got := kit.ProgressCells(c.pcts, c.width); got != c.want {
			t.Errorf("progressCells(%v, %d) = %q, want %q", c.pcts, c.width, got, c.want)
		}
		st := kit.NewStyles(clRenderer(), kit.DefaultPalette())
		if got := kit.ProgressBar(st, c.pcts, c.width); got != c.want {
			t.Errorf("progressBar without colour (%v, %d) = %q, want %q", c.pcts, c.width, got, c.want)
		}
	}
}

// TestListFilterAllocations guards the filter's cost: a rescan of 10,000
// rows allocates a few times per keystroke, never per row.
func TestListFilterAllocations(t *testing.T) {
	ctx := clContext(clFakeStore{summaries: clSynthetic(10_000)}, 80, 24)
	var s kit.Screen = clients.NewClientList(ctx)
	s, _ = clRun(t, s, s.Init())
	l := s.(*clients.ClientList)
	queries := []string{"an", "a", "ja", "j"} // every change is a full rescan or a narrowing
	i := 0
	allocs := testing.AllocsPerRun(100, func() {
		l.Filter.SetValue(queries[i%len(queries)])
		i++
		l.Refilter()
	})
	if allocs > 5 {
		t.Errorf("%.0f allocations per refilter, want a handful", allocs)
	}
	if len(l.Shown) == 0 || len(l.Shown) == len(l.Rows) {
		t.Errorf("the test queries should narrow the list: %d of %d", len(l.Shown), len(l.Rows))
	}
}

// TestListFilterFoldsAccents: "zoe" finds Zoë and "celik" finds Çelik,
// whether the name's accents were stored composed or decomposed; the
// filter typed with accents finds the names written without.
func TestListFilterFoldsAccents(t *testing.T) {
	st := clStore(t)
	clCreate(t, st, store.NewClient{Name: "Zoë Bakker"})
	clCreate(t, st, store.NewClient{Name: "C\u0327elik Yilmaz"}) // C + combining cedilla
	clCreate(t, st, store.NewClient{Name: "Zoe Celik"})
	l := clLoadedList(t, st, 80, 21)
	var s kit.Screen = l
	s, _ = clPress(t, s, "/")
	for _, c := range []struct{ typed, want string }{
		{"zoe", "Zoe Celik,Zoë Bakker"},
		{"celik", "C\u0327elik Yilmaz,Zoe Celik"},
		{"çelik", "C\u0327elik Yilmaz,Zoe Celik"},
		{"zoë b", "Zoë Bakker"},
	} {
		for range 8 {
			s, _ = clPress(t, s, "backspace")
		}
		s = clType(t, s, c.typed)
		if got := strings.Join(shownNames(l), ","); got != c.want {
			t.Errorf("filter %q shows %q, want %q", c.typed, got, c.want)
		}
	}
}
