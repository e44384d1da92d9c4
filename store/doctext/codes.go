package doctext

// textsCodes are the names of the store's codes (places, benefits, step
// statuses, journal kinds): the documents name them, and the app shows
// them with the same words.
var textsCodes = map[string][2]string{
	"place.dagbesteding":        {"dagbesteding", "day activities"},
	"place.vrijwilligerswerk":   {"vrijwilligerswerk", "volunteering"},
	"place.opleiding":           {"opleiding", "training"},
	"place.werkervaringsplaats": {"werkervaringsplaats", "work-experience place"},
	"place.beschut-werk":        {"beschut werk", "sheltered work"},
	"place.banenafspraak":       {"banenafspraak", "jobs agreement"},
	"place.regulier-werk":       {"regulier werk", "regular work"},
	"benefit.":                  {"onbekend", "unknown"},
	"benefit.geen":              {"geen", "none"},
	"benefit.participatiewet":   {"Participatiewet", "Participation Act"},
	"benefit.wajong":            {"Wajong", "Wajong"},
	"benefit.wia":               {"WIA", "WIA"},
	"benefit.ww":                {"WW", "WW"},
	"benefit.wlz":               {"Wlz", "Wlz"},
	"benefit.anders":            {"anders", "other"},
	"stepstatus.open":           {"open", "open"},
	"stepstatus.active":         {"bezig", "active"},
	"stepstatus.done":           {"klaar", "done"},
	"stepstatus.signed-off":     {"afgetekend", "signed off"},
	"journal.kind.bezoek":       {"Bezoek", "Visit"},
	"journal.kind.gesprek":      {"Gesprek", "Conversation"},
	"journal.kind.telefoon":     {"Telefoon", "Phone call"},
	"journal.kind.overleg":      {"Overleg", "Meeting"},
}
