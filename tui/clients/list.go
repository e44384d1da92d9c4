// Package clients is the client list, with its filter and sort, and the
// form that creates a client.
package clients

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// listSort is the order of the client list; s cycles through them.
type listSort int

const (
	SortName   listSort = iota // by name, then team
	sortChange                 // last change first
	sortStep                   // earliest step first: who is still at the start
	sortCount
)

// SortKeys are the catalogue keys naming each order.
var SortKeys = [sortCount]string{"list.sort.name", "list.sort.change", "list.sort.step"}

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
	*store.Summary        // into the slice the load read: a row stays small to sort and filter
	key            string // lower-case name + "\x00" + lower-case team: what name order uses
	// match is key with accents folded away as well (store.FoldName), what
	// the filter matches; the same string as key when nothing folds.
	match string
	// dup: another client that is not withdrawn has the same folded name
	// and birth year (store.DupKey): likely the same person, entered
	// twice; brug duplicates merges them.
	dup bool
	// consentEnds: the last day of a share's consent that ends within
	// store.ConsentSoonDays of today ("" when none).
	consentEnds string
	// readOnly: the user holds the dossier through a read-only share
	// (kit.ReadOnly); its changes are refused.
	readOnly bool
}

// summariesMsg answers a load of the list; seq says which load.
type summariesMsg struct {
	seq       int
	sortBy    listSort
	rows      []listRow
	conflicts int // in the dossiers not withdrawn, for the footer
	err       error
}

// listLayout holds the width of each column; 0 hides a column.
type listLayout struct {
	name, team, step, bar, due, places, what int
}

// ClientList is the first screen: every client with progress, next
// agreement and conflict marker, filtered as you type.
type ClientList struct {
	Ctx    *kit.Context
	Seq    int // the latest load asked for; older answers are dropped
	Loaded bool
	Err    error
	Rows   []listRow // all clients that are not removed, in sortBy order
	Shown  []int32   // indexes into rows that pass the filter, in order
	query  string    // the folded filter that shown was made for
	valid  bool      // shown matches rows and query
	SortBy listSort
	Filter textinput.Model
	Cursor int // index into shown
	Offset int // first visible index into shown
	width  int
	height int
	today  string // YYYY-MM-DD from ctx.Now, for overdue marks
	layout listLayout
	// withdrawn: withdrawn clients are listed too (W), marked, so one
	// can be opened and restored.
	withdrawn bool
}

// NewClientList is the first screen: the client list.
func NewClientList(ctx *kit.Context) kit.Screen {
	l := &ClientList{Ctx: ctx, width: ctx.Width, height: ctx.Height}
	st := ctx.Styles
	ti := textinput.New()
	ti.Prompt = ctx.T.S("list.filter.prompt")
	ti.PromptStyle = st.Key
	ti.TextStyle = st.Text
	ti.PlaceholderStyle = st.Muted
	ti.Cursor.Style = st.R.NewStyle()
	ti.Cursor.TextStyle = st.Text
	ti.Cursor.SetMode(cursor.CursorStatic) // no blink ticks: nothing to redraw while idle
	l.Filter = ti
	l.today = ctx.Now().Format(time.DateOnly)
	l.SetSize(ctx.Width, ctx.Height)
	return l
}

// Init loads the summaries; the root calls it again when the list comes
// back to the front after a change.
func (l *ClientList) Init() tea.Cmd { return l.Reload() }

func (l *ClientList) Reload() tea.Cmd {
	l.Seq++
	return loadSummaries(l.Ctx.Store, l.Seq, l.SortBy, l.withdrawn, l.Ctx.Now().Format(time.DateOnly), slices.Clone(l.Ctx.Teams))
}

// loadSummaries reads the list off the UI goroutine: removed clients are
// dropped, filter keys lower-cased and folded and rows sorted here, once
// per load, on every core (rowKeys, sortRows).
func loadSummaries(st kit.Store, seq int, by listSort, withdrawn bool, today string, teams []string) tea.Cmd {
	return func() tea.Msg {
		all, err := st.Summaries()
		if err != nil {
			return summariesMsg{seq: seq, err: err}
		}
		all = kit.SafeSummaries(all)
		keys := rowKeys(all, withdrawn)
		rows := make([]listRow, 0, len(all))
		dupKeys := make([]string, 0, len(all))
		conflicts := 0
		for i := range all {
			s := &all[i]
			if !s.Removed {
				conflicts += s.Conflicts
			}
			if s.Removed && !withdrawn {
				continue
			}
			rows = append(rows, listRow{Summary: s, key: keys[i].key, match: keys[i].match})
			dupKeys = append(dupKeys, keys[i].dup)
		}
		markDuplicates(rows, dupKeys)
		markConsentsEnding(rows, today)
		markReadOnly(st, rows, teams, today)
		sortRows(rows, by)
		return summariesMsg{seq: seq, sortBy: by, rows: rows, conflicts: conflicts}
	}
}

// keysOf is what a row of the list filters, sorts and marks duplicates
// by (listRow's key and match, store.DupKey); dup is "" for a removed
// client.
type keysOf struct{ key, match, dup string }

// rowKeys computes the keys of every summary that is listed (removed
// ones only with withdrawn), split over the cores; a team's keys are
// computed once per part.
func rowKeys(all []store.Summary, withdrawn bool) []keysOf {
	out := make([]keysOf, len(all))
	workers := max(1, min(runtime.GOMAXPROCS(0), 8, len(all)/512))
	per := (len(all) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*per, min((w+1)*per, len(all))
		wg.Add(1)
		go func() {
			defer wg.Done()
			type teamKeys struct{ lower, fold string }
			teams := map[string]teamKeys{}
			for i := lo; i < hi; i++ {
				s := &all[i]
				if s.Removed && !withdrawn {
					continue
				}
				tk, ok := teams[s.Team]
				if !ok {
					tk = teamKeys{strings.ToLower(s.Team), store.FoldName(s.Team)}
					teams[s.Team] = tk
				}
				lower := strings.ToLower(s.Name)
				fold := store.FoldName(s.Name)
				k := &out[i]
				k.key = lower + "\x00" + tk.lower
				if fold == lower && tk.fold == tk.lower {
					k.match = k.key // share the bytes
				} else {
					k.match = fold + "\x00" + tk.fold
				}
				if !s.Removed {
					k.dup = store.DupKeyFolded(fold, s.BirthYear)
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// markConsentsEnding sets consentEnds on the rows whose share consent
// ends within store.ConsentSoonDays of today, as store.ConsentsEndingSoon
// judges it, from the summaries the list holds: no dossier is read, and
// only rows with shares are looked at.
func markConsentsEnding(rows []listRow, today string) {
	from, to, err := store.ConsentWindow(today, store.ConsentSoonDays)
	if err != nil {
		return
	}
	for i := range rows {
		r := &rows[i]
		if r.Removed || len(r.ShareEnds) == 0 {
			continue
		}
		if u, ok := r.ConsentEndsBetween(from, to); ok {
			r.consentEnds = u
		}
	}
}

// markReadOnly sets readOnly on the rows of dossiers the user holds
// through a read-only share (store.HeldReadOnly): only dossiers of a team
// that is not the user's are read whole to tell, and none without teams.
func markReadOnly(st kit.Store, rows []listRow, teams []string, today string) {
	if len(teams) == 0 {
		return
	}
	for i := range rows {
		r := &rows[i]
		if r.Removed || slices.Contains(teams, r.Team) {
			continue
		}
		if c, err := st.Client(r.ID); err == nil && c.ReadOnlyFor(teams, today) {
			r.readOnly = true
		}
	}
}

// markDuplicates sets dup on the rows of likely duplicates: clients with
// the same folded name and birth year (store.DupKey, in keys beside the
// rows; "" for a removed client), both of which the summaries hold, so
// no dossier is read however many namesakes there are.
func markDuplicates(rows []listRow, keys []string) {
	first := make(map[string]int32, len(rows))
	for i, k := range keys {
		if k == "" {
			continue
		}
		if j, ok := first[k]; ok {
			rows[j].dup = true
			rows[i].dup = true
			continue
		}
		first[k] = int32(i)
	}
}

// sortRows orders rows; ties fall back to name and then id so the order is
// stable across loads (and every order is total: ids differ). A long list
// is sorted in two halves at once and merged.
func sortRows(rows []listRow, by listSort) {
	cmpRows := rowOrder(by)
	if len(rows) < 2048 || runtime.GOMAXPROCS(0) < 2 {
		slices.SortFunc(rows, cmpRows)
		return
	}
	half := len(rows) / 2
	a, b := rows[:half], rows[half:]
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		slices.SortFunc(a, cmpRows)
	}()
	slices.SortFunc(b, cmpRows)
	wg.Wait()
	merged := make([]listRow, 0, len(rows))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if cmpRows(b[j], a[i]) < 0 {
			merged = append(merged, b[j])
			j++
		} else {
			merged = append(merged, a[i])
			i++
		}
	}
	merged = append(append(merged, a[i:]...), b[j:]...)
	copy(rows, merged)
}

// rowOrder is the comparison of rows of the order by.
func rowOrder(by listSort) func(a, b listRow) int {
	byName := func(a, b *listRow) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	}
	switch by {
	case sortChange:
		return func(a, b listRow) int {
			if c := cmp.Compare(b.LastChange, a.LastChange); c != 0 {
				return c
			}
			return byName(&a, &b)
		}
	case sortStep:
		return func(a, b listRow) int {
			if c := cmp.Compare(a.CurrentStep, b.CurrentStep); c != 0 {
				return c
			}
			if c := cmp.Compare(a.StepsDone, b.StepsDone); c != 0 {
				return c
			}
			return byName(&a, &b)
		}
	default:
		return func(a, b listRow) int { return byName(&a, &b) }
	}
}

// Update handles keys (the filter input first when it has focus), loads
// and changes.
func (l *ClientList) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	l.today = l.Ctx.Now().Format(time.DateOnly)
	switch msg := msg.(type) {
	case summariesMsg:
		return l, l.loadDone(msg)
	case kit.ChangedMsg:
		return l, l.Reload()
	case tea.KeyMsg:
		if l.Filter.Focused() {
			return l, l.filterKey(msg)
		}
		return l, l.key(msg)
	}
	return l, nil
}

func (l *ClientList) loadDone(msg summariesMsg) tea.Cmd {
	if msg.seq != l.Seq {
		return nil // a newer load is on its way
	}
	if msg.err != nil {
		l.Err = msg.err
		return kit.StatusErr(l.Ctx.T.F("list.err.load", msg.err), msg.err)
	}
	sel := l.SelectedID()
	l.Err, l.Loaded = nil, true
	l.Rows = msg.rows
	if msg.sortBy != l.SortBy {
		sortRows(l.Rows, l.SortBy)
	}
	l.Shown = make([]int32, 0, len(l.Rows))
	l.valid = false
	l.Refilter()
	l.selectID(sel)
	n := msg.conflicts
	return func() tea.Msg { return kit.ConflictsCountedMsg{N: n} }
}

// filterKey handles a key while the filter has focus: arrows still move
// the cursor, enter opens, esc clears and leaves; the rest is typing.
func (l *ClientList) filterKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		l.Filter.Blur()
		l.Filter.SetValue("")
		l.Refilter()
		return nil
	case tea.KeyEnter:
		l.Filter.Blur()
		return l.open()
	case tea.KeyUp:
		l.move(-1)
		return nil
	case tea.KeyDown:
		l.move(1)
		return nil
	case tea.KeyPgUp:
		l.move(-l.VisibleRows())
		return nil
	case tea.KeyPgDown:
		l.move(l.VisibleRows())
		return nil
	}
	var cmd tea.Cmd
	l.Filter, cmd = l.Filter.Update(msg)
	l.Refilter()
	return cmd
}

func (l *ClientList) key(msg tea.KeyMsg) tea.Cmd {
	k := l.Ctx.Keys
	switch {
	case key.Matches(msg, k.Filter):
		return l.Filter.Focus()
	case key.Matches(msg, k.Back):
		if l.Filter.Value() != "" {
			l.Filter.SetValue("")
			l.Refilter()
		}
	case key.Matches(msg, k.Sort):
		l.setSort((l.SortBy + 1) % sortCount)
	case key.Matches(msg, k.New):
		return kit.Push(NewClientForm(l.Ctx))
	case key.Matches(msg, k.OnList.Withdrawn):
		l.withdrawn = !l.withdrawn
		if l.withdrawn {
			return tea.Batch(l.Reload(), kit.Status(l.Ctx.T.S("list.withdrawn.on"), false))
		}
		return l.Reload()
	case key.Matches(msg, k.Report):
		return kit.Open(kit.OpenFlowReport, "", 0)
	case key.Matches(msg, k.OnList.Register):
		return kit.Push(NewRegisterScreen(l.Ctx))
	case key.Matches(msg, k.OnList.Merge):
		// The likely duplicates of the client under the cursor (merge.go).
		if id := l.SelectedID(); id != "" {
			return kit.Push(NewMergeScreen(l.Ctx, id))
		}
	case key.Matches(msg, k.Overview) && kit.IsCoordinator(l.Ctx):
		return kit.Open(kit.OpenTeamOverview, "", 0)
	case key.Matches(msg, k.Review) && kit.IsCoordinator(l.Ctx):
		return kit.Open(kit.OpenReviewQueue, "", 0)
	case key.Matches(msg, k.Open):
		return l.open()
	case key.Matches(msg, k.Up):
		l.move(-1)
	case key.Matches(msg, k.Down):
		l.move(1)
	case key.Matches(msg, k.PageUp):
		l.move(-l.VisibleRows())
	case key.Matches(msg, k.PageDown):
		l.move(l.VisibleRows())
	case key.Matches(msg, k.Home):
		l.move(-len(l.Shown))
	case key.Matches(msg, k.End):
		l.move(len(l.Shown))
	}
	return nil
}

// open opens the overview of the client under the cursor.
func (l *ClientList) open() tea.Cmd {
	id := l.SelectedID()
	if id == "" {
		return nil
	}
	return kit.Open(kit.OpenDossier, id, 0)
}

func (l *ClientList) setSort(by listSort) {
	sel := l.SelectedID()
	l.SortBy = by
	sortRows(l.Rows, by)
	l.valid = false
	l.Refilter()
	l.selectID(sel)
}

// Refilter brings shown up to date with the filter. When the new filter
// contains the old one, only the rows shown now can match, so only those
// are scanned; otherwise all rows are.
func (l *ClientList) Refilter() {
	q := store.FoldName(strings.TrimSpace(l.Filter.Value()))
	if l.valid && q == l.query {
		return
	}
	if l.valid && strings.Contains(q, l.query) {
		n := 0
		for _, i := range l.Shown {
			if strings.Contains(l.Rows[i].match, q) {
				l.Shown[n] = i
				n++
			}
		}
		l.Shown = l.Shown[:n]
	} else {
		l.Shown = l.Shown[:0]
		for i := range l.Rows {
			if q == "" || strings.Contains(l.Rows[i].match, q) {
				l.Shown = append(l.Shown, int32(i))
			}
		}
	}
	l.query, l.valid = q, true
	l.Cursor, l.Offset = 0, 0
}

func (l *ClientList) SelectedID() string {
	if l.Cursor < 0 || l.Cursor >= len(l.Shown) {
		return ""
	}
	return l.Rows[l.Shown[l.Cursor]].ID
}

// selectID puts the cursor on client id when it is shown.
func (l *ClientList) selectID(id string) {
	if id == "" {
		return
	}
	for i, r := range l.Shown {
		if l.Rows[r].ID == id {
			l.Cursor = i
			l.scroll()
			return
		}
	}
}

func (l *ClientList) move(delta int) {
	l.Cursor = max(0, min(len(l.Shown)-1, l.Cursor+delta))
	l.scroll()
}

// scroll keeps the cursor row on screen.
func (l *ClientList) scroll() {
	vis := l.VisibleRows()
	if l.Cursor < l.Offset {
		l.Offset = l.Cursor
	}
	if l.Cursor >= l.Offset+vis {
		l.Offset = l.Cursor - vis + 1
	}
	l.Offset = max(0, min(l.Offset, len(l.Shown)-vis))
}

func (l *ClientList) VisibleRows() int { return max(1, l.height-listChrome) }

// SetSize lays out the columns for the new width.
func (l *ClientList) SetSize(width, height int) {
	l.width, l.height = width, height
	l.Filter.Width = max(1, width-ansi.StringWidth(l.Filter.Prompt)-1)
	l.layout = l.computeLayout(width)
	l.scroll()
}

// computeLayout fits the columns into width: name, step, progress, next
// due and the conflict marker always; team, places and the next
// agreement's text when there is room, in that order.
func (l *ClientList) computeLayout(width int) listLayout {
	t := l.Ctx.T
	steps := l.stepCount()
	ly := listLayout{
		step: max(ansi.StringWidth(t.S("list.col.step")), ansi.StringWidth(t.F("list.step", steps, steps)),
			ansi.StringWidth(t.S("list.step.all"))),
		bar: max(steps, ansi.StringWidth(t.S("list.col.progress"))),
		due: max(ansi.StringWidth(t.S("list.col.due")),
			ansi.StringWidth(t.F("list.due.late", strings.Repeat("0", kit.DateWidth(t))))),
	}
	if width >= kit.WideBarFrom {
		ly.bar = max(ly.bar, steps*kit.WideBarPerCel+steps-1)
	}
	avail := width - kit.CursorWidth
	fixed := kit.ColGap + ly.step + kit.ColGap + ly.bar + kit.ColGap + ly.due + kit.ColGap + kit.MarkerWidth
	ly.name = max(kit.NameMin, avail-fixed)
	extra := avail - fixed - kit.NameMax
	if extra <= 0 {
		return ly
	}
	ly.name = kit.NameMax
	if extra >= kit.ColGap+teamWidth {
		ly.team = teamWidth
		extra -= kit.ColGap + teamWidth
	}
	if ly.team > 0 && extra >= kit.ColGap+placesWidth {
		ly.places = placesWidth
		extra -= kit.ColGap + placesWidth
	}
	if ly.places > 0 && extra >= kit.ColGap+whatMin {
		ly.what = whatMin
		extra -= kit.ColGap + whatMin
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
	grow(&ly.team, kit.TeamMax)
	ly.name += extra
	return ly
}

// stepCount is the number of steps of the method (six by default).
func (l *ClientList) stepCount() int {
	if l.Ctx.Method != nil && len(l.Ctx.Method.Steps) > 0 {
		return len(l.Ctx.Method.Steps)
	}
	return kit.DefaultSteps
}

// View shows the filter line, the column header, the visible rows and the
// count; only visible rows are rendered.
func (l *ClientList) View() string {
	t, st := l.Ctx.T, l.Ctx.Styles
	var b strings.Builder
	b.WriteString(l.filterLine())
	b.WriteByte('\n')
	switch {
	case l.Err != nil && !l.Loaded:
		b.WriteString(st.Bad.Render(kit.Fit(t.S("list.err.load.short"), l.width)))
		return b.String()
	case !l.Loaded:
		b.WriteString(st.Muted.Render(kit.Fit(t.S("list.loading"), l.width)))
		return b.String()
	case len(l.Rows) == 0:
		b.WriteString(kit.Fit(t.S("list.empty"), l.width))
		return b.String()
	}
	b.WriteString(l.header())
	vis := l.VisibleRows()
	if len(l.Shown) == 0 {
		b.WriteString("\n")
		b.WriteString(kit.Fit(t.F("list.nomatch", l.Filter.Value()), l.width))
		vis--
	}
	end := min(len(l.Shown), l.Offset+vis)
	for i := l.Offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(l.row(&l.Rows[l.Shown[i]], i == l.Cursor))
	}
	for i := end - l.Offset; i < vis; i++ {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(l.countLine())
	return b.String()
}

func (l *ClientList) filterLine() string {
	t, st := l.Ctx.T, l.Ctx.Styles
	if l.Filter.Focused() || l.Filter.Value() != "" {
		return kit.Fit(l.Filter.View(), l.width)
	}
	return st.Muted.Render(kit.Fit(t.S("list.filter.hint"), l.width))
}

func (l *ClientList) countLine() string {
	t, st := l.Ctx.T, l.Ctx.Styles
	s := t.N("list.count", len(l.Rows), kit.FormatCount(t, len(l.Shown)), kit.FormatCount(t, len(l.Rows))) +
		" · " + t.F("list.sort", t.S(SortKeys[l.SortBy]))
	ending, readOnly := 0, 0
	for i := range l.Rows {
		if l.Rows[i].consentEnds != "" && !l.Rows[i].Removed {
			ending++
		}
		if l.Rows[i].readOnly {
			readOnly++
		}
	}
	var tail string
	if readOnly > 0 {
		tail += t.F("readonly.count", readOnly)
	}
	if ending > 0 {
		tail += t.F("list.consentends.count", ending)
	}
	if tail != "" {
		return st.Muted.Render(kit.Fit(s, max(0, l.width-ansi.StringWidth(tail)))) + st.Warn.Render(tail)
	}
	return st.Muted.Render(kit.Fit(s, l.width))
}

func (l *ClientList) header() string {
	t := l.Ctx.T
	ly := l.layout
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", kit.CursorWidth))
	b.WriteString(kit.Fit(t.S("list.col.name"), ly.name))
	col := func(w int, s string) {
		if w > 0 {
			b.WriteString(strings.Repeat(" ", kit.ColGap))
			b.WriteString(kit.Fit(s, w))
		}
	}
	col(ly.team, t.S("list.col.team"))
	col(ly.step, t.S("list.col.step"))
	col(ly.bar, t.S("list.col.progress"))
	col(ly.due, t.S("list.col.due"))
	col(ly.places, t.S("list.col.places"))
	col(ly.what, t.S("list.col.what"))
	col(kit.MarkerWidth, "")
	return l.Ctx.Styles.Title.Render(kit.Fit(b.String(), l.width))
}

// row renders one client. The selected row is built without inner styles
// and shown in reverse with a "›", so it stands out without colour too.
func (l *ClientList) row(r *listRow, selected bool) string {
	t, st := l.Ctx.T, l.Ctx.Styles
	ly := l.layout
	plain := selected
	style := func(s string, w int, sty *lipgloss.Style) string {
		s = kit.Fit(s, w)
		if plain {
			return s
		}
		return sty.Render(s)
	}
	var b strings.Builder
	b.Grow(l.width * 2)
	if selected {
		b.WriteString(kit.Fit(t.S("widget.cursor"), kit.CursorWidth))
	} else {
		b.WriteString(strings.Repeat(" ", kit.CursorWidth))
	}
	gap := strings.Repeat(" ", kit.ColGap)
	if r.Removed {
		mark := " (" + t.S("list.withdrawn.mark") + ")"
		b.WriteString(style(kit.Truncate(r.Name, max(1, ly.name-ansi.StringWidth(mark)))+mark, ly.name, &st.Warn))
	} else if r.dup {
		mark := " (" + t.S("list.dup.mark") + ")"
		b.WriteString(style(kit.Truncate(r.Name, max(1, ly.name-ansi.StringWidth(mark)))+mark, ly.name, &st.Warn))
	} else if r.readOnly {
		// Held through a read-only share: said in words where the column
		// has room, else marked ° (the count line says what ° means).
		mark := " (" + t.S("readonly.mark") + ")"
		if ly.name-ansi.StringWidth(mark) < 8 {
			mark = "°"
		}
		b.WriteString(style(kit.Truncate(r.Name, max(1, ly.name-ansi.StringWidth(mark)))+mark, ly.name, &st.Muted))
	} else if r.consentEnds != "" {
		// A consent that ends soon: said in words where the column has
		// room, else marked * (the count line says what * means).
		mark := " (" + t.S("list.consentends") + ")"
		if ly.name-ansi.StringWidth(mark) < 8 {
			mark = "*"
		}
		b.WriteString(style(kit.Truncate(r.Name, max(1, ly.name-ansi.StringWidth(mark)))+mark, ly.name, &st.Warn))
	} else {
		b.WriteString(kit.Fit(r.Name, ly.name))
	}
	if ly.team > 0 {
		b.WriteString(gap)
		b.WriteString(style(kit.FitTail(r.Team, ly.team), ly.team, &st.Muted))
	}
	b.WriteString(gap)
	n := l.stepCount()
	if r.StepsDone >= n {
		b.WriteString(kit.Fit(t.S("list.step.all"), ly.step))
	} else {
		b.WriteString(kit.Fit(t.F("list.step", r.CurrentStep, n), ly.step))
	}
	b.WriteString(gap)
	var buf [16]uint8
	cells := kit.StepCells(r.Summary, n, buf[:0])
	if plain {
		b.WriteString(kit.ProgressCells(cells, ly.bar))
	} else {
		b.WriteString(kit.ProgressBar(st, cells, ly.bar))
	}
	b.WriteString(gap)
	switch {
	case r.NextDue == "":
		b.WriteString(style(t.S("widget.none"), ly.due, &st.Muted))
	case r.OverdueOn(l.today) > 0:
		b.WriteString(style(t.F("list.due.late", kit.FormatDate(t, r.NextDue)), ly.due, &st.Bad))
	default:
		b.WriteString(kit.Fit(kit.FormatDate(t, r.NextDue), ly.due))
	}
	if ly.places > 0 {
		b.WriteString(gap)
		b.WriteString(kit.Fit(kit.PlacesLabel(t, r.Places), ly.places))
	}
	if ly.what > 0 {
		b.WriteString(gap)
		b.WriteString(style(r.NextWhat, ly.what, &st.Muted))
	}
	b.WriteString(gap)
	if r.Conflicts > 0 {
		b.WriteString(style(t.S("widget.conflict"), kit.MarkerWidth, &st.Conflict))
	} else {
		b.WriteString(strings.Repeat(" ", kit.MarkerWidth))
	}
	line := b.String()
	if selected {
		return st.Selected.Render(kit.Fit(line, l.width))
	}
	return line
}

// Title names the screen in the header.
func (l *ClientList) Title() string { return l.Ctx.T.S("list.title") }

// Help lists the list's keys.
func (l *ClientList) Help() []key.Binding {
	k := l.Ctx.Keys
	bs := append([]key.Binding{k.Open, k.Filter, k.Sort, k.New, k.Report}, kit.CoordKeys(l.Ctx)...)
	bs = append(bs, k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.OnList.Withdrawn, k.OnList.Register)
	if l.Cursor >= 0 && l.Cursor < len(l.Shown) && l.Rows[l.Shown[l.Cursor]].dup {
		// Offered where it does something: on a client marked "dubbel?".
		bs = append(bs, k.OnList.Merge)
	}
	return bs
}

// Capturing reports whether the filter has focus (then q and ? are typed).
func (l *ClientList) Capturing() bool { return l.Filter.Focused() }
