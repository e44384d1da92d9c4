package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

// fieldValue finds the value of a field in a materialised dossier: step
// answers, notes and comments, and the fields of entities. ok is false for
// a field the dossier does not hold (or this code does not show).
func fieldValue(c *store.Client, field string) (store.Value, bool) {
	p, _, err := store.ParseField(field)
	if err != nil || c == nil {
		return store.Value{}, false
	}
	switch p.Entity {
	case "step":
		n := p.Step()
		if n < 1 || n > len(c.Steps) {
			return store.Value{}, false
		}
		st := c.Steps[n-1]
		switch {
		case p.Sub == "answer":
			v, ok := st.Answers[p.Item]
			return v, ok
		case p.Sub == "check":
			v, ok := st.Checks[p.Item]
			return v, ok
		case p.Name == "note":
			return st.Note, true
		case p.Name == "comment":
			return st.Comment, true
		case p.Name == "status":
			return st.Status, true
		}
	case store.EntityAgreement:
		for _, a := range c.Agreements {
			if a.ID == p.ID {
				return pickField(p.Name, map[string]store.Value{"what": a.What, "role": a.Role, "org": a.Org, "person": a.Person, "due": a.Due, "done": a.Done})
			}
		}
	case store.EntityContact:
		for _, x := range c.Contacts {
			if x.ID == p.ID {
				return pickField(p.Name, map[string]store.Value{"role": x.Role, "org": x.Org, "name": x.Name, "phone": x.Phone, "email": x.Email})
			}
		}
	case store.EntityJournal:
		for _, j := range c.Journal {
			if j.ID == p.ID {
				return pickField(p.Name, map[string]store.Value{"kind": j.Kind, "date": j.Date, "place": j.Place, "text": j.Text})
			}
		}
	case store.EntityMove:
		for _, m := range c.Moves {
			if m.ID == p.ID {
				return pickField(p.Name, map[string]store.Value{"from": m.From, "to": m.To, "date": m.Date, "reason": m.Reason})
			}
		}
	case store.EntityIndication:
		for _, x := range c.Indications {
			if x.ID == p.ID {
				return pickField(p.Name, map[string]store.Value{"kind": x.Kind, "date": x.Date, "until": x.Until, "note": x.Note})
			}
		}
	case store.EntityArrangement:
		for _, x := range c.Arrangements {
			if x.ID == p.ID {
				return pickField(p.Name, map[string]store.Value{"kind": x.Kind, "value": x.Value, "from": x.From, "to": x.To})
			}
		}
	}
	return store.Value{}, false
}

func pickField(name string, fields map[string]store.Value) (store.Value, bool) {
	v, ok := fields[name]
	return v, ok
}

// conflictLabel names a field for people: "Stap 2 · vraag q3: Wie beslist
// er?", "Afspraak · wat", "Verslag · tekst".
func conflictLabel(ctx *Context, m *method.Method, field string) string {
	t := ctx.T
	p, _, err := store.ParseField(field)
	if err != nil {
		return field
	}
	switch p.Entity {
	case "":
		return field
	case "step":
		n := p.Step()
		switch {
		case p.Sub == "answer":
			text := ""
			if st, ok := m.Step(n); ok {
				if q, ok := st.Question(p.Item); ok {
					text = q.Text.In(t.Lang)
				}
			}
			return t.F("conflict.label.answer", n, p.Item, text)
		case p.Name == "note":
			return t.F("conflict.label.note", n)
		case p.Name == "comment":
			return t.F("conflict.label.comment", n)
		}
		return t.F("conflict.label.step", n, p.Name)
	}
	kind, name := p.Entity, p.Name
	if t.Has("entity." + kind) {
		kind = t.S("entity." + kind)
	}
	if k := "field." + p.Entity + "." + p.Name; t.Has(k) {
		name = strings.ToLower(t.S(k))
	}
	return t.F("conflict.label.entity", kind, name)
}

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
		label := truncate(conflictLabel(s.ctx, s.meth, f), s.width-4)
		if sel {
			label = st.Selected.Render(label)
		}
		lines = append(lines, cursorMark(sel)+st.Conflict.Render("!")+" "+label)
		v, _ := fieldValue(s.client, f)
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
