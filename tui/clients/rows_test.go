package clients

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// summariesStore answers Summaries with a list made in the test.
type summariesStore struct {
	kit.Store
	sums []store.Summary
}

func (s summariesStore) Summaries() ([]store.Summary, error) { return slices.Clone(s.sums), nil }

// referenceRows is the list's load done the plain way, one row after
// another and one sort: what loadSummaries did before it was split over
// the cores.
func referenceRows(all []store.Summary, by listSort, withdrawn bool) []listRow {
	var rows []listRow
	for i := range all {
		s := &all[i]
		if s.Removed && !withdrawn {
			continue
		}
		key := strings.ToLower(s.Name) + "\x00" + strings.ToLower(s.Team)
		match := store.FoldName(s.Name) + "\x00" + store.FoldName(s.Team)
		rows = append(rows, listRow{Summary: s, key: key, match: match})
	}
	byKey := map[string][]int{}
	for i := range rows {
		if !rows[i].Removed {
			k := store.DupKey(rows[i].Name, rows[i].BirthYear)
			byKey[k] = append(byKey[k], i)
		}
	}
	for _, same := range byKey {
		if len(same) > 1 {
			for _, i := range same {
				rows[i].dup = true
			}
		}
	}
	slices.SortFunc(rows, rowOrder(by))
	return rows
}

// The list's rows (keys, duplicate marks, order) made on every core and
// sorted in two halves are the rows made one by one and sorted at once,
// for each order, with and without withdrawn clients, on a list long
// enough to be split, with accents, odd spacing, namesakes, shared
// change times and steps.
func TestListRowsSameAsOneByOne(t *testing.T) {
	names := []string{"Zoë Çelik", "zoe celik", "Jan de Jong", "jan  de Jong", " Piet", "Ünal Öztürk", "anna\tbakker", "Anna Bakker", "ÅSE", "x\u00a0y"}
	teams := []string{"Noord", "Zuid", "Oost-Ĳssel", ""}
	var sums []store.Summary
	for i := range 5000 {
		sums = append(sums, store.Summary{
			ID:          fmt.Sprintf("%08x-0000-7000-8000-%012x", i*7919%5003, i),
			Name:        fmt.Sprintf("%s %d", names[i%len(names)], i/len(names)),
			Team:        teams[i%len(teams)],
			BirthYear:   fmt.Sprint(1950 + i/len(names)%40),
			CurrentStep: i % 6,
			StepsDone:   i % 4,
			LastChange:  store.HLC(i % 300),
			Removed:     i%11 == 0,
		})
	}
	for _, procs := range []int{1, 2, 4} {
		for _, by := range []listSort{SortName, sortChange, sortStep} {
			for _, withdrawn := range []bool{false, true} {
				t.Run(fmt.Sprintf("procs=%d/sort=%d/withdrawn=%v", procs, by, withdrawn), func(t *testing.T) {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
					msg := loadSummaries(summariesStore{sums: sums}, 1, by, withdrawn, "2026-12-06", nil)().(summariesMsg)
					if msg.err != nil {
						t.Fatal(msg.err)
					}
					want := referenceRows(kit.SafeSummaries(slices.Clone(sums)), by, withdrawn)
					if len(msg.rows) != len(want) {
						t.Fatalf("%d rows, want %d", len(msg.rows), len(want))
					}
					dups := 0
					for i := range want {
						g, w := msg.rows[i], want[i]
						if g.ID != w.ID || g.key != w.key || g.match != w.match || g.dup != w.dup {
							t.Fatalf("row %d: %q %q %q %v, want %q %q %q %v", i, g.ID, g.key, g.match, g.dup, w.ID, w.key, w.match, w.dup)
						}
						if g.dup {
							dups++
						}
					}
					if dups == 0 || dups == len(want) {
						t.Fatalf("%d of %d rows marked: the test marks nothing to compare", dups, len(want))
					}
				})
			}
		}
	}
}
