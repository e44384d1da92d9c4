package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
)

// benchRegion returns a writable copy of the 10,000-client demo region
// (about 70 ops per client), generated once into the OS temp dir.
func benchRegion(b *testing.B) string {
	b.Helper()
	src, err := demo.CachedRegion(os.TempDir(), 10000, 1)
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), "brug.db")
	if err := demo.CopyRegion(src, dst); err != nil {
		b.Fatal(err)
	}
	return dst
}

// BenchmarkToggleCheck measures one checklist toggle committed with fsync,
// as a coach's keystroke makes it: op appended, heads, client document,
// summary, due index and outbox updated in one transaction.
// Goal: under 2 ms on the 10,000-client region.
func BenchmarkToggleCheck(b *testing.B) {
	path := benchRegion(b)
	s, err := store.Open(path, store.Options{Author: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sums, err := s.Summaries()
	if err != nil || len(sums) == 0 {
		b.Fatalf("no clients: %v", err)
	}
	st, _ := s.Stats()
	b.ReportMetric(float64(st.Ops)/float64(st.Clients), "ops/client")
	id := sums[len(sums)/2].ID
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.ToggleCheck(id, 1+i%6, "c1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenSummaries measures opening the region file and reading every
// list summary: the store's share of the first frame of the client list.
func BenchmarkOpenSummaries(b *testing.B) {
	path := benchRegion(b)
	for b.Loop() {
		s, err := store.Open(path, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		sums, err := s.Summaries()
		if err != nil || len(sums) != 10000 {
			b.Fatalf("%d summaries: %v", len(sums), err)
		}
		s.Close()
	}
}
