package server

import "github.com/brug-nl/brug/store"

// Tx is a transaction of the server's storage.
type Tx = *store.Tx
