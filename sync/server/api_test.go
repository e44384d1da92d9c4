package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// These tests are a third-party client written from docs/sync.md and
// docs/openapi.yaml alone: raw HTTP requests against the real handler on
// 127.0.0.1, checking status, Content-Type and the JSON body.

// rawAnswer is an HTTP answer as a client sees it.
type rawAnswer struct {
	status int
	header http.Header
	body   []byte
}

// raw sends one request with exactly the given headers.
func (e *env) raw(method, path string, header map[string]string, body []byte) rawAnswer {
	e.t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, bytes.NewReader(body))
	e.must(err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := e.http.Client().Do(req)
	e.must(err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	e.must(err)
	return rawAnswer{res.StatusCode, res.Header, b}
}

// protoError checks that an answer is the documented error: the status,
// Content-Type application/json and a protocol.Error with the code and a
// message; it returns the message.
func (a rawAnswer) protoError(t *testing.T, status int, code string) string {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json: %s", ct, a.body)
	}
	var perr protocol.Error
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&perr); err != nil {
		t.Fatalf("body is not a protocol.Error: %v: %q", err, a.body)
	}
	if perr.Code != code || perr.Message == "" {
		t.Fatalf("error %+v, want code %q and a message", perr, code)
	}
	return perr.Message
}

var jsonHeader = map[string]string{"Content-Type": "application/json"}

// TestUnknownPathsAndMethodsAnswerJSON: docs/sync.md promises a
// protocol.Error body for every 4xx, but the mux answered unknown paths
// and wrong methods in plain text, which a client's error parser chokes on.
func TestUnknownPathsAndMethodsAnswerJSON(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ method, path string }{
		{"POST", "/v1/nope"}, {"GET", "/v1/"}, {"GET", "/v2/sync"}, {"POST", "/"}, {"DELETE", "/v1/enroll/x"},
	} {
		msg := e.raw(c.method, c.path, jsonHeader, []byte(`{}`)).protoError(t, 404, protocol.ErrorNotFound)
		if !strings.Contains(msg, c.path) {
			t.Errorf("%s %s: message %q does not name the path", c.method, c.path, msg)
		}
	}
	for _, c := range []struct{ method, path, allow string }{
		{"GET", protocol.PathSync, "POST"}, {"PUT", protocol.PathEnroll, "POST"}, {"DELETE", protocol.PathSync, "POST"},
		{"POST", protocol.PathHealth, "GET, HEAD"},
	} {
		a := e.raw(c.method, c.path, jsonHeader, nil)
		a.protoError(t, 405, protocol.ErrorMethod)
		if got := a.header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
	// The documented routes still answer.
	if a := e.raw("GET", protocol.PathHealth, nil, nil); a.status != 200 || string(a.body) != "ok\n" {
		t.Fatalf("healthz: %d %q", a.status, a.body)
	}
	if a := e.raw("HEAD", protocol.PathHealth, nil, nil); a.status != 200 {
		t.Fatalf("HEAD healthz: %d", a.status)
	}
}

// TestBodyMustBeJSON: a body sent as a form, as text or as JSON in another
// charset was decoded as JSON anyway; the API documents application/json
// only, so anything else is 415 and nothing is stored.
func TestBodyMustBeJSON(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	_, ops := a.create("Noord", "Noor")
	body, _ := json.Marshal(protocol.SyncRequest{Push: ops})
	auth := "Bearer " + a.token
	before := e.stats()
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/jsonx", "json"} {
		h := map[string]string{"Authorization": auth}
		if ct != "" {
			h["Content-Type"] = ct
		}
		msg := e.raw("POST", protocol.PathSync, h, body).protoError(t, 415, protocol.ErrorMediaType)
		if !strings.Contains(msg, "application/json") {
			t.Errorf("Content-Type %q: message %q does not say what to send", ct, msg)
		}
		e.raw("POST", protocol.PathEnroll, h, []byte(`{"code":"x"}`)).protoError(t, 415, protocol.ErrorMediaType)
	}
	if e.stats() != before {
		t.Fatal("a refused body stored something")
	}
	// JSON with parameters, in any case, is JSON.
	for _, ct := range []string{"application/json; charset=utf-8", "Application/JSON;charset=UTF-8"} {
		res := e.raw("POST", protocol.PathSync, map[string]string{"Authorization": auth, "Content-Type": ct}, []byte(`{"cursor":0}`))
		if res.status != 200 {
			t.Fatalf("Content-Type %q: status %d %s", ct, res.status, res.body)
		}
	}
}

// TestErrorsSpeakTheAPI: a wrong type was reported in Go's words ("Go
// struct field SyncRequest.cursor of type uint64"), which a client author
// cannot map to the JSON they sent; messages name the JSON path instead.
func TestErrorsSpeakTheAPI(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	op := `{"id":"01900000-0000-7000-8000-000000000001","dossier":"01900000-0000-7000-8000-000000000002","field":"name","value":"x","hlc":1,"device":"d","author":"anna"}`
	h := map[string]string{"Authorization": "Bearer " + a.token, "Content-Type": "application/json"}
	for _, c := range []struct{ body, want string }{
		{`{"cursor":"ten"}`, "cursor: must be an integer from 0 to 18446744073709551615, not a string"},
		{`{"cursor":-1}`, "cursor: must be an integer from 0 to 18446744073709551615, not -1"},
		{`{"cursor":1.5}`, "cursor: must be an integer"},
		{`{"limit":"x"}`, "limit: must be an integer, not a string"},
		{`{"push":{}}`, "push: must be an array of ops, not an object"},
		{`{"push":[` + op + `,{"hlc":"soon"}]}`, "push[1].hlc: must be an integer"},
		{`{"push":[` + op + `,` + op + `,{"prev":"x"}]}`, "push[2].prev: must be an array, not a string"},
		{`{"push":[{"id":"x","sudo":1}]}`, `push[0]: unknown field "sudo"`},
		{`{"cursor":0,"admin":true}`, `unknown field "admin"`},
		{`{"cursor":0,}`, "malformed JSON at byte"},
	} {
		msg := e.raw("POST", protocol.PathSync, h, []byte(c.body)).protoError(t, 400, protocol.ErrorBadRequest)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: message %q, want it to say %q", c.body, msg, c.want)
		}
		for _, goWords := range []string{"Go struct", "uint64", "store.HLC", "json:", "SyncRequest"} {
			if strings.Contains(msg, goWords) {
				t.Errorf("%s: message %q speaks Go (%q)", c.body, msg, goWords)
			}
		}
	}
	msg := e.raw("POST", protocol.PathEnroll, jsonHeader, []byte(`{"code":7}`)).protoError(t, 400, protocol.ErrorBadRequest)
	if msg != "code: must be a string, not a number" {
		t.Errorf("enrol with a number as code: %q", msg)
	}
}

// TestOpValueRequired: openapi.yaml makes an op's value required, but an
// op without one was stored with an empty value, which blanks the field on
// every device when a client merely forgot to send it.
func TestOpValueRequired(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	h := map[string]string{"Authorization": "Bearer " + a.token, "Content-Type": "application/json"}
	noValue := map[string]any{"id": store.NewID(), "dossier": id, "field": "name", "hlc": uint64(a.hlc + 1), "device": a.name, "author": "anna"}
	body, _ := json.Marshal(map[string]any{"push": []any{noValue}})
	before := e.stats()
	msg := e.raw("POST", protocol.PathSync, h, body).protoError(t, 400, protocol.ErrorBadRequest)
	if !strings.Contains(msg, "push[0].value: required") {
		t.Errorf("message %q", msg)
	}
	if e.stats() != before {
		t.Fatal("an op without a value was stored")
	}
	// An empty string is a value: the birth year is cleared.
	cleared := a.op(id, "birthyear", "")
	if resp := a.sync(cleared); len(resp.Accepted) != 1 {
		t.Fatalf("an empty value was refused: %+v", resp.Refused)
	}
}

// TestOversizeEnrolAdvice: an enrolment body over its 4 KiB limit was told
// to "send fewer ops per push", advice for another endpoint.
func TestOversizeEnrolAdvice(t *testing.T) {
	e := newEnv(t)
	body := []byte(`{"code":"` + strings.Repeat("A", 5000) + `"}`)
	msg := e.raw("POST", protocol.PathEnroll, jsonHeader, body).protoError(t, 413, protocol.ErrorTooLarge)
	if strings.Contains(msg, "push") || !strings.Contains(msg, "code and device_name") {
		t.Errorf("message %q", msg)
	}
}
