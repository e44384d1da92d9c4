package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
)

// TestReadOnlyShareRefusedByTheCLI: a dossier shared with zoe's team to
// read only arrives on her laptop by sync; brug close on it is refused
// there in Dutch before any op is made (nothing waits to be sent); the
// owner may close it. The server refuses such ops as well (read_only;
// sync/server TestShareAccessMatrix).
func TestReadOnlyShareRefusedByTheCLI(t *testing.T) {
	h := newHarness(t)
	region := filepath.Join(t.TempDir(), "region.db")
	srv := startServe(t, h, region)
	a := func(args ...string) result { t.Helper(); return adminCmd(h, region, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "team add", a("team", "add", "Zuid"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "zoe", "--role", "coach", "--team", "Zuid"), exitOK)

	annaDB := laptopWithClient(t, "Noor Hazelhoef", "Noord")
	s, err := openTestStore(annaDB, store.Options{Author: "tester", NoSync: true, Now: func() time.Time { return cliNow }})
	if err != nil {
		t.Fatal(err)
	}
	sums, err := s.Summaries()
	if err != nil || len(sums) != 1 {
		t.Fatalf("anna's laptop: %v %v", sums, err)
	}
	today := cliNow.Format(time.DateOnly)
	if _, err := s.ShareDossier(sums[0].ID, store.ShareInput{Team: "Zuid", Purpose: "meekijken", Mode: store.ShareRead,
		From: "2000-01-01", Until: "2999-12-31", ConsentDate: "2000-01-01", ConsentHow: "written"}, today); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	annaTok, zoeTok := &client.MemoryStore{}, &client.MemoryStore{}
	anna := func(args ...string) result {
		t.Helper()
		return h.runTok(annaTok, append([]string{"--db", annaDB}, args...)...)
	}
	zoeDB := filepath.Join(t.TempDir(), "zoe.db")
	zoe := func(args ...string) result {
		t.Helper()
		return h.runTok(zoeTok, append([]string{"--db", zoeDB}, args...)...)
	}
	expect(t, "anna login", anna("login", srv.url, inviteCode(t, h, region, "anna"), "--adopt"), exitOK)
	expect(t, "anna sync", anna("sync"), exitOK)
	expect(t, "zoe login", zoe("login", srv.url, inviteCode(t, h, region, "zoe")), exitOK)
	expect(t, "zoe sync", zoe("sync"), exitOK)

	expect(t, "close a read-only dossier", zoe("close", "Noor", "--reason", "werk"), exitError,
		"Alleen lezen: Noor Hazelhoef is met je team gedeeld om te lezen, niet om te wijzigen.")
	expect(t, "in English", zoe("--lang", "en", "close", "Noor", "--reason", "werk"), exitError,
		"Read only: Noor Hazelhoef is shared with your team to read")
	// The owner may still close it.
	expect(t, "anna closes", anna("close", "Noor", "--reason", "werk"), exitOK)

	z, err := openTestStore(zoeDB, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if n, err := z.OutboxLen(); err != nil || n != 0 {
		t.Errorf("zoe's laptop has %d ops waiting after refused changes (%v)", n, err)
	}
	if got := z.SyncTeams(); len(got) != 1 || got[0] != "Zuid" {
		t.Errorf("zoe's teams in the file: %v", got)
	}
}
