package dossier

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/kit"
)

// ConflictsScreen lists the fields of a dossier that hold more than one
// text, so that each can be settled.
type ConflictsScreen struct {
	kit.DossierView
	ctx    *kit.Context
	meth   *method.Method
	cursor int
	offset int
	width  int
	height int
}

// NewConflictsScreen lists the fields of a client in conflict: two or more
// people wrote the same text while apart. Enter opens one to settle it.
func NewConflictsScreen(ctx *kit.Context, dossier string) kit.Screen {
	return &ConflictsScreen{ctx: ctx, DossierView: kit.DossierView{Dossier: dossier}, meth: kit.DossierMethod(ctx), width: ctx.Width, height: ctx.Height}
}

// Init loads the dossier.
func (s *ConflictsScreen) Init() tea.Cmd {
	return kit.LoadDossier(s.ctx.Store, s, s.Loads.Next(), s.Dossier)
}

// Update handles loads and keys.
func (s *ConflictsScreen) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case kit.DossierMsg:
		if ok, cmd := s.Take(s.ctx, s, msg); !ok {
			return s, cmd
		}
		s.cursor = max(0, min(s.cursor, len(s.Client.Conflicts)-1))
		s.follow()
	case kit.ChangedMsg:
		if msg.Touches(s.Dossier) {
			return s, s.Init()
		}
	case tea.KeyMsg:
		if s.Client == nil {
			return s, nil
		}
		k, n := s.ctx.Keys, len(s.Client.Conflicts)
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
				return s, kit.Push(NewConflictScreen(s.ctx, s.Dossier, s.Client.Conflicts[s.cursor]))
			}
		}
		s.follow()
	}
	return s, nil
}

// follow keeps the cursor's row (two lines per conflict) in view.
func (s *ConflictsScreen) follow() {
	total := 2 + 2*len(s.conflicts())
	s.offset = kit.ScrollOffset(s.offset, 2+2*s.cursor, 3+2*s.cursor, s.height, total)
}

func (s *ConflictsScreen) conflicts() []string {
	if s.Client == nil {
		return nil
	}
	return s.Client.Conflicts
}

// View lists the conflicts: a label and who wrote the versions.
func (s *ConflictsScreen) View() string {
	st, t := s.ctx.Styles, s.ctx.T
	switch {
	case s.LoadErr != "" && s.Client == nil:
		return strings.Join(kit.WrapText(s.LoadErr, s.width), "\n")
	case s.Client == nil:
		return st.Muted.Render(t.S("step.loading"))
	case len(s.Client.Conflicts) == 0:
		return strings.Join(kit.WrapText(t.S("conflicts.none"), s.width), "\n")
	}
	lines := []string{st.Muted.Render(kit.Truncate(t.S("conflicts.intro"), s.width)), ""}
	for i, f := range s.Client.Conflicts {
		sel := i == s.cursor
		label := kit.Truncate(s.ctx.T.FieldLabel(s.meth, f), s.width-4)
		if sel {
			label = st.Selected.Render(label)
		}
		lines = append(lines, kit.CursorMark(sel)+st.Conflict.Render("!")+" "+label)
		v, _ := s.Client.FieldValue(f)
		who := make([]string, 0, len(v.Heads))
		for _, h := range v.Heads {
			who = append(who, kit.WhoWhenTime(s.ctx, h.Author, h.HLC.Time()))
		}
		lines = append(lines, "    "+st.Muted.Render(kit.Truncate(t.F("conflicts.versions", len(v.Heads), strings.Join(who, t.S("conflicts.sep"))), s.width-4)))
	}
	return strings.Join(kit.WindowLines(lines, s.offset, s.height), "\n")
}

// SetSize keeps the size and the cursor in view.
func (s *ConflictsScreen) SetSize(width, height int) {
	s.width, s.height = width, height
	s.follow()
}

// Title names the screen.
func (s *ConflictsScreen) Title() string { return s.ctx.T.S("conflicts.title") }

// Help lists the keys.
func (s *ConflictsScreen) Help() []key.Binding {
	return []key.Binding{s.ctx.Keys.Open, s.ctx.Keys.Up, s.ctx.Keys.Down}
}

// Capturing is false: no text input.
func (s *ConflictsScreen) Capturing() bool { return false }
