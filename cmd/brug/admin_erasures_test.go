package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/server"
)

// TestAdminEraseListsHoldersAndReceipts: brug admin erase lists the
// devices that still hold the dossier; once one has synced, brug admin
// erasures shows when it confirmed and the other as not yet, in a table,
// CSV and JSON, and --pending keeps the erasure while one is missing.
func TestAdminEraseListsHoldersAndReceipts(t *testing.T) {
	h := newHarness(t)
	region := filepath.Join(t.TempDir(), "region.db")
	srv := startServe(t, h, region)
	a := func(args ...string) result { t.Helper(); return adminCmd(h, region, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	for _, u := range []string{"anna", "bert"} {
		expect(t, "user add", a("user", "add", u, "--role", "coach", "--team", "Noord"), exitOK)
	}
	annaTok, bertTok := &client.MemoryStore{}, &client.MemoryStore{}
	annaDB := laptopWithClient(t, "Noor Hazelhoef", "Noord")
	bertDB := filepath.Join(t.TempDir(), "bert.db")
	expect(t, "login anna", h.runTok(annaTok, "--db", annaDB, "login", srv.url, inviteCode(t, h, region, "anna"), "--adopt", "--name", "laptop-anna"), exitOK)
	expect(t, "login bert", h.runTok(bertTok, "--db", bertDB, "login", srv.url, inviteCode(t, h, region, "bert"), "--name", "laptop-bert"), exitOK)
	expect(t, "sync anna", h.runTok(annaTok, "--db", annaDB, "sync"), exitOK)
	expect(t, "sync bert", h.runTok(bertTok, "--db", bertDB, "sync"), exitOK)

	r := a("erase", "Noor", "--yes")
	expect(t, "erase", r, exitOK, "is gewist", "Nog op 2 apparaten", "laptop-anna", "laptop-bert", "nog niet")
	expect(t, "sync anna after erase", h.runTok(annaTok, "--db", annaDB, "sync"), exitOK, "1 dossier gewist")

	r = a("erasures")
	expect(t, "erasures", r, exitOK, "BEVESTIGD", "laptop-anna", "laptop-bert", "nog niet", cliNow.Local().Format("2006-01-02 15:04"))
	if strings.Contains(r.stdout, "Noor") {
		t.Errorf("the erasures list names the erased person:\n%v", r)
	}
	expect(t, "erasures --pending", a("erasures", "--pending"), exitOK, "laptop-bert")
	r = a("erasures", "--format", "csv")
	expect(t, "erasures csv", r, exitOK, "dossier,erased,by,user,device,device_name,enrolment,confirmed,revoked,wiped\r\n")
	if n := strings.Count(r.stdout, "\r\n"); n != 3 {
		t.Errorf("csv has %d lines, want a header and 2 rows:\n%s", n, r.stdout)
	}
	r = a("erasures", "--format", "json")
	var e server.Erasure
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || len(e.Devices) != 2 || e.Pending() != 1 {
		t.Fatalf("erasures json: %+v %v\n%s", e, err, r.stdout)
	}

	expect(t, "sync bert after erase", h.runTok(bertTok, "--db", bertDB, "sync"), exitOK, "1 dossier gewist")
	if r := a("erasures", "--pending"); r.code != exitOK || strings.Contains(r.stdout, e.Dossier) {
		t.Errorf("an erasure every device confirmed is still pending:\n%v", r)
	}
	expect(t, "audit", a("audit", "--action", "confirmed"), exitOK, "erase confirmed", "anna", "bert")
	expect(t, "bad format", a("erasures", "--format", "xml"), exitUsage)
}
