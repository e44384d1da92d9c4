package store

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// year3000 is a stamp a laptop whose clock is set ~975 years ahead makes.
var year3000 = MakeHLC(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 0)

// TestClockTable: Next and Observe with far-future and maximal stamps, a
// full counter and a wall clock that goes back.
// Accident: one op stamped 2^64-1 (or the year 3000) moved every replica's
// clock there for good and made the next stamp wrap to 0, which is refused.
func TestClockTable(t *testing.T) {
	wall := MakeHLC(t0, 0)
	bound := ClockBound(t0)
	tests := []struct {
		name    string
		last    HLC   // the clock's last stamp (as kept in the file)
		observe []HLC // stamps observed before Next
		took    []bool
		want    HLC // Next
	}{
		{name: "fresh clock takes the wall clock", want: wall},
		{name: "wall clock ahead of last", last: wall - 5<<16, want: wall},
		{name: "same millisecond counts up", last: wall, want: wall + 1},
		{name: "full counter carries into the milliseconds", last: wall | 0xFFFF, want: wall + 1<<16},
		{name: "wall clock back an hour keeps counting", last: MakeHLC(t0.Add(time.Hour), 7), want: MakeHLC(t0.Add(time.Hour), 8)},
		{name: "last just inside the bound is kept", last: bound - 1, want: bound},
		{name: "last beyond the bound restarts from the wall clock", last: bound + 1, want: wall},
		{name: "wall clock back a year restarts from it", last: MakeHLC(t0.AddDate(1, 0, 0), 3), want: wall},
		{name: "max kept in the file does not wrap to 0", last: MaxHLC, want: wall},
		{name: "observe a near stamp", observe: []HLC{wall + 10<<16}, took: []bool{true}, want: wall + 10<<16 + 1},
		{name: "observe up to the bound", observe: []HLC{bound}, took: []bool{true}, want: bound + 1},
		{name: "observe the year 3000 is ignored", observe: []HLC{year3000}, took: []bool{false}, want: wall},
		{name: "observe max is ignored", last: wall + 3, observe: []HLC{MaxHLC}, took: []bool{false}, want: wall + 4},
		{name: "observe an older stamp changes nothing", last: wall + 3, observe: []HLC{wall - 1}, took: []bool{true}, want: wall + 4},
		{name: "observe after a far-future last takes the stamp", last: MaxHLC, observe: []HLC{wall + 2}, took: []bool{true}, want: wall + 3},
		{name: "far-future last and stamp both forgotten", last: MaxHLC, observe: []HLC{year3000}, took: []bool{false}, want: wall},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClock(func() time.Time { return t0 }, tc.last)
			for i, h := range tc.observe {
				if got := c.Observe(h); got != tc.took[i] {
					t.Errorf("Observe(%d) = %v, want %v", h, got, tc.took[i])
				}
			}
			if got := c.Next(); got != tc.want {
				t.Errorf("Next() = %d (%s), want %d (%s)", got, got.Time().UTC(), tc.want, tc.want.Time().UTC())
			}
			if c.Last() > bound+1 {
				t.Errorf("clock left at %s, beyond the bound", c.Last().Time().UTC())
			}
		})
	}
}

// TestClockNeverWraps: a wall clock at the end of the HLC's range makes the
// clock saturate at MaxHLC instead of wrapping to 0 (which ValidateOp
// refuses); and wall times outside the range clamp.
func TestClockNeverWraps(t *testing.T) {
	far := time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := MakeHLC(far, 5); got != MaxHLC&^0xFFFF|5 {
		t.Errorf("MakeHLC(year 20000) = %x, want the largest milliseconds", got)
	}
	if got := MakeHLC(time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), 5); got != 5 {
		t.Errorf("MakeHLC(1960) = %d, want 5", got)
	}
	c := NewClock(func() time.Time { return far }, MaxHLC-1)
	for i, want := range []HLC{MaxHLC, MaxHLC, MaxHLC} {
		if got := c.Next(); got != want {
			t.Fatalf("Next #%d = %x, want %x", i, got, want)
		}
	}
	// A wall clock before 1970 still gives a stamp ValidateOp takes.
	c = NewClock(func() time.Time { return time.Unix(-100, 0) }, 0)
	if got := c.Next(); got == 0 {
		t.Error("Next before 1970 = 0, an invalid stamp")
	}
}

// TestHLCTimeEncodes: every stamp gives a time JSON can write.
// Accident: `brug export --format json` of a dossier with a 2^64-1 op
// failed with "year outside of range [0,9999]".
func TestHLCTimeEncodes(t *testing.T) {
	for _, h := range []HLC{1, MakeHLC(t0, 0), year3000, MakeHLC(time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC), 0), MaxHLC&^0xFFFF - 1<<16, MaxHLC} {
		if _, err := json.Marshal(h.Time()); err != nil {
			t.Errorf("stamp %d: %v", h, err)
		}
	}
	if got := year3000.Time().UTC().Year(); got != 3000 {
		t.Errorf("the year 3000 shows as %d", got)
	}
	if got := MaxHLC.Time().UTC(); !got.Equal(latestTime) {
		t.Errorf("MaxHLC shows as %s, want %s", got, latestTime)
	}
}

// TestFarFutureOpKeepsClockSane: a replica that applies ops stamped in the
// year 3000 and at 2^64-1 keeps stamping its own ops with its wall clock,
// in this session and the next, and those ops replace the far-future ones.
// Accident: after such an op every app session's first edit was refused
// (the clock wrapped to 0) and every later one carried the wrong date.
func TestFarFutureOpKeepsClockSane(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	now := fixedClock(t0)
	s, err := Open(path, Options{NoSync: true, Author: "fleur", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateClient(NewClient{Name: "Noor Visser", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	heads, err := s.Heads(id, "name")
	if err != nil {
		t.Fatal(err)
	}
	far := mkOp(id, "name", "Noor uit de toekomst", year3000, "laptop-ahead", heads[0].ID)
	max := mkOp(id, "team", "Zuid", MaxHLC, "laptop-forged")
	for _, apply := range []func([]Op) (int, error){s.ApplyRemote, s.ApplyRemoteBulk} {
		if _, err := apply([]Op{far, max}); err != nil {
			t.Fatal(err)
		}
	}
	sane := func(s *Store, when string) {
		t.Helper()
		if last := s.clock.Last(); last > s.clock.Bound() {
			t.Fatalf("%s: clock at %s", when, last.Time().UTC())
		}
		// The next edits replace the far-future heads (their prev names
		// them), though their stamps are lower.
		for _, ch := range []Change{Set("name", "Noor Visser-"+when), Set("team", "Noord-"+when)} {
			ops, err := s.Commit(id, ch)
			if err != nil {
				t.Fatalf("%s: edit %s refused: %v", when, ch.Field, err)
			}
			if got := ops[0].HLC.Time(); got.Year() != t0.Year() {
				t.Errorf("%s: op stamped %s, want the wall clock's year %d", when, got.UTC(), t0.Year())
			}
			hs, err := s.Heads(id, ch.Field)
			if err != nil {
				t.Fatal(err)
			}
			if len(hs) != 1 || hs[0].ID != ops[0].ID {
				t.Errorf("%s: %s heads %+v, want only the new op", when, ch.Field, hs)
			}
		}
		c, err := s.Client(id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name.Value != "Noor Visser-"+when || c.Team.Value != "Noord-"+when {
			t.Errorf("%s: dossier shows %q in %q", when, c.Name.Value, c.Team.Value)
		}
	}
	sane(s, "session1")
	if err := s.Check(); err != nil {
		t.Error(err)
	}
	s.Close()
	// The next session: the file's clock holds 2^64-1.
	s, err = Open(path, Options{NoSync: true, Author: "fleur", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sane(s, "session2")
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

// TestFirstEditAfterMaxStampNotRefused: the first edit after a 2^64-1 op
// arrived, and the first of every session after that, is made and kept.
// Accident: the clock stood at 2^64-1, the next stamp wrapped to 0 and
// ValidateOp refused the edit ("no timestamp"), once in every app session.
func TestFirstEditAfterMaxStampNotRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	open := func() *Store {
		s, err := Open(path, Options{NoSync: true, Author: "fleur", Now: fixedClock(t0)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	id, err := s.CreateClient(NewClient{Name: "Noor Visser"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyRemote([]Op{mkOp(id, "step/1/note", "van een vervalste klok", MaxHLC, "laptop-forged")}); err != nil {
		t.Fatal(err)
	}
	for session := 1; session <= 3; session++ {
		if session > 1 {
			s = open()
		}
		if _, err := s.Commit(id, Set("birthyear", fmt.Sprint(1980+session))); err != nil {
			t.Fatalf("session %d: first edit refused: %v", session, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
