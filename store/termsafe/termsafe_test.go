package termsafe

import (
	"strings"
	"testing"
)

// TestEscapeAndCheck: what Check refuses, Escape rewrites as visible text,
// and the result holds nothing Check refuses; ordinary text, accents and
// emoji with joiners pass untouched.
func TestEscapeAndCheck(t *testing.T) {
	cases := []struct {
		in, one, multi string
	}{
		{"laptop-anna", "laptop-anna", "laptop-anna"},
		{"Zoë 👩‍👧", "Zoë 👩‍👧", "Zoë 👩‍👧"},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`, `\x1b]0;pwned\x07`},
		{"\x1b[2J\u009b31m", `\x1b[2J\u009b31m`, `\x1b[2J\u009b31m`},
		{"abc\u202edcba", `abc\u202edcba`, `abc\u202edcba`},
		{"a\nb\tc\x7f", `a\x0ab\x09c\x7f`, "a\nb\tc\\x7f"},
		{"bad\xffutf8", `bad\xffutf8`, `bad\xffutf8`},
		{"line\u2028sep", `line\u2028sep`, `line\u2028sep`},
		// Pasted text: a soft hyphen, a zero-width space, a byte order mark
		// and a right-to-left mark are refused in names but kept in text.
		{"zelf\u00adstandig\u200b\ufeff \u200fرنا", `zelf\u00adstandig\u200b\ufeff \u200fرنا`, "zelf\u00adstandig\u200b\ufeff \u200fرنا"},
		{"ok\r\nfake\rreal", `ok\x0d\x0afake\x0dreal`, "ok\r\nfake\\x0dreal"},
	}
	for _, c := range cases {
		if got := Escape(c.in); got != c.one {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.one)
		}
		if got := EscapeText(c.in); got != c.multi {
			t.Errorf("EscapeText(%q) = %q, want %q", c.in, got, c.multi)
		}
		if err := Check(Escape(c.in)); err != nil {
			t.Errorf("Check(Escape(%q)): %v", c.in, err)
		}
		if err := CheckText(EscapeText(c.in)); err != nil {
			t.Errorf("CheckText(EscapeText(%q)): %v", c.in, err)
		}
		if (Check(c.in) == nil) != (c.in == c.one) || (CheckText(c.in) == nil && !strings.Contains(c.in, "\r")) != (c.in == c.multi) {
			t.Errorf("Check(%q) = %v, but Escape changes it: %v", c.in, Check(c.in), c.in != c.one)
		}
	}
	if err := Check("a\x1bb"); err == nil || !strings.Contains(err.Error(), "U+001B") {
		t.Errorf("Check names the character: %v", err)
	}
}

func FuzzEscape(f *testing.F) {
	f.Add("\x1b]8;;http://x\x07y\x1b]8;;\x07")
	f.Add("\u202e\xff\n")
	f.Fuzz(func(t *testing.T, s string) {
		if err := Check(Escape(s)); err != nil {
			t.Fatalf("Escape(%q) = %q still fails Check: %v", s, Escape(s), err)
		}
		if err := CheckText(EscapeText(s)); err != nil {
			t.Fatalf("EscapeText(%q) still fails CheckText: %v", s, err)
		}
		if e := Escape(s); Escape(e) != e || EscapeText(EscapeText(s)) != EscapeText(s) {
			t.Fatalf("escaping %q twice changes it again", s)
		}
	})
}
