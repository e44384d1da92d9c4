package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The audit chain (docs/sync.md, "The audit chain"). Every entry written
// since the chain began carries Hash = hex SHA-256(prev || canonical),
// where prev is the 32 bytes of the previous entry's hash (32 zero bytes
// before the first entry of the log) and canonical is the entry's
// canonical bytes: AppendAuditJSON of the entry with Hash empty, after
// NormalizeAudit. The stored JSON is those bytes with `,"hash":"…"`
// before the closing brace, so decoding a stored entry and writing it
// again gives the same canonical bytes.
//
// Entries written before the chain began carry no hash: the first
// chained entry is a genesis entry (ActionChainStart) whose prev is the
// same running hash folded over every earlier entry's canonical bytes,
// so it anchors them as they were when the chain began.

// ActionChainStart is the action of the genesis entry.
const ActionChainStart = "audit chain start"

// AuditHead is the end of the chain: the last chained entry's seq and hash.
type AuditHead struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"` // hex
}

// NormalizeAudit makes e survive a JSON round trip byte for byte: the
// time in UTC, and every string valid UTF-8 (an invalid byte becomes
// U+FFFD, as encoding/json would decode it).
func NormalizeAudit(e *AuditEntry) {
	e.Time = e.Time.UTC()
	if y := e.Time.Year(); y < 0 || y > 9999 {
		e.Time = time.Time{} // out of JSON's range; never from a sane clock
	}
	for _, p := range []*string{&e.Channel, &e.User, &e.Device, &e.Action, &e.Dossier, &e.Detail, &e.Remote, &e.Role, &e.Org, &e.Read} {
		*p = validUTF8(*p)
	}
	for i, s := range e.RefusedDossiers {
		e.RefusedDossiers[i] = validUTF8(s)
	}
	for _, m := range []map[string]int{e.Delivered, e.Refused} {
		for k, v := range m {
			if nk := validUTF8(k); nk != k {
				delete(m, k)
				m[nk] += v
			}
		}
	}
}

// validUTF8 replaces each invalid byte by U+FFFD, as encoding/json does.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}

// CanonicalAudit appends e's canonical bytes: e as AppendAuditJSON
// writes it, without its hash. e must be normalised (NormalizeAudit).
func CanonicalAudit(b []byte, e *AuditEntry) []byte {
	h := e.Hash
	e.Hash = ""
	b = AppendAuditJSON(b, e)
	e.Hash = h
	return b
}

// chainNext returns SHA-256(prev || canonical).
func chainNext(prev [32]byte, canonical []byte) [32]byte {
	d := sha256.New()
	d.Write(prev[:])
	d.Write(canonical)
	var out [32]byte
	d.Sum(out[:0])
	return out
}

// parseHash decodes a hex hash; "" is the 32 zero bytes before the log.
func parseHash(s string) ([32]byte, bool) {
	var h [32]byte
	if s == "" {
		return h, true
	}
	if len(s) != 64 {
		return h, false
	}
	_, err := hex.Decode(h[:], []byte(s))
	return h, err == nil
}

// ChainAudit normalises e, sets e.Hash from prev (the hex hash of the
// previous entry, "" before the first) and returns e's stored bytes
// (appended to b).
func ChainAudit(b []byte, prev string, e *AuditEntry) ([]byte, error) {
	p, ok := parseHash(prev)
	if !ok {
		return nil, fmt.Errorf("audit chain: the previous hash %q is not a SHA-256", prev)
	}
	NormalizeAudit(e)
	e.Hash = ""
	start := len(b)
	b = AppendAuditJSON(b, e)
	h := chainNext(p, b[start:])
	e.Hash = hex.EncodeToString(h[:])
	b = b[:len(b)-1] // the closing brace
	b = append(b, `,"hash":"`...)
	b = append(b, e.Hash...)
	return append(b, `"}`...), nil
}

// FoldAudit folds an entry written before the chain into the running
// hash prev (hex, "" at the start) and returns the new running hash: how
// the genesis entry's prev is made from the entries before it.
func FoldAudit(prev string, e AuditEntry) string {
	p, _ := parseHash(prev)
	NormalizeAudit(&e)
	h := chainNext(p, CanonicalAudit(nil, &e))
	return hex.EncodeToString(h[:])
}

// StartChain gives what a backend's AppendAudit appends before the first
// chained entry: the genesis entry, dated at, and its prev, the running
// hash over the entries already in a (those that do not open or decode
// are not covered, and counted in the genesis entry's detail).
func StartChain(a Audit, at time.Time) (prev string, genesis AuditEntry, err error) {
	n, bad := 0, 0
	err = a.ScanAudit(func(_ uint64, e AuditEntry, err error) error {
		if err != nil {
			bad++
			return nil
		}
		prev = FoldAudit(prev, e)
		n++
		return nil
	})
	detail := fmt.Sprintf("covers %d earlier entries", n)
	if bad > 0 {
		detail += fmt.Sprintf("; %d did not open and are not covered", bad)
	}
	return prev, AuditEntry{Time: at, Channel: "server", User: "brug serve", Action: ActionChainStart, Detail: detail}, err
}

// AuditBreak is one place where the chain does not hold.
type AuditBreak struct {
	Position int    `json:"position"` // 1-based place in the log as stored
	Seq      uint64 `json:"seq"`      // the entry's number (its storage key)
	Problem  string `json:"problem"`  // what differs, in English
	// Kinds name the problems for programs and translations: missing,
	// order, decode, moved, nohash, badhash, hash, genesis, start,
	// truncated, appended, head, nohead.
	Kinds []string `json:"kinds"`
}

// problem is one thing wrong with an entry.
type problem struct{ kind, text string }

// AuditReport is what VerifyAudit found.
type AuditReport struct {
	Entries  int          `json:"entries"`  // entries in the log
	Unhashed int          `json:"unhashed"` // entries before the chain (anchored by the genesis entry)
	Genesis  uint64       `json:"genesis"`  // the genesis entry's seq, 0 when the chain has not begun
	Head     AuditHead    `json:"head"`     // the chain's head as stored
	Last     string       `json:"last"`     // the hash computed over the whole log
	Breaks   []AuditBreak `json:"breaks,omitempty"`
	More     int          `json:"more,omitempty"` // breaks beyond MaxAuditBreaks, not listed
}

// MaxAuditBreaks bounds the breaks a report lists.
const MaxAuditBreaks = 100

// OK reports whether the chain holds.
func (r AuditReport) OK() bool { return len(r.Breaks) == 0 }

// VerifyAudit checks the audit chain of a (one transaction's) log.
func VerifyAudit(a Audit) (AuditReport, error) {
	var r AuditReport
	add := func(pos int, seq uint64, problems []problem) {
		if len(problems) == 0 {
			return
		}
		if len(r.Breaks) >= MaxAuditBreaks {
			r.More++
			return
		}
		b := AuditBreak{Position: pos, Seq: seq}
		var texts []string
		for _, p := range problems {
			b.Kinds = append(b.Kinds, p.kind)
			texts = append(texts, p.text)
		}
		b.Problem = strings.Join(texts, "; ")
		r.Breaks = append(r.Breaks, b)
	}
	var h [32]byte // the running hash
	var lastKey uint64
	chained := false
	err := a.ScanAudit(func(key uint64, e AuditEntry, derr error) error {
		r.Entries++
		pos := r.Entries
		var problems []problem
		if key != lastKey+1 {
			switch {
			case key > lastKey+1 && key == lastKey+2:
				problems = append(problems, problem{"missing", fmt.Sprintf("entry %d is missing (removed)", lastKey+1)})
			case key > lastKey+1:
				problems = append(problems, problem{"missing", fmt.Sprintf("entries %d to %d are missing (removed)", lastKey+1, key-1)})
			default:
				problems = append(problems, problem{"order", fmt.Sprintf("stored after entry %d (out of order)", lastKey)})
			}
		}
		lastKey = key
		if derr != nil {
			add(pos, key, append(problems, problem{"decode", fmt.Sprintf("does not open or decode: %v", derr)}))
			return nil
		}
		if e.Seq != key {
			problems = append(problems, problem{"moved", fmt.Sprintf("holds number %d but is stored as %d (moved or copied)", e.Seq, key)})
		}
		NormalizeAudit(&e)
		next := chainNext(h, CanonicalAudit(nil, &e))
		switch {
		case e.Hash == "" && !chained:
			r.Unhashed++
			if e.Action == ActionChainStart {
				problems = append(problems, problem{"nohash", "a chain start without a hash"})
			}
		case e.Hash == "":
			problems = append(problems, problem{"nohash", "has no hash, but the chain began at entry " + fmt.Sprint(r.Genesis)})
		default:
			if !chained {
				chained = true
				r.Genesis = key
				if e.Action != ActionChainStart {
					problems = append(problems, problem{"start", "the chain's first entry is not its start (" + ActionChainStart + ")"})
				}
			}
			stored, ok := parseHash(e.Hash)
			switch {
			case !ok:
				problems = append(problems, problem{"badhash", fmt.Sprintf("its hash %q is not a SHA-256", e.Hash)})
			case stored != next:
				kind, what := "hash", "its content was changed, or an entry before it was changed, removed or moved"
				if key == r.Genesis {
					kind, what = "genesis", "an entry written before the chain began was changed, removed or moved, or the chain start itself was changed"
				}
				problems = append(problems, problem{kind, fmt.Sprintf("hash differs: stored %.12s…, computed %.12s…: %s", e.Hash, hex.EncodeToString(next[:]), what)})
				next = stored // go on from what is stored: one change is one break
			}
		}
		h = next
		add(pos, key, problems)
		return nil
	})
	if err != nil {
		return r, err
	}
	r.Last = hex.EncodeToString(h[:])
	head, ok, err := a.AuditHead()
	if err != nil {
		return r, err
	}
	if ok {
		r.Head = head
		switch {
		case head.Seq > lastKey:
			add(r.Entries+1, head.Seq, []problem{{"truncated", fmt.Sprintf("the log ends at entry %d but the chain's head is entry %d: entries at the end were removed", lastKey, head.Seq)}})
		case head.Seq < lastKey:
			add(r.Entries, lastKey, []problem{{"appended", fmt.Sprintf("entries after the chain's head (entry %d) were added outside the chain", head.Seq)}})
		case head.Hash != r.Last:
			add(r.Entries, lastKey, []problem{{"head", fmt.Sprintf("the chain's head %.12s… is not the last entry's hash %.12s…", head.Hash, r.Last)}})
		}
	} else if chained {
		add(r.Entries, lastKey, []problem{{"nohead", "the log has chained entries but no head"}})
	}
	return r, nil
}

// DecodeAudit decodes a stored entry.
func DecodeAudit(plain []byte) (AuditEntry, error) {
	var e AuditEntry
	err := json.Unmarshal(plain, &e)
	return e, err
}
