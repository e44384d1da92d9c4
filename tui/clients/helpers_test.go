package clients

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/kit/kittest"
)

// Short names for the screen test helpers of tui/kit/kittest.

func clStore(t testing.TB) *store.Store             { return kittest.Store(t) }
func clContext(st kit.Store, w, h int) *kit.Context { return kittest.Context(st, w, h) }
func clKey(name string) tea.KeyMsg                  { return kittest.Key(name) }
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
