package main

import (
	"testing"
)

// FuzzParseCaseload: whatever the file, parseCaseload never panics, every
// row it returns is a valid new client from a line after the header, in
// file order, and it returns rows or problems (never neither).
func FuzzParseCaseload(f *testing.F) {
	f.Add([]byte("naam,geboortejaar,team\nNoor Hazelhoef,1988,Noord\n"))
	f.Add([]byte("\ufeffvoornaam;voorvoegsel;achternaam;geboortedatum;team;uitkering;doel;plek;coach\r\nPiet;de;Vries;14-3-1975;Zuid;Wajong;regulier werk;dagbesteding;anna\r\n"))
	f.Add([]byte("naam,team\n\"Zoë \"\"Z\"\" Çelik\",Noord\n,\n"))
	f.Add([]byte("naam,team\nA,B,C\n\"open"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, probs := parseCaseload(data, "", 2026)
		if len(rows) == 0 && len(probs) == 0 {
			t.Fatal("neither rows nor problems")
		}
		last := 1
		for _, r := range rows {
			if r.Line <= last {
				t.Fatalf("row on line %d after line %d", r.Line, last)
			}
			last = r.Line
			if errs := r.Client.Validate(); errs != nil {
				t.Fatalf("line %d: an invalid client passed: %v", r.Line, errs)
			}
			if r.Client.Team == "" {
				t.Fatalf("line %d: a client without a team", r.Line)
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
