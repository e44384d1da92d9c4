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
