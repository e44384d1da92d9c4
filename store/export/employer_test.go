package export

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

// TestExportNamesTheEmployer: the person's export names the employer of a
// move (issue 11: where they were placed is their data).
func TestExportNamesTheEmployer(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "export.db"), store.Options{Author: "test", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, err := s.CreateClient(store.NewClient{Name: "Anna", Team: "Noord", Places: []store.Place{store.PlaceDagbesteding}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordMoveEmployer(id, []store.Place{store.PlaceWerkervaring}, "2025-02-03", "", "Garage Çelik"); err != nil {
		t.Fatal(err)
	}
	c, ops := dossier(t, s, id)
	for lang, want := range map[string]string{"nl": "werkgever: Garage Çelik", "en": "employer: Garage Çelik"} {
		if md := Markdown(c, ops, method.Default(), lang); !strings.Contains(md, want) {
			t.Errorf("%s: the export lacks %q:\n%s", lang, want, md)
		}
	}
}
