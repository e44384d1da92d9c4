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
	"store.nossh": {
		"SSH-sessies werken nog niet op een regio in PostgreSQL (ze hebben het bestand van de regio nodig). Laat --ssh-addr weg of geef --ssh-addr \"\".",
		"SSH sessions do not work on a region in PostgreSQL yet (they need the region's file). Leave out --ssh-addr or give --ssh-addr \"\".",
	},
	"store.listening": {
		"brug serve luistert op %s (regio in PostgreSQL: %s). SSH en de beheersocket zijn uit; brug admin --store werkt op de database. Stop met Ctrl-C.",
		"brug serve listening on %s (region in PostgreSQL: %s). SSH and the admin socket are off; brug admin --store works on the database. Stop with Ctrl-C.",
	},
}
