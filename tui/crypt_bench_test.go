package tui_test

import (
	"os"
	"testing"

	"github.com/brug-nl/brug/store/demo"
)

// The benchmarks of bench_test.go on the same region encrypted at rest,
// to read side by side with them. (BenchmarkListFilterKeystroke filters
// summaries in memory and reads no file: encryption does not reach it.)

func benchEncRegionPath(tb testing.TB) string {
	tb.Helper()
	path, err := demo.CachedEncryptedRegion(os.TempDir(), 10000, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

func BenchmarkOpenFirstFrameEncrypted(b *testing.B) {
	path := benchEncRegionPath(b)
	benchFirstFrame(b, path, demo.RegionEncryption(path))
}

func BenchmarkPeakMemoryEncrypted(b *testing.B) {
	benchPeakMemory(b, benchEncRegionPath(b), true)
}
