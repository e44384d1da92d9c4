package main

import "fmt"

// msgs are the CLI's own messages in Dutch and English: what is printed on
// the terminal outside the app (errors before the app starts, what the demo
// and export commands report). Help texts are English, as cobra's are.
type msgs struct{ lang string }

func newMsgs(lang string) msgs { return msgs{lang: lang} }

// f formats the message for key in the chosen language.
func (m msgs) f(key string, args ...any) string {
	t, ok := cliTexts[key]
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
	return fmt.Sprintf(s, args...)
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
	"open.other": {
		"Kan %s niet openen: %v",
		"Cannot open %s: %v",
	},
	"detail": {
		"(details: %v)",
		"(details: %v)",
	},
	"method.broken": {
		"Het methodebestand bevat een fout; brug start niet.\n%v",
		"The method file has a mistake; brug does not start.\n%v",
	},
	"method.unreadable": {
		"Kan het methodebestand niet lezen: %v. Controleer het pad bij --method.",
		"Cannot read the method file: %v. Check the path given to --method.",
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
		"Demo-regio maken met %d cliënten…",
		"Generating a demo region with %d clients…",
	},
	"demo.generated": {
		"Klaar: %d cliënten, %d wijzigingen, in %s.",
		"Done: %d clients, %d changes, in %s.",
	},
	"demo.failed": {
		"De demo-regio maken is mislukt: %v",
		"Generating the demo region failed: %v",
	},
	"demo.existing": {
		"%s bevat al %d cliënten; brug opent het zoals het is.",
		"%s already holds %d clients; brug opens it as it is.",
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
		"  … en nog %d",
		"  … and %d more",
	},
	"export.read": {
		"Kan het dossier niet lezen: %v",
		"Cannot read the dossier: %v",
	},
	"export.written": {
		"Export van %s (%d wijzigingen) geschreven naar %s.",
		"Export of %s (%d changes) written to %s.",
	},
	"export.writefailed": {
		"Kan de export niet schrijven naar %s: %v",
		"Cannot write the export to %s: %v",
	},
}
