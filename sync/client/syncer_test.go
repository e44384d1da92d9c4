package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

func TestSyncPushesGzippedAndPulls(t *testing.T) {
	f, srv := newFake(t)
	a, b := openStore(t, "tester"), openStore(t, "tester")
	id := mkClient(t, a, "Anna de Vries")
	waiting := outbox(t, a)

	res, err := syncerFor(a, srv.URL, f.token).Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Pushed != waiting || res.Pulled != 0 || outbox(t, a) != 0 {
		t.Fatalf("push: %+v, outbox %d; want %d pushed and an empty outbox", res, outbox(t, a), waiting)
	}
	if res.Cursor != uint64(waiting) {
		t.Fatalf("cursor %d, want %d", res.Cursor, waiting)
	}
	res, err = syncerFor(b, srv.URL, f.token).Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Pulled != waiting || !res.Changed() {
		t.Fatalf("pull: %+v, want %d pulled", res, waiting)
	}
	c, err := b.Client(id)
	if err != nil || c.Name.Value != "Anna de Vries" {
		t.Fatalf("pulled client: %+v, %v", c, err)
	}
	sameOps(t, a, b)
	if !f.gzipIn || f.gzipOut == 0 {
		t.Fatalf("bodies not compressed both ways: in %v, out %d", f.gzipIn, f.gzipOut)
	}
	// Only an initial pull (b's first sync; a's first had a cursor of 0
	// too) asks for large pages; later syncs let the server choose.
	if want := []int{initialPullOps, initialPullOps}; !slices.Equal(f.limits, want) {
		t.Fatalf("page sizes asked: %v, want %v", f.limits, want)
	}
	// Nothing new is success, and moves nothing.
	res, err = syncerFor(b, srv.URL, f.token).Sync(context.Background())
	if err != nil || res.Changed() || res.Pushed != 0 {
		t.Fatalf("idle sync: %+v, %v", res, err)
	}
	if got := f.limits[len(f.limits)-1]; got != 0 {
		t.Fatalf("a later sync asked for pages of %d", got)
	}
	st, err := LocalStatus(b)
	if err != nil || st.LastSync.IsZero() || st.Cursor != uint64(waiting) {
		t.Fatalf("status after sync: %+v, %v", st, err)
	}
}

func TestSyncPushesOutboxInChunks(t *testing.T) {
	f, srv := newFake(t)
	a := openStore(t, "tester")
	id := mkClient(t, a, "Bram")
	var changes []store.Change
	for range protocol.MaxPushOps + 10 {
		changes = append(changes, store.Set("journal/"+store.NewID()+"/exists", "1"))
	}
	if _, err := a.Commit(id, changes...); err != nil {
		t.Fatal(err)
	}
	total := outbox(t, a)
	res, err := syncerFor(a, srv.URL, f.token).Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Pushed != total || outbox(t, a) != 0 {
		t.Fatalf("pushed %d of %d, outbox %d", res.Pushed, total, outbox(t, a))
	}
	if len(f.pushes) < 2 || f.pushes[0] != protocol.MaxPushOps {
		t.Fatalf("pushes %v: want a first chunk of %d", f.pushes, protocol.MaxPushOps)
	}
	for _, n := range f.pushes {
		if n > protocol.MaxPushOps {
			t.Fatalf("push of %d ops, over the limit", n)
		}
	}
}

// A connection cut after the server stored a push but before the device
// read the answer: the retry pushes the same ops again, the server knows
// them, and every op ends up stored once, on every replica.
func TestSyncRetryAfterCutLeavesNoDuplicates(t *testing.T) {
	f, srv := newFake(t)
	a, b := openStore(t, "tester"), openStore(t, "tester")
	mkClient(t, a, "Cor")
	waiting := outbox(t, a)

	f.cutAfter = 1
	_, err := syncerFor(a, srv.URL, f.token).Sync(context.Background())
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("cut sync: %v, want ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("error does not name the server: %v", err)
	}
	if outbox(t, a) != waiting {
		t.Fatalf("outbox %d after a cut, want %d kept", outbox(t, a), waiting)
	}
	if c, _ := cursor(a); c != 0 {
		t.Fatalf("cursor %d stored after a cut", c)
	}
	if _, err := syncerFor(a, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	for id, n := range f.stored() {
		if n != 1 {
			t.Fatalf("op %s stored %d times", id, n)
		}
	}
	// A cut in the middle of a pull leaves the cursor where it was.
	f.cutAfter = f.requests + 1
	if _, err := syncerFor(b, srv.URL, f.token).Sync(context.Background()); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("cut pull: %v", err)
	}
	if c, _ := cursor(b); c != 0 {
		t.Fatalf("cursor %d stored after a cut pull", c)
	}
	if _, err := syncerFor(b, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameOps(t, a, b)
	if st, _ := b.Stats(); st.Ops != waiting {
		t.Fatalf("replica b holds %d ops, want %d", st.Ops, waiting)
	}
}

func TestSyncUnauthorized(t *testing.T) {
	f, srv := newFake(t)
	a := openStore(t, "tester")
	mkClient(t, a, "Dirk")
	waiting := outbox(t, a)
	_, err := syncerFor(a, srv.URL, "wrong").Sync(context.Background())
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("wrong token: %v, want ErrUnauthorized", err)
	}
	if !strings.Contains(err.Error(), "brug login") {
		t.Fatalf("message does not say what to do: %v", err)
	}
	// No token stored at all is the same.
	s := &Syncer{Store: a, URL: srv.URL, Tokens: &MemoryStore{}}
	if _, err := s.Sync(context.Background()); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("no token: %v", err)
	}
	// No server configured.
	s = &Syncer{Store: a, Tokens: &MemoryStore{}}
	if _, err := s.Sync(context.Background()); !errors.Is(err, ErrNotEnrolled) {
		t.Fatalf("no server: %v", err)
	}
	if outbox(t, a) != waiting || f.requests != 0 {
		t.Fatalf("outbox %d, server saw %d syncs", outbox(t, a), f.requests)
	}
}

func TestSyncUnreachable(t *testing.T) {
	_, srv := newFake(t)
	url := srv.URL
	srv.Close()
	a := openStore(t, "tester")
	mkClient(t, a, "Eva")
	_, err := syncerFor(a, url, "tok-1").Sync(context.Background())
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), url) {
		t.Fatalf("closed server: %v", err)
	}
}

// Refused ops leave the outbox, are recorded with their reason, and do not
// hold back the ops behind them.
func TestSyncRefusedAckedAndRecorded(t *testing.T) {
	f, srv := newFake(t)
	a := openStore(t, "tester")
	bad := mkClient(t, a, "Fenna")
	good := mkClient(t, a, "Gijs")
	f.forbidden[bad] = true
	badOps, _ := a.Ops(bad)
	goodOps, _ := a.Ops(good)

	res, err := syncerFor(a, srv.URL, f.token).Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Refused != len(badOps) || res.Pushed != len(goodOps) || outbox(t, a) != 0 {
		t.Fatalf("result %+v, outbox %d", res, outbox(t, a))
	}
	ref, err := Refused(a)
	if err != nil || len(ref) != len(badOps) {
		t.Fatalf("refused list %v, %v", ref, err)
	}
	for _, r := range ref {
		if r.Dossier != bad || r.Code != protocol.RefuseForbidden || r.Reason == "" || r.Field == "" {
			t.Fatalf("refusal recorded as %+v", r)
		}
	}
	// The refused ops stay in the local log.
	if ops, _ := a.Ops(bad); len(ops) != len(badOps) {
		t.Fatalf("refused ops gone from the log")
	}
	// A later sync does not push them again, and the list is kept once.
	if _, err := syncerFor(a, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ref, _ := Refused(a); len(ref) != len(badOps) {
		t.Fatalf("refused list grew to %d", len(ref))
	}
	st, _ := LocalStatus(a)
	if st.Refused != len(badOps) {
		t.Fatalf("status refused %d", st.Refused)
	}
	if err := ClearRefused(a); err != nil {
		t.Fatal(err)
	}
	if ref, _ := Refused(a); len(ref) != 0 {
		t.Fatal("refused list not cleared")
	}
}

// failingApply is a store whose ApplyRemote fails, to show that the cursor
// is only stored after a page is applied.
type failingApply struct {
	*store.Store
	fail bool
}

func (s *failingApply) ApplyRemote(ops []store.Op) (int, error) {
	if s.fail {
		return 0, errors.New("disk full")
	}
	return s.Store.ApplyRemote(ops)
}

func TestSyncCursorStoredOnlyAfterApply(t *testing.T) {
	f, srv := newFake(t)
	a, b := openStore(t, "tester"), openStore(t, "tester")
	mkClient(t, a, "Hanna")
	if _, err := syncerFor(a, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	fb := &failingApply{Store: b, fail: true}
	if _, err := syncerFor(fb, srv.URL, f.token).Sync(context.Background()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("failing apply: %v", err)
	}
	if raw, _ := b.Meta(MetaCursor); len(raw) != 0 {
		t.Fatalf("cursor %q stored although nothing was applied", raw)
	}
	fb.fail = false
	res, err := syncerFor(fb, srv.URL, f.token).Sync(context.Background())
	if err != nil || res.Pulled == 0 {
		t.Fatalf("retry: %+v, %v", res, err)
	}
	raw, _ := b.Meta(MetaCursor)
	if n, _ := strconv.Atoi(string(raw)); n != len(f.stored()) {
		t.Fatalf("cursor %q, want %d", raw, len(f.stored()))
	}
	sameOps(t, a, b)
}

func TestSyncPagesWhileMore(t *testing.T) {
	f, srv := newFake(t)
	a, b := openStore(t, "tester"), openStore(t, "tester")
	for _, n := range []string{"Ilse", "Joost", "Karin"} {
		mkClient(t, a, n)
	}
	if _, err := syncerFor(a, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	total := len(f.stored())
	before := f.requests
	s := syncerFor(b, srv.URL, f.token)
	s.PullLimit = 4
	res, err := s.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pages := (total + 3) / 4
	if res.Pulled != total || f.requests-before != pages {
		t.Fatalf("pulled %d of %d in %d requests, want %d pages", res.Pulled, total, f.requests-before, pages)
	}
	sameOps(t, a, b)
}

func TestSyncAppliesDropAndErase(t *testing.T) {
	f, srv := newFake(t)
	a := openStore(t, "tester")
	gone := mkClient(t, a, "Lars")
	erased := mkClient(t, a, "Mira")
	kept := mkClient(t, a, "Nina")
	if _, err := syncerFor(a, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.drop, f.erase = []string{gone}, []string{erased}
	res, err := syncerFor(a, srv.URL, f.token).Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Dropped != 1 || res.Erased != 1 || !res.Changed() {
		t.Fatalf("result %+v", res)
	}
	if _, err := a.Client(gone); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("dropped dossier still there: %v", err)
	}
	if a.Erased(gone) {
		t.Fatal("a dropped dossier must not be erased: it may come back")
	}
	if !a.Erased(erased) {
		t.Fatal("erased dossier has no tombstone")
	}
	if _, err := a.Client(kept); err != nil {
		t.Fatal(err)
	}
}

// TestNoReceiptsToAServerWithoutThem: a server from before receipts (no
// /v1/device, here the fake) refuses unknown request fields, so the
// device sends it no receipts; it keeps them for a server that takes them.
func TestNoReceiptsToAServerWithoutThem(t *testing.T) {
	f, srv := newFake(t)
	a := openStore(t, "tester")
	gone := mkClient(t, a, "Lars")
	if _, err := syncerFor(a, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	var sent int
	f.onRequest = func(_ int, req protocol.SyncRequest) { sent += len(req.ConfirmErased) + len(req.ConfirmDropped) }
	f.drop = []string{gone}
	for range 2 {
		if _, err := syncerFor(a, srv.URL, f.token).Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if sent != 0 {
		t.Fatalf("%d receipts went to a server that does not know them", sent)
	}
	if c, _ := PendingConfirmations(a); len(c.Dropped) != 1 || c.Dropped[0] != gone {
		t.Fatalf("the receipt is not kept for later: %+v", c)
	}
}

func TestEnrollKeepsTokenOutOfTheDatabase(t *testing.T) {
	f, srv := newFake(t)
	a := openStore(t, "tester")
	toks := &FileStore{Dir: t.TempDir()}
	if _, err := Enroll(context.Background(), nil, a, toks, srv.URL+"/", "WRONG", "laptop"); err == nil {
		t.Fatal("a wrong code enrolled")
	} else if !strings.Contains(err.Error(), "expired") {
		t.Fatalf("error does not carry the server's message: %v", err)
	}
	resp, err := Enroll(context.Background(), nil, a, toks, srv.URL+"/", " CODE-1 ", "laptop")
	if err != nil {
		t.Fatal(err)
	}
	if resp.DeviceID != "dev-laptop" {
		t.Fatalf("enrol response %+v", resp)
	}
	tok, err := toks.Get(srv.URL)
	if err != nil || tok != f.token {
		t.Fatalf("token %q, %v", tok, err)
	}
	fi, err := os.Stat(toks.path(srv.URL))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v, %v", fi.Mode(), err)
	}
	for name, want := range map[string]string{MetaURL: srv.URL, MetaDevice: "dev-laptop", MetaUser: "tester"} {
		if got, _ := a.Meta(name); string(got) != want {
			t.Fatalf("meta %s = %q, want %q", name, got, want)
		}
	}
	// The syncer finds the server and token by itself now.
	mkClient(t, a, "Olga")
	s := &Syncer{Store: a, Tokens: toks}
	if res, err := s.Sync(context.Background()); err != nil || res.Pushed == 0 {
		t.Fatalf("sync after enrol: %+v, %v", res, err)
	}
	a.Close()
	raw, err := os.ReadFile(a.Path())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), f.token) {
		t.Fatal("the device token is in the database file")
	}
	reopened, err := store.Open(a.Path(), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	*a = *reopened // let the cleanup check and close the reopened store
}

func TestNormalizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://brug.example.nl/": "https://brug.example.nl",
		" http://127.0.0.1:8080 ":  "http://127.0.0.1:8080",
		"https://h/base/?q=1#x":    "https://h/base",
		"ftp://h":                  "",
		"brug.example.nl":          "",
		"":                         "",
	} {
		got, err := NormalizeURL(in)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestFreshDeviceKeepsWholePagesWhenCutOff: a fresh device spools its
// first pull; when the line breaks half-way, the pages that arrived whole
// are imported and their cursor stored, so the next sync goes on from
// there instead of from 0.
func TestFreshDeviceKeepsWholePagesWhenCutOff(t *testing.T) {
	f, srv := newFake(t)
	a, b := openStore(t, "tester"), openStore(t, "tester")
	for _, n := range []string{"Olga", "Paul", "Quinty"} {
		mkClient(t, a, n)
	}
	if _, err := syncerFor(a, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	total := len(f.stored())
	s := syncerFor(b, srv.URL, f.token)
	s.PullLimit = 4
	f.cutAfter = f.requests + 3 // the third page's answer is lost
	if _, err := s.Sync(context.Background()); err == nil {
		t.Fatal("sync through a cut line reported no error")
	}
	st, err := b.Stats()
	if err != nil {
		t.Fatal(err)
	}
	cur, err := cursor(b)
	if err != nil {
		t.Fatal(err)
	}
	if st.Ops != 8 || cur != 8 {
		t.Fatalf("after the cut the device holds %d ops at cursor %d, want the two whole pages (8, 8)", st.Ops, cur)
	}
	res, err := s.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Pulled != total-8 {
		t.Errorf("second sync pulled %d, want the remaining %d", res.Pulled, total-8)
	}
	sameOps(t, a, b)
	if err := b.Check(); err != nil {
		t.Error(err)
	}
}

// TestImportGCPutsBackTheSettings: overlapping initial pulls leave the
// collector as it was before the first, whatever order they end in.
func TestImportGCPutsBackTheSettings(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(123))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 40))
	end1 := importGC()
	end2 := importGC()
	end1()
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("one pull still running: GC percent %d, want -1", p)
	}
	if l := debug.SetMemoryLimit(-1); l != importHeap {
		t.Errorf("one pull still running: memory limit %d, want %d", l, importHeap)
	}
	end2()
	if p := debug.SetGCPercent(123); p != 123 {
		t.Errorf("after the pulls: GC percent %d, want 123", p)
	}
	if l := debug.SetMemoryLimit(-1); l != 1<<40 {
		t.Errorf("after the pulls: memory limit %d, want %d", l, int64(1<<40))
	}
}

// TestPullAheadWaitsForADropToBeApplied: the pages of a first pull are
// fetched one ahead, but not past a page that tells the device to drop a
// dossier.
// Accident: the next request confirmed the drop, the server forgot it, and
// a laptop killed before applying it kept a dossier outside its view.
func TestPullAheadWaitsForADropToBeApplied(t *testing.T) {
	f, srv := newFake(t)
	a, b := openStore(t, "tester"), openStore(t, "tester")
	for i := range 10 {
		mkClient(t, a, fmt.Sprint("Client ", i))
	}
	if _, err := syncerFor(a, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	own := mkClient(t, b, "Eigen") // made offline; the first sync pushes it
	holds := func() bool {
		sums, err := b.Summaries()
		if err != nil {
			t.Error(err)
		}
		return slices.ContainsFunc(sums, func(s store.Summary) bool { return s.ID == own })
	}
	const dropAt = 4 // a request of the pull ahead, with pages after it
	release := make(chan struct{})
	var once sync.Once
	var dropCursor uint64
	confirmedEarly := false
	f.onRequest = func(n int, req protocol.SyncRequest) {
		switch {
		case n == dropAt:
			f.drop = []string{own}
			dropCursor = uint64(min(len(f.log), int(req.Cursor)+4))
			// Hold the device's file, so that applying the drop waits:
			// a request sent meanwhile is one sent before it.
			held := make(chan struct{})
			go b.Update(func(*store.Tx) error {
				close(held)
				<-release
				return nil
			})
			<-held
			// A device that waits for its writes never sends the next
			// request while the file is held: let it go after a while.
			time.AfterFunc(300*time.Millisecond, func() { once.Do(func() { close(release) }) })
		case n > dropAt && req.Cursor >= dropCursor && dropCursor > 0:
			if holds() {
				confirmedEarly = true
			}
			once.Do(func() { close(release) })
		}
	}
	s := syncerFor(b, srv.URL, f.token)
	s.PullLimit = 4
	if _, err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.requests <= dropAt+1 {
		t.Fatalf("the pull took %d requests; the test needs pages after the drop", f.requests)
	}
	if confirmedEarly {
		t.Error("a request confirmed the page with the drop before the device applied it")
	}
}

// TestSyncRevokedAndDisabled: the 401's code tells a revoked device and a
// disabled user from an unknown token; both are still ErrUnauthorized.
func TestSyncRevokedAndDisabled(t *testing.T) {
	for code, want := range map[string]error{
		protocol.ErrorRevoked:      ErrRevoked,
		protocol.ErrorDisabled:     ErrDisabled,
		protocol.ErrorUnknownToken: ErrUnauthorized,
	} {
		f, srv := newFake(t)
		f.authCode = code
		a := openStore(t, "tester")
		_, err := syncerFor(a, srv.URL, "wrong").Sync(context.Background())
		if !errors.Is(err, want) || !errors.Is(err, ErrUnauthorized) {
			t.Errorf("code %s: %v, want %v", code, err, want)
		}
		if want == ErrUnauthorized && (errors.Is(err, ErrRevoked) || errors.Is(err, ErrDisabled)) {
			t.Errorf("code %s taken for a revocation or a disabled user: %v", code, err)
		}
	}
}
