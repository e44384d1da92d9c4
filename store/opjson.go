package store

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ScanOpJSON reads the op at the start of s when it is exactly the JSON
// json.Marshal makes of an Op (the form the log holds and a server sends,
// see Tx.OpJSON): the fields in order, no white space, strings escaped as
// encoding/json escapes them. It returns the op and the length of its
// JSON, so s[:n] is the op's JSON byte for byte and need not be encoded
// again (Import.AddRaw). For any other text, valid JSON or not, ok is
// false and the caller decodes with encoding/json. It checks the form,
// not the op: validate it as any remote op.
func ScanOpJSON(s string) (op Op, n int, ok bool) {
	sc := opScanner{s: s}
	if !sc.lit(`{"id":`) {
		return op, 0, false
	}
	op.ID = sc.str()
	if !sc.lit(`,"dossier":`) {
		return op, 0, false
	}
	op.Dossier = sc.str()
	if !sc.lit(`,"field":`) {
		return op, 0, false
	}
	op.Field = sc.str()
	if !sc.lit(`,"value":`) {
		return op, 0, false
	}
	op.Value = sc.str()
	if !sc.lit(`,"hlc":`) {
		return op, 0, false
	}
	op.HLC = HLC(sc.uint())
	if !sc.lit(`,"device":`) {
		return op, 0, false
	}
	op.Device = sc.str()
	if !sc.lit(`,"author":`) {
		return op, 0, false
	}
	op.Author = sc.str()
	if sc.lit(`,"prev":[`) {
		// omitempty: an empty list is not written, so [] is not canonical.
		for {
			op.Prev = append(op.Prev, sc.str())
			if sc.lit(`]`) {
				break
			}
			if !sc.lit(`,`) {
				return op, 0, false
			}
		}
	}
	if !sc.lit(`}`) || sc.bad {
		return Op{}, 0, false
	}
	return op, sc.i, true
}

type opScanner struct {
	s   string
	i   int
	bad bool
}

// lit consumes p if s continues with it.
func (sc *opScanner) lit(p string) bool {
	if sc.bad || !strings.HasPrefix(sc.s[sc.i:], p) {
		return false
	}
	sc.i += len(p)
	return true
}

// str consumes a string in encoding/json's form and returns its value.
func (sc *opScanner) str() string {
	if sc.bad || sc.i >= len(sc.s) || sc.s[sc.i] != '"' {
		sc.bad = true
		return ""
	}
	start := sc.i + 1
	escaped := false
	i := start
	for ; i < len(sc.s); i++ {
		c := sc.s[i]
		if c == '"' {
			break
		}
		switch {
		case c == '\\':
			escaped = true
			i++ // the escaped byte is never the closing quote
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			sc.bad = true // encoding/json escapes these
			return ""
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(sc.s[i:])
			if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
				sc.bad = true // written as \ufffd, \u2028, \u2029
				return ""
			}
			i += size - 1
		}
	}
	if i >= len(sc.s) {
		sc.bad = true
		return ""
	}
	sc.i = i + 1
	quoted := sc.s[start-1 : sc.i]
	if !escaped {
		return quoted[1 : len(quoted)-1]
	}
	// Rare (a newline in a note): let encoding/json say what the string
	// is and whether it writes it the same way.
	var v string
	if err := json.Unmarshal([]byte(quoted), &v); err != nil {
		sc.bad = true
		return ""
	}
	if b, err := json.Marshal(v); err != nil || string(b) != quoted {
		sc.bad = true
		return ""
	}
	return v
}

// uint consumes a decimal without sign, leading zeros or overflow.
func (sc *opScanner) uint() uint64 {
	var v uint64
	start := sc.i
	for sc.i < len(sc.s) && sc.s[sc.i] >= '0' && sc.s[sc.i] <= '9' {
		d := uint64(sc.s[sc.i] - '0')
		if v > (1<<64-1-d)/10 {
			sc.bad = true
			return 0
		}
		v = v*10 + d
		sc.i++
	}
	if sc.i == start || sc.s[start] == '0' && sc.i-start > 1 {
		sc.bad = true
	}
	return v
}

// AppendOpJSON appends to dst what json.Marshal makes of op, byte for
// byte (FuzzAppendOpJSON holds it to that): a server encodes each op of
// a push so, and encoding/json's reflection was a tenth of a burst's
// request side (docs/benchmarks.md).
func AppendOpJSON(dst []byte, op *Op) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendJSONText(dst, op.ID)
	dst = append(dst, `,"dossier":`...)
	dst = appendJSONText(dst, op.Dossier)
	dst = append(dst, `,"field":`...)
	dst = appendJSONText(dst, op.Field)
	dst = append(dst, `,"value":`...)
	dst = appendJSONText(dst, op.Value)
	dst = append(dst, `,"hlc":`...)
	dst = strconv.AppendUint(dst, uint64(op.HLC), 10)
	dst = append(dst, `,"device":`...)
	dst = appendJSONText(dst, op.Device)
	dst = append(dst, `,"author":`...)
	dst = appendJSONText(dst, op.Author)
	if len(op.Prev) > 0 { // omitempty
		dst = append(dst, `,"prev":[`...)
		for i, p := range op.Prev {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONText(dst, p)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// appendJSONText is appendJSONString for a string.
func appendJSONText(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				b, _ := json.Marshal(s) // a string always marshals
				return append(dst, b...)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b, _ := json.Marshal(s)
			return append(dst, b...)
		}
		i += size
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
