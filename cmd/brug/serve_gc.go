package main

import (
	"errors"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
)

// The Go collector's settings for brug serve (docs/operations.md,
// "Memory and the collector"). When 200 devices sync at once, the server
// makes some 50 MB of short-lived garbage in a fraction of a second, and
// with Go's default (GOGC=100) the collector ran several times a burst,
// about a fifth of its CPU on two cores. The server collects less often
// by default (--gc-percent 400), and a soft limit on Go's memory
// (--memory-limit 256MiB) makes it collect sooner whenever the heap nears
// it, so memory stays bounded on a small machine.

const (
	defaultGCPercent   = 400
	defaultMemoryLimit = 256 << 20
	// minMemoryLimit is the least limit taken: below it the collector
	// would run without pause ("12" meant as 12GiB, say), a server that
	// hardly answers.
	minMemoryLimit = 16 << 20
)

// The flags' errors; serve tells them in the user's language
// (serve.gcpercent, serve.memorylimit).
var (
	errGCPercent   = errors.New("bad --gc-percent")
	errMemoryLimit = errors.New("bad --memory-limit")
)

// gcSettings are the collector settings serve applies.
type gcSettings struct {
	percent    int   // GOGC; applied when setPercent
	limit      int64 // GOMEMLIMIT in bytes, 0 for none; applied when setLimit
	setPercent bool
	setLimit   bool
}

// chooseGC decides the collector settings from the flags (percent and
// limit as given, and whether each was given) and the environment: an
// explicit flag wins, then GOGC or GOMEMLIMIT in the environment (which
// the Go runtime has applied already), then brug's defaults.
func chooseGC(percent int, percentSet bool, limit string, limitSet bool, getenv func(string) string) (gcSettings, error) {
	var g gcSettings
	switch {
	case percentSet:
		if percent < 1 {
			return g, errGCPercent
		}
		g.percent, g.setPercent = percent, true
	case getenv("GOGC") == "":
		g.percent, g.setPercent = defaultGCPercent, true
	}
	switch {
	case limitSet:
		n, err := parseMemorySize(limit)
		if err != nil {
			return g, err
		}
		g.limit, g.setLimit = n, true
	case getenv("GOMEMLIMIT") == "":
		g.limit, g.setLimit = defaultMemoryLimit, true
	}
	return g, nil
}

// parseMemorySize reads a size as GOMEMLIMIT writes it: a whole number of
// bytes with an optional unit B, KiB, MiB, GiB or TiB, of at least
// minMemoryLimit; 0 or "off" is no limit.
func parseMemorySize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "off" || t == "0" {
		return 0, nil
	}
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"B", 1}} {
		if num, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = num, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult || n*mult < minMemoryLimit {
		return 0, errMemoryLimit
	}
	return n * mult, nil
}

// applyGC applies g to this process.
func applyGC(g gcSettings) {
	if g.setPercent {
		debug.SetGCPercent(g.percent)
	}
	if g.setLimit {
		limit := g.limit
		if limit == 0 {
			limit = math.MaxInt64 // no limit
		}
		debug.SetMemoryLimit(limit)
	}
}
