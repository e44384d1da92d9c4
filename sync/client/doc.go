// Package client is the device side of brug's sync (docs/sync.md): it
// enrols a device with a one-time code, keeps the device token out of the
// database (TokenStore), and runs syncs: push the outbox, pull from the
// cursor, apply what came back. Every step is idempotent by op id, so a
// sync that breaks off anywhere is simply run again.
package client
