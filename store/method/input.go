package method

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// This file turns raw bytes into a YAML node tree, and every way that can
// fail into a ParseError with a line an editor agrees with.

// yamlLine matches the position yaml.v3 puts in a syntax error.
var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// yamlAnchor matches yaml.v3's error for an alias without an anchor, which
// carries no line of its own.
var yamlAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// parserProblems are the yaml.v3 errors raised by its parser (not its
// scanner). For these yaml.v3 prints a 0-based line number and leaves it out
// when it is 0; scanner errors print 1-based numbers. See decode.go,
// (*parser).fail, in gopkg.in/yaml.v3 v3.0.1.
var parserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"found undefined tag handle",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

// decode checks the raw bytes and decodes exactly one YAML document. It
// returns the document's root node, never nil without an error.
func (p *parser) decode(data []byte) (*yaml.Node, *ParseError) {
	if len(data) > MaxFileSize {
		return nil, p.errAt(0,
			"the file is larger than 1 MiB; a method file is far smaller, so check that this is the right file",
			"het bestand is groter dan 1 MiB; een methodebestand is veel kleiner, dus controleer of dit het goede bestand is")
	}
	if perr := p.checkBytes(data); perr != nil {
		return nil, perr
	}
	doc, second, err := yamlDecode(data)
	switch {
	case errors.Is(err, io.EOF):
		return nil, p.empty()
	case errors.Is(err, errYAMLPanic):
		return nil, p.errAt(0,
			"the YAML reader failed on this file (%v); check that it is a method file",
			"de YAML-lezer liep vast op dit bestand (melding van de YAML-lezer: \"%v\"); controleer of dit een methodebestand is",
			err)
	case err != nil:
		return nil, p.yamlError(err, data)
	case second != nil:
		return nil, p.errAt(secondDocLine(data, second.Line),
			"the file holds more than one YAML document (a line with --- starts a new one); keep one method per file",
			"het bestand bevat meer dan één YAML-document (een regel met --- begint een nieuw document); zet één methode per bestand")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0] == nil {
		return nil, p.empty()
	}
	return doc.Content[0], nil
}

// errYAMLPanic marks a panic inside yaml.v3, turned into an error.
var errYAMLPanic = errors.New("yaml.v3 panicked")

// yamlDecode decodes the first YAML document of data and returns the second
// one too, if there is one. An empty stream gives io.EOF. yaml.v3 reports
// problems by panicking internally and recovering; a panic that escapes it
// is a library bug on hostile input and must not take brug down, so it
// becomes an error wrapping errYAMLPanic.
func yamlDecode(data []byte) (doc, second *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, second, err = nil, nil, fmt.Errorf("%w: %v", errYAMLPanic, r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc = new(yaml.Node)
	if err := dec.Decode(doc); err != nil {
		return nil, nil, err
	}
	next := new(yaml.Node)
	switch err := dec.Decode(next); {
	case errors.Is(err, io.EOF):
		return doc, nil, nil
	case err != nil:
		return nil, nil, err
	}
	return doc, next, nil
}

func (p *parser) empty() *ParseError {
	return p.errAt(0,
		"the file is empty; a method file starts with id:, version:, name: and steps: (see docs/method.md)",
		"het bestand is leeg; een methodebestand begint met id:, version:, name: en steps: (zie docs/method.md)")
}

// secondDocLine returns the line of the "---" that starts the second
// document: the last such line at or before the line yaml.v3 gave.
func secondDocLine(data []byte, nodeLine int) int {
	best := nodeLine
	for i, l := range bytes.Split(data, []byte("\n")) {
		if i+1 > nodeLine {
			break
		}
		if bytes.HasPrefix(l, []byte("---")) || bytes.HasPrefix(l, []byte("...")) {
			best = i + 1
		}
	}
	return best
}

// checkBytes refuses what is not UTF-8 text, and the characters YAML
// refuses or counts as a line break where editors do not, so that every
// line number we report matches the user's editor.
func (p *parser) checkBytes(data []byte) *ParseError {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return p.errAt(line,
				"the file is not valid UTF-8 text (byte 0x%02x at column %d); save it as UTF-8 text",
				"het bestand is geen geldige UTF-8-tekst (byte 0x%02x in kolom %d); sla het op als UTF-8-tekst",
				data[i], col)
		case r == '\n':
			line, col = line+1, 0
		case r == '\r':
			if i+1 >= len(data) || data[i+1] != '\n' {
				return p.errAt(line,
					"column %d has a carriage return without a line feed; save the file with ordinary (LF or CRLF) line endings",
					"kolom %d bevat een losse regelterugloop (CR) zonder LF erna; sla het bestand op met gewone regeleinden (LF of CRLF)",
					col)
			}
		case r == 0x85 || r == 0x2028 || r == 0x2029:
			return p.errAt(line,
				"column %d has the line separator U+%04X, which editors do not show as a new line; replace it with an ordinary line break",
				"kolom %d bevat het regelscheidingsteken U+%04X, dat editors niet als nieuwe regel tonen; vervang het door een gewone regelovergang",
				col, r)
		case !yamlAllowed(r):
			return p.errAt(line,
				"column %d has the control character U+%04X; a method file is plain text, so check that this is the right file and remove the character",
				"kolom %d bevat het stuurteken U+%04X; een methodebestand is gewone tekst, dus controleer of dit het goede bestand is en haal het teken weg",
				col, r)
		}
		i += size
		col++
	}
	return nil
}

// yamlAllowed reports whether YAML allows r in a stream (YAML 1.2, 5.1),
// mirroring the check in yaml.v3's reader.
func yamlAllowed(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0x7e) || r == 0x85 ||
		(r >= 0xa0 && r <= 0xd7ff) || (r >= 0xe000 && r <= 0xfffd) ||
		(r >= 0x10000 && r <= 0x10ffff)
}

// yamlError turns a yaml.v3 syntax error into a ParseError with the line
// an editor shows.
func (p *parser) yamlError(err error, data []byte) *ParseError {
	line, msg := yamlPosition(err)
	if m := yamlAnchor.FindStringSubmatch(msg); m != nil {
		return p.errAt(lineOfAlias(data, m[1]),
			"*%s refers to an anchor that does not exist; method files do not use anchors and aliases, so write the text out",
			"*%s verwijst naar een anker dat niet bestaat; methodebestanden gebruiken geen ankers en aliassen, dus schrijf de tekst voluit",
			m[1])
	}
	line = problemLine(data, line, msg)
	if nl, ok := yamlProblemNL(msg); ok {
		return p.errAt(line, "YAML syntax error: %s; %s", "YAML-fout: %s; %s", phrase{msg, nl}, yamlHint(msg))
	}
	// A problem yamlProblemNL does not know is quoted as the YAML reader
	// gave it, inside a Dutch sentence.
	return p.errAt(line,
		"YAML syntax error: %s; %s",
		"YAML-fout (melding van de YAML-lezer: \"%s\"); %s",
		msg, yamlHint(msg))
}

// yamlPosition splits a yaml.v3 syntax error into a 1-based line and the
// problem. yaml.v3 prints 0-based lines for parser errors and 1-based ones
// for scanner errors, and leaves the line out when the first would be
// printed as 0.
func yamlPosition(err error) (line int, msg string) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	line = 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil {
			line = n
		}
		msg = m[2]
	}
	for _, pp := range parserProblems {
		if msg == pp {
			line++
			break
		}
	}
	return line, msg
}

// problemLine narrows a syntax error down to the line that causes it.
// yaml.v3 reports where the enclosing construct starts (the step, the
// list, the scalar), which can be many lines above the actual slip. The
// problem line is the first line at or after that one whose prefix of the
// file already fails with the same problem; a binary search finds it in a
// few extra parses. When the prefixes do not behave monotonically, the line
// yaml.v3 gave is kept.
func problemLine(data []byte, from int, msg string) int {
	var ends []int // ends[k-1] is the offset just past line k
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		ends = append(ends, len(data))
	}
	n := len(ends)
	if from < 1 || from >= n {
		return from
	}
	fails := func(k int) bool {
		_, _, err := yamlDecode(data[:ends[k-1]])
		if err == nil || errors.Is(err, io.EOF) || errors.Is(err, errYAMLPanic) {
			return false
		}
		_, m := yamlPosition(err)
		return m == msg
	}
	if fails(from) {
		return from
	}
	lo, hi := from+1, n // the whole file fails, so the answer is in [lo, hi]
	for lo < hi {
		mid := lo + (hi-lo)/2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if !fails(lo) || (lo-1 > from && fails(lo-1)) {
		return from
	}
	return lo
}

// yamlHint says what usually causes a YAML syntax error.
func yamlHint(msg string) phrase {
	switch {
	case strings.Contains(msg, "tab character"):
		return phrase{"indent with spaces, not tabs",
			"spring in met spaties, niet met tabs"}
	case strings.Contains(msg, "mapping values are not allowed"):
		return phrase{"put a text that contains \": \" in quotes, or check the indentation",
			"zet een tekst met \": \" erin tussen aanhalingstekens, of controleer de inspringing"}
	case strings.Contains(msg, "unexpected end of stream"):
		return phrase{"a quote or bracket is opened but never closed",
			"er is een aanhalingsteken of haakje geopend maar niet gesloten"}
	case strings.Contains(msg, "cannot start any token"):
		return phrase{"put a text that starts with @, ` or % in quotes",
			"zet een tekst die begint met @, ` of % tussen aanhalingstekens"}
	case strings.Contains(msg, "expected ',' or"):
		return phrase{"a bracket is opened but never closed, or a comma is missing",
			"er is een haakje geopend maar niet gesloten, of er ontbreekt een komma"}
	default:
		return phrase{"check the indentation, the colons and the quotes here and on the line above",
			"controleer de inspringing, de dubbele punten en de aanhalingstekens op deze regel en de regel erboven"}
	}
}

func lineOfAlias(data []byte, name string) int {
	for i, l := range bytes.Split(data, []byte("\n")) {
		if bytes.Contains(l, []byte("*"+name)) {
			return i + 1
		}
	}
	return 1
}

// countLines counts lines as an editor does: a final line break does not
// start another line.
func countLines(data []byte) int {
	n := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}
