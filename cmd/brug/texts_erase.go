package main

// eraseTexts: the messages of remote wipe, erasure receipts, closing a
// trajectory and retention. key -> {nl, en}.
var eraseTexts = map[string][2]string{
	"sync.wiped": {
		"Deze laptop is gewist op verzoek van je beheerder (%s): je brug-bestand, de bestanden ernaast en de sleutel voor de server zijn verwijderd. Er is niets meer verstuurd. Wat je hier had en nog niet had gesynchroniseerd, is weg. Wil je weer met brug werken, vraag je beheerder dan om een nieuwe code.",
		"This laptop was wiped at your admin's request (%s): your brug file, the files beside it and the key for the server are gone. Nothing more was sent. What you had here and had not synced is gone. To work with brug again, ask your admin for a new code.",
	},
	"sync.wipefailed": {
		"Je beheerder heeft gevraagd deze laptop te wissen (%s), maar dat is niet helemaal gelukt; er is niets verstuurd. Sluit brug af en verwijder je brug-bestand, of vraag je beheerder om hulp.\n%v",
		"Your admin asked for this laptop to be wiped (%s), but that did not fully work; nothing was sent. Close brug and remove your brug file, or ask your admin for help.\n%v",
	},
	"admin.revokedwipe": {
		"Apparaat %s is ingetrokken en wordt gewist zodra het de server weer bereikt: het krijgt dat te horen voordat het iets verstuurt.",
		"Revoked device %s; it is wiped as soon as it reaches the server again: it is told before it sends anything.",
	},
	"admin.wipepending":      {"wissen gevraagd %s", "wipe ordered %s"},
	"admin.wipetold":         {"wissen gemeld %s", "told to wipe %s"},
	"admin.wiped":            {"gewist %s", "wiped %s"},
	"admin.cols.erasures":    {"DOSSIER\tGEWIST\tDOOR\tGEBRUIKER\tAPPARAAT\tNAAM\tBEVESTIGD", "DOSSIER\tERASED\tBY\tUSER\tDEVICE\tNAME\tCONFIRMED"},
	"admin.cols.holders":     {"GEBRUIKER\tAPPARAAT\tNAAM\tBEVESTIGD", "USER\tDEVICE\tNAME\tCONFIRMED"},
	"admin.erasures.none":    {"op geen apparaat", "on no device"},
	"admin.erasures.pending": {"nog niet", "not yet"},
	"admin.erasures.revoked": {"nog niet (ingetrokken %s)", "not yet (revoked %s)"},
	"admin.erasures.wiped":   {"laptop gewist %s", "laptop wiped %s"},
	"admin.erasures.noholders": {
		"Geen apparaat had dit dossier.",
		"No device held this dossier.",
	},
	"admin.erasures.holders": {
		"Nog op %s apparaten; die wissen het bij hun volgende synchronisatie en bevestigen dat (brug admin erasures):",
		"Still on %s devices; they erase it on their next sync and confirm it (brug admin erasures):",
	},
	"admin.erasures.holders.1": {
		"Nog op 1 apparaat; dat wist het bij zijn volgende synchronisatie en bevestigt dat (brug admin erasures):",
		"Still on 1 device; it erases it on its next sync and confirms it (brug admin erasures):",
	},
	"serve.retention": {
		"--retention %q: %v. Geef een standaardtermijn en eventueel CODE=TERMIJN, bijvoorbeeld 15y of 15y,wlz=20y.",
		"--retention %q: %v. Give a default period and any CODE=PERIOD, for example 15y or 15y,wlz=20y.",
	},
	"retention.policy": {"Bewaarbeleid: %s (vandaag %s).", "Retention policy: %s (today %s)."},
	"retention.none":   {"Geen gesloten dossiers over hun bewaartermijn.", "No closed dossiers past their retention period."},
	"admin.cols.retention": {
		"NAAM\tTEAM\tGESLOTEN\tREDEN\tTERMIJN\tVERLOPEN\tID",
		"NAME\tTEAM\tCLOSED\tREASON\tPERIOD\tENDED\tID",
	},
	"retention.dryrun": {
		"Proefdraai: er is niets gewist. Met --yes worden deze %s dossiers overal gewist.",
		"Dry run: nothing was erased. With --yes these %s dossiers are erased everywhere.",
	},
	"retention.dryrun.1": {
		"Proefdraai: er is niets gewist. Met --yes wordt dit dossier overal gewist.",
		"Dry run: nothing was erased. With --yes this dossier is erased everywhere.",
	},
	"retention.ask": {
		"Deze %s dossiers worden overal gewist; dat kan niet ongedaan worden gemaakt. Typ ja om te wissen: ",
		"These %s dossiers will be erased everywhere; that cannot be undone. Type yes to erase: ",
	},
	"retention.ask.1": {
		"Dit dossier wordt overal gewist; dat kan niet ongedaan worden gemaakt. Typ ja om te wissen: ",
		"This dossier will be erased everywhere; that cannot be undone. Type yes to erase: ",
	},
	"retention.erased": {
		"%s dossiers gewist; apparaten wissen ze bij hun volgende synchronisatie (brug admin erasures).",
		"Erased %s dossiers; devices erase them on their next sync (brug admin erasures).",
	},
	"retention.erased.1": {
		"1 dossier gewist; apparaten wissen het bij hun volgende synchronisatie (brug admin erasures).",
		"Erased 1 dossier; devices erase it on their next sync (brug admin erasures).",
	},
	"retention.failed": {"Niet gewist:\n%s", "Not erased:\n%s"},
	"close.date": {
		"--date %q: geef de dag waarop het traject eindigde als JJJJ-MM-DD, niet in de toekomst.",
		"--date %q: give the day the trajectory ended as YYYY-MM-DD, not in the future.",
	},
	"close.reason": {
		"--reason %q: kies een van %s.",
		"--reason %q: choose one of %s.",
	},
	"close.reopenalone": {
		"--reopen gaat niet samen met --date, --reason of --note.",
		"--reopen does not go with --date, --reason or --note.",
	},
	"close.invalid": {"Niet gesloten: %v", "Not closed: %v"},
	"close.notdone": {"Sluiten is niet gelukt: %v", "Closing failed: %v"},
	"cli.readonly": {
		"Alleen lezen: %s is met je team gedeeld om te lezen, niet om te wijzigen. Er is niets veranderd; vraag het team van het dossier om de wijziging.",
		"Read only: %s is shared with your team to read, not to change. Nothing was changed; ask the dossier's team to make the change.",
	},
	"close.closed":   {"Traject van %s gesloten op %s (%s).", "Closed the trajectory of %s on %s (%s)."},
	"close.reopened": {"Traject van %s heropend.", "Reopened the trajectory of %s."},
}
