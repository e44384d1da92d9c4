package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// sameDecoding checks that decodeSyncRequest, with its fast path, gives
// for body what the detailed decoder alone gives: the same request or the
// same error, word for word. It reports whether the fast path took it.
func sameDecoding(t *testing.T, body []byte) bool {
	t.Helper()
	want, werr := detailedSyncRequest(bytes.NewReader(body))
	got, gerr := decodeSyncRequest(bytes.NewReader(body))
	if fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Fatalf("body %q:\nfast path error %v\ndetailed error  %v", body, gerr, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("body %q:\nfast path %#v\ndetailed  %#v", body, got, want)
	}
	fast, ok := fastSyncRequest(body)
	if ok && (werr != nil || !reflect.DeepEqual(fast, want)) {
		t.Fatalf("body %q: the fast path accepts %#v; the detailed decoder gives %#v, %v", body, fast, want, werr)
	}
	return ok
}

// burstRequest is a request as the devices of a burst send it.
func burstRequest(ops int) protocol.SyncRequest {
	req := protocol.SyncRequest{Cursor: 123456, MethodHash: strings.Repeat("ab", 32)}
	for i := range ops {
		req.Push = append(req.Push, store.Op{
			ID: store.NewID(), Dossier: "01900000-0000-7000-8000-000000000002", Field: fmt.Sprintf("step/%d/note", i%6+1),
			Value: fmt.Sprintf("Notitie %d van coach-7", i), HLC: store.HLC(1<<40 + i), Device: "dev-7", Author: "coach-7",
			Prev: []string{"01900000-0000-7000-8000-00000000000" + fmt.Sprint(i%10)},
		})
	}
	return req
}

// TestDecodeSyncRequestFastShapes: the requests devices send take the
// fast path and decode as the detailed decoder decodes them, with nil and
// empty slices told apart as encoding/json tells them.
func TestDecodeSyncRequestFastShapes(t *testing.T) {
	marshal := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	odd := burstRequest(3)
	odd.Push[0].Value = "<b>\"quoted\" & \\ \n tab\t é 😀 \u2028</b>" // escapes, non-ASCII
	odd.Push[1].Prev = []string{}                                    // "prev":[] is not nil
	odd.Push[2].Prev = nil
	odd.Push[2].Value = ""
	odd.Push[2].Device, odd.Push[2].Author = "other", "other author"
	odd.Limit, odd.Epoch = 50, "epoch-1"
	odd.ConfirmErased, odd.ConfirmDropped = []string{"d1", "d\"2"}, []string{}
	fast := [][]byte{
		marshal(burstRequest(10)),
		append(marshal(burstRequest(1)), '\n'),
		marshal(odd),
		[]byte(`{}`),
		[]byte(` {"cursor":0} `),
		[]byte(`{"push":null,"cursor":1}`),
		[]byte(`{"push":[],"cursor":1}`),
		[]byte(`{"push":[{"value":""}]}`),
		[]byte(`{"push":[{"value":"x","prev":null}]}`),
		[]byte("\t{ \"push\" : [ { \"value\" : \"x\" , \"hlc\" : 0 , \"prev\" : [ \"a\" , \"b\" ] } ] , \"limit\" : 20000 }\r\n"),
		[]byte(`{"cursor":18446744073709551615,"confirm_erased":null}`),
		[]byte(`{"push":[{"id":"a","dossier":"d","field":"f","value":"v","hlc":1,"device":"x","author":"y","prev":["p"]},{"id":"b","dossier":"d","field":"f","value":"w","hlc":2,"device":"x","author":"y","prev":["a"]}]}`),
	}
	for _, body := range fast {
		if !sameDecoding(t, body) {
			t.Errorf("the fast path gives up on %q", body)
		}
	}
}

// TestDecodeSyncRequestFallback: bodies the fast path leaves to the
// detailed decoder (the detailed one refuses them, or they are not of the
// plain shape) get the detailed decoder's answer, error words and all.
func TestDecodeSyncRequestFallback(t *testing.T) {
	many := burstRequest(protocol.MaxPushOps + 1)
	manyBody, _ := json.Marshal(many)
	max := burstRequest(protocol.MaxPushOps)
	maxBody, _ := json.Marshal(max)
	bodies := []string{
		``, ` `, `[]`, `null`, `{`, `{}x`, `{}{}`, `{"cursor":1,}`, `{,}`, `{"cursor"}`, `{"cursor":1 "limit":2}`,
		`{"Cursor":1}`, `{"cursor":1,"cursor":2}`, `{"cursor":-1}`, `{"cursor":1.0}`, `{"cursor":1e3}`, `{"cursor":01}`,
		`{"cursor":18446744073709551616}`, `{"cursor":"1"}`, `{"cursor":null}`, `{"\u0063ursor":1}`,
		`{"limit":-1}`, `{"limit":20001}`, `{"limit":1.5}`, `{"epoch":null}`, `{"epoch":1}`,
		`{"epoch":"` + strings.Repeat("e", 65) + `"}`, `{"method_hash":"` + strings.Repeat("h", 65) + `"}`,
		`{"method_hash":"` + strings.Repeat("h", 64) + `"}`, `{"erased":{"d":"r"}}`, `{"erased":null}`,
		`{"confirm_erased":["a",null]}`, `{"confirm_erased":"a"}`, `{"confirm_erased":["a"],"confirm_erased":["b"]}`,
		`{"push":{}}`, `{"push":"x"}`, `{"push":[1]}`, `{"push":[null]}`, `{"push":[{}]}`, `{"push":[{"value":null}]}`,
		`{"push":[{"value":1}]}`, `{"push":[{"value":"x","Value":"y"}]}`, `{"push":[{"VALUE":"y"}]}`,
		`{"push":[{"value":"x","value":"y"}]}`, `{"push":[{"value":"x","prev":["a"],"prev":["b"]}]}`,
		`{"push":[{"value":"x","hlc":-1}]}`, `{"push":[{"value":"x","hlc":1.5}]}`,
		`{"push":[{"value":"x","hlc":"1"}]}`, `{"push":[{"value":"x","hlc":null}]}`, `{"push":[{"value":"x","prev":[null]}]}`,
		`{"push":[{"value":"x","prev":"a"}]}`, `{"push":[{"value":"x","prev":[1]}]}`, `{"push":[{"value":"x","other":1}]}`,
		`{"push":[{"value":"x"},]}`, `{"push":[{"value":"x"}{"value":"y"}]}`, `{"push":[{"value":"x"}`, `{"push":[{"value":"x`,
		`{"push":[{"value":"\x"}]}`, `{"push":[{"value":"\u12"}]}`, `{"push":[{"value":"\ud800"}]}`, "{\"push\":[{\"value\":\"\xff\"}]}",
		"{\"push\":[{\"value\":\"a\x01\"}]}", "{\"push\":[{\"value\":\"\\\xff\"}]}", `{"push":[{"value":"x","id":"\"}]}`,
		`{"push":[{"value":"x","prev":["a","b",]}]}`, `{"push":[{"value":"x","prev":[]} ] } x`, "\ufeff{}",
		`{"push":null,"push":[]}`, `{"push":[],"push":null}`, `{"other":1}`, `{"cursor":nul}`, `{"push":nul}`,
		string(manyBody), string(maxBody),
	}
	for _, body := range bodies {
		sameDecoding(t, []byte(body))
	}
	// The limits hold on the fast path: the largest push passes, one op
	// more is refused with the detailed decoder's words.
	if _, ok := fastSyncRequest(maxBody); !ok {
		t.Errorf("the fast path gives up on a push of %d ops", protocol.MaxPushOps)
	}
	if _, err := decodeSyncRequest(bytes.NewReader(manyBody)); err == nil || !strings.Contains(err.Error(), "more than 5000 ops") {
		t.Errorf("a push of %d ops: %v", len(many.Push), err)
	}
}

// TestDecodeSyncRequestReadErrors: a body the reader gives up on (past
// the size limit, broken gzip) gets the error the detailed decoder gives
// reading it itself: the size error when the bytes before it are well
// formed so far, the JSON error when one comes first.
func TestDecodeSyncRequestReadErrors(t *testing.T) {
	valid, _ := json.Marshal(burstRequest(10))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(valid)
	zw.Close()
	brokenGzip := gz.Bytes()[:gz.Len()/2]
	cases := []struct {
		body []byte
		max  int64
		gzip bool
	}{
		{valid, int64(len(valid)), false},
		{valid, int64(len(valid) - 1), false},
		{valid, 100, false},
		{append([]byte(`{"x":`), valid...), 100, false},
		{append([]byte(`{"cursor":1}x`), valid...), 100, false},
		{append([]byte(`   `), valid...), 2, false},
		{brokenGzip, 1 << 20, true},
		{gz.Bytes(), 1 << 20, true},
		{gz.Bytes(), 50, true},
	}
	for _, c := range cases {
		open := func() io.Reader {
			if !c.gzip {
				return &limitReader{r: bytes.NewReader(c.body), n: c.max}
			}
			zr, err := gzip.NewReader(bytes.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			return &limitReader{r: gzipErrors{zr}, n: c.max}
		}
		want, werr := detailedSyncRequest(open())
		got, gerr := decodeSyncRequest(open())
		if fmt.Sprint(gerr) != fmt.Sprint(werr) || !reflect.DeepEqual(got, want) {
			t.Errorf("body of %d bytes, limit %d: got %v, want %v", len(c.body), c.max, gerr, werr)
		}
	}
}

// BenchmarkDecodeSyncRequest: a request of a burst (10 ops, as devices
// send it) through decodeSyncRequest (fast path) and the detailed
// decoder alone, as main decoded every request.
func BenchmarkDecodeSyncRequest(b *testing.B) {
	body, err := json.Marshal(burstRequest(10))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		decode func(io.Reader) (protocol.SyncRequest, error)
	}{{"fast", decodeSyncRequest}, {"detailed", detailedSyncRequest}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := c.decode(bytes.NewReader(body)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
