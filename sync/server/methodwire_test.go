package server

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/protocol"
)

// methodYAML is the default method with a comment whose characters JSON
// escapes (HTML, quotes, a backslash), so that the file's JSON is
// not its text.
func methodYAML() []byte {
	return append(method.DefaultYAML(), []byte("# <b>\"Bruggen\" & werk</b> \\ einde\n")...)
}

// newMethodEnv is newEnv with a server opened with a method file.
func newMethodEnv(t *testing.T, file []byte) *env {
	t.Helper()
	clock := &fakeClock{t: t0}
	path := filepath.Join(t.TempDir(), "server.db")
	srv, err := Open(path, Options{Now: clock.Now, NoSync: true, MethodFile: file})
	if err != nil {
		t.Fatalf("open server: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	e := &env{t: t, srv: srv, http: hs, clock: clock, admin: srv.Admin("tester", ChannelCLI), path: path}
	t.Cleanup(func() {
		e.http.Close()
		e.srv.Close()
	})
	return e
}

// TestPageWithMethodIsAppendPage: the compact page written with the
// method file's JSON made once is byte for byte protocol.AppendPage's,
// whatever other fields the answer holds, and at says where the file's
// JSON sits in it. (It fails if a field of SyncResponse comes after
// MethodFile, or if the file's JSON is spliced in wrong.)
func TestPageWithMethodIsAppendPage(t *testing.T) {
	file := string(methodYAML())
	w := newMethodWire(file)
	ops := []store.Op{
		{ID: store.NewID(), Dossier: store.NewID(), Field: "step/1/note", Value: "<b>\"tekst\" & \u00e9\u2028\n", HLC: 7, Device: "d", Author: "anna", Prev: []string{store.NewID()}},
		{ID: store.NewID(), Dossier: store.NewID(), Field: "name", Value: "Anna", HLC: 8, Device: "d", Author: "anna"},
	}
	full := protocol.SyncResponse{
		Accepted: []string{store.NewID()},
		Refused:  []protocol.Refusal{{ID: store.NewID(), Code: protocol.RefuseInvalid, Reason: "no <reason>"}},
		Drop:     []string{store.NewID()}, Erased: []string{store.NewID()},
		Cursor: 1 << 40, More: true, Teams: []string{"Team \"Noord\"", "Zuid"},
		ServerTime: time.Date(2026, 11, 2, 9, 0, 0, 123456789, time.UTC),
		Receipts:   map[string]string{store.NewID(): "r"}, Epoch: "e1", Resend: true,
		Method: &protocol.MethodInfo{ID: "m", Version: 2, Hash: "abc"}, MethodFile: file,
	}
	for mask := range 1 << 4 {
		r := protocol.SyncResponse{Cursor: uint64(mask), MethodFile: file}
		if mask&1 != 0 {
			r = full
		}
		if mask&2 != 0 {
			r.Method = full.Method
		}
		if mask&4 != 0 {
			r.Teams, r.ServerTime = full.Teams, full.ServerTime
		}
		page := ops
		if mask&8 != 0 {
			page = nil
		}
		want, err := protocol.AppendPage([]byte("before"), &r, page)
		if err != nil {
			t.Fatal(err)
		}
		got, at, err := pageWithMethod([]byte("before"), &r, w.jsonOf(&r), page)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("mask %b: page\n%q\nwant\n%q", mask, got, want)
		}
		if !bytes.Equal(got[at:at+len(w.json)], w.json) {
			t.Fatalf("mask %b: the method file's JSON is not at %d", mask, at)
		}
	}
	if w.jsonOf(&protocol.SyncResponse{MethodFile: file + " "}) != nil {
		t.Fatal("the JSON of another file is taken for this one's")
	}
}

// TestZstdPageIsThePage: a page compressed in three frames around the
// method file's JSON comes back as the page, byte for byte, from the
// device's decoder (DecodeAll) and from a streaming one (as a client
// reading the response body as it comes would).
func TestZstdPageIsThePage(t *testing.T) {
	file := string(methodYAML())
	w := newMethodWire(file)
	r := protocol.SyncResponse{Cursor: 42, Teams: []string{"Noord"}, Epoch: "e", MethodFile: file}
	var ops []store.Op
	for i := range 300 {
		ops = append(ops, store.Op{ID: store.NewID(), Dossier: store.NewID(), Field: "step/1/note", Value: "notitie", HLC: store.HLC(i + 1), Device: "d", Author: "anna"})
	}
	for _, n := range []int{0, 3, len(ops)} {
		page, at, err := pageWithMethod(nil, &r, w.json, ops[:n])
		if err != nil {
			t.Fatal(err)
		}
		z := w.zstdPage(nil, page, at, len(w.json))
		one := zstdFor(len(page)).EncodeAll(page, nil)
		zr, err := zstd.NewReader(nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := zr.DecodeAll(z, nil)
		zr.Close()
		if err != nil || !bytes.Equal(got, page) {
			t.Fatalf("%d ops: DecodeAll gives %d bytes (%v), want the page's %d", n, len(got), err, len(page))
		}
		sr, err := zstd.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		got, err = io.ReadAll(sr)
		sr.Close()
		if err != nil || !bytes.Equal(got, page) {
			t.Fatalf("%d ops: the streaming decoder gives %d bytes (%v), want the page's %d", n, len(got), err, len(page))
		}
		t.Logf("%d ops: page %d bytes, in three frames %d, in one %d", n, len(page), len(z), len(one))
	}
	// Without the file: the page up to the ids' random bits compressed,
	// the random bits stored as they are, the rest compressed.
	page, err := protocol.AppendPage(nil, &protocol.SyncResponse{Cursor: 1}, ops)
	if err != nil {
		t.Fatal(err)
	}
	rs, re, _ := protocol.PageRandomSpan(page)
	enc := zstdFor(len(page))
	want := rawFrame(enc.EncodeAll(page[:rs], nil), page[rs:re])
	want = enc.EncodeAll(page[re:], want)
	if got := w.zstdPage(nil, page, -1, 0); !bytes.Equal(got, want) {
		t.Fatal("a page without the method file is not compressed around its random bits")
	}
	// A page with few ids: one frame, as before.
	page, err = protocol.AppendPage(nil, &protocol.SyncResponse{Cursor: 1}, ops[:20])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := w.zstdPage(nil, page, -1, 0), zstdFor(len(page)).EncodeAll(page, nil); !bytes.Equal(got, want) {
		t.Fatal("a page of 20 ops is not compressed as one frame")
	}
}

// TestRandomBitsStored: a settled device's page (the 200-device burst's,
// BenchmarkSettledAnswer) goes with its ids' random bits stored as they
// are, in a frame of its own, and comes back as the page from the
// device's decoder; on the wire it is no larger than the page compressed
// in one frame (the bits never compressed: storing them saves the
// compressor's time, not bytes).
func TestRandomBitsStored(t *testing.T) {
	a := settledAnswer()
	ops, err := decodeAnswerOps(&a, nil)
	if err != nil {
		t.Fatal(err)
	}
	page, err := protocol.AppendPage(nil, &a.SyncResponse, ops)
	if err != nil {
		t.Fatal(err)
	}
	rs, re, ok := protocol.PageRandomSpan(page)
	if !ok || re-rs < rawSpanMin {
		t.Fatalf("span [%d, %d) of a page of %d bytes", rs, re, len(page))
	}
	var w *methodWire // a server without a method file
	z := w.zstdPage(nil, page, -1, 0)
	if !bytes.Contains(z, rawFrame(nil, page[rs:re])) {
		t.Fatal("the random bits are not in a stored frame of their own")
	}
	zr, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got, err := zr.DecodeAll(z, nil)
	if err != nil || !bytes.Equal(got, page) {
		t.Fatalf("DecodeAll gives %d bytes (%v), want the page's %d", len(got), err, len(page))
	}
	if cli, err := exec.LookPath("zstd"); err == nil { // the reference decoder
		cmd := exec.Command(cli, "-d", "-q", "-c")
		cmd.Stdin = bytes.NewReader(z)
		if out, err := cmd.Output(); err != nil || !bytes.Equal(out, page) {
			t.Fatalf("zstd -d gives %d bytes (%v), want the page's %d", len(out), err, len(page))
		}
	}
	one := zstdFor(len(page)).EncodeAll(page, nil)
	if len(z) > len(one) {
		t.Fatalf("%d bytes on the wire, %d in one frame", len(z), len(one))
	}
	t.Logf("page %d bytes, random bits %d; on the wire %d, in one frame %d", len(page), re-rs, len(z), len(one))
}

// TestRawFrame: rawFrame's frames, of no bytes, one, a block's worth,
// and several blocks, read back as their bytes with the device's
// decoder, alone and between compressed frames, and with the reference
// zstd program when the machine has it.
func TestRawFrame(t *testing.T) {
	zr, err := zstd.NewReader(nil, zstd.WithDecoderMaxMemory(512<<20))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	cli, _ := exec.LookPath("zstd")
	for _, n := range []int{0, 1, 1000, rawBlockMax - 1, rawBlockMax, rawBlockMax + 1, 3*rawBlockMax + 17} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*131 + i>>8)
		}
		z := zstdFor(10).EncodeAll([]byte("voor"), nil)
		z = rawFrame(z, b)
		z = zstdFor(10).EncodeAll([]byte("na"), z)
		want := append(append([]byte("voor"), b...), "na"...)
		got, err := zr.DecodeAll(z, nil)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d bytes: DecodeAll gives %d bytes (%v)", n, len(got), err)
		}
		if len(rawFrame(nil, b)) != n+9+3*max(1, (n+rawBlockMax-1)/rawBlockMax) {
			t.Fatalf("%d bytes: a frame of %d", n, len(rawFrame(nil, b)))
		}
		if cli == "" {
			continue
		}
		cmd := exec.Command(cli, "-d", "-q", "-c")
		cmd.Stdin = bytes.NewReader(z)
		out, err := cmd.Output()
		if err != nil || !bytes.Equal(out, want) {
			t.Fatalf("%d bytes: zstd -d gives %d bytes (%v)", n, len(out), err)
		}
	}
	if cli == "" {
		t.Log("no zstd program here: checked with the device's decoder only")
	}
}

// TestMethodFileAnswersUnchanged: answers that carry the region's method
// file (a device that does not hold it) are, decompressed, byte for byte
// what the server wrote before it kept the file's JSON and frame: the
// JSON of encodeAnswer encoding the file afresh, and the compact page of
// protocol.AppendPage, in every encoding a device may ask for; so are
// answers that do not carry it (a device that holds the method).
func TestMethodFileAnswersUnchanged(t *testing.T) {
	e := newMethodEnv(t, methodYAML())
	if e.srv.methodWire == nil {
		t.Fatal("a server with a method file keeps no methodWire")
	}
	e.teams("Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	bob := e.user("bob", protocol.RoleCoach, "Noord")
	var push []store.Op
	for range compactMinOps { // a first pull of more than compactMinOps ops
		id, ops := anna.create("Noord", "Mila de Groot")
		push = append(push, ops...)
		push = append(push, anna.op(id, "step/1/note", "<eerste> & \"versie\""))
	}
	anna.sync(push...)
	hash := e.srv.methodInfo.Hash
	seen := map[string]bool{} // content type of answers carrying the file
	var cursor uint64
	for round, req := range []protocol.SyncRequest{
		{},                   // whole histories, compact
		{MethodHash: hash},   // nothing new, the method held
		{},                   // nothing new, the file sent
		{MethodHash: "old"},  // another file held: this one sent
		{MethodHash: hash},   // a small catch-up
		{MethodHash: "nope"}, // a small catch-up with the file
	} {
		if round == 4 || round == 5 {
			id, _ := anna.create("Noord", "Roos")
			anna.sync(anna.op(id, "step/2/note", "nieuw"))
		}
		req.Cursor = cursor
		for _, compact := range []bool{true, false} {
			a, _, err := e.srv.doSync(bob.token, req, &reqInfo{compact: compact}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if (a.MethodFile != "") != (req.MethodHash != hash) {
				t.Fatalf("round %d: method file sent: %v", round, a.MethodFile != "")
			}
			cursor = a.Cursor
			// The answer as the server wrote it before (the file
			// encoded in each answer).
			old := *a
			old.methodJSON = nil
			var js bytes.Buffer
			bw := bufio.NewWriter(&js)
			if err := encodeAnswer(bw, &old); err != nil {
				t.Fatal(err)
			}
			bw.Flush()
			ops, err := decodeAnswerOps(a, nil)
			if err != nil {
				t.Fatal(err)
			}
			page, err := protocol.AppendPage(nil, &a.SyncResponse, ops)
			if err != nil {
				t.Fatal(err)
			}
			for _, accept := range []string{"", protocol.MediaTypeOps} {
				for _, enc := range []string{"", "gzip", "zstd", "zstd, gzip"} {
					got, ctype := writeDecoded(t, e.srv, a, accept, enc)
					want := js.Bytes()
					if ctype == protocol.MediaTypeOps {
						want = page
					}
					if a.MethodFile != "" && enc != "" {
						seen[ctype] = true
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("round %d, compact %v, Accept %q, Accept-Encoding %q: answer (%s, %d bytes) is not the old one (%d bytes)",
							round, compact, accept, enc, ctype, len(got), len(want))
					}
				}
			}
		}
	}
	if !seen[protocol.MediaTypeOps] || !seen["application/json"] {
		t.Fatalf("answers with the method file compared: %v; want compact pages and JSON", seen)
	}
}

// writeDecoded writes a as the server answers a request with the given
// Accept and Accept-Encoding, and returns the body decompressed and the
// Content-Type.
func writeDecoded(t *testing.T, s *Server, a *answer, accept, enc string) ([]byte, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, protocol.PathSync, nil)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	if enc != "" {
		r.Header.Set("Accept-Encoding", enc)
	}
	rec := httptest.NewRecorder()
	s.writeAnswer(rec, r, a)
	body := rec.Body.Bytes()
	switch rec.Header().Get("Content-Encoding") {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	case "zstd":
		zr, err := zstd.NewReader(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		if body, err = zr.DecodeAll(body, nil); err != nil {
			t.Fatal(err)
		}
	}
	return body, rec.Header().Get("Content-Type")
}
