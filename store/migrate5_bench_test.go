package store_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

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

// BenchmarkMigrateRegion4to5Encrypted opens a plain schema 4 file of the
// region with encryption on, as a coach's laptop does on its first run of
// a brug with schema 5: the upgrade rewrites the file (migrate5), then the
// encryption rewrites it again (encryptFile). It reports the time of each
// pass, told apart by their progress callbacks, and the size per dossier.
func BenchmarkMigrateRegion4to5Encrypted(b *testing.B) {
	src := os.Getenv("BRUG_BENCH_SCHEMA4")
	if src == "" {
		b.Skip("set BRUG_BENCH_SCHEMA4 to a schema 4 file of the region")
	}
	for b.Loop() {
		b.StopTimer()
		dst := filepath.Join(b.TempDir(), "brug.db")
		if err := demo.CopyRegion(src, dst); err != nil {
			b.Fatal(err)
		}
		var migrated, encStart time.Time
		enc := &store.Encryption{Keyring: store.KeyFile{Name: dst + ".key"}, Progress: func(done, total int) {
			if encStart.IsZero() {
				encStart = time.Now()
			}
		}}
		opt := store.Options{Encryption: enc, Progress: func(done, total int64) {
			if done >= total {
				migrated = time.Now()
			}
		}}
		b.StartTimer()
		start := time.Now()
		s, err := store.Open(dst, opt)
		if err != nil {
			b.Fatal(err)
		}
		end := time.Now()
		b.StopTimer()
		if migrated.IsZero() || encStart.IsZero() || !s.Encrypted() {
			b.Fatal("the open did not upgrade and encrypt the file")
		}
		st, _ := s.Stats()
		s.Close()
		fi, _ := os.Stat(dst)
		b.ReportMetric(float64(migrated.Sub(start).Milliseconds()), "ms-migrate")
		b.ReportMetric(float64(end.Sub(migrated).Milliseconds()), "ms-encrypt")
		b.ReportMetric(float64(fi.Size())/float64(st.Clients), "B/dossier-after")
		b.StartTimer()
	}
}
