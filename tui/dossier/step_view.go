package dossier

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// This file renders the step screen; step.go holds its state and keys.

// stepReadWidth is the widest the step screen lays its text out: longer
// lines are hard to read, and a tick's "who and when" belongs near it.
const stepReadWidth = 100

// readWidth is the width the screen's text is laid out in.
func (s *StepScreen) readWidth() int { return max(20, min(s.width, stepReadWidth)) }

// bodyHeight is the height of the scrolling part: all but the heading.
func (s *StepScreen) bodyHeight() int { return max(1, s.height-1) }

// rowPrefix is the three cells in front of a row: the cursor and the
// conflict marker, both glyphs so they read without colour.
func (s *StepScreen) rowPrefix(selected, conflict bool) string {
	p := " "
	if selected {
		p = "›"
	}
	if conflict {
		return p + s.ctx.Styles.Conflict.Render("!") + " "
	}
	return p + "  "
}

// content renders the scrolling part of the screen and the line span
// [first, last] of every selectable row, in the order of rows().
func (s *StepScreen) content() ([]string, [][2]int) {
	step := s.step()
	if step == nil || s.Client == nil {
		return nil, nil
	}
	st, t, lang, w := s.ctx.Styles, s.ctx.T, s.ctx.T.Lang, s.readWidth()
	state := s.State()
	var lines []string
	var spans [][2]int
	add := func(ls ...string) { lines = append(lines, ls...) }
	row := 0
	span := func(start int) {
		spans = append(spans, [2]int{start, len(lines) - 1})
		row++
	}
	for _, l := range kit.WrapText(t.F("step.goal", step.Goal.In(lang)), w) {
		add(st.Muted.Render(l))
	}
	if c := state.Comment; c.Value != "" || c.Conflict() {
		key := "step.comment"
		if sentBack(state) {
			key = "step.comment.sentback"
		}
		for _, l := range kit.WrapText(t.F(key, kit.WhoWhen(s.ctx, c), c.Value), w) {
			add(st.Warn.Render(l))
		}
	}

	// Checklist.
	ticked := 0
	for _, it := range step.Checklist {
		if state.Checked(it.ID) {
			ticked++
		}
	}
	add("", st.Section.Render(t.S("step.checklist"))+"  "+st.Muted.Render(t.F("step.checklist.count", ticked, len(step.Checklist))))
	tw := w - 3 - 4 // prefix and "[x] "
	for _, it := range step.Checklist {
		sel := s.cursor == row
		start := len(lines)
		v := state.Checks[it.ID]
		box, meta := "[ ] ", ""
		if state.Checked(it.ID) {
			box, meta = "[x] ", "— "+kit.WhoWhen(s.ctx, v)
		}
		text := kit.WrapText(it.Text.In(lang), tw)
		for i, l := range text {
			lead := "    "
			if i == 0 {
				lead = box
			}
			body := lead + l
			if sel {
				body = st.Selected.Render(body)
			} else if i == 0 && box == "[x] " {
				body = st.Good.Render(lead) + l
			}
			line := s.rowPrefix(sel && i == 0, false) + body
			if i == len(text)-1 && meta != "" {
				gap := w - lipgloss.Width(line) - lipgloss.Width(meta)
				if gap >= 2 {
					line += strings.Repeat(" ", gap) + st.Muted.Render(meta)
					meta = ""
				}
			}
			add(line)
		}
		if meta != "" {
			add(strings.Repeat(" ", max(0, w-lipgloss.Width(meta))) + st.Muted.Render(kit.Truncate(meta, w)))
		}
		span(start)
	}

	// Questions with the start of their answers.
	add("", st.Section.Render(t.S("step.questions")))
	for _, q := range step.Questions {
		sel := s.cursor == row
		start := len(lines)
		v := state.Answers[q.ID]
		for i, l := range kit.WrapText(q.Text.In(lang), w-3) {
			if sel {
				l = st.Selected.Render(l)
			}
			add(s.rowPrefix(sel && i == 0, v.Conflict() && i == 0) + l)
		}
		add(kit.IndentLines(s.preview(v, w-5, 2, t.S("step.noanswer")), "     ")...)
		span(start)
	}

	// The note.
	add("", st.Section.Render(t.S("step.note")))
	{
		sel := s.cursor == row
		start := len(lines)
		v := state.Note
		mark := s.rowPrefix(sel, v.Conflict())
		for i, l := range s.preview(v, w-3, 3, t.S("step.nonote")) {
			if sel {
				l = st.Selected.Render(l)
			}
			if i == 0 {
				add(mark + l)
			} else {
				add("   " + l)
			}
		}
		span(start)
	}

	// Tips.
	if len(step.Tips) > 0 {
		add("", st.Section.Render(t.S("step.tips")))
		for _, tip := range step.Tips {
			for i, l := range kit.WrapText(tip.In(lang), w-5) {
				lead := "     "
				if i == 0 {
					lead = "   • "
				}
				add(st.Muted.Render(lead + l))
			}
		}
	}
	return lines, spans
}

// preview is the start of a text in w cells: at most n lines, a muted
// placeholder when empty, the number of versions when in conflict.
func (s *StepScreen) preview(v store.Value, w, n int, empty string) []string {
	st := s.ctx.Styles
	if v.Conflict() {
		return []string{st.Conflict.Render(kit.Truncate(s.ctx.T.F("step.conflict", len(v.Heads)), w))}
	}
	if strings.TrimSpace(v.Value) == "" {
		return []string{st.Muted.Render(kit.Truncate(empty, w))}
	}
	return kit.ClipLines(kit.WrapText(kit.HeadText(strings.TrimRight(v.Value, "\n "), n, w), w), n, w)
}

// heading is the fixed first line: step number and title, and the status.
func (s *StepScreen) heading() string {
	st, t := s.ctx.Styles, s.ctx.T
	step := s.step()
	if step == nil {
		return st.Bad.Render(t.F("step.err.nostep", s.N))
	}
	state := s.State()
	status := state.StatusOrOpen()
	label := kit.StepStatusLabel(t, status)
	switch {
	case sentBack(state):
		label = t.F("step.status.mark", label, t.S("step.sentback"))
	case status == store.StepDone:
		label = t.F("step.status.mark", label, t.S("step.waiting"))
	}
	right := t.F("step.status", label)
	switch status {
	case store.StepDone, store.StepSignedOff:
		right = st.Good.Render(right)
	case store.StepActive:
		right = st.Warn.Render(right)
	default:
		right = st.Muted.Render(right)
	}
	left := t.F("step.heading", s.N, len(s.meth.Steps), step.Title.In(t.Lang))
	w := s.readWidth()
	room := w - lipgloss.Width(right) - 2
	left = st.Title.Render(kit.Truncate(left, max(1, room)))
	gap := max(2, w-lipgloss.Width(left)-lipgloss.Width(right))
	return left + strings.Repeat(" ", gap) + right
}

// sentBack reports whether a coordinator sent the step back: it is active
// again with a comment no older than that status. A coach who later sets
// the status again (done, then active) makes the comment history.
func sentBack(state store.StepState) bool {
	return state.StatusOrOpen() == store.StepActive && state.Comment.Set() && state.Comment.Value != "" &&
		!state.Comment.At.Before(state.Status.At)
}

// View renders the heading and the visible part of the body.
func (s *StepScreen) View() string {
	st := s.ctx.Styles
	switch {
	case s.LoadErr != "" && s.Client == nil:
		return strings.Join(kit.WrapText(s.LoadErr, s.width), "\n")
	case s.Client == nil:
		return st.Muted.Render(s.ctx.T.S("step.loading"))
	}
	lines, _ := s.content()
	h := s.bodyHeight()
	shown := kit.WindowLines(lines, s.offset, h)
	if s.offset+h < len(lines) && len(shown) > 0 {
		more := st.Muted.Render(s.ctx.T.S("step.more"))
		last := shown[len(shown)-1]
		w := s.readWidth()
		shown = append([]string(nil), shown...)
		if lipgloss.Width(last)+lipgloss.Width(more)+2 <= w {
			shown[len(shown)-1] = last + strings.Repeat(" ", w-lipgloss.Width(last)-lipgloss.Width(more)) + more
		} else {
			shown[len(shown)-1] = strings.Repeat(" ", max(0, w-lipgloss.Width(more))) + more
		}
	}
	if s.askDone > 0 {
		_, total := checklistCount(s.ctx, s.N, s.State())
		text := s.ctx.T.F("step.done.ask", s.askDone, total)
		if s.askDone == 1 {
			text = s.ctx.T.S("step.done.ask.one")
		}
		ask := kit.WrapText(text, s.readWidth())
		shown = append([]string(nil), shown...)
		for len(shown)+len(ask) > h && len(shown) > 0 {
			shown = shown[:len(shown)-1]
		}
		for _, l := range ask {
			shown = append(shown, st.Warn.Render(l))
		}
	}
	return s.heading() + "\n" + strings.Join(shown, "\n")
}
