package texts

// textsSync are the sync footer's texts. The time keys are Go time
// layouts.
var textsSync = map[string][2]string{
	"key.sync":         {"nu synchroniseren", "sync now"},
	"sync.local":       {"lokaal (geen server)", "local (no server)"},
	"sync.onserver":    {"op de server (ssh)", "on the server (ssh)"},
	"sync.connecting":  {"verbinden…", "connecting…"},
	"sync.online":      {"online", "online"},
	"sync.busy":        {"online, bezig…", "online, syncing…"},
	"sync.offline":     {"offline, opnieuw %s", "offline, retry %s"},
	"sync.notenrolled": {"niet aangemeld: brug login", "not enrolled: brug login"},
	"sync.revoked":     {"apparaat ingetrokken door je beheerder: vraag een nieuwe code", "device revoked by your admin: ask for a new code"},
	"sync.wipefailed":  {"je beheerder vroeg deze laptop te wissen, maar dat lukte niet: sluit brug en verwijder je brug-bestand, of vraag je beheerder om hulp", "your admin asked for this laptop to be wiped, but that did not work: close brug and remove your brug file, or ask your admin for help"},
	"sync.disabled":    {"je account is uitgeschakeld: neem contact op met je beheerder", "your account is disabled: contact your admin"},
	"sync.error":       {"sync mislukt: %s", "sync failed: %s"},
	"sync.waiting":     {"%s wachtend", "%s waiting"},
	"sync.last":        {"laatste sync %s", "last sync %s"},
	"sync.never":       {"nog geen sync", "no sync yet"},
	"sync.refused":     {"%s geweigerd", "%s refused"},
	"sync.conflicts":   {"%s conflicten", "%s conflicts"},
	"sync.conflict":    {"1 conflict", "1 conflict"},
	"sync.ahead":       {"klok loopt %s voor: zet hem gelijk", "clock is %s ahead: set it right"},
	"sync.behind":      {"klok loopt %s achter: zet hem gelijk", "clock is %s behind: set it right"},
	"sync.minutes":     {"%d min", "%d min"},
	"sync.hours":       {"%d uur", "%d hours"},
	"sync.days":        {"%d dagen", "%d days"},
	"sync.time.today":  {"15:04", "15:04"},
	"sync.time.other":  {"2-1 15:04", "Jan 2 15:04"},
	"sync.done":        {"Gesynchroniseerd: %d verstuurd, %d ontvangen, %d geweigerd.", "Synced: %d sent, %d received, %d refused."},
	"sync.failed":      {"Synchroniseren lukte niet (%s).", "Sync did not work (%s)."},
	"sync.noserver":    {"Geen server ingesteld: meld dit apparaat aan met brug login URL CODE.", "No server configured: enrol this device with brug login URL CODE."},

	// The region's server sent a new method; it applies from the next start.
	"sync.newmethod": {"De regio gebruikt een nieuwe versie van de methode; start brug opnieuw.", "The region uses a new version of the method; restart brug."},

	// The server's certificate is not trusted by this computer (connUntrusted).
	"sync.untrusted":         {"servercertificaat niet vertrouwd: vraag je IT-afdeling", "server certificate not trusted: ask your IT team"},
	"sync.untrusted.issuer":  {"servercertificaat niet vertrouwd (onbekende uitgever): vraag je IT-afdeling", "server certificate not trusted (unknown issuer): ask your IT team"},
	"sync.untrusted.name":    {"servercertificaat niet vertrouwd (andere naam): controleer het adres", "server certificate not trusted (wrong name): check the address"},
	"sync.untrusted.expired": {"servercertificaat niet vertrouwd (verlopen): controleer datum en tijd", "server certificate not trusted (expired): check date and time"},
}
