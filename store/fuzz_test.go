package store

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseField: any field name and value either parses and validates or
// is refused with ErrInvalid; nothing panics.
func FuzzParseField(f *testing.F) {
	for _, s := range []string{"name", "step/1/check/c1", "step/12/answer/q_3", "agreement/01a20512-1f35-72fb-89f0-b8114832f219/due",
		"step//check", "step/1/check/", "/", "step/1/answer/q1/x", "move/x/to"} {
		f.Add(s, "1")
	}
	f.Fuzz(func(t *testing.T, field, value string) {
		p, k, err := ParseField(field)
		if err != nil {
			if !strings.Contains(err.Error(), "invalid") {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return
		}
		_ = ValidateValue(p, k, value)
	})
}

// FuzzApplyRemote decodes a JSON op as sync would hand it over and applies
// it next to a known history: a bad op is refused, a good one is applied,
// and the kept state always equals the state rebuilt from the log.
func FuzzApplyRemote(f *testing.F) {
	d := "01a20512-1f35-72fb-89f0-b8114832f219"
	seed := func(op Op) []byte { b, _ := json.Marshal(op); return b }
	base := Op{ID: "01a20512-1f35-72fb-89f0-b8114832f220", Dossier: d, Field: "step/1/answer/q1", Value: "a", HLC: 5 << 16, Device: "x", Author: "y"}
	f.Add(seed(base))
	f.Add(seed(Op{ID: "01a20512-1f35-72fb-89f0-b8114832f221", Dossier: d, Field: "step/1/answer/q1", Value: "b", HLC: 6 << 16, Device: "z", Author: "y", Prev: []string{base.ID}}))
	f.Add(seed(Op{ID: "01a20512-1f35-72fb-89f0-b8114832f222", Dossier: d, Field: "name", Value: "N", HLC: 1, Device: "z", Author: "y", Prev: []string{base.ID}}))
	f.Add([]byte(`{"id":"nope"}`))
	f.Add([]byte(`{"id":"01a20512-1f35-72fb-89f0-b8114832f223","dossier":"` + d + `","field":"places","value":"maan","hlc":9,"device":"d","author":"a"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var op Op
		if json.Unmarshal(data, &op) != nil {
			return
		}
		s := openTest(t, Options{})
		if _, err := s.ApplyRemote([]Op{base}); err != nil {
			t.Fatal(err)
		}
		n, err := s.ApplyRemote([]Op{op})
		if err != nil {
			if n != 0 {
				t.Fatalf("refused op reported %d applied", n)
			}
			st, _ := s.Stats()
			if st.Ops != 1 {
				t.Fatalf("refused op left %d ops", st.Ops)
			}
		}
	})
}
