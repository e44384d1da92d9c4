package sshd

import (
	"errors"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// errUnclosed is a command line with a quote that is never closed (or a
// backslash at its very end).
var errUnclosed = errors.New("unclosed quote")

// errNotPlain is a command line with shell syntax brug does not run: an
// expansion ($VAR, $(...), `...`), or an operator (; | & < >).
var errNotPlain = errors.New("not a plain command")

// splitCommand splits an SSH command line into words as a POSIX shell
// would, with its quotes and escapes: 'Team Noord', "Team Noord",
// Team\ Noord and "" (an empty word) each make one word. SSH sends the
// command as one string, so this is where a quoted team or client name
// becomes one argument again.
//
// It uses mvdan.cc/sh, a maintained POSIX shell parser, rather than
// charmbracelet/ssh's Session.Command: that one uses go-shlex, which
// drops empty words, keeps the backslash of "\$", and returns the words
// it read so far when a quote is never closed, so a half-read command
// would run. Nothing is expanded: there are no variables, commands or
// globs on the server side (a word with $ or ` must be single-quoted),
// and operators such as ; | > are refused rather than taken literally.
func splitCommand(line string) ([]string, error) {
	var words []string
	p := syntax.NewParser(syntax.Variant(syntax.LangPOSIX))
	for w, err := range p.WordsSeq(strings.NewReader(line)) {
		if err != nil {
			if syntax.IsIncomplete(err) {
				return nil, errUnclosed
			}
			return nil, errNotPlain
		}
		s, err := literal(w)
		if err != nil {
			return nil, err
		}
		words = append(words, s)
	}
	return words, nil
}

// literal is the text of w after quote removal, when w is made only of
// literal text, single-quoted text and double-quoted literal text.
func literal(w *syntax.Word) (string, error) {
	var b strings.Builder
	for _, part := range w.Parts {
		switch part := part.(type) {
		case *syntax.Lit:
			if err := unescape(&b, part.Value, func(rune) bool { return true }); err != nil {
				return "", err
			}
		case *syntax.SglQuoted:
			b.WriteString(part.Value)
		case *syntax.DblQuoted:
			for _, in := range part.Parts {
				lit, ok := in.(*syntax.Lit)
				if !ok {
					return "", errNotPlain
				}
				// Inside double quotes a backslash escapes only these.
				special := func(r rune) bool { return strings.ContainsRune("$`\"\\\n", r) }
				if err := unescape(&b, lit.Value, special); err != nil {
					return "", err
				}
			}
		default:
			return "", errNotPlain
		}
	}
	return b.String(), nil
}

// unescape writes s to b without the backslashes that escape a character
// for which escapes is true; a backslash-newline disappears, as in a shell.
func unescape(b *strings.Builder, s string, escapes func(rune) bool) error {
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '\\' {
			b.WriteRune(rs[i])
			continue
		}
		if i+1 == len(rs) {
			return errUnclosed // a backslash at the very end escapes nothing
		}
		switch next := rs[i+1]; {
		case next == '\n':
			i++
		case escapes(next):
			b.WriteRune(next)
			i++
		default:
			b.WriteRune('\\')
		}
	}
	return nil
}
