// Package report is the flow report screen: how clients moved between
// places over a period.
package report

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// flowReporter is what the flow report needs from the store. It is not part
// of Store: a store that cannot count (a narrowed view over SSH, a test
// fake) leaves it out and the screen says so.
type flowReporter interface {
	FlowReport(store.FlowQuery) (store.FlowReport, error)
}

// flowSpan is the length of the report's period.
type flowSpan int

const (
	spanQuarter flowSpan = iota
	spanYear
	spanCount
)

// Layout of the report, in cells.
const (
	flowIndent    = 2   // before each place label
	flowGap       = 2   // between label and bar, and between columns
	flowBarMin    = 8   // a bar narrower than this says nothing
	flowBarMax    = 60  // wider bars are no easier to read
	flowWideFrom  = 110 // from this width the sections stand in two columns
	flowColGutter = 4   // between the two columns
)

// flowLoadedMsg answers a load; seq says which.
type flowLoadedMsg struct {
	seq    int
	report store.FlowReport
	err    error
}

// FlowReport is the flow report screen: for a period and a team, where
// people stood at the start, how many moved on and to what, how many
// stepped back and where they stood at the end, as bar charts.
type FlowReport struct {
	ctx           *kit.Context
	fr            flowReporter // nil: the store cannot count
	seq           int
	loaded        bool
	err           error
	report        store.FlowReport
	span          flowSpan
	anchor        time.Time // a day inside the period shown
	team          string    // "" is all teams
	offset        int       // first line shown, when the report is taller than the screen
	width, height int
	keys          kit.ReportKeys
}

// NewFlowReport is the flow report screen: how many people moved on, to
// which place, and how many stepped back, for a period (the current
// quarter up to today, at first) and a team (all teams, at first).
func NewFlowReport(ctx *kit.Context) kit.Screen {
	r := &FlowReport{ctx: ctx, width: ctx.Width, height: ctx.Height, anchor: ctx.Now(),
		keys: ctx.Keys.OnReport}
	r.fr, _ = ctx.Store.(flowReporter)
	return r
}

// Init loads the report.
func (r *FlowReport) Init() tea.Cmd { return r.reload() }

// period is the first and last day of the period shown: the quarter or
// year around anchor, ending today at the latest.
func (r *FlowReport) period() (from, to string) {
	if r.span == spanYear {
		y := r.anchor.Year()
		from, to = strconv.Itoa(y)+"-01-01", strconv.Itoa(y)+"-12-31"
	} else {
		from, to = store.QuarterOf(r.anchor)
	}
	if today := kit.TodayOf(r.ctx); to > today {
		to = max(from, today)
	}
	return from, to
}

func (r *FlowReport) query() store.FlowQuery {
	q := store.FlowQuery{}
	q.From, q.To = r.period()
	if r.team != "" {
		q.Teams = []string{r.team}
	}
	return q
}

func (r *FlowReport) reload() tea.Cmd {
	if r.fr == nil {
		return nil
	}
	r.seq++
	r.loaded, r.err = false, nil
	return loadFlow(r.fr, r.seq, r.query())
}

// loadFlow counts off the UI goroutine; q is the caller's own copy.
func loadFlow(fr flowReporter, seq int, q store.FlowQuery) tea.Cmd {
	return func() tea.Msg {
		rep, err := fr.FlowReport(q)
		return flowLoadedMsg{seq: seq, report: rep, err: err}
	}
}

// Update handles loads, changes and keys.
func (r *FlowReport) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case flowLoadedMsg:
		return r, r.loadDone(msg)
	case kit.ChangedMsg:
		return r, r.reload()
	case tea.KeyMsg:
		return r, r.key(msg)
	}
	return r, nil
}

func (r *FlowReport) loadDone(msg flowLoadedMsg) tea.Cmd {
	if msg.seq != r.seq {
		return nil // a newer load is on its way
	}
	if msg.err != nil {
		r.err = msg.err
		return kit.StatusErr(r.ctx.T.F("report.err", msg.err), msg.err)
	}
	r.loaded, r.report = true, msg.report
	r.offset = min(r.offset, r.maxOffset())
	return nil
}

func (r *FlowReport) key(msg tea.KeyMsg) tea.Cmd {
	k := r.ctx.Keys
	switch {
	case key.Matches(msg, r.keys.Prev):
		r.step(-1)
		return r.reload()
	case key.Matches(msg, r.keys.Next):
		if r.step(1) {
			return r.reload()
		}
	case key.Matches(msg, r.keys.Span):
		r.span = (r.span + 1) % spanCount
		return r.reload()
	case key.Matches(msg, r.keys.Team):
		r.team = r.nextTeam()
		return r.reload()
	case key.Matches(msg, k.Up):
		r.scroll(-1)
	case key.Matches(msg, k.Down):
		r.scroll(1)
	case key.Matches(msg, k.PageUp):
		r.scroll(-r.height)
	case key.Matches(msg, k.PageDown):
		r.scroll(r.height)
	case key.Matches(msg, k.Home):
		r.scroll(-r.offset)
	case key.Matches(msg, k.End):
		r.scroll(r.maxOffset())
	}
	return nil
}

// step moves the period one quarter or year; it does not go past the
// period holding today. It reports whether the period changed.
func (r *FlowReport) step(dir int) bool {
	// From the first of the month, so that adding months never skips one
	// (31 March plus three months would be 1 July).
	y, m, _ := r.anchor.Date()
	first := time.Date(y, m, 1, 12, 0, 0, 0, r.anchor.Location())
	next := first.AddDate(0, 3*dir, 0)
	if r.span == spanYear {
		next = first.AddDate(dir, 0, 0)
	}
	// Compare periods, not days: the anchor may lie on any day of one.
	if from, _ := r.periodAt(next); dir > 0 && from > kit.TodayOf(r.ctx) {
		return false
	}
	r.anchor = next
	return true
}

// periodAt is the period's first and last day around a day, unclipped.
func (r *FlowReport) periodAt(day time.Time) (string, string) {
	if r.span == spanYear {
		y := strconv.Itoa(day.Year())
		return y + "-01-01", y + "-12-31"
	}
	return store.QuarterOf(day)
}

// teams are the teams to cycle through: the user's teams on the server
// when known, else the teams the last report found.
func (r *FlowReport) teams() []string {
	if len(r.ctx.Teams) > 0 {
		return r.ctx.Teams
	}
	return r.report.KnownTeams
}

// nextTeam is the team after the current one, all teams after the last.
func (r *FlowReport) nextTeam() string {
	ts := r.teams()
	i := slices.Index(ts, r.team)
	switch {
	case len(ts) == 0:
		return ""
	case r.team == "":
		return ts[0]
	case i < 0 || i == len(ts)-1:
		return ""
	}
	return ts[i+1]
}

func (r *FlowReport) scroll(delta int) {
	r.offset = max(0, min(r.maxOffset(), r.offset+delta))
}

func (r *FlowReport) maxOffset() int {
	return max(0, len(r.lines())-r.height)
}

// SetSize keeps the body size.
func (r *FlowReport) SetSize(width, height int) {
	r.width, r.height = width, height
	r.scroll(0)
}

// View shows the lines that fit from the scroll offset; when more follow,
// the last line says so.
func (r *FlowReport) View() string {
	lines := r.lines()
	end := min(len(lines), r.offset+r.height)
	shown := slices.Clone(lines[min(r.offset, end):end])
	if end < len(lines) && len(shown) > 0 {
		shown[len(shown)-1] = r.ctx.Styles.Muted.Render(kit.Fit(r.ctx.T.S("report.more"), r.width))
	}
	return strings.Join(shown, "\n")
}

// lines renders the whole report, one string per screen line.
func (r *FlowReport) lines() []string {
	t, st := r.ctx.T, r.ctx.Styles
	w := r.width
	out := []string{r.periodLine()}
	switch {
	case r.fr == nil:
		return append(out, "", st.Bad.Render(kit.Truncate(t.S("report.unsupported"), w)))
	case r.err != nil && !r.loaded:
		return append(out, "", st.Bad.Render(kit.Truncate(t.F("report.err", r.err), w)))
	case !r.loaded:
		return append(out, "", st.Muted.Render(kit.Truncate(t.S("report.loading"), w)))
	}
	rep := r.report
	back := t.F("report.back", kit.FormatCount(t, rep.SteppedBack))
	if rep.SteppedBack == 1 {
		back = t.S("report.back.1")
	}
	head := st.Title.Render(t.F("report.headline", kit.FormatCount(t, rep.MovedOn), kit.FormatCount(t, rep.People))) +
		st.Muted.Render(" · ") + back
	out = append(out, kit.Truncate(head, w))
	if rep.People == 0 {
		return append(out, "", st.Muted.Render(kit.Truncate(t.S("report.empty"), w)))
	}
	sections := []flowSection{
		{t.S("report.atstart"), shownPlaces(rep.AtStart)},
		{t.S("report.movedto"), rep.MovedTo},
		{t.S("report.backfrom"), rep.SteppedBackFrom},
		{t.S("report.atend"), shownPlaces(rep.AtEnd)},
	}
	labelW := 0
	for _, sec := range sections {
		for _, pc := range sec.counts {
			labelW = max(labelW, ansi.StringWidth(r.placeName(pc.Place)))
		}
	}
	out = append(out, "")
	if w >= flowWideFrom {
		colW := (w - flowColGutter) / 2
		left := r.column(colW, labelW, sections[0], sections[3])
		right := r.column(colW, labelW, sections[1], sections[2])
		for i := range max(len(left), len(right)) {
			l, rt := "", ""
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				rt = right[i]
			}
			out = append(out, kit.Fit(l, colW)+strings.Repeat(" ", flowColGutter)+rt)
		}
	} else {
		out = append(out, r.column(w, labelW, sections...)...)
	}
	if len(rep.Teams) > 1 {
		out = append(out, "")
		out = append(out, r.teamTable(w)...)
	}
	if len(rep.Employers) > 0 {
		out = append(out, "")
		out = append(out, r.employerTable(w)...)
	}
	return out
}

// employerTable shows per employer named on the moves (issue 11) how
// many moved on to a place with it in the period and how many were
// placed there when it ended.
func (r *FlowReport) employerTable(width int) []string {
	t, st := r.ctx.T, r.ctx.Styles
	heads := []string{t.S("report.col.emp.movedon"), t.S("report.col.emp.atend")}
	nameW := ansi.StringWidth(t.S("report.col.employer"))
	numW := []int{ansi.StringWidth(heads[0]), ansi.StringWidth(heads[1])}
	for _, e := range r.report.Employers {
		nameW = max(nameW, ansi.StringWidth(e.Employer))
		for i, n := range []int{e.MovedOn, e.AtEnd} {
			numW[i] = max(numW[i], ansi.StringWidth(kit.FormatCount(t, n)))
		}
	}
	nameW = max(6, min(nameW, width-flowIndent-2*flowGap-numW[0]-numW[1]))
	row := func(first string, cells []string) string {
		var b strings.Builder
		b.WriteString(strings.Repeat(" ", flowIndent) + kit.Fit(first, nameW))
		for i, c := range cells {
			b.WriteString(strings.Repeat(" ", flowGap+numW[i]-ansi.StringWidth(c)) + c)
		}
		return kit.Truncate(b.String(), width)
	}
	out := []string{st.Section.Render(kit.Truncate(t.S("report.peremployer"), width)), st.Muted.Render(row(t.S("report.col.employer"), heads))}
	for _, e := range r.report.Employers {
		out = append(out, row(kit.SafeCopy(e.Employer), []string{kit.FormatCount(t, e.MovedOn), kit.FormatCount(t, e.AtEnd)}))
	}
	return out
}

// teamTable shows people, moved on and stepped back per team, when the
// report covers more than one.
func (r *FlowReport) teamTable(width int) []string {
	t, st := r.ctx.T, r.ctx.Styles
	heads := []string{t.S("report.col.people"), t.S("report.col.movedon"), t.S("report.col.back")}
	nameW := ansi.StringWidth(t.S("report.col.team"))
	numW := make([]int, len(heads))
	for i, h := range heads {
		numW[i] = ansi.StringWidth(h)
	}
	name := func(team string) string {
		if team == "" {
			return t.S("report.noteam")
		}
		return team
	}
	for _, tf := range r.report.Teams {
		nameW = max(nameW, ansi.StringWidth(name(tf.Team)))
		for i, n := range []int{tf.People, tf.MovedOn, tf.SteppedBack} {
			numW[i] = max(numW[i], ansi.StringWidth(kit.FormatCount(t, n)))
		}
	}
	nums := 0
	for _, n := range numW {
		nums += flowGap + n
	}
	nameW = max(6, min(nameW, width-flowIndent-nums))
	row := func(first string, cells []string) string {
		var b strings.Builder
		b.WriteString(strings.Repeat(" ", flowIndent) + kit.Fit(first, nameW))
		for i, c := range cells {
			b.WriteString(strings.Repeat(" ", flowGap+numW[i]-ansi.StringWidth(c)) + c)
		}
		return kit.Truncate(b.String(), width)
	}
	out := []string{st.Section.Render(kit.Truncate(t.S("report.perteam"), width)), st.Muted.Render(row(t.S("report.col.team"), heads))}
	for _, tf := range r.report.Teams {
		out = append(out, row(name(tf.Team), []string{kit.FormatCount(t, tf.People), kit.FormatCount(t, tf.MovedOn), kit.FormatCount(t, tf.SteppedBack)}))
	}
	return out
}

// flowSection is one bar chart: a title and a count per place.
type flowSection struct {
	title  string
	counts []store.PlaceCount
}

// shownPlaces leaves out "unknown" when nobody is in it.
func shownPlaces(list []store.PlaceCount) []store.PlaceCount {
	return slices.DeleteFunc(slices.Clone(list), func(pc store.PlaceCount) bool {
		return pc.Place == store.PlaceUnknown && pc.Count == 0
	})
}

func (r *FlowReport) placeName(p store.Place) string {
	if p == store.PlaceUnknown {
		return r.ctx.T.S("report.unknown")
	}
	return kit.PlaceLabel(r.ctx.T, p)
}

// column renders sections one under another, a blank line between, each
// bar chart width cells wide.
func (r *FlowReport) column(width, labelW int, sections ...flowSection) []string {
	var out []string
	for i, sec := range sections {
		if i > 0 {
			out = append(out, "")
		}
		out = append(out, r.chart(width, labelW, sec)...)
	}
	return out
}

// chart renders one section: its title, then a row per place with the
// place, a bar and the count. Bars are scaled to the section's largest
// count and drawn with block characters (eighths at the end), so they read
// without colour; a count above zero always shows a sliver.
func (r *FlowReport) chart(width, labelW int, sec flowSection) []string {
	t, st := r.ctx.T, r.ctx.Styles
	most, countW := 0, 1
	for _, pc := range sec.counts {
		most = max(most, pc.Count)
		countW = max(countW, ansi.StringWidth(kit.FormatCount(t, pc.Count)))
	}
	labelW = min(labelW, max(6, width-flowIndent-flowGap-flowBarMin-1-countW))
	barW := min(flowBarMax, width-flowIndent-labelW-flowGap-1-countW)
	out := []string{st.Section.Render(kit.Truncate(sec.title, width))}
	for _, pc := range sec.counts {
		line := strings.Repeat(" ", flowIndent) + kit.Fit(r.placeName(pc.Place), labelW) + strings.Repeat(" ", flowGap)
		if bar := flowBar(pc.Count, most, barW); bar != "" {
			line += st.BarFull.Render(bar) + " "
		}
		line += kit.FormatCount(t, pc.Count)
		out = append(out, kit.Truncate(line, width))
	}
	return out
}

// flowBar is count's bar out of most, at most width cells, in eighths.
func flowBar(count, most, width int) string {
	if count <= 0 || most <= 0 || width <= 0 {
		return ""
	}
	eighths := max(1, (count*width*8+most/2)/most)
	bar := strings.Repeat("█", eighths/8)
	if rest := eighths % 8; rest > 0 {
		bar += string([]rune("▏▎▍▌▋▊▉")[rest-1])
	}
	return bar
}

// periodLine names the period and the team.
func (r *FlowReport) periodLine() string {
	t, st := r.ctx.T, r.ctx.Styles
	from, to := r.period()
	var name string
	if r.span == spanYear {
		name = t.F("report.year", r.anchor.Year())
	} else {
		name = t.F("report.quarter", (int(r.anchor.Month())+2)/3, r.anchor.Year())
	}
	team := t.S("report.allteams")
	if r.team != "" {
		team = r.team
	}
	s := st.Section.Render(name) + " " + st.Muted.Render(t.F("report.period", kit.FormatDate(t, from), kit.FormatDate(t, to))) +
		st.Muted.Render(" · ") + t.F("report.team", team)
	return kit.Truncate(s, r.width)
}

// Title names the screen in the header.
func (r *FlowReport) Title() string { return r.ctx.T.S("report.title") }

// Help lists the screen's keys.
func (r *FlowReport) Help() []key.Binding {
	k := r.ctx.Keys
	return []key.Binding{r.keys.Prev, r.keys.Next, r.keys.Span, r.keys.Team, k.Up, k.Down, k.Home, k.End}
}

// Capturing is false: the screen has no text input.
func (r *FlowReport) Capturing() bool { return false }
