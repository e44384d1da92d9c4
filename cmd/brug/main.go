// Command brug is an offline-first terminal app for job coaches guiding
// people from day activities to work through six steps. See README.md and
// docs/cli.md.
package main

import (
	"os"
	"os/user"
	"runtime"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"
)

// Stamped by the release build: -ldflags "-X main.version=... -X
// main.commit=... -X main.date=...". The linker can only set package-level
// string variables, so these are the one exception to "no package state";
// nothing writes them at run time.
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	os.Exit(run(os.Args[1:], env{
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		goos:   runtime.GOOS,
		home:   os.UserHomeDir,
		osUser: func() string {
			if u, err := user.Current(); err == nil {
				return u.Username
			}
			return ""
		},
		now:         time.Now,
		interactive: stdinIsTerminal,
		setGC:       applyGC,
		runTUI: func(m tea.Model) error {
			if !term.IsTerminal(os.Stdin.Fd()) {
				// Bubble Tea falls back to /dev/tty; without one it fails with
				// an English error, so say it in the user's words instead.
				tty, err := os.Open("/dev/tty")
				if err != nil {
					return errNoTerminal
				}
				tty.Close()
			}
			settleBackground(os.Stdout, os.Getenv) // lipgloss would wait up to 5 s for a silent terminal
			_, err := tea.NewProgram(m, tea.WithAltScreen()).Run()
			return err
		},
		build: newBuildInfo(version, commit, date),
	}))
}
