package store

import (
	"bytes"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestSummaryWaiting: the summary lists exactly the steps whose status is
// done, with when and by whom they were marked done, whatever else the
// other steps are.
func TestSummaryWaiting(t *testing.T) {
	tests := []struct {
		name    string
		changes []Change
		remote  bool // status/1 done arrives from a coach's laptop instead
		want    []int
	}{
		{name: "new client", want: nil},
		{name: "one step done", changes: []Change{Set("step/1/status", "done")}, want: []int{1}},
		{name: "two steps done", changes: []Change{Set("step/1/status", "done"), Set("step/2/status", "done"), Set("step/3/status", "active")}, want: []int{1, 2}},
		{name: "signed off is not waiting", changes: []Change{Set("step/1/status", "signed-off"), Set("step/2/status", "done")}, want: []int{2}},
		{name: "sent back is not waiting", changes: []Change{Set("step/1/status", "done"), Set("step/1/status", "active"), Set("step/1/comment", "Toestemming ontbreekt.")}, want: nil},
		{name: "done after the current step", changes: []Change{Set("step/1/status", "active"), Set("step/4/status", "done")}, want: []int{4}},
		{name: "done by a coach elsewhere", remote: true, want: []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, Options{Now: fixedClock(t0), Author: "coordinator"})
			id, err := s.CreateClient(NewClient{Name: "Noor Visser", Team: "Noord"})
			if err != nil {
				t.Fatal(err)
			}
			if len(tt.changes) > 0 {
				if _, err := s.Commit(id, tt.changes...); err != nil {
					t.Fatal(err)
				}
			}
			doneAt := MakeHLC(t0.Add(time.Hour), 0)
			if tt.remote {
				if _, err := s.ApplyRemote([]Op{mkOp(id, "step/1/status", "done", doneAt+3, "laptop-fleur")}); err != nil {
					t.Fatal(err)
				}
			}
			sums, err := s.Summaries()
			if err != nil || len(sums) != 1 {
				t.Fatalf("summaries = %v, %v", sums, err)
			}
			var got []int
			for _, w := range sums[0].Waiting {
				got = append(got, w.Step)
				if w.Since == 0 || w.By == "" {
					t.Errorf("waiting step %d lacks when or who: %+v", w.Step, w)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("waiting = %v, want %v", got, tt.want)
			}
			if tt.remote {
				w := sums[0].Waiting[0]
				if w.By != "author-laptop-fleur" || w.Since != doneAt {
					t.Errorf("remote done = %+v, want by author-laptop-fleur since %d (the op's wall time)", w, doneAt)
				}
			} else if len(got) > 0 && sums[0].Waiting[0].By != "coordinator" {
				t.Errorf("waiting by %q, want the store's author", sums[0].Waiting[0].By)
			}
		})
	}
}

// oldEncodeSummary is encodeSummary as schema 1 wrote it, kept here to test
// that such bytes still read.
func oldEncodeSummary(s *Summary) []byte {
	e := enc{}
	e.byte(fmtSummary)
	e.id(s.ID)
	e.string(s.Name)
	e.string(s.Team)
	e.string(s.Places)
	e.uint(uint64(s.CurrentStep))
	e.uint(uint64(s.StepsDone))
	e.bytes(s.Progress)
	e.string(s.NextDue)
	e.string(s.NextWhat)
	e.strings(s.OpenDues)
	e.strings(s.dueIDs)
	e.uint(uint64(s.Conflicts))
	e.uint(uint64(s.LastChange))
	if s.Removed {
		e.byte(1)
	} else {
		e.byte(0)
	}
	return e.b
}

func TestSummaryBinary(t *testing.T) {
	base := Summary{ID: NewID(), Name: "Anna de Vries", Team: "Noord", Places: "dagbesteding", CurrentStep: 3, StepsDone: 2,
		Progress: []uint8{100, 100, 40, 0, 0, 0}, NextDue: "2026-12-01", NextWhat: "UWV bellen", OpenDues: []string{"2026-12-01"},
		dueIDs: []string{NewID()}, Conflicts: 1, LastChange: MakeHLC(t0, 7)}
	waiting := base
	waiting.Waiting = []WaitingStep{{Step: 1, Since: MakeHLC(t0, 0), By: "fleur.devries"}, {Step: 2, Since: MakeHLC(t0.Add(time.Hour), 0), By: "piet"}}
	removed := waiting
	removed.Removed = true
	born := base
	born.BirthYear = "1990"
	bornWaiting := waiting
	bornWaiting.BirthYear = "1975"
	for name, sm := range map[string]Summary{"without waiting steps": base, "with waiting steps": waiting, "removed": removed, "empty": {ID: "x"},
		"birth year": born, "birth year and waiting steps": bornWaiting} {
		t.Run(name, func(t *testing.T) {
			var got Summary
			if err := decodeSummary(encodeSummary(&sm), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, sm) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, sm)
			}
		})
	}
	t.Run("schema 1 bytes", func(t *testing.T) {
		old := oldEncodeSummary(&waiting) // the old encoder knows no waiting steps
		if !bytes.Equal(old, encodeSummary(&base)) {
			t.Error("a summary without waiting steps is no longer written as schema 1 wrote it")
		}
		var got Summary
		got.Waiting = []WaitingStep{{Step: 9}} // decoding must not keep what was there
		if err := decodeSummary(old, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, base) {
			t.Fatalf("old summary:\n got %+v\nwant %+v", got, base)
		}
	})
	t.Run("corrupt tail", func(t *testing.T) {
		full := encodeSummary(&waiting)
		for _, b := range [][]byte{full[:len(full)-1], append(append([]byte(nil), full...), 0), append(oldEncodeSummary(&base), 200)} {
			var got Summary
			err := decodeSummary(b, &got)
			if err == nil {
				t.Errorf("corrupt summary %x read without error: %+v", b[len(b)-4:], got)
				continue
			}
			// A damaged file, said as such by the app and the CLI, in
			// the words it always had.
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "corrupt value") || strings.Contains(err.Error(), ErrDamaged.Error()) {
				t.Errorf("corrupt summary: %v, want ErrDamaged saying corrupt value", err)
			}
		}
	})
}

// TestMigrateSummariesWaiting: a file of schema 1, whose summaries have no
// waiting steps, opens, migrates and then lists the steps waiting for
// review; the kept state equals the rebuilt one afterwards.
func TestMigrateSummariesWaiting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := Open(path, Options{NoSync: true, Author: "fleur", Now: fixedClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	anna, _ := s.CreateClient(NewClient{Name: "Anna de Vries"})
	bram, _ := s.CreateClient(NewClient{Name: "Bram Jansen"})
	if _, err := s.Commit(anna, Set("step/1/status", "done"), Set("step/2/status", "done")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddEntity(bram, EntityAgreement, map[string]string{"what": "UWV bellen", "due": "2026-12-01"}); err != nil {
		t.Fatal(err)
	}
	want, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	// Make it a schema 1 file: summaries in the old form, old version.
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bSummariesOld)
		if err != nil {
			return err
		}
		err = s.eachSummaryEntry(tx, func(k, v []byte) error {
			var sm Summary
			if err := s.readSummary(k, v, &sm); err != nil {
				return err
			}
			return b.Put(bytes.Clone(k), oldEncodeSummary(&sm))
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(bSummaries); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(kSchema, u32(1))
	})
	s.oldSummaries = true
	if err != nil {
		t.Fatal(err)
	}
	if sums, _ := s.Summaries(); waitingCount(sums) != 0 {
		t.Fatalf("the faked schema 1 file still has waiting steps: %+v", sums)
	}
	s.Close()

	s, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatalf("open schema 1 file: %v", err)
	}
	defer s.Close()
	got, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("summaries after migration:\n got %+v\nwant %+v", got, want)
	}
	if n := waitingCount(got); n != 2 {
		t.Fatalf("%d waiting steps after migration, want 2", n)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("state after migration differs from the rebuilt state: %v", err)
	}
	s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bMeta).Get(kSchema); !bytes.Equal(v, u32(SchemaVersion)) {
			t.Errorf("schema after migration = %x, want %d", v, SchemaVersion)
		}
		return nil
	})
}

func waitingCount(sums []Summary) int {
	n := 0
	for _, sm := range sums {
		n += len(sm.Waiting)
	}
	return n
}

func TestNextPrefix(t *testing.T) {
	for _, tt := range []struct{ in, want []byte }{
		{[]byte{1, 2}, []byte{1, 3}},
		{[]byte{1, 0xff}, []byte{2}},
		{[]byte{0xff, 0xff}, nil},
	} {
		if got := nextPrefix(tt.in); !bytes.Equal(got, tt.want) {
			t.Errorf("nextPrefix(%x) = %x, want %x", tt.in, got, tt.want)
		}
	}
}
