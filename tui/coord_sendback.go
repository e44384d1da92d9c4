package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
)

// sendBackScreen asks for the comment of a send back and writes the step
// back to active with that comment in one commit. The comment replaces the
// comment the coordinator saw, so one written meanwhile by someone else
// becomes a conflict, not a loss.
type sendBackScreen struct {
	ctx     *Context
	dossier string
	n       int
	name    string
	seen    []string // the comment's heads shown when the review opened this
	ta      textarea.Model
	confirm discardPrompt
	saving  bool
	width   int
	height  int
	save    key.Binding
}

func newSendBack(ctx *Context, dossier string, n int, name string, seen []string) *sendBackScreen {
	e := &sendBackScreen{ctx: ctx, dossier: dossier, n: n, name: name, seen: append([]string(nil), seen...),
		ta: newTextArea(ctx), save: ctx.Keys.Save}
	e.ta.Placeholder = ctx.T.S("editor.placeholder")
	e.ta.Focus()
	e.SetSize(ctx.Width, ctx.Height)
	return e
}

// Init starts nothing.
func (e *sendBackScreen) Init() tea.Cmd { return nil }

// Update handles keys (ctrl+s sends back, esc cancels, asking first when
// something was typed) and the write's answer.
func (e *sendBackScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	t := e.ctx.T
	switch msg := msg.(type) {
	case wroteMsg:
		if msg.to != e {
			return e, nil
		}
		e.saving = false
		if msg.err != nil {
			return e, Status(t.F("coord.review.err.save", msg.err), true)
		}
		// Back past the review to where it was opened from, which reloads.
		return e, tea.Sequence(Pop(false), Pop(true), Status(t.F("coord.review.sentback", e.n, e.name), false), changedCmd(e.dossier))
	case tea.KeyMsg:
		if e.saving {
			return e, nil
		}
		if e.confirm.asking {
			if e.confirm.answer(msg) {
				return e, Pop(false)
			}
			return e, nil
		}
		switch {
		case key.Matches(msg, e.save):
			return e, e.send()
		case msg.Type == tea.KeyEsc:
			if strings.TrimSpace(e.ta.Value()) == "" {
				return e, Pop(false)
			}
			e.confirm.asking = true
			return e, nil
		}
	}
	var cmd tea.Cmd
	e.ta, cmd = e.ta.Update(msg)
	return e, cmd
}

// send writes status active and the comment in one commit.
func (e *sendBackScreen) send() tea.Cmd {
	text := strings.TrimSpace(e.ta.Value())
	if text == "" {
		return Status(e.ctx.T.S("coord.sendback.empty"), true)
	}
	if len(text) > store.MaxText {
		return Status(e.ctx.T.F("editor.err.long", store.MaxText/1024), true)
	}
	e.saving = true
	st, dossier, seen := e.ctx.Store, e.dossier, append([]string(nil), e.seen...)
	prefix := "step/" + strconv.Itoa(e.n) + "/"
	return writeCmd(e, dossier, "sendback", prefix+"status", func() error {
		_, err := st.Commit(dossier, store.Set(prefix+"status", string(store.StepActive)), store.Edit(prefix+"comment", text, seen))
		return err
	})
}

// View shows the question, the text area and the key line.
func (e *sendBackScreen) View() string {
	st, t := e.ctx.Styles, e.ctx.T
	var b strings.Builder
	for _, l := range e.titleLines() {
		b.WriteString(st.Title.Render(l) + "\n")
	}
	b.WriteString(e.ta.View() + "\n")
	switch {
	case e.confirm.asking:
		b.WriteString(st.Warn.Render(truncate(t.S("editor.discard"), e.width)))
	case e.saving:
		b.WriteString(st.Muted.Render(truncate(t.S("coord.sendback.busy"), e.width)))
	default:
		b.WriteString(st.Muted.Render(truncate(t.S("coord.sendback.hint"), e.width)))
	}
	return b.String()
}

func (e *sendBackScreen) titleLines() []string {
	return clipLines(wrapText(e.ctx.T.F("coord.sendback.ask", e.n, e.name), e.width), 2, e.width)
}

// SetSize gives the text area the body but the question and the key line.
func (e *sendBackScreen) SetSize(width, height int) {
	e.width, e.height = width, height
	e.ta.SetWidth(width)
	e.ta.SetHeight(max(1, height-len(e.titleLines())-1))
}

// Title names the screen in the header.
func (e *sendBackScreen) Title() string { return e.ctx.T.S("coord.sendback.title") }

// Help lists the keys.
func (e *sendBackScreen) Help() []key.Binding { return []key.Binding{e.save} }

// Capturing is always true: every key but ctrl+s and esc is text.
func (e *sendBackScreen) Capturing() bool { return true }
