package tui

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
	"github.com/brug-nl/brug/tui/texts"
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
	idle    int    // days since the last change; -1 unknown
	overdue int    // open agreements past their due day
	refused int    // changes the server refused; -1 unknown (a laptop)
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

// teamOverview is the coordinator's table of the clients of their teams:
// where each stands, how long nothing happened, and what needs attention.
type teamOverview struct {
	ctx    *Context
	seq    int
	loaded bool
	err    error
	rows   []teamRow // every client of the user's teams, in sortBy order
	shown  []int     // indexes into rows that pass the team filter
	filter teamFilter
	sortBy teamSort
	nav    tableNav
	width  int
	height int
	widths []int
	keys   coordListKeys
}

// coordListKeys are the keys of the overview and the queue beyond the
// shared ones.
type coordListKeys struct{ Team key.Binding }

func newCoordListKeys(t *texts.Texts) coordListKeys {
	return coordListKeys{Team: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", t.S("coord.key.team")))}
}

// NewTeamOverview is the coordinator's team overview: per client of their
// teams the step, progress, days since the last change, overdue
// agreements, conflicts and refused changes. Enter opens the client.
func NewTeamOverview(ctx *Context) Screen {
	o := &teamOverview{ctx: ctx, filter: teamFilter{cur: -1}, keys: newCoordListKeys(ctx.T)}
	o.SetSize(ctx.Width, ctx.Height)
	return o
}

// Init loads the summaries; the root calls it again when the overview
// comes back to the front.
func (o *teamOverview) Init() tea.Cmd {
	o.seq++
	return loadTeam(o.ctx.Store, o.seq, o.sortBy, slices.Clone(o.ctx.Teams), o.ctx.Now())
}

// loadTeam reads the summaries (and, on a server, the refusal counts) off
// the UI goroutine and builds the sorted rows.
func loadTeam(st Store, seq int, by teamSort, teams []string, now time.Time) tea.Cmd {
	return func() tea.Msg {
		all, err := st.Summaries()
		if err != nil {
			return teamMsg{seq: seq, err: err}
		}
		all = safeSummaries(all)
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
			if s.Removed || !inTeams(teams, s.Team) {
				continue
			}
			r := teamRow{Summary: s, key: strings.ToLower(s.Name), idle: daysSince(now, s.LastChange),
				overdue: s.OverdueOn(today), refused: -1}
			if known {
				r.refused = refused[s.ID]
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
			if c := cmp.Compare(b.idle, a.idle); c != 0 {
				return c
			}
		case teamSortOverdue:
			if c := cmp.Compare(b.overdue, a.overdue); c != 0 {
				return c
			}
			if c := cmp.Compare(b.idle, a.idle); c != 0 {
				return c
			}
		}
		return byName(&a, &b)
	})
}

// Update handles the load, changes and keys.
func (o *teamOverview) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case teamMsg:
		return o, o.loadDone(msg)
	case ChangedMsg:
		return o, o.Init()
	case tea.KeyMsg:
		return o, o.key(msg)
	}
	return o, nil
}

func (o *teamOverview) loadDone(msg teamMsg) tea.Cmd {
	if msg.seq != o.seq {
		return nil // a newer load is on its way
	}
	if msg.err != nil {
		o.err = msg.err
		return Status(o.ctx.T.F("coord.err.load", msg.err), true)
	}
	sel := o.selectedID()
	o.err, o.loaded, o.rows = nil, true, msg.rows
	if msg.sortBy != o.sortBy {
		sortTeamRows(o.rows, o.sortBy)
	}
	o.filter.setTeams(teamChoices(o.ctx, func(yield func(string) bool) {
		for i := range o.rows {
			if !yield(o.rows[i].Team) {
				return
			}
		}
	}))
	o.refilter(sel)
	return nil
}

// refilter rebuilds the shown rows and puts the cursor back on client sel
// when it is still shown.
func (o *teamOverview) refilter(sel string) {
	o.shown = o.shown[:0]
	for i := range o.rows {
		if o.filter.match(o.rows[i].Team) {
			o.shown = append(o.shown, i)
		}
	}
	o.nav.cursor = 0
	for i, r := range o.shown {
		if o.rows[r].ID == sel {
			o.nav.cursor = i
			break
		}
	}
	o.nav.scroll(len(o.shown), o.visibleRows())
}

func (o *teamOverview) selectedID() string {
	if o.nav.cursor < 0 || o.nav.cursor >= len(o.shown) {
		return ""
	}
	return o.rows[o.shown[o.nav.cursor]].ID
}

func (o *teamOverview) key(msg tea.KeyMsg) tea.Cmd {
	k := o.ctx.Keys
	if o.nav.navKey(k, msg, len(o.shown), o.visibleRows()) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Open):
		if id := o.selectedID(); id != "" {
			return Open(OpenDossier, id, 0)
		}
	case key.Matches(msg, k.Sort):
		sel := o.selectedID()
		o.sortBy = (o.sortBy + 1) % teamSortCount
		sortTeamRows(o.rows, o.sortBy)
		o.refilter(sel)
	case key.Matches(msg, o.keys.Team):
		o.filter.next()
		o.refilter(o.selectedID())
	}
	return nil
}

// visibleRows is the number of table rows on screen: all but the filter
// line, the column titles and the count line.
func (o *teamOverview) visibleRows() int { return max(1, o.height-3) }

// stepCount is the number of steps of the method.
func (o *teamOverview) stepCount() int {
	if o.ctx.Method != nil && len(o.ctx.Method.Steps) > 0 {
		return len(o.ctx.Method.Steps)
	}
	return defaultSteps
}

// SetSize lays out the columns: name, team, step, idle days and the three
// counts always; from 120 cells a bar of all steps too.
func (o *teamOverview) SetSize(width, height int) {
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
	bar := max(w("coord.col.progress"), n*wideBarPerCel+n-1)
	idle := max(w("coord.col.idle"), ansi.StringWidth(t.F("coord.days", 9999)))
	specs := make([]colSpec, tcCount)
	specs[tcName] = colSpec{min: nameMin, max: nameMax}
	specs[tcTeam] = colSpec{min: 10, max: teamMax}
	specs[tcStep] = colSpec{min: step, max: step}
	if width >= wideBarFrom { // as in the client list: a bar of all steps only where it reads
		specs[tcBar] = colSpec{min: bar, max: bar, drop: 1}
	}
	specs[tcIdle] = colSpec{min: idle, max: idle}
	specs[tcOverdue] = colSpec{min: max(3, w("coord.col.overdue"))}
	specs[tcConflicts] = colSpec{min: max(3, w("coord.col.conflicts"))}
	specs[tcRefused] = colSpec{min: max(3, w("coord.col.refused"))}
	for i := range specs {
		specs[i].max = max(specs[i].max, specs[i].min)
	}
	o.widths = allocate(width-cursorWidth, specs)
	o.nav.scroll(len(o.shown), o.visibleRows())
}

// View shows the filter line, the column titles, the visible rows and the
// counts; only visible rows are rendered.
func (o *teamOverview) View() string {
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
	if len(o.shown) == 0 {
		b.WriteString("\n" + fit(t.F("coord.team.empty", o.filter.label(t)), o.width))
		vis--
	}
	end := min(len(o.shown), o.nav.offset+vis)
	for i := o.nav.offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(o.row(&o.rows[o.shown[i]], i == o.nav.cursor))
	}
	for i := max(0, end-o.nav.offset); i < vis; i++ {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(o.countLine())
	return b.String()
}

// row renders one client.
func (o *teamOverview) row(r *teamRow, selected bool) string {
	t, st := o.ctx.T, o.ctx.Styles
	n := o.stepCount()
	none := t.S("widget.none")
	cells := make([]tableCell, tcCount)
	cells[tcName] = tableCell{text: r.Name}
	team := r.Team
	if team == "" {
		team = none
	}
	cells[tcTeam] = tableCell{text: team, style: &st.Muted}
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
		pcts := stepCells(&r.Summary, n, buf[:0])
		if selected {
			cells[tcBar] = tableCell{text: progressCells(pcts, o.widths[tcBar])}
		} else {
			cells[tcBar] = tableCell{text: progressBar(st, pcts, o.widths[tcBar])}
		}
	}
	cells[tcIdle] = tableCell{text: none, style: &st.Muted, right: true}
	if r.idle >= 0 {
		cells[tcIdle] = tableCell{text: t.F("coord.days", r.idle), right: true}
		if r.idle >= coordIdleWarn {
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
		return tableCell{text: formatCount(t, v), style: style, right: true}
	}
	cells[tcOverdue] = count(r.overdue, &st.Bad)
	cells[tcConflicts] = count(r.Conflicts, &st.Conflict)
	cells[tcRefused] = count(r.refused, &st.Bad)
	return tableLine(st, cells, o.widths, selected, o.width)
}

// countLine sums up the shown clients and names the order.
func (o *teamOverview) countLine() string {
	t, st := o.ctx.T, o.ctx.Styles
	late, conflicts := 0, 0
	for _, i := range o.shown {
		if o.rows[i].overdue > 0 {
			late++
		}
		if o.rows[i].Conflicts > 0 {
			conflicts++
		}
	}
	s := t.F("coord.team.count", formatCount(t, len(o.shown)), formatCount(t, late), formatCount(t, conflicts)) +
		" · " + t.F("coord.sort", t.S(teamSortKeys[o.sortBy]))
	return st.Muted.Render(fit(s, o.width))
}

// Title names the screen in the header.
func (o *teamOverview) Title() string { return o.ctx.T.S("coord.team.title") }

// Help lists the overview's keys.
func (o *teamOverview) Help() []key.Binding {
	k := o.ctx.Keys
	return []key.Binding{k.Open, o.keys.Team, k.Sort, k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

// Capturing is false: the overview has no text input.
func (o *teamOverview) Capturing() bool { return false }
