package texts

import (
	"github.com/brug-nl/brug/store/doctext"
	"github.com/brug-nl/brug/store/method"
)

// FieldLabel names a field for people: "Stap 2 · vraag q3: Wie beslist
// er?", "Afspraak · wat", "Verslag · tekst". The words are store/doctext's,
// which the dossier export uses too.
func (t *Texts) FieldLabel(m *method.Method, field string) string {
	return doctext.FieldLabel(t, t.Lang, m, field)
}
