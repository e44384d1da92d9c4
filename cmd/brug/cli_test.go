package main

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	bolt "go.etcd.io/bbolt"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
	"github.com/brug-nl/brug/store/export"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui"
)

var cliNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

// harness runs the command tree in-process with a fake environment: no
// real home folder, no terminal app (its runs are counted instead).
type harness struct {
	t       *testing.T
	env     map[string]string
	home    string
	tempDir string
	tuiRuns int
	tuiErr  error
	lastApp *tui.Model // the model of the last app run
	// stdin and tty are the standard input of runTok's commands and
	// whether it counts as a terminal (brug admin erase asks there).
	stdin string
	tty   bool
}

type result struct {
	code           int
	stdout, stderr string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{t: t, env: map[string]string{"BRUG_USER": "tester"}, home: t.TempDir(), tempDir: t.TempDir()}
}

func (h *harness) run(args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	code := run(args, env{
		stdout:  &out,
		stderr:  &errb,
		getenv:  func(k string) string { return h.env[k] },
		goos:    "linux",
		home:    func() (string, error) { return h.home, nil },
		osUser:  func() string { return "osuser" },
		now:     func() time.Time { return cliNow },
		tempDir: h.tempDir,
		runTUI: func(m tea.Model) error {
			h.tuiRuns++
			if g, ok := m.(wipeGuard); ok {
				m = g.Model
			}
			h.lastApp, _ = m.(*tui.Model)
			if m.View() == "" {
				h.t.Error("the app model renders nothing")
			}
			return h.tuiErr
		},
		build: buildInfo{Version: "v1.2.3", Commit: "abcdef0123456789", Date: "2025-03-01T10:00:00Z"},
	})
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func (r result) String() string {
	return "exit " + string(rune('0'+r.code)) + "\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// demoDB makes a brug file holding a demo region of n clients and returns
// its path and the clients' summaries, sorted by name.
func demoDB(t *testing.T, n int) (string, []store.Summary) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.db")
	s, err := openTestStore(path, store.Options{Author: "test", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Generate(s, demo.Options{Clients: n, Seed: 1, Now: cliNow}); err != nil {
		t.Fatal(err)
	}
	sums, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	sort.Slice(sums, func(i, j int) bool { return sums[i].Name < sums[j].Name })
	return path, sums
}

func TestVersion(t *testing.T) {
	h := newHarness(t)
	r := h.run("version")
	if r.code != exitOK || !strings.Contains(r.stdout, "brug v1.2.3\n") || !strings.Contains(r.stdout, "abcdef0123456789") ||
		!strings.Contains(r.stdout, "2025-03-01T10:00:00Z") {
		t.Fatalf("version:\n%v", r)
	}
	if r := h.run("--version"); r.code != exitOK || !strings.Contains(r.stdout, "brug v1.2.3 (commit abcdef012345") {
		t.Fatalf("--version:\n%v", r)
	}
	if b := newBuildInfo("dev", "", ""); b.Version == "" || b.Commit == "" || b.Date == "" {
		t.Errorf("build info without stamps has blanks: %+v", b)
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{{"--help"}, {"demo", "--help"}, {"export", "--help"}, {"version", "--help"}, {"help", "export"}} {
		r := h.run(args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "Gebruik:") {
			t.Errorf("%v:\n%v", args, r)
		}
		if args[0] != "version" && !strings.Contains(r.stdout, "Voorbeelden:") {
			t.Errorf("%v: help has no examples", args)
		}
	}
	if h.tuiRuns != 0 {
		t.Error("help started the app")
	}
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		if r := h.run("completion", sh); r.code != exitOK || len(r.stdout) < 100 {
			t.Errorf("completion %s:\n%v", sh, r)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{
		{"frobnicate"},
		{"--nope"},
		{"--lang", "fr", "version"},
		{"demo", "--clients", "0"},
		{"demo", "--clients", "many"},
		{"demo", "extra"},
		{"export"},
		{"export", "a", "b"},
		{"export", "x", "--format", "pdf"},
		{"version", "now"},
	} {
		r := h.run(args...)
		if r.code != exitUsage {
			t.Errorf("%v: want exit 2:\n%v", args, r)
		}
		if !strings.Contains(r.stderr, "--help") {
			t.Errorf("%v: no pointer to --help:\n%v", args, r)
		}
	}
	if h.tuiRuns != 0 {
		t.Error("a usage error started the app")
	}
}

func TestRootOpensTheApp(t *testing.T) {
	h := newHarness(t)
	r := h.run()
	want := filepath.Join(h.home, ".local", "share", "brug", "brug.db")
	if r.code != exitOK || h.tuiRuns != 1 {
		t.Fatalf("brug:\n%v", r)
	}
	if _, err := os.Stat(want); err != nil {
		t.Fatalf("default file not made: %v", err)
	}
	// BRUG_DB beats the default, --db beats BRUG_DB.
	h.env["BRUG_DB"] = filepath.Join(t.TempDir(), "env.db")
	if r := h.run(); r.code != exitOK {
		t.Fatal(r)
	}
	if _, err := os.Stat(h.env["BRUG_DB"]); err != nil {
		t.Fatalf("BRUG_DB not used: %v", err)
	}
	flag := filepath.Join(t.TempDir(), "flag.db")
	if r := h.run("--db", flag); r.code != exitOK {
		t.Fatal(r)
	}
	if _, err := os.Stat(flag); err != nil {
		t.Fatalf("--db not used: %v", err)
	}
	h.tuiErr = os.ErrClosed
	if r := h.run("--db", flag); r.code != exitError || !strings.Contains(r.stderr, "De app stopte met een fout") {
		t.Fatalf("app error not reported:\n%v", r)
	}
}

func TestExportMarkdown(t *testing.T) {
	path, sums := demoDB(t, 12)
	h := newHarness(t)
	c := sums[0]
	for _, lang := range []string{"nl", "en"} {
		r := h.run("--db", path, "--lang", lang, "export", c.Name)
		if r.code != exitOK {
			t.Fatalf("export:\n%v", r)
		}
		if !strings.Contains(r.stdout, "# ") || !strings.Contains(r.stdout, c.Name) {
			t.Errorf("%s: export lacks the client's name", lang)
		}
		for _, st := range method.Default().Steps {
			if !strings.Contains(r.stdout, st.Title.In(lang)) {
				t.Errorf("%s: export lacks step title %q", lang, st.Title.In(lang))
			}
		}
	}
	// By id, written to a file.
	out := filepath.Join(t.TempDir(), "dossier.md")
	r := h.run("--db", path, "export", c.ID, "--out", out)
	if r.code != exitOK || r.stdout != "" || !strings.Contains(r.stderr, out) {
		t.Fatalf("export --out:\n%v", r)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(b), c.Name) {
		t.Fatalf("export file: %v", err)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestExportJSON(t *testing.T) {
	path, sums := demoDB(t, 12)
	h := newHarness(t)
	c := sums[len(sums)-1]
	out := filepath.Join(t.TempDir(), "dossier.json")
	if err := os.WriteFile(out, []byte("old export"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := h.run("--db", path, "export", c.Name, "--format", "json", "--out", out)
	if r.code != exitOK {
		t.Fatalf("export:\n%v", r)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc export.Doc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	s, err := openTestStore(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ops, err := s.Ops(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Client == nil || doc.Client.ID != c.ID || doc.Client.Name.Value != c.Name {
		t.Errorf("client in export: %+v", doc.Client)
	}
	if len(doc.Ops) != len(ops) || doc.Ops[0].ID != ops[0].ID {
		t.Errorf("export has %d ops, store %d", len(doc.Ops), len(ops))
	}
	if doc.Method.ID != "bruggen-naar-werk" || doc.Method.Version < 1 || !doc.ExportedAt.Equal(cliNow) {
		t.Errorf("method %+v, exported_at %v", doc.Method, doc.ExportedAt)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want 0600 (also when replacing a file)", fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestExportUnknownAndAmbiguous(t *testing.T) {
	path, sums := demoDB(t, 40)
	h := newHarness(t)
	r := h.run("--db", path, "export", "Niemand Bestaat")
	if r.code != exitError || !strings.Contains(r.stderr, `Geen cliënt gevonden voor "Niemand Bestaat"`) {
		t.Fatalf("unknown:\n%v", r)
	}
	r = h.run("--db", path, "--lang", "en", "export", "00000000-0000-7000-8000-000000000000")
	if r.code != exitError || !strings.Contains(r.stderr, "No client found") {
		t.Fatalf("unknown id:\n%v", r)
	}
	// A part of a name that several clients share lists them, with ids.
	first := strings.Fields(sums[0].Name)[0]
	var want []store.Summary
	for _, sm := range sums {
		if strings.Contains(strings.ToLower(sm.Name), strings.ToLower(first)) {
			want = append(want, sm)
		}
	}
	query := first
	if len(want) < 2 {
		query = "van" // the demo's surnames share it
		want = want[:0]
		for _, sm := range sums {
			if strings.Contains(strings.ToLower(sm.Name), "van") {
				want = append(want, sm)
			}
		}
	}
	r = h.run("--db", path, "export", query)
	if r.code != exitError || !strings.Contains(r.stderr, "Meer dan één cliënt past bij") {
		t.Fatalf("ambiguous %q:\n%v", query, r)
	}
	for i, sm := range want {
		if i == 20 {
			break
		}
		if !strings.Contains(r.stderr, sm.ID+"  "+sm.Name) {
			t.Errorf("candidate %s %s not listed:\n%s", sm.ID, sm.Name, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("stdout not empty: %q", r.stdout)
	}
	// No file for export to read is an error that says so; nothing is made.
	missing := filepath.Join(t.TempDir(), "none.db")
	if r := h.run("--db", missing, "export", "x"); r.code != exitError || !strings.Contains(r.stderr, "Er is nog geen brug-bestand") {
		t.Fatalf("missing file:\n%v", r)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("export created a file")
	}
}

func TestBrokenMethodFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "regio.yaml")
	if err := os.WriteFile(bad, []byte("id: regio\nversion: 1\nname:\n  nl: Regio\nsteps: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	line := regexp.MustCompile(`methodebestand ` + regexp.QuoteMeta(bad) + `, regel [0-9]+: YAML-fout: `)
	for _, args := range [][]string{
		{"--method", bad, "--db", filepath.Join(dir, "a.db")},
		{"--method", bad, "--db", filepath.Join(dir, "a.db"), "demo"},
		{"--method", bad, "--db", filepath.Join(dir, "a.db"), "export", "x"},
	} {
		r := h.run(args...)
		if r.code != exitError || !line.MatchString(r.stderr) {
			t.Errorf("%v: want the file and line:\n%v", args, r)
		}
	}
	if r := h.run("--lang", "en", "--method", bad, "--db", filepath.Join(dir, "a.db")); r.code != exitError ||
		!regexp.MustCompile(`method file `+regexp.QuoteMeta(bad)+`, line [0-9]+: YAML syntax error: `).MatchString(r.stderr) {
		t.Errorf("in English: want the file and line:\n%v", r)
	}
	if h.tuiRuns != 0 {
		t.Error("the app started with a broken method")
	}
	if _, err := os.Stat(filepath.Join(dir, "a.db")); err == nil {
		t.Error("a brug file was made although the method is broken")
	}
	if r := h.run("--method", filepath.Join(dir, "none.yaml"), "--db", filepath.Join(dir, "b.db")); r.code != exitError ||
		!strings.Contains(r.stderr, "Kan het methodebestand niet lezen") {
		t.Errorf("missing method file:\n%v", r)
	}
	// A good method file is used.
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, method.DefaultYAML(), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := h.run("--method", good, "--db", filepath.Join(dir, "c.db")); r.code != exitOK || h.tuiRuns != 1 {
		t.Errorf("good method file:\n%v", r)
	}
}

func TestNotABrugFileIsLeftAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "thesis.docx")
	junk := make([]byte, 8192)
	if _, err := rand.Read(junk); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, junk, 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	for _, args := range [][]string{
		{"--db", path},
		{"--db", path, "demo"},
		{"--db", path, "export", "x"},
		{"--db", path, "--lang", "en"},
	} {
		r := h.run(args...)
		if r.code != exitError {
			t.Errorf("%v: want exit 1:\n%v", args, r)
		}
		if !strings.Contains(r.stderr, "is geen brug-bestand") && !strings.Contains(r.stderr, "is not a brug file") {
			t.Errorf("%v: unclear message:\n%v", args, r)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, junk) {
		t.Fatal("the file was changed")
	}
	if h.tuiRuns != 0 {
		t.Error("the app started on a file that is not brug's")
	}
}

func TestSecondOpenIsRefusedQuickly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	first, err := openTestStore(path, store.Options{Author: "first"})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	h := newHarness(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", path}, "brug is al geopend op dit bestand (" + path + "). Sluit de andere brug eerst."},
		{[]string{"--db", path, "--lang", "en"}, "brug is already open on this file (" + path + "). Close the other brug first."},
		{[]string{"--db", path, "export", "x"}, "brug is al geopend op dit bestand"},
		{[]string{"--db", path, "demo"}, "brug is al geopend op dit bestand"},
	} {
		// The lock wait is 500 ms. A loaded CI machine (-race, packages
		// tested in parallel) can stretch one run; a second slow run is a
		// real hang.
		var r result
		for try := 1; ; try++ {
			start := time.Now()
			r = h.run(tc.args...)
			d := time.Since(start)
			if d <= time.Second {
				break
			}
			if try == 2 {
				t.Errorf("%v: took %v twice, want under a second", tc.args, d)
				break
			}
		}
		if r.code != exitError || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v:\n%v", tc.args, r)
		}
	}
	if h.tuiRuns != 0 {
		t.Error("the app started on a locked file")
	}
}

func TestDemo(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(t.TempDir(), "demo.db")
	r := h.run("demo", "--db", path, "--clients", "7")
	if r.code != exitOK || h.tuiRuns != 1 || !strings.Contains(r.stderr, "7 cliënten") {
		t.Fatalf("demo:\n%v", r)
	}
	if h.lastApp == nil || h.lastApp.Context().Role != tui.RoleCoordinator {
		t.Errorf("the demo does not run as a coordinator")
	}
	stats := func() store.Stats {
		s, err := openTestStore(path, store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		st, err := s.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := stats()
	if st.Clients != 7 {
		t.Fatalf("demo made %d clients, want 7", st.Clients)
	}
	// Again: the file is opened as it is, not filled twice.
	r = h.run("demo", "--db", path, "--clients", "9")
	if r.code != exitOK || !strings.Contains(r.stderr, "bevat al 7 cliënten") {
		t.Fatalf("second demo:\n%v", r)
	}
	if again := stats(); again != st {
		t.Errorf("reopening changed the file: %+v, was %+v", again, st)
	}
	// An empty file (as made by a text editor or mktemp) is filled.
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := h.run("demo", "--db", empty, "--clients", "3"); r.code != exitOK {
		t.Fatalf("demo on empty file:\n%v", r)
	}
	// Without --db: a new temporary file, named on stderr; BRUG_DB is
	// not touched.
	h.env["BRUG_DB"] = filepath.Join(t.TempDir(), "mine.db")
	r = h.run("--lang", "en", "demo", "--clients", "2")
	if r.code != exitOK {
		t.Fatalf("demo in temp file:\n%v", r)
	}
	made, _ := filepath.Glob(filepath.Join(h.tempDir, "brug-demo-*.db"))
	if len(made) != 1 || !strings.Contains(r.stderr, "Demo region in a temporary file: "+made[0]) {
		t.Fatalf("temp demo file %v not reported:\n%v", made, r)
	}
	if _, err := os.Stat(h.env["BRUG_DB"]); err == nil {
		t.Error("demo wrote into BRUG_DB")
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.md")
	for _, content := range []string{"one", "two, longer"} {
		if err := writeFileAtomic(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil || string(b) != content {
			t.Fatalf("got %q, %v; want %q", b, err, content)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the file", len(entries))
	}
	if err := writeFileAtomic(filepath.Join(dir, "no", "such", "dir.md"), []byte("x"), 0o600); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
}

// TestExportUpgradesAnOlderFile: export reads without writing, but a file
// an older brug wrote needs its layout upgraded first; export does that
// (as opening the app would) instead of failing.
func TestExportUpgradesAnOlderFile(t *testing.T) {
	path, sums := demoDB(t, 3)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := make([]byte, 4)
		binary.BigEndian.PutUint32(b, store.SchemaVersion-1)
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), b)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openTestStore(path, store.Options{ReadOnly: true}); !errors.Is(err, store.ErrUpgrade) {
		t.Fatalf("read-only open of the older file: %v, want ErrUpgrade", err)
	}
	r := newHarness(t).run("--db", path, "export", sums[0].ID)
	if r.code != exitOK || !strings.Contains(r.stdout, sums[0].Name) {
		t.Fatalf("export of an older file:\n%v", r)
	}
	s, err := openTestStore(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("after export the file is not upgraded: %v", err)
	}
	s.Close()
}

// Without a terminal (stdin from /dev/null, no controlling tty) the app
// used to stop with Bubble Tea's English "could not open a new TTY".
func TestNoTerminalSaidInDutch(t *testing.T) {
	h := newHarness(t)
	h.tuiErr = errNoTerminal
	r := h.run("--db", filepath.Join(t.TempDir(), "x.db"))
	if r.code != exitError || !strings.Contains(r.stderr, "brug heeft een terminal nodig") || strings.Contains(r.stderr, "no terminal") {
		t.Fatalf("no Dutch message for a missing terminal:\n%v", r)
	}
}

// The real binary finds out itself that there is no terminal: stdin from
// /dev/null (a character device, but no terminal) and no controlling
// terminal (a new session), as under cron.
func TestNoTerminalDetectedByTheBinary(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a new session without a controlling terminal is set up on Linux only")
	}
	home := t.TempDir()
	out, err := runAsCron(t, brugBinary(t), home, "een lange goede zin", "--db", filepath.Join(home, "brug.db"))
	if err == nil || !strings.Contains(out, "brug heeft een terminal nodig") || strings.Contains(out, "TTY") {
		t.Fatalf("without a terminal: %v\n%s", err, out)
	}
}

// runAsCron runs the binary bin with args as cron would: in a new session
// without a controlling terminal, stdin from /dev/null, HOME at home, no
// keyring, and pass as BRUG_PASSPHRASE (none when empty).
func runAsCron(t *testing.T, bin, home, pass string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+home, "BRUG_KEYRING=off", "BRUG_PASSPHRASE="+pass, "BRUG_LANG=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	cmd.Stdin = devnull
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// A command on a file locked with a passphrase, run as cron runs it (stdin
// from /dev/null, no controlling terminal), was told "brug needs a terminal
// to show the app; use a command such as brug report" when it was brug
// report: /dev/null passed for a terminal, so brug tried its unlock screen.
// It must say that the file is locked and how to give the passphrase.
func TestLockedFileWithoutTerminalSaysPassphrase(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a new session without a controlling terminal is set up on Linux only")
	}
	bin := brugBinary(t)
	home := t.TempDir()
	db := filepath.Join(home, "brug.db")
	brug := func(pass string, args ...string) string {
		t.Helper()
		out, _ := runAsCron(t, bin, home, pass, append([]string{"--db", db}, args...)...)
		return out
	}
	// No file and no keyring: brug would make the file, with a passphrase
	// that nobody can type here.
	if out := brug("", "sync"); !strings.Contains(out, "geen sleutelbos") || !strings.Contains(out, "BRUG_PASSPHRASE") || strings.Contains(out, "de app te tonen") {
		t.Fatalf("sync on a new file without a terminal:\n%s", out)
	}
	// The file made with a passphrase (sync then says it is not enrolled).
	if out := brug("een lange goede zin", "sync"); !strings.Contains(out, "nog niet aangemeld") {
		t.Fatalf("sync with a passphrase:\n%s", out)
	}
	for _, args := range [][]string{{"report"}, {"sync"}, {"check"}} {
		if out := brug("", args...); !strings.Contains(out, "is op slot met een wachtwoordzin") || strings.Contains(out, "de app te tonen") {
			t.Fatalf("brug %s on a locked file without a terminal:\n%s", args[0], out)
		}
	}
}

// TestOutNeverWritesOverBrugsFiles is a regression test for data loss.
// Attack (or slip): `brug export NAME --out brug.db` (the file's own name
// typed where the export's belongs) replaced the data file with the export,
// and every dossier in it was gone; a key file likewise.
func TestOutNeverWritesOverBrugsFiles(t *testing.T) {
	path, sums := demoDB(t, 3)
	h := newHarness(t)
	c := sums[0]
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(t.TempDir(), "brug.key")
	if err := os.WriteFile(key, []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{path, key} {
		for _, args := range [][]string{{"export", c.ID}, {"plan", c.ID}} {
			for _, lang := range []string{"nl", "en"} {
				r := h.run(append([]string{"--db", path, "--lang", lang}, append(args, "--out", target)...)...)
				want := "een bestand van brug zelf"
				if lang == "en" {
					want = "a file of brug's own"
				}
				if r.code == exitOK || !strings.Contains(r.stderr, want) {
					t.Errorf("%s --out %s (%s): not refused:\n%v", args[0], filepath.Base(target), lang, r)
				}
			}
		}
	}
	after, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("the data file changed under a refused --out (%v)", err)
	}
	if r := h.run("--db", path, "export", c.ID); r.code != exitOK || !strings.Contains(r.stdout, c.Name) {
		t.Fatalf("the file does not read after the refusals:\n%v", r)
	}
	// A folder as --out is named as such, with a file name to give.
	dir := t.TempDir()
	for _, args := range [][]string{{"export", c.ID}, {"plan", c.ID}} {
		r := h.run(append([]string{"--db", path}, append(args, "--out", dir)...)...)
		if r.code == exitOK || !strings.Contains(r.stderr, "is een map; geef --out een bestandsnaam") || strings.Contains(r.stderr, "bestaat al") {
			t.Errorf("%s --out FOLDER:\n%v", args[0], r)
		}
	}
}
