package main

import (
	"encoding/json"
	"github.com/brug-nl/brug/store/export"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
)

// TestExportWritesAnyStoredStamp: a dossier holding ops stamped in the
// year 3000 and at 2^64-1 (pulled before servers refused such stamps)
// exports as JSON and as Markdown, with every op's exact stamp.
// Accident: `brug export --format json` of such a dossier failed with
// "year outside of range [0,9999]", so the person could not get their data.
func TestExportWritesAnyStoredStamp(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(t.TempDir(), "laptop.db")
	s, err := openTestStore(path, store.Options{Author: "anna", NoSync: true, Now: func() time.Time { return cliNow }})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateClient(store.NewClient{Name: "Noor Hazelhoef", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	heads, err := s.Heads(id, "name")
	if err != nil {
		t.Fatal(err)
	}
	year3000 := store.MakeHLC(time.Date(3000, 1, 1, 12, 0, 0, 0, time.UTC), 0)
	remote := []store.Op{
		{ID: store.NewID(), Dossier: id, Field: "name", Value: "Noor Hazelhoef-Visser", HLC: year3000, Device: "laptop-ahead", Author: "bert", Prev: []string{heads[0].ID}},
		{ID: store.NewID(), Dossier: id, Field: "step/1/note", Value: "Gesprek gehad.", HLC: store.MaxHLC, Device: "laptop-forged", Author: "bert"},
		{ID: store.NewID(), Dossier: id, Field: "step/1/note", Value: "Tweede versie.", HLC: store.MaxHLC - 1, Device: "laptop-forged", Author: "bert"},
	}
	if _, err := s.ApplyRemote(remote); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "noor.json")
	expect(t, "export json", h.run("--db", path, "export", "Noor", "--format", "json", "--out", out), exitOK)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc export.Doc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	stamps := map[string]store.HLC{}
	for _, op := range doc.Ops {
		stamps[op.ID] = op.HLC
	}
	for _, op := range remote {
		if stamps[op.ID] != op.HLC {
			t.Errorf("op %s exported with stamp %d, want %d", op.Field, stamps[op.ID], op.HLC)
		}
	}
	if got := doc.Client.Name.At.UTC(); got.Year() != 3000 {
		t.Errorf("name changed at %s, want the year 3000", got)
	}

	r := h.run("--db", path, "--lang", "en", "export", "Noor")
	expect(t, "export md", r, exitOK, "3000-01-01 12:00", "Gesprek gehad.", "Tweede versie.")
	if !strings.Contains(r.stdout, "9999-12-31 23:59") {
		t.Errorf("the Markdown export does not show the 2^64-1 stamp as the end of 9999:\n%s", r.stdout)
	}
}
