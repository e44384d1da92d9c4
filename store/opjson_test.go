package store

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// checkScanOpJSON fails unless ScanOpJSON agrees with encoding/json on s:
// what it accepts, json.Unmarshal reads as the same op, and json.Marshal
// writes byte for byte (so a scanned op's JSON may be stored as it is).
func checkScanOpJSON(t *testing.T, s string) bool {
	t.Helper()
	op, n, ok := ScanOpJSON(s)
	if !ok {
		return false
	}
	raw := s[:n]
	var want Op
	if err := json.Unmarshal([]byte(raw), &want); err != nil {
		t.Fatalf("scanned %q, which json rejects: %v", raw, err)
	}
	if !reflect.DeepEqual(op, want) {
		t.Fatalf("scanned %q as %+v; json reads %+v", raw, op, want)
	}
	again, err := json.Marshal(op)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != raw {
		t.Fatalf("scanned %q, json.Marshal writes %q", raw, again)
	}
	return true
}

// TestScanOpJSONReadsWhatMarshalWrites: every op as a log holds it (what
// json.Marshal writes of a decoded op), tricky strings included, is
// scanned (and agrees); other forms of the same op are left to
// encoding/json.
func TestScanOpJSONReadsWhatMarshalWrites(t *testing.T) {
	pieces := []string{"a", "Zoë", "é", "\n", "\t", "\"", "\\", "<b>", "&", "\u2028", "\x00", "\x7f", "\xff", "😀", "/", " ", "\u00e9\u0301"}
	rng := rand.New(rand.NewPCG(1, 2))
	text := func() string {
		s := ""
		for range rng.IntN(5) {
			s += pieces[rng.IntN(len(pieces))]
		}
		return s
	}
	for range 5000 {
		op := Op{ID: NewID(), Dossier: NewID(), Field: text(), Value: text(), HLC: HLC(rng.Uint64() >> rng.IntN(64)), Device: text(), Author: text()}
		for range rng.IntN(3) {
			op.Prev = append(op.Prev, text())
		}
		raw, err := json.Marshal(op)
		if err != nil {
			t.Fatal(err)
		}
		// What a device stores is what it decoded, written again (invalid
		// UTF-8 is written as \ufffd, read as U+FFFD, written as itself).
		var read Op
		if err := json.Unmarshal(raw, &read); err != nil {
			t.Fatal(err)
		}
		if raw, err = json.Marshal(read); err != nil {
			t.Fatal(err)
		}
		if !checkScanOpJSON(t, string(raw)+`,{"next"`) {
			t.Fatalf("not scanned: %s", raw)
		}
	}
	op := Op{ID: "x", Dossier: "d", Field: "name", Value: "v", HLC: 7, Device: "dev", Author: "a"}
	raw, _ := json.Marshal(op)
	for _, other := range []string{
		`{"id":"x","dossier":"d","field":"name","value":"v","hlc":7,"device":"dev","author":"a","prev":[]}`,
		`{"id":"x","dossier":"d","field":"name","value":"v","hlc":07,"device":"dev","author":"a"}`,
		`{"id":"x","dossier":"d","field":"name","value":"\u0076","hlc":7,"device":"dev","author":"a"}`,
		`{"id":"x", "dossier":"d","field":"name","value":"v","hlc":7,"device":"dev","author":"a"}`,
		`{"dossier":"d","id":"x","field":"name","value":"v","hlc":7,"device":"dev","author":"a"}`,
		`{"id":"x","dossier":"d","field":"name","value":"v","hlc":7,"device":"dev","author":"a","extra":1}`,
		`{"id":"x","dossier":"d","field":"name","value":"v","hlc":18446744073709551616,"device":"dev","author":"a"}`,
		`{"id":"x","dossier":"d","field":"name","value":"v","hlc":7,"device":"dev","author":"a"`,
		`{"id":"x","dossier":"d","field":"name","value":"v\`,
	} {
		if string(raw) == other || checkScanOpJSON(t, other) {
			t.Errorf("scanned %s", other)
		}
	}
}

// FuzzScanOpJSON: whatever ScanOpJSON accepts, encoding/json reads the
// same and writes byte for byte.
func FuzzScanOpJSON(f *testing.F) {
	f.Add(`{"id":"x","dossier":"d","field":"name","value":"v\n\u003c","hlc":7,"device":"dev","author":"a","prev":["p","q"]}`)
	f.Add(`{"id":"x","dossier":"d","field":"name","value":"\u2028","hlc":0,"device":"dev","author":"a"}`)
	f.Fuzz(func(t *testing.T, s string) { checkScanOpJSON(t, s) })
}
