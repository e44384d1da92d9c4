package main

// importTexts are the messages of `brug admin user import`.
var importTexts = map[string][2]string{
	"import.format": {
		"Onbekend formaat %q voor --invite-format; kies lines of csv.",
		"Unknown format %q for --invite-format; use lines or csv.",
	},
	"import.sshfile": {
		"Over SSH kan brug geen bestand %q op de server lezen. Geef het bestand via standaardinvoer: ssh HOST admin user import - < gebruikers.csv",
		"Over SSH brug cannot read a file %q on the server. Give the file on standard input: ssh HOST admin user import - < users.csv",
	},
	"import.read":   {"Kan %s niet lezen: %v", "Cannot read %s: %v"},
	"import.toobig": {"%s is groter dan %d MiB; splits het bestand.", "%s is larger than %d MiB; split the file."},
	"import.line":   {"regel %d: %s", "line %d: %s"},
	"import.p.csv":  {"geen geldige CSV (%s); zet een veld met komma's of aanhalingstekens tussen \"...\" en verdubbel aanhalingstekens erin", "not valid CSV (%s); put a field with commas or quotes in \"...\" and double the quotes inside"},
	"import.p.header": {
		"de eerste regel moet de kolommen name,role,teams noemen (%q klopt niet of ontbreekt)",
		"the first line must name the columns name,role,teams (%q is wrong or missing)",
	},
	"import.p.fields": {
		"%s velden; elke regel heeft er evenveel als de kopregel",
		"%s fields; every line has as many as the header",
	},
	"import.p.bad name": {
		"ongeldige gebruikersnaam %q: gebruik 1 tot 64 letters, cijfers, '.', '_', '-' of '@'",
		"invalid user name %q: use 1 to 64 letters, digits, '.', '_', '-' or '@'",
	},
	"import.p.bad role": {
		"onbekende rol %q: kies coach, wijkteam, coordinator of admin",
		"unknown role %q: use coach, wijkteam, coordinator or admin",
	},
	"import.p.unknown team": {
		"team %q bestaat niet; maak het aan met brug admin team add, of gebruik --create-teams",
		"team %q does not exist; add it with brug admin team add, or use --create-teams",
	},
	"import.p.bad team": {
		"ongeldige teamnaam %q: gebruik 1 tot 64 tekens zonder spaties aan begin of eind",
		"invalid team name %q: use 1 to 64 characters without leading or trailing spaces",
	},
	"import.p.duplicate": {
		"deze naam staat al op regel %s",
		"this name is on line %s already",
	},
	"import.p.exists": {
		"gebruiker %s bestaat al; gebruik --update om rol en teams bij te werken",
		"user %s exists already; use --update to update role and teams",
	},
	"import.p.disabled": {
		"gebruiker %s is uitgeschakeld en krijgt geen code; schakel in met brug admin user enable, of laat --invite weg",
		"user %s is disabled and gets no code; enable them with brug admin user enable, or leave out --invite",
	},
	"import.p.last admin": {
		"%s is de laatste actieve beheerder en blijft admin",
		"%s is the last active admin and stays admin",
	},
	"import.p.empty": {"het bestand bevat geen gebruikers%s", "the file holds no users%s"},
	"import.p.too many": {
		"meer dan %s gebruikers in één keer; splits het bestand",
		"more than %s users at once; split the file",
	},
	"import.refused": {
		"%d fout(en) gevonden; er is niets geïmporteerd.",
		"%d error(s) found; nothing was imported.",
	},
	"import.dryrun": {
		"Proefdraai: er is niets geschreven. Zonder --dry-run gebeurt dit:",
		"Dry run: nothing was written. Without --dry-run this happens:",
	},
	"import.plan.team":   {"  nieuw team:  %s", "  new team:    %s"},
	"import.plan.add":    {"  nieuw:       %s (%s), teams: %s", "  new:         %s (%s), teams: %s"},
	"import.plan.update": {"  bijwerken:   %s (%s), teams: %s", "  update:      %s (%s), teams: %s"},
	"import.summary": {
		"%d gebruiker(s) nieuw, %d bijgewerkt, %d team(s) nieuw, %d lidmaatschap(pen) erbij",
		"%d user(s) new, %d updated, %d team(s) new, %d membership(s) added",
	},
	"import.wouldbe":     {"Samen: %s.", "In all: %s."},
	"import.wouldinvite": {"Met --invite krijgen %d gebruiker(s) een eenmalige code.", "With --invite %d user(s) get a one-time code."},
	"import.done":        {"Geïmporteerd: %s.", "Imported: %s."},
	"import.invites": {
		"Eenmalige codes, geldig tot %s. Geef iedereen alleen de eigen regel:",
		"One-time codes, valid until %s. Give each person only their own line:",
	},
	"import.nourl": {
		"Inloggen: brug login URL CODE (start brug serve met --public-url, dan staat het hele commando erbij).",
		"To log in: brug login URL CODE (start brug serve with --public-url to have the whole command printed).",
	},
}
