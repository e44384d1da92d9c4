//go:build unix

package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestBackgroundQueryDoesNotWaitLong: a terminal that answers neither the
// colour nor the cursor query (some SSH clients) costs bgTimeout, not
// termenv's 5 s; one that answers is read.
func TestBackgroundQueryDoesNotWaitLong(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()

	start := time.Now()
	if _, ok := queryBackground(tty, "xterm-256color", bgTimeout); ok {
		t.Fatal("a silent terminal answered")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("a silent terminal held the start for %s", d)
	}

	// A light terminal: it answers once it has read the query.
	done := make(chan struct{})
	go func() {
		defer close(done)
		var got []byte
		buf := make([]byte, 64)
		for !bytes.Contains(got, []byte("\x1b[6n")) {
			n, err := ptmx.Read(buf)
			if err != nil {
				return
			}
			got = append(got, buf[:n]...)
		}
		_, _ = ptmx.Write([]byte("\x1b]11;rgb:ffff/fefe/f0f0\x07\x1b[12;1R"))
	}()
	dark, ok := queryBackground(tty, "xterm-256color", 5*time.Second)
	<-done
	if !ok || dark {
		t.Errorf("light terminal: dark=%v ok=%v", dark, ok)
	}
	if _, ok := queryBackground(tty, "tmux-256color", bgTimeout); ok {
		t.Error("a multiplexer's terminal was asked")
	}
}

func TestBackgroundFromEnv(t *testing.T) {
	for _, c := range []struct {
		env      map[string]string
		dark, ok bool
	}{
		{map[string]string{"BRUG_BACKGROUND": "light"}, false, true},
		{map[string]string{"BRUG_BACKGROUND": "dark", "COLORFGBG": "0;15"}, true, true},
		{map[string]string{"COLORFGBG": "15;0"}, true, true},
		{map[string]string{"COLORFGBG": "0;15"}, false, true},
		{map[string]string{"COLORFGBG": "0;default;7"}, false, true},
		{map[string]string{}, false, false},
	} {
		dark, ok := backgroundFromEnv(func(k string) string { return c.env[k] })
		if dark != c.dark || ok != c.ok {
			t.Errorf("%v: dark=%v ok=%v, want %v %v", c.env, dark, ok, c.dark, c.ok)
		}
	}
	if dark, ok := parseBackground([]byte("\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\")); !dark || !ok {
		t.Errorf("dark grey: dark=%v ok=%v", dark, ok)
	}
}
