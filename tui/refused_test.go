package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/clients"
)

// fakeRefused is a refused list in memory.
type fakeRefused struct {
	ops     []RefusedOp
	cleared int
}

func (f *fakeRefused) RefusedOps() ([]RefusedOp, error) { return f.ops, nil }
func (f *fakeRefused) ClearRefused() error              { f.cleared++; f.ops = nil; return nil }

// drive runs the Cmds of msg through the root until nothing more comes,
// as the Bubble Tea runtime would (a few rounds).
func (h *syncHarness) drive(msg tea.Msg) {
	h.t.Helper()
	msgs := h.update(msg)
	for i := 0; i < 5 && len(msgs) > 0; i++ {
		msgs = h.feed(msgs)
	}
}

func TestRefusedScreenShowsWhatAndWhy(t *testing.T) {
	for _, tc := range []struct{ lang, title, reason, yes string }{
		{"nl", "Geweigerde wijzigingen", "geen toegang", "j"},
		{"en", "Refused changes", "no access", "y"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			src := &fakeRefused{}
			h := newSyncHarness(t, tc.lang, &SyncOptions{Status: &fakeSyncStatus{local: SyncLocal{Refused: 1}}, Refused: src})
			id, err := h.st.CreateClient(store.NewClient{Name: "Yara Bosman"})
			if err != nil {
				t.Fatal(err)
			}
			src.ops = []RefusedOp{{Dossier: id, Field: "step/1/answer/q1", Code: "forbidden",
				Reason: `the dossier belongs to team "Zuid", which is not one of yours`, At: clToday.Add(-time.Hour)}}

			h.drive(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("R")})
			view := h.m.View()
			for _, want := range []string{tc.title, "Yara Bosman", tc.reason} {
				if !strings.Contains(view, want) {
					t.Errorf("refused screen lacks %q:\n%s", want, view)
				}
			}
			// The server's explanation is English: in English it follows
			// the code's words; a Dutch screen has the code's words alone.
			if got := strings.Contains(view, `team "Zuid", which is not`); got != (tc.lang == "en") {
				t.Errorf("the server's English explanation shown: %v, want %v:\n%s", got, tc.lang == "en", view)
			}
			for _, line := range strings.Split(view, "\n") {
				if w := len([]rune(line)); w > 80 {
					t.Errorf("line wider than 80 (%d): %q", w, line)
				}
			}
			// x asks first; any key but yes keeps the list.
			h.drive(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
			h.drive(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
			if src.cleared != 0 {
				t.Fatal("list cleared without a yes")
			}
			h.drive(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
			h.drive(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(tc.yes)})
			if src.cleared != 1 {
				t.Fatalf("cleared %d times, want once", src.cleared)
			}
			if _, open := h.m.Top().(*refusedScreen); open {
				t.Error("the screen stayed open after clearing")
			}
		})
	}
}

func TestRefusedKeyNeedsAReader(t *testing.T) {
	h := newSyncHarness(t, "nl", nil)
	h.drive(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("R")})
	if _, open := h.m.Top().(*refusedScreen); open {
		t.Error("R opened the refused screen without a server configured")
	}
}

// The user's teams, as the last sync recorded them, reach the context so
// that a new-client form opened afterwards offers them.
func TestSyncStatusUpdatesTeams(t *testing.T) {
	h := newSyncHarness(t, "nl", &SyncOptions{Status: &fakeSyncStatus{}})
	h.update(syncLocalMsg{local: SyncLocal{Teams: []string{"Team Noord", "Team Zuid"}}, hasLocal: true})
	f := clients.NewClientForm(h.m.Context()).(*clients.ClientForm)
	if got := f.Inputs[clients.FieldTeam].Placeholder; got != "Team Noord, Team Zuid" {
		t.Errorf("form offers %q, want both teams", got)
	}
	h.update(syncLocalMsg{local: SyncLocal{}, hasLocal: true})
	if len(h.m.Context().Teams) != 2 {
		t.Error("a status read that knows no teams forgot the known ones")
	}
}
