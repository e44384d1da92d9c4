package demo

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
)

// The test of encryption at rest: after a demo region, a toggle,
// an answer, a journal note, an erasure and a transfer out of view, no
// file brug leaves in its folder holds a name, an answer or a note, of
// any dossier, live or gone.
func TestNoTextAtRest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "brug.db")
	enc := &store.Encryption{Keyring: store.KeyFile{Name: path + ".key"}}
	s, err := store.Open(path, store.Options{Author: "test", NoSync: true, Encryption: enc})
	if err != nil {
		t.Fatal(err)
	}
	if err := Generate(s, Options{Clients: 40, Seed: 7, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	sums, err := s.Summaries()
	if err != nil || len(sums) < 3 {
		t.Fatalf("%v: %d clients", err, len(sums))
	}
	// Every name, and every journal text and answer of the region.
	var needles []string
	for _, sm := range sums {
		needles = append(needles, sm.Name)
		ops, err := s.Ops(sm.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range ops {
			if len(op.Value) >= 12 && (strings.HasSuffix(op.Field, "/text") || strings.Contains(op.Field, "/answer/")) {
				needles = append(needles, op.Value)
			}
		}
	}
	live, erased, moved := sums[0].ID, sums[1].ID, sums[2].ID
	if _, err := s.ToggleCheck(live, 1, "c1"); err != nil {
		t.Fatal(err)
	}
	answer, note := "Wil graag met paarden werken in Drenthe", "Huisbezoek: zorgen om de huur van maart"
	if _, err := s.Commit(live, store.Set("step/1/answer/q1", answer)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddEntity(erased, store.EntityJournal, map[string]string{"kind": "bezoek", "date": "2025-03-01", "text": note}); err != nil {
		t.Fatal(err)
	}
	needles = append(needles, answer, note)
	// The read log (user, role, organisation) and a share's texts are
	// sealed too; an erased dossier's reads stay (sealed with the file
	// key), and none of it is plain.
	reader, org, purpose := "lezer.jansen-de-boer", "Stichting Leeslog Zorg", "Doel: overleg met de werkgever over proefplaatsing"
	for _, d := range []string{live, erased, moved} {
		if err := s.LogRead(store.ReadEntry{User: reader, Role: "jobcoach", Org: org, Dossier: d, Action: store.ReadOpen, Channel: store.ChannelApp}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ShareDossier(live, store.ShareInput{Team: "team-uwv-oost", Org: org, Purpose: purpose, Mode: store.ShareRead,
		From: "2026-01-01", Until: "2026-12-31", ConsentDate: "2025-12-20", ConsentHow: "written"}, "2026-01-02"); err != nil {
		t.Fatal(err)
	}
	needles = append(needles, reader, org, purpose)
	if err := s.Erase(erased); err != nil {
		t.Fatal(err)
	}
	if err := s.Drop(moved); err != nil { // a transfer out of view
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if len(needles) < 50 {
		t.Fatalf("only %d texts to look for", len(needles))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if bytes.Contains(raw, []byte(n)) {
				t.Errorf("%s holds %q", e.Name(), n)
			}
		}
	}
	// The same scan finds them in a plain file: the scan can fail.
	plain := filepath.Join(t.TempDir(), "plain.db")
	ps, err := store.Open(plain, store.Options{Author: "test", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := Generate(ps, Options{Clients: 40, Seed: 7, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	ps.Close()
	if raw, _ := os.ReadFile(plain); !bytes.Contains(raw, []byte(sums[3].Name)) {
		t.Fatalf("a plain file of the same region does not hold %q: the scan proves nothing", sums[3].Name)
	}
}
