package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
	"github.com/brug-nl/brug/tui/unlock"
)

// runTyped runs brug with a terminal whose unlock screens get the given
// passphrases typed, one per enter; it returns the result and how many
// unlock screens ran.
func (h *harness) runTyped(typed []string, args ...string) (result, int) {
	h.t.Helper()
	var out, errb bytes.Buffer
	screens := 0
	code := run(args, env{
		stdout: &out, stderr: &errb,
		getenv:      func(k string) string { return h.env[k] },
		goos:        "linux",
		home:        func() (string, error) { return h.home, nil },
		osUser:      func() string { return "osuser" },
		now:         func() time.Time { return cliNow },
		tempDir:     h.tempDir,
		interactive: func() bool { return true },
		runTUI: func(m tea.Model) error {
			if _, ok := m.(unlock.Model); !ok {
				h.tuiRuns++
				return nil
			}
			screens++
			for len(typed) > 0 {
				for _, r := range typed[0] {
					m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
				}
				typed = typed[1:]
				var cmd tea.Cmd
				if m, cmd = m.Update(tea.KeyMsg{Type: tea.KeyEnter}); cmd != nil {
					if _, quit := cmd().(tea.QuitMsg); quit {
						return nil
					}
				}
			}
			m.Update(tea.KeyMsg{Type: tea.KeyEsc})
			return nil
		},
	})
	return result{code: code, stdout: out.String(), stderr: errb.String()}, screens
}

func TestDemoEncryptsWithoutAsking(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(t.TempDir(), "demo.db")
	h.env["BRUG_KEYRING"] = "off" // nothing to keep a key in, and no terminal: still no question
	r := h.run("demo", "--db", path, "--clients", "5")
	if r.code != exitOK {
		t.Fatalf("demo:\n%v", r)
	}
	if _, err := store.Open(path, store.Options{ReadOnly: true}); !errors.Is(err, store.ErrEncrypted) {
		t.Fatalf("the demo file opens without keys: %v", err)
	}
	fi, err := os.Stat(demoKeyFile(path))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the demo's key file: %v %v", fi, err)
	}
	s, err := openTestStore(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	sums, _ := s.Summaries()
	s.Close()
	raw, _ := os.ReadFile(path)
	for _, sm := range sums {
		if bytes.Contains(raw, []byte(sm.Name)) {
			t.Errorf("the demo file holds %q", sm.Name)
		}
	}
	// The app opens it again with --db, as the demo's last line says.
	if r := h.run("--db", path); r.code != exitOK {
		t.Fatalf("reopen:\n%v", r)
	}
}

func TestPassphraseWithoutTerminal(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(t.TempDir(), "brug.db")
	h.env["BRUG_KEYRING"] = "off"
	r := h.run("--db", path)
	if r.code == exitOK || !strings.Contains(r.stderr, "BRUG_PASSPHRASE") {
		t.Fatalf("a new file without keyring, passphrase or terminal:\n%v", r)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a file was left behind")
	}
	h.env["BRUG_PASSPHRASE"] = "een lange goede zin"
	if r := h.run("--db", path); r.code != exitOK {
		t.Fatalf("with BRUG_PASSPHRASE:\n%v", r)
	}
	delete(h.env, "BRUG_PASSPHRASE")
	r = h.run("--db", path, "report")
	if r.code == exitOK || !strings.Contains(r.stderr, "op slot met een wachtwoordzin") {
		t.Fatalf("report without the passphrase:\n%v", r)
	}
	h.env["BRUG_PASSPHRASE"] = "een lange foute zin"
	r = h.run("--db", path, "report")
	if r.code == exitOK || !strings.Contains(r.stderr, "opent") {
		t.Fatalf("report with a wrong passphrase:\n%v", r)
	}
}

func TestUnlockScreenRetriesThenOpens(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(t.TempDir(), "brug.db")
	h.env["BRUG_KEYRING"] = "off"
	// A new file: the screen asks a passphrase twice.
	r, screens := h.runTyped([]string{"mijn geheime zin", "mijn geheime zin"}, "--db", path)
	if r.code != exitOK || screens != 1 || h.tuiRuns != 1 {
		t.Fatalf("choose: %d screens, %d app runs\n%v", screens, h.tuiRuns, r)
	}
	// A wrong one, then the right one.
	r, screens = h.runTyped([]string{"niet mijn zin hoor", "mijn geheime zin"}, "--db", path)
	if r.code != exitOK || screens != 1 || h.tuiRuns != 2 {
		t.Fatalf("unlock: %d screens, %d app runs\n%v", screens, h.tuiRuns, r)
	}
	// Esc: stopped, said so.
	r, _ = h.runTyped(nil, "--db", path)
	if r.code == exitOK || !strings.Contains(r.stderr, "niet geopend") || h.tuiRuns != 2 {
		t.Fatalf("esc:\n%v", r)
	}
}

func TestPassphraseCommand(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(t.TempDir(), "brug.db")
	h.env["BRUG_KEYRING"] = "off"
	h.env["BRUG_PASSPHRASE"] = "de oude wachtwoordzin"
	if r := h.run("--db", path); r.code != exitOK {
		t.Fatalf("%v", r)
	}
	h.env["BRUG_NEW_PASSPHRASE"] = "kort"
	if r := h.run("--db", path, "passphrase"); r.code == exitOK || !strings.Contains(r.stderr, "te kort") {
		t.Fatalf("short:\n%v", r)
	}
	h.env["BRUG_NEW_PASSPHRASE"] = "de nieuwe wachtwoordzin"
	if r := h.run("--db", path, "passphrase"); r.code != exitOK || !strings.Contains(r.stdout, "veranderd") {
		t.Fatalf("change:\n%v", r)
	}
	if r := h.run("--db", path, "report"); r.code == exitOK {
		t.Fatalf("the old passphrase still opens the file:\n%v", r)
	}
	h.env["BRUG_PASSPHRASE"] = "de nieuwe wachtwoordzin"
	if r := h.run("--db", path, "report"); r.code != exitOK {
		t.Fatalf("the new passphrase:\n%v", r)
	}
	// To the keyring (the mock one of these tests): no passphrase needed.
	delete(h.env, "BRUG_KEYRING")
	if r := h.run("--db", path, "passphrase", "--keyring"); r.code != exitOK || !strings.Contains(r.stdout, "sleutelbos") {
		t.Fatalf("--keyring:\n%v", r)
	}
	delete(h.env, "BRUG_PASSPHRASE")
	if r := h.run("--db", path, "report"); r.code != exitOK {
		t.Fatalf("with the key in the keyring:\n%v", r)
	}
}

func TestPlainFileIsEncryptedWithProgress(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := store.Open(path, store.Options{Author: "test", NoSync: true, Kind: store.FileLaptop})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Generate(s, demo.Options{Clients: 6, Seed: 3, Now: cliNow}); err != nil {
		t.Fatal(err)
	}
	sums, _ := s.Summaries()
	s.Close()
	r := h.run("--db", path)
	if r.code != exitOK || !strings.Contains(r.stderr, "Bestand versleutelen") || !strings.Contains(r.stderr, "100%") {
		t.Fatalf("first open of a plain file:\n%v", r)
	}
	raw, _ := os.ReadFile(path)
	for _, sm := range sums {
		if bytes.Contains(raw, []byte(sm.Name)) {
			t.Errorf("still in the file: %q", sm.Name)
		}
	}
}

// TestUpgradeShowsProgress: the CLI gives the store a progress callback
// for the upgrade of an older file's layout (schema 4 to 5), which draws
// the same bar as the encryption, under its own label. The store calls it
// only for a schema 4 file, which this brug cannot make: storeOpen shows
// what openStore asks, and the test plays the upgrade's calls.
func TestUpgradeShowsProgress(t *testing.T) {
	h := newHarness(t)
	path, _ := demoDB(t, 3)
	calls := 0
	storeOpen = func(p string, opt store.Options) (*store.Store, error) {
		if opt.Progress == nil {
			t.Error("openStore gives the store no progress callback for an upgrade")
		} else {
			calls++
			for _, d := range []int64{0, 5, 5, 10} {
				opt.Progress(d, 10)
			}
		}
		return store.Open(p, opt)
	}
	defer func() { storeOpen = store.Open }()
	r := h.run("--db", path)
	if r.code != exitOK || calls == 0 {
		t.Fatalf("the app's open:\n%v", r)
	}
	if !strings.Contains(r.stderr, "Bestand bijwerken naar de nieuwe indeling [##########..........]  50%") ||
		!strings.Contains(r.stderr, "[####################] 100%\n") || strings.Count(r.stderr, " 50%") != 1 {
		t.Errorf("the upgrade's progress bar:\n%q", r.stderr)
	}
}
