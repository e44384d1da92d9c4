// Package termsafe keeps text that came from a device from steering the
// terminal it is shown on. A name with ESC, OSC or BEL characters, or with
// Unicode bidi overrides, can rewrite an admin's screen or make a line read
// differently from what it holds; brug refuses such characters where it
// accepts names (Check) and escapes them wherever it prints something a
// device sent (Escape), since files written before the refusal may still
// hold them.
package termsafe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// bad reports whether r must not reach a terminal: C0 and C1 control
// characters, DEL, line and paragraph separators, and Unicode format
// characters (bidi overrides and isolates, zero-width spaces, the BOM),
// except the zero-width (non-)joiners that emoji and some scripts need.
func bad(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r == '\u200c' || r == '\u200d':
		return false
	case r == '\u2028' || r == '\u2029':
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// badInText is bad for multi-line text (notes, answers, agreements): only
// what can steer a terminal or make a line read as something else, control
// characters and the bidi embeddings, overrides and isolates. Other format
// characters are common in text pasted from a word processor or a web page
// (a soft hyphen, a zero-width space, a byte order mark, the left-to-right
// mark in a Hebrew or Arabic name) and harmless on a screen; refusing them
// would keep a coach's note from ever reaching the server.
func badInText(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r == '\u2028' || r == '\u2029':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// forbidden is bad or badInText, as multiline says.
func forbidden(r rune, multiline bool) bool {
	if multiline {
		return badInText(r)
	}
	return bad(r)
}

// lineBreak reports whether r is allowed in multi-line text.
func lineBreak(r rune) bool { return r == '\n' || r == '\t' || r == '\r' }

// Check returns an error naming the first character of s that may not be
// in a one-line name (control or format characters, invalid UTF-8), or nil.
func Check(s string) error { return check(s, false) }

// CheckText is Check for multi-line text: line breaks and tabs are allowed.
func CheckText(s string) error { return check(s, true) }

func check(s string, multiline bool) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return fmt.Errorf("byte %d is not valid UTF-8", i)
			}
		}
		if forbidden(r, multiline) && !(multiline && lineBreak(r)) {
			return fmt.Errorf("character %d is the control or format character U+%04X", utf8.RuneCountInString(s[:i])+1, r)
		}
	}
	return nil
}

// Escape returns s fit to print on one line of a terminal: each control or
// format character is written as a Go escape (\x1b, \u202e), each invalid
// byte as \xNN; everything else is kept as it is. Text without such
// characters comes back unchanged (and unallocated).
func Escape(s string) string { return escape(s, false) }

// EscapeText is Escape for multi-line text: line breaks and tabs are kept
// (a carriage return only before a line feed: alone, it would let text
// overwrite the start of its line).
func EscapeText(s string) string { return escape(s, true) }

// shown reports whether the rune r of size n at s[i] is printed as it is.
func shown(s string, i int, r rune, n int, multiline bool) bool {
	switch {
	case r == utf8.RuneError && n == 1:
		return false
	case multiline && (r == '\n' || r == '\t'):
		return true
	case multiline && r == '\r':
		return i+1 < len(s) && s[i+1] == '\n'
	}
	return !forbidden(r, multiline)
}

func escape(s string, multiline bool) string {
	clean := true
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			i++ // printable ASCII, the common case
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !shown(s, i, r, n, multiline) {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case shown(s, i, r, n, multiline):
			b.WriteString(s[i : i+n])
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += n
	}
	return b.String()
}
