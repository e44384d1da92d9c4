//go:build unix

// Package pgtest gives tests a fresh PostgreSQL database each: a
// throwaway cluster started once per test binary (initdb in a temporary
// folder, a free port on 127.0.0.1, fsync off unless
// BRUG_TEST_POSTGRES_DURABLE=1), or an external cluster named by
// BRUG_TEST_POSTGRES. Tests that need PostgreSQL where it is
// missing skip with a message saying what to install, unless
// BRUG_REQUIRE_POSTGRES=1 (CI) makes that a failure.
//
// A package that uses it calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// and each test asks for its database with DB. docs/postgres.md, "Tests".
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables read by the harness.
const (
	// EnvExternal names an external cluster to use instead of a
	// throwaway one: a connection string (postgres://user@host:port/db)
	// whose user may create and drop databases.
	EnvExternal = "BRUG_TEST_POSTGRES"
	// EnvRequire, set to 1, makes a missing PostgreSQL fail the tests
	// that need it instead of skipping them (CI sets it).
	EnvRequire = "BRUG_REQUIRE_POSTGRES"
	// EnvUser names the account the throwaway cluster runs as when the
	// tests run as root (initdb refuses root); default "postgres" when
	// that account exists (Debian's package makes it), else "nobody".
	EnvUser = "BRUG_TEST_POSTGRES_USER"
	// EnvDurable, set to 1, starts the throwaway cluster with
	// PostgreSQL's own durability (fsync, synchronous_commit and
	// full_page_writes on, as a production server keeps them) instead
	// of with them off: for benchmarks whose commits should wait for
	// the WAL to reach the disk, as a production server's do.
	EnvDurable = "BRUG_TEST_POSTGRES_DURABLE"
)

// installHint is how to get PostgreSQL's server programs.
const installHint = "install PostgreSQL's server (Debian/Ubuntu: apt-get install postgresql; " +
	"its programs are in /usr/lib/postgresql/<version>/bin) or set " + EnvExternal + "=postgres://..."

// template is the database every test's database is copied from.
const template = "brugtest_template"

var (
	mainCalled bool

	once    sync.Once
	shared  *cluster // the running cluster, nil until started or when none
	skipMsg string   // why there is no cluster (missing programs)
	failErr error    // a cluster that should have started but did not
)

// Main runs the tests of m and then stops the throwaway cluster, if one
// was started. Call it from TestMain.
func Main(m *testing.M) int {
	mainCalled = true
	code := m.Run()
	if shared != nil {
		err := shared.stop() // a throwaway cluster goes whole
		if shared.cmd == nil {
			err = dropCreated() // an external one keeps only what it had
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// DB returns the connection string of a new, empty database of its own
// for t, dropped when t ends. It skips t where PostgreSQL is missing (or
// fails it when BRUG_REQUIRE_POSTGRES=1).
func DB(t testing.TB) string {
	t.Helper()
	if !mainCalled {
		t.Fatal("pgtest: call os.Exit(pgtest.Main(m)) from the package's TestMain, so that the cluster is stopped")
	}
	once.Do(start)
	switch {
	case failErr != nil:
		t.Fatalf("pgtest: %v", failErr)
	case shared == nil:
		noPostgres(t, skipMsg)
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := "brugtest_" + randomHex(8)
	if err := shared.exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+shared.template); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := shared.exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return shared.dsn(name)
}

// Created returns the connection string of a new, empty database for a
// caller that has no testing.T at hand (a backend factory called from a
// test's helpers): the database is dropped when Main returns (and with
// the throwaway cluster in any case). ok is false where PostgreSQL is
// missing; msg then says what to install.
func Created() (dsn string, ok bool, msg string, err error) {
	if !mainCalled {
		return "", false, "", errors.New("pgtest: call os.Exit(pgtest.Main(m)) from the package's TestMain")
	}
	once.Do(start)
	switch {
	case failErr != nil:
		return "", false, "", failErr
	case shared == nil:
		return "", false, skipMsg, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := "brugtest_" + randomHex(8)
	if err := shared.exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+shared.template); err != nil {
		return "", false, "", fmt.Errorf("pgtest: create database: %w", err)
	}
	createdMu.Lock()
	created = append(created, name)
	createdMu.Unlock()
	return shared.dsn(name), true, "", nil
}

var (
	createdMu sync.Mutex
	created   []string // databases made by Created, dropped by Main
)

// dropCreated drops the databases Created made.
func dropCreated() error {
	createdMu.Lock()
	defer createdMu.Unlock()
	var errs []error
	for _, name := range created {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		errs = append(errs, shared.exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"))
		cancel()
	}
	created = nil
	return errors.Join(errs...)
}

// noPostgres skips t, or fails it where PostgreSQL is required (CI).
func noPostgres(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("pgtest: %s (%s=1, so this fails instead of skipping)", msg, EnvRequire)
		return
	}
	t.Skipf("pgtest: %s", msg)
}

// cluster is a running PostgreSQL: started here (cmd set) or external.
type cluster struct {
	base     *url.URL // connection string of the maintenance database
	template string   // the database new ones are copied from
	dir      string   // the throwaway cluster's folder, removed at stop
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the postmaster has exited
	waitErr  error
}

// dsn is the connection string of database name.
func (c *cluster) dsn(name string) string {
	u := *c.base
	u.Path = "/" + name
	return u.String()
}

// exec runs one statement on the maintenance database.
func (c *cluster) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, c.base.String())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// start finds or starts the cluster; it sets shared, skipMsg or failErr.
func start() {
	if ext := os.Getenv(EnvExternal); ext != "" {
		u, err := url.Parse(ext)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			failErr = fmt.Errorf("%s is not a postgres:// connection string", EnvExternal)
			return
		}
		c := &cluster{base: u, template: "template1"}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.exec(ctx, "SELECT 1"); err != nil {
			failErr = fmt.Errorf("%s: %v", EnvExternal, err)
			return
		}
		shared = c
		return
	}
	bin, missing := findBin()
	if bin == "" {
		skipMsg = fmt.Sprintf("PostgreSQL not found: no %s on PATH or in /usr/lib/postgresql/*/bin; %s", missing, installHint)
		return
	}
	var err error
	for range 3 { // a free port may be taken between probe and listen
		shared, err = startCluster(bin)
		if err == nil || !errors.Is(err, errPort) {
			break
		}
	}
	if err != nil {
		failErr = err
	}
}

// findBin returns the folder with PostgreSQL's initdb and postgres, or
// "" and the name of the program it did not find.
func findBin() (dir, missing string) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		d := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, ""
		}
		if q, err := exec.LookPath("postgres"); err == nil {
			if r, err := filepath.EvalSymlinks(q); err == nil && filepath.Dir(r) == d {
				return d, ""
			}
		}
		return "", "postgres next to " + p
	}
	// Debian's package keeps the server programs off PATH.
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if fileExists(filepath.Join(d, "initdb")) && fileExists(filepath.Join(d, "postgres")) {
			return d, ""
		}
	}
	return "", "initdb"
}

func pgVersion(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

var errPort = errors.New("port taken")

// startCluster makes and starts a throwaway cluster with the programs
// in bin.
func startCluster(bin string) (_ *cluster, err error) {
	cred, err := runAs()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tempBase(cred), "brug-pg-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"--no-sync", "-E", "UTF8", "--locale=C", "--no-instructions")
	initdb.Dir, initdb.Env = dir, childEnv()
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	setPdeathsig(initdb.SysProcAttr)
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, lastLines(out, 5))
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "postgres.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	durable := "off"
	if os.Getenv(EnvDurable) == "1" {
		durable = "on"
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "port="+strconv.Itoa(port),
		"-c", "unix_socket_directories="+dir,
		"-c", "fsync="+durable,
		"-c", "synchronous_commit="+durable,
		"-c", "full_page_writes="+durable,
		"-c", "max_connections=300",
		"-c", "shared_buffers=64MB",
		"-c", "log_min_messages=warning")
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, childEnv(), logf, logf
	// The postmaster gets SIGQUIT (immediate shutdown, which ends its
	// backends too) when this process dies, even by SIGKILL (Linux;
	// elsewhere Main's stop is the only cleanup).
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	setPdeathsig(cmd.SysProcAttr)
	c := &cluster{dir: dir, cmd: cmd, exited: make(chan struct{}), template: template,
		base: &url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Path: "/postgres", RawQuery: "sslmode=disable"}}
	started := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the thread that started the child ends,
		// not the process: keep this thread for the child's lifetime.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(c.exited)
			return
		}
		started <- nil
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		if err := c.exec(ctx, "SELECT 1"); err == nil {
			break
		}
		select {
		case <-c.exited:
			log, _ := os.ReadFile(logPath)
			if strings.Contains(string(log), "Address already in use") {
				return nil, errPort
			}
			return nil, fmt.Errorf("postgres exited at start (%v): %s", c.waitErr, lastLines(log, 10))
		case <-ctx.Done():
			c.stop()
			return nil, fmt.Errorf("postgres did not accept connections within a minute")
		case <-time.After(50 * time.Millisecond): // poll for readiness
		}
	}
	// fsync is off for the whole cluster, so the template is built once
	// and each test's database is a cheap copy.
	if err := c.exec(ctx, "CREATE DATABASE "+template+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		c.stop()
		return nil, fmt.Errorf("create template: %v", err)
	}
	return c, nil
}

// stop shuts the throwaway cluster down (fast shutdown, then kill after
// a deadline) and removes its folder; external clusters stay.
func (c *cluster) stop() error {
	if c.cmd == nil {
		return nil
	}
	var err error
	if c.cmd.Process != nil {
		c.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
		select {
		case <-c.exited:
		case <-time.After(30 * time.Second):
			syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			<-c.exited
			err = errors.New("postgres did not stop within 30s; killed")
		}
	}
	if rerr := os.RemoveAll(c.dir); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// runAs is who the cluster runs as: nil for the current user, or, for
// root (whom initdb and postgres refuse), EnvUser, "postgres" or "nobody".
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	names := []string{"postgres", "nobody"}
	if n := os.Getenv(EnvUser); n != "" {
		names = []string{n}
	}
	for _, n := range names {
		u, err := user.Lookup(n)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if uid == 0 {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
	}
	return nil, fmt.Errorf("running as root, and none of the accounts %v exists to run PostgreSQL as (initdb refuses root); create one or set %s", names, EnvUser)
}

// tempBase is where the cluster's folder goes: the temporary folder, or
// /tmp when the cluster runs as another user who could not reach it.
func tempBase(cred *syscall.Credential) string {
	base := os.TempDir()
	if cred == nil {
		return base
	}
	for d := base; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if d == filepath.Dir(d) {
			return base
		}
	}
}

// childEnv is the environment of initdb and postgres: a plain locale,
// nothing of the tests' environment (no PG* variables).
func childEnv() []string {
	return []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "LANG=C", "TZ=UTC"}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
