package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store/method"
)

// conflictsScreen lists the fields of a dossier that hold more than one
// text, so that each can be settled.
type conflictsScreen struct {
	dossierView
	ctx    *Context
	meth   *method.Method
	cursor int
	offset int
	width  int
	height int
}

// NewConflictsScreen lists the fields of a client in conflict: two or more
// people wrote the same text while apart. Enter opens one to settle it.
func NewConflictsScreen(ctx *Context, dossier string) Screen {
	return &conflictsScreen{ctx: ctx, dossierView: dossierView{dossier: dossier}, meth: dossierMethod(ctx), width: ctx.Width, height: ctx.Height}
}

// Init loads the dossier.
func (s *conflictsScreen) Init() tea.Cmd {
	return loadDossier(s.ctx.Store, s, s.loads.next(), s.dossier)
}

// Update handles loads and keys.
func (s *conflictsScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case dossierMsg:
		if ok, cmd := s.take(s.ctx, s, msg); !ok {
			return s, cmd
		}
		s.cursor = max(0, min(s.cursor, len(s.client.Conflicts)-1))
		s.follow()
	case ChangedMsg:
		if msg.Dossier == s.dossier {
			return s, s.Init()
		}
	case tea.KeyMsg:
		if s.client == nil {
			return s, nil
		}
		k, n := s.ctx.Keys, len(s.client.Conflicts)
		switch {
		case key.Matches(msg, k.Up):
			s.cursor = max(0, s.cursor-1)
		case key.Matches(msg, k.Down):
			s.cursor = max(0, min(n-1, s.cursor+1))
		case key.Matches(msg, k.Home):
			s.cursor = 0
		case key.Matches(msg, k.End):
			s.cursor = max(0, n-1)
		case key.Matches(msg, k.Open):
			if s.cursor < n {
				return s, Push(NewConflictScreen(s.ctx, s.dossier, s.client.Conflicts[s.cursor]))
			}
		}
		s.follow()
	}
	return s, nil
}

// follow keeps the cursor's row (two lines per conflict) in view.
func (s *conflictsScreen) follow() {
	total := 2 + 2*len(s.conflicts())
	s.offset = scrollOffset(s.offset, 2+2*s.cursor, 3+2*s.cursor, s.height, total)
}

func (s *conflictsScreen) conflicts() []string {
	if s.client == nil {
		return nil
	}
	return s.client.Conflicts
}

// View lists the conflicts: a label and who wrote the versions.
func (s *conflictsScreen) View() string {
	st, t := s.ctx.Styles, s.ctx.T
	switch {
	case s.loadErr != "" && s.client == nil:
		return strings.Join(wrapText(s.loadErr, s.width), "\n")
	case s.client == nil:
		return st.Muted.Render(t.S("step.loading"))
	case len(s.client.Conflicts) == 0:
		return strings.Join(wrapText(t.S("conflicts.none"), s.width), "\n")
	}
	lines := []string{st.Muted.Render(truncate(t.S("conflicts.intro"), s.width)), ""}
	for i, f := range s.client.Conflicts {
		sel := i == s.cursor
		label := truncate(s.ctx.T.FieldLabel(s.meth, f), s.width-4)
		if sel {
			label = st.Selected.Render(label)
		}
		lines = append(lines, cursorMark(sel)+st.Conflict.Render("!")+" "+label)
		v, _ := s.client.FieldValue(f)
		who := make([]string, 0, len(v.Heads))
		for _, h := range v.Heads {
			who = append(who, whoWhenTime(s.ctx, h.Author, h.HLC.Time()))
		}
		lines = append(lines, "    "+st.Muted.Render(truncate(t.F("conflicts.versions", len(v.Heads), strings.Join(who, t.S("conflicts.sep"))), s.width-4)))
	}
	return strings.Join(windowLines(lines, s.offset, s.height), "\n")
}

// SetSize keeps the size and the cursor in view.
func (s *conflictsScreen) SetSize(width, height int) {
	s.width, s.height = width, height
	s.follow()
}

// Title names the screen.
func (s *conflictsScreen) Title() string { return s.ctx.T.S("conflicts.title") }

// Help lists the keys.
func (s *conflictsScreen) Help() []key.Binding {
	return []key.Binding{s.ctx.Keys.Open, s.ctx.Keys.Up, s.ctx.Keys.Down}
}

// Capturing is false: no text input.
func (s *conflictsScreen) Capturing() bool { return false }
