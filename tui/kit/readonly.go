package kit

import (
	"errors"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
)

// Read-only shares (issue 11, docs/sharing.md "In the app"): a dossier
// shared with the user's team to read only is marked in the list and the
// overview, and its changes are refused by the store before any op is
// made (store.ErrReadOnly); the server refuses them too.

// ReadOnly reports whether the user holds dossier c through a read-only
// share today (store.HeldReadOnly with the user's teams). Without teams
// (no server) nothing is read only.
func ReadOnly(ctx *Context, c *store.Client) bool {
	return c != nil && c.ReadOnlyFor(ctx.Teams, TodayOf(ctx))
}

// SaveErr is the status line for a write that failed, the catalogue's
// key formatted with the error; a change refused because the dossier is
// read only says so in its own words.
func SaveErr(ctx *Context, key string, err error) tea.Cmd {
	if errors.Is(err, store.ErrReadOnly) {
		return Status(ctx.T.S("readonly.refused"), true)
	}
	return StatusErr(ctx.T.F(key, err), err)
}

// Editing is a screen that changes a dossier (a form, a text editor):
// the root opens it only when the dossier is not read only, so nobody
// types what cannot be saved.
type Editing interface {
	EditsDossier() string // the dossier's id; "" for a new one
}

// EditsDossier is the dossier the form changes ("" for a new client).
func (f *Form) EditsDossier() string { return f.dossier }

// CheckedPushMsg opens an editing screen after GateEdit found its dossier
// writable.
type CheckedPushMsg struct{ Screen Screen }

// GateEdit reads the dossier off the UI goroutine and answers with a
// CheckedPushMsg, or with a status line when the user holds it read only.
// A dossier that cannot be read is left to the screen to report.
func GateEdit(st Store, s Screen, dossier string, teams []string, today string) tea.Cmd {
	return func() tea.Msg {
		if c, err := st.Client(dossier); err == nil && c.ReadOnlyFor(teams, today) {
			return readOnlyMsg{}
		}
		return CheckedPushMsg{Screen: s}
	}
}

// readOnlyMsg becomes the status line saying the dossier is read only
// (ReadOnlyStatus), in the root's language.
type readOnlyMsg struct{}

// ReadOnlyStatus turns a GateEdit refusal into the status line; other
// messages give nil, false.
func ReadOnlyStatus(ctx *Context, msg tea.Msg) (tea.Cmd, bool) {
	if _, ok := msg.(readOnlyMsg); ok {
		return Status(ctx.T.S("readonly.noedit"), true), true
	}
	return nil, false
}
