package texts

// textsCoord are the texts of the coordinator screens: team overview and
// review queue.
var textsCoord = map[string][2]string{
	// Keys.
	"coord.key.overview": {"teamoverzicht", "team overview"},
	"coord.key.review":   {"beoordelen", "review"},
	"coord.key.team":     {"team", "team"},
	"coord.key.signoff":  {"aftekenen", "sign off"},
	"coord.key.sendback": {"terugsturen", "send back"},

	// Shared by the overview and the queue.
	"coord.loading":        {"Laden…", "Loading…"},
	"coord.err.load":       {"Laden mislukt: %v. Ga terug met esc en open het scherm opnieuw.", "Could not load: %v. Go back with esc and open the screen again."},
	"coord.err.load.short": {"Het overzicht kon niet geladen worden; zie de statusregel.", "The overview could not be loaded; see the status line."},
	"coord.team.all":       {"alle teams", "all teams"},
	"coord.team.none":      {"(geen team)", "(no team)"},
	"coord.filter":         {"Team: %s · t kiest een ander team", "Team: %s · t picks another team"},
	"coord.sort":           {"sortering: %s", "sorted by %s"},
	"coord.days":           {"%d d", "%d d"},
	"coord.col.name":       {"Naam", "Name"},
	"coord.col.team":       {"Team", "Team"},
	"coord.col.step":       {"Stap", "Step"},

	// Team overview.
	"coord.team.title":     {"Teamoverzicht", "Team overview"},
	"coord.team.empty":     {"Geen cliënten in %s.", "No clients in %s."},
	"coord.team.count":     {"%s cliënten · %s met te late afspraken · %s met conflicten", "%s clients · %s with overdue agreements · %s with conflicts"},
	"coord.sort.idle":      {"dagen stil", "days idle"},
	"coord.sort.overdue":   {"te late afspraken", "overdue agreements"},
	"coord.sort.name":      {"naam", "name"},
	"coord.step":           {"%d/%d %d%%", "%d/%d %d%%"},
	"coord.step.all":       {"afgerond", "finished"},
	"coord.col.progress":   {"Voortgang", "Progress"},
	"coord.col.idle":       {"Stil", "Idle"},
	"coord.col.overdue":    {"Te laat", "Overdue"},
	"coord.col.conflicts":  {"Conflict", "Conflicts"},
	"coord.col.refused":    {"Geweigerd", "Refused"},
	"coord.col.lastchange": {"Laatste wijziging", "Last change"},

	// Review queue.
	"coord.queue.title": {"Beoordelen", "Review"},
	"coord.queue.empty": {"Niets te beoordelen: geen stap wacht op aftekenen. Een stap die een coach klaar meldt, verschijnt hier.", "Nothing to review: no step waits to be signed off. A step a coach marks done appears here."},
	"coord.queue.count": {"%s stappen wachten op beoordeling · de oudste bovenaan", "%s steps wait for review · oldest first"},
	"coord.queue.step":  {"%d · %s", "%d · %s"},
	"coord.col.waiting": {"Wacht", "Waiting"},
	"coord.col.since":   {"Klaar gemeld", "Marked done"},
	"coord.col.by":      {"Door", "By"},

	// Review of one step.
	"coord.review.title":      {"%s · stap %d beoordelen", "%s · review step %d"},
	"coord.review.title.bare": {"Stap %d beoordelen", "Review step %d"},
	"coord.review.who":        {"%s · team %s", "%s · team %s"},
	"coord.review.doneby":     {"klaar gemeld door %s", "marked done by %s"},
	"coord.review.notdone":    {"Deze stap wacht niet op beoordeling (status: %s). Terugsturen kan wel.", "This step is not waiting for review (status: %s). It can still be sent back."},
	"coord.review.comment":    {"Vorige opmerking van de coördinator (%s): %s", "Previous coordinator's comment (%s): %s"},
	"coord.review.note":       {"Notitie van de coach", "Coach's note"},
	"coord.review.nonote":     {"geen notitie", "no note"},
	"coord.review.version":    {"versie %d (%s):", "version %d (%s):"},
	"coord.review.confirm":    {"Stap %d van %s aftekenen? j = ja, n = nee", "Sign off step %d for %s? y = yes, n = no"},
	"coord.review.signing":    {"Aftekenen…", "Signing off…"},
	"coord.review.signedoff":  {"Stap %d van %s is afgetekend. De coach ziet het na de volgende synchronisatie.", "Step %d for %s is signed off. The coach sees it after the next sync."},
	"coord.review.sentback":   {"Stap %d van %s is teruggestuurd met je opmerking.", "Step %d for %s was sent back with your comment."},
	"coord.review.err.save":   {"Niet opgeslagen (%v). Probeer het opnieuw.", "Not saved (%v). Please try again."},
	"coord.review.err.stale":  {"De status van deze stap is intussen veranderd. Bekijk wat er nu staat en teken daarna af.", "The step's status changed meanwhile. Look at what is there now, then sign off."},
	"coord.review.err.notdone": {"Alleen een stap die klaar is gemeld kan worden afgetekend.",
		"Only a step marked done can be signed off."},

	// The comment of a send back.
	"coord.sendback.title": {"Terugsturen", "Send back"},
	"coord.sendback.ask":   {"Waarom gaat stap %d van %s terug? De coach ziet deze opmerking bij de stap.", "Why does step %d for %s go back? The coach sees this comment with the step."},
	"coord.sendback.hint":  {"ctrl+s stuurt terug · esc annuleert", "ctrl+s sends back · esc cancels"},
	"coord.sendback.empty": {"Schrijf een opmerking: de coach moet weten wat er nog nodig is.", "Write a comment: the coach needs to know what is still needed."},
	"coord.sendback.busy":  {"Terugsturen…", "Sending back…"},
	"coord.sendback.draft": {"Je concept van de vorige keer staat er weer.", "Your draft from last time is back."},
}
