// Package method holds the method a coach works through with each client:
// the six steps of "Bruggen naar werk", each with a checklist, conversation
// questions and tips, in Dutch and English.
//
// The method is data, not code. The default method is embedded
// (default.yaml); a region can load its own method file with Load. Answers
// and checks refer to steps by number and to items and questions by id, so
// a method file can reword a text without losing what was recorded against
// it. The file format and its rules are described in docs/method.md.
package method

import (
	_ "embed"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxFileSize is the largest method file that Load and Parse accept: 1 MiB.
// A real method file is a few tens of KiB; anything larger is the wrong file.
const MaxFileSize = 1 << 20

// defaultName is the file name that errors in the embedded method carry;
// defaultNameNL is how a Dutch error names it.
const (
	defaultName   = "default.yaml (embedded)"
	defaultNameNL = "default.yaml (ingebouwd)"
)

//go:embed default.yaml
var defaultYAML string

// Text is a text in Dutch and English. Dutch is always present in a parsed
// method; English may be empty, in which case the Dutch text is shown.
type Text struct {
	NL string `yaml:"nl"`
	EN string `yaml:"en"`
}

// In returns the text in lang ("nl" or "en"). It falls back to the Dutch
// text when the English one is empty or lang is not English. A region tag
// such as "en-GB" or "en_US" counts as English.
func (t Text) In(lang string) string {
	if english(lang) && t.EN != "" {
		return t.EN
	}
	return t.NL
}

// Item is a checklist item or a conversation question. Its ID is stable
// within its step ("c1", "q3"): checks and answers are stored against it.
type Item struct {
	ID   string
	Text Text
}

// Step is one of the method's steps, with what a coach ticks off, asks and
// keeps in mind.
type Step struct {
	// N is the step's stable number, 1..len(Steps); ops refer to it as
	// step/<N>/...
	N int
	// Title is the step's short name, such as "Partners aan tafel".
	Title Text
	// Goal says in one or two sentences what the step is for.
	Goal Text
	// Checklist holds the things to have done or arranged in this step.
	Checklist []Item
	// Questions holds the conversation questions for the person or the
	// partners.
	Questions []Item
	// Tips holds practical advice for the coach; it may be empty.
	Tips []Text
}

// Method is a complete method: an id and version so that a dossier can say
// which method it was worked with, a name, and the steps in order.
type Method struct {
	// ID names the method, such as "bruggen-naar-werk".
	ID string
	// Version is 1 or more; a region raises it when it changes its file.
	Version int
	// Name is the method's display name.
	Name Text
	// Steps holds the steps in order; Steps[i].N == i+1.
	Steps []Step
}

// Default returns the embedded default method, freshly parsed, so callers
// may change their copy freely. The embedded file is checked by the
// package's tests, so the parse cannot fail in a released binary.
func Default() *Method {
	m, err := Parse(defaultName, []byte(defaultYAML))
	if err != nil {
		// Unreachable in a tested build: TestDefault parses the same bytes.
		panic(fmt.Sprintf("method: embedded default method is broken: %v", err))
	}
	return m
}

// DefaultYAML returns a copy of the embedded default method file, so that a
// region can start its own method from it.
func DefaultYAML() []byte {
	return []byte(defaultYAML)
}

// Load reads and parses the method file at path. A problem in the file's
// content is a *ParseError; a file that cannot be opened or read gives the
// underlying error, wrapped (errors.Is(err, fs.ErrNotExist) works).
func Load(path string) (*Method, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("method file: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only: a close error loses nothing
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read method file %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse parses and validates a method file's content. name is the file name
// that errors carry. Every problem is reported as a *ParseError naming the
// line; Parse never panics, whatever data holds.
func Parse(name string, data []byte) (*Method, error) {
	m, perr := parse(name, data)
	if perr != nil {
		return nil, perr
	}
	return m, nil
}

// Step returns the step with number n.
func (m *Method) Step(n int) (*Step, bool) {
	if m == nil || n < 1 || n > len(m.Steps) {
		return nil, false
	}
	return &m.Steps[n-1], true
}

// Item returns the checklist item with the given id.
func (s *Step) Item(id string) (*Item, bool) {
	return find(s.Checklist, id)
}

// Question returns the conversation question with the given id.
func (s *Step) Question(id string) (*Item, bool) {
	return find(s.Questions, id)
}

func find(items []Item, id string) (*Item, bool) {
	for i := range items {
		if items[i].ID == id {
			return &items[i], true
		}
	}
	return nil, false
}

// RegionFile is the name to give Parse for the method a region's server
// sent, which has no file name on the device. Its errors then read "method
// file the region's method, line N: ..." in English and "de methode van de
// regio, regel N: ..." in Dutch.
const RegionFile = "the region's method"

// ParseError is returned for every problem in a method file's content. It
// names the file and the line, and its message says what is wrong and what
// to do about it, in English (Error) and in Dutch (In).
type ParseError struct {
	// File is the name the file was loaded under.
	File string
	// Line is the 1-based line of the problem, or 0 when the problem is the
	// file as a whole (empty, too large).
	Line int
	// Msg says in English what is wrong and how to fix it.
	Msg string
	// MsgNL says the same in Dutch. Parse always fills it in; when it is
	// empty, In shows Msg.
	MsgNL string
}

// Error returns "method file FILE, line N: MSG", or "method file FILE: MSG"
// when the problem has no line. It is the English of In, for logs and
// callers that do not know the reader's language.
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("method file %s, line %d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("method file %s: %s", e.File, e.Msg)
}

// In returns the error as a line in lang: Error() for English ("en", or a
// region tag such as "en-GB"), and Dutch for any other lang, such as
// "methodebestand FILE, regel N: MSG" or, for RegionFile, "de methode van
// de regio, regel N: MSG".
func (e *ParseError) In(lang string) string {
	if english(lang) {
		return e.Error()
	}
	msg := e.MsgNL
	if msg == "" {
		msg = e.Msg
	}
	var file string
	switch e.File {
	case RegionFile:
		file = "de methode van de regio"
	case defaultName:
		file = "methodebestand " + defaultNameNL
	default:
		file = "methodebestand " + e.File
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s, regel %d: %s", file, e.Line, msg)
	}
	return fmt.Sprintf("%s: %s", file, msg)
}

// english reports whether lang asks for English: "en", or a region tag
// such as "en-GB" or "en_US".
func english(lang string) bool {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	base, _, _ = strings.Cut(base, "_")
	return base == "en"
}
