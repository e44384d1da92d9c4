package store_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
)

// The benchmarks of bench_test.go on the same region encrypted at rest,
// to read side by side with them (go test -bench 'ToggleCheck|OpenSummaries').

func benchEncRegion(b *testing.B) (string, *store.Encryption) {
	b.Helper()
	src, err := demo.CachedEncryptedRegion(os.TempDir(), 10000, 1)
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), "brug.db")
	if err := demo.CopyRegion(src, dst); err != nil {
		b.Fatal(err)
	}
	return dst, demo.RegionEncryption(src)
}

func BenchmarkToggleCheckEncrypted(b *testing.B) {
	path, enc := benchEncRegion(b)
	s, err := store.Open(path, store.Options{Author: "bench", Encryption: enc})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sums, err := s.Summaries()
	if err != nil || len(sums) == 0 {
		b.Fatalf("no clients: %v", err)
	}
	id := sums[len(sums)/2].ID
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.ToggleCheck(id, 1+i%6, "c1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenSummariesEncrypted(b *testing.B) {
	path, enc := benchEncRegion(b)
	for b.Loop() {
		s, err := store.Open(path, store.Options{Encryption: enc})
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

// BenchmarkEncryptRegion measures encrypting the plain 10,000-client
// region on its first open (the rewrite, with fsync). Run with
// -benchtime=1x.
func BenchmarkEncryptRegion(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		path := benchRegion(b)
		enc := &store.Encryption{Keyring: store.KeyFile{Name: path + ".key"}}
		b.StartTimer()
		start := time.Now()
		s, err := store.Open(path, store.Options{Encryption: enc})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/region")
		s.Close()
	}
}
