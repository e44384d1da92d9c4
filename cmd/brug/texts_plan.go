package main

// planTexts are the messages of `brug plan`.
var planTexts = map[string][2]string{
	"plan.format": {
		"--format moet md of html zijn, niet %q.",
		"--format must be md or html, not %q.",
	},
	"plan.serverfile": {
		"%s is het bestand van een syncserver, niet dat van een laptop; brug heeft het niet veranderd. Maak een plan op de laptop van de coach.",
		"%s is a sync server's file, not a laptop's; brug has not changed it. Make a plan on the coach's laptop.",
	},
	"plan.written": {
		"Plan van %s geschreven naar %s.",
		"Plan of %s written to %s.",
	},
	"plan.writefailed": {
		"Kan het plan niet schrijven naar %s: %v",
		"Cannot write the plan to %s: %v",
	},
}
