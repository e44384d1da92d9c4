package clients

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// RegisterScreen is the region's register (issue 11), opened from the
// client list: the organisations, their teams and their business
// contacts, filtered as one types (case and accents do not count:
// store.FoldName). It holds no client data; it comes with sync.
type RegisterScreen struct {
	ctx    *kit.Context
	reg    store.Register
	loaded bool
	shown  []store.Org
	filter textinput.Model
	cursor int
	top    int
	width  int
	height int
}

// registerMsg answers the load of the register.
type registerMsg struct{ reg store.Register }

// NewRegisterScreen shows the register the device last received.
func NewRegisterScreen(ctx *kit.Context) *RegisterScreen {
	st := ctx.Styles
	ti := textinput.New()
	ti.Prompt = ctx.T.S("register.prompt")
	ti.Placeholder = ctx.T.S("register.hint")
	ti.PromptStyle = st.Key
	ti.TextStyle = st.Text
	ti.PlaceholderStyle = st.Muted
	ti.Cursor.Style = st.R.NewStyle()
	ti.Cursor.TextStyle = st.Text
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.Focus()
	s := &RegisterScreen{ctx: ctx, filter: ti}
	s.SetSize(ctx.Width, ctx.Height)
	return s
}

// Init reads the register in a command.
func (s *RegisterScreen) Init() tea.Cmd {
	st := s.ctx.Store
	return func() tea.Msg { return registerMsg{reg: kit.LoadRegister(st)} }
}

func (s *RegisterScreen) refilter() {
	s.shown = s.reg.Find(s.filter.Value())
	s.cursor = max(0, min(s.cursor, len(s.shown)-1))
}

// Update handles the load and keys: typing filters, up and down choose,
// esc clears the filter and then goes back.
func (s *RegisterScreen) Update(msg tea.Msg) (kit.Screen, tea.Cmd) {
	k := s.ctx.Keys
	switch msg := msg.(type) {
	case registerMsg:
		s.reg, s.loaded = msg.reg, true
		s.refilter()
		return s, nil
	case tea.KeyMsg:
		switch msg.Type {
		case tea.KeyUp:
			s.cursor = max(0, s.cursor-1)
			return s, nil
		case tea.KeyDown:
			s.cursor = max(0, min(len(s.shown)-1, s.cursor+1))
			return s, nil
		case tea.KeyPgUp:
			s.cursor = max(0, s.cursor-max(1, s.listRows()))
			return s, nil
		case tea.KeyPgDown:
			s.cursor = max(0, min(len(s.shown)-1, s.cursor+max(1, s.listRows())))
			return s, nil
		}
		if key.Matches(msg, k.Back) {
			if s.filter.Value() != "" {
				s.filter.SetValue("")
				s.refilter()
				return s, nil
			}
			return s, kit.Pop(false)
		}
		var cmd tea.Cmd
		s.filter, cmd = s.filter.Update(msg)
		s.cursor = 0
		s.refilter()
		return s, cmd
	}
	return s, nil
}

// KindName is an organisation kind in the app's language.
func KindName(ctx *kit.Context, kind string) string { return ctx.T.S("register.kind." + kind) }

// listRows is how many organisations the list shows: half the body, the
// rest is the chosen one's details.
func (s *RegisterScreen) listRows() int { return max(3, (s.height-3)/2) }

// View renders the filter, the matching organisations and the details of
// the chosen one.
func (s *RegisterScreen) View() string {
	st, t := s.ctx.Styles, s.ctx.T
	var b strings.Builder
	b.WriteString(s.filter.View() + "\n")
	switch {
	case !s.loaded:
		b.WriteString(st.Muted.Render(t.S("register.loading")))
		return b.String()
	case len(s.reg.Orgs) == 0:
		b.WriteString(strings.Join(kit.WrapText(t.S("register.empty"), s.width), "\n"))
		return b.String()
	case len(s.shown) == 0:
		b.WriteString(t.F("register.nomatch", s.filter.Value()))
		return b.String()
	}
	b.WriteString(st.Muted.Render(t.F("register.count", kit.FormatCount(t, len(s.shown)), kit.FormatCount(t, len(s.reg.Orgs)))) + "\n")
	rows := s.listRows()
	if s.cursor < s.top {
		s.top = s.cursor
	}
	if s.cursor >= s.top+rows {
		s.top = s.cursor - rows + 1
	}
	nameW := max(10, s.width/2)
	for i := s.top; i < len(s.shown) && i < s.top+rows; i++ {
		o := s.shown[i]
		line := kit.CursorMark(i == s.cursor) + kit.Fit(o.Name, nameW-2) + " " + KindName(s.ctx, o.Kind)
		line = kit.Truncate(line, s.width)
		if i == s.cursor {
			line = st.Selected.Render(kit.Fit(line, s.width))
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n")
	o := s.shown[s.cursor]
	head := o.Name + " · " + KindName(s.ctx, o.Kind)
	if o.KvK != "" {
		head += " · " + t.F("register.kvk", o.KvK)
	}
	b.WriteString(st.Section.Render(kit.Truncate(head, s.width)) + "\n")
	if len(o.Teams) > 0 {
		b.WriteString(kit.Truncate(t.F("register.teams", strings.Join(o.Teams, ", ")), s.width) + "\n")
	} else {
		b.WriteString(st.Muted.Render(t.S("register.noteams")) + "\n")
	}
	if len(o.Contacts) == 0 {
		b.WriteString(st.Muted.Render(t.S("register.nocontacts")))
		return b.String()
	}
	b.WriteString(t.S("register.contacts") + "\n")
	for _, c := range o.Contacts {
		parts := []string{c.Name}
		for _, p := range []string{c.Role, c.Phone, c.Email} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		b.WriteString(kit.Truncate("  "+strings.Join(parts, " · "), s.width) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// SetSize records the body size.
func (s *RegisterScreen) SetSize(width, height int) {
	s.width, s.height = width, height
	s.filter.Width = max(1, width-ansi.StringWidth(s.filter.Prompt)-1)
}

// Title names the screen.
func (s *RegisterScreen) Title() string { return s.ctx.T.S("register.title") }

// Help lists the screen's keys.
func (s *RegisterScreen) Help() []key.Binding {
	k := s.ctx.Keys
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown}
}

// Capturing is true: what one types filters the register.
func (s *RegisterScreen) Capturing() bool { return true }

// Shown lists the names of the organisations shown, for tests.
func (s *RegisterScreen) Shown() []string {
	out := make([]string, len(s.shown))
	for i, o := range s.shown {
		out[i] = o.Name
	}
	return out
}
