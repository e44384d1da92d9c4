package store

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const caseloadCrashEnv = "BRUG_CASELOAD_CRASH_CHILD"

// caseloadCrashBatch is the size of each CreateClients call of the child.
const caseloadCrashBatch = 300

// TestCaseloadCrashChild imports one batch and acknowledges it, then starts
// a second and, halfway through its transaction, says so and waits to be
// killed.
func TestCaseloadCrashChild(t *testing.T) {
	path := os.Getenv(caseloadCrashEnv)
	if path == "" {
		t.Skip("helper for TestCaseloadKilledMidwayWritesNothing")
	}
	s, err := Open(path, Options{Author: "crash"})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	batch := func(round int) []NewClient {
		var ns []NewClient
		for i := range caseloadCrashBatch {
			ns = append(ns, NewClient{Name: fmt.Sprintf("Ronde %d cliënt %d", round, i), BirthYear: "1980", Team: "Noord"})
		}
		return ns
	}
	if _, err := s.CreateClients(batch(1)); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("ack 1")
	n := 0
	hooked := s.WithCommitHook(func(*Tx, []Op) error {
		if n++; n == caseloadCrashBatch/2 {
			fmt.Println("midway")
			select {} // inside the transaction: wait for the SIGKILL
		}
		return nil
	})
	_, err = hooked.CreateClients(batch(2))
	fmt.Println("error: the second batch ended", err)
	os.Exit(1)
}

// TestCaseloadKilledMidwayWritesNothing: a caseload import killed with
// SIGKILL halfway through its transaction leaves the file as it was
// before it: the first, acknowledged batch is there whole, and not one
// client of the second.
func TestCaseloadKilledMidwayWritesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	path := filepath.Join(t.TempDir(), "brug.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCaseloadCrashChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), caseloadCrashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	acked, midway := false, false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "ack 1":
			acked = true
		case line == "midway":
			midway = true
		case strings.HasPrefix(line, "error"):
			t.Fatalf("child: %s", line)
		}
		if midway {
			break
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if !acked || !midway {
		t.Fatalf("child ended before the second batch was midway (acked %v)", acked)
	}
	s := openAt(t, path)
	sums, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	round := map[string]int{}
	for _, sm := range sums {
		round[strings.Fields(sm.Name)[1]]++
	}
	if round["1"] != caseloadCrashBatch || round["2"] != 0 {
		t.Fatalf("after the kill: %d clients of the acknowledged batch, %d of the killed one; want %d and 0", round["1"], round["2"], caseloadCrashBatch)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("state after the kill: %v", err)
	}
}

func openAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path, Options{Author: "check", NoSync: true})
	if err != nil {
		t.Fatalf("reopen after the kill: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
