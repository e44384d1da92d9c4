package clients

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// Merger merges a dossier into another, as `brug duplicates merge` does
// (store.MergeClients). *store.Store has it; a store without it gets no
// merge screen.
type Merger interface {
	MergeClients(keep, gone string) (store.MergeResult, error)
}

// mergeCand is one dossier of a group of likely duplicates.
type mergeCand struct {
	store.Summary
	year  string // birth year
	steps int    // steps done, for telling the dossiers apart
}

// mergeLoadedMsg answers the look for the group of client id.
type mergeLoadedMsg struct {
	to    *MergeScreen
	group []mergeCand
	err   error
}

// mergedMsg answers the merge.
type mergedMsg struct {
	to   *MergeScreen
	ops  int
	gone int
	err  error
}

// MergeScreen merges likely duplicates from inside the app: the clients
// with the same folded name and birth year as the one under the list's
// cursor (the "dubbel?" mark). The coach picks the dossier to keep,
// confirms, and the others go into it with store.MergeClients, as `brug
// duplicates merge KEEP GONE`: their history is copied into the one kept,
// nothing is lost, and they are withdrawn (an undoable tombstone).
type MergeScreen struct {
	ctx     *kit.Context
	id      string
	group   []mergeCand
	loaded  bool
	cursor  int
	confirm bool
	saving  bool
	width   int
	height  int
}

// NewMergeScreen is the merge screen for client id's likely duplicates.
func NewMergeScreen(ctx *kit.Context, id string) *MergeScreen {
	return &MergeScreen{ctx: ctx, id: id, width: ctx.Width, height: ctx.Height}
}

// Init looks for the group off the UI goroutine.
func (m *MergeScreen) Init() tea.Cmd {
	st, id := m.ctx.Store, m.id
	return func() tea.Msg {
		g, err := duplicateGroup(st, id)
		return mergeLoadedMsg{to: m, group: g, err: err}
	}
}

// duplicateGroup lists client id and the clients that are not withdrawn
// with its folded name and birth year (store.DupKey), by name and id.
func duplicateGroup(st kit.Store, id string) ([]mergeCand, error) {
	all, err := st.Summaries()
	if err != nil {
		return nil, err
	}
	self, err := st.Client(id)
	if err != nil {
		return nil, err
	}
	want := store.DupKey(self.Name.Value, self.BirthYear.Value)
	nameKey := store.NameKey(self.Name.Value)
	var g []mergeCand
	for _, s := range all {
		if s.Removed || store.NameKey(s.Name) != nameKey {
			continue
		}
		c, err := st.Client(s.ID)
		if err != nil {
			return nil, err
		}
		if store.DupKey(c.Name.Value, c.BirthYear.Value) != want {
			continue
		}
		g = append(g, mergeCand{Summary: kit.SafeSummaries([]store.Summary{s})[0], year: kit.SafeCopy(c.BirthYear.Value), steps: s.StepsDone})
	}
	// The one the coach came from first: it is the default to keep.
	for i := range g {
		if g[i].ID == id {
			g[0], g[i] = g[i], g[0]
		}
	}
	return g, nil
}

// Update handles the group, the merge's answer and keys.
func (m *MergeScreen) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	t := m.ctx.T
	switch msg := msg.(type) {
	case mergeLoadedMsg:
		if msg.to != m {
			return m, nil
		}
		switch {
		case msg.err != nil:
			return m, tea.Sequence(kit.Pop(false), kit.StatusErr(t.F("merge.err", msg.err), msg.err))
		case len(msg.group) < 2:
			return m, tea.Sequence(kit.Pop(false), kit.Status(t.S("merge.none"), false))
		}
		m.group, m.loaded = msg.group, true
		return m, nil
	case mergedMsg:
		if msg.to != m {
			return m, nil
		}
		m.saving = false
		if msg.err != nil {
			return m, kit.StatusErr(t.F("merge.err", msg.err), msg.err)
		}
		keep := m.group[m.cursor]
		return m, tea.Sequence(kit.Pop(true), kit.Status(t.N("merge.done", msg.gone, msg.gone, keep.Name, msg.ops), false), kit.ChangedCmd(keep.ID))
	case tea.KeyMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *MergeScreen) key(msg tea.KeyMsg) tea.Cmd {
	k := m.ctx.Keys
	if m.saving {
		return nil
	}
	if !m.loaded {
		if key.Matches(msg, k.Back) {
			return kit.Pop(false)
		}
		return nil
	}
	if m.confirm {
		m.confirm = false
		switch msg.String() {
		case "j", "y": // ja, yes: the question names the one of its language
			return m.merge()
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return kit.Pop(false)
	case key.Matches(msg, k.Up):
		m.cursor = max(0, m.cursor-1)
	case key.Matches(msg, k.Down):
		m.cursor = min(len(m.group)-1, m.cursor+1)
	case key.Matches(msg, k.Open):
		m.confirm = true
	}
	return nil
}

// merge runs store.MergeClients for every other dossier of the group into
// the one picked.
func (m *MergeScreen) merge() tea.Cmd {
	mg, ok := m.ctx.Store.(Merger)
	if !ok {
		return kit.Status(m.ctx.T.F("merge.err", errors.ErrUnsupported), true)
	}
	keep := m.group[m.cursor].ID
	var gone []string
	for i, c := range m.group {
		if i != m.cursor {
			gone = append(gone, c.ID)
		}
	}
	m.saving = true
	return func() tea.Msg {
		ops := 0
		for i, g := range gone {
			res, err := mg.MergeClients(keep, g)
			if err != nil {
				return mergedMsg{to: m, ops: ops, gone: i, err: err}
			}
			ops += res.Ops
		}
		return mergedMsg{to: m, ops: ops, gone: len(gone)}
	}
}

// SetSize keeps the window's size.
func (m *MergeScreen) SetSize(width, height int) { m.width, m.height = width, height }

// View lists the group with the one to keep under the cursor, and the
// question once enter asked to merge.
func (m *MergeScreen) View() string {
	t, st := m.ctx.T, m.ctx.Styles
	if !m.loaded {
		return st.Muted.Render(kit.Fit(t.S("step.loading"), m.width))
	}
	lines := append(kit.WrapText(t.S("merge.intro"), m.width), "")
	for i, c := range m.group {
		name := c.Name
		if c.year != "" {
			name += " (" + c.year + ")"
		}
		parts := []string{name}
		if c.Team != "" {
			parts = append(parts, c.Team)
		}
		parts = append(parts, t.N("merge.steps", c.steps, c.steps), t.F("merge.changed", kit.ShortDay(m.ctx, c.LastChange.Time())))
		row := strings.Join(parts, " · ")
		if i == m.cursor {
			row = kit.CursorMark(true) + st.Selected.Render(row)
		} else {
			row = kit.CursorMark(false) + row
		}
		lines = append(lines, kit.Truncate(row, m.width))
	}
	lines = append(lines, "")
	var foot []string
	switch {
	case m.saving:
		foot = []string{st.Muted.Render(t.S("merge.saving"))}
	case m.confirm:
		keep := m.group[m.cursor]
		for _, l := range kit.WrapText(t.N("merge.ask", len(m.group)-1, len(m.group)-1, keep.Name), m.width) {
			foot = append(foot, st.Warn.Render(l))
		}
	default:
		foot = []string{st.Muted.Render(t.S("merge.hint"))}
	}
	for _, l := range foot {
		lines = append(lines, kit.Truncate(l, m.width))
	}
	return strings.Join(kit.WindowLines(lines, 0, m.height), "\n")
}

// Title names the screen.
func (m *MergeScreen) Title() string { return m.ctx.T.S("merge.title") }

// Help lists the screen's keys.
func (m *MergeScreen) Help() []key.Binding {
	k := m.ctx.Keys
	keep := key.NewBinding(key.WithKeys(k.Open.Keys()...), key.WithHelp(k.Open.Help().Key, m.ctx.T.S("merge.key.keep")))
	return []key.Binding{keep, k.Up, k.Down} // back, help and quit are added by the root
}

// Capturing is true while the question waits for j or n, so q answers it
// rather than quitting.
func (m *MergeScreen) Capturing() bool { return m.confirm }
