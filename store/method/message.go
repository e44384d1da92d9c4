package method

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// This file makes the messages of parse errors, each in English and in
// Dutch: the English for Error() and logs, the Dutch for the screens
// (ParseError.In). The Dutch of yaml.v3's own problems is in yamlnl.go.

// phrase is a part of a message in English and in Dutch: what the message
// is about ("step 2", "stap 2"), what a value is ("a list", "een lijst"),
// a hint. Messages are composed of phrases so that every message exists in
// both languages; see errAt.
type phrase struct {
	en, nl string
}

// of returns "EN of WHAT" and "NL van WHAT": "the title of step 2", "de
// titel van stap 2".
func (what phrase) of(en, nl string) phrase {
	return phrase{en + " of " + what.en, nl + " van " + what.nl}
}

// errAt makes a ParseError at line, kept within the file's lines so that an
// editor can always jump to it. en and nl are the message's format in
// English and in Dutch. They share args, in which a phrase stands for its
// text in each language; a Dutch format may take the args in its own order
// with %[n]s.
func (p *parser) errAt(line int, en, nl string, args ...any) *ParseError {
	line = max(0, min(line, p.lines))
	return &ParseError{File: p.file, Line: line, Msg: sprintIn(false, en, args), MsgNL: sprintIn(true, nl, args)}
}

// sprintIn formats args, with each phrase in English or, when dutch, in
// Dutch.
func sprintIn(dutch bool, format string, args []any) string {
	in := make([]any, len(args))
	for i, a := range args {
		if ph, ok := a.(phrase); ok {
			a = ph.en
			if dutch {
				a = ph.nl
			}
		}
		in[i] = a
	}
	return fmt.Sprintf(format, in...)
}

// describe names what a node is, for "must be X, not Y" messages.
func describe(n *yaml.Node) phrase {
	switch n.Kind {
	case yaml.MappingNode:
		return phrase{"a mapping", "een blok met sleutels"}
	case yaml.SequenceNode:
		return phrase{"a list", "een lijst"}
	case yaml.AliasNode:
		return phrase{"an alias", "een alias"}
	case yaml.ScalarNode:
		if isNull(n) {
			return phrase{"empty", "leeg"}
		}
		v := n.Value
		if utf8.RuneCountInString(v) > 40 {
			v = string([]rune(v)[:40]) + "..."
		}
		return phrase{strconv.Quote(v), strconv.Quote(v)}
	}
	return phrase{"something else", "iets anders"}
}
