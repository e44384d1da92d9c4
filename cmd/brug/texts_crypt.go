package main

// cryptTexts are the messages about encryption at rest (crypt.go): key ->
// {nl, en}.
var cryptTexts = map[string][2]string{
	"crypt.encrypting": {"Bestand versleutelen", "Encrypting the file"},
	"open.upgrading":   {"Bestand bijwerken naar de nieuwe indeling", "Upgrading the file to the new layout"},
	"serve.upgrading":  {"Bestand bijwerken naar de nieuwe indeling", "Upgrading the file to the new layout"},
	"serve.encrypting": {"Bestand versleutelen", "Encrypting the file"},
	"crypt.wrong": {
		"De wachtwoordzin van %s klopt niet.",
		"The passphrase of %s is not right.",
	},
	"crypt.wrongenv": {
		"De wachtwoordzin in BRUG_PASSPHRASE opent %s niet.",
		"The passphrase in BRUG_PASSPHRASE does not open %s.",
	},
	"crypt.needenv": {
		"%s is op slot met een wachtwoordzin. Start brug in een terminal, of geef de wachtwoordzin in BRUG_PASSPHRASE.",
		"%s is locked with a passphrase. Start brug in a terminal, or give the passphrase in BRUG_PASSPHRASE.",
	},
	"crypt.choosenv": {
		"%s wordt versleuteld, maar deze computer heeft geen sleutelbos voor de sleutel. Start brug in een terminal om een wachtwoordzin te kiezen, of geef er een in BRUG_PASSPHRASE.",
		"%s is to be encrypted, but this computer has no keyring for its key. Start brug in a terminal to choose a passphrase, or give one in BRUG_PASSPHRASE.",
	},
	"crypt.nokey": {
		"De sleutel van %s is weg (niet meer in de sleutelbos van deze computer, of vernietigd). Niemand kan dit bestand nog openen. Wat gesynchroniseerd was staat op de server: zet het bestand opzij en meld je opnieuw aan (brug login).",
		"The key of %s is gone (no longer in this computer's keyring, or destroyed). Nobody can open this file any more. What was synced is on the server: move the file aside and enrol again (brug login).",
	},
	"crypt.encrypted": {
		"%s is versleuteld; open het met brug zelf.",
		"%s is encrypted; open it with brug itself.",
	},
	"crypt.cancelled": {"Gestopt: het bestand is niet geopend.", "Stopped: the file was not opened."},
	"crypt.changed":   {"De wachtwoordzin is veranderd.", "The passphrase was changed."},
	"crypt.tokeyring": {"De sleutel staat nu in de sleutelbos van deze computer; er is geen wachtwoordzin meer.", "The key is now in this computer's keyring; there is no passphrase any more."},
	"crypt.nokeyring": {
		"De sleutelbos van deze computer neemt de sleutel niet aan: %v",
		"This computer's keyring does not take the key: %v",
	},
	"crypt.short":     {"De nieuwe wachtwoordzin is te kort: gebruik minstens %d tekens.", "The new passphrase is too short: use at least %d characters."},
	"crypt.setfailed": {"De wachtwoordzin is niet veranderd: %v", "The passphrase was not changed: %v"},
	"crypt.newenv": {
		"Geef de nieuwe wachtwoordzin in een terminal, of in BRUG_NEW_PASSPHRASE.",
		"Give the new passphrase in a terminal, or in BRUG_NEW_PASSPHRASE.",
	},
}
