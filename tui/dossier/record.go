package dossier

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/texts"
)

// codeLabel is the display name of an indication or arrangement kind.
func codeLabel(t *texts.Texts, prefix, code string) string {
	if k := prefix + code; t.Has(k) {
		return t.S(k)
	}
	return code
}

// period shows "14 mrt 2025 – 1 jan 2026", "vanaf ..." or "tot ...".
func period(t *texts.Texts, from, to string) string {
	switch {
	case from != "" && to != "":
		return t.F("export.period", kit.FormatDate(t, from), kit.FormatDate(t, to))
	case from != "":
		return t.F("export.from", kit.FormatDate(t, from))
	case to != "":
		return t.F("export.until", kit.FormatDate(t, to))
	}
	return ""
}

// ended reports whether a period's end day lies before today.
func ended(ctx *kit.Context, to string) bool { return to != "" && to < kit.TodayOf(ctx) }

// endKey handles E on the indications and arrangements lists: the entity
// under the cursor ends today (its until or to day becomes today).
func endKey(field string) func(s *EntityScreen, msg tea.KeyMsg) (bool, tea.Cmd) {
	return func(s *EntityScreen, msg tea.KeyMsg) (bool, tea.Cmd) {
		if !key.Matches(msg, s.ctx.Keys.OnEnd.End) {
			return false, nil
		}
		r, ok := s.current(s.rows())
		if !ok {
			return true, nil
		}
		st, dossier, f, today := s.ctx.Store, s.Dossier, store.EntityField(s.spec.kind, r.id, field), kit.TodayOf(s.ctx)
		return true, kit.WriteCmd(s, dossier, "end", r.id, func() error {
			_, err := st.Commit(dossier, store.Set(f, today))
			return err
		})
	}
}

// indicationSpec lists indications and assessments (Wmo, Wlz, UWV advice,
// the target-group register): kind, period, and the note's start; ended
// ones are marked.
func indicationSpec() entitySpec {
	return entitySpec{
		kind:  store.EntityIndication,
		title: "indications.title",
		empty: "indications.empty",
		rows: func(s *EntityScreen, w int) []entityRow {
			st, t := s.ctx.Styles, s.ctx.T
			var rows []entityRow
			for _, in := range s.Client.Indications {
				if in.Removed {
					continue
				}
				head := codeLabel(t, "indication.", in.Kind.Value)
				if p := period(t, in.Date.Value, in.Until.Value); p != "" {
					head += "  " + st.Muted.Render(p)
				}
				if ended(s.ctx, in.Until.Value) {
					head += "  " + st.Warn.Render(t.S("indications.ended"))
				}
				r := entityRow{id: in.ID, mark: " ", lines: []string{kit.Truncate(head, w)}}
				switch {
				case in.Note.Conflict():
					r.mark = st.Conflict.Render("!")
					r.conflict = store.EntityField(store.EntityIndication, in.ID, "note")
					r.lines = append(r.lines, st.Conflict.Render(kit.Truncate(t.F("step.conflict", len(in.Note.Heads)), w)))
				case strings.TrimSpace(in.Note.Value) != "":
					r.lines = append(r.lines, st.Muted.Render(kit.Truncate(kit.HeadText(strings.TrimSpace(in.Note.Value), 1, w), w)))
				}
				rows = append(rows, r)
			}
			return rows
		},
		form: indicationForm,
		key:  endKey("until"),
		help: func(s *EntityScreen) []key.Binding { return []key.Binding{s.ctx.Keys.OnEnd.End} },
	}
}

// indicationForm opens the form for a new indication or to change one.
func indicationForm(s *EntityScreen, id string) kit.Screen {
	t := s.ctx.T
	var cur store.Indication
	for _, in := range s.Client.Indications {
		if in.ID == id {
			cur = in
		}
	}
	label := func(name string) string { return fieldLabel(t, store.EntityIndication, name) }
	kinds := append([]string(nil), store.IndicationKinds...)
	fields := []kit.FormField{
		{Name: "kind", Label: label("kind"), Kind: kit.FieldChoice, Options: kinds, Value: cur.Kind.Value,
			OptLabel: func(c string) string { return codeLabel(t, "indication.", c) }},
		{Name: "date", Label: label("date"), Kind: kit.FieldDate, Value: cur.Date.Value, Required: true},
		{Name: "until", Label: label("until"), Kind: kit.FieldDate, Value: cur.Until.Value},
		{Name: "note", Label: label("note"), Kind: kit.FieldText, Value: cur.Note.Value, Seen: kit.SeenHeads(cur.Note), Lines: 4},
	}
	title, saved, save := t.S("indications.new"), t.S("indications.added"), addEntity(s.Dossier, store.EntityIndication)
	if id == "" {
		fields[0].Value, fields[1].Value = kinds[0], kit.TodayOf(s.ctx)
	} else {
		title, saved, save = t.S("indications.edit"), t.S("status.saved"), commitEdit(s.Dossier, store.EntityIndication, id, fields)
	}
	f := kit.NewForm(s.ctx, s.Dossier, title, fields, save, saved)
	if id != "" {
		f.Watch(store.EntityIndication, id)
	}
	f.Check = orderCheck(t, fields, "date", "until")
	return f
}

// arrangementSpec lists arrangements (wage value, self-reliance): kind,
// value and period; ended ones are marked.
func arrangementSpec() entitySpec {
	return entitySpec{
		kind:  store.EntityArrangement,
		title: "arrangements.title",
		empty: "arrangements.empty",
		rows: func(s *EntityScreen, w int) []entityRow {
			st, t := s.ctx.Styles, s.ctx.T
			var rows []entityRow
			for _, a := range s.Client.Arrangements {
				if a.Removed {
					continue
				}
				head := codeLabel(t, "arrangement.", a.Kind.Value)
				if a.Value.Value != "" {
					head += t.S("entity.sep") + a.Value.Value
				}
				if p := period(t, a.From.Value, a.To.Value); p != "" {
					head += "  " + st.Muted.Render(p)
				}
				if ended(s.ctx, a.To.Value) {
					head += "  " + st.Warn.Render(t.S("indications.ended"))
				}
				rows = append(rows, entityRow{id: a.ID, mark: " ", lines: []string{kit.Truncate(head, w)}})
			}
			return rows
		},
		form: arrangementForm,
		key:  endKey("to"),
		help: func(s *EntityScreen) []key.Binding { return []key.Binding{s.ctx.Keys.OnEnd.End} },
	}
}

// arrangementForm opens the form for a new arrangement or to change one.
// A wage value is a percentage from 0 to 100.
func arrangementForm(s *EntityScreen, id string) kit.Screen {
	t := s.ctx.T
	var cur store.Arrangement
	for _, a := range s.Client.Arrangements {
		if a.ID == id {
			cur = a
		}
	}
	label := func(name string) string { return fieldLabel(t, store.EntityArrangement, name) }
	kinds := append([]string(nil), store.ArrangementKinds...)
	fields := []kit.FormField{
		{Name: "kind", Label: label("kind"), Kind: kit.FieldChoice, Options: kinds, Value: cur.Kind.Value,
			OptLabel: func(c string) string { return codeLabel(t, "arrangement.", c) }},
		{Name: "value", Label: label("value"), Kind: kit.FieldLine, Value: cur.Value.Value, Required: true},
		{Name: "from", Label: label("from"), Kind: kit.FieldDate, Value: cur.From.Value, Required: true},
		{Name: "to", Label: label("to"), Kind: kit.FieldDate, Value: cur.To.Value},
	}
	title, saved, save := t.S("arrangements.new"), t.S("arrangements.added"), addEntity(s.Dossier, store.EntityArrangement)
	if id == "" {
		fields[0].Value, fields[2].Value = kinds[0], kit.TodayOf(s.ctx)
	} else {
		title, saved, save = t.S("arrangements.edit"), t.S("status.saved"), commitEdit(s.Dossier, store.EntityArrangement, id, fields)
	}
	f := kit.NewForm(s.ctx, s.Dossier, title, fields, save, saved)
	order := orderCheck(t, fields, "from", "to")
	f.Check = func(v map[string]string) (int, string) {
		if v["kind"] == "loonwaarde" {
			p := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v["value"]), "%"))
			if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 100 {
				return 1, t.S("arrangements.err.wage")
			}
			v["value"] = p + "%"
		}
		return order(v)
	}
	return f
}

// orderCheck refuses an end day before the start day.
func orderCheck(t *texts.Texts, fields []kit.FormField, from, to string) func(map[string]string) (int, string) {
	at := 0
	for i, fl := range fields {
		if fl.Name == to {
			at = i
		}
	}
	return func(v map[string]string) (int, string) {
		if v[from] != "" && v[to] != "" && v[to] < v[from] {
			return at, t.S("entity.form.err.order")
		}
		return -1, ""
	}
}

// NewIndicationsScreen lists a client's indications and assessments; n
// adds, enter changes, E ends one today, x removes (u undoes).
func NewIndicationsScreen(ctx *kit.Context, dossier string) kit.Screen {
	return newEntityScreen(ctx, dossier, indicationSpec())
}

// NewArrangementsScreen lists a client's arrangements (wage value,
// self-reliance); n adds, enter changes, E ends one today, x removes.
func NewArrangementsScreen(ctx *kit.Context, dossier string) kit.Screen {
	return newEntityScreen(ctx, dossier, arrangementSpec())
}
