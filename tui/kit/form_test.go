package kit

import (
	"io"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/brug-nl/brug/tui/texts"
)

func formCtx(lang string) *Context {
	t := texts.NewTexts(lang)
	return &Context{Width: 80, Height: 24, T: t, Keys: NewKeyMap(t),
		Styles: NewStyles(lipgloss.NewRenderer(io.Discard), DefaultPalette()),
		Now:    func() time.Time { return time.Date(2025, 9, 15, 10, 0, 0, 0, time.UTC) }}
}

// TestDateFieldShowsTheDayAsTyped: a date field shows a stored day the way
// its language writes it (14-3-2025 in Dutch, like its placeholder), an
// untouched form is not dirty (esc asks nothing), and whatever way the day
// is typed, the form saves it as 2025-03-14.
func TestDateFieldShowsTheDayAsTyped(t *testing.T) {
	for _, tc := range []struct {
		lang, stored, shown string
		typed, saved        string
	}{
		{"nl", "2025-03-14", "14-3-2025", "1-4-2025", "2025-04-01"},
		{"nl", "2025-03-14", "14-3-2025", "2025-04-01", "2025-04-01"},
		{"nl", "", "", "31/12/2024", "2024-12-31"},
		{"en", "2025-03-14", "2025-03-14", "1-4-2025", "2025-04-01"},
	} {
		var got map[string]string
		save := func(_ Store, v map[string]string) error { got = v; return nil }
		fields := []FormField{{Name: "due", Label: "Datum", Kind: FieldDate, Value: tc.stored}}
		f := NewForm(formCtx(tc.lang), "", "t", fields, save, "ok")
		if v := f.Inputs[0].Value(); v != tc.shown {
			t.Errorf("%s: %q is shown as %q, want %q", tc.lang, tc.stored, v, tc.shown)
		}
		if f.HasUnsaved() {
			t.Errorf("%s: an untouched form with day %q counts as changed", tc.lang, tc.stored)
		}
		if v := f.Values()["due"]; v != tc.stored {
			t.Errorf("%s: an untouched form gives %q, want %q", tc.lang, v, tc.stored)
		}
		f.Inputs[0].SetValue(tc.typed)
		if !f.HasUnsaved() {
			t.Errorf("%s: typing %q over %q does not count as a change", tc.lang, tc.typed, tc.stored)
		}
		_, cmd := f.key(tea.KeyMsg{Type: tea.KeyCtrlS})
		if cmd == nil {
			t.Fatalf("%s: ctrl+s with %q did not save (%s)", tc.lang, tc.typed, f.ErrText)
		}
		if msg, ok := cmd().(WroteMsg); !ok || msg.Err != nil {
			t.Fatalf("%s: ctrl+s gave %#v", tc.lang, msg)
		}
		if got["due"] != tc.saved {
			t.Errorf("%s: typed %q, saved %q, want %q", tc.lang, tc.typed, got["due"], tc.saved)
		}
	}
}
