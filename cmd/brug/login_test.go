package main

import (
	"bytes"
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
	s, err := store.Open(path, store.Options{Author: "tester", NoSync: true, Now: func() time.Time { return cliNow }})
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

	code := inviteCode(t, h, region, "anna")
	r := dev("login", srv.url, code, "--name", "laptop anna")
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
	r = dev("login", srv.url, code)
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
	expect(t, "erase", r, exitOK, "gewist; apparaten wissen het bij hun volgende synchronisatie.")
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
