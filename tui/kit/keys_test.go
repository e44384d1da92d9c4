package kit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"

	"github.com/brug-nl/brug/tui/texts"
)

// TestKeyMapGroupsHaveNoClashes: the KeyMap holds every binding, the
// shared ones and each screen's group. Within the shared bindings and
// within each group, no key may be offered (with a help text) by two
// bindings, or one of them could never be reached. Bindings without help
// (a pair's second half, such as Next beside Prev) only match.
func TestKeyMapGroupsHaveNoClashes(t *testing.T) {
	for _, lang := range []string{"nl", "en"} {
		km := NewKeyMap(texts.NewTexts(lang))
		v := reflect.ValueOf(km).Elem()
		groups := map[string]map[string]key.Binding{"shared": {}}
		for i := range v.NumField() {
			f, fv := v.Type().Field(i), v.Field(i)
			switch b := fv.Interface().(type) {
			case key.Binding:
				groups["shared"][f.Name] = b
			default:
				g := map[string]key.Binding{}
				for j := range fv.NumField() {
					g[fv.Type().Field(j).Name] = fv.Field(j).Interface().(key.Binding)
				}
				groups[f.Name] = g
			}
		}
		if len(groups) < 9 {
			t.Fatalf("found %d groups: the KeyMap's screen groups are not all read", len(groups))
		}
		for name, g := range groups {
			owner := map[string]string{}
			for field, b := range g {
				if len(b.Keys()) == 0 {
					t.Errorf("%s.%s has no keys", name, field)
				}
				if b.Help().Desc == "" {
					continue
				}
				if strings.HasPrefix(b.Help().Desc, "«") {
					t.Errorf("%s: %s.%s has no catalogue text: %s", lang, name, field, b.Help().Desc)
				}
				for _, k := range b.Keys() {
					if o, dup := owner[k]; dup {
						t.Errorf("%s: key %q is both %s.%s and %s.%s", lang, k, name, o, name, field)
					}
					owner[k] = field
				}
			}
		}
	}
}

// neighbours are the screen groups a coach moves between in one key: a
// letter they learn on one must not do something else on the next. The
// shared bindings are neighbours of every screen.
var neighbours = [][2]string{
	{"OnList", "OnOverview"}, {"OnList", "OnReport"}, {"OnList", "OnCoordList"}, {"OnList", "OnRefused"},
	{"OnCoordList", "OnReview"}, {"OnCoordList", "OnOverview"}, {"OnCoordList", "OnReport"},
	{"OnOverview", "OnStep"}, {"OnOverview", "OnEntities"}, {"OnOverview", "OnAgreements"},
	{"OnOverview", "OnRoute"}, {"OnOverview", "OnEnd"}, {"OnOverview", "OnConflict"},
	{"OnOverview", "OnReview"}, {"OnStep", "OnReview"}, {"OnStep", "OnConflict"},
	{"OnEntities", "OnAgreements"}, {"OnEntities", "OnRoute"}, {"OnEntities", "OnEnd"},
	{"OnOverview", "OnSharing"}, {"OnStep", "OnSharing"}, {"OnEntities", "OnSharing"},
}

// sameMeaning names bindings that do one thing under two names: editing
// the record is editing, clearing refused changes is removing them, and a
// screen's previous/next is left/right.
var sameMeaning = map[string]string{"Record": "Edit", "Clear": "Remove", "Prev": "Left", "Next": "Right", "Steps": "Left"}

// TestKeyMapNeighboursAgree: a letter offered (with a help text) on two
// neighbouring screens, or on a screen and among the shared keys, means
// the same there (issue 12: t, a and n meant different things on
// neighbouring screens).
func TestKeyMapNeighboursAgree(t *testing.T) {
	km := NewKeyMap(texts.NewTexts("nl"))
	v := reflect.ValueOf(km).Elem()
	// letters[group][key] = meaning
	letters := map[string]map[string]string{"shared": {}}
	add := func(group, field string, b key.Binding) {
		if b.Help().Desc == "" {
			return
		}
		if m, ok := sameMeaning[field]; ok {
			field = m
		}
		for _, k := range b.Keys() {
			if len(k) == 1 && (k[0] >= 'a' && k[0] <= 'z' || k[0] >= 'A' && k[0] <= 'Z') {
				letters[group][k] = field
			}
		}
	}
	var groups []string
	for i := range v.NumField() {
		f, fv := v.Type().Field(i), v.Field(i)
		if b, ok := fv.Interface().(key.Binding); ok {
			add("shared", f.Name, b)
			continue
		}
		letters[f.Name] = map[string]string{}
		groups = append(groups, f.Name)
		for j := range fv.NumField() {
			add(f.Name, fv.Type().Field(j).Name, fv.Field(j).Interface().(key.Binding))
		}
	}
	pairs := append([][2]string{}, neighbours...)
	for _, g := range groups {
		pairs = append(pairs, [2]string{"shared", g})
	}
	for _, p := range pairs {
		a, okA := letters[p[0]]
		b, okB := letters[p[1]]
		if !okA || !okB {
			t.Errorf("neighbours %v: no such group in the KeyMap", p)
			continue
		}
		for k, ma := range a {
			if mb, ok := b[k]; ok && ma != mb {
				t.Errorf("key %q is %s.%s but %s.%s on a neighbouring screen", k, p[0], ma, p[1], mb)
			}
		}
	}
}

func TestFitTailKeepsTheEnd(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want string
	}{
		{"Wijkteam Oost", 10, "…Oost     "},
		{"Wijkteam Zuid-West", 10, "…Zuid-West"},
		{"Wijkteam Zuid-West", 8, "…id-West"},
		{"Noord", 10, "Noord     "},
		{"Wijkteam Oost", 13, "Wijkteam Oost"},
	} {
		if got := FitTail(c.in, c.w); got != c.want {
			t.Errorf("FitTail(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
	if got := FitParts([]string{"4 cliënten", "1 met conflicten", "sortering: naam"}, " · ", 30); got != "4 cliënten · 1 met conflicten " {
		t.Errorf("FitParts = %q", got)
	}
}
