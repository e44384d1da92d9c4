package store

// FieldValue finds the value of a field in the materialised dossier: step
// answers, notes and comments, and the fields of entities. ok is false for
// a field the dossier does not hold (or this code does not show).
func (c *Client) FieldValue(field string) (Value, bool) {
	p, _, err := ParseField(field)
	if err != nil || c == nil {
		return Value{}, false
	}
	switch p.Entity {
	case "step":
		n := p.Step()
		if n < 1 || n > len(c.Steps) {
			return Value{}, false
		}
		st := c.Steps[n-1]
		switch {
		case p.Sub == "answer":
			v, ok := st.Answers[p.Item]
			return v, ok
		case p.Sub == "check":
			v, ok := st.Checks[p.Item]
			return v, ok
		case p.Name == "note":
			return st.Note, true
		case p.Name == "comment":
			return st.Comment, true
		case p.Name == "status":
			return st.Status, true
		}
	case EntityAgreement:
		for _, a := range c.Agreements {
			if a.ID == p.ID {
				return pickField(p.Name, map[string]Value{"what": a.What, "role": a.Role, "org": a.Org, "person": a.Person, "due": a.Due, "done": a.Done})
			}
		}
	case EntityContact:
		for _, x := range c.Contacts {
			if x.ID == p.ID {
				return pickField(p.Name, map[string]Value{"role": x.Role, "org": x.Org, "name": x.Name, "phone": x.Phone, "email": x.Email})
			}
		}
	case EntityJournal:
		for _, j := range c.Journal {
			if j.ID == p.ID {
				return pickField(p.Name, map[string]Value{"kind": j.Kind, "date": j.Date, "place": j.Place, "text": j.Text})
			}
		}
	case EntityMove:
		for _, m := range c.Moves {
			if m.ID == p.ID {
				return pickField(p.Name, map[string]Value{"from": m.From, "to": m.To, "date": m.Date, "reason": m.Reason, "employer": m.Employer})
			}
		}
	case EntityIndication:
		for _, x := range c.Indications {
			if x.ID == p.ID {
				return pickField(p.Name, map[string]Value{"kind": x.Kind, "date": x.Date, "until": x.Until, "note": x.Note})
			}
		}
	case EntityArrangement:
		for _, x := range c.Arrangements {
			if x.ID == p.ID {
				return pickField(p.Name, map[string]Value{"kind": x.Kind, "value": x.Value, "from": x.From, "to": x.To})
			}
		}
	case EntityShare:
		for _, x := range c.Shares {
			if x.ID == p.ID {
				return pickField(p.Name, x.fields())
			}
		}
	}
	return Value{}, false
}

func pickField(name string, fields map[string]Value) (Value, bool) {
	v, ok := fields[name]
	return v, ok
}
