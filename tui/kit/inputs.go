package kit

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
)

// NewTextArea is a text area styled from the program's renderer (never the
// global one, which is wrong over SSH), with a steady cursor, no line
// numbers, no length limit below the store's and no clipboard paste (over
// SSH that would read the server's clipboard; a terminal paste still works).
func NewTextArea(ctx *Context) textarea.Model {
	st := ctx.Styles
	n := st.R.NewStyle
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Prompt = "│ "
	ta.CharLimit = store.MaxText
	ta.MaxHeight = 0
	ta.MaxWidth = 0
	ta.KeyMap.Paste.SetEnabled(false)
	style := textarea.Style{
		Base:             n(),
		CursorLine:       n(),
		CursorLineNumber: st.Muted,
		EndOfBuffer:      st.Muted,
		LineNumber:       st.Muted,
		Placeholder:      st.Muted,
		Prompt:           st.Muted,
		Text:             n(),
	}
	ta.FocusedStyle, ta.BlurredStyle = style, style
	ta.BlurredStyle.Prompt = n().Foreground(st.P.Border)
	ta.Cursor.Style = n()
	ta.Cursor.TextStyle = n()
	ta.Cursor.SetMode(cursor.CursorStatic)
	return ta
}

// NewTextInput is a one-line input styled from the program's renderer,
// with a steady cursor and no clipboard paste (see NewTextArea).
func NewTextInput(ctx *Context) textinput.Model {
	st := ctx.Styles
	ti := textinput.New()
	ti.Prompt = ""
	ti.CharLimit = store.MaxScalar
	ti.KeyMap.Paste.SetEnabled(false)
	ti.PromptStyle = st.R.NewStyle()
	ti.TextStyle = st.R.NewStyle()
	ti.PlaceholderStyle = st.Muted
	ti.CompletionStyle = st.Muted
	ti.Cursor.Style = st.R.NewStyle()
	ti.Cursor.TextStyle = st.R.NewStyle()
	ti.Cursor.SetMode(cursor.CursorStatic)
	return ti
}

// DiscardPrompt asks "drop your changes? (j/n)" before a screen with
// unsaved input is left. It answers yes only to j or y.
type DiscardPrompt struct{ Asking bool }

// Answer handles a key while asking and reports whether the changes are to
// be dropped. Any key ends the question; only j or y drops.
func (d *DiscardPrompt) Answer(msg tea.KeyMsg) (drop bool) {
	d.Asking = false
	switch strings.ToLower(msg.String()) {
	case "j", "y":
		return true
	}
	return false
}

// SameHeads reports whether hs are exactly the heads with ids seen.
func SameHeads(hs []store.Head, seen []string) bool {
	if len(hs) != len(seen) {
		return false
	}
	ids := make(map[string]bool, len(seen))
	for _, id := range seen {
		ids[id] = true
	}
	for _, h := range hs {
		if !ids[h.ID] {
			return false
		}
	}
	return true
}
