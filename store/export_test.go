package store

// SetNoHeadsMemo makes s read every heads in its write transactions from
// the log (fieldHeadsOf), for the benchmarks of package store_test.
func SetNoHeadsMemo(s *Store, off bool) { s.noHeadsMemo = off }
