package doctext

import (
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

// TestEveryFieldHasALabel: the dossier's own fields and every entity's
// fields have a name for people in both languages, so that a list of
// refused changes or conflicts never shows a code such as "birthyear"
// or "share · consent_how" (a new field without a label fails here).
func TestEveryFieldHasALabel(t *testing.T) {
	for _, name := range store.ClientFieldNames() {
		if _, ok := textsLabels["field.client."+name]; !ok {
			t.Errorf("no label for the dossier's field %q", name)
		}
	}
	for _, entity := range store.EntityKinds() {
		if _, ok := textsLabels["entity."+entity]; !ok {
			t.Errorf("no label for the entity %q", entity)
		}
		names := store.EntityFieldNames(entity)
		if len(names) == 0 {
			t.Errorf("entity %q has no fields", entity)
		}
		for _, name := range names {
			if name == "exists" {
				continue // field.exists, unless the kind has its own
			}
			if _, ok := textsLabels["field."+entity+"."+name]; !ok {
				t.Errorf("no label for %s's field %q", entity, name)
			}
		}
	}
	m := method.Default()
	for _, c := range []struct{ lang, field, want string }{
		{"nl", "birthyear", "Geboortejaar"},
		{"en", "birthyear", "Birth year"},
		{"nl", "exists", "Dossier aangemaakt"},
		{"nl", store.ShareField("0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01", "consent_how"), "Delen · toestemming hoe"},
		{"en", store.ShareField("0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01", "until"), "Share · until"},
		{"nl", store.EntityField(store.EntityAgreement, "0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01", "exists"), "Afspraak · aangemaakt"},
		{"nl", store.EntityField(store.EntityMove, "0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01", "employer"), "Overstap · werkgever"},
	} {
		if got := FieldLabel(New(c.lang), c.lang, m, c.field); got != c.want {
			t.Errorf("%s: FieldLabel(%q) = %q, want %q", c.lang, c.field, got, c.want)
		}
	}
}
