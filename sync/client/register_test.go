package client_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
)

// TestRegisterReachesLaptop: over real HTTP on 127.0.0.1, a laptop's sync
// brings the region's register into its encrypted file; typing a name
// without accents finds the organisation; an unchanged register costs no
// request (GET /v1/device named the version the laptop holds), or, from
// a server from before that (its answer without the version), a 304
// without a body; a change arrives with the next sync.
func TestRegisterReachesLaptop(t *testing.T) {
	t.Run("server naming the version", func(t *testing.T) { registerReachesLaptop(t, false) })
	t.Run("server from before", func(t *testing.T) { registerReachesLaptop(t, true) })
}

func registerReachesLaptop(t *testing.T, oldServer bool) {
	srv, err := server.Open(filepath.Join(t.TempDir(), "server.db"), server.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var statuses []int
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == protocol.PathDevice && oldServer {
			withoutRegister(t, h, w, r)
			return
		}
		if r.URL.Path != protocol.PathRegister {
			h.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		mu.Lock()
		statuses = append(statuses, rec.status)
		mu.Unlock()
	}))
	t.Cleanup(func() { hs.Close(); srv.Close() })
	admin := srv.Admin("tester", server.ChannelCLI)
	if _, err := admin.AddOrg(store.Org{Name: "Zorggroep Noord", Kind: store.OrgCare}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AddTeamOf("Noord", "Zorggroep Noord"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AddOrg(store.Org{Name: "Garage Çelik & Zonen", Kind: store.OrgEmployer, KvK: "12345678"}); err != nil {
		t.Fatal(err)
	}
	if err := admin.AddContact("Garage Çelik & Zonen", store.OrgContact{Name: "Zoë Ağaoğlu", Role: "werkplaatschef", Phone: "024-1234567"}); err != nil {
		t.Fatal(err)
	}
	p := enrolLaptop(t, admin, hs.URL, "anna", "Noord", nil)
	if res := p.sync(t); !res.RegisterChanged || res.RegisterRefused != nil {
		t.Fatalf("first sync: register changed %v, refused %v", res.RegisterChanged, res.RegisterRefused)
	}
	reg, err := p.st.Register()
	if err != nil {
		t.Fatal(err)
	}
	if got := reg.Find("celik"); len(got) != 1 || got[0].Name != "Garage Çelik & Zonen" || got[0].KvK != "12345678" {
		t.Fatalf("typing celik found %+v", got)
	}
	if got := reg.Find("zoe agaoglu"); len(got) != 1 || got[0].Contacts[0].Phone != "024-1234567" {
		t.Fatalf("typing a contact's name without accents found %+v", got)
	}
	if got := reg.TeamOrg("Noord"); got != "Zorggroep Noord" {
		t.Errorf("the user's team's organisation: %q", got)
	}
	// Unchanged: no request (or a 304 from a server from before),
	// nothing written.
	if res := p.sync(t); res.RegisterChanged || res.RegisterRefused != nil {
		t.Fatalf("second sync: register changed %v, refused %v", res.RegisterChanged, res.RegisterRefused)
	}
	want := []int{http.StatusOK}
	if oldServer {
		want = append(want, http.StatusNotModified)
	}
	mu.Lock()
	if !slices.Equal(statuses, want) {
		t.Errorf("register answers %v, want %v", statuses, want)
	}
	mu.Unlock()
	// A change reaches the laptop with its next sync.
	if err := admin.RenameOrg("Garage Çelik & Zonen", "Garage Çelik BV"); err != nil {
		t.Fatal(err)
	}
	if res := p.sync(t); !res.RegisterChanged {
		t.Fatal("the renamed organisation did not arrive")
	}
	if reg, _ = p.st.Register(); len(reg.Find("celik bv")) != 1 {
		t.Errorf("after the rename: %+v", reg.Orgs)
	}
}

// withoutRegister answers GET /v1/device as a server from before the
// register's version in it: h's answer without that field.
func withoutRegister(t *testing.T, h http.Handler, w http.ResponseWriter, r *http.Request) {
	r.Header.Del("Accept-Encoding")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	var st map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Errorf("GET /v1/device answer: %v", err)
	}
	if st["register"] == nil && rec.Code == http.StatusOK {
		t.Errorf("GET /v1/device answer names no register: %s", rec.Body.Bytes())
	}
	delete(st, "register")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rec.Code)
	json.NewEncoder(w).Encode(st)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}
