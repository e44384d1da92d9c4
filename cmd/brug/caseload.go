package main

import (
	"bytes"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/brug-nl/brug/store"
)

// A caseload import (brug import): a CSV file of clients, one per line,
// checked as a whole and written in one transaction.

// caseColumns maps the header names a caseload file may use (folded:
// lower case, accents, spaces, '_', '-' and '.' dropped) to what they
// fill. The Dutch names follow the GGM (Gemeentelijk Gegevensmodel) where
// it has one: voornamen, voorvoegselgeslachtsnaam, geslachtsnaam,
// geboortedatum, and the Participatie domain's uitkering and doelgroep.
var caseColumns = map[string]string{
	"naam":                     "name",
	"voornaam":                 "first",
	"voornamen":                "first",
	"roepnaam":                 "first",
	"voorvoegsel":              "prefix",
	"tussenvoegsel":            "prefix",
	"voorvoegselgeslachtsnaam": "prefix",
	"achternaam":               "last",
	"geslachtsnaam":            "last",
	"geboortejaar":             "birthyear",
	"geboortedatum":            "birthdate",
	"team":                     "team",
	"coach":                    "coaches",
	"coaches":                  "coaches",
	"uitkering":                "benefit",
	"soortuitkering":           "benefit",
	"doel":                     "route_target",
	"routedoel":                "route_target",
	"doelgroep":                "route_target",
	"plek":                     "places",
	"huidigeplek":              "places",
}

// maxCaseRows is the most clients one import takes; maxCaseProblems the
// most problems reported.
const (
	maxCaseRows     = 20000
	maxCaseProblems = 500
)

// caseRow is one client of a caseload file, from line Line.
type caseRow struct {
	Line   int
	Client store.NewClient
}

// caseProblem is one thing wrong with a caseload file: on line Line (0:
// the whole file), in column Column ("" for the whole line), of kind Key
// (a message key under "caseload.p."), about Value.
type caseProblem struct {
	Line   int
	Column string
	Key    string
	Value  string
}

// foldColumn folds a header name for caseColumns.
func foldColumn(s string) string {
	s = store.FoldName(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-', '.':
			return -1
		}
		return r
	}, s)
}

// caseSeparator guesses the separator from the header line: ';' (as
// Dutch Excel writes) when it has more of those than commas.
func caseSeparator(data []byte) rune {
	line := data
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if bytes.Count(line, []byte(";")) > bytes.Count(line, []byte(",")) {
		return ';'
	}
	return ','
}

// parseCaseload reads a caseload file: a header row and one client per
// line. team is the team of rows without one (--team); thisYear bounds
// birth years. Every problem is reported, each with its line and column.
func parseCaseload(data []byte, team string, thisYear int) ([]caseRow, []caseProblem) {
	var rows []caseRow
	t := csvTable{columns: caseColumns, unknown: "column", maxRows: maxCaseRows, tooMany: "toomany", noHeaderLine: 1}
	header := func(cols map[string]int, line int, add csvAdd) {
		_, full := cols["name"]
		_, first := cols["first"]
		_, last := cols["last"]
		if !full && !(first && last) {
			add(line, "", "noname", "")
		}
		if full && (first || last) {
			add(line, "", "bothnames", "")
		}
		if _, ok := cols["team"]; !ok && team == "" {
			add(line, "", "noteam", "")
		}
		if _, ok := cols["birthyear"]; ok {
			if _, ok := cols["birthdate"]; ok {
				add(line, "", "bothyears", "")
			}
		}
	}
	row := func(line int, get csvGet, add csvAdd) bool {
		var n store.NewClient
		bad := false
		fail := func(col, key, value string) { add(line, col, key, value); bad = true }
		scalar := func(v, col string) string {
			if len(v) > store.MaxScalar {
				fail(col, "toolong", strconv.Itoa(store.MaxScalar))
				return ""
			}
			if strings.ContainsAny(v, "\n\r\t") {
				fail(col, "linebreak", "")
				return ""
			}
			return v
		}
		// The name: naam, or voornaam [voorvoegsel] achternaam.
		if v, col := get("name"); col != "" {
			n.Name = scalar(v, col)
			if v == "" {
				fail(col, "noname.row", "")
			}
		} else {
			fv, fcol := get("first")
			pv, _ := get("prefix")
			lv, lcol := get("last")
			if lv == "" {
				fail(lcol, "empty", "")
			}
			if fv == "" {
				fail(fcol, "empty", "")
			}
			n.Name = scalar(strings.Join(strings.Fields(fv+" "+pv+" "+lv), " "), lcol)
		}
		if v, col := get("birthyear"); v != "" {
			n.BirthYear = checkYear(v, col, thisYear, fail)
		} else if v, col := get("birthdate"); v != "" {
			d, err := store.ParseDay(v)
			if err != nil {
				fail(col, "date", v)
			} else {
				n.BirthYear = checkYear(d[:4], col, thisYear, fail)
			}
		}
		if v, col := get("team"); col != "" && v != "" {
			n.Team = scalar(v, col)
		} else if team != "" {
			n.Team = team
		} else {
			fail(col, "empty", "")
		}
		if v, col := get("coaches"); v != "" {
			n.Coaches = scalar(v, col)
		}
		if v, col := get("benefit"); v != "" {
			code := strings.ToLower(strings.Join(strings.Fields(v), ""))
			if code == "" || !contains(store.Benefits, code) {
				fail(col, "benefit", v)
			} else {
				n.Benefit = code
			}
		}
		if v, col := get("route_target"); v != "" {
			if p := placeCode(v); p.Rank() < 0 {
				fail(col, "place", v)
			} else {
				n.RouteTarget = p
			}
		}
		if v, col := get("places"); v != "" {
			for _, part := range strings.Split(v, ",") {
				if strings.TrimSpace(part) == "" {
					return false
				}
				if p := placeCode(part); p.Rank() < 0 {
					fail(col, "place", part)
				} else {
					n.Places = append(n.Places, p)
				}
			}
		}
		if bad {
			return false
		}
		if errs := n.Validate(); errs != nil {
			// A backstop: the checks above cover what Validate checks.
			for _, f := range slices.Sorted(maps.Keys(errs)) {
				add(line, f, "invalid", errs[f].Error())
			}
			return false
		}
		rows = append(rows, caseRow{Line: line, Client: n})
		return true
	}
	probs := t.read(data, header, row)
	if len(rows) == 0 && len(probs) == 0 {
		probs = append(probs, caseProblem{Key: "empty.file"})
	}
	return rows, probs
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

func checkYear(v, col string, thisYear int, fail func(col, key, value string)) string {
	y, err := strconv.Atoi(v)
	switch {
	case err != nil || y < 1900:
		fail(col, "year", v)
		return ""
	case y > thisYear:
		fail(col, "future", v)
		return ""
	}
	return strconv.Itoa(y)
}

// placeCode reads a place as people write it: the code, in any case,
// with spaces for its dashes ("Regulier werk").
func placeCode(v string) store.Place {
	return store.Place(strings.ToLower(strings.Join(strings.Fields(v), "-")))
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
