package dossier

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// routeSpec shows where the client stands now and the moves that led
// there, oldest first; a move back is marked as a step back, which is a
// normal move.
func routeSpec() entitySpec {
	return entitySpec{
		kind:  store.EntityMove,
		title: "route.title",
		empty: "route.empty",
		header: func(s *EntityScreen, w int) []string {
			st, t := s.ctx.Styles, s.ctx.T
			now := kit.PlacesLabel(t, s.Client.Places.Value)
			if now == "" {
				now = t.S("route.unknown")
			}
			lines := []string{kit.Truncate(st.Section.Render(t.S("route.now"))+" "+now, w)}
			if target := s.Client.RouteTarget.Value; target != "" {
				lines = append(lines, kit.Truncate(st.Muted.Render(t.S("route.target"))+" "+kit.PlaceLabel(t, store.Place(target)), w))
			}
			return append(lines, "", st.Section.Render(t.S("route.history")))
		},
		rows: func(s *EntityScreen, w int) []entityRow {
			st, t := s.ctx.Styles, s.ctx.T
			dw := kit.DateWidth(t)
			var rows []entityRow
			for _, m := range s.Client.Moves {
				if m.Removed {
					continue
				}
				from := kit.PlacesLabel(t, m.From.Value)
				if from == "" {
					from = t.S("route.unknown")
				}
				var what string
				if m.Back() {
					// First, so that it is seen whatever the width.
					what = st.Warn.Render(t.S("route.back")) + " "
				}
				what += from + " → " + kit.PlacesLabel(t, m.To.Value)
				// Where from and where to is the point of the row: wrap it
				// under itself rather than cut it off.
				date := kit.Fit(kit.FormatDate(t, m.Date.Value), dw) + "  "
				r := entityRow{id: m.ID, mark: " "}
				for i, l := range kit.ClipLines(kit.WrapText(what, max(10, w-dw-2)), 2, max(10, w-dw-2)) {
					if i == 0 {
						r.lines = append(r.lines, date+l)
					} else {
						r.lines = append(r.lines, strings.Repeat(" ", dw+2)+l)
					}
				}
				switch {
				case m.Reason.Conflict():
					r.mark = st.Conflict.Render("!")
					r.conflict = store.MoveField(m.ID, "reason")
					r.lines = append(r.lines, st.Conflict.Render(kit.Truncate(t.F("step.conflict", len(m.Reason.Heads)), w)))
				case strings.TrimSpace(m.Reason.Value) != "":
					for _, l := range kit.ClipLines(kit.WrapText(kit.HeadText(strings.TrimSpace(m.Reason.Value), 2, w), w), 2, w) {
						r.lines = append(r.lines, st.Muted.Render(l))
					}
				}
				rows = append(rows, r)
			}
			return rows
		},
		form: moveForm,
		key: func(s *EntityScreen, msg tea.KeyMsg) (bool, tea.Cmd) {
			if key.Matches(msg, s.ctx.Keys.OnRoute.Move) {
				return true, kit.Push(moveForm(s, ""))
			}
			return false, nil
		},
		help: func(s *EntityScreen) []key.Binding {
			return []key.Binding{s.ctx.Keys.OnRoute.Move}
		},
		helpWithoutRows: true,
	}
}

// moveForm opens the form to record a move (where to, which day, why) or
// to edit the day and reason of move id. Where a recorded move went is
// history: it is not edited.
func moveForm(s *EntityScreen, id string) kit.Screen {
	t := s.ctx.T
	label := func(name string) string { return fieldLabel(t, store.EntityMove, name) }
	if id == "" {
		reg := kit.LoadRegister(s.ctx.Store)
		places := store.Places()
		codes := make([]string, len(places))
		for i, p := range places {
			codes[i] = string(p)
		}
		fields := []kit.FormField{
			{Name: "to", Label: label("to"), Kind: kit.FieldPlaces, Options: codes, Required: true,
				OptLabel: func(c string) string { return kit.PlaceLabel(t, store.Place(c)) }},
			{Name: "date", Label: label("date"), Kind: kit.FieldDate, Value: kit.TodayOf(s.ctx), Required: true, NotAfterToday: true},
			{Name: "employer", Label: label("employer"), Kind: kit.FieldLine, Suggest: employerNames(reg)},
			{Name: "reason", Label: label("reason"), Kind: kit.FieldText, Lines: 4},
		}
		dossier := s.Dossier
		save := func(st kit.Store, v map[string]string) error {
			var to []store.Place
			for _, p := range store.SplitList(v["to"]) {
				to = append(to, store.Place(p))
			}
			employer := registerSpelling(reg, v["employer"])
			if employer == "" {
				_, err := st.RecordMove(dossier, to, v["date"], v["reason"])
				return err
			}
			es, ok := st.(moveEmployerStore)
			if !ok {
				return store.ErrNoEmployerPlace
			}
			_, err := es.RecordMoveEmployer(dossier, to, v["date"], v["reason"], employer)
			return err
		}
		f := kit.NewForm(s.ctx, dossier, t.S("route.new"), fields, save, t.S("route.added"))
		f.Check = func(v map[string]string) (int, string) {
			var to []store.Place
			for _, p := range store.SplitList(v["to"]) {
				to = append(to, store.Place(p))
			}
			if err := store.CheckMoveEmployer(to, v["employer"]); err != nil {
				if errors.Is(err, store.ErrNoEmployerPlace) {
					return 2, t.S("route.employer.noplace")
				}
				return 2, t.Cause(err)
			}
			return -1, ""
		}
		return f
	}
	var cur store.Move
	for _, m := range s.Client.Moves {
		if m.ID == id {
			cur = m
		}
	}
	fields := []kit.FormField{
		{Name: "date", Label: label("date"), Kind: kit.FieldDate, Value: cur.Date.Value, Required: true, NotAfterToday: true},
		{Name: "reason", Label: label("reason"), Kind: kit.FieldText, Value: cur.Reason.Value, Seen: kit.SeenHeads(cur.Reason), Lines: 6},
	}
	title := t.F("route.edit", kit.PlacesLabel(t, cur.From.Value), kit.PlacesLabel(t, cur.To.Value))
	return kit.NewForm(s.ctx, s.Dossier, title, fields, commitEdit(s.Dossier, store.EntityMove, id, fields), t.S("status.saved")).Watch(store.EntityMove, id)
}

// moveEmployerStore records a move naming its employer (*store.Store).
type moveEmployerStore interface {
	RecordMoveEmployer(dossier string, to []store.Place, date, reason, employer string) (string, error)
}

// employerNames are the register's employers, offered on a move.
func employerNames(r store.Register) []string {
	var out []string
	for _, o := range r.Find("", store.OrgEmployer) {
		out = append(out, o.Name)
	}
	return out
}

// registerSpelling is the register's name of the employer typed, when it
// names one with case and accents aside ("garage celik" is Garage Çelik),
// so that placements group under one name; else what was typed.
func registerSpelling(r store.Register, typed string) string {
	typed = strings.TrimSpace(typed)
	f := store.FoldName(typed)
	for _, o := range r.Orgs {
		if store.FoldName(o.Name) == f {
			return o.Name
		}
	}
	return typed
}
