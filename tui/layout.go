package tui

import "github.com/charmbracelet/x/ansi"

// Layout shared by the screens' tables, in cells.
const (
	colGap        = 2  // between columns
	cursorWidth   = 2  // "› " in front of the selected row
	markerWidth   = 1  // the conflict marker column
	nameMin       = 12 // a name narrower than this is unreadable
	nameMax       = 32 // wider only when no optional column wants the room
	teamMax       = 22
	wideBarFrom   = 120 // from this width each step gets several bar cells
	wideBarPerCel = 2
	// overviewTitleMax is where a step title is cut.
	overviewTitleMax = 40
)

// defaultSteps is the number of steps when no method is known.
const defaultSteps = 6

// truncate cuts s (which may hold styles) to width cells, with an
// ellipsis when cut.
func truncate(s string, width int) string { return ansi.Truncate(s, width, "…") }
