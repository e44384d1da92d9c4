package dossier

import (
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/texts"
)

// visibleAgreements are the agreements not removed: open ones first, by
// due date (those without a date last), then the done ones.
func visibleAgreements(c *store.Client) []store.Agreement {
	var out []store.Agreement
	for _, a := range c.Agreements {
		if !a.Removed {
			out = append(out, a)
		}
	}
	rank := func(a store.Agreement) (bool, bool, string) {
		return a.Done.Value == "1", a.Due.Value == "", a.Due.Value
	}
	sort.SliceStable(out, func(i, j int) bool {
		di, ni, dui := rank(out[i])
		dj, nj, duj := rank(out[j])
		if di != dj {
			return !di
		}
		if ni != nj {
			return !ni
		}
		return dui < duj
	})
	return out
}

// agreementOwner is "role · organisation · person", what is known of it.
func agreementOwner(t *texts.Texts, a store.Agreement) string {
	var parts []string
	for _, v := range []store.Value{a.Role, a.Org, a.Person} {
		if v.Value != "" {
			parts = append(parts, v.Value)
		}
	}
	return strings.Join(parts, t.S("entity.sep"))
}

// agreementSpec lists agreements: done box, due date (red with ! when
// overdue), what, and who owns it.
func agreementSpec() entitySpec {
	return entitySpec{
		kind:  store.EntityAgreement,
		title: "agreements.title",
		empty: "agreements.empty",
		rows: func(s *EntityScreen, w int) []entityRow {
			st, t := s.ctx.Styles, s.ctx.T
			day := kit.TodayOf(s.ctx)
			dw := kit.DateWidth(t)
			var rows []entityRow
			for _, a := range visibleAgreements(s.Client) {
				done := a.Done.Value == "1"
				overdue := !done && a.Due.Value != "" && a.Due.Value < day
				box := "[ ] "
				if done {
					box = "[x] "
				}
				due := kit.Fit(kit.FormatDate(t, a.Due.Value), dw)
				if a.Due.Value == "" {
					due = kit.Fit(t.S("agreements.nodue"), dw)
				}
				what := kit.FirstLine(a.What.Value)
				if a.What.Conflict() {
					what = t.F("step.conflict", len(a.What.Heads))
				}
				r := entityRow{id: a.ID, mark: " "}
				main := box + due + "  " + what
				switch {
				case overdue:
					r.mark = st.Bad.Render("!")
					main = box + st.Bad.Render(due) + "  " + what + "  " + st.Bad.Render(t.S("agreements.overdue"))
				case done:
					main = st.Good.Render(box) + st.Muted.Render(due+"  "+what)
				}
				if a.What.Conflict() {
					r.mark = st.Conflict.Render("!")
					r.conflict = store.AgreementField(a.ID, "what")
				}
				r.lines = []string{kit.Truncate(main, w)}
				if owner := agreementOwner(t, a); owner != "" {
					r.lines = append(r.lines, st.Muted.Render(kit.Truncate(strings.Repeat(" ", 4+dw+2)+owner, w)))
				}
				rows = append(rows, r)
			}
			return rows
		},
		form: agreementForm,
		key: func(s *EntityScreen, msg tea.KeyMsg) (bool, tea.Cmd) {
			if !key.Matches(msg, s.ctx.Keys.Toggle) {
				return false, nil
			}
			rows := s.rows()
			r, ok := s.current(rows)
			if !ok {
				return true, nil
			}
			next := "1"
			for _, a := range s.Client.Agreements {
				if a.ID == r.id && a.Done.Value == "1" {
					next = "0"
				}
			}
			st, dossier, field := s.ctx.Store, s.Dossier, store.AgreementField(r.id, "done")
			return true, kit.WriteCmd(s, dossier, "done", r.id, func() error {
				_, err := st.Commit(dossier, store.Set(field, next))
				return err
			})
		},
		help: func(s *EntityScreen) []key.Binding {
			return []key.Binding{s.ctx.Keys.OnAgreements.Done}
		},
	}
}

// agreementForm opens the form for a new agreement or to edit agreement id.
func agreementForm(s *EntityScreen, id string) kit.Screen {
	t := s.ctx.T
	var cur store.Agreement
	for _, a := range s.Client.Agreements {
		if a.ID == id {
			cur = a
		}
	}
	label := func(name string) string { return fieldLabel(t, store.EntityAgreement, name) }
	fields := []kit.FormField{
		{Name: "what", Label: label("what"), Kind: kit.FieldText, Value: cur.What.Value, Seen: kit.SeenHeads(cur.What), Required: true, Lines: 4},
		{Name: "role", Label: label("role"), Kind: kit.FieldLine, Value: cur.Role.Value},
		{Name: "org", Label: label("org"), Kind: kit.FieldLine, Value: cur.Org.Value},
		{Name: "person", Label: label("person"), Kind: kit.FieldLine, Value: cur.Person.Value},
		{Name: "due", Label: label("due"), Kind: kit.FieldDate, Value: cur.Due.Value},
	}
	if id == "" {
		return kit.NewForm(s.ctx, s.Dossier, t.S("agreements.new"), fields, addEntity(s.Dossier, store.EntityAgreement), t.S("agreements.added"))
	}
	return kit.NewForm(s.ctx, s.Dossier, t.S("agreements.edit"), fields,
		commitEdit(s.Dossier, store.EntityAgreement, id, fields), t.S("status.saved")).Watch(store.EntityAgreement, id)
}
