package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/client"
)

// regioYAML is a region's own method file; eigen is another one, as a
// laptop's --method.
const regioYAML = `id: regio-noord
version: 1
name: {nl: Methode Noord, en: Method North}
steps:
  - n: 1
    title: {nl: Kennismaken, en: Getting to know}
    goal: {nl: Leer de deelnemer kennen., en: Get to know the person.}
    checklist:
      - id: c1
        nl: Kennismakingsgesprek gevoerd
    questions:
      - id: q1
        nl: Wat doe je het liefst?
`

// TestServerHandsMethodToLaptop: `brug serve --method` hands its method
// to a laptop at sync; the laptop's next start uses it without --method,
// and --method still wins when given.
func TestServerHandsMethodToLaptop(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	regio := filepath.Join(dir, "regio.yaml")
	eigen := filepath.Join(dir, "eigen.yaml")
	if err := os.WriteFile(regio, []byte(regioYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(eigen, []byte(strings.Replace(regioYAML, "regio-noord", "eigen", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	region := filepath.Join(dir, "region.db")
	srv := startServe(t, h, region, "--method", regio)
	expect(t, "team add", adminCmd(h, region, "team", "add", "Noord"), exitOK)
	expect(t, "user add", adminCmd(h, region, "user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)

	tokens := &client.MemoryStore{}
	laptop := filepath.Join(t.TempDir(), "laptop.db")
	dev := func(args ...string) result {
		t.Helper()
		return h.runTok(tokens, append([]string{"--db", laptop}, args...)...)
	}
	appMethod := func(args ...string) string {
		t.Helper()
		h.lastApp = nil
		expect(t, "app", h.run(append([]string{"--db", laptop}, args...)...), exitOK)
		if h.lastApp == nil {
			t.Fatal("the app did not run")
		}
		return h.lastApp.Context().Method.ID
	}
	expect(t, "login", dev("login", srv.url, inviteCode(t, h, region, "anna")), exitOK)
	if got := appMethod(); got != method.Default().ID {
		t.Fatalf("before a sync the app runs with method %q, want the built-in %q", got, method.Default().ID)
	}
	expect(t, "sync", dev("sync"), exitOK, "De regio gebruikt een nieuwe versie van de methode (regio-noord, versie 1)")
	r := dev("sync")
	expect(t, "second sync", r, exitOK)
	if strings.Contains(r.stdout, "nieuwe versie") {
		t.Errorf("the second sync announces the method again:\n%v", r)
	}
	if got := appMethod(); got != "regio-noord" {
		t.Errorf("without --method the app runs with %q, want the region's regio-noord", got)
	}
	if got := appMethod("--method", eigen); got != "eigen" {
		t.Errorf("with --method the app runs with %q, want eigen", got)
	}
	// The export reads with the region's method too: a person's export
	// words the steps as the region's coaches see them.
	s, err := openTestStore(laptop, store.Options{Author: "anna", NoSync: true, Kind: store.FileLaptop, Method: method.Default(), Now: func() time.Time { return cliNow }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateClient(store.NewClient{Name: "Noor Hazelhoef", Team: "Noord"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	expect(t, "export", dev("export", "Noor", "--format", "json"), exitOK, `"id": "regio-noord"`)
	expect(t, "export with --method", dev("--method", eigen, "export", "Noor", "--format", "json"), exitOK, `"id": "eigen"`)
}
