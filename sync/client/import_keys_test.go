package client

import (
	"slices"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestImportKeysFollowKeptOps: during an import, a compact page's ops come
// with their keys (store.Import.AddKeyed); when applyPull leaves out the
// ops of a dossier erased here, the keys of the ops it keeps stay with
// them. Each op kept is stored under its own id, with its own prevs.
func TestImportKeysFollowKeptOps(t *testing.T) {
	st := openStore(t, "tester")
	ds := []string{store.NewID(), store.NewID(), store.NewID(), store.NewID()}
	slices.Sort(ds) // a pull's pages bring dossiers in ascending order
	gone := ds[1]
	if err := st.Erase(gone); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	var ops []store.Op
	for i, d := range ds {
		var last string
		for j := range 3 {
			op := store.Op{ID: store.NewID(), Dossier: d, Field: "name", Value: "Anna",
				HLC: store.MakeHLC(t0, uint16(10*i+j+1)), Device: "dev-a", Author: "anna"}
			if last != "" {
				op.Prev = []string{last}
			}
			last = op.ID
			ops = append(ops, op)
		}
	}
	b, err := protocol.AppendPage(nil, &protocol.SyncResponse{}, ops)
	if err != nil {
		t.Fatal(err)
	}
	var p page
	head, rest, err := protocol.DecodePageHead(b)
	if err != nil {
		t.Fatal(err)
	}
	p.SyncResponse = head
	s := &Syncer{Store: st}
	im, err := st.NewImport()
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	s.imp = im
	if err := s.decodeOps("test", &p, rest); err != nil {
		t.Fatal(err)
	}
	if len(p.keys) != len(ops) || !p.keys[0].Canonical {
		t.Fatalf("an import's page decoded with %d keys for %d ops (first %+v)", len(p.keys), len(ops), p.keys)
	}
	if err := s.applyPull(p, &Result{}); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		got, err := st.Ops(d)
		if err != nil {
			t.Fatal(err)
		}
		var want []store.Op
		if d != gone {
			for _, op := range ops {
				if op.Dossier == d {
					want = append(want, op)
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("dossier %s: %d ops, want %d", d, len(got), len(want))
		}
		for i := range want {
			if got[i].ID != want[i].ID || !slices.Equal(got[i].Prev, want[i].Prev) || got[i].HLC != want[i].HLC {
				t.Fatalf("dossier %s, op %d: %+v, want %+v", d, i, got[i], want[i])
			}
		}
	}
}
