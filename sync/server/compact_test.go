package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// rawSync posts a first sync (cursor 0) for d with the given Accept and
// Accept-Encoding headers and returns the answer's headers and its body,
// decompressed.
func rawSync(t *testing.T, e *env, d *device, accept, encoding string) (http.Header, []byte) {
	t.Helper()
	b, err := json.Marshal(protocol.SyncRequest{})
	e.must(err)
	req, err := http.NewRequest("POST", e.http.URL+protocol.PathSync, bytes.NewReader(b))
	e.must(err)
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	// Set even when empty: Go's transport would otherwise ask for gzip
	// itself and hide the encoding.
	req.Header.Set("Accept-Encoding", encoding)
	res, err := http.DefaultTransport.RoundTrip(req)
	e.must(err)
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("sync: status %d", res.StatusCode)
	}
	raw, err := io.ReadAll(res.Body)
	e.must(err)
	switch res.Header.Get("Content-Encoding") {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		e.must(err)
		raw, err = io.ReadAll(zr)
		e.must(err)
	case "zstd":
		zr, err := zstd.NewReader(nil)
		e.must(err)
		defer zr.Close()
		raw, err = zr.DecodeAll(raw, nil)
		e.must(err)
	case "":
	default:
		t.Fatalf("answer in encoding %q", res.Header.Get("Content-Encoding"))
	}
	return res.Header, raw
}

// compactRegion is a server holding a few dossiers whose ops have prevs
// and fields with UUIDs in them, and a user who sees them all.
func compactRegion(t *testing.T) *env {
	e := newEnv(t)
	e.teams("Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	var push []store.Op
	for range 12 { // more than compactMinOps ops
		id, ops := anna.create("Noord", "Mila de Groot")
		contact := store.NewID()
		note := anna.op(id, "step/1/note", "eerste versie")
		push = append(push, ops...)
		push = append(push, note, anna.op(id, "step/1/note", "tweede versie", note.ID),
			anna.op(id, "contact/"+contact+"/name", "Roos"), anna.op(id, "contact/"+contact+"/role", ""))
	}
	if resp := anna.sync(push...); len(resp.Refused) > 0 {
		t.Fatalf("refused: %+v", resp.Refused)
	}
	return e
}

// TestCompactPageHoldsTheJSONAnswer: a device that asks for a compact page
// gets, in zstd, gzip or plain, exactly what a device that asks for JSON
// gets (but for the cursor, which is each device's own).
func TestCompactPageHoldsTheJSONAnswer(t *testing.T) {
	e := compactRegion(t)
	hj, body := rawSync(t, e, e.enrol("anna"), "", "gzip")
	if ct := hj.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("JSON answer has Content-Type %q", ct)
	}
	var want protocol.SyncResponse
	e.must(json.Unmarshal(body, &want))
	if len(want.Ops) < compactMinOps {
		t.Fatalf("JSON answer has %d ops, want the region's", len(want.Ops))
	}
	want.Cursor = 0
	for _, tc := range []struct{ accept, encoding, want string }{
		{protocol.MediaTypeOps, "zstd, gzip", "zstd"},
		{protocol.MediaTypeOps + ", application/json;q=0.5", "gzip", "gzip"},
		{"application/json, " + protocol.MediaTypeOps + ";q=0.9", "identity", ""},
	} {
		h, b := rawSync(t, e, e.enrol("anna"), tc.accept, tc.encoding)
		if ct, ce := h.Get("Content-Type"), h.Get("Content-Encoding"); ct != protocol.MediaTypeOps || ce != tc.want {
			t.Fatalf("Accept %q, Accept-Encoding %q: answer is %q in %q; want %q in %q", tc.accept, tc.encoding, ct, ce, protocol.MediaTypeOps, tc.want)
		}
		got, err := protocol.DecodePage(b)
		if err != nil {
			t.Fatalf("compact page does not decode: %v", err)
		}
		got.Cursor = 0
		if !reflect.DeepEqual(got, want) {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			t.Fatalf("compact page differs from the JSON answer:\n got %s\nwant %s", gj, wj)
		}
	}
}

// TestJSONAnswerUnchanged: every client that does not ask for the compact
// page (no Accept, JSON, anything, the compact type with q=0) gets the
// JSON answer as before: application/json, field for field what encoding
// a protocol.SyncResponse gives, with the same headers.
func TestJSONAnswerUnchanged(t *testing.T) {
	e := compactRegion(t)
	for _, accept := range []string{"", "application/json", "*/*", protocol.MediaTypeOps + ";q=0", "application/vnd.brug.ops+json"} {
		for _, enc := range []string{"gzip", ""} {
			h, body := rawSync(t, e, e.enrol("anna"), accept, enc)
			if ct := h.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Accept %q: Content-Type %q", accept, ct)
			}
			if vary := h.Values("Vary"); !reflect.DeepEqual(vary, []string{"Accept-Encoding"}) {
				t.Fatalf("Accept %q: Vary %q, want as before", accept, vary)
			}
			if ce := h.Get("Content-Encoding"); (ce == "gzip") != (enc == "gzip") {
				t.Fatalf("Accept-Encoding %q: Content-Encoding %q", enc, ce)
			}
			var resp protocol.SyncResponse
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			e.must(dec.Decode(&resp))
			var again bytes.Buffer
			e.must(json.NewEncoder(&again).Encode(resp))
			if again.String() != string(body) {
				t.Fatalf("Accept %q: the JSON answer is not what encoding its SyncResponse gives:\n got %s\nwant %s", accept, body, again.String())
			}
			if len(resp.Ops) < compactMinOps {
				t.Fatalf("Accept %q: %d ops", accept, len(resp.Ops))
			}
		}
	}
}

// TestSmallAnswersStayJSON: an answer with fewer than compactMinOps ops
// is JSON even to a client that asks for compact pages, which takes
// either.
func TestSmallAnswersStayJSON(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	_, ops := anna.create("Noord", "Mila de Groot")
	anna.sync(ops...)
	h, body := rawSync(t, e, e.enrol("anna"), protocol.MediaTypeOps+", application/json;q=0.5", "zstd, gzip")
	if ct := h.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("an answer of %d ops is %q", len(ops), ct)
	}
	var resp protocol.SyncResponse
	e.must(json.Unmarshal(body, &resp))
	if len(resp.Ops) != len(ops) {
		t.Fatalf("%d ops, want %d", len(resp.Ops), len(ops))
	}
}

// TestZstdLevelsRoundTrip: a small page (a settled device's answer) is
// compressed at zstd's fastest level and a large one (an initial pull's)
// at the default level; the device's decoder reads both back exactly.
func TestZstdLevelsRoundTrip(t *testing.T) {
	if zstdFor(zstdSmallPage) == zstdFor(zstdSmallPage+1) {
		t.Fatal("small and large pages share one encoder")
	}
	zr, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, n := range []int{0, 100, zstdSmallPage, zstdSmallPage + 1, 4 * zstdSmallPage} {
		page := make([]byte, n)
		for i := range page { // compressible, not constant: ids and words repeat
			page[i] = byte(i*7/13) ^ byte(i%251)
		}
		z := zstdFor(n).EncodeAll(page, nil)
		got, err := zr.DecodeAll(z, nil)
		if err != nil {
			t.Fatalf("page of %d bytes: %v", n, err)
		}
		if !bytes.Equal(got, page) {
			t.Fatalf("page of %d bytes comes back as %d other bytes", n, len(got))
		}
	}
}
