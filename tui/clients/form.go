package clients

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// The form's fields, in tab order. The first ones are text inputs.
const (
	fieldName = iota
	fieldBirthYear
	FieldTeam
	fieldCoaches
	fieldPlaces
	fieldBenefit
	fieldTarget
	fieldCount

	textFields = fieldPlaces // fields before this one are text inputs
)

// formFieldNames are the store's names of the fields (the keys of
// store.NewClient.Validate's answer), by field.
var formFieldNames = [fieldCount]string{"name", "birthyear", "team", "coaches", "places", "benefit", "route_target"}

// formLabels are the catalogue keys of the fields' labels.
var formLabels = [fieldCount]string{"form.name", "form.birthyear", "form.team", "form.coaches", "form.places", "form.benefit", "form.route_target"}

// Layout of the form, in cells.
const (
	formInputMax  = 40 // a text input is at most this wide
	formInputMin  = 10
	formChipGap   = 1 // between the options of a choice field, besides the marker cell
	yearCharLimit = 4
)

// clientCreatedMsg answers a save of the form; seq says which save. dup
// is set instead of id when a client with the same name and birth year is
// there already (and the form did not say to create one anyway).
type clientCreatedMsg struct {
	seq int
	id  string
	dup *store.Summary
	err error
}

// recordLoadedMsg answers the load of the client whose record the form
// edits.
type recordLoadedMsg struct {
	client *store.Client
	err    error
}

// ClientForm is the new-client form. Its fields' state (inputs, focus,
// options picked) is a kit.Form, the one form engine; this screen lays it
// out with chips and checks it as store.NewClient does.
type ClientForm struct {
	ctx *kit.Context
	// form holds the fields, in the order of the field constants; Inputs
	// are its text inputs (the first textFields fields).
	form    *kit.Form
	Inputs  []textinput.Model
	places  []store.Place  // the options of the places and target fields
	errs    map[int]string // field -> catalogue key of its error
	tried   bool           // a save was tried: validate while typing
	confirm bool           // asking whether to drop the filled form
	saving  bool
	seq     int
	width   int
	height  int
	labelW  int
	// errBeside: errors fit beside the text inputs (a wide window).
	errBeside bool
	// edit is the dossier whose record the form edits (NewRecordForm);
	// "" for a new client. client is that dossier as loaded.
	edit   string
	client *store.Client
	// dup is the existing client a new one looks like; while set the form
	// asks whether to open it (enter) or create the new one anyway
	// (ctrl+s), and dupOK lets the next save go ahead.
	dup   *store.Summary
	dupOK bool
}

// NewClientForm is the form that creates a client. On save it goes back to
// the list and opens the new client's overview.
func NewClientForm(ctx *kit.Context) kit.Screen {
	f := &ClientForm{ctx: ctx, places: store.Places()}
	codes := make([]string, len(f.places))
	for i, p := range f.places {
		codes[i] = string(p)
	}
	fields := make([]kit.FormField, fieldCount)
	for i := range fieldCount {
		fields[i] = kit.FormField{Name: formFieldNames[i], Label: f.label(i), Kind: kit.FieldLine}
	}
	fields[fieldPlaces].Kind, fields[fieldPlaces].Options = kit.FieldPlaces, codes
	fields[fieldBenefit].Kind, fields[fieldBenefit].Options = kit.FieldChoice, store.Benefits
	fields[fieldTarget].Kind, fields[fieldTarget].Options = kit.FieldChoice, append([]string{""}, codes...)
	f.form = kit.NewForm(ctx, "", "", fields, nil, "")
	f.Inputs = f.form.Inputs[:textFields]
	st := ctx.Styles
	for i := range f.Inputs {
		// The form's inputs as this screen always drew them.
		f.Inputs[i].TextStyle = st.Text
		f.Inputs[i].Cursor.TextStyle = st.Text
		f.Inputs[i].KeyMap.Paste.SetEnabled(true)
	}
	f.Inputs[fieldBirthYear].CharLimit = yearCharLimit
	f.Inputs[fieldCoaches].Placeholder = ctx.T.S("form.placeholder.cs")
	switch len(ctx.Teams) {
	case 0:
	case 1:
		f.Inputs[FieldTeam].SetValue(ctx.Teams[0])
	default:
		f.Inputs[FieldTeam].Placeholder = strings.Join(ctx.Teams, ", ")
	}
	for i := range fieldCount {
		f.labelW = max(f.labelW, ansi.StringWidth(f.label(i)))
	}
	f.SetSize(ctx.Width, ctx.Height)
	return f
}

// EditsDossier is the dossier whose record the form changes; "" for a
// new client (kit.Editing).
func (f *ClientForm) EditsDossier() string { return f.edit }

// NewRecordForm is the form that edits client dossier's record after
// creation: name, birth year, team (a transfer), coaches, benefit and
// route target, checked as the new-client form checks them. Where the
// client stands on the route is not here: the route records moves.
func NewRecordForm(ctx *kit.Context, dossier string) kit.Screen {
	f := NewClientForm(ctx).(*ClientForm)
	f.edit = dossier
	f.Inputs[FieldTeam].SetValue("")
	f.Inputs[FieldTeam].Placeholder = ""
	f.Inputs[fieldName].Blur()
	return f
}

// fill puts a loaded client's record into the form.
func (f *ClientForm) fill(c *store.Client) {
	f.client = c
	for i, v := range []string{c.Name.Value, c.BirthYear.Value, c.Team.Value, c.Coaches.Value} {
		f.Inputs[i].SetValue(v)
		f.Inputs[i].CursorEnd()
	}
	for i, b := range store.Benefits {
		if b == c.Benefit.Value {
			f.form.SetCursor(fieldBenefit, i)
		}
	}
	for i, p := range f.places {
		if string(p) == c.RouteTarget.Value {
			f.form.SetCursor(fieldTarget, i+1)
		}
	}
	f.form.SetFocus(fieldName)
}

// skipped reports a field the form does not show: the edit form leaves
// the current places to the route.
func (f *ClientForm) skipped(field int) bool { return f.edit != "" && field == fieldPlaces }

func (f *ClientForm) label(field int) string {
	t := f.ctx.T
	s := t.S(formLabels[field])
	if field == fieldName {
		s += " " + t.S("form.required")
	}
	return s
}

// Init has nothing to load for a new client (the options come from the
// store package); the edit form loads the client.
func (f *ClientForm) Init() tea.Cmd {
	if f.edit == "" {
		return nil
	}
	st, id := f.ctx.Store, f.edit
	return func() tea.Msg {
		c, err := st.Client(id)
		return recordLoadedMsg{client: kit.SafeClient(c), err: err}
	}
}

// HasUnsaved reports a filled form the form is not yet asking about
// (kit.Unsaved).
func (f *ClientForm) HasUnsaved() bool { return !f.saving && !f.confirm && f.filled() }

// Update handles keys and the answer of a save.
func (f *ClientForm) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case clientCreatedMsg:
		return f, f.saved(msg)
	case recordLoadedMsg:
		if msg.err != nil {
			return f, tea.Sequence(kit.Pop(false), kit.StatusErr(f.ctx.T.F("overview.err.load", msg.err), msg.err))
		}
		if f.client == nil {
			f.fill(msg.client)
		}
		return f, nil
	case tea.KeyMsg:
		if f.edit != "" && f.client == nil {
			if key.Matches(msg, f.ctx.Keys.Back) {
				return f, kit.Pop(false)
			}
			return f, nil
		}
		if f.confirm {
			return f, f.confirmKey(msg)
		}
		if f.dup != nil {
			return f, f.dupKey(msg)
		}
		return f, f.key(msg)
	}
	return f, nil
}

func (f *ClientForm) confirmKey(msg tea.KeyMsg) tea.Cmd {
	f.confirm = false
	switch msg.String() {
	case "j", "y": // ja, yes: the prompt names the one of its language
		return kit.Pop(false)
	}
	return nil
}

// dupKey answers the question a likely duplicate asked: enter opens the
// client that is there, ctrl+s creates the new one anyway, anything else
// goes back to the form.
func (f *ClientForm) dupKey(msg tea.KeyMsg) tea.Cmd {
	k, dup := f.ctx.Keys, f.dup
	f.dup = nil
	switch {
	case key.Matches(msg, k.Open):
		return tea.Sequence(kit.Pop(false), kit.Open(kit.OpenDossier, dup.ID, 0))
	case key.Matches(msg, k.Save):
		f.dupOK = true
		return f.save()
	}
	return nil
}

func (f *ClientForm) key(msg tea.KeyMsg) tea.Cmd {
	k := f.ctx.Keys
	switch {
	case key.Matches(msg, k.Back):
		if f.filled() {
			f.confirm = true
			return nil
		}
		return kit.Pop(false)
	case key.Matches(msg, k.Save):
		return f.save()
	case key.Matches(msg, k.NextField):
		f.setFocus(f.form.Focused() + 1)
		return nil
	case key.Matches(msg, k.PrevField):
		f.setFocus(f.form.Focused() - 1)
		return nil
	case key.Matches(msg, k.Open):
		if f.form.Focused() == fieldCount-1 {
			return f.save()
		}
		f.setFocus(f.form.Focused() + 1)
		return nil
	}
	if focus := f.form.Focused(); focus < textFields {
		var cmd tea.Cmd
		f.Inputs[focus], cmd = f.Inputs[focus].Update(msg)
		f.revalidate()
		return cmd
	}
	f.choiceKey(msg)
	f.revalidate()
	return nil
}

// choiceKey moves through and picks options. Places may hold several (one
// foot in day activities, one in work): left/right move, space toggles.
// The single choices change with left/right; space picks the highlighted
// option (it never moves on).
func (f *ClientForm) choiceKey(msg tea.KeyMsg) {
	k := f.ctx.Keys
	focus := f.form.Focused()
	switch {
	case key.Matches(msg, k.Left):
		f.form.SetCursor(focus, f.form.Cursor(focus)-1)
	case key.Matches(msg, k.Right):
		f.form.SetCursor(focus, f.form.Cursor(focus)+1)
	case key.Matches(msg, k.Toggle):
		if focus == fieldPlaces {
			f.form.TogglePick(fieldPlaces)
		}
	}
}

// setFocus moves to field, round the form, past a field it does not show.
func (f *ClientForm) setFocus(field int) {
	from := f.form.Focused()
	field = (field + fieldCount) % fieldCount
	if f.skipped(field) {
		if field > from || (from == fieldCount-1 && field == 0) {
			field = (field + 1) % fieldCount
		} else {
			field = (field - 1 + fieldCount) % fieldCount
		}
	}
	f.form.SetFocus(field)
}

// filled reports whether anything was entered, so leaving would lose it.
func (f *ClientForm) filled() bool {
	if f.edit != "" {
		if f.client == nil {
			return false
		}
		ch, errs := store.RecordChanges(f.client, f.value())
		return len(ch) > 0 || errs != nil
	}
	for _, in := range f.Inputs {
		if strings.TrimSpace(in.Value()) != "" {
			return true
		}
	}
	return f.form.Values()["places"] != "" || f.form.Cursor(fieldBenefit) != 0 || f.form.Cursor(fieldTarget) != 0
}

// value is the form as the store takes it: a fresh value, safe to hand to
// a command.
func (f *ClientForm) value() store.NewClient {
	n := store.NewClient{
		Name:      strings.TrimSpace(f.Inputs[fieldName].Value()),
		BirthYear: strings.TrimSpace(f.Inputs[fieldBirthYear].Value()),
		Team:      strings.TrimSpace(f.Inputs[FieldTeam].Value()),
		Coaches:   strings.TrimSpace(f.Inputs[fieldCoaches].Value()),
		Benefit:   store.Benefits[f.form.Cursor(fieldBenefit)],
	}
	for _, p := range f.places {
		if f.form.Picked(fieldPlaces, string(p)) {
			n.Places = append(n.Places, p)
		}
	}
	if t := f.form.Cursor(fieldTarget); t > 0 {
		n.RouteTarget = f.places[t-1]
	}
	return n
}

// validate maps the store's verdict per field to a catalogue text. With a
// sync server, the team must be one of the user's: the server refuses a
// new client in any other.
func (f *ClientForm) validate(n store.NewClient) map[int]string {
	bad := n.Validate()
	if f.edit != "" {
		n.Places = nil
		bad = n.Validate()
	}
	if _, ok := f.teamOf(n.Team); !ok {
		if bad == nil {
			bad = map[string]error{}
		}
		bad["team"] = store.ErrInvalid
	}
	if bad == nil {
		return nil
	}
	errs := map[int]string{}
	for i, name := range formFieldNames {
		if bad[name] == nil {
			continue
		}
		switch i {
		case fieldName:
			if n.Name == "" {
				errs[i] = "form.err.name"
			} else {
				errs[i] = "form.err.text"
			}
		case fieldBirthYear:
			errs[i] = "form.err.birthyear"
			if errors.Is(bad[name], store.ErrFutureYear) {
				errs[i] = "form.err.birthyear.future"
			}
		case FieldTeam:
			if _, ok := f.teamOf(n.Team); !ok {
				errs[i] = "form.err.team"
			} else {
				errs[i] = "form.err.text"
			}
		case fieldCoaches:
			errs[i] = "form.err.text"
		default:
			errs[i] = "form.err.choice"
		}
	}
	return errs
}

// revalidate refreshes the errors shown once a save was tried, so an error
// goes away as soon as it is fixed.
func (f *ClientForm) revalidate() {
	if f.tried {
		f.errs = f.validate(f.value())
	}
}

// save validates and, when the form is right, creates the client in a
// command.
func (f *ClientForm) save() tea.Cmd {
	if f.saving {
		return nil
	}
	n := f.value()
	f.tried = true
	if f.errs = f.validate(n); f.errs != nil {
		for i := range fieldCount {
			if f.errs[i] != "" {
				f.setFocus(i)
				break
			}
		}
		return kit.Status(f.ctx.T.S("form.err.fix"), true)
	}
	n.Team, _ = f.teamOf(n.Team)
	f.saving = true
	f.seq++
	st, seq := f.ctx.Store, f.seq
	if f.edit != "" {
		id, c := f.edit, f.client
		return func() tea.Msg {
			changes, errs := store.RecordChanges(c, n)
			if errs != nil {
				return clientCreatedMsg{seq: seq, err: store.ErrInvalid}
			}
			if len(changes) == 0 {
				return clientCreatedMsg{seq: seq, id: id}
			}
			_, err := st.Commit(id, changes...)
			return clientCreatedMsg{seq: seq, id: id, err: err}
		}
	}
	check := !f.dupOK
	f.dupOK = false
	return func() tea.Msg {
		if check {
			dup, err := findDuplicate(st, n)
			if err != nil {
				return clientCreatedMsg{seq: seq, err: err}
			}
			if dup != nil {
				return clientCreatedMsg{seq: seq, dup: dup}
			}
		}
		id, err := st.CreateClient(n)
		return clientCreatedMsg{seq: seq, id: id, err: err}
	}
}

// findDuplicate looks for a client that is there already with the same
// name (case and accents folded, store.FoldName) and birth year as n: the
// same person entered twice. A client without a birth year matches on
// the name when n has none either.
func findDuplicate(st kit.Store, n store.NewClient) (*store.Summary, error) {
	all, err := st.Summaries()
	if err != nil {
		return nil, err
	}
	name := store.FoldName(strings.TrimSpace(n.Name))
	for i := range all {
		s := &all[i]
		if s.Removed || store.FoldName(strings.TrimSpace(s.Name)) != name {
			continue
		}
		c, err := st.Client(s.ID)
		if err != nil {
			return nil, err
		}
		if c.BirthYear.Value == n.BirthYear {
			found := kit.SafeSummaries([]store.Summary{*s})[0]
			return &found, nil
		}
	}
	return nil, nil
}

func (f *ClientForm) saved(msg clientCreatedMsg) tea.Cmd {
	if msg.seq != f.seq || !f.saving {
		return nil
	}
	f.saving = false
	t := f.ctx.T
	if msg.err != nil {
		return kit.StatusErr(t.F("form.err.save", msg.err), msg.err)
	}
	if msg.dup != nil {
		f.dup = msg.dup
		return nil
	}
	if f.edit != "" {
		status := t.S("record.saved")
		if f.client != nil && f.client.Team.Value != "" && f.value().Team != "" {
			if team, _ := f.teamOf(f.value().Team); team != f.client.Team.Value {
				status = t.F("record.transferred", team)
			}
		}
		return tea.Sequence(kit.Pop(true), kit.Status(status, false), kit.ChangedCmd(msg.id))
	}
	return tea.Sequence(kit.Pop(true), kit.Open(kit.OpenDossier, msg.id, 0), kit.Status(t.S("form.created"), false), kit.ChangedCmd(msg.id))
}

// SetSize sizes the text inputs to the window.
func (f *ClientForm) SetSize(width, height int) {
	f.width, f.height = width, height
	w := max(formInputMin, min(formInputMax, width-kit.CursorWidth-f.labelW-kit.ColGap-1))
	for i := range f.Inputs {
		f.Inputs[i].Width = w
	}
	// Errors stand beside the inputs when the longest fits there, else
	// under each field: the same for every field of the form.
	errW := 0
	for _, k := range []string{"form.err.name", "form.err.birthyear", "form.err.text"} {
		errW = max(errW, ansi.StringWidth(f.errText(k)))
	}
	f.errBeside = width >= kit.CursorWidth+f.labelW+kit.ColGap+w+1+kit.ColGap+errW
}

// View shows the fields with their errors beside them (or under them when
// there is no room), scrolled so the focused field is visible.
func (f *ClientForm) View() string {
	t, st := f.ctx.T, f.ctx.Styles
	lines := []string{st.Section.Render(kit.Fit(f.Title(), f.width)), ""}
	if f.edit != "" && f.client == nil {
		return strings.Join(append(lines, st.Muted.Render(t.S("step.loading"))), "\n")
	}
	focusTop, focusEnd := 0, 0
	for i := range fieldCount {
		if f.skipped(i) {
			continue
		}
		if i == f.form.Focused() {
			focusTop = len(lines)
		}
		lines = append(lines, f.field(i)...)
		if i == f.form.Focused() {
			focusEnd = len(lines)
		}
	}
	lines = append(lines, "")
	switch {
	case f.dup != nil:
		year := ""
		if n := f.value(); n.BirthYear != "" {
			year = " (" + n.BirthYear + ")"
		}
		for _, l := range kit.WrapText(t.F("form.dup", f.dup.Name+year, f.dup.Team), f.width) {
			lines = append(lines, st.Warn.Render(l))
		}
	case f.confirm:
		lines = append(lines, st.Warn.Render(kit.Fit(t.S("form.discard"), f.width)))
	case f.saving:
		lines = append(lines, st.Muted.Render(kit.Fit(t.S("form.saving"), f.width)))
	}
	if len(lines) <= f.height {
		return strings.Join(lines, "\n")
	}
	// scroll: keep the focused field, then the bottom line, in view.
	top := 0
	if focusEnd > f.height {
		top = min(focusTop, focusEnd-f.height)
	}
	if f.confirm || f.saving || f.dup != nil {
		top = len(lines) - f.height
	}
	return strings.Join(lines[top:min(len(lines), top+f.height)], "\n")
}

// field renders one field: marker, label, input or options, and error.
func (f *ClientForm) field(i int) []string {
	t, st := f.ctx.T, f.ctx.Styles
	focused := i == f.form.Focused()
	marker := strings.Repeat(" ", kit.CursorWidth)
	label := kit.Fit(f.label(i), f.labelW)
	if focused {
		marker = kit.Fit(t.S("widget.cursor"), kit.CursorWidth)
		label = st.Title.Render(label)
	}
	gap := kit.ColGap
	if i >= textFields {
		gap-- // the first option's marker cell stands in the gap, so boxes line up with the inputs
	}
	prefix := marker + label + strings.Repeat(" ", gap)
	indent := strings.Repeat(" ", kit.CursorWidth+f.labelW+gap)
	var body []string
	if i < textFields {
		body = []string{f.Inputs[i].View()}
	} else {
		body = f.options(i, max(formInputMin, f.width-len(indent)))
	}
	out := make([]string, 0, len(body)+1)
	for j, line := range body {
		p := indent
		if j == 0 {
			p = prefix
		}
		out = append(out, p+line)
	}
	if key := f.errs[i]; key != "" {
		errText := st.Bad.Render(f.errText(key))
		if i < textFields && f.errBeside {
			out[0] = kit.Fit(out[0], len(indent)+f.Inputs[i].Width+1) + strings.Repeat(" ", kit.ColGap) + errText
		} else {
			out = append(out, indent+kit.Truncate(errText, max(1, f.width-len(indent))))
		}
	}
	for j := range out {
		out[j] = kit.Truncate(out[j], f.width)
	}
	return out
}

// teamOf matches a typed team to one of the user's teams, ignoring case
// and surrounding space, and returns its exact name. Without a server any
// team will do.
func (f *ClientForm) teamOf(typed string) (string, bool) {
	if len(f.ctx.Teams) == 0 {
		return typed, true
	}
	for _, t := range f.ctx.Teams {
		if strings.EqualFold(strings.TrimSpace(typed), t) {
			return t, true
		}
	}
	// A transfer may go to any team of the region: the server says
	// whether it exists. It may not leave the client without a team.
	if f.edit != "" && strings.TrimSpace(typed) != "" {
		return strings.TrimSpace(typed), true
	}
	return typed, false
}

// errText is the text of an error key; the length limit names its size.
func (f *ClientForm) errText(key string) string {
	switch key {
	case "form.err.text":
		return f.ctx.T.F(key, store.MaxScalar)
	case "form.err.team":
		return f.ctx.T.F(key, strings.Join(f.ctx.Teams, ", "))
	}
	return f.ctx.T.S(key)
}

// options renders a choice field's options as chips, wrapped to width.
func (f *ClientForm) options(field, width int) []string {
	t, st := f.ctx.T, f.ctx.Styles
	var labels []string
	var on []bool
	switch field {
	case fieldPlaces:
		for _, p := range f.places {
			labels, on = append(labels, kit.PlaceLabel(t, p)), append(on, f.form.Picked(fieldPlaces, string(p)))
		}
	case fieldBenefit:
		for i, b := range store.Benefits {
			labels, on = append(labels, kit.BenefitLabel(t, b)), append(on, i == f.form.Cursor(fieldBenefit))
		}
	case fieldTarget:
		labels, on = append(labels, t.S("form.route.none")), append(on, f.form.Cursor(fieldTarget) == 0)
		for i, p := range f.places {
			labels, on = append(labels, kit.PlaceLabel(t, p)), append(on, f.form.Cursor(fieldTarget) == i+1)
		}
	}
	onKey, offKey := "form.single.on", "form.single.off"
	if field == fieldPlaces {
		onKey, offKey = "form.multi.on", "form.multi.off"
	}
	var lines []string
	var line strings.Builder
	lineW := 0
	for i, lab := range labels {
		box := t.S(offKey)
		if on[i] {
			box = t.S(onKey)
		}
		// Each chip has a marker cell: "›" on the highlighted option of
		// the focused field, so it shows without colour too.
		chip := " " + box + " " + lab
		if field == f.form.Focused() && i == f.form.Cursor(field) {
			chip = kit.Fit(t.S("widget.cursor"), 1) + st.Selected.Render(box+" "+lab)
		}
		w := ansi.StringWidth(chip)
		if lineW > 0 && lineW+formChipGap+w > width {
			lines = append(lines, line.String())
			line.Reset()
			lineW = 0
		}
		if lineW > 0 {
			line.WriteString(strings.Repeat(" ", formChipGap))
			lineW += formChipGap
		}
		line.WriteString(chip)
		lineW += w
	}
	return append(lines, line.String())
}

// Title names the screen in the header.
func (f *ClientForm) Title() string {
	if f.edit != "" {
		if f.client != nil {
			return f.ctx.T.F("record.title", f.client.Name.Value)
		}
		return f.ctx.T.S("record.title.loading")
	}
	return f.ctx.T.S("form.title")
}

// Help lists the form's keys.
func (f *ClientForm) Help() []key.Binding {
	k := f.ctx.Keys
	return []key.Binding{k.Save, k.NextField, k.PrevField, k.Toggle, k.Left, k.Right}
}

// Capturing is always true: the form types q, ? and handles esc itself.
func (f *ClientForm) Capturing() bool { return true }
