package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// lockedBuffer is a bytes.Buffer safe for the spinner's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestProgressLine: on a terminal the bar moves (at most ten times a
// second, always at the end) and the spinner turns until Done clears the
// line; elsewhere nothing is written.
func TestProgressLine(t *testing.T) {
	var out lockedBuffer
	p := newProgressLine(&out, true, "")
	p.Set(5, 10, "5 van 10")
	p.Set(6, 10, "6 van 10") // within the tenth of a second: not drawn
	p.Set(10, 10, "10 van 10")
	p.Done()
	s := out.String()
	if !strings.Contains(s, "█") || !strings.Contains(s, "5 van 10") || strings.Contains(s, "6 van 10") || !strings.Contains(s, "10 van 10") {
		t.Errorf("bar output %q", s)
	}
	if !strings.HasSuffix(s, "\r"+ansi.EraseEntireLine) {
		t.Errorf("Done does not clear the line: %q", s)
	}

	var spun lockedBuffer
	sp := newProgressLine(&spun, true, "Synchroniseren…")
	sp.Spin()
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(spun.String(), "Synchroniseren…") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the spinner did not turn: %q", spun.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	sp.Done()
	after := spun.String()
	if !strings.HasSuffix(after, "\r"+ansi.EraseEntireLine) {
		t.Errorf("Done does not clear the spinner's line: %q", after)
	}

	var off lockedBuffer
	q := newProgressLine(&off, false, "x")
	q.Set(1, 2, "1 van 2")
	q.Spin()
	q.Done()
	if off.String() != "" {
		t.Errorf("off a terminal the line wrote %q", off.String())
	}
}
