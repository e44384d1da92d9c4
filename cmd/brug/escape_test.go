package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/sync/server/storage"
)

// TestAdminListsEscapeWhatDevicesSent: a device enrolled before names
// were checked may be named "\x1b]0;...\x07"; printed raw by `brug admin
// device list` or `brug admin audit` it rewrites the admin's terminal.
// Such a name from an older file is printed escaped, never raw.
func TestAdminListsEscapeWhatDevicesSent(t *testing.T) {
	h := newHarness(t)
	db := filepath.Join(t.TempDir(), "region.db")
	a := func(args ...string) result { t.Helper(); return adminCmd(h, db, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)

	// What an older server stored for a device enrolled with a nasty name.
	name := "\x1b]0;owned\x07\x1b[2Jlaptop\u202egpj.exe"
	srv, err := server.Open(db, server.Options{Encryption: serverEncryption(db, os.Getenv)})
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Storage().Update(func(tx storage.Tx) error {
		id := store.NewID()
		if err := tx.PutDevice(server.Device{ID: id, User: "anna", Name: name, TokenHash: strings.Repeat("0", 64), Created: time.Now().UTC()}); err != nil {
			return err
		}
		return tx.AppendAudit(server.AuditEntry{Time: time.Now().UTC(), Channel: server.ChannelSync, User: "anna", Device: id, Action: server.ActionEnroll, Detail: "device " + name})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	for _, args := range [][]string{{"device", "list"}, {"audit"}, {"audit", "--user", "anna"}} {
		r := a(args...)
		expect(t, strings.Join(args, " "), r, exitOK, `\x1b]0;owned\x07\x1b[2Jlaptop\u202egpj.exe`)
		if strings.ContainsAny(r.stdout+r.stderr, "\x1b\x07\u202e") {
			t.Errorf("%s printed a control character raw:\n%q", strings.Join(args, " "), r.stdout)
		}
	}
}
