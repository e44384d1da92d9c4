package client

import (
	"encoding/json"
	"io"
	"time"
	"unsafe"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// page is a decoded sync answer.
type page struct {
	protocol.SyncResponse

	// skew is the device's clock minus the answer's server_time, taken at
	// the middle of the round trip rtt; rtt is 0 when the answer had no
	// server_time.
	skew, rtt time.Duration

	// keys are the ops' ids as the compact page decoder read them, one
	// per op, for the import (nil: a JSON answer, or no import).
	keys []store.IDKeys
}

// decodePage decodes a sync answer. The ops of a pull are most of the
// bytes of an initial pull and the server writes each as store.Tx.OpJSON
// makes it, so the answer is read with store.ScanOpJSON where it has the
// server's form (the fields of protocol.SyncResponse by their names, no
// white space but a final newline, every op in that form); any other
// answer is decoded by encoding/json as it is, with the same result.
func decodePage(b []byte) (page, error) {
	if len(b) == 0 {
		return page{}, io.ErrUnexpectedEOF
	}
	// b is the answer's own buffer and never changes: the page's strings
	// share it rather than copy megabytes (store.Import keeps them).
	if p, ok := scanPage(unsafe.String(&b[0], len(b))); ok {
		return p, nil
	}
	var p page
	if err := json.Unmarshal(b, &p.SyncResponse); err != nil {
		return page{}, err
	}
	return p, nil
}

// scanPage is decodePage's fast path; ok is false for an answer it does
// not read, valid or not.
func scanPage(s string) (p page, ok bool) {
	i := 0
	seen := map[string]bool{}
	if len(s) < 2 || s[0] != '{' {
		return p, false
	}
	i++
	for {
		// A key, as encodeAnswer writes it: no escapes.
		if i >= len(s) || s[i] != '"' {
			return p, false
		}
		j := i + 1
		for j < len(s) && s[j] != '"' && s[j] != '\\' {
			j++
		}
		if j+1 >= len(s) || s[j] != '"' || s[j+1] != ':' {
			return p, false
		}
		key := s[i+1 : j]
		if seen[key] {
			return p, false
		}
		seen[key] = true
		i = j + 2
		r := &p.SyncResponse
		var dst any
		switch key {
		case "ops":
			n, ok := scanOps(s[i:], &p)
			if !ok {
				return p, false
			}
			i += n
		case "accepted":
			dst = &r.Accepted
		case "refused":
			dst = &r.Refused
		case "drop":
			dst = &r.Drop
		case "erased":
			dst = &r.Erased
		case "cursor":
			dst = &r.Cursor
		case "more":
			dst = &r.More
		case "teams":
			dst = &r.Teams
		case "server_time":
			dst = &r.ServerTime
		case "receipts":
			dst = &r.Receipts
		case "epoch":
			dst = &r.Epoch
		case "resend":
			dst = &r.Resend
		case "method":
			dst = &r.Method
		case "method_file":
			dst = &r.MethodFile
		default:
			return p, false // encoding/json matches keys without case
		}
		if dst != nil {
			n := valueLen(s[i:])
			if n == 0 || json.Unmarshal([]byte(s[i:i+n]), dst) != nil {
				return p, false
			}
			i += n
		}
		if i < len(s) && s[i] == ',' {
			i++
			continue
		}
		if i < len(s) && s[i] == '}' {
			i++
			break
		}
		return p, false
	}
	if rest := s[i:]; rest != "" && rest != "\n" {
		return p, false
	}
	return p, true
}

// scanOps reads the array of ops at the start of s into p and returns
// its length.
func scanOps(s string, p *page) (int, bool) {
	if len(s) < 2 || s[0] != '[' {
		return 0, false
	}
	if s[1] == ']' {
		p.Ops = []store.Op{} // as encoding/json reads it
		return 2, true
	}
	// An op takes some 300 bytes of JSON: room for them up front.
	p.Ops = make([]store.Op, 0, len(s)/256+1)
	i := 1
	for {
		op, n, ok := store.ScanOpJSON(s[i:])
		if !ok {
			return 0, false
		}
		p.Ops = append(p.Ops, op)
		i += n
		if i >= len(s) {
			return 0, false
		}
		switch s[i] {
		case ',':
			i++
		case ']':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// valueLen returns the length of the JSON value at the start of s: enough
// to find its end in a well-formed answer; encoding/json checks the value
// itself. 0 means no value was found.
func valueLen(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
			if i >= len(s) {
				return 0
			}
			if depth == 0 {
				return i + 1
			}
		case '[', '{':
			depth++
		case ']', '}':
			if depth == 0 {
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	if depth != 0 {
		return 0
	}
	return len(s)
}
