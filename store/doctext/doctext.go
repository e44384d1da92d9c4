// Package doctext holds the wording of the documents the store's packages
// write for people (store/export's dossier export, store/plan's plan) and
// the names of the store's codes they show, in Dutch and English. It sits
// outside tui so the store never depends on the app; tui/texts takes these
// parts into the app's catalogue, so the app and the documents name things
// the same way.
package doctext

import (
	"fmt"
	"maps"
)

// Texts is the documents' wording in one language.
type Texts struct {
	Lang string
	m    map[string]string
}

// parts are the wording's maps by name: key -> {nl, en}.
func parts() map[string]map[string][2]string {
	return map[string]map[string][2]string{"export": textsExport, "plan": textsPlan, "codes": textsCodes, "labels": textsLabels}
}

// Parts returns a copy of the wording's parts by name (export, plan,
// codes, labels), for tui/texts' catalogue and the tests that check it.
func Parts() map[string]map[string][2]string {
	out := map[string]map[string][2]string{}
	for name, part := range parts() {
		out[name] = maps.Clone(part)
	}
	return out
}

// New returns the wording in lang ("nl" or "en"; anything else is Dutch).
func New(lang string) *Texts {
	i := 0
	if lang == "en" {
		i = 1
	} else {
		lang = "nl"
	}
	t := &Texts{Lang: lang, m: map[string]string{}}
	for _, part := range parts() {
		for k, v := range part {
			t.m[k] = v[i]
		}
	}
	return t
}

// S returns the text for key; a missing key shows as «key» so it is seen
// (and a test fails) rather than silently blank.
func (t *Texts) S(key string) string {
	if s, ok := t.m[key]; ok {
		return s
	}
	return "«" + key + "»"
}

// F formats the text for key with args, as fmt.Sprintf.
func (t *Texts) F(key string, args ...any) string { return fmt.Sprintf(t.S(key), args...) }

// Has reports whether the wording has key.
func (t *Texts) Has(key string) bool { _, ok := t.m[key]; return ok }
