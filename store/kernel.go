package store

// MergeField is the merge kernel (mergeField, merge.go) for a store kept
// elsewhere: the sync server's PostgreSQL backend loads a field's heads
// and its dossier's replaced set from its own tables and asks the one
// merge rule what the heads are after in, and which ids the replaced set
// must hold afterwards. It is pure; see mergeField for the arguments. A
// nil replaced means none.
func MergeField(heads []Head, in []Op, replaced func(id string) bool) ([]Head, []string) {
	if replaced == nil {
		replaced = noneReplaced
	}
	return mergeField(heads, in, replaced)
}
