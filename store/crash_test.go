package store

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The crash test re-runs this test binary as a child that writes to a store
// and prints "ack N ID" after each committed action. The parent kills it
// with SIGKILL in the middle of the writes, reopens the file and checks that
// every acknowledged action is there and the state is consistent.
const crashChildEnv = "BRUG_CRASH_CHILD"

func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("helper for TestCrashKeepsAcknowledgedActions")
	}
	s, err := Open(path, Options{Author: "crash"}) // with fsync, as users run it
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	id, err := s.CreateClient(NewClient{Name: "Crash Test"})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("client", id)
	for i := 0; ; i++ {
		var field string
		switch i % 3 {
		case 0:
			_, err = s.ToggleCheck(id, 1+i%6, "c1")
			field = "check"
		case 1:
			_, err = s.Commit(id, Set("step/2/answer/q1", fmt.Sprintf("antwoord %d", i)))
			field = "answer"
		default:
			_, err = s.AddEntity(id, EntityJournal, map[string]string{"kind": "bezoek", "text": fmt.Sprintf("verslag %d", i)})
			field = "journal"
		}
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("ack", i, field)
	}
}

func TestCrashKeepsAcknowledgedActions(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	for round := range 3 {
		path := filepath.Join(t.TempDir(), "brug.db")
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		var client string
		acked := -1
		var lastAnswer int
		journals := 0
		killAt := 40 + round*37
		killed := false
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 0 {
				continue
			}
			switch f[0] {
			case "client":
				client = f[1]
			case "error":
				t.Fatalf("child: %s", sc.Text())
			case "ack":
				acked, _ = strconv.Atoi(f[1])
				switch f[2] {
				case "answer":
					lastAnswer = acked
				case "journal":
					journals++
				}
			}
			// Kill once, and keep reading: acks the child wrote before it
			// died are of committed actions too.
			if acked >= killAt && !killed {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
			}
		}
		cmd.Wait()
		if client == "" || acked < killAt {
			t.Fatalf("child stopped early after %d acks", acked)
		}
		s, err := Open(path, Options{NoSync: true})
		if err != nil {
			t.Fatalf("reopen after SIGKILL: %v", err)
		}
		c, err := s.Client(client)
		if err != nil {
			t.Fatalf("client lost: %v", err)
		}
		// The child may have committed one more action after its last ack
		// was read; never fewer.
		if got := c.Steps[1].Answers["q1"].Value; got != fmt.Sprintf("antwoord %d", lastAnswer) && got != fmt.Sprintf("antwoord %d", lastAnswer+3) {
			t.Errorf("answer = %q, last acknowledged was %d", got, lastAnswer)
		}
		if len(c.Journal) < journals || len(c.Journal) > journals+1 {
			t.Errorf("journal has %d entries, %d acknowledged", len(c.Journal), journals)
		}
		if err := s.Check(); err != nil {
			t.Errorf("state inconsistent after crash: %v", err)
		}
		s.Close()
	}
}
