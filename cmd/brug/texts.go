package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/brug-nl/brug/tui/texts"
)

// msgs are the CLI's own messages in Dutch and English: what is printed on
// the terminal outside the app (errors before the app starts, what the demo,
// export, serve, admin, login and sync commands report). Help texts are
// in help_nl.go and the command definitions (help.go); the server's
// request logs (log/slog) are English, for operators' log pipelines.
type msgs struct {
	lang string
	// details shows the English details of an error brug cannot say in
	// Dutch (BRUG_DETAILS=1; texts.Cause).
	details bool
}

func newMsgs(lang string) msgs { return msgs{lang: lang} }

// f formats the message for key in the chosen language.
func (m msgs) f(key string, args ...any) string {
	t, ok := lookupText(key)
	if !ok {
		return "«" + key + "»"
	}
	s := t[0]
	if m.lang == "en" {
		s = t[1]
	}
	if len(args) == 0 {
		return s
	}
	// An error is written as cause writes it: in Dutch where brug knows
	// its cause, and never in Go's English on a Dutch screen.
	return fmt.Sprintf(s, texts.WithCauses(args, m.cause)...)
}

// detail is the line of technical details under a message that already
// says in the user's words what is wrong and what to do (s: Go's or the
// store's English). English always has it; Dutch only when the user asked
// for it (BRUG_DETAILS=1), marked as English.
func (m msgs) detail(s string) string {
	switch {
	case m.lang == "en":
		return "\n(details: " + s + ")"
	case m.details:
		return "\n(technische details, in het Engels: " + s + ")"
	}
	return ""
}

// found lists the problems brug check found under a damaged file's
// heading: always in English; Dutch shows them only when the user asked
// (BRUG_DETAILS=1), else says how to see them.
func (m msgs) found(problems []string) string {
	if m.lang != "en" && !m.details {
		return " " + m.f("check.hidden")
	}
	return " " + m.f("check.found") + "\n  - " + strings.Join(problems, "\n  - ")
}

// n formats a message about a count: key+".1" when count is 1 and such a
// message exists, else key with the count written as num writes it (the
// message takes it as %s).
func (m msgs) n(key string, count int) string {
	if _, ok := lookupText(key + ".1"); ok && count == 1 {
		return m.f(key + ".1")
	}
	return m.f(key, m.num(count))
}

// num writes a count the one way the app does too (tui/kit.FormatCount):
// thousands grouped with a dot in Dutch (10.000), a comma in English.
func (m msgs) num(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	sep := "."
	if m.lang == "en" {
		sep = ","
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// textParts are the message maps: cliTexts here, and one per command
// family in texts_*.go. Keys are unique across them (a test checks).
func textParts() []map[string][2]string {
	return []map[string][2]string{cliTexts, sshTexts, accountTexts, importTexts, configTexts, usageTexts, eraseTexts, cryptTexts, planTexts, caseloadTexts, auditTexts, orgTexts, storeTexts, migrateTexts, causeTexts}
}

func lookupText(key string) ([2]string, bool) {
	for _, part := range textParts() {
		if t, ok := part[key]; ok {
			return t, true
		}
	}
	return [2]string{}, false
}

// cliTexts: key -> {nl, en}.
var cliTexts = map[string][2]string{
	"usage.hint": {
		"Zie '%s --help' voor de mogelijkheden.",
		"See '%s --help' for the options.",
	},
	"lang.bad": {
		"--lang moet nl of en zijn, niet %q.",
		"--lang must be nl or en, not %q.",
	},
	"db.nopath": {
		"Kan niet bepalen waar het brug-bestand hoort (%v). Geef een bestand met --db of BRUG_DB.",
		"Cannot work out where the brug file belongs (%v). Give a file with --db or BRUG_DB.",
	},
	"open.locked": {
		"brug is al geopend op dit bestand (%s). Sluit de andere brug eerst.",
		"brug is already open on this file (%s). Close the other brug first.",
	},
	"live.failed": {
		"brug is geopend op dit bestand, maar de app gaf geen goed antwoord (%s). Probeer het opnieuw, of sluit de app eerst.",
		"brug is open on this file, but the app did not answer properly (%s). Try again, or close the app first.",
	},
	"open.notbrug": {
		"%s is geen brug-bestand, of het is beschadigd. brug heeft het niet veranderd. Kies het goede bestand met --db of BRUG_DB.",
		"%s is not a brug file, or it is damaged. brug has not changed it. Choose the right file with --db or BRUG_DB.",
	},
	"open.toonew": {
		"%s is gemaakt door een nieuwere versie van brug. Werk brug bij; 'brug version' toont welke versie je nu hebt.",
		"%s was made by a newer version of brug. Update brug; 'brug version' shows the version you have now.",
	},
	"open.missing": {
		"Er is nog geen brug-bestand op %s. Start eerst 'brug', of kies een ander bestand met --db.",
		"There is no brug file at %s yet. Start 'brug' first, or choose another file with --db.",
	},
	"open.damaged": {
		"%[1]s is beschadigd: brug kan het niet veilig lezen en heeft er niets aan veranderd. 'brug check --db %[1]s' zegt wat er mis is. Zet een reservekopie terug; of, als dit apparaat bij een server is aangemeld, zet het bestand opzij en meld je opnieuw aan (brug login) om je dossiers van de server te halen.",
		"%[1]s is damaged: brug cannot read it safely and has not changed it. 'brug check --db %[1]s' tells what is wrong. Put back a backup; or, when this device is enrolled with a server, move the file aside and enrol again (brug login) to fetch your dossiers from the server.",
	},
	"open.serverfile": {
		"%[1]s is het bestand van een syncserver, niet dat van een laptop; brug heeft het niet veranderd. Beheer het met 'brug admin --db %[1]s', of kies je eigen bestand met --db.",
		"%[1]s is a sync server's file, not a laptop's; brug has not changed it. Manage it with 'brug admin --db %[1]s', or choose your own file with --db.",
	},
	"open.laptopfile": {
		"%s is het bestand van een laptop, niet dat van een syncserver; brug heeft het niet veranderd. Geef het bestand van de server met --db.",
		"%s is a laptop's file, not a sync server's; brug has not changed it. Give the server's file with --db.",
	},
	"open.denied": {
		"Je mag %s niet lezen of niet schrijven. Geef jezelf die rechten (chmod u+rw), of kies een ander bestand met --db.",
		"You may not read or write %s. Give yourself those rights (chmod u+rw), or choose another file with --db.",
	},
	"open.denieddir": {
		"Je mag geen bestand maken in de map %s. Kies met --db een bestand in een map waar dat wel mag, of geef jezelf schrijfrechten op de map (chmod u+w).",
		"You may not make a file in the folder %s. Choose a file in a folder where you may with --db, or give yourself write rights on the folder (chmod u+w).",
	},
	"check.ok": {
		"%s is in orde: %s; dossiers: %s, wijzigingen: %s, schema %d.",
		"%s is sound: %s; dossiers: %s, changes: %s, schema %d.",
	},
	"check.kind.laptop": {"het bestand van een laptop", "a laptop's file"},
	"check.kind.server": {"het bestand van een syncserver", "a sync server's file"},
	"check.kind.":       {"nog leeg", "still empty"},
	"check.damaged": {
		"%s is beschadigd.",
		"%s is damaged.",
	},
	"check.found": {
		"Gevonden (in het Engels, voor wie het bestand onderzoekt):",
		"Found:",
	},
	"check.hidden": {
		"Wat er precies mis is (in het Engels, voor wie het bestand onderzoekt) toont brug check met BRUG_DETAILS=1.",
		"BRUG_DETAILS=1 shows what exactly is wrong.",
	},
	"check.advice": {
		"brug heeft het bestand niet veranderd. Zet een reservekopie terug; of, als dit apparaat bij een server is aangemeld, zet het bestand opzij en meld je opnieuw aan (brug login) om je dossiers van de server te halen.",
		"brug has not changed the file. Put back a backup; or, when this device is enrolled with a server, move the file aside and enrol again (brug login) to fetch your dossiers from the server.",
	},
	"check.upgrade": {
		"%s is gemaakt door een oudere brug en moet eerst worden bijgewerkt: open het één keer met 'brug' (of 'brug export'), en controleer het daarna.",
		"%s was made by an older brug and needs an upgrade first: open it once with 'brug' (or 'brug export'), then check it.",
	},
	"open.other": {
		"Kan %s niet openen: %v",
		"Cannot open %s: %v",
	},
	"method.broken": {
		"Het methodebestand bevat een fout; brug start niet.\n%v",
		"The method file has a mistake; brug does not start.\n%v",
	},
	"method.unreadable": {
		"Kan het methodebestand niet lezen: %v. Controleer het pad bij --method.",
		"Cannot read the method file: %v. Check the path given to --method.",
	},
	"method.storedbroken": {
		"De methode die de server van de regio stuurde is onleesbaar; brug gebruikt de ingebouwde methode tot de volgende synchronisatie.\n%v",
		"The method the region's server sent is unreadable; brug uses the built-in method until the next sync.\n%v",
	},
	"tui.noterminal": {
		"brug heeft een terminal nodig om de app te tonen. Start brug in een terminalvenster, of gebruik een opdracht zoals brug export of brug report.",
		"brug needs a terminal to show the app. Start brug in a terminal window, or use a command such as brug export or brug report.",
	},
	"tui.failed": {
		"De app stopte met een fout: %v",
		"The app stopped with an error: %v",
	},
	"close.failed": {
		"Het brug-bestand %s is niet netjes gesloten: %v",
		"The brug file %s was not closed cleanly: %v",
	},
	"demo.clients": {
		"--clients moet tussen 1 en %d liggen, niet %d.",
		"--clients must be between 1 and %d, not %d.",
	},
	"demo.temp": {
		"Demo-regio in een tijdelijk bestand: %s",
		"Demo region in a temporary file: %s",
	},
	"demo.tempfailed": {
		"Kan geen tijdelijk bestand maken voor de demo (%v). Geef er zelf een met --db.",
		"Cannot make a temporary file for the demo (%v). Give one yourself with --db.",
	},
	"demo.generating": {
		"Demo-regio maken met %s…",
		"Generating a demo region with %s…",
	},
	"demo.generated": {
		"Klaar: %s, %s, in %s.",
		"Done: %s, %s, in %s.",
	},
	"progress.count":  {"%s van %s", "%s of %s"},
	"progress.sync":   {"Synchroniseren met %s…", "Syncing with %s…"},
	"progress.export": {"Export maken…", "Making the export…"},
	"count.clients":   {"%s cliënten", "%s clients"},
	"count.clients.1": {"1 cliënt", "1 client"},
	"count.changes":   {"%s wijzigingen", "%s changes"},
	"count.changes.1": {"1 wijziging", "1 change"},
	"demo.failed": {
		"De demo-regio maken is mislukt: %v",
		"Generating the demo region failed: %v",
	},
	"demo.existing": {
		"%s bevat al %s; brug opent het zoals het is.",
		"%s already holds %s; brug opens it as it is.",
	},
	"demo.again": {
		"De demo staat in %s. Open hem opnieuw met: brug demo --db %s",
		"The demo is in %s. Open it again with: brug demo --db %s",
	},
	"export.format": {
		"--format moet md of json zijn, niet %q.",
		"--format must be md or json, not %q.",
	},
	"export.notfound": {
		"Geen cliënt gevonden voor %q. Geef (een deel van) de naam of het id, zoals de lijst in brug ze toont.",
		"No client found for %q. Give (part of) the name or the id, as the list in brug shows them.",
	},
	"export.ambiguous": {
		"Meer dan één cliënt past bij %q. Geef meer van de naam, of het id:",
		"More than one client matches %q. Give more of the name, or the id:",
	},
	"export.more": {
		"  … en nog %s",
		"  … and %s more",
	},
	"export.read": {
		"Kan het dossier niet lezen: %v",
		"Cannot read the dossier: %v",
	},
	"export.serverfile": {
		"%[1]s is het bestand van een syncserver, niet dat van een laptop; brug heeft het niet veranderd. Op de server exporteer je een dossier met 'brug admin --db %[1]s export CLIËNT' (of over SSH: ssh HOST admin export CLIËNT).",
		"%[1]s is a sync server's file, not a laptop's; brug has not changed it. On the server, export a dossier with 'brug admin --db %[1]s export CLIENT' (or over SSH: ssh HOST admin export CLIENT).",
	},
	"export.written": {
		"Export van %s (%s) geschreven naar %s.",
		"Export of %s (%s) written to %s.",
	},
	"out.folder": {
		"%s is een map; geef --out een bestandsnaam, bijvoorbeeld %s",
		"%s is a folder; give --out a file name, e.g. %s",
	},
	"out.precious": {
		"%s is een bestand van brug zelf (gegevens, sleutels of een kopie); een export of plan schrijft er niet overheen. Kies een andere naam voor --out, bijvoorbeeld dossier.md",
		"%s is a file of brug's own (data, keys or a backup); an export or plan does not write over it. Choose another name for --out, e.g. dossier.md",
	},
	"export.writefailed": {
		"Kan de export niet schrijven naar %s: %v",
		"Cannot write the export to %s: %v",
	},
	// brug report
	"report.format": {
		"--format moet md of csv zijn, niet %q.",
		"--format must be md or csv, not %q.",
	},
	"report.date": {
		"%s moet een datum zijn als 2025-03-31 (JJJJ-MM-DD), niet %q.",
		"%s must be a date such as 2025-03-31 (YYYY-MM-DD), not %q.",
	},
	"report.order": {
		"De periode begint (%s) na het einde (%s). Zet --from op of voor --to.",
		"The period starts (%s) after it ends (%s). Set --from on or before --to.",
	},
	"report.blankteam": {
		"--team mag niet leeg zijn. Laat --team weg om alle teams te tellen.",
		"--team must not be empty. Leave --team out to count all teams.",
	},
	"report.team": {
		"Geen cliënten in team %q. Teams in dit bestand: %s.",
		"No clients in team %q. Teams in this file: %s.",
	},
	"report.noteams": {
		"Geen cliënten in team %q: dit bestand heeft nog geen cliënten met een team. Laat --team weg.",
		"No clients in team %q: this file has no clients with a team yet. Leave --team out.",
	},
	"report.read": {
		"Kan de doorstroom niet tellen: %v",
		"Cannot count the flow: %v",
	},
	"report.title":       {"Doorstroom %s – %s", "Flow %s – %s"},
	"report.allteams":    {"Alle teams.", "All teams."},
	"report.teams":       {"Teams: %s.", "Teams: %s."},
	"report.headline":    {"%s van %s doorgestroomd", "%s of %s moved on"},
	"report.back":        {"%s zetten een stapje terug", "%s stepped back"},
	"report.back.1":      {"1 zette een stapje terug", "1 stepped back"},
	"report.atstart":     {"Plek aan het begin", "Place at the start"},
	"report.movedto":     {"Doorgestroomd naar", "Moved on to"},
	"report.backfrom":    {"Stapje terug vanaf", "Stepped back from"},
	"report.atend":       {"Plek aan het eind", "Place at the end"},
	"report.places":      {"Per plek", "Per place"},
	"report.total":       {"Totaal", "Total"},
	"report.perteam":     {"Per team", "Per team"},
	"report.chart":       {"Grafiek", "Chart"},
	"report.unknown":     {"onbekend", "unknown"},
	"report.noteam":      {"(geen team)", "(no team)"},
	"report.col.place":   {"Plek", "Place"},
	"report.col.team":    {"Team", "Team"},
	"report.col.people":  {"Mensen", "People"},
	"report.col.movedon": {"Doorgestroomd", "Moved on"},
	"report.col.back":    {"Stapje terug", "Stepped back"},
	// brug serve
	"serve.nodb": {
		"Geef het bestand van de server met --db BESTAND (of BRUG_DB); brug kiest het niet zelf.",
		"Give the server's file with --db FILE (or BRUG_DB); brug does not choose it for you.",
	},
	"serve.tlspair": {
		"Geef --tls-cert en --tls-key allebei, of geen van beide.",
		"Give both --tls-cert and --tls-key, or neither.",
	},
	"serve.locked": {
		"%s is in gebruik: draait er al een brug serve op? Stop die eerst, of kies een ander bestand met --db.",
		"%s is in use: is another brug serve running on it? Stop that one first, or choose another file with --db.",
	},
	"serve.masterkeyperm": {
		"Anderen kunnen de hoofdsleutel %s lezen; wie die en een kopie van de bestanden heeft, leest alle dossiers. brug gebruikt hem zo niet. Maak hem alleen voor de eigenaar leesbaar: chmod 600 %s",
		"Others can read the master key %s; whoever has it and a copy of the files reads every dossier. brug does not use it like this. Make it readable by its owner only: chmod 600 %s",
	},
	"serve.tls": {
		"Kan het TLS-certificaat niet laden (%v). Controleer de bestanden bij --tls-cert en --tls-key (PEM).",
		"Cannot load the TLS certificate (%v). Check the files given to --tls-cert and --tls-key (PEM).",
	},
	"serve.tlsreloaded": {
		"Nieuw TLS-certificaat geladen uit %s.",
		"Loaded a new TLS certificate from %s.",
	},
	"serve.tlsreloadfailed": {
		"Kan het nieuwe TLS-certificaat uit %s niet laden (%v); het vorige blijft in gebruik. Controleer de bestanden bij --tls-cert en --tls-key.",
		"Cannot load the new TLS certificate from %s (%v); the previous one stays in use. Check the files given to --tls-cert and --tls-key.",
	},
	"serve.listen": {
		"Kan niet luisteren op %s (%v). Kies een ander adres met --addr, bijvoorbeeld 127.0.0.1:8443.",
		"Cannot listen on %s (%v). Choose another address with --addr, for example 127.0.0.1:8443.",
	},
	"serve.plain": {
		"Let op: brug serve spreekt onversleuteld HTTP op %s, dat vanaf het netwerk bereikbaar is. Apparaatsleutels en dossiers gaan dan leesbaar over het netwerk. Gebruik --tls-cert en --tls-key, of zet een TLS-proxy voor 127.0.0.1.",
		"Warning: brug serve speaks plain HTTP on %s, which the network can reach. Device tokens and dossiers then cross the network readable. Use --tls-cert and --tls-key, or put a TLS proxy in front of 127.0.0.1.",
	},
	"serve.listening": {
		"brug serve luistert op %s (bestand %s). brug admin werkt via %s. Stop met Ctrl-C.",
		"brug serve listening on %s (file %s). brug admin works through %s. Stop with Ctrl-C.",
	},
	"serve.adminsock": {
		"De beheer-socket werkt niet (%v): brug admin kan deze server niet bereiken. Stop de server om beheeropdrachten op het bestand zelf te doen.",
		"The admin socket does not work (%v): brug admin cannot reach this server. Stop the server to run admin commands on the file itself.",
	},
	"serve.stopping": {
		"brug serve stopt; lopende verzoeken worden eerst afgemaakt…",
		"brug serve is stopping; requests in flight are finished first…",
	},
	"serve.logformat": {
		"--log-format is text of json, niet %[1]q.",
		"--log-format is text or json, not %[1]q.",
	},
	"serve.loglevel": {
		"--log-level is debug, info, warn of error, niet %[2]q.",
		"--log-level is debug, info, warn or error, not %[2]q.",
	},
	"serve.trustedproxy": {
		"--trusted-proxy %q is geen CIDR-bereik of adres; bijvoorbeeld 10.0.0.0/8 of 127.0.0.1.",
		"--trusted-proxy %q is no CIDR range or address; for example 10.0.0.0/8 or 127.0.0.1.",
	},
	"serve.publicurl": {
		"--public-url %q is geen adres zoals https://brug.voorbeeld.nl (http of https, zonder ? of #).",
		"--public-url %q is no address like https://brug.example.nl (http or https, without ? or #).",
	},
	"serve.metricslisten": {
		"Kan niet luisteren op %s voor /metrics (%v). Kies een ander adres met --metrics-addr, of zet het uit met --metrics-addr off.",
		"Cannot listen on %s for /metrics (%v). Choose another address with --metrics-addr, or turn it off with --metrics-addr off.",
	},
	"serve.metrics": {
		"Metrics voor Prometheus op %s.",
		"Prometheus metrics on %s.",
	},
	"serve.stopped": {
		"brug serve is gestopt.",
		"brug serve has stopped.",
	},
	"serve.failed": {
		"De server stopte met een fout: %v",
		"The server stopped with an error: %v",
	},

	// brug admin
	"admin.nofile": {
		"Er is nog geen serverbestand op %[1]s. Maak het met 'brug admin --db %[1]s team add TEAM' of 'brug serve --db %[1]s', of kies het goede bestand met --db.",
		"There is no server file at %[1]s yet. Make it with 'brug admin --db %[1]s team add TEAM' or 'brug serve --db %[1]s', or choose the right file with --db.",
	},
	"admin.socket": {
		"%s wordt gebruikt door een draaiende brug serve, maar die is niet te bereiken via %s (%v). Kijk of brug serve nog draait en onder jouw gebruiker; stop hem anders en probeer het opnieuw.",
		"%s is held by a running brug serve, but it cannot be reached through %s (%v). Check that brug serve still runs, as your user; otherwise stop it and try again.",
	},
	"admin.norole": {
		"Geef de rol van de gebruiker met --role (%s).",
		"Give the user's role with --role (%s).",
	},
	"admin.badrole": {
		"Onbekende rol %q. Kies een van: %s.",
		"Unknown role %q. Choose one of: %s.",
	},
	"admin.since": {
		"--since %q: geef een datum als JJJJ-MM-DD, bijvoorbeeld 2026-11-01.",
		"--since %q: give a date as YYYY-MM-DD, for example 2026-11-01.",
	},
	"admin.until": {
		"--until %q: geef een datum als JJJJ-MM-DD (die hele dag telt mee) of een tijd als 2026-11-30T17:00:00+01:00.",
		"--until %q: give a date as YYYY-MM-DD (that whole day included) or a time as 2026-11-30T17:00:00+01:00.",
	},
	"admin.auditformat": {
		"--format %q: kies table, csv of json.",
		"--format %q: choose table, csv or json.",
	},
	"admin.audit.from": {" vanaf %s", " from %s"},
	"admin.audit.unrecorded": {
		" (en %d keer eerder, niet apart vastgelegd)",
		" (and %d times before, not recorded one by one)",
	},
	"admin.eraseyes": {
		"Wissen kan niet ongedaan worden gemaakt. Voeg --yes toe om %s te wissen.",
		"Erasing cannot be undone. Add --yes to erase %s.",
	},
	"admin.nouser": {
		"Gebruiker %s bestaat niet; zie brug admin user list.",
		"User %s does not exist; see brug admin user list.",
	},
	"admin.userexists": {
		"Gebruiker %s bestaat al; zie brug admin user list.",
		"User %s exists already; see brug admin user list.",
	},
	"admin.badusername": {
		"%q kan geen gebruikersnaam zijn: gebruik 1 tot 64 letters, cijfers, '.', '_', '-' of '@'.%.0s",
		"%q cannot be a user name: use 1 to 64 letters, digits, '.', '_', '-' or '@'. (details: %s)",
	},
	"admin.noteam": {
		"Team %[1]q bestaat niet; maak het met brug admin team add %[1]q, of zie brug admin team list.",
		"Team %[1]q does not exist; add it with brug admin team add %[1]q, or see brug admin team list.",
	},
	"admin.teamexists": {
		"Team %q bestaat al; zie brug admin team list.",
		"Team %q exists already; see brug admin team list.",
	},
	"admin.badteamname": {
		"%q kan geen teamnaam zijn: gebruik 1 tot 64 leesbare tekens, zonder spatie aan begin of eind.",
		"%q cannot be a team name: use 1 to 64 printable characters, without a space at either end.",
	},
	"admin.notmember": {
		"%s zit niet in team %q; zie brug admin team list.",
		"%s is not in team %q; see brug admin team list.",
	},
	"admin.disabled": {
		"Gebruiker %s is uitgeschakeld en kan geen apparaat aanmelden.",
		"User %s is disabled and cannot enrol a device.",
	},
	"admin.nodevice": {
		"Apparaat %s bestaat niet; zie brug admin device list.",
		"Device %s does not exist; see brug admin device list.",
	},
	"admin.noclient": {
		"Geen dossier gevonden voor %q op de server. Geef het id of een deel van de naam; brug admin audit toont de ids.",
		"No dossier found for %q on the server. Give the id or part of the name; brug admin audit shows the ids.",
	},
	"admin.ambiguous": {
		"Meer dan één dossier past bij %q. Geef meer van de naam, of het id.",
		"More than one dossier matches %q. Give more of the name, or the id.",
	},
	"admin.refused": {
		"De server weigert de opdracht: %s",
		"The server refuses the command: %s",
	},
	"admin.failed": {
		"De beheeropdracht lukte niet: %v",
		"The admin command did not work: %v",
	},
	"admin.useradded": {
		"Gebruiker %s toegevoegd, rol %s, teams: %s.",
		"Added user %s, role %s, teams: %s.",
	},
	"admin.userdisabled": {
		"Gebruiker %s uitgeschakeld: zijn of haar apparaten worden vanaf de volgende synchronisatie geweigerd.",
		"Disabled user %s: their devices are refused from their next sync.",
	},
	"admin.teamadded": {"Team %q toegevoegd.", "Added team %q."},
	"admin.teamadded.default": {
		"Team %q toegevoegd. Het hoort bij de standaardorganisatie van de regio; geef het een organisatie met brug admin team org. Een dossier gaat alleen met toestemming van de persoon naar een team van een andere organisatie.",
		"Added team %q. It belongs to the region's default organisation; give it an organisation with brug admin team org. A dossier moves to a team of another organisation only with the person's consent.",
	},
	"admin.memberadded":   {"%s zit nu in team %q; de apparaten krijgen de dossiers bij de volgende synchronisatie.", "%s is now in team %q; their devices get its dossiers on the next sync."},
	"admin.memberremoved": {"%s is uit team %q gehaald; de apparaten halen de dossiers weg bij de volgende synchronisatie.", "Removed %s from team %q; their devices remove its dossiers on the next sync."},
	"admin.inviteurl": {
		"(voor %s; werkt één keer, tot %s.) Aanmelden met:",
		"(for %s; works once, until %s.) Enrol with:",
	},
	"admin.invite": {
		"(voor %s; werkt één keer, tot %s. Aanmelden met: brug login URL %s)",
		"(for %s; works once, until %s. Enrol with: brug login URL %s)",
	},
	"admin.revoked": {
		"Apparaat %s ingetrokken: het wordt bij zijn volgende verzoek geweigerd.",
		"Revoked device %s: it is refused from its next request.",
	},
	"admin.exporterased": {
		"Dossier %s is gewist: de server bewaart er niets meer van, dus er is niets te exporteren.",
		"Dossier %s was erased: the server keeps nothing of it, so there is nothing to export.",
	},
	"admin.exportsshout": {
		"Over SSH kan brug geen bestand %q op de server schrijven. Laat --out weg en vang de uitvoer op: ssh HOST admin export CLIËNT > export.md",
		"Over SSH brug cannot write a file %q on the server. Leave out --out and catch the output: ssh HOST admin export CLIENT > export.md",
	},
	"admin.exportmethod": {
		"Let op: de server las het dossier met methode %s versie %d, deze export gebruikt %s versie %d. Geef brug admin dezelfde --method als brug serve.",
		"Note: the server read the dossier with method %s version %d; this export uses %s version %d. Give brug admin the same --method as brug serve.",
	},
	"admin.backup": {
		"Kopie geschreven naar %s (%d KiB). Terugzetten: stop brug serve, zet de kopie over het bestand van de server en start brug serve weer.",
		"Wrote a copy to %s (%d KiB). To restore: stop brug serve, copy it over the server's file and start brug serve again.",
	},
	"admin.backup.own": {
		"%s is het bestand van de server zelf (of de sleutelopslag of de socket ervan); kies een andere naam voor de kopie",
		"%s is the server's own file (or its key store or socket); choose another name for the copy",
	},
	"admin.backup.folder": {
		"%s is een map; geef de naam van een bestand voor de kopie, in die map",
		"%s is a folder; give the name of a file for the copy, in that folder",
	},
	"admin.backupkeys": {
		"Kopie geschreven naar %s (%d KiB), de sleutelopslag naar %s. Bewaar die twee samen. De hoofdsleutel zit er niet in: bewaar je die apart, niet bij de kopieën, want met de hoofdsleutel en de kopieën lees je alle dossiers. Terugzetten: stop brug serve, zet eerst de sleutelopslag en dan het bestand terug, en start brug serve weer (zie docs/operations.md).",
		"Wrote a copy to %s (%d KiB), the key store to %s. Keep the two together. The master key is not in them: keep it apart, not with the copies, as the master key and the copies read every dossier. To restore: stop brug serve, put back the key store first and then the file, and start brug serve again (see docs/operations.md).",
	},
	"admin.none":         {"geen", "none"},
	"admin.active":       {"actief", "active"},
	"admin.off":          {"uitgeschakeld", "disabled"},
	"admin.revokedat":    {"ingetrokken %s", "revoked %s"},
	"admin.cols.users":   {"NAAM\tROL\tSTATUS\tTEAMS", "NAME\tROLE\tSTATE\tTEAMS"},
	"admin.cols.teams":   {"TEAM\tLEDEN", "TEAM\tMEMBERS"},
	"admin.cols.devices": {"APPARAAT-ID\tGEBRUIKER\tNAAM\tAANGEMELD\tLAATST GEZIEN\tSTATUS\tINSCHRIJVING", "DEVICE ID\tUSER\tNAME\tENROLLED\tLAST SEEN\tSTATE\tENROLMENT"},
	"admin.cols.audit":   {"TIJD\tKANAAL\tGEBRUIKER\tACTIE\tDOSSIER\tAPPARAAT\tDETAIL", "TIME\tCHANNEL\tUSER\tACTION\tDOSSIER\tDEVICE\tDETAIL"},

	// brug login and brug sync
	"login.url": {
		"%q is geen serveradres. Geef het als https://server[:poort].",
		"%q is not a server address. Give it as https://server[:port].",
	},
	"login.nocode": {
		"Geef de code die je van je beheerder kreeg: brug login URL CODE.",
		"Give the code your admin gave you: brug login URL CODE.",
	},
	"login.refused": {
		"De server %s weigert deze code: hij is onbekend, al gebruikt of verlopen (een code werkt één keer en 24 uur lang), of je account is uitgeschakeld. Vraag je beheerder om een nieuwe code (brug admin invite NAAM).",
		"The server %s refuses this code: it is unknown, used already or expired (a code works once, for 24 hours), or your account is disabled. Ask your admin for a new code (brug admin invite NAME).",
	},
	"login.otheruser": {
		"Deze code is van %[1]s, maar %[2]s is van %[3]s (dossiers: %[4]d; wijzigingen nog niet verstuurd: %[5]d). brug heeft het bestand niet veranderd, maar de code is gebruikt. Krijg je deze laptop van %[3]s? Vraag je beheerder om een nieuwe code en meld je aan met --replace-user: brug verstuurt dan eerst de wijzigingen van %[3]s en maakt het bestand leeg. Of kies een eigen bestand met --db.",
		"This code is %[1]s's, but %[2]s is %[3]s's (dossiers: %[4]d; changes not sent yet: %[5]d). brug has not changed the file, but the code is used. Are you taking this laptop over from %[3]s? Ask your admin for a new code and enrol with --replace-user: brug then first sends %[3]s's changes and empties the file. Or choose a file of your own with --db.",
	},
	"login.otherwork": {
		"Deze code is van %[1]s, maar %[2]s bevat wijzigingen die nog naar geen server zijn gestuurd (%[3]d), gemaakt als %[4]s. brug heeft het bestand niet veranderd, maar de code is gebruikt. Zijn die wijzigingen van jou? Vraag je beheerder om een nieuwe code en meld je aan met --adopt; dan worden ze als %[1]s verstuurd. Zo niet, kies een eigen bestand met --db.",
		"This code is %[1]s's, but %[2]s holds changes that no server has yet (%[3]d), made as %[4]s. brug has not changed the file, but the code is used. Are those changes yours? Ask your admin for a new code and enrol with --adopt; they are then sent as %[1]s's. If not, choose a file of your own with --db.",
	},
	"login.unsent": {
		"%[1]s is niet leeggemaakt: de wijzigingen van %[3]s die nog wachten (%[2]d) konden niet worden verstuurd (%[4]v). Laat %[3]s eerst synchroniseren ('brug sync'), of probeer het opnieuw als de server bereikbaar is. Er is niets veranderd.",
		"%[1]s has not been emptied: the waiting changes of %[3]s (%[2]d) could not be sent (%[4]v). Let %[3]s sync first ('brug sync'), or try again when the server can be reached. Nothing has changed.",
	},
	"login.unsent.refused": {
		"%[1]s is niet leeggemaakt: van %[2]s wachten nog wijzigingen (%[3]d) en de server weigerde er een deel (%[4]d). Laat %[2]s die eerst bekijken in de app (geweigerde wijzigingen) en de lijst wissen; meld je daarna opnieuw aan.",
		"%[1]s has not been emptied: changes of %[2]s still wait (%[3]d) and the server refused some (%[4]d). Let %[2]s look at them in the app (refused changes) and clear the list first; then enrol again.",
	},
	"login.unsent.never": {
		"%[1]s is niet leeggemaakt: het bevat wijzigingen (%[2]d), gemaakt als %[3]s, die nooit naar een server konden gaan (het bestand was nog niet aangemeld). Zijn ze van jou, meld je dan aan met --adopt in plaats van --replace-user. Zo niet, kies een eigen bestand met --db.",
		"%[1]s has not been emptied: it holds changes (%[2]d), made as %[3]s, that could never go to a server (the file was never enrolled). If they are yours, enrol with --adopt instead of --replace-user. If not, choose a file of your own with --db.",
	},
	"login.wiped": {
		"%s is leeggemaakt: alle wijzigingen van %s waren verstuurd; hun dossiers (%d) staan niet meer op deze laptop.",
		"%s has been emptied: all changes of %s had been sent; their dossiers (%d) are no longer on this laptop.",
	},
	"login.done": {
		"Aangemeld bij %s als %s (apparaat %q). De app synchroniseert nu op de achtergrond; 'brug sync' doet het meteen.",
		"Enrolled at %s as %s (device %q). The app now syncs in the background; 'brug sync' does it at once.",
	},
	"token.nodir": {
		"Kan geen plek vinden voor de apparaatsleutel (%v).",
		"Cannot find a place for the device token (%v).",
	},
	"sync.notenrolled": {
		"Dit apparaat is nog niet aangemeld bij een server. Vraag je beheerder om een code en voer 'brug login URL CODE' uit.",
		"This device is not enrolled with a server yet. Ask your admin for a code and run 'brug login URL CODE'.",
	},
	"sync.unauthorized": {
		"De server %[1]s kent dit apparaat niet (meer). Vraag je beheerder om een nieuwe code en voer 'brug login %[1]s CODE' uit. Je werk blijft bewaard.",
		"The server %[1]s does not know this device (any more). Ask your admin for a new code and run 'brug login %[1]s CODE'. Your work is kept.",
	},
	"sync.revoked": {
		"Je beheerder heeft dit apparaat ingetrokken bij %[1]s (bijvoorbeeld omdat het kwijt was). Je werk op dit apparaat blijft bewaard. Mag het weer synchroniseren, vraag je beheerder dan om een nieuwe code en voer 'brug login %[1]s CODE' uit.",
		"Your admin revoked this device at %[1]s (for instance because it was lost). Your work on this device is kept. If it may sync again, ask your admin for a new code and run 'brug login %[1]s CODE'.",
	},
	"sync.disabled": {
		"Je account op %s is uitgeschakeld; synchroniseren kan niet. Een nieuwe code helpt niet: neem contact op met je beheerder. Je werk op dit apparaat blijft bewaard.",
		"Your account at %s is disabled; syncing is not possible. A new code does not help: contact your admin. Your work on this device is kept.",
	},
	"sync.untrusted.issuer": {
		"De server %s heeft een certificaat dat deze computer niet vertrouwt: het is uitgegeven door een onbekende uitgever (de CA van je regio staat niet op deze computer). Dit is geen netwerkstoring en opnieuw proberen helpt niet. Vraag je IT-afdeling om het CA-certificaat van de regio op deze computer te installeren (zie docs/operations.md, \"Trusting an internal CA\"). Je werk blijft bewaard.\n(oorzaak: %v)",
		"The server %s has a certificate this computer does not trust: it was issued by an unknown issuer (your region's CA is not installed on this computer). This is not a network failure and trying again will not help. Ask your IT team to install the region's CA certificate on this computer (see docs/operations.md, \"Trusting an internal CA\"). Your work is kept.\n(details: %v)",
	},
	"sync.untrusted.name": {
		"De server %s heeft een certificaat dat deze computer niet vertrouwt: het certificaat is voor een andere naam. Controleer het adres dat je bij brug login gaf; klopt dat, vraag dan je IT-afdeling om een certificaat voor deze naam (zie docs/operations.md). Je werk blijft bewaard.\n(oorzaak: %v)",
		"The server %s has a certificate this computer does not trust: the certificate is for another name. Check the address you gave to brug login; if it is right, ask your IT team for a certificate for this name (see docs/operations.md). Your work is kept.\n(details: %v)",
	},
	"sync.untrusted.expired": {
		"De server %s heeft een certificaat dat deze computer niet vertrouwt: het is verlopen (of nog niet geldig). Controleer de datum en tijd van deze computer; kloppen die, vraag dan je IT-afdeling om het certificaat van de server te vernieuwen (zie docs/operations.md). Je werk blijft bewaard.\n(oorzaak: %v)",
		"The server %s has a certificate this computer does not trust: it has expired (or is not valid yet). Check this computer's date and time; if they are right, ask your IT team to renew the server's certificate (see docs/operations.md). Your work is kept.\n(details: %v)",
	},
	"sync.untrusted.invalid": {
		"De server %s heeft een certificaat dat deze computer niet vertrouwt. Dit is geen netwerkstoring en opnieuw proberen helpt niet. Vraag je IT-afdeling om hulp; installeer zo nodig het CA-certificaat van de regio (zie docs/operations.md). Je werk blijft bewaard.\n(oorzaak: %v)",
		"The server %s has a certificate this computer does not trust. This is not a network failure and trying again will not help. Ask your IT team; install the region's CA certificate if needed (see docs/operations.md). Your work is kept.\n(details: %v)",
	},
	"sync.serverbusy": {
		"De server %s kan je verzoek nu niet verwerken. Je werk blijft bewaard; probeer het later opnieuw.\n(oorzaak: %v)",
		"The server %s cannot handle your request now. Your work is kept; try again later.\n(details: %v)",
	},
	"sync.unreachable": {
		"Kan de server %s niet bereiken; ben je offline, of draait de server niet? Je werk blijft bewaard; probeer het later opnieuw.\n(oorzaak: %v)",
		"Cannot reach the server %s; are you offline, or is the server down? Your work is kept; try again later.\n(details: %v)",
	},
	"sync.refusedreq": {
		"De server %s weigert: %s",
		"The server %s refuses: %s",
	},
	"sync.failed": {
		"Synchroniseren lukte niet: %v",
		"Sync did not work: %v",
	},
	"sync.nothing": {
		"Alles is bij met %s: niets te versturen of te ontvangen.",
		"Up to date with %s: nothing to send or receive.",
	},
	"sync.moved": {
		"Gesynchroniseerd met %s: %s.",
		"Synced with %s: %s.",
	},
	"sync.pushed":    {"%s wijzigingen verstuurd", "%s changes sent"},
	"sync.pushed.1":  {"1 wijziging verstuurd", "1 change sent"},
	"sync.pulled":    {"%s ontvangen", "%s received"},
	"sync.refused":   {"%s geweigerd", "%s refused"},
	"sync.dropped":   {"%s dossiers weggehaald die niet meer bij je teams horen", "%s dossiers removed that left your teams"},
	"sync.dropped.1": {"1 dossier weggehaald dat niet meer bij je teams hoort", "1 dossier removed that left your teams"},
	"sync.erased":    {"%s dossiers gewist op verzoek van de beheerder", "%s dossiers erased at the admin's request"},
	"sync.erased.1":  {"1 dossier gewist op verzoek van de beheerder", "1 dossier erased at the admin's request"},
	"sync.and":       {" en ", " and "},
	"sync.newmethod": {
		"De regio gebruikt een nieuwe versie van de methode (%s, versie %d); brug gebruikt die vanaf de volgende start.",
		"The region uses a new version of the method (%s, version %d); brug uses it from its next start.",
	},
	"sync.methodrefused": {
		"Let op: de methode die de server stuurde is niet bewaard; brug houdt de methode die het had.\n%v",
		"Note: the method the server sent was not kept; brug keeps the method it had.\n%v",
	},
	"sync.restored": {
		"De server is teruggezet uit een back-up: alle wijzigingen van dit apparaat zijn opnieuw aangeboden en alles is opnieuw opgehaald.",
		"The server was restored from a backup: every change made on this device was offered again and everything was fetched again.",
	},
	"sync.refusedline": {
		"  geweigerd: dossier %s, veld %s: %s",
		"  refused: dossier %s, field %s: %s",
	},
}
