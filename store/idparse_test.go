package store

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestIDParsingByTable: idArray takes exactly the 36-character ids
// uuid.Parse takes (hex of either case, dashes in place), and CanonicalID
// only those in lower case, with the same bytes; checked for every
// one-byte change of an id.
func TestIDParsingByTable(t *testing.T) {
	base := "01a20512-1f35-72fb-89f0-b8114832f2dd"
	cases := []string{base, strings.ToUpper(base), "", base[:35], base + "0", strings.ReplaceAll(base, "-", "")}
	for i := range len(base) {
		for _, c := range []byte("0189afgAFG-/ {}:\x00\xff") {
			cases = append(cases, base[:i]+string(c)+base[i+1:])
		}
	}
	for _, s := range cases {
		got, ok := idArray(s)
		want, err := uuid.Parse(s)
		wantOK := err == nil && len(s) == 36
		if ok != wantOK || (ok && got != want) {
			t.Errorf("idArray(%q) = %x, %v; want %x, %v", s, got, ok, want, wantOK)
		}
		cgot, cok := CanonicalID(s)
		cwantOK := wantOK && strings.ToLower(s) == s
		if cok != cwantOK || (cok && cgot != [16]byte(want)) {
			t.Errorf("CanonicalID(%q) = %x, %v; want %x, %v", s, cgot, cok, want, cwantOK)
		}
	}
}
