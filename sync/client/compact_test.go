package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/brug-nl/brug/sync/protocol"
)

// TestSyncFallsBackToJSONPages: a device asks for compact pages, and a
// server that does not offer them (the fake answers JSON whatever the
// Accept header says, as servers before compact pages do) is read as
// ever. A syncer with JSONPages does not ask.
func TestSyncFallsBackToJSONPages(t *testing.T) {
	f, srv := newFake(t)
	a, b := openStore(t, "tester"), openStore(t, "tester")
	mkClient(t, a, "Anna de Vries")
	mkClient(t, a, "Bram Jansen")
	if _, err := syncerFor(a, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := syncerFor(b, srv.URL, f.token).Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Pulled == 0 {
		t.Fatalf("nothing pulled from a JSON server: %+v", res)
	}
	sameOps(t, a, b)
	for i, acc := range f.accepts {
		if !strings.HasPrefix(acc, protocol.MediaTypeOps) {
			t.Fatalf("request %d asked for %q, not for compact pages first", i, acc)
		}
	}
	f.accepts = nil
	c := openStore(t, "tester")
	sy := syncerFor(c, srv.URL, f.token)
	sy.JSONPages = true
	if _, err := sy.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameOps(t, a, c)
	for i, acc := range f.accepts {
		if strings.Contains(acc, protocol.MediaTypeOps) {
			t.Fatalf("request %d of a JSONPages syncer asked for %q", i, acc)
		}
	}
}

// TestPullAheadDamagedOps: an initial pull asks for the next page once an
// answer's fields are read, before its ops are decoded (pullAhead). A
// page whose fields read but whose ops do not fails the sync as an
// answer that is not valid, at that page: the pages before it are
// imported with their cursor, nothing of it or after it, and the next
// sync pulls the rest.
func TestPullAheadDamagedOps(t *testing.T) {
	f, srv := newFake(t)
	a, b := openStore(t, "tester"), openStore(t, "tester")
	for i := range 6 {
		mkClient(t, a, fmt.Sprintf("Anna de Vries %d", i))
	}
	if _, err := syncerFor(a, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Under the fake's lock: a page a sync pulled ahead may still be served
	// after that sync returned (its request cancelled, the handler not yet
	// done).
	f.mu.Lock()
	f.compact, f.pageSize = true, 7
	f.badOps = f.requests + 3 // b's third request: a page pulled ahead
	f.mu.Unlock()
	_, err := syncerFor(b, srv.URL, f.token).Sync(context.Background())
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "not valid") {
		t.Fatalf("a page with damaged ops gave %v", err)
	}
	if cur, err := cursor(b); err != nil || cur != 14 {
		t.Fatalf("cursor after two good pages: %d, %v; want 14", cur, err)
	}
	n := 0
	sums, _ := b.Summaries()
	for _, s := range sums {
		ops, err := b.Ops(s.ID)
		if err != nil {
			t.Fatal(err)
		}
		n += len(ops)
	}
	if n != 14 {
		t.Fatalf("%d ops imported, want the 14 of the two good pages", n)
	}
	f.mu.Lock()
	f.badOps = 0
	f.mu.Unlock()
	if _, err := syncerFor(b, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameOps(t, a, b)
}
