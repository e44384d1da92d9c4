package server

import (
	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/boltstore"
	"github.com/brug-nl/brug/sync/server/storage"
)

// Tx is a transaction of the server's storage (storage.Tx): the op log
// and merge state, and the server's own records.
type Tx = storage.Tx

// openStorage opens the server's storage at path; the bbolt file by
// default. Tests choose another backend with BRUG_TEST_STORE
// (backend_test.go).
var openStorage = func(path string, opt store.Options) (storage.Storage, error) {
	return boltstore.Open(path, opt)
}

// commitHook adapts fn to a commit hook of the op-log store: it runs in
// the store's transaction, seen through the storage's Tx.
func (s *Server) commitHook(fn func(Tx, []store.Op) error) store.CommitHook {
	return func(tx *store.Tx, ops []store.Op) error { return fn(s.db.Wrap(tx), ops) }
}

// Storage is the server's storage, for tools and tests that read or write
// its records directly (an older or hostile server's records, a copy to
// another backend).
func (s *Server) Storage() storage.Storage { return s.db }
