package demo

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

var testNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

// openStore opens a store in a temp dir and checks on cleanup that its
// kept state equals the state rebuilt from the log.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "demo.db"), store.Options{Author: "test", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Check(); err != nil {
			t.Errorf("check after generation: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func generate(t *testing.T, opt Options) *store.Store {
	t.Helper()
	s := openStore(t)
	if err := Generate(s, opt); err != nil {
		t.Fatal(err)
	}
	return s
}

func summaries(t *testing.T, s *store.Store) []store.Summary {
	t.Helper()
	sums, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(sums, func(i, j int) bool { return sums[i].ID < sums[j].ID })
	return sums
}

func TestDeterministic(t *testing.T) {
	opt := Options{Clients: 30, Seed: 7, Now: testNow}
	a, b := generate(t, opt), generate(t, opt)
	sa, sb := summaries(t, a), summaries(t, b)
	if len(sa) != 30 {
		t.Fatalf("got %d clients, want 30", len(sa))
	}
	if !reflect.DeepEqual(sa, sb) {
		t.Fatal("same seed gave different summaries")
	}
	// The whole dossier, ids and history included, is the same too.
	ca, err := a.Client(sa[3].ID)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Client(sa[3].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ca, cb) {
		t.Fatal("same seed gave different client documents")
	}
	opt.Seed = 8
	if sc := summaries(t, generate(t, opt)); reflect.DeepEqual(sa, sc) {
		t.Fatal("another seed gave the same region")
	}
}

func TestOpsValidForDefaultMethod(t *testing.T) {
	s := generate(t, Options{Clients: 60, Seed: 1, Now: testNow})
	m := method.Default()
	total := 0
	for _, sm := range summaries(t, s) {
		ops, err := s.Ops(sm.ID)
		if err != nil {
			t.Fatal(err)
		}
		total += len(ops)
		byID := map[string]store.Op{}
		for _, op := range ops {
			byID[op.ID] = op
		}
		for _, op := range ops {
			if err := store.ValidateOp(op, m); err != nil {
				t.Fatalf("client %s: %v", sm.Name, err)
			}
			if op.HLC.Time().After(testNow) {
				t.Fatalf("op %s %s lies after now: %v", op.Field, op.ID, op.HLC.Time())
			}
			for _, p := range op.Prev {
				prev, ok := byID[p]
				if !ok {
					t.Fatalf("op %s names unknown prev %s", op.ID, p)
				}
				if prev.Field != op.Field || prev.HLC >= op.HLC {
					t.Fatalf("op %s (%s) names prev %s (%s) that is not an earlier op on the field", op.ID, op.Field, p, prev.Field)
				}
			}
		}
	}
	if avg := float64(total) / 60; avg < 55 || avg > 85 {
		t.Errorf("average %.1f ops per client, want about %d", avg, DefaultOpsPerClient)
	}
}

func TestContent(t *testing.T) {
	s := generate(t, Options{Clients: 100, Seed: 3, Now: testNow})
	today := testNow.Format(time.DateOnly)
	var conflicts, overdue, onefoot, back int
	steps := map[int]int{}
	kinds := map[string]bool{}
	roles := map[string]bool{}
	for _, sm := range summaries(t, s) {
		steps[sm.CurrentStep]++
		conflicts += sm.Conflicts
		overdue += sm.OverdueOn(today)
		if strings.Contains(sm.Places, ",") {
			onefoot++
		}
		c, err := s.Client(sm.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name.Value == "" || c.Team.Value == "" || !c.Exists {
			t.Fatalf("client %s lacks a name or team", sm.ID)
		}
		for _, f := range c.Conflicts {
			if !strings.Contains(f, "/answer/") {
				t.Errorf("conflict on %s, want only answers", f)
			}
		}
		for _, m := range c.Moves {
			if m.Back() {
				back++
			}
		}
		for _, in := range c.Indications {
			kinds[in.Kind.Value] = true
		}
		for _, a := range c.Arrangements {
			kinds[a.Kind.Value] = true
		}
		for _, ct := range c.Contacts {
			roles[ct.Role.Value] = true
		}
		if len(c.Journal) == 0 {
			t.Errorf("client %s has no journal", sm.Name)
		}
	}
	for n := 1; n <= 6; n++ {
		if steps[n] == 0 {
			t.Errorf("no client in step %d (%v)", n, steps)
		}
	}
	if conflicts == 0 {
		t.Error("no text conflicts")
	}
	if overdue == 0 {
		t.Error("no overdue agreements")
	}
	if onefoot == 0 {
		t.Error("nobody with one foot in each world")
	}
	if back == 0 {
		t.Error("no step back on any route")
	}
	for _, k := range []string{"wmo", "loonwaarde", "zelfredzaamheid"} {
		if !kinds[k] {
			t.Errorf("no %s indication or arrangement", k)
		}
	}
	for _, r := range []string{"klantmanager Werk & Inkomen", "begeleider dagbesteding", "werkgever"} {
		if !roles[r] {
			t.Errorf("no contact with role %s", r)
		}
	}
}

// TestReviewQueueNotEmpty: the demo runs as a coordinator, so even a
// small region has steps marked done that wait for review, next to steps
// already signed off and steps sent back with a comment.
func TestReviewQueueNotEmpty(t *testing.T) {
	s := generate(t, Options{Clients: DefaultClients, Seed: 1, Now: testNow})
	waiting, signed, sentBack := 0, 0, 0
	for _, sm := range summaries(t, s) {
		waiting += len(sm.Waiting)
		for _, w := range sm.Waiting {
			if w.By == "" || w.Since.Time().After(testNow) {
				t.Errorf("%s: waiting step %+v lacks who, or lies after now", sm.Name, w)
			}
		}
		c, err := s.Client(sm.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range c.Steps {
			switch {
			case st.StatusOrOpen() == store.StepSignedOff:
				signed++
			case st.Comment.Value != "":
				sentBack++
			}
		}
	}
	if waiting < 5 || signed == 0 || sentBack == 0 {
		t.Errorf("%d steps waiting for review, %d signed off, %d sent back; want at least 5 waiting and some of each", waiting, signed, sentBack)
	}
}

func TestSmallRegionHasDistinctNames(t *testing.T) {
	s := generate(t, Options{Clients: 12, Seed: 1, Now: testNow})
	seen := map[string]bool{}
	for _, sm := range summaries(t, s) {
		if seen[sm.Name] {
			t.Errorf("name %q used twice", sm.Name)
		}
		seen[sm.Name] = true
		if id, err := s.FindClient(sm.Name); err != nil || id != sm.ID {
			t.Errorf("FindClient(%q) = %s, %v", sm.Name, id, err)
		}
	}
}

func TestOptions(t *testing.T) {
	s := openStore(t)
	if err := Generate(s, Options{Clients: -1}); err == nil {
		t.Error("negative client count accepted")
	}
	var calls []int
	if err := Generate(s, Options{Clients: 100, Now: testNow, Progress: func(done, total int) {
		if total != 100 {
			t.Errorf("progress total %d", total)
		}
		calls = append(calls, done)
	}}); err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 || calls[len(calls)-1] != 100 {
		t.Errorf("progress calls %v, want ending at 100", calls)
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Clients != 100 || st.Outbox != 0 {
		t.Errorf("stats %+v: want 100 clients and an empty outbox", st)
	}
	// A smaller budget makes a smaller region.
	small := generate(t, Options{Clients: 100, Now: testNow, OpsPerClient: 30})
	sst, err := small.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if sst.Ops >= st.Ops {
		t.Errorf("OpsPerClient 30 gave %d ops, default %d", sst.Ops, st.Ops)
	}
}

// TestLarge times a big region. It runs only when BRUG_DEMO_LARGE holds a
// client count, e.g. BRUG_DEMO_LARGE=10000 go test -run Large -v.
func TestLarge(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("BRUG_DEMO_LARGE"))
	if n == 0 {
		t.Skip("set BRUG_DEMO_LARGE=10000 to time a large region")
	}
	s := openStore(t)
	start := time.Now()
	if err := Generate(s, Options{Clients: n, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stats()
	t.Logf("%d clients, %d ops (%.1f per client) in %v", st.Clients, st.Ops, float64(st.Ops)/float64(st.Clients), time.Since(start))
}
