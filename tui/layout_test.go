package tui

import (
	"time"

	"fmt"
	"github.com/brug-nl/brug/store/method"
	tea "github.com/charmbracelet/bubbletea"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// TestTeamOverviewFitsEveryWidth: from the smallest window up, every row
// of the team overview is one line no wider than the window (below about
// 78 columns rows used to wrap), and two teams that share their start stay
// told apart where the team column is narrow.
func TestTeamOverviewFitsEveryWidth(t *testing.T) {
	st := coStore(t)
	for _, c := range []struct{ name, team string }{{"Anna de Vries", "Wijkteam Oost"}, {"Bram Jansen", "Wijkteam Zuid-West"}} {
		if _, err := st.CreateClient(store.NewClient{Name: c.name, Team: c.team, Places: []store.Place{store.PlaceDagbesteding}}); err != nil {
			t.Fatal(err)
		}
	}
	for w := MinWidth; w <= 200; w += 7 {
		e := coOpen(t, st, kit.RoleCoordinator, nil, w, 20)
		e.keys("O")
		v := e.view() // fails on a line wider than the window
		if n := strings.Count(v, "\n") + 1; n != 20 {
			t.Errorf("%d columns: the screen has %d lines, want 20:\n%s", w, n, v)
		}
		plain := ansi.Strip(v)
		var anna, bram string
		for _, l := range strings.Split(plain, "\n") {
			switch {
			case strings.Contains(l, "Anna"):
				anna = l
			case strings.Contains(l, "Bram"):
				bram = l
			}
		}
		if !strings.Contains(anna, "Oost") || !strings.Contains(bram, "Zuid-West") {
			t.Errorf("%d columns: the teams are not told apart:\n%s\n%s", w, anna, bram)
		}
	}
}

// TestTooSmallFitsAnyWindow: the message asking for a larger window is
// itself never cut or wider than the window, down to 20x5.
func TestTooSmallFitsAnyWindow(t *testing.T) {
	for _, size := range []struct{ w, h int }{{20, 5}, {25, 4}, {40, 10}, {59, 15}, {MinWidth, MinHeight - 1}} {
		e := dxOpen(t, "nl", size.w, size.h)
		v := e.view()
		if n := strings.Count(v, "\n") + 1; n > size.h {
			t.Errorf("%dx%d: %d lines", size.w, size.h, n)
		}
		if got := strings.Join(strings.Fields(v), " "); got != fmt.Sprintf("Maak het venster groter (minstens %dx%d).", MinWidth, MinHeight) {
			t.Errorf("%dx%d: the message reads %q", size.w, size.h, got)
		}
	}
}

// TestLongStatusIsReadWhole: a status wider than the window takes the
// sync line below it too instead of being cut at 80 columns; the screen
// keeps its height.
func TestLongStatusIsReadWhole(t *testing.T) {
	e := dxOpen(t, "nl", 80, 24)
	long := "De server weigerde 3 wijzigingen van Anna de Vries: het team Wijkteam Zuid-West hoort niet bij je account."
	e.send(kit.StatusMsg{Text: long, Err: true})
	v := e.view()
	if got := strings.Join(strings.Fields(ansi.Strip(v)), " "); !strings.Contains(got, long) {
		t.Errorf("the status is not shown whole:\n%s", v)
	}
	if n := strings.Count(v, "\n") + 1; n != 24 {
		t.Errorf("%d lines, want 24", n)
	}
	e.send(kit.StatusMsg{Text: "Opgeslagen."})
	if v := ansi.Strip(e.view()); !strings.Contains(v, "lokaal (geen server)") {
		t.Errorf("the sync line is not back after a short status:\n%s", v)
	}
}

// TestSyncFooterCountsAreGrouped: a laptop with thousands of changes
// waiting shows them as the rest of the app writes counts (12.000).
func TestSyncFooterCountsAreGrouped(t *testing.T) {
	status := &fakeSyncStatus{local: SyncLocal{Waiting: 12000, Refused: 1500}}
	fs := &fakeSyncer{answers: []fakeAnswer{{}}}
	h := newSyncHarness(t, "nl", &SyncOptions{Syncer: fs, Status: status})
	h.runInit()
	h.feed(keep[syncLocalMsg](clFlatten(h.m.loadSyncLocal())))
	if got := h.footer(); !strings.Contains(got, "12.000 wachtend") || !strings.Contains(got, "1.500 geweigerd") {
		t.Errorf("footer %q", got)
	}
}

// countingStore counts the reads of every summary.
type countingStore struct {
	kit.Store
	summaries int
}

func (c *countingStore) Summaries() ([]store.Summary, error) {
	c.summaries++
	return c.Store.Summaries()
}

// TestStartDecodesSummariesOnce: at start the list reads every summary and
// the footer's conflict count comes from that read, not from a second
// decode of all of them (issue 12); the count is right.
func TestStartDecodesSummariesOnce(t *testing.T) {
	st := clStore(t)
	addConflict(t, st, "Anna")
	addConflict(t, st, "Bram")
	cs := &countingStore{Store: st}
	m := New(Options{Store: cs, Method: method.Default(), Lang: "nl", User: "test",
		Renderer: clRenderer(), Now: func() time.Time { return clToday }})
	m.EnableSync(SyncOptions{Status: &fakeSyncStatus{}})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	clDrive(t, m, m.Init())
	if cs.summaries != 1 {
		t.Errorf("the start read all summaries %d times, want once", cs.summaries)
	}
	if got := m.syncFooter(80); !strings.Contains(got, "2 conflicten") {
		t.Errorf("footer %q does not count the 2 conflicts", got)
	}
}

// TestSyncFooterSpins: while a sync runs (the first one can take long on a
// big region) the footer's word turns a spinner; it stops with the sync.
func TestSyncFooterSpins(t *testing.T) {
	fs := &fakeSyncer{answers: []fakeAnswer{{}}}
	h := newSyncHarness(t, "nl", &SyncOptions{Syncer: fs, Status: &fakeSyncStatus{}})
	var ticks []tea.Msg
	h.m.sync.spinAfter = func(_ time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { ticks = append(ticks, msg); return msg }
	}
	msgs := clFlatten(h.m.Init())
	done := only[syncDoneMsg](t, msgs)
	spin := only[syncSpinMsg](t, msgs)
	first := h.footer()
	h.update(spin)
	second := h.footer()
	if first == second || !strings.Contains(first, "verbinden…") || !strings.Contains(second, "verbinden…") {
		t.Errorf("the spinner does not turn: %q then %q", first, second)
	}
	h.update(done)
	n := len(ticks)
	if out := h.update(syncSpinMsg{}); len(out) != 0 || len(ticks) != n {
		t.Errorf("the spinner goes on after the sync: %v", out)
	}
	if got := h.footer(); strings.ContainsAny(got, strings.Join(spinFrames.Frames, "")) {
		t.Errorf("footer after the sync still spins: %q", got)
	}
}
