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

func firstFrameEncrypted(tb testing.TB, path string) (string, *store.Store) {
	s, err := store.Open(path, store.Options{ReadOnly: true, Encryption: demo.RegionEncryption(path)})
	if err != nil {
		tb.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	m := tui.New(tui.Options{Store: s, Method: s.Method(), Renderer: r, User: "bench"})
	var model tea.Model = m
	model, _ = model.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	if cmd := m.Init(); cmd != nil {
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

func BenchmarkOpenFirstFrameEncrypted(b *testing.B) {
	path := benchEncRegionPath(b)
	for b.Loop() {
		view, s := firstFrameEncrypted(b, path)
		if !strings.Contains(view, "10.000") && !strings.Contains(view, "10000") {
			b.Fatalf("first frame does not count 10,000 clients:\n%s", view)
		}
		s.Close()
	}
}

const peakEncChildEnv = "BRUG_PEAK_ENC_CHILD"

// TestPeakMemoryEncryptedChild is the child of BenchmarkPeakMemoryEncrypted.
func TestPeakMemoryEncryptedChild(t *testing.T) {
	path := os.Getenv(peakEncChildEnv)
	if path == "" {
		t.Skip("helper for BenchmarkPeakMemoryEncrypted")
	}
	view, s := firstFrameEncrypted(t, path)
	defer s.Close()
	if view == "" {
		t.Fatal("empty frame")
	}
	fmt.Printf("peak-rss-kib %d\n", procStatus(t, "VmHWM:"))
}

func BenchmarkPeakMemoryEncrypted(b *testing.B) {
	path := benchEncRegionPath(b)
	if runtime.GOOS != "linux" {
		b.Skip("reads /proc; Linux only")
	}
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPeakMemoryEncryptedChild$", "-test.v")
		cmd.Env = append(os.Environ(), peakEncChildEnv+"="+filepath.Clean(path))
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "peak-rss-kib" {
				kib, _ := strconv.Atoi(f[1])
				b.ReportMetric(float64(kib)/1024, "peak-MiB")
			}
		}
	}
}
