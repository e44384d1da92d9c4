package kit

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/brug-nl/brug/store"
)

// FieldKind is what kind of input a form field is.
type FieldKind int

const (
	FieldLine   FieldKind = iota // one line of text
	FieldDate                    // a day: 2025-03-14 or 14-3-2025
	FieldText                    // several lines of text (a text area)
	FieldChoice                  // one of a few options (←/→)
	FieldPlaces                  // any number of places (space ticks)
)

// FormField describes one field of an entityForm. The four entity lists
// (journal, agreements, contacts, route) describe their forms with these;
// there is one form implementation.
type FormField struct {
	Name     string // the entity's field name in the store ("what", "due")
	Label    string // shown label, from the catalogue
	Kind     FieldKind
	Options  []string            // codes, for FieldChoice and FieldPlaces
	OptLabel func(string) string // display of a code
	Value    string              // initial value
	Seen     []string            // head ids of a text field's value, for store.Edit
	Required bool
	Lines    int // most lines a text area takes; 0 fills what is left
	// notAfterToday: a day that cannot lie in the future (a move on the
	// route is recorded once it happened).
	NotAfterToday bool
	// check is a further check of a line's value (store.CheckPhone,
	// store.CheckEmail); may be nil.
	Check func(string) error
	// Suggest offers values for a line as one types (the register's
	// employers): the first that begins with what was typed shows after
	// it, → takes it, ctrl+n and ctrl+p go through the others. Any other
	// value may be typed.
	Suggest []string
}

// FormSave turns a form's values into a store write. It runs inside a
// command, so it must only use what it was given.
type FormSave func(st Store, values map[string]string) error

// Form is a small form screen: labelled inputs, tab between them,
// ctrl+s saves, esc leaves (asking first when something changed).
type Form struct {
	ctx     *Context
	dossier string
	title   string
	fields  []FormField
	Inputs  []textinput.Model // per field; used by FieldLine and FieldDate
	areas   []textarea.Model  // per field; used by FieldText
	// shown is each text area's value right after it got the field's value
	// (the text area replaces tabs and control characters): while it is
	// unchanged, the field's own value counts.
	shown   []string
	choice  []int             // per field: the option shown (choice) or under the cursor (places)
	picked  []map[string]bool // per field: the places ticked
	focus   int
	ErrText string
	errAt   int // field with the error, -1 when none
	save    FormSave
	// check validates across fields after the per-field checks; it returns
	// the field in error and the message, or -1. May be nil.
	Check   func(values map[string]string) (int, string)
	saved   string // status text after saving
	confirm DiscardPrompt
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
func (f *Form) Watch(kind, id string) *Form {
	f.kind, f.id = kind, id
	return f
}

// formHeadsMsg answers the look at an edit form's text heads.
type formHeadsMsg struct {
	to    *Form
	stale bool
}

// formKeys are the form's bindings.
type formKeys struct {
	Save, Next, Prev key.Binding
}

// DayInput is how a date field shows a stored day (2025-03-14): the way
// the language writes it (14-3-2025 in Dutch), so that a form's default
// looks like its placeholder and like what a coach types. Anything else is
// shown as it is.
func DayInput(ctx *Context, day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return d.Format(ctx.T.S("entity.form.date.layout"))
}

// NewForm builds a form over fields; save writes the values, saved
// is the status text shown after.
func NewForm(ctx *Context, dossier, title string, fields []FormField, save FormSave, saved string) *Form {
	f := &Form{ctx: ctx, dossier: dossier, title: title, fields: fields, save: save, saved: saved,
		Inputs: make([]textinput.Model, len(fields)), areas: make([]textarea.Model, len(fields)), shown: make([]string, len(fields)),
		choice: make([]int, len(fields)), picked: make([]map[string]bool, len(fields)),
		errAt: -1, width: ctx.Width, height: ctx.Height,
		keys: formKeys{Save: ctx.Keys.Save, Next: ctx.Keys.NextField, Prev: ctx.Keys.PrevField}}
	for i, fl := range fields {
		switch fl.Kind {
		case FieldLine, FieldDate:
			ti := NewTextInput(ctx)
			if fl.Kind == FieldDate {
				ti.Placeholder = ctx.T.S("entity.form.date.placeholder")
			}
			ti.SetValue(fl.Value)
			if fl.Kind == FieldDate {
				ti.SetValue(DayInput(ctx, fl.Value))
			}
			ti.CursorEnd()
			if len(fl.Suggest) > 0 && fl.Kind == FieldLine {
				ti.ShowSuggestions = true
				ti.SetSuggestions(fl.Suggest)
				ti.KeyMap.AcceptSuggestion = key.NewBinding(key.WithKeys("right")) // tab moves between fields
			}
			f.Inputs[i] = ti
		case FieldText:
			ta := NewTextArea(ctx)
			ta.SetValue(fl.Value)
			f.areas[i], f.shown[i] = ta, ta.Value()
		case FieldChoice:
			for j, o := range fl.Options {
				if o == fl.Value {
					f.choice[i] = j
				}
			}
		case FieldPlaces:
			f.picked[i] = map[string]bool{}
			for _, p := range store.SplitList(fl.Value) {
				f.picked[i][p] = true
			}
		}
	}
	f.SetFocus(0)
	f.SetSize(ctx.Width, ctx.Height)
	return f
}

// SetFocus moves the focus to field i, blurring the others.
func (f *Form) SetFocus(i int) {
	f.focus = max(0, min(i, len(f.fields)-1))
	for j, fl := range f.fields {
		switch fl.Kind {
		case FieldLine, FieldDate:
			if j == f.focus {
				f.Inputs[j].Focus()
			} else {
				f.Inputs[j].Blur()
			}
		case FieldText:
			if j == f.focus {
				f.areas[j].Focus()
			} else {
				f.areas[j].Blur()
			}
		}
	}
}

// Focused is the field with the focus.
func (f *Form) Focused() int { return f.focus }

// Cursor is the option shown in choice field i, or under the cursor in
// places field i.
func (f *Form) Cursor(i int) int { return f.choice[i] }

// SetCursor shows option c of choice field i (under the cursor in a
// places field), wrapping around the options.
func (f *Form) SetCursor(i, c int) {
	if n := len(f.fields[i].Options); n > 0 {
		f.choice[i] = (c%n + n) % n
	}
}

// Picked reports whether places field i has option o ticked.
func (f *Form) Picked(i int, o string) bool { return f.picked[i][o] }

// TogglePick ticks or unticks the option under the cursor of places
// field i.
func (f *Form) TogglePick(i int) {
	if c := f.choice[i]; c < len(f.fields[i].Options) {
		o := f.fields[i].Options[c]
		f.picked[i][o] = !f.picked[i][o]
	}
}

// Values are the form's current values, by field name.
func (f *Form) Values() map[string]string {
	out := make(map[string]string, len(f.fields))
	for i, fl := range f.fields {
		switch fl.Kind {
		case FieldLine:
			out[fl.Name] = strings.TrimSpace(f.Inputs[i].Value())
		case FieldDate:
			// A day is kept as 2025-03-14 whichever way it was typed or
			// shown; what does not parse stays as typed, for validate.
			out[fl.Name] = strings.TrimSpace(f.Inputs[i].Value())
			if day, err := store.ParseDay(out[fl.Name]); err == nil {
				out[fl.Name] = day
			}
		case FieldText:
			out[fl.Name] = fl.Value // unchanged: exactly as stored
			if v := f.areas[i].Value(); v != f.shown[i] {
				out[fl.Name] = strings.TrimRight(v, " \n")
			}
		case FieldChoice:
			if len(fl.Options) > 0 {
				out[fl.Name] = fl.Options[f.choice[i]]
			}
		case FieldPlaces:
			var ps []string
			for _, o := range fl.Options {
				if f.picked[i][o] {
					ps = append(ps, o)
				}
			}
			out[fl.Name] = strings.Join(ps, ",")
		}
	}
	return out
}

// dirty reports whether any field differs from its initial value.
func (f *Form) dirty() bool {
	v := f.Values()
	for i, fl := range f.fields {
		init := fl.Value
		switch fl.Kind {
		case FieldLine, FieldDate:
			init = strings.TrimSpace(init)
		case FieldText:
			if f.areas[i].Value() != f.shown[i] {
				return true
			}
			continue
		case FieldChoice:
			if init == "" && len(fl.Options) > 0 {
				init = fl.Options[0]
			}
		}
		if v[fl.Name] != init {
			return true
		}
	}
	return false
}

// HasUnsaved reports changes the form is not yet asking about
// (Unsaved).
func (f *Form) HasUnsaved() bool { return !f.saving && !f.confirm.Asking && f.dirty() }

// dayError is the message for a typed day that store.ParseDay or
// store.CheckDay refused: "februari heeft geen 31 dagen" for 31-02-2026
// rather than the general hint.
func (f *Form) dayError(label string, err error) string {
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
func (f *Form) validate(v map[string]string) (int, string) {
	t := f.ctx.T
	for i, fl := range f.fields {
		val := v[fl.Name]
		if fl.Required && val == "" {
			if fl.Kind == FieldPlaces {
				return i, t.S("entity.form.err.places")
			}
			return i, t.F("entity.form.err.required", strings.ToLower(fl.Label))
		}
		if fl.Kind == FieldDate && val != "" {
			day, err := store.ParseDay(val)
			if err == nil && day != fl.Value {
				// A day kept as it was stored is not checked again.
				notAfter := ""
				if fl.NotAfterToday {
					notAfter = TodayOf(f.ctx)
				}
				err = store.CheckDay(day, notAfter)
			}
			if err != nil {
				return i, f.dayError(fl.Label, err)
			}
			v[fl.Name] = day
		}
		if fl.Check != nil && val != "" && val != fl.Value {
			switch err := fl.Check(val); {
			case errors.Is(err, store.ErrPhone):
				return i, t.F("entity.form.err.phone", fl.Label)
			case errors.Is(err, store.ErrEmail):
				return i, t.F("entity.form.err.email", fl.Label)
			case err != nil:
				return i, t.Cause(err)
			}
		}
		if fl.Kind != FieldText && len(val) > store.MaxScalar {
			return i, t.F("entity.form.err.long", fl.Label, store.MaxScalar)
		}
	}
	if f.Check != nil {
		return f.Check(v)
	}
	return -1, ""
}

// Init starts nothing.
func (f *Form) Init() tea.Cmd { return nil }

// Update handles the outcome of a save and keys.
func (f *Form) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case ChangedMsg:
		if f.id == "" || f.saving || !msg.Touches(f.dossier) {
			return f, nil
		}
		st, dossier, kind, id, fields := f.ctx.Store, f.dossier, f.kind, f.id, f.fields
		return f, func() tea.Msg {
			for _, fl := range fields {
				if fl.Kind != FieldText {
					continue
				}
				hs, err := st.Heads(dossier, store.EntityField(kind, id, fl.Name))
				if err != nil {
					return nil
				}
				if !SameHeads(hs, fl.Seen) {
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
	case WroteMsg:
		if msg.To != f {
			return f, nil
		}
		f.saving = false
		if msg.Err != nil {
			return f, SaveErr(f.ctx, "entity.form.err.save", msg.Err)
		}
		return f, tea.Sequence(Pop(true), Status(f.saved, false), ChangedCmd(f.dossier))
	case tea.KeyMsg:
		return f.key(msg)
	}
	return f, nil
}

func (f *Form) key(msg tea.KeyMsg) (Screen, tea.Cmd) {
	if f.saving {
		return f, nil
	}
	if f.confirm.Asking {
		if f.confirm.Answer(msg) {
			return f, Pop(true)
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
			return f, Pop(true)
		}
		f.confirm.Asking = true
		return f, nil
	case key.Matches(msg, f.keys.Next):
		f.SetFocus((f.focus + 1) % len(f.fields))
		return f, nil
	case key.Matches(msg, f.keys.Prev):
		f.SetFocus((f.focus + len(f.fields) - 1) % len(f.fields))
		return f, nil
	}
	switch fl.Kind {
	case FieldText:
		switch {
		case msg.Type == tea.KeyUp && f.areas[f.focus].Line() == 0 && f.focus > 0:
			f.SetFocus(f.focus - 1)
			return f, nil
		case msg.Type == tea.KeyDown && f.areas[f.focus].Line() == f.areas[f.focus].LineCount()-1 && !last:
			f.SetFocus(f.focus + 1)
			return f, nil
		}
		var cmd tea.Cmd
		f.areas[f.focus], cmd = f.areas[f.focus].Update(msg)
		return f, cmd
	case FieldChoice:
		n := len(fl.Options)
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
	case FieldPlaces:
		c := &f.choice[f.focus]
		switch {
		case msg.Type == tea.KeySpace:
			if *c < len(fl.Options) {
				o := fl.Options[*c]
				f.picked[f.focus][o] = !f.picked[f.focus][o]
			}
			return f, nil
		case key.Matches(msg, k.Up) && *c > 0:
			*c--
			return f, nil
		case key.Matches(msg, k.Down) && *c < len(fl.Options)-1:
			*c++
			return f, nil
		}
	}
	switch {
	case msg.Type == tea.KeyEnter && last:
		return f.submit()
	case msg.Type == tea.KeyEnter, msg.Type == tea.KeyDown:
		f.SetFocus(f.focus + 1)
		return f, nil
	case msg.Type == tea.KeyUp:
		f.SetFocus(f.focus - 1)
		return f, nil
	case key.Matches(msg, k.Up, k.Down) && (fl.Kind == FieldChoice || fl.Kind == FieldPlaces):
		// j and k move between fields when they are not text.
		if key.Matches(msg, k.Up) {
			f.SetFocus(f.focus - 1)
		} else {
			f.SetFocus(f.focus + 1)
		}
		return f, nil
	}
	if fl.Kind == FieldLine || fl.Kind == FieldDate {
		var cmd tea.Cmd
		f.Inputs[f.focus], cmd = f.Inputs[f.focus].Update(msg)
		return f, cmd
	}
	return f, nil
}

// submit validates the values and writes them in a command.
func (f *Form) submit() (Screen, tea.Cmd) {
	v := f.Values()
	if i, msg := f.validate(v); i >= 0 {
		f.errAt, f.ErrText = i, msg
		f.SetFocus(i)
		return f, Status(msg, true)
	}
	f.errAt, f.ErrText = -1, ""
	f.saving = true
	st, save := f.ctx.Store, f.save
	return f, WriteCmd(f, f.dossier, "form", "", func() error { return save(st, v) })
}

// labelWidth is the width of the label column.
func (f *Form) labelWidth() int {
	w := 0
	for _, fl := range f.fields {
		if fl.Kind != FieldText {
			w = max(w, lipgloss.Width(fl.Label))
		}
	}
	return min(w+4, max(8, f.width/3)) // room for "! " in front of a label in error, and a gap
}

// fixedLines counts the lines the form takes besides its text areas.
func (f *Form) fixedLines() (lines, areas int) {
	lines = 1 // the hint or error line
	for _, fl := range f.fields {
		switch fl.Kind {
		case FieldText:
			lines++ // its label
			areas++
		case FieldPlaces:
			lines += max(1, len(fl.Options))
		default:
			lines++
		}
	}
	return lines, areas
}

// SetSize shares what is left of the body among the text areas.
func (f *Form) SetSize(width, height int) {
	f.width, f.height = width, height
	fixed, areas := f.fixedLines()
	free := max(2, height-fixed)
	for i, fl := range f.fields {
		if fl.Kind != FieldText {
			f.Inputs[i].Width = max(1, width-f.labelWidth()-3)
			continue
		}
		h := max(2, free/max(1, areas))
		if fl.Lines > 0 {
			h = min(h, fl.Lines)
		}
		f.areas[i].SetWidth(max(10, width-2))
		f.areas[i].SetHeight(h)
	}
}

// View renders the fields and a line with the error, the question whether
// to drop changes, or the keys.
func (f *Form) View() string {
	st, t := f.ctx.Styles, f.ctx.T
	lw := f.labelWidth()
	var lines []string // the title is in the header
	for i, fl := range f.fields {
		focused := i == f.focus
		mark := CursorMark(focused)
		label := fl.Label
		if i == f.errAt {
			label = st.Bad.Render("! " + label)
		} else if focused {
			label = st.Key.Render(label)
		}
		label = Fit(label, lw)
		switch fl.Kind {
		case FieldLine, FieldDate:
			lines = append(lines, mark+label+f.Inputs[i].View())
		case FieldText:
			lines = append(lines, mark+label)
			for _, l := range strings.Split(f.areas[i].View(), "\n") {
				lines = append(lines, "  "+l)
			}
		case FieldChoice:
			val := ""
			if len(fl.Options) > 0 {
				val = fl.OptLabel(fl.Options[f.choice[i]])
			}
			if focused {
				val = "‹ " + st.Selected.Render(val) + " ›"
			} else {
				val = "  " + val
			}
			lines = append(lines, mark+label+val)
		case FieldPlaces:
			for j, o := range fl.Options {
				lead := strings.Repeat(" ", 2+lw)
				if j == 0 {
					lead = mark + label
				}
				box := "[ ] "
				if f.picked[i][o] {
					box = "[x] "
				}
				text := fl.OptLabel(o)
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
	lines = append(lines, Truncate(foot, f.width))
	for i, l := range lines {
		lines[i] = Truncate(l, f.width)
	}
	return strings.Join(lines, "\n")
}

// hint says what the keys do in the focused field.
func (f *Form) hint() string {
	switch f.fields[f.focus].Kind {
	case FieldChoice:
		return f.ctx.T.S("entity.form.hint.choice")
	case FieldPlaces:
		return f.ctx.T.S("entity.form.hint.places")
	case FieldText:
		return f.ctx.T.S("entity.form.hint.text")
	}
	return f.ctx.T.S("entity.form.hint")
}

// Title names the screen.
func (f *Form) Title() string { return f.title }

// Help lists the form's keys.
func (f *Form) Help() []key.Binding {
	return []key.Binding{f.keys.Save, f.keys.Next, f.keys.Prev}
}

// Capturing is true: the form's inputs take every key but ctrl+s, tab
// and esc.
func (f *Form) Capturing() bool { return true }
