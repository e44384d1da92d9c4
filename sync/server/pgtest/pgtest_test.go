//go:build unix

package pgtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// Each test gets its own empty database on 127.0.0.1, and what one
// writes the other does not see.
func TestDBFreshAndSeparate(t *testing.T) {
	ctx := context.Background()
	a, b := DB(t), DB(t)
	if a == b {
		t.Fatalf("two tests share database %s", a)
	}
	for _, dsn := range []string{a, b} {
		if os.Getenv(EnvExternal) == "" && !strings.Contains(dsn, "@127.0.0.1:") {
			t.Fatalf("throwaway cluster not on 127.0.0.1: %s", dsn)
		}
	}
	ca, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close(ctx)
	if _, err := ca.Exec(ctx, "CREATE TABLE t (x int); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	cb, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close(ctx)
	var n int
	if err := cb.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("a fresh database has %d tables, want 0", n)
	}
	if os.Getenv(EnvExternal) == "" {
		var fsync string
		if err := cb.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil {
			t.Fatal(err)
		}
		if fsync != "off" {
			t.Errorf("fsync = %s, want off in the throwaway cluster", fsync)
		}
	}
}

// A test's database is dropped when the test ends.
func TestDBDroppedAtCleanup(t *testing.T) {
	var dsn string
	t.Run("inner", func(t *testing.T) { dsn = DB(t) })
	if dsn == "" {
		t.Skip("no PostgreSQL (see the inner test's skip message)")
	}
	ctx := context.Background()
	if _, err := pgx.Connect(ctx, dsn); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("connect to a finished test's database: %v, want \"does not exist\"", err)
	}
}

// Without PostgreSQL the message names the missing program and how to
// install it.
func TestSkipMessage(t *testing.T) {
	old := os.Getenv("PATH")
	t.Setenv("PATH", t.TempDir())
	dir, missing := findBin()
	os.Setenv("PATH", old)
	if dir != "" && !strings.HasPrefix(dir, "/usr/lib/postgresql/") {
		t.Fatalf("findBin with an empty PATH = %q", dir)
	}
	if dir == "" && missing != "initdb" {
		t.Fatalf("missing = %q, want initdb", missing)
	}
	if !strings.Contains(installHint, "apt-get install postgresql") || !strings.Contains(installHint, EnvExternal) {
		t.Fatalf("install hint lacks the apt-get line or %s: %s", EnvExternal, installHint)
	}
}

type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Skipf(format string, a ...any)  { f.skipped = fmt.Sprintf(format, a...) }
func (f *fakeTB) Fatalf(format string, a ...any) { f.failed = fmt.Sprintf(format, a...) }

// Missing PostgreSQL skips, except in CI (BRUG_REQUIRE_POSTGRES=1),
// where it fails: the PostgreSQL tests must not pass there by skipping.
func TestRequireMakesMissingFail(t *testing.T) {
	msg := "PostgreSQL not found: no initdb on PATH; " + installHint
	t.Setenv(EnvRequire, "")
	f := &fakeTB{TB: t}
	noPostgres(f, msg)
	if f.failed != "" || !strings.Contains(f.skipped, "apt-get install postgresql") || !strings.Contains(f.skipped, "no initdb") {
		t.Fatalf("without %s: skipped %q, failed %q", EnvRequire, f.skipped, f.failed)
	}
	t.Setenv(EnvRequire, "1")
	f = &fakeTB{TB: t}
	noPostgres(f, msg)
	if f.skipped != "" || !strings.Contains(f.failed, "no initdb") || !strings.Contains(f.failed, EnvRequire) {
		t.Fatalf("with %s=1: skipped %q, failed %q", EnvRequire, f.skipped, f.failed)
	}
}

// A test binary killed with SIGKILL leaves no postgres behind: the
// child test process starts a cluster, reports its folder, and is killed;
// the postmaster must exit (Linux: parent-death signal).
func TestNoProcessLeftWhenKilled(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") == "1" {
		dsn := DB(t)
		os.Stdout.WriteString("DIR " + shared.dir + " PID " + itoa(shared.cmd.Process.Pid) + " " + dsn + "\n")
		os.Stdout.Sync()
		select {} // wait to be killed
	}
	if os.Getenv(EnvExternal) != "" {
		t.Skip("an external cluster is not started by the tests")
	}
	if dir, _ := findBin(); dir == "" {
		t.Skip("pgtest: PostgreSQL not found; " + installHint)
	}
	if !isLinux() {
		t.Skip("the parent-death signal is Linux only")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoProcessLeftWhenKilled$", "-test.v")
	cmd.Env = append(os.Environ(), "PGTEST_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var line string
	buf := make([]byte, 4096)
	deadline := time.Now().Add(90 * time.Second)
	for !strings.Contains(line, "\n") || !strings.Contains(line, "DIR ") {
		if time.Now().After(deadline) {
			t.Fatalf("child did not report its cluster: %q", line)
		}
		n, err := out.Read(buf)
		line += string(buf[:n])
		if err != nil {
			t.Fatalf("child: %v; output %q", err, line)
		}
	}
	f := strings.Fields(line[strings.Index(line, "DIR "):])
	dir, pid := f[1], f[3]
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	// The postmaster and its backends are gone once its pid file is.
	pidFile := filepath.Join(dir, "data", "postmaster.pid")
	for deadline := time.Now().Add(30 * time.Second); ; {
		_, err := os.Stat(pidFile)
		if os.IsNotExist(err) && !processAlive(pid) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres (pid %s) still running 30s after its test binary was killed", pid)
		}
		time.Sleep(50 * time.Millisecond) // poll
	}
	os.RemoveAll(dir) // Main's cleanup did not run in the killed child
}
