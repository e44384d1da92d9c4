package dossier

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
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
	rows func(s *EntityScreen, width int) []entityRow
	// form opens the form for a new entity (id "") or to edit one.
	form func(s *EntityScreen, id string) kit.Screen
	// header renders lines above the list; may be nil.
	header func(s *EntityScreen, width int) []string
	// key handles the kind's own keys; handled false passes the key on.
	key func(s *EntityScreen, msg tea.KeyMsg) (handled bool, cmd tea.Cmd)
	// help lists the kind's own keys, shown first. They act on the row
	// under the cursor, so an empty list does not offer them, unless
	// helpWithoutRows (a key that starts something new).
	help            func(s *EntityScreen) []key.Binding
	helpWithoutRows bool
}

// EntityScreen lists the entities of one kind of a dossier: n adds, enter
// or e edits, x removes (a tombstone), u brings back the last removed.
type EntityScreen struct {
	kit.DossierView
	ctx    *kit.Context
	spec   entitySpec
	cursor int
	offset int
	width  int
	height int
	// removed is the id of the entity removed last on this screen, for u.
	removed string
	keys    kit.EntityKeys
}

func newEntityScreen(ctx *kit.Context, dossier string, spec entitySpec) *EntityScreen {
	return &EntityScreen{ctx: ctx, DossierView: kit.DossierView{Dossier: dossier}, spec: spec, width: ctx.Width, height: ctx.Height,
		keys: ctx.Keys.OnEntities}
}

// Init loads the dossier.
func (s *EntityScreen) Init() tea.Cmd {
	return kit.LoadDossier(s.ctx.Store, s, s.Loads.Next(), s.Dossier)
}

// Update handles loads, writes and keys.
func (s *EntityScreen) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case kit.DossierMsg:
		if ok, cmd := s.Take(s.ctx, s, msg); !ok {
			return s, cmd
		}
		s.follow()
	case kit.ChangedMsg:
		if msg.Touches(s.Dossier) {
			return s, s.Init()
		}
	case kit.WroteMsg:
		return s.wrote(msg)
	case tea.KeyMsg:
		return s.key(msg)
	}
	return s, nil
}

func (s *EntityScreen) wrote(msg kit.WroteMsg) (kit.Screen, tea.Cmd) {
	if msg.To != s {
		return s, nil
	}
	t := s.ctx.T
	if msg.Err != nil {
		return s, tea.Batch(kit.SaveErr(s.ctx, "entity.err.save", msg.Err), s.Init())
	}
	switch msg.What {
	case "remove":
		s.removed = msg.ID
		return s, tea.Batch(kit.Status(t.S("entity.removed"), false), kit.ChangedCmd(s.Dossier))
	case "end":
		return s, tea.Batch(kit.Status(t.S("record.ended"), false), kit.ChangedCmd(s.Dossier))
	case "withdraw":
		return s, tea.Batch(kit.Status(t.S("sharing.withdrawn.done"), false), kit.ChangedCmd(s.Dossier))
	case "restore":
		s.removed = ""
		return s, tea.Batch(kit.Status(t.S("entity.restored"), false), kit.ChangedCmd(s.Dossier))
	}
	return s, kit.ChangedCmd(s.Dossier)
}

func (s *EntityScreen) key(msg tea.KeyMsg) (kit.Screen, tea.Cmd) {
	if s.Client == nil {
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
		return s, kit.Push(s.spec.form(s, ""))
	case key.Matches(msg, s.keys.Edit):
		if r, ok := s.current(rows); ok {
			if r.conflict != "" {
				return s, kit.Push(NewConflictScreen(s.ctx, s.Dossier, r.conflict))
			}
			return s, kit.Push(s.spec.form(s, r.id))
		}
	case key.Matches(msg, s.keys.Remove):
		if r, ok := s.current(rows); ok {
			st, dossier, kind, id := s.ctx.Store, s.Dossier, s.spec.kind, r.id
			return s, kit.WriteCmd(s, dossier, "remove", id, func() error { return st.RemoveEntity(dossier, kind, id) })
		}
	case key.Matches(msg, s.keys.Undo):
		if s.removed == "" {
			return s, kit.Status(s.ctx.T.S("entity.nothing.undo"), false)
		}
		st, dossier, kind, id := s.ctx.Store, s.Dossier, s.spec.kind, s.removed
		return s, kit.WriteCmd(s, dossier, "restore", id, func() error { return st.RestoreEntity(dossier, kind, id) })
	}
	s.follow()
	return s, nil
}

// rows renders the visible entities at the screen's width.
func (s *EntityScreen) rows() []entityRow {
	if s.Client == nil {
		return nil
	}
	return s.spec.rows(s, max(10, s.width-3))
}

// current is the row under the cursor.
func (s *EntityScreen) current(rows []entityRow) (entityRow, bool) {
	if s.cursor < 0 || s.cursor >= len(rows) {
		return entityRow{}, false
	}
	return rows[s.cursor], true
}

// headerLines are the lines above the list.
func (s *EntityScreen) headerLines() []string {
	if s.spec.header == nil || s.Client == nil {
		return nil
	}
	return s.spec.header(s, s.width)
}

// listHeight is the height left for the list.
func (s *EntityScreen) listHeight() int { return max(1, s.height-len(s.headerLines())) }

// follow clamps the cursor and scrolls its row into view.
func (s *EntityScreen) follow() {
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
	s.offset = kit.ScrollOffset(s.offset, start, end, s.listHeight(), total)
}

// View renders the header and the visible rows, each with the cursor and
// a marker in front.
func (s *EntityScreen) View() string {
	st, t := s.ctx.Styles, s.ctx.T
	switch {
	case s.LoadErr != "" && s.Client == nil:
		return strings.Join(kit.WrapText(s.LoadErr, s.width), "\n")
	case s.Client == nil:
		return st.Muted.Render(t.S("step.loading"))
	}
	out := s.headerLines()
	rows := s.rows()
	if len(rows) == 0 {
		out = append(out, kit.WrapText(t.S(s.spec.empty), s.width)...)
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
				lines = append(lines, kit.Truncate(cur+r.mark+" "+l, s.width))
			default:
				lines = append(lines, kit.Truncate("   "+l, s.width))
			}
		}
	}
	out = append(out, kit.WindowLines(lines, s.offset, s.listHeight())...)
	return strings.Join(out, "\n")
}

// SetSize keeps the size and the cursor in view.
func (s *EntityScreen) SetSize(width, height int) {
	s.width, s.height = width, height
	s.follow()
}

// Title is the client's name and the list's name.
func (s *EntityScreen) Title() string {
	if s.Client == nil {
		return s.ctx.T.S(s.spec.title)
	}
	return s.ctx.T.F("entity.title.client", s.Client.Name.Value, s.ctx.T.S(s.spec.title))
}

// Help lists the kind's keys, then the list's. Keys that act on a row
// are left out while the list is empty, and u while nothing was removed
// here, so the help bar of an empty list offers what its text says to
// press (n), not keys that do nothing.
func (s *EntityScreen) Help() []key.Binding {
	empty := len(s.rows()) == 0
	var bs []key.Binding
	if s.spec.help != nil && (!empty || s.spec.helpWithoutRows) {
		bs = s.spec.help(s)
	}
	bs = append(bs, s.keys.New)
	if !empty {
		bs = append(bs, s.keys.Edit, s.keys.Remove)
	}
	if s.removed != "" {
		bs = append(bs, s.keys.Undo)
	}
	if !empty {
		bs = append(bs, s.ctx.Keys.Up, s.ctx.Keys.Down)
	}
	return bs
}

// Capturing is false: the list has no text input.
func (s *EntityScreen) Capturing() bool { return false }

// fieldLabel is the label of an entity field, from the catalogue.
func fieldLabel(t *texts.Texts, kind, name string) string { return t.S("field." + kind + "." + name) }

// editChanges are the changes an edit form makes to entity kind/id: one
// per field whose value changed. Text fields replace the heads shown when
// the form opened (store.Edit); other fields replace the current value.
func editChanges(kind, id string, fields []kit.FormField, values map[string]string) []store.Change {
	var out []store.Change
	for _, fl := range fields {
		v, ok := values[fl.Name]
		if !ok || v == fl.Value {
			continue
		}
		field := store.EntityField(kind, id, fl.Name)
		if fl.Kind == kit.FieldText {
			out = append(out, store.Edit(field, v, fl.Seen))
		} else {
			out = append(out, store.Set(field, v))
		}
	}
	return out
}

// commitEdit is the kit.FormSave of an edit form: it commits the changed
// fields of one entity, in one transaction.
func commitEdit(dossier, kind, id string, fields []kit.FormField) kit.FormSave {
	fields = append([]kit.FormField(nil), fields...)
	return func(st kit.Store, values map[string]string) error {
		changes := editChanges(kind, id, fields, values)
		if len(changes) == 0 {
			return nil
		}
		_, err := st.Commit(dossier, changes...)
		return err
	}
}

// addEntity is the kit.FormSave of a new-entity form.
func addEntity(dossier, kind string) kit.FormSave {
	return func(st kit.Store, values map[string]string) error {
		_, err := st.AddEntity(dossier, kind, values)
		return err
	}
}

// NewJournalScreen lists a client's journal (visits, calls, meetings), the
// newest first, and adds and edits entries.
func NewJournalScreen(ctx *kit.Context, dossier string) kit.Screen {
	return newEntityScreen(ctx, dossier, journalSpec())
}

// NewAgreementsScreen lists a client's agreements, open ones first by due
// date, overdue ones marked; space marks one done.
func NewAgreementsScreen(ctx *kit.Context, dossier string) kit.Screen {
	return newEntityScreen(ctx, dossier, agreementSpec())
}

// NewContactsScreen lists the people in a client's network.
func NewContactsScreen(ctx *kit.Context, dossier string) kit.Screen {
	return newEntityScreen(ctx, dossier, contactSpec())
}

// NewRouteScreen shows where a client stands and the moves that led there,
// steps back included (a normal move); m records a move.
func NewRouteScreen(ctx *kit.Context, dossier string) kit.Screen {
	return newEntityScreen(ctx, dossier, routeSpec())
}
