package main

import (
	"strings"
	"testing"
)

// TestUsageErrorsSpeakDutch: cobra writes its usage errors in English
// ("accepts 1 arg(s), received 2"); a Dutch screen gets them in Dutch,
// an English one as cobra wrote them, through the real command tree.
func TestUsageErrorsSpeakDutch(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		args     []string
		nl, en   string
		notDutch string
	}{
		{[]string{"export", "a", "b"}, "neemt 1 argument, je gaf er 2", "accepts 1 arg(s), received 2", "accepts"},
		{[]string{"login", "https://x"}, "neemt 2 argumenten, je gaf er 1", "accepts 2 arg(s), received 1", "accepts"},
		{[]string{"nope"}, `onbekend commando "nope" voor "brug"`, `unknown command "nope" for "brug"`, "unknown"},
		{[]string{"export", "--frobnicate", "x"}, "onbekende optie: --frobnicate", "unknown flag: --frobnicate", "unknown"},
		{[]string{"export", "x", "--format"}, "de optie --format heeft een waarde nodig", "flag needs an argument: --format", "needs an argument"},
		{[]string{"demo", "--clients", "veel"}, `"veel" is geen geldige waarde voor --clients`, `invalid argument "veel" for "--clients" flag`, "invalid"},
	}
	for _, c := range cases {
		r := h.run(c.args...)
		expect(t, strings.Join(c.args, " "), r, exitUsage, c.nl, "--help")
		if strings.Contains(r.stderr, c.notDutch) {
			t.Errorf("%v: English reached a Dutch screen:\n%s", c.args, r.stderr)
		}
		expect(t, strings.Join(c.args, " ")+" (en)", h.run(append([]string{"--lang", "en"}, c.args...)...), exitUsage, c.en)
	}
}
