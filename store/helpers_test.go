package store

import (
	"path/filepath"
	"testing"
	"time"
)

// openTest opens a store on a fresh file in t.TempDir and, on cleanup,
// checks that the incrementally kept state equals the state rebuilt from
// the log.
func openTest(t testing.TB, opt Options) *Store {
	t.Helper()
	if opt.Author == "" {
		opt.Author = "tester"
	}
	opt.NoSync = true
	s, err := Open(filepath.Join(t.TempDir(), "brug.db"), opt)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Check(); err != nil {
			t.Errorf("kept state differs from rebuilt state: %v", err)
		}
		s.Close()
	})
	return s
}

// fixedClock returns a clock function starting at start and moving one
// second per call, so tests never read the wall clock.
func fixedClock(start time.Time) func() time.Time {
	t := start
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

// mkOp makes an op for tests as another device would.
func mkOp(dossier, field, value string, hlc HLC, device string, prev ...string) Op {
	return Op{ID: NewID(), Dossier: dossier, Field: field, Value: value, HLC: hlc, Device: device, Author: "author-" + device, Prev: prev}
}

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// derivedBuckets are the state buckets every path to the same log must
// make equal: from schema 5 the replaced set too (every id a prev names,
// on every path).
var derivedBuckets = [][]byte{bReplaced, bSummaries, bDue}
