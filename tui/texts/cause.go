package texts

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"github.com/brug-nl/brug/store"
)

// Localized is an error that can say itself in the user's language (a
// method file's mistake, the server's answer): Cause uses its words
// before anything else it knows about the error.
type Localized interface {
	error
	In(lang string) string
}

// Cause says in lang what went wrong in err, for a message that already
// says what failed ("Opslaan mislukt: %v"). English gets err's own text.
// Dutch gets the cause in Dutch where brug knows it: a full disk, a
// refused connection, an unknown host name, a bad CSV quote, a file
// locked by another brug. An error it does not know has only Go's
// English words, which do not reach a Dutch screen: Dutch says "an
// unexpected error" and how to see the details, unless details is set
// (BRUG_DETAILS=1), when the English follows, marked as such.
func Cause(lang string, err error, details bool) string {
	if err == nil {
		return ""
	}
	if lang == "en" {
		var l Localized
		if errors.As(err, &l) {
			return l.In("en")
		}
		return err.Error()
	}
	if s := dutchCause(err); s != "" {
		return s
	}
	if details {
		return "een onverwachte fout (technische details, in het Engels: " + err.Error() + ")"
	}
	return "een onverwachte fout (details in het Engels: zet BRUG_DETAILS=1)"
}

// Cause is the package's Cause in t's language, with t's Details.
func (t *Texts) Cause(err error) string { return Cause(t.Lang, err, t.Details) }

// dutchCause is err's cause in Dutch, or "" when brug does not know it.
// The most telling cause goes first: a refused connection says more than
// the sync client's "cannot reach the server" around it.
func dutchCause(err error) string {
	var loc Localized
	if errors.As(err, &loc) {
		return loc.In("nl")
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return csvCause(pe)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "geen geldige JSON (bij teken " + strconv.Itoa(int(se.Offset)) + ")"
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return "geen geldige JSON: het veld " + quote(te.Field) + " heeft een verkeerd soort waarde"
		}
		return "geen geldige JSON: een waarde van een verkeerde soort"
	}
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		switch {
		case ne.Func == "ParseBool":
			return quote(ne.Num) + " is geen ja of nee; schrijf true of false"
		case errors.Is(ne.Err, strconv.ErrRange):
			return quote(ne.Num) + " is te groot of te klein"
		}
		return quote(ne.Num) + " is geen getal"
	}
	if v, ok := badDuration(err); ok {
		return quote(v) + " is geen geldige duur; schrijf bijvoorbeeld 30s, 15m of 2h"
	}
	if s := storeCause(err); s != "" {
		return s
	}
	if s := tlsFileCause(err); s != "" {
		return s
	}
	if s := netCause(err); s != "" {
		return s
	}
	if s := fileCause(err); s != "" {
		return s
	}
	var ee *exec.Error
	if errors.As(err, &ee) && errors.Is(ee.Err, exec.ErrNotFound) {
		return "het programma " + ee.Name + " is niet gevonden; is het geïnstalleerd?"
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "afgebroken"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "de gegevens hielden onverwacht op (een verbroken verbinding of een afgebroken bestand)"
	}
	return ""
}

// storeCause names the store's own errors in Dutch.
func storeCause(err error) string {
	var ce *store.ContactError
	if errors.As(err, &ce) {
		switch ce.Field {
		case "name":
			return "een contactpersoon heeft een naam nodig"
		case "phone":
			return "telefoonnummer " + quote(ce.Value) + " klopt niet: alleen cijfers, spaties en + - ( )"
		case "email":
			return "e-mailadres " + quote(ce.Value) + " klopt niet: één @, zonder spaties"
		}
		return quote(ce.Value) + " is te lang of past niet op één regel (hoogstens " + strconv.Itoa(store.MaxContactField) + " tekens)"
	}
	var ve *store.ValueError
	if errors.As(err, &ve) {
		return valueCause(ve)
	}
	var de *store.DayError
	if errors.As(err, &de) {
		return "de dag " + quote(strconv.Itoa(de.Day)+"-"+strconv.Itoa(de.Month)+"-"+strconv.Itoa(de.Year)) + " bestaat niet: die maand heeft geen " + strconv.Itoa(de.Day) + " dagen"
	}
	switch {
	case errors.Is(err, store.ErrFutureYear):
		return "het geboortejaar ligt in de toekomst"
	case errors.Is(err, store.ErrFutureDay):
		return "de dag ligt na vandaag"
	case errors.Is(err, store.ErrOldDay):
		return "de dag ligt voor " + strconv.Itoa(store.MinInputYear) + "; klopt het jaartal?"
	case errors.Is(err, store.ErrNoSuchDay):
		return "die dag bestaat niet"
	case errors.Is(err, store.ErrPhone):
		return "dat is geen telefoonnummer: alleen cijfers, spaties en + - ( )"
	case errors.Is(err, store.ErrEmail):
		return "dat is geen e-mailadres: één @, zonder spaties"
	case errors.Is(err, store.ErrRequired):
		return "dit veld is verplicht"
	case errors.Is(err, store.ErrUntilBeforeFrom):
		return "de laatste dag ligt voor de eerste"
	case errors.Is(err, store.ErrConsentRequired):
		return "een deling die al begonnen is, heeft de toestemming van de persoon nodig: vul de dag en de manier van toestemming in"
	case errors.Is(err, store.ErrShareOwnTeam):
		return "het dossier hoort al bij dat team"
	case errors.Is(err, store.ErrWithdrawn):
		return "de deling is ingetrokken"
	case errors.Is(err, store.ErrNoEmployerPlace):
		return "een werkgever hoort alleen bij een plek met werk (vrijwilligerswerk, werkervaringsplaats, beschut werk, banenafspraak of regulier werk)"
	case errors.Is(err, store.ErrOrgName):
		return "de naam van de organisatie moet 1 tot " + strconv.Itoa(store.MaxContactField) + " tekens op één regel zijn, zonder spaties aan het begin of eind"
	case errors.Is(err, store.ErrKvK):
		return "een KvK-nummer is 8 cijfers"
	case errors.Is(err, store.ErrLocked):
		return "brug is dit bestand al aan het gebruiken (in een ander venster, of brug serve); sluit dat eerst"
	case errors.Is(err, store.ErrDamaged):
		return "het bestand is beschadigd"
	case errors.Is(err, store.ErrNotBrug):
		return "dit is geen brug-bestand"
	case errors.Is(err, store.ErrTooNew):
		return "het bestand is gemaakt door een nieuwere brug; werk brug bij"
	case errors.Is(err, store.ErrUpgrade):
		return "het bestand moet eerst worden bijgewerkt; open het één keer met brug"
	case errors.Is(err, store.ErrWrongKind):
		return "dit is een brug-bestand van de andere soort (van een laptop of van een server)"
	case errors.Is(err, store.ErrReadOnly):
		return "het dossier is met je team gedeeld om alleen te lezen"
	case errors.Is(err, store.ErrErased):
		return "het dossier is gewist"
	case errors.Is(err, store.ErrMerged):
		return "het dossier is al samengevoegd"
	case errors.Is(err, store.ErrWrongPassphrase):
		return "het wachtwoord klopt niet"
	case errors.Is(err, store.ErrNeedPassphrase):
		return "het bestand is met een wachtwoord op slot"
	case errors.Is(err, store.ErrNoKey):
		return "de sleutel die dit bestand opent is weg"
	case errors.Is(err, store.ErrDossierKey):
		return "de sleutel van het dossier is weg (het dossier is gewist)"
	case errors.Is(err, store.ErrAmbiguous):
		return "meer dan één cliënt past bij wat je gaf"
	case errors.Is(err, store.ErrNotFound):
		return "niet gevonden"
	}
	return ""
}

// valueCause says in Dutch why a value does not fit its field. The
// message around it says what was being saved; the field's own name is
// code, not for people.
func valueCause(e *store.ValueError) string {
	switch e.Problem {
	case store.ValueNotUTF8:
		return "de tekst bevat tekens die brug niet kan lezen (geen UTF-8)"
	case store.ValueTooLong:
		return "de tekst is te lang: hoogstens " + strconv.Itoa(e.Max) + " bytes (een letter met een accent telt voor twee)"
	case store.ValueLineBreak:
		return "de tekst moet op één regel, zonder regeleinde of tab"
	case store.ValueNotDate:
		return quote(e.Value) + " is geen datum; schrijf JJJJ-MM-DD"
	case store.ValueNotYear:
		return quote(e.Value) + " is geen jaar tussen 1900 en 2100"
	case store.ValueUnknownPlace:
		return quote(e.Value) + " is geen plek op de route"
	case store.ValueUnknownStatus:
		return quote(e.Value) + " is geen status van een stap"
	case store.ValueUnknownCode:
		return quote(e.Value) + " is geen van de mogelijke waarden"
	}
	return "de waarde past niet in het veld"
}

// netCause names a failed connection in Dutch, with the address or the
// host name it was for.
func netCause(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return "de naam " + dns.Name + " is onbekend (DNS); controleer het adres"
		}
		if dns.IsTimeout {
			return "de naam " + dns.Name + " kon niet op tijd worden opgezocht (DNS); ben je offline?"
		}
		return "de naam " + dns.Name + " kon niet worden opgezocht (DNS); ben je offline?"
	}
	var ae *net.AddrError
	if errors.As(err, &ae) {
		if strings.Contains(ae.Err, "missing port") {
			return quote(ae.Addr) + " is geen adres met een poort; schrijf het als naam:poort, bijvoorbeeld 127.0.0.1:8443"
		}
		return quote(ae.Addr) + " is geen geldig adres; schrijf het als naam:poort, bijvoorbeeld 127.0.0.1:8443"
	}
	addr := ""
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Addr != nil {
		addr = oe.Addr.String()
	}
	at := func(s string) string {
		if addr == "" {
			return s
		}
		return s + " (" + addr + ")"
	}
	var rh tls.RecordHeaderError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return at("de verbinding werd geweigerd") + "; draait de server daar?"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return at("de verbinding werd verbroken")
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.EHOSTDOWN), errors.Is(err, syscall.ENETDOWN):
		return at("het netwerk of de server is niet bereikbaar") + "; ben je offline?"
	case errors.Is(err, syscall.EADDRINUSE):
		return at("het adres is al in gebruik") + "; draait er al een server?"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return at("dit adres hoort niet bij deze computer")
	case errors.As(err, &rh), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "de server antwoordt niet met HTTPS; klopt het adres (https:// of http://) en de poort?"
	case errors.As(err, &ua), errors.As(err, &he), errors.As(err, &ci):
		return "het certificaat van de server wordt niet vertrouwd"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), isTimeout(err):
		return at("er kwam niet op tijd antwoord")
	}
	return ""
}

// tlsFiles are crypto/tls's complaints about a certificate and key pair
// (they have no type of their own), in Dutch.
var tlsFiles = []struct{ en, nl string }{
	{"tls: failed to find certificate PEM data in certificate input, but did find a private key", "het certificaatbestand bevat een sleutel en geen certificaat; zijn de bestanden bij --tls-cert en --tls-key verwisseld?"},
	{"tls: failed to find any PEM data in certificate input", "het certificaatbestand bevat geen certificaat (PEM)"},
	{`tls: failed to find "CERTIFICATE" PEM block in certificate input`, "het certificaatbestand bevat geen certificaat (PEM)"},
	{"tls: failed to find any PEM data in key input", "het sleutelbestand bevat geen sleutel (PEM)"},
	{"tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input", "het sleutelbestand bevat geen privésleutel (PEM)"},
	{"tls: private key type does not match public key type", "de sleutel hoort niet bij het certificaat"},
	{"tls: private key does not match public key", "de sleutel hoort niet bij het certificaat"},
}

// tlsFileCause names a certificate and key pair's mistake in Dutch.
func tlsFileCause(err error) string {
	msg := err.Error()
	for _, t := range tlsFiles {
		if strings.Contains(msg, t.en) {
			return t.nl
		}
	}
	return ""
}

// isTimeout reports whether a network error in err's chain says it
// timed out.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// fileCause names a failed file operation in Dutch, with the path it was
// on.
func fileCause(err error) string {
	path := ""
	var pe *fs.PathError
	if errors.As(err, &pe) {
		path = pe.Path
	}
	var le *os.LinkError
	if path == "" && errors.As(err, &le) {
		path = le.New
	}
	on := func(s, where string) string {
		if path == "" {
			return s
		}
		if where == ":" {
			return s + ": " + path
		}
		return s + " " + where + " " + path
	}
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return "de schijf is vol; maak ruimte vrij en probeer het opnieuw"
	case errors.Is(err, syscall.EDQUOT):
		return "je schijfruimte (quotum) is op; maak ruimte vrij en probeer het opnieuw"
	case errors.Is(err, syscall.EROFS):
		return on("de schijf is alleen-lezen", "bij")
	case errors.Is(err, fs.ErrPermission):
		return on("je hebt geen rechten", "op")
	case errors.Is(err, fs.ErrNotExist):
		if path == "" {
			return "het bestand of de map bestaat niet"
		}
		return path + " bestaat niet"
	case errors.Is(err, fs.ErrExist):
		return on("het bestand bestaat al", "op de plek")
	case errors.Is(err, syscall.EISDIR):
		return on("dat is een map, geen bestand", ":")
	case errors.Is(err, syscall.ENOTDIR):
		return on("een deel van het pad is geen map", ":")
	case errors.Is(err, syscall.ENAMETOOLONG):
		return "de naam of het pad is te lang"
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return "er staan te veel bestanden open; sluit andere programma's en probeer het opnieuw"
	case errors.Is(err, syscall.EIO):
		return on("de schijf gaf een leesfout of schrijffout", "bij")
	}
	return ""
}

// csvCause says what is wrong in a CSV file, by line.
func csvCause(pe *csv.ParseError) string {
	line := "regel " + strconv.Itoa(pe.Line) + ": "
	if s, ok := csvDutch[pe.Err]; ok {
		if pe.Err == csv.ErrBareQuote || pe.Err == csv.ErrQuote {
			s += `; zet het veld tussen "..." en schrijf elke " erin dubbel ("")`
		}
		return line + s
	}
	if s := dutchCause(pe.Err); s != "" {
		return line + s
	}
	return line + "geen geldige CSV"
}

// csvDutch are encoding/csv's complaints in Dutch.
var csvDutch = map[error]string{
	csv.ErrBareQuote:  `een " in een veld zonder aanhalingstekens eromheen`,
	csv.ErrQuote:      `een aanhalingsteken " dat ontbreekt of op een verkeerde plek staat`,
	csv.ErrFieldCount: "een ander aantal velden dan de kopregel",
}

// CSVComplaint is the text of an encoding/csv error (what a problem list
// keeps of a *csv.ParseError) in lang; a text it does not know stays as
// it is.
func CSVComplaint(lang, msg string) string {
	if lang == "en" {
		return msg
	}
	for e, s := range csvDutch {
		if msg == e.Error() {
			return s
		}
	}
	return msg
}

// badDuration finds time.ParseDuration's error in err (it has no type
// of its own) and returns the text it could not read.
func badDuration(err error) (string, bool) {
	for e := err; e != nil; e = errors.Unwrap(e) {
		msg := e.Error()
		if !strings.HasPrefix(msg, "time: ") {
			continue
		}
		i := strings.LastIndex(msg, "duration ")
		if i < 0 {
			continue
		}
		if v, uerr := strconv.Unquote(msg[i+len("duration "):]); uerr == nil {
			return v, true
		}
	}
	return "", false
}

// quote puts s between Dutch-style straight quotes.
func quote(s string) string { return `"` + s + `"` }
