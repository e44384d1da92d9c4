package dossier

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/kit"
)

// stepRowKind is what a selectable row of the step screen is.
type stepRowKind int

const (
	stepRowCheck    stepRowKind = iota // a checklist item
	stepRowQuestion                    // a conversation question and its answer
	stepRowNote                        // the step's note
)

// stepRow is one selectable row: the cursor moves over the checklist, the
// questions and the note as one list.
type stepRow struct {
	kind stepRowKind
	id   string // item or question id; empty for the note
}

// StepScreen shows one step of a client's trajectory: the checklist, the
// conversation questions with their answers, the note and the tips.
type StepScreen struct {
	kit.DossierView
	ctx    *kit.Context
	N      int
	meth   *method.Method
	cursor int
	offset int // first line of the scrolling part shown
	width  int
	height int
	keys   kit.StepKeys
	// askDone holds the open checklist items while the screen asks whether
	// to mark the step done anyway; 0 when not asking.
	askDone int
}

// NewStepScreen shows step n of a client's trajectory: space ticks a
// checklist item, enter answers a question (or opens its conflict), n
// writes the step's note, S moves the step's status on, ←/→ go to the
// previous and next step.
func NewStepScreen(ctx *kit.Context, dossier string, n int) kit.Screen {
	return &StepScreen{ctx: ctx, DossierView: kit.DossierView{Dossier: dossier}, N: n, meth: kit.DossierMethod(ctx),
		width: ctx.Width, height: ctx.Height,
		keys: ctx.Keys.OnStep}
}

// Init loads the dossier.
func (s *StepScreen) Init() tea.Cmd { return s.reload() }

func (s *StepScreen) reload() tea.Cmd {
	return kit.LoadDossier(s.ctx.Store, s, s.Loads.Next(), s.Dossier)
}

// Update handles loads, writes and keys.
func (s *StepScreen) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case kit.DossierMsg:
		return s.loaded(msg)
	case kit.ChangedMsg:
		if msg.Touches(s.Dossier) {
			return s, s.reload()
		}
	case kit.WroteMsg:
		if msg.To != s {
			return s, nil
		}
		if msg.Err != nil {
			// The optimistic change did not happen: show what is stored.
			return s, tea.Batch(kit.SaveErr(s.ctx, "step.err.save", msg.Err), s.reload())
		}
		return s, kit.ChangedCmd(s.Dossier)
	case tea.KeyMsg:
		return s.key(msg)
	}
	return s, nil
}

func (s *StepScreen) loaded(msg kit.DossierMsg) (kit.Screen, tea.Cmd) {
	if ok, cmd := s.Take(s.ctx, s, msg); !ok {
		return s, cmd
	}
	s.cursor = min(s.cursor, max(0, len(s.rows())-1))
	s.follow()
	return s, nil
}

func (s *StepScreen) key(msg tea.KeyMsg) (kit.Screen, tea.Cmd) {
	k := s.ctx.Keys
	if s.Client == nil {
		return s, nil
	}
	if s.askDone > 0 {
		s.askDone = 0
		if a := strings.ToLower(msg.String()); a == "j" || a == "y" {
			return s, s.setStatus(store.StepDone)
		}
		return s, nil
	}
	rows := s.rows()
	switch {
	case key.Matches(msg, k.Up):
		s.moveTo(s.cursor - 1)
	case key.Matches(msg, k.Down):
		s.moveTo(s.cursor + 1)
	case key.Matches(msg, k.Home):
		s.moveTo(0)
	case key.Matches(msg, k.End):
		s.moveTo(len(rows) - 1)
	case key.Matches(msg, k.PageDown):
		s.page(1)
	case key.Matches(msg, k.PageUp):
		s.page(-1)
	case key.Matches(msg, s.keys.Prev):
		s.goStep(s.N - 1)
	case key.Matches(msg, s.keys.Next):
		s.goStep(s.N + 1)
	case key.Matches(msg, k.Step):
		d, _ := strconv.Atoi(msg.String())
		s.goStep(d)
	case key.Matches(msg, k.Toggle):
		if s.cursor < len(rows) && rows[s.cursor].kind == stepRowCheck {
			return s, s.toggle(rows[s.cursor].id)
		}
	case key.Matches(msg, k.Open, k.Edit):
		// enter ticks an item too; e only edits texts.
		if s.cursor < len(rows) && (rows[s.cursor].kind != stepRowCheck || key.Matches(msg, k.Open)) {
			return s, s.open(rows[s.cursor])
		}
	case key.Matches(msg, s.keys.Share):
		// On the checklist item about consent: the sharing screen.
		if s.onConsentItem(rows) {
			return s, kit.Push(NewSharingScreen(s.ctx, s.Dossier))
		}
	case key.Matches(msg, s.keys.Note):
		s.moveTo(len(rows) - 1)
		return s, s.open(stepRow{kind: stepRowNote})
	case key.Matches(msg, k.Status):
		return s, s.cycleStatus()
	case key.Matches(msg, k.Conflicts):
		return s, kit.Push(NewConflictsScreen(s.ctx, s.Dossier))
	case key.Matches(msg, k.Review) && kit.IsCoordinator(s.ctx):
		// A coordinator reviews the step from here too: sign off a step
		// marked done, or send back (reopen) a signed-off one.
		return s, kit.Push(NewReviewScreen(s.ctx, s.Dossier, s.N))
	}
	return s, nil
}

// step is the method's step shown, nil when the method has no such step.
func (s *StepScreen) step() *method.Step {
	st, _ := s.meth.Step(s.N)
	return st
}

// State is the client's state of the step shown (a zero state when the
// dossier has none yet).
func (s *StepScreen) State() store.StepState {
	if s.Client == nil || s.N < 1 || s.N > len(s.Client.Steps) {
		return store.StepState{N: s.N}
	}
	return s.Client.Steps[s.N-1]
}

// stateRef is the client's state of the step, for an optimistic change;
// nil when the dossier has no state for it.
func (s *StepScreen) stateRef() *store.StepState {
	if s.Client == nil || s.N < 1 || s.N > len(s.Client.Steps) {
		return nil
	}
	return &s.Client.Steps[s.N-1]
}

func (s *StepScreen) rows() []stepRow {
	st := s.step()
	if st == nil {
		return nil
	}
	rows := make([]stepRow, 0, len(st.Checklist)+len(st.Questions)+1)
	for _, it := range st.Checklist {
		rows = append(rows, stepRow{kind: stepRowCheck, id: it.ID})
	}
	for _, q := range st.Questions {
		rows = append(rows, stepRow{kind: stepRowQuestion, id: q.ID})
	}
	return append(rows, stepRow{kind: stepRowNote})
}

func (s *StepScreen) moveTo(i int) {
	s.cursor = max(0, min(i, len(s.rows())-1))
	s.follow()
}

func (s *StepScreen) page(dir int) {
	_, spans := s.content()
	if len(spans) == 0 {
		return
	}
	h := s.bodyHeight()
	target := s.offset + dir*h
	var next int
	if dir > 0 {
		next = len(spans) - 1
		for i, sp := range spans {
			if sp[0] >= target {
				next = i
				break
			}
		}
	} else {
		next = 0
		for i, sp := range spans {
			if sp[0] <= max(0, target) {
				next = i
			}
		}
	}
	s.offset = max(0, target)
	s.moveTo(next)
}

func (s *StepScreen) goStep(n int) {
	if n < 1 || n > len(s.meth.Steps) || n == s.N {
		return
	}
	s.N, s.cursor, s.offset = n, 0, 0
	s.follow()
}

// follow scrolls so that the row under the cursor is in view; on the last
// row it shows the end of the body too (the tips).
func (s *StepScreen) follow() {
	lines, spans := s.content()
	if s.cursor >= len(spans) {
		s.offset = 0
		return
	}
	from, to := spans[s.cursor][0], spans[s.cursor][1]
	if s.cursor == 0 {
		from = 0
	}
	if s.cursor == len(spans)-1 {
		to = len(lines) - 1
	}
	s.offset = kit.ScrollOffset(s.offset, from, to, s.bodyHeight(), len(lines))
}

func (s *StepScreen) answerField(q string) string {
	return store.FieldAnswer(s.N, q)
}

func (s *StepScreen) noteField() string { return store.FieldStepNote(s.N) }

func (s *StepScreen) statusField() string { return store.FieldStepStatus(s.N) }

// toggle ticks or unticks an item at once on screen and in the store; the
// reload after the write shows what the store decided.
func (s *StepScreen) toggle(item string) tea.Cmd {
	if ref := s.stateRef(); ref != nil {
		next := "1"
		if ref.Checked(item) {
			next = "0"
		}
		if ref.Checks == nil {
			ref.Checks = map[string]store.Value{}
		}
		ref.Checks[item] = store.Value{Value: next, By: s.ctx.User, At: s.ctx.Now().UTC(), OpID: "pending"}
	}
	st, dossier, n := s.ctx.Store, s.Dossier, s.N
	return kit.WriteCmd(s, dossier, "toggle", item, func() error {
		_, err := st.ToggleCheck(dossier, n, item)
		return err
	})
}

// nextStatus is the status S moves a step to: open, active, done, open.
func nextStatus(cur store.StepStatus) store.StepStatus {
	switch cur {
	case store.StepOpen:
		return store.StepActive
	case store.StepActive:
		return store.StepDone
	default:
		return store.StepOpen
	}
}

func (s *StepScreen) cycleStatus() tea.Cmd {
	cur := s.State().StatusOrOpen()
	if cur == store.StepSignedOff {
		if s.ctx.Role == kit.RoleCoordinator {
			return kit.Status(s.ctx.T.S("step.status.signedoff.coord"), false)
		}
		return kit.Status(s.ctx.T.S("step.status.signedoff"), false)
	}
	next := nextStatus(cur)
	if next == store.StepDone {
		// Done with items still open is allowed (not every item fits every
		// person), but asked first: it is often a slip.
		if ticked, total := checklistCount(s.ctx, s.N, s.State()); ticked < total {
			s.askDone = total - ticked
			return nil
		}
	}
	return s.setStatus(next)
}

// setStatus sets the step's status, showing it at once.
func (s *StepScreen) setStatus(next store.StepStatus) tea.Cmd {
	if ref := s.stateRef(); ref != nil {
		ref.Status = store.Value{Value: string(next), By: s.ctx.User, At: s.ctx.Now().UTC(), OpID: "pending"}
	}
	st, dossier, field := s.ctx.Store, s.Dossier, s.statusField()
	return tea.Batch(
		kit.Status(s.ctx.T.F("step.status.set", s.N, kit.StepStatusLabel(s.ctx.T, next)), false),
		kit.WriteCmd(s, dossier, "status", field, func() error {
			_, err := st.Commit(dossier, store.Set(field, string(next)))
			return err
		}))
}

// open acts on a row: enter ticks an item, answers a question or writes
// the note; a text in conflict opens the conflict instead.
func (s *StepScreen) open(r stepRow) tea.Cmd {
	state, step := s.State(), s.step()
	if step == nil {
		return nil
	}
	var field, title string
	var v store.Value
	switch r.kind {
	case stepRowCheck:
		return s.toggle(r.id)
	case stepRowQuestion:
		q, ok := step.Question(r.id)
		if !ok {
			return nil
		}
		field, title, v = s.answerField(r.id), q.Text.In(s.ctx.T.Lang), state.Answers[r.id]
	case stepRowNote:
		field, v = s.noteField(), state.Note
		title = s.ctx.T.F("step.note.title", s.N, step.Title.In(s.ctx.T.Lang))
	}
	if v.Conflict() {
		return kit.Push(NewConflictScreen(s.ctx, s.Dossier, field))
	}
	return kit.Push(NewEditor(s.ctx, s.Dossier, field, title, v.Value, kit.SeenHeads(v)))
}

// SetSize keeps the body size and the cursor's row in view.
func (s *StepScreen) SetSize(width, height int) {
	s.width, s.height = width, height
	s.follow()
}

// Title is the client's name and the step, for the header.
func (s *StepScreen) Title() string {
	if s.Client == nil {
		return s.ctx.T.F("step.title", s.N)
	}
	return s.ctx.T.F("step.title.client", s.Client.Name.Value, s.N)
}

// Help lists the step screen's keys, most used first.
func (s *StepScreen) Help() []key.Binding {
	k := s.ctx.Keys
	// On a checklist item enter ticks, as space does: the help says so
	// rather than "open".
	open := k.Open
	if rows := s.rows(); s.cursor < len(rows) && rows[s.cursor].kind == stepRowCheck {
		open.SetHelp(k.Open.Help().Key, s.ctx.T.S("key.toggle"))
	}
	bs := []key.Binding{k.Toggle, open, s.keys.Note, k.Status, s.keys.Steps, k.Conflicts}
	if s.onConsentItem(s.rows()) {
		// Offered where it does something: on the item about consent.
		bs = append([]key.Binding{s.keys.Share}, bs...)
	}
	if kit.IsCoordinator(s.ctx) {
		bs = append(bs, k.Review)
	}
	return append(bs, k.Up, k.Down)
}

// Capturing is true only while asking whether to mark the step done: the
// answer key is the screen's, not the root's.
func (s *StepScreen) Capturing() bool { return s.askDone > 0 }

// onConsentItem reports whether the cursor is on the checklist item about
// the person's consent to share (IsConsentItem).
func (s *StepScreen) onConsentItem(rows []stepRow) bool {
	return s.cursor < len(rows) && rows[s.cursor].kind == stepRowCheck && IsConsentItem(s.meth, s.N, rows[s.cursor].id)
}
