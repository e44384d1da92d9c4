package texts

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
)

// englishWord finds the English of Go's and brug's error texts: a Dutch
// cause has none of these words.
var englishWord = regexp.MustCompile(`(?i)\b(the|cannot|could|failed|invalid|error|such|denied|refused|connection|dial|lookup|unknown|missing|expected|wrong|found|directory|permission|file|timeout|address|host|unexpected|quote|field|syntax|parsing|read|write|open|no|not)\b`)

// localizedErr is an error that says itself in both languages.
type localizedErr struct{}

func (localizedErr) Error() string { return "method file m.yaml, line 3: bad" }
func (localizedErr) In(lang string) string {
	if lang == "en" {
		return "method file m.yaml, line 3: bad"
	}
	return "methodebestand m.yaml, regel 3: fout"
}

// realErrors are errors as the OS, the network and the standard library
// really give them (made here on 127.0.0.1 and in a temporary folder),
// each with the Dutch its cause must have.
func realErrors(t *testing.T) []struct {
	name string
	err  error
	want string
} {
	t.Helper()
	dir := t.TempDir()
	type c = struct {
		name string
		err  error
		want string
	}
	var cases []c
	add := func(name string, err error, want string) {
		if err == nil {
			t.Fatalf("%s: no error to test", name)
		}
		cases = append(cases, c{name, err, want})
	}

	// A port nobody listens on: the connection is refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	_, err = http.Post("http://"+closed+"/v1/sync", "application/json", nil)
	add("refused", fmt.Errorf("sync at %s: %w", closed, err), "de verbinding werd geweigerd ("+closed+"); draait de server daar?")

	// A port in use: listening there again fails.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	_, err = net.Listen("tcp", busy.Addr().String())
	add("in use", err, "het adres is al in gebruik ("+busy.Addr().String()+"); draait er al een server?")

	// https:// to a server that speaks plain HTTP.
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	_, err = http.Get(strings.Replace(plain.URL, "http://", "https://", 1))
	add("not https", err, "de server antwoordt niet met HTTPS; klopt het adres (https:// of http://) en de poort?")

	missing := filepath.Join(dir, "nope.db")
	_, err = os.Open(missing)
	add("missing file", err, missing+" bestaat niet")
	_, err = os.ReadFile(dir)
	add("a folder", err, "dat is een map, geen bestand: "+dir)
	if runtime.GOOS == "linux" {
		add("disk full", os.WriteFile("/dev/full", []byte("x"), 0o600), "de schijf is vol; maak ruimte vrij en probeer het opnieuw")
	}

	_, err = csv.NewReader(strings.NewReader("naam,team\nJan \"B\" Jansen,T\n")).ReadAll()
	add("bare quote", err, `regel 2: een " in een veld zonder aanhalingstekens eromheen; zet het veld tussen "..." en schrijf elke " erin dubbel ("")`)
	_, err = csv.NewReader(strings.NewReader("a,b\nc\n")).ReadAll()
	add("field count", err, "regel 2: een ander aantal velden dan de kopregel")
	var v map[string]any
	add("json", json.Unmarshal([]byte(`{"a":`), &v), "geen geldige JSON (bij teken 5)")
	_, err = strconv.Atoi("veel")
	add("number", err, `"veel" is geen getal`)
	_, err = strconv.ParseBool("ja")
	add("bool", err, `"ja" is geen ja of nee; schrijf true of false`)
	_, err = time.ParseDuration("banaan")
	add("duration", fmt.Errorf("ssh-idle: %w", err), `"banaan" is geen geldige duur; schrijf bijvoorbeeld 30s, 15m of 2h`)

	// A certificate and key pair for serve --tls-cert/--tls-key: garbage,
	// the two files swapped, a key of another certificate.
	certPEM, keyPEM := selfSigned(t)
	_, otherKey := selfSigned(t)
	garbage := filepath.Join(dir, "garbage.pem")
	certFile, keyFile, otherFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "other.pem")
	for p, b := range map[string][]byte{garbage: []byte("geen certificaat\n"), certFile: certPEM, keyFile: keyPEM, otherFile: otherKey} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err = tls.LoadX509KeyPair(garbage, keyFile)
	add("tls garbage", fmt.Errorf("load: %w", err), "het certificaatbestand bevat geen certificaat (PEM)")
	_, err = tls.LoadX509KeyPair(keyFile, certFile)
	add("tls swapped", err, "het certificaatbestand bevat een sleutel en geen certificaat; zijn de bestanden bij --tls-cert en --tls-key verwisseld?")
	_, err = tls.LoadX509KeyPair(certFile, otherFile)
	add("tls other key", err, "de sleutel hoort niet bij het certificaat")

	// What cannot be made here without the network or a full disk of
	// one's own: made as the libraries make them.
	add("dns", &url.Error{Op: "Post", URL: "https://nergens.invalid/v1/enroll", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: &net.DNSError{Err: "no such host", Name: "nergens.invalid", IsNotFound: true}}}, "de naam nergens.invalid is onbekend (DNS); controleer het adres")
	add("timeout", &url.Error{Op: "Post", URL: "https://x/v1/sync", Err: context.DeadlineExceeded}, "er kwam niet op tijd antwoord")
	add("canceled", fmt.Errorf("sync: %w", context.Canceled), "afgebroken")
	add("locked", fmt.Errorf("open a.db: %w", store.ErrLocked), "brug is dit bestand al aan het gebruiken (in een ander venster, of brug serve); sluit dat eerst")
	add("damaged", fmt.Errorf("read dossier: %w: bucket ops", store.ErrDamaged), "het bestand is beschadigd")
	add("erased", fmt.Errorf("write: %w", store.ErrErased), "het dossier is gewist")
	add("read only", store.ErrReadOnly, "het dossier is met je team gedeeld om alleen te lezen")
	add("contact phone", store.CheckContact(store.OrgContact{Name: "Ria", Phone: "bel maar"}), `telefoonnummer "bel maar" klopt niet: alleen cijfers, spaties en + - ( )`)
	add("contact e-mail", store.CheckContact(store.OrgContact{Name: "Ria", Email: "ria.dezon.nl"}), `e-mailadres "ria.dezon.nl" klopt niet: één @, zonder spaties`)
	_, err = net.Listen("tcp", "127.0.0.1")
	add("no port", err, `"127.0.0.1" is geen adres met een poort; schrijf het als naam:poort, bijvoorbeeld 127.0.0.1:8443`)
	add("localized", fmt.Errorf("load: %w", localizedErr{}), "methodebestand m.yaml, regel 3: fout")

	// A program a library runs is missing (go-keyring's dbus-launch on
	// a Linux without a desktop session).
	_, err = exec.LookPath("brug-nergens-te-vinden")
	add("program not found", fmt.Errorf("set key in keyring: %w", err), "het programma brug-nergens-te-vinden is niet gevonden; is het geïnstalleerd?")

	// The store's checks of a value, as a screen or a command may still
	// meet them behind its own.
	value := func(field, v string) error {
		p, k, err := store.ParseField(field)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Errorf("save: %w", store.ValidateValue(p, k, v))
	}
	add("value too long", value("name", strings.Repeat("é", 101)), "de tekst is te lang: hoogstens 200 bytes (een letter met een accent telt voor twee)")
	add("value with a line break", value("team", "Noord\nZuid"), "de tekst moet op één regel, zonder regeleinde of tab")
	add("value not a date", value("closed", "31-12-2025"), `"31-12-2025" is geen datum; schrijf JJJJ-MM-DD`)
	add("value not a year", value("birthyear", "1850"), `"1850" is geen jaar tussen 1900 en 2100`)
	add("value not a place", value("places", "dagbesteding,kantoor"), `"kantoor" is geen plek op de route`)
	add("value not a code", value("benefit", "bijstand"), `"bijstand" is geen van de mogelijke waarden`)
	_, err = store.ParseDay("31-02-2026")
	add("no such day", err, `de dag "31-2-2026" bestaat niet: die maand heeft geen 31 dagen`)
	add("old day", store.CheckDay("1985-05-01", ""), "de dag ligt voor 1990; klopt het jaartal?")
	add("future day", store.CheckDay("2026-05-02", "2026-05-01"), "de dag ligt na vandaag")
	add("until before from", store.ShareInput{Team: "Noord", Purpose: "p", Mode: "read", From: "2030-02-01", Until: "2030-01-01"}.Validate("2026-01-01")["until"],
		"de laatste dag ligt voor de eerste")
	add("employer without work", store.CheckMoveEmployer([]store.Place{store.PlaceDagbesteding}, "Bakkerij De Zon"),
		"een werkgever hoort alleen bij een plek met werk (vrijwilligerswerk, werkervaringsplaats, beschut werk, banenafspraak of regulier werk)")
	add("kvk", store.CheckKvK("1234"), "een KvK-nummer is 8 cijfers")
	add("organisation name", store.CheckOrgName(" Bakkerij"), "de naam van de organisatie moet 1 tot 200 tekens op één regel zijn, zonder spaties aan het begin of eind")
	return cases
}

// selfSigned makes a certificate and its key, PEM-encoded.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "brug.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// TestCauseSaysKnownCausesInDutch: every error brug knows gets its own
// Dutch words, with no English left; English keeps Go's own text.
func TestCauseSaysKnownCausesInDutch(t *testing.T) {
	for _, c := range realErrors(t) {
		t.Run(c.name, func(t *testing.T) {
			got := Cause("nl", c.err, false)
			if got != c.want {
				t.Errorf("Dutch cause\n got %q\nwant %q\n(from %q)", got, c.want, c.err)
			}
			if w := englishWord.FindString(strings.ReplaceAll(got, c.want, "")); w != "" {
				t.Errorf("English %q in %q", w, got)
			}
			if strings.Contains(got, "BRUG_DETAILS") {
				t.Errorf("a known cause fell back: %q", got)
			}
			want := c.err.Error()
			if l, ok := errors.AsType[Localized](c.err); ok {
				want = l.In("en")
			}
			if en := Cause("en", c.err, false); en != want {
				t.Errorf("English %q, want the error's own %q", en, want)
			}
		})
	}
}

// TestCauseOfAnUnknownError: Go's English of an error brug does not know
// stays off a Dutch screen unless the user asks for it.
func TestCauseOfAnUnknownError(t *testing.T) {
	err := fmt.Errorf("encode page: %w", errors.New("zstd: dictionary mismatch"))
	got := Cause("nl", err, false)
	if strings.Contains(got, "zstd") || !strings.Contains(got, "onverwachte fout") || !strings.Contains(got, "BRUG_DETAILS=1") {
		t.Errorf("without details: %q", got)
	}
	got = Cause("nl", err, true)
	if !strings.Contains(got, "onverwachte fout") || !strings.Contains(got, "in het Engels: encode page: zstd: dictionary mismatch") {
		t.Errorf("with details: %q", got)
	}
	if got := Cause("en", err, false); got != err.Error() {
		t.Errorf("English: %q", got)
	}
	if Cause("nl", nil, false) != "" {
		t.Error("no error, yet a cause")
	}
}

// TestFWritesErrorsAsCauses: an error given to F is written as Cause
// writes it in the catalogue's language; other arguments are left alone.
func TestFWritesErrorsAsCauses(t *testing.T) {
	err := fmt.Errorf("open: %w", store.ErrLocked)
	nl := NewTexts("nl")
	if got := nl.F("form.err.save", err); got != "Opslaan mislukt: "+Cause("nl", err, false)+". Probeer het opnieuw." {
		t.Errorf("Dutch: %q", got)
	}
	en := NewTexts("en")
	if got := en.F("form.err.save", err); got != "Could not save: "+err.Error()+". Try again." {
		t.Errorf("English: %q", got)
	}
	args := []any{"a", 1, err}
	_ = nl.F("form.err.save", args...)
	if args[2] != err {
		t.Error("F changed its caller's arguments")
	}
}

// TestCSVComplaint: the complaints a problem list keeps of encoding/csv
// read in Dutch; English and unknown texts stay as they are.
func TestCSVComplaint(t *testing.T) {
	for _, e := range []error{csv.ErrBareQuote, csv.ErrQuote, csv.ErrFieldCount} {
		got := CSVComplaint("nl", e.Error())
		if got == e.Error() || englishWord.MatchString(got) {
			t.Errorf("%q in Dutch: %q", e, got)
		}
		if CSVComplaint("en", e.Error()) != e.Error() {
			t.Errorf("%q in English changed", e)
		}
	}
	if got := CSVComplaint("nl", "something else"); got != "something else" {
		t.Errorf("unknown complaint: %q", got)
	}
}
