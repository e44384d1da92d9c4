package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/lipgloss"
)

// bgTimeout is how long brug waits for the terminal to say its background
// colour. termenv (under lipgloss) waits 5 s for a terminal that answers
// neither the colour nor the cursor query, as some SSH clients do; the
// first frame stood still that long (issue 12). A terminal that answers
// does so in milliseconds; over a slow link BRUG_BACKGROUND settles it.
const bgTimeout = 400 * time.Millisecond

var settleOnce sync.Once

// settleBackground decides once, before the first frame, whether the
// terminal's background is dark, and tells lipgloss, so that lipgloss
// never asks the terminal itself: BRUG_BACKGROUND (dark or light) first,
// then COLORFGBG, then a query with a short wait; without an answer brug
// takes dark, as termenv does.
func settleBackground(tty *os.File, getenv func(string) string) {
	settleOnce.Do(func() {
		dark, ok := backgroundFromEnv(getenv)
		if !ok {
			dark, ok = queryBackground(tty, getenv("TERM"), bgTimeout)
		}
		lipgloss.SetHasDarkBackground(dark || !ok)
	})
}

// backgroundFromEnv reads BRUG_BACKGROUND and COLORFGBG ("15;0": white on
// black; the last field is the background's colour number).
func backgroundFromEnv(getenv func(string) string) (dark, ok bool) {
	switch strings.ToLower(strings.TrimSpace(getenv("BRUG_BACKGROUND"))) {
	case "dark":
		return true, true
	case "light":
		return false, true
	}
	if v := getenv("COLORFGBG"); v != "" {
		f := strings.Split(v, ";")
		if n, err := strconv.Atoi(f[len(f)-1]); err == nil {
			return n != 7 && n < 9, true // 7 and 9-15 are the light colours
		}
	}
	return false, false
}

var oscBackground = regexp.MustCompile(`\x1b\]11;rgb:([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})`)

// parseBackground reads a terminal's answer to OSC 11 and reports whether
// the colour is dark.
func parseBackground(answer []byte) (dark, ok bool) {
	m := oscBackground.FindSubmatch(answer)
	if m == nil {
		return false, false
	}
	var lum float64
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(string(m[i+1]), 16, 32)
		lum += weight * float64(v) / float64(uint64(1)<<(4*len(m[i+1]))-1)
	}
	return lum < 0.5, true
}

// cprEnd finds the end of the cursor position report (ESC [ row ; col R)
// that follows the colour's answer; every terminal answers that one.
func cprEnd(b []byte) bool {
	i := bytes.LastIndex(b, []byte("\x1b["))
	return i >= 0 && bytes.IndexByte(b[i:], 'R') > 0
}
