package sshd

import (
	"strconv"
	"time"
)

// msgs are what the SSH server says to a user outside the app, in their
// language.
type msgs struct {
	noKey, refused, noPty, adminNoApp, idle, unknownCmd, notAdmin string
	unclosed, notPlain, shutdown                                  string
}

func messages(lang string) msgs {
	if lang == "en" {
		return msgs{
			noKey:      "brug: log in with a public key registered to your account.",
			refused:    "brug: this key is not (or no longer) registered to an active account. Ask your administrator.",
			noPty:      "brug: the app needs a terminal. Connect with ssh -t, or run an admin command: ssh HOST admin --help",
			adminNoApp: "brug: admin accounts manage users and teams and open no dossiers. Run admin commands: ssh HOST admin --help",
			idle:       "brug: your session was closed after %s without a keystroke; everything was saved. Connect again to go on.",
			shutdown:   "brug: the server is stopping; your work was saved. Connect again when it is back.",
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
		idle:       "brug: je sessie is gesloten na %s zonder toetsaanslag; alles is bewaard. Verbind opnieuw om verder te gaan.",
		shutdown:   "brug: de server stopt; je werk is bewaard. Verbind opnieuw als hij weer draait.",
		unknownCmd: "brug: onbekende opdracht %q. Verbind zonder opdracht voor de app, of vraag de doorstroom op met ssh HOST report --help; beheerders gebruiken ssh HOST admin ...",
		notAdmin:   "brug: beheeropdrachten zijn voor beheerders; %s is %s.",
		unclosed:   "brug: een aanhalingsteken in de opdracht wordt niet gesloten. Sluit het, zoals in --team \"Team Noord\"; als je shell de aanhalingstekens opat, zet de hele opdracht tussen enkele aanhalingstekens: ssh HOST 'admin user add anna --team \"Team Noord\"'",
		notPlain:   "brug: de opdracht bevat shell-tekens die brug niet uitvoert ($, `, ;, |, &, < of >). Zet woorden met zulke tekens tussen enkele aanhalingstekens, en stuur uitvoer door op je eigen computer: ssh HOST 'admin export \"Jan de Vries\"' > export.md",
	}
}

// duration says d in words: "15 minuten", "1 minute"; a duration that is
// not whole minutes (only in tests) as Go writes it.
func duration(d time.Duration, lang string) string {
	if d < time.Minute || d%time.Minute != 0 {
		return d.Round(time.Millisecond).String()
	}
	n := int(d / time.Minute)
	unit := map[bool][2]string{false: {"minuut", "minuten"}, true: {"minute", "minutes"}}[lang == "en"]
	if n == 1 {
		return "1 " + unit[0]
	}
	return strconv.Itoa(n) + " " + unit[1]
}
