package texts

import (
	"strings"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

// FieldLabel names a field for people: "Stap 2 · vraag q3: Wie beslist
// er?", "Afspraak · wat", "Verslag · tekst".
func (t *Texts) FieldLabel(m *method.Method, field string) string {
	p, _, err := store.ParseField(field)
	if err != nil {
		return field
	}
	switch p.Entity {
	case "":
		return field
	case "step":
		n := p.Step()
		switch {
		case p.Sub == "answer":
			text := ""
			if st, ok := m.Step(n); ok {
				if q, ok := st.Question(p.Item); ok {
					text = q.Text.In(t.Lang)
				}
			}
			return t.F("conflict.label.answer", n, p.Item, text)
		case p.Name == "note":
			return t.F("conflict.label.note", n)
		case p.Name == "comment":
			return t.F("conflict.label.comment", n)
		}
		return t.F("conflict.label.step", n, p.Name)
	}
	kind, name := p.Entity, p.Name
	if t.Has("entity." + kind) {
		kind = t.S("entity." + kind)
	}
	if k := "field." + p.Entity + "." + p.Name; t.Has(k) {
		name = strings.ToLower(t.S(k))
	}
	return t.F("conflict.label.entity", kind, name)
}
