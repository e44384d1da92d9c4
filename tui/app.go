// Package tui is brug's terminal app: the root model, which holds the
// screen stack, the status line, help and background sync, and opens the
// features' screens when they ask (kit.OpenMsg). The screens live in
// packages by feature: tui/clients (the list and the new-client form),
// tui/dossier (a client's overview, steps, editor, conflicts, entities,
// route, review and send back), tui/coord (the coordinator's team overview
// and review queue) and tui/report (the flow report), on the shared
// tui/kit; the texts are in tui/texts. It never opens the database or the
// network itself: screens call the Store interface through tea.Cmds and
// receive the results as messages, so no keystroke waits for the disk.
package tui

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/clients"
	"github.com/brug-nl/brug/tui/coord"
	"github.com/brug-nl/brug/tui/dossier"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/report"
	"github.com/brug-nl/brug/tui/texts"
)

// Smallest window the app lays out for (the screens' layout in kit).
const (
	MinWidth  = kit.MinWidth
	MinHeight = kit.MinHeight
)

// Options configure New.
type Options struct {
	Store    kit.Store
	Method   *method.Method
	Lang     string             // "nl" (default) or "en"
	User     string             // shown in the header, recorded by the store
	Renderer *lipgloss.Renderer // nil: lipgloss.DefaultRenderer()
	Now      func() time.Time   // nil: time.Now
	Teams    []string           // the user's teams on the server; nil without one
	Role     string             // the user's role; "coordinator" unlocks review and sign-off
	OnServer bool               // running on the sync server (SSH); see kit.Context.OnServer
	SaveDir  string             // where the plan is saved; see kit.Context.SaveDir
	Details  bool               // show the English details of errors not known in Dutch (BRUG_DETAILS=1; texts.Cause)
}

// RoleCoordinator is the role that gets the coordinator screens (the
// sync protocol's role name).
const RoleCoordinator = kit.RoleCoordinator

// Model is the root model: the screen stack, the status line and the help
// bar. It holds what every screen needs in its Context.
type Model struct {
	ctx      *kit.Context
	stack    []kit.Screen
	status   string
	statusOK bool
	help     help.Model
	fullHelp bool
	sync     syncState // background sync and the footer (sync.go)
	org      string    // the organisation(s) the user works for, from the register, beside the name
}

// userOrgMsg carries the organisations the user works for (the
// register's, for their teams), read after start and after each sync.
type userOrgMsg struct{ org string }

// loadOrg reads the user's organisations from the register in a command.
func (m *Model) loadOrg() tea.Cmd {
	st, teams := m.ctx.Store, m.ctx.Teams
	return func() tea.Msg { return userOrgMsg{org: kit.UserOrgs(kit.LoadRegister(st), teams)} }
}

// New builds the app on a store, starting at the client list.
func New(opt Options) *Model {
	r := opt.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	if opt.Method == nil {
		opt.Method = method.Default() // screens may rely on ctx.Method
	}
	t := texts.NewTexts(opt.Lang)
	t.Details = opt.Details
	st := kit.NewStyles(r, kit.DefaultPalette())
	ctx := &kit.Context{Styles: st, Keys: kit.NewKeyMap(t), T: t, Store: opt.Store,
		Method: opt.Method, User: opt.User, Now: now, Width: 80, Height: 24, Teams: opt.Teams, Role: opt.Role, OnServer: opt.OnServer, SaveDir: opt.SaveDir}
	h := help.New()
	h.Styles.ShortKey = st.Key
	h.Styles.ShortDesc = st.Muted
	h.Styles.ShortSeparator = st.Muted
	h.Styles.FullKey = st.Key
	h.Styles.FullDesc = st.Muted
	h.Styles.FullSeparator = st.Muted
	h.Styles.Ellipsis = st.Muted
	m := &Model{ctx: ctx, help: h, statusOK: true}
	m.stack = []kit.Screen{clients.NewClientList(ctx)}
	return m
}

// Context returns the shared context (for tests).
func (m *Model) Context() *kit.Context { return m.ctx }

// Top returns the screen in front.
func (m *Model) Top() kit.Screen { return m.stack[len(m.stack)-1] }

// Init starts the first screen and background sync.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.Top().Init(), m.syncInit(), m.loadOrg()) }

// Update routes a message: keys go to the screen in front unless they are
// global and no input has focus; the root's own messages are handled here.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, ok := m.updateSync(msg); ok {
		return m, cmd
	}
	if cmd, ok := kit.ReadOnlyStatus(m.ctx, msg); ok {
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.KeyMsg:
		return m.handleKey(msg)
	case userOrgMsg:
		m.org = kit.SafeCopy(msg.org)
		return m, nil
	case kit.PushMsg:
		return m.pushEdit(msg.Screen)
	case kit.CheckedPushMsg:
		return m.push(msg.Screen)
	case kit.OpenMsg:
		return m.open(msg)
	case kit.PopMsg:
		return m.pop(msg.Refresh)
	case kit.StatusMsg:
		m.status, m.statusOK = msg.Text, !msg.Err
		if msg.Err && errors.Is(msg.Cause, store.ErrDamaged) {
			// Whatever screen failed to read or write: the file itself
			// is damaged, and no key in the app will help.
			m.status = m.ctx.T.S("status.damaged")
		}
		return m, nil
	case kit.ChangedMsg:
		return m, tea.Batch(m.broadcast(msg), m.syncChanged())
	}
	return m.forward(msg)
}

// broadcast hands msg to every screen on the stack.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for i, s := range m.stack {
		var cmd tea.Cmd
		m.stack[i], cmd = s.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (m *Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.ctx.Keys
	if msg.String() == "ctrl+c" {
		if u, ok := m.Top().(kit.Unsaved); ok && u.HasUnsaved() {
			m.fullHelp = false
			return m.forward(tea.KeyMsg{Type: tea.KeyEsc})
		}
		return m, tea.Quit
	}
	if key.Matches(msg, k.Sync) {
		return m, m.syncNow()
	}
	if m.fullHelp {
		if key.Matches(msg, k.Help, k.Back, k.Quit) {
			m.fullHelp = false
		}
		return m, nil
	}
	if !m.Top().Capturing() {
		switch {
		case key.Matches(msg, k.Quit):
			return m, tea.Quit
		case key.Matches(msg, k.Help):
			m.fullHelp = true
			return m, nil
		case key.Matches(msg, k.Back) && len(m.stack) > 1:
			return m.pop(true)
		case key.Matches(msg, k.Refused) && m.sync.opt.Refused != nil:
			if _, open := m.Top().(*refusedScreen); !open {
				return m.push(NewRefusedScreen(m.ctx, m.sync.opt.Refused))
			}
		}
	}
	m.status = ""
	return m.forward(msg)
}

func (m *Model) forward(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	m.stack[len(m.stack)-1], cmd = m.Top().Update(msg)
	return m, cmd
}

// open builds the screen another feature asked for and opens it.
func (m *Model) open(msg kit.OpenMsg) (tea.Model, tea.Cmd) {
	var s kit.Screen
	switch msg.To {
	case kit.OpenDossier:
		s = dossier.NewOverviewScreen(m.ctx, msg.Dossier)
	case kit.OpenReview:
		s = dossier.NewReviewScreen(m.ctx, msg.Dossier, msg.Step)
	case kit.OpenTeamOverview:
		s = coord.NewTeamOverview(m.ctx)
	case kit.OpenReviewQueue:
		s = coord.NewReviewQueue(m.ctx)
	case kit.OpenFlowReport:
		s = report.NewFlowReport(m.ctx)
	case kit.OpenRecord:
		s = clients.NewRecordForm(m.ctx, msg.Dossier)
	default:
		return m, nil
	}
	return m.pushEdit(s)
}

// pushEdit pushes s, but a screen that edits a dossier (kit.Editing) only
// after the dossier was found not to be held read only (kit/readonly.go):
// nobody types what cannot be saved.
func (m *Model) pushEdit(s kit.Screen) (tea.Model, tea.Cmd) {
	if e, ok := s.(kit.Editing); ok && e.EditsDossier() != "" && len(m.ctx.Teams) > 0 {
		return m, kit.GateEdit(m.ctx.Store, s, e.EditsDossier(), slices.Clone(m.ctx.Teams), kit.TodayOf(m.ctx))
	}
	return m.push(s)
}

// SaveDrafts keeps the text still being typed in the screens of the
// program's final model m (a send back's comment), for the user's next
// session. The SSH server calls it after the program ended, however it
// ended.
func SaveDrafts(m tea.Model) error {
	root, ok := m.(*Model)
	if !ok || root == nil {
		return nil
	}
	var errs []error
	for _, s := range root.stack {
		if d, ok := s.(kit.DraftKeeper); ok {
			if err := d.KeepDraft(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func (m *Model) push(s kit.Screen) (tea.Model, tea.Cmd) {
	m.stack = append(m.stack, s)
	m.resize()
	m.status = ""
	return m, s.Init()
}

func (m *Model) pop(refresh bool) (tea.Model, tea.Cmd) {
	if len(m.stack) == 1 {
		return m, nil
	}
	m.stack = m.stack[:len(m.stack)-1]
	m.resize()
	if refresh {
		return m, m.Top().Init()
	}
	return m, nil
}

// helpColumns lays the full help out in columns of at most rows keys:
// the screen's keys beside the global ones where they fit in rows, else
// all of them flowed into as many even columns as it takes, so that at
// 60x20 no key (and not the line that says how to close the help) falls
// off the bottom.
func helpColumns(screen, global []key.Binding, rows int) [][]key.Binding {
	rows = max(rows, 1)
	if len(screen) <= rows && len(global) <= rows {
		return [][]key.Binding{screen, global}
	}
	all := append(append([]key.Binding(nil), screen...), global...)
	cols := (len(all) + rows - 1) / rows
	per := (len(all) + cols - 1) / cols
	var groups [][]key.Binding
	for len(all) > 0 {
		n := min(per, len(all))
		groups = append(groups, all[:n])
		all = all[n:]
	}
	return groups
}

// bodySize is what is left for a screen: the header, status line, sync
// footer and help bar take one line each.
func (m *Model) bodySize() (int, int) {
	return m.ctx.Width, max(1, m.ctx.Height-4)
}

func (m *Model) resize() {
	w, h := m.bodySize()
	m.help.Width = w
	for _, s := range m.stack {
		s.SetSize(w, h)
	}
}

// View renders header, the screen in front, the status line and the help
// bar, sized to the window.
func (m *Model) View() string {
	st, t := m.ctx.Styles, m.ctx.T
	w, h := m.bodySize()
	if m.ctx.Width < MinWidth || m.ctx.Height < MinHeight {
		msg := t.F("too.small", MinWidth, MinHeight)
		if m.ctx.Width <= 0 || m.ctx.Height <= 0 { // no size yet
			return msg
		}
		return kit.WrapBox(msg, m.ctx.Width, m.ctx.Height) // the message itself fits any window
	}
	header := m.header(w)
	var body string
	if m.fullHelp {
		body = m.fullHelpView(h)
	} else {
		body = m.Top().View()
	}
	body = lipgloss.NewStyle().Width(w).Height(h).MaxHeight(h).MaxWidth(w).Render(body)
	// A status wider than the window takes the sync line below it too
	// (two lines, then cut), so a message is read whole at 60 or 80
	// columns; the sync line is back when the status clears.
	footer := m.syncFooter(w)
	statusStyle := st.Status
	if !m.statusOK {
		statusStyle = st.StatusErr
	}
	var status string
	if ansi.StringWidth(m.status) > w {
		status = statusStyle.Render(kit.WrapBox(m.status, w, 2))
		footer = ""
	} else {
		status = statusStyle.Render(m.status)
	}
	keys := m.shortHelpView(w)
	if footer == "" {
		return lipgloss.JoinVertical(lipgloss.Left, header, body, status, keys)
	}
	return lipgloss.JoinVertical(lipgloss.Left, header, body, status, footer, keys)
}

func (m *Model) header(w int) string {
	st := m.ctx.Styles
	left := st.Header.Render(m.ctx.T.S("app.name")) + st.Muted.Render(" · ") + st.Title.Render(m.Top().Title())
	who := m.ctx.User
	if m.org != "" {
		who += " · " + m.org
	}
	right := st.Muted.Render(who)
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return kit.Truncate(left, w)
	}
	return left + strings.Repeat(" ", gap) + right
}

// helpParts splits the help bar into the screen's keys and the keys that
// always show (back, help, quit). Help and quit are left out while a text
// input has focus: there ? and q are typed, not obeyed.
func (m *Model) helpParts() (screen, fixed []key.Binding) {
	k := m.ctx.Keys
	screen = append([]key.Binding(nil), m.Top().Help()...)
	if len(m.stack) > 1 {
		fixed = append(fixed, k.Back)
	}
	if m.Top().Capturing() {
		return screen, fixed
	}
	return screen, append(fixed, k.Help, k.Quit)
}

// shortHelpView is the help bar, w cells wide. When the screen's keys do
// not all fit, the last ones give way, never back, help or quit: "?"
// lists them all.
func (m *Model) shortHelpView(w int) string {
	screen, fixed := m.helpParts()
	h := m.help
	h.Width = 0 // measure whole; it would cut with an ellipsis itself
	for {
		v := h.ShortHelpView(append(append([]key.Binding(nil), screen...), fixed...))
		if lipgloss.Width(v) <= w || len(screen) == 0 {
			// help.ShortHelpView overflows when not even its ellipsis
			// fits: cut it.
			return kit.Truncate(v, w)
		}
		screen = screen[:len(screen)-1]
	}
}

// fullHelpView lists every key of the screen in front and the global
// ones, in h lines.
func (m *Model) fullHelpView(h int) string {
	st := m.ctx.Styles
	var b strings.Builder
	b.WriteString(st.Section.Render(m.ctx.T.S("help.title")) + "\n\n")
	global := []key.Binding{m.ctx.Keys.Back, m.ctx.Keys.Help, m.ctx.Keys.Quit, m.ctx.Keys.Sync}
	if m.sync.opt.Refused != nil {
		global = append(global, m.ctx.Keys.Refused)
	}
	b.WriteString(m.help.FullHelpView(helpColumns(m.Top().Help(), global, h-4)))
	b.WriteString("\n\n" + st.Muted.Render(m.ctx.T.S("help.close")))
	return b.String()
}
