package coord

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// teamSort is the order of the team overview; s cycles through them.
type teamSort int

const (
	teamSortIdle    teamSort = iota // longest without any change first: who is stuck
	teamSortOverdue                 // most overdue agreements first
	teamSortName
	teamSortCount
)

var teamSortKeys = [teamSortCount]string{"coord.sort.idle", "coord.sort.overdue", "coord.sort.name"}

// teamRow is one client of the overview, with what the row shows worked
// out once per load.
type teamRow struct {
	store.Summary
	key     string // lower-case name, for name order
	Idle    int    // days since the last change; -1 unknown
	Overdue int    // open agreements past their due day
	Refused int    // changes the server refused; -1 unknown (a laptop)
}

// teamMsg answers a load of the overview; seq says which load.
type teamMsg struct {
	seq    int
	sortBy teamSort
	rows   []teamRow
	err    error
}

// Column indexes of the team overview.
const (
	tcName = iota
	tcTeam
	tcStep
	tcBar
	tcIdle
	tcOverdue
	tcConflicts
	tcRefused
	tcCount
)

// TeamOverview is the coordinator's table of the clients of their teams:
// where each stands, how long nothing happened, and what needs attention.
type TeamOverview struct {
	ctx    *kit.Context
	seq    int
	loaded bool
	err    error
	Rows   []teamRow // every client of the user's teams, in sortBy order
	Shown  []int     // indexes into rows that pass the team filter
	filter teamFilter
	sortBy teamSort
	nav    tableNav
	width  int
	height int
	widths []int
	keys   kit.CoordListKeys
}

// NewTeamOverview is the coordinator's team overview: per client of their
// teams the step, progress, days since the last change, overdue
// agreements, conflicts and refused changes. Enter opens the client.
func NewTeamOverview(ctx *kit.Context) kit.Screen {
	o := &TeamOverview{ctx: ctx, filter: teamFilter{cur: -1}, keys: ctx.Keys.OnCoordList}
	o.SetSize(ctx.Width, ctx.Height)
	return o
}

// Init loads the summaries; the root calls it again when the overview
// comes back to the front.
func (o *TeamOverview) Init() tea.Cmd {
	o.seq++
	return loadTeam(o.ctx.Store, o.seq, o.sortBy, slices.Clone(o.ctx.Teams), o.ctx.Now())
}

// loadTeam reads the summaries (and, on a server, the refusal counts) off
// the UI goroutine and builds the sorted rows.
func loadTeam(st kit.Store, seq int, by teamSort, teams []string, now time.Time) tea.Cmd {
	return func() tea.Msg {
		all, err := st.Summaries()
		if err != nil {
			return teamMsg{seq: seq, err: err}
		}
		all = kit.SafeSummaries(all)
		var refused map[string]int
		rc, known := st.(refusalCounter)
		if known {
			if refused, err = rc.RefusedPerDossier(); err != nil {
				return teamMsg{seq: seq, err: err}
			}
		}
		today := now.Format(time.DateOnly)
		rows := make([]teamRow, 0, len(all))
		for _, s := range all {
			if s.Removed || !inTeams(teams, s.Team) && !sharedIn(st, &s, teams, today) {
				continue
			}
			r := teamRow{Summary: s, key: strings.ToLower(s.Name), Idle: daysSince(now, s.LastChange),
				Overdue: s.OverdueOn(today), Refused: -1}
			if known {
				r.Refused = refused[s.ID]
			}
			rows = append(rows, r)
		}
		sortTeamRows(rows, by)
		return teamMsg{seq: seq, sortBy: by, rows: rows}
	}
}

// sortTeamRows orders the rows; ties fall back to name and id, so the
// order is stable across loads.
func sortTeamRows(rows []teamRow, by teamSort) {
	byName := func(a, b *teamRow) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	}
	slices.SortFunc(rows, func(a, b teamRow) int {
		switch by {
		case teamSortIdle:
			if c := cmp.Compare(b.Idle, a.Idle); c != 0 {
				return c
			}
		case teamSortOverdue:
			if c := cmp.Compare(b.Overdue, a.Overdue); c != 0 {
				return c
			}
			if c := cmp.Compare(b.Idle, a.Idle); c != 0 {
				return c
			}
		}
		return byName(&a, &b)
	})
}

// Update handles the load, changes and keys.
func (o *TeamOverview) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case teamMsg:
		return o, o.loadDone(msg)
	case kit.ChangedMsg:
		return o, o.Init()
	case tea.KeyMsg:
		return o, o.key(msg)
	}
	return o, nil
}

func (o *TeamOverview) loadDone(msg teamMsg) tea.Cmd {
	if msg.seq != o.seq {
		return nil // a newer load is on its way
	}
	if msg.err != nil {
		o.err = msg.err
		return kit.StatusErr(o.ctx.T.F("coord.err.load", msg.err), msg.err)
	}
	sel := o.selectedID()
	o.err, o.loaded, o.Rows = nil, true, msg.rows
	if msg.sortBy != o.sortBy {
		sortTeamRows(o.Rows, o.sortBy)
	}
	o.filter.setTeams(teamChoices(o.ctx, func(yield func(string) bool) {
		for i := range o.Rows {
			if !yield(o.Rows[i].Team) {
				return
			}
		}
	}))
	o.refilter(sel)
	return nil
}

// refilter rebuilds the shown rows and puts the cursor back on client sel
// when it is still shown.
func (o *TeamOverview) refilter(sel string) {
	o.Shown = o.Shown[:0]
	for i := range o.Rows {
		if o.filter.match(o.Rows[i].Team) {
			o.Shown = append(o.Shown, i)
		}
	}
	o.nav.cursor = 0
	for i, r := range o.Shown {
		if o.Rows[r].ID == sel {
			o.nav.cursor = i
			break
		}
	}
	o.nav.scroll(len(o.Shown), o.visibleRows())
}

func (o *TeamOverview) selectedID() string {
	if o.nav.cursor < 0 || o.nav.cursor >= len(o.Shown) {
		return ""
	}
	return o.Rows[o.Shown[o.nav.cursor]].ID
}

func (o *TeamOverview) key(msg tea.KeyMsg) tea.Cmd {
	k := o.ctx.Keys
	if o.nav.navKey(k, msg, len(o.Shown), o.visibleRows()) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Open):
		if id := o.selectedID(); id != "" {
			return kit.Open(kit.OpenDossier, id, 0)
		}
	case key.Matches(msg, k.Sort):
		sel := o.selectedID()
		o.sortBy = (o.sortBy + 1) % teamSortCount
		sortTeamRows(o.Rows, o.sortBy)
		o.refilter(sel)
	case key.Matches(msg, o.keys.Team):
		o.filter.next()
		o.refilter(o.selectedID())
	case key.Matches(msg, o.keys.Employers):
		return kit.Push(NewEmployerView(o.ctx))
	}
	return nil
}

// visibleRows is the number of table rows on screen: all but the filter
// line, the column titles and the count line.
func (o *TeamOverview) visibleRows() int { return max(1, o.height-3) }

// stepCount is the number of steps of the method.
func (o *TeamOverview) stepCount() int {
	if o.ctx.Method != nil && len(o.ctx.Method.Steps) > 0 {
		return len(o.ctx.Method.Steps)
	}
	return kit.DefaultSteps
}

// SetSize lays out the columns: name, team, step, idle days and the three
// counts always; from 120 cells a bar of all steps too.
func (o *TeamOverview) SetSize(width, height int) {
	o.width, o.height = width, height
	t := o.ctx.T
	n := o.stepCount()
	w := func(keys ...string) int {
		m := 0
		for _, k := range keys {
			m = max(m, ansi.StringWidth(t.S(k)))
		}
		return m
	}
	step := max(w("coord.col.step", "coord.step.all"), ansi.StringWidth(t.F("coord.step", n, n, 100)))
	bar := max(w("coord.col.progress"), n*kit.WideBarPerCel+n-1)
	idle := max(w("coord.col.idle"), ansi.StringWidth(t.F("coord.days", 9999)))
	specs := make([]colSpec, tcCount)
	specs[tcName] = colSpec{min: kit.NameMin, max: kit.NameMax}
	specs[tcTeam] = colSpec{min: 10, max: kit.TeamMax}
	specs[tcStep] = colSpec{min: step, max: step}
	if width >= kit.WideBarFrom { // as in the client list: a bar of all steps only where it reads
		specs[tcBar] = colSpec{min: bar, max: bar, drop: 1}
	}
	specs[tcIdle] = colSpec{min: idle, max: idle}
	// Below about 78 cells not all counts fit beside the name, team, step
	// and idle days: the refused changes go first, then the conflicts
	// (the count line still says how many have conflicts).
	specs[tcOverdue] = colSpec{min: max(3, w("coord.col.overdue"))}
	specs[tcConflicts] = colSpec{min: max(3, w("coord.col.conflicts")), drop: 2}
	specs[tcRefused] = colSpec{min: max(3, w("coord.col.refused")), drop: 3}
	for i := range specs {
		specs[i].max = max(specs[i].max, specs[i].min)
	}
	o.widths = allocate(width-kit.CursorWidth, specs)
	o.nav.scroll(len(o.Shown), o.visibleRows())
}

// View shows the filter line, the column titles, the visible rows and the
// counts; only visible rows are rendered.
func (o *TeamOverview) View() string {
	t, st := o.ctx.T, o.ctx.Styles
	var b strings.Builder
	if tableHead(o.ctx, &b, o.filter.label(t), o.width, o.err, o.loaded) {
		return b.String()
	}
	titles := make([]string, tcCount)
	right := make([]bool, tcCount)
	for i, k := range [tcCount]string{"coord.col.name", "coord.col.team", "coord.col.step", "coord.col.progress",
		"coord.col.idle", "coord.col.overdue", "coord.col.conflicts", "coord.col.refused"} {
		titles[i] = t.S(k)
		right[i] = i >= tcIdle
	}
	b.WriteString(tableHeader(st, titles, right, o.widths, o.width))
	vis := o.visibleRows()
	if len(o.Shown) == 0 {
		b.WriteString("\n" + kit.Fit(t.F("coord.team.empty", o.filter.label(t)), o.width))
		vis--
	}
	end := min(len(o.Shown), o.nav.offset+vis)
	for i := o.nav.offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(o.row(&o.Rows[o.Shown[i]], i == o.nav.cursor))
	}
	for i := max(0, end-o.nav.offset); i < vis; i++ {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(o.countLine())
	return b.String()
}

// row renders one client.
func (o *TeamOverview) row(r *teamRow, selected bool) string {
	t, st := o.ctx.T, o.ctx.Styles
	n := o.stepCount()
	none := t.S("widget.none")
	cells := make([]tableCell, tcCount)
	cells[tcName] = tableCell{text: r.Name}
	team := r.Team
	if team == "" {
		team = none
	}
	cells[tcTeam] = tableCell{text: team, style: &st.Muted, tail: true}
	if r.StepsDone >= n {
		cells[tcStep] = tableCell{text: t.S("coord.step.all"), style: &st.Good}
	} else {
		pct := 0
		if i := r.CurrentStep - 1; i >= 0 && i < len(r.Progress) {
			pct = int(r.Progress[i])
		}
		cells[tcStep] = tableCell{text: t.F("coord.step", r.CurrentStep, n, pct)}
	}
	if o.widths[tcBar] > 0 {
		var buf [16]uint8
		pcts := kit.StepCells(&r.Summary, n, buf[:0])
		if selected {
			cells[tcBar] = tableCell{text: kit.ProgressCells(pcts, o.widths[tcBar])}
		} else {
			cells[tcBar] = tableCell{text: kit.ProgressBar(st, pcts, o.widths[tcBar])}
		}
	}
	cells[tcIdle] = tableCell{text: none, style: &st.Muted, right: true}
	if r.Idle >= 0 {
		cells[tcIdle] = tableCell{text: t.F("coord.days", r.Idle), right: true}
		if r.Idle >= coordIdleWarn {
			cells[tcIdle].style = &st.Warn
		}
	}
	count := func(v int, style *lipgloss.Style) tableCell {
		switch {
		case v < 0:
			return tableCell{text: none, style: &st.Muted, right: true}
		case v == 0:
			return tableCell{text: "0", style: &st.Muted, right: true}
		}
		return tableCell{text: kit.FormatCount(t, v), style: style, right: true}
	}
	cells[tcOverdue] = count(r.Overdue, &st.Bad)
	cells[tcConflicts] = count(r.Conflicts, &st.Conflict)
	cells[tcRefused] = count(r.Refused, &st.Bad)
	return tableLine(st, cells, o.widths, selected, o.width)
}

// countLine sums up the shown clients and names the order.
func (o *TeamOverview) countLine() string {
	t, st := o.ctx.T, o.ctx.Styles
	late, conflicts := 0, 0
	for _, i := range o.Shown {
		if o.Rows[i].Overdue > 0 {
			late++
		}
		if o.Rows[i].Conflicts > 0 {
			conflicts++
		}
	}
	s := t.N("coord.team.count", len(o.Shown), kit.FormatCount(t, len(o.Shown)), kit.FormatCount(t, late), kit.FormatCount(t, conflicts))
	parts := append(strings.Split(s, " · "), t.F("coord.sort", t.S(teamSortKeys[o.sortBy])))
	return st.Muted.Render(kit.FitParts(parts, " · ", o.width))
}

// Title names the screen in the header.
func (o *TeamOverview) Title() string { return o.ctx.T.S("coord.team.title") }

// Help lists the overview's keys.
func (o *TeamOverview) Help() []key.Binding {
	k := o.ctx.Keys
	return []key.Binding{k.Open, o.keys.Team, k.Sort, o.keys.Employers, k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

// Capturing is false: the overview has no text input.
func (o *TeamOverview) Capturing() bool { return false }
