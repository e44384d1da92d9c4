package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
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

// TestDamagedFileKnownByItsError: the root knows a damaged file by the
// error a status line carries, not by its text: a screen's own words
// without the cause's Dutch still become the damaged-file line, and a
// text that merely contains those words does not.
func TestDamagedFileKnownByItsError(t *testing.T) {
	for _, lang := range []string{"nl", "en"} {
		m := New(Options{Store: clStore(t), Lang: lang, User: "test", Renderer: clRenderer()})
		m.Update(tea.WindowSizeMsg{Width: 200, Height: 30})
		damaged := fmt.Errorf("write op: %w: page 7", store.ErrDamaged)
		msg := kit.StatusErr(m.ctx.T.S("form.err.fix"), damaged)()
		if s := msg.(kit.StatusMsg).Text; strings.Contains(s, m.ctx.T.Cause(store.ErrDamaged)) {
			t.Fatalf("%s: the test needs a text without the cause, got %q", lang, s)
		}
		m.Update(msg)
		if want := m.ctx.T.S("status.damaged"); m.status != want {
			t.Errorf("%s: status %q, want %q", lang, m.status, want)
		}
		text := "Opslaan mislukt: " + m.ctx.T.Cause(store.ErrDamaged) + "."
		m.Update(kit.StatusMsg{Text: text, Err: true, Cause: errors.New("a note that is not the file")})
		if m.status != text {
			t.Errorf("%s: a text with the cause's words became %q", lang, m.status)
		}
	}
}
