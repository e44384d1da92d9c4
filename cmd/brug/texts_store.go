package main

// storeTexts are the messages of brug serve and brug admin on a region
// kept in PostgreSQL (--store postgres://...).
var storeTexts = map[string][2]string{
	"store.bad": {
		"--store %q: geef bolt (het bestand van --db) of een PostgreSQL-database als postgres://GEBRUIKER@HOST/DATABASE.",
		"--store %q: give bolt (the --db file) or a PostgreSQL database as postgres://USER@HOST/DATABASE.",
	},
	"store.keystore": {
		"Bij een regio in PostgreSQL is de sleutelopslag ook een database: geef --key-store postgres://... (of laat hem weg: dan staan de sleutels in dezelfde database). %q is geen database.",
		"With a region in PostgreSQL the key store is a database too: give --key-store postgres://... (or leave it out to keep the keys in the same database). %q is not a database.",
	},
	"store.masterkey": {
		"Een regio in PostgreSQL heeft een hoofdsleutel nodig: geef --master-key BESTAND (64 hexadecimale tekens, alleen voor de eigenaar leesbaar; brug maakt hem als hij er niet is) of de systemd-credential brug-master-key.",
		"A region in PostgreSQL needs a master key: give --master-key FILE (64 hex digits, readable by its owner only; brug makes it when missing) or the systemd credential brug-master-key.",
	},
	"store.sshkey": {
		"Een regio in PostgreSQL heeft voor SSH een hostsleutel nodig: geef --ssh-host-key BESTAND (brug maakt hem als hij er niet is; geef elke brug serve op de database hetzelfde bestand, dan zien gebruikers één server), of --ssh-addr \"\" voor geen SSH.",
		"A region in PostgreSQL needs a host key for SSH: give --ssh-host-key FILE (brug makes it when missing; give every brug serve on the database the same file, so users see one server), or --ssh-addr \"\" for no SSH.",
	},
	"store.sshoff": {
		"SSH is uit: geef --ssh-host-key BESTAND om het aan te zetten.",
		"SSH is off: give --ssh-host-key FILE to turn it on.",
	},
	"store.backup": {
		"Een regio in PostgreSQL maak je een reservekopie van met de middelen van PostgreSQL: pg_dump van de database en van de sleuteldatabase (los van elkaar bewaren), of een base backup (pg_basebackup) met WAL-archivering. Zie docs/postgres.md, \"Backups\".",
		"A region in PostgreSQL is backed up with PostgreSQL's own tools: pg_dump of the database and of the key database (kept apart), or a base backup (pg_basebackup) with WAL archiving. See docs/postgres.md, \"Backups\".",
	},
	"store.listening": {
		"brug serve luistert op %s (regio in PostgreSQL: %s). Er is geen beheersocket: brug admin --store werkt op de database zelf. Stop met Ctrl-C.",
		"brug serve listening on %s (region in PostgreSQL: %s). There is no admin socket: brug admin --store works on the database itself. Stop with Ctrl-C.",
	},
}
