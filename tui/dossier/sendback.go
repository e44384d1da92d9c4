package dossier

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// SendBackScreen asks for the comment of a send back and writes the step
// back to active with that comment in one commit. The comment replaces the
// comment the coordinator saw, so one written meanwhile by someone else
// becomes a conflict, not a loss.
type SendBackScreen struct {
	ctx     *kit.Context
	dossier string
	n       int
	name    string
	seen    []string // the comment's heads shown when the review opened this
	ta      textarea.Model
	confirm kit.DiscardPrompt
	saving  bool
	width   int
	height  int
	save    key.Binding
}

func newSendBack(ctx *kit.Context, dossier string, n int, name string, seen []string) *SendBackScreen {
	e := &SendBackScreen{ctx: ctx, dossier: dossier, n: n, name: name, seen: append([]string(nil), seen...),
		ta: kit.NewTextArea(ctx), save: ctx.Keys.Save}
	e.ta.Placeholder = ctx.T.S("editor.placeholder")
	e.ta.Focus()
	e.SetSize(ctx.Width, ctx.Height)
	return e
}

// DraftStore keeps a user's unsent send-back comment per dossier and step,
// so that a session that ends (the server stops, the user was idle, the
// connection dropped) loses nothing: the next send back of that step
// starts from it. The server's session (SSH) has it; a laptop's store does
// not, and there the screen works without drafts.
type DraftStore interface {
	Draft(dossier string, step int) (string, error)
	// SaveDraft keeps text; "" removes the draft.
	SaveDraft(dossier string, step int, text string) error
}

// draftMsg is a draft loaded for a send-back screen.
type draftMsg struct {
	to   *SendBackScreen
	text string
}

// Init loads the user's draft of this send back, if the store keeps
// drafts.
func (e *SendBackScreen) Init() tea.Cmd {
	ds, ok := e.ctx.Store.(DraftStore)
	if !ok {
		return nil
	}
	dossier, n := e.dossier, e.n
	return func() tea.Msg {
		text, err := ds.Draft(dossier, n)
		if err != nil {
			return nil // no draft then; sending back still works
		}
		return draftMsg{to: e, text: text}
	}
}

// dropDraft returns a command that removes the draft of this send back.
func (e *SendBackScreen) dropDraft() tea.Cmd {
	ds, ok := e.ctx.Store.(DraftStore)
	if !ok {
		return nil
	}
	dossier, n := e.dossier, e.n
	return func() tea.Msg {
		_ = ds.SaveDraft(dossier, n, "")
		return nil
	}
}

// KeepDraft keeps the text of a send back still being typed, for the
// user's next session (see SaveDrafts).
func (e *SendBackScreen) KeepDraft() error {
	if e.saving {
		return nil
	}
	ds, ok := e.ctx.Store.(DraftStore)
	if !ok {
		return nil
	}
	text := e.ta.Value()
	if strings.TrimSpace(text) == "" {
		text = ""
	}
	return ds.SaveDraft(e.dossier, e.n, text)
}

// HasUnsaved reports a typed comment the screen is not yet asking about
// (kit.Unsaved).
func (e *SendBackScreen) HasUnsaved() bool {
	return !e.saving && !e.confirm.Asking && strings.TrimSpace(e.ta.Value()) != ""
}

// Update handles keys (ctrl+s sends back, esc cancels, asking first when
// something was typed) and the write's answer.
func (e *SendBackScreen) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	t := e.ctx.T
	switch msg := msg.(type) {
	case draftMsg:
		// A draft fills an empty text area only: what was typed while it
		// loaded is kept.
		if msg.to == e && msg.text != "" && e.ta.Value() == "" {
			e.ta.SetValue(msg.text)
			return e, kit.Status(t.S("coord.sendback.draft"), false)
		}
		return e, nil
	case kit.WroteMsg:
		if msg.To != e {
			return e, nil
		}
		e.saving = false
		if msg.Err != nil {
			return e, kit.SaveErr(e.ctx, "coord.review.err.save", msg.Err)
		}
		// Back past the review to where it was opened from, which reloads.
		return e, tea.Sequence(kit.Pop(false), kit.Pop(true), kit.Status(t.F("coord.review.sentback", e.n, e.name), false), kit.ChangedCmd(e.dossier))
	case tea.KeyMsg:
		if e.saving {
			return e, nil
		}
		if e.confirm.Asking {
			if e.confirm.Answer(msg) {
				return e, tea.Batch(e.dropDraft(), kit.Pop(false))
			}
			return e, nil
		}
		switch {
		case key.Matches(msg, e.save):
			return e, e.send()
		case msg.Type == tea.KeyEsc:
			if strings.TrimSpace(e.ta.Value()) == "" {
				return e, tea.Batch(e.dropDraft(), kit.Pop(false))
			}
			e.confirm.Asking = true
			return e, nil
		}
	}
	var cmd tea.Cmd
	e.ta, cmd = e.ta.Update(msg)
	return e, cmd
}

// send writes status active and the comment in one commit.
func (e *SendBackScreen) send() tea.Cmd {
	text := strings.TrimSpace(e.ta.Value())
	if text == "" {
		return kit.Status(e.ctx.T.S("coord.sendback.empty"), true)
	}
	if len(text) > store.MaxText {
		return kit.Status(e.ctx.T.F("editor.err.long", store.MaxText/1024), true)
	}
	e.saving = true
	st, dossier, seen := e.ctx.Store, e.dossier, append([]string(nil), e.seen...)
	n := e.n
	return kit.WriteCmd(e, dossier, "sendback", store.FieldStepStatus(n), func() error {
		_, err := st.Commit(dossier, store.Set(store.FieldStepStatus(n), string(store.StepActive)), store.Edit(store.FieldStepComment(n), text, seen))
		if ds, ok := st.(DraftStore); ok && err == nil {
			_ = ds.SaveDraft(dossier, n, "") // sent: the draft has done its work
		}
		return err
	})
}

// View shows the question, the text area and the key line.
func (e *SendBackScreen) View() string {
	st, t := e.ctx.Styles, e.ctx.T
	var b strings.Builder
	for _, l := range e.titleLines() {
		b.WriteString(st.Title.Render(l) + "\n")
	}
	b.WriteString(e.ta.View() + "\n")
	switch {
	case e.confirm.Asking:
		b.WriteString(st.Warn.Render(kit.Truncate(t.S("editor.discard"), e.width)))
	case e.saving:
		b.WriteString(st.Muted.Render(kit.Truncate(t.S("coord.sendback.busy"), e.width)))
	default:
		b.WriteString(st.Muted.Render(kit.Truncate(t.S("coord.sendback.hint"), e.width)))
	}
	return b.String()
}

func (e *SendBackScreen) titleLines() []string {
	return kit.ClipLines(kit.WrapText(e.ctx.T.F("coord.sendback.ask", e.n, e.name), e.width), 2, e.width)
}

// SetSize gives the text area the body but the question and the key line.
func (e *SendBackScreen) SetSize(width, height int) {
	e.width, e.height = width, height
	e.ta.SetWidth(width)
	e.ta.SetHeight(max(1, height-len(e.titleLines())-1))
}

// Title names the screen in the header.
func (e *SendBackScreen) Title() string { return e.ctx.T.S("coord.sendback.title") }

// Help lists the keys.
func (e *SendBackScreen) Help() []key.Binding { return []key.Binding{e.save} }

// Capturing is always true: every key but ctrl+s and esc is text.
func (e *SendBackScreen) Capturing() bool { return true }
