package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
)

// damagedStore reads like a file whose pages are damaged.
type damagedStore struct{ *store.Store }

func (damagedStore) Summaries() ([]store.Summary, error) {
	return nil, fmt.Errorf("read /home/coach/brug.db: %w (assertion failed: page 5: has unexpected type/flags: ffff)", store.ErrDamaged)
}

// TestDamagedFileInTheStatusBar: a damaged page reached while the app runs
// showed bbolt's English assertion (or crashed the app); the status bar
// now says in the user's language that the file is damaged and what to do.
func TestDamagedFileInTheStatusBar(t *testing.T) {
	for _, lang := range []string{"nl", "en"} {
		m := New(Options{Store: damagedStore{clStore(t)}, Lang: lang, User: "test", Renderer: clRenderer()})
		m.Update(tea.WindowSizeMsg{Width: 200, Height: 30})
		pending := []tea.Cmd{m.Init()}
		for i := 0; i < 50 && len(pending) > 0; i++ {
			cmd := pending[0]
			pending = pending[1:]
			if cmd == nil {
				continue
			}
			switch msg := cmd().(type) {
			case tea.BatchMsg:
				pending = append(pending, msg...)
			case nil:
			default:
				if _, ok := msg.(tea.QuitMsg); ok {
					continue
				}
				if isTick(msg) {
					continue
				}
				_, next := m.Update(msg)
				pending = append(pending, next)
			}
		}
		want := m.ctx.T.S("status.damaged")
		if m.status != want {
			t.Errorf("%s: status %q, want %q", lang, m.status, want)
		}
		if strings.Contains(m.View(), "assertion failed") {
			t.Errorf("%s: the view shows bbolt's assertion", lang)
		}
	}
}

// isTick reports a message of a timer (sync's background loop), which
// would keep the loop above running.
func isTick(msg tea.Msg) bool {
	return strings.Contains(fmt.Sprintf("%T", msg), "tick") || strings.Contains(fmt.Sprintf("%T", msg), "Tick")
}
