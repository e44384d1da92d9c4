package server

import (
	"fmt"
	"sync"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgstore"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// BRUG_TEST_STORE=postgres runs the server's tests on PostgreSQL: each
// server file path a test opens gets a database of its own (from pgtest's
// throwaway cluster), the same one again when the test reopens the path
// (a restart). The key store shares the database.
func init() { testBackends["postgres"] = openPostgresTest }

var pgTestDBs sync.Map // path -> connection string

func openPostgresTest(path string, opt store.Options) (storage.Storage, error) {
	dsn, ok := pgTestDBs.Load(path)
	if !ok {
		made, found, msg, err := pgtest.Created()
		switch {
		case err != nil:
			return nil, err
		case !found:
			return nil, fmt.Errorf("BRUG_TEST_STORE=postgres: %s", msg)
		}
		dsn, _ = pgTestDBs.LoadOrStore(path, made)
	}
	return pgstore.OpenStorage(dsn.(string), "", opt)
}
