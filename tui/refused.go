package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/brug-nl/brug/tui/kit"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// RefusedOp is a change the server refused, as the app shows it: which
// client and field, the server's reason and when. The change itself stays
// in the local log.
type RefusedOp struct {
	Dossier, Field, Code, Reason string
	At                           time.Time
}

// RefusedReader reads and clears the device's list of refused changes.
// cmd/brug adapts the sync client to it.
type RefusedReader interface {
	RefusedOps() ([]RefusedOp, error)
	ClearRefused() error
}

// refusedScreen lists the changes the server refused and why, so a coach
// knows what did not reach the others (DESIGN.md: a refused op is shown to
// the user). x clears the list once it has been read.
type refusedScreen struct {
	ctx     *kit.Context
	src     RefusedReader
	ops     []RefusedOp
	names   map[string]string // dossier id -> client name
	loadErr string
	loaded  bool
	confirm bool
	cursor  int
	top     int
	width   int
	height  int
}

// refusedMsg answers a load of the refused list.
type refusedMsg struct {
	ops   []RefusedOp
	names map[string]string
	err   error
}

// refusedClearedMsg answers a clear.
type refusedClearedMsg struct{ err error }

// NewRefusedScreen shows the refused changes read from src.
func NewRefusedScreen(ctx *kit.Context, src RefusedReader) kit.Screen {
	return &refusedScreen{ctx: ctx, src: src}
}

// Init loads the list and the client names in a command.
func (s *refusedScreen) Init() tea.Cmd {
	src, st := s.src, s.ctx.Store
	return func() tea.Msg {
		ops, err := src.RefusedOps()
		if err != nil {
			return refusedMsg{err: err}
		}
		names := map[string]string{}
		if sums, err := st.Summaries(); err == nil {
			for _, sm := range kit.SafeSummaries(sums) {
				names[sm.ID] = sm.Name
			}
		}
		return refusedMsg{ops: kit.SafeCopy(ops), names: names}
	}
}

// Update handles the load, the clear and keys.
func (s *refusedScreen) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	t, k := s.ctx.T, s.ctx.Keys
	switch msg := msg.(type) {
	case refusedMsg:
		s.loaded = true
		if msg.err != nil {
			s.loadErr = t.F("refused.err.load", msg.err)
			return s, kit.StatusErr(s.loadErr, msg.err)
		}
		// Newest first: what just happened is what the coach looks for.
		s.ops = make([]RefusedOp, 0, len(msg.ops))
		for i := len(msg.ops) - 1; i >= 0; i-- {
			s.ops = append(s.ops, msg.ops[i])
		}
		s.names, s.loadErr = msg.names, ""
		s.cursor = max(0, min(s.cursor, len(s.ops)-1))
	case refusedClearedMsg:
		if msg.err != nil {
			return s, kit.StatusErr(t.F("refused.err.clear", msg.err), msg.err)
		}
		return s, tea.Batch(kit.Status(t.S("refused.cleared"), false), kit.Pop(true))
	case tea.KeyMsg:
		if s.confirm {
			s.confirm = false
			if msg.String() == t.S("refused.yes") {
				src := s.src
				return s, func() tea.Msg { return refusedClearedMsg{err: src.ClearRefused()} }
			}
			return s, nil
		}
		switch {
		case key.Matches(msg, k.Up):
			s.cursor = max(0, s.cursor-1)
		case key.Matches(msg, k.Down):
			s.cursor = max(0, min(len(s.ops)-1, s.cursor+1))
		case key.Matches(msg, k.PageUp):
			s.cursor = max(0, s.cursor-max(1, s.height/2))
		case key.Matches(msg, k.PageDown):
			s.cursor = max(0, min(len(s.ops)-1, s.cursor+max(1, s.height/2)))
		case key.Matches(msg, k.Home):
			s.cursor = 0
		case key.Matches(msg, k.End):
			s.cursor = max(0, len(s.ops)-1)
		case key.Matches(msg, k.Remove) && len(s.ops) > 0:
			s.confirm = true
		}
	}
	return s, nil
}

// entry renders one refused change in two lines: client and field, then the reason.
func (s *refusedScreen) entry(op RefusedOp, selected bool) []string {
	st, t := s.ctx.Styles, s.ctx.T
	name := s.names[op.Dossier]
	if name == "" {
		name = t.S("refused.unknownclient")
	}
	label := op.Field
	if op.Field != "" {
		label = s.ctx.T.FieldLabel(kit.DossierMethod(s.ctx), op.Field)
	}
	head := fmt.Sprintf("%s%s · %s", kit.CursorMark(selected), name, label)
	when := kit.ShortDay(s.ctx, op.At) + " " + kit.LocalTime(s.ctx, op.At).Format("15:04")
	why := t.RefusedWhy(op.Code, op.Reason)
	reason := "  " + st.Muted.Render(kit.Truncate(when+" · "+why, max(10, s.width-2)))
	head = kit.Truncate(head, s.width)
	if selected {
		head = st.Selected.Render(head)
	}
	return []string{head, reason}
}

// View renders the list.
func (s *refusedScreen) View() string {
	st, t := s.ctx.Styles, s.ctx.T
	var b strings.Builder
	switch {
	case s.loadErr != "":
		return st.Bad.Render(s.loadErr)
	case !s.loaded:
		return st.Muted.Render(t.S("refused.loading"))
	case len(s.ops) == 0:
		return t.S("refused.none")
	}
	intro := kit.WrapText(t.F("refused.intro", kit.FormatCount(t, len(s.ops))), s.width)
	for _, line := range intro {
		b.WriteString(line + "\n")
	}
	if s.confirm {
		b.WriteString(st.Warn.Render(kit.Truncate(t.S("refused.confirm"), s.width)) + "\n")
	} else {
		b.WriteString("\n")
	}
	rows := max(1, (s.height-len(intro)-1)/2)
	if s.cursor < s.top {
		s.top = s.cursor
	}
	if s.cursor >= s.top+rows {
		s.top = s.cursor - rows + 1
	}
	for i := s.top; i < len(s.ops) && i < s.top+rows; i++ {
		for _, line := range s.entry(s.ops[i], i == s.cursor) {
			b.WriteString(line + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// SetSize records the body size.
func (s *refusedScreen) SetSize(width, height int) { s.width, s.height = width, height }

// Title names the screen.
func (s *refusedScreen) Title() string { return s.ctx.T.S("refused.title") }

// Help lists the screen's keys.
func (s *refusedScreen) Help() []key.Binding {
	k := s.ctx.Keys
	return []key.Binding{k.Up, k.Down, k.Home, k.End, k.OnRefused.Clear}
}

// Capturing is false: the screen has no text input.
func (s *refusedScreen) Capturing() bool { return false }
