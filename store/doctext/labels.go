package doctext

import (
	"strings"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

// textsLabels name the fields of a dossier for people: the export's
// conflicts and the app's conflict screens use the same words.
var textsLabels = map[string][2]string{
	"entity.agreement":       {"Afspraak", "Agreement"},
	"entity.contact":         {"Contact", "Contact"},
	"entity.journal":         {"Verslag", "Journal"},
	"entity.move":            {"Overstap", "Move"},
	"entity.indication":      {"Indicatie", "Indication"},
	"entity.arrangement":     {"Arrangement", "Arrangement"},
	"field.agreement.what":   {"Wat", "What"},
	"field.agreement.role":   {"Rol", "Role"},
	"field.agreement.org":    {"Organisatie", "Organisation"},
	"field.agreement.person": {"Persoon", "Person"},
	"field.agreement.due":    {"Uiterlijk", "Due"},
	"field.agreement.done":   {"Klaar", "Done"},
	"field.contact.name":     {"Naam", "Name"},
	"field.contact.role":     {"Rol", "Role"},
	"field.contact.org":      {"Organisatie", "Organisation"},
	"field.contact.phone":    {"Telefoon", "Phone"},
	"field.contact.email":    {"E-mail", "E-mail"},
	"field.journal.kind":     {"Soort", "Kind"},
	"field.journal.date":     {"Datum", "Date"},
	"field.journal.place":    {"Plaats", "Place"},
	"field.journal.text":     {"Tekst", "Text"},
	"field.move.from":        {"Van", "From"},
	"field.move.to":          {"Naar", "To"},
	"field.move.date":        {"Datum", "Date"},
	"field.move.reason":      {"Reden", "Reason"},
	"field.move.employer":    {"Werkgever", "Employer"},
	// An entity's "exists" (added, or removed with "0"), where its kind
	// has no word of its own.
	"field.exists":             {"Aangemaakt", "Created"},
	"field.indication.note":    {"Notitie", "Note"},
	"field.indication.kind":    {"Soort", "Kind"},
	"field.indication.date":    {"Datum", "Date"},
	"field.indication.until":   {"Geldig tot", "Valid until"},
	"field.arrangement.kind":   {"Soort", "Kind"},
	"field.arrangement.value":  {"Waarde", "Value"},
	"field.arrangement.from":   {"Vanaf", "From"},
	"field.arrangement.to":     {"Tot", "Until"},
	"entity.share":             {"Delen", "Share"},
	"field.share.exists":       {"Gedeeld", "Shared"},
	"field.share.team":         {"Team", "Team"},
	"field.share.org":          {"Organisatie", "Organisation"},
	"field.share.purpose":      {"Waarvoor", "What for"},
	"field.share.mode":         {"Mag", "May"},
	"field.share.from":         {"Vanaf", "From"},
	"field.share.until":        {"Tot en met", "Until"},
	"field.share.consent_date": {"Toestemming op", "Consent on"},
	"field.share.consent_how":  {"Toestemming hoe", "Consent how"},
	"field.share.consent_by":   {"Vastgelegd door", "Recorded by"},
	"field.share.withdrawn":    {"Ingetrokken op", "Withdrawn on"},
	// The dossier's own fields (store's clientFields), as the new-client
	// form and the overview name them.
	"field.client.exists":        {"Dossier aangemaakt", "Dossier created"},
	"field.client.name":          {"Naam", "Name"},
	"field.client.birthyear":     {"Geboortejaar", "Birth year"},
	"field.client.team":          {"Team", "Team"},
	"field.client.coaches":       {"Coaches", "Coaches"},
	"field.client.places":        {"Nu op", "Now at"},
	"field.client.benefit":       {"Uitkering", "Benefit"},
	"field.client.route_target":  {"Doel van de route", "Route target"},
	"field.client.closed":        {"Afgesloten op", "Closed on"},
	"field.client.closed_reason": {"Reden van afsluiten", "Reason for closing"},
	"field.client.closed_note":   {"Notitie bij afsluiten", "Note on closing"},
	"field.client.merged_into":   {"Samengevoegd met", "Merged into"},
	"field.client.merged_from":   {"Samengevoegd uit", "Merged from"},
	"conflict.label.answer":      {"Stap %d · vraag %s: %s", "Step %d · question %s: %s"},
	"conflict.label.note":        {"Stap %d · notitie", "Step %d · note"},
	"conflict.label.comment":     {"Stap %d · opmerking van de coördinator", "Step %d · coordinator's comment"},
	"conflict.label.step":        {"Stap %d · %s", "Step %d · %s"},
	"conflict.label.entity":      {"%s · %s", "%s · %s"},
}

// Catalogue is what FieldLabel needs of a text catalogue: this package's
// Texts, or the app's, which holds these texts too.
type Catalogue interface {
	S(key string) string
	F(key string, args ...any) string
	Has(key string) bool
}

// FieldLabel names a field for people in lang: "Stap 2 · vraag q3: Wie
// beslist er?", "Afspraak · wat", "Verslag · tekst".
func FieldLabel(t Catalogue, lang string, m *method.Method, field string) string {
	p, _, err := store.ParseField(field)
	if err != nil {
		return field
	}
	switch p.Entity {
	case "":
		// The dossier's own fields: "Naam", "Geboortejaar".
		if k := "field.client." + p.Name; t.Has(k) {
			return t.S(k)
		}
		return field
	case "step":
		n := p.Step()
		switch {
		case p.Sub == "answer":
			text := ""
			if st, ok := m.Step(n); ok {
				if q, ok := st.Question(p.Item); ok {
					text = q.Text.In(lang)
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
	} else if p.Name == "exists" {
		name = strings.ToLower(t.S("field.exists"))
	}
	return t.F("conflict.label.entity", kind, name)
}

// FieldLabel names a field for people (see the function FieldLabel).
func (t *Texts) FieldLabel(m *method.Method, field string) string {
	return FieldLabel(t, t.Lang, m, field)
}
