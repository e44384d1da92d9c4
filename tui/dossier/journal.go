package dossier

import (
	"strings"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/texts"
)

// journalKindLabel is the display name of a journal kind code.
func journalKindLabel(t *texts.Texts, code string) string {
	if k := "journal.kind." + code; t.Has(k) {
		return t.S(k)
	}
	return code
}

// journalSpec lists journal entries: date, kind and place, then the start
// of the text.
func journalSpec() entitySpec {
	return entitySpec{
		kind:  store.EntityJournal,
		title: "journal.title",
		empty: "journal.empty",
		rows: func(s *EntityScreen, w int) []entityRow {
			st, t := s.ctx.Styles, s.ctx.T
			dw := kit.DateWidth(t)
			var rows []entityRow
			for _, j := range s.Client.Journal {
				if j.Removed {
					continue
				}
				head := kit.Fit(kit.FormatDate(t, j.Date.Value), dw) + "  " + journalKindLabel(t, j.Kind.Value)
				if j.Place.Value != "" {
					head += t.S("entity.sep") + j.Place.Value
				}
				r := entityRow{id: j.ID, mark: " ", lines: []string{kit.Truncate(head, w)}}
				switch {
				case j.Text.Conflict():
					r.mark = st.Conflict.Render("!")
					r.conflict = store.JournalField(j.ID, "text")
					r.lines = append(r.lines, st.Conflict.Render(kit.Truncate(t.F("step.conflict", len(j.Text.Heads)), w)))
				case strings.TrimSpace(j.Text.Value) == "":
					r.lines = append(r.lines, st.Muted.Render(t.S("journal.notext")))
				default:
					for _, l := range kit.ClipLines(kit.WrapText(kit.HeadText(strings.TrimSpace(j.Text.Value), 2, w), w), 2, w) {
						r.lines = append(r.lines, st.Muted.Render(l))
					}
				}
				rows = append(rows, r)
			}
			return rows
		},
		form: journalForm,
	}
}

// journalForm opens the form for a new entry (today, a visit) or to edit
// entry id.
func journalForm(s *EntityScreen, id string) kit.Screen {
	t := s.ctx.T
	var cur store.Journal
	for _, j := range s.Client.Journal {
		if j.ID == id {
			cur = j
		}
	}
	label := func(name string) string { return fieldLabel(t, store.EntityJournal, name) }
	kinds := append([]string(nil), store.JournalKinds...)
	fields := []kit.FormField{
		{Name: "kind", Label: label("kind"), Kind: kit.FieldChoice, Options: kinds,
			OptLabel: func(c string) string { return journalKindLabel(t, c) }, Value: cur.Kind.Value},
		{Name: "date", Label: label("date"), Kind: kit.FieldDate, Value: cur.Date.Value, Required: true},
		{Name: "place", Label: label("place"), Kind: kit.FieldLine, Value: cur.Place.Value},
		{Name: "text", Label: label("text"), Kind: kit.FieldText, Value: cur.Text.Value, Seen: kit.SeenHeads(cur.Text)},
	}
	if id == "" {
		fields[0].Value = kinds[0]
		fields[1].Value = kit.TodayOf(s.ctx)
		return kit.NewForm(s.ctx, s.Dossier, t.S("journal.new"), fields, addEntity(s.Dossier, store.EntityJournal), t.S("journal.added"))
	}
	return kit.NewForm(s.ctx, s.Dossier, t.S("journal.edit"), fields,
		commitEdit(s.Dossier, store.EntityJournal, id, fields), t.S("status.saved")).Watch(store.EntityJournal, id)
}
