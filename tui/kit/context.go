// Package kit is what the app's features share: the Context handed to
// every screen, the Screen contract and the messages screens send to the
// root (push, pop, open another feature's screen, status, changed), the
// styles, the KeyMap, widgets and table layout, the dossier load with its
// stale-result guard, and the escaping of what other devices typed.
// Features (tui/clients, tui/dossier, tui/coord, tui/report) import kit and
// never each other; the root (package tui) imports them all.
package kit

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/texts"
)

// Store is what the app needs from the local store. *store.Store
// satisfies it; tests may pass a fake.
type Store interface {
	Summaries() ([]store.Summary, error)
	Client(id string) (*store.Client, error)
	Heads(dossier, field string) ([]store.Head, error)
	Commit(dossier string, changes ...store.Change) ([]store.Op, error)
	CreateClient(n store.NewClient) (string, error)
	ToggleCheck(dossier string, step int, item string) (store.Op, error)
	AddEntity(dossier, kind string, fields map[string]string) (string, error)
	RemoveEntity(dossier, kind, id string) error
	RestoreEntity(dossier, kind, id string) error
	RecordMove(dossier string, to []store.Place, date, reason string) (string, error)
	Resolve(dossier, field, value string) error
}

// Context is what every screen needs, built once per program (one per SSH
// session on a server) and handed down. Screens read it; only the root
// model changes Width and Height.
type Context struct {
	Width, Height int
	Styles        *Styles
	Keys          *KeyMap
	T             *texts.Texts
	Store         Store
	Method        *method.Method
	User          string
	Now           func() time.Time
	// Teams are the user's teams on the sync server (known after login);
	// empty when working without a server. New clients must be in one.
	Teams []string
	// Role is the user's role on the server (coach, wijkteam, coordinator);
	// coordinator screens and sign-off are offered to coordinators only.
	Role string
	// OnServer is set when the app runs on the sync server itself (an SSH
	// session): the footer says so instead of "local".
	OnServer bool
	// SaveDir is the folder where the app saves documents for the coach,
	// such as a person's plan (the folder brug was started in); empty
	// where there is none to save to (an SSH session on the server).
	SaveDir string
}

// Screen is one screen of the app. Screens report intent to the root with
// messages (push, pop, status) instead of reaching into each other.
type Screen interface {
	// Init starts the screen's loading commands (never I/O itself).
	Init() tea.Cmd
	// Update handles a message and returns the screen to keep.
	Update(msg tea.Msg) (Screen, tea.Cmd)
	// View renders the screen body in the size given by SetSize.
	View() string
	// SetSize is called with the body size (the root's header and footer
	// taken off) before the first View and on every resize.
	SetSize(width, height int)
	// Title is the screen's name in the header.
	Title() string
	// Help lists the keys the screen answers to, for the help bar.
	Help() []key.Binding
	// Capturing reports whether a text input has focus, so that the root
	// must not treat q, ? or esc as global keys.
	Capturing() bool
}

// Messages screens send to the root.
type (
	// PushMsg opens a screen on top of the current one.
	PushMsg struct{ Screen Screen }
	// PopMsg goes back one screen; Refresh asks the screen below to reload.
	PopMsg struct{ Refresh bool }
	// StatusMsg shows a line in the status bar; Err marks it as an error.
	// Cause is the error behind an error line (StatusErr), so that the
	// root can act on what went wrong (a damaged file) without reading
	// the text, which is in the user's language.
	StatusMsg struct {
		Text  string
		Err   bool
		Cause error
	}
	// ChangedMsg is broadcast to all screens on the stack after a change to
	// a dossier was committed, so they reload what they show.
	// Dossier is the one a screen of this app changed; a sync names the
	// dossiers it brought changes to in Dossiers, or sets All when it
	// cannot say which.
	ChangedMsg struct {
		Dossier  string
		Dossiers []string
		All      bool
	}
)

// Target names a screen of another feature, for OpenMsg.
type Target int

// The screens features open in one another.
const (
	OpenDossier      Target = iota // a client's overview (tui/dossier)
	OpenReview                     // a coordinator's review of one step (tui/dossier)
	OpenTeamOverview               // the coordinator's team overview (tui/coord)
	OpenReviewQueue                // the coordinator's review queue (tui/coord)
	OpenFlowReport                 // the flow report (tui/report)
	OpenRecord                     // edit a client's record (tui/clients)
)

// OpenMsg asks the root to open a screen of another feature on top of the
// current one: features never import each other, the root knows them all.
type OpenMsg struct {
	To      Target
	Dossier string // the client, for OpenDossier and OpenReview
	Step    int    // the step, for OpenReview
}

// Open returns a command that asks the root to open a screen of another
// feature.
func Open(to Target, dossier string, step int) tea.Cmd {
	return func() tea.Msg { return OpenMsg{To: to, Dossier: dossier, Step: step} }
}

// DraftKeeper is a screen holding typed text meant to outlive the program
// (a send back's comment): the root asks each such screen on its stack to
// keep its draft when the program has ended (SaveDrafts).
type DraftKeeper interface {
	KeepDraft() error
}

// Unsaved is a screen that may hold typed text not yet saved (an editor,
// a form). While HasUnsaved reports true the root does not quit on ctrl+c
// but hands the screen an esc, which asks whether to drop the text as
// leaving does: a reflexive ctrl+c must not lose a note. While the screen
// asks, HasUnsaved is false, so a second ctrl+c quits.
type Unsaved interface {
	HasUnsaved() bool
}

// Push returns a command that opens s.
func Push(s Screen) tea.Cmd { return func() tea.Msg { return PushMsg{Screen: s} } }

// Pop returns a command that goes back one screen.
func Pop(refresh bool) tea.Cmd { return func() tea.Msg { return PopMsg{Refresh: refresh} } }

// ConflictsCountedMsg carries the number of conflicts in the dossiers not
// withdrawn, counted by a screen that read every summary anyway (the
// client list), so the footer need not decode them all a second time.
type ConflictsCountedMsg struct{ N int }

// Status returns a command that shows text in the status bar.
func Status(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: text, Err: isErr} }
}

// StatusErr returns a command that shows text, which says that something
// failed because of err, as an error in the status bar, with err as its
// Cause.
func StatusErr(text string, err error) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: text, Err: true, Cause: err} }
}

// RoleCoordinator is the role that gets the coordinator screens. It equals
// the sync protocol's role name; tui does not import sync.
const RoleCoordinator = "coordinator"

// IsCoordinator reports whether the user gets the coordinator screens.
func IsCoordinator(ctx *Context) bool { return ctx.Role == RoleCoordinator }

// CoordKeys are the keys that open the coordinator screens, for the help
// of the screens that offer them; none for other roles.
func CoordKeys(ctx *Context) []key.Binding {
	if !IsCoordinator(ctx) {
		return nil
	}
	return []key.Binding{ctx.Keys.Overview, ctx.Keys.Review}
}

// Touches reports whether the change may concern dossier id, so that a
// screen showing it must load it again.
func (m ChangedMsg) Touches(id string) bool {
	if m.All || m.Dossier == id {
		return true
	}
	for _, d := range m.Dossiers {
		if d == id {
			return true
		}
	}
	return false
}
