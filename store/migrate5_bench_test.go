package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
)

// BenchmarkMigrateRegion4to5 opens a schema 4 file of the 10,000-client
// demo region, which rewrites it as schema 5 (migrate5.go), and reports
// the file's size per dossier before and after. A schema 4 file comes
// from an older brug: set BRUG_BENCH_SCHEMA4 to one (a brug of before
// schema 5 makes it with its BenchmarkOpenSummaries, in the temp dir).
func BenchmarkMigrateRegion4to5(b *testing.B) {
	src := os.Getenv("BRUG_BENCH_SCHEMA4")
	if src == "" {
		b.Skip("set BRUG_BENCH_SCHEMA4 to a schema 4 file of the region")
	}
	var before, after int64
	for b.Loop() {
		b.StopTimer()
		dst := filepath.Join(b.TempDir(), "brug.db")
		if err := demo.CopyRegion(src, dst); err != nil {
			b.Fatal(err)
		}
		fi, _ := os.Stat(dst)
		before = fi.Size()
		b.StartTimer()
		s, err := store.Open(dst, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st, _ := s.Stats()
		s.Close()
		fi, _ = os.Stat(dst)
		after = fi.Size()
		b.ReportMetric(float64(before)/float64(st.Clients), "B/dossier-before")
		b.ReportMetric(float64(after)/float64(st.Clients), "B/dossier-after")
		b.StartTimer()
	}
}
