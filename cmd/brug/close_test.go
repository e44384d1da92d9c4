package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/brug-nl/brug/sync/client"
)

// TestCloseAndRetention: brug close closes a trajectory (and reopens
// it) as a change that syncs; brug admin retention lists a dossier past
// the region's period as a dry run, erases it with --yes, and the
// laptop erases it on its next sync.
func TestCloseAndRetention(t *testing.T) {
	h := newHarness(t)
	region := filepath.Join(t.TempDir(), "region.db")
	srv := startServe(t, h, region, "--retention", "15y,wlz=20y")
	a := func(args ...string) result { t.Helper(); return adminCmd(h, region, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)
	tokens := &client.MemoryStore{}
	laptop := laptopWithClient(t, "Noor Hazelhoef", "Noord")
	dev := func(args ...string) result {
		t.Helper()
		return h.runTok(tokens, append([]string{"--db", laptop}, args...)...)
	}
	expect(t, "login", dev("login", srv.url, inviteCode(t, h, region, "anna"), "--adopt"), exitOK)

	expect(t, "bad reason", dev("close", "Noor", "--reason", "zomaar"), exitUsage, "kies een van werk")
	expect(t, "future date", dev("close", "Noor", "--reason", "werk", "--date", "2999-01-01"), exitUsage, "niet in de toekomst")
	expect(t, "reopen with a date", dev("close", "Noor", "--reopen", "--date", "2005-03-01"), exitUsage)
	expect(t, "close", dev("close", "Noor", "--date", "2005-03-01", "--reason", "werk", "--note", "vast contract"), exitOK, "Traject van Noor Hazelhoef gesloten op 2005-03-01 (werk).")
	expect(t, "reopen", dev("close", "Noor", "--reopen"), exitOK, "heropend")
	expect(t, "sync", dev("sync"), exitOK)
	expect(t, "retention, reopened", a("retention"), exitOK, "Bewaarbeleid: 15y,wlz=20y", "Geen gesloten dossiers")

	expect(t, "close again", dev("close", "Noor", "--date", "2005-03-01", "--reason", "werk"), exitOK)
	expect(t, "sync", dev("sync"), exitOK)
	r := a("retention")
	expect(t, "retention dry run", r, exitOK, "Noor Hazelhoef", "2005-03-01", "werk", "15y", "2020-03-01", "Proefdraai: er is niets gewist")
	if r := a("erasures", "--format", "json"); r.code != exitOK || strings.TrimSpace(r.stdout) != "" {
		t.Fatalf("a dry run erased:\n%v", r)
	}
	expect(t, "retention --yes", a("retention", "--yes"), exitOK, "1 dossier gewist")
	expect(t, "retention after", a("retention"), exitOK, "Geen gesloten dossiers")
	expect(t, "laptop erases it", dev("sync"), exitOK, "1 dossier gewist op verzoek van de beheerder")
	expect(t, "audit", a("audit", "--action", "erase"), exitOK, "retention: closed 2005-03-01, period 15y")
	expect(t, "audit run", a("audit", "--action", "retention"), exitOK, "1 of 1 due dossiers erased")
	expect(t, "erasures", a("erasures"), exitOK, "BEVESTIGD")
}
