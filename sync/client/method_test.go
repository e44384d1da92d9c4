package client_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
)

// regioMethod is a region's own method file, valid for the strict parser.
const regioMethod = `id: regio-noord
version: 1
name: {nl: Methode Noord, en: Method North}
steps:
  - n: 1
    title: {nl: Kennismaken, en: Getting to know}
    goal: {nl: Leer de deelnemer kennen., en: Get to know the person.}
    checklist:
      - id: c1
        nl: Kennismakingsgesprek gevoerd
    questions:
      - id: q1
        nl: Wat doe je het liefst?
`

// wireLog records the method fields of each sync round trip through it,
// and may rewrite answers (rewrite, when set, gets the decoded answer).
type wireLog struct {
	mu      sync.Mutex
	next    http.Handler
	hashes  []string // SyncRequest.MethodHash, per request
	files   []string // SyncResponse.MethodFile, per answer
	rewrite func(map[string]any)
}

func (l *wireLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != protocol.PathSync {
		l.next.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	raw := body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			raw, _ = io.ReadAll(zr)
		}
	}
	var req protocol.SyncRequest
	_ = json.Unmarshal(raw, &req)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.Header.Del("Accept-Encoding") // a plain answer, to read here
	r.Header.Del("Accept")          // in JSON: the server's compact page is not for rewriting
	rec := httptest.NewRecorder()
	l.next.ServeHTTP(rec, r)
	out := rec.Body.Bytes()
	var resp map[string]any
	if rec.Code == http.StatusOK && json.Unmarshal(out, &resp) == nil {
		l.mu.Lock()
		l.hashes = append(l.hashes, req.MethodHash)
		file, _ := resp["method_file"].(string)
		l.files = append(l.files, file)
		rw := l.rewrite
		l.mu.Unlock()
		if rw != nil {
			rw(resp)
			out, _ = json.Marshal(resp)
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

func (l *wireLog) take() (hashes, files []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	hashes, files = l.hashes, l.files
	l.hashes, l.files = nil, nil
	return hashes, files
}

// methodRegion is a real server opened with method file yaml, behind a
// wireLog; reopen swaps in the same file's server with another method.
type methodRegion struct {
	t     *testing.T
	path  string
	srv   *server.Server
	log   *wireLog
	url   string
	admin *server.Admin
	mu    sync.Mutex
}

func newMethodRegion(t *testing.T, yaml string) *methodRegion {
	t.Helper()
	r := &methodRegion{t: t, path: filepath.Join(t.TempDir(), "server.db")}
	r.open(yaml)
	r.log = &wireLog{next: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		h := r.srv.Handler()
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	})}
	hs := httptest.NewServer(r.log)
	t.Cleanup(func() {
		hs.Close()
		r.srv.Close()
	})
	r.url = hs.URL
	if _, err := r.admin.AddTeam("Noord"); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *methodRegion) open(yaml string) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv != nil {
		r.srv.Close()
	}
	srv, err := server.Open(r.path, server.Options{NoSync: true, MethodFile: []byte(yaml)})
	if err != nil {
		r.t.Fatal(err)
	}
	r.srv = srv
	r.admin = srv.Admin("tester", server.ChannelCLI)
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestRegionMethodHandedToDevice: a device that syncs with a server that
// has its own method receives the file and keeps it; the next sync sends
// its hash and gets no file; a changed method on the server comes again.
func TestRegionMethodHandedToDevice(t *testing.T) {
	r := newMethodRegion(t, regioMethod)
	lap := enrolLaptop(t, r.admin, r.url, "piet", "Noord", nil)
	if m, err := client.StoredMethod(lap.st); err != nil || m != nil {
		t.Fatalf("before a sync: stored method %v, %v; want none", m, err)
	}

	res := lap.sync(t)
	if !res.MethodChanged || res.MethodRefused != nil || res.MethodID != "regio-noord" || res.MethodVersion != 1 {
		t.Fatalf("first sync: %+v", res)
	}
	hashes, files := r.log.take()
	if len(files) == 0 || hashes[0] != "" || files[0] != regioMethod {
		t.Fatalf("first sync: sent hashes %q, got files %d %q", hashes, len(files), files)
	}
	m, err := client.StoredMethod(lap.st)
	if err != nil || m == nil || m.ID != "regio-noord" || len(m.Steps) != 1 {
		t.Fatalf("stored method = %+v, %v", m, err)
	}

	res = lap.sync(t)
	if res.MethodChanged || res.MethodRefused != nil {
		t.Fatalf("second sync: %+v", res)
	}
	hashes, files = r.log.take()
	for i := range files {
		if hashes[i] != hashOf(regioMethod) || files[i] != "" {
			t.Fatalf("second sync, request %d: sent hash %q, got file %d bytes; want the hash and no file", i, hashes[i], len(files[i]))
		}
	}

	v2 := strings.Replace(regioMethod, "version: 1", "version: 2", 1)
	r.open(v2)
	res = lap.sync(t)
	if !res.MethodChanged || res.MethodVersion != 2 {
		t.Fatalf("sync after the server's method changed: %+v", res)
	}
	if _, files = r.log.take(); len(files) == 0 || files[0] != v2 {
		t.Fatalf("changed method not sent: %q", files)
	}
	if m, err := client.StoredMethod(lap.st); err != nil || m.Version != 2 {
		t.Fatalf("stored method after change = %+v, %v", m, err)
	}
}

// TestRegionMethodBadRefused: a method file from a server that does not
// parse (or does not match its hash) is refused and never stored; the
// sync itself succeeds and the device keeps what it had. The refusal
// says why in English as ever, and in Dutch (In) without English.
func TestRegionMethodBadRefused(t *testing.T) {
	for name, c := range map[string]struct {
		rw     func(map[string]any)
		en, nl string
	}{
		"unparsable": {func(resp map[string]any) {
			bad := "id: evil\nversion: 1\nsteps: !!binary aGVsbG8=\nrun: rm -rf /\n"
			resp["method_file"] = bad
			resp["method"].(map[string]any)["hash"] = hashOf(bad)
		}, "the server's method file is not valid: method file ", "de methode van de regio, regel "},
		"hash mismatch": {func(resp map[string]any) {
			resp["method_file"] = strings.Replace(regioMethod, "regio-noord", "regio-zuid", 1)
		}, "the server's method file does not match its hash",
			"het methodebestand van de server kwam anders aan dan de server zei (het controlegetal klopt niet); de volgende synchronisatie probeert het opnieuw, meld het aan je beheerder als het blijft"},
		"too large": {func(resp map[string]any) {
			big := regioMethod + "# " + strings.Repeat("x", protocol.MaxMethodBytes) + "\n"
			resp["method_file"] = big
			resp["method"].(map[string]any)["hash"] = hashOf(big)
		}, fmt.Sprintf("the server's method file is %d bytes; at most %d", len(regioMethod)+protocol.MaxMethodBytes+3, protocol.MaxMethodBytes),
			fmt.Sprintf("het methodebestand van de server is te groot (%d bytes; hoogstens %d); meld het aan je beheerder", len(regioMethod)+protocol.MaxMethodBytes+3, protocol.MaxMethodBytes)},
		"no id": {func(resp map[string]any) {
			delete(resp, "method")
		}, "the server sent a method file without its id, version and hash",
			"de server stuurde een methodebestand zonder naam, versie en controlegetal; meld het aan je beheerder"},
	} {
		t.Run(name, func(t *testing.T) {
			r := newMethodRegion(t, regioMethod)
			lap := enrolLaptop(t, r.admin, r.url, "piet", "Noord", nil)
			r.log.mu.Lock()
			r.log.rewrite = func(resp map[string]any) {
				if _, ok := resp["method_file"]; ok {
					c.rw(resp)
				}
			}
			r.log.mu.Unlock()
			res := lap.sync(t)
			if res.MethodChanged || res.MethodRefused == nil {
				t.Fatalf("bad method: %+v; want it refused", res)
			}
			if got := res.MethodRefused.Error(); !strings.HasPrefix(got, c.en) {
				t.Errorf("English %q, want %q", got, c.en)
			}
			var l interface{ In(string) string }
			var me *client.MethodError
			var pe *method.ParseError
			switch {
			case errors.As(res.MethodRefused, &me):
				l = me
				if me.In("en") != me.Error() {
					t.Errorf("In(en) %q is not the error's English", me.In("en"))
				}
			case errors.As(res.MethodRefused, &pe):
				l = pe
			default:
				t.Fatalf("%T says itself in no language", res.MethodRefused)
			}
			if got := l.In("nl"); !strings.HasPrefix(got, c.nl) || strings.Contains(got, "server's") {
				t.Errorf("Dutch %q, want %q", got, c.nl)
			}
			raw, err := lap.st.Meta(client.MetaMethod)
			if err != nil || len(raw) != 0 {
				t.Fatalf("bad method stored: %d bytes, %v", len(raw), err)
			}
		})
	}
}
