// Package texts is the terminal app's text catalogue, Dutch and English:
// one file per feature, keys unique across them. cmd/brug reads it where
// it shows the app's texts (the flow report).
package texts

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/brug-nl/brug/store/doctext"
)

// Texts is the text catalogue in one language. No user-facing string lives
// in the app's code outside this package.
type Texts struct {
	Lang string
	// Details shows the English technical details of an error brug cannot
	// say in Dutch (BRUG_DETAILS=1; Cause).
	Details bool
	m       map[string]string
}

// catalogueParts are the catalogue files' maps: key -> {nl, en}. Each
// feature keeps its texts in its own file; keys are unique across parts.
// The documents' wording (export, plan) and the names of the store's codes
// live in store/doctext, outside tui: the store must not depend on the
// app. The catalogue takes them in, so the app names things as the
// documents do.
func catalogueParts() []map[string][2]string {
	parts := []map[string][2]string{textsCore, textsList, textsStep, textsEntities, textsRefused, textsSync, textsCoord, textsReport, textsRecord, textsRegister, textsSharing}
	for _, part := range doctext.Parts() {
		parts = append(parts, part)
	}
	return parts
}

// Parts returns a copy of the catalogue's parts by name (core, list, step,
// entities, refused, sync, coord, report, record, and store/doctext's
// export, plan and codes), for the tests that check the catalogue against
// the code.
func Parts() map[string]map[string][2]string {
	named := map[string]map[string][2]string{"core": textsCore, "list": textsList, "step": textsStep, "entities": textsEntities,
		"refused": textsRefused, "sync": textsSync, "coord": textsCoord, "report": textsReport, "record": textsRecord, "register": textsRegister, "sharing": textsSharing}
	out := make(map[string]map[string][2]string, len(named)+3)
	for name, part := range named {
		out[name] = maps.Clone(part)
	}
	for name, part := range doctext.Parts() {
		out[name] = part
	}
	return out
}

// NewTexts returns the catalogue in lang ("nl" or "en"; anything else is
// Dutch).
func NewTexts(lang string) *Texts {
	i := 0
	if lang == "en" {
		i = 1
	} else {
		lang = "nl"
	}
	t := &Texts{Lang: lang, m: map[string]string{}}
	for _, part := range catalogueParts() {
		for k, v := range part {
			t.m[k] = v[i]
		}
	}
	return t
}

// LangFromEnv picks the language from a --lang flag value, else from
// LC_ALL, LC_MESSAGES or LANG: English when they say en, Dutch otherwise.
func LangFromEnv(flag string) string { return LangFrom(flag, os.Getenv) }

// LangFrom is LangFromEnv with the environment read through getenv.
func LangFrom(flag string, getenv func(string) string) string {
	if flag != "" {
		return flag
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := getenv(v); l != "" {
			if strings.HasPrefix(l, "en") {
				return "en"
			}
			return "nl"
		}
	}
	return "nl"
}

// S returns the text for key; a missing key shows as «key» so it is seen
// (and a test fails) rather than silently blank.
func (t *Texts) S(key string) string {
	if s, ok := t.m[key]; ok {
		return s
	}
	return "«" + key + "»"
}

// F formats the text for key with args, as fmt.Sprintf. An error among
// args is written as Cause writes it, so that Go's English does not reach
// a Dutch screen.
func (t *Texts) F(key string, args ...any) string {
	return fmt.Sprintf(t.S(key), t.causes(args)...)
}

// causes is args with each error replaced by its Cause.
func (t *Texts) causes(args []any) []any { return WithCauses(args, t.Cause) }

// WithCauses is args with each error replaced by cause(err): a copy when
// there is one, else args itself. The app's F and the CLI's messages
// write errors through it.
func WithCauses(args []any, cause func(error) string) []any {
	out := args
	for i, a := range args {
		err, ok := a.(error)
		if !ok || err == nil {
			continue
		}
		if &out[0] == &args[0] {
			out = slices.Clone(args)
		}
		out[i] = cause(err)
	}
	return out
}

// N is F for a text about n things: with n == 1 it takes key + ".one"
// where the catalogue has it ("1 cliënt", not "1 cliënten").
func (t *Texts) N(key string, n int, args ...any) string {
	if n == 1 && t.Has(key+".one") {
		key += ".one"
	}
	return t.F(key, args...)
}

// Has reports whether the catalogue has key.
func (t *Texts) Has(key string) bool { _, ok := t.m[key]; return ok }

// textsCore are the root's and shared texts.
var textsCore = map[string][2]string{
	"app.name":       {"brug", "brug"},
	"key.up":         {"omhoog", "up"},
	"key.down":       {"omlaag", "down"},
	"key.pageup":     {"pagina omhoog", "page up"},
	"key.pagedown":   {"pagina omlaag", "page down"},
	"key.home":       {"begin", "top"},
	"key.end":        {"einde", "bottom"},
	"key.left":       {"links", "left"},
	"key.right":      {"rechts", "right"},
	"key.nextfield":  {"volgend veld", "next field"},
	"key.prevfield":  {"vorig veld", "previous field"},
	"key.open":       {"openen", "open"},
	"key.back":       {"terug", "back"},
	"key.quit":       {"stoppen", "quit"},
	"key.help":       {"hulp", "help"},
	"key.filter":     {"zoeken", "filter"},
	"key.sort":       {"sorteren", "sort"},
	"key.new":        {"nieuw", "new"},
	"key.edit":       {"bewerken", "edit"},
	"key.remove":     {"verwijderen", "remove"},
	"key.undo":       {"ongedaan maken", "undo"},
	"key.space":      {"spatie", "space"},
	"key.toggle":     {"aan/uit", "toggle"},
	"key.save":       {"opslaan", "save"},
	"key.done":       {"klaar", "done"},
	"key.status":     {"status stap", "step status"},
	"key.journal":    {"verslagen", "journal"},
	"key.agreements": {"afspraken", "agreements"},
	"key.contacts":   {"netwerk", "contacts"},
	"key.route":      {"route", "route"},
	"key.conflicts":  {"conflicten", "conflicts"},
	"key.step":       {"naar stap", "go to step"},
	"err.prefix":     {"Fout: %s", "Error: %s"},
	"status.saved":   {"Opgeslagen.", "Saved."},
	"status.damaged": {"Het brug-bestand is beschadigd en kan niet veilig worden gelezen. Sluit de app (q) en voer 'brug check' uit: dat zegt wat er mis is en wat je kunt doen.", "The brug file is damaged and cannot be read safely. Close the app (q) and run 'brug check': it tells what is wrong and what you can do."},
	"help.title":     {"Toetsen", "Keys"},
	"help.close":     {"? of esc sluit de hulp", "? or esc closes help"},
	"too.small":      {"Maak het venster groter (minstens %dx%d).", "Make the window larger (at least %dx%d)."},
}
