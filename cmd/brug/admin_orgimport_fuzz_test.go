package main

import (
	"testing"

	"github.com/brug-nl/brug/store"
)

// FuzzParseOrgCSV: whatever the file, parseOrgCSV never panics, every row
// it returns is a valid organisation from a line after the header, in
// file order, and it returns rows or problems (never neither), each
// problem with a message.
func FuzzParseOrgCSV(f *testing.F) {
	f.Add([]byte("naam;soort;kvk;contactpersoon;functie;telefoon;e-mail\nBakkerij De Zon;werkgever;12345678;Ria Jansen;bedrijfsleider;024 123 45 67;ria@dezon.nl\n"))
	f.Add([]byte("\ufeffnaam,kvk\n\"Garage \"\"Çelik\"\"\",1234 5678\n,\n"))
	f.Add([]byte("naam,soort\nA,bakker,C\n\"open"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, probs := parseOrgCSV(data)
		if len(rows) == 0 && len(probs) == 0 {
			t.Fatal("neither rows nor problems")
		}
		if len(rows) > 0 && len(probs) > 0 {
			t.Fatal("rows and problems: a file with a problem must import nothing")
		}
		last := 1
		for _, r := range rows {
			if r.Line <= last {
				t.Fatalf("row on line %d after line %d", r.Line, last)
			}
			last = r.Line
			if err := store.CheckOrg(r.Org); err != nil {
				t.Fatalf("line %d: an invalid organisation passed: %v", r.Line, err)
			}
		}
		if len(probs) > maxCaseProblems {
			t.Fatalf("%d problems", len(probs))
		}
		for _, p := range probs {
			if p.Line < 0 || p.Key == "" {
				t.Fatalf("problem %+v", p)
			}
			if _, ok := lookupText("caseload.p." + p.Key); !ok {
				t.Fatalf("problem %+v has no message", p)
			}
		}
	})
}
