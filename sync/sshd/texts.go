package sshd

// msgs are what the SSH server says to a user outside the app, in their
// language.
type msgs struct {
	noKey, refused, noPty, adminNoApp, idle, unknownCmd, notAdmin string
	unclosed, notPlain                                            string
}

func messages(lang string) msgs {
	if lang == "en" {
		return msgs{
			noKey:      "brug: log in with a public key registered to your account.",
			refused:    "brug: this key is not (or no longer) registered to an active account. Ask your administrator.",
			noPty:      "brug: the app needs a terminal. Connect with ssh -t, or run an admin command: ssh HOST admin --help",
			adminNoApp: "brug: admin accounts manage users and teams and open no dossiers. Run admin commands: ssh HOST admin --help",
			idle:       "brug: session ended after %s without a keystroke. Connect again to go on; everything was saved.",
			unknownCmd: "brug: unknown command %q. Connect without a command for the app, run ssh HOST report --help for the flow report; admins run ssh HOST admin ...",
			notAdmin:   "brug: admin commands are for admins; %s is %s.",
			unclosed:   "brug: a quote in the command is not closed. Close it, as in --team \"Team Noord\"; if your shell ate the quotes, put the whole command in single quotes: ssh HOST 'admin user add anna --team \"Team Noord\"'",
			notPlain:   "brug: the command holds shell syntax brug does not run ($, `, ;, |, &, < or >). Put words with such characters in single quotes, and redirect output on your own machine: ssh HOST 'admin export \"Jan de Vries\"' > export.md",
		}
	}
	return msgs{
		noKey:      "brug: log in met een publieke sleutel die bij je account is geregistreerd.",
		refused:    "brug: deze sleutel hoort (niet meer) bij een actief account. Vraag het de beheerder.",
		noPty:      "brug: de app heeft een terminal nodig. Verbind met ssh -t, of geef een beheeropdracht: ssh HOST admin --help",
		adminNoApp: "brug: beheerders beheren gebruikers en teams en openen geen dossiers. Beheeropdrachten: ssh HOST admin --help",
		idle:       "brug: sessie beëindigd na %s zonder toetsaanslag. Verbind opnieuw om verder te gaan; alles is bewaard.",
		unknownCmd: "brug: onbekende opdracht %q. Verbind zonder opdracht voor de app, of vraag de doorstroom op met ssh HOST report --help; beheerders gebruiken ssh HOST admin ...",
		notAdmin:   "brug: beheeropdrachten zijn voor beheerders; %s is %s.",
		unclosed:   "brug: een aanhalingsteken in de opdracht wordt niet gesloten. Sluit het, zoals in --team \"Team Noord\"; als je shell de aanhalingstekens opat, zet de hele opdracht tussen enkele aanhalingstekens: ssh HOST 'admin user add anna --team \"Team Noord\"'",
		notPlain:   "brug: de opdracht bevat shell-tekens die brug niet uitvoert ($, `, ;, |, &, < of >). Zet woorden met zulke tekens tussen enkele aanhalingstekens, en stuur uitvoer door op je eigen computer: ssh HOST 'admin export \"Jan de Vries\"' > export.md",
	}
}
