package main

// orgTexts are the messages of brug admin org and team org (the region's
// register, issue 11). key -> {nl, en}.
var orgTexts = map[string][2]string{
	"report.peremployer":    {"Per werkgever", "By employer"},
	"report.col.employer":   {"Werkgever", "Employer"},
	"report.col.atend":      {"Geplaatst aan het eind", "Placed at the end"},
	"org.kind.care":         {"zorgaanbieder", "care provider"},
	"org.kind.municipality": {"gemeente", "municipality"},
	"org.kind.sdc":          {"sociaal ontwikkelbedrijf", "social development company"},
	"org.kind.uwv":          {"UWV", "UWV"},
	"org.kind.employer":     {"werkgever", "employer"},
	"org.kind.school":       {"school", "school"},
	"org.kind.other":        {"anders", "other"},
	"org.badkind": {
		"onbekende soort %q; kies uit %s (of zorgaanbieder, gemeente, sociaal ontwikkelbedrijf, werkgever, anders)",
		"unknown kind %q; choose from %s (or the Dutch word)",
	},
	"org.badkvk":  {"KvK-nummer %q klopt niet: het zijn 8 cijfers", "KvK number %q is wrong: it is 8 digits"},
	"org.badname": {"de naam %q kan niet: 1 tot 200 tekens op één regel, zonder spaties aan het begin of eind", "the name %q cannot be used: 1 to 200 characters on one line, without spaces at either end"},
	"org.badcontact": {
		"het contact klopt niet (%s); een telefoonnummer heeft cijfers, spaties en + - ( ), een e-mailadres één @",
		"the contact is wrong (%s); a phone number has digits, spaces and + - ( ), an e-mail address one @",
	},
	"org.added":   {"Organisatie %q (%s) toegevoegd aan het register.", "Added organisation %q (%s) to the register."},
	"org.renamed": {"Organisatie %q heet nu %q; haar teams gaan mee.", "Organisation %q is now %q; its teams moved along."},
	"org.removed": {"Organisatie %q verwijderd uit het register.", "Removed organisation %q from the register."},
	"org.exists": {
		"%q staat al in het register als %q (hoofdletters en accenten tellen niet mee, een KvK-nummer is uniek)",
		"%q is in the register already as %q (case and accents do not count, a KvK number is unique)",
	},
	"org.noorg":    {"organisatie %q staat niet in het register; zie brug admin org list", "organisation %q is not in the register; see brug admin org list"},
	"org.hasteams": {"organisatie %q heeft nog teams (%s); geef ze eerst een andere organisatie met brug admin team org", "organisation %q still has teams (%s); give them another organisation first with brug admin team org"},
	"org.nocontact.cmd": {
		"%q is geen contactpersoon van %q; zie brug admin org show",
		"%q is not a contact of %q; see brug admin org show",
	},
	"org.contactadded":    {"Contactpersoon %q toegevoegd aan %q.", "Added contact %q to %q."},
	"org.contactremoved":  {"Contactpersoon %q van %q verwijderd.", "Removed contact %q of %q."},
	"org.teamorg":         {"Team %q hoort nu bij organisatie %q.", "Team %q now belongs to organisation %q."},
	"org.teamorg.default": {"Team %q hoort nu bij de standaardorganisatie van de regio.", "Team %q now belongs to the region's default organisation."},
	"org.cols":            {"ORGANISATIE\tSOORT\tKVK\tTEAMS\tCONTACTEN", "ORGANISATION\tKIND\tKVK\tTEAMS\tCONTACTS"},
	"org.cols.contacts":   {"  NAAM\tFUNCTIE\tTELEFOON\tE-MAIL", "  NAME\tROLE\tPHONE\tE-MAIL"},
	"org.show.kind":       {"Soort: %s", "Kind: %s"},
	"org.show.kvk":        {"KvK-nummer: %s", "KvK number: %s"},
	"org.show.teams":      {"Teams: %s", "Teams: %s"},
	"org.show.contacts":   {"Contactpersonen:", "Contacts:"},
	"org.show.nocontacts": {"Contactpersonen: geen", "Contacts: none"},
	"org.import.cols":     {"REGEL\tORGANISATIE\tSOORT\tKVK\tCONTACTPERSOON", "LINE\tORGANISATION\tKIND\tKVK\tCONTACT"},
	"org.imported":        {"%s organisaties toegevoegd aan het register.", "Added %s organisations to the register."},
	"org.imported.1":      {"1 organisatie toegevoegd aan het register.", "Added 1 organisation to the register."},
	"org.dryrun": {
		"%s organisaties zouden worden toegevoegd; er is niets geschreven. Voeg --yes toe om ze toe te voegen.",
		"%s organisations would be added; nothing was written. Add --yes to add them.",
	},
	"org.dryrun.1": {
		"1 organisatie zou worden toegevoegd; er is niets geschreven. Voeg --yes toe om haar toe te voegen.",
		"1 organisation would be added; nothing was written. Add --yes to add it.",
	},
	// Problems of an import file, printed as the caseload's are
	// (caseload.line, caseload.linecol).
	"caseload.p.org.column": {
		"onbekende kolom %q; gebruik naam, soort, kvk, contactpersoon, functie, telefoon, e-mail",
		"unknown column %q; use naam, soort, kvk, contactpersoon, functie, telefoon, e-mail",
	},
	"caseload.p.org.noname":    {"de kopregel moet de kolom naam noemen", "the header must name the column naam"},
	"caseload.p.org.toomany":   {"meer dan %s organisaties in één keer; splits het bestand", "more than %s organisations at once; split the file"},
	"caseload.p.org.empty":     {"het bestand bevat geen organisaties%s", "the file holds no organisations%s"},
	"caseload.p.org.name":      {"de naam %q kan niet: 1 tot 200 tekens op één regel", "the name %q cannot be used: 1 to 200 characters on one line"},
	"caseload.p.org.kind":      {"onbekende soort %q; gebruik zorgaanbieder, gemeente, sociaal ontwikkelbedrijf, UWV, werkgever, school of anders", "unknown kind %q; use zorgaanbieder, gemeente, sociaal ontwikkelbedrijf, UWV, werkgever, school or anders"},
	"caseload.p.org.kvk":       {"KvK-nummer %q klopt niet: het zijn 8 cijfers", "KvK number %q is wrong: it is 8 digits"},
	"caseload.p.org.nocontact": {"de contactpersoon ontbreekt, maar functie, telefoon of e-mail staat er wel%s", "the contact is missing, but role, phone or e-mail is there%s"},
	"caseload.p.org.contact":   {"het contact klopt niet (%s)", "the contact is wrong (%s)"},
	"caseload.p.org.exists":    {"staat al in het register als %q", "is in the register already as %q"},
	"caseload.p.org.twice":     {"staat al op regel %s", "is on line %s already"},
	"caseload.p.org.invalid":   {"ongeldige waarde (%s)", "invalid value (%s)"},
}
