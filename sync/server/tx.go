package server

import (
	"errors"
	"fmt"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/boltstore"
	"github.com/brug-nl/brug/sync/server/pgstore"
	"github.com/brug-nl/brug/sync/server/storage"
)

// Tx is a transaction of the server's storage (storage.Tx): the op log
// and merge state, and the server's own records.
type Tx = storage.Tx

// openStorage opens the server's storage at path: a PostgreSQL database
// when path is a postgres:// URL (its key store the database
// opt.Encryption.KeyStore names, else the same one), else the bbolt file.
// Tests choose another backend with BRUG_TEST_STORE (backend_test.go).
var openStorage = func(path string, opt store.Options) (storage.Storage, error) {
	if pgstore.IsURL(path) {
		keys := ""
		if opt.Encryption != nil {
			keys = opt.Encryption.KeyStore
		}
		if keys != "" && !pgstore.IsURL(keys) {
			return nil, fmt.Errorf("%w: the key store of a PostgreSQL region is a database too (postgres://...), not the file %s", store.ErrInvalid, keys)
		}
		return pgstore.OpenStorage(path, keys, opt)
	}
	return boltstore.Open(path, opt)
}

// shownPath is path as messages and logs may show it: a connection
// string without its password.
func shownPath(path string) string {
	if pgstore.IsURL(path) {
		return pgstore.Redact(path)
	}
	return path
}

// ErrNoOpStore: what was asked needs the op-log store of a bbolt region
// (storage.Storage.Store), which a backend in a database server does not
// have. Sessions and the admin commands read and write dossiers through
// the storage there (opview.go); what is left is the admin socket, which
// answers for a bbolt file's lock (on PostgreSQL brug admin opens the
// database itself).
var ErrNoOpStore = errors.New("not available on this storage backend (PostgreSQL): it needs the op-log store of a bbolt region")

// opStore is the op-log store, or ErrNoOpStore.
func (s *Server) opStore() (*store.Store, error) {
	if s.st == nil || s.logOnly {
		return nil, ErrNoOpStore
	}
	return s.st, nil
}

// dossierStore erases dossiers and finds those whose key is gone: the
// op-log store, or a backend that does it itself (pgstore.Storage).
type dossierStore interface {
	Erase(id string) error
	Keyless() ([]string, error)
}

// eraser is a backend's own erasure (pgstore.Storage.EraseDossier).
type eraser interface {
	EraseDossier(id string) error
	Keyless() ([]string, error)
}

type backendEraser struct{ e eraser }

func (b backendEraser) Erase(id string) error      { return b.e.EraseDossier(id) }
func (b backendEraser) Keyless() ([]string, error) { return b.e.Keyless() }

// dossiers is what erases the server's dossiers.
func (s *Server) dossiers() (dossierStore, error) {
	if s.st != nil {
		return s.st, nil
	}
	if e, ok := s.db.(eraser); ok {
		return backendEraser{e}, nil
	}
	return nil, ErrNoOpStore
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
