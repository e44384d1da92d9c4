// Package coord is the coordinator's screens over many dossiers: the
// team overview and the review queue. Opening a dossier or a review is a
// message to the root (kit.OpenMsg).
package coord

import (
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/texts"
)

// This file holds the coordinator screens' shared parts: team.go has the
// team overview, queue.go the review queue; the review of one step and the
// comment of a send back are tui/dossier's review.go and sendback.go. All of them read list summaries only, so opening
// them never reads (and, on a server, audits) every dossier.

// coordIdleWarn is the number of days without any change after which a
// client counts as stuck and its idle days are marked.
const coordIdleWarn = 28

// refusalCounter is what a server session's store adds: how many changes
// the server refused, per dossier. A laptop's store does not know, and the
// overview then shows a dash.
type refusalCounter interface {
	RefusedPerDossier() (map[string]int, error)
}

// inTeams reports whether a client of team belongs to the user's teams;
// with no teams known (no server) every client does.
func inTeams(teams []string, team string) bool {
	return len(teams) == 0 || slices.Contains(teams, team)
}

// sharedIn reports whether client s, of a team that is not one of teams,
// is shared with one of them today (store.Access): a coordinator reviews
// the dossiers shared with their teams too (issue 11). Only a summary
// with a standing share (ShareEnds) is read whole, so a list without
// shares reads nothing more.
func sharedIn(st kit.Store, s *store.Summary, teams []string, today string) bool {
	if len(teams) == 0 || len(s.ShareEnds) == 0 || s.ShareEnds[len(s.ShareEnds)-1] < today {
		return false
	}
	c, err := st.Client(s.ID)
	if err != nil {
		return false
	}
	d := c.AccessState()
	for _, t := range teams {
		if store.Access(d, store.TeamRef{ID: t}, today).Read {
			return true
		}
	}
	return false
}

// daysSince is the number of whole days from h to now, -1 when h is unset.
func daysSince(now time.Time, h store.HLC) int {
	if h == 0 {
		return -1
	}
	return max(0, int(now.Sub(h.Time()).Hours()/24))
}

// teamFilter is the team picked on a coordinator screen; t cycles through
// the user's teams (or, without a server, the teams seen) and back to all.
type teamFilter struct {
	teams []string
	cur   int // index into teams; -1 is all teams
}

// setTeams replaces the choices, keeping the picked team when it is still
// one of them.
func (f *teamFilter) setTeams(teams []string) {
	picked := f.picked()
	f.teams, f.cur = teams, -1
	if i := slices.Index(teams, picked); i >= 0 && picked != "" {
		f.cur = i
	}
}

func (f *teamFilter) picked() string {
	if f.cur < 0 || f.cur >= len(f.teams) {
		return ""
	}
	return f.teams[f.cur]
}

func (f *teamFilter) next() {
	f.cur++
	if f.cur >= len(f.teams) {
		f.cur = -1
	}
}

func (f *teamFilter) match(team string) bool { return f.cur < 0 || f.picked() == team }

// label names the pick in the user's language.
func (f *teamFilter) label(t *texts.Texts) string {
	if f.cur < 0 {
		return t.S("coord.team.all")
	}
	if f.picked() == "" {
		return t.S("coord.team.none")
	}
	return f.picked()
}

// teamChoices are the teams a filter cycles through: the user's, or the
// distinct teams of the rows, sorted.
func teamChoices(ctx *kit.Context, rowTeams func(yield func(string) bool)) []string {
	if len(ctx.Teams) > 0 {
		out := slices.Clone(ctx.Teams)
		slices.Sort(out)
		return out
	}
	seen := map[string]bool{}
	var out []string
	for t := range rowTeams {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// tableNav is a cursor over n rows with vis of them on screen.
type tableNav struct{ cursor, offset int }

func (n *tableNav) move(delta, rows, vis int) {
	n.cursor = max(0, min(rows-1, n.cursor+delta))
	n.scroll(rows, vis)
}

// scroll keeps the cursor on screen and the window filled.
func (n *tableNav) scroll(rows, vis int) {
	n.cursor = max(0, min(n.cursor, rows-1))
	if n.cursor < n.offset {
		n.offset = n.cursor
	}
	if n.cursor >= n.offset+vis {
		n.offset = n.cursor - vis + 1
	}
	n.offset = max(0, min(n.offset, rows-vis))
}

// navKey moves the cursor for the usual movement keys and reports whether
// the key was one of them.
func (n *tableNav) navKey(k *kit.KeyMap, msg tea.KeyMsg, rows, vis int) bool {
	switch {
	case key.Matches(msg, k.Up):
		n.move(-1, rows, vis)
	case key.Matches(msg, k.Down):
		n.move(1, rows, vis)
	case key.Matches(msg, k.PageUp):
		n.move(-vis, rows, vis)
	case key.Matches(msg, k.PageDown):
		n.move(vis, rows, vis)
	case key.Matches(msg, k.Home):
		n.move(-rows, rows, vis)
	case key.Matches(msg, k.End):
		n.move(rows, rows, vis)
	default:
		return false
	}
	return true
}

// colSpec is a table column's width: at least min cells, growing to max
// when there is room. A column with drop > 0 is left out when the table
// does not fit, highest drop first.
type colSpec struct {
	min, max int
	drop     int
}

// allocate fits columns, separated by colGap, into avail cells. Columns
// grow left to right up to their max; what is left stays empty, so a wide
// window keeps the table compact instead of tearing the name from the
// rest. A left-out column has width 0.
func allocate(avail int, specs []colSpec) []int {
	on := make([]bool, len(specs))
	for i, s := range specs {
		on[i] = s.min > 0 // a column of no width is not shown at all
	}
	need := func() int {
		n, cols := 0, 0
		for i, s := range specs {
			if on[i] {
				n += s.min
				cols++
			}
		}
		return n + max(0, cols-1)*kit.ColGap
	}
	for need() > avail {
		worst := -1
		for i, s := range specs {
			if on[i] && s.drop > 0 && (worst < 0 || s.drop > specs[worst].drop) {
				worst = i
			}
		}
		if worst < 0 {
			break
		}
		on[worst] = false
	}
	w := make([]int, len(specs))
	extra := max(0, avail-need())
	for i, s := range specs {
		if !on[i] {
			continue
		}
		w[i] = s.min
		if grow := min(extra, max(0, s.max-s.min)); grow > 0 {
			w[i] += grow
			extra -= grow
		}
	}
	return w
}

// tableCell is one cell of a row: its text and the style it has when the
// row is not selected (nil: plain). right aligns it to the right.
type tableCell struct {
	text  string
	style *lipgloss.Style
	right bool
	tail  bool // cut at the start (kit.FitTail): team names share their start
}

// tableLine renders cells into their widths (0: column left out), with
// the cursor mark in front. The selected row is built plain and shown in
// reverse, so it stands out without colour too.
func tableLine(st *kit.Styles, cells []tableCell, widths []int, selected bool, width int) string {
	var b strings.Builder
	b.Grow(width * 2)
	b.WriteString(kit.CursorMark(selected))
	first := true
	for i, c := range cells {
		w := widths[i]
		if w <= 0 {
			continue
		}
		if !first {
			b.WriteString(strings.Repeat(" ", kit.ColGap))
		}
		first = false
		s := kit.Fit(c.text, w)
		switch {
		case c.right:
			s = fitRight(c.text, w)
		case c.tail:
			s = kit.FitTail(c.text, w)
		}
		if c.style != nil && !selected {
			s = c.style.Render(s)
		}
		b.WriteString(s)
	}
	line := kit.Fit(b.String(), width) // never wider than the window: a wider line wraps
	if selected {
		return st.Selected.Render(line)
	}
	return line
}

// tableHeader renders the column titles in the table's widths.
func tableHeader(st *kit.Styles, titles []string, right []bool, widths []int, width int) string {
	cells := make([]tableCell, len(titles))
	for i, t := range titles {
		cells[i] = tableCell{text: t, right: right[i]}
	}
	return st.Title.Render(kit.Fit(tableLine(st, cells, widths, false, width), width))
}

// fitRight is fit aligned to the right.
func fitRight(s string, w int) string {
	if sw := ansi.StringWidth(s); sw < w {
		return strings.Repeat(" ", w-sw) + s
	}
	return kit.Fit(s, w)
}

// tableHead writes the first line of a coordinator table (its team
// filter) and, until the data is loaded, what stands in for the table. It
// reports whether the view ends there.
func tableHead(ctx *kit.Context, b *strings.Builder, filter string, width int, err error, loaded bool) bool {
	t, st := ctx.T, ctx.Styles
	b.WriteString(st.Muted.Render(kit.Fit(t.F("coord.filter", filter), width)))
	b.WriteByte('\n')
	switch {
	case err != nil && !loaded:
		b.WriteString(st.Bad.Render(kit.Fit(t.S("coord.err.load.short"), width)))
		return true
	case !loaded:
		b.WriteString(st.Muted.Render(kit.Fit(t.S("coord.loading"), width)))
		return true
	}
	return false
}
