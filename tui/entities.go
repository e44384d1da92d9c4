package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/texts"
)

// entityRow is one entity as a list shows it.
type entityRow struct {
	id    string
	mark  string   // one styled cell after the cursor: "!" for overdue or conflict, else " "
	lines []string // rendered lines; the first is the main line
	// conflict is a text field of the entity in conflict; enter opens it
	// instead of the form.
	conflict string
}

// entitySpec says how one kind of entity is listed and edited: the four
// list screens are one entityScreen each with its own spec.
type entitySpec struct {
	kind  string // store.EntityJournal, ...
	title string // catalogue key of the screen title
	empty string // catalogue key shown when the list is empty
	// rows renders the entities that are not removed, in list order.
	rows func(s *entityScreen, width int) []entityRow
	// form opens the form for a new entity (id "") or to edit one.
	form func(s *entityScreen, id string) Screen
	// header renders lines above the list; may be nil.
	header func(s *entityScreen, width int) []string
	// key handles the kind's own keys; handled false passes the key on.
	key func(s *entityScreen, msg tea.KeyMsg) (handled bool, cmd tea.Cmd)
	// help lists the kind's own keys, shown first.
	help func(s *entityScreen) []key.Binding
}

// entityScreen lists the entities of one kind of a dossier: n adds, enter
// or e edits, x removes (a tombstone), u brings back the last removed.
type entityScreen struct {
	dossierView
	ctx    *Context
	spec   entitySpec
	cursor int
	offset int
	width  int
	height int
	// removed is the id of the entity removed last on this screen, for u.
	removed string
	keys    entityKeys
}

// entityKeys are the list's bindings with help texts of the list.
type entityKeys struct {
	New, Edit, Remove, Undo key.Binding
}

func newEntityScreen(ctx *Context, dossier string, spec entitySpec) *entityScreen {
	t := ctx.T
	return &entityScreen{ctx: ctx, dossierView: dossierView{dossier: dossier}, spec: spec, width: ctx.Width, height: ctx.Height,
		keys: entityKeys{
			New:    key.NewBinding(key.WithKeys("n"), key.WithHelp("n", t.S("entity.key.new"))),
			Edit:   key.NewBinding(key.WithKeys("enter", "e"), key.WithHelp("enter", t.S("entity.key.edit"))),
			Remove: key.NewBinding(key.WithKeys("x", "delete"), key.WithHelp("x", t.S("entity.key.remove"))),
			Undo:   key.NewBinding(key.WithKeys("u"), key.WithHelp("u", t.S("entity.key.undo"))),
		}}
}

// Init loads the dossier.
func (s *entityScreen) Init() tea.Cmd {
	return loadDossier(s.ctx.Store, s, s.loads.next(), s.dossier)
}

// Update handles loads, writes and keys.
func (s *entityScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case dossierMsg:
		if ok, cmd := s.take(s.ctx, s, msg); !ok {
			return s, cmd
		}
		s.follow()
	case ChangedMsg:
		if msg.Dossier == s.dossier {
			return s, s.Init()
		}
	case wroteMsg:
		return s.wrote(msg)
	case tea.KeyMsg:
		return s.key(msg)
	}
	return s, nil
}

func (s *entityScreen) wrote(msg wroteMsg) (Screen, tea.Cmd) {
	if msg.to != s {
		return s, nil
	}
	t := s.ctx.T
	if msg.err != nil {
		return s, tea.Batch(Status(t.F("entity.err.save", msg.err), true), s.Init())
	}
	switch msg.what {
	case "remove":
		s.removed = msg.id
		return s, tea.Batch(Status(t.S("entity.removed"), false), changedCmd(s.dossier))
	case "restore":
		s.removed = ""
		return s, tea.Batch(Status(t.S("entity.restored"), false), changedCmd(s.dossier))
	}
	return s, changedCmd(s.dossier)
}

func (s *entityScreen) key(msg tea.KeyMsg) (Screen, tea.Cmd) {
	if s.client == nil {
		return s, nil
	}
	if s.spec.key != nil {
		if handled, cmd := s.spec.key(s, msg); handled {
			return s, cmd
		}
	}
	k := s.ctx.Keys
	rows := s.rows()
	switch {
	case key.Matches(msg, k.Up):
		s.cursor--
	case key.Matches(msg, k.Down):
		s.cursor++
	case key.Matches(msg, k.Home):
		s.cursor = 0
	case key.Matches(msg, k.End):
		s.cursor = len(rows) - 1
	case key.Matches(msg, k.PageUp):
		s.cursor -= max(1, s.height/3)
	case key.Matches(msg, k.PageDown):
		s.cursor += max(1, s.height/3)
	case key.Matches(msg, s.keys.New):
		return s, Push(s.spec.form(s, ""))
	case key.Matches(msg, s.keys.Edit):
		if r, ok := s.current(rows); ok {
			if r.conflict != "" {
				return s, Push(NewConflictScreen(s.ctx, s.dossier, r.conflict))
			}
			return s, Push(s.spec.form(s, r.id))
		}
	case key.Matches(msg, s.keys.Remove):
		if r, ok := s.current(rows); ok {
			st, dossier, kind, id := s.ctx.Store, s.dossier, s.spec.kind, r.id
			return s, writeCmd(s, dossier, "remove", id, func() error { return st.RemoveEntity(dossier, kind, id) })
		}
	case key.Matches(msg, s.keys.Undo):
		if s.removed == "" {
			return s, Status(s.ctx.T.S("entity.nothing.undo"), false)
		}
		st, dossier, kind, id := s.ctx.Store, s.dossier, s.spec.kind, s.removed
		return s, writeCmd(s, dossier, "restore", id, func() error { return st.RestoreEntity(dossier, kind, id) })
	}
	s.follow()
	return s, nil
}

// rows renders the visible entities at the screen's width.
func (s *entityScreen) rows() []entityRow {
	if s.client == nil {
		return nil
	}
	return s.spec.rows(s, max(10, s.width-3))
}

// current is the row under the cursor.
func (s *entityScreen) current(rows []entityRow) (entityRow, bool) {
	if s.cursor < 0 || s.cursor >= len(rows) {
		return entityRow{}, false
	}
	return rows[s.cursor], true
}

// headerLines are the lines above the list.
func (s *entityScreen) headerLines() []string {
	if s.spec.header == nil || s.client == nil {
		return nil
	}
	return s.spec.header(s, s.width)
}

// listHeight is the height left for the list.
func (s *entityScreen) listHeight() int { return max(1, s.height-len(s.headerLines())) }

// follow clamps the cursor and scrolls its row into view.
func (s *entityScreen) follow() {
	rows := s.rows()
	s.cursor = max(0, min(s.cursor, len(rows)-1))
	start, total := 0, 0
	for i, r := range rows {
		if i == s.cursor {
			start = total
		}
		total += len(r.lines)
	}
	end := start
	if s.cursor < len(rows) {
		end = start + len(rows[s.cursor].lines) - 1
	}
	s.offset = scrollOffset(s.offset, start, end, s.listHeight(), total)
}

// View renders the header and the visible rows, each with the cursor and
// a marker in front.
func (s *entityScreen) View() string {
	st, t := s.ctx.Styles, s.ctx.T
	switch {
	case s.loadErr != "" && s.client == nil:
		return strings.Join(wrapText(s.loadErr, s.width), "\n")
	case s.client == nil:
		return st.Muted.Render(t.S("step.loading"))
	}
	out := s.headerLines()
	rows := s.rows()
	if len(rows) == 0 {
		out = append(out, wrapText(t.S(s.spec.empty), s.width)...)
		return strings.Join(out, "\n")
	}
	var lines []string
	for i, r := range rows {
		sel := i == s.cursor
		for j, l := range r.lines {
			switch {
			case j == 0:
				cur := " "
				if sel {
					cur = "›"
					l = st.Selected.Render(l)
				}
				lines = append(lines, truncate(cur+r.mark+" "+l, s.width))
			default:
				lines = append(lines, truncate("   "+l, s.width))
			}
		}
	}
	out = append(out, windowLines(lines, s.offset, s.listHeight())...)
	return strings.Join(out, "\n")
}

// SetSize keeps the size and the cursor in view.
func (s *entityScreen) SetSize(width, height int) {
	s.width, s.height = width, height
	s.follow()
}

// Title is the client's name and the list's name.
func (s *entityScreen) Title() string {
	if s.client == nil {
		return s.ctx.T.S(s.spec.title)
	}
	return s.ctx.T.F("entity.title.client", s.client.Name.Value, s.ctx.T.S(s.spec.title))
}

// Help lists the kind's keys, then the list's.
func (s *entityScreen) Help() []key.Binding {
	var bs []key.Binding
	if s.spec.help != nil {
		bs = s.spec.help(s)
	}
	return append(bs, s.keys.New, s.keys.Edit, s.keys.Remove, s.keys.Undo, s.ctx.Keys.Up, s.ctx.Keys.Down)
}

// Capturing is false: the list has no text input.
func (s *entityScreen) Capturing() bool { return false }

// fieldLabel is the label of an entity field, from the catalogue.
func fieldLabel(t *texts.Texts, kind, name string) string { return t.S("field." + kind + "." + name) }

// editChanges are the changes an edit form makes to entity kind/id: one
// per field whose value changed. Text fields replace the heads shown when
// the form opened (store.Edit); other fields replace the current value.
func editChanges(kind, id string, fields []formField, values map[string]string) []store.Change {
	var out []store.Change
	for _, fl := range fields {
		v, ok := values[fl.name]
		if !ok || v == fl.value {
			continue
		}
		field := kind + "/" + id + "/" + fl.name
		if fl.kind == formText {
			out = append(out, store.Edit(field, v, fl.seen))
		} else {
			out = append(out, store.Set(field, v))
		}
	}
	return out
}

// commitEdit is the formSave of an edit form: it commits the changed
// fields of one entity, in one transaction.
func commitEdit(dossier, kind, id string, fields []formField) formSave {
	fields = append([]formField(nil), fields...)
	return func(st Store, values map[string]string) error {
		changes := editChanges(kind, id, fields, values)
		if len(changes) == 0 {
			return nil
		}
		_, err := st.Commit(dossier, changes...)
		return err
	}
}

// addEntity is the formSave of a new-entity form.
func addEntity(dossier, kind string) formSave {
	return func(st Store, values map[string]string) error {
		_, err := st.AddEntity(dossier, kind, values)
		return err
	}
}

// NewJournalScreen lists a client's journal (visits, calls, meetings), the
// newest first, and adds and edits entries.
func NewJournalScreen(ctx *Context, dossier string) Screen {
	return newEntityScreen(ctx, dossier, journalSpec())
}

// NewAgreementsScreen lists a client's agreements, open ones first by due
// date, overdue ones marked; space marks one done.
func NewAgreementsScreen(ctx *Context, dossier string) Screen {
	return newEntityScreen(ctx, dossier, agreementSpec())
}

// NewContactsScreen lists the people in a client's network.
func NewContactsScreen(ctx *Context, dossier string) Screen {
	return newEntityScreen(ctx, dossier, contactSpec())
}

// NewRouteScreen shows where a client stands and the moves that led there,
// steps back included (a normal move); m records a move.
func NewRouteScreen(ctx *Context, dossier string) Screen {
	return newEntityScreen(ctx, dossier, routeSpec())
}
