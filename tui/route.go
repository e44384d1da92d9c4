package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
)

// routeSpec shows where the client stands now and the moves that led
// there, oldest first; a move back is marked as a step back, which is a
// normal move.
func routeSpec() entitySpec {
	return entitySpec{
		kind:  store.EntityMove,
		title: "route.title",
		empty: "route.empty",
		header: func(s *entityScreen, w int) []string {
			st, t := s.ctx.Styles, s.ctx.T
			now := placesLabel(t, s.client.Places.Value)
			if now == "" {
				now = t.S("route.unknown")
			}
			lines := []string{truncate(st.Section.Render(t.S("route.now"))+" "+now, w)}
			if target := s.client.RouteTarget.Value; target != "" {
				lines = append(lines, truncate(st.Muted.Render(t.S("route.target"))+" "+placeLabel(t, store.Place(target)), w))
			}
			return append(lines, "", st.Section.Render(t.S("route.history")))
		},
		rows: func(s *entityScreen, w int) []entityRow {
			st, t := s.ctx.Styles, s.ctx.T
			dw := dateWidth(t)
			var rows []entityRow
			for _, m := range s.client.Moves {
				if m.Removed {
					continue
				}
				from := placesLabel(t, m.From.Value)
				if from == "" {
					from = t.S("route.unknown")
				}
				var what string
				if m.Back() {
					// First, so that it is seen whatever the width.
					what = st.Warn.Render(t.S("route.back")) + " "
				}
				what += from + " → " + placesLabel(t, m.To.Value)
				// Where from and where to is the point of the row: wrap it
				// under itself rather than cut it off.
				date := fit(formatDate(t, m.Date.Value), dw) + "  "
				r := entityRow{id: m.ID, mark: " "}
				for i, l := range clipLines(wrapText(what, max(10, w-dw-2)), 2, max(10, w-dw-2)) {
					if i == 0 {
						r.lines = append(r.lines, date+l)
					} else {
						r.lines = append(r.lines, strings.Repeat(" ", dw+2)+l)
					}
				}
				switch {
				case m.Reason.Conflict():
					r.mark = st.Conflict.Render("!")
					r.conflict = store.EntityMove + "/" + m.ID + "/reason"
					r.lines = append(r.lines, st.Conflict.Render(truncate(t.F("step.conflict", len(m.Reason.Heads)), w)))
				case strings.TrimSpace(m.Reason.Value) != "":
					for _, l := range clipLines(wrapText(headText(strings.TrimSpace(m.Reason.Value), 2, w), w), 2, w) {
						r.lines = append(r.lines, st.Muted.Render(l))
					}
				}
				rows = append(rows, r)
			}
			return rows
		},
		form: moveForm,
		key: func(s *entityScreen, msg tea.KeyMsg) (bool, tea.Cmd) {
			if key.Matches(msg, s.ctx.Keys.Move) {
				return true, Push(moveForm(s, ""))
			}
			return false, nil
		},
		help: func(s *entityScreen) []key.Binding {
			return []key.Binding{key.NewBinding(key.WithKeys("m"), key.WithHelp("m", s.ctx.T.S("route.key.move")))}
		},
	}
}

// moveForm opens the form to record a move (where to, which day, why) or
// to edit the day and reason of move id. Where a recorded move went is
// history: it is not edited.
func moveForm(s *entityScreen, id string) Screen {
	t := s.ctx.T
	label := func(name string) string { return fieldLabel(t, store.EntityMove, name) }
	if id == "" {
		places := store.Places()
		codes := make([]string, len(places))
		for i, p := range places {
			codes[i] = string(p)
		}
		fields := []formField{
			{name: "to", label: label("to"), kind: formPlaces, options: codes, required: true,
				optLabel: func(c string) string { return placeLabel(t, store.Place(c)) }},
			{name: "date", label: label("date"), kind: formDate, value: todayOf(s.ctx), required: true},
			{name: "reason", label: label("reason"), kind: formText, lines: 4},
		}
		dossier := s.dossier
		save := func(st Store, v map[string]string) error {
			var to []store.Place
			for _, p := range store.SplitList(v["to"]) {
				to = append(to, store.Place(p))
			}
			_, err := st.RecordMove(dossier, to, v["date"], v["reason"])
			return err
		}
		return newEntityForm(s.ctx, dossier, t.S("route.new"), fields, save, t.S("route.added"))
	}
	var cur store.Move
	for _, m := range s.client.Moves {
		if m.ID == id {
			cur = m
		}
	}
	fields := []formField{
		{name: "date", label: label("date"), kind: formDate, value: cur.Date.Value, required: true},
		{name: "reason", label: label("reason"), kind: formText, value: cur.Reason.Value, seen: seenHeads(cur.Reason), lines: 6},
	}
	title := t.F("route.edit", placesLabel(t, cur.From.Value), placesLabel(t, cur.To.Value))
	return newEntityForm(s.ctx, s.dossier, title, fields, commitEdit(s.dossier, store.EntityMove, id, fields), t.S("status.saved"))
}
