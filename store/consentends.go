package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ConsentSoonDays is how many days ahead the list flags a consent that
// ends (issue 11: consents that end within 30 days).
const ConsentSoonDays = 30

// ConsentEnding is a dossier whose share consent ends soon: Until is the
// earliest last day of its shares that stand, within the window.
type ConsentEnding struct {
	Dossier string
	Until   string
}

// ConsentWindow is the window of days (YYYY-MM-DD, both inclusive) from
// today to days later.
func ConsentWindow(today string, days int) (from, to string, err error) {
	t, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return "", "", fmt.Errorf("%w day %q", ErrInvalid, today)
	}
	return today, t.AddDate(0, 0, days).Format(time.DateOnly), nil
}

// ConsentEndsBetween returns the earliest last day of the dossier's
// standing shares that lies in [from, to]. A share that ended before
// from gives no access any more (Access says share_expired); it is not
// flagged. It allocates nothing, so a list of 10,000 flags cheaply.
func (s Summary) ConsentEndsBetween(from, to string) (string, bool) {
	for _, u := range s.ShareEnds { // sorted
		if u > to {
			break
		}
		if u >= from {
			return u, true
		}
	}
	return "", false
}

// ConsentsEndingSoon lists the dossiers of sums (not removed) whose
// consent ends within days of today, in the order of sums.
func ConsentsEndingSoon(sums []Summary, today string, days int) ([]ConsentEnding, error) {
	from, to, err := ConsentWindow(today, days)
	if err != nil {
		return nil, err
	}
	var out []ConsentEnding
	for i := range sums {
		if sums[i].Removed {
			continue
		}
		if u, ok := sums[i].ConsentEndsBetween(from, to); ok {
			out = append(out, ConsentEnding{Dossier: sums[i].ID, Until: u})
		}
	}
	return out, nil
}

// ConsentsEnding reads the list summaries and returns the dossiers whose
// consent ends within days of today, in dossier id order.
func (s *Store) ConsentsEnding(today string, days int) ([]ConsentEnding, error) {
	from, to, err := ConsentWindow(today, days)
	if err != nil {
		return nil, err
	}
	var out []ConsentEnding
	err = s.db.View(func(tx *bolt.Tx) error {
		return s.eachSummary(tx, func(sm Summary) error {
			if u, ok := sm.ConsentEndsBetween(from, to); ok && !sm.Removed {
				out = append(out, ConsentEnding{Dossier: sm.ID, Until: u})
			}
			return nil
		})
	})
	return out, err
}
