package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
)

// wipeLaptop carries out an administrator's order to wipe this laptop
// (`brug admin device revoke --wipe`, docs/sync.md, "Remote wipe"); it is
// the client.Syncer's Wipe, and the one place a wipe happens. The sync
// client calls it before it has sent anything the laptop holds. In this
// order, so that a wipe cut off half-way has destroyed the most it could:
//
//  1. the store is closed (the app's other goroutines get errors from
//     here on, never the data);
//  2. the file's keys go with the close, before any file is removed
//     (store.DestroyKeys: the wrapped file key's records are deleted and
//     their bytes overwritten, and the keyring's entry deleted): with them
//     gone what is left of the file anywhere (free blocks, copies) cannot
//     be read;
//  3. the database file and every file brug keeps beside it (FILE.*,
//     FILE-*, FILE~: temporary, migration and backup copies) are removed;
//  4. the device token for serverURL is deleted from the token store.
//
// Every step is tried even when one before failed; the error joins what
// failed. The sync client then reports the wipe to the server.
//
// kr is the keyring that holds the file's key (nil: none).
func wipeLaptop(s *store.Store, kr store.Keyring, tokens client.TokenStore, serverURL string) error {
	path := s.Path()
	var errs []error
	if err := s.DestroyKeys(kr); err != nil {
		errs = append(errs, fmt.Errorf("destroy the keys of %s: %w", path, err))
		if err := s.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", path, err))
		}
	}
	errs = append(errs, removeBeside(path)...)
	if tokens != nil {
		if err := tokens.Delete(serverURL); err != nil {
			errs = append(errs, fmt.Errorf("delete the device token: %w", err))
		}
	}
	return errors.Join(errs...)
}

// removeBeside removes the file at path and the files brug keeps beside
// it, named after it; a file already gone is no error.
func removeBeside(path string) []error {
	var errs []error
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	names := []string{base}
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			n := e.Name()
			if n != base && !e.IsDir() && (strings.HasPrefix(n, base+".") || strings.HasPrefix(n, base+"-") || n == base+"~") {
				names = append(names, n)
			}
			if n == base+".reads" && e.IsDir() {
				// The read log entries of read-only opens (store/readlog.go).
				if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
					errs = append(errs, fmt.Errorf("remove %s: %w", n, err))
				}
			}
		}
	} else {
		errs = append(errs, fmt.Errorf("list %s: %w", dir, err))
	}
	for _, n := range names {
		if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove %s: %w", n, err))
		}
	}
	return errs
}

// wipeGuard wraps the app when it syncs: once its sync wiped the laptop
// (wiped set), the app shows only why and quits at its next message, so
// nothing of the closed file is shown or asked for again. The app's own
// package needs to know nothing of wipes.
type wipeGuard struct {
	tea.Model
	wiped *atomic.Bool
	text  string // what the screen says once wiped
}

// Update implements tea.Model.
func (g wipeGuard) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if g.wiped.Load() {
		return g, tea.Quit
	}
	m, cmd := g.Model.Update(msg)
	g.Model = m
	return g, cmd
}

// View implements tea.Model.
func (g wipeGuard) View() string {
	if g.wiped.Load() {
		return g.text + "\n"
	}
	return g.Model.View()
}
