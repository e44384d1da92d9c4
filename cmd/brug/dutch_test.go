package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/tui/texts"
)

// englishText finds Go's and brug's English in a message: the words of
// the errors the commands below used to print inside their Dutch.
var englishText = regexp.MustCompile(`(?i)\b(the|cannot|could|failed|invalid|error|such|denied|refused|connection|dial|lookup|unknown|missing|expected|wrong|found|directory|permission|timeout|address|host|unexpected|quote|quoted|field|syntax|parsing|non|bare|extraneous|answered|server gave|response|digits|phone|e-mail|in use|duration)\b`)

// TestNoEnglishOnADutchScreen runs commands that fail for reasons outside
// brug (a refused connection, a plain-HTTP server, a port in use, a bad
// CSV quote, a bad phone number, an unreadable duration) in Dutch: each
// says its cause in Dutch, with no English of Go's left in it. With
// BRUG_DETAILS=1 the English comes back for IT, marked as such.
func TestNoEnglishOnADutchScreen(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"code":"internal","message":"the database went away"}`))
	}))
	defer failing.Close()
	garbled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write([]byte("not gzip at all"))
	}))
	defer garbled.Close()

	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badCSV := write("clients.csv", "naam,team\nJan \"B\" Jansen,Noord\n\"Ria,Noord\n")
	badOrgs := write("orgs.csv", "naam,soort,contactpersoon,telefoon\nBakkerij De Zon,werkgever,Ria,bel maar\n")
	emptyCSV := write("leeg.csv", "")
	privateKey := write("id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n")
	noNames := write("kolommen.csv", "voornaam;woonplaats\nJan;Zwolle\n")
	region := filepath.Join(dir, "region.db")
	laptop := filepath.Join(dir, "laptop.db")
	expect(t, "org add", h.run("--db", region, "admin", "org", "add", "Bakkerij", "--kind", "employer"), exitOK)

	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"refused", []string{"--db", laptop, "login", "https://" + closed, "ABCD-EFGH"}, nil,
			"de verbinding werd geweigerd (" + closed + "); draait de server daar?"},
		{"plain http", []string{"--db", laptop, "login", strings.Replace(plain.URL, "http://", "https://", 1), "ABCD-EFGH"}, nil,
			"de server antwoordt niet met HTTPS"},
		{"server failure", []string{"--db", laptop, "login", failing.URL, "ABCD-EFGH"}, nil,
			"de server meldt een storing (500)"},
		{"port in use", []string{"--db", region, "serve", "--addr", busy.Addr().String(), "--ssh-addr", "", "--metrics-addr", "off"}, nil,
			"het adres is al in gebruik"},
		{"no port", []string{"--db", region, "serve", "--addr", "127.0.0.1", "--ssh-addr", "", "--metrics-addr", "off"}, nil,
			`"127.0.0.1" is geen adres met een poort`},
		{"certificate", []string{"--db", region, "serve", "--addr", "127.0.0.1:0", "--ssh-addr", "", "--metrics-addr", "off", "--tls-cert", badCSV, "--tls-key", badCSV}, nil,
			"het certificaatbestand bevat geen certificaat (PEM)"},
		{"duration", []string{"--db", region, "serve"}, map[string]string{"BRUG_SERVE_SSH_IDLE": "straks"},
			`"straks" is geen geldige duur`},
		{"retention", []string{"--db", region, "serve", "--retention", "15y,wlz=20j"}, nil,
			`--retention "15y,wlz=20j": "wlz=20j": een termijn is jaren (y) en maanden (m), bijvoorbeeld 15y, 6m of 1y6m.`},
		{"csv quotes", []string{"--db", laptop, "import", "--yes", badCSV}, nil,
			`regel 2: geen geldige CSV (een " in een veld zonder aanhalingstekens eromheen)`},
		{"empty csv", []string{"--db", laptop, "import", "--yes", emptyCSV}, nil,
			"regel 1: het bestand is leeg; de eerste regel noemt de kolommen\n"},
		{"csv without names", []string{"--db", laptop, "import", "--yes", noNames}, nil,
			"regel 1: de kopregel moet de kolom naam noemen, of voornaam en achternaam\n"},
		{"contact", []string{"--db", region, "admin", "org", "contact", "add", "Bakkerij", "Ria", "--phone", "bel maar"}, nil,
			`telefoonnummer "bel maar" klopt niet`},
		{"contact in an import", []string{"--db", region, "admin", "org", "import", badOrgs}, nil,
			`regel 2: telefoonnummer "bel maar" klopt niet`},
		{"backup over the server's file", []string{"--db", region, "admin", "backup", region}, nil,
			"is het bestand van de server zelf (of de sleutelopslag of de socket ervan); kies een andere naam voor de kopie"},
		{"backup to a folder", []string{"--db", region, "admin", "backup", dir}, nil,
			"is een map; geef de naam van een bestand voor de kopie"},
		{"backup into a missing folder", []string{"--db", region, "admin", "backup", filepath.Join(dir, "nergens", "kopie.db")}, nil,
			"De beheeropdracht lukte niet: " + filepath.Join(dir, "nergens") + " bestaat niet"},
		{"private ssh key", []string{"--db", region, "admin", "key", "add", "anna", privateKey}, nil,
			"De server weigert de opdracht: het sleutelbestand, regel 1: dit is een privésleutel; geef de openbare sleutel (het .pub-bestand) en houd de privésleutel geheim"},
		{"postgres refused", []string{"admin", "--store", "postgres://brug@" + closed + "/region?sslmode=disable", "--master-key", filepath.Join(dir, "mk.key"), "team", "list"}, nil,
			"de verbinding werd geweigerd (" + closed + ")"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				h.env[k] = v
			}
			defer func() {
				for k := range c.env {
					delete(h.env, k)
				}
			}()
			r := h.runTok(nil, c.args...)
			out := r.stdout + r.stderr
			if r.code == exitOK {
				t.Fatalf("it did not fail:\n%v", r)
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("the cause %q is not said:\n%v", c.want, r)
			}
			if c.name == "server failure" && !strings.Contains(out, "kan je verzoek nu niet verwerken") {
				t.Errorf("a failing server is not told apart from one not reached:\n%v", r)
			}
			if strings.Contains(out, "%!") {
				t.Errorf("a message misses or has too many arguments:\n%v", r)
			}
			if strings.Contains(out, "BRUG_DETAILS") {
				t.Errorf("a cause brug knows fell back to the English details:\n%v", r)
			}
			// Paths and addresses are the user's, not English.
			rest := strings.NewReplacer(dir, "", closed, "", busy.Addr().String(), "", plain.URL, "", failing.URL, "").Replace(out)
			if w := englishText.FindString(rest); w != "" {
				t.Errorf("English %q on a Dutch screen:\n%v", w, r)
			}
		})
	}

	// A cause brug does not know: Dutch says how to see it; with
	// BRUG_DETAILS=1 the English follows, marked as English; --lang en
	// has it as ever.
	unknown := []string{"--db", laptop, "login", garbled.URL, "ABCD-EFGH"}
	r := h.runTok(nil, unknown...)
	if r.code == exitOK || !strings.Contains(r.stderr, "onverwachte fout") || englishText.MatchString(strings.ReplaceAll(r.stderr, garbled.URL, "")) {
		t.Errorf("an unknown cause in Dutch:\n%v", r)
	}
	h.env["BRUG_DETAILS"] = "1"
	rd := h.runTok(nil, unknown...)
	delete(h.env, "BRUG_DETAILS")
	if !strings.Contains(rd.stderr, "technische details, in het Engels: ") || !strings.Contains(rd.stderr, "gzip") {
		t.Errorf("BRUG_DETAILS=1:\n%v", rd)
	}
	re := h.runTok(nil, append([]string{"--lang", "en"}, unknown...)...)
	if !strings.Contains(re.stderr, "(details: ") || !strings.Contains(re.stderr, "gzip") {
		t.Errorf("in English:\n%v", re)
	}
}

// TestRefusalsKeepTheirEnglish: the refusals a Dutch screen now says in
// Dutch read in English exactly as before: the server's own words.
func TestRefusalsKeepTheirEnglish(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	region := filepath.Join(dir, "region.db")
	expect(t, "org add", h.run("--db", region, "admin", "org", "add", "Bakkerij", "--kind", "employer"), exitOK)
	missing := filepath.Join(dir, "nergens", "kopie.db")
	for _, c := range []struct {
		args []string
		want *regexp.Regexp
	}{
		{[]string{"backup", region}, regexp.MustCompile(`^brug: The server refuses the command: invalid: backup target "` + regexp.QuoteMeta(region) + `": that is the server's own file; choose another\n`)},
		{[]string{"backup", dir}, regexp.MustCompile(`^brug: The server refuses the command: invalid: backup target "` + regexp.QuoteMeta(dir) + `": is a folder; give a file name\n`)},
		{[]string{"backup", missing}, regexp.MustCompile(`^brug: The admin command did not work: backup to ` + regexp.QuoteMeta(missing) + `: open ` + regexp.QuoteMeta(filepath.Dir(missing)) + `/\.kopie\.db\.\d+\.tmp: no such file or directory\n`)},
	} {
		r := h.run(append([]string{"--lang", "en", "--db", region, "admin"}, c.args...)...)
		if r.code == exitOK || !c.want.MatchString(r.stderr) {
			t.Errorf("%v in English:\n%v", c.args, r)
		}
	}
}

// TestSyncListsRefusalsInDutch: brug sync lists the changes the server
// refused; the server's explanation is English, so a Dutch screen says
// why by the refusal's code (as the app's list does), with the English
// only under BRUG_DETAILS=1; English lists it as it came.
func TestSyncListsRefusalsInDutch(t *testing.T) {
	h := newHarness(t)
	region := filepath.Join(t.TempDir(), "region.db")
	srv := startServe(t, h, region)
	a := func(args ...string) result { t.Helper(); return adminCmd(h, region, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)
	tokens := &client.MemoryStore{}
	laptop := laptopWithClient(t, "Klaas Zuidema", "Zuid") // a team the server does not have
	dev := func(args ...string) result {
		t.Helper()
		return h.runTok(tokens, append([]string{"--db", laptop}, args...)...)
	}
	expect(t, "login", dev("login", srv.url, inviteCode(t, h, region, "anna"), "--adopt"), exitOK)
	snapshot, err := os.ReadFile(laptop)
	if err != nil {
		t.Fatal(err)
	}
	// Each run syncs the same file as it was before its first sync, so
	// that each lists the refusals anew.
	run := func(args ...string) result {
		t.Helper()
		if err := os.WriteFile(laptop, snapshot, 0o600); err != nil {
			t.Fatal(err)
		}
		return dev(args...)
	}
	const reason = `which this server does not have`
	r := run("sync")
	expect(t, "sync", r, exitOK, "  geweigerd: dossier ", ", veld Stap 1 · status: ongeldig\n")
	if strings.Contains(r.stdout, reason) || englishText.MatchString(r.stdout) {
		t.Errorf("English on a Dutch screen:\n%v", r)
	}
	h.env["BRUG_DETAILS"] = "1"
	r = run("sync")
	delete(h.env, "BRUG_DETAILS")
	expect(t, "sync with details", r, exitOK, ": ongeldig: the new dossier is in team \"Zuid\", "+reason)
	r = run("--lang", "en", "sync")
	expect(t, "sync in English", r, exitOK, ", field step/1/status: the new dossier is in team \"Zuid\", "+reason+"; choose one of your teams\n")
}

// TestAppSyncSaysServerRefusalsInDutch: a server that refuses the app's
// sync with a 4xx (another version of brug, a wrong address) reached the
// app's sync line as "een onverwachte fout"; the app's syncer gives it
// the CLI's Dutch for the server's answer, and English its own words.
func TestAppSyncSaysServerRefusalsInDutch(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"code":"bad_request","message":"unknown field \"x\" in the request"}`))
	}))
	defer ts.Close()
	s, err := openTestStore(filepath.Join(t.TempDir(), "laptop.db"), store.Options{Author: "tester", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tokens := &client.MemoryStore{}
	if err := tokens.Set(ts.URL, "device-token"); err != nil {
		t.Fatal(err)
	}
	sy := &client.Syncer{Store: s, HTTP: &http.Client{}, URL: ts.URL, Tokens: tokens, Now: time.Now}
	_, err = tuiSyncer{sy, new(atomic.Bool), newMsgs("nl")}.Sync(context.Background())
	var se *client.ServerError
	if !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		t.Fatalf("the app's sync error: %v", err)
	}
	if got, want := texts.Cause("nl", err, false), newMsgs("nl").f("cause.server.badrequest", 400); got != want {
		t.Errorf("Dutch %q, want %q", got, want)
	}
	if got, want := texts.Cause("en", err, false), "sync with "+ts.URL+": "+se.Error(); got != want {
		t.Errorf("English %q, want %q", got, want)
	}
}
