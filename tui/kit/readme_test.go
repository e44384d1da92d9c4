package kit

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"

	"github.com/brug-nl/brug/tui/texts"
)

// TestREADMETourShowsTheKeys: README's short tour names every key of the
// client list, the overview and the plan (the keys the record, duplicates
// and plan work added), so a key added there without a line in the tour
// fails here.
func TestREADMETourShowsTheKeys(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "## A short tour")
	if start < 0 {
		t.Fatal("README has no short tour")
	}
	tour := s[start:]
	if end := strings.Index(tour[3:], "\n## "); end >= 0 {
		tour = tour[:end+3]
	}
	km := NewKeyMap(texts.NewTexts("en"))
	n := 0
	for _, group := range []any{km.OnList, km.OnOverview, km.OnPlan} {
		v := reflect.ValueOf(group)
		for i := range v.NumField() {
			b := v.Field(i).Interface().(key.Binding)
			k := b.Help().Key
			n++
			if !strings.Contains(tour, "`"+k+"`") {
				t.Errorf("README's tour does not show the key %s (%s, %s)", k, v.Type().Field(i).Name, b.Help().Desc)
			}
		}
	}
	if n < 9 {
		t.Fatalf("checked only %d keys: the key groups changed", n)
	}
}
