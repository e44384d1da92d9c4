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
// and for many) take the user's name out of the device's record once per
// list of teams, not once per row of members the list's scan looks at:
// no scan or join of the plan evaluates d.rec ->> 'user' row by row
// under a list's sub-plan (14 of 15 ms of the read-ahead of 199 tokens
// on the benchmark's region, EXPLAIN ANALYZE).
func TestTokenQueriesTakeTheUserOutOnce(t *testing.T) {
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	queries := map[string]struct {
		sql string
		arg any
	}{
		"one":  {`EXPLAIN SELECT t.device, ` + tokenColumns + ` FROM tokens t LEFT JOIN devices d ON d.id = t.device LEFT JOIN users u ON u.name = d.rec->>'user' WHERE t.hash = $1`, []byte("h")},
		"many": {`EXPLAIN SELECT t.hash, t.device, ` + tokenColumns + ` FROM unnest($1::bytea[]) AS h(h) JOIN tokens t ON t.hash = h.h LEFT JOIN devices d ON d.id = t.device LEFT JOIN users u ON u.name = d.rec->>'user'`, [][]byte{[]byte("h"), []byte("i")}},
	}
	err := s.View(func(stx storage.Tx) error {
		tx := stx.(*Tx)
		for name, q := range queries {
			lines, err := scanRows(tx, func(r pgx.CollectableRow, x *string) error { return r.Scan(x) }, q.sql, q.arg)
			if err != nil {
				return err
			}
			sub := false
			for _, l := range lines {
				if strings.Contains(l, "SubPlan") {
					sub = true
				}
				if sub && strings.Contains(l, "user_name = (d.rec ->> 'user'") {
					t.Errorf("%s: a list's scan takes the user out of the device's record for each row:\n%s", name, strings.Join(lines, "\n"))
					break
				}
			}
			if !sub {
				t.Errorf("%s: no sub-plan for the lists of teams:\n%s", name, strings.Join(lines, "\n"))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
