package client

import (
	"context"
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
