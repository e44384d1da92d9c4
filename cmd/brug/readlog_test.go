package main

import (
	"testing"

	"github.com/brug-nl/brug/store"
)

// `brug export` and `brug plan` log their read of the dossier (the read
// log of issue 11); a read-only open leaves it beside the file, and the
// next open that may write (the app's) takes it in.
func TestExportAndPlanLogReads(t *testing.T) {
	path, sums := demoDB(t, 12)
	h := newHarness(t)
	c := sums[0]
	if r := h.run("--db", path, "export", c.ID); r.code != exitOK {
		t.Fatalf("export:\n%v", r)
	}
	if r := h.run("--db", path, "plan", c.ID); r.code != exitOK {
		t.Fatalf("plan:\n%v", r)
	}
	if r := h.run("--db", path, "plan", "Niemand Bestaat"); r.code != exitError {
		t.Fatalf("unknown client:\n%v", r)
	}
	s, err := openTestStore(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.ReadsOf(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]bool{}
	for _, e := range got {
		if e.Channel != store.ChannelCLI || e.User == "" || e.Device != s.Device() {
			t.Errorf("entry %+v", e)
		}
		actions[e.Action] = true
	}
	if len(got) != 2 || !actions[store.ReadExport] || !actions[store.ReadPrint] {
		t.Fatalf("read log of %s: %+v", c.ID, got)
	}
	if all, _ := s.PendingReads(100); len(all) != 2 {
		t.Fatalf("pending: %+v", all)
	}
}
