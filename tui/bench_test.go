package tui_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
	"github.com/brug-nl/brug/tui"
)

// benchRegionPath is the 10,000-client demo region (about 70 ops each),
// generated once into the OS temp dir and shared by the benchmarks.
func benchRegionPath(tb testing.TB) string {
	tb.Helper()
	path, err := demo.CachedRegion(os.TempDir(), 10000, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

// firstFrame opens the file (encrypted with enc, or plain when nil),
// builds the app, runs the list's load command and renders the first
// frame at 200x50, as `brug` does on start.
func firstFrame(tb testing.TB, path string, enc *store.Encryption) (string, *store.Store) {
	s, err := store.Open(path, store.Options{ReadOnly: true, Encryption: enc})
	if err != nil {
		tb.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	m := tui.New(tui.Options{Store: s, Method: s.Method(), Renderer: r, User: "bench"})
	var model tea.Model = m
	model, _ = model.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	if cmd := m.Init(); cmd != nil {
		// Init batches the first screen's load with the sync footer's.
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				if c != nil {
					model, _ = model.Update(c())
				}
			}
		} else {
			model, _ = model.Update(msg)
		}
	}
	return model.View(), s
}

// BenchmarkOpenFirstFrame: open the region file and render the first frame
// of the client list. Goal: under 50 ms.
func BenchmarkOpenFirstFrame(b *testing.B) {
	benchFirstFrame(b, benchRegionPath(b), nil)
}

func benchFirstFrame(b *testing.B, path string, enc *store.Encryption) {
	for b.Loop() {
		view, s := firstFrame(b, path, enc)
		if !strings.Contains(view, "10.000") && !strings.Contains(view, "10000") {
			b.Fatalf("first frame does not count 10,000 clients:\n%s", view)
		}
		s.Close()
	}
}

// The child of the peak memory benchmarks reads the region at the path
// peakChildEnv names, encrypted when peakEncEnv is set.
const (
	peakChildEnv = "BRUG_PEAK_CHILD"
	peakEncEnv   = "BRUG_PEAK_ENCRYPTED"
)

// TestPeakMemoryChild is the child of BenchmarkPeakMemory: it opens the
// region, renders the first frame, and prints its peak resident memory.
func TestPeakMemoryChild(t *testing.T) {
	path := os.Getenv(peakChildEnv)
	if path == "" {
		t.Skip("helper for BenchmarkPeakMemory")
	}
	var enc *store.Encryption
	if os.Getenv(peakEncEnv) != "" {
		enc = demo.RegionEncryption(path)
	}
	view, s := firstFrame(t, path, enc)
	defer s.Close()
	if view == "" {
		t.Fatal("empty frame")
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("peak-rss-kib %d\nanon-kib %d\nfile-kib %d\nheap-inuse %d\n",
		procStatus(t, "VmHWM:"), procStatus(t, "RssAnon:"), procStatus(t, "RssFile:"), ms.HeapInuse)
}

// procStatus reads a kB figure from /proc/self/status.
func procStatus(t testing.TB, field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status on this system")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Skip("no " + field + " in /proc/self/status")
	return 0
}

// BenchmarkPeakMemory reports the peak resident memory (VmHWM) of a fresh
// process that opens the 10,000-client region and renders the list, and
// splits the resident set into anonymous memory (the Go heap and runtime)
// and file-backed pages of the memory-mapped database. The latter is page
// cache: on a file fragmented by many commits the kernel's fault-around maps
// neighbouring cached pages of other buckets too, so it depends on the
// file's layout and on what the cache holds. Goal: under 60 MiB.
func BenchmarkPeakMemory(b *testing.B) {
	benchPeakMemory(b, benchRegionPath(b), false)
}

func benchPeakMemory(b *testing.B, path string, encrypted bool) {
	if runtime.GOOS != "linux" {
		b.Skip("reads /proc; Linux only")
	}
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPeakMemoryChild$", "-test.v")
		cmd.Env = append(os.Environ(), peakChildEnv+"="+filepath.Clean(path))
		if encrypted {
			cmd.Env = append(cmd.Env, peakEncEnv+"=1")
		}
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 2 && f[0] == "peak-rss-kib" {
				kib, _ := strconv.Atoi(f[1])
				b.ReportMetric(float64(kib)/1024, "peak-MiB")
			}
			if len(f) == 2 && (f[0] == "anon-kib" || f[0] == "file-kib") {
				kib, _ := strconv.Atoi(f[1])
				b.ReportMetric(float64(kib)/1024, strings.TrimSuffix(f[0], "-kib")+"-MiB")
			}
			if len(f) == 2 && f[0] == "heap-inuse" {
				n, _ := strconv.Atoi(f[1])
				b.ReportMetric(float64(n)/(1<<20), "heap-MiB")
			}
		}
	}
}
