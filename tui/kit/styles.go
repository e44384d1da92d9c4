package kit

import "github.com/charmbracelet/lipgloss"

// Palette holds the semantic colour tokens. Every style is built from
// these, with a light and a dark variant each, so the app reads well on
// both kinds of terminal; with NO_COLOR the renderer drops colour and the
// styles fall back to bold, faint and reverse.
type Palette struct {
	Accent, Muted, Good, Warn, Bad, Conflict, Border lipgloss.AdaptiveColor
}

// DefaultPalette is brug's palette.
func DefaultPalette() Palette {
	return Palette{
		Accent:   lipgloss.AdaptiveColor{Light: "#005F87", Dark: "#5FAFD7"},
		Muted:    lipgloss.AdaptiveColor{Light: "#6C6C6C", Dark: "#8A8A8A"},
		Good:     lipgloss.AdaptiveColor{Light: "#005F00", Dark: "#87D787"},
		Warn:     lipgloss.AdaptiveColor{Light: "#875F00", Dark: "#FFD75F"},
		Bad:      lipgloss.AdaptiveColor{Light: "#AF0000", Dark: "#FF5F5F"},
		Conflict: lipgloss.AdaptiveColor{Light: "#870087", Dark: "#D787FF"},
		Border:   lipgloss.AdaptiveColor{Light: "#BCBCBC", Dark: "#4E4E4E"},
	}
}

// Styles are the app's styles, made from one renderer (the local terminal,
// or an SSH session's) and one palette.
type Styles struct {
	R         *lipgloss.Renderer
	P         Palette
	Header    lipgloss.Style // the top bar
	Title     lipgloss.Style // a screen or section title
	Section   lipgloss.Style // a heading inside a screen
	Text      lipgloss.Style
	Muted     lipgloss.Style // secondary information
	Selected  lipgloss.Style // the row under the cursor
	Good      lipgloss.Style // done, signed off
	Warn      lipgloss.Style // due soon, waiting
	Bad       lipgloss.Style // overdue, errors
	Conflict  lipgloss.Style // conflict markers
	Key       lipgloss.Style // a key in help texts
	Box       lipgloss.Style // a bordered panel
	Status    lipgloss.Style // the status line
	StatusErr lipgloss.Style
	BarFull   lipgloss.Style // filled part of a progress bar
	BarEmpty  lipgloss.Style // empty part of a progress bar
}

// NewStyles builds the styles on renderer r.
func NewStyles(r *lipgloss.Renderer, p Palette) *Styles {
	s := &Styles{R: r, P: p}
	n := r.NewStyle
	s.Header = n().Bold(true).Foreground(p.Accent)
	s.Title = n().Bold(true)
	s.Section = n().Bold(true).Foreground(p.Accent)
	s.Text = n()
	s.Muted = n().Foreground(p.Muted)
	s.Selected = n().Reverse(true)
	s.Good = n().Foreground(p.Good)
	s.Warn = n().Foreground(p.Warn).Bold(true)
	s.Bad = n().Foreground(p.Bad).Bold(true)
	s.Conflict = n().Foreground(p.Conflict).Bold(true)
	s.Key = n().Bold(true)
	s.Box = n().Border(lipgloss.RoundedBorder()).BorderForeground(p.Border).Padding(0, 1)
	s.Status = n().Foreground(p.Muted)
	s.StatusErr = n().Foreground(p.Bad).Bold(true)
	s.BarFull = n().Foreground(p.Good)
	s.BarEmpty = n().Foreground(p.Border)
	return s
}
