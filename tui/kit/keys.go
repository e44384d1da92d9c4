package kit

import (
	"github.com/brug-nl/brug/tui/texts"
	"github.com/charmbracelet/bubbles/key"
)

// KeyMap is every key binding of the app, with help texts from the
// catalogue: the shared ones first, then each screen's own, grouped per
// screen (On...), so that what a key means where shows in this one file.
// One is built per program (per SSH session on a server); screens pick
// the ones they use and copy their group.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Left, Right, NextField, PrevField     key.Binding
	Open, Back, Quit, Help                key.Binding
	Filter, Sort, New, Edit, Remove, Undo key.Binding
	Toggle, Save, Done, Status            key.Binding
	Journal, Agreements, Contacts, Route  key.Binding
	Conflicts                             key.Binding
	Refused                               key.Binding // the changes the server refused (tui/refused.go)
	Overview, Review                      key.Binding // coordinators: team overview and review queue (tui/coord)
	Report                                key.Binding // the flow report (tui/report)
	Sync                                  key.Binding // sync with the server now (tui/sync.go)
	Step                                  key.Binding // 1..6: jump to a step

	OnOverview   OverviewKeys  // a client's overview (tui/dossier)
	OnList       ListKeys      // the client list (tui/clients)
	OnStep       StepKeys      // the step screen (tui/dossier)
	OnConflict   ConflictKeys  // settling one conflict (tui/dossier)
	OnEntities   EntityKeys    // the journal, agreements, contacts and route lists (tui/dossier)
	OnAgreements AgreementKeys // the agreements list (tui/dossier)
	OnRoute      RouteKeys     // the route list (tui/dossier)
	OnEnd        EndKeys       // the indications and arrangements lists (tui/dossier)
	OnReview     ReviewKeys    // a coordinator's review of a step (tui/dossier)
	OnCoordList  CoordListKeys // the team overview and review queue (tui/coord)
	OnReport     ReportKeys    // the flow report (tui/report)
	OnRefused    RefusedKeys   // the changes the server refused (tui/refused.go)
	OnPlan       PlanKeys      // the person's plan (tui/dossier)
	OnSharing    SharingKeys   // sharing the dossier (tui/dossier/sharing.go)
}

// OverviewKeys are the overview's own bindings: the client's record,
// indications, arrangements, the person's plan, and withdrawing a client created by mistake
// (and restoring it).
type OverviewKeys struct{ Record, Indications, Arrangements, Withdraw, Restore, Plan, Share key.Binding }

// SharingKeys are the sharing screen's own bindings: withdrawing the
// person's consent for the share under the cursor.
type SharingKeys struct{ Withdraw key.Binding }

// ListKeys are the client list's own bindings.
type ListKeys struct {
	Withdrawn, Merge key.Binding
	Register         key.Binding // the region's register (tui/clients/register.go)
}

// EndKeys end an indication or arrangement as of today.
type EndKeys struct{ End key.Binding }

// StepKeys are the step screen's bindings. Prev and Next match; Steps is
// only their shared help entry.
type StepKeys struct{ Note, Prev, Next, Steps, Share key.Binding }

// ConflictKeys are the conflict screen's bindings.
type ConflictKeys struct{ Pick, Keep, Merge, Prev, Next key.Binding }

// EntityKeys are the entity lists' bindings with help texts of the lists.
type EntityKeys struct{ New, Edit, Remove, Undo key.Binding }

// AgreementKeys are the agreements list's own (help) bindings.
type AgreementKeys struct{ Done key.Binding }

// RouteKeys are the route list's own (help) bindings.
type RouteKeys struct{ Move key.Binding }

// ReviewKeys are the review screen's own bindings.
type ReviewKeys struct{ SignOff, SendBack key.Binding }

// CoordListKeys are the coordinator tables' own bindings.
type CoordListKeys struct {
	Team      key.Binding
	Employers key.Binding // the employer view (tui/coord/employers.go), from the team overview
}

// ReportKeys are the flow report's own bindings.
type ReportKeys struct{ Prev, Next, Span, Team key.Binding }

// PlanKeys are the plan screen's own bindings: the plan in the other
// language (Dutch or English) than the app's.
type PlanKeys struct{ Lang key.Binding }

// RefusedKeys are the refused screen's own (help) bindings.
type RefusedKeys struct{ Clear key.Binding }

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
		Sync:       b("key.sync", "ctrl+r"),
		Report:     b("report.key.open", "F"),
		Refused:    b("refused.key.open", "R"),
		Overview:   b("coord.key.overview", "O"),
		Review:     b("coord.key.review", "B"),
		Step:       key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-6", t.S("key.step"))),

		OnOverview: OverviewKeys{
			Record:       key.NewBinding(key.WithKeys("e"), key.WithHelp("e", t.S("record.key.edit"))),
			Indications:  key.NewBinding(key.WithKeys("i"), key.WithHelp("i", t.S("key.indications"))),
			Arrangements: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", t.S("key.arrangements"))),
			Withdraw:     key.NewBinding(key.WithKeys("X"), key.WithHelp("X", t.S("record.key.withdraw"))),
			Restore:      key.NewBinding(key.WithKeys("U"), key.WithHelp("U", t.S("record.key.restore"))),
			Plan:         key.NewBinding(key.WithKeys("p"), key.WithHelp("p", t.S("plan.key.open"))),
			Share:        key.NewBinding(key.WithKeys("D"), key.WithHelp("D", t.S("sharing.key.open"))),
		},
		OnSharing: SharingKeys{
			Withdraw: key.NewBinding(key.WithKeys("X"), key.WithHelp("X", t.S("sharing.key.withdraw"))),
		},
		OnList: ListKeys{
			Withdrawn: key.NewBinding(key.WithKeys("W"), key.WithHelp("W", t.S("list.key.withdrawn"))),
			Merge:     key.NewBinding(key.WithKeys("M"), key.WithHelp("M", t.S("list.key.merge"))),
			Register:  key.NewBinding(key.WithKeys("o"), key.WithHelp("o", t.S("register.key.open"))),
		},
		OnEnd: EndKeys{
			End: key.NewBinding(key.WithKeys("E"), key.WithHelp("E", t.S("record.key.end"))),
		},
		OnStep: StepKeys{
			Note:  key.NewBinding(key.WithKeys("N"), key.WithHelp("N", t.S("step.key.note"))),
			Prev:  key.NewBinding(key.WithKeys("left", "h", "[")),
			Next:  key.NewBinding(key.WithKeys("right", "l", "]")),
			Steps: key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", t.S("step.key.steps"))),
			Share: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", t.S("sharing.key.open"))),
		},
		OnConflict: ConflictKeys{
			Pick:  key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1/2", t.S("conflict.key.pick"))),
			Keep:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", t.S("conflict.key.keep"))),
			Merge: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", t.S("conflict.key.merge"))),
			Prev:  key.NewBinding(key.WithKeys("left", "h", "shift+tab"), key.WithHelp("←/→", t.S("conflict.key.choose"))),
			Next:  key.NewBinding(key.WithKeys("right", "l", "tab")),
		},
		OnEntities: EntityKeys{
			New:    key.NewBinding(key.WithKeys("n"), key.WithHelp("n", t.S("entity.key.new"))),
			Edit:   key.NewBinding(key.WithKeys("enter", "e"), key.WithHelp("enter", t.S("entity.key.edit"))),
			Remove: key.NewBinding(key.WithKeys("x", "delete"), key.WithHelp("x", t.S("entity.key.remove"))),
			Undo:   key.NewBinding(key.WithKeys("u"), key.WithHelp("u", t.S("entity.key.undo"))),
		},
		OnAgreements: AgreementKeys{
			Done: key.NewBinding(key.WithKeys(" "), key.WithHelp(t.S("key.space"), t.S("agreements.key.done"))),
		},
		OnRoute: RouteKeys{
			Move: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", t.S("route.key.move"))),
		},
		OnReview: ReviewKeys{
			SignOff:  key.NewBinding(key.WithKeys("A"), key.WithHelp("A", t.S("coord.key.signoff"))),
			SendBack: key.NewBinding(key.WithKeys("T"), key.WithHelp("T", t.S("coord.key.sendback"))),
		},
		OnCoordList: CoordListKeys{
			Team:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", t.S("coord.key.team"))),
			Employers: key.NewBinding(key.WithKeys("E"), key.WithHelp("E", t.S("employers.key.open"))),
		},
		OnReport: ReportKeys{
			Prev: key.NewBinding(key.WithKeys("left", "h", "["), key.WithHelp("←", t.S("report.key.prev"))),
			Next: key.NewBinding(key.WithKeys("right", "l", "]"), key.WithHelp("→", t.S("report.key.next"))),
			Span: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", t.S("report.key.span"))),
			Team: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", t.S("report.key.team"))),
		},
		OnPlan: PlanKeys{
			Lang: key.NewBinding(key.WithKeys("L"), key.WithHelp("L", t.S("plan.key.lang"))),
		},
		OnRefused: RefusedKeys{
			Clear: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", t.S("refused.key.clear"))),
		},
	}
}
