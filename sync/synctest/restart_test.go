package synctest

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
)

// crashMode says where the crashing server breaks a request.
type crashMode int

const (
	crashNone   crashMode = iota
	crashBefore           // the request arrived; nothing done
	crashDuring           // the crash races the sync's transaction
	crashAfter            // committed; the answer never leaves
	crashMidway           // committed; half the answer was sent
)

// crashingServer serves a server.Server on a fixed port of 127.0.0.1 and
// crashes it in the middle of sync requests, as drawn from a seeded
// source: the listener and every connection closed at once and the store
// closed under the handlers. restart opens the same file again on the same
// port, so the laptops' URL stays valid.
type crashingServer struct {
	t        *testing.T
	path     string
	addr     string
	handlers sync.WaitGroup // requests in flight, of every generation

	mu      sync.Mutex
	rng     *rand.Rand
	p       float64 // probability that a sync request crashes the server
	gen     int
	srv     *server.Server
	hs      *http.Server
	crashed bool
	down    chan struct{} // closed once a crash has released the file
	crashes map[crashMode]int
}

func newCrashingServer(t *testing.T, seed uint64, p float64) *crashingServer {
	c := &crashingServer{t: t, path: filepath.Join(t.TempDir(), "server.db"), addr: "127.0.0.1:0",
		rng: rand.New(rand.NewPCG(seed, 9)), p: p, crashes: map[crashMode]int{}}
	c.start()
	t.Cleanup(func() {
		c.mu.Lock()
		hs, srv, crashed := c.hs, c.srv, c.crashed
		c.mu.Unlock()
		if !crashed {
			hs.Close()
		}
		c.handlers.Wait()
		if !crashed {
			srv.Close()
		}
	})
	return c
}

// start opens the server file and serves it on c.addr.
func (c *crashingServer) start() {
	c.t.Helper()
	srv := openServer(c.t, c.path)
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		srv.Close()
		c.t.Fatalf("listen again on %s: %v", c.addr, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addr = ln.Addr().String()
	c.gen++
	hs := &http.Server{Handler: c.wrap(srv.Handler(), c.gen), ErrorLog: log.New(io.Discard, "", 0), ReadHeaderTimeout: 10 * time.Second}
	c.srv, c.hs, c.crashed, c.down = srv, hs, false, make(chan struct{})
	go hs.Serve(ln)
}

// URL is the server's address.
func (c *crashingServer) URL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return "http://" + c.addr
}

// Server returns the current generation's server.
func (c *crashingServer) Server() *server.Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.srv
}

// SetCrashes sets the probability that a sync request crashes the server.
func (c *crashingServer) SetCrashes(p float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.p = p
}

// Crashes counts the crashes of each mode so far.
func (c *crashingServer) Crashes() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]int, crashMidway+1)
	for m, n := range c.crashes {
		out[m] = n
	}
	return out
}

// draw decides what the next sync request of generation gen does.
func (c *crashingServer) draw(gen int) crashMode {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || c.crashed || c.rng.Float64() >= c.p {
		return crashNone
	}
	m := crashMode(1 + c.rng.IntN(4))
	c.crashes[m]++
	return m
}

// crash kills generation gen: every connection and the listener closed at
// once, then the store closed (waiting for a transaction in flight, as the
// file lock outlives nothing in a real crash either).
func (c *crashingServer) crash(gen int) {
	c.mu.Lock()
	if gen != c.gen || c.crashed {
		c.mu.Unlock()
		return
	}
	c.crashed = true
	hs, srv, down := c.hs, c.srv, c.down
	c.mu.Unlock()
	hs.Close()
	srv.Close()
	close(down)
}

// restartIfDown restarts the server if it crashed; it waits for the crash
// to finish, never sleeps.
func (c *crashingServer) restartIfDown(error) {
	c.mu.Lock()
	crashed, down := c.crashed, c.down
	c.mu.Unlock()
	if !crashed {
		return
	}
	<-down
	c.start()
}

func (c *crashingServer) wrap(next http.Handler, gen int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.handlers.Add(1)
		defer c.handlers.Done()
		if r.URL.Path != protocol.PathSync {
			next.ServeHTTP(w, r)
			return
		}
		switch c.draw(gen) {
		case crashNone:
			next.ServeHTTP(w, r)
		case crashBefore:
			c.crash(gen)
			panic(http.ErrAbortHandler)
		case crashDuring:
			c.handlers.Add(1)
			go func() {
				defer c.handlers.Done()
				c.crash(gen)
			}()
			next.ServeHTTP(w, r)
		case crashAfter:
			next.ServeHTTP(httptest.NewRecorder(), r)
			c.crash(gen)
			panic(http.ErrAbortHandler)
		case crashMidway:
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			body := rec.Body.Bytes()
			_, _ = w.Write(body[:len(body)/2])
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			c.crash(gen)
			panic(http.ErrAbortHandler)
		}
	})
}

// TestServerRestartMidSync crashes the server again and again in the
// middle of syncs (before the transaction, racing it, after the commit
// with the answer lost, and with half an answer sent) and reopens the same
// file on the same port; the laptops retry. Afterwards each op is on each
// replica and on the server exactly once, the states converge, the server
// delivers each op once, and its store passes Check.
func TestServerRestartMidSync(t *testing.T) {
	runSeeds(t, seeds(4, 2), func(t *testing.T, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 13))
		cs := newCrashingServer(t, seed, 0)
		admin := cs.Server().Admin("tester", server.ChannelCLI)
		addTeams(t, admin)
		var reps []*replica
		for i := range 4 {
			reps = append(reps, newReplica(t, admin, cs.URL(), "", nil, fmt.Sprintf("coach%d", i), teamNoord,
				fakeNow(t0.Add(time.Duration(rng.IntN(5000))*time.Millisecond))))
			reps[i].sync.PullLimit = 5 + rng.IntN(10)
		}
		auditor := newRawDevice(t, admin, cs.URL(), "auditor", teamNoord)
		w := newWorkload(t, rng, false)
		w.create(reps[0])
		quietRetry(t, rng, reps, nil)

		cs.SetCrashes(0.2)
		fails := 0
		for range 60 {
			for range 1 + rng.IntN(4) {
				w.act(reps[rng.IntN(len(reps))])
			}
			_, n := syncRetry(t, reps[rng.IntN(len(reps))], 50, cs.restartIfDown)
			fails += n
		}
		for range 3 {
			for _, i := range rng.Perm(len(reps)) {
				_, n := syncRetry(t, reps[i], 50, cs.restartIfDown)
				fails += n
			}
		}
		cs.SetCrashes(0)
		quietRetry(t, rng, reps, cs.restartIfDown)

		srv := cs.Server()
		if err := srv.Store().Check(); err != nil {
			t.Fatalf("server store after %d crashes: %v", cs.gen-1, err)
		}
		assertConverged(t, srv.Store(), reps, w.made)
		auditor.assertDeliveredOnce(t, srv.Store())
		crashes := cs.Crashes()
		t.Logf("crashes before/during/after/midway: %v; %d failed syncs retried", crashes[1:], fails)
		if cs.gen < 4 {
			t.Fatalf("only %d crashes; the test proves little", cs.gen-1)
		}
	})
}

// rawDevice is an enrolled device that speaks the protocol by hand, to see
// exactly what the server sends.
type rawDevice struct {
	url, token string
}

// newRawDevice adds a coach of team and enrols a device for them over
// /v1/enroll.
func newRawDevice(t *testing.T, admin *server.Admin, url, name, team string) *rawDevice {
	t.Helper()
	if _, err := admin.AddUser(name, protocol.RoleCoach, []string{team}); err != nil {
		t.Fatal(err)
	}
	code, _, err := admin.Invite(name)
	if err != nil {
		t.Fatal(err)
	}
	var resp protocol.EnrollResponse
	if err := postJSON(url+protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, DeviceName: name}, &resp); err != nil {
		t.Fatal(err)
	}
	return &rawDevice{url: url, token: resp.Token}
}

func postJSON(url, token string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(b)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d: %s", url, res.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}

// assertDeliveredOnce pulls everything in small pages as a device that
// has a cursor (so whole histories, not snapshots) and checks that the
// server sends each of its ops exactly once: no op was numbered twice.
func (d *rawDevice) assertDeliveredOnce(t *testing.T, srv *store.Store) {
	t.Helper()
	seen := map[string]bool{}
	cursor := uint64(1) // not 0: a fresh device would get snapshots
	for page := 0; ; page++ {
		if page > 10000 {
			t.Fatal("paging does not end")
		}
		var resp protocol.SyncResponse
		if err := postJSON(d.url+protocol.PathSync, d.token, protocol.SyncRequest{Cursor: cursor, Limit: 7}, &resp); err != nil {
			t.Fatal(err)
		}
		for _, op := range resp.Ops {
			if seen[op.ID] {
				t.Fatalf("the server sent op %s twice", op.ID)
			}
			seen[op.ID] = true
		}
		cursor = resp.Cursor
		if !resp.More {
			break
		}
	}
	st, err := srv.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != st.Ops {
		t.Fatalf("the server sent %d ops, it holds %d", len(seen), st.Ops)
	}
}
