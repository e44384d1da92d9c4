package method

import (
	"errors"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// dutchCases is the Dutch line, In("nl"), for each case of errorCases,
// parsed as regio.yaml.
var dutchCases = map[string]string{
	"empty file":                       "methodebestand regio.yaml: het bestand is leeg; een methodebestand begint met id:, version:, name: en steps: (zie docs/method.md)",
	"only comments":                    "methodebestand regio.yaml: het bestand is leeg; een methodebestand begint met id:, version:, name: en steps: (zie docs/method.md)",
	"only a document marker":           "methodebestand regio.yaml: het bestand is leeg; een methodebestand begint met id:, version:, name: en steps: (zie docs/method.md)",
	"too large":                        "methodebestand regio.yaml: het bestand is groter dan 1 MiB; een methodebestand is veel kleiner, dus controleer of dit het goede bestand is",
	"binary garbage":                   "methodebestand regio.yaml, regel 1: het bestand is geen geldige UTF-8-tekst (byte 0x89 in kolom 1); sla het op als UTF-8-tekst",
	"NUL bytes":                        "methodebestand regio.yaml, regel 2: kolom 11 bevat het stuurteken U+0000; een methodebestand is gewone tekst, dus controleer of dit het goede bestand is en haal het teken weg",
	"invalid UTF-8 in a text":          "methodebestand regio.yaml, regel 13: het bestand is geen geldige UTF-8-tekst (byte 0xe9 in kolom 25); sla het op als UTF-8-tekst",
	"UTF-16 file":                      "methodebestand regio.yaml, regel 1: het bestand is geen geldige UTF-8-tekst (byte 0xff in kolom 1); sla het op als UTF-8-tekst",
	"lone carriage return":             "methodebestand regio.yaml, regel 2: kolom 11 bevat een losse regelterugloop (CR) zonder LF erna; sla het bestand op met gewone regeleinden (LF of CRLF)",
	"line separator":                   "methodebestand regio.yaml, regel 3: kolom 14 bevat het regelscheidingsteken U+2028, dat editors niet als nieuwe regel tonen; vervang het door een gewone regelovergang",
	"two documents":                    "methodebestand regio.yaml, regel 30: het bestand bevat meer dan één YAML-document (een regel met --- begint een nieuw document); zet één methode per bestand",
	"colon in plain text":              "methodebestand regio.yaml, regel 13: YAML-fout: hier mag geen dubbele punt met een waarde erna staan; zet een tekst met \": \" erin tussen aanhalingstekens, of controleer de inspringing",
	"tab indentation":                  "methodebestand regio.yaml, regel 11: YAML-fout: een tab verstoort de inspringing; spring in met spaties, niet met tabs",
	"unclosed quote":                   "methodebestand regio.yaml, regel 13: YAML-fout: het bestand houdt onverwacht op; er is een aanhalingsteken of haakje geopend maar niet gesloten",
	"unclosed flow mapping":            "methodebestand regio.yaml, regel 23: YAML-fout: hier hoort een komma of }; er is een haakje geopend maar niet gesloten, of er ontbreekt een komma",
	"item out of indentation":          "methodebestand regio.yaml, regel 12: YAML-fout: hier hoort een sleutel; controleer de inspringing, de dubbele punten en de aanhalingstekens op deze regel en de regel erboven",
	"key out of indentation":           "methodebestand regio.yaml, regel 16: YAML-fout: hier hoort een nieuw onderdeel van de lijst (-); controleer de inspringing, de dubbele punten en de aanhalingstekens op deze regel en de regel erboven",
	"list item after mapping":          "methodebestand regio.yaml, regel 3: YAML-fout: hier hoort een sleutel; controleer de inspringing, de dubbele punten en de aanhalingstekens op deze regel en de regel erboven",
	"syntax error on line 1":           "methodebestand regio.yaml, regel 1: YAML-fout: hier mag geen dubbele punt met een waarde erna staan; zet een tekst met \": \" erin tussen aanhalingstekens, of controleer de inspringing",
	"reserved character":               "methodebestand regio.yaml, regel 29: YAML-fout: hier staat een teken waarmee een waarde niet mag beginnen; zet een tekst die begint met @, ` of % tussen aanhalingstekens",
	"unknown anchor":                   "methodebestand regio.yaml, regel 26: *zorg verwijst naar een anker dat niet bestaat; methodebestanden gebruiken geen ankers en aliassen, dus schrijf de tekst voluit",
	"root is a text":                   "methodebestand regio.yaml, regel 1: de methode moet een blok met de sleutels id, version, name, steps zijn, niet \"Bruggen naar werk\"",
	"root is a list":                   "methodebestand regio.yaml, regel 1: de methode moet een blok met de sleutels id, version, name, steps zijn, niet een lijst",
	"unknown key (Dutch)":              "methodebestand regio.yaml, regel 22: onbekende sleutel \"titel\" in stap 2 (bedoel je title?); de sleutels hier zijn n, title, goal, checklist, questions, tips",
	"unknown key (typo)":               "methodebestand regio.yaml, regel 27: onbekende sleutel \"qeustions\" in stap 2 (bedoel je questions?); de sleutels hier zijn n, title, goal, checklist, questions, tips",
	"unknown key (Dutch, capitalised)": "methodebestand regio.yaml, regel 3: onbekende sleutel \"Naam\" in de methode (bedoel je name?); de sleutels hier zijn id, version, name, steps",
	"unknown key (Dutch list)":         "methodebestand regio.yaml, regel 27: onbekende sleutel \"vragen\" in stap 2 (bedoel je questions?); de sleutels hier zijn n, title, goal, checklist, questions, tips",
	"unknown key at top":               "methodebestand regio.yaml, regel 3: onbekende sleutel \"regio\" in de methode; de sleutels hier zijn id, version, name, steps",
	"unknown key in a text":            "methodebestand regio.yaml, regel 3: onbekende sleutel \"de\" in de naam van de methode; de sleutels hier zijn nl, en",
	"duplicate key":                    "methodebestand regio.yaml, regel 3: sleutel version staat twee keer in de methode (eerst op regel 2); haal er één weg",
	"missing id":                       "methodebestand regio.yaml, regel 1: de methode heeft geen id; schrijf id: met daarachter een korte naam zoals bruggen-naar-werk",
	"missing version":                  "methodebestand regio.yaml, regel 1: de methode heeft geen version; schrijf version: 1",
	"missing name":                     "methodebestand regio.yaml, regel 1: de methode heeft geen name; schrijf name: {nl: ..., en: ...}",
	"missing steps":                    "methodebestand regio.yaml, regel 1: de methode heeft geen steps; schrijf steps: met daaronder een lijst stappen",
	"bad method id":                    "methodebestand regio.yaml, regel 1: de id van de methode is \"Bruggen naar werk\", en dat is geen geldige id; gebruik 1 tot en met 64 tekens: kleine letters, cijfers, - en _, te beginnen met een letter (zoals bruggen-naar-werk)",
	"empty method id":                  "methodebestand regio.yaml, regel 1: de id van de methode is leeg; schrijf een korte id na id:",
	"version zero":                     "methodebestand regio.yaml, regel 2: het versienummer is 0; dat moet 1 of hoger zijn (verhoog het bij elke wijziging van het bestand)",
	"version negative":                 "methodebestand regio.yaml, regel 2: het versienummer is -3; dat moet 1 of hoger zijn (verhoog het bij elke wijziging van het bestand)",
	"version not a number":             "methodebestand regio.yaml, regel 2: het versienummer (version) moet een heel getal in cijfers zijn, zoals 1, niet \"een\"",
	"version a fraction":               "methodebestand regio.yaml, regel 2: het versienummer (version) moet een heel getal in cijfers zijn, zoals 1, niet \"1.5\"",
	"version empty":                    "methodebestand regio.yaml, regel 2: het versienummer (version) is leeg; schrijf een heel getal na version:",
	"version too big":                  "methodebestand regio.yaml, regel 2: het versienummer (version) moet een heel getal in cijfers zijn, zoals 1, niet \"99999999999999999999999\"",
	"no steps":                         "methodebestand regio.yaml, regel 4: de methode heeft geen stappen; zet minstens één stap onder steps:",
	"null steps":                       "methodebestand regio.yaml, regel 4: de methode heeft geen stappen; zet minstens één stap onder steps:",
	"steps not a list":                 "methodebestand regio.yaml, regel 4: de waarde van steps moet een lijst zijn (elk onderdeel op een eigen regel die begint met -), niet \"zes\"",
	"step not a mapping":               "methodebestand regio.yaml, regel 5: stap 1 moet een blok met de sleutels n, title, goal, checklist, questions, tips zijn, niet \"Kennismaken\"",
	"step number out of order":         "methodebestand regio.yaml, regel 21: dit is stap 2 in de lijst, maar hij heeft n: 3; nummer de stappen van boven af 1, 2, 3 enzovoort, en houd het nummer van een stap gelijk als je hem anders verwoordt",
	"step number repeated":             "methodebestand regio.yaml, regel 21: dit is stap 2 in de lijst, maar hij heeft n: 1; nummer de stappen van boven af 1, 2, 3 enzovoort, en houd het nummer van een stap gelijk als je hem anders verwoordt",
	"step number zero":                 "methodebestand regio.yaml, regel 5: dit is stap 1 in de lijst, maar hij heeft n: 0; nummer de stappen van boven af 1, 2, 3 enzovoort, en houd het nummer van een stap gelijk als je hem anders verwoordt",
	"step number text":                 "methodebestand regio.yaml, regel 21: het nummer (n) van stap 2 moet een heel getal in cijfers zijn, zoals 1, niet \"twee\"",
	"step number missing":              "methodebestand regio.yaml, regel 21: stap 2 heeft geen n; schrijf n: met daarachter het nummer van de stap",
	"missing title":                    "methodebestand regio.yaml, regel 21: stap 2 heeft geen title; schrijf title: {nl: ..., en: ...}",
	"missing goal":                     "methodebestand regio.yaml, regel 21: stap 2 heeft geen goal; schrijf goal: {nl: ..., en: ...} met waar de stap voor is",
	"title without nl":                 "methodebestand regio.yaml, regel 22: de titel van stap 2 heeft geen nl; schrijf nl: met daarachter de Nederlandse tekst",
	"title with empty nl":              "methodebestand regio.yaml, regel 22: de titel van stap 2 heeft geen Nederlandse tekst; schrijf die na nl:",
	"title empty":                      "methodebestand regio.yaml, regel 22: de titel van stap 2 is leeg; schrijf het als title: {nl: ..., en: ...}",
	"title as plain text":              "methodebestand regio.yaml, regel 22: de titel van stap 2 heeft een Nederlandse en een Engelse tekst nodig; schrijf het als title: {nl: Partners aan tafel, en: ...}",
	"nl is a list":                     "methodebestand regio.yaml, regel 26: checklistpunt c1 van stap 2 (nl) moet tekst zijn, niet een lijst",
	"item without nl":                  "methodebestand regio.yaml, regel 12: checklistpunt c2 van stap 1 heeft geen nl; schrijf nl: met daarachter de Nederlandse tekst",
	"question with empty nl":           "methodebestand regio.yaml, regel 29: gespreksvraag q1 van stap 2 heeft geen Nederlandse tekst; schrijf die na nl:",
	"tip without nl":                   "methodebestand regio.yaml, regel 19: tip 1 van stap 1 heeft geen nl; schrijf nl: met daarachter de Nederlandse tekst",
	"tip as plain text":                "methodebestand regio.yaml, regel 19: tip 1 van stap 1 moet een blok met de sleutels nl, en zijn, niet \"Begin bij de persoon.\"",
	"tips not a list":                  "methodebestand regio.yaml, regel 18: de waarde van tips in stap 1 moet een lijst zijn (elk onderdeel op een eigen regel die begint met -), niet \"Begin bij de persoon.\"",
	"control character escape":         "methodebestand regio.yaml, regel 29: gespreksvraag q1 van stap 2 (nl) bevat het stuurteken U+001B; haal het weg",
	"unshowable character escape":      "methodebestand regio.yaml, regel 29: gespreksvraag q1 van stap 2 (nl) bevat het teken U+2028, dat niet getoond kan worden; haal het weg",
	"key that is a list":               "methodebestand regio.yaml, regel 3: de naam van de methode heeft een sleutel die geen gewoon woord is; de sleutels hier zijn nl, en",
	"tab in text":                      "methodebestand regio.yaml, regel 29: gespreksvraag q1 van stap 2 (nl) bevat een tab; gebruik spaties",
	"binary tag":                       "methodebestand regio.yaml, regel 29: gespreksvraag q1 van stap 2 (nl) heeft de YAML-tag !!binary; haal de tag weg en schrijf gewone tekst",
	"custom tag":                       "methodebestand regio.yaml, regel 29: gespreksvraag q1 van stap 2 (nl) heeft de YAML-tag !vraag; haal de tag weg en schrijf gewone tekst",
	"tagged mapping":                   "methodebestand regio.yaml, regel 22: de titel van stap 2 heeft de YAML-tag !tekst; haal de tag weg",
	"tagged list":                      "methodebestand regio.yaml, regel 24: de waarde van checklist in stap 2 heeft de YAML-tag !lijst; haal de tag weg",
	"alias":                            "methodebestand regio.yaml, regel 26: *c1 is een alias; methodebestanden gebruiken geen ankers en aliassen, dus schrijf de tekst voluit",
	"merge key":                        "methodebestand regio.yaml, regel 26: onbekende sleutel \"<<\" in checklistpunt 1 van stap 2; de sleutels hier zijn id, nl, en",
	"duplicate checklist id":           "methodebestand regio.yaml, regel 12: id c1 staat twee keer in stap 1 (eerst op regel 9); geef elk checklistpunt en elke gespreksvraag in een stap een eigen id",
	"question id equal to an item id":  "methodebestand regio.yaml, regel 15: id c2 staat twee keer in stap 1 (eerst op regel 12); geef elk checklistpunt en elke gespreksvraag in een stap een eigen id",
	"same id in two steps is fine, then a bad one": "methodebestand regio.yaml, regel 25: de id van checklistpunt 1 van stap 2 is \"C1\", en dat is geen geldige id; gebruik 1 tot en met 32 tekens: kleine letters, cijfers, - en _, te beginnen met een letter (zoals c1)",
	"id with a space":   "methodebestand regio.yaml, regel 28: de id van gespreksvraag 1 van stap 2 is \"vraag 1\", en dat is geen geldige id; gebruik 1 tot en met 32 tekens: kleine letters, cijfers, - en _, te beginnen met een letter (zoals c1)",
	"id too long":       "methodebestand regio.yaml, regel 28: de id van gespreksvraag 1 van stap 2 is \"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\", en dat is geen geldige id; gebruik 1 tot en met 32 tekens: kleine letters, cijfers, - en _, te beginnen met een letter (zoals c1)",
	"id a number":       "methodebestand regio.yaml, regel 28: de id van gespreksvraag 1 van stap 2 is \"1\", en dat is geen geldige id; gebruik 1 tot en met 32 tekens: kleine letters, cijfers, - en _, te beginnen met een letter (zoals c1)",
	"id missing":        "methodebestand regio.yaml, regel 12: checklistpunt 2 van stap 1 heeft geen id; schrijf id: met daarachter een korte id zoals c1 of q1",
	"empty checklist":   "methodebestand regio.yaml, regel 24: stap 2 heeft geen checklistpunten; zet er minstens één onder checklist:",
	"null questions":    "methodebestand regio.yaml, regel 27: stap 2 heeft geen gespreksvragen; zet er minstens één onder questions:",
	"missing questions": "methodebestand regio.yaml, regel 21: stap 2 heeft geen questions; schrijf questions: met daaronder een lijst gespreksvragen (- id: q1, nl: ..., en: ...)",
	"item is text":      "methodebestand regio.yaml, regel 25: checklistpunt 1 van stap 2 moet een blok met de sleutels id, nl, en zijn, niet \"Zorgaanbieder in beeld\"",
}

// dutchSeeds is the Dutch line for each broken seed of FuzzParse in
// testdata/fuzz/FuzzParse, parsed as regio.yaml.
var dutchSeeds = map[string]string{
	"alias":           "methodebestand regio.yaml, regel 26: *zorg verwijst naar een anker dat niet bestaat; methodebestanden gebruiken geen ankers en aliassen, dus schrijf de tekst voluit",
	"bad-step-number": "methodebestand regio.yaml, regel 21: dit is stap 2 in de lijst, maar hij heeft n: 3; nummer de stappen van boven af 1, 2, 3 enzovoort, en houd het nummer van een stap gelijk als je hem anders verwoordt",
	"binary-garbage":  "methodebestand regio.yaml, regel 1: het bestand is geen geldige UTF-8-tekst (byte 0x89 in kolom 1); sla het op als UTF-8-tekst",
	"duplicate-id":    "methodebestand regio.yaml, regel 12: id c1 staat twee keer in stap 1 (eerst op regel 9); geef elk checklistpunt en elke gespreksvraag in een stap een eigen id",
	"empty":           "methodebestand regio.yaml: het bestand is leeg; een methodebestand begint met id:, version:, name: en steps: (zie docs/method.md)",
	"escapes":         "methodebestand regio.yaml, regel 29: gespreksvraag q1 van stap 2 (nl) bevat het stuurteken U+001B; haal het weg",
	"missing-nl":      "methodebestand regio.yaml, regel 22: de titel van stap 2 heeft geen nl; schrijf nl: met daarachter de Nederlandse tekst",
	"syntax-colon":    "methodebestand regio.yaml, regel 13: YAML-fout: hier mag geen dubbele punt met een waarde erna staan; zet een tekst met \": \" erin tussen aanhalingstekens, of controleer de inspringing",
	"syntax-indent":   "methodebestand regio.yaml, regel 12: YAML-fout: hier hoort een sleutel; controleer de inspringing, de dubbele punten en de aanhalingstekens op deze regel en de regel erboven",
	"syntax-unclosed": "methodebestand regio.yaml, regel 23: YAML-fout: hier hoort een komma of }; er is een haakje geopend maar niet gesloten, of er ontbreekt een komma",
	"tab-and-crlf":    "methodebestand regio.yaml, regel 11: YAML-fout: een tab verstoort de inspringing; spring in met spaties, niet met tabs",
	"two-documents":   "methodebestand regio.yaml, regel 30: het bestand bevat meer dan één YAML-document (een regel met --- begint een nieuw document); zet één methode per bestand",
	"unknown-key":     "methodebestand regio.yaml, regel 22: onbekende sleutel \"titel\" in stap 2 (bedoel je title?); de sleutels hier zijn n, title, goal, checklist, questions, tips",
}

// TestParseErrorsDutch checks the Dutch line of every broken file of
// TestParseErrors and of the fuzz seeds, word for word, and that its
// English line is Error().
func TestParseErrorsDutch(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range brokenCorpus(t) {
		kind, name, _ := strings.Cut(f.name, " ")
		var want string
		switch kind {
		case "case":
			want = dutchCases[name]
		case "seed":
			want = dutchSeeds[name]
		default:
			continue
		}
		seen[f.name] = true
		if want == "" {
			t.Errorf("%s: no Dutch line to compare with; it reads\n%s", f.name, f.err.In("nl"))
			continue
		}
		if got := f.err.In("nl"); got != want {
			t.Errorf("%s:\ngot  %s\nwant %s", f.name, got, want)
		}
		if got := f.err.In("en"); got != f.err.Error() {
			t.Errorf("%s: In(en) = %q, want Error() = %q", f.name, got, f.err.Error())
		}
	}
	for name := range dutchCases {
		if !seen["case "+name] {
			t.Errorf("dutchCases has %q, which is not a broken case of errorCases", name)
		}
	}
	for name := range dutchSeeds {
		if !seen["seed "+name] {
			t.Errorf("dutchSeeds has %q, which is not a broken fuzz seed", name)
		}
	}
}

// englishWords are words that show English left in a Dutch message. Key
// names (id, version, name, steps, n, title, goal, checklist, questions,
// tips, nl, en) are the file's syntax and may appear; so may words that are
// Dutch too (alias, document, tab, tag, in, is, of). "u" and "uw" are here
// because brug says "je" to its users.
var englishWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`
		a an and are at be cannot character characters check column contains
		did digits does dutch each empty english entry error every expected
		failed file first followed for found has have here holds it its key
		keys larger least like line list mapping mean method must needs no
		not number on one or own plain question quotes reader remove should
		spaces starting starts step such text than the twice under unknown
		use valid invalid which whole with write you anchor anchors aliases
		indentation item items appears add saying
		u uw`) {
		englishWords[w] = true
	}
}

// quoted matches what a message quotes from the file or from the YAML
// reader, which may be in any language; code points such as U+001B (or
// U+%04X in a format); escapes such as \u; and file names.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|U\+(?:[0-9A-F]{4,}|%04X)|\\[a-zA-Z]|[\w/.-]+\.(?:md|yaml)\b`)

// englishIn returns the English words in the Dutch message s, outside
// quotes.
func englishIn(s string) []string {
	var found []string
	for _, w := range strings.FieldsFunc(quoted.ReplaceAllString(s, " "), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if englishWords[strings.ToLower(w)] {
			found = append(found, w)
		}
	}
	return found
}

// TestDutchWalk walks every error of the broken-file corpus (the cases of
// TestParseErrors, the fuzz seeds and some hundreds of mechanical
// breakages of small and the default method) and checks that the Dutch
// line holds no English and no formatting slip, and that no YAML problem
// in the corpus falls back to the YAML reader's English. An errAt whose
// Dutch is left English fails here.
func TestDutchWalk(t *testing.T) {
	corpus := brokenCorpus(t)
	if len(corpus) < 300 {
		t.Fatalf("the corpus has %d broken files; expected several hundred", len(corpus))
	}
	distinct := map[string]bool{}
	for _, f := range corpus {
		nl, en := f.err.In("nl"), f.err.In("en")
		distinct[f.err.MsgNL] = true
		if f.err.MsgNL == "" || nl == "" || en == "" {
			t.Errorf("%s: an empty message: MsgNL %q, In(nl) %q, In(en) %q", f.name, f.err.MsgNL, nl, en)
			continue
		}
		if en != f.err.Error() {
			t.Errorf("%s: In(en) = %q, want Error() = %q", f.name, en, f.err.Error())
		}
		if strings.Contains(nl, "%!") || strings.Contains(en, "%!") {
			t.Errorf("%s: a formatting slip:\n%s\n%s", f.name, nl, en)
		}
		if w := englishIn(nl); len(w) > 0 {
			t.Errorf("%s: English %q in the Dutch line:\n%s\n(English: %s)", f.name, w, nl, en)
		}
		if strings.Contains(nl, "melding van de YAML-lezer") {
			t.Errorf("%s: the YAML problem is not translated:\n%s", f.name, nl)
		}
	}
	t.Logf("%d broken files, %d distinct Dutch messages", len(corpus), len(distinct))
}

// TestDutchInSource checks the Dutch of every message in the package's
// source, including the ones no broken file reaches: every errAt call
// gives a Dutch format as a string literal, and that format, the Dutch
// literals of every phrase (phrase{en, nl}, what.of(en, nl)) and item kind,
// and the Dutch of every YAML problem hold no English.
func TestDutchInSource(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	calls := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := goparser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var dutch []ast.Expr
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if ok && sel.Sel.Name == "of" && len(n.Args) == 2 {
					dutch = n.Args[1:] // phrase.of(en, nl)
					break
				}
				if !ok || sel.Sel.Name != "errAt" {
					return true
				}
				calls++
				if len(n.Args) < 3 {
					t.Errorf("%s: errAt without a Dutch format", fset.Position(n.Pos()))
					return true
				}
				if lit, ok := n.Args[2].(*ast.BasicLit); !ok || lit.Kind != token.STRING {
					t.Errorf("%s: errAt's Dutch format is not a string literal", fset.Position(n.Pos()))
				}
				dutch = n.Args[2:3]
			case *ast.CompositeLit:
				id, ok := n.Type.(*ast.Ident)
				switch {
				case ok && id.Name == "phrase" && len(n.Elts) == 2:
					dutch = n.Elts[1:] // phrase{en, nl}
				case ok && id.Name == "itemKind" && len(n.Elts) == 3:
					dutch = n.Elts[1:] // itemKind{en, nl, nlPlural}
				default:
					return true
				}
			default:
				return true
			}
			for _, e := range dutch {
				ast.Inspect(e, func(n ast.Node) bool {
					lit, ok := n.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						return true
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					if w := englishIn(s); len(w) > 0 {
						t.Errorf("%s: English %q in the Dutch %q", fset.Position(lit.Pos()), w, s)
					}
					return true
				})
			}
			return true
		})
	}
	if calls < 35 {
		t.Errorf("found %d errAt calls; the walk misses some", calls)
	}
	for en, nl := range yamlProblemsNL {
		if w := englishIn(nl); len(w) > 0 || nl == "" {
			t.Errorf("YAML problem %q: English %q in the Dutch %q", en, w, nl)
		}
	}
}

func TestParseErrorIn(t *testing.T) {
	_, err := Parse(RegionFile, []byte("id: demo\nversion: 0\n"))
	var perr *ParseError
	if !errors.As(err, &perr) {
		t.Fatalf("error %v (%T)", err, err)
	}
	for _, c := range []struct{ lang, want string }{
		{"en", "method file the region's method, line 2: version is 0; it must be 1 or more (raise it whenever you change the file)"},
		{"en-GB", "method file the region's method, line 2: version is 0; it must be 1 or more (raise it whenever you change the file)"},
		{"nl", "de methode van de regio, regel 2: het versienummer is 0; dat moet 1 of hoger zijn (verhoog het bij elke wijziging van het bestand)"},
		{"", "de methode van de regio, regel 2: het versienummer is 0; dat moet 1 of hoger zijn (verhoog het bij elke wijziging van het bestand)"},
		{"nl_BE", "de methode van de regio, regel 2: het versienummer is 0; dat moet 1 of hoger zijn (verhoog het bij elke wijziging van het bestand)"},
	} {
		if got := perr.In(c.lang); got != c.want {
			t.Errorf("In(%q):\ngot  %s\nwant %s", c.lang, got, c.want)
		}
	}
	if perr.In("en") != perr.Error() {
		t.Errorf("In(en) %q is not Error() %q", perr.In("en"), perr.Error())
	}

	_, err = Parse(defaultName, nil)
	if !errors.As(err, &perr) {
		t.Fatalf("error %v (%T)", err, err)
	}
	if got, want := perr.In("nl"), "methodebestand default.yaml (ingebouwd): het bestand is leeg; een methodebestand begint met id:, version:, name: en steps: (zie docs/method.md)"; got != want {
		t.Errorf("embedded, no line:\ngot  %s\nwant %s", got, want)
	}

	// A ParseError made by hand, without Dutch, still says something.
	bare := &ParseError{File: "m.yaml", Line: 3, Msg: "broken"}
	if got, want := bare.In("nl"), "methodebestand m.yaml, regel 3: broken"; got != want {
		t.Errorf("without MsgNL: got %q, want %q", got, want)
	}
}

// TestYAMLProblemUnknown checks the Dutch for a problem yaml.v3 may give
// that yamlProblemsNL does not know: the problem is quoted as the library
// gave it, inside a Dutch sentence.
func TestYAMLProblemUnknown(t *testing.T) {
	p := &parser{file: "m.yaml", lines: 3}
	perr := p.yamlError(errors.New("yaml: line 2: found something new"), []byte("a: b\nc\nd: e\n"))
	if got, want := perr.In("nl"), `methodebestand m.yaml, regel 2: YAML-fout (melding van de YAML-lezer: "found something new"); controleer de inspringing, de dubbele punten en de aanhalingstekens op deze regel en de regel erboven`; got != want {
		t.Errorf("Dutch:\ngot  %s\nwant %s", got, want)
	}
	if got, want := perr.In("en"), "method file m.yaml, line 2: YAML syntax error: found something new; check the indentation, the colons and the quotes here and on the line above"; got != want {
		t.Errorf("English:\ngot  %s\nwant %s", got, want)
	}
}

// TestYAMLProblemsNL checks the table of yaml.v3's problems against
// problems yaml.v3 really gives, so that a key with a typo, or a problem
// reworded in a new yaml.v3, does not silently fall back to English.
func TestYAMLProblemsNL(t *testing.T) {
	for _, c := range []struct{ data, problem string }{
		{"a: b: c\n", "mapping values are not allowed in this context"},
		{"a: [b\n", "did not find expected ',' or ']'"},
		{"a: {b: c\n", "did not find expected ',' or '}'"},
		{"a: @b\n", "found character that cannot start any token"},
		{"a: \"b\n", "found unexpected end of stream"},
		{"a:\n  - b\n - c\n", "did not find expected key"},
		{"- a\nb: c\n", "did not find expected '-' indicator"},
		{"a: b\n- c\n", "did not find expected key"},
		{"a: b\n\tc: d\n", "found a tab character that violates indentation"},
		{"a: \"\\q\"\n", "found unknown escape character"},
		{"a: \"\\u00zz\"\n", "did not find expected hexdecimal number"},
		{"a: !x!y b\n", "found undefined tag handle"},
		{"%YAML 1.1\n%YAML 1.1\n---\na: b\n", "found duplicate %YAML directive"},
		{"%YAML 2.0\n---\na: b\n", "found incompatible YAML document"},
		{"%FOO\n---\na: b\n", "found unknown directive name"},
		{"%TAG ! tag:x,2000:\nfoo\n", "did not find expected <document start>"},
		{"a: |0\n  b\n", "found an indentation indicator equal to 0"},
		{"a: |- x\n  b\n", "did not find expected comment or line break"},
		{"a:\n  - b\n  c\n", "could not find expected ':'"},
		{"[a, - b]\n", "did not find expected node content"},
		{"- - a\n  - b\n - c\n", "did not find expected '-' indicator"},
		{"a: \"b\n---\nc\"\n", "found unexpected document indicator"},
		{"a: !<b c\n", "did not find the expected '>'"},
		{"a: - b\n", "block sequence entries are not allowed in this context"},
		{"&\n", "did not find expected alphabetic or numeric character"},
	} {
		_, _, err := yamlDecode([]byte(c.data))
		if err == nil {
			t.Errorf("%q: yaml.v3 reads it", c.data)
			continue
		}
		_, msg := yamlPosition(err)
		if msg != c.problem {
			t.Errorf("%q: yaml.v3 says %q, want %q", c.data, msg, c.problem)
			continue
		}
		if _, ok := yamlProblemNL(msg); !ok {
			t.Errorf("%q: no Dutch for %q", c.data, msg)
		}
	}
	if nl, ok := yamlProblemNL("exceeded max depth of 10000"); !ok || !strings.Contains(nl, "10000") {
		t.Errorf("max depth: %q, %v", nl, ok)
	}
	if _, ok := yamlProblemNL("something new in a later yaml.v3"); ok {
		t.Error("an unknown problem has Dutch")
	}
	if !slices.ContainsFunc(parserProblems, func(p string) bool { _, ok := yamlProblemNL(p); return !ok }) {
		return
	}
	for _, p := range parserProblems {
		if _, ok := yamlProblemNL(p); !ok {
			t.Errorf("parser problem %q has no Dutch", p)
		}
	}
}
