package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
)

// The speed and memory goals of issue 3, measured over real HTTP on
// 127.0.0.1 against a server holding the 10,000-client demo region (about
// 740,000 ops; built once into the OS temp dir, see serverRegion). The
// server and the devices fsync as in production. Run them with
//
//	go test ./sync/server -run '^$' -bench 'InitialPull10k|OneFieldSync|ConcurrentDevices200' -benchtime 3x
//
// They skip with -short and never run without -bench.

// BenchmarkInitialPull10k: a fresh device pulls the whole region (as the
// coordinator of every team). The device runs in a child process (this
// test binary, re-executed to run TestInitialPullDevice) so that each
// side's memory is its own: the figures are the peak RSS (VmHWM, which
// counts the pages of the memory-mapped database read so far), the peak of
// the anonymous RSS (heap, stacks, bbolt's dirty pages; sampled every 5 ms)
// and the peak Go heap in use (sampled), for each side. With
// BRUG_BENCH_DEVICE_PROFILE=FILE the device writes a CPU profile there.
func BenchmarkInitialPull10k(b *testing.B) {
	if testing.Short() {
		b.Skip("pulls a 10,000-client region; not with -short")
	}
	tm := &timings{}
	srv, hs, cl := openServerRegion(b, 10000, Options{}, tm)
	admin := srv.Admin("bench", ChannelCLI)
	var last memReport
	var srvHWM, srvAnon, srvHeap, in, out int64
	var rounds int
	for b.Loop() {
		code, _, err := admin.Invite(benchCoordinator)
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		cfg, _ := json.Marshal(deviceConfig{URL: hs.URL, Code: code, Dir: dir})
		cmd := exec.Command(os.Args[0], "-test.run=^TestInitialPullDevice$", "-test.v")
		cmd.Env = append(os.Environ(), "BRUG_BENCH_DEVICE="+string(cfg))
		var stdout bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
		debug.FreeOSMemory() // what setting up left behind is not the pull's
		resetPeakRSS()
		tm.reset()
		in0, out0 := cl.counts()
		w := watchMem()
		err = cmd.Run()
		srvAnon, srvHeap = w.end()
		srvHWM = procMem()["VmHWM"]
		in1, out1 := cl.counts()
		in, out, rounds = in1-in0, out1-out0, tm.count()
		if err != nil {
			b.Fatalf("device: %v\n%s", err, stdout.String())
		}
		last = parseReport(b, stdout.String())
		if last.Err != "" {
			b.Fatalf("device: %s", last.Err)
		}
		if tm.bad.Load() != 0 {
			b.Fatalf("%d answers were not 200", tm.bad.Load())
		}
	}
	mb := func(kb int64) float64 { return float64(kb) / 1024 }
	b.ReportMetric(last.Millis, "ms/pull")
	b.ReportMetric(float64(last.Pulled), "ops")
	b.ReportMetric(float64(rounds), "requests")
	b.ReportMetric(float64(out)/(1<<20), "MB-down")
	b.ReportMetric(float64(in)/(1<<20), "MB-up")
	b.ReportMetric(mb(last.PeakRSSKB), "dev-hwm-MB")
	b.ReportMetric(mb(last.PeakAnonKB), "dev-anon-MB")
	b.ReportMetric(mb(last.PeakHeapKB), "dev-heap-MB")
	b.ReportMetric(float64(last.FileBytes)/(1<<20), "dev-file-MB")
	b.ReportMetric(mb(srvHWM), "srv-hwm-MB")
	b.ReportMetric(mb(srvAnon), "srv-anon-MB")
	b.ReportMetric(mb(srvHeap), "srv-heap-MB")
}

type deviceConfig struct{ URL, Code, Dir string }

func parseReport(tb testing.TB, out string) memReport {
	var r memReport
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "BRUG-BENCH "); ok {
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				tb.Fatal(err)
			}
			return r
		}
	}
	tb.Fatalf("the device reported nothing:\n%s", out)
	return r
}

// TestInitialPullDevice is the device side of BenchmarkInitialPull10k,
// run in a child process; it skips when run any other way.
func TestInitialPullDevice(t *testing.T) {
	raw := os.Getenv("BRUG_BENCH_DEVICE")
	if raw == "" {
		t.Skip("the device side of BenchmarkInitialPull10k, run by it")
	}
	var cfg deviceConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	report := func(r memReport, err error) {
		if err != nil {
			r.Err = err.Error()
		}
		writeReport(r)
	}
	path := filepath.Join(cfg.Dir, "device.db")
	st, err := store.Open(path, store.Options{Author: benchCoordinator})
	if err != nil {
		report(memReport{}, err)
		return
	}
	defer st.Close()
	ctx := context.Background()
	tokens := &client.MemoryStore{}
	if _, err := client.Enroll(ctx, nil, st, tokens, cfg.URL, cfg.Code, "bench"); err != nil {
		report(memReport{}, err)
		return
	}
	if prof := os.Getenv("BRUG_BENCH_DEVICE_PROFILE"); prof != "" { // a CPU profile of the device side
		f, err := os.Create(prof)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer f.Close()
			defer pprof.StopCPUProfile()
		}
	}
	runtime.GC()
	resetPeakRSS()
	w := watchMem()
	start := time.Now()
	res, err := (&client.Syncer{Store: st, Tokens: tokens}).Sync(ctx)
	elapsed := time.Since(start)
	anon, heap := w.end()
	pm := procMem()
	fi, _ := os.Stat(path)
	var size int64
	if fi != nil {
		size = fi.Size()
	}
	report(memReport{
		Millis: float64(elapsed.Microseconds()) / 1000, Pulled: res.Pulled,
		PeakRSSKB: pm["VmHWM"], PeakAnonKB: anon, PeakHeapKB: heap, RSSFileKB: pm["RssFile"], FileBytes: size,
	}, err)
}

// benchTeamDevice is a device of the one-field benchmark: a real store and
// syncer, on a team of its own next to the region.
type benchTeamDevice struct {
	st *store.Store
	sy *client.Syncer
}

func newBenchTeamDevice(tb testing.TB, admin *Admin, url, user string) *benchTeamDevice {
	tb.Helper()
	if _, err := admin.AddUser(user, protocol.RoleCoach, []string{"Bench"}); err != nil {
		tb.Fatal(err)
	}
	code, _, err := admin.Invite(user)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.Open(filepath.Join(tb.TempDir(), user+".db"), store.Options{Author: user})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	tokens := &client.MemoryStore{}
	if _, err := client.Enroll(context.Background(), nil, st, tokens, url, code, user); err != nil {
		tb.Fatal(err)
	}
	return &benchTeamDevice{st: st, sy: &client.Syncer{Store: st, Tokens: tokens}}
}

// BenchmarkOneFieldSync: a coach changes one field and syncs (the push
// round trip), then a colleague's device syncs and receives it (the pull
// round trip); each is a full client.Syncer.Sync on a real store with
// fsync on both sides, against the 10,000-client region's server. Bytes are
// counted on the server's connections, HTTP headers included.
func BenchmarkOneFieldSync(b *testing.B) {
	if testing.Short() {
		b.Skip("uses the 10,000-client region; not with -short")
	}
	tm := &timings{}
	srv, hs, cl := openServerRegion(b, 10000, Options{}, tm)
	admin := srv.Admin("bench", ChannelCLI)
	if _, err := admin.AddTeam("Bench"); err != nil {
		b.Fatal(err)
	}
	anna := newBenchTeamDevice(b, admin, hs.URL, "anna")
	bram := newBenchTeamDevice(b, admin, hs.URL, "bram")
	id, err := anna.st.CreateClient(store.NewClient{Name: "Mila de Groot", Team: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, d := range []*benchTeamDevice{anna, bram} {
		if _, err := d.sy.Sync(ctx); err != nil {
			b.Fatal(err)
		}
	}
	var pushT, pullT time.Duration
	var pushIn, pushOut, pullIn, pullOut int64
	n := 0
	for b.Loop() {
		if _, err := anna.st.Commit(id, store.Set("step/1/note", fmt.Sprintf("Gesprek %d gehad, volgende week verder.", n))); err != nil {
			b.Fatal(err)
		}
		in0, out0 := cl.counts()
		t0 := time.Now()
		res, err := anna.sy.Sync(ctx)
		pushT += time.Since(t0)
		in1, out1 := cl.counts()
		if err != nil || res.Pushed != 1 {
			b.Fatalf("push: %+v, %v", res, err)
		}
		t1 := time.Now()
		res, err = bram.sy.Sync(ctx)
		pullT += time.Since(t1)
		in2, out2 := cl.counts()
		if err != nil || res.Pulled != 1 {
			b.Fatalf("pull: %+v, %v", res, err)
		}
		pushIn, pushOut = pushIn+in1-in0, pushOut+out1-out0
		pullIn, pullOut = pullIn+in2-in1, pullOut+out2-out1
		n++
	}
	f := float64(n)
	b.ReportMetric(float64(pushT.Microseconds())/1000/f, "push-ms")
	b.ReportMetric(float64(pullT.Microseconds())/1000/f, "pull-ms")
	b.ReportMetric(float64(pushIn+pushOut)/f, "push-B")
	b.ReportMetric(float64(pullIn+pullOut)/f, "pull-B")
	b.ReportMetric(float64(pushIn)/f, "push-up-B")
	b.ReportMetric(float64(pullOut)/f, "pull-down-B")
}

// BenchmarkConcurrentDevices200: 200 enrolled, caught-up devices (coaches,
// 40 in each team of the region) each push 10 ops at the same moment and
// take what the others pushed before them; one iteration is one such
// burst. Reported, over all bursts: the server's p50 and p99 time per
// request (handler in to last byte out), the devices' p99 round trip, and
// the errors (any answer but 200, any op not accepted), which must be 0.
func BenchmarkConcurrentDevices200(b *testing.B) {
	if testing.Short() {
		b.Skip("uses the 10,000-client region; not with -short")
	}
	const devices, perPush = 200, 10
	tm := &timings{}
	srv, hs, _ := openServerRegion(b, 10000, Options{}, tm)
	admin := srv.Admin("bench", ChannelCLI)
	teams, err := admin.Teams()
	if err != nil {
		b.Fatal(err)
	}
	type dev struct {
		user, token, id string
		dossiers        []string
		cursor          uint64
		hlc             store.HLC
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: devices, MaxIdleConns: devices}}
	devs := make([]*dev, devices)
	for i := range devs {
		team := teams[i%len(teams)].Name
		user := fmt.Sprintf("coach%03d", i)
		if _, err := admin.AddUser(user, protocol.RoleCoach, []string{team}); err != nil {
			b.Fatal(err)
		}
		code, _, err := admin.Invite(user)
		if err != nil {
			b.Fatal(err)
		}
		var er protocol.EnrollResponse
		if err := benchPost(hc, hs.URL+protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, DeviceName: user}, &er); err != nil {
			b.Fatal(err)
		}
		devs[i] = &dev{user: user, token: er.Token, id: er.DeviceID, hlc: store.MakeHLC(time.Now(), 0)}
	}
	// Every device holds its team's dossiers already: its view says so,
	// and its cursor is past them.
	err = srv.st.Update(func(tx *store.Tx) error {
		seq, err := bucket(tx, bSeq).NextSequence()
		if err != nil {
			return err
		}
		for _, d := range devs {
			u, err := getUser(tx, d.user)
			if err != nil {
				return err
			}
			for dk := range srv.visible(tx, u) {
				if err := bucket(tx, bView).Put([]byte(d.id+"\x00"+dk), append([]byte{viewIn}, be64(seq)...)); err != nil {
					return err
				}
				if len(d.dossiers) < 50 {
					d.dossiers = append(d.dossiers, idString([]byte(dk)))
				}
			}
			d.cursor = seq
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var clientTimes timings
	var errs int
	round := 0
	tm.reset() // the figures are over every burst, not only the last
	for b.Loop() {
		start := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, d := range devs {
			push := make([]store.Op, perPush)
			for j := range push {
				d.hlc++
				push[j] = store.Op{ID: store.NewID(), Dossier: d.dossiers[(round*perPush+j)%len(d.dossiers)], Field: "step/1/note",
					Value: fmt.Sprintf("Notitie %d van %s", round, d.user), HLC: d.hlc, Device: d.id, Author: d.user}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				t0 := time.Now()
				var resp protocol.SyncResponse
				err := benchPost(hc, hs.URL+protocol.PathSync, d.token, protocol.SyncRequest{Push: push, Cursor: d.cursor}, &resp)
				dt := time.Since(t0)
				mu.Lock()
				defer mu.Unlock()
				clientTimes.d = append(clientTimes.d, dt)
				if err != nil || len(resp.Accepted) != perPush || resp.More {
					errs++
					if errs == 1 {
						b.Logf("device %s: %d accepted, %d refused, more %v, %v", d.user, len(resp.Accepted), len(resp.Refused), resp.More, err)
					}
					return
				}
				d.cursor = resp.Cursor
			}()
		}
		close(start)
		wg.Wait()
		round++
	}
	errs += int(tm.bad.Load())
	b.ReportMetric(tm.quantile(0.5), "srv-p50-ms")
	b.ReportMetric(tm.quantile(0.99), "srv-p99-ms")
	b.ReportMetric(clientTimes.quantile(0.99), "dev-p99-ms")
	b.ReportMetric(float64(errs), "errors")
	if errs != 0 {
		b.Errorf("%d errors", errs)
	}
}

// benchPost sends v as gzipped JSON, as the client does, and decodes a 200
// answer into out.
func benchPost(hc *http.Client, url, token string, v, out any) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return err
	}
	zw.Close()
	req, err := http.NewRequest(http.MethodPost, url, &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Accept-Encoding", "gzip")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			return err
		}
		r = zr
	}
	body, err := io.ReadAll(bufio.NewReader(r))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", res.StatusCode, body)
	}
	return json.Unmarshal(body, out)
}
