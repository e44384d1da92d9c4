package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
)

// laptopWithClient makes a device file holding one client of team, made
// offline before the device is enrolled.
func laptopWithClient(t *testing.T, name, team string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "laptop.db")
	// The harness's clock (cliNow) is the server's: a laptop a year or
	// more ahead of it would have its changes refused (clock).
	s, err := openTestStore(path, store.Options{Author: "tester", NoSync: true, Now: func() time.Time { return cliNow }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateClient(store.NewClient{Name: name, Team: team}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoginAndSync(t *testing.T) {
	h := newHarness(t)
	region := filepath.Join(t.TempDir(), "region.db")
	srv := startServe(t, h, region)
	a := func(args ...string) result { t.Helper(); return adminCmd(h, region, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "bert", "--role", "coach", "--team", "Noord"), exitOK)

	tokens := &client.MemoryStore{}
	laptop := laptopWithClient(t, "Noor Hazelhoef", "Noord")
	dev := func(args ...string) result {
		t.Helper()
		return h.runTok(tokens, append([]string{"--db", laptop}, args...)...)
	}

	// Not enrolled yet: say how to enrol.
	expect(t, "sync before login", dev("sync"), exitError,
		"Dit apparaat is nog niet aangemeld bij een server. Vraag je beheerder om een code en voer 'brug login URL CODE' uit.")

	// The offline work was made as "tester": the login must not sign it
	// as anna's unless she says it is hers.
	r := dev("login", srv.url, inviteCode(t, h, region, "anna"))
	expect(t, "login over work of another name", r, exitError, "Deze code is van anna, maar "+laptop+" bevat", "gemaakt als tester", "--adopt")
	code := inviteCode(t, h, region, "anna")
	r = dev("login", srv.url, code, "--name", "laptop anna", "--adopt")
	expect(t, "login", r, exitOK, "Aangemeld bij "+srv.url+" als anna (apparaat \"laptop anna\")")
	token, err := tokens.Get(srv.url)
	if err != nil || token == "" {
		t.Fatalf("no token in the token store: %q %v", token, err)
	}
	for _, f := range []string{laptop, region} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("the device token is in %s", f)
		}
	}

	// A used code is refused, and the token stays as it was.
	r = dev("login", srv.url, code, "--adopt")
	expect(t, "login with a used code", r, exitError, "De server "+srv.url+" weigert deze code", "brug admin invite")
	if tok, _ := tokens.Get(srv.url); tok != token {
		t.Error("a refused login replaced the token")
	}

	// The client made offline goes up, as anna.
	r = dev("sync")
	expect(t, "first sync", r, exitOK, "Gesynchroniseerd met "+srv.url+": ")
	if !regexp.MustCompile(`: \d+ wijzigingen verstuurd\.`).MatchString(r.stdout) {
		t.Errorf("first sync does not say what it sent:\n%v", r)
	}
	expect(t, "second sync", dev("sync"), exitOK, "Alles is bij met "+srv.url+": niets te versturen of te ontvangen.")
	expect(t, "in English", dev("--lang", "en", "sync"), exitOK, "Up to date with "+srv.url)

	// A colleague in the team receives it; tokens in a file this time.
	bertTokens := &client.FileStore{Dir: t.TempDir()}
	laptop2 := filepath.Join(t.TempDir(), "laptop2.db")
	expect(t, "login bert", h.runTok(bertTokens, "--db", laptop2, "login", srv.url, inviteCode(t, h, region, "bert")), exitOK, "als bert")
	r = h.runTok(bertTokens, "--db", laptop2, "sync")
	expect(t, "bert's sync", r, exitOK, "ontvangen.")
	if b, err := os.ReadFile(laptop2); err != nil || bytes.Contains(b, []byte(mustToken(t, bertTokens, srv.url))) {
		t.Errorf("bert's token is in his brug file (%v)", err)
	}

	// The audit log shows the delivery; erasure reaches the devices.
	expect(t, "audit --client", a("audit", "--client", "Noor"), exitOK, "deliver", "bert", "change", "anna")
	r = a("erase", "Noor", "--yes")
	expect(t, "erase", r, exitOK, "is gewist; apparaten wissen het dossier bij hun volgende synchronisatie.")
	expect(t, "sync after erase", dev("sync"), exitOK, "1 dossier gewist op verzoek van de beheerder")

	// The server stops: the device is offline, and says so.
	if code := srv.stop(); code != exitOK {
		t.Fatalf("serve exit %d:\n%s", code, srv.stderr)
	}
	r = dev("sync")
	expect(t, "sync offline", r, exitError, "Kan de server "+srv.url+" niet bereiken; ben je offline", "Je werk blijft bewaard")
	if r.stdout != "" {
		t.Errorf("an offline sync printed a result:\n%v", r)
	}

	// The request log names users and paths, never dossier content.
	if log := srv.stderr.String(); strings.Contains(log, "Noor") || strings.Contains(log, "Hazelhoef") || strings.Contains(log, token) {
		t.Errorf("the server log holds dossier content or a token:\n%s", log)
	}
}

func mustToken(t *testing.T, ts client.TokenStore, url string) string {
	t.Helper()
	tok, err := ts.Get(url)
	if err != nil || tok == "" {
		t.Fatalf("no token for %s: %v", url, err)
	}
	return tok
}

func TestLoginBadInput(t *testing.T) {
	h := newHarness(t)
	laptop := filepath.Join(t.TempDir(), "laptop.db")
	expect(t, "bad url", h.runTok(nil, "--db", laptop, "login", "brug.regio.nl", "CODE"), exitUsage,
		`"brug.regio.nl" is geen serveradres. Geef het als https://server[:poort].`)
	expect(t, "empty code", h.runTok(nil, "--db", laptop, "login", "https://brug.regio.nl", " "), exitUsage, "Geef de code")
	expect(t, "no args", h.runTok(nil, "login"), exitUsage, "brug login --help")

	// Nobody listens here: the server is down or the laptop offline.
	h2 := newHarness(t)
	s := startServe(t, h2, filepath.Join(t.TempDir(), "region.db"))
	url := s.url
	s.stop()
	expect(t, "login offline", h.runTok(nil, "--db", laptop, "login", url, "AAAA-BBBB"), exitError,
		"Kan de server "+url+" niet bereiken; ben je offline")
}

// TestLoginOnAnotherUsersLaptop: coach bert's laptop file, logged in as
// carla, said nothing, kept bert's dossiers readable and signed his unsent
// tick as carla's. Now the login is refused and says what to do; with
// --replace-user bert's tick is sent first, as his, and the file emptied;
// when it cannot be sent, nothing changes and the code is not spent.
func TestLoginOnAnotherUsersLaptop(t *testing.T) {
	h := newHarness(t)
	region := filepath.Join(t.TempDir(), "region.db")
	srv := startServe(t, h, region)
	a := func(args ...string) result { t.Helper(); return adminCmd(h, region, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "team add", a("team", "add", "Zuid"), exitOK)
	for _, u := range [][2]string{{"bert", "Noord"}, {"carla", "Zuid"}, {"anna", "Noord"}} {
		expect(t, "user add", a("user", "add", u[0], "--role", "coach", "--team", u[1]), exitOK)
	}
	tokens := &client.MemoryStore{} // one OS account: the laptop's keyring
	laptop := filepath.Join(t.TempDir(), "laptop.db")
	dev := func(args ...string) result {
		t.Helper()
		return h.runTok(tokens, append([]string{"--db", laptop}, args...)...)
	}
	expect(t, "bert's login", dev("login", srv.url, inviteCode(t, h, region, "bert")), exitOK, "als bert")
	// bert works (the app writes as the enrolled user) and syncs, then
	// ticks one more step offline.
	s, err := openTestStore(laptop, store.Options{Author: "bert", NoSync: true, Kind: store.FileLaptop, Now: func() time.Time { return cliNow }})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateClient(store.NewClient{Name: "Noor Hazelhoef", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	expect(t, "bert's sync", dev("sync"), exitOK)
	if s, err = openTestStore(laptop, store.Options{Author: "bert", NoSync: true, Kind: store.FileLaptop, Now: func() time.Time { return cliNow }}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ToggleCheck(id, 1, "c1"); err != nil {
		t.Fatal(err)
	}
	tick, _, _ := s.Outbox(1)
	s.Close()
	bertTok := mustToken(t, tokens, srv.url)

	// carla logs in: refused, file and token as they were.
	before, _ := os.ReadFile(laptop)
	r := dev("login", srv.url, inviteCode(t, h, region, "carla"))
	expect(t, "carla's login", r, exitError, "Deze code is van carla, maar "+laptop+" is van bert (dossiers: 1; wijzigingen nog niet verstuurd: 1)", "--replace-user")
	expect(t, "in English", dev("--lang", "en", "login", srv.url, inviteCode(t, h, region, "carla")), exitError, "This code is carla's, but "+laptop+" is bert's")
	if after, _ := os.ReadFile(laptop); !bytes.Equal(before, after) {
		t.Error("a refused login changed the file")
	}
	if mustToken(t, tokens, srv.url) != bertTok {
		t.Error("a refused login replaced bert's token")
	}

	// --replace-user without bert's token: his tick cannot be sent, so
	// nothing happens, and carla's code still works afterwards.
	code := inviteCode(t, h, region, "carla")
	_ = tokens.Delete(srv.url)
	r = dev("login", srv.url, code, "--replace-user")
	expect(t, "replace without bert's token", r, exitError, laptop+" is niet leeggemaakt: de wijzigingen van bert die nog wachten (1) konden niet worden verstuurd")
	if after, _ := os.ReadFile(laptop); !bytes.Equal(before, after) {
		t.Error("a refused replace changed the file")
	}
	_ = tokens.Set(srv.url, bertTok)

	r = dev("login", srv.url, code, "--replace-user")
	expect(t, "replace", r, exitOK, laptop+" is leeggemaakt: alle wijzigingen van bert waren verstuurd; hun dossiers (1)", "als carla")
	expect(t, "bert's dossier is gone", dev("export", "Noor"), exitError, "Noor")
	if tok := mustToken(t, tokens, srv.url); tok == bertTok {
		t.Error("bert's token is still the laptop's")
	}
	expect(t, "carla's sync", dev("sync"), exitOK)
	expect(t, "still nothing of Noord", dev("export", "Noor"), exitError)

	// bert's tick reached the server as bert's: anna of Noord has it.
	annaDB := filepath.Join(t.TempDir(), "anna.db")
	annaToks := &client.MemoryStore{}
	expect(t, "anna's login", h.runTok(annaToks, "--db", annaDB, "login", srv.url, inviteCode(t, h, region, "anna")), exitOK)
	expect(t, "anna's sync", h.runTok(annaToks, "--db", annaDB, "sync"), exitOK)
	r = h.runTok(annaToks, "--db", annaDB, "export", id, "--format", "json")
	expect(t, "anna's export", r, exitOK)
	if !strings.Contains(r.stdout, tick[0].ID) {
		t.Fatal("bert's unsent tick never reached the server")
	}
	var doc struct {
		Ops []struct{ ID, Author string } `json:"ops"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, op := range doc.Ops {
		if op.ID == tick[0].ID && op.Author != "bert" {
			t.Errorf("bert's tick is signed by %q", op.Author)
		}
	}
}
