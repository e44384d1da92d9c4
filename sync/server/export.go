package server

import (
	"fmt"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/boltstore"
	"github.com/brug-nl/brug/sync/server/pgstore"
	"github.com/brug-nl/brug/sync/server/storage"
)

// OpenSource opens the region in the bbolt file at path read-only, as the
// source of a copy to another backend (brug admin migrate): nothing is
// written to it, not even an epoch. A file a brug serve holds fails with
// store.ErrLocked.
func OpenSource(path string, enc *store.Encryption) (storage.Storage, error) {
	if pgstore.IsURL(path) {
		return nil, fmt.Errorf("%w: the source of a copy is a bbolt file, not %s", store.ErrInvalid, pgstore.Redact(path))
	}
	return boltstore.OpenReadOnly(path, store.Options{
		Author: ServerAuthor, Kind: store.FileServer, Encryption: serverEncryption(enc),
	})
}

// OpenTarget opens a PostgreSQL region at url (its key store at keys, ""
// for the same database) as the target of a copy, without what opening a
// server does (no epoch, no index rebuilt). A database that holds tables
// of something else is refused.
func OpenTarget(url, keys string, enc *store.Encryption) (storage.Storage, error) {
	if !pgstore.IsURL(url) {
		return nil, fmt.Errorf("%w: the target of a copy is a PostgreSQL database (postgres://...), not %s", store.ErrInvalid, url)
	}
	for _, u := range []string{url, keys} {
		if u == "" {
			continue
		}
		foreign, err := pgstore.Foreign(u)
		if err != nil {
			return nil, fmt.Errorf("connect to %s: %w", pgstore.Redact(u), err)
		}
		if len(foreign) > 0 {
			return nil, &ForeignDBError{URL: pgstore.Redact(u), Tables: foreign}
		}
	}
	return pgstore.OpenStorage(url, keys, store.Options{Encryption: enc})
}

// ForeignDBError: a database holds tables but is no brug database.
type ForeignDBError struct {
	URL    string
	Tables []string
}

func (e *ForeignDBError) Error() string {
	return fmt.Sprintf("%s is not a brug database: it holds other tables (%d, such as %s)", e.URL, len(e.Tables), e.Tables[0])
}
