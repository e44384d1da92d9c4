package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
)

// breakReads breaks the connection of the first two read-log uploads: the
// first while its body is on the way (the server gets half of it), the
// second after the server answered (the device never sees the answer).
type breakReads struct {
	n atomic.Int32
}

type halfBody struct {
	r    io.Reader
	left int
}

func (h *halfBody) Read(p []byte) (int, error) {
	if h.left <= 0 {
		return 0, errors.New("connection broken mid-upload")
	}
	if len(p) > h.left {
		p = p[:h.left]
	}
	n, err := h.r.Read(p)
	h.left -= n
	return n, err
}
func (h *halfBody) Close() error { return nil }

func (b *breakReads) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, protocol.PathReads) {
		return http.DefaultTransport.RoundTrip(req)
	}
	switch b.n.Add(1) {
	case 1:
		req = req.Clone(req.Context())
		req.Body = &halfBody{r: req.Body, left: int(req.ContentLength / 2)}
		return http.DefaultTransport.RoundTrip(req)
	case 2:
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			err = errors.New("connection broken before the answer arrived")
		}
		return nil, err
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestReadLogSentUpOnce: reads logged on a laptop reach the server's
// audit log with the next sync, over real HTTP on 127.0.0.1; an upload
// broken mid-way and one whose answer was lost are sent again, and the
// server keeps each entry once; once answered, the laptop's log is empty.
func TestReadLogSentUpOnce(t *testing.T) {
	r := newRegion(t)
	anna := r.laptop("anna", "Noord")
	id, err := anna.st.CreateClient(store.NewClient{Name: "Jan", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	anna.sync(t)
	for _, a := range []string{store.ReadOpen, store.ReadExport, store.ReadPrint} {
		if err := anna.st.LogRead(store.ReadEntry{Dossier: id, Action: a, Channel: store.ChannelApp}); err != nil {
			t.Fatal(err)
		}
	}
	anna.syncer.HTTP = &http.Client{Transport: &breakReads{}}
	for i := range 2 {
		if _, err := anna.syncer.Sync(context.Background()); err == nil {
			t.Fatalf("sync %d: no error from a broken upload", i+1)
		}
		if p, _ := anna.st.PendingReads(10); len(p) != 3 {
			t.Fatalf("after broken upload %d the laptop holds %d entries, want 3", i+1, len(p))
		}
		// The half body was kept nowhere; the lost answer's entries were.
		if n := serverReads(t, r, id); n != 3*i {
			t.Fatalf("after broken upload %d the server keeps %d reads, want %d", i+1, n, 3*i)
		}
	}
	res := anna.sync(t)
	if res.ReadsSent != 3 || res.ReadsRefused != 0 {
		t.Errorf("result %+v", res)
	}
	if p, _ := anna.st.PendingReads(10); len(p) != 0 {
		t.Errorf("the laptop still holds %d entries", len(p))
	}
	audit, err := r.admin.Audit(server.AuditFilter{Dossier: id})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range audit {
		if e.Read != "" {
			seen[e.Action]++
			if e.User != "anna" || e.Channel != server.ChannelApp || e.Role != protocol.RoleCoach {
				t.Errorf("kept as %+v", e)
			}
		}
	}
	if len(seen) != 3 || seen[store.ReadOpen] != 1 || seen[store.ReadExport] != 1 || seen[store.ReadPrint] != 1 {
		t.Errorf("the server keeps %v, want each read once", seen)
	}
	// Nothing left: the next sync sends nothing.
	if res := anna.sync(t); res.ReadsSent != 0 {
		t.Errorf("sent again: %+v", res)
	}
}

func serverReads(t *testing.T, r *region, dossier string) int {
	t.Helper()
	audit, err := r.admin.Audit(server.AuditFilter{Dossier: dossier})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range audit {
		if e.Read != "" {
			n++
		}
	}
	return n
}
