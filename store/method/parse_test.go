package method

import (
	"errors"
	"strings"
	"testing"
)

// small is a complete method file with two steps. Its line numbers are used
// by the broken-file cases below; keep them when you edit it.
const small = `id: demo
version: 1
name: {nl: Demo, en: Demo}
steps:
  - n: 1
    title: {nl: Kennismaken, en: Getting to know}
    goal: {nl: Leer de deelnemer kennen., en: Get to know the person.}
    checklist:
      - id: c1
        nl: Kennismakingsgesprek gevoerd
        en: Introductory talk held
      - id: c2
        nl: Toestemming vastgelegd
    questions:
      - id: q1
        nl: Wat doe je het liefst?
        en: What do you like doing most?
    tips:
      - nl: Begin bij de persoon.
        en: Start from the person.
  - n: 2
    title: {nl: Partners aan tafel, en: Partners}
    goal: {nl: Breng de partners samen.}
    checklist:
      - id: c1
        nl: Zorgaanbieder in beeld
    questions:
      - id: q1
        nl: Wie wil je erbij hebben?
`

func TestParseSmall(t *testing.T) {
	m, err := Parse("small.yaml", []byte(small))
	if err != nil {
		t.Fatal(err)
	}
	if err := checkMethod(m); err != nil {
		t.Fatal(err)
	}
	s1, s2 := m.Steps[0], m.Steps[1]
	if m.ID != "demo" || m.Version != 1 || m.Name.NL != "Demo" || len(m.Steps) != 2 {
		t.Errorf("method = %+v", m)
	}
	if len(s1.Checklist) != 2 || s1.Checklist[1].Text != (Text{NL: "Toestemming vastgelegd"}) {
		t.Errorf("step 1 checklist = %+v", s1.Checklist)
	}
	if len(s1.Tips) != 1 || s1.Tips[0].EN != "Start from the person." {
		t.Errorf("step 1 tips = %+v", s1.Tips)
	}
	if s2.Goal.In("en") != "Breng de partners samen." || s2.Tips != nil {
		t.Errorf("step 2 = %+v", s2)
	}
}

// TestParseAccepts lists files that look odd but are fine.
func TestParseAccepts(t *testing.T) {
	for _, c := range []struct{ name, old, new string }{
		{"leading document marker", "id: demo", "---\nid: demo"},
		{"document end marker", "nl: Wie wil je erbij hebben?\n", "nl: Wie wil je erbij hebben?\n...\n"},
		{"CRLF line endings", "", ""},
		{"byte order mark", "id: demo", "\ufeffid: demo"},
		{"block scalar", "nl: Toestemming vastgelegd", "nl: |\n          Toestemming\n          vastgelegd"},
		{"quoted text with a colon", "nl: Toestemming vastgelegd", `nl: "Toestemming: vastgelegd"`},
		{"text that YAML reads as a number", "nl: Toestemming vastgelegd", "nl: 2024"},
		{"keys in another order", "    title: {nl: Kennismaken, en: Getting to know}\n", "    title: {en: Getting to know, nl: Kennismaken}\n"},
		{"empty tips", "    tips:\n      - nl: Begin bij de persoon.\n        en: Start from the person.\n", "    tips: []\n"},
		{"null tips", "    tips:\n      - nl: Begin bij de persoon.\n        en: Start from the person.\n", "    tips:\n"},
		{"anchor without alias", "id: demo", "id: &x demo"},
		{"comments", "version: 1", "version: 1 # raise on every change"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := strings.Replace(small, c.old, c.new, 1)
			if c.name == "CRLF line endings" {
				data = strings.ReplaceAll(small, "\n", "\r\n")
			}
			m, err := Parse("ok.yaml", []byte(data))
			if err != nil {
				t.Fatal(err)
			}
			if err := checkMethod(m); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// errorCase is a broken method file and the error Parse must give for it.
type errorCase struct {
	name string
	data string // the whole file, or with old/new a change to small
	old  string
	new  string
	line int
	msg  string // part of the English message
}

// file returns the case's file content, or "" and false when old is not
// where the case expects it.
func (c errorCase) file() (string, bool) {
	data := c.data
	if c.old != "" {
		if data == "" {
			data = small
		}
		if !strings.Contains(data, c.old) {
			return "", false
		}
		data = strings.Replace(data, c.old, c.new, 1)
	}
	return data, true
}

// errorCases are the broken files TestParseErrors checks; the Dutch
// messages for them are checked in dutch_test.go.
var errorCases = []errorCase{
	// Whole-file problems.
	{name: "empty file", data: "", line: 0, msg: "the file is empty"},
	{name: "only comments", data: "# niets\n\n", line: 0, msg: "the file is empty"},
	{name: "only a document marker", data: "---\n", line: 0, msg: "the file is empty"},
	{name: "too large", data: small + "#" + strings.Repeat("x", MaxFileSize), line: 0, msg: "larger than 1 MiB"},
	{name: "binary garbage", data: "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", line: 1, msg: "not valid UTF-8"},
	{name: "NUL bytes", data: "id: demo\nversion: 1\x00\x00\n", line: 2, msg: "control character U+0000"},
	{name: "invalid UTF-8 in a text", old: "nl: Toestemming", new: "nl: Toestemming \xe9", line: 13, msg: "not valid UTF-8 text (byte 0xe9 at column 25)"},
	{name: "UTF-16 file", data: "\xff\xfei\x00d\x00:\x00", line: 1, msg: "not valid UTF-8"},
	{name: "lone carriage return", old: "version: 1\n", new: "version: 1\r", line: 2, msg: "carriage return"},
	{name: "line separator", old: "name: {nl: Demo,", new: "name: {nl: De\u2028mo,", line: 3, msg: "U+2028"},
	{name: "two documents", data: small + "---\nid: other\n", line: 30, msg: "more than one YAML document"},

	// YAML syntax, with the line an editor shows.
	{name: "colon in plain text", old: "nl: Toestemming vastgelegd", new: "nl: Let op: toestemming", line: 13, msg: "put a text that contains \": \" in quotes"},
	{name: "tab indentation", old: "        en: Introductory", new: "\t       en: Introductory", line: 11, msg: "indent with spaces, not tabs"},
	{name: "unclosed quote", old: "nl: Toestemming vastgelegd", new: `nl: "Toestemming vastgelegd`, line: 13, msg: "YAML syntax error"},
	{name: "unclosed flow mapping", old: "goal: {nl: Breng de partners samen.}", new: "goal: {nl: Breng de partners samen.", line: 23, msg: "YAML syntax error"},
	{name: "item out of indentation", old: "      - id: c2\n", new: "     - id: c2\n", line: 12, msg: "YAML syntax error"},
	{name: "key out of indentation", old: "    questions:\n      - id: q1\n        nl: Wat", new: "    questions:\n      - id: q1\n       nl: Wat", line: 16, msg: "YAML syntax error"},
	{name: "list item after mapping", data: "id: demo\nversion: 1\n- n: 1\n", line: 3, msg: "YAML syntax error"},
	{name: "syntax error on line 1", data: "id: demo: x\n", line: 1, msg: "mapping values are not allowed"},
	{name: "reserved character", old: "nl: Wie wil", new: "nl: @Wie wil", line: 29, msg: "starts with @"},
	{name: "unknown anchor", old: "nl: Zorgaanbieder in beeld", new: "nl: *zorg", line: 26, msg: "*zorg refers to an anchor that does not exist"},

	// Structure.
	{name: "root is a text", data: "Bruggen naar werk\n", line: 1, msg: "the method must be a mapping"},
	{name: "root is a list", data: "- id: demo\n", line: 1, msg: "the method must be a mapping"},
	{name: "unknown key (Dutch)", old: "    title: {nl: Partners", new: "    titel: {nl: Partners", line: 22, msg: `unknown key "titel" in step 2 (did you mean title?)`},
	{name: "unknown key (typo)", old: "    questions:\n      - id: q1\n        nl: Wie", new: "    qeustions:\n      - id: q1\n        nl: Wie", line: 27, msg: `unknown key "qeustions" in step 2 (did you mean questions?)`},
	{name: "unknown key (Dutch, capitalised)", old: "name: {nl: Demo, en: Demo}", new: "Naam: {nl: Demo, en: Demo}", line: 3, msg: `unknown key "Naam" in the method (did you mean name?)`},
	{name: "unknown key (Dutch list)", old: "    questions:\n      - id: q1\n        nl: Wie", new: "    vragen:\n      - id: q1\n        nl: Wie", line: 27, msg: `unknown key "vragen" in step 2 (did you mean questions?)`},
	{name: "unknown key at top", old: "version: 1\n", new: "version: 1\nregio: Oss\n", line: 3, msg: `unknown key "regio" in the method; the keys here are id, version, name, steps`},
	{name: "unknown key in a text", old: "name: {nl: Demo, en: Demo}", new: "name: {nl: Demo, de: Demo}", line: 3, msg: `unknown key "de" in the method name`},
	{name: "duplicate key", old: "version: 1\n", new: "version: 1\nversion: 2\n", line: 3, msg: "key version appears twice in the method (first at line 2)"},
	{name: "missing id", old: "id: demo\n", new: "", line: 1, msg: "the method has no id"},
	{name: "missing version", old: "version: 1\n", new: "", line: 1, msg: "the method has no version"},
	{name: "missing name", old: "name: {nl: Demo, en: Demo}\n", new: "", line: 1, msg: "the method has no name"},
	{name: "missing steps", data: "id: demo\nversion: 1\nname: {nl: Demo}\n", line: 1, msg: "the method has no steps; add steps:"},
	{name: "bad method id", old: "id: demo", new: "id: Bruggen naar werk", line: 1, msg: `the method id is "Bruggen naar werk", which is not a valid id`},
	{name: "empty method id", old: "id: demo", new: "id:", line: 1, msg: "the method id is empty"},
	{name: "version zero", old: "version: 1", new: "version: 0", line: 2, msg: "it must be 1 or more"},
	{name: "version negative", old: "version: 1", new: "version: -3", line: 2, msg: "it must be 1 or more"},
	{name: "version not a number", old: "version: 1", new: "version: een", line: 2, msg: `version must be a whole number written in digits, like 1, not "een"`},
	{name: "version a fraction", old: "version: 1", new: "version: 1.5", line: 2, msg: "whole number"},
	{name: "version empty", old: "version: 1", new: "version:", line: 2, msg: "version is empty"},
	{name: "version too big", old: "version: 1", new: "version: 99999999999999999999999", line: 2, msg: "whole number"},
	{name: "no steps", data: "id: demo\nversion: 1\nname: {nl: Demo}\nsteps: []\n", line: 4, msg: "the method has no steps; add at least one step"},
	{name: "null steps", data: "id: demo\nversion: 1\nname: {nl: Demo}\nsteps:\n", line: 4, msg: "the method has no steps; add at least one step"},
	{name: "steps not a list", data: "id: demo\nversion: 1\nname: {nl: Demo}\nsteps: zes\n", line: 4, msg: "steps must be a list"},
	{name: "step not a mapping", data: "id: demo\nversion: 1\nname: {nl: Demo}\nsteps:\n  - Kennismaken\n", line: 5, msg: `step 1 must be a mapping with the keys n, title, goal, checklist, questions, tips, not "Kennismaken"`},

	// Step numbers.
	{name: "step number out of order", old: "  - n: 2", new: "  - n: 3", line: 21, msg: "this is step 2 in the list but it has n: 3"},
	{name: "step number repeated", old: "  - n: 2", new: "  - n: 1", line: 21, msg: "this is step 2 in the list but it has n: 1"},
	{name: "step number zero", old: "  - n: 1", new: "  - n: 0", line: 5, msg: "this is step 1 in the list but it has n: 0"},
	{name: "step number text", old: "  - n: 2", new: "  - n: twee", line: 21, msg: "n of step 2 must be a whole number"},
	{name: "step number missing", old: "  - n: 2\n    title:", new: "  - title:", line: 21, msg: "step 2 has no n; add n:"},

	// Texts.
	{name: "missing title", old: "    title: {nl: Partners aan tafel, en: Partners}\n", new: "", line: 21, msg: "step 2 has no title; add title: {nl: ..., en: ...}"},
	{name: "missing goal", old: "    goal: {nl: Breng de partners samen.}\n", new: "", line: 21, msg: "step 2 has no goal"},
	{name: "title without nl", old: "title: {nl: Partners aan tafel, en: Partners}", new: "title: {en: Partners}", line: 22, msg: "the title of step 2 has no nl; add nl: followed by the Dutch text"},
	{name: "title with empty nl", old: "title: {nl: Partners aan tafel, en: Partners}", new: `title: {nl: "  ", en: Partners}`, line: 22, msg: "the title of step 2 has no Dutch text"},
	{name: "title empty", old: "title: {nl: Partners aan tafel, en: Partners}", new: "title:", line: 22, msg: "the title of step 2 is empty"},
	{name: "title as plain text", old: "title: {nl: Partners aan tafel, en: Partners}", new: "title: Partners aan tafel", line: 22, msg: "the title of step 2 needs a Dutch and an English text; write it as title: {nl: Partners aan tafel, en: ...}"},
	{name: "nl is a list", old: "nl: Zorgaanbieder in beeld", new: "nl: [Zorgaanbieder]", line: 26, msg: "checklist item c1 of step 2 (nl) must be text, not a list"},
	{name: "item without nl", old: "      - id: c2\n        nl: Toestemming vastgelegd\n", new: "      - id: c2\n        en: Consent recorded\n", line: 12, msg: "checklist item c2 of step 1 has no nl"},
	{name: "question with empty nl", old: "nl: Wie wil je erbij hebben?", new: "nl: ''", line: 29, msg: "question q1 of step 2 has no Dutch text"},
	{name: "tip without nl", old: "      - nl: Begin bij de persoon.\n", new: "      - ", line: 19, msg: "tip #1 of step 1 has no nl"},
	{name: "tip as plain text", old: "      - nl: Begin bij de persoon.\n        en: Start from the person.\n", new: "      - Begin bij de persoon.\n", line: 19, msg: "tip #1 of step 1 must be a mapping"},
	{name: "tips not a list", old: "    tips:\n      - nl: Begin bij de persoon.\n        en: Start from the person.\n", new: "    tips: Begin bij de persoon.\n", line: 18, msg: "tips of step 1 must be a list"},
	{name: "control character escape", old: "nl: Wie wil je erbij hebben?", new: `nl: "Wie wil je \e[31merbij hebben?"`, line: 29, msg: "contains the control character U+001B"},
	{name: "unshowable character escape", old: "nl: Wie wil je erbij hebben?", new: `nl: "Wie wil je\u2028erbij hebben?"`, line: 29, msg: "contains the character U+2028, which cannot be shown"},
	{name: "key that is a list", old: "name: {nl: Demo, en: Demo}", new: "name: {nl: Demo, [en]: Demo}", line: 3, msg: "the method name has a key that is not a plain word; the keys here are nl, en"},
	{name: "tab in text", old: "nl: Wie wil je erbij hebben?", new: `nl: "Wie wil\tje erbij hebben?"`, line: 29, msg: "contains a tab"},
	{name: "binary tag", old: "nl: Wie wil je erbij hebben?", new: "nl: !!binary V2llIHdpbA==", line: 29, msg: "has the YAML tag !!binary"},
	{name: "custom tag", old: "nl: Wie wil je erbij hebben?", new: "nl: !vraag Wie wil je erbij hebben?", line: 29, msg: "has the YAML tag !vraag"},
	{name: "tagged mapping", old: "title: {nl: Partners", new: "title: !tekst {nl: Partners", line: 22, msg: "the title of step 2 has the YAML tag !tekst"},
	{name: "tagged list", old: "    checklist:\n      - id: c1\n        nl: Zorg", new: "    checklist: !lijst\n      - id: c1\n        nl: Zorg", line: 24, msg: "checklist of step 2 has the YAML tag !lijst"},
	{name: "alias", old: "nl: Zorgaanbieder in beeld", new: "nl: *c1", data: strings.Replace(small, "nl: Kennismakingsgesprek gevoerd", "nl: &c1 Kennismakingsgesprek gevoerd", 1), line: 26, msg: "*c1 is an alias"},
	{name: "merge key", old: "      - id: c1\n        nl: Zorgaanbieder in beeld\n", new: "      - <<: *base\n", data: strings.Replace(small, "      - id: c1\n", "      - &base\n        id: c1\n", 1), line: 26, msg: `unknown key "<<"`},

	// Checklists, questions and ids.
	{name: "duplicate checklist id", old: "      - id: c2", new: "      - id: c1", line: 12, msg: "id c1 is used twice in step 1 (first at line 9)"},
	{name: "question id equal to an item id", old: "      - id: q1\n        nl: Wat", new: "      - id: c2\n        nl: Wat", line: 15, msg: "id c2 is used twice in step 1 (first at line 12)"},
	{name: "same id in two steps is fine, then a bad one", old: "      - id: c1\n        nl: Zorgaanbieder", new: "      - id: C1\n        nl: Zorgaanbieder", line: 25, msg: `the id of checklist item #1 of step 2 is "C1", which is not a valid id`},
	{name: "id with a space", old: "id: q1\n        nl: Wie", new: "id: vraag 1\n        nl: Wie", line: 28, msg: `"vraag 1", which is not a valid id`},
	{name: "id too long", old: "id: q1\n        nl: Wie", new: "id: " + strings.Repeat("q", 33) + "\n        nl: Wie", line: 28, msg: "use 1 to 32 characters"},
	{name: "id a number", old: "id: q1\n        nl: Wie", new: "id: 1\n        nl: Wie", line: 28, msg: `is "1", which is not a valid id`},
	{name: "id missing", old: "      - id: c2\n        nl: Toestemming", new: "      - nl: Toestemming", line: 12, msg: "checklist item #2 of step 1 has no id"},
	{name: "empty checklist", old: "    checklist:\n      - id: c1\n        nl: Zorgaanbieder in beeld\n", new: "    checklist: []\n", line: 24, msg: "step 2 has no checklist items; add at least one under checklist:"},
	{name: "null questions", old: "    questions:\n      - id: q1\n        nl: Wie wil je erbij hebben?\n", new: "    questions:\n", line: 27, msg: "step 2 has no questions; add at least one under questions:"},
	{name: "missing questions", old: "    questions:\n      - id: q1\n        nl: Wie wil je erbij hebben?\n", new: "", line: 21, msg: "step 2 has no questions; add questions:"},
	{name: "item is text", old: "      - id: c1\n        nl: Zorgaanbieder in beeld\n", new: "      - Zorgaanbieder in beeld\n", line: 25, msg: "checklist item #1 of step 2 must be a mapping with the keys id, nl, en"},
}

func TestParseErrors(t *testing.T) {
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			data, ok := c.file()
			if !ok {
				t.Fatalf("test case: %q is not in the file", c.old)
			}
			m, err := Parse("regio.yaml", []byte(data))
			if err == nil {
				t.Fatalf("parsed without error: %+v", m)
			}
			if m != nil {
				t.Errorf("returned a method along with the error")
			}
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if perr.File != "regio.yaml" {
				t.Errorf("File = %q", perr.File)
			}
			if perr.Line != c.line || !strings.Contains(perr.Msg, c.msg) {
				t.Errorf("got line %d: %s\nwant line %d: ...%s...", perr.Line, perr.Msg, c.line, c.msg)
			}
		})
	}
}
