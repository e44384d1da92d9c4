package plan

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/brug-nl/brug/store/method"
)

// chromium finds a headless-capable Chromium on PATH, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH: the plan's HTML is not checked in a real browser (Debian: apt-get install chromium; .ci/run installs it)")
	return ""
}

// runChromium runs Chromium headless on page with args, in a fresh
// profile, and fails the test on an error or after a minute.
func runChromium(t *testing.T, bin, page string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	all := append([]string{"--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
		"--disable-extensions", "--disable-background-networking", "--user-data-dir=" + t.TempDir()}, args...)
	if os.Geteuid() == 0 {
		all = append(all, "--no-sandbox") // Chromium refuses to run as root with its sandbox (CI containers)
	}
	cmd := exec.CommandContext(ctx, bin, append(all, "file://"+page)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, out)
	}
}

// rePage counts page objects, not the /Pages tree node.
var (
	rePage     = regexp.MustCompile(`/Type\s*/Page\b[^s]`)
	reMediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]`)
)

// TestPlanInBrowser prints the plan's HTML to PDF and takes a screenshot
// in headless Chromium: the PDF holds the plan on one or two A4 pages, and
// the screenshot is a PNG of the asked size with text on it.
func TestPlanInBrowser(t *testing.T) {
	bin := chromium(t)
	c := sample(t, "Zoë Çelik-Brandsmaë")
	b, err := Build(c, method.Default(), "nl", planDay).HTML()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "plan.html")
	if err := os.WriteFile(page, b, 0o600); err != nil {
		t.Fatal(err)
	}

	pdf := filepath.Join(dir, "plan.pdf")
	runChromium(t, bin, page, "--print-to-pdf="+pdf, "--no-pdf-header-footer")
	data, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatalf("no PDF: %v", err)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("plan.pdf is not a PDF: %q", data[:min(len(data), 16)])
	}
	if n := len(rePage.FindAll(data, -1)); n < 1 || n > 2 {
		t.Errorf("the printed plan has %d pages, want 1 or 2", n)
	}
	// The page is A4 (595 x 842 points), as the print styles ask.
	boxes := reMediaBox.FindAllSubmatch(data, -1)
	if len(boxes) == 0 {
		t.Error("the PDF names no page size (MediaBox)")
	}
	for _, m := range boxes {
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		if math.Abs(w-595.3) > 2 || math.Abs(h-841.9) > 2 {
			t.Errorf("a page is %.1f x %.1f points, not A4", w, h)
		}
	}

	// An A4 page at 96 dpi.
	const w, h = 794, 1123
	shot := filepath.Join(dir, "plan.png")
	runChromium(t, bin, page, "--screenshot="+shot, "--window-size=794,1123", "--hide-scrollbars")
	if out := os.Getenv("BRUG_PLAN_SCREENSHOT"); out != "" {
		// Keep a copy to look at by eye.
		if b, err := os.ReadFile(shot); err == nil {
			_ = os.WriteFile(out, b, 0o600)
		}
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != (image.Point{w, h}) {
		t.Errorf("screenshot is %v, want %dx%d", got, w, h)
	}
	// Not blank: a good share of dark (text) pixels on a light page, in
	// the top half (title, intro, goal) and the bottom half (the rest).
	for _, half := range []image.Rectangle{image.Rect(0, 0, w, h/2), image.Rect(0, h/2, w, h)} {
		dark, all := 0, 0
		for y := half.Min.Y; y < half.Max.Y; y++ {
			for x := half.Min.X; x < half.Max.X; x++ {
				r, g, b, _ := img.At(x, y).RGBA()
				if (r+g+b)/3 < 0x8000 {
					dark++
				}
				all++
			}
		}
		if share := float64(dark) / float64(all); share < 0.005 || share > 0.5 {
			t.Errorf("%v of the screenshot is %.1f%% dark: blank, or not a page of text", half, 100*share)
		}
	}
}
