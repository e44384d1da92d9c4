package dossier

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/kit"
)

// ConflictScreen shows the versions of one text side by side and settles
// the conflict: keep one, or write a merged text.
type ConflictScreen struct {
	kit.DossierView
	ctx     *kit.Context
	Field   string
	meth    *method.Method
	heads   []store.Head
	pick    int  // the version under the cursor
	offset  int  // first body line shown
	merging bool // the merge editor was opened; leave once it is settled
	busy    bool // a resolve is under way
	width   int
	height  int
	keys    kit.ConflictKeys
}

// NewConflictScreen shows the versions of one field in conflict with who
// wrote them and when. 1, 2, … (or ←/→ and enter) keep that version; m
// opens the editor with all versions to write a merged text. Either way
// every version stays in the dossier's history.
func NewConflictScreen(ctx *kit.Context, dossier, field string) kit.Screen {
	return &ConflictScreen{ctx: ctx, DossierView: kit.DossierView{Dossier: dossier}, Field: field, meth: kit.DossierMethod(ctx),
		width: ctx.Width, height: ctx.Height,
		keys: ctx.Keys.OnConflict}
}

// Init loads the dossier (the versions are the field's heads in it).
func (s *ConflictScreen) Init() tea.Cmd {
	return kit.LoadDossier(s.ctx.Store, s, s.Loads.Next(), s.Dossier)
}

// Update handles loads, the resolve's outcome and keys.
func (s *ConflictScreen) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case kit.DossierMsg:
		return s.loaded(msg)
	case kit.ChangedMsg:
		if msg.Touches(s.Dossier) {
			return s, s.Init()
		}
	case kit.WroteMsg:
		if msg.To != s {
			return s, nil
		}
		s.busy = false
		if msg.Err != nil {
			return s, kit.SaveErr(s.ctx, "conflict.err.resolve", msg.Err)
		}
		return s, tea.Sequence(kit.Pop(true), kit.Status(s.ctx.T.S("conflict.resolved"), false), kit.ChangedCmd(s.Dossier))
	case tea.KeyMsg:
		return s.key(msg)
	}
	return s, nil
}

func (s *ConflictScreen) loaded(msg kit.DossierMsg) (kit.Screen, tea.Cmd) {
	if ok, cmd := s.Take(s.ctx, s, msg); !ok {
		return s, cmd
	}
	v, _ := msg.Client.FieldValue(s.Field)
	s.heads = v.Heads
	s.pick = max(0, min(s.pick, len(s.heads)-1))
	merged := s.merging
	s.merging = false
	if merged && len(s.heads) < 2 {
		return s, tea.Sequence(kit.Pop(true), kit.Status(s.ctx.T.S("conflict.resolved"), false))
	}
	s.clampOffset()
	return s, nil
}

func (s *ConflictScreen) key(msg tea.KeyMsg) (kit.Screen, tea.Cmd) {
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
func (s *ConflictScreen) keep(i int) tea.Cmd {
	s.busy = true
	seen := make([]string, len(s.heads))
	for j, h := range s.heads {
		seen[j] = h.ID
	}
	st, dossier, field, text := s.ctx.Store, s.Dossier, s.Field, s.heads[i].Value
	return kit.WriteCmd(s, dossier, "resolve", field, func() error {
		_, err := st.Commit(dossier, store.Edit(field, text, seen))
		return err
	})
}

// merge opens the editor with all versions under headers; saving it
// replaces all the heads shown.
func (s *ConflictScreen) merge() tea.Cmd {
	t := s.ctx.T
	parts := make([]string, len(s.heads))
	seen := make([]string, len(s.heads))
	for i, h := range s.heads {
		parts[i] = t.F("conflict.merge.header", i+1, kit.WhoWhenTime(s.ctx, h.Author, h.HLC.Time())) + "\n" + strings.TrimRight(h.Value, "\n")
		seen[i] = h.ID
	}
	s.merging = true
	title := t.F("conflict.merge.title", s.ctx.T.FieldLabel(s.meth, s.Field))
	return kit.Push(newEditor(s.ctx, s.Dossier, s.Field, title, strings.Join(parts, "\n\n")+"\n", seen, true))
}

// Columns reports whether the versions fit side by side.
func (s *ConflictScreen) Columns() bool {
	return s.width >= 100 && len(s.heads) > 1 && s.width/len(s.heads) >= 30
}

// bodyHeight is the height below the label and the instructions.
func (s *ConflictScreen) bodyHeight() int { return max(1, s.height-len(s.top())) }

// top is the fixed part: what field this is and what the keys do.
func (s *ConflictScreen) top() []string {
	st, t := s.ctx.Styles, s.ctx.T
	lines := []string{}
	for _, l := range kit.ClipLines(kit.WrapText(s.ctx.T.FieldLabel(s.meth, s.Field), s.width), 2, s.width) {
		lines = append(lines, st.Title.Render(l))
	}
	for _, l := range kit.WrapText(t.F("conflict.intro", len(s.heads)), s.width) {
		lines = append(lines, st.Muted.Render(l))
	}
	return append(lines, "")
}

// version renders version i in width cells: a header with number, author
// and time (reversed and marked with › when picked) and the text.
func (s *ConflictScreen) version(i, width int) []string {
	st, t := s.ctx.Styles, s.ctx.T
	h := s.heads[i]
	head := kit.Truncate(t.F("conflict.version", i+1, kit.WhoWhenTime(s.ctx, h.Author, h.HLC.Time())), width-2)
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
	return append(lines, kit.WrapText(text, width)...)
}

// body is the versions, side by side when wide enough, else stacked.
func (s *ConflictScreen) body() []string {
	if len(s.heads) < 2 {
		return nil
	}
	if !s.Columns() {
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
				cell = kit.Fit(cell, cw)
			}
			b.WriteString(cell)
		}
		lines[r] = strings.TrimRight(b.String(), " ")
	}
	return lines
}

// showPick scrolls a stacked view to the picked version's header.
func (s *ConflictScreen) showPick() {
	if s.Columns() {
		return
	}
	line := 0
	for i := 0; i < s.pick; i++ {
		line += len(s.version(i, s.width)) + 1
	}
	s.offset = line
}

func (s *ConflictScreen) clampOffset() {
	s.offset = max(0, min(s.offset, len(s.body())-s.bodyHeight()))
}

// View shows the label, the instructions and the versions.
func (s *ConflictScreen) View() string {
	st, t := s.ctx.Styles, s.ctx.T
	switch {
	case s.LoadErr != "" && s.Client == nil:
		return strings.Join(kit.WrapText(s.LoadErr, s.width), "\n")
	case s.Client == nil:
		return st.Muted.Render(t.S("step.loading"))
	case len(s.heads) < 2:
		lines := append(s.top()[:1], kit.WrapText(t.S("conflict.gone"), s.width)...)
		return strings.Join(lines, "\n")
	}
	body := kit.WindowLines(s.body(), s.offset, s.bodyHeight())
	return strings.Join(append(s.top(), body...), "\n")
}

// SetSize keeps the size.
func (s *ConflictScreen) SetSize(width, height int) {
	s.width, s.height = width, height
	s.clampOffset()
}

// Title names the screen.
func (s *ConflictScreen) Title() string { return s.ctx.T.S("conflict.title") }

// Help lists the keys.
func (s *ConflictScreen) Help() []key.Binding {
	return []key.Binding{s.keys.Pick, s.keys.Prev, s.keys.Keep, s.keys.Merge, s.ctx.Keys.Up, s.ctx.Keys.Down}
}

// Capturing is false: no text input.
func (s *ConflictScreen) Capturing() bool { return false }
