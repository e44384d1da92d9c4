package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// A sync alone in its transaction (a page of an initial pull) has its
// answer prepared while the transaction ends and commits
// (groupCommitter.solo): before the transaction's end, for pages of every
// size (over earlyMaxOps too) and every kind of answer (compact pages in
// zstd and gzip, JSON in gzip and plain), through a transfer, a share
// given and withdrawn and a member joining a team; and byte for byte,
// headers included, what writeAnswer writes after the commit.
func TestSoloAnswerPreparedWhileItCommits(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	zeno := e.user("zeno", protocol.RoleCoach, "Zuid")
	var dossiers []string
	for i := range 12 {
		id, ops := anna.create("Noord", fmt.Sprintf("Client %d", i))
		for j := range 100 {
			ops = append(ops, anna.op(id, fmt.Sprintf("step/%d/note", j%6+1), fmt.Sprintf("notitie %d van client %d", j, i)))
		}
		anna.sync(ops...)
		dossiers = append(dossiers, id)
	}
	zeno.sync()

	// The sync transaction's end (its hooks' finish) waits until the
	// answer was prepared, or a deadline passed.
	preps := make(chan struct{}, 1)
	var armed atomic.Bool
	before := 0
	g := &e.srv.group
	g.tx = waitHooks{g.tx, func() {
		if !armed.Load() {
			return
		}
		select {
		case <-preps:
			before++
		case <-time.After(10 * time.Second):
		}
	}}
	accepts := []map[string]string{
		{"Accept": protocol.MediaTypeOps + ", application/json;q=0.5", "Accept-Encoding": "zstd, gzip"},
		{"Accept": protocol.MediaTypeOps + ", application/json;q=0.5", "Accept-Encoding": "gzip"},
		{"Accept-Encoding": "gzip"},
		{},
	}
	syncs, large := 0, 0
	// pull pages d's view in until no page is left, each answer checked.
	pull := func(d *device, limit int) {
		t.Helper()
		for page := 0; ; page++ {
			if page > 100 {
				t.Fatal("paging does not end")
			}
			r := httptest.NewRequest(http.MethodPost, protocol.PathSync, nil)
			for k, v := range accepts[syncs%len(accepts)] {
				r.Header.Set(k, v)
			}
			syncs++
			info := &reqInfo{compact: acceptsOps(r)}
			armed.Store(true)
			b0 := before
			a, _, err := e.srv.doSync(d.token, protocol.SyncRequest{Cursor: d.cursor, Limit: limit}, info, func(a *answer, solo bool) *preparedAnswer {
				defer func() { preps <- struct{}{} }()
				return e.srv.prepareAnswer(r, a, solo)
			})
			armed.Store(false)
			if err != nil {
				t.Fatalf("%s, page %d: %v", d.user, page, err)
			}
			if before != b0+1 || a.early == nil {
				t.Fatalf("%s, page %d of %d ops: the answer was not prepared before its transaction ended", d.user, page, a.count())
			}
			if a.count() > earlyMaxOps {
				large++
			}
			got := httptest.NewRecorder()
			a.early.send(got)
			a.early = nil
			want := httptest.NewRecorder()
			e.srv.writeAnswer(want, r, a)
			if !equalHeaders(got.Header(), want.Header()) {
				t.Errorf("%s, page %d: headers %v, after the commit %v", d.user, page, got.Header(), want.Header())
			}
			if !slices.Equal(got.Body.Bytes(), want.Body.Bytes()) {
				t.Errorf("%s, page %d: the answer prepared while it committed (%d bytes) is not the one written after the commit (%d bytes)", d.user, page, got.Body.Len(), want.Body.Len())
			}
			d.cursor = a.Cursor
			if !a.More {
				return
			}
		}
	}
	for _, limit := range []int{0, 700, 250} {
		pull(e.enrol("anna"), limit)
	}
	// A transfer, a share given and then withdrawn, a member joining:
	// drops and whole histories in the answers.
	anna.sync(anna.op(dossiers[1], "team", "Zuid"))
	pull(anna, 0)
	pull(zeno, 0)
	sid, share := anna.share(dossiers[0], shareSpec{team: "Zuid", mode: "read", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "written"})
	anna.sync(share...)
	pull(zeno, 0)
	anna.sync(anna.op(dossiers[0], store.ShareField(sid, "withdrawn"), "2026-11-02"))
	pull(zeno, 700)
	_, err := e.admin.AddUser("bea", protocol.RoleCoach, []string{"Zuid"})
	e.must(err)
	bea := e.enrol("bea")
	pull(bea, 0)
	e.must(e.admin.AddMember("Noord", "bea"))
	pull(bea, 600)
	if large == 0 {
		t.Errorf("no page of more than %d ops among %d syncs", earlyMaxOps, syncs)
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range b {
		if !slices.Equal(a[k], b[k]) {
			return false
		}
	}
	return true
}

// failHooks fail a sync transaction at its end, after its function ran.
type failHooks struct {
	txHooks
	fail func() error
}

func (h failHooks) finish(tx Tx) error {
	if err := h.fail(); err != nil {
		return err
	}
	return h.txHooks.finish(tx)
}

// A sync whose transaction fails after its answer was prepared sends none
// of it: the device gets an error, no delivery is audited, nothing is
// kept of its view, and its next sync brings the whole page, as a device
// that never synced gets it.
func TestSoloAnswerDroppedWhenTheCommitFails(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	for i := range 6 {
		id, ops := anna.create("Noord", fmt.Sprintf("Client %d", i))
		for j := range 200 {
			ops = append(ops, anna.op(id, "step/1/note", fmt.Sprint("notitie ", j)))
		}
		anna.sync(ops...)
	}
	failed := errors.New("the commit failed")
	g := &e.srv.group
	hooks := g.tx
	deliveries := func(dev string) int {
		n := 0
		for _, a := range e.auditAll() {
			if a.Action == ActionDeliver && a.Device == dev {
				n++
			}
		}
		return n
	}

	// In the server: the answer was prepared, the sync fails.
	fresh := e.enrol("anna")
	preps := make(chan struct{}, 1)
	g.tx = failHooks{hooks, func() error {
		select {
		case <-preps:
		case <-time.After(10 * time.Second):
			t.Error("the answer was not prepared before the transaction's end")
		}
		return failed
	}}
	r := httptest.NewRequest(http.MethodPost, protocol.PathSync, nil)
	r.Header.Set("Accept", protocol.MediaTypeOps)
	r.Header.Set("Accept-Encoding", "zstd")
	a, _, err := e.srv.doSync(fresh.token, protocol.SyncRequest{}, &reqInfo{compact: true}, func(a *answer, solo bool) *preparedAnswer {
		defer func() { preps <- struct{}{} }()
		return e.srv.prepareAnswer(r, a, solo)
	})
	if !errors.Is(err, failed) || a.early == nil {
		t.Fatalf("sync whose transaction failed: err %v, answer prepared %v; want the failure, prepared", err, a.early != nil)
	}
	// The handler sends none of it.
	w := httptest.NewRecorder()
	e.srv.sendSync(w, r, a, syncResult{}, err)
	if w.Code != http.StatusInternalServerError || w.Header().Get("Content-Type") == protocol.MediaTypeOps {
		t.Fatalf("sync whose transaction failed answered %d, %s (%d bytes)", w.Code, w.Header().Get("Content-Type"), w.Body.Len())
	}

	// Over HTTP: an error, no page.
	g.tx = failHooks{hooks, func() error { return failed }}
	var resp protocol.SyncResponse
	status, perr := e.post(protocol.PathSync, fresh.token, protocol.SyncRequest{}, &resp)
	if status != http.StatusInternalServerError || len(resp.Ops) > 0 {
		t.Fatalf("sync whose transaction failed: status %d (%s), %d ops", status, perr.Message, len(resp.Ops))
	}
	if n := deliveries(fresh.id); n != 0 {
		t.Fatalf("%d deliveries audited for syncs that failed", n)
	}

	g.tx = hooks
	fresh.syncAll()
	other := e.enrol("anna")
	other.syncAll()
	if len(fresh.have) != 6 || !equalHave(fresh.have, other.have) {
		t.Fatalf("after the failed syncs the device holds %d dossiers, not what a fresh device gets (%d)", len(fresh.have), len(other.have))
	}
	if n := deliveries(fresh.id); n != 1 {
		t.Fatalf("%d deliveries audited for one page", n)
	}
}

func equalHave(a, b map[string]map[string]store.Op) bool {
	if len(a) != len(b) {
		return false
	}
	for d, ops := range a {
		if len(ops) != len(b[d]) {
			return false
		}
		for id := range ops {
			if _, ok := b[d][id]; !ok {
				return false
			}
		}
	}
	return true
}
