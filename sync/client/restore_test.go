package client_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
)

// restorable is a real server behind a fixed URL whose file can be put
// back from a backup between two runs.
type restorable struct {
	t       *testing.T
	path    string
	srv     *server.Server
	handler atomic.Pointer[http.Handler]
	url     string
}

func newRestorable(t *testing.T) *restorable {
	t.Helper()
	r := &restorable{t: t, path: filepath.Join(t.TempDir(), "server.db")}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		(*r.handler.Load()).ServeHTTP(w, req)
	}))
	r.url = hs.URL
	r.open()
	t.Cleanup(func() {
		hs.Close()
		if err := r.srv.Store().Check(); err != nil {
			t.Errorf("server store inconsistent: %v", err)
		}
		r.srv.Close()
	})
	if _, err := r.admin().AddTeam("Noord"); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *restorable) open() {
	srv, err := server.Open(r.path, server.Options{NoSync: true})
	if err != nil {
		r.t.Fatal(err)
	}
	h := srv.Handler()
	r.handler.Store(&h)
	r.srv = srv
}

func (r *restorable) admin() *server.Admin { return r.srv.Admin("tester", server.ChannelCLI) }

// restore stops the server, copies backup over its file and starts it.
func (r *restorable) restore(backup string) {
	r.t.Helper()
	if err := r.srv.Close(); err != nil {
		r.t.Fatal(err)
	}
	in, err := os.Open(backup)
	if err != nil {
		r.t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(r.path)
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		r.t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		r.t.Fatal(err)
	}
	r.open()
}

func (r *restorable) laptop(user string) *replica {
	r.t.Helper()
	return enrolLaptop(r.t, r.admin(), r.url, user, "Noord", nil)
}

// The server is put back from a backup after a laptop synced a change:
// the laptop said everything was sent, and nobody ever got the change.
// The laptop's next sync finds out, sends its own ops again and pulls
// everything again; the other laptop gets the change, the erasure made
// after the backup is made again, and nothing local is lost.
func TestSyncAfterServerRestoreResendsAndReErases(t *testing.T) {
	r := newRestorable(t)
	anna, bert := r.laptop("anna"), r.laptop("bert")
	id, err := anna.st.CreateClient(store.NewClient{Name: "Anna de Vries", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := anna.st.CreateClient(store.NewClient{Name: "Wordt Gewist", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	anna.sync(t)
	bert.sync(t)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := r.admin().Backup(backup); err != nil {
		t.Fatal(err)
	}

	if _, err := anna.st.Commit(id, store.Edit("step/1/note", "na de back-up", nil)); err != nil {
		t.Fatal(err)
	}
	if res := anna.sync(t); res.Pushed != 1 {
		t.Fatalf("pushed %d ops, want the change", res.Pushed)
	}
	if _, err := r.admin().Erase(gone); err != nil {
		t.Fatal(err)
	}
	anna.sync(t)
	if !anna.st.Erased(gone) {
		t.Fatal("anna did not erase the dossier")
	}
	local := opIDs(t, anna.st, id)

	r.restore(backup)
	res := anna.sync(t)
	if !res.Restored || res.Resent == 0 {
		t.Fatalf("the restore went unnoticed: %+v", res)
	}
	if n, _ := anna.st.OutboxLen(); n != 0 {
		t.Errorf("%d ops still wait after the resend", n)
	}
	if got := opIDs(t, anna.st, id); !slices.Equal(got, local) {
		t.Errorf("anna holds %d ops of the dossier after the restore, %d before", len(got), len(local))
	}
	if !r.srv.Store().Erased(gone) {
		t.Error("the server did not erase again the dossier erased after the backup")
	}
	// A second sync is an ordinary one.
	if res := anna.sync(t); res.Restored {
		t.Error("asked to resend again")
	}
	if res := bert.sync(t); !res.Restored {
		t.Error("bert synced in the epoch of the backup and was not asked to resend")
	}
	if got := opIDs(t, bert.st, id); !slices.Equal(got, local) {
		t.Errorf("bert holds %d ops of the dossier, anna %d: the change did not arrive", len(got), len(local))
	}
	if !bert.st.Erased(gone) {
		t.Error("bert still holds the erased dossier")
	}
}
