package kit

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/texts"
)

// Glyphs of a progress bar. They differ in shape, not only in colour, so a
// bar reads the same without colour (NO_COLOR, a monochrome terminal).
const (
	barFull    = '█' // a step (or part of one) done
	barPartial = '▒' // a step begun but not done
	barEmpty   = '░' // nothing ticked yet
)

// ProgressBar renders one cell per step, in exactly width cells: a step at
// 100% is full, one begun is partly filled, one not begun is empty. With
// room for it, each step gets several cells (filled in proportion) and a
// space between steps. With one step it is a plain proportional bar.
func ProgressBar(st *Styles, pcts []uint8, width int) string {
	plain := ProgressCells(pcts, width)
	// Style runs of the same kind together: a handful of renders per bar.
	var b strings.Builder
	var run strings.Builder
	runFull := false
	flush := func() {
		if run.Len() == 0 {
			return
		}
		if runFull {
			b.WriteString(st.BarFull.Render(run.String()))
		} else {
			b.WriteString(st.BarEmpty.Render(run.String()))
		}
		run.Reset()
	}
	for _, r := range plain {
		if r != ' ' {
			full := r != barEmpty
			if full != runFull {
				flush()
				runFull = full
			}
		}
		run.WriteRune(r)
	}
	flush()
	return b.String()
}

// ProgressCells is progressBar without styles, for a row that is styled as
// a whole (the selected row).
func ProgressCells(pcts []uint8, width int) string {
	n := len(pcts)
	if n == 0 || width <= 0 {
		return strings.Repeat(" ", max(0, width))
	}
	gap := 0
	if n > 1 && width >= 2*n+(n-1) {
		gap = 1
	}
	cw := max(1, (width-gap*(n-1))/n)
	var b strings.Builder
	b.Grow(width * 3)
	used := 0
	for i, p := range pcts {
		if i > 0 && gap > 0 {
			b.WriteByte(' ')
			used++
		}
		pct := int(min(p, 100))
		full := pct * cw / 100
		partial := pct > 0 && pct < 100 && full*100 < pct*cw
		if pct > 0 && pct < 100 && full == cw {
			full, partial = cw-1, true
		}
		for j := 0; j < cw; j++ {
			switch {
			case j < full:
				b.WriteRune(barFull)
			case j == full && partial:
				b.WriteRune(barPartial)
			default:
				b.WriteRune(barEmpty)
			}
		}
		used += cw
	}
	if used < width {
		b.WriteString(strings.Repeat(" ", width-used))
	}
	return b.String()
}

// StepCells is the bar of a summary: a step before the current one is
// done (full) whatever its checklist says; the others show how much of the
// checklist is ticked.
func StepCells(s *store.Summary, n int, buf []uint8) []uint8 {
	for i := range n {
		var p uint8
		if i < len(s.Progress) {
			p = s.Progress[i]
		}
		if i < s.CurrentStep-1 || s.StepsDone >= n {
			p = 100
		}
		buf = append(buf, p)
	}
	return buf
}

// PlaceLabel is the display name of a place; an unknown code shows as is.
func PlaceLabel(t *texts.Texts, p store.Place) string {
	if p == "" {
		return ""
	}
	if k := "place." + string(p); t.Has(k) {
		return t.S(k)
	}
	return string(p)
}

// PlacesLabel is the display of a comma-separated list of places, such as
// one foot in day activities and one in work.
func PlacesLabel(t *texts.Texts, list string) string {
	ps := store.SplitList(list)
	if len(ps) == 0 {
		return ""
	}
	labels := make([]string, len(ps))
	for i, p := range ps {
		labels[i] = PlaceLabel(t, store.Place(p))
	}
	return strings.Join(labels, t.S("places.sep"))
}

// BenefitLabel is the display name of a benefit code (store.Benefits).
func BenefitLabel(t *texts.Texts, code string) string {
	if k := "benefit." + code; t.Has(k) {
		return t.S(k)
	}
	return code
}

// StepStatusLabel is the display name of a step status.
func StepStatusLabel(t *texts.Texts, s store.StepStatus) string {
	if k := "stepstatus." + string(s); t.Has(k) {
		return t.S(k)
	}
	return string(s)
}

// FormatDate shows a day (YYYY-MM-DD) as "4 mrt 2025" (Dutch) or
// "4 Mar 2025" (English). An empty day is empty; anything else that is not
// a day shows as is.
func FormatDate(t *texts.Texts, day string) string {
	if len(day) != len("2006-01-02") || day[4] != '-' || day[7] != '-' {
		return day
	}
	y, err1 := strconv.Atoi(day[:4])
	m, err2 := strconv.Atoi(day[5:7])
	d, err3 := strconv.Atoi(day[8:])
	if err1 != nil || err2 != nil || err3 != nil || m < 1 || m > 12 || d < 1 || d > 31 {
		return day
	}
	return t.F("date.format", d, t.S("month."+strconv.Itoa(m)), y)
}

// DateWidth is the widest formatDate can be in t's language.
func DateWidth(t *texts.Texts) int {
	w := 0
	for m := 1; m <= 12; m++ {
		w = max(w, ansi.StringWidth(t.F("date.format", 28, t.S("month."+strconv.Itoa(m)), 2000)))
	}
	return w
}

// FormatCount writes n with the language's thousands separator
// (10.000 in Dutch, 10,000 in English).
func FormatCount(t *texts.Texts, n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	sep := t.S("num.thousands")
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// fit cuts s (which may hold styles) to w cells with an ellipsis, and pads
// it with spaces to exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// FirstLine is the first line of a text, without trailing spaces.
func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimRight(s, " \t\r")
}

// FitTail is Fit for names that often share their start, such as teams
// ("Wijkteam Oost", "Wijkteam Zuid-West"): cut, it keeps the end, which
// tells them apart. It drops whole leading words where that is enough
// ("…Zuid-West"), else the first cells ("…uid-West"). Plain text only.
func FitTail(s string, w int) string {
	sw := ansi.StringWidth(s)
	if w <= 1 || sw <= w {
		return Fit(s, w)
	}
	words := strings.Fields(s)
	for i := 1; i < len(words); i++ {
		if rest := "…" + strings.Join(words[i:], " "); ansi.StringWidth(rest) <= w {
			return Fit(rest, w)
		}
	}
	return Fit("…"+ansi.TruncateLeft(s, sw-(w-1), ""), w)
}

// FitParts joins parts with sep as far as they fit in w cells, leaving
// out whole parts from the end rather than cutting one in the middle; a
// first part wider than w is cut. The result is padded to w cells.
func FitParts(parts []string, sep string, w int) string {
	out := ""
	for i, p := range parts {
		next := p
		if i > 0 {
			next = out + sep + p
		}
		if ansi.StringWidth(next) > w {
			if i == 0 {
				return Fit(p, w)
			}
			break
		}
		out = next
	}
	return Fit(out, w)
}

// WrapBox wraps s to w cells per line and at most h lines, so a message
// fits in any window (the last line cut with an ellipsis when the text is
// longer still).
func WrapBox(s string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := strings.Split(ansi.Hardwrap(ansi.Wordwrap(s, w, " "), w, true), "\n")
	if len(lines) > h {
		lines = lines[:h]
		last := strings.TrimRight(lines[h-1], " ")
		if ansi.StringWidth(last) >= w {
			last = ansi.Truncate(last, w-1, "")
		}
		lines[h-1] = last + "…"
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
