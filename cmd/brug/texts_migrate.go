package main

// migrateTexts are the messages of brug admin migrate.
var migrateTexts = map[string][2]string{
	"migrate.usage": {
		"Geef --from BESTAND (het bestand van de regio) en --to postgres://GEBRUIKER@HOST/DATABASE.",
		"Give --from FILE (the region's file) and --to postgres://USER@HOST/DATABASE.",
	},
	"migrate.fromurl": {
		"--from %s: kopiëren kan van een bbolt-bestand naar PostgreSQL, niet van een database.",
		"--from %s: a copy goes from a bbolt file to PostgreSQL, not from a database.",
	},
	"migrate.tourl": {
		"--to %q: geef een PostgreSQL-database als postgres://GEBRUIKER@HOST/DATABASE.",
		"--to %q: give a PostgreSQL database as postgres://USER@HOST/DATABASE.",
	},
	"migrate.batch": {
		"--batch moet minstens 1 zijn.",
		"--batch must be at least 1.",
	},
	"migrate.nofile": {
		"Er is geen serverbestand op %s. Kies het bestand van de regio (de --db van brug serve) met --from.",
		"There is no server file at %s. Choose the region's file (the --db of brug serve) with --from.",
	},
	"migrate.nomaster": {
		"De sleutels van %s zijn versleuteld met een hoofdsleutel, maar %s is er niet. Geef de goede met --from-master-key.",
		"The keys of %s are wrapped by a master key, but %s is not there. Give the right one with --from-master-key.",
	},
	"migrate.foreign": {
		"%s is geen brug-database: er staan al andere tabellen in (%d, zoals %s). Maak een lege database voor de regio (createdb) en geef die met --to.",
		"%s is not a brug database: it holds other tables (%d, such as %s). Make an empty database for the region (createdb) and give that with --to.",
	},
	"migrate.start": {
		"Kopieer de regio van %s naar %s ...",
		"Copying the region from %s to %s ...",
	},
	"migrate.progress": {
		"  %s: %s van %s",
		"  %s: %s of %s",
	},
	"migrate.progress1": {
		"  %s: %s",
		"  %s: %s",
	},
	"migrate.cols": {
		"SOORT\tBRON\tKOPIE\tDIGEST\tCONTROLE",
		"KIND\tSOURCE\tCOPY\tDIGEST\tCHECK",
	},
	"migrate.same":    {"gelijk", "same"},
	"migrate.differs": {"VERSCHILT", "DIFFERS"},
	"migrate.other": {
		"%s houdt al een andere regio; brug schrijft er niet overheen. Kies een lege database met --to.\n(%v)",
		"%s holds another region already; brug does not write over it. Choose an empty database with --to.\n(%v)",
	},
	"migrate.served": {
		"%s is een kopie van deze regio die sindsdien in gebruik is geweest (brug serve heeft erop gedraaid). Opnieuw kopiëren zou overschrijven wat daar is gebeurd; brug doet het niet. Begin zo nodig opnieuw met een lege database.",
		"%s is a copy of this region that has been in use since (brug serve ran on it). Copying again would overwrite what happened there; brug does not. Start again with an empty database if need be.",
	},
	"migrate.mismatch": {
		"De kopie verschilt van het bestand na het kopiëren (%v). Draai brug admin migrate nog eens; blijft het verschil, start de regio dan niet op de kopie.",
		"The copy differs from the file after copying (%v). Run brug admin migrate again; if the difference stays, do not start the region on the copy.",
	},
	"migrate.failed": {
		"Het kopiëren is afgebroken: %v\nWat al gekopieerd is blijft staan; draai hetzelfde commando opnieuw om het af te maken.",
		"The copy stopped: %v\nWhat was copied stays; run the same command again to complete it.",
	},
	"migrate.already": {
		"De kopie was al compleet en klopt; er is niets veranderd.",
		"The copy was complete and checks out already; nothing was changed.",
	},
	"migrate.resumed": {
		"De onderbroken kopie is afgemaakt (%s ops erbij) en gecontroleerd. Start nu brug serve --store met deze database.",
		"The copy that was cut off is complete (%s more ops) and checked. Now start brug serve --store on this database.",
	},
	"migrate.done": {
		"De regio is gekopieerd (%s ops) en gecontroleerd. Start nu brug serve --store met deze database.",
		"The region was copied (%s ops) and checked. Now start brug serve --store on this database.",
	},
	// The record kinds and stages of sync/server/migrate, by their names there.
	"migrate.kind.records":       {"gegevens", "records"},
	"migrate.kind.ops":           {"ops", "ops"},
	"migrate.kind.numbers":       {"volgnummers", "numbers"},
	"migrate.kind.counter":       {"teller", "counter"},
	"migrate.kind.users":         {"gebruikers", "users"},
	"migrate.kind.teams":         {"teams", "teams"},
	"migrate.kind.members":       {"lidmaatschappen", "members"},
	"migrate.kind.orgs":          {"organisaties", "orgs"},
	"migrate.kind.devices":       {"apparaten", "devices"},
	"migrate.kind.tokens":        {"tokens", "tokens"},
	"migrate.kind.codes":         {"codes", "codes"},
	"migrate.kind.ssh keys":      {"SSH-sleutels", "ssh keys"},
	"migrate.kind.dossier teams": {"dossierteams", "dossier teams"},
	"migrate.kind.shares":        {"delingen", "shares"},
	"migrate.kind.views":         {"apparaatweergaven", "views"},
	"migrate.kind.audit":         {"auditlog", "audit"},
	"migrate.kind.audit head":    {"kop van de auditketen", "audit head"},
	"migrate.kind.refusals":      {"weigeringen", "refusals"},
	"migrate.kind.drafts":        {"concepten", "drafts"},
	"migrate.kind.erasures":      {"wissingen", "erasures"},
	"migrate.kind.erased":        {"gewiste dossiers", "erased"},
	"migrate.kind.receipts":      {"bevestigingen", "receipts"},
	"migrate.kind.settings":      {"instellingen", "settings"},
	"migrate.kind.receipt key":   {"bevestigingssleutel", "receipt key"},
	"migrate.kind.epochs":        {"tijdvakken", "epochs"},
}
