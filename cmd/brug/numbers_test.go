package main

import "testing"

// TestCountsOneFormat: the CLI writes counts as the app does (10.000 in
// Dutch, 10,000 in English) and says one client, one change (issue 12).
func TestCountsOneFormat(t *testing.T) {
	nl, en := newMsgs("nl"), newMsgs("en")
	for _, c := range []struct {
		m    msgs
		n    int
		want string
	}{{nl, 0, "0"}, {nl, 999, "999"}, {nl, 10000, "10.000"}, {nl, 1234567, "1.234.567"}, {en, 10000, "10,000"}} {
		if got := c.m.num(c.n); got != c.want {
			t.Errorf("%s num(%d) = %q, want %q", c.m.lang, c.n, got, c.want)
		}
	}
	for _, c := range []struct{ got, want string }{
		{nl.f("demo.generating", nl.n("count.clients", 10000)), "Demo-regio maken met 10.000 cliënten…"},
		{nl.f("demo.generating", nl.n("count.clients", 1)), "Demo-regio maken met 1 cliënt…"},
		{nl.f("demo.generated", nl.n("count.clients", 1), nl.n("count.changes", 1), "1s"), "Klaar: 1 cliënt, 1 wijziging, in 1s."},
		{en.f("demo.generated", en.n("count.clients", 40), en.n("count.changes", 2800), "1s"), "Done: 40 clients, 2,800 changes, in 1s."},
		{nl.f("export.written", "Anna", nl.n("count.changes", 1), "a.md"), "Export van Anna (1 wijziging) geschreven naar a.md."},
		{nl.n("sync.pulled", 12000), "12.000 ontvangen"},
		{nl.n("retention.erased", 2), "2 dossiers gewist; apparaten wissen ze bij hun volgende synchronisatie (brug admin erasures)."},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
