package server

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/brug-nl/brug/sync/protocol"
)

// FuzzDecodeSyncRequest: the request decoder never panics, its errors are
// in the API's words (never Go's type names), and what it accepts is a
// request within the protocol's limits that survives a round trip through
// JSON. Its fast path (fastSyncRequest) gives what the detailed decoder
// alone gives: the same request or the same error (sameDecoding). Seeds
// are in testdata/fuzz/FuzzDecodeSyncRequest.
func FuzzDecodeSyncRequest(f *testing.F) {
	f.Add([]byte(`{"cursor":0}`))
	f.Add([]byte(`{"push":[{"id":"01900000-0000-7000-8000-000000000001","dossier":"01900000-0000-7000-8000-000000000002","field":"name","value":"x","hlc":1,"device":"d","author":"a"}],"cursor":3,"limit":10}`))
	f.Add([]byte(`{"push":[{"id":"a","dossier":"d","field":"f","value":"v\u00e9","hlc":1,"device":"x","author":"y","prev":["p"]},{"id":"b","dossier":"d","field":"f","value":"w","hlc":2,"device":"x","author":"y","prev":[]}],"cursor":1,"limit":20000,"epoch":"e","method_hash":"h","confirm_erased":["d"],"confirm_dropped":null}`))
	f.Add([]byte(`{"push":[{"value":"x","Value":"y","prev":null}],"push":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		sameDecoding(t, body)
		req, err := decodeSyncRequest(bytes.NewReader(body))
		if err != nil {
			for _, goWords := range []string{"Go struct", "Go value", "json: ", "store.", "protocol."} {
				if strings.Contains(err.Error(), goWords) {
					t.Fatalf("error in Go's words: %v", err)
				}
			}
			if len(req.Push) != 0 || req.Cursor != 0 || req.Limit != 0 {
				t.Fatalf("error %v with a non-empty request", err)
			}
			return
		}
		if len(req.Push) > protocol.MaxPushOps || req.Limit < 0 || req.Limit > protocol.MaxPullOps {
			t.Fatalf("accepted out of limits: %d ops, limit %d", len(req.Push), req.Limit)
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeSyncRequest(bytes.NewReader(again)); err != nil {
			t.Fatalf("re-encoded request refused: %v", err)
		}
	})
}

// FuzzDecodeReadsRequest: the reads decoder never panics, speaks the
// API's words, accepts at most MaxReads entries, and what it accepts
// survives a round trip; takeReads answers for every entry it was given.
func FuzzDecodeReadsRequest(f *testing.F) {
	f.Add([]byte(`{"reads":[{"id":"01900000-0000-7000-8000-000000000001","at":"2026-12-01T10:00:00Z","user":"anna","dossier":"01900000-0000-7000-8000-000000000002","action":"open","channel":"app","device":"d"}]}`))
	f.Add([]byte(`{"reads":[{"at":"x"}]}`))
	f.Add([]byte(`{"reads":{}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeReadsRequest(bytes.NewReader(body))
		if err != nil {
			for _, goWords := range []string{"Go struct", "Go value", "json: ", "store.", "protocol."} {
				if strings.Contains(err.Error(), goWords) {
					t.Fatalf("error in Go's words: %v", err)
				}
			}
			return
		}
		if len(req.Reads) > protocol.MaxReads {
			t.Fatalf("accepted %d entries", len(req.Reads))
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeReadsRequest(bytes.NewReader(again)); err != nil {
			t.Fatalf("re-encoded request refused: %v", err)
		}
	})
}
