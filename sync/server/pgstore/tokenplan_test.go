package pgstore

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// The token's queries (TokenDevice's, and the read-ahead's for one token
// and for many) read a user's memberships with one scan of members, and
// take the user's name out of the device's record once for it, not once
// per row of members the scan looks at: no scan of members compares
// with d.rec ->> 'user' (14 of 15 ms of the read-ahead of 199 tokens on
// the benchmark's region, EXPLAIN ANALYZE).
func TestTokenQueriesTakeTheUserOutOnce(t *testing.T) {
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	queries := map[string]struct {
		sql string
		arg any
	}{
		"one":  {`EXPLAIN SELECT t.device, ` + tokenColumns + ` FROM tokens t ` + tokenJoins + ` WHERE t.hash = $1`, []byte("h")},
		"many": {`EXPLAIN SELECT t.hash, t.device, ` + tokenColumns + ` FROM unnest($1::bytea[]) AS h(h) JOIN tokens t ON t.hash = h.h ` + tokenJoins, [][]byte{[]byte("h"), []byte("i")}},
	}
	err := s.View(func(stx storage.Tx) error {
		tx := stx.(*Tx)
		for name, q := range queries {
			lines, err := scanRows(tx, func(r pgx.CollectableRow, x *string) error { return r.Scan(x) }, q.sql, q.arg)
			if err != nil {
				return err
			}
			scans := 0
			for _, l := range lines {
				if strings.Contains(l, " on members ") {
					scans++
				}
				if strings.Contains(l, "user_name = (d.rec ->> 'user'") {
					t.Errorf("%s: the scan of members takes the user out of the device's record for each row:\n%s", name, strings.Join(lines, "\n"))
					break
				}
			}
			if scans != 1 {
				t.Errorf("%s: %d scans of members, want one:\n%s", name, scans, strings.Join(lines, "\n"))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
