package dossier

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/kit"
)

// reviewTwoColFrom is the width from which the checklist and the answers
// stand side by side.
const reviewTwoColFrom = 100

// errStaleStatus says a sign-off was not made because the step's status
// changed after the coordinator looked at it.
var errStaleStatus = errors.New("the step's status changed meanwhile")

// ReviewScreen shows one step of one client for review: the checklist with
// who ticked what and when, the questions with their answers, the coach's
// note and the previous comment. a signs the step off, t sends it back
// with a comment. Both are ops that reach the coach on the next sync.
type ReviewScreen struct {
	kit.DossierView
	ctx     *kit.Context
	N       int
	meth    *method.Method
	offset  int
	confirm bool // asking whether to sign off
	busy    bool // a sign-off is being written
	width   int
	height  int
	keys    kit.ReviewKeys
}

// NewReviewScreen opens step n of client dossier for review. It reads the
// dossier once, when opened (and again after a change to it).
func NewReviewScreen(ctx *kit.Context, dossier string, n int) kit.Screen {
	return &ReviewScreen{ctx: ctx, DossierView: kit.DossierView{Dossier: dossier}, N: n, meth: kit.DossierMethod(ctx),
		width: ctx.Width, height: ctx.Height,
		keys: ctx.Keys.OnReview}
}

// Init loads the dossier.
func (s *ReviewScreen) Init() tea.Cmd {
	return kit.LoadDossier(s.ctx.Store, s, s.Loads.Next(), s.Dossier)
}

// Update handles loads, the sign-off's write and keys.
func (s *ReviewScreen) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case kit.DossierMsg:
		if ok, cmd := s.Take(s.ctx, s, msg); !ok {
			return s, cmd
		}
		s.clampOffset()
	case kit.ChangedMsg:
		if msg.Touches(s.Dossier) {
			return s, s.Init()
		}
	case kit.WroteMsg:
		if msg.To != s {
			return s, nil
		}
		s.busy = false
		t := s.ctx.T
		switch {
		case errors.Is(msg.Err, errStaleStatus):
			return s, tea.Batch(kit.Status(t.S("coord.review.err.stale"), true), s.Init())
		case msg.Err != nil:
			return s, kit.SaveErr(s.ctx, "coord.review.err.save", msg.Err)
		}
		return s, tea.Sequence(kit.Pop(true), kit.Status(t.F("coord.review.signedoff", s.N, s.name()), false), kit.ChangedCmd(s.Dossier))
	case tea.KeyMsg:
		return s, s.key(msg)
	}
	return s, nil
}

func (s *ReviewScreen) key(msg tea.KeyMsg) tea.Cmd {
	k := s.ctx.Keys
	if s.busy || s.Client == nil {
		return nil
	}
	if s.confirm {
		s.confirm = false
		if isYes(msg) {
			return s.signOff()
		}
		return nil
	}
	h := s.bodyHeight()
	switch {
	case key.Matches(msg, k.Up):
		s.offset--
	case key.Matches(msg, k.Down):
		s.offset++
	case key.Matches(msg, k.PageUp):
		s.offset -= h
	case key.Matches(msg, k.PageDown):
		s.offset += h
	case key.Matches(msg, k.Home):
		s.offset = 0
	case key.Matches(msg, k.End):
		s.offset = len(s.content())
	case key.Matches(msg, s.keys.SignOff):
		if s.state().StatusOrOpen() != store.StepDone {
			return kit.Status(s.ctx.T.S("coord.review.err.notdone"), true)
		}
		s.confirm = true
	case key.Matches(msg, s.keys.SendBack):
		return kit.Push(newSendBack(s.ctx, s.Dossier, s.N, s.name(), kit.SeenHeads(s.state().Comment)))
	}
	s.clampOffset()
	return nil
}

// isYes reports whether a key answers yes: j or y, in either language, as
// the editor's discard question takes them.
func isYes(msg tea.KeyMsg) bool {
	switch strings.ToLower(msg.String()) {
	case "j", "y":
		return true
	}
	return false
}

// signOff sets the step's status to signed off, unless the status changed
// since the screen showed it: then the coordinator looks again first.
func (s *ReviewScreen) signOff() tea.Cmd {
	s.busy = true
	st, dossier, field, seen := s.ctx.Store, s.Dossier, s.statusField(), s.state().Status.OpID
	return kit.WriteCmd(s, dossier, "signoff", field, func() error {
		hs, err := st.Heads(dossier, field)
		if err != nil {
			return err
		}
		if len(hs) == 0 || hs[0].ID != seen { // heads come newest first
			return errStaleStatus
		}
		_, err = st.Commit(dossier, store.Set(field, string(store.StepSignedOff)))
		return err
	})
}

func (s *ReviewScreen) statusField() string { return store.FieldStepStatus(s.N) }

// state is the client's state of the step (zero when it has none).
func (s *ReviewScreen) state() store.StepState {
	if s.Client == nil || s.N < 1 || s.N > len(s.Client.Steps) {
		return store.StepState{N: s.N}
	}
	return s.Client.Steps[s.N-1]
}

// name is the client's name once loaded.
func (s *ReviewScreen) name() string {
	if s.Client == nil {
		return ""
	}
	return s.Client.Name.Value
}

func (s *ReviewScreen) bodyHeight() int {
	h := s.height - 1 // the heading
	if s.confirm || s.busy {
		h-- // the question or the progress line
	}
	return max(1, h)
}

func (s *ReviewScreen) clampOffset() {
	s.offset = max(0, min(s.offset, len(s.content())-s.bodyHeight()))
}

// heading is the fixed first line: the step and its status.
func (s *ReviewScreen) heading() string {
	st, t := s.ctx.Styles, s.ctx.T
	step, ok := s.meth.Step(s.N)
	if !ok {
		return st.Bad.Render(kit.Truncate(t.F("step.err.nostep", s.N), s.width))
	}
	status := s.state().StatusOrOpen()
	right := t.F("step.status", kit.StepStatusLabel(t, status))
	if status == store.StepDone {
		right = st.Warn.Render(right)
	} else {
		right = st.Muted.Render(right)
	}
	left := t.F("step.heading", s.N, len(s.meth.Steps), step.Title.In(t.Lang))
	left = st.Title.Render(kit.Truncate(left, max(1, s.width-lipgloss.Width(right)-2)))
	return left + strings.Repeat(" ", max(2, s.width-lipgloss.Width(left)-lipgloss.Width(right))) + right
}

// content is the scrolling part: who and when, the previous comment, the
// checklist and the answers (side by side when wide), and the note.
func (s *ReviewScreen) content() []string {
	step, ok := s.meth.Step(s.N)
	if !ok || s.Client == nil {
		return nil
	}
	st, t, w := s.ctx.Styles, s.ctx.T, s.width
	state := s.state()
	c := s.Client
	who := []string{c.Name.Value}
	if c.Team.Value != "" {
		who = []string{t.F("coord.review.who", c.Name.Value, c.Team.Value)}
	}
	status := state.StatusOrOpen()
	if status == store.StepDone {
		who = append(who, t.F("coord.review.doneby", kit.WhoWhen(s.ctx, state.Status)))
	}
	lines := wrapJoin(who, " · ", w, &st.Muted)
	if status != store.StepDone {
		for _, l := range kit.WrapText(t.F("coord.review.notdone", kit.StepStatusLabel(t, status)), w) {
			lines = append(lines, st.Warn.Render(l))
		}
	}
	if cm := state.Comment; cm.Value != "" || cm.Conflict() {
		for _, l := range kit.WrapText(t.F("coord.review.comment", kit.WhoWhen(s.ctx, cm), cm.Value), w) {
			lines = append(lines, st.Warn.Render(l))
		}
	}
	lines = append(lines, "")
	if w >= reviewTwoColFrom {
		lw := (w - kit.ColGap) / 2
		rw := w - lw - kit.ColGap
		cols := lipgloss.JoinHorizontal(lipgloss.Top,
			blockOf(s.checklistLines(step, state, lw), lw), strings.Repeat(" ", kit.ColGap),
			blockOf(s.questionLines(step, state, rw), rw))
		lines = append(lines, strings.Split(cols, "\n")...)
	} else {
		lines = append(lines, s.checklistLines(step, state, w)...)
		lines = append(lines, "")
		lines = append(lines, s.questionLines(step, state, w)...)
	}
	lines = append(lines, "", st.Section.Render(kit.Truncate(t.S("coord.review.note"), w)))
	return append(lines, s.textLines(state.Note, t.S("coord.review.nonote"), w, "  ")...)
}

// checklistLines: every item with its box and, when ticked, who and when.
func (s *ReviewScreen) checklistLines(step *method.Step, state store.StepState, w int) []string {
	st, t := s.ctx.Styles, s.ctx.T
	ticked := 0
	for _, it := range step.Checklist {
		if state.Checked(it.ID) {
			ticked++
		}
	}
	lines := []string{kit.Truncate(st.Section.Render(t.S("step.checklist"))+"  "+
		st.Muted.Render(t.F("step.checklist.count", ticked, len(step.Checklist))), w)}
	for _, it := range step.Checklist {
		box, meta := "[ ] ", ""
		if state.Checked(it.ID) {
			box, meta = "[x] ", "— "+kit.WhoWhen(s.ctx, state.Checks[it.ID])
		}
		text := kit.WrapText(it.Text.In(t.Lang), max(1, w-4))
		for i, l := range text {
			lead := "    "
			if i == 0 {
				lead = box
				if box == "[x] " {
					lead = st.Good.Render(box)
				}
			}
			line := lead + l
			if i == len(text)-1 && meta != "" {
				if gap := w - lipgloss.Width(line) - lipgloss.Width(meta); gap >= 2 {
					line += strings.Repeat(" ", gap) + st.Muted.Render(meta)
					meta = ""
				}
			}
			lines = append(lines, line)
		}
		if meta != "" {
			lines = append(lines, "    "+st.Muted.Render(kit.Truncate(meta, max(1, w-4))))
		}
	}
	return lines
}

// questionLines: every question with its whole answer under it.
func (s *ReviewScreen) questionLines(step *method.Step, state store.StepState, w int) []string {
	st, t := s.ctx.Styles, s.ctx.T
	lines := []string{st.Section.Render(kit.Truncate(t.S("step.questions"), w))}
	for i, q := range step.Questions {
		if i > 0 {
			lines = append(lines, "")
		}
		for _, l := range kit.WrapText(q.Text.In(t.Lang), w) {
			lines = append(lines, st.Title.Render(l))
		}
		lines = append(lines, s.textLines(state.Answers[q.ID], t.S("step.noanswer"), w, "  ")...)
	}
	return lines
}

// textLines is a whole text wrapped and indented; every version of it,
// each with who and when, when it is in conflict.
func (s *ReviewScreen) textLines(v store.Value, empty string, w int, indent string) []string {
	st, t := s.ctx.Styles, s.ctx.T
	iw := max(1, w-len(indent))
	if v.Conflict() {
		var lines []string
		for i, h := range v.Heads {
			label := t.F("coord.review.version", i+1, kit.WhoWhenTime(s.ctx, h.Author, h.HLC.Time()))
			lines = append(lines, indent+st.Conflict.Render(kit.Truncate(t.S("widget.conflict")+" "+label, iw)))
			lines = append(lines, kit.IndentLines(kit.WrapText(strings.TrimRight(h.Value, "\n "), iw), indent)...)
		}
		return lines
	}
	if strings.TrimSpace(v.Value) == "" {
		return []string{indent + st.Muted.Render(kit.Truncate(empty, iw))}
	}
	return kit.IndentLines(kit.WrapText(strings.TrimRight(v.Value, "\n "), iw), indent)
}

// View renders the heading, the visible part of the body and, while
// asking, the sign-off question.
func (s *ReviewScreen) View() string {
	st, t := s.ctx.Styles, s.ctx.T
	switch {
	case s.LoadErr != "" && s.Client == nil:
		return strings.Join(kit.WrapText(s.LoadErr, s.width), "\n")
	case s.Client == nil:
		return st.Muted.Render(t.S("step.loading"))
	}
	lines := s.content()
	h := s.bodyHeight()
	shown := append([]string(nil), kit.WindowLines(lines, s.offset, h)...)
	if s.offset+h < len(lines) && len(shown) > 0 {
		more := st.Muted.Render(t.S("step.more"))
		last := shown[len(shown)-1]
		if lipgloss.Width(last)+lipgloss.Width(more)+2 <= s.width {
			shown[len(shown)-1] = last + strings.Repeat(" ", s.width-lipgloss.Width(last)-lipgloss.Width(more)) + more
		} else {
			shown[len(shown)-1] = strings.Repeat(" ", max(0, s.width-lipgloss.Width(more))) + more
		}
	}
	out := s.heading() + "\n" + strings.Join(shown, "\n")
	switch {
	case s.confirm:
		out += "\n" + st.Warn.Render(kit.Truncate(t.F("coord.review.confirm", s.N, s.name()), s.width))
	case s.busy:
		out += "\n" + st.Muted.Render(kit.Truncate(t.S("coord.review.signing"), s.width))
	}
	return out
}

// SetSize keeps the body size.
func (s *ReviewScreen) SetSize(width, height int) {
	s.width, s.height = width, height
	s.clampOffset()
}

// Title is the client's name and the step, for the header.
func (s *ReviewScreen) Title() string {
	if s.Client == nil {
		return s.ctx.T.F("coord.review.title.bare", s.N)
	}
	return s.ctx.T.F("coord.review.title", s.Client.Name.Value, s.N)
}

// Help lists the review's keys.
func (s *ReviewScreen) Help() []key.Binding {
	k := s.ctx.Keys
	return []key.Binding{s.keys.SignOff, s.keys.SendBack, k.Up, k.Down, k.PageDown, k.PageUp}
}

// Capturing is false: the review screen has no text input.
func (s *ReviewScreen) Capturing() bool { return false }
