package server

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/storage"
)

// wipeBySlowPath is the answer of the check of a wipe order as a read
// transaction of its own gives it: the device when authenticating token
// answers protocol.ErrorWipe, else none.
func wipeBySlowPath(t *testing.T, e *env, token string) string {
	t.Helper()
	var id string
	e.must(e.srv.db.View(func(tx Tx) error {
		d, _, err := authenticate(tx, token)
		if authCode(err) == protocol.ErrorWipe {
			id = d.ID
		}
		return nil
	}))
	return id
}

// TestWipeChecksAsAuthenticating: the checks of wipe orders read together
// (wipeChecks, storage.WipeReader) answer, for every token, what a read
// transaction of its own running authenticate answers, in two processes
// on one database whose admins revoke devices, order wipes, disable and
// enable users, enrol new devices and point a token at
// another device (a token whose device's hash is not its own is unknown,
// not wiped), in a random order, the checks of all tokens made at once
// by concurrent requests after every step.
func TestWipeChecksAsAuthenticating(t *testing.T) {
	a, b := twoProcesses(t)
	r, devs := wipeReaderWithCoaches(t, a, 6)
	tokens := []string{"brug_unknown"}
	for _, d := range devs {
		tokens = append(tokens, d.token)
	}
	rng := rand.New(rand.NewPCG(24, 14))
	wiped := 0
	for step := range 60 {
		e := []*env{a, b}[rng.IntN(2)]
		d := devs[rng.IntN(len(devs))]
		var what string
		switch rng.IntN(7) {
		case 0, 1:
			what = "wipe " + d.id
			e.must(e.admin.WipeDevice(d.id))
		case 2:
			what = "revoke " + d.id
			e.must(e.admin.RevokeDevice(d.id))
		case 3:
			what = "disable " + d.user
			e.must(e.admin.DisableUser(d.user))
		case 4:
			what = "enable " + d.user
			e.must(e.admin.EnableUser(d.user))
		case 5:
			what = "enable and enrol " + d.user
			e.must(e.admin.EnableUser(d.user))
			n := e.enrol(d.user)
			devs = append(devs, n)
			tokens = append(tokens, n.token)
		case 6:
			// A token pointed at another device (whose record holds
			// another token's hash).
			other := devs[rng.IntN(len(devs))]
			what = "token of " + d.id + " pointed at " + other.id
			e.must(e.srv.db.Update(func(tx Tx) error { return tx.PutToken(hash(d.token), other.id) }))
		}
		// Every token checked at once, by concurrent requests of
		// process a.
		got := make([]Device, len(tokens))
		errs := make([]error, len(tokens))
		var wg sync.WaitGroup
		for i, tok := range tokens {
			wg.Go(func() { got[i], errs[i] = a.srv.wipes.check(r, hash(tok)) })
		}
		wg.Wait()
		for i, tok := range tokens {
			if errs[i] != nil {
				t.Fatalf("step %d (%s): check: %v", step, what, errs[i])
			}
			want := wipeBySlowPath(t, a, tok)
			if got[i].ID != want {
				t.Fatalf("step %d (%s): token %d: the checks read together say wiped %q, authenticating says %q", step, what, i, got[i].ID, want)
			}
			if want != "" {
				wiped++
			}
		}
	}
	t.Logf("%d tokens checked, %d of them wiped", 60*len(tokens), wiped)
	if wiped == 0 {
		t.Fatal("no check met a wipe order")
	}
}

// countingWipes is a storage.WipeReader that counts its statements and
// the hashes each read; the first waits until wait requests are queued.
type countingWipes struct {
	r     storage.WipeReader
	c     *wipeChecks
	wait  int
	mu    sync.Mutex
	sizes []int
}

func (w *countingWipes) WipeMarked(hashes [][]byte) (map[string]Device, error) {
	w.mu.Lock()
	first := len(w.sizes) == 0
	w.sizes = append(w.sizes, len(hashes))
	w.mu.Unlock()
	for first {
		w.c.mu.Lock()
		n := len(w.c.pending)
		w.c.mu.Unlock()
		if n >= w.wait {
			break
		}
		runtime.Gosched()
	}
	return w.r.WipeMarked(hashes)
}

// TestWipeChecksReadTogether: the checks of 50 requests arriving while the
// first one's is being read cost two statements, not 50 (one read
// transaction each before), and each gets its own answer.
func TestWipeChecksReadTogether(t *testing.T) {
	e := newEnv(t)
	r, devs := wipeReaderWithCoaches(t, e, 50)
	for _, d := range devs[:5] {
		e.must(e.admin.WipeDevice(d.id))
	}
	w := &countingWipes{r: r, c: &e.srv.wipes, wait: len(devs) - 1}
	got := make([]Device, len(devs))
	first := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		got[0], _ = e.srv.wipes.check(w, hash(devs[0].token))
	})
	go func() {
		for {
			w.mu.Lock()
			n := len(w.sizes)
			w.mu.Unlock()
			if n > 0 {
				close(first)
				return
			}
			runtime.Gosched()
		}
	}()
	<-first
	for i, d := range devs[1:] {
		wg.Go(func() { got[i+1], _ = e.srv.wipes.check(w, hash(d.token)) })
	}
	wg.Wait()
	if len(w.sizes) != 2 || w.sizes[0] != 1 || w.sizes[1] != len(devs)-1 {
		t.Fatalf("the checks of %d requests were read in statements of %v hashes, want [1 %d]", len(devs), w.sizes, len(devs)-1)
	}
	for i, d := range devs {
		if wiped := got[i].ID == d.id; wiped != (i < 5) {
			t.Errorf("device %d: wiped %v, want %v", i, wiped, i < 5)
		}
	}
}

// wipeReaderWithCoaches gives e's storage as a WipeReader (skipping the
// test on a backend that reads each check alone) and n coaches of a team
// Noord, each with an enrolled device.
func wipeReaderWithCoaches(t *testing.T, e *env, n int) (storage.WipeReader, []*device) {
	t.Helper()
	r, ok := e.srv.db.(storage.WipeReader)
	if !ok {
		t.Skipf("the checks of wipe orders are read together on PostgreSQL; the backend is %s (run with BRUG_TEST_STORE=postgres)", testBackend)
	}
	e.teams("Noord")
	var devs []*device
	for i := range n {
		devs = append(devs, e.user(fmt.Sprintf("coach%d", i), protocol.RoleCoach, "Noord"))
	}
	return r, devs
}
