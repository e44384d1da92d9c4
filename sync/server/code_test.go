package server

import (
	"regexp"
	"testing"
)

// Codes are pasted into shells and read aloud: only Crockford base32, and
// the letters people confuse with digits are read as those digits.
func TestEnrolmentCodesAreShellSafe(t *testing.T) {
	re := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)
	for range 500 {
		if c := newCode(); !re.MatchString(c) {
			t.Fatalf("code %q has characters outside Crockford base32", c)
		}
	}
	if got, want := normCode("k7qm-xr2p 9tbd-hwOl"), normCode("K7QM-XR2P-9TBD-HW01"); got != want {
		t.Errorf("normCode: %q != %q", got, want)
	}
}
