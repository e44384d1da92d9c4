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
	"fmt"
	"io/fs"
	"path"

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
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("migrate %s: %w", set.dir, err)
	}
	return p.GetDBVersion(ctx)
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
