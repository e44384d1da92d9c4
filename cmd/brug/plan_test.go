package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanCommand: brug plan finds a client by name and writes their plan
// in Dutch and English, as Markdown on standard output and as a
// self-contained HTML page to a file (mode 0600); a bad format is a usage
// error and an unknown client a clear one.
func TestPlanCommand(t *testing.T) {
	path, sums := demoDB(t, 12)
	h := newHarness(t)
	c := sums[0]
	first := strings.Fields(c.Name)[0]
	for lang, want := range map[string][]string{
		"nl": {"# Jouw plan, " + first, "## Je doel", "## Waar je nu staat", "## De volgende stappen", "## Wat we hebben afgesproken", "## Wie kun je bellen?"},
		"en": {"# Your plan, " + first, "## Your goal", "## Where you are now", "## The next steps", "## What we agreed", "## Who can you call?"},
	} {
		r := h.run("--db", path, "--lang", lang, "plan", c.Name)
		if r.code != exitOK {
			t.Fatalf("plan:\n%v", r)
		}
		for _, w := range want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s: the plan lacks %q:\n%s", lang, w, r.stdout)
			}
		}
	}
	out := filepath.Join(t.TempDir(), "plan.html")
	r := h.run("--db", path, "plan", c.ID, "--format", "html", "--out", out)
	if r.code != exitOK || r.stdout != "" || !strings.Contains(r.stderr, out) {
		t.Fatalf("plan --out:\n%v", r)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(b), "<!DOCTYPE html>") || !strings.Contains(string(b), "<h1>Jouw plan, "+first+"</h1>") {
		t.Fatalf("plan file (%v):\n%.300s", err, b)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode %v, want 0600", fi.Mode().Perm())
	}
	if r := h.run("--db", path, "plan", c.Name, "--format", "pdf"); r.code != exitUsage || !strings.Contains(r.stderr, "--format moet md of html zijn") {
		t.Errorf("--format pdf:\n%v", r)
	}
	if r := h.run("--db", path, "plan", "Niemand Bestaat"); r.code != exitError || !strings.Contains(r.stderr, `Geen cliënt gevonden voor "Niemand Bestaat"`) {
		t.Errorf("unknown client:\n%v", r)
	}
}
