package dossier

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// EditorScreen edits one text field of a dossier (an answer, a note, a
// merged text) in a multi-line text area that fills the body.
type EditorScreen struct {
	ctx     *kit.Context
	dossier string
	Field   string
	title   string
	initial string
	// seen are the head op ids shown when the editor opened: the save
	// replaces exactly those, so a text that arrived meanwhile becomes a
	// conflict instead of being overwritten.
	seen []string
	// alwaysSave saves also an unchanged text (a merge prefilled with all
	// versions is a new text even when accepted as is).
	alwaysSave bool
	Area       textarea.Model
	// shown is the text area's value right after it got initial: the text
	// area replaces tabs and control characters, so "unchanged" compares
	// with this, not with initial.
	shown   string
	Confirm kit.DiscardPrompt
	saving  bool
	width   int
	height  int
	keys    editorKeys
	// stale: the field's heads are no longer those the editor opened on
	// (a sync or another screen wrote it): the key line says so, and a
	// save keeps both texts as a conflict.
	stale bool
}

// editorHeadsMsg answers the editor's look at its field's heads after a
// change to its dossier.
type editorHeadsMsg struct {
	to    *EditorScreen
	heads []store.Head
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
func NewEditor(ctx *kit.Context, dossier, field, title, initial string, seen []string) kit.Screen {
	return newEditor(ctx, dossier, field, title, initial, seen, false)
}

// EditsDossier is the dossier whose text the editor changes (kit.Editing).
func (e *EditorScreen) EditsDossier() string { return e.dossier }

func newEditor(ctx *kit.Context, dossier, field, title, initial string, seen []string, alwaysSave bool) *EditorScreen {
	e := &EditorScreen{ctx: ctx, dossier: dossier, Field: field, title: title,
		initial: initial, seen: append([]string(nil), seen...), alwaysSave: alwaysSave,
		Area: kit.NewTextArea(ctx), width: ctx.Width, height: ctx.Height,
		keys: editorKeys{Save: ctx.Keys.Save}}
	e.Area.Placeholder = ctx.T.S("editor.placeholder")
	e.Area.SetValue(initial)
	e.shown = e.Area.Value()
	e.Area.Focus()
	e.SetSize(ctx.Width, ctx.Height)
	return e
}

// HasUnsaved reports a changed text the editor is not yet asking about
// (kit.Unsaved).
func (e *EditorScreen) HasUnsaved() bool {
	return !e.saving && !e.Confirm.Asking && e.Area.Value() != e.shown
}

// Init starts nothing: the text is already there.
func (e *EditorScreen) Init() tea.Cmd { return nil }

// Update handles keys: ctrl+s saves, esc leaves (asking first when the text
// changed), everything else edits.
func (e *EditorScreen) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case kit.ChangedMsg:
		if !msg.Touches(e.dossier) || e.saving {
			return e, nil
		}
		st, dossier, field := e.ctx.Store, e.dossier, e.Field
		return e, func() tea.Msg {
			hs, err := st.Heads(dossier, field)
			if err != nil {
				return nil
			}
			return editorHeadsMsg{to: e, heads: hs}
		}
	case editorHeadsMsg:
		if msg.to == e {
			e.stale = !kit.SameHeads(msg.heads, e.seen)
		}
		return e, nil
	case kit.WroteMsg:
		if msg.To != e {
			return e, nil
		}
		e.saving = false
		if msg.Err != nil {
			return e, kit.SaveErr(e.ctx, "editor.err.save", msg.Err)
		}
		return e, tea.Sequence(kit.Pop(true), kit.Status(e.ctx.T.S("status.saved"), false), kit.ChangedCmd(e.dossier))
	case tea.KeyMsg:
		if e.saving {
			return e, nil
		}
		if e.Confirm.Asking {
			if e.Confirm.Answer(msg) {
				return e, kit.Pop(true)
			}
			return e, nil
		}
		switch {
		case key.Matches(msg, e.keys.Save):
			return e.save()
		case msg.Type == tea.KeyEsc:
			if e.Area.Value() == e.shown {
				return e, kit.Pop(true)
			}
			e.Confirm.Asking = true
			return e, nil
		}
	}
	var cmd tea.Cmd
	e.Area, cmd = e.Area.Update(msg)
	return e, cmd
}

// save commits the text as an edit of the heads seen when the editor
// opened. An unchanged text is not saved (it would only add an op).
func (e *EditorScreen) save() (kit.Screen, tea.Cmd) {
	text := e.Area.Value()
	if text == e.shown && !e.alwaysSave {
		return e, kit.Pop(true)
	}
	if len(text) > store.MaxText {
		return e, kit.Status(e.ctx.T.F("editor.err.long", store.MaxText/1024), true)
	}
	e.saving = true
	st, dossier, field, seen := e.ctx.Store, e.dossier, e.Field, append([]string(nil), e.seen...)
	return e, kit.WriteCmd(e, dossier, "edit", field, func() error {
		_, err := st.Commit(dossier, store.Edit(field, text, seen))
		return err
	})
}

// View shows the title, the text area and a line with the keys or the
// question whether to drop the changes.
func (e *EditorScreen) View() string {
	st := e.ctx.Styles
	var b strings.Builder
	for _, l := range e.titleLines() {
		b.WriteString(st.Title.Render(l) + "\n")
	}
	b.WriteString(e.Area.View() + "\n")
	switch {
	case e.Confirm.Asking:
		b.WriteString(st.Warn.Render(kit.Truncate(e.ctx.T.S("editor.discard"), e.width)))
	case e.saving:
		b.WriteString(st.Muted.Render(kit.Truncate(e.ctx.T.S("editor.saving"), e.width)))
	case e.stale:
		b.WriteString(st.Warn.Render(kit.Truncate(e.ctx.T.S("edit.changed"), e.width)))
	default:
		b.WriteString(st.Muted.Render(kit.Truncate(e.ctx.T.S("editor.hint"), e.width)))
	}
	return b.String()
}

// titleLines is the title wrapped to the width, at most two lines.
func (e *EditorScreen) titleLines() []string {
	return kit.ClipLines(kit.WrapText(e.title, e.width), 2, e.width)
}

// SetSize gives the text area all the body but the title and the key line.
func (e *EditorScreen) SetSize(width, height int) {
	e.width, e.height = width, height
	e.Area.SetWidth(width)
	e.Area.SetHeight(max(1, height-len(e.titleLines())-1))
}

// Title is the header's name of the screen.
func (e *EditorScreen) Title() string { return e.ctx.T.S("editor.title") }

// Help lists the editor's keys.
func (e *EditorScreen) Help() []key.Binding { return []key.Binding{e.keys.Save} }

// Capturing is always true: every key but ctrl+s and esc is text.
func (e *EditorScreen) Capturing() bool { return true }
