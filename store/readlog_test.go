package store

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func mustLog(t testing.TB, s *Store, e ReadEntry) {
	t.Helper()
	if err := s.LogRead(e); err != nil {
		t.Fatal(err)
	}
}

// Entries survive a reopen, come out oldest first, ReadsOf picks one
// dossier's, and AckReads prunes up to the acknowledged one only.
func TestReadLogReopenAckPrunes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := Open(path, Options{Author: "piet", NoSync: true, Now: fixedClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	d1, d2 := NewID(), NewID()
	mustLog(t, s, ReadEntry{Dossier: d1, Action: ReadOpen, Channel: ChannelApp, Role: "coach", Org: "Zorg BV"})
	mustLog(t, s, ReadEntry{Dossier: d2, Action: ReadExport, Channel: ChannelCLI})
	mustLog(t, s, ReadEntry{Dossier: d1, Action: ReadPrint, Channel: ChannelCLI})
	for _, bad := range []ReadEntry{{Dossier: d1, Action: "peek", Channel: ChannelApp}, {Dossier: d1, Action: ReadOpen, Channel: "fax"},
		{Dossier: "Anna", Action: ReadOpen, Channel: ChannelApp}, {Dossier: d1, Action: ReadOpen, Channel: ChannelApp, Role: "a\nb"}} {
		if err := s.LogRead(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad entry %+v: %v", bad, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{Author: "kees", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.PendingReads(10)
	if err != nil || len(all) != 3 {
		t.Fatalf("pending after reopen: %v %+v", err, all)
	}
	want := []string{ReadOpen, ReadExport, ReadPrint}
	for i, e := range all {
		if e.Action != want[i] || e.User != "piet" || e.Device != s.Device() || !ValidID(e.ID) || e.At.IsZero() {
			t.Errorf("entry %d: %+v", i, e)
		}
		if i > 0 && e.Seq <= all[i-1].Seq {
			t.Errorf("entries out of order: %+v", all)
		}
	}
	if all[0].Role != "coach" || all[0].Org != "Zorg BV" {
		t.Errorf("who: %+v", all[0])
	}
	of1, err := s.ReadsOf(d1)
	if err != nil || len(of1) != 2 || of1[0].Action != ReadOpen || of1[1].Action != ReadPrint {
		t.Fatalf("ReadsOf: %v %+v", err, of1)
	}
	if two, _ := s.PendingReads(2); len(two) != 2 {
		t.Fatalf("limit: %d", len(two))
	}
	if err := s.AckReads(all[1].Seq); err != nil {
		t.Fatal(err)
	}
	left, err := s.PendingReads(10)
	if err != nil || len(left) != 1 || left[0].ID != all[2].ID {
		t.Fatalf("after ack: %v %+v", err, left)
	}
	// A new entry after the ack gets a later seq than any acknowledged.
	mustLog(t, s, ReadEntry{Dossier: d2, Action: ReadOpen, Channel: ChannelApp})
	left, _ = s.PendingReads(10)
	if len(left) != 2 || left[1].Seq <= all[2].Seq {
		t.Fatalf("after a new entry: %+v", left)
	}
}

// LogRead does not wait for the disk: it returns while another write
// transaction holds the file, and the entry is written after it.
func TestLogReadDoesNotWaitForWrites(t *testing.T) {
	s := openTest(t, Options{})
	hold, held := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.db.Update(func(*bolt.Tx) error { close(held); <-hold; return nil })
	}()
	<-held
	logged := make(chan error, 1)
	go func() { logged <- s.LogRead(ReadEntry{Dossier: NewID(), Action: ReadOpen, Channel: ChannelApp}) }()
	select {
	case err := <-logged:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("LogRead waited for the write transaction")
	}
	close(hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, err := s.PendingReads(10)
	if err != nil || len(got) != 1 {
		t.Fatalf("entry not written: %v %+v", err, got)
	}
}

// A read-only open (brug export while the app has the file) logs into
// FILE.reads; the next open that may write takes the entries into the
// file and removes them there.
func TestReadLogFromReadOnlyOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	kr := newMemKeyring()
	s := openEnc(t, path, &Encryption{Keyring: kr})
	d := fillDossier(t, s, secrets{name: "Jantine Geheimnaam", note: "x"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path, Options{Author: "piet", ReadOnly: true, Encryption: &Encryption{Keyring: kr}})
	if err != nil {
		t.Fatal(err)
	}
	mustLog(t, ro, ReadEntry{Dossier: d, Action: ReadExport, Channel: ChannelCLI})
	if got, err := ro.ReadsOf(d); err != nil || len(got) != 1 || got[0].User != "piet" {
		t.Fatalf("read-only ReadsOf: %v %+v", err, got)
	}
	ro.Close()
	files, _ := os.ReadDir(path + ".reads")
	if len(files) != 1 {
		t.Fatalf("%d files in %s.reads", len(files), path)
	}
	raw, _ := os.ReadFile(filepath.Join(path+".reads", files[0].Name()))
	if strings.Contains(string(raw), "piet") || strings.Contains(string(raw), ReadExport) {
		t.Fatal("the entry's file holds plain text")
	}
	s = openEnc(t, path, &Encryption{Keyring: kr})
	defer s.Close()
	got, err := s.PendingReads(10)
	if err != nil || len(got) != 1 || got[0].Dossier != d || got[0].Action != ReadExport {
		t.Fatalf("taken over: %v %+v", err, got)
	}
	if files, _ := os.ReadDir(path + ".reads"); len(files) != 0 {
		t.Fatalf("files left: %v", files)
	}
}

// An erased dossier's reads stay, as ids only: they are sealed with the
// file's key, not the erased dossier's; and nothing of them is plain in
// the file.
func TestReadLogErasedDossierKeepsEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	kr := newMemKeyring()
	s := openEnc(t, path, &Encryption{Keyring: kr})
	d := fillDossier(t, s, secrets{name: "Jantine Geheimnaam", note: "x"})
	mustLog(t, s, ReadEntry{User: "gebruikerpiet", Org: "OrganisatieZorgBV", Dossier: d, Action: ReadOpen, Channel: ChannelApp})
	if err := s.Erase(d); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadsOf(d)
	if err != nil || len(got) != 1 || got[0].User != "gebruikerpiet" {
		t.Fatalf("after erasure: %v %+v", err, got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if found := rawHas(t, path, "gebruikerpiet", "OrganisatieZorgBV", `"action"`); len(found) > 0 {
		t.Fatalf("plain in the file: %v", found)
	}
}

const readCrashChildEnv = "BRUG_READ_CRASH_CHILD"

func TestReadLogCrashChild(t *testing.T) {
	path := os.Getenv(readCrashChildEnv)
	if path == "" {
		t.Skip("helper for TestReadLogCrashKeepsFlushed")
	}
	s, err := Open(path, Options{Author: "crash"}) // with fsync
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	d := NewID()
	for i := 0; ; i++ {
		if err := s.LogRead(ReadEntry{Dossier: d, Action: ReadOpen, Channel: ChannelApp, Role: strconv.Itoa(i)}); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		if i%7 == 6 {
			if err := s.FlushReads(); err != nil {
				fmt.Println("error", err)
				os.Exit(1)
			}
			fmt.Println("flushed", i)
		}
		if i%11 == 0 {
			if err := s.AckReads(uint64(i / 2)); err != nil {
				fmt.Println("error", err)
				os.Exit(1)
			}
		}
	}
}

// SIGKILL while reads are logged, flushed and acknowledged: the file
// opens, is consistent, and holds every entry flushed and not
// acknowledged, in order, each once.
func TestReadLogCrashKeepsFlushed(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	path := filepath.Join(t.TempDir(), "brug.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestReadLogCrashChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), readCrashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	flushed, killed := -1, false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 && f[0] == "error" {
			t.Fatalf("child: %s", sc.Text())
		}
		if len(f) == 2 && f[0] == "flushed" {
			flushed, _ = strconv.Atoi(f[1])
		}
		if flushed >= 300 && !killed {
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
		}
	}
	cmd.Wait()
	if flushed < 300 {
		t.Fatalf("child stopped early after %d", flushed)
	}
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	got, err := s.PendingReads(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	// Entry i has role i and seq i+1; acks removed seqs up to some i/2.
	have := map[int]bool{}
	for k, e := range got {
		i, _ := strconv.Atoi(e.Role)
		if e.Seq != uint64(i+1) || have[i] || k > 0 && e.Seq <= got[k-1].Seq {
			t.Fatalf("entry %+v out of place", e)
		}
		have[i] = true
	}
	first := flushed
	if len(got) > 0 {
		first, _ = strconv.Atoi(got[0].Role)
	}
	for i := first; i <= flushed; i++ {
		if !have[i] {
			t.Fatalf("flushed entry %d lost (first kept %d, flushed up to %d)", i, first, flushed)
		}
	}
	if first > flushed/2+1 {
		t.Fatalf("entries before %d gone, but acks reach only about %d", first, flushed/2)
	}
}

// BenchmarkLogRead is what opening a dossier pays for its read entry.
func BenchmarkLogRead(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "brug.db"), Options{Author: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	d := NewID()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.LogRead(ReadEntry{Dossier: d, Action: ReadOpen, Channel: ChannelApp}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := s.FlushReads(); err != nil {
		b.Fatal(err)
	}
}

// Encrypting a plain file (the first open with a key) carries the read
// log over, sealed with the new file key.
func TestReadLogSurvivesEncryption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := Open(path, Options{Author: "lezer-voor-versleuteling", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	d := NewID()
	mustLog(t, s, ReadEntry{Dossier: d, Action: ReadOpen, Channel: ChannelApp})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	kr := newMemKeyring()
	s = openEnc(t, path, &Encryption{Keyring: kr})
	got, err := s.ReadsOf(d)
	if err != nil || len(got) != 1 || got[0].User != "lezer-voor-versleuteling" {
		t.Fatalf("after encryption: %v %+v", err, got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if found := rawHas(t, path, "lezer-voor-versleuteling"); len(found) > 0 {
		t.Fatalf("plain after encryption: %v", found)
	}
}
