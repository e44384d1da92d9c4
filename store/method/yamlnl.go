package method

import "regexp"

// This file holds the Dutch for the problems yaml.v3 reports in a file it
// cannot read. yaml.v3 only speaks English; its problems are translated
// here so that a Dutch screen shows no English (docs/method.md).

// yamlProblemsNL maps the problems of yaml.v3's scanner and parser (v3.0.1;
// scannerc.go and parserc.go) to Dutch. Most are what a hand-edited method
// file can run into; the rest (directives, escapes) are there so that a
// stray % or \ is explained too.
var yamlProblemsNL = map[string]string{
	// Structure: what yaml.v3's parser expected.
	"did not find expected <stream-start>":   "het begin van het bestand ontbreekt",
	"did not find expected <document start>": "hier hoort het begin van het document (---)",
	"did not find expected node content":     "hier hoort een waarde, maar die ontbreekt",
	"did not find expected '-' indicator":    "hier hoort een nieuw onderdeel van de lijst (-)",
	"did not find expected key":              "hier hoort een sleutel",
	"did not find expected ',' or ']'":       "hier hoort een komma of ]",
	"did not find expected ',' or '}'":       "hier hoort een komma of }",
	"could not find expected ':'":            "hier hoort een dubbele punt na de sleutel",

	"mapping values are not allowed in this context":         "hier mag geen dubbele punt met een waarde erna staan",
	"mapping keys are not allowed in this context":           "hier mag geen sleutel staan",
	"block sequence entries are not allowed in this context": "hier mag geen onderdeel van een lijst (-) staan",

	// Characters and indentation: yaml.v3's scanner.
	"found character that cannot start any token":                  "hier staat een teken waarmee een waarde niet mag beginnen",
	"found a tab character that violates indentation":              "een tab verstoort de inspringing",
	"found a tab character where an indentation space is expected": "er staat een tab waar een spatie voor de inspringing hoort",
	"found unexpected end of stream":                               "het bestand houdt onverwacht op",
	"found unexpected document indicator":                          "een regel met --- of ... staat midden in een tekst",
	"found unknown escape character":                               "na een backslash (\\) staat een onbekend teken",
	"found invalid Unicode character escape code":                  "na \\u, \\U of \\x staat een ongeldige tekencode",
	"did not find expected hexdecimal number":                      "na \\u, \\U of \\x horen hexadecimale cijfers",
	"found an indentation indicator equal to 0":                    "de inspringing na | of > is 0",
	"did not find expected comment or line break":                  "na deze waarde mag alleen commentaar (#) of een nieuwe regel komen",
	"control characters are not allowed":                           "stuurtekens zijn niet toegestaan",
	"did not find expected whitespace or line break":               "hier hoort een spatie of een nieuwe regel",
	"did not find expected alphabetic or numeric character":        "hier hoort een letter of cijfer",

	// Tags, anchors and directives (% at the start of a line).
	"found undefined tag handle":                   "een tag gebruikt een afkorting die nergens is vastgelegd",
	"did not find expected tag URI":                "de tag is onvolledig",
	"did not find URI escaped octet":               "een %-code in een tag is onvolledig",
	"did not find the expected '>'":                "een tag met < is niet gesloten met >",
	"did not find expected whitespace":             "hier hoort een spatie",
	"found duplicate %YAML directive":              "de regel %YAML staat er twee keer in",
	"found duplicate %TAG directive":               "de regel %TAG staat er twee keer in",
	"found incompatible YAML document":             "het bestand vraagt een YAML-versie die brug niet leest",
	"found unknown directive name":                 "een regel die met % begint is geen bekende YAML-aanwijzing",
	"could not find expected directive name":       "na % hoort de naam van een YAML-aanwijzing",
	"did not find expected version number":         "na %YAML hoort een versienummer",
	"did not find expected digit or '.' character": "in het versienummer horen alleen cijfers en een punt",
	"found extremely long version number":          "het versienummer na %YAML is te lang",
	"did not find expected '!'":                    "hier hoort een !",
	"found unexpected non-alphabetical character":  "hier staat een teken dat geen letter is",
}

// yamlDepth matches yaml.v3's problem for a file nested too deeply.
var yamlDepth = regexp.MustCompile(`^exceeded max depth of (\d+)$`)

// yamlProblemNL returns the Dutch for a problem yaml.v3 reported, and false
// when it does not know the problem.
func yamlProblemNL(msg string) (string, bool) {
	if nl, ok := yamlProblemsNL[msg]; ok {
		return nl, true
	}
	if m := yamlDepth.FindStringSubmatch(msg); m != nil {
		return "het bestand is dieper genest dan " + m[1] + " niveaus", true
	}
	return "", false
}
