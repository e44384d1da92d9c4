package tui

import (
	"github.com/brug-nl/brug/tui/texts"
	"strings"
	"testing"
	"time"
)

// TestSyncFooterWarnsAboutClock: after a sync measured this device's clock
// against the server's, the footer says when it is off by ClockWarn or
// more, ahead or behind, in the user's language.
// Accident: a laptop a year ahead stamped every change with the wrong date
// (and got them refused) while nothing on screen said why.
func TestSyncFooterWarnsAboutClock(t *testing.T) {
	for _, tc := range []struct {
		skew   time.Duration
		nl, en string // "": no warning
	}{
		{skew: 0},
		{skew: 9 * time.Minute},
		{skew: -9 * time.Minute},
		{skew: 10 * time.Minute, nl: "klok loopt 10 min voor: zet hem gelijk", en: "clock is 10 min ahead: set it right"},
		{skew: -95 * time.Minute, nl: "klok loopt 95 min achter: zet hem gelijk", en: "clock is 95 min behind: set it right"},
		{skew: 3*time.Hour + 10*time.Minute, nl: "klok loopt 3 uur voor", en: "clock is 3 hours ahead"},
		{skew: 365 * 24 * time.Hour, nl: "klok loopt 365 dagen voor", en: "clock is 365 days ahead"},
		{skew: -2 * 24 * time.Hour, nl: "klok loopt 2 dagen achter", en: "clock is 2 days behind"},
	} {
		for lang, want := range map[string]string{"nl": tc.nl, "en": tc.en} {
			status := &fakeSyncStatus{local: SyncLocal{Waiting: 1, LastSync: clToday, ClockSkew: tc.skew}}
			h := newSyncHarness(t, lang, &SyncOptions{Syncer: &fakeSyncer{answers: []fakeAnswer{{}}}, Status: status})
			h.runInit()
			footer := h.footer()
			if want == "" {
				if strings.Contains(footer, "klok") || strings.Contains(footer, "clock") {
					t.Errorf("%s, skew %s: footer %q warns", lang, tc.skew, footer)
				}
				continue
			}
			if !strings.Contains(footer, want) {
				t.Errorf("%s, skew %s: footer %q lacks %q", lang, tc.skew, footer, want)
				continue
			}
			// It comes right after the server's state, so a narrow
			// footer still shows it, and the view shows the footer.
			if parts := strings.Split(footer, " · "); len(parts) < 2 || !strings.HasPrefix(parts[1], want) {
				t.Errorf("%s: warning not second in %q", lang, footer)
			}
			if !strings.Contains(h.m.View(), want) {
				t.Errorf("%s: the view lacks %q", lang, want)
			}
		}
	}
}

// TestRefusedClockCodeHasItsText: a change refused for its stamp is listed
// with what went wrong, not as a bare "refused".
func TestRefusedClockCodeHasItsText(t *testing.T) {
	for lang, want := range map[string]string{"nl": "klok van deze laptop liep voor", "en": "this laptop's clock was ahead"} {
		if got := texts.NewTexts(lang).RefusedWhy("clock", ""); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
