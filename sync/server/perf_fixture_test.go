package server

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
	"github.com/brug-nl/brug/sync/protocol"
)

// Helpers of the performance benchmarks (perf_bench_test.go): a server
// holding the 10,000-client demo region, a listener that counts the bytes
// on the wire, and memory figures from /proc.

// serverFixtureVersion changes whenever the server fixture's layout does.
const serverFixtureVersion = 2

// benchCoordinator sees every team of the region.
const benchCoordinator = "coord"

// serverRegion returns the path of a server file holding the demo region
// of clients (store.demo, seed 1), every op numbered as if pushed in HLC
// order, the team index built and a coordinator of every team; generated
// once into the OS temp dir (from demo.CachedRegion). Copy it before use.
func serverRegion(tb testing.TB, clients int) string {
	tb.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("brug-server-region-v%d-s%d-c%d-1.db", serverFixtureVersion, store.SchemaVersion, clients))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	src, err := demo.CachedRegion(os.TempDir(), clients, 1)
	if err != nil {
		tb.Fatal(err)
	}
	tmp := path + ".tmp"
	if err := demo.CopyRegion(src, tmp); err != nil {
		tb.Fatal(err)
	}
	// The demo region is made as a file of no kind, which a store that
	// holds ops takes for a laptop's: give it a server's bucket first.
	if err := markServerFile(tmp); err != nil {
		tb.Fatal(err)
	}
	srv, err := Open(tmp, Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	sums, err := srv.st.Summaries()
	if err != nil {
		tb.Fatal(err)
	}
	type numbered struct {
		hlc store.HLC
		op  store.Op
	}
	var all []numbered
	teams := map[string]bool{}
	for _, sm := range sums {
		teams[sm.Team] = true
		ops, err := srv.st.Ops(sm.ID)
		if err != nil {
			tb.Fatal(err)
		}
		for _, op := range ops {
			all = append(all, numbered{op.HLC, store.Op{ID: op.ID, Dossier: op.Dossier}})
		}
	}
	slices.SortFunc(all, func(a, b numbered) int {
		return cmp.Or(cmp.Compare(a.hlc, b.hlc), strings.Compare(a.op.ID, b.op.ID))
	})
	for len(all) > 0 {
		n := min(len(all), 50000)
		err := srv.db.Update(func(tx Tx) error {
			for _, x := range all[:n] {
				if _, err := assignSeq(tx, x.op); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
		all = all[n:]
	}
	err = srv.db.Update(func(tx Tx) error {
		for _, sm := range sums {
			if err := srv.reindexTeam(tx, sm.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	a := srv.Admin("bench", ChannelCLI)
	names := slices.Sorted(func(yield func(string) bool) {
		for t := range teams {
			if !yield(t) {
				return
			}
		}
	})
	for _, t := range names {
		if _, err := a.AddTeam(t); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := a.AddUser(benchCoordinator, protocol.RoleCoordinator, names); err != nil {
		tb.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
	return path
}

// benchEncrypted reports whether the benchmarks serve the region from a
// bbolt file encrypted at rest (BRUG_BENCH_STORE=bolt-encrypted), as brug
// serve keeps its file by default (docs/operations.md, "The keys"): the
// log's ops sealed with their dossiers' keys, as PostgreSQL's always are.
// The default, a plain file, is the stricter yardstick for PostgreSQL.
func benchEncrypted() bool { return os.Getenv("BRUG_BENCH_STORE") == "bolt-encrypted" }

// benchEncryption is how brug serve opens an encrypted file at path: its
// key store and master key beside it.
func benchEncryption(path string) *store.Encryption {
	return &store.Encryption{Keyring: store.KeyFile{Name: path + ".master-key"}, KeyStore: path + ".keys", SealedBuckets: SealedBuckets}
}

// serverRegionEncrypted is serverRegion encrypted at rest, with its key
// store (PATH.keys) and master key (PATH.master-key) beside it: opening a
// plain file with keys encrypts it, as brug serve does with its first
// master key. Generated once into the OS temp dir; copy all three before
// use.
func serverRegionEncrypted(tb testing.TB, clients int) string {
	tb.Helper()
	path := strings.TrimSuffix(serverRegion(tb, clients), ".db") + "-enc.db"
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".tmp"
	for _, ext := range []string{"", ".keys", ".master-key"} {
		if err := os.Remove(tmp + ext); err != nil && !os.IsNotExist(err) {
			tb.Fatal(err)
		}
	}
	if err := demo.CopyRegion(serverRegion(tb, clients), tmp); err != nil {
		tb.Fatal(err)
	}
	srv, err := Open(tmp, Options{NoSync: true, Encryption: benchEncryption(tmp)})
	if err != nil {
		tb.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		tb.Fatal(err)
	}
	// The data file last: its name is what says the fixture is complete.
	for _, ext := range []string{".keys", ".master-key", ""} {
		if err := os.Rename(tmp+ext, path+ext); err != nil {
			tb.Fatal(err)
		}
	}
	return path
}

// openServerRegion opens a copy of the server region and serves it over
// HTTP on 127.0.0.1 through a counting listener.
func openServerRegion(tb testing.TB, clients int, opt Options, tm *timings) (*Server, *httptest.Server, *countingListener) {
	srv, hs, cl, _ := openServerRegionAt(tb, clients, opt, tm)
	return srv, hs, cl
}

// openServerRegionAt is openServerRegion, and gives the region's path (a
// file, or a database with BRUG_BENCH_STORE=postgres: perf_pg_test.go).
func openServerRegionAt(tb testing.TB, clients int, opt Options, tm *timings) (*Server, *httptest.Server, *countingListener, string) {
	tb.Helper()
	var path string
	if benchPostgres() {
		path = pgRegion(tb, clients)
	} else if benchEncrypted() {
		src := serverRegionEncrypted(tb, clients)
		dir := tb.TempDir()
		path = filepath.Join(dir, "server.db")
		for _, ext := range []string{"", ".keys", ".master-key"} {
			if err := demo.CopyRegion(src+ext, path+ext); err != nil {
				tb.Fatal(err)
			}
		}
		opt.Encryption = benchEncryption(path)
	} else {
		src := serverRegion(tb, clients)
		path = filepath.Join(tb.TempDir(), "server.db")
		if err := demo.CopyRegion(src, path); err != nil {
			tb.Fatal(err)
		}
	}
	srv, err := Open(path, opt)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(tm.wrap(srv.Handler()))
	cl := &countingListener{Listener: hs.Listener}
	hs.Listener = cl
	hs.Start()
	tb.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return srv, hs, cl, path
}

// countingListener counts the bytes read and written on its connections:
// what crossed the wire, HTTP headers included.
type countingListener struct {
	net.Listener
	in, out atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

func (l *countingListener) counts() (in, out int64) { return l.in.Load(), l.out.Load() }

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.in.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.l.out.Add(int64(n))
	return n, err
}

// procMem reads kB figures of /proc/self/status (VmHWM, VmRSS, RssAnon,
// RssFile); zero where the file or the line is missing (not Linux).
func procMem() map[string]int64 {
	out := map[string]int64{}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fs := strings.Fields(rest)
		if len(fs) == 2 && fs[1] == "kB" {
			if v, err := strconv.ParseInt(fs[0], 10, 64); err == nil {
				out[name] = v
			}
		}
	}
	return out
}

// resetPeakRSS starts VmHWM over from the current RSS (Linux 4.0+).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// memWatch samples the process's anonymous RSS (the heap, stacks, bbolt's
// dirty pages; not the mapped database file) and Go heap every few
// milliseconds and keeps the peaks.
type memWatch struct {
	stop             chan struct{}
	done             sync.WaitGroup
	peakAnon, peakHp int64
}

func watchMem() *memWatch {
	m := &memWatch{stop: make(chan struct{})}
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			m.sample(&ms)
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memWatch) sample(ms *runtime.MemStats) {
	if a := procMem()["RssAnon"]; a > m.peakAnon {
		m.peakAnon = a
	}
	runtime.ReadMemStats(ms)
	if h := int64(ms.HeapInuse); h/1024 > m.peakHp {
		m.peakHp = h / 1024
	}
}

// end stops sampling and returns the peaks in kB.
func (m *memWatch) end() (anonKB, heapKB int64) {
	close(m.stop)
	m.done.Wait()
	return m.peakAnon, m.peakHp
}

// memReport is what the device child process of BenchmarkInitialPull10k
// reports on its last stdout line.
type memReport struct {
	Millis     float64 `json:"ms"`
	Pulled     int     `json:"pulled"`
	PeakRSSKB  int64   `json:"vm_hwm_kb"`     // VmHWM: peak resident, mapped file pages included
	PeakAnonKB int64   `json:"rss_anon_kb"`   // sampled peak of RssAnon
	PeakHeapKB int64   `json:"heap_kb"`       // sampled peak of the Go heap in use
	RSSFileKB  int64   `json:"rss_file_kb"`   // RssFile at the end: the mapped database
	FileBytes  int64   `json:"file_bytes"`    // the device's database file
	Dossiers   int     `json:"dossiers"`      // dossiers on the device after the pull
	Err        string  `json:"err,omitempty"` // what failed
}

func writeReport(r memReport) {
	b, _ := json.Marshal(r)
	fmt.Println("BRUG-BENCH " + string(b))
}

// timings records how long the server took for each request, from the
// request's arrival in the handler to its last byte written.
type timings struct {
	mu  sync.Mutex
	d   []time.Duration
	bad atomic.Int64 // answers other than 200
}

func (t *timings) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		d := time.Since(start)
		if sw.status != http.StatusOK {
			t.bad.Add(1)
		}
		t.mu.Lock()
		t.d = append(t.d, d)
		t.mu.Unlock()
	})
}

// drain returns the recorded durations and forgets them.
func (t *timings) drain() []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.d
	t.d = nil
	return d
}

func (t *timings) reset() {
	t.mu.Lock()
	t.d = t.d[:0]
	t.mu.Unlock()
	t.bad.Store(0)
}

// quantile returns the q-quantile of the recorded durations in ms.
func (t *timings) quantile(q float64) float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.d) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(t.d))
	i := min(len(s)-1, int(q*float64(len(s))))
	return float64(s[i].Microseconds()) / 1000
}

func (t *timings) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.d)
}

// markServerFile gives the unmarked file at path a bucket only a sync
// server's file has, so that it opens as a server's (store.Open of any
// kind would mark it a laptop's, as it holds ops).
func markServerFile(path string) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte("x_seq"))
		return err
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}
