package store

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FoldName folds a name for matching what people type against what was
// written: case and accents do not count, and neither does how the
// accents were encoded, so "zoe" matches "Zoë" and "celik" "Çelik",
// composed or decomposed. Names are never stored folded; only compared.
// It runs per row when the list loads, so it avoids the general (and
// much slower) transformer chain: each letter is decomposed on its own
// (Ç becomes C and a combining cedilla), marks are dropped and the rest
// lower-cased.
func FoldName(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(strings.ToLower(s[:i]))
	for _, r := range s[i:] {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r):
		default:
			d := norm.NFD.PropertiesString(string(r)).Decomposition()
			if d == nil {
				b.WriteRune(unicode.ToLower(r))
				continue
			}
			for _, dr := range string(d) {
				if !unicode.Is(unicode.Mn, dr) {
					b.WriteRune(unicode.ToLower(dr))
				}
			}
		}
	}
	return b.String()
}
