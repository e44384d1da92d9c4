package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestBadInputRefusedNothingStored sends broken requests: each gets a 4xx
// with a message, and the store is unchanged.
func TestBadInputRefusedNothingStored(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	good, _ := json.Marshal(protocol.SyncRequest{Push: []store.Op{a.op(id, "birthyear", "1990")}})
	bigOp := a.op(id, "step/1/note", strings.Repeat("x", 60000))
	var many []store.Op
	for len(many)*60000 < protocol.MaxRequestBytes+1 {
		many = append(many, bigOp)
	}
	oversize, _ := json.Marshal(protocol.SyncRequest{Push: many})
	bomb := gz(t, append(append([]byte(`{"push":[],"cursor":0`), bytes.Repeat([]byte(" "), protocol.MaxRequestBytes+10)...), '}'))
	tooMany := protocol.SyncRequest{}
	for range protocol.MaxPushOps + 1 {
		tooMany.Push = append(tooMany.Push, store.Op{})
	}
	tooManyBody, _ := json.Marshal(tooMany)
	cases := []struct {
		name     string
		body     []byte
		encoding string
		status   int
	}{
		{"empty", nil, "", 400},
		{"malformed", []byte(`{"push": [`), "", 400},
		{"not an object", []byte(`[1,2]`), "", 400},
		{"null", []byte(`null`), "", 400},
		{"wrong type", []byte(`{"cursor": "ten"}`), "", 400},
		{"wrong op type", []byte(`{"push": [{"id": 5}]}`), "", 400},
		{"negative cursor", []byte(`{"cursor": -1}`), "", 400},
		{"unknown field", []byte(`{"cursor": 0, "admin": true}`), "", 400},
		{"unknown op field", []byte(`{"push": [{"id": "x", "sudo": 1}]}`), "", 400},
		{"trailing garbage", append(append([]byte(nil), good...), []byte(" garbage")...), "", 400},
		{"two objects", append(append([]byte(nil), good...), good...), "", 400},
		{"limit too large", []byte(`{"limit": 1000000}`), "", 400},
		{"too many ops", tooManyBody, "", 400},
		{"oversize", oversize, "", 413},
		{"gzip bomb", bomb, "gzip", 413},
		{"bad gzip", []byte("this is not gzip"), "gzip", 400},
		{"truncated gzip", gz(t, good)[:20], "gzip", 400},
		{"unknown encoding", good, "br", 415},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.stats()
			status, perr := e.postRaw(protocol.PathSync, a.token, c.body, c.encoding, nil)
			if status != c.status {
				t.Fatalf("status %d, want %d (%+v)", status, c.status, perr)
			}
			if after := e.stats(); after != before {
				t.Fatalf("stored something: %+v -> %+v", before, after)
			}
			t.Logf("%d %s: %s", status, perr.Code, perr.Message)
		})
	}
	// A good gzip body works.
	if status, perr := e.postRaw(protocol.PathSync, a.token, gz(t, good), "gzip", nil); status != 200 {
		t.Fatalf("gzip body: %d %+v", status, perr)
	}
}

// Op-level problems are refusals, not request errors, and store nothing.
func TestBadOpsRefusedNothingStored(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	forged := a.op(id, "name", "x")
	forged.Author = "someone-else"
	noID := a.op(id, "name", "x")
	noID.ID = "not-an-id"
	badValue := a.op(id, "birthyear", "long ago")
	noHLC := a.op(id, "name", "x")
	noHLC.HLC = 0
	cases := map[string]struct {
		op   store.Op
		code string
	}{
		"unknown dossier":   {a.op(store.NewID(), "name", "x"), protocol.RefuseUnknown},
		"unknown field":     {a.op(id, "salary", "x"), protocol.RefuseInvalid},
		"unknown step item": {a.op(id, "step/2/answer/nope", "x"), protocol.RefuseMethod},
		"no such step":      {a.op(id, "step/42/status", "open"), protocol.RefuseMethod},
		"bad value":         {badValue, protocol.RefuseInvalid},
		"bad op id":         {noID, protocol.RefuseInvalid},
		"no timestamp":      {noHLC, protocol.RefuseInvalid},
		"forged author":     {forged, protocol.RefuseAuthor},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			before := e.stats()
			resp := a.sync(c.op)
			if len(resp.Refused) != 1 || resp.Refused[0].Code != c.code || len(resp.Accepted) != 0 {
				t.Fatalf("got %+v, want one refusal %q", resp, c.code)
			}
			if e.stats() != before {
				t.Fatal("stored something")
			}
			t.Logf("%s: %s", c.code, resp.Refused[0].Reason)
		})
	}
}

func TestResponseGzipWhenAccepted(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	req, _ := http.NewRequest("POST", e.http.URL+protocol.PathSync, strings.NewReader(`{"cursor":0}`))
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Encoding", "gzip")
	// A transport that leaves decompression to us, to see the header.
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	e.must(err)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
}
