package kit

import (
	"github.com/brug-nl/brug/tui/texts"
	"github.com/charmbracelet/bubbles/key"
)

// KeyMap is every key binding of the app, with help texts from the
// catalogue. One is built per program; screens pick the ones they use.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Left, Right, NextField, PrevField     key.Binding
	Open, Back, Quit, Help                key.Binding
	Filter, Sort, New, Edit, Remove, Undo key.Binding
	Toggle, Save, Done, Status            key.Binding
	Journal, Agreements, Contacts, Route  key.Binding
	Conflicts, Move                       key.Binding
	Refused                               key.Binding // the changes the server refused (tui/refused.go)
	Overview, Review                      key.Binding // coordinators: team overview and review queue (tui/coord)
	Report                                key.Binding // the flow report (tui/report)
	Sync                                  key.Binding // sync with the server now (tui/sync.go)
	Step                                  key.Binding // 1..6: jump to a step
}

// NewKeyMap builds the key map with help texts in t's language.
func NewKeyMap(t *texts.Texts) *KeyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], t.S(help)))
	}
	return &KeyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", t.S("key.up"))),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", t.S("key.down"))),
		PageUp:     b("key.pageup", "pgup"),
		PageDown:   b("key.pagedown", "pgdown"),
		Home:       b("key.home", "home", "g"),
		End:        b("key.end", "end", "G"),
		Left:       key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", t.S("key.left"))),
		Right:      key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", t.S("key.right"))),
		NextField:  b("key.nextfield", "tab"),
		PrevField:  b("key.prevfield", "shift+tab"),
		Open:       b("key.open", "enter"),
		Back:       b("key.back", "esc"),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", t.S("key.quit"))),
		Help:       b("key.help", "?"),
		Filter:     b("key.filter", "/"),
		Sort:       b("key.sort", "s"),
		New:        b("key.new", "n"),
		Edit:       b("key.edit", "e"),
		Remove:     b("key.remove", "x"),
		Undo:       b("key.undo", "u"),
		Toggle:     key.NewBinding(key.WithKeys(" "), key.WithHelp(t.S("key.space"), t.S("key.toggle"))),
		Save:       b("key.save", "ctrl+s"),
		Done:       b("key.done", "d"),
		Status:     b("key.status", "S"),
		Journal:    b("key.journal", "v"),
		Agreements: b("key.agreements", "a"),
		Contacts:   b("key.contacts", "c"),
		Route:      b("key.route", "r"),
		Conflicts:  b("key.conflicts", "!"),
		Move:       b("key.move", "m"),
		Sync:       b("key.sync", "ctrl+r"),
		Report:     b("report.key.open", "F"),
		Refused:    b("refused.key.open", "R"),
		Overview:   b("coord.key.overview", "O"),
		Review:     b("coord.key.review", "B"),
		Step:       key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-6", t.S("key.step"))),
	}
}
