package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

// conflictScreen shows the versions of one text side by side and settles
// the conflict: keep one, or write a merged text.
type conflictScreen struct {
	dossierView
	ctx     *Context
	field   string
	meth    *method.Method
	heads   []store.Head
	pick    int  // the version under the cursor
	offset  int  // first body line shown
	merging bool // the merge editor was opened; leave once it is settled
	busy    bool // a resolve is under way
	width   int
	height  int
	keys    conflictKeys
}

// conflictKeys are the conflict screen's bindings.
type conflictKeys struct {
	Pick, Keep, Merge, Prev, Next key.Binding
}

// NewConflictScreen shows the versions of one field in conflict with who
// wrote them and when. 1, 2, … (or ←/→ and enter) keep that version; m
// opens the editor with all versions to write a merged text. Either way
// every version stays in the dossier's history.
func NewConflictScreen(ctx *Context, dossier, field string) Screen {
	t := ctx.T
	return &conflictScreen{ctx: ctx, dossierView: dossierView{dossier: dossier}, field: field, meth: dossierMethod(ctx),
		width: ctx.Width, height: ctx.Height,
		keys: conflictKeys{
			Pick:  key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1/2", t.S("conflict.key.pick"))),
			Keep:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", t.S("conflict.key.keep"))),
			Merge: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", t.S("conflict.key.merge"))),
			Prev:  key.NewBinding(key.WithKeys("left", "h", "shift+tab"), key.WithHelp("←/→", t.S("conflict.key.choose"))),
			Next:  key.NewBinding(key.WithKeys("right", "l", "tab")),
		}}
}

// Init loads the dossier (the versions are the field's heads in it).
func (s *conflictScreen) Init() tea.Cmd {
	return loadDossier(s.ctx.Store, s, s.loads.next(), s.dossier)
}

// Update handles loads, the resolve's outcome and keys.
func (s *conflictScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case dossierMsg:
		return s.loaded(msg)
	case ChangedMsg:
		if msg.Dossier == s.dossier {
			return s, s.Init()
		}
	case wroteMsg:
		if msg.to != s {
			return s, nil
		}
		s.busy = false
		if msg.err != nil {
			return s, Status(s.ctx.T.F("conflict.err.resolve", msg.err), true)
		}
		return s, tea.Sequence(Pop(true), Status(s.ctx.T.S("conflict.resolved"), false), changedCmd(s.dossier))
	case tea.KeyMsg:
		return s.key(msg)
	}
	return s, nil
}

func (s *conflictScreen) loaded(msg dossierMsg) (Screen, tea.Cmd) {
	if ok, cmd := s.take(s.ctx, s, msg); !ok {
		return s, cmd
	}
	v, _ := msg.client.FieldValue(s.field)
	s.heads = v.Heads
	s.pick = max(0, min(s.pick, len(s.heads)-1))
	merged := s.merging
	s.merging = false
	if merged && len(s.heads) < 2 {
		return s, tea.Sequence(Pop(true), Status(s.ctx.T.S("conflict.resolved"), false))
	}
	s.clampOffset()
	return s, nil
}

func (s *conflictScreen) key(msg tea.KeyMsg) (Screen, tea.Cmd) {
	if s.busy || len(s.heads) < 2 {
		return s, nil
	}
	k := s.ctx.Keys
	switch {
	case key.Matches(msg, s.keys.Pick):
		i, _ := strconv.Atoi(msg.String())
		if i >= 1 && i <= len(s.heads) {
			s.pick = i - 1
			return s, s.keep(i - 1)
		}
	case key.Matches(msg, s.keys.Keep):
		return s, s.keep(s.pick)
	case key.Matches(msg, s.keys.Prev):
		s.pick = (s.pick + len(s.heads) - 1) % len(s.heads)
		s.showPick()
	case key.Matches(msg, s.keys.Next):
		s.pick = (s.pick + 1) % len(s.heads)
		s.showPick()
	case key.Matches(msg, s.keys.Merge):
		return s, s.merge()
	case key.Matches(msg, k.Up):
		s.offset--
	case key.Matches(msg, k.Down):
		s.offset++
	case key.Matches(msg, k.PageUp):
		s.offset -= s.bodyHeight()
	case key.Matches(msg, k.PageDown):
		s.offset += s.bodyHeight()
	case key.Matches(msg, k.Home):
		s.offset = 0
	case key.Matches(msg, k.End):
		s.offset = len(s.body())
	}
	s.clampOffset()
	return s, nil
}

// keep settles the conflict with version i: it replaces the versions the
// user saw. A version that arrived after the screen loaded is not among
// them, so it stays, as a conflict with the choice, never overwritten
// unseen.
func (s *conflictScreen) keep(i int) tea.Cmd {
	s.busy = true
	seen := make([]string, len(s.heads))
	for j, h := range s.heads {
		seen[j] = h.ID
	}
	st, dossier, field, text := s.ctx.Store, s.dossier, s.field, s.heads[i].Value
	return writeCmd(s, dossier, "resolve", field, func() error {
		_, err := st.Commit(dossier, store.Edit(field, text, seen))
		return err
	})
}

// merge opens the editor with all versions under headers; saving it
// replaces all the heads shown.
func (s *conflictScreen) merge() tea.Cmd {
	t := s.ctx.T
	parts := make([]string, len(s.heads))
	seen := make([]string, len(s.heads))
	for i, h := range s.heads {
		parts[i] = t.F("conflict.merge.header", i+1, whoWhenTime(s.ctx, h.Author, h.HLC.Time())) + "\n" + strings.TrimRight(h.Value, "\n")
		seen[i] = h.ID
	}
	s.merging = true
	title := t.F("conflict.merge.title", s.ctx.T.FieldLabel(s.meth, s.field))
	return Push(newEditor(s.ctx, s.dossier, s.field, title, strings.Join(parts, "\n\n")+"\n", seen, true))
}

// columns reports whether the versions fit side by side.
func (s *conflictScreen) columns() bool {
	return s.width >= 100 && len(s.heads) > 1 && s.width/len(s.heads) >= 30
}

// bodyHeight is the height below the label and the instructions.
func (s *conflictScreen) bodyHeight() int { return max(1, s.height-len(s.top())) }

// top is the fixed part: what field this is and what the keys do.
func (s *conflictScreen) top() []string {
	st, t := s.ctx.Styles, s.ctx.T
	lines := []string{}
	for _, l := range clipLines(wrapText(s.ctx.T.FieldLabel(s.meth, s.field), s.width), 2, s.width) {
		lines = append(lines, st.Title.Render(l))
	}
	for _, l := range wrapText(t.F("conflict.intro", len(s.heads)), s.width) {
		lines = append(lines, st.Muted.Render(l))
	}
	return append(lines, "")
}

// version renders version i in width cells: a header with number, author
// and time (reversed and marked with › when picked) and the text.
func (s *conflictScreen) version(i, width int) []string {
	st, t := s.ctx.Styles, s.ctx.T
	h := s.heads[i]
	head := truncate(t.F("conflict.version", i+1, whoWhenTime(s.ctx, h.Author, h.HLC.Time())), width-2)
	if i == s.pick {
		head = "› " + st.Selected.Render(head)
	} else {
		head = "  " + st.Section.Render(head)
	}
	lines := []string{head, st.Muted.Render(strings.Repeat("─", width))}
	text := strings.TrimRight(h.Value, "\n ")
	if text == "" {
		return append(lines, st.Muted.Render(t.S("conflict.empty")))
	}
	return append(lines, wrapText(text, width)...)
}

// body is the versions, side by side when wide enough, else stacked.
func (s *conflictScreen) body() []string {
	if len(s.heads) < 2 {
		return nil
	}
	if !s.columns() {
		var lines []string
		for i := range s.heads {
			if i > 0 {
				lines = append(lines, "")
			}
			lines = append(lines, s.version(i, s.width)...)
		}
		return lines
	}
	const gap = 3
	n := len(s.heads)
	cw := (s.width - gap*(n-1)) / n
	cols := make([][]string, n)
	rows := 0
	for i := range s.heads {
		cols[i] = s.version(i, cw)
		rows = max(rows, len(cols[i]))
	}
	lines := make([]string, rows)
	for r := range lines {
		var b strings.Builder
		for i, col := range cols {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", gap))
			}
			cell := ""
			if r < len(col) {
				cell = col[r]
			}
			if i < n-1 {
				cell = fit(cell, cw)
			}
			b.WriteString(cell)
		}
		lines[r] = strings.TrimRight(b.String(), " ")
	}
	return lines
}

// showPick scrolls a stacked view to the picked version's header.
func (s *conflictScreen) showPick() {
	if s.columns() {
		return
	}
	line := 0
	for i := 0; i < s.pick; i++ {
		line += len(s.version(i, s.width)) + 1
	}
	s.offset = line
}

func (s *conflictScreen) clampOffset() {
	s.offset = max(0, min(s.offset, len(s.body())-s.bodyHeight()))
}

// View shows the label, the instructions and the versions.
func (s *conflictScreen) View() string {
	st, t := s.ctx.Styles, s.ctx.T
	switch {
	case s.loadErr != "" && s.client == nil:
		return strings.Join(wrapText(s.loadErr, s.width), "\n")
	case s.client == nil:
		return st.Muted.Render(t.S("step.loading"))
	case len(s.heads) < 2:
		lines := append(s.top()[:1], wrapText(t.S("conflict.gone"), s.width)...)
		return strings.Join(lines, "\n")
	}
	body := windowLines(s.body(), s.offset, s.bodyHeight())
	return strings.Join(append(s.top(), body...), "\n")
}

// SetSize keeps the size.
func (s *conflictScreen) SetSize(width, height int) {
	s.width, s.height = width, height
	s.clampOffset()
}

// Title names the screen.
func (s *conflictScreen) Title() string { return s.ctx.T.S("conflict.title") }

// Help lists the keys.
func (s *conflictScreen) Help() []key.Binding {
	return []key.Binding{s.keys.Pick, s.keys.Prev, s.keys.Keep, s.keys.Merge, s.ctx.Keys.Up, s.ctx.Keys.Down}
}

// Capturing is false: no text input.
func (s *conflictScreen) Capturing() bool { return false }
