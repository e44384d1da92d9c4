package texts

// textsRegister are the texts of the region's register (issue 11): the
// register screen, the employer view and the employer of a route move.
var textsRegister = map[string][2]string{
	"register.key.open":   {"register", "register"},
	"field.move.employer": {"Werkgever", "Employer"},
	"route.employer.noplace": {
		"Een werkgever hoort bij vrijwilligerswerk, een werkervaringsplaats, beschut werk, een banenafspraak of regulier werk.",
		"An employer goes with volunteering, a work-experience place, beschut werk, a banenafspraak job or regular work.",
	},
	"register.title":   {"Register van de regio", "The region's register"},
	"register.prompt":  {"Zoek: ", "Search: "},
	"register.hint":    {"organisatie, team, contactpersoon of KvK-nummer", "organisation, team, contact or KvK number"},
	"register.loading": {"Laden…", "Loading…"},
	"register.empty": {
		"Het register is nog leeg: het komt met de synchronisatie van de server van de regio.",
		"The register is empty still: it comes with the sync from the region's server.",
	},
	"register.nomatch":    {"Geen organisatie past bij %q.", "No organisation matches %q."},
	"register.count":      {"%s van %s organisaties", "%s of %s organisations"},
	"register.kvk":        {"KvK %s", "KvK %s"},
	"register.teams":      {"Teams: %s", "Teams: %s"},
	"register.noteams":    {"Teams: geen", "Teams: none"},
	"register.contacts":   {"Contactpersonen:", "Contacts:"},
	"register.nocontacts": {"Contactpersonen: geen", "Contacts: none"},
	"employers.key.open":  {"werkgevers", "employers"},
	"employers.title":     {"Werkgevers", "Employers"},
	"employers.loading":   {"Laden…", "Loading…"},
	"employers.none": {
		"Nog geen overstap noemt een werkgever. Leg bij een overstap naar een plek met een werkgever vast welke (r, dan m).",
		"No move names an employer yet. Record which one on a move to a place with an employer (r, then m).",
	},
	"employers.err":              {"Laden mislukt: %v", "Could not load: %v"},
	"employers.nostore":          {"Het werkgeversoverzicht is er op de laptop.", "The employer view is on the laptop."},
	"employers.row":              {"%s nu · %s eerder", "%s now · %s before"},
	"employers.now":              {"Nu geplaatst", "Placed now"},
	"employers.before":           {"Eerder geplaatst", "Placed before"},
	"employers.since":            {"sinds %s", "since %s"},
	"employers.span":             {"%s – %s", "%s – %s"},
	"employers.nobody":           {"niemand", "nobody"},
	"register.kind.care":         {"zorgaanbieder", "care provider"},
	"register.kind.municipality": {"gemeente", "municipality"},
	"register.kind.sdc":          {"sociaal ontwikkelbedrijf", "social development company"},
	"register.kind.uwv":          {"UWV", "UWV"},
	"register.kind.employer":     {"werkgever", "employer"},
	"register.kind.school":       {"school", "school"},
	"register.kind.other":        {"anders", "other"},
}
