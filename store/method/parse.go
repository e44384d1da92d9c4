package method

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// This file walks the YAML node tree of a method file and builds a Method,
// checking every rule of docs/method.md on the way. Keys are handled in the
// order they appear, so the first problem reported is the first in the file.

// itemID is the rule for checklist item and question ids.
var itemID = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// methodID is the rule for the method's own id.
var methodID = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)

// keySpec describes one key that a mapping may hold.
type keySpec struct {
	name     string
	required bool
	// add says what to write when the key is missing.
	add phrase
}

var (
	methodKeys = []keySpec{
		{"id", true, phrase{"id: followed by a short name such as bruggen-naar-werk", "id: met daarachter een korte naam zoals bruggen-naar-werk"}},
		{"version", true, phrase{"version: 1", "version: 1"}},
		{"name", true, phrase{"name: {nl: ..., en: ...}", "name: {nl: ..., en: ...}"}},
		{"steps", true, phrase{"steps: followed by a list of steps", "steps: met daaronder een lijst stappen"}},
	}
	stepKeys = []keySpec{
		{"n", true, phrase{"n: followed by the step's number", "n: met daarachter het nummer van de stap"}},
		{"title", true, phrase{"title: {nl: ..., en: ...}", "title: {nl: ..., en: ...}"}},
		{"goal", true, phrase{"goal: {nl: ..., en: ...} saying what the step is for", "goal: {nl: ..., en: ...} met waar de stap voor is"}},
		{"checklist", true, phrase{"checklist: followed by a list of items (- id: c1, nl: ..., en: ...)", "checklist: met daaronder een lijst checklistpunten (- id: c1, nl: ..., en: ...)"}},
		{"questions", true, phrase{"questions: followed by a list of questions (- id: q1, nl: ..., en: ...)", "questions: met daaronder een lijst gespreksvragen (- id: q1, nl: ..., en: ...)"}},
		{"tips", false, phrase{}},
	}
	textKeys = []keySpec{
		{"nl", true, phrase{"nl: followed by the Dutch text", "nl: met daarachter de Nederlandse tekst"}},
		{"en", false, phrase{}},
	}
	itemKeys = []keySpec{
		{"id", true, phrase{"id: followed by a short id such as c1 or q1", "id: met daarachter een korte id zoals c1 of q1"}},
		{"nl", true, phrase{"nl: followed by the Dutch text", "nl: met daarachter de Nederlandse tekst"}},
		{"en", false, phrase{}},
	}
)

// itemKind names the items of a checklist or of the questions, in both
// languages; English adds an s for more than one.
type itemKind struct {
	en, nl, nlPlural string
}

var (
	checklistItem = itemKind{"checklist item", "checklistpunt", "checklistpunten"}
	question      = itemKind{"question", "gespreksvraag", "gespreksvragen"}
)

// parser carries what every error needs: the file name and its length in
// lines.
type parser struct {
	file  string
	lines int
}

func parse(name string, data []byte) (*Method, *ParseError) {
	p := &parser{file: name, lines: countLines(data)}
	root, perr := p.decode(data)
	if perr != nil {
		return nil, perr
	}
	if isNull(root) {
		return nil, p.empty()
	}
	return p.method(root)
}

func (p *parser) method(n *yaml.Node) (*Method, *ParseError) {
	m := &Method{}
	perr := p.mapping(n, phrase{"the method", "de methode"}, methodKeys, func(key string, k, v *yaml.Node) *ParseError {
		var perr *ParseError
		switch key {
		case "id":
			m.ID, perr = p.id(k, v, phrase{"the method id", "de id van de methode"}, methodID, 64, "bruggen-naar-werk")
		case "version":
			m.Version, perr = p.number(k, v, phrase{"version", "het versienummer (version)"})
			if perr == nil && m.Version < 1 {
				perr = p.errAt(v.Line,
					"version is %d; it must be 1 or more (raise it whenever you change the file)",
					"het versienummer is %d; dat moet 1 of hoger zijn (verhoog het bij elke wijziging van het bestand)",
					m.Version)
			}
		case "name":
			m.Name, perr = p.text(k, v, phrase{"the method name", "de naam van de methode"})
		case "steps":
			m.Steps, perr = p.steps(k, v)
		}
		return perr
	})
	if perr != nil {
		return nil, perr
	}
	return m, nil
}

func (p *parser) steps(k, v *yaml.Node) ([]Step, *ParseError) {
	seq, perr := p.list(k, v, phrase{"steps", "de waarde van steps"})
	if perr != nil {
		return nil, perr
	}
	if len(seq) == 0 {
		return nil, p.errAt(v.Line,
			"the method has no steps; add at least one step under steps:",
			"de methode heeft geen stappen; zet minstens één stap onder steps:")
	}
	steps := make([]Step, 0, len(seq))
	for i, sn := range seq {
		s, perr := p.step(sn, i+1)
		if perr != nil {
			return nil, perr
		}
		steps = append(steps, s)
	}
	return steps, nil
}

func (p *parser) step(n *yaml.Node, pos int) (Step, *ParseError) {
	s := Step{N: pos}
	what := phrase{fmt.Sprintf("step %d", pos), fmt.Sprintf("stap %d", pos)}
	ids := map[string]int{} // item and question ids in this step, to their line
	perr := p.mapping(n, what, stepKeys, func(key string, k, v *yaml.Node) *ParseError {
		var perr *ParseError
		switch key {
		case "n":
			var num int
			num, perr = p.number(k, v, what.of("n", "het nummer (n)"))
			if perr == nil && num != pos {
				perr = p.errAt(v.Line,
					"this is step %d in the list but it has n: %d; number the steps 1, 2, 3 and so on from the top, and keep each step's number when you reword it",
					"dit is stap %d in de lijst, maar hij heeft n: %d; nummer de stappen van boven af 1, 2, 3 enzovoort, en houd het nummer van een stap gelijk als je hem anders verwoordt",
					pos, num)
			}
		case "title":
			s.Title, perr = p.text(k, v, what.of("the title", "de titel"))
		case "goal":
			s.Goal, perr = p.text(k, v, what.of("the goal", "het doel"))
		case "checklist":
			s.Checklist, perr = p.items(k, v, what, checklistItem, ids)
		case "questions":
			s.Questions, perr = p.items(k, v, what, question, ids)
		case "tips":
			s.Tips, perr = p.tips(k, v, what)
		}
		return perr
	})
	return s, perr
}

// items parses a checklist or the questions of a step. ids collects the ids
// of the whole step: a checklist item and a question may not share one.
func (p *parser) items(k, v *yaml.Node, step phrase, kind itemKind, ids map[string]int) ([]Item, *ParseError) {
	seq, perr := p.list(k, v, phrase{k.Value + " of " + step.en, "de waarde van " + k.Value + " in " + step.nl})
	if perr != nil {
		return nil, perr
	}
	if len(seq) == 0 {
		return nil, p.errAt(v.Line,
			"%s has no %ss; add at least one under %s:",
			"%s heeft geen %s; zet er minstens één onder %s:",
			step, phrase{kind.en, kind.nlPlural}, k.Value)
	}
	items := make([]Item, 0, len(seq))
	for i, n := range seq {
		what := step.of(fmt.Sprintf("%s #%d", kind.en, i+1), fmt.Sprintf("%s %d", kind.nl, i+1))
		if id := peekID(n); id != "" {
			what = step.of(kind.en+" "+id, kind.nl+" "+id)
		}
		var it Item
		perr := p.mapping(n, what, itemKeys, func(key string, k, v *yaml.Node) *ParseError {
			var perr *ParseError
			switch key {
			case "id":
				it.ID, perr = p.id(k, v, what.of("the id", "de id"), itemID, 32, "c1")
				if perr != nil {
					return perr
				}
				if first, dup := ids[it.ID]; dup {
					return p.errAt(v.Line,
						"id %s is used twice in %s (first at line %d); give every checklist item and question in a step its own id",
						"id %s staat twee keer in %s (eerst op regel %d); geef elk checklistpunt en elke gespreksvraag in een stap een eigen id",
						it.ID, step, first)
				}
				ids[it.ID] = v.Line
			case "nl", "en":
				perr = p.textField(k, v, what, &it.Text)
			}
			return perr
		})
		if perr != nil {
			return nil, perr
		}
		items = append(items, it)
	}
	return items, nil
}

func (p *parser) tips(k, v *yaml.Node, step phrase) ([]Text, *ParseError) {
	if isNull(v) {
		return nil, nil
	}
	seq, perr := p.list(k, v, phrase{"tips of " + step.en, "de waarde van tips in " + step.nl})
	if perr != nil || len(seq) == 0 {
		return nil, perr // no tips is nil, however the file says it
	}
	tips := make([]Text, 0, len(seq))
	for i, n := range seq {
		t, perr := p.textMapping(n, step.of(fmt.Sprintf("tip #%d", i+1), fmt.Sprintf("tip %d", i+1)))
		if perr != nil {
			return nil, perr
		}
		tips = append(tips, t)
	}
	return tips, nil
}

// text parses the value v of key k as a {nl, en} mapping.
func (p *parser) text(k, v *yaml.Node, what phrase) (Text, *ParseError) {
	if isNull(v) {
		return Text{}, p.errAt(v.Line,
			"%s is empty; write it as %s: {nl: ..., en: ...}",
			"%s is leeg; schrijf het als %s: {nl: ..., en: ...}",
			what, k.Value)
	}
	if v.Kind == yaml.ScalarNode {
		return Text{}, p.errAt(v.Line,
			"%s needs a Dutch and an English text; write it as %s: {nl: %s, en: ...}",
			"%s heeft een Nederlandse en een Engelse tekst nodig; schrijf het als %s: {nl: %s, en: ...}",
			what, k.Value, v.Value)
	}
	return p.textMapping(v, what)
}

func (p *parser) textMapping(n *yaml.Node, what phrase) (Text, *ParseError) {
	var t Text
	perr := p.mapping(n, what, textKeys, func(_ string, k, v *yaml.Node) *ParseError {
		return p.textField(k, v, what, &t)
	})
	return t, perr
}

// textField stores the nl or en value v of key k into t.
func (p *parser) textField(k, v *yaml.Node, what phrase, t *Text) *ParseError {
	s, perr := p.str(v, phrase{what.en + " (" + k.Value + ")", what.nl + " (" + k.Value + ")"})
	if perr != nil {
		return perr
	}
	if k.Value == "en" {
		t.EN = s
		return nil
	}
	if s == "" {
		return p.errAt(v.Line,
			"%s has no Dutch text; write it after nl:",
			"%s heeft geen Nederlandse tekst; schrijf die na nl:",
			what)
	}
	t.NL = s
	return nil
}

// mapping checks that n is a mapping with only the keys in specs, each at
// most once, and every required one present. It calls each for every key in
// file order and stops at the first error.
func (p *parser) mapping(n *yaml.Node, what phrase, specs []keySpec, each func(key string, k, v *yaml.Node) *ParseError) *ParseError {
	if n.Kind == yaml.AliasNode {
		return p.alias(n)
	}
	if n.Kind != yaml.MappingNode {
		return p.errAt(n.Line,
			"%s must be a mapping with the keys %s, not %s",
			"%s moet een blok met de sleutels %s zijn, niet %s",
			what, keyNames(specs), describe(n))
	}
	if n.ShortTag() != "!!map" {
		return p.errAt(n.Line,
			"%s has the YAML tag %s; remove the tag",
			"%s heeft de YAML-tag %s; haal de tag weg",
			what, n.Tag)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode {
			return p.alias(k)
		}
		if k.Kind != yaml.ScalarNode {
			return p.errAt(k.Line,
				"%s has a key that is not a plain word; the keys here are %s",
				"%s heeft een sleutel die geen gewoon woord is; de sleutels hier zijn %s",
				what, keyNames(specs))
		}
		key := k.Value
		if !hasKey(specs, key) {
			return p.errAt(k.Line,
				"unknown key %q in %s%s; the keys here are %s",
				"onbekende sleutel %q in %s%s; de sleutels hier zijn %s",
				key, what, suggest(key, specs), keyNames(specs))
		}
		if first, dup := seen[key]; dup {
			return p.errAt(k.Line,
				"key %s appears twice in %s (first at line %d); remove one of them",
				"sleutel %s staat twee keer in %s (eerst op regel %d); haal er één weg",
				key, what, first)
		}
		seen[key] = k.Line
		if v.Kind == yaml.AliasNode {
			return p.alias(v)
		}
		if perr := each(key, k, v); perr != nil {
			return perr
		}
	}
	for _, s := range specs {
		if _, ok := seen[s.name]; s.required && !ok {
			return p.errAt(n.Line,
				"%s has no %s; add %s",
				"%s heeft geen %s; schrijf %s",
				what, s.name, s.add)
		}
	}
	return nil
}

// list returns the entries of the sequence v (an empty or null value is an
// empty list).
func (p *parser) list(k, v *yaml.Node, what phrase) ([]*yaml.Node, *ParseError) {
	if isNull(v) {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, p.errAt(v.Line,
			"%s must be a list (each entry on its own line starting with -), not %s",
			"%s moet een lijst zijn (elk onderdeel op een eigen regel die begint met -), niet %s",
			what, describe(v))
	}
	if v.ShortTag() != "!!seq" {
		return nil, p.errAt(v.Line,
			"%s has the YAML tag %s; remove the tag",
			"%s heeft de YAML-tag %s; haal de tag weg",
			what, v.Tag)
	}
	for _, e := range v.Content {
		if e.Kind == yaml.AliasNode {
			return nil, p.alias(e)
		}
	}
	return v.Content, nil
}

// str returns the text of the scalar v, trimmed; a null value is "".
func (p *parser) str(v *yaml.Node, what phrase) (string, *ParseError) {
	if v.Kind != yaml.ScalarNode {
		return "", p.errAt(v.Line,
			"%s must be text, not %s",
			"%s moet tekst zijn, niet %s",
			what, describe(v))
	}
	switch v.ShortTag() {
	case "!!null":
		return "", nil
	case "!!str", "!!int", "!!float", "!!bool", "!!timestamp":
	default:
		return "", p.errAt(v.Line,
			"%s has the YAML tag %s; remove the tag and write plain text",
			"%s heeft de YAML-tag %s; haal de tag weg en schrijf gewone tekst",
			what, v.Tag)
	}
	s := strings.TrimSpace(v.Value)
	if !utf8.ValidString(s) {
		return "", p.errAt(v.Line,
			"%s is not valid UTF-8 text; check its escapes",
			"%s is geen geldige UTF-8-tekst; controleer de tekens die met een backslash (\\) beginnen",
			what)
	}
	for _, r := range s {
		switch {
		case textAllowed(r):
		case r == '\t':
			return "", p.errAt(v.Line,
				"%s contains a tab; use spaces instead",
				"%s bevat een tab; gebruik spaties",
				what)
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return "", p.errAt(v.Line,
				"%s contains the control character U+%04X; remove it",
				"%s bevat het stuurteken U+%04X; haal het weg",
				what, r)
		default:
			return "", p.errAt(v.Line,
				"%s contains the character U+%04X, which cannot be shown; remove it",
				"%s bevat het teken U+%04X, dat niet getoond kan worden; haal het weg",
				what, r)
		}
	}
	return s, nil
}

// textAllowed reports whether r may appear in a text: what YAML allows in a
// file, and line feeds, but no tabs, carriage returns or other line
// separators, which would upset the terminal screens. Escapes in quoted
// YAML texts can produce any character, so this is checked after decoding.
func textAllowed(r rune) bool {
	switch r {
	case '\n':
		return true
	case '\t', '\r', 0x85, 0x2028, 0x2029:
		return false
	}
	return yamlAllowed(r)
}

// id returns the scalar v as an id matching re (at most maxLen characters,
// like example).
func (p *parser) id(k, v *yaml.Node, what phrase, re *regexp.Regexp, maxLen int, example string) (string, *ParseError) {
	s, perr := p.str(v, what)
	if perr != nil {
		return "", perr
	}
	if s == "" {
		return "", p.errAt(v.Line,
			"%s is empty; write a short id after %s:",
			"%s is leeg; schrijf een korte id na %s:",
			what, k.Value)
	}
	if !re.MatchString(s) {
		return "", p.errAt(v.Line,
			"%s is %q, which is not a valid id; use 1 to %d characters: lower-case letters, digits, - and _, starting with a letter (like %s)",
			"%s is %q, en dat is geen geldige id; gebruik 1 tot en met %d tekens: kleine letters, cijfers, - en _, te beginnen met een letter (zoals %s)",
			what, s, maxLen, example)
	}
	return s, nil
}

// number returns the scalar v as a whole number.
func (p *parser) number(k, v *yaml.Node, what phrase) (int, *ParseError) {
	if isNull(v) {
		return 0, p.errAt(v.Line,
			"%s is empty; write a whole number after %s:",
			"%s is leeg; schrijf een heel getal na %s:",
			what, k.Value)
	}
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int" {
		if n, err := strconv.Atoi(v.Value); err == nil {
			return n, nil
		}
	}
	return 0, p.errAt(v.Line,
		"%s must be a whole number written in digits, like 1, not %s",
		"%s moet een heel getal in cijfers zijn, zoals 1, niet %s",
		what, describe(v))
}

func (p *parser) alias(n *yaml.Node) *ParseError {
	return p.errAt(n.Line,
		"*%s is an alias; method files do not use anchors and aliases, so write the text out",
		"*%s is een alias; methodebestanden gebruiken geen ankers en aliassen, dus schrijf de tekst voluit",
		n.Value)
}

// peekID returns the id of an item mapping if it has a plain one, to name
// the item in errors found before its id key is reached.
func peekID(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "id" && v.Kind == yaml.ScalarNode && itemID.MatchString(v.Value) {
			return v.Value
		}
	}
	return ""
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func hasKey(specs []keySpec, key string) bool {
	for _, s := range specs {
		if s.name == key {
			return true
		}
	}
	return false
}

func keyNames(specs []keySpec) string {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}
