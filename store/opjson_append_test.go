package store

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzAppendOpJSON: AppendOpJSON makes what json.Marshal makes of an op,
// byte for byte, whatever its strings hold (escapes, HTML characters,
// U+2028, bytes that are not UTF-8), with an empty prev omitted as
// omitempty omits it.
func FuzzAppendOpJSON(f *testing.F) {
	f.Add("01900000-0000-7000-8000-000000000001", "01900000-0000-7000-8000-000000000002", "step/1/note", "Notitie 1 van coach-7", uint64(1)<<40, "dev-7", "coach-7", "01900000-0000-7000-8000-000000000003", 1)
	f.Add("", "", "", "", uint64(0), "", "", "", 0)
	f.Add("a\"b", "<d>", "f&g", "line\nbreak\t\\ é 😀 \u2028 \u2029 \x00 \x1f", uint64(1<<64-1), "\xff\xfe", "a\u00a0", "", -1)
	f.Add("x", "y", "z", "\xed\xa0\x80 surrogate", uint64(7), "d", "a", "p<>", 3)
	f.Fuzz(func(t *testing.T, id, dossier, field, value string, hlc uint64, device, author, prev string, nprev int) {
		op := Op{ID: id, Dossier: dossier, Field: field, Value: value, HLC: HLC(hlc), Device: device, Author: author}
		switch {
		case nprev < 0:
			op.Prev = []string{} // empty, not nil: omitted all the same
		case nprev > 0:
			for i := range nprev % 4 {
				op.Prev = append(op.Prev, prev+string(rune('a'+i)))
			}
		}
		want, err := json.Marshal(op)
		if err != nil {
			t.Fatal(err)
		}
		got := AppendOpJSON([]byte("prefix"), &op)
		if !bytes.Equal(got[len("prefix"):], want) || string(got[:len("prefix")]) != "prefix" {
			t.Fatalf("AppendOpJSON\n got %s\nwant %s", got, want)
		}
	})
}
