package kit

import "github.com/charmbracelet/x/ansi"

// Smallest window the app lays out for; screens are laid out for at
// least this, less the root's header and footer.
const (
	MinWidth  = 60
	MinHeight = 16
)

// Layout shared by the screens' tables, in cells.
const (
	ColGap        = 2  // between columns
	CursorWidth   = 2  // "› " in front of the selected row
	MarkerWidth   = 1  // the conflict marker column
	NameMin       = 12 // a name narrower than this is unreadable
	NameMax       = 32 // wider only when no optional column wants the room
	TeamMax       = 22
	WideBarFrom   = 120 // from this width each step gets several bar cells
	WideBarPerCel = 2
	// OverviewTitleMax is where a step title is cut.
	OverviewTitleMax = 40
)

// DefaultSteps is the number of steps when no method is known.
const DefaultSteps = 6

// Truncate cuts s (which may hold styles) to width cells, with an
// ellipsis when cut.
func Truncate(s string, width int) string { return ansi.Truncate(s, width, "…") }
