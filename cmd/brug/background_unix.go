//go:build unix

package main

import (
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"golang.org/x/sys/unix"
)

// queryBackground asks the terminal on tty for its background colour
// (OSC 11, then a cursor position report so that an answer is known to be
// complete) and waits at most timeout for the answers. ok is false when
// tty is no terminal, is a multiplexer's (which cannot answer for the
// terminals behind it) or did not answer in time.
func queryBackground(tty *os.File, termName string, timeout time.Duration) (dark, ok bool) {
	if tty == nil || !term.IsTerminal(tty.Fd()) {
		return false, false
	}
	for _, p := range []string{"screen", "tmux", "dumb"} {
		if strings.HasPrefix(termName, p) {
			return false, false
		}
	}
	fd := tty.Fd()
	old, err := term.MakeRaw(fd)
	if err != nil {
		return false, false
	}
	defer func() { _ = term.Restore(fd, old) }()
	if _, err := tty.WriteString("\x1b]11;?\x07\x1b[6n"); err != nil {
		return false, false
	}
	var got []byte
	buf := make([]byte, 256)
	deadline := time.Now().Add(timeout)
	for !cprEnd(got) {
		left := time.Until(deadline)
		if left <= 0 {
			return false, false
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left/time.Millisecond)+1)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return false, false
		}
		r, err := unix.Read(int(fd), buf)
		if err != nil || r <= 0 {
			return false, false
		}
		got = append(got, buf[:r]...)
	}
	return parseBackground(got)
}
