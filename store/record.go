package store

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// Reasons a value typed by a person is refused beyond its kind (CheckInput,
// NewClient.Validate). Each wraps ErrInvalid; the app maps them to its own
// texts.
//
// These checks hold for what a person types now. They are not part of
// ValidateOp: ops written before them (a phone "abc" typed last year) must
// still merge and sync everywhere.
var (
	ErrFutureYear = fmt.Errorf("%w: a birth year in the future", ErrInvalid)
	ErrFutureDay  = fmt.Errorf("%w: a day after today", ErrInvalid)
	ErrOldDay     = fmt.Errorf("%w: a day before %d", ErrInvalid, MinInputYear)
	ErrNoSuchDay  = fmt.Errorf("%w: no such day", ErrInvalid)
	ErrPhone      = fmt.Errorf("%w: not a phone number", ErrInvalid)
	ErrEmail      = fmt.Errorf("%w: not an e-mail address", ErrInvalid)
)

// MinInputYear is the earliest year of a day a person may type (a due
// date, a visit, a move): earlier ones are typing mistakes.
const MinInputYear = 1990

// nowYear is the current year, for the birth year check; tests replace it.
var nowYear = func() int { return time.Now().Year() }

// DayError says that a typed day does not exist: Day is past the end of
// Month (1..12) in Year, as in "31-02-2026".
type DayError struct{ Day, Month, Year int }

func (e *DayError) Error() string {
	return fmt.Sprintf("%d-%d-%d: month %d has no day %d", e.Day, e.Month, e.Year, e.Month, e.Day)
}

// Unwrap makes a DayError an ErrNoSuchDay.
func (e *DayError) Unwrap() error { return ErrNoSuchDay }

// ParseDay reads a day as people write it: 2025-03-14, 14-3-2025,
// 14/3/2025 or 14.3.2025, and returns it as YYYY-MM-DD. A day that has
// the right shape but does not exist ("31-02-2026") is a *DayError; any
// other unreadable text is ErrInvalid.
func ParseDay(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "2-1-2006", "2/1/2006", "2.1.2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d.Format(time.DateOnly), nil
		}
	}
	// The right shape with a day past the month's end.
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	if len(parts) == 3 {
		n := make([]int, 3)
		for i, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil {
				return "", fmt.Errorf("%w day %q", ErrInvalid, s)
			}
			n[i] = v
		}
		d, m, y := n[0], n[1], n[2]
		if len(parts[0]) == 4 { // 2026-02-31
			y, d = n[0], n[2]
		}
		if m >= 1 && m <= 12 && y >= 1 && y <= 9999 && d > daysIn(m, y) && d <= 31 {
			return "", &DayError{Day: d, Month: m, Year: y}
		}
	}
	return "", fmt.Errorf("%w day %q", ErrInvalid, s)
}

func daysIn(month, year int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// CheckDay checks a typed day (YYYY-MM-DD, as ParseDay returns it): not
// before MinInputYear, and, when notAfter is not empty, not after it (a
// move on the route happened; it cannot be dated tomorrow).
func CheckDay(day, notAfter string) error {
	if day == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return fmt.Errorf("%w day %q", ErrInvalid, day)
	}
	if day < strconv.Itoa(MinInputYear)+"-01-01" {
		return ErrOldDay
	}
	if notAfter != "" && day > notAfter {
		return ErrFutureDay
	}
	return nil
}

// CheckPhone checks a typed phone number: digits with the usual
// separators (space, -, ., (), and a leading +), at least 6 digits.
func CheckPhone(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	digits := 0
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		case r == '+' && i == 0:
		default:
			return ErrPhone
		}
	}
	if digits < 6 || digits > 15 {
		return ErrPhone
	}
	return nil
}

// CheckEmail checks a typed e-mail address: one plain address, a name,
// one @ and a domain with a dot ("piet@@" and "piet@home" are refused).
func CheckEmail(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" || strings.Count(v, "@") != 1 {
		return ErrEmail
	}
	domain := v[strings.IndexByte(v, '@')+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return ErrEmail
	}
	return nil
}

// checkBirthYear refuses a birth year after this year (the kind already
// holds it to 1900..2100).
func checkBirthYear(v string) error {
	if v == "" {
		return nil
	}
	y, err := strconv.Atoi(v)
	if err == nil && y > nowYear() {
		return ErrFutureYear
	}
	return nil
}

// RecordChanges are the changes that make client c's record what n says:
// one per field whose value differs (name, birth year, team, coaches,
// benefit, route target), validated as the new-client form is. Where the
// client stands on the route (places) is not part of it: a move on the
// route changes that, with its history. A new team is a transfer: the
// dossier keeps its id, so its whole history goes along (the server checks
// that the user may move it and that the team exists).
func RecordChanges(c *Client, n NewClient) ([]Change, map[string]error) {
	n.Name = strings.TrimSpace(n.Name)
	n.Places = nil
	if errs := n.Validate(); errs != nil {
		return nil, errs
	}
	var out []Change
	for _, f := range []struct {
		field string
		old   Value
		value string
	}{
		{"name", c.Name, n.Name}, {"birthyear", c.BirthYear, n.BirthYear}, {"team", c.Team, n.Team},
		{"coaches", c.Coaches, n.Coaches}, {"benefit", c.Benefit, n.Benefit},
		{"route_target", c.RouteTarget, string(n.RouteTarget)},
	} {
		if f.value != f.old.Value || f.old.Conflict() {
			out = append(out, Set(f.field, f.value))
		}
	}
	return out, nil
}

// Withdraw and Restore are the changes that withdraw a client created by
// mistake and bring it back. A withdrawn client is a tombstone: its
// history stays, lists hide it, and Restore undoes it. That is unlike an
// erasure (Erase), which deletes everything and cannot be undone.
func Withdraw() Change { return Set("exists", "0") }

// Restore undoes Withdraw.
func Restore() Change { return Set("exists", "1") }
