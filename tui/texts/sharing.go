package texts

// textsSharing are the texts of the sharing screen (tui/dossier/sharing.go):
// sharing a dossier with another team, with the person's consent.
var textsSharing = map[string][2]string{
	"sharing.title":          {"Delen", "Sharing"},
	"sharing.empty":          {"Dit dossier is met niemand buiten het eigen team gedeeld. Druk n om het te delen, met de toestemming van de deelnemer.", "This dossier is not shared outside its own team. Press n to share it, with the person's consent."},
	"sharing.new":            {"Dossier delen", "Share the dossier"},
	"sharing.edit":           {"Delen wijzigen", "Change the sharing"},
	"sharing.added":          {"Gedeeld.", "Shared."},
	"sharing.key.open":       {"delen", "sharing"},
	"sharing.key.withdraw":   {"toestemming intrekken", "withdraw consent"},
	"sharing.withdraw.ask":   {"Toestemming voor delen met %s intrekken per vandaag? Druk nog eens X.", "Withdraw consent for sharing with %s as of today? Press X again."},
	"sharing.withdrawn.done": {"Toestemming ingetrokken: het team ziet het dossier na de volgende synchronisatie niet meer.", "Consent withdrawn: the team no longer sees the dossier after its next sync."},
	"sharing.mode.read":      {"lezen", "read"},
	"sharing.mode.readwrite": {"lezen en schrijven", "read and write"},
	"sharing.how.":           {"nog niet", "not yet"},
	"sharing.how.spoken":     {"mondeling", "spoken"},
	"sharing.how.written":    {"schriftelijk", "written"},
	"sharing.consent":        {"toestemming %s, %s", "consent %s, %s"},
	"sharing.consent.by":     {"vastgelegd door %s", "recorded by %s"},
	"sharing.noconsent":      {"nog geen toestemming: geeft nog geen toegang", "no consent yet: gives no access yet"},
	"sharing.withdrawn":      {"ingetrokken op %s", "withdrawn on %s"},
	"sharing.ended":          {"afgelopen", "ended"},
	"sharing.endsoon":        {"toestemming loopt af", "consent ends soon"},
	"sharing.overview":       {"Gedeeld met", "Shared with"},
	"sharing.until":          {"%s tot %s", "%s until %s"},
	"sharing.step.hint":      {"D: delen en toestemming vastleggen", "D: sharing and consent"},
	"sharing.err.required":   {"Vul dit in.", "Fill this in."},
	"sharing.err.order":      {"De laatste dag ligt voor de eerste.", "The last day is before the first."},
	"sharing.err.consent":    {"Een deling die al begonnen is, heeft de toestemming nodig: datum en hoe.", "A share that has started needs the consent: day and how."},
	"sharing.err.future":     {"Die dag moet nog komen.", "That day is still to come."},
	"sharing.err.ownteam":    {"Het dossier hoort al bij dat team.", "The dossier already belongs to that team."},
	"sharing.err.org":        {"Team %s hoort volgens het register bij %s; laat dit leeg of vul dat in.", "The register says team %s belongs to %s; leave this empty or fill that in."},
	"sharing.err.withdrawn":  {"De toestemming is ingetrokken; leg een nieuwe deling vast.", "Consent was withdrawn; record a new share."},

	// The form's field names ("field.share.*") are store/doctext's
	// labels, which the export and the lists of refused changes use too.

	"list.consentends":       {"toestemming loopt af", "consent ends"},
	"list.consentends.count": {" · * toestemming loopt af: %d", " · * consent ends: %d"},

	// Read-only shares (tui/kit/readonly.go).
	"readonly.mark":     {"alleen lezen", "read only"},
	"readonly.count":    {" · ° alleen lezen: %d", " · ° read only: %d"},
	"readonly.overview": {"Alleen lezen: met je team gedeeld om te lezen, niet om te wijzigen.", "Read only: shared with your team to read, not to change."},
	"readonly.noedit": {
		"Alleen lezen: dit dossier is met je team gedeeld om te lezen, niet om te wijzigen. Vraag het team van het dossier om de wijziging.",
		"Read only: this dossier is shared with your team to read, not to change. Ask the dossier's team to make the change.",
	},
	"readonly.refused": {
		"Alleen lezen: dit dossier is met je team gedeeld om te lezen, niet om te wijzigen. Er is niets opgeslagen; vraag het team van het dossier om de wijziging.",
		"Read only: this dossier is shared with your team to read, not to change. Nothing was saved; ask the dossier's team to make the change.",
	},
}
