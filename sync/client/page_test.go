package client

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestDecodePageAgreesWithJSON: an answer in the server's form is read by
// the fast path, with each op's JSON as sent; any other form, valid or
// not, is read (or refused) as encoding/json reads it.
func TestDecodePageAgreesWithJSON(t *testing.T) {
	d := store.NewID()
	ops := []store.Op{
		{ID: store.NewID(), Dossier: d, Field: "name", Value: "Zoë <de> \"Vries\"\n", HLC: 99, Device: "dev", Author: "a"},
		{ID: store.NewID(), Dossier: d, Field: "name", Value: "Zoë", HLC: 100, Device: "dev", Author: "a"},
	}
	ops[1].Prev = []string{ops[0].ID}
	resp := protocol.SyncResponse{Ops: ops, Drop: []string{store.NewID()}, Cursor: 12, More: true, ServerTime: time.Date(2026, 11, 2, 9, 0, 0, 5e6, time.UTC)}
	server, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	server = append(server, '\n')
	indented, _ := json.MarshalIndent(resp, "", " ")
	for _, tc := range []struct {
		body string
		fast bool
	}{
		{string(server), true},
		{`{"cursor":3}`, true},
		{`{"ops":[],"cursor":3}`, true},
		{string(indented), false},
		{`{"Cursor":3}`, false},
		{`{"cursor":3,"cursor":4}`, false},
		{`{"ops":[{"id":"x"}],"cursor":3}`, false},
		{`{"cursor":3}x`, false},
		{`{"cursor":"3"}`, false},
		{`{"ops":null}`, false},
		{string(server[:len(server)/2]), false},
	} {
		var want protocol.SyncResponse
		werr := json.Unmarshal([]byte(tc.body), &want)
		got, err := decodePage([]byte(tc.body))
		if (err != nil) != (werr != nil) {
			t.Errorf("%s: error %v, json says %v", tc.body, err, werr)
			continue
		}
		if err != nil {
			continue
		}
		if !reflect.DeepEqual(got.SyncResponse, want) {
			t.Errorf("%s: read %+v, json reads %+v", tc.body, got.SyncResponse, want)
		}
		if _, fast := scanPage(tc.body); fast != tc.fast {
			t.Errorf("%s: fast path %v, want %v", tc.body, fast, tc.fast)
		}
	}
}

// FuzzDecodePage: whatever the server (or anything posing as one) sends,
// decodePage reads it as encoding/json does, or refuses it when json
// does, and never panics.
func FuzzDecodePage(f *testing.F) {
	d := store.NewID()
	op := store.Op{ID: store.NewID(), Dossier: d, Field: "name", Value: "Zoë \"V\"\n", HLC: 99, Device: "dev", Author: "a", Prev: []string{store.NewID()}}
	server, _ := json.Marshal(protocol.SyncResponse{Ops: []store.Op{op}, Drop: []string{d}, Cursor: 12, More: true})
	for _, seed := range []string{string(server) + "\n", `{"cursor":3}`, `{"ops":[],"cursor":3}`, `{"cursor":3}x`, `{"ops":[{"id":"x"}]}`, ``, `{`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var want protocol.SyncResponse
		werr := json.Unmarshal(body, &want)
		got, err := decodePage(append([]byte(nil), body...))
		if (err != nil) != (werr != nil) {
			t.Fatalf("%q: error %v, json says %v", body, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got.SyncResponse, want) {
			t.Fatalf("%q: read %+v, json reads %+v", body, got.SyncResponse, want)
		}
	})
}
