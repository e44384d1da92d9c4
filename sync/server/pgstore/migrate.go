// Package pgstore is the groundwork of the server's PostgreSQL backend
// (issue 14): the schema, kept as migrations embedded in the binary and
// run at start, and the op log's sequence, numbered in commit order so
// that several processes on one database never make a device skip an op.
// The storage interfaces of sync/server are implemented on it in a later
// step; docs/postgres.md says what exists.
package pgstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/data/*.sql migrations/keys/*.sql
var migrations embed.FS

// Version tables: each set of migrations records what it applied in its
// own table, so that the data and the key store may share a database or
// not.
const (
	DataVersionTable = "brug_schema_version"
	KeysVersionTable = "brug_keys_schema_version"
)

// Advisory lock ids: a process migrating holds its set's lock, so that
// servers started at once on one database migrate once.
const (
	dataLockID int64 = 0x6272756764617461 // "brugdata"
	keysLockID int64 = 0x627275676b657973 // "brugkeys"
)

// A Set is one set of migrations.
type Set struct {
	dir    string
	table  string
	lockID int64
}

var (
	// Data is the server's data: ops, accounts, devices, views, audit
	// and the rest (migrations/data).
	Data = Set{"migrations/data", DataVersionTable, dataLockID}
	// Keys is the key store: the dossiers' keys (migrations/keys), to be
	// run on a database (or schema) of its own.
	Keys = Set{"migrations/keys", KeysVersionTable, keysLockID}
)

// Migrate brings the database of pool up to the newest version of set
// and returns the version it is at. Re-running it is a no-op; several
// processes may run it at once (one migrates, the others wait and find
// nothing to do).
func Migrate(ctx context.Context, pool *pgxpool.Pool, set Set) (int64, error) {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := provider(db, set)
	if err != nil {
		return 0, err
	}
	defer p.Close()
	newest, err := Newest(set)
	if err != nil {
		return 0, err
	}
	// A database a newer brug migrated: this one would write rows in an
	// older layout next to a newer server's. Refuse before touching it.
	if v, err := p.GetDBVersion(ctx); err == nil && v > newest {
		return v, fmt.Errorf("%w: %s is at version %d, this brug knows up to %d; upgrade brug", ErrNewerSchema, set.table, v, newest)
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("migrate %s: %w", set.dir, err)
	}
	return p.GetDBVersion(ctx)
}

// ErrNewerSchema: the database was migrated by a newer brug.
var ErrNewerSchema = errors.New("the database's schema is newer than this brug")

// DB is a region's database and its key store, both migrated.
type DB struct {
	Data *pgxpool.Pool
	// Keys is the key store's pool: another database's, or Data itself
	// when the key store shares the data's database.
	Keys *pgxpool.Pool
	// queries counts the statements sent on both pools (a round trip
	// each, BEGIN and COMMIT included): Queries.
	queries atomic.Uint64
}

// Queries is how many statements the pools have sent to the database so
// far (each a round trip; BEGIN and COMMIT count; a batch, a pipeline of
// statements sent at once, counts once), but for a View's COMMIT, which
// is sent after the View returned and which nobody waits for
// (txconn.go). Tests hold the number of round trips per pushed op and
// per pulled page with it.
func (db *DB) Queries() uint64 { return db.queries.Load() }

// counter is a pgx tracer that counts statements.
type counter struct{ n *atomic.Uint64 }

func (c counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// A batch (a pipeline of statements) is one round trip, and counts once.
func (c counter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (counter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// pool connects a pool whose statements db counts.
func (db *DB) pool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.Tracer = counter{&db.queries}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// Open connects to the region's database at dataURL and its key store
// at keysURL ("" for the same database) and migrates both: what `brug
// serve --store postgres://...` is to do at start (not wired yet).
func Open(ctx context.Context, dataURL, keysURL string) (_ *DB, err error) {
	db := &DB{}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if db.Data, err = db.pool(ctx, dataURL); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	db.Keys = db.Data
	if keysURL != "" {
		if db.Keys, err = db.pool(ctx, keysURL); err != nil {
			return nil, fmt.Errorf("key store: %w", err)
		}
	}
	if _, err := Migrate(ctx, db.Data, Data); err != nil {
		return nil, err
	}
	if _, err := Migrate(ctx, db.Keys, Keys); err != nil {
		return nil, err
	}
	return db, nil
}

// Close closes the pools.
func (db *DB) Close() {
	if db.Keys != nil && db.Keys != db.Data {
		db.Keys.Close()
	}
	if db.Data != nil {
		db.Data.Close()
	}
}

// Pending reports how many migrations of set the database lacks.
func Pending(ctx context.Context, pool *pgxpool.Pool, set Set) (int, error) {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := provider(db, set)
	if err != nil {
		return 0, err
	}
	defer p.Close()
	st, err := p.Status(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range st {
		if s.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}

// Newest is the version of set's last migration in this binary.
func Newest(set Set) (int64, error) {
	names, err := fs.Glob(migrations, set.dir+"/*.sql")
	if err != nil {
		return 0, err
	}
	var newest int64
	for _, n := range names {
		v, err := goose.NumericComponent(path.Base(n))
		if err != nil {
			return 0, err
		}
		newest = max(newest, v)
	}
	return newest, nil
}

func provider(db *sql.DB, set Set) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, set.dir)
	if err != nil {
		return nil, err
	}
	// Poll the lock each second for up to five minutes (the default
	// polls every five seconds: a second server would wait that long).
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(set.lockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithTableName(set.table), goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
}
