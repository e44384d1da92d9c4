package texts

// textsRefused are the texts of the refused-changes screen.
var textsRefused = map[string][2]string{
	"refused.title":                   {"Geweigerde wijzigingen", "Refused changes"},
	"refused.loading":                 {"Bezig met laden…", "Loading…"},
	"refused.none":                    {"Geen geweigerde wijzigingen: alles wat je deed, is bij de server aangekomen of wacht nog op een verbinding.", "No refused changes: everything you did has reached the server or is waiting for a connection."},
	"refused.intro":                   {"De server heeft %s wijziging(en) niet overgenomen. Ze staan nog op deze laptop, maar anderen zien ze niet.", "The server did not accept %s change(s). They are still on this laptop, but others do not see them."},
	"refused.confirm":                 {"Lijst leegmaken? De wijzigingen zelf blijven op deze laptop. (j/n)", "Clear the list? The changes themselves stay on this laptop. (y/n)"},
	"refused.yes":                     {"j", "y"},
	"refused.cleared":                 {"Lijst met geweigerde wijzigingen leeggemaakt.", "List of refused changes cleared."},
	"refused.key.clear":               {"lijst leegmaken", "clear list"},
	"refused.key.open":                {"geweigerd", "refused"},
	"refused.unknownclient":           {"(cliënt niet op deze laptop)", "(client not on this laptop)"},
	"refused.err.load":                {"De lijst kon niet worden gelezen: %v", "Could not read the list: %v"},
	"refused.err.clear":               {"De lijst kon niet worden leeggemaakt: %v", "Could not clear the list: %v"},
	"refused.code.invalid":            {"ongeldig", "invalid"},
	"refused.code.method":             {"niet in de methode van de server", "not in the server's method"},
	"refused.code.author":             {"andere gebruiker", "another user"},
	"refused.code.device":             {"ander apparaat", "another device"},
	"refused.code.forbidden":          {"geen toegang", "no access"},
	"refused.code.erased":             {"dossier gewist", "dossier erased"},
	"refused.code.unknown":            {"onbekend dossier", "unknown dossier"},
	"refused.code.heads":              {"te veel gelijktijdige waarden: los eerst het conflict op", "too many conflicting values: resolve the conflict first"},
	"refused.code.clock":              {"klok van deze laptop liep voor", "this laptop's clock was ahead"},
	"refused.code.read_only":          {"alleen lezen: het dossier is met je team gedeeld om te lezen", "read only: the dossier is shared with your team to read"},
	"refused.code.no_consent_for_org": {"geen toestemming voor die organisatie: leg eerst de toestemming vast", "no consent for that organisation: record the consent first"},
	"refused.code.other":              {"geweigerd", "refused"},
}

// RefusedWhy says why the server refused a change, by its refusal code,
// in t's language. The server's own explanation is English: it follows
// the code's words in English, and on a Dutch screen only when asked
// (Details, BRUG_DETAILS=1).
func (t *Texts) RefusedWhy(code, reason string) string {
	why := t.S("refused.code." + refusedCodeKey(code))
	if t.Lang == "en" || t.Details {
		why += ": " + reason
	}
	return why
}

// refusedCodeKey maps a refusal code to its catalogue key, "other" when
// unknown.
func refusedCodeKey(code string) string {
	switch code {
	case "invalid", "method", "author", "device", "forbidden", "erased", "unknown", "heads", "clock", "read_only", "no_consent_for_org":
		return code
	}
	return "other"
}
