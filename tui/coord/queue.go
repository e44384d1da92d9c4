package coord

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// queueRow is one step waiting for review.
type queueRow struct {
	id    string // the client
	Name  string
	key   string // lower-case name, for ties
	team  string
	Step  int
	since store.HLC // when the step was marked done
	by    string    // who marked it done
}

// queueMsg answers a load of the queue; seq says which load.
type queueMsg struct {
	seq  int
	rows []queueRow
	err  error
}

// Column indexes of the queue.
const (
	qcName = iota
	qcStep
	qcWaiting
	qcSince
	qcTeam
	qcBy
	qcCount
)

// ReviewQueue lists every step a coach marked done that waits for a
// coordinator, the longest waiting first. It is built from the list
// summaries; a dossier is read only when a step is opened for review.
type ReviewQueue struct {
	ctx    *kit.Context
	seq    int
	loaded bool
	err    error
	Rows   []queueRow
	Shown  []int // indexes into rows that pass the team filter
	filter teamFilter
	nav    tableNav
	width  int
	height int
	widths []int
	keys   kit.CoordListKeys
}

// NewReviewQueue is the coordinator's review queue: the steps marked done
// and waiting to be signed off or sent back, oldest first. Enter opens the
// step's review.
func NewReviewQueue(ctx *kit.Context) kit.Screen {
	q := &ReviewQueue{ctx: ctx, filter: teamFilter{cur: -1}, keys: ctx.Keys.OnCoordList}
	q.SetSize(ctx.Width, ctx.Height)
	return q
}

// Init loads the queue; the root calls it again when the queue comes back
// to the front after a review.
func (q *ReviewQueue) Init() tea.Cmd {
	q.seq++
	return loadQueue(q.ctx.Store, q.seq, slices.Clone(q.ctx.Teams), q.ctx.Now().Format(time.DateOnly))
}

// loadQueue reads the summaries off the UI goroutine and lists their
// waiting steps, sorted.
func loadQueue(st kit.Store, seq int, teams []string, today string) tea.Cmd {
	return func() tea.Msg {
		all, err := st.Summaries()
		if err != nil {
			return queueMsg{seq: seq, err: err}
		}
		all = kit.SafeSummaries(all)
		var rows []queueRow
		for _, s := range all {
			if s.Removed || len(s.Waiting) == 0 || !inTeams(teams, s.Team) && !sharedIn(st, &s, teams, today) {
				continue
			}
			key := strings.ToLower(s.Name)
			for _, w := range s.Waiting {
				rows = append(rows, queueRow{id: s.ID, Name: s.Name, key: key, team: s.Team, Step: w.Step, since: w.Since, by: w.By})
			}
		}
		slices.SortFunc(rows, func(a, b queueRow) int {
			if c := cmp.Compare(a.since, b.since); c != 0 {
				return c
			}
			if c := strings.Compare(a.key, b.key); c != 0 {
				return c
			}
			if c := strings.Compare(a.id, b.id); c != 0 {
				return c
			}
			return cmp.Compare(a.Step, b.Step)
		})
		return queueMsg{seq: seq, rows: rows}
	}
}

// Update handles the load, changes and keys.
func (q *ReviewQueue) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case queueMsg:
		return q, q.loadDone(msg)
	case kit.ChangedMsg:
		return q, q.Init()
	case tea.KeyMsg:
		return q, q.key(msg)
	}
	return q, nil
}

func (q *ReviewQueue) loadDone(msg queueMsg) tea.Cmd {
	if msg.seq != q.seq {
		return nil
	}
	if msg.err != nil {
		q.err = msg.err
		return kit.StatusErr(q.ctx.T.F("coord.err.load", msg.err), msg.err)
	}
	id, step := q.selected()
	at := q.nav.cursor
	q.err, q.loaded, q.Rows = nil, true, msg.rows
	q.filter.setTeams(teamChoices(q.ctx, func(yield func(string) bool) {
		for i := range q.Rows {
			if !yield(q.Rows[i].team) {
				return
			}
		}
	}))
	q.refilter()
	// The cursor stays on the step it was on; when that one left the
	// queue (signed off, sent back), on the one that took its place.
	q.nav.cursor = at
	for i, r := range q.Shown {
		if q.Rows[r].id == id && q.Rows[r].Step == step {
			q.nav.cursor = i
			break
		}
	}
	q.nav.scroll(len(q.Shown), q.visibleRows())
	return nil
}

func (q *ReviewQueue) refilter() {
	q.Shown = q.Shown[:0]
	for i := range q.Rows {
		if q.filter.match(q.Rows[i].team) {
			q.Shown = append(q.Shown, i)
		}
	}
	q.nav.cursor = 0
	q.nav.scroll(len(q.Shown), q.visibleRows())
}

// selected is the client and step under the cursor.
func (q *ReviewQueue) selected() (string, int) {
	if q.nav.cursor < 0 || q.nav.cursor >= len(q.Shown) {
		return "", 0
	}
	r := q.Rows[q.Shown[q.nav.cursor]]
	return r.id, r.Step
}

func (q *ReviewQueue) key(msg tea.KeyMsg) tea.Cmd {
	k := q.ctx.Keys
	if q.nav.navKey(k, msg, len(q.Shown), q.visibleRows()) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Open):
		if id, step := q.selected(); id != "" {
			return kit.Open(kit.OpenReview, id, step)
		}
	case key.Matches(msg, q.keys.Team):
		q.filter.next()
		q.refilter()
	}
	return nil
}

// visibleRows is the number of table rows on screen: all but the filter
// line, the column titles and the count line.
func (q *ReviewQueue) visibleRows() int { return max(1, q.height-3) }

// SetSize lays out the columns: name, step and waiting days always; the
// day it was marked done, the team and who marked it when there is room.
func (q *ReviewQueue) SetSize(width, height int) {
	q.width, q.height = width, height
	t := q.ctx.T
	sw := func(k string) int { return ansi.StringWidth(t.S(k)) }
	specs := make([]colSpec, qcCount)
	specs[qcName] = colSpec{min: 16, max: 24}
	specs[qcStep] = colSpec{min: 20, max: kit.OverviewTitleMax + 4}
	waiting := max(sw("coord.col.waiting"), ansi.StringWidth(t.F("coord.days", 9999)))
	specs[qcWaiting] = colSpec{min: waiting, max: waiting}
	since := max(sw("coord.col.since"), kit.DateWidth(t))
	specs[qcSince] = colSpec{min: since, max: since, drop: 3}
	specs[qcTeam] = colSpec{min: 12, max: kit.TeamMax, drop: 1}
	specs[qcBy] = colSpec{min: 12, max: 24, drop: 2}
	q.widths = allocate(width-kit.CursorWidth, specs)
	q.nav.scroll(len(q.Shown), q.visibleRows())
}

// View shows the filter line, the column titles, the visible rows and the
// count.
func (q *ReviewQueue) View() string {
	t, st := q.ctx.T, q.ctx.Styles
	var b strings.Builder
	if tableHead(q.ctx, &b, q.filter.label(t), q.width, q.err, q.loaded) {
		return b.String()
	}
	if len(q.Shown) == 0 {
		for _, l := range kit.WrapText(t.S("coord.queue.empty"), q.width) {
			b.WriteString(l + "\n")
		}
		return strings.TrimRight(b.String(), "\n")
	}
	titles := []string{t.S("coord.col.name"), t.S("coord.col.step"), t.S("coord.col.waiting"),
		t.S("coord.col.since"), t.S("coord.col.team"), t.S("coord.col.by")}
	right := []bool{false, false, true, false, false, false}
	b.WriteString(tableHeader(st, titles, right, q.widths, q.width))
	vis := q.visibleRows()
	end := min(len(q.Shown), q.nav.offset+vis)
	now := q.ctx.Now()
	for i := q.nav.offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(q.row(&q.Rows[q.Shown[i]], i == q.nav.cursor, now))
	}
	for i := end - q.nav.offset; i < vis; i++ {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(st.Muted.Render(kit.Fit(t.N("coord.queue.count", len(q.Shown), kit.FormatCount(t, len(q.Shown))), q.width)))
	return b.String()
}

// row renders one waiting step.
func (q *ReviewQueue) row(r *queueRow, selected bool, now time.Time) string {
	t, st := q.ctx.T, q.ctx.Styles
	none := t.S("widget.none")
	title := ""
	if s, ok := kit.DossierMethod(q.ctx).Step(r.Step); ok {
		title = s.Title.In(t.Lang)
	}
	cells := make([]tableCell, qcCount)
	cells[qcName] = tableCell{text: r.Name}
	cells[qcStep] = tableCell{text: t.F("coord.queue.step", r.Step, title)}
	cells[qcWaiting] = tableCell{text: none, style: &st.Muted, right: true}
	cells[qcSince] = tableCell{text: none, style: &st.Muted}
	if days := daysSince(now, r.since); days >= 0 {
		cells[qcWaiting] = tableCell{text: t.F("coord.days", days), right: true}
		if days >= coordIdleWarn {
			cells[qcWaiting].style = &st.Warn
		}
		cells[qcSince] = tableCell{text: kit.FormatDate(t, kit.LocalTime(q.ctx, r.since.Time()).Format(time.DateOnly)), style: &st.Muted}
	}
	team, by := r.team, r.by
	if team == "" {
		team = none
	}
	if by == "" {
		by = none
	}
	cells[qcTeam] = tableCell{text: team, style: &st.Muted, tail: true}
	cells[qcBy] = tableCell{text: by, style: &st.Muted}
	return tableLine(st, cells, q.widths, selected, q.width)
}

// Title names the screen in the header.
func (q *ReviewQueue) Title() string { return q.ctx.T.S("coord.queue.title") }

// Help lists the queue's keys.
func (q *ReviewQueue) Help() []key.Binding {
	k := q.ctx.Keys
	return []key.Binding{k.Open, q.keys.Team, k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

// Capturing is false: the queue has no text input.
func (q *ReviewQueue) Capturing() bool { return false }
