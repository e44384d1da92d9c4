package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"
)

// progressLine is one line on standard error that moves while slow work
// runs (demo generation, a sync, an export): a bar when the total is
// known, a spinner when not. It draws only on a terminal, so scripts and
// logs that read standard error see just the messages; Done clears it.
type progressLine struct {
	w     io.Writer
	on    bool
	label string
	bar   progress.Model
	every time.Duration

	mu    sync.Mutex
	last  time.Time
	frame int
	stop  chan struct{}
	done  chan struct{}
}

// progress starts a line on the cli's standard error with label.
func (c *cli) progress(label string) *progressLine {
	on := false
	if f, ok := c.env.stderr.(*os.File); ok {
		on = term.IsTerminal(f.Fd())
	}
	return newProgressLine(c.env.stderr, on, label)
}

func newProgressLine(w io.Writer, on bool, label string) *progressLine {
	return &progressLine{w: w, on: on, label: label, every: 100 * time.Millisecond,
		// No colour: the line is read beside the messages, with NO_COLOR
		// or without.
		bar: progress.New(progress.WithWidth(24), progress.WithoutPercentage(),
			progress.WithFillCharacters('█', '░'), progress.WithColorProfile(termenv.Ascii))}
}

// Set draws the bar at done of total and the count after it, at most ten
// times a second (and always at the end).
func (p *progressLine) Set(done, total int, count string) {
	if !p.on || total <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); done < total && now.Sub(p.last) < p.every {
		return
	} else {
		p.last = now
	}
	p.draw(p.bar.ViewAs(float64(done)/float64(total)) + " " + count)
}

// Spin turns a spinner in front of the label until Done.
func (p *progressLine) Spin() {
	if !p.on || p.stop != nil {
		return
	}
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	frames := spinner.MiniDot.Frames
	go func() {
		defer close(p.done)
		t := time.NewTicker(spinner.MiniDot.FPS)
		defer t.Stop()
		for {
			p.mu.Lock()
			p.draw(frames[p.frame%len(frames)] + " " + p.label)
			p.frame++
			p.mu.Unlock()
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// draw replaces the line; the caller holds mu.
func (p *progressLine) draw(s string) {
	fmt.Fprint(p.w, "\r"+ansi.EraseEntireLine+s)
}

// Done stops the spinner and clears the line.
func (p *progressLine) Done() {
	if !p.on {
		return
	}
	if p.stop != nil {
		close(p.stop)
		<-p.done
		p.stop = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r"+ansi.EraseEntireLine)
}
