package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// An answer written into memory while its group commits (answer.early)
// is byte for byte, headers included, the answer written after the
// commit, for every kind of answer a group holds: compact pages in zstd
// and gzip, JSON in gzip and plain, refusals, a share given and a dossier
// moved to another team by syncs earlier in the same group (their
// devices' and the other team's answers change with them), fresh devices
// taking whole histories, a token refused.
func TestEarlyAnswerAsWrittenAfterCommit(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	zeno := e.user("zeno", protocol.RoleCoach, "Zuid")
	var dossiers []string
	for i := range 8 {
		id, ops := anna.create("Noord", fmt.Sprintf("Client %d", i))
		for j := range 8 {
			ops = append(ops, anna.op(id, fmt.Sprintf("step/%d/note", j%6+1), fmt.Sprintf("notitie %d", j)))
		}
		anna.sync(ops...)
		dossiers = append(dossiers, id)
	}
	zeno.sync()
	accepts := []map[string]string{
		{"Accept": protocol.MediaTypeOps + ", application/json;q=0.5", "Accept-Encoding": "zstd, gzip"},
		{"Accept": protocol.MediaTypeOps + ", application/json;q=0.5", "Accept-Encoding": "gzip"},
		{"Accept-Encoding": "gzip"},
		{},
	}
	type call struct {
		token string
		req   protocol.SyncRequest
		r     *http.Request
	}
	var calls []call
	add := func(token string, req protocol.SyncRequest) {
		r := httptest.NewRequest(http.MethodPost, protocol.PathSync, nil)
		for k, v := range accepts[len(calls)%len(accepts)] {
			r.Header.Set(k, v)
		}
		calls = append(calls, call{token, req, r})
	}
	_, share := anna.share(dossiers[0], shareSpec{team: "Zuid", mode: "readwrite", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "written"})
	add(anna.token, protocol.SyncRequest{Push: share, Cursor: anna.cursor})
	add(anna.token, protocol.SyncRequest{Push: []store.Op{anna.op(dossiers[1], "team", "Zuid")}, Cursor: anna.cursor})
	add(anna.token, protocol.SyncRequest{Push: []store.Op{anna.op(dossiers[2], "step/9/note", "no such step")}, Cursor: anna.cursor})
	add("not-a-token", protocol.SyncRequest{})
	for i := range 12 {
		d := zeno
		if i%2 == 0 {
			d = anna
		}
		add(d.token, protocol.SyncRequest{Push: []store.Op{d.op(dossiers[3+i%5], "step/2/note", fmt.Sprint("bezoek ", i))}, Cursor: d.cursor})
		fresh := e.enrol([]string{"anna", "zeno"}[i%2])
		add(fresh.token, protocol.SyncRequest{})
		add(d.token, protocol.SyncRequest{Cursor: 0})
	}

	// A first transaction holds the group committer until every call
	// queued behind it, so that they run as one group.
	g := &e.srv.group
	// The group's transaction ends (its hooks' finish) only once every
	// answer of the group was prepared, or a deadline passed: the answers
	// are prepared while the group runs, whatever the scheduler does.
	preps := make(chan int, len(calls))
	transactions := 0
	g.tx = waitHooks{g.tx, func() {
		if transactions++; transactions != 2 { // the first is the one that holds the group
			return
		}
		timeout := time.After(10 * time.Second)
		for range len(calls) - 1 { // all but the refused token's
			select {
			case <-preps:
			case <-timeout:
				return
			}
		}
	}}
	release, started := make(chan struct{}), make(chan struct{})
	var once sync.Once
	releaseAll := func() { once.Do(func() { close(release) }) }
	defer releaseAll()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		_ = g.run(e.srv.db, func(Tx) error { close(started); <-release; return nil }, nil)
	})
	<-started
	answers := make([]*answer, len(calls))
	errs := make([]error, len(calls))
	for i, c := range calls {
		wg.Go(func() {
			info := &reqInfo{compact: acceptsOps(c.r)}
			answers[i], _, errs[i] = e.srv.doSync(c.token, c.req, info, func(a *answer, solo bool) *preparedAnswer {
				defer func() { preps <- i }()
				return e.srv.prepareAnswer(c.r, a, solo)
			})
		})
		waitPending(t, g, i+1)
	}
	releaseAll()
	wg.Wait()

	early, compact := 0, 0
	for i, c := range calls {
		a := answers[i]
		if c.token == "not-a-token" {
			if errs[i] == nil || a.early != nil {
				t.Errorf("call %d, unknown token: err %v, answer prepared %v", i, errs[i], a.early != nil)
			}
			continue
		}
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if a.early == nil {
			continue
		}
		early++
		got := httptest.NewRecorder()
		a.early.send(got)
		a.early = nil
		want := httptest.NewRecorder()
		e.srv.writeAnswer(want, c.r, a)
		if got.Header().Get("Content-Type") == protocol.MediaTypeOps {
			compact++
		}
		for k := range want.Header() {
			if !slices.Equal(got.Header()[k], want.Header()[k]) {
				t.Errorf("call %d: header %s %q, after the commit %q", i, k, got.Header()[k], want.Header()[k])
			}
		}
		if len(got.Header()) != len(want.Header()) {
			t.Errorf("call %d: headers %v, after the commit %v", i, got.Header(), want.Header())
		}
		if !slices.Equal(got.Body.Bytes(), want.Body.Bytes()) {
			t.Errorf("call %d: the answer prepared early (%d bytes) is not the one written after the commit (%d bytes)", i, got.Body.Len(), want.Body.Len())
		}
	}
	if early < len(calls)-1 || compact == 0 {
		t.Errorf("%d of %d answers prepared while their group ran, %d compact pages", early, len(calls)-1, compact)
	}
}

// waitHooks are a group's transaction hooks that wait before the end of
// each transaction.
type waitHooks struct {
	txHooks
	wait func()
}

func (h waitHooks) finish(tx Tx) error {
	h.wait()
	return h.txHooks.finish(tx)
}
