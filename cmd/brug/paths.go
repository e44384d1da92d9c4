package main

import (
	"errors"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// defaultDBPath is where a user's brug file lives when neither --db nor
// BRUG_DB says otherwise: the OS's per-user data folder (not its config
// folder: the file is data, and on Windows it must not roam).
//
//	linux, BSDs: $XDG_DATA_HOME/brug/brug.db, else ~/.local/share/brug/brug.db
//	windows:     %LOCALAPPDATA%\brug\brug.db, else ~\AppData\Local\brug\brug.db
//	darwin:      ~/Library/Application Support/brug/brug.db
//
// goos, getenv and home are passed in so that every OS's rule can be tested
// on any machine.
func defaultDBPath(goos string, getenv func(string) string, home func() (string, error)) (string, error) {
	// Paths follow the target OS's rules, also when a test asks about
	// another OS than the one it runs on.
	join, abs := path.Join, path.IsAbs
	if goos == "windows" {
		join, abs = winJoin, winAbs
		if runtime.GOOS == "windows" {
			join, abs = filepath.Join, filepath.IsAbs
		}
	}
	homeDir := func() (string, error) {
		h, err := home()
		if err != nil {
			return "", err
		}
		if h == "" {
			return "", errors.New("no home folder")
		}
		return h, nil
	}
	switch goos {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" && abs(d) {
			return join(d, "brug", "brug.db"), nil
		}
		h, err := homeDir()
		if err != nil {
			return "", errors.New("%LOCALAPPDATA% is not set and there is no home folder")
		}
		return join(h, "AppData", "Local", "brug", "brug.db"), nil
	case "darwin", "ios":
		h, err := homeDir()
		if err != nil {
			return "", err
		}
		return join(h, "Library", "Application Support", "brug", "brug.db"), nil
	default:
		// XDG: a relative XDG_DATA_HOME is invalid and must be ignored.
		if d := getenv("XDG_DATA_HOME"); d != "" && abs(d) {
			return join(d, "brug", "brug.db"), nil
		}
		h, err := homeDir()
		if err != nil {
			return "", errors.New("$XDG_DATA_HOME is not set and there is no home folder")
		}
		return join(h, ".local", "share", "brug", "brug.db"), nil
	}
}

// winJoin joins Windows path elements on another OS (for tests).
func winJoin(parts ...string) string {
	for i, p := range parts {
		if i > 0 {
			p = strings.Trim(p, `\`)
		} else {
			p = strings.TrimRight(p, `\`)
		}
		parts[i] = p
	}
	return strings.Join(parts, `\`)
}

// winAbs reports whether p is an absolute Windows path (C:\ or \\server\).
func winAbs(p string) bool {
	if strings.HasPrefix(p, `\\`) {
		return true
	}
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}

// resolveDBPath applies the order of precedence: the --db flag, then
// BRUG_DB, then the default.
func resolveDBPath(flag string, getenv func(string) string, dflt func() (string, error)) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if env := getenv("BRUG_DB"); env != "" {
		return env, nil
	}
	return dflt()
}

// authorName is who the ops made on this laptop are recorded as: BRUG_USER,
// else the OS user name (without a Windows domain), else "onbekend".
func authorName(getenv func(string) string, osUser func() string) string {
	name := strings.TrimSpace(getenv("BRUG_USER"))
	if name == "" {
		name = osUser()
		if i := strings.LastIndexByte(name, '\\'); i >= 0 {
			name = name[i+1:] // DOMAIN\user
		}
		name = strings.TrimSpace(name)
	}
	if name == "" {
		for _, v := range []string{"USER", "USERNAME", "LOGNAME"} {
			if name = strings.TrimSpace(getenv(v)); name != "" {
				break
			}
		}
	}
	if name == "" {
		return "onbekend"
	}
	// The store allows 64 bytes; cut at a rune boundary.
	for len(name) > 64 {
		r := []rune(name)
		name = string(r[:len(r)-1])
	}
	return name
}
