package client_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
)

// TestRealServerSendsCompactPages: against a real server a device pulls
// compact pages, and ends up with the same dossiers, op for op, as a
// device that pulls JSON.
func TestRealServerSendsCompactPages(t *testing.T) {
	srv, err := server.Open(filepath.Join(t.TempDir(), "server.db"), server.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	types := map[string]int{} // Content-Type of sync answers
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != protocol.PathSync {
			h.ServeHTTP(w, r)
			return
		}
		// Counted as the answer's header goes out: before the device can
		// have read the answer and returned from its sync.
		h.ServeHTTP(&typeWriter{ResponseWriter: w, seen: func(ct string) {
			mu.Lock()
			types[ct]++
			mu.Unlock()
		}}, r)
	}))
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	admin := srv.Admin("tester", server.ChannelCLI)
	if _, err := admin.AddTeam("Noord"); err != nil {
		t.Fatal(err)
	}
	piet := enrolLaptop(t, admin, hs.URL, "piet", "Noord", nil)
	var ids []string
	for i := range 12 { // enough ops for a compact page (the server sends small answers as JSON)
		id, err := piet.st.CreateClient(store.NewClient{Name: fmt.Sprintf("Anna de Vries %d", i), Team: "Noord"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := piet.st.Commit(id, store.Set("step/1/note", "eerste"), store.Set("step/1/check/c1", "1")); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	piet.sync(t)
	kees := enrolLaptop(t, admin, hs.URL, "kees", "Noord", nil)
	fem := enrolLaptop(t, admin, hs.URL, "fem", "Noord", nil)
	fem.syncer.JSONPages = true
	mu.Lock()
	clear(types)
	mu.Unlock()
	kees.sync(t)
	mu.Lock()
	compact, json := types[protocol.MediaTypeOps], types["application/json"]
	clear(types)
	mu.Unlock()
	if compact == 0 || json != 0 {
		t.Fatalf("a device's pull got %d compact and %d JSON answers; want compact only", compact, json)
	}
	fem.sync(t)
	mu.Lock()
	compact, json = types[protocol.MediaTypeOps], types["application/json"]
	mu.Unlock()
	if compact != 0 || json == 0 {
		t.Fatalf("a JSONPages device's pull got %d compact and %d JSON answers", compact, json)
	}
	for _, id := range ids {
		want, err := piet.st.Ops(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []*replica{kees, fem} {
			got, err := p.st.Ops(id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("dossier %s: pulled ops differ:\n got %+v\nwant %+v", id, got, want)
			}
		}
	}
}

// typeWriter calls seen with the answer's Content-Type as its header is
// written.
type typeWriter struct {
	http.ResponseWriter
	seen  func(string)
	wrote bool
}

func (w *typeWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.seen(w.Header().Get("Content-Type"))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *typeWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}
