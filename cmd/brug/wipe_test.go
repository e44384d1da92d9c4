package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/tui"
)

// TestSyncWipesLaptopOnOrder: `brug admin device revoke --wipe` makes
// the laptop's next `brug sync` remove its file, the files brug keeps
// beside it and its token, and say so in Dutch; the admin's device list
// then shows it wiped. Files of others in the folder stay.
func TestSyncWipesLaptopOnOrder(t *testing.T) {
	h := newHarness(t)
	region := filepath.Join(t.TempDir(), "region.db")
	srv := startServe(t, h, region)
	a := func(args ...string) result { t.Helper(); return adminCmd(h, region, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)
	tokens := &client.MemoryStore{}
	laptop := laptopWithClient(t, "Noor Hazelhoef", "Noord")
	dev := func(args ...string) result {
		t.Helper()
		return h.runTok(tokens, append([]string{"--db", laptop}, args...)...)
	}
	expect(t, "login", dev("login", srv.url, inviteCode(t, h, region, "anna"), "--adopt"), exitOK)
	expect(t, "sync", dev("sync"), exitOK)
	dir := filepath.Dir(laptop)
	beside := []string{laptop + ".bak", laptop + "-old", laptop + "~"}
	other := filepath.Join(dir, "boodschappen.txt")
	for _, f := range append(beside, other) {
		if err := os.WriteFile(f, []byte("Noor Hazelhoef"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st, err := openTestStore(laptop, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := st.Meta(client.MetaDevice)
	// A read-only open's read log entry: kept in FILE.reads/ beside it.
	if err := st.LogRead(store.ReadEntry{Dossier: store.NewID(), Action: store.ReadExport, Channel: store.ChannelCLI}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	beside = append(beside, laptop+".reads")

	expect(t, "revoke --wipe", a("device", "revoke", "--wipe", string(id)), exitOK, "wordt gewist zodra het de server weer bereikt")
	r := dev("sync")
	expect(t, "sync of a wiped laptop", r, exitError, "Deze laptop is gewist op verzoek van je beheerder", "vraag je beheerder dan om een nieuwe code")
	for _, f := range append([]string{laptop}, beside...) {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there after the wipe: %v", filepath.Base(f), err)
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("the wipe removed a file that is not brug's: %v", err)
	}
	if _, err := tokens.Get(srv.url); !errors.Is(err, client.ErrNoToken) {
		t.Errorf("the token is still kept: %v", err)
	}
	expect(t, "device list", a("device", "list"), exitOK, "gewist "+cliNow.Format("2006-01-02"))
}

// TestAppQuitsAfterAWipe: when a background sync is told to wipe, the
// adapter wipes the file (wipeLaptop) and flags it, and the app then
// shows why and quits at its next message.
func TestAppQuitsAfterAWipe(t *testing.T) {
	var reported atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case protocol.PathDevice:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(protocol.Error{Code: protocol.ErrorWipe, Message: "wipe"})
		case protocol.PathWiped:
			reported.Store(true)
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(protocol.WipedAck{Recorded: cliNow})
		default:
			t.Errorf("the app sent %s %s after the wipe order", r.Method, r.URL.Path)
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	defer ts.Close()
	path := laptopWithClient(t, "Noor Hazelhoef", "Noord")
	s, err := openTestStore(path, store.Options{Author: "tester", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tokens := &client.MemoryStore{}
	if err := tokens.Set(ts.URL, "brug_tok"); err != nil {
		t.Fatal(err)
	}
	sy := &client.Syncer{Store: s, URL: ts.URL, Tokens: tokens}
	sy.Wipe = func() error { return wipeLaptop(s, store.OSKeyring{}, tokens, ts.URL) }
	wiped := new(atomic.Bool)
	g := wipeGuard{Model: quitProbe{}, wiped: wiped, text: newMsgs("nl").f("sync.wiped", ts.URL)}
	if _, cmd := g.Update(tea.KeyMsg{}); cmd != nil {
		t.Fatal("the app quit before any wipe")
	}
	if _, err := (tuiSyncer{sy, wiped, newMsgs("nl")}).Sync(context.Background()); !errors.Is(err, tui.ErrSyncRevoked) || !wiped.Load() {
		t.Fatalf("sync: %v, flag %v", err, wiped.Load())
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) || !reported.Load() {
		t.Fatalf("after the wipe: file %v, reported %v", err, reported.Load())
	}
	m, cmd := g.Update(tea.KeyMsg{})
	if cmd == nil {
		t.Fatal("the app does not quit after the wipe")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("the app's command after the wipe is not a quit")
	}
	if v := m.View(); !strings.Contains(v, "Deze laptop is gewist op verzoek van je beheerder") {
		t.Fatalf("the app shows %q", v)
	}
}

// TestAppSaysAFailedWipe: a wipe the admin ordered that fails leaves the
// data on the laptop; the app's syncer says so (tui.ErrSyncWipeFailed,
// still a revoked device), not only that the device was revoked, and the
// app does not quit as after a wipe.
func TestAppSaysAFailedWipe(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(protocol.Error{Code: protocol.ErrorWipe, Message: "wipe"})
	}))
	defer ts.Close()
	s, err := openTestStore(laptopWithClient(t, "Noor Hazelhoef", "Noord"), store.Options{Author: "tester", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tokens := &client.MemoryStore{}
	if err := tokens.Set(ts.URL, "brug_tok"); err != nil {
		t.Fatal(err)
	}
	sy := &client.Syncer{Store: s, URL: ts.URL, Tokens: tokens}
	sy.Wipe = func() error { return fmt.Errorf("remove laptop.db: %w", os.ErrPermission) }
	wiped := new(atomic.Bool)
	_, err = (tuiSyncer{sy, wiped, newMsgs("nl")}).Sync(context.Background())
	if !errors.Is(err, tui.ErrSyncWipeFailed) || !errors.Is(err, tui.ErrSyncRevoked) || wiped.Load() {
		t.Fatalf("sync: %v, flag %v", err, wiped.Load())
	}
}

type quitProbe struct{}

func (quitProbe) Init() tea.Cmd                         { return nil }
func (q quitProbe) Update(tea.Msg) (tea.Model, tea.Cmd) { return q, nil }
func (quitProbe) View() string                          { return "app" }

// TestSSHAdminWipeErasuresRetention: an admin over SSH orders a laptop
// wiped (audited with channel ssh), lists erasures and runs a retention
// dry run (no terminal there: nothing is erased without --yes); the
// laptop's next sync wipes it.
func TestSSHAdminWipeErasuresRetention(t *testing.T) {
	h := newHarness(t)
	x := startSSHServe(t, h)
	for _, args := range [][]string{
		{"team", "add", "Noord"},
		{"user", "add", "root", "--role", "admin"},
		{"user", "add", "anna", "--role", "coach", "--team", "Noord"},
		{"key", "add", "root", x.rootPub},
	} {
		expect(t, strings.Join(args, " "), adminCmd(h, x.db, args...), exitOK)
	}
	tokens := &client.MemoryStore{}
	laptop := laptopWithClient(t, "Noor Hazelhoef", "Noord")
	dev := func(args ...string) result {
		t.Helper()
		return h.runTok(tokens, append([]string{"--db", laptop}, args...)...)
	}
	expect(t, "login", dev("login", x.srv.url, inviteCode(t, h, x.db, "anna"), "--adopt"), exitOK)
	expect(t, "close", dev("close", "Noor", "--date", "2001-01-01", "--reason", "gestopt"), exitOK)
	expect(t, "sync", dev("sync"), exitOK)
	st, err := openTestStore(laptop, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := st.Meta(client.MetaDevice)
	st.Close()

	for _, tc := range []struct {
		cmd  string
		code int
		want string
	}{
		{"admin retention", exitOK, "Proefdraai: er is niets gewist"},
		{"admin erasures", exitOK, "BEVESTIGD"},
		{"admin device revoke --wipe " + string(id), exitOK, "wordt gewist zodra het de server weer bereikt"},
		{"admin device list", exitOK, "wissen gevraagd"},
	} {
		out, code := sshRun(t, x.addr, x.root, x.host.PublicKey(), "", tc.cmd)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("%s over ssh: exit %d, want %d and %q:\n%s", tc.cmd, code, tc.code, tc.want, out)
		}
	}
	expect(t, "audit", adminCmd(h, x.db, "audit", "--action", "wipe"), exitOK, "ssh", "device revoke wipe")
	expect(t, "sync of the wiped laptop", dev("sync"), exitError, "Deze laptop is gewist op verzoek van je beheerder")
	if _, err := os.Stat(laptop); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the laptop's file is still there: %v", err)
	}
	if r := adminCmd(h, x.db, "erasures", "--format", "json"); strings.TrimSpace(r.stdout) != "" {
		t.Fatalf("a retention dry run over ssh erased:\n%v", r)
	}
}
