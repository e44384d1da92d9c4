package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// opBodyCases are opBinaryCases with the devices and authors a body
// writes out in every form.
func opBodyCases() []Op {
	ops := opBinaryCases()
	base := ops[0]
	for _, dev := range []string{"", "dev \"b\" \xff", strings.ToUpper(base.Device), strings.Repeat("d", 200)} {
		op := base
		op.Device = dev
		ops = append(ops, op)
	}
	for _, author := range []string{"", "é <x>", "a\x00b"} {
		op := base
		op.Author = author
		ops = append(ops, op)
	}
	return ops
}

// TestOpBodyRoundTrip: every op comes back from its body as it went in
// (through DecodeOpBody and an OpBodyDecoder alike), and the JSON built
// from the body is byte for byte what json.Marshal makes of the op, as
// the JSON of a body that is JSON (a log not yet converted) is of the op
// it decodes to.
func TestOpBodyRoundTrip(t *testing.T) {
	var dec OpBodyDecoder
	for i, op := range opBodyCases() {
		lkey := logKey(mustKey(strings.ToLower(op.Dossier)), mustKey(strings.ToLower(op.ID)))
		want := op
		if len(want.Prev) == 0 {
			want.Prev = nil
		}
		wantJS, _ := json.Marshal(op)
		b := AppendOpBody(nil, lkey, &op)
		js, _ := json.Marshal(op)
		for _, body := range [][]byte{b, js} {
			got, err := DecodeOpBody(lkey, body)
			if err != nil || !reflect.DeepEqual(got, want) && !IsOpBodyJSON(body) {
				t.Errorf("case %d: DecodeOpBody %+v, %v; want %+v", i, got, err, want)
			}
			got, err = dec.Decode(lkey, body, idString(lkey[:16]))
			if err != nil || !reflect.DeepEqual(got, want) && !IsOpBodyJSON(body) {
				t.Errorf("case %d: Decode %+v, %v; want %+v", i, got, err, want)
			}
			if IsOpBodyJSON(body) {
				// What a device sent, as the op it decodes to (text not
				// UTF-8 comes back as U+FFFD): json.Marshal's form of that.
				wantJS, _ = json.Marshal(got)
			}
			got2, err := AppendOpBodyJSON([]byte("x"), lkey, body)
			if err != nil || !bytes.Equal(got2, append([]byte("x"), wantJS...)) {
				t.Errorf("case %d: JSON\n%s (%v)\nwant\nx%s", i, got2, err, wantJS)
			}
		}
	}
}

// TestOpBodyRefusesDamage: every cut of a body, a body with a byte too
// many and a value in the log's own form (whose actor is a number of a
// store's table) are refused with an error, never a panic.
func TestOpBodyRefusesDamage(t *testing.T) {
	var dec OpBodyDecoder
	tab := newActorTable()
	for _, op := range opBodyCases() {
		lkey := logKey(mustKey(strings.ToLower(op.Dossier)), mustKey(strings.ToLower(op.ID)))
		b := AppendOpBody(nil, lkey, &op)
		bad := [][]byte{append(bytes.Clone(b), 0), encodeOp(lkey, &op, tab)}
		for n := range len(b) {
			bad = append(bad, b[:n])
		}
		for _, v := range bad {
			if _, err := DecodeOpBody(lkey, v); err == nil {
				t.Fatalf("%x decoded", v)
			}
			if _, err := dec.Decode(lkey, v, ""); err == nil {
				t.Fatalf("%x decoded by a decoder", v)
			}
			if _, err := AppendOpBodyJSON(nil, lkey, v); err == nil {
				t.Fatalf("%x gave JSON", v)
			}
		}
		if _, err := DecodeOpBody(lkey[:31], b); err == nil {
			t.Fatal("a body decoded under a short key")
		}
	}
}

// TestOpBodyStringsOutliveTheBody: the ops a decoder gives keep their
// texts when the bodies they came from are overwritten.
func TestOpBodyStringsOutliveTheBody(t *testing.T) {
	var dec OpBodyDecoder
	var got []Op
	var want []Op
	buf := make([]byte, 0, 1024)
	for _, op := range opBodyCases() {
		lkey := logKey(mustKey(strings.ToLower(op.Dossier)), mustKey(strings.ToLower(op.ID)))
		buf = AppendOpBody(buf[:0], lkey, &op)
		o, err := dec.Decode(lkey, buf, idString(lkey[:16]))
		if err != nil {
			t.Fatal(err)
		}
		clear(buf[:cap(buf)])
		w, _ := DecodeOpBody(lkey, AppendOpBody(nil, lkey, &op))
		got, want = append(got, o), append(want, w)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ops after their bodies were overwritten:\n%+v\nwant\n%+v", got, want)
	}
}
