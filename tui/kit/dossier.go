package kit

import (
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

// This file holds what the dossier screens (step, editor, conflicts and the
// entity lists) share: loading a dossier in a command, the messages that
// answer it, and a few small rendering helpers.

// loadSeq numbers a screen's load requests, so that a result that was
// overtaken by a later one is dropped instead of showing older data.
type loadSeq struct {
	asked   int // the last request made
	Applied int // the request whose result is shown
}

// Next returns the number of a new request.
func (l *loadSeq) Next() int {
	l.asked++
	return l.asked
}

// accept reports whether the result of request n is newer than what is
// shown, and marks it as shown.
func (l *loadSeq) accept(n int) bool {
	if n <= l.Applied {
		return false
	}
	l.Applied = n
	return true
}

// DossierView is what every dossier screen keeps of its dossier: which one,
// its load requests, the client last loaded and the load error shown.
// Screens embed it and hand their load answers to take.
type DossierView struct {
	Dossier string
	Loads   loadSeq
	Client  *store.Client
	LoadErr string
}

// Take applies a load answer for the screen to: false for an answer meant
// for another screen or dossier, or overtaken by a later request; on a
// failed load it keeps the error and returns a status command saying so.
func (d *DossierView) Take(ctx *Context, to any, msg DossierMsg) (bool, tea.Cmd) {
	if msg.To != to || msg.Dossier != d.Dossier || !d.Loads.accept(msg.Seq) {
		return false, nil
	}
	if msg.err != nil {
		d.LoadErr = ctx.T.F("step.err.load", msg.err)
		return false, StatusErr(d.LoadErr, msg.err)
	}
	d.Client, d.LoadErr = msg.Client, ""
	return true, nil
}

// DossierMsg answers loadDossier. to is the screen that asked (compared by
// identity only, never dereferenced in the command), seq its request number.
type DossierMsg struct {
	To      any
	Seq     int
	Dossier string
	Client  *store.Client
	err     error
}

// LoadDossier reads a dossier in a command. It closes over copied values
// only: the store interface, the asking screen's identity, ids.
func LoadDossier(st Store, to any, seq int, dossier string) tea.Cmd {
	return func() tea.Msg {
		c, err := st.Client(dossier)
		return DossierMsg{To: to, Seq: seq, Dossier: dossier, Client: SafeClient(c), err: err}
	}
}

// WroteMsg answers a write a dossier screen made. what says which action
// it answers ("toggle", "status", "remove", ...), id the entity or item.
type WroteMsg struct {
	To      any
	dossier string
	What    string
	ID      string
	Err     error
}

// WriteCmd runs fn (a store write) in a command and reports the outcome.
func WriteCmd(to any, dossier, what, id string, fn func() error) tea.Cmd {
	return func() tea.Msg {
		return WroteMsg{To: to, dossier: dossier, What: what, ID: id, Err: fn()}
	}
}

// ChangedCmd returns a command that tells every screen that dossier changed.
func ChangedCmd(dossier string) tea.Cmd {
	return func() tea.Msg { return ChangedMsg{Dossier: dossier} }
}

// DossierMethod is the method the screens show: the program's, or the embedded
// default when none was given.
func DossierMethod(ctx *Context) *method.Method {
	if ctx.Method != nil {
		return ctx.Method
	}
	return method.Default()
}

// TodayOf is the local day of ctx's clock, as YYYY-MM-DD.
func TodayOf(ctx *Context) string { return ctx.Now().Format(time.DateOnly) }

// LocalTime shows a stored (UTC) time in the clock's time zone.
func LocalTime(ctx *Context, at time.Time) time.Time { return at.In(ctx.Now().Location()) }

// ShortDay shows a time's day as "12 nov" in the clock's current year and
// as formatDate does ("12 nov 2024") in any other year.
func ShortDay(ctx *Context, at time.Time) string {
	at = LocalTime(ctx, at)
	if at.Year() != ctx.Now().Year() {
		return FormatDate(ctx.T, at.Format(time.DateOnly))
	}
	return ctx.T.F("dossier.date.short", at.Day(), ctx.T.S("month."+strconv.Itoa(int(at.Month()))))
}

// WhoWhen is "Sanne, 12 nov" for a value: who set it and on what day.
func WhoWhen(ctx *Context, v store.Value) string {
	if !v.Set() {
		return ""
	}
	if v.By == "" {
		return ShortDay(ctx, v.At)
	}
	return ctx.T.F("dossier.who.when", v.By, ShortDay(ctx, v.At))
}

// WhoWhenTime is "Sanne, 12 nov 14:05": whoWhen with the time of day, for
// telling versions of a text apart.
func WhoWhenTime(ctx *Context, by string, at time.Time) string {
	return ctx.T.F("dossier.who.when", by, ShortDay(ctx, at)+" "+LocalTime(ctx, at).Format("15:04"))
}

// SeenHeads returns the head ids a screen showed for a value: all of them
// when in conflict, the one otherwise, none when never set.
func SeenHeads(v store.Value) []string {
	if v.Conflict() {
		ids := make([]string, len(v.Heads))
		for i, h := range v.Heads {
			ids[i] = h.ID
		}
		return ids
	}
	if v.Set() {
		return []string{v.OpID}
	}
	return nil
}

// WrapText breaks plain text into lines of at most width cells, at spaces where
// possible and inside long words where not. Line breaks in s are kept.
func WrapText(s string, width int) []string {
	if width < 1 {
		width = 1
	}
	s = strings.ReplaceAll(s, "\t", "    ")
	s = strings.ReplaceAll(s, "\r", "")
	return strings.Split(ansi.Wrap(s, width, ""), "\n")
}

// HeadText is the start of s that can fill at most n lines of width
// cells: a cheap cut before wrapping, so that a long text is not wrapped
// whole to show two lines of it.
func HeadText(s string, n, width int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n+1]
	}
	limit := (n + 1) * max(1, width) // runes; a rune takes at least one cell
	for i, l := range lines {
		if len(l) <= limit {
			continue
		}
		count := 0
		for j := range l {
			if count == limit {
				lines[i] = l[:j]
				break
			}
			count++
		}
	}
	return strings.Join(lines, "\n")
}

// ClipLines returns at most n lines of lines; when it cuts, the last line kept
// ends in an ellipsis so the reader knows there is more.
func ClipLines(lines []string, n, width int) []string {
	if len(lines) <= n {
		return lines
	}
	out := append([]string(nil), lines[:n]...)
	last := strings.TrimRight(out[n-1], " ")
	if ansi.StringWidth(last)+2 > width {
		last = ansi.Truncate(last, max(0, width-2), "")
	}
	out[n-1] = last + " …"
	return out
}

// CursorMark is the two cells in front of a list row: "› " on the row under
// the cursor, blank otherwise. The glyph keeps the cursor visible without
// colour (NO_COLOR).
func CursorMark(selected bool) string {
	if selected {
		return "› "
	}
	return "  "
}

// IndentLines prefixes every line with prefix.
func IndentLines(lines []string, prefix string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = prefix + l
	}
	return out
}

// ScrollOffset returns the offset that shows lines [from, to] of a body of
// total lines in a window of height lines, moving as little as possible
// from offset.
func ScrollOffset(offset, from, to, height, total int) int {
	if height < 1 {
		return 0
	}
	if to-from+1 > height {
		to = from + height - 1
	}
	if to >= offset+height {
		offset = to - height + 1
	}
	if from < offset {
		offset = from
	}
	return max(0, min(offset, total-height))
}

// WindowLines cuts lines to the height lines starting at offset.
func WindowLines(lines []string, offset, height int) []string {
	if offset > len(lines) {
		offset = len(lines)
	}
	end := min(len(lines), offset+max(0, height))
	return lines[offset:end]
}
