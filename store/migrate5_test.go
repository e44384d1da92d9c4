package store

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// toSchema4 turns a store's file back into the layout of schema 4: ops
// as JSON in the log, no actors, a heads bucket, and marks it schema 4.
// What schema 4 derived (heads, summaries, replaced) is left as schema 5
// made it or filled with junk: the upgrade derives it all again.
func toSchema4(t testing.TB, s *Store) {
	t.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error {
		log := tx.Bucket(bOps)
		var ks, vs [][]byte
		if err := log.ForEach(func(k, v []byte) error {
			op, err := s.openOp(k, v)
			if err != nil {
				return err
			}
			js, _ := json.Marshal(op)
			ks, vs = append(ks, append([]byte(nil), k...)), append(vs, js)
			return nil
		}); err != nil {
			return err
		}
		for i := range ks {
			if err := log.Put(ks[i], vs[i]); err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket(bActors); err != nil {
			return err
		}
		heads, err := tx.CreateBucket(bOldHeads)
		if err != nil {
			return err
		}
		if err := heads.Put([]byte("junk"), []byte{1, 2, 3}); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(kSchema, u32(4))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fillForUpgrade makes a store with what an upgrade must carry over: ops
// of many dossiers, a prev naming an op that never came, an outbox, an
// erased dossier, settings and a bucket of the caller's own.
func fillForUpgrade(t testing.TB, s *Store, clients int) {
	t.Helper()
	for i := range clients {
		id, err := s.CreateClient(NewClient{Name: fmt.Sprintf("Client %d", i), Team: "Noord", Places: []Place{PlaceDagbesteding}})
		if err != nil {
			t.Fatal(err)
		}
		for j := range 1 + i%5 {
			if _, err := s.ToggleCheck(id, 1+j%6, "c1"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Commit(id, Edit("step/1/note", fmt.Sprintf("verslag <%d> & meer\nregel", i), nil)); err != nil {
			t.Fatal(err)
		}
		if i%7 == 0 {
			if _, err := s.ApplyRemote([]Op{mkOp(id, "step/2/note", "van elders", MakeHLC(t0, uint16(i)), "dev-b", NewID())}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.SetMeta("x_sync_url", []byte("https://brug.example")); err != nil {
		t.Fatal(err)
	}
	err := s.Update(func(tx *Tx) error {
		b, err := tx.Bucket("x_own")
		if err != nil {
			return err
		}
		if err := b.SetSequence(41); err != nil {
			return err
		}
		sub, err := b.CreateBucketIfNotExists([]byte("sub"))
		if err != nil {
			return err
		}
		return sub.Put([]byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fileState is what an upgrade must keep: every dossier's ops, the
// outbox, the counts, the summaries and the settings.
func fileState(t testing.TB, s *Store) string {
	t.Helper()
	sums, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, sm := range sums {
		ops, err := s.Ops(sm.ID)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%#v\n%#v\n", sm, ops)
	}
	out, seqs, err := s.Outbox(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stats()
	url, _ := s.Meta("x_sync_url")
	fmt.Fprintf(&b, "%#v\n%v\n%+v\n%q\n", out, seqs, st, url)
	err = s.View(func(tx *Tx) error {
		own, err := tx.Bucket("x_own")
		if err != nil || own == nil {
			return fmt.Errorf("x_own: %v", err)
		}
		fmt.Fprintf(&b, "%d %q\n", own.Sequence(), own.Bucket([]byte("sub")).Get([]byte("k")))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestUpgradeSchema4To5: opening a schema 4 file rewrites it as schema 5
// with the same ops, outbox, summaries, settings and own buckets, reports
// its progress, leaves no temporary file and keeps the file's mode; the
// state equals a rebuild from the log.
func TestUpgradeSchema4To5(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := Open(path, Options{NoSync: true, Author: "fleur"})
	if err != nil {
		t.Fatal(err)
	}
	fillForUpgrade(t, s, 40)
	gone, _ := s.CreateClient(NewClient{Name: "Weg", Team: "Noord"})
	if err := s.Erase(gone); err != nil {
		t.Fatal(err)
	}
	want := fileState(t, s)
	toSchema4(t, s)
	s.Close()

	var calls []int64
	var total int64
	s, err = Open(path, Options{NoSync: true, Progress: func(done, all int64) {
		calls = append(calls, done)
		total = all
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := fileState(t, s); got != want {
		t.Errorf("the upgrade changed what the file holds:\n%s\nwant\n%s", got, want)
	}
	if len(calls) == 0 || calls[len(calls)-1] != total || total == 0 {
		t.Errorf("progress %v of %d", calls, total)
	}
	if !s.Erased(gone) {
		t.Error("the erased dossier is no longer erased")
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bOldHeads) != nil {
			t.Error("the heads bucket of schema 4 is still there")
		}
		if v := tx.Bucket(bMeta).Get(kSchema); string(v) != string(u32(SchemaVersion)) {
			t.Errorf("schema %x", v)
		}
		return nil
	})
	if left, _ := filepath.Glob(path + ".*"); len(left) != 0 {
		t.Errorf("files left beside the database: %v", left)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	// A read-only open of a schema 4 file is refused, not upgraded.
	toSchema4(t, s)
	s.Close()
	if _, err := Open(path, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "upgrade") {
		t.Errorf("read-only open of a schema 4 file: %v", err)
	}
}

const upgradeChildEnv = "BRUG_UPGRADE_CHILD"

// TestUpgradeCrashChild opens the schema 4 file it is given, which
// upgrades it, telling each point of the upgrade it passes.
func TestUpgradeCrashChild(t *testing.T) {
	path := os.Getenv(upgradeChildEnv)
	if path == "" {
		t.Skip("helper for TestUpgradeCrashLeavesOldOrNew")
	}
	migrateHook = func(point string) { fmt.Println("point", point) }
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	s.Close()
	fmt.Println("done")
}

// TestUpgradeCrashLeavesOldOrNew kills the upgrade from schema 4 with
// SIGKILL at random points (while ops are copied, after the new file is
// synced, at random moments): the file then opens, as schema 4 or 5, and
// holds everything it held.
func TestUpgradeCrashLeavesOldOrNew(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	src := filepath.Join(t.TempDir(), "src.db")
	s, err := Open(src, Options{NoSync: true, Author: "fleur"})
	if err != nil {
		t.Fatal(err)
	}
	fillForUpgrade(t, s, 600)
	want := fileState(t, s)
	toSchema4(t, s)
	s.Close()
	rng := rand.New(rand.NewPCG(10, 5))
	schemas := map[int]int{}
	for round := range 10 {
		path := filepath.Join(t.TempDir(), "brug.db")
		copyFileTo(t, src, path)
		cmd := exec.Command(os.Args[0], "-test.run=^TestUpgradeCrashChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), upgradeChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Killed at the n-th point of copying ops, when the new file is
		// synced, just after the rename, or not at all.
		killAt := []string{"point ops", "point ops", "point synced", "point renamed", ""}[round%5]
		skip := rng.IntN(2) // copy points to let pass first
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "error") {
				t.Fatalf("child: %s", line)
			}
			if line == killAt {
				if skip > 0 {
					skip--
					continue
				}
				cmd.Process.Kill()
				break
			}
		}
		_ = cmd.Wait()
		schema := fileSchema(t, path)
		schemas[schema]++
		s, err := Open(path, Options{NoSync: true})
		if err != nil {
			t.Fatalf("round %d (killed at %q, schema %d): %v", round, killAt, schema, err)
		}
		if got := fileState(t, s); got != want {
			t.Errorf("round %d: the file lost or changed data", round)
		}
		if err := s.Check(); err != nil {
			t.Errorf("round %d: %v", round, err)
		}
		s.Close()
		if left, _ := filepath.Glob(path + ".*"); len(left) != 0 {
			t.Errorf("round %d: files left beside the database: %v", round, left)
		}
	}
	t.Logf("killed with the file at schema %v", schemas)
}

// fileSchema reads a brug file's schema number without opening it as a
// store.
func fileSchema(t *testing.T, path string) int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the file is no bbolt file after the kill: %v", err)
	}
	defer db.Close()
	n := 0
	db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bMeta).Get(kSchema); len(b) == 4 {
			n, _ = strconv.Atoi(fmt.Sprint(beUint64(b)))
		}
		return nil
	})
	if n != 4 && n != 5 {
		t.Fatalf("schema %d after the kill", n)
	}
	return n
}

func copyFileTo(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
