package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/storage"
	"github.com/klauspost/compress/zstd"
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
// BRUG_BENCH_DEVICE_PROFILE=FILE the device writes a CPU profile there,
// with BRUG_BENCH_DEVICE_MEMPROFILE=FILE an allocation profile, and
// BRUG_BENCH_PULL_LIMIT sets its page size. BRUG_BENCH_PAGES=json makes
// the device ask for JSON pages (as before compact pages), =gzip for
// compact pages compressed with gzip rather than zstd.
// BRUG_BENCH_SHARED=N shares the first N dossiers of every team with the
// next team before the pull (issue 11's shares in play); with
// BRUG_BENCH_PULL_AS=team the coach's device pulls its team's dossiers
// and the N shared with it.
func BenchmarkInitialPull10k(b *testing.B) { initialPull10k(b, false) }

// BenchmarkInitialPull10kEncrypted is BenchmarkInitialPull10k with the
// device's file encrypted at rest, as every laptop's is (the key in a key
// file, as brug demo keeps it): what encryption costs the pull, and the
// device file's size per dossier (issue 10's goal: at most 10 KB).
func BenchmarkInitialPull10kEncrypted(b *testing.B) { initialPull10k(b, true) }

func initialPull10k(b *testing.B, encrypt bool) {
	if testing.Short() {
		b.Skip("pulls a 10,000-client region; not with -short")
	}
	tm := &timings{}
	srv, hs, cl, path := openServerRegionAt(b, benchClients(b), Options{}, tm)
	admin := srv.Admin("bench", ChannelCLI)
	puller := benchCoordinator
	if os.Getenv("BRUG_BENCH_PULL_AS") == "team" {
		// A coach of one team: what a team's device pulls (perf_pg_test.go).
		teams, err := admin.Teams()
		if err != nil || len(teams) == 0 {
			b.Fatalf("teams: %v", err)
		}
		puller = "teamcoach"
		if _, err := admin.AddUser(puller, protocol.RoleCoach, []string{teams[0].Name}); err != nil {
			b.Fatal(err)
		}
	}
	if n := benchPullShared(b); n > 0 {
		// Issue 11's shares in play: the first n dossiers of every team
		// shared read and write with the next team, as in visit-shared.
		teams, err := admin.Teams()
		if err != nil {
			b.Fatal(err)
		}
		if srv.Store() == nil {
			b.Skip("BRUG_BENCH_SHARED writes its shares over an SSH session, which a PostgreSQL region has not yet")
		}
		benchShare(b, srv, teams, n)
	}
	var last memReport
	var srvHWM, srvAnon, srvHeap, in, out int64
	var devCPU, srvCPU time.Duration
	var rounds int
	var srvTime, dbTime time.Duration
	for b.Loop() {
		code, _, err := admin.Invite(puller)
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		cfg, _ := json.Marshal(deviceConfig{URL: hs.URL, Code: code, Dir: dir, Encrypt: encrypt})
		cmd := exec.Command(os.Args[0], "-test.run=^TestInitialPullDevice$", "-test.v")
		cmd.Env = append(os.Environ(), "BRUG_BENCH_DEVICE="+string(cfg))
		var stdout bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
		debug.FreeOSMemory() // what setting up left behind is not the pull's
		resetPeakRSS()
		tm.reset()
		in0, out0 := cl.counts()
		w := watchMem()
		stop := pullProfile(b)
		cpu0, db0 := selfCPU(), dbCPU(path)
		err = cmd.Run()
		srvCPU, dbTime = selfCPU()-cpu0, dbCPU(path)-db0
		stop()
		if cmd.ProcessState != nil {
			devCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
		srvAnon, srvHeap = w.end()
		srvHWM = procMem()["VmHWM"]
		in1, out1 := cl.counts()
		in, out, rounds = in1-in0, out1-out0, tm.count()
		srvTime = 0
		for _, d := range tm.drain() {
			srvTime += d
		}
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
	// wire-MB is what issue 10's goal counts: every byte of the pull on
	// the server's connections, both ways, HTTP headers included, in
	// decimal megabytes (10^6 bytes).
	b.ReportMetric(float64(in+out)/1e6, "wire-MB")
	b.ReportMetric(mb(last.PeakRSSKB), "dev-hwm-MB")
	b.ReportMetric(mb(last.PeakAnonKB), "dev-anon-MB")
	b.ReportMetric(mb(last.PeakHeapKB), "dev-heap-MB")
	b.ReportMetric(float64(last.FileBytes)/(1<<20), "dev-file-MB")
	if last.Dossiers > 0 {
		b.ReportMetric(float64(last.FileBytes)/float64(last.Dossiers), "dev-B/dossier")
	}
	// CPU time says more than the wall time on a shared, loaded machine:
	// the device's (its whole process, enrolment included) and the
	// server's (this process, while the device ran).
	b.ReportMetric(float64(devCPU.Milliseconds()), "dev-cpu-ms")
	b.ReportMetric(float64(srvCPU.Milliseconds()), "srv-cpu-ms")
	// srv-ms: the pull's requests' time in the server's handler, summed
	// (each from its start to its answer written): what of the pull the
	// device waited on the server, pages taken while it applies others.
	b.ReportMetric(float64(srvTime.Milliseconds()), "srv-ms")
	if dbTime > 0 {
		// PostgreSQL's processes' CPU while the device ran (dbCPU).
		b.ReportMetric(float64(dbTime.Milliseconds()), "pg-cpu-ms")
	}
	b.ReportMetric(mb(srvHWM), "srv-hwm-MB")
	b.ReportMetric(mb(srvAnon), "srv-anon-MB")
	b.ReportMetric(mb(srvHeap), "srv-heap-MB")
}

// pullProfile starts, with BRUG_BENCH_PULL_PROFILE=FILE, a CPU profile of
// the server's process while one pull runs, to FILE.1, FILE.2, ... (the
// test binary's -cpuprofile holds the region's set-up too, which on
// PostgreSQL is most of it); go tool pprof takes them all at once
// (FILE.*). It returns what stops it.
func pullProfile(b *testing.B) (stop func()) {
	name := os.Getenv("BRUG_BENCH_PULL_PROFILE")
	if name == "" {
		return func() {}
	}
	pullProfiles++
	f, err := os.Create(fmt.Sprintf("%s.%d", name, pullProfiles))
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

var pullProfiles int

// benchPullShared is BRUG_BENCH_SHARED: how many dossiers of every team
// the initial pull's region shares with the next team (0: none).
func benchPullShared(tb testing.TB) int {
	return benchEnvInt(tb, "BRUG_BENCH_SHARED", 0, 0, "give a number of dossiers per team")
}

// benchEnvInt reads the environment's name as a number of at least min,
// def when it is unset; anything else fails tb with what to give.
func benchEnvInt(tb testing.TB, name string, def, min int, want string) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min {
		tb.Fatalf("%s=%q: %s", name, s, want)
	}
	return n
}

type deviceConfig struct {
	URL, Code, Dir string
	Encrypt        bool // the device's file encrypted at rest
}

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
	opt := store.Options{Author: benchCoordinator}
	if cfg.Encrypt {
		opt.Encryption = &store.Encryption{Keyring: store.KeyFile{Name: path + ".key"}}
	}
	st, err := store.Open(path, opt)
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
	res, err := benchSyncer(st, tokens).Sync(ctx)
	elapsed := time.Since(start)
	anon, heap := w.end()
	if prof := os.Getenv("BRUG_BENCH_DEVICE_MEMPROFILE"); prof != "" { // what the device allocated
		if f, err := os.Create(prof); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	pm := procMem()
	var dossiers int
	if stats, err := st.Stats(); err == nil {
		dossiers = stats.Clients
	}
	fi, _ := os.Stat(path)
	var size int64
	if fi != nil {
		size = fi.Size()
	}
	report(memReport{
		Millis: float64(elapsed.Microseconds()) / 1000, Pulled: res.Pulled,
		PeakRSSKB: pm["VmHWM"], PeakAnonKB: anon, PeakHeapKB: heap, RSSFileKB: pm["RssFile"], FileBytes: size, Dossiers: dossiers,
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
	return newBenchTeamDeviceIn(tb, admin, url, user, "Bench")
}

// newBenchTeamDeviceIn is newBenchTeamDevice for a coach of team.
func newBenchTeamDeviceIn(tb testing.TB, admin *Admin, url, user, team string) *benchTeamDevice {
	tb.Helper()
	if _, err := admin.AddUser(user, protocol.RoleCoach, []string{team}); err != nil {
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
func BenchmarkOneFieldSync(b *testing.B) { oneFieldSync(b, false) }

// BenchmarkOneFieldSyncShared is BenchmarkOneFieldSync with the colleague
// in another team of another organisation, who sees the dossier through
// a read-write share (issue 11): the pull goes through the shared set of
// its team and the index of recent ops under the owning team.
func BenchmarkOneFieldSyncShared(b *testing.B) { oneFieldSync(b, true) }

func oneFieldSync(b *testing.B, shared bool) {
	if testing.Short() {
		b.Skip("uses the 10,000-client region; not with -short")
	}
	tm := &timings{}
	srv, hs, cl := openServerRegion(b, benchClients(b), Options{}, tm)
	admin := srv.Admin("bench", ChannelCLI)
	if _, err := admin.AddTeam("Bench"); err != nil {
		b.Fatal(err)
	}
	bramTeam := "Bench"
	if shared {
		bramTeam = "Bench Gemeente"
		if _, err := admin.AddTeam(bramTeam); err != nil {
			b.Fatal(err)
		}
		if err := srv.db.Update(func(tx Tx) error {
			t, _, err := tx.Team(bramTeam)
			if err != nil {
				return err
			}
			t.Org = "Gemeente"
			return tx.PutTeam(t)
		}); err != nil {
			b.Fatal(err)
		}
	}
	anna := newBenchTeamDevice(b, admin, hs.URL, "anna")
	bram := newBenchTeamDeviceIn(b, admin, hs.URL, "bram", bramTeam)
	id, err := anna.st.CreateClient(store.NewClient{Name: "Mila de Groot", Team: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	if shared {
		day := time.Now().UTC().Format(time.DateOnly)
		if _, err := anna.st.ShareDossier(id, store.ShareInput{Team: bramTeam, Org: "Gemeente", Purpose: "werk",
			Mode: store.ShareReadWrite, From: day, Until: time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly),
			ConsentDate: day, ConsentHow: "written"}, day); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	for _, d := range []*benchTeamDevice{anna, bram} {
		if _, err := d.sy.Sync(ctx); err != nil {
			b.Fatal(err)
		}
	}
	var pushT, pullT, pushSrv, pullSrv time.Duration
	var pushIn, pushOut, pullIn, pullOut int64
	n := 0
	srvTime := func() (d time.Duration) {
		for _, x := range tm.drain() {
			d += x
		}
		return d
	}
	tm.reset()
	for b.Loop() {
		if _, err := anna.st.Commit(id, store.Set("step/1/note", fmt.Sprintf("Gesprek %d gehad, volgende week verder.", n))); err != nil {
			b.Fatal(err)
		}
		in0, out0 := cl.counts()
		tm.drain()
		t0 := time.Now()
		res, err := anna.sy.Sync(ctx)
		pushT += time.Since(t0)
		pushSrv += srvTime()
		in1, out1 := cl.counts()
		if err != nil || res.Pushed != 1 {
			b.Fatalf("push: %+v, %v", res, err)
		}
		t1 := time.Now()
		res, err = bram.sy.Sync(ctx)
		pullT += time.Since(t1)
		pullSrv += srvTime()
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
	// The server's share: its handlers' time, request in to last byte
	// out, summed over the sync's requests (the rest is the laptop's
	// store, with its fsync, and the HTTP client).
	b.ReportMetric(float64(pushSrv.Microseconds())/1000/f, "push-srv-ms")
	b.ReportMetric(float64(pullSrv.Microseconds())/1000/f, "pull-srv-ms")
	b.ReportMetric(float64(pushIn+pushOut)/f, "push-B")
	b.ReportMetric(float64(pullIn+pullOut)/f, "pull-B")
	b.ReportMetric(float64(pushIn)/f, "push-up-B")
	b.ReportMetric(float64(pullOut)/f, "pull-down-B")
}

// BenchmarkConcurrentDevices200: 200 enrolled, caught-up devices (coaches,
// 40 in each team of the region) each push 10 ops at the same moment and
// take what the others pushed before them; one iteration is one such
// burst, after which every device catches up again (untimed), as the
// background sync of the app does within a minute. Two shapes of push:
//
//   - visit: the 10 ops are the answers of one visit, all in one dossier
//     (the common case: a coach syncs after seeing a client);
//   - spread: each of the 10 ops is in another dossier of the team (the
//     worst case for the server's file: ten times the pages to write);
//   - visit-again: as visit, but every burst in the same dossier of each
//     device (a visit whose answers go in several background syncs: the
//     server has seen the dossier's heads in the burst before).
//
// The devices send the hash of the region's method they hold, as the
// app's do once synced, so answers carry no method file (with
// BRUG_BENCH_METHOD_HASH=0 they send none and every answer carries it).
//
// Reported, over all bursts: the server's p50 and p99 time per request
// (handler in to last byte out), the devices' p99 round trip, the ops each
// device received on average, and the errors (any answer but 200, any op
// not accepted), which must be 0.
func BenchmarkConcurrentDevices200(b *testing.B) {
	if testing.Short() {
		b.Skip("uses the 10,000-client region; not with -short")
	}
	for _, shape := range []struct {
		name       string
		perDossier int
		shared     int
	}{{"visit", 10, 0}, {"spread", 1, 0}, {"visit-shared", 10, 200}, {"visit-again", 10, 0}} {
		perDossier := shape.perDossier
		if shape.name == "visit-again" {
			perDossier = 0
		}
		b.Run(shape.name, func(b *testing.B) { benchConcurrentDevices(b, 200, 10, perDossier, shape.shared) })
	}
}

// benchShare shares the first n dossiers of every team with the next
// team (read and write, consent recorded), written over an SSH session
// of the region's coordinator, so that they are numbered and indexed as
// in production (issue 11's shares in play: "visit-shared").
func benchShare(b *testing.B, srv *Server, teams []TeamInfo, n int) {
	ss, err := srv.Session(benchCoordinator, ChannelSSH, "bench")
	if err != nil {
		b.Fatal(err)
	}
	day := time.Now().UTC().Format(time.DateOnly)
	until := time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
	for i, t := range teams {
		var ids []string
		err := srv.db.View(func(tx Tx) error {
			return tx.TeamDossiers(t.Name, func(dk string) error {
				if len(ids) < n {
					ids = append(ids, idString([]byte(dk)))
				}
				return nil
			})
		})
		if err != nil {
			b.Fatal(err)
		}
		to := teams[(i+1)%len(teams)].Name
		for _, id := range ids {
			c, err := srv.st.Client(id)
			if err != nil {
				b.Fatal(err)
			}
			ch, err := store.ShareChanges(c, store.NewID(), store.ShareInput{Team: to, Purpose: "bench", Mode: store.ShareReadWrite,
				From: day, Until: until, ConsentDate: day, ConsentHow: "written"}, day)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ss.Commit(id, ch...); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func benchConcurrentDevices(b *testing.B, devices, perPush, perDossier, shared int) {
	tm := &timings{}
	opt := Options{NoSync: os.Getenv("NOSYNC") != ""}
	srv, hs, _, path := openServerRegionAt(b, benchClients(b), opt, tm)
	admin := srv.Admin("bench", ChannelCLI)
	teams, err := admin.Teams()
	if err != nil {
		b.Fatal(err)
	}
	// urls are the server instances the devices are spread over: one, or
	// two on one PostgreSQL database (BRUG_BENCH_SERVERS=2).
	urls := []string{hs.URL}
	if os.Getenv("BRUG_BENCH_SERVERS") == "2" {
		if !benchPostgres() {
			b.Skip("BRUG_BENCH_SERVERS=2 needs BRUG_BENCH_STORE=postgres: two servers cannot share a bbolt file")
		}
		urls = append(urls, secondServer(b, path, opt, tm).URL)
	}
	if shared > 0 && srv.Store() == nil {
		b.Skip("visit-shared writes its shares over an SSH session, which a PostgreSQL region has not yet")
	}
	if shared > 0 {
		benchShare(b, srv, teams, shared)
	}
	type dev struct {
		user, token, id string
		url             string // the server instance it syncs with
		dossiers        []string
		cursor          uint64
		hlc             store.HLC
		heads           map[string][]string // dossier + field -> the heads the device knows
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: devices, MaxIdleConns: devices}}
	devs := make([]*dev, devices)
	urlOf := func(i int) string { return urls[i%len(urls)] }
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
		if err := benchPost(hc, urlOf(i)+protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, DeviceName: user}, &er); err != nil {
			b.Fatal(err)
		}
		devs[i] = &dev{user: user, token: er.Token, id: er.DeviceID, url: urlOf(i), hlc: store.MakeHLC(time.Now(), 0), heads: map[string][]string{}}
	}
	// Every device holds its team's dossiers already: its view says so,
	// and its cursor is past them. Each works in 50 dossiers of its own.
	err = srv.db.Update(func(tx Tx) error {
		seq, err := tx.NextSeq()
		if err != nil {
			return err
		}
		perTeam := map[string]int{}
		for _, d := range devs {
			u, err := getUser(tx, d.user)
			if err != nil {
				return err
			}
			vis := slices.Sorted(maps.Keys(srv.visible(tx, u, accessDay(srv.now()))))
			for _, dk := range vis {
				if err := tx.PutView(d.id, dk, storage.ViewEntry{State: viewIn, Seq: seq}); err != nil {
					return err
				}
			}
			first := perTeam[u.Teams[0]] * 50
			perTeam[u.Teams[0]]++
			for _, dk := range vis[first:min(first+50, len(vis))] {
				id := idString([]byte(dk))
				d.dossiers = append(d.dossiers, id)
				for step := 1; step <= 6; step++ {
					field := fmt.Sprintf("step/%d/note", step)
					hs, err := tx.Heads(id, field)
					if err != nil {
						return err
					}
					for _, h := range hs {
						d.heads[id+field] = append(d.heads[id+field], h.ID)
					}
				}
			}
			d.cursor = seq
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// methodHash is what the devices send as the method they hold: the
	// region's, as the app's devices send once they have synced
	// (sync/client, storedMethodHash), so an answer carries no method
	// file. BRUG_BENCH_METHOD_HASH=0 sends none, as every figure of this
	// burst before 2026-12-06 16:45 UTC did: then every answer carries the
	// region's method file (some 30 KB), as once for every device after an
	// admin loads a new method.
	methodHash := ""
	if os.Getenv("BRUG_BENCH_METHOD_HASH") != "0" && srv.methodInfo != nil {
		methodHash = srv.methodInfo.Hash
	}
	// post sends a sync of d and checks the answer; it reports whether
	// more is to come. Bursts use send and check apart (see benchSend).
	var errs, pulled, answers int
	var devTimes []time.Duration
	fail := func(d *dev, format string, args ...any) {
		errs++
		if errs == 1 {
			b.Logf("device %s: "+format, append([]any{d.user}, args...)...)
		}
	}
	check := func(d *dev, pushed int, a benchAnswer, err error, timed bool) bool {
		var resp protocol.SyncResponse
		if err == nil {
			err = benchDecode(a, &resp)
		}
		if err != nil || len(resp.Accepted) != pushed {
			fail(d, "%d accepted, %d refused, %v", len(resp.Accepted), len(resp.Refused), err)
			return false
		}
		d.cursor = resp.Cursor
		if timed {
			pulled += len(resp.Ops)
		}
		return resp.More
	}
	send := func(d *dev, push []store.Op) (benchAnswer, error) {
		body, err := benchBody(protocol.SyncRequest{Push: push, Cursor: d.cursor, MethodHash: methodHash})
		if err != nil {
			return benchAnswer{}, err
		}
		return benchSend(hc, d.url+protocol.PathSync, d.token, body)
	}
	var srvTimes []time.Duration
	var burstCPU time.Duration // the process's CPU in the timed bursts
	var burstDB time.Duration  // PostgreSQL's CPU in the timed bursts (its cluster's processes)
	bursts := 0
	var burstProfile string
	var burstLog bool
	round := 0
	// burst is one burst and the catch-up after it; timed records it.
	burst := func(timed bool) {
		// Each device has its request ready, as a device would.
		bodies := make([][]byte, len(devs))
		for i, d := range devs {
			push := make([]store.Op, perPush)
			for j := range push {
				d.hlc++
				k := 0 // perDossier 0: every burst in the device's first dossier
				if perDossier > 0 {
					k = (round*perPush + j) / perDossier
				}
				dossier, field := d.dossiers[k%len(d.dossiers)], fmt.Sprintf("step/%d/note", j%6+1)
				push[j] = store.Op{ID: store.NewID(), Dossier: dossier, Field: field, Prev: d.heads[dossier+field],
					Value: fmt.Sprintf("Notitie %d van %s", round, d.user), HLC: d.hlc, Device: d.id, Author: d.user}
				d.heads[dossier+field] = []string{push[j].ID}
			}
			if bodies[i], err = benchBody(protocol.SyncRequest{Push: push, Cursor: d.cursor, MethodHash: methodHash}); err != nil {
				b.Fatal(err)
			}
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		if timed && burstProfile != "" {
			f, err := os.Create(fmt.Sprintf("%s.%d", burstProfile, round))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				b.Fatal(err)
			}
		}
		answersIn := make([]benchAnswer, len(devs))
		errsIn := make([]error, len(devs))
		times := make([]time.Duration, len(devs))
		for i, d := range devs {
			wg.Go(func() {
				<-start
				t0 := time.Now()
				answersIn[i], errsIn[i] = benchSend(hc, d.url+protocol.PathSync, d.token, bodies[i])
				times[i] = time.Since(t0)
			})
		}
		var ms0 runtime.MemStats
		if burstLog {
			runtime.ReadMemStats(&ms0)
		}
		cpu0, db0 := selfCPU(), dbCPU(path)
		close(start)
		wg.Wait()
		if timed && burstLog {
			// BRUG_BENCH_BURST_LOG=1: one line per burst (run with
			// -test.v): its p50/p99, CPU, and the GC cycles in it.
			cpu := selfCPU() - cpu0
			var ms1 runtime.MemStats
			runtime.ReadMemStats(&ms1)
			tm.mu.Lock()
			one := &timings{d: slices.Clone(tm.d)}
			tm.mu.Unlock()
			b.Logf("burst %d: p50 %.1f p99 %.1f max %.1f ms, cpu %.1f ms, gc %d (pause %.2f ms), heap %.0f MB -> %.0f MB, next gc %.0f MB",
				round, one.quantile(0.5), one.quantile(0.99), one.quantile(1), float64(cpu.Microseconds())/1000,
				ms1.NumGC-ms0.NumGC, float64(ms1.PauseTotalNs-ms0.PauseTotalNs)/1e6,
				float64(ms0.HeapAlloc)/(1<<20), float64(ms1.HeapAlloc)/(1<<20), float64(ms1.NextGC)/(1<<20))
		}
		if timed {
			burstCPU += selfCPU() - cpu0
			burstDB += dbCPU(path) - db0
			bursts++
		}
		if timed && burstProfile != "" {
			pprof.StopCPUProfile()
		}
		if timed {
			srvTimes = append(srvTimes, tm.drain()...)
			devTimes = append(devTimes, times...)
		}
		// Untimed: the devices read their answers and catch up, as their
		// background sync would.
		for i, d := range devs {
			check(d, perPush, answersIn[i], errsIn[i], timed)
			if timed {
				answers++
			}
			for more := true; more; {
				a, err := send(d, nil)
				more = check(d, 0, a, err, false)
			}
		}
		tm.drain()
		round++
	}
	// BRUG_BENCH_BURST_PROFILE=FILE profiles the timed bursts alone (the
	// test binary's -cpuprofile holds the set-up and the catch-ups too),
	// one profile per burst, FILE.1, FILE.2, ...: go tool pprof takes
	// them all at once (FILE.*).
	burstProfile = os.Getenv("BRUG_BENCH_BURST_PROFILE")
	burstLog = os.Getenv("BRUG_BENCH_BURST_LOG") != ""
	// One burst untimed first: the server's file comes into the page
	// cache, as it is on a server that has been running.
	burst(false)
	tm.reset()
	for b.Loop() {
		burst(true)
	}
	tm.d = srvTimes
	b.ReportMetric(tm.quantile(0.5), "srv-p50-ms")
	b.ReportMetric(tm.quantile(0.99), "srv-p99-ms")
	b.ReportMetric((&timings{d: devTimes}).quantile(0.99), "dev-p99-ms")
	b.ReportMetric(float64(pulled)/float64(max(answers, 1)), "ops-pulled/dev")
	// The CPU of a burst, server and devices (user and system time of the
	// process): steadier than the times on a machine shared with others.
	b.ReportMetric(float64(burstCPU.Microseconds())/1000/float64(max(bursts, 1)), "burst-cpu-ms")
	// PostgreSQL's share (its cluster's processes, from /proc; 10 ms
	// ticks, so a sum over the bursts): the other half of a burst's CPU.
	if benchPostgres() {
		b.ReportMetric(float64(burstDB.Microseconds())/1000/float64(max(bursts, 1)), "db-cpu-ms")
	}
	errs += int(tm.bad.Load())
	b.ReportMetric(float64(errs), "errors")
	if errs != 0 {
		b.Errorf("%d errors", errs)
	}
}

// benchPost sends v as gzipped JSON, as the client does, and decodes a 200
// answer into out.
func benchPost(hc *http.Client, url, token string, v, out any) error {
	body, err := benchBody(v)
	if err != nil {
		return err
	}
	raw, err := benchSend(hc, url, token, body)
	if err != nil {
		return err
	}
	return benchDecode(raw, out)
}

// benchBody encodes v as a gzipped JSON request body. The gzip writers
// are pooled: a new one is about a megabyte of compressor state, and the
// devices' bodies of one burst and its catch-ups made the garbage the
// server's collector then worked through in the timed bursts (1.4 GB of
// the 3.2 GB a run of the burst allocated, set-up included).
func benchBody(v any) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := benchGzips.Get().(*gzip.Writer)
	if zw == nil {
		zw = gzip.NewWriter(&buf)
	} else {
		zw.Reset(&buf)
	}
	defer benchGzips.Put(zw)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var benchGzips sync.Pool

// benchAnswer is an answer as it came off the wire.
type benchAnswer struct {
	status   int
	encoding string // Content-Encoding
	compact  bool   // a compact page (protocol.MediaTypeOps)
	body     []byte
}

// benchSend posts a gzipped body and reads the whole answer, still
// compressed: devices decode on their own processors, which in these
// benchmarks are the server's, so the timed part leaves decoding out. It
// asks for the answer as the app's devices do (sync/client: compact
// pages, zstd or gzip), or as BRUG_BENCH_PAGES says (json: JSON in gzip,
// as devices did before compact pages; gzip: compact pages in gzip).
func benchSend(hc *http.Client, url, token string, body []byte) (benchAnswer, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return benchAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	switch os.Getenv("BRUG_BENCH_PAGES") {
	case "json":
		req.Header.Set("Accept-Encoding", "gzip")
	case "gzip":
		req.Header.Set("Accept", protocol.MediaTypeOps+", application/json;q=0.5")
		req.Header.Set("Accept-Encoding", "gzip")
	default:
		req.Header.Set("Accept", protocol.MediaTypeOps+", application/json;q=0.5")
		req.Header.Set("Accept-Encoding", "zstd, gzip")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := hc.Do(req)
	if err != nil {
		return benchAnswer{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return benchAnswer{status: res.StatusCode, encoding: res.Header.Get("Content-Encoding"),
		compact: res.Header.Get("Content-Type") == protocol.MediaTypeOps, body: raw}, err
}

// benchDecode decodes a 200 answer into out (a *protocol.SyncResponse
// for a compact page).
func benchDecode(a benchAnswer, out any) error {
	body := a.body
	switch a.encoding {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return err
		}
		if body, err = io.ReadAll(bufio.NewReader(zr)); err != nil {
			return err
		}
	case "zstd":
		var err error
		if body, err = benchZstd().DecodeAll(body, nil); err != nil {
			return err
		}
	}
	if a.status != http.StatusOK {
		return fmt.Errorf("status %d: %s", a.status, body)
	}
	if a.compact {
		resp, ok := out.(*protocol.SyncResponse)
		if !ok {
			return fmt.Errorf("a compact page for a %T", out)
		}
		var err error
		*resp, err = protocol.DecodePage(body)
		return err
	}
	return json.Unmarshal(body, out)
}

// benchZstd is the devices' zstd decoder, made once.
var benchZstd = sync.OnceValue(func() *zstd.Decoder {
	d, err := zstd.NewReader(nil)
	if err != nil {
		panic(err)
	}
	return d
})

func benchPullLimit() int {
	n, _ := strconv.Atoi(os.Getenv("BRUG_BENCH_PULL_LIMIT"))
	return n
}

// benchSyncer is the benchmark device's syncer, asking for the pages
// BRUG_BENCH_PAGES names (compact pages, zstd, by default).
func benchSyncer(st *store.Store, tokens client.TokenStore) *client.Syncer {
	sy := &client.Syncer{Store: st, Tokens: tokens, PullLimit: benchPullLimit()}
	switch os.Getenv("BRUG_BENCH_PAGES") {
	case "json":
		sy.JSONPages = true
	case "gzip":
		sy.HTTP = &http.Client{Transport: gzipOnly{http.DefaultTransport}}
	}
	return sy
}

// gzipOnly takes zstd out of the encodings a request accepts.
type gzipOnly struct{ next http.RoundTripper }

func (g gzipOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Accept-Encoding") != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Accept-Encoding", "gzip")
	}
	return g.next.RoundTrip(r)
}
