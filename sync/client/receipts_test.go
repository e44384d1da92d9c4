package client_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/server"
)

// countAudit counts the audit records of action about dossier by user.
func countAudit(t *testing.T, a *server.Admin, action, dossier, user string) int {
	t.Helper()
	log, err := a.Audit(server.AuditFilter{Dossier: dossier, User: user})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range log {
		if e.Action == action {
			n++
		}
	}
	return n
}

// holder returns the device of an erasure's holder list that is user's.
func holderOf(t *testing.T, a *server.Admin, dossier, user string) server.ErasureHolder {
	t.Helper()
	es, err := a.Erasures(dossier)
	if err != nil || len(es) != 1 {
		t.Fatalf("erasures of %s: %+v, %v", dossier, es, err)
	}
	for _, h := range es[0].Devices {
		if h.User == user {
			return h
		}
	}
	t.Fatalf("erasure of %s: %s's device is not among its holders %+v", dossier, user, es[0].Devices)
	return server.ErasureHolder{}
}

// TestReceiptsOfErasuresAndDrops: every laptop that held an erased
// dossier confirms the erasure in the sync that applies it; a laptop
// whose answer to that confirmation was lost confirms again and the
// server records it once, with the first time; drops are confirmed and
// audited the same way; a laptop that never held the dossier is not
// listed.
func TestReceiptsOfErasuresAndDrops(t *testing.T) {
	r := newWipeRegion(t)
	if _, err := r.admin.AddTeam("Zuid"); err != nil {
		t.Fatal(err)
	}
	piet, kees := r.laptop(t, "piet"), r.laptop(t, "kees")
	anna := r.laptop(t, "anna")
	if err := r.admin.RemoveMember("Noord", "anna"); err != nil {
		t.Fatal(err)
	}
	if err := r.admin.AddMember("Zuid", "anna"); err != nil {
		t.Fatal(err)
	}
	gone, err := piet.st.CreateClient(store.NewClient{Name: "Wordt Gewist", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	moved, err := piet.st.CreateClient(store.NewClient{Name: "Gaat Naar Zuid", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	sync := func(l *wipeLaptop) client.Result {
		t.Helper()
		res, err := l.syncer.Sync(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, l := range []*wipeLaptop{piet, kees, anna} {
		sync(l)
	}
	if _, err := r.admin.Erase(gone); err != nil {
		t.Fatal(err)
	}
	es, err := r.admin.Erasures(gone)
	if err != nil || len(es) != 1 || len(es[0].Devices) != 2 || es[0].Pending() != 2 || es[0].By != "beheer" {
		t.Fatalf("erasure right after the erase: %+v, %v", es, err)
	}

	// Piet's sync erases it and confirms it in the same sync.
	if res := sync(piet); res.Erased != 1 {
		t.Fatalf("piet: %+v", res)
	}
	if h := holderOf(t, r.admin, gone, "piet"); h.Confirmed.IsZero() {
		t.Fatal("piet's erasure is not confirmed after his sync")
	}
	if h := holderOf(t, r.admin, gone, "kees"); !h.Confirmed.IsZero() {
		t.Fatal("kees confirmed before he synced")
	}
	if c, _ := client.PendingConfirmations(piet.st); c.Len() != 0 {
		t.Fatalf("piet still has receipts to send: %+v", c)
	}

	// Kees's answer to his confirmation is lost: the server recorded it,
	// the connection broke before he heard.
	cut := true
	r.intercept = func(w http.ResponseWriter, req *http.Request, body []byte, next http.Handler) bool {
		if !cut || !bytes.Contains(gunzip(t, body), []byte(`"confirm_erased"`)) {
			return false
		}
		cut = false
		next.ServeHTTP(httptest.NewRecorder(), req)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return true
		}
		conn.Close()
		return true
	}
	if _, err := kees.syncer.Sync(context.Background()); !errors.Is(err, client.ErrUnreachable) {
		t.Fatalf("kees's cut sync: %v", err)
	}
	if _, err := kees.st.Client(gone); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("kees did not erase: %v", err)
	}
	if c, _ := client.PendingConfirmations(kees.st); !slices.Equal(c.Erased, []string{gone}) {
		t.Fatalf("kees lost his unanswered receipt: %+v", c)
	}
	first := holderOf(t, r.admin, gone, "kees").Confirmed
	if first.IsZero() {
		t.Fatal("the server did not record kees's receipt")
	}
	sync(kees)
	if c, _ := client.PendingConfirmations(kees.st); c.Len() != 0 {
		t.Fatalf("kees still has receipts: %+v", c)
	}
	if again := holderOf(t, r.admin, gone, "kees").Confirmed; !again.Equal(first) {
		t.Fatalf("kees's receipt moved from %v to %v", first, again)
	}
	if n := countAudit(t, r.admin, server.ActionEraseConfirmed, gone, "kees"); n != 1 {
		t.Fatalf("%d erase confirmed records for kees, want 1", n)
	}
	if es, _ := r.admin.Erasures(gone); es[0].Pending() != 0 || len(es[0].Devices) != 2 {
		t.Fatalf("after both synced: %+v", es)
	}

	// A drop is confirmed too.
	if _, err := piet.st.Commit(moved, store.Set("team", "Zuid")); err != nil {
		t.Fatal(err)
	}
	sync(piet)
	if res := sync(kees); res.Dropped != 1 {
		t.Fatalf("kees: %+v, want a drop", res)
	}
	for _, u := range []string{"piet", "kees"} {
		if n := countAudit(t, r.admin, server.ActionDropConfirmed, moved, u); n != 1 {
			t.Errorf("%d drop confirmed records for %s, want 1", n, u)
		}
	}
	sync(anna)
	if n := countAudit(t, r.admin, server.ActionDropConfirmed, moved, "anna"); n != 0 {
		t.Errorf("anna, who received the dossier, confirmed a drop")
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return b
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Error(err)
	}
	return out
}
