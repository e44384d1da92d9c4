package dossier

import (
	"strings"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// contactSpec lists the network: name with role and organisation, then
// phone and e-mail.
func contactSpec() entitySpec {
	return entitySpec{
		kind:  store.EntityContact,
		title: "contacts.title",
		empty: "contacts.empty",
		rows: func(s *EntityScreen, w int) []entityRow {
			st, t := s.ctx.Styles, s.ctx.T
			sep := t.S("entity.sep")
			var rows []entityRow
			for _, c := range s.Client.Contacts {
				if c.Removed {
					continue
				}
				name := c.Name.Value
				if name == "" {
					name = t.S("contacts.noname")
				}
				var about, reach []string
				for _, v := range []store.Value{c.Role, c.Org} {
					if v.Value != "" {
						about = append(about, v.Value)
					}
				}
				for _, v := range []store.Value{c.Phone, c.Email} {
					if v.Value != "" {
						reach = append(reach, v.Value)
					}
				}
				main := name
				if len(about) > 0 {
					main += "  " + st.Muted.Render(strings.Join(about, sep))
				}
				r := entityRow{id: c.ID, mark: " ", lines: []string{kit.Truncate(main, w)}}
				if len(reach) > 0 {
					r.lines = append(r.lines, kit.Truncate(strings.Join(reach, sep), w))
				}
				rows = append(rows, r)
			}
			return rows
		},
		form: contactForm,
	}
}

// contactForm opens the form for a new contact or to edit contact id.
func contactForm(s *EntityScreen, id string) kit.Screen {
	t := s.ctx.T
	var cur store.Contact
	for _, c := range s.Client.Contacts {
		if c.ID == id {
			cur = c
		}
	}
	label := func(name string) string { return fieldLabel(t, store.EntityContact, name) }
	fields := []kit.FormField{
		{Name: "name", Label: label("name"), Kind: kit.FieldLine, Value: cur.Name.Value},
		{Name: "role", Label: label("role"), Kind: kit.FieldLine, Value: cur.Role.Value},
		{Name: "org", Label: label("org"), Kind: kit.FieldLine, Value: cur.Org.Value},
		{Name: "phone", Label: label("phone"), Kind: kit.FieldLine, Value: cur.Phone.Value, Check: store.CheckPhone},
		{Name: "email", Label: label("email"), Kind: kit.FieldLine, Value: cur.Email.Value, Check: store.CheckEmail},
	}
	dossier := s.Dossier
	title, saved := t.S("contacts.new"), t.S("contacts.added")
	save := addEntity(dossier, store.EntityContact)
	if id != "" {
		title, saved = t.S("contacts.edit"), t.S("status.saved")
		save = commitEdit(dossier, store.EntityContact, id, fields)
	}
	f := kit.NewForm(s.ctx, dossier, title, fields, save, saved)
	// A contact needs at least a name, an organisation or a role.
	f.Check = func(v map[string]string) (int, string) {
		if v["name"] == "" && v["org"] == "" && v["role"] == "" {
			return 0, t.S("contacts.err.empty")
		}
		return -1, ""
	}
	return f
}
