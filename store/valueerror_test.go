package store

import (
	"errors"
	"strings"
	"testing"
)

// TestValueErrorKeepsItsEnglish: ValidateValue's errors became a
// *ValueError (so that the app can say them in Dutch); their English is
// what it was, word for word, and they are still ErrInvalid.
func TestValueErrorKeepsItsEnglish(t *testing.T) {
	for _, c := range []struct{ field, value, want string }{
		{"name", "\xff", "invalid value for name: not valid UTF-8"},
		{"name", strings.Repeat("x", MaxScalar+1), "invalid value for name: longer than 200 bytes"},
		{"step/1/note", strings.Repeat("x", MaxText+1), "invalid value for note: longer than 65536 bytes"},
		{"team", "a\tb", "invalid value for team: contains a line break"},
		{"exists", "ja", `invalid value for exists: must be "0" or "1"`},
		{"closed", "gisteren", "invalid value for closed: must be a date YYYY-MM-DD"},
		{"birthyear", "3000", "invalid value for birthyear: must be a year between 1900 and 2100"},
		{"route_target", "kantoor", "invalid value for route_target: unknown place kantoor"},
		{"places", "dagbesteding,kantoor", "invalid value for places: unknown place kantoor"},
		{"step/2/status", "half", "invalid value for status: unknown step status half"},
		{"benefit", "bijstand", "invalid value for benefit: unknown code bijstand"},
	} {
		p, k, err := ParseField(c.field)
		if err != nil {
			t.Fatal(err)
		}
		err = ValidateValue(p, k, c.value)
		var ve *ValueError
		if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s %q: %v (%T), want a ValueError of ErrInvalid", c.field, c.value, err, err)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%s: %q, want %q", c.field, err.Error(), c.want)
		}
	}
}
