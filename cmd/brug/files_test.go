package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/brug-nl/brug/store"
)

// laptopFile makes a closed laptop file with n clients of team Noord.
func laptopFile(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "laptop.db")
	s, err := openTestStore(path, store.Options{Author: "tester", NoSync: true, Kind: store.FileLaptop})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := s.CreateClient(store.NewClient{Name: "Client " + string(rune('A'+i%26)) + string(rune('a'+i/26)), Team: "Noord"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// usedPart is the part of a closed bbolt file its pages use, from its
// newest meta page (bbolt grows files in large steps).
func usedPart(t *testing.T, b []byte) int {
	t.Helper()
	best, txid := 0, uint64(0)
	for _, off := range []int{0, 4096} {
		meta := b[off+16:]
		if binary.NativeEndian.Uint32(meta) != 0xED0CDAED {
			continue
		}
		if tx := binary.NativeEndian.Uint64(meta[48:]); tx >= txid {
			txid, best = tx, int(binary.NativeEndian.Uint64(meta[40:]))*int(binary.NativeEndian.Uint32(meta[8:]))
		}
	}
	if best == 0 {
		t.Fatal("no meta page")
	}
	return best
}

// damagedCopies returns a copy of path cut short inside its used part and
// one whose page headers (4 bytes each) are overwritten.
func damagedCopies(t *testing.T, path string) (cut, flipped string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	used := usedPart(t, b)
	dir := t.TempDir()
	cut = filepath.Join(dir, "cut.db")
	if err := os.WriteFile(cut, b[:used/2], 0o600); err != nil {
		t.Fatal(err)
	}
	f := bytes.Clone(b[:used])
	for page := 2; page*4096 < used; page++ {
		copy(f[page*4096+8:], []byte{0xFF, 0xFF, 0xFF, 0xFF})
	}
	flipped = filepath.Join(dir, "flipped.db")
	if err := os.WriteFile(flipped, f, 0o600); err != nil {
		t.Fatal(err)
	}
	return cut, flipped
}

// noCrash fails when output shows a stack trace or a goroutine dump.
func noCrash(t *testing.T, what string, r result) {
	t.Helper()
	for _, bad := range []string{"goroutine ", "panic:", "SIGBUS", "SIGSEGV", "runtime error", ".go:"} {
		if strings.Contains(r.stdout+r.stderr, bad) {
			t.Errorf("%s: output shows a crash (%q):\n%v", what, bad, r)
		}
	}
}

// TestDamagedFileSaysWhatToDo: a laptop file cut short made every command
// die with SIGBUS and a goroutine dump, and overwritten page headers gave
// "panic: assertion failed"; each command now names the file once and
// says what to do, and brug check says what it found.
func TestDamagedFileSaysWhatToDo(t *testing.T) {
	cut, flipped := damagedCopies(t, laptopFile(t, 120))
	h := newHarness(t)
	for _, db := range []string{cut, flipped} {
		for _, args := range [][]string{{}, {"export", "Client A"}, {"report"}, {"sync"}} {
			r := h.run(append([]string{"--db", db}, args...)...)
			what := filepath.Base(db) + " " + strings.Join(args, " ")
			noCrash(t, what, r)
			if db == flipped && r.code == exitOK {
				continue // the command did not read a damaged page
			}
			expect(t, what, r, exitError, db+" is beschadigd", "brug check --db "+db)
		}
		r := h.run("--db", db, "check")
		noCrash(t, "check", r)
		expect(t, "check "+filepath.Base(db), r, exitError, db+" is beschadigd. Wat er precies mis is", "BRUG_DETAILS=1", "reservekopie")
		h.env["BRUG_DETAILS"] = "1"
		r = h.run("--db", db, "check")
		delete(h.env, "BRUG_DETAILS")
		expect(t, "check with details "+filepath.Base(db), r, exitError, db+" is beschadigd. Gevonden (in het Engels, voor wie het bestand onderzoekt):\n  - ", "reservekopie")
		r = h.run("--db", db, "--lang", "en", "check")
		expect(t, "check in English", r, exitError, db+" is damaged. Found:", "backup")
	}
	if h.tuiRuns != 0 {
		t.Error("the app started on a damaged file")
	}
	if strings.Count(h.run("--db", cut, "export", "x").stderr, cut) != 2 { // the message and its brug check hint
		t.Error("the damaged file's path is not named exactly in the message and its hint")
	}

	sound := laptopFile(t, 3)
	before, _ := os.ReadFile(sound)
	expect(t, "check of a sound file", h.run("--db", sound, "check"), exitOK,
		sound+" is in orde: het bestand van een laptop; dossiers: 3, ")
	if after, _ := os.ReadFile(sound); !bytes.Equal(before, after) {
		t.Error("brug check changed the file")
	}
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// brugBinary builds the brug binary once per test run.
func brugBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the brug binary; skipped in -short mode")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "brug-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "brug")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("build brug: %v\n%s", binErr, binPath)
	}
	return binPath
}

// removeBrugBinary removes what brugBinary built (TestMain calls it).
func removeBrugBinary() {
	if binErr == nil && binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
}

// TestDamagedFileRealBinary: the SIGBUS of a truncated file killed the
// real process with a goroutine dump; the binary now exits 1 with the
// message, also for a fault that only the operating system can raise.
func TestDamagedFileRealBinary(t *testing.T) {
	bin := brugBinary(t)
	cut, flipped := damagedCopies(t, laptopFile(t, 120))
	for _, args := range [][]string{
		{"--db", cut, "export", "Client A"},
		{"--db", cut, "report"},
		{"--db", flipped, "export", "Client A"},
		{"--db", flipped, "check"},
		{"--db", cut, "check"},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "BRUG_PASSPHRASE="+testPassphrase, "BRUG_USER=tester", "LANG=nl_NL.UTF-8", "LC_ALL=", "LC_MESSAGES=")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		r := result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
		noCrash(t, strings.Join(args, " "), r)
		if err == nil && args[1] == flipped && args[2] == "export" {
			continue
		}
		expect(t, strings.Join(args, " "), r, exitError, "is beschadigd")
	}
}

// TestReadOnlyCommandsLeaveForeignFilesAlone: `brug export` and `brug
// report` on an empty bbolt file of another program wrote brug's buckets
// into it; now they refuse it and leave it byte for byte as it was.
func TestReadOnlyCommandsLeaveForeignFilesAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	fi0, _ := os.Stat(path)
	h := newHarness(t)
	for _, args := range [][]string{{"export", "x"}, {"report"}, {"check"}} {
		r := h.run(append([]string{"--db", path}, args...)...)
		expect(t, strings.Join(args, " "), r, exitError, path+" is geen brug-bestand")
	}
	after, _ := os.ReadFile(path)
	fi1, _ := os.Stat(path)
	if !bytes.Equal(before, after) || !fi0.ModTime().Equal(fi1.ModTime()) {
		t.Error("a read-only command changed another program's file")
	}
}

// TestLaptopAndServerFilesRefuseEachOther: `brug admin --db laptop.db`
// wrote a server's buckets into a laptop's file (and the app would open a
// server's file as if it were a laptop's); each now refuses the other.
func TestLaptopAndServerFilesRefuseEachOther(t *testing.T) {
	h := newHarness(t)
	laptop := laptopFile(t, 2)
	region := filepath.Join(t.TempDir(), "region.db")
	expect(t, "team add", adminCmd(h, region, "team", "add", "Noord"), exitOK)

	before, _ := os.ReadFile(laptop)
	for _, args := range [][]string{{"user", "list"}, {"team", "add", "Zuid"}, {"audit"}} {
		expect(t, "admin on a laptop file", adminCmd(h, laptop, args...), exitError,
			laptop+" is het bestand van een laptop, niet dat van een syncserver")
	}
	expect(t, "serve on a laptop file", h.runTok(nil, "--db", laptop, "serve", "--addr", "127.0.0.1:0"), exitError,
		"is het bestand van een laptop")
	if after, _ := os.ReadFile(laptop); !bytes.Equal(before, after) {
		t.Error("a server command changed a laptop's file")
	}

	regionBefore, _ := os.ReadFile(region)
	for _, args := range [][]string{{}, {"export", "x"}, {"report"}, {"sync"}, {"login", "http://127.0.0.1:1", "CODE"}} {
		r := h.runTok(nil, append([]string{"--db", region}, args...)...)
		expect(t, "laptop command "+strings.Join(args, " ")+" on a server file", r, exitError,
			region+" is het bestand van een syncserver, niet dat van een laptop")
	}
	r := h.runTok(nil, "--db", region, "--lang", "en", "report")
	expect(t, "in English", r, exitError, "is a sync server's file, not a laptop's")
	if after, _ := os.ReadFile(region); !bytes.Equal(regionBefore, after) {
		t.Error("a laptop command changed the server's file")
	}
	if h.tuiRuns != 0 {
		t.Error("the app started on a server's file")
	}
	expect(t, "check works on both", h.run("--db", region, "check"), exitOK, "het bestand van een syncserver")
}

// TestUnwritableFileOneLine: a read-only file or folder printed the path
// three times in Go's words; now one line names it once and says what to
// do.
func TestUnwritableFileOneLine(t *testing.T) {
	dir := t.TempDir()
	file := laptopFile(t, 1)
	roDir := filepath.Join(dir, "ro")
	if err := os.Mkdir(roDir, 0o500); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, 0o400); err != nil {
		t.Fatal(err)
	}
	// File modes do not stop root: run the binary as nobody then.
	runAs := func(args ...string) result {
		t.Helper()
		if os.Geteuid() != 0 {
			return newHarness(t).run(args...)
		}
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("running as root without setpriv: file modes cannot be tested")
		}
		bin := brugBinary(t)
		for _, p := range []string{dir, filepath.Dir(file)} {
			_ = os.Chmod(p, 0o755)
			_ = os.Chown(p, 65534, 65534)
		}
		_ = os.Chown(file, 65534, 65534)
		_ = os.Chown(roDir, 65534, 65534)
		_ = os.Chmod(filepath.Dir(filepath.Dir(file)), 0o755)
		_ = os.Chmod(filepath.Dir(dir), 0o755)
		cmd := exec.Command(setpriv, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", bin}, args...)...)
		cmd.Env = []string{"HOME=" + dir, "BRUG_PASSPHRASE=" + testPassphrase, "BRUG_USER=tester", "LANG=nl_NL.UTF-8"}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		_ = cmd.Run()
		return result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
	}
	r := runAs("--db", file, "demo")
	expect(t, "read-only file", r, exitError, "Je mag "+file+" niet lezen of niet schrijven", "chmod u+rw")
	if n := strings.Count(r.stderr, file); n != 1 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("want one line naming the file once:\n%v", r)
	}
	newFile := filepath.Join(roDir, "brug.db")
	r = runAs("--db", newFile, "demo")
	expect(t, "read-only folder", r, exitError, "Je mag geen bestand maken in de map "+roDir, "chmod u+w")
	if n := strings.Count(r.stderr, roDir); n != 1 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("want one line naming the folder once:\n%v", r)
	}
}
