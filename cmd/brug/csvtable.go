package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// csvTable is the shape of the CSV files brug reads (brug import, brug
// admin org import): UTF-8, an optional byte order mark, ';' or ','
// between fields, a header row naming known columns, then one record per
// line. Every problem is reported with its line and column, up to
// maxCaseProblems.
type csvTable struct {
	columns      map[string]string // folded header name -> what the column holds
	unknown      string            // problem key of a header name not in columns
	maxRows      int
	tooMany      string // problem key past maxRows
	noHeaderLine int    // the line a missing header is reported on
}

// csvAdd reports a problem at a line and column.
type csvAdd func(line int, col, key, value string)

// csvGet gives a row's value of a column (trimmed) and the column's name
// as the header wrote it; "" and "" when the file has no such column.
type csvGet func(what string) (value, col string)

// read reads data. header checks the columns found (what -> index) and
// reports what is missing; the rows are not read when it reported
// anything. row takes one record and says whether it made a row of it
// (rows count against maxRows). The problems come back in file order.
func (t csvTable) read(data []byte, header func(cols map[string]int, line int, add csvAdd), row func(line int, get csvGet, add csvAdd) bool) []caseProblem {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var probs []caseProblem
	add := func(line int, col, key, value string) {
		if len(probs) < maxCaseProblems {
			probs = append(probs, caseProblem{Line: line, Column: col, Key: key, Value: value})
		}
	}
	if !utf8.Valid(data) {
		add(1+bytes.Count(data[:firstInvalid(data)], []byte("\n")), "", "utf8", "")
		return probs
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = caseSeparator(data)
	cr.FieldsPerRecord = -1
	cols := map[string]int{} // what -> index
	var names []string       // header names as written, by index
	inHeader, rows := true, 0
	for len(probs) < maxCaseProblems {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				add(0, "", "csv", err.Error())
				break
			}
			add(pe.StartLine, "", "csv", pe.Err.Error())
			if inHeader {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if inHeader {
			inHeader = false
			for i, f := range rec {
				f = strings.TrimSpace(f)
				names = append(names, f)
				what, ok := t.columns[foldColumn(f)]
				if !ok {
					add(line, f, t.unknown, f)
					continue
				}
				if _, dup := cols[what]; dup {
					add(line, f, "twice", f)
					continue
				}
				cols[what] = i
			}
			header(cols, line, add)
			if len(probs) > 0 {
				return probs
			}
			continue
		}
		if len(rec) != len(names) {
			add(line, "", "fields", fmt.Sprintf("%d\x00%d", len(rec), len(names)))
			continue
		}
		if rows == t.maxRows {
			add(line, "", t.tooMany, strconv.Itoa(t.maxRows))
			break
		}
		get := func(what string) (string, string) {
			i, ok := cols[what]
			if !ok {
				return "", ""
			}
			return strings.TrimSpace(rec[i]), names[i]
		}
		if row(line, get, add) {
			rows++
		}
	}
	if inHeader && len(probs) == 0 {
		add(t.noHeaderLine, "", "noheader", "")
	}
	return probs
}
