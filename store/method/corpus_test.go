package method

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// brokenFile is a file of the broken-file corpus, named for test output,
// with the error Parse gives for it.
type brokenFile struct {
	name string
	data []byte
	err  *ParseError
}

// brokenCorpus returns the files the message tests walk: the cases of
// TestParseErrors, the seeds of FuzzParse, and mechanical breakages of
// small and of the default method's header and first step (each line left
// out, the file cut off after each line, each line indented one space more
// or less). Most of them fail to parse, each in its own way; the ones that
// parse are left out.
func brokenCorpus(t *testing.T) []brokenFile {
	t.Helper()
	var out []brokenFile
	for _, c := range errorCases {
		data, ok := c.file()
		if !ok {
			t.Fatalf("case %s: %q is not in the file", c.name, c.old)
		}
		out = append(out, brokenFile{name: "case " + c.name, data: []byte(data)})
	}
	seeds, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParse", "*"))
	if err != nil || len(seeds) == 0 {
		t.Fatalf("no fuzz seeds: %v", err)
	}
	for _, path := range seeds {
		out = append(out, brokenFile{name: "seed " + filepath.Base(path), data: readSeed(t, path)})
	}
	firstStep, _, _ := strings.Cut(defaultYAML, "\n  - n: 2\n")
	for _, base := range []struct{ name, data string }{{"small", small}, {"default", firstStep + "\n"}} {
		lines := strings.SplitAfter(base.data, "\n")
		for i, l := range lines {
			rest := func(l string) []byte {
				return []byte(strings.Join(lines[:i], "") + l + strings.Join(lines[i+1:], ""))
			}
			n := strconv.Itoa(i + 1)
			out = append(out,
				brokenFile{name: base.name + " without line " + n, data: rest("")},
				brokenFile{name: base.name + " cut after line " + n, data: []byte(strings.Join(lines[:i+1], ""))},
				brokenFile{name: base.name + " line " + n + " indented more", data: rest(" " + l)})
			if strings.HasPrefix(l, " ") {
				out = append(out, brokenFile{name: base.name + " line " + n + " indented less", data: rest(l[1:])})
			}
		}
	}
	broken := out[:0]
	for _, f := range out {
		_, err := Parse("regio.yaml", f.data)
		if err == nil {
			continue
		}
		if !errors.As(err, &f.err) {
			t.Fatalf("%s: error %v (%T) is not a *ParseError", f.name, err, err)
		}
		broken = append(broken, f)
	}
	return broken
}

// readSeed reads a file of Go's fuzz corpus format holding one []byte.
func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(raw), "\n")
	body = strings.TrimSpace(body)
	if !ok || !strings.HasPrefix(body, "[]byte(") || !strings.HasSuffix(body, ")") {
		t.Fatalf("%s: not a fuzz seed of one []byte", path)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(body, "[]byte("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}
