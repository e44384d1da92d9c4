package main

// auditTexts: the person's page ("wie heeft je dossier ingezien") and
// `brug admin audit verify`. key -> {nl, en}.
var auditTexts = map[string][2]string{
	"inzage.title": {"Wie heeft je dossier ingezien", "Who has seen your file"},
	"inzage.intro": {
		"Hier staat wie je dossier heeft bekeken, op een apparaat heeft gekregen, afgedrukt, geëxporteerd of gewijzigd: wie, namens welke organisatie, wanneer en hoe. Het overzicht komt uit het logboek van de regionale server van brug. Je hebt recht op dit overzicht.",
		"This page shows who looked at your file, received it on a device, printed, exported or changed it: who, for which organisation, when and how. It comes from the log of brug's regional server. You have a right to this overview.",
	},
	"inzage.dossier":   {"Dossier: %s", "File: %s"},
	"inzage.all":       {"Periode: alles tot en met %s", "Period: everything up to and including %s"},
	"inzage.since":     {"Periode: van %s tot en met %s", "Period: from %s up to and including %s"},
	"inzage.made":      {"Gemaakt op %s", "Made on %s"},
	"inzage.cols":      {"Wanneer|Wie|Rol|Organisatie|Wat|Hoe|Apparaat", "When|Who|Role|Organisation|What|How|Device"},
	"inzage.count":     {"%s keer in totaal.", "%s times in all."},
	"inzage.count.1":   {"1 keer in totaal.", "Once in all."},
	"inzage.none":      {"In deze periode heeft niemand je dossier ingezien.", "Nobody saw your file in this period."},
	"inzage.questions": {"Heb je vragen over dit overzicht, of denk je dat iemand je dossier heeft ingezien die dat niet mocht? Vraag het je jobcoach, of de functionaris gegevensbescherming van de organisatie.", "Do you have questions about this overview, or do you think someone saw your file who should not have? Ask your job coach, or the organisation's data protection officer."},
	"inzage.at":        {"%s, %s uur", "%s, %s"},

	"inzage.what.open":         {"geopend", "opened"},
	"inzage.what.export":       {"geëxporteerd", "exported"},
	"inzage.what.print":        {"afgedrukt", "printed"},
	"inzage.what.sync":         {"op een apparaat gekregen", "received on a device"},
	"inzage.what.deliver":      {"op een apparaat gekregen", "received on a device"},
	"inzage.what.change":       {"gewijzigd", "changed"},
	"inzage.what.push refused": {"wilde wijzigen, geweigerd", "tried to change it, refused"},

	"inzage.how.app":  {"laptop-app", "laptop app"},
	"inzage.how.ssh":  {"op afstand (SSH)", "remotely (SSH)"},
	"inzage.how.cli":  {"beheer op de server", "administration on the server"},
	"inzage.how.sync": {"synchronisatie", "sync"},

	"inzage.role.coach":       {"jobcoach", "job coach"},
	"inzage.role.wijkteam":    {"wijkteam", "neighbourhood team"},
	"inzage.role.coordinator": {"coördinator", "coordinator"},
	"inzage.role.admin":       {"beheerder", "administrator"},

	"admin.audit.format": {
		"--format %q: kies table, csv, json, md of html.",
		"--format %q: choose table, csv, json, md or html.",
	},
	"admin.audit.needclient": {
		"--format %s is de pagina voor de persoon zelf: geef het dossier met --client.",
		"--format %s is the page for the person: name the dossier with --client.",
	},
	"admin.verify.ok": {
		"Het auditlog klopt: %s regels, de hashketen is ongebroken tot en met regel %d.",
		"The audit log holds: %s entries, the hash chain is unbroken up to entry %d.",
	},
	"admin.verify.genesis": {
		"%s regels van voor de keten zijn vastgelegd in het begin van de keten (regel %d).",
		"%s entries from before the chain are anchored by the chain's start (entry %d).",
	},
	"admin.verify.nochain": {
		"Het auditlog heeft nog geen hashketen (%s regels); die begint bij de volgende regel die de server schrijft.",
		"The audit log has no hash chain yet (%s entries); it begins with the next entry the server writes.",
	},
	"admin.verify.head":   {"Kop van de keten: regel %d, %s", "Head of the chain: entry %d, %s"},
	"admin.verify.broken": {"Het auditlog is aangepast of beschadigd: de keten breekt op %s plaatsen.", "The audit log was altered or damaged: the chain breaks in %s places."},
	"admin.verify.at":     {"regel %d (op plaats %d): %s", "entry %d (at place %d): %s"},
	"admin.verify.more":   {"en nog %s plaatsen.", "and %s more places."},

	"admin.verify.kind.missing":   {"de regel(s) ervoor ontbreken (verwijderd)", "the entry or entries before it are missing (removed)"},
	"admin.verify.kind.order":     {"staat niet op volgorde", "is out of order"},
	"admin.verify.kind.decode":    {"is niet te openen of te lezen", "does not open or decode"},
	"admin.verify.kind.moved":     {"draagt een ander nummer (verplaatst of gekopieerd)", "holds another number (moved or copied)"},
	"admin.verify.kind.nohash":    {"heeft geen hash, maar staat na het begin van de keten", "has no hash, but comes after the chain began"},
	"admin.verify.kind.badhash":   {"heeft een hash die geen SHA-256 is", "has a hash that is not a SHA-256"},
	"admin.verify.kind.hash":      {"de hash klopt niet: de regel is gewijzigd, of een regel ervoor is gewijzigd, verwijderd of verplaatst", "the hash differs: the entry was changed, or one before it was changed, removed or moved"},
	"admin.verify.kind.genesis":   {"de hash van het begin van de keten klopt niet: een regel van voor de keten is gewijzigd, verwijderd of verplaatst", "the chain start's hash differs: an entry from before the chain was changed, removed or moved"},
	"admin.verify.kind.start":     {"de keten begint niet met een beginregel", "the chain does not begin with its start entry"},
	"admin.verify.kind.truncated": {"regels aan het eind zijn verwijderd (de kop van de keten staat verder)", "entries at the end were removed (the chain's head is further on)"},
	"admin.verify.kind.appended":  {"regels na de kop van de keten zijn buiten de keten om toegevoegd", "entries after the chain's head were added outside the chain"},
	"admin.verify.kind.head":      {"de kop van de keten is niet de hash van de laatste regel", "the chain's head is not the last entry's hash"},
	"admin.verify.kind.nohead":    {"de keten heeft geen kop", "the chain has no head"},
}
