package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
)

// TestExportListsSharesAndWhoRead: brug export (the person's right of
// access) lists the organisations the dossier was shared with and when,
// and who read it on this laptop, this export included, in Markdown and
// JSON.
func TestExportListsSharesAndWhoRead(t *testing.T) {
	path, sums := demoDB(t, 3)
	id := sums[0].ID
	s, err := openTestStore(path, store.Options{Author: "anna", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ShareDossier(id, store.ShareInput{Team: "Werk Gemeente", Org: "Gemeente Nijmegen", Purpose: "re-integratie",
		Mode: store.ShareRead, From: "2025-03-01", Until: "2025-06-30", ConsentDate: "2025-03-01", ConsentHow: "spoken"}, "2025-03-14"); err != nil {
		t.Fatal(err)
	}
	if err := s.LogRead(store.ReadEntry{Dossier: id, Action: store.ReadOpen, Channel: store.ChannelApp}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	md := h.run("--db", path, "export", id)
	expect(t, "export", md, exitOK, "## Gedeeld met", "Gemeente Nijmegen (team Werk Gemeente)", "2025-03-01 tot 2025-06-30",
		"mondeling, vastgelegd door anna", "## Wie heeft het dossier ingezien", "geopend", "geëxporteerd")
	out := filepath.Join(t.TempDir(), "d.json")
	expect(t, "export json", h.run("--db", path, "export", id, "--format", "json", "--out", out), exitOK)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc := exportDoc(t, data)
	if len(doc.SharedWith) != 1 || doc.SharedWith[0].Org != "Gemeente Nijmegen" || doc.SharedWith[0].ConsentBy != "anna" {
		t.Errorf("JSON shared_with: %+v", doc.SharedWith)
	}
	exports := 0
	for _, r := range doc.Reads {
		if r.Action == store.ReadExport && r.Channel == store.ChannelCLI {
			exports++
		}
	}
	if len(doc.Reads) < 3 || exports != 2 {
		t.Errorf("JSON reads: %+v, want the open and both exports", doc.Reads)
	}
	if strings.Contains(md.stdout, "«") {
		t.Errorf("a text is missing from the catalogue")
	}
}
