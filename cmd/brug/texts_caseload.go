package main

// caseloadTexts are the messages of `brug import` (a caseload) and
// `brug duplicates`. key -> {nl, en}.
var caseloadTexts = map[string][2]string{
	"caseload.line":    {"regel %d: %s", "line %d: %s"},
	"caseload.linecol": {"regel %d, kolom %s: %s", "line %d, column %s: %s"},
	"caseload.refused": {
		"%s fouten gevonden; er is niets geïmporteerd.",
		"%s errors found; nothing was imported.",
	},
	"caseload.refused.1": {
		"1 fout gevonden; er is niets geïmporteerd.",
		"1 error found; nothing was imported.",
	},
	"caseload.p.utf8": {
		"dit is geen UTF-8; sla het bestand op als \"CSV UTF-8\"%.0s",
		"this is not UTF-8; save the file as \"CSV UTF-8\"%.0s",
	},
	"caseload.p.csv": {
		"geen geldige CSV (%s); zet een veld met scheidingstekens of aanhalingstekens tussen \"...\" en verdubbel aanhalingstekens erin",
		"not valid CSV (%s); put a field with separators or quotes in \"...\" and double the quotes inside",
	},
	"caseload.p.column": {
		"onbekende kolom %q; gebruik naam (of voornaam, voorvoegsel, achternaam), geboortejaar (of geboortedatum), team, coach, uitkering, doel, plek",
		"unknown column %q; use naam (or voornaam, voorvoegsel, achternaam), geboortejaar (or geboortedatum), team, coach, uitkering, doel, plek",
	},
	"caseload.p.twice":     {"de kolom %q staat er twee keer in", "the column %q is there twice"},
	"caseload.p.noname":    {"de kopregel moet de kolom naam noemen, of voornaam en achternaam%.0s", "the header must name the column naam, or voornaam and achternaam%.0s"},
	"caseload.p.bothnames": {"gebruik naam, of voornaam en achternaam, niet allebei%.0s", "use naam, or voornaam and achternaam, not both%.0s"},
	"caseload.p.bothyears": {"gebruik geboortejaar of geboortedatum, niet allebei%.0s", "use geboortejaar or geboortedatum, not both%.0s"},
	"caseload.p.noteam": {
		"de kopregel noemt geen kolom team; voeg die toe, of geef het team van iedereen met --team%.0s",
		"the header names no column team; add it, or give everyone's team with --team%.0s",
	},
	"caseload.p.noheader":   {"het bestand is leeg; de eerste regel noemt de kolommen%.0s", "the file is empty; the first line names the columns%.0s"},
	"caseload.p.empty.file": {"het bestand bevat geen cliënten%s", "the file holds no clients%s"},
	"caseload.p.fields": {
		"%s velden, de kopregel heeft er %s; elke regel heeft er evenveel",
		"%s fields, the header has %s; every line has as many",
	},
	"caseload.p.toomany":    {"meer dan %s cliënten in één keer; splits het bestand", "more than %s clients at once; split the file"},
	"caseload.p.noname.row": {"de naam ontbreekt%s", "the name is missing%s"},
	"caseload.p.empty":      {"dit veld is leeg; het is verplicht%s", "this field is empty; it is required%s"},
	"caseload.p.toolong":    {"te lang (meer dan %s tekens)", "too long (more than %s characters)"},
	"caseload.p.linebreak":  {"een regeleinde of tab in het veld%s", "a line break or tab in the field%s"},
	"caseload.p.year": {
		"%q is geen geboortejaar; schrijf een jaar zoals 1990",
		"%q is not a birth year; write a year like 1990",
	},
	"caseload.p.future": {"geboortejaar %s ligt in de toekomst", "birth year %s is in the future"},
	"caseload.p.date": {
		"%q is geen datum; schrijf een datum zoals 14-3-1990",
		"%q is not a date; write a date like 14-3-1990",
	},
	"caseload.p.benefit": {
		"onbekende uitkering %q; kies geen, participatiewet, wajong, wia, ww, wlz of anders",
		"unknown benefit %q; use geen, participatiewet, wajong, wia, ww, wlz or anders",
	},
	"caseload.p.place": {
		"onbekende plek %q; kies dagbesteding, vrijwilligerswerk, opleiding, werkervaringsplaats, beschut-werk, banenafspraak of regulier-werk",
		"unknown place %q; use dagbesteding, vrijwilligerswerk, opleiding, werkervaringsplaats, beschut-werk, banenafspraak or regulier-werk",
	},
	"caseload.p.invalid": {"ongeldige waarde (%s)", "invalid value (%s)"},
	"caseload.cols":      {"REGEL\tNAAM\tGEBOORTEJAAR\tTEAM\tOPMERKING", "LINE\tNAME\tBIRTH YEAR\tTEAM\tNOTE"},
	"caseload.dup.there": {"dubbel? staat al in je bestand: %s (%s)", "duplicate? in your file already: %s (%s)"},
	"caseload.dup.line":  {"dubbel? staat ook op regel %d", "duplicate? on line %d too"},
	"caseload.dup.skip":  {"; wordt overgeslagen", "; skipped"},
	"caseload.dup.anyway": {
		"; wordt toch aangemaakt (--allow-duplicates)",
		"; created anyway (--allow-duplicates)",
	},
	"caseload.new":       {"%s cliënten nieuw", "%s clients new"},
	"caseload.new.1":     {"1 cliënt nieuw", "1 client new"},
	"caseload.skipped":   {"%s dubbel overgeslagen", "%s duplicates skipped"},
	"caseload.skipped.1": {"1 dubbel overgeslagen", "1 duplicate skipped"},
	"caseload.dryrun": {
		"Proefdraai: er is niets geschreven (%s). Met --yes worden ze aangemaakt.",
		"Dry run: nothing was written (%s). With --yes they are created.",
	},
	"caseload.done":    {"Geïmporteerd: %s.", "Imported: %s."},
	"caseload.notdone": {"Er is niets geïmporteerd: %v", "Nothing was imported: %v"},
	"dups.none":        {"Geen dubbele cliënten gevonden.", "No duplicate clients found."},
	"dups.cols":        {"ID\tNAAM\tGEBOORTEJAAR\tTEAM", "ID\tNAME\tBIRTH YEAR\tTEAM"},
	"dups.count":       {"%s paren die waarschijnlijk dezelfde persoon zijn. Voeg samen met: brug duplicates merge HOUDEN WEG", "%s pairs that are likely the same person. Merge with: brug duplicates merge KEEP GONE"},
	"dups.count.1":     {"1 paar dat waarschijnlijk dezelfde persoon is. Voeg samen met: brug duplicates merge HOUDEN WEG", "1 pair that is likely the same person. Merge with: brug duplicates merge KEEP GONE"},
	"dups.merged":      {"%s is al samengevoegd (of je noemt twee keer hetzelfde dossier).", "%s was merged already (or you named the same dossier twice)."},
	"dups.notdone":     {"Samenvoegen is niet gelukt; er is niets veranderd: %v", "The merge did not work; nothing was changed: %v"},
	"dups.done": {
		"%s (%s) is samengevoegd in %s (%s): %d wijzigingen. Het oude dossier is ingetrokken en wijst naar het nieuwe.",
		"%s (%s) was merged into %s (%s): %d changes. The old dossier is withdrawn and points to the new one.",
	},
	"dups.conflicts":   {"%s teksten verschilden; beide staan er als conflict. Kies in de app welke blijft.", "%s texts differed; both are kept as a conflict. Choose in the app which stays."},
	"dups.conflicts.1": {"1 tekst verschilde; beide staan er als conflict. Kies in de app welke blijft.", "1 text differed; both are kept as a conflict. Choose in the app which stays."},
	"dups.noted":       {"%s gegevens verschilden; ze staan in de samenvoegnotitie van het dossier.", "%s values differed; they are in the dossier's merge note."},
	"dups.noted.1":     {"1 gegeven verschilde; het staat in de samenvoegnotitie van het dossier.", "1 value differed; it is in the dossier's merge note."},
}
