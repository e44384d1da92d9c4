package protocol

import (
	"encoding/hex"
	"strings"
	"testing"
)

// TestParseUUIDTakesTheCanonicalFormOnly: parseUUID reads a lower-case
// UUID with dashes, as formatUUID writes it, and nothing else (any other
// id travels as text and comes back as the same string); every one-byte
// change of a canonical UUID is checked against a plain reading.
func TestParseUUIDTakesTheCanonicalFormOnly(t *testing.T) {
	plain := func(s string) ([16]byte, bool) {
		var u [16]byte
		if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return u, false
		}
		h := strings.ReplaceAll(s, "-", "")
		if len(h) != 32 || strings.ToLower(h) != h {
			return u, false
		}
		b, err := hex.DecodeString(h)
		if err != nil {
			return u, false
		}
		return [16]byte(b), true
	}
	base := "01a20512-1f35-72fb-89f0-b8114832f2dd"
	if u, ok := parseUUID(base); !ok || formatUUID(u[:]) != base {
		t.Fatalf("parseUUID(%q) = %x, %v", base, u, ok)
	}
	for i := range len(base) {
		for _, c := range []byte("0189afgAF-/ \x00\xff") {
			s := base[:i] + string(c) + base[i+1:]
			gu, gok := parseUUID(s)
			wu, wok := plain(s)
			if gok != wok || (gok && gu != wu) {
				t.Errorf("parseUUID(%q) = %x, %v; want %x, %v", s, gu, gok, wu, wok)
			}
		}
	}
	for _, s := range []string{"", base[:35], base + "0", "{" + base[1:], strings.ReplaceAll(base, "-", "")} {
		if _, ok := parseUUID(s); ok {
			t.Errorf("parseUUID(%q) took it", s)
		}
	}
}
