package main

import (
	"github.com/zalando/go-keyring"

	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/server/pgtest"
)

// The end-to-end test drives the real binary in a real terminal (tmux at
// 80x24), as a coach would: it builds brug once in TestMain, starts a demo,
// ticks a checklist item and answers a question, quits, starts brug again
// on the same file and finds both on screen and in the store.

// e2eBinary is the brug binary TestMain built, or "" with the reason in
// e2eSkip.
var (
	e2eBinary string
	e2eSkip   string
)

func TestMain(m *testing.M) {
	flag.Parse()
	// In-process runs keep file keys in a keyring in memory; the brug
	// binaries the tests start get a passphrase (e2ePassphrase).
	keyring.MockInit()
	code := func() int {
		switch _, err := exec.LookPath("tmux"); {
		case err != nil:
			e2eSkip = "tmux is not installed, so the end-to-end test cannot drive a terminal (apt-get install tmux)"
		case testing.Short():
			e2eSkip = "end-to-end test skipped in -short mode"
		default:
			dir, err := os.MkdirTemp("", "brug-e2e-bin-")
			if err != nil {
				fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
				return 1
			}
			defer os.RemoveAll(dir)
			e2eBinary = filepath.Join(dir, "brug")
			build := exec.Command("go", "build", "-o", e2eBinary, ".")
			build.Stdout, build.Stderr = os.Stderr, os.Stderr
			if err := build.Run(); err != nil {
				fmt.Fprintln(os.Stderr, "e2e: building brug failed:", err)
				return 1
			}
		}
		defer removeBrugBinary()
		return pgtest.Main(m) // stops the PostgreSQL cluster a test started
	}()
	os.Exit(code)
}

// tmux is one tmux server of the test's own (its own -L socket), with one
// session whose single pane runs brug.
type tmux struct {
	t        *testing.T
	socket   string
	confFile string
	env      []string // NAME=value for brug
}

func newTmux(t *testing.T, env ...string) *tmux {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "tmux.conf")
	// remain-on-exit keeps the pane after brug quits, so the test can see
	// that it quit and start it again in the same window.
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\nset -g status off\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := &tmux{t: t, socket: fmt.Sprintf("brug-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), confFile: conf, env: env}
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *tmux) cmd(args ...string) (string, error) {
	all := append([]string{"-L", tm.socket, "-f", tm.confFile}, args...)
	out, err := exec.Command("tmux", all...).CombinedOutput()
	return string(out), err
}

func (tm *tmux) must(args ...string) string {
	tm.t.Helper()
	out, err := tm.cmd(args...)
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return out
}

// command is the shell command line that runs brug with the test's
// environment, whatever the environment of the tmux server.
func (tm *tmux) command(args ...string) string {
	parts := []string{"env", "-u", "LC_ALL", "-u", "LC_MESSAGES", "-u", "BRUG_DB"}
	parts = append(parts, tm.env...)
	parts = append(parts, e2eBinary)
	parts = append(parts, args...)
	for i, p := range parts {
		parts[i] = "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
	}
	return strings.Join(parts, " ")
}

// start runs brug in a new session, or again in the same pane once the
// previous brug has quit.
func (tm *tmux) start(args ...string) {
	tm.t.Helper()
	if _, err := tm.cmd("has-session", "-t", "e2e"); err != nil {
		tm.must("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", tm.command(args...))
		return
	}
	tm.must("respawn-pane", "-k", "-t", "e2e", tm.command(args...))
}

func (tm *tmux) keys(keys ...string) {
	tm.t.Helper()
	tm.must(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

func (tm *tmux) typeText(s string) {
	tm.t.Helper()
	tm.must("send-keys", "-t", "e2e", "-l", s)
}

func (tm *tmux) pane() string {
	tm.t.Helper()
	return tm.must("capture-pane", "-p", "-t", "e2e")
}

// waitFor polls the screen until it holds want, and returns that screen.
// It fails the test with the last screen when the deadline passes.
func (tm *tmux) waitFor(want string, timeout time.Duration) string {
	tm.t.Helper()
	return tm.waitUntil("the screen to show "+fmt.Sprintf("%q", want), timeout, func(p string) bool { return strings.Contains(p, want) })
}

func (tm *tmux) waitUntil(what string, timeout time.Duration, ok func(pane string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		p := tm.pane()
		if ok(p) {
			return p
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waited %v for %s; the screen shows:\n%s", timeout, what, p)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitExit waits until brug has quit (the pane is dead).
func (tm *tmux) waitExit(timeout time.Duration) {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out, err := tm.cmd("display-message", "-p", "-t", "e2e", "#{pane_dead} #{pane_dead_status}")
		if err == nil && strings.HasPrefix(out, "1") {
			if f := strings.Fields(out); len(f) > 1 && f[1] != "0" {
				tm.t.Fatalf("brug exited with status %s; the screen shows:\n%s", f[1], tm.pane())
			}
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("brug did not quit within %v; the screen shows:\n%s", timeout, tm.pane())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cursorLine is the line of the screen that carries the cursor mark.
func cursorLine(pane string) string {
	for _, l := range strings.Split(pane, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "›") {
			return l
		}
	}
	return ""
}

// listRow finds the first client list row that matches and returns its
// position among the rows and the client's name.
func listRow(pane string, match func(row string) bool) (int, string) {
	i := 0
	for _, l := range strings.Split(pane, "\n") {
		if !strings.Contains(l, "stap ") || !strings.Contains(l, "/6") {
			continue
		}
		if match(l) {
			row := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "›"))
			name, _, _ := strings.Cut(row, "  ")
			return i, name
		}
		i++
	}
	return -1, ""
}

// editorHint is the editor's own key hint: on screen only while the editor
// is open.
const editorHint = "ctrl+s bewaart"

func TestEndToEnd(t *testing.T) {
	if e2eBinary == "" {
		t.Skip(e2eSkip)
	}
	const (
		short = 10 * time.Second
		long  = 30 * time.Second
	)
	db := filepath.Join(t.TempDir(), "e2e.db")
	tm := newTmux(t, "BRUG_PASSPHRASE="+testPassphrase, "NO_COLOR=1", "LANG=C.UTF-8", "TERM=xterm-256color", "BRUG_USER=e2e-tester")
	m := method.Default()
	step1 := m.Steps[0]
	question := step1.Questions[0].Text.NL[:30]
	answer := fmt.Sprintf("Werkt graag buiten e2e-%d", time.Now().UnixNano()%100000)

	// 1. A demo region of 12 clients; open one that is in step 1.
	tm.start("demo", "--db", db, "--clients", "12")
	pane := tm.waitFor("stap 1/6", long)
	row, name := listRow(pane, func(l string) bool { return strings.Contains(l, "stap 1/6") })
	if row < 0 || name == "" {
		t.Fatalf("no client in step 1 on the list:\n%s", pane)
	}
	t.Logf("client %q, row %d", name, row)
	for range row {
		tm.keys("Down")
	}
	tm.waitUntil("the cursor on "+name, short, func(p string) bool { return strings.Contains(cursorLine(p), name) })
	tm.keys("Enter")
	tm.waitFor(step1.Title.NL, short)
	tm.keys("1")
	pane = tm.waitFor("Stap 1 van 6", short)

	// 2. Tick (or untick) the first checklist item.
	before := cursorLine(pane)
	if !strings.Contains(before, "[ ]") && !strings.Contains(before, "[x]") {
		t.Fatalf("the cursor is not on a checklist item:\n%s", pane)
	}
	wantBox, wantValue := "[x]", "1"
	if strings.Contains(before, "[x]") {
		wantBox, wantValue = "[ ]", "0"
	}
	tm.keys("Space")
	tm.waitUntil("the first item to show "+wantBox, short, func(p string) bool { return strings.Contains(cursorLine(p), wantBox) })

	// 3. Answer the first question: down past the checklist, enter, type,
	// ctrl+s.
	for range step1.Checklist {
		tm.keys("Down")
	}
	tm.waitUntil("the cursor on the first question", short, func(p string) bool { return strings.Contains(cursorLine(p), question) })
	tm.keys("Enter")
	tm.waitFor(editorHint, short)
	tm.typeText(answer)
	tm.waitFor(answer, short)
	tm.keys("C-s")
	tm.waitUntil("the step screen after saving", short, func(p string) bool {
		return strings.Contains(p, "Stap 1 van 6") && strings.Contains(cursorLine(p), question) && !strings.Contains(p, editorHint)
	})

	// 4. Quit.
	tm.keys("q")
	tm.waitExit(short)

	// 5. Start brug again on the same file and find both on screen.
	tm.start("--db", db)
	pane = tm.waitFor(name, long)
	row, _ = listRow(pane, func(l string) bool { return strings.Contains(l, name) })
	for range row {
		tm.keys("Down")
	}
	tm.waitUntil("the cursor on "+name, short, func(p string) bool { return strings.Contains(cursorLine(p), name) })
	tm.keys("Enter")
	tm.waitFor(step1.Title.NL, short)
	tm.keys("1")
	pane = tm.waitFor("Stap 1 van 6", short)
	if !strings.Contains(cursorLine(pane), wantBox) {
		t.Fatalf("after a restart the first item does not show %s:\n%s", wantBox, pane)
	}
	if wantBox == "[x]" && !strings.Contains(pane, "e2e-tester") {
		t.Errorf("the tick does not say who made it:\n%s", pane)
	}
	for range step1.Checklist {
		tm.keys("Down")
	}
	tm.waitUntil("the cursor on the first question", short, func(p string) bool { return strings.Contains(cursorLine(p), question) })
	tm.keys("Enter")
	// The step screen previews the answer too, so wait for the editor's own
	// hint: a key sent before the editor is up would land on the step.
	tm.waitUntil("the editor with the saved answer", short, func(p string) bool {
		return strings.Contains(p, editorHint) && strings.Contains(p, answer)
	})
	tm.keys("Escape")
	// Wait until the editor is gone before q: ESC and q read together are
	// alt+q, not two keys.
	tm.waitUntil("the step screen again", short, func(p string) bool {
		return strings.Contains(p, "Stap 1 van 6") && !strings.Contains(p, editorHint)
	})
	tm.keys("q")
	tm.waitExit(short)
	tm.must("kill-server")

	// 6. The store holds the two ops, made by the user.
	s, err := openTestStore(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, err := s.FindClient(name)
	if err != nil {
		t.Fatal(err)
	}
	check, err := s.History(id, "step/1/check/"+step1.Checklist[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(check); n == 0 || check[n-1].Author != "e2e-tester" || check[n-1].Value != wantValue {
		t.Errorf("no tick op by e2e-tester with value %s: %+v", wantValue, check)
	}
	ans, err := s.History(id, "step/1/answer/"+step1.Questions[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ans); n == 0 || ans[n-1].Author != "e2e-tester" || !strings.Contains(ans[n-1].Value, answer) {
		t.Errorf("no answer op by e2e-tester holding %q: %+v", answer, ans)
	}
	c, err := s.Client(id)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Steps[0].Answers[step1.Questions[0].ID].Value; !strings.Contains(got, answer) {
		t.Errorf("the answer in the dossier is %q", got)
	}
}

// testPassphrase locks the files of the brug binaries tests start, which
// find no keyring.
const testPassphrase = "paard batterij nietje"

// openTestStore opens a laptop's file as brug does in these tests: the
// key in the (mock) keyring, or the test passphrase for files the brug
// binaries made.
func openTestStore(path string, opt store.Options) (*store.Store, error) {
	var kr store.Keyring = store.OSKeyring{}
	if _, err := os.Stat(demoKeyFile(path)); err == nil {
		kr = store.KeyFile{Name: demoKeyFile(path)}
	}
	opt.Encryption = &store.Encryption{Keyring: kr, Passphrase: []byte(testPassphrase)}
	return store.Open(path, opt)
}
