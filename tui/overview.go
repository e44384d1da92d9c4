package tui

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
)

// Layout of the overview, in cells and lines.
const (
	overviewAgreements = 3   // open agreements shown
	overviewBarWidth   = 12  // the progress bar of one step
	overviewTwoColFrom = 140 // from this width, steps left and the rest right
)

// clientMsg answers a load of one dossier; id and seq say which.
type clientMsg struct {
	id     string
	seq    int
	client *store.Client
	err    error
}

// overview is a client's overview: who, where on the route, the six steps
// with progress, the next agreements and the last journal entry.
type overview struct {
	ctx    *Context
	id     string
	seq    int
	client *store.Client
	err    error
	cursor int  // highlighted step, 0-based
	moved  bool // the user moved the cursor; else it follows the current step
	width  int
	height int
}

// NewOverviewScreen shows the overview of client dossier.
func NewOverviewScreen(ctx *Context, dossier string) Screen {
	o := &overview{ctx: ctx, id: dossier}
	o.SetSize(ctx.Width, ctx.Height)
	return o
}

// Init loads the dossier; the root calls it again when the overview comes
// back to the front after a change.
func (o *overview) Init() tea.Cmd {
	o.seq++
	st, id, seq := o.ctx.Store, o.id, o.seq
	return func() tea.Msg {
		c, err := st.Client(id)
		return clientMsg{id: id, seq: seq, client: safeClient(c), err: err}
	}
}

// Update handles the loaded dossier, changes to it and keys.
func (o *overview) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case clientMsg:
		return o, o.loaded(msg)
	case ChangedMsg:
		if msg.Dossier == o.id {
			return o, o.Init()
		}
	case tea.KeyMsg:
		return o, o.key(msg)
	}
	return o, nil
}

func (o *overview) loaded(msg clientMsg) tea.Cmd {
	if msg.id != o.id || msg.seq != o.seq {
		return nil // another dossier's answer, or an older load
	}
	t := o.ctx.T
	if msg.err != nil {
		o.err = msg.err
		if errors.Is(msg.err, store.ErrNotFound) {
			return Status(t.S("overview.err.notfound"), true)
		}
		return Status(t.F("overview.err.load", msg.err), true)
	}
	o.err, o.client = nil, msg.client
	if !o.moved {
		o.cursor = max(0, o.client.CurrentStep()-1)
	}
	o.cursor = min(o.cursor, max(0, o.stepCount()-1))
	return nil
}

func (o *overview) key(msg tea.KeyMsg) tea.Cmd {
	k, ctx, id := o.ctx.Keys, o.ctx, o.id
	switch {
	case key.Matches(msg, k.Step):
		n, err := strconv.Atoi(msg.String())
		if err != nil || n < 1 || n > o.stepCount() {
			return nil
		}
		return Push(NewStepScreen(ctx, id, n))
	case key.Matches(msg, k.Open):
		if o.stepCount() == 0 {
			return nil
		}
		return Push(NewStepScreen(ctx, id, o.cursor+1))
	case key.Matches(msg, k.Up):
		o.cursor, o.moved = max(0, o.cursor-1), true
	case key.Matches(msg, k.Down):
		o.cursor, o.moved = min(max(0, o.stepCount()-1), o.cursor+1), true
	case key.Matches(msg, k.Journal):
		return Push(NewJournalScreen(ctx, id))
	case key.Matches(msg, k.Agreements):
		return Push(NewAgreementsScreen(ctx, id))
	case key.Matches(msg, k.Contacts):
		return Push(NewContactsScreen(ctx, id))
	case key.Matches(msg, k.Route):
		return Push(NewRouteScreen(ctx, id))
	case key.Matches(msg, k.Conflicts):
		return Push(NewConflictsScreen(ctx, id))
	}
	return nil
}

// stepCount is the number of steps shown: the method's, or the dossier's
// when it has more.
func (o *overview) stepCount() int {
	n := 0
	if o.ctx.Method != nil {
		n = len(o.ctx.Method.Steps)
	}
	if o.client != nil {
		n = max(n, len(o.client.Steps))
	}
	return n
}

// SetSize keeps the body size for View.
func (o *overview) SetSize(width, height int) { o.width, o.height = width, height }

// View shows the dossier; at 140 cells and wider the steps stand on the
// left and the agreements and journal on the right.
func (o *overview) View() string {
	t, st := o.ctx.T, o.ctx.Styles
	switch {
	case o.err != nil && errors.Is(o.err, store.ErrNotFound):
		return st.Bad.Render(truncate(t.S("overview.err.notfound"), o.width))
	case o.err != nil:
		return st.Bad.Render(truncate(t.F("overview.err.load", o.err), o.width))
	case o.client == nil:
		return st.Muted.Render(truncate(t.S("overview.loading"), o.width))
	}
	head := o.headLines(o.width)
	if o.width >= overviewTwoColFrom {
		leftW := o.width / 2
		rightW := o.width - leftW - colGap
		left := o.stepLines(leftW)
		right := append(o.agreementLines(rightW), "")
		right = append(right, o.journalLines(rightW)...)
		cols := lipgloss.JoinHorizontal(lipgloss.Top,
			blockOf(left, leftW), strings.Repeat(" ", colGap), blockOf(right, rightW))
		return strings.Join(append(append(head, ""), cols), "\n")
	}
	sections := [][]string{head, o.stepLines(o.width), o.agreementLines(o.width), o.journalLines(o.width)}
	total := 0
	for _, s := range sections {
		total += len(s)
	}
	sep := total+len(sections)-1 <= o.height // blank lines between sections when they fit
	var lines []string
	for i, s := range sections {
		if i > 0 && sep {
			lines = append(lines, "")
		}
		lines = append(lines, s...)
	}
	return strings.Join(lines, "\n")
}

// blockOf pads lines to exactly width cells, so blocks join side by side.
func blockOf(lines []string, width int) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = fit(l, width)
	}
	return strings.Join(out, "\n")
}

// headLines: name, personal details, route and benefit, and the conflict
// and removal warnings.
func (o *overview) headLines(width int) []string {
	t, st, c := o.ctx.T, o.ctx.Styles, o.client
	lines := []string{st.Title.Render(truncate(c.Name.Value, width))}
	var who []string
	if c.BirthYear.Value != "" {
		who = append(who, t.F("overview.born", c.BirthYear.Value, c.Age(o.ctx.Now().Year())))
	} else {
		who = append(who, t.S("overview.born.unknown"))
	}
	if c.Team.Value != "" {
		who = append(who, t.F("overview.team", c.Team.Value))
	}
	if c.Coaches.Value != "" {
		who = append(who, t.F("overview.coaches", c.Coaches.Value))
	}
	lines = append(lines, wrapJoin(who, " · ", width, &st.Muted)...)
	none := t.S("widget.none")
	or := func(s string) string {
		if s == "" {
			return none
		}
		return s
	}
	route := []string{
		t.S("overview.places") + ": " + or(placesLabel(t, c.Places.Value)),
		t.S("overview.target") + ": " + or(placeLabel(t, store.Place(c.RouteTarget.Value))),
		t.S("overview.benefit") + ": " + or(benefitLabel(t, c.Benefit.Value)),
	}
	lines = append(lines, wrapJoin(route, " · ", width, nil)...)
	if !c.Exists {
		lines = append(lines, st.Warn.Render(truncate(t.S("overview.removed"), width)))
	}
	if n := len(c.Conflicts); n > 0 {
		text := t.F("overview.conflicts", n)
		if n == 1 {
			text = t.S("overview.conflicts.one")
		}
		lines = append(lines, st.Conflict.Render(truncate(t.S("widget.conflict")+" "+text, width)))
	}
	return lines
}

// wrapJoin joins parts with sep, starting a new line where the next part
// does not fit; a part wider than width is cut.
func wrapJoin(parts []string, sep string, width int, style *lipgloss.Style) []string {
	var lines []string
	cur := ""
	for _, p := range parts {
		switch {
		case cur == "":
			cur = p
		case ansi.StringWidth(cur)+ansi.StringWidth(sep)+ansi.StringWidth(p) <= width:
			cur += sep + p
		default:
			lines = append(lines, cur)
			cur = p
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	for i, l := range lines {
		l = truncate(l, width)
		if style != nil {
			l = style.Render(l)
		}
		lines[i] = l
	}
	return lines
}

// stepLines: per step its number, title, status, checklist bar and
// ticked/total, with "!" where a field of the step is in conflict.
func (o *overview) stepLines(width int) []string {
	t, st, c := o.ctx.T, o.ctx.Styles, o.client
	lang := t.Lang
	n := o.stepCount()
	titles := make([]string, n)
	titleW := 0
	for i := range n {
		if s, ok := o.ctx.Method.Step(i + 1); ok {
			titles[i] = s.Title.In(lang)
		}
		titleW = max(titleW, ansi.StringWidth(titles[i]))
	}
	statusW := 0
	for _, s := range []store.StepStatus{store.StepOpen, store.StepActive, store.StepDone, store.StepSignedOff} {
		statusW = max(statusW, ansi.StringWidth(stepStatusLabel(t, s)))
	}
	if anySentBack(c) {
		statusW = max(statusW, ansi.StringWidth(t.S("step.sentback")))
	}
	numW := len(strconv.Itoa(n))
	tickW := len(t.F("overview.ticked", 99, 99))
	fixed := cursorWidth + numW + 1 + colGap + statusW + colGap + overviewBarWidth + colGap + tickW + colGap + markerWidth
	titleW = max(1, min(titleW, overviewTitleMax, width-fixed))
	inConflict := conflictSteps(c.Conflicts)
	lines := []string{st.Section.Render(truncate(t.S("overview.steps"), width))}
	for i := range n {
		var state store.StepState
		if i < len(c.Steps) {
			state = c.Steps[i]
		}
		ticked, total := checklistCount(o.ctx, i+1, state)
		pct := uint8(0)
		if total > 0 {
			pct = uint8(min(100, ticked*100/total))
		}
		status := state.StatusOrOpen()
		sel := i == o.cursor
		var b strings.Builder
		if sel {
			b.WriteString(fit(t.S("widget.cursor"), cursorWidth))
		} else {
			b.WriteString(strings.Repeat(" ", cursorWidth))
		}
		b.WriteString(fit(strconv.Itoa(i+1), numW) + " ")
		b.WriteString(fit(titles[i], titleW))
		b.WriteString(strings.Repeat(" ", colGap))
		statusText := fit(stepStatusLabel(t, status), statusW)
		switch {
		case sentBack(state):
			// A coordinator sent it back: the coach has work on it.
			statusText = fit(t.S("step.sentback"), statusW)
			if !sel {
				statusText = st.Warn.Render(statusText)
			}
		case !sel && (status == store.StepDone || status == store.StepSignedOff):
			statusText = st.Good.Render(statusText)
		}
		b.WriteString(statusText)
		b.WriteString(strings.Repeat(" ", colGap))
		if sel {
			b.WriteString(progressCells([]uint8{pct}, overviewBarWidth))
		} else {
			b.WriteString(progressBar(st, []uint8{pct}, overviewBarWidth))
		}
		b.WriteString(strings.Repeat(" ", colGap))
		b.WriteString(fit(t.F("overview.ticked", ticked, total), tickW))
		b.WriteString(strings.Repeat(" ", colGap))
		switch {
		case !inConflict[i+1]:
			b.WriteString(strings.Repeat(" ", markerWidth))
		case sel:
			b.WriteString(fit(t.S("widget.conflict"), markerWidth))
		default:
			b.WriteString(st.Conflict.Render(fit(t.S("widget.conflict"), markerWidth)))
		}
		line := truncate(b.String(), width)
		if sel {
			line = st.Selected.Render(line)
		}
		lines = append(lines, line)
	}
	return lines
}

// checklistCount counts the ticked items of step n that the method knows,
// and the size of its checklist.
func checklistCount(ctx *Context, n int, state store.StepState) (ticked, total int) {
	s, ok := ctx.Method.Step(n)
	if !ok {
		return 0, 0
	}
	for _, it := range s.Checklist {
		if state.Checked(it.ID) {
			ticked++
		}
	}
	return ticked, len(s.Checklist)
}

// conflictSteps says which steps have a field in conflict, from the
// dossier's conflict list ("step/3/answer/q1").
func conflictSteps(fields []string) map[int]bool {
	out := map[int]bool{}
	for _, f := range fields {
		rest, ok := strings.CutPrefix(f, "step/")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, "/")
		if n, err := strconv.Atoi(num); err == nil {
			out[n] = true
		}
	}
	return out
}

// agreementLines: the next open agreements by due date, overdue ones
// marked in words and colour.
func (o *overview) agreementLines(width int) []string {
	t, st, c := o.ctx.T, o.ctx.Styles, o.client
	var open []store.Agreement
	for _, a := range c.Agreements {
		if !a.Removed && a.Done.Value != "1" {
			open = append(open, a)
		}
	}
	// Dated ones first (the store sorts by date, so undated ones lead).
	dated := open[:0:0]
	var undated []store.Agreement
	for _, a := range open {
		if a.Due.Value == "" {
			undated = append(undated, a)
		} else {
			dated = append(dated, a)
		}
	}
	open = append(dated, undated...)
	title := st.Section.Render(t.S("overview.agreements"))
	if extra := len(open) - overviewAgreements; extra > 0 {
		title += st.Muted.Render(" · " + t.F("overview.more", extra))
	}
	lines := []string{truncate(title, width)}
	if len(open) == 0 {
		return append(lines, st.Muted.Render(truncate(strings.Repeat(" ", cursorWidth)+t.S("overview.agreements.no"), width)))
	}
	today := o.ctx.Now().Format(time.DateOnly)
	dueW := max(ansi.StringWidth(t.S("overview.nodue")),
		ansi.StringWidth(t.F("list.due.late", strings.Repeat("0", dateWidth(t)))))
	for _, a := range open[:min(len(open), overviewAgreements)] {
		due := fit(t.S("overview.nodue"), dueW)
		switch {
		case a.Due.Value == "":
			due = st.Muted.Render(due)
		case a.Due.Value < today:
			due = st.Bad.Render(fit(t.F("list.due.late", formatDate(t, a.Due.Value)), dueW))
		default:
			due = fit(formatDate(t, a.Due.Value), dueW)
		}
		what := firstLine(a.What.Value)
		if a.What.Conflict() {
			what = st.Conflict.Render(t.S("widget.conflict")) + " " + what
		}
		lines = append(lines, truncate(strings.Repeat(" ", cursorWidth)+due+strings.Repeat(" ", colGap)+what, width))
	}
	return lines
}

// journalLines: the newest journal entry, date and first line.
func (o *overview) journalLines(width int) []string {
	t, st, c := o.ctx.T, o.ctx.Styles, o.client
	lines := []string{st.Section.Render(truncate(t.S("overview.journal"), width))}
	for _, j := range c.Journal { // newest first
		if j.Removed {
			continue
		}
		date := t.S("overview.nodue")
		if j.Date.Value != "" {
			date = formatDate(t, j.Date.Value)
		}
		text := firstLine(j.Text.Value)
		if j.Text.Conflict() {
			text = st.Conflict.Render(t.S("widget.conflict")) + " " + text
		}
		return append(lines, truncate(strings.Repeat(" ", cursorWidth)+date+strings.Repeat(" ", colGap)+text, width))
	}
	return append(lines, st.Muted.Render(truncate(strings.Repeat(" ", cursorWidth)+t.S("overview.journal.no"), width)))
}

// Title is the client's name once loaded.
func (o *overview) Title() string {
	if o.client != nil && o.client.Name.Value != "" {
		return o.client.Name.Value
	}
	return o.ctx.T.S("overview.title")
}

// Help lists the overview's keys.
func (o *overview) Help() []key.Binding {
	k := o.ctx.Keys
	return []key.Binding{k.Open, k.Step, k.Journal, k.Agreements, k.Contacts, k.Route, k.Conflicts, k.Up, k.Down}
}

// Capturing is false: the overview has no text input.
func (o *overview) Capturing() bool { return false }

// anySentBack reports whether a coordinator sent any step of c back.
func anySentBack(c *store.Client) bool {
	for _, st := range c.Steps {
		if sentBack(st) {
			return true
		}
	}
	return false
}
