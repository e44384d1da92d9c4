package store

import (
	"errors"
	"strings"
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

// DupKeyFolded of a folded name is DupKey of the name, and NameKey's
// short cut for names spaced once gives what strings.Fields does.
func TestDupKeyFoldedSameAsDupKey(t *testing.T) {
	for _, name := range []string{"", " ", "Zoë Çelik", "zoe  celik", " Jan", "Jan ", "a\tb", "a\nb", "a\u00a0b", "a\u2003b", "ÅSE de  Vries", "Ĳsbrand", "x", "x y z"} {
		for _, year := range []string{"", "1990", " 1990 "} {
			if got, want := DupKeyFolded(FoldName(name), year), DupKey(name, year); got != want {
				t.Errorf("DupKeyFolded(%q, %q) = %q, DupKey %q", name, year, got, want)
			}
		}
		if got, want := NameKey(name), strings.Join(strings.Fields(FoldName(name)), " "); got != want {
			t.Errorf("NameKey(%q) = %q, want %q", name, got, want)
		}
	}
}
