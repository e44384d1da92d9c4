package pgstore

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/brug-nl/brug/sync/server/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openPool opens a pool on a fresh database of t's.
func openPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return openPoolOn(t, pgtest.DB(t))
}

func openPoolOn(t testing.TB, dsn string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// migrated is a pool on a fresh database with the data schema.
func migrated(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool := openPool(t)
	if _, err := Migrate(context.Background(), pool, Data); err != nil {
		t.Fatal(err)
	}
	return pool
}

// Migrating an empty database makes every table of the schema and
// records the version; migrating again changes nothing.
func TestMigrateUpAndAgain(t *testing.T) {
	ctx := context.Background()
	pool := openPool(t)
	newest, err := Newest(Data)
	if err != nil || newest < 1 {
		t.Fatalf("Newest(Data) = %d, %v", newest, err)
	}
	if n, err := Pending(ctx, pool, Data); err != nil || n != int(newest) {
		t.Fatalf("pending on an empty database = %d, %v; want %d", n, err, newest)
	}
	v, err := Migrate(ctx, pool, Data)
	if err != nil {
		t.Fatal(err)
	}
	if v != newest {
		t.Fatalf("version after migrate = %d, want %d", v, newest)
	}
	want := []string{"seq_counter", "ops", "replaced", "summaries", "actors", "users", "teams", "members",
		"dossier_team", "devices", "tokens", "codes", "ssh_keys", "views", "audit", "refusals",
		"erasures", "receipts", "drafts", "epochs", "settings", DataVersionTable}
	for _, tb := range want {
		var ok bool
		if err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", tb).Scan(&ok); err != nil || !ok {
			t.Errorf("table %s missing after migrate (%v)", tb, err)
		}
	}
	var keys bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass('dossier_keys') IS NOT NULL").Scan(&keys); err != nil || keys {
		t.Errorf("the data migrations made the key store's table (%v): keys must be kept apart", err)
	}
	// The version table says what was applied.
	var applied int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+DataVersionTable+" WHERE version_id > 0 AND is_applied").Scan(&applied); err != nil || applied != int(newest) {
		t.Fatalf("version table holds %d applied migrations (%v), want %d", applied, err, newest)
	}
	// Again: a no-op.
	var rowsBefore int
	pool.QueryRow(ctx, "SELECT count(*) FROM "+DataVersionTable).Scan(&rowsBefore)
	if _, err := pool.Exec(ctx, "UPDATE seq_counter SET last = 41"); err != nil {
		t.Fatal(err)
	}
	if v, err := Migrate(ctx, pool, Data); err != nil || v != newest {
		t.Fatalf("second migrate = %d, %v", v, err)
	}
	var rowsAfter int
	var last int64
	pool.QueryRow(ctx, "SELECT count(*) FROM "+DataVersionTable).Scan(&rowsAfter)
	pool.QueryRow(ctx, "SELECT last FROM seq_counter").Scan(&last)
	if rowsAfter != rowsBefore || last != 41 {
		t.Fatalf("second migrate changed things: version rows %d -> %d, counter 41 -> %d", rowsBefore, rowsAfter, last)
	}
	if n, err := Pending(ctx, pool, Data); err != nil || n != 0 {
		t.Fatalf("pending after migrate = %d, %v", n, err)
	}
}

// The key store migrates on a database of its own, with its own version
// table; it may also share the data's database without clashing.
func TestMigrateKeysApart(t *testing.T) {
	ctx := context.Background()
	data, keys := openPool(t), openPool(t)
	if _, err := Migrate(ctx, data, Data); err != nil {
		t.Fatal(err)
	}
	if _, err := Migrate(ctx, keys, Keys); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := keys.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('dossier_keys', $1)", KeysVersionTable).Scan(&n); err != nil || n != 0 {
		t.Fatalf("key store database holds %d other tables (%v)", n, err)
	}
	// Shared database: both sets side by side.
	if v, err := Migrate(ctx, data, Keys); err != nil || v < 1 {
		t.Fatalf("keys on the data's database: %d, %v", v, err)
	}
	if n, err := Pending(ctx, data, Data); err != nil || n != 0 {
		t.Fatalf("data pending after keys migrated beside it: %d, %v", n, err)
	}
}

// Servers started at once on one database migrate it once.
func TestMigrateConcurrent(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DB(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		pool := openPoolOn(t, dsn)
		wg.Go(func() { _, errs[i] = Migrate(ctx, pool, Data) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v", i, err)
		}
	}
	pool := openPoolOn(t, dsn)
	newest, _ := Newest(Data)
	var applied int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+DataVersionTable+" WHERE version_id > 0").Scan(&applied); err != nil || applied != int(newest) {
		t.Fatalf("version rows = %d (%v), want %d: migrated more than once", applied, err, newest)
	}
}

// A database migrated by a newer brug is refused, untouched.
func TestMigrateRefusesNewer(t *testing.T) {
	ctx := context.Background()
	pool := migrated(t)
	if _, err := pool.Exec(ctx, "INSERT INTO "+DataVersionTable+" (version_id, is_applied) VALUES (9999, true)"); err != nil {
		t.Fatal(err)
	}
	v, err := Migrate(ctx, pool, Data)
	if !errors.Is(err, ErrNewerSchema) || v != 9999 {
		t.Fatalf("Migrate on a newer database = %d, %v; want ErrNewerSchema", v, err)
	}
}

// Open migrates the data and the key store, apart or together, and
// reopening finds nothing to do.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	data, keys := pgtest.DB(t), pgtest.DB(t)
	for _, kURL := range []string{keys, ""} {
		for range 2 {
			db, err := Open(ctx, data, kURL)
			if err != nil {
				t.Fatal(err)
			}
			var ok bool
			if err := db.Keys.QueryRow(ctx, "SELECT to_regclass('dossier_keys') IS NOT NULL").Scan(&ok); err != nil || !ok {
				t.Fatalf("key store (%q) lacks dossier_keys: %v", kURL, err)
			}
			if err := db.Data.QueryRow(ctx, "SELECT to_regclass('ops') IS NOT NULL").Scan(&ok); err != nil || !ok {
				t.Fatalf("data lacks ops: %v", err)
			}
			db.Close()
		}
	}
	// docs/postgres.md tells operators to size the pools in the URL.
	sized, err := Open(ctx, data+sep(data)+"pool_max_conns=3", keys+sep(keys)+"pool_max_conns=2")
	if err != nil {
		t.Fatal(err)
	}
	if d, k := sized.Data.Config().MaxConns, sized.Keys.Config().MaxConns; d != 3 || k != 2 {
		t.Errorf("pool_max_conns in the URLs gave pools of %d and %d connections, want 3 and 2", d, k)
	}
	sized.Close()
	if _, err := Open(ctx, "postgres://127.0.0.1:1/nothing?connect_timeout=2", ""); err == nil {
		t.Fatal("Open of an unreachable database succeeded")
	}
	if _, err := Open(ctx, "not a url", ""); err == nil {
		t.Fatal("Open of a bad connection string succeeded")
	}
}

// sep is what joins one more parameter to url.
func sep(url string) string {
	if strings.Contains(url, "?") {
		return "&"
	}
	return "?"
}
