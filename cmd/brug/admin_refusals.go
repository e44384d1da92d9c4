package main

import (
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/brug-nl/brug/sync/server"
)

// An admin command's refusal arrives as the server's English text (over
// the admin socket nothing else does). The two types below carry that
// text as their Error, so English messages print it as before, and give
// a Dutch screen its cause where brug recognises the text.

// refusalText is a refusal brug has its own Dutch for (texts.Localized).
type refusalText struct{ en, nl string }

func (e refusalText) Error() string { return e.en }

// In is the refusal in lang.
func (e refusalText) In(lang string) string {
	if lang == "en" {
		return e.en
	}
	return e.nl
}

// refusalCause is a refusal whose text ends in an errno ("open X: no
// such file or directory"): the errno is its cause, which texts.Cause
// says in Dutch.
type refusalCause struct {
	en  string
	err error
}

func (e refusalCause) Error() string { return e.en }

// Unwrap is the errno, on the path it is known for.
func (e refusalCause) Unwrap() error { return e.err }

// textErrnos are the errnos a file operation on the server machine fails
// with that an admin can act on; Go's text of each (syscall.Errno) is
// what ends a refusal.
var textErrnos = []syscall.Errno{syscall.ENOENT, syscall.EACCES, syscall.EPERM, syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS, syscall.EISDIR, syscall.ENOTDIR, syscall.EIO}

// errnoIn finds the errno a refusal's text ends with.
func errnoIn(msg string) (syscall.Errno, bool) {
	for _, e := range textErrnos {
		if strings.HasSuffix(msg, ": "+e.Error()) {
			return e, true
		}
	}
	return 0, false
}

// refusalError is a refusal the CLI does not explain otherwise, as an
// error: the server's text (escaped for the terminal) as its English,
// and, when the text ends in an errno, that errno (on path, when not "")
// as its cause.
func refusalError(msg, path string) error {
	e, ok := errnoIn(msg)
	if !ok {
		return refusalCause{en: esc(msg)}
	}
	if path == "" {
		return refusalCause{en: esc(msg), err: e}
	}
	return refusalCause{en: esc(msg), err: &fs.PathError{Op: "write", Path: path, Err: e}}
}

// explainBackupRefusal says why a backup to path was refused: the
// server's own file, a folder, or a folder that is missing, not writable
// or full (the copy is first written beside path, in its folder).
func (c *cli) explainBackupRefusal(path string, ref adminRefusal) (error, bool) {
	m := c.msgs()
	own := strings.Contains(ref.msg, server.ErrBackupTarget.Error())
	switch {
	case own && strings.HasSuffix(ref.msg, "that is the server's own file; choose another"):
		return c.fail("admin.refused", refusalText{en: esc(ref.msg), nl: m.f("admin.backup.own", esc(path))}), true
	case own && strings.HasSuffix(ref.msg, "is a folder; give a file name"):
		return c.fail("admin.refused", refusalText{en: esc(ref.msg), nl: m.f("admin.backup.folder", esc(path))}), true
	}
	if _, ok := errnoIn(ref.msg); ok {
		return c.fail("admin.failed", refusalError(ref.msg, filepath.Dir(path))), true
	}
	return nil, false
}
