package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/brug-nl/brug/store/termsafe"
	"github.com/brug-nl/brug/sync/server"
)

// auditTime parses --since or --until: a date (YYYY-MM-DD, local time) or
// an RFC 3339 time. A date as --until (end) means the end of that day.
func auditTime(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// auditStamp is an audit time in the table: local time with its UTC
// offset, so a log read on a machine in another zone, or around a change
// to summer time, is never off by an hour unnoticed.
func auditStamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04 -07:00")
}

// auditCSVHeader names the CSV columns as the JSON fields are named.
var auditCSVHeader = []string{"seq", "time", "channel", "user", "device", "action", "dossier", "ops", "detail", "refused", "remote", "unrecorded"}

// writeAuditCSV writes entries as RFC 4180 CSV (CRLF line ends, fields
// quoted where needed) with a header row. A record naming many dossiers
// (a delivery, a refused push) becomes one row per dossier, with its seq
// repeated, so that a spreadsheet filters by dossier and no cell grows
// past a spreadsheet's cell limit.
func writeAuditCSV(w io.Writer, entries []server.AuditEntry) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(auditCSVHeader); err != nil {
		return err
	}
	for _, e := range entries {
		refused := make([]string, 0, len(e.Refused))
		for _, code := range slices.Sorted(maps.Keys(e.Refused)) {
			refused = append(refused, fmt.Sprintf("%s %d", code, e.Refused[code]))
		}
		unrecorded := ""
		if e.Unrecorded > 0 {
			unrecorded = strconv.Itoa(e.Unrecorded)
		}
		row := func(dossier, ops string) error {
			return cw.Write([]string{
				strconv.FormatUint(e.Seq, 10), e.Time.Local().Format(time.RFC3339), csvCell(e.Channel), csvCell(e.User),
				csvCell(e.Device), csvCell(e.Action), csvCell(dossier), ops, csvCell(e.Detail),
				csvCell(strings.Join(refused, ", ")), csvCell(e.Remote), unrecorded,
			})
		}
		var err error
		switch {
		case len(e.Delivered) > 0:
			for _, id := range slices.Sorted(maps.Keys(e.Delivered)) {
				if err = row(id, strconv.Itoa(e.Delivered[id])); err != nil {
					break
				}
			}
		case len(e.RefusedDossiers) > 0 && e.Dossier == "":
			for _, id := range e.RefusedDossiers {
				if err = row(id, ""); err != nil {
					break
				}
			}
		default:
			err = row(e.Dossier, "")
		}
		if err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvCell makes text from the log safe in a CSV cell: control and format
// characters escaped as in the table (the file may be printed), and a
// cell a spreadsheet would run as a formula defused.
//
// Attack: a device named "=HYPERLINK(...)" (or an older file's detail)
// lands in an export the data protection officer opens in Excel, which
// runs it. OWASP's advice: prefix such cells with a single quote.
func csvCell(s string) string {
	s = termsafe.Escape(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeAuditJSON writes entries as NDJSON: one object per line, as the
// server keeps them (fields as in docs/sync.md), with times in local
// time and their offset (RFC 3339). Characters that would steer a
// terminal are written as \u escapes, which JSON readers decode to the
// same text.
func writeAuditJSON(w io.Writer, entries []server.AuditEntry) error {
	var buf bytes.Buffer
	for _, e := range entries {
		e.Time = e.Time.Local()
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		buf.Reset()
		jsonTermSafe(&buf, b)
		buf.WriteByte('\n')
		if _, err := w.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// jsonTermSafe copies encoded JSON to buf with every character termsafe
// would escape written as a \u escape (encoding/json leaves DEL, C1
// controls and bidi overrides as they are). Such characters only occur
// inside strings, where the escape means the same character.
func jsonTermSafe(buf *bytes.Buffer, b []byte) {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if c := b[0]; c >= 0x20 && c < 0x7f || termsafe.Escape(string(b[:n])) == string(b[:n]) {
			buf.Write(b[:n])
		} else if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			fmt.Fprintf(buf, `\u%04x\u%04x`, r1, r2)
		} else {
			fmt.Fprintf(buf, `\u%04x`, r)
		}
		b = b[n:]
	}
}
