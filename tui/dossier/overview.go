// Package dossier is everything about one client's dossier: the overview,
// the steps with their checklist and answers, the text editor, conflicts
// and their settling, the entity screens (agreements, contacts, journal),
// the route, and a coordinator's review and send back of a step.
package dossier

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
	"github.com/brug-nl/brug/tui/kit"
)

// Layout of the overview, in cells and lines.
const (
	overviewAgreements = 3   // open agreements shown
	overviewBarWidth   = 12  // the progress bar of one step
	overviewTwoColFrom = 140 // from this width, steps left and the rest right
)

// ClientMsg answers a load of one dossier; id and seq say which.
type ClientMsg struct {
	ID     string
	Seq    int
	Client *store.Client
	err    error
}

// Overview is a client's overview: who, where on the route, the six steps
// with progress, the next agreements and the last journal entry.
type Overview struct {
	ctx    *kit.Context
	ID     string
	Seq    int
	Client *store.Client
	Err    error
	cursor int  // highlighted step, 0-based
	moved  bool // the user moved the cursor; else it follows the current step
	// asking: the overview asks whether to withdraw the client.
	asking bool
	width  int
	height int
}

// NewOverviewScreen shows the overview of client dossier.
func NewOverviewScreen(ctx *kit.Context, dossier string) kit.Screen {
	o := &Overview{ctx: ctx, ID: dossier}
	o.SetSize(ctx.Width, ctx.Height)
	return o
}

// Init loads the dossier; the root calls it again when the overview comes
// back to the front after a change.
func (o *Overview) Init() tea.Cmd {
	o.Seq++
	st, id, seq := o.ctx.Store, o.ID, o.Seq
	// Opening the dossier (not a reload after a change) is a read for the
	// laptop's read log. On the server (SSH) the server's audit logs it.
	rl, logs := st.(readLogger)
	logs = logs && seq == 1 && !o.ctx.OnServer
	user, role := o.ctx.User, o.ctx.Role
	return func() tea.Msg {
		c, err := st.Client(id)
		if logs && err == nil {
			if lerr := rl.LogRead(store.ReadEntry{User: user, Role: role, Dossier: id, Action: store.ReadOpen, Channel: store.ChannelApp}); lerr != nil {
				c, err = nil, lerr // a read that cannot be logged is not shown
			}
		}
		return ClientMsg{ID: id, Seq: seq, Client: kit.SafeClient(c), err: err}
	}
}

// readLogger is a store that keeps a read log (*store.Store does).
type readLogger interface {
	LogRead(store.ReadEntry) error
}

// Update handles the loaded dossier, changes to it and keys.
func (o *Overview) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case ClientMsg:
		return o, o.loaded(msg)
	case kit.ChangedMsg:
		if msg.Touches(o.ID) {
			return o, o.Init()
		}
	case kit.WroteMsg:
		if msg.To != o {
			return o, nil
		}
		t := o.ctx.T
		if msg.Err != nil {
			return o, kit.SaveErr(o.ctx, "record.err", msg.Err)
		}
		text := t.S("record.withdrawn")
		if msg.What == "restore" {
			text = t.S("record.restored")
		}
		return o, tea.Batch(kit.Status(text, false), kit.ChangedCmd(o.ID))
	case tea.KeyMsg:
		if o.asking {
			o.asking = false
			if msg.String() == "j" || msg.String() == "y" {
				return o, o.setExists(false)
			}
			return o, nil
		}
		return o, o.key(msg)
	}
	return o, nil
}

func (o *Overview) loaded(msg ClientMsg) tea.Cmd {
	if msg.ID != o.ID || msg.Seq != o.Seq {
		return nil // another dossier's answer, or an older load
	}
	t := o.ctx.T
	if msg.err != nil {
		o.Err = msg.err
		if errors.Is(msg.err, store.ErrNotFound) {
			return kit.Status(t.S("overview.err.notfound"), true)
		}
		return kit.StatusErr(t.F("overview.err.load", msg.err), msg.err)
	}
	o.Err, o.Client = nil, msg.Client
	if !o.moved {
		o.cursor = max(0, o.Client.CurrentStep()-1)
	}
	o.cursor = min(o.cursor, max(0, o.stepCount()-1))
	return nil
}

func (o *Overview) key(msg tea.KeyMsg) tea.Cmd {
	k, ctx, id := o.ctx.Keys, o.ctx, o.ID
	switch {
	case key.Matches(msg, k.Step):
		n, err := strconv.Atoi(msg.String())
		if err != nil || n < 1 || n > o.stepCount() {
			return nil
		}
		return kit.Push(NewStepScreen(ctx, id, n))
	case key.Matches(msg, k.Open):
		if o.stepCount() == 0 {
			return nil
		}
		return kit.Push(NewStepScreen(ctx, id, o.cursor+1))
	case key.Matches(msg, k.Up):
		o.cursor, o.moved = max(0, o.cursor-1), true
	case key.Matches(msg, k.Down):
		o.cursor, o.moved = min(max(0, o.stepCount()-1), o.cursor+1), true
	case key.Matches(msg, k.Journal):
		return kit.Push(NewJournalScreen(ctx, id))
	case key.Matches(msg, k.Agreements):
		return kit.Push(NewAgreementsScreen(ctx, id))
	case key.Matches(msg, k.Contacts):
		return kit.Push(NewContactsScreen(ctx, id))
	case key.Matches(msg, k.Route):
		return kit.Push(NewRouteScreen(ctx, id))
	case key.Matches(msg, k.Conflicts):
		return kit.Push(NewConflictsScreen(ctx, id))
	case key.Matches(msg, k.OnOverview.Record):
		return kit.Open(kit.OpenRecord, id, 0)
	case key.Matches(msg, k.OnOverview.Indications):
		return kit.Push(NewIndicationsScreen(ctx, id))
	case key.Matches(msg, k.OnOverview.Arrangements):
		return kit.Push(NewArrangementsScreen(ctx, id))
	case key.Matches(msg, k.OnOverview.Plan):
		return kit.Push(NewPlanScreen(ctx, id))
	case key.Matches(msg, k.OnOverview.Share):
		return kit.Push(NewSharingScreen(ctx, id))
	case key.Matches(msg, k.OnOverview.Withdraw):
		o.asking = o.Client != nil && o.Client.Exists
	case key.Matches(msg, k.OnOverview.Restore):
		if o.Client != nil && !o.Client.Exists {
			return o.setExists(true)
		}
	}
	return nil
}

// setExists withdraws the client (a tombstone, store.Withdraw) or brings
// it back (store.Restore).
func (o *Overview) setExists(exists bool) tea.Cmd {
	st, id, ch, what := o.ctx.Store, o.ID, store.Withdraw(), "withdraw"
	if exists {
		ch, what = store.Restore(), "restore"
	}
	return kit.WriteCmd(o, id, what, id, func() error {
		_, err := st.Commit(id, ch)
		return err
	})
}

// stepCount is the number of steps shown: the method's, or the dossier's
// when it has more.
func (o *Overview) stepCount() int {
	n := 0
	if o.ctx.Method != nil {
		n = len(o.ctx.Method.Steps)
	}
	if o.Client != nil {
		n = max(n, len(o.Client.Steps))
	}
	return n
}

// SetSize keeps the body size for View.
func (o *Overview) SetSize(width, height int) { o.width, o.height = width, height }

// View shows the dossier; at 140 cells and wider the steps stand on the
// left and the agreements and journal on the right.
func (o *Overview) View() string {
	t, st := o.ctx.T, o.ctx.Styles
	switch {
	case o.Err != nil && errors.Is(o.Err, store.ErrNotFound):
		return st.Bad.Render(kit.Truncate(t.S("overview.err.notfound"), o.width))
	case o.Err != nil:
		return st.Bad.Render(kit.Truncate(t.F("overview.err.load", o.Err), o.width))
	case o.Client == nil:
		return st.Muted.Render(kit.Truncate(t.S("overview.loading"), o.width))
	}
	head := o.headLines(o.width)
	if o.width >= overviewTwoColFrom {
		leftW := o.width / 2
		rightW := o.width - leftW - kit.ColGap
		left := o.stepLines(leftW)
		right := append(o.agreementLines(rightW), "")
		right = append(right, o.journalLines(rightW)...)
		cols := lipgloss.JoinHorizontal(lipgloss.Top,
			blockOf(left, leftW), strings.Repeat(" ", kit.ColGap), blockOf(right, rightW))
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
		out[i] = kit.Fit(l, width)
	}
	return strings.Join(out, "\n")
}

// headLines: name, personal details, route and benefit, and the conflict
// and removal warnings.
func (o *Overview) headLines(width int) []string {
	t, st, c := o.ctx.T, o.ctx.Styles, o.Client
	lines := []string{st.Title.Render(kit.Truncate(c.Name.Value, width))}
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
	if kit.ReadOnly(o.ctx, c) {
		for _, l := range kit.WrapText(t.S("readonly.overview"), width) {
			lines = append(lines, st.Warn.Render(l))
		}
	}
	none := t.S("widget.none")
	or := func(s string) string {
		if s == "" {
			return none
		}
		return s
	}
	route := []string{
		t.S("overview.places") + ": " + or(kit.PlacesLabel(t, c.Places.Value)),
		t.S("overview.target") + ": " + or(kit.PlaceLabel(t, store.Place(c.RouteTarget.Value))),
		t.S("overview.benefit") + ": " + or(kit.BenefitLabel(t, c.Benefit.Value)),
	}
	lines = append(lines, wrapJoin(route, " · ", width, nil)...)
	lines = append(lines, o.sharingLines(width)...)
	if o.asking {
		for _, l := range kit.WrapText(t.F("record.withdraw.ask", c.Name.Value), width) {
			lines = append(lines, st.Warn.Render(l))
		}
	}
	if !c.Exists {
		for _, l := range kit.WrapText(t.S("overview.removed"), width) {
			lines = append(lines, st.Warn.Render(l))
		}
	}
	if n := len(c.Conflicts); n > 0 {
		// A read-only dossier's conflicts are its own team's to resolve:
		// the hint to press ! would end in a refusal.
		readOnly := kit.ReadOnly(o.ctx, c)
		var text string
		switch {
		case readOnly && n == 1:
			text = t.S("overview.conflicts.readonly.one")
		case readOnly:
			text = t.F("overview.conflicts.readonly", n)
		case n == 1:
			text = t.S("overview.conflicts.one")
		default:
			text = t.F("overview.conflicts", n)
		}
		if !readOnly {
			lines = append(lines, st.Conflict.Render(kit.Truncate(t.S("widget.conflict")+" "+text, width)))
		} else {
			for _, l := range kit.WrapText(t.S("widget.conflict")+" "+text, width) {
				lines = append(lines, st.Conflict.Render(l))
			}
		}
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
		l = kit.Truncate(l, width)
		if style != nil {
			l = style.Render(l)
		}
		lines[i] = l
	}
	return lines
}

// stepLines: per step its number, title, status, checklist bar and
// ticked/total, with "!" where a field of the step is in conflict.
func (o *Overview) stepLines(width int) []string {
	t, st, c := o.ctx.T, o.ctx.Styles, o.Client
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
		statusW = max(statusW, ansi.StringWidth(kit.StepStatusLabel(t, s)))
	}
	if anySentBack(c) {
		statusW = max(statusW, ansi.StringWidth(t.S("step.sentback")))
	}
	numW := len(strconv.Itoa(n))
	tickW := len(t.F("overview.ticked", 99, 99))
	fixed := kit.CursorWidth + numW + 1 + kit.ColGap + statusW + kit.ColGap + overviewBarWidth + kit.ColGap + tickW + kit.ColGap + kit.MarkerWidth
	titleW = max(1, min(titleW, kit.OverviewTitleMax, width-fixed))
	inConflict := conflictSteps(c.Conflicts)
	lines := []string{st.Section.Render(kit.Truncate(t.S("overview.steps"), width))}
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
			b.WriteString(kit.Fit(t.S("widget.cursor"), kit.CursorWidth))
		} else {
			b.WriteString(strings.Repeat(" ", kit.CursorWidth))
		}
		b.WriteString(kit.Fit(strconv.Itoa(i+1), numW) + " ")
		b.WriteString(kit.Fit(titles[i], titleW))
		b.WriteString(strings.Repeat(" ", kit.ColGap))
		statusText := kit.Fit(kit.StepStatusLabel(t, status), statusW)
		switch {
		case sentBack(state):
			// A coordinator sent it back: the coach has work on it.
			statusText = kit.Fit(t.S("step.sentback"), statusW)
			if !sel {
				statusText = st.Warn.Render(statusText)
			}
		case !sel && (status == store.StepDone || status == store.StepSignedOff):
			statusText = st.Good.Render(statusText)
		}
		b.WriteString(statusText)
		b.WriteString(strings.Repeat(" ", kit.ColGap))
		if sel {
			b.WriteString(kit.ProgressCells([]uint8{pct}, overviewBarWidth))
		} else {
			b.WriteString(kit.ProgressBar(st, []uint8{pct}, overviewBarWidth))
		}
		b.WriteString(strings.Repeat(" ", kit.ColGap))
		b.WriteString(kit.Fit(t.F("overview.ticked", ticked, total), tickW))
		b.WriteString(strings.Repeat(" ", kit.ColGap))
		switch {
		case !inConflict[i+1]:
			b.WriteString(strings.Repeat(" ", kit.MarkerWidth))
		case sel:
			b.WriteString(kit.Fit(t.S("widget.conflict"), kit.MarkerWidth))
		default:
			b.WriteString(st.Conflict.Render(kit.Fit(t.S("widget.conflict"), kit.MarkerWidth)))
		}
		line := kit.Truncate(b.String(), width)
		if sel {
			line = st.Selected.Render(line)
		}
		lines = append(lines, line)
	}
	return lines
}

// checklistCount counts the ticked items of step n that the method knows,
// and the size of its checklist.
func checklistCount(ctx *kit.Context, n int, state store.StepState) (ticked, total int) {
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
func (o *Overview) agreementLines(width int) []string {
	t, st, c := o.ctx.T, o.ctx.Styles, o.Client
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
	lines := []string{kit.Truncate(title, width)}
	if len(open) == 0 {
		return append(lines, st.Muted.Render(kit.Truncate(strings.Repeat(" ", kit.CursorWidth)+t.S("overview.agreements.no"), width)))
	}
	today := o.ctx.Now().Format(time.DateOnly)
	dueW := max(ansi.StringWidth(t.S("overview.nodue")),
		ansi.StringWidth(t.F("list.due.late", strings.Repeat("0", kit.DateWidth(t)))))
	for _, a := range open[:min(len(open), overviewAgreements)] {
		due := kit.Fit(t.S("overview.nodue"), dueW)
		switch {
		case a.Due.Value == "":
			due = st.Muted.Render(due)
		case a.Due.Value < today:
			due = st.Bad.Render(kit.Fit(t.F("list.due.late", kit.FormatDate(t, a.Due.Value)), dueW))
		default:
			due = kit.Fit(kit.FormatDate(t, a.Due.Value), dueW)
		}
		what := kit.FirstLine(a.What.Value)
		if a.What.Conflict() {
			what = st.Conflict.Render(t.S("widget.conflict")) + " " + what
		}
		lines = append(lines, kit.Truncate(strings.Repeat(" ", kit.CursorWidth)+due+strings.Repeat(" ", kit.ColGap)+what, width))
	}
	return lines
}

// journalLines: the newest journal entry, date and first line.
func (o *Overview) journalLines(width int) []string {
	t, st, c := o.ctx.T, o.ctx.Styles, o.Client
	lines := []string{st.Section.Render(kit.Truncate(t.S("overview.journal"), width))}
	for _, j := range c.Journal { // newest first
		if j.Removed {
			continue
		}
		date := t.S("overview.nodue")
		if j.Date.Value != "" {
			date = kit.FormatDate(t, j.Date.Value)
		}
		text := kit.FirstLine(j.Text.Value)
		if j.Text.Conflict() {
			text = st.Conflict.Render(t.S("widget.conflict")) + " " + text
		}
		return append(lines, kit.Truncate(strings.Repeat(" ", kit.CursorWidth)+date+strings.Repeat(" ", kit.ColGap)+text, width))
	}
	return append(lines, st.Muted.Render(kit.Truncate(strings.Repeat(" ", kit.CursorWidth)+t.S("overview.journal.no"), width)))
}

// Title is the client's name once loaded.
func (o *Overview) Title() string {
	if o.Client != nil && o.Client.Name.Value != "" {
		return o.Client.Name.Value
	}
	return o.ctx.T.S("overview.title")
}

// Help lists the overview's keys.
func (o *Overview) Help() []key.Binding {
	k := o.ctx.Keys
	ov := k.OnOverview
	last := ov.Withdraw
	if o.Client != nil && !o.Client.Exists {
		last = ov.Restore
	}
	return []key.Binding{k.Open, k.Step, k.Journal, k.Agreements, k.Contacts, k.Route, ov.Record, ov.Indications, ov.Arrangements, ov.Plan, ov.Share, k.Conflicts, k.Up, k.Down, last}
}

// Capturing is true only while asking whether to withdraw the client.
func (o *Overview) Capturing() bool { return o.asking }

// anySentBack reports whether a coordinator sent any step of c back.
func anySentBack(c *store.Client) bool {
	for _, st := range c.Steps {
		if sentBack(st) {
			return true
		}
	}
	return false
}
