package synctest

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/sync/server/pgtest"
)

// The kill test re-runs this test binary as the server (TestServerChild),
// as store/crash_test.go does, and kills it with SIGKILL in the middle of
// syncs: a real crash, at any point of a transaction.
const (
	childPathEnv = "BRUG_SYNCTEST_SERVER" // the server file; set only in the child
	childAddrEnv = "BRUG_SYNCTEST_ADDR"   // host:port to listen on
	childKillEnv = "BRUG_SYNCTEST_KILL"   // "N MODE": crash at the Nth sync request; empty: never
)

// TestServerChild is the server process of TestServerKilledMidSync. It
// prints "listening" once it accepts connections and "req N" as the Nth
// sync request arrives, and kills itself with SIGKILL where its plan says:
// before handling request N, after committing it with the answer unsent,
// or with half the answer sent ("async" leaves the kill to the parent).
func TestServerChild(t *testing.T) {
	path := os.Getenv(childPathEnv)
	if path == "" {
		t.Skip("helper process for TestServerKilledMidSync")
	}
	var killAt int
	var mode string
	fmt.Sscan(os.Getenv(childKillEnv), &killAt, &mode)
	srv, err := server.Open(path, server.Options{NoSync: true})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", os.Getenv(childAddrEnv))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	next := srv.Handler()
	var mu sync.Mutex
	n := 0
	die := func() {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal may take a moment: do nothing more meanwhile
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != protocol.PathSync {
			next.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		n++
		me := n
		mu.Unlock()
		fmt.Println("req", me)
		if me != killAt {
			next.ServeHTTP(w, r)
			return
		}
		switch mode {
		case "before":
			die()
		case "after":
			next.ServeHTTP(httptest.NewRecorder(), r)
			die()
		case "midway":
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes()[:rec.Body.Len()/2])
			w.(http.Flusher).Flush()
			die()
		}
		next.ServeHTTP(w, r)
	})
	fmt.Println("listening")
	_ = (&http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0), ReadHeaderTimeout: 10 * time.Second}).Serve(ln)
}

// child is one run of the server process.
type child struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has ended
}

// startChild runs the server process on path and addr with a kill plan
// and waits until it listens. With mode "async" the parent kills it when
// it reports request killAt.
func startChild(t *testing.T, path, addr string, killAt int, mode string) *child {
	t.Helper()
	return startChildWatched(t, path, addr, killAt, mode, nil)
}

// startChildWatched is startChild that also hands each line the server
// process prints to watch (on another goroutine), when watch is not nil.
func startChildWatched(t *testing.T, path, addr string, killAt int, mode string, watch func(line string)) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServerChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), childPathEnv+"="+path, childAddrEnv+"="+addr)
	if killAt > 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d %s", childKillEnv, killAt, mode))
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, exited: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		defer close(c.exited)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if watch != nil {
				watch(line)
			}
			switch {
			case line == "listening" || strings.HasPrefix(line, "error"):
				ready <- line
			case mode == "async" && line == fmt.Sprint("req ", killAt):
				_ = cmd.Process.Signal(syscall.SIGKILL)
			}
		}
		_ = cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-c.exited
	})
	select {
	case line := <-ready:
		if line != "listening" {
			t.Fatalf("server process: %s", line)
		}
	case <-c.exited:
		t.Fatal("server process ended before listening")
	}
	return c
}

// TestServerKilledMidSync runs the server as a separate process and kills
// it with SIGKILL mid-sync, several times, at drawn points (before a
// request is handled, after its commit with the answer unsent, with half
// an answer sent, and at whatever moment the signal lands); each time it
// restarts on the same file and port and the laptops retry. Afterwards
// the server file passes Check, each op is on each replica and on the
// server exactly once, the states converge, and the server delivers each
// op once.
func TestServerKilledMidSync(t *testing.T) {
	serverKilledMidSync(t, filepath.Join(t.TempDir(), "server.db"))
}

// TestPostgresServerKilledMidSync is TestServerKilledMidSync on a region
// in PostgreSQL: the server process killed with SIGKILL mid-sync leaves
// its transaction to the database to roll back (its connections close
// with it), and the restarted process goes on from what was committed.
func TestPostgresServerKilledMidSync(t *testing.T) {
	serverKilledMidSync(t, pgtest.DB(t))
}

// serverKilledMidSync is the kill test on the region at path (a bbolt
// file or a postgres:// URL).
func serverKilledMidSync(t *testing.T, path string) {
	rng := rand.New(rand.NewPCG(1, 17))
	srv := openServer(t, path)
	admin := srv.Admin("tester", server.ChannelCLI)
	addTeams(t, admin)
	codes := map[string]string{}
	for i := range 3 {
		name := fmt.Sprintf("coach%d", i)
		if _, err := admin.AddUser(name, protocol.RoleCoach, []string{teamNoord}); err != nil {
			t.Fatal(err)
		}
		code, _, err := admin.Invite(name)
		if err != nil {
			t.Fatal(err)
		}
		codes[name] = code
	}
	srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	kills := 6
	if testing.Short() {
		kills = 3
	}
	modes := []string{"before", "after", "midway", "async"}
	plan := func() (int, string) {
		if kills == 0 {
			return 0, ""
		}
		kills--
		return 1 + rng.IntN(6), modes[rng.IntN(len(modes))]
	}
	at, mode := plan()
	cur := startChild(t, path, addr, at, mode)
	killed := []string{fmt.Sprintf("%s@%d", mode, at)}
	restart := func(err error) {
		select {
		case <-cur.exited:
		case <-time.After(30 * time.Second):
			t.Fatalf("a sync failed but the server process lives on: %v", err)
		}
		at, mode := plan()
		if at > 0 {
			killed = append(killed, fmt.Sprintf("%s@%d", mode, at))
		}
		cur = startChild(t, path, addr, at, mode)
	}

	url := "http://" + addr
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
	var reps []*replica
	for i := range 3 {
		name := fmt.Sprintf("coach%d", i)
		r := enrolReplica(t, url, "", hc, name, teamNoord, codes[name], fakeNow(t0.Add(time.Duration(rng.IntN(5000))*time.Millisecond)))
		r.sync.PullLimit = 5
		reps = append(reps, r)
	}
	w := newWorkload(t, rng, false)
	w.create(reps[0])
	for step := 0; kills > 0 || step < 30; step++ {
		if step > 500 {
			t.Fatal("the planned kills did not happen")
		}
		for range 1 + rng.IntN(3) {
			w.act(reps[rng.IntN(len(reps))])
		}
		syncRetry(t, reps[rng.IntN(len(reps))], 20, restart)
	}
	quietRetry(t, rng, reps, restart)
	// A last crash while idle, then the file is checked in this process.
	_ = cur.cmd.Process.Signal(syscall.SIGKILL)
	<-cur.exited

	srv = openServer(t, path)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	if st := srv.Store(); st != nil {
		if err := st.Check(); err != nil {
			t.Fatalf("server file after SIGKILL: %v", err)
		}
	}
	state := serverState(t, srv)
	assertConverged(t, state, reps, w.made)
	newRawDevice(t, srv.Admin("tester", server.ChannelCLI), hs.URL, "auditor", teamNoord).assertDeliveredOnce(t, state)
	t.Logf("killed at %v", killed)
}
