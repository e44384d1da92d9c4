package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
	"github.com/brug-nl/brug/sync/server/boltstore"
	"github.com/brug-nl/brug/sync/server/migrate"
	"github.com/brug-nl/brug/sync/server/pgtest"
)

// The performance benchmarks on PostgreSQL (issue 14, "Speed"):
//
//   - BRUG_BENCH_STORE=postgres serves the region from PostgreSQL instead
//     of the bbolt file. The region is the bbolt fixture (serverRegion)
//     copied once per test binary with brug admin migrate's code into a
//     database of pgtest's cluster (throwaway, or BRUG_TEST_POSTGRES's),
//     which each benchmark then clones (CREATE DATABASE ... TEMPLATE). The
//     dossiers' keys stay in the same database, unwrapped (no master key):
//     each op is still sealed with its dossier's key.
//   - BRUG_BENCH_SERVERS=2 (PostgreSQL only) runs the 200-device burst on
//     two server instances on the one database, the devices spread over
//     both (the "multi" work keeps their caches correct across processes).
//   - BRUG_BENCH_CLIENTS=N takes the region of N clients (default 10,000;
//     100000 for the 7-million-op region) and BRUG_BENCH_PULL_AS=team makes
//     the initial pull a coach's of one team rather than the coordinator's
//     of all.

// benchPostgres reports whether the benchmarks run on PostgreSQL.
func benchPostgres() bool { return os.Getenv("BRUG_BENCH_STORE") == "postgres" }

// benchClients is the region's size.
func benchClients(tb testing.TB) int {
	return benchEnvInt(tb, "BRUG_BENCH_CLIENTS", 10000, 1, "give a number of clients")
}

var pgFixtures sync.Map // clients -> *pgFixture

type pgFixture struct {
	once sync.Once
	dsn  string
	err  error
}

// pgRegion returns the connection string of a new database holding the
// region of clients, cloned from the copy made once per test binary.
func pgRegion(tb testing.TB, clients int) string {
	tb.Helper()
	v, _ := pgFixtures.LoadOrStore(clients, &pgFixture{})
	f := v.(*pgFixture)
	f.once.Do(func() {
		dsn, ok, msg, err := pgtest.Created()
		if err != nil || !ok {
			f.err = fmt.Errorf("PostgreSQL for the benchmark: %s %v", msg, err)
			return
		}
		// A copy of the fixture, brought to this version's layout (a
		// fixture made by an older one may lack a bucket).
		dir, err := os.MkdirTemp("", "brug-bench-pg-")
		if err != nil {
			f.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "region.db")
		if err := demo.CopyRegion(serverRegion(tb, clients), path); err != nil {
			f.err = err
			return
		}
		db, err := boltstore.Open(path, store.Options{Author: ServerAuthor, Kind: store.FileServer, NoSync: true})
		if err == nil {
			err = db.Close()
		}
		if err != nil {
			f.err = err
			return
		}
		src, err := OpenSource(path, nil)
		if err != nil {
			f.err = err
			return
		}
		defer src.Close()
		dst, err := OpenTarget(dsn, "", nil)
		if err != nil {
			f.err = err
			return
		}
		start := time.Now()
		rep, err := migrate.Migrate(src, dst, migrate.Options{Batch: 20000})
		dst.Close()
		if err != nil {
			f.err = fmt.Errorf("copy the region to PostgreSQL: %w", err)
			return
		}
		fmt.Fprintf(os.Stderr, "copied the %d-client region to PostgreSQL (%d ops) in %s\n", clients, rep.NewOps, time.Since(start).Round(time.Millisecond))
		// The planner's statistics, as autovacuum would have gathered
		// them on a region in use (the clones copy them): without them
		// it guesses thousands of rows per dossier and plans for that.
		if conn, err := pgx.Connect(context.Background(), dsn); err != nil {
			f.err = err
			return
		} else {
			_, err = conn.Exec(context.Background(), "ANALYZE")
			conn.Close(context.Background())
			if err != nil {
				f.err = fmt.Errorf("analyze the copy: %w", err)
				return
			}
		}
		f.dsn = dsn
	})
	if f.err != nil {
		tb.Skip(f.err)
	}
	return cloneDB(tb, f.dsn)
}

// cloneDB makes a copy of the database at dsn (nobody may be connected
// to it) and drops it when tb ends.
func cloneDB(tb testing.TB, dsn string) string {
	tb.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := cfg.Database
	name := fmt.Sprintf("%s_c%d", tmpl, time.Now().UnixNano()%1e9)
	cfg.Database = "postgres"
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %q TEMPLATE %q`, name, tmpl)); err != nil {
		tb.Fatalf("clone the region's database: %v", err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, name))
	})
	return replaceDB(dsn, tmpl, name)
}

// replaceDB puts name for the database tmpl in the connection string.
func replaceDB(dsn, tmpl, name string) string {
	for i := len(dsn) - len(tmpl); i >= 0; i-- {
		if dsn[i:i+len(tmpl)] == tmpl {
			return dsn[:i] + name + dsn[i+len(tmpl):]
		}
	}
	return dsn
}

// secondServer opens another server instance on the region at path (a
// PostgreSQL database), served over HTTP through tm like the first.
func secondServer(tb testing.TB, path string, opt Options, tm *timings) *httptest.Server {
	tb.Helper()
	srv, err := Open(path, opt)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(tm.wrap(srv.Handler()))
	tb.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return hs
}

// BenchmarkTagFieldsAtStart: the first start of a server on a PostgreSQL
// region written before migration 00007, which tags every row of the op
// log with its field (pgstore's tagFields, docs/postgres.md "Field
// tags") before it serves: how long the upgrade keeps the region's
// server from starting. The region's rows are untagged and the setting
// made as the migration makes it, then the server opened (open-ms); the
// same clone opened again, with nothing left to tag, gives the start
// without it (reopen-ms). PostgreSQL only (BRUG_BENCH_STORE=postgres).
func BenchmarkTagFieldsAtStart(b *testing.B) {
	if !benchPostgres() {
		b.Skip("the fields' tags are PostgreSQL's: run with BRUG_BENCH_STORE=postgres")
	}
	var first, again time.Duration
	rows := int64(0)
	for b.Loop() {
		b.StopTimer()
		dsn := pgRegion(b, benchClients(b))
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		tag, err := conn.Exec(ctx, "UPDATE oplog SET field = NULL")
		if err == nil {
			_, err = conn.Exec(ctx, `INSERT INTO settings (name, value) VALUES ('tag_fields', '\x'::bytea)`)
		}
		if err == nil {
			_, err = conn.Exec(ctx, "VACUUM ANALYZE oplog")
		}
		conn.Close(ctx)
		if err != nil {
			b.Fatal(err)
		}
		rows = tag.RowsAffected()
		b.StartTimer()
		t0 := time.Now()
		srv, err := Open(dsn, Options{})
		first += time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		srv.Close()
		var untagged int64
		if conn, err = pgx.Connect(ctx, dsn); err == nil {
			err = conn.QueryRow(ctx, "SELECT count(*) FROM oplog WHERE field IS NULL").Scan(&untagged)
			conn.Close(ctx)
		}
		if err != nil || untagged != 0 {
			b.Fatalf("after the first start: %d rows untagged, %v", untagged, err)
		}
		t1 := time.Now()
		srv, err = Open(dsn, Options{})
		again += time.Since(t1)
		if err != nil {
			b.Fatal(err)
		}
		srv.Close()
	}
	b.ReportMetric(float64(first.Milliseconds())/float64(b.N), "open-ms")
	b.ReportMetric(float64(again.Milliseconds())/float64(b.N), "reopen-ms")
	b.ReportMetric(float64(rows), "rows")
}
