package store

import (
	"errors"
	"testing"
)

// TestFoldName: case and accents do not count, composed or decomposed.
func TestFoldName(t *testing.T) {
	for in, want := range map[string]string{
		"Zoë":           "zoe",
		"Zoe\u0308":     "zoe", // e + combining diaeresis
		"Çelik":         "celik",
		"C\u0327elik":   "celik", // C + combining cedilla
		"ÇELIK":         "celik",
		"Anna de Vries": "anna de vries",
		"Renée Müller":  "renee muller",
	} {
		if got := FoldName(in); got != want {
			t.Errorf("FoldName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFindClientFoldsAccents: a name typed without accents, or with them
// encoded the other way, finds the client (every CLI argument and admin
// command naming a client goes through FindClient or MatchClients).
func TestFindClientFoldsAccents(t *testing.T) {
	s := openTest(t, Options{})
	zoe, err := s.CreateClient(NewClient{Name: "Zoë Bakker"})
	if err != nil {
		t.Fatal(err)
	}
	celik, err := s.CreateClient(NewClient{Name: "C\u0327elik Yilmaz"}) // decomposed
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{"zoe": zoe, "ZOE BAKKER": zoe, "Zoe\u0308": zoe, "celik": celik, "Çelik": celik, "çelik yilmaz": celik} {
		if got, err := s.FindClient(q); err != nil || got != want {
			t.Errorf("FindClient(%q) = %q, %v; want %s", q, got, err, want)
		}
	}
	if _, err := s.FindClient("zoey"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FindClient(zoey) = %v, want not found", err)
	}
}
