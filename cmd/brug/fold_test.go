package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
)

// TestExportFindsNamesWithoutAccents: a client named on the command line
// as people type it, without accents, is found, whether the name's
// accents were stored composed or decomposed.
func TestExportFindsNamesWithoutAccents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fold.db")
	s, err := store.Open(path, store.Options{Author: "test", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Zoë Bakker", "C\u0327elik Yilmaz"} {
		if _, err := s.CreateClient(store.NewClient{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	for query, want := range map[string]string{"zoe": "Zoë Bakker", "celik": "C\u0327elik Yilmaz", "Çelik": "C\u0327elik Yilmaz"} {
		r := h.run("--db", path, "export", query)
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("export %q:\n%v", query, r)
		}
	}
}
