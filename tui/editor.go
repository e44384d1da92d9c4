package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
)

// editorScreen edits one text field of a dossier (an answer, a note, a
// merged text) in a multi-line text area that fills the body.
type editorScreen struct {
	ctx     *Context
	dossier string
	field   string
	title   string
	initial string
	// seen are the head op ids shown when the editor opened: the save
	// replaces exactly those, so a text that arrived meanwhile becomes a
	// conflict instead of being overwritten.
	seen []string
	// alwaysSave saves also an unchanged text (a merge prefilled with all
	// versions is a new text even when accepted as is).
	alwaysSave bool
	ta         textarea.Model
	// shown is the text area's value right after it got initial: the text
	// area replaces tabs and control characters, so "unchanged" compares
	// with this, not with initial.
	shown   string
	confirm discardPrompt
	saving  bool
	width   int
	height  int
	keys    editorKeys
}

// editorKeys are the editor's own bindings, with help texts. Back (esc) is
// listed by the root.
type editorKeys struct {
	Save key.Binding
}

// NewEditor opens a multi-line editor on a text field of dossier. title
// says what is being written (the question, "Notitie"); initial is the text
// shown; seen are the ids of the heads that text came from (nil for a field
// never written). Saving replaces exactly those heads, so a text someone
// else saved meanwhile becomes a conflict, never lost.
func NewEditor(ctx *Context, dossier, field, title, initial string, seen []string) Screen {
	return newEditor(ctx, dossier, field, title, initial, seen, false)
}

func newEditor(ctx *Context, dossier, field, title, initial string, seen []string, alwaysSave bool) *editorScreen {
	e := &editorScreen{ctx: ctx, dossier: dossier, field: field, title: title,
		initial: initial, seen: append([]string(nil), seen...), alwaysSave: alwaysSave,
		ta: newTextArea(ctx), width: ctx.Width, height: ctx.Height,
		keys: editorKeys{Save: ctx.Keys.Save}}
	e.ta.Placeholder = ctx.T.S("editor.placeholder")
	e.ta.SetValue(initial)
	e.shown = e.ta.Value()
	e.ta.Focus()
	e.SetSize(ctx.Width, ctx.Height)
	return e
}

// newTextArea is a text area styled from the program's renderer (never the
// global one, which is wrong over SSH), with a steady cursor, no line
// numbers, no length limit below the store's and no clipboard paste (over
// SSH that would read the server's clipboard; a terminal paste still works).
func newTextArea(ctx *Context) textarea.Model {
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

// newTextInput is a one-line input styled from the program's renderer,
// with a steady cursor and no clipboard paste (see newTextArea).
func newTextInput(ctx *Context) textinput.Model {
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

// discardPrompt asks "drop your changes? (j/n)" before a screen with
// unsaved input is left. It answers yes only to j or y.
type discardPrompt struct{ asking bool }

// answer handles a key while asking and reports whether the changes are to
// be dropped. Any key ends the question; only j or y drops.
func (d *discardPrompt) answer(msg tea.KeyMsg) (drop bool) {
	d.asking = false
	switch strings.ToLower(msg.String()) {
	case "j", "y":
		return true
	}
	return false
}

// Init starts nothing: the text is already there.
func (e *editorScreen) Init() tea.Cmd { return nil }

// Update handles keys: ctrl+s saves, esc leaves (asking first when the text
// changed), everything else edits.
func (e *editorScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case wroteMsg:
		if msg.to != e {
			return e, nil
		}
		e.saving = false
		if msg.err != nil {
			return e, Status(e.ctx.T.F("editor.err.save", msg.err), true)
		}
		return e, tea.Sequence(Pop(true), Status(e.ctx.T.S("status.saved"), false), changedCmd(e.dossier))
	case tea.KeyMsg:
		if e.saving {
			return e, nil
		}
		if e.confirm.asking {
			if e.confirm.answer(msg) {
				return e, Pop(true)
			}
			return e, nil
		}
		switch {
		case key.Matches(msg, e.keys.Save):
			return e.save()
		case msg.Type == tea.KeyEsc:
			if e.ta.Value() == e.shown {
				return e, Pop(true)
			}
			e.confirm.asking = true
			return e, nil
		}
	}
	var cmd tea.Cmd
	e.ta, cmd = e.ta.Update(msg)
	return e, cmd
}

// save commits the text as an edit of the heads seen when the editor
// opened. An unchanged text is not saved (it would only add an op).
func (e *editorScreen) save() (Screen, tea.Cmd) {
	text := e.ta.Value()
	if text == e.shown && !e.alwaysSave {
		return e, Pop(true)
	}
	if len(text) > store.MaxText {
		return e, Status(e.ctx.T.F("editor.err.long", store.MaxText/1024), true)
	}
	e.saving = true
	st, dossier, field, seen := e.ctx.Store, e.dossier, e.field, append([]string(nil), e.seen...)
	return e, writeCmd(e, dossier, "edit", field, func() error {
		_, err := st.Commit(dossier, store.Edit(field, text, seen))
		return err
	})
}

// View shows the title, the text area and a line with the keys or the
// question whether to drop the changes.
func (e *editorScreen) View() string {
	st := e.ctx.Styles
	var b strings.Builder
	for _, l := range e.titleLines() {
		b.WriteString(st.Title.Render(l) + "\n")
	}
	b.WriteString(e.ta.View() + "\n")
	switch {
	case e.confirm.asking:
		b.WriteString(st.Warn.Render(truncate(e.ctx.T.S("editor.discard"), e.width)))
	case e.saving:
		b.WriteString(st.Muted.Render(truncate(e.ctx.T.S("editor.saving"), e.width)))
	default:
		b.WriteString(st.Muted.Render(truncate(e.ctx.T.S("editor.hint"), e.width)))
	}
	return b.String()
}

// titleLines is the title wrapped to the width, at most two lines.
func (e *editorScreen) titleLines() []string {
	return clipLines(wrapText(e.title, e.width), 2, e.width)
}

// SetSize gives the text area all the body but the title and the key line.
func (e *editorScreen) SetSize(width, height int) {
	e.width, e.height = width, height
	e.ta.SetWidth(width)
	e.ta.SetHeight(max(1, height-len(e.titleLines())-1))
}

// Title is the header's name of the screen.
func (e *editorScreen) Title() string { return e.ctx.T.S("editor.title") }

// Help lists the editor's keys.
func (e *editorScreen) Help() []key.Binding { return []key.Binding{e.keys.Save} }

// Capturing is always true: every key but ctrl+s and esc is text.
func (e *editorScreen) Capturing() bool { return true }
