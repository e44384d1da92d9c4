package main

// sshTexts are the messages of the SSH side of brug serve and of
// `brug admin key`.
var sshTexts = map[string][2]string{
	"key.added": {
		"Sleutel %s (%s, %s) hoort nu bij %s.",
		"Key %s (%s, %s) now belongs to %s.",
	},
	"key.removed": {
		"Sleutel %s is verwijderd; nieuwe aanmeldingen ermee worden geweigerd.",
		"Removed key %s; new logins with it are refused.",
	},
	"key.cols": {"GEBRUIKER\tVINGERAFDRUK\tTYPE\tOPMERKING\tTOEGEVOEGD", "USER\tFINGERPRINT\tTYPE\tCOMMENT\tADDED"},
	"key.read": {
		"Kan sleutelbestand %s niet lezen: %v",
		"Cannot read key file %s: %v",
	},
	"key.sshfile": {
		"Over SSH kan brug geen bestand %q op de server lezen. Geef de sleutel via standaardinvoer: ssh HOST admin key add GEBRUIKER - < sleutel.pub",
		"Over SSH brug cannot read a file %q on the server. Give the key on standard input: ssh HOST admin key add USER - < key.pub",
	},
	"ssh.quotes": {
		"Een naam met een spatie? Je eigen shell haalt de aanhalingstekens weg voordat ssh de opdracht verstuurt; zet de hele opdracht tussen enkele aanhalingstekens: ssh HOST 'admin user add anna --team \"Team Noord\"'",
		"A name with a space? Your own shell removes the quotes before ssh sends the command; put the whole command in single quotes: ssh HOST 'admin user add anna --team \"Team Noord\"'",
	},
	"serve.ssh": {
		"SSH voor coördinatoren op %s (hostsleutel %s, vingerafdruk %s).",
		"SSH for coordinators on %s (host key %s, fingerprint %s).",
	},
	"serve.sshfailed": {
		"Kan SSH niet starten op %s: %v\nKies een ander adres met --ssh-addr, of zet SSH uit met --ssh-addr \"\".",
		"Cannot start SSH on %s: %v\nChoose another address with --ssh-addr, or turn SSH off with --ssh-addr \"\".",
	},
	"serve.gcpercent": {
		"--gc-percent moet een geheel getal van minstens 1 zijn, niet %d.",
		"--gc-percent must be a whole number of at least 1, not %d.",
	},
	"serve.memorylimit": {
		"--memory-limit moet een grootte van minstens 16MiB zijn, zoals 256MiB of 2GiB (B, KiB, MiB, GiB, TiB), of off; niet %q.",
		"--memory-limit must be a size of at least 16MiB, such as 256MiB or 2GiB (B, KiB, MiB, GiB, TiB), or off; not %q.",
	},
	"serve.sshidle": {
		"--ssh-idle moet minstens een minuut zijn, niet %s.",
		"--ssh-idle must be at least a minute, not %s.",
	},
}
