// Package store keeps a brug dossier region on disk: the domain types, the
// op log, the merge rule and the materialised state, in one bbolt file.
//
// Every change is an Op. An Op is appended to the log in the same bbolt
// transaction that updates the heads of its field, the materialised client
// document, the list summary, the indexes and the outbox. State is always
// rebuildable from the log (see Rebuild and docs/merge.md).
//
// The merge rule: the current values of a field are its heads, the ops on
// that field that no known op names in its Prev. Scalar fields show the head
// with the highest (HLC, device); text fields with several heads are a
// conflict that the user resolves by writing a value whose Prev names all
// heads. Applying the same set of ops in any order gives the same heads.
package store
