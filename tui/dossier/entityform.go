package dossier

import (
	"errors"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// formKind is what kind of input a form field is.
type formKind int

const (
	formLine   formKind = iota // one line of text
	formDate                   // a day: 2025-03-14 or 14-3-2025
	formText                   // several lines of text (a text area)
	formChoice                 // one of a few options (←/→)
	formPlaces                 // any number of places (space ticks)
)

// formField describes one field of an entityForm. The four entity lists
// (journal, agreements, contacts, route) describe their forms with these;
// there is one form implementation.
type formField struct {
	name     string // the entity's field name in the store ("what", "due")
	label    string // shown label, from the catalogue
	kind     formKind
	options  []string            // codes, for formChoice and formPlaces
	optLabel func(string) string // display of a code
	value    string              // initial value
	seen     []string            // head ids of a text field's value, for store.Edit
	required bool
	lines    int // most lines a text area takes; 0 fills what is left
	// notAfterToday: a day that cannot lie in the future (a move on the
	// route is recorded once it happened).
	notAfterToday bool
	// check is a further check of a line's value (store.CheckPhone,
	// store.CheckEmail); may be nil.
	check func(string) error
}

// formSave turns a form's values into a store write. It runs inside a
// command, so it must only use what it was given.
type formSave func(st kit.Store, values map[string]string) error

// EntityForm is a small form screen: labelled inputs, tab between them,
// ctrl+s saves, esc leaves (asking first when something changed).
type EntityForm struct {
	ctx     *kit.Context
	dossier string
	title   string
	fields  []formField
	inputs  []textinput.Model // per field; used by formLine and formDate
	areas   []textarea.Model  // per field; used by formText
	// shown is each text area's value right after it got the field's value
	// (the text area replaces tabs and control characters): while it is
	// unchanged, the field's own value counts.
	shown   []string
	choice  []int             // per field: the option shown (choice) or under the cursor (places)
	picked  []map[string]bool // per field: the places ticked
	focus   int
	ErrText string
	errAt   int // field with the error, -1 when none
	save    formSave
	// check validates across fields after the per-field checks; it returns
	// the field in error and the message, or -1. May be nil.
	check   func(values map[string]string) (int, string)
	saved   string // status text after saving
	confirm discardPrompt
	saving  bool
	width   int
	height  int
	keys    formKeys
	// kind and id name the entity an edit form changes (watch); the form
	// then says when a sync changed one of its texts meanwhile (stale).
	kind, id string
	stale    bool
}

// watch makes an edit form of entity kind/id look at its texts' heads
// after every change to its dossier, and say when they are no longer those
// it opened on: a save then keeps both texts as a conflict.
func (f *EntityForm) watch(kind, id string) *EntityForm {
	f.kind, f.id = kind, id
	return f
}

// formHeadsMsg answers the look at an edit form's text heads.
type formHeadsMsg struct {
	to    *EntityForm
	stale bool
}

// formKeys are the form's bindings.
type formKeys struct {
	Save, Next, Prev key.Binding
}

// newEntityForm builds a form over fields; save writes the values, saved
// is the status text shown after.
func newEntityForm(ctx *kit.Context, dossier, title string, fields []formField, save formSave, saved string) *EntityForm {
	f := &EntityForm{ctx: ctx, dossier: dossier, title: title, fields: fields, save: save, saved: saved,
		inputs: make([]textinput.Model, len(fields)), areas: make([]textarea.Model, len(fields)), shown: make([]string, len(fields)),
		choice: make([]int, len(fields)), picked: make([]map[string]bool, len(fields)),
		errAt: -1, width: ctx.Width, height: ctx.Height,
		keys: formKeys{Save: ctx.Keys.Save, Next: ctx.Keys.NextField, Prev: ctx.Keys.PrevField}}
	for i, fl := range fields {
		switch fl.kind {
		case formLine, formDate:
			ti := newTextInput(ctx)
			if fl.kind == formDate {
				ti.Placeholder = ctx.T.S("entity.form.date.placeholder")
			}
			ti.SetValue(fl.value)
			ti.CursorEnd()
			f.inputs[i] = ti
		case formText:
			ta := newTextArea(ctx)
			ta.SetValue(fl.value)
			f.areas[i], f.shown[i] = ta, ta.Value()
		case formChoice:
			for j, o := range fl.options {
				if o == fl.value {
					f.choice[i] = j
				}
			}
		case formPlaces:
			f.picked[i] = map[string]bool{}
			for _, p := range store.SplitList(fl.value) {
				f.picked[i][p] = true
			}
		}
	}
	f.setFocus(0)
	f.SetSize(ctx.Width, ctx.Height)
	return f
}

// setFocus moves the focus to field i, blurring the others.
func (f *EntityForm) setFocus(i int) {
	f.focus = max(0, min(i, len(f.fields)-1))
	for j, fl := range f.fields {
		switch fl.kind {
		case formLine, formDate:
			if j == f.focus {
				f.inputs[j].Focus()
			} else {
				f.inputs[j].Blur()
			}
		case formText:
			if j == f.focus {
				f.areas[j].Focus()
			} else {
				f.areas[j].Blur()
			}
		}
	}
}

// Values are the form's current values, by field name.
func (f *EntityForm) Values() map[string]string {
	out := make(map[string]string, len(f.fields))
	for i, fl := range f.fields {
		switch fl.kind {
		case formLine, formDate:
			out[fl.name] = strings.TrimSpace(f.inputs[i].Value())
		case formText:
			out[fl.name] = fl.value // unchanged: exactly as stored
			if v := f.areas[i].Value(); v != f.shown[i] {
				out[fl.name] = strings.TrimRight(v, " \n")
			}
		case formChoice:
			if len(fl.options) > 0 {
				out[fl.name] = fl.options[f.choice[i]]
			}
		case formPlaces:
			var ps []string
			for _, o := range fl.options {
				if f.picked[i][o] {
					ps = append(ps, o)
				}
			}
			out[fl.name] = strings.Join(ps, ",")
		}
	}
	return out
}

// dirty reports whether any field differs from its initial value.
func (f *EntityForm) dirty() bool {
	v := f.Values()
	for i, fl := range f.fields {
		init := fl.value
		switch fl.kind {
		case formLine, formDate:
			init = strings.TrimSpace(init)
		case formText:
			if f.areas[i].Value() != f.shown[i] {
				return true
			}
			continue
		case formChoice:
			if init == "" && len(fl.options) > 0 {
				init = fl.options[0]
			}
		}
		if v[fl.name] != init {
			return true
		}
	}
	return false
}

// HasUnsaved reports changes the form is not yet asking about
// (kit.Unsaved).
func (f *EntityForm) HasUnsaved() bool { return !f.saving && !f.confirm.Asking && f.dirty() }

// dayError is the message for a typed day that store.ParseDay or
// store.CheckDay refused: "februari heeft geen 31 dagen" for 31-02-2026
// rather than the general hint.
func (f *EntityForm) dayError(label string, err error) string {
	t := f.ctx.T
	var de *store.DayError
	switch {
	case errors.As(err, &de):
		return t.F("entity.form.err.nosuchday", label, t.S("month.long."+strconv.Itoa(de.Month)), de.Day)
	case errors.Is(err, store.ErrOldDay):
		return t.F("entity.form.err.oldday", label, store.MinInputYear)
	case errors.Is(err, store.ErrFutureDay):
		return t.F("entity.form.err.futureday", label)
	}
	return t.F("entity.form.err.date", label)
}

// validate checks the values and normalises dates. It returns the index of
// the first field in error and the message, or -1.
func (f *EntityForm) validate(v map[string]string) (int, string) {
	t := f.ctx.T
	for i, fl := range f.fields {
		val := v[fl.name]
		if fl.required && val == "" {
			if fl.kind == formPlaces {
				return i, t.S("entity.form.err.places")
			}
			return i, t.F("entity.form.err.required", strings.ToLower(fl.label))
		}
		if fl.kind == formDate && val != "" {
			day, err := store.ParseDay(val)
			if err == nil && day != fl.value {
				// A day kept as it was stored is not checked again.
				notAfter := ""
				if fl.notAfterToday {
					notAfter = kit.TodayOf(f.ctx)
				}
				err = store.CheckDay(day, notAfter)
			}
			if err != nil {
				return i, f.dayError(fl.label, err)
			}
			v[fl.name] = day
		}
		if fl.check != nil && val != "" && val != fl.value {
			switch err := fl.check(val); {
			case errors.Is(err, store.ErrPhone):
				return i, t.F("entity.form.err.phone", fl.label)
			case errors.Is(err, store.ErrEmail):
				return i, t.F("entity.form.err.email", fl.label)
			case err != nil:
				return i, err.Error()
			}
		}
		if fl.kind != formText && len(val) > store.MaxScalar {
			return i, t.F("entity.form.err.long", fl.label, store.MaxScalar)
		}
	}
	if f.check != nil {
		return f.check(v)
	}
	return -1, ""
}

// Init starts nothing.
func (f *EntityForm) Init() tea.Cmd { return nil }

// Update handles the outcome of a save and keys.
func (f *EntityForm) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case kit.ChangedMsg:
		if f.id == "" || f.saving || !msg.Touches(f.dossier) {
			return f, nil
		}
		st, dossier, kind, id, fields := f.ctx.Store, f.dossier, f.kind, f.id, f.fields
		return f, func() tea.Msg {
			for _, fl := range fields {
				if fl.kind != formText {
					continue
				}
				hs, err := st.Heads(dossier, store.EntityField(kind, id, fl.name))
				if err != nil {
					return nil
				}
				if !sameHeads(hs, fl.seen) {
					return formHeadsMsg{to: f, stale: true}
				}
			}
			return formHeadsMsg{to: f}
		}
	case formHeadsMsg:
		if msg.to == f {
			f.stale = msg.stale
		}
		return f, nil
	case kit.WroteMsg:
		if msg.To != f {
			return f, nil
		}
		f.saving = false
		if msg.Err != nil {
			return f, kit.Status(f.ctx.T.F("entity.form.err.save", msg.Err), true)
		}
		return f, tea.Sequence(kit.Pop(true), kit.Status(f.saved, false), kit.ChangedCmd(f.dossier))
	case tea.KeyMsg:
		return f.key(msg)
	}
	return f, nil
}

func (f *EntityForm) key(msg tea.KeyMsg) (kit.Screen, tea.Cmd) {
	if f.saving {
		return f, nil
	}
	if f.confirm.Asking {
		if f.confirm.answer(msg) {
			return f, kit.Pop(true)
		}
		return f, nil
	}
	k := f.ctx.Keys
	fl := f.fields[f.focus]
	last := f.focus == len(f.fields)-1
	switch {
	case key.Matches(msg, f.keys.Save):
		return f.submit()
	case msg.Type == tea.KeyEsc:
		if !f.dirty() {
			return f, kit.Pop(true)
		}
		f.confirm.Asking = true
		return f, nil
	case key.Matches(msg, f.keys.Next):
		f.setFocus((f.focus + 1) % len(f.fields))
		return f, nil
	case key.Matches(msg, f.keys.Prev):
		f.setFocus((f.focus + len(f.fields) - 1) % len(f.fields))
		return f, nil
	}
	switch fl.kind {
	case formText:
		switch {
		case msg.Type == tea.KeyUp && f.areas[f.focus].Line() == 0 && f.focus > 0:
			f.setFocus(f.focus - 1)
			return f, nil
		case msg.Type == tea.KeyDown && f.areas[f.focus].Line() == f.areas[f.focus].LineCount()-1 && !last:
			f.setFocus(f.focus + 1)
			return f, nil
		}
		var cmd tea.Cmd
		f.areas[f.focus], cmd = f.areas[f.focus].Update(msg)
		return f, cmd
	case formChoice:
		n := len(fl.options)
		switch {
		case n == 0:
		case msg.Type == tea.KeyLeft:
			f.choice[f.focus] = (f.choice[f.focus] + n - 1) % n
			return f, nil
		case msg.Type == tea.KeyRight:
			f.choice[f.focus] = (f.choice[f.focus] + 1) % n
			return f, nil
		case msg.Type == tea.KeySpace:
			// The option shown is the one picked: space keeps it rather
			// than moving on to the next.
			return f, nil
		}
	case formPlaces:
		c := &f.choice[f.focus]
		switch {
		case msg.Type == tea.KeySpace:
			if *c < len(fl.options) {
				o := fl.options[*c]
				f.picked[f.focus][o] = !f.picked[f.focus][o]
			}
			return f, nil
		case key.Matches(msg, k.Up) && *c > 0:
			*c--
			return f, nil
		case key.Matches(msg, k.Down) && *c < len(fl.options)-1:
			*c++
			return f, nil
		}
	}
	switch {
	case msg.Type == tea.KeyEnter && last:
		return f.submit()
	case msg.Type == tea.KeyEnter, msg.Type == tea.KeyDown:
		f.setFocus(f.focus + 1)
		return f, nil
	case msg.Type == tea.KeyUp:
		f.setFocus(f.focus - 1)
		return f, nil
	case key.Matches(msg, k.Up, k.Down) && (fl.kind == formChoice || fl.kind == formPlaces):
		// j and k move between fields when they are not text.
		if key.Matches(msg, k.Up) {
			f.setFocus(f.focus - 1)
		} else {
			f.setFocus(f.focus + 1)
		}
		return f, nil
	}
	if fl.kind == formLine || fl.kind == formDate {
		var cmd tea.Cmd
		f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
		return f, cmd
	}
	return f, nil
}

// submit validates the values and writes them in a command.
func (f *EntityForm) submit() (kit.Screen, tea.Cmd) {
	v := f.Values()
	if i, msg := f.validate(v); i >= 0 {
		f.errAt, f.ErrText = i, msg
		f.setFocus(i)
		return f, kit.Status(msg, true)
	}
	f.errAt, f.ErrText = -1, ""
	f.saving = true
	st, save := f.ctx.Store, f.save
	return f, kit.WriteCmd(f, f.dossier, "form", "", func() error { return save(st, v) })
}

// labelWidth is the width of the label column.
func (f *EntityForm) labelWidth() int {
	w := 0
	for _, fl := range f.fields {
		if fl.kind != formText {
			w = max(w, lipgloss.Width(fl.label))
		}
	}
	return min(w+4, max(8, f.width/3)) // room for "! " in front of a label in error, and a gap
}

// fixedLines counts the lines the form takes besides its text areas.
func (f *EntityForm) fixedLines() (lines, areas int) {
	lines = 1 // the hint or error line
	for _, fl := range f.fields {
		switch fl.kind {
		case formText:
			lines++ // its label
			areas++
		case formPlaces:
			lines += max(1, len(fl.options))
		default:
			lines++
		}
	}
	return lines, areas
}

// SetSize shares what is left of the body among the text areas.
func (f *EntityForm) SetSize(width, height int) {
	f.width, f.height = width, height
	fixed, areas := f.fixedLines()
	free := max(2, height-fixed)
	for i, fl := range f.fields {
		if fl.kind != formText {
			f.inputs[i].Width = max(1, width-f.labelWidth()-3)
			continue
		}
		h := max(2, free/max(1, areas))
		if fl.lines > 0 {
			h = min(h, fl.lines)
		}
		f.areas[i].SetWidth(max(10, width-2))
		f.areas[i].SetHeight(h)
	}
}

// View renders the fields and a line with the error, the question whether
// to drop changes, or the keys.
func (f *EntityForm) View() string {
	st, t := f.ctx.Styles, f.ctx.T
	lw := f.labelWidth()
	var lines []string // the title is in the header
	for i, fl := range f.fields {
		focused := i == f.focus
		mark := kit.CursorMark(focused)
		label := fl.label
		if i == f.errAt {
			label = st.Bad.Render("! " + label)
		} else if focused {
			label = st.Key.Render(label)
		}
		label = kit.Fit(label, lw)
		switch fl.kind {
		case formLine, formDate:
			lines = append(lines, mark+label+f.inputs[i].View())
		case formText:
			lines = append(lines, mark+label)
			for _, l := range strings.Split(f.areas[i].View(), "\n") {
				lines = append(lines, "  "+l)
			}
		case formChoice:
			val := ""
			if len(fl.options) > 0 {
				val = fl.optLabel(fl.options[f.choice[i]])
			}
			if focused {
				val = "‹ " + st.Selected.Render(val) + " ›"
			} else {
				val = "  " + val
			}
			lines = append(lines, mark+label+val)
		case formPlaces:
			for j, o := range fl.options {
				lead := strings.Repeat(" ", 2+lw)
				if j == 0 {
					lead = mark + label
				}
				box := "[ ] "
				if f.picked[i][o] {
					box = "[x] "
				}
				text := fl.optLabel(o)
				cur := "  "
				if focused && j == f.choice[i] {
					cur = "› "
					text = st.Selected.Render(text)
				}
				lines = append(lines, lead+cur+box+text)
			}
		}
	}
	var foot string
	switch {
	case f.confirm.Asking:
		foot = st.Warn.Render(t.S("editor.discard"))
	case f.saving:
		foot = st.Muted.Render(t.S("editor.saving"))
	case f.ErrText != "":
		foot = st.Bad.Render(f.ErrText)
	default:
		foot = st.Muted.Render(f.hint())
		if f.stale {
			foot = st.Warn.Render(f.ctx.T.S("edit.changed"))
		}
	}
	lines = append(lines, kit.Truncate(foot, f.width))
	for i, l := range lines {
		lines[i] = kit.Truncate(l, f.width)
	}
	return strings.Join(lines, "\n")
}

// hint says what the keys do in the focused field.
func (f *EntityForm) hint() string {
	switch f.fields[f.focus].kind {
	case formChoice:
		return f.ctx.T.S("entity.form.hint.choice")
	case formPlaces:
		return f.ctx.T.S("entity.form.hint.places")
	case formText:
		return f.ctx.T.S("entity.form.hint.text")
	}
	return f.ctx.T.S("entity.form.hint")
}

// Title names the screen.
func (f *EntityForm) Title() string { return f.title }

// Help lists the form's keys.
func (f *EntityForm) Help() []key.Binding {
	return []key.Binding{f.keys.Save, f.keys.Next, f.keys.Prev}
}

// Capturing is true: the form's inputs take every key but ctrl+s, tab
// and esc.
func (f *EntityForm) Capturing() bool { return true }
