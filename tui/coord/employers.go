package coord

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// EmployerView is the coordinator's view of employers (issue 11): per
// employer named on the route moves of their teams' clients, the people
// placed there now and before, since when (and until when), and the kind
// of place. Opened from the team overview (E).
type EmployerView struct {
	ctx     *kit.Context
	loaded  bool
	err     error
	nostore bool
	list    []store.EmployerPlacements
	cursor  int
	top     int
	width   int
	height  int
}

// placementsStore lists placements per employer (*store.Store).
type placementsStore interface {
	Placements(teams []string) ([]store.EmployerPlacements, error)
}

// employersMsg answers the load.
type employersMsg struct {
	list    []store.EmployerPlacements
	err     error
	nostore bool
}

// NewEmployerView shows the employers of the user's teams' clients.
func NewEmployerView(ctx *kit.Context) *EmployerView {
	v := &EmployerView{ctx: ctx}
	v.SetSize(ctx.Width, ctx.Height)
	return v
}

// Init loads the placements in a command.
func (v *EmployerView) Init() tea.Cmd {
	st, teams := v.ctx.Store, append([]string(nil), v.ctx.Teams...)
	return func() tea.Msg {
		ps, ok := st.(placementsStore)
		if !ok {
			return employersMsg{nostore: true}
		}
		list, err := ps.Placements(teams)
		return employersMsg{list: kit.SafeCopy(list), err: err}
	}
}

// Update handles the load and moving between employers.
func (v *EmployerView) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	k := v.ctx.Keys
	switch msg := msg.(type) {
	case employersMsg:
		v.loaded, v.list, v.err, v.nostore = true, msg.list, msg.err, msg.nostore
		v.cursor = max(0, min(v.cursor, len(v.list)-1))
	case kit.ChangedMsg:
		return v, v.Init()
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Up):
			v.cursor = max(0, v.cursor-1)
		case key.Matches(msg, k.Down):
			v.cursor = max(0, min(len(v.list)-1, v.cursor+1))
		case key.Matches(msg, k.Home):
			v.cursor = 0
		case key.Matches(msg, k.End):
			v.cursor = max(0, len(v.list)-1)
		}
	}
	return v, nil
}

// View renders the employers with their counts, then the chosen one's
// people: now, then before.
func (v *EmployerView) View() string {
	st, t := v.ctx.Styles, v.ctx.T
	switch {
	case !v.loaded:
		return st.Muted.Render(t.S("employers.loading"))
	case v.nostore:
		return t.S("employers.nostore")
	case v.err != nil:
		return st.Bad.Render(t.F("employers.err", v.err))
	case len(v.list) == 0:
		return strings.Join(kit.WrapText(t.S("employers.none"), v.width), "\n")
	}
	var b strings.Builder
	rows := max(3, (v.height-2)/3)
	if v.cursor < v.top {
		v.top = v.cursor
	}
	if v.cursor >= v.top+rows {
		v.top = v.cursor - rows + 1
	}
	nameW := max(10, v.width/2)
	for i := v.top; i < len(v.list) && i < v.top+rows; i++ {
		e := v.list[i]
		line := kit.CursorMark(i == v.cursor) + kit.Fit(e.Employer, nameW-2) + " " +
			t.F("employers.row", kit.FormatCount(t, len(e.Now)), kit.FormatCount(t, len(e.Before)))
		line = kit.Truncate(line, v.width)
		if i == v.cursor {
			line = st.Selected.Render(kit.Fit(line, v.width))
		}
		b.WriteString(line + "\n")
	}
	e := v.list[v.cursor]
	b.WriteString("\n" + st.Section.Render(kit.Truncate(e.Employer, v.width)) + "\n")
	person := func(p store.Placement, when string) string {
		var places []string
		for _, pl := range p.Places {
			places = append(places, string(pl))
		}
		return kit.Truncate("  "+p.Name+" · "+p.Team+" · "+kit.PlacesLabel(t, strings.Join(places, ","))+" · "+when, v.width)
	}
	section := func(title string, ps []store.Placement, now bool) {
		b.WriteString(t.S(title) + "\n")
		if len(ps) == 0 {
			b.WriteString(st.Muted.Render("  "+t.S("employers.nobody")) + "\n")
		}
		for _, p := range ps {
			when := t.F("employers.since", kit.FormatDate(t, p.Since))
			if !now {
				when = t.F("employers.span", kit.FormatDate(t, p.Since), kit.FormatDate(t, p.Until))
			}
			b.WriteString(person(p, when) + "\n")
		}
	}
	section("employers.now", e.Now, true)
	section("employers.before", e.Before, false)
	return strings.TrimRight(b.String(), "\n")
}

// SetSize records the body size.
func (v *EmployerView) SetSize(width, height int) { v.width, v.height = width, height }

// Title names the screen.
func (v *EmployerView) Title() string { return v.ctx.T.S("employers.title") }

// Help lists the screen's keys.
func (v *EmployerView) Help() []key.Binding {
	k := v.ctx.Keys
	return []key.Binding{k.Up, k.Down, k.Home, k.End}
}

// Capturing is false: the view has no text input.
func (v *EmployerView) Capturing() bool { return false }
