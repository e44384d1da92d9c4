package tui

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
)

// listSort is the order of the client list; s cycles through them.
type listSort int

const (
	sortName   listSort = iota // by name, then team
	sortChange                 // last change first
	sortStep                   // earliest step first: who is still at the start
	sortCount
)

// sortKeys are the catalogue keys naming each order.
var sortKeys = [sortCount]string{"list.sort.name", "list.sort.change", "list.sort.step"}

// Layout of the list's columns, in cells.
const (
	teamWidth   = 18
	placesWidth = 34 // "dagbesteding + werkervaringsplaats"
	placesMax   = 44 // "werkervaringsplaats + banenafspraak" and more
	whatMin     = 20
	whatMax     = 64
	listChrome  = 3 // filter line, column header and count line
)

// listRow is one client of the list with what filtering needs, computed
// once per load so a keystroke allocates nothing per row.
type listRow struct {
	store.Summary
	key string // lower-case name + "\x00" + lower-case team: what the filter matches and name order uses
}

// summariesMsg answers a load of the list; seq says which load.
type summariesMsg struct {
	seq    int
	sortBy listSort
	rows   []listRow
	err    error
}

// listLayout holds the width of each column; 0 hides a column.
type listLayout struct {
	name, team, step, bar, due, places, what int
}

// clientList is the first screen: every client with progress, next
// agreement and conflict marker, filtered as you type.
type clientList struct {
	ctx    *Context
	seq    int // the latest load asked for; older answers are dropped
	loaded bool
	err    error
	rows   []listRow // all clients that are not removed, in sortBy order
	shown  []int32   // indexes into rows that pass the filter, in order
	query  string    // the lower-case filter that shown was made for
	valid  bool      // shown matches rows and query
	sortBy listSort
	filter textinput.Model
	cursor int // index into shown
	offset int // first visible index into shown
	width  int
	height int
	today  string // YYYY-MM-DD from ctx.Now, for overdue marks
	layout listLayout
}

// NewClientList is the first screen: the client list.
func NewClientList(ctx *Context) Screen {
	l := &clientList{ctx: ctx, width: ctx.Width, height: ctx.Height}
	st := ctx.Styles
	ti := textinput.New()
	ti.Prompt = ctx.T.S("list.filter.prompt")
	ti.PromptStyle = st.Key
	ti.TextStyle = st.Text
	ti.PlaceholderStyle = st.Muted
	ti.Cursor.Style = st.R.NewStyle()
	ti.Cursor.TextStyle = st.Text
	ti.Cursor.SetMode(cursor.CursorStatic) // no blink ticks: nothing to redraw while idle
	l.filter = ti
	l.today = ctx.Now().Format(time.DateOnly)
	l.SetSize(ctx.Width, ctx.Height)
	return l
}

// Init loads the summaries; the root calls it again when the list comes
// back to the front after a change.
func (l *clientList) Init() tea.Cmd { return l.reload() }

func (l *clientList) reload() tea.Cmd {
	l.seq++
	return loadSummaries(l.ctx.Store, l.seq, l.sortBy)
}

// loadSummaries reads the list off the UI goroutine: removed clients are
// dropped, filter keys lower-cased and rows sorted here, once per load.
func loadSummaries(st Store, seq int, by listSort) tea.Cmd {
	return func() tea.Msg {
		all, err := st.Summaries()
		if err != nil {
			return summariesMsg{seq: seq, err: err}
		}
		all = safeSummaries(all)
		rows := make([]listRow, 0, len(all))
		for _, s := range all {
			if s.Removed {
				continue
			}
			rows = append(rows, listRow{Summary: s, key: strings.ToLower(s.Name) + "\x00" + strings.ToLower(s.Team)})
		}
		sortRows(rows, by)
		return summariesMsg{seq: seq, sortBy: by, rows: rows}
	}
}

// sortRows orders rows; ties fall back to name and then id so the order is
// stable across loads.
func sortRows(rows []listRow, by listSort) {
	byName := func(a, b *listRow) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	}
	switch by {
	case sortChange:
		slices.SortFunc(rows, func(a, b listRow) int {
			if c := cmp.Compare(b.LastChange, a.LastChange); c != 0 {
				return c
			}
			return byName(&a, &b)
		})
	case sortStep:
		slices.SortFunc(rows, func(a, b listRow) int {
			if c := cmp.Compare(a.CurrentStep, b.CurrentStep); c != 0 {
				return c
			}
			if c := cmp.Compare(a.StepsDone, b.StepsDone); c != 0 {
				return c
			}
			return byName(&a, &b)
		})
	default:
		slices.SortFunc(rows, func(a, b listRow) int { return byName(&a, &b) })
	}
}

// Update handles keys (the filter input first when it has focus), loads
// and changes.
func (l *clientList) Update(msg tea.Msg) (Screen, tea.Cmd) {
	l.today = l.ctx.Now().Format(time.DateOnly)
	switch msg := msg.(type) {
	case summariesMsg:
		return l, l.loadDone(msg)
	case ChangedMsg:
		return l, l.reload()
	case tea.KeyMsg:
		if l.filter.Focused() {
			return l, l.filterKey(msg)
		}
		return l, l.key(msg)
	}
	return l, nil
}

func (l *clientList) loadDone(msg summariesMsg) tea.Cmd {
	if msg.seq != l.seq {
		return nil // a newer load is on its way
	}
	if msg.err != nil {
		l.err = msg.err
		return Status(l.ctx.T.F("list.err.load", msg.err), true)
	}
	sel := l.selectedID()
	l.err, l.loaded = nil, true
	l.rows = msg.rows
	if msg.sortBy != l.sortBy {
		sortRows(l.rows, l.sortBy)
	}
	l.shown = make([]int32, 0, len(l.rows))
	l.valid = false
	l.refilter()
	l.selectID(sel)
	return nil
}

// filterKey handles a key while the filter has focus: arrows still move
// the cursor, enter opens, esc clears and leaves; the rest is typing.
func (l *clientList) filterKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		l.filter.Blur()
		l.filter.SetValue("")
		l.refilter()
		return nil
	case tea.KeyEnter:
		l.filter.Blur()
		return l.open()
	case tea.KeyUp:
		l.move(-1)
		return nil
	case tea.KeyDown:
		l.move(1)
		return nil
	case tea.KeyPgUp:
		l.move(-l.visibleRows())
		return nil
	case tea.KeyPgDown:
		l.move(l.visibleRows())
		return nil
	}
	var cmd tea.Cmd
	l.filter, cmd = l.filter.Update(msg)
	l.refilter()
	return cmd
}

func (l *clientList) key(msg tea.KeyMsg) tea.Cmd {
	k := l.ctx.Keys
	switch {
	case key.Matches(msg, k.Filter):
		return l.filter.Focus()
	case key.Matches(msg, k.Back):
		if l.filter.Value() != "" {
			l.filter.SetValue("")
			l.refilter()
		}
	case key.Matches(msg, k.Sort):
		l.setSort((l.sortBy + 1) % sortCount)
	case key.Matches(msg, k.New):
		return Push(NewClientForm(l.ctx))
	case key.Matches(msg, k.Report):
		return Open(OpenFlowReport, "", 0)
	case key.Matches(msg, k.Overview) && isCoordinator(l.ctx):
		return Open(OpenTeamOverview, "", 0)
	case key.Matches(msg, k.Review) && isCoordinator(l.ctx):
		return Open(OpenReviewQueue, "", 0)
	case key.Matches(msg, k.Open):
		return l.open()
	case key.Matches(msg, k.Up):
		l.move(-1)
	case key.Matches(msg, k.Down):
		l.move(1)
	case key.Matches(msg, k.PageUp):
		l.move(-l.visibleRows())
	case key.Matches(msg, k.PageDown):
		l.move(l.visibleRows())
	case key.Matches(msg, k.Home):
		l.move(-len(l.shown))
	case key.Matches(msg, k.End):
		l.move(len(l.shown))
	}
	return nil
}

// open opens the overview of the client under the cursor.
func (l *clientList) open() tea.Cmd {
	id := l.selectedID()
	if id == "" {
		return nil
	}
	return Open(OpenDossier, id, 0)
}

func (l *clientList) setSort(by listSort) {
	sel := l.selectedID()
	l.sortBy = by
	sortRows(l.rows, by)
	l.valid = false
	l.refilter()
	l.selectID(sel)
}

// refilter brings shown up to date with the filter. When the new filter
// contains the old one, only the rows shown now can match, so only those
// are scanned; otherwise all rows are.
func (l *clientList) refilter() {
	q := strings.ToLower(strings.TrimSpace(l.filter.Value()))
	if l.valid && q == l.query {
		return
	}
	if l.valid && strings.Contains(q, l.query) {
		n := 0
		for _, i := range l.shown {
			if strings.Contains(l.rows[i].key, q) {
				l.shown[n] = i
				n++
			}
		}
		l.shown = l.shown[:n]
	} else {
		l.shown = l.shown[:0]
		for i := range l.rows {
			if q == "" || strings.Contains(l.rows[i].key, q) {
				l.shown = append(l.shown, int32(i))
			}
		}
	}
	l.query, l.valid = q, true
	l.cursor, l.offset = 0, 0
}

func (l *clientList) selectedID() string {
	if l.cursor < 0 || l.cursor >= len(l.shown) {
		return ""
	}
	return l.rows[l.shown[l.cursor]].ID
}

// selectID puts the cursor on client id when it is shown.
func (l *clientList) selectID(id string) {
	if id == "" {
		return
	}
	for i, r := range l.shown {
		if l.rows[r].ID == id {
			l.cursor = i
			l.scroll()
			return
		}
	}
}

func (l *clientList) move(delta int) {
	l.cursor = max(0, min(len(l.shown)-1, l.cursor+delta))
	l.scroll()
}

// scroll keeps the cursor row on screen.
func (l *clientList) scroll() {
	vis := l.visibleRows()
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+vis {
		l.offset = l.cursor - vis + 1
	}
	l.offset = max(0, min(l.offset, len(l.shown)-vis))
}

func (l *clientList) visibleRows() int { return max(1, l.height-listChrome) }

// SetSize lays out the columns for the new width.
func (l *clientList) SetSize(width, height int) {
	l.width, l.height = width, height
	l.filter.Width = max(1, width-ansi.StringWidth(l.filter.Prompt)-1)
	l.layout = l.computeLayout(width)
	l.scroll()
}

// computeLayout fits the columns into width: name, step, progress, next
// due and the conflict marker always; team, places and the next
// agreement's text when there is room, in that order.
func (l *clientList) computeLayout(width int) listLayout {
	t := l.ctx.T
	steps := l.stepCount()
	ly := listLayout{
		step: max(ansi.StringWidth(t.S("list.col.step")), ansi.StringWidth(t.F("list.step", steps, steps)),
			ansi.StringWidth(t.S("list.step.all"))),
		bar: max(steps, ansi.StringWidth(t.S("list.col.progress"))),
		due: max(ansi.StringWidth(t.S("list.col.due")),
			ansi.StringWidth(t.F("list.due.late", strings.Repeat("0", dateWidth(t))))),
	}
	if width >= wideBarFrom {
		ly.bar = max(ly.bar, steps*wideBarPerCel+steps-1)
	}
	avail := width - cursorWidth
	fixed := colGap + ly.step + colGap + ly.bar + colGap + ly.due + colGap + markerWidth
	ly.name = max(nameMin, avail-fixed)
	extra := avail - fixed - nameMax
	if extra <= 0 {
		return ly
	}
	ly.name = nameMax
	if extra >= colGap+teamWidth {
		ly.team = teamWidth
		extra -= colGap + teamWidth
	}
	if ly.team > 0 && extra >= colGap+placesWidth {
		ly.places = placesWidth
		extra -= colGap + placesWidth
	}
	if ly.places > 0 && extra >= colGap+whatMin {
		ly.what = whatMin
		extra -= colGap + whatMin
	}
	// Hand out what is left: to the optional columns up to their widest
	// useful size, then to the name.
	grow := func(w *int, upTo int) {
		if *w > 0 && *w < upTo {
			d := min(extra, upTo-*w)
			*w += d
			extra -= d
		}
	}
	grow(&ly.what, whatMax)
	grow(&ly.places, placesMax)
	grow(&ly.team, teamMax)
	ly.name += extra
	return ly
}

// stepCount is the number of steps of the method (six by default).
func (l *clientList) stepCount() int {
	if l.ctx.Method != nil && len(l.ctx.Method.Steps) > 0 {
		return len(l.ctx.Method.Steps)
	}
	return defaultSteps
}

// View shows the filter line, the column header, the visible rows and the
// count; only visible rows are rendered.
func (l *clientList) View() string {
	t, st := l.ctx.T, l.ctx.Styles
	var b strings.Builder
	b.WriteString(l.filterLine())
	b.WriteByte('\n')
	switch {
	case l.err != nil && !l.loaded:
		b.WriteString(st.Bad.Render(fit(t.S("list.err.load.short"), l.width)))
		return b.String()
	case !l.loaded:
		b.WriteString(st.Muted.Render(fit(t.S("list.loading"), l.width)))
		return b.String()
	case len(l.rows) == 0:
		b.WriteString(fit(t.S("list.empty"), l.width))
		return b.String()
	}
	b.WriteString(l.header())
	vis := l.visibleRows()
	if len(l.shown) == 0 {
		b.WriteString("\n")
		b.WriteString(fit(t.F("list.nomatch", l.filter.Value()), l.width))
		vis--
	}
	end := min(len(l.shown), l.offset+vis)
	for i := l.offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(l.row(&l.rows[l.shown[i]], i == l.cursor))
	}
	for i := end - l.offset; i < vis; i++ {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(l.countLine())
	return b.String()
}

func (l *clientList) filterLine() string {
	t, st := l.ctx.T, l.ctx.Styles
	if l.filter.Focused() || l.filter.Value() != "" {
		return fit(l.filter.View(), l.width)
	}
	return st.Muted.Render(fit(t.S("list.filter.hint"), l.width))
}

func (l *clientList) countLine() string {
	t, st := l.ctx.T, l.ctx.Styles
	s := t.F("list.count", formatCount(t, len(l.shown)), formatCount(t, len(l.rows))) +
		" · " + t.F("list.sort", t.S(sortKeys[l.sortBy]))
	return st.Muted.Render(fit(s, l.width))
}

func (l *clientList) header() string {
	t := l.ctx.T
	ly := l.layout
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", cursorWidth))
	b.WriteString(fit(t.S("list.col.name"), ly.name))
	col := func(w int, s string) {
		if w > 0 {
			b.WriteString(strings.Repeat(" ", colGap))
			b.WriteString(fit(s, w))
		}
	}
	col(ly.team, t.S("list.col.team"))
	col(ly.step, t.S("list.col.step"))
	col(ly.bar, t.S("list.col.progress"))
	col(ly.due, t.S("list.col.due"))
	col(ly.places, t.S("list.col.places"))
	col(ly.what, t.S("list.col.what"))
	col(markerWidth, "")
	return l.ctx.Styles.Title.Render(fit(b.String(), l.width))
}

// row renders one client. The selected row is built without inner styles
// and shown in reverse with a "›", so it stands out without colour too.
func (l *clientList) row(r *listRow, selected bool) string {
	t, st := l.ctx.T, l.ctx.Styles
	ly := l.layout
	plain := selected
	style := func(s string, w int, sty *lipgloss.Style) string {
		s = fit(s, w)
		if plain {
			return s
		}
		return sty.Render(s)
	}
	var b strings.Builder
	b.Grow(l.width * 2)
	if selected {
		b.WriteString(fit(t.S("widget.cursor"), cursorWidth))
	} else {
		b.WriteString(strings.Repeat(" ", cursorWidth))
	}
	gap := strings.Repeat(" ", colGap)
	b.WriteString(fit(r.Name, ly.name))
	if ly.team > 0 {
		b.WriteString(gap)
		b.WriteString(style(r.Team, ly.team, &st.Muted))
	}
	b.WriteString(gap)
	n := l.stepCount()
	if r.StepsDone >= n {
		b.WriteString(fit(t.S("list.step.all"), ly.step))
	} else {
		b.WriteString(fit(t.F("list.step", r.CurrentStep, n), ly.step))
	}
	b.WriteString(gap)
	var buf [16]uint8
	cells := stepCells(&r.Summary, n, buf[:0])
	if plain {
		b.WriteString(progressCells(cells, ly.bar))
	} else {
		b.WriteString(progressBar(st, cells, ly.bar))
	}
	b.WriteString(gap)
	switch {
	case r.NextDue == "":
		b.WriteString(style(t.S("widget.none"), ly.due, &st.Muted))
	case r.OverdueOn(l.today) > 0:
		b.WriteString(style(t.F("list.due.late", formatDate(t, r.NextDue)), ly.due, &st.Bad))
	default:
		b.WriteString(fit(formatDate(t, r.NextDue), ly.due))
	}
	if ly.places > 0 {
		b.WriteString(gap)
		b.WriteString(fit(placesLabel(t, r.Places), ly.places))
	}
	if ly.what > 0 {
		b.WriteString(gap)
		b.WriteString(style(r.NextWhat, ly.what, &st.Muted))
	}
	b.WriteString(gap)
	if r.Conflicts > 0 {
		b.WriteString(style(t.S("widget.conflict"), markerWidth, &st.Conflict))
	} else {
		b.WriteString(strings.Repeat(" ", markerWidth))
	}
	line := b.String()
	if selected {
		return st.Selected.Render(fit(line, l.width))
	}
	return line
}

// Title names the screen in the header.
func (l *clientList) Title() string { return l.ctx.T.S("list.title") }

// Help lists the list's keys.
func (l *clientList) Help() []key.Binding {
	k := l.ctx.Keys
	bs := append([]key.Binding{k.Open, k.Filter, k.Sort, k.New, k.Report}, coordKeys(l.ctx)...)
	return append(bs, k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End)
}

// Capturing reports whether the filter has focus (then q and ? are typed).
func (l *clientList) Capturing() bool { return l.filter.Focused() }
