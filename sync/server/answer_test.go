package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestAnswerIsSyncResponseJSON: the answer the server writes with ops
// spliced in as store.Tx.OpJSON makes them is byte for byte what encoding a
// protocol.SyncResponse gives, for every combination of present fields.
func TestAnswerIsSyncResponseJSON(t *testing.T) {
	ops := []store.Op{
		{ID: store.NewID(), Dossier: store.NewID(), Field: "step/1/note", Value: "<b>\"tekst\" & \u00e9\u2028\n", HLC: 7, Device: "d", Author: "anna", Prev: []string{store.NewID()}},
		{ID: store.NewID(), Dossier: store.NewID(), Field: "name", Value: "Anna", HLC: 8, Device: "d", Author: "anna"},
	}
	full := protocol.SyncResponse{
		Accepted: []string{store.NewID()},
		Refused:  []protocol.Refusal{{ID: store.NewID(), Code: protocol.RefuseInvalid, Reason: "no <reason>"}},
		Ops:      ops, Drop: []string{store.NewID()}, Erased: []string{store.NewID()},
		Cursor: 1 << 40, More: true, Teams: []string{"Team \"Noord\"", "Zuid"},
		ServerTime: time.Date(2026, 11, 2, 9, 0, 0, 123456789, time.UTC),
	}
	for mask := range 1 << 8 {
		var want protocol.SyncResponse
		want.Cursor = uint64(mask)
		if mask&1 != 0 {
			want.Accepted = full.Accepted
		}
		if mask&2 != 0 {
			want.Refused = full.Refused
		}
		if mask&4 != 0 {
			want.Ops = full.Ops
		}
		if mask&8 != 0 {
			want.Drop = full.Drop
		}
		if mask&16 != 0 {
			want.Erased = full.Erased
		}
		want.More = mask&32 != 0
		if mask&64 != 0 {
			want.Teams = full.Teams
		}
		if mask&128 != 0 {
			want.ServerTime = full.ServerTime
		}
		a := &answer{SyncResponse: want}
		a.Ops = nil
		for _, op := range want.Ops {
			raw, err := json.Marshal(op) // as store.Store.encode keeps it
			if err != nil {
				t.Fatal(err)
			}
			a.ops = append(a.ops, raw)
		}
		var got, exp bytes.Buffer
		bw := bufio.NewWriter(&got)
		if err := encodeAnswer(bw, a); err != nil {
			t.Fatal(err)
		}
		bw.Flush()
		if err := json.NewEncoder(&exp).Encode(want); err != nil {
			t.Fatal(err)
		}
		if got.String() != exp.String() {
			t.Fatalf("mask %b:\n got %s\nwant %s", mask, got.String(), exp.String())
		}
	}
}
