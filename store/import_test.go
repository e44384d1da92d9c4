package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// importPages spools ops in pages of random size, with duplicates within
// and across pages, and commits.
func importPages(t testing.TB, s *Store, rng *rand.Rand, ops []Op, setup func(*Import)) int {
	t.Helper()
	im, err := s.NewImport()
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if setup != nil {
		setup(im)
	}
	order := slices.Clone(ops)
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	// A third of the time, pages come as a server sends an initial pull:
	// whole dossiers, in ascending dossier order (the streamed path).
	inOrder := rng.IntN(3) == 0
	if inOrder {
		slices.SortStableFunc(order, func(a, b Op) int {
			ka, _ := idKey(a.Dossier)
			kb, _ := idKey(b.Dossier)
			return bytes.Compare(ka, kb)
		})
	}
	for len(order) > 0 {
		k := 1 + rng.IntN(len(order))
		if inOrder { // end the page at a dossier's end
			for k < len(order) && order[k].Dossier == order[k-1].Dossier {
				k++
			}
		}
		page := slices.Clone(order[:k])
		for range rng.IntN(4) {
			if inOrder { // a duplicate within the page's own dossiers
				page = append(page, page[rng.IntN(len(page))])
				continue
			}
			page = append(page, ops[rng.IntN(len(ops))])
		}
		rng.Shuffle(len(page), func(i, j int) { page[i], page[j] = page[j], page[i] })
		add := im.Add
		if rng.IntN(2) == 0 { // as a pull page brings them: strings sharing the page's JSON
			add = func(page []Op) error { return im.Add(scanPage(t, page)) }
		}
		if err := add(page); err != nil {
			t.Fatal(err)
		}
		order = order[k:]
	}
	n, err := im.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// scanPage returns ops as a device reads them from a pull page: each op
// scanned from its JSON (as the server sends it), its strings sharing it.
func scanPage(t testing.TB, page []Op) []Op {
	t.Helper()
	ops := make([]Op, len(page))
	for i, op := range page {
		b, err := json.Marshal(op)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		var ok bool
		if ops[i], n, ok = ScanOpJSON(string(b)); !ok || n != len(b) {
			t.Fatalf("op not scanned: %s", b)
		}
	}
	return ops
}

// sameStore fails unless two stores hold the same log, state and clock.
func sameStore(t *testing.T, want, got *Store) {
	t.Helper()
	w, err := want.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	g, err := got.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range derivedBuckets {
		if !reflect.DeepEqual(g[string(b)], w[string(b)]) {
			t.Fatalf("bucket %s differs", b)
		}
	}
	if err := got.Check(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.logState(t), want.logState(t)) {
		t.Fatal("log differs")
	}
	if want.clock.Last() != got.clock.Last() {
		t.Fatalf("clock: want %d, got %d", want.clock.Last(), got.clock.Last())
	}
}

// TestPropertyImportEqualsApplyRemote: an Import of a random op set (prevs
// across fields and dossiers, unknown prevs, duplicates, random pages)
// gives the store ApplyRemote gives one op at a time in random order; on
// an empty store (the fast path), on a store holding ops already (the
// fallback), and with ops made while the import runs.
func TestPropertyImportEqualsApplyRemote(t *testing.T) {
	seeds := 60
	if testing.Short() {
		seeds = 10
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 29))
			ops := crossFieldDAG(rng, 20+rng.IntN(200))
			one := openTest(t, Options{})
			order := slices.Clone(ops)
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			for _, op := range order {
				if _, err := one.ApplyRemote([]Op{op}); err != nil {
					t.Fatal(err)
				}
			}

			imp := openTest(t, Options{})
			var during []Op
			switch seed % 3 {
			case 1: // some ops there already: the fallback
				k := rng.IntN(len(ops))
				if _, err := imp.ApplyRemote(ops[:k]); err != nil {
					t.Fatal(err)
				}
			case 2: // ops arriving while the import runs
				k := rng.IntN(len(ops)/4 + 1)
				during, ops = ops[:k], ops[k:]
			}
			n := importPages(t, imp, rng, ops, func(im *Import) {
				im.beforeFinal = func() {
					if _, err := imp.ApplyRemote(during); err != nil {
						t.Error(err)
					}
				}
				if seed%3 != 1 {
					im.afterBatch = func() {}
				}
			})
			if seed%3 == 0 && n != len(ops) {
				t.Fatalf("import: %d new ops, want %d", n, len(ops))
			}
			sameStore(t, one, imp)
		})
	}
}

// TestImportForget: ops of a dossier that left the view after they were
// spooled stay out; ops spooled after that count again.
func TestImportForget(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d1, d2 := NewID(), NewID()
	a := mkOp(d1, "name", "Anna", MakeHLC(t0, 1), "dev-a")
	b := mkOp(d2, "name", "Bram", MakeHLC(t0, 2), "dev-a")
	c := mkOp(d2, "team", "Noord", MakeHLC(t0, 3), "dev-a")

	want := openTest(t, Options{})
	if _, err := want.ApplyRemote([]Op{a, b}); err != nil {
		t.Fatal(err)
	}
	if err := want.Drop(d1); err != nil {
		t.Fatal(err)
	}
	if err := want.Drop(d2); err != nil {
		t.Fatal(err)
	}
	if _, err := want.ApplyRemote([]Op{b, c}); err != nil {
		t.Fatal(err)
	}

	got := openTest(t, Options{})
	im, err := got.NewImport()
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	for _, step := range []func() error{
		func() error { return im.Add([]Op{a, b}) },
		func() error { im.Forget(d1); im.Forget(d2); return nil },
		func() error { return im.Add([]Op{c, b}) },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := im.Commit(); err != nil || n != 2 {
		t.Fatalf("commit: %d, %v", n, err)
	}
	_ = rng
	w, _ := want.snapshot()
	g, _ := got.snapshot()
	for _, name := range derivedBuckets {
		if !reflect.DeepEqual(w[string(name)], g[string(name)]) {
			t.Fatalf("bucket %s differs", name)
		}
	}
	if st, _ := got.Stats(); st.Ops != 2 || st.Clients != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// The import crash test re-runs this test binary as a child that imports a
// large op set and prints "batch" after each intermediate commit; the
// parent kills it after a few, reopens the file and checks that it holds
// nothing of the import and that importing again completes it.
const importCrashEnv = "BRUG_IMPORT_CRASH_CHILD"

func importCrashOps() []Op {
	rng := rand.New(rand.NewPCG(7, 7))
	var ops []Op
	for range 300 {
		ops = append(ops, crossFieldDAG(rng, 200)...)
	}
	for i := range ops { // big values: many batches
		if strings.HasPrefix(ops[i].Value, "tekst") {
			ops[i].Value += strings.Repeat(" lang verslag", 40)
		}
	}
	return ops
}

func TestImportCrashChild(t *testing.T) {
	path := os.Getenv(importCrashEnv)
	if path == "" {
		t.Skip("helper for TestImportCrashLeavesNothing")
	}
	s, err := Open(path, Options{Author: "crash"})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	im, err := s.NewImport()
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	// Batches are written as the page comes (streamed) or at Commit
	// (spooled): either way, killed between them, nothing may show.
	im.afterBatch = func() { fmt.Println("batch") }
	if err := im.Add(importCrashOps()); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	if _, err := im.Commit(); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("done")
	select {}
}

func TestImportCrashLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "brug.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportCrashChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), importCrashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	batches := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "error") || line == "done" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child: %s after %d batches", line, batches)
		}
		if line == "batch" {
			batches++
			if batches == 3 {
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
	}
	cmd.Wait()
	if batches < 3 {
		t.Fatalf("child stopped after %d batches", batches)
	}
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer s.Close()
	if st, err := s.Stats(); err != nil || st.Ops != 0 || st.Clients != 0 {
		t.Fatalf("after the crash: %+v, %v; want nothing of the import", st, err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(path + ".import-*"); len(left) == 0 {
		t.Log("no spool left behind")
	}
	// The next sync pulls again: the import completes and cleans up.
	ops := importCrashOps()
	im, err := s.NewImport()
	if err != nil {
		t.Fatal(err)
	}
	if err := im.Add(ops); err != nil {
		t.Fatal(err)
	}
	n, err := im.Commit()
	if err != nil {
		t.Fatal(err)
	}
	im.Close()
	if left, _ := filepath.Glob(path + ".import-*"); len(left) != 0 {
		t.Fatalf("spool files left: %v", left)
	}
	if st, _ := s.Stats(); st.Ops != n || n != len(ops) {
		t.Fatalf("after the second import: %d ops stored, %d new, %d sent", st.Ops, n, len(ops))
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bImport) != nil {
			t.Error("import bucket left behind")
		}
		return nil
	})
}

// BenchmarkImportRegion imports a synthetic region shaped like the demo
// one (10,000 dossiers, 70 ops each, ids spread over the whole range, one
// prev per op on most fields) into an empty store with fsync, in pages of
// 5,000 as a pull delivers them: the store's share of an initial pull.
func BenchmarkImportRegion(b *testing.B) {
	const dossiers, perDossier = 10000, 70
	rng := rand.New(rand.NewPCG(3, 3))
	ids := make([]string, dossiers*perDossier)
	for i := range ids {
		ids[i] = NewID()
	}
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	fields := []string{"name", "team", "coaches", "birthyear", "places", "step/1/status", "step/1/check/c1", "step/2/answer/q1", "step/3/note"}
	var ops []Op
	for d := range dossiers {
		dos := NewID()
		last := map[string]string{}
		for i := range perDossier {
			f := fields[i%len(fields)]
			v := fmt.Sprintf("waarde %d van dossier %d", i, d)
			switch f {
			case "birthyear":
				v = "1990"
			case "places":
				v = "dagbesteding"
			case "step/1/status":
				v = "active"
			case "step/1/check/c1":
				v = "1"
			}
			op := Op{ID: ids[d*perDossier+i], Dossier: dos, Field: f, Value: v, HLC: MakeHLC(t0, uint16(i)), Device: "dev-a", Author: "coach"}
			if p, ok := last[f]; ok {
				op.Prev = []string{p}
			}
			last[f] = op.ID
			ops = append(ops, op)
		}
	}
	// streamed: pages of whole dossiers in ascending order, as a server
	// sends an initial pull (the dossier ids are UUIDv7s made in order);
	// spooled: pages that cut dossiers, so the import spools and merges.
	for _, c := range []struct {
		name string
		page int
	}{{"streamed", 10000 / perDossier * perDossier}, {"spooled", 5000}} {
		b.Run(c.name, func(b *testing.B) {
			var size int64
			for b.Loop() {
				b.StopTimer()
				path := filepath.Join(b.TempDir(), "brug.db")
				s, err := Open(path, Options{Author: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				im, err := s.NewImport()
				if err != nil {
					b.Fatal(err)
				}
				for i := 0; i < len(ops); i += c.page {
					if err := im.Add(ops[i:min(i+c.page, len(ops))]); err != nil {
						b.Fatal(err)
					}
				}
				if n, err := im.Commit(); err != nil || n != len(ops) {
					b.Fatalf("%d, %v", n, err)
				}
				im.Close()
				b.StopTimer()
				s.Close()
				if fi, err := os.Stat(path); err == nil {
					size = fi.Size()
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(len(ops)), "ops")
			// The file's size per dossier after the import, bbolt's pages
			// and the room it grows the file by included.
			b.ReportMetric(float64(size)/dossiers, "B/dossier")
		})
	}
}

// TestImportStreamedThenErased: a dossier the import streamed in (pages in
// server order) and then erased here, without Forget, stays out: Commit
// leaves out every trace of it, and the other dossier comes in whole.
func TestImportStreamedThenErased(t *testing.T) {
	d1, d2 := NewID(), NewID()
	if d2 < d1 {
		d1, d2 = d2, d1 // pages in ascending dossier order
	}
	a := mkOp(d1, "name", "Anna", MakeHLC(t0, 1), "dev-a")
	b := mkOp(d1, "step/1/note", "gesprek", MakeHLC(t0, 2), "dev-a", NewID())
	c := mkOp(d2, "name", "Bram", MakeHLC(t0, 3), "dev-a")
	s := openTest(t, Options{})
	im, err := s.NewImport()
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if err := im.Add([]Op{a, b}); err != nil {
		t.Fatal(err)
	}
	if err := im.Add([]Op{c}); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(d1); err != nil {
		t.Fatal(err)
	}
	if n, err := im.Commit(); err != nil || n != 1 {
		t.Fatalf("commit: %d new ops, %v; want 1", n, err)
	}
	if ops, _ := s.Ops(d1); len(ops) != 0 {
		t.Errorf("the erased dossier has %d ops", len(ops))
	}
	if got := replacedKeys(t, s); len(got) != 0 {
		t.Errorf("replaced entries of the erased dossier: %v", got)
	}
	sums, _ := s.Summaries()
	if len(sums) != 1 || sums[0].ID != d2 {
		t.Errorf("summaries %+v, want only %s", sums, d2)
	}
	if st, _ := s.Stats(); st.Ops != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestStoredHeadIsTheRoundTrip: storedHead gives what encoding a head and
// decoding it again gives, which the import relies on instead of the
// round trip.
func TestStoredHeadIsTheRoundTrip(t *testing.T) {
	id := NewID()
	for _, h := range []Head{
		{ID: id, Device: NewID(), Author: "a", Value: "v", HLC: 5},
		{ID: strings.ToUpper(id), Device: strings.ToUpper(NewID()), Author: "a", Value: "v", HLC: 5},
		{ID: id, Device: "dev-a", Author: "a", Value: "", HLC: 1},
		{ID: id, Device: "DEV-A-IS-NOT-A-UUID-BUT-36-CHARS-LONG"[:36], Author: "a", Value: "v", HLC: 1},
	} {
		back, err := decodeHeads(encodeHeads([]Head{h}))
		if err != nil {
			t.Fatal(err)
		}
		if got := storedHead(h); got != back[0] {
			t.Errorf("storedHead(%+v) = %+v, the round trip gives %+v", h, got, back[0])
		}
	}
}

// TestImportStreamsOverLocalOps: a device that worked offline before its
// first pull streams it all the same; its own ops are applied on top at
// Commit and still wait in the outbox, and the store equals one that
// applied the same ops one by one.
func TestImportStreamsOverLocalOps(t *testing.T) {
	build := func(s *Store) (string, []Op) {
		local, err := s.CreateClient(NewClient{Name: "Offline gemaakt", Team: "Noord"})
		if err != nil {
			t.Fatal(err)
		}
		ops, _ := s.Ops(local)
		return local, ops
	}
	want := openTest(t, Options{})
	got := openTest(t, Options{})
	local, localOps := build(got)
	// The same local ops on the reference store, as remote ones.
	if _, err := want.ApplyRemote(localOps); err != nil {
		t.Fatal(err)
	}
	d1, d2 := NewID(), NewID()
	if d2 < d1 {
		d1, d2 = d2, d1
	}
	var head Op
	for _, op := range localOps {
		if op.Field == "name" {
			head = op
		}
	}
	pulled := []Op{
		mkOp(d1, "name", "Anna", MakeHLC(t0, 1), "dev-b"),
		mkOp(d2, "name", "Bram", MakeHLC(t0, 2), "dev-b"),
		mkOp(local, "name", "Offline gemaakt, hernoemd", head.HLC+1, "dev-b", head.ID),
	}
	if _, err := want.ApplyRemote(pulled); err != nil {
		t.Fatal(err)
	}
	im, err := got.NewImport()
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	slices.SortFunc(pulled, func(a, b Op) int { return strings.Compare(a.Dossier, b.Dossier) })
	if err := im.Add(pulled); err != nil {
		t.Fatal(err)
	}
	if !im.st.started {
		t.Fatal("the import did not stream")
	}
	if n, err := im.Commit(); err != nil || n != len(pulled) {
		t.Fatalf("commit: %d, %v", n, err)
	}
	for _, b := range derivedBuckets {
		w, _ := want.snapshot()
		g, _ := got.snapshot()
		if !reflect.DeepEqual(w[string(b)], g[string(b)]) {
			t.Fatalf("bucket %s differs", b)
		}
	}
	if out, _, _ := got.Outbox(100); len(out) != len(localOps) {
		t.Errorf("outbox holds %d ops, want the %d made offline", len(out), len(localOps))
	}
	if c, err := got.Client(local); err != nil || c.Name.Value != "Offline gemaakt, hernoemd" {
		t.Errorf("the offline client: %+v, %v", c, err)
	}
}
