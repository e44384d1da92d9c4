package method

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// FuzzParse feeds Parse arbitrary bytes. Parse must never panic; it must
// either return a method that keeps every invariant (and survives being
// written out and read back) or a *ParseError whose line lies in the file
// and that reads in Dutch and English (checkLanguages).
// Seeds live in testdata/fuzz/FuzzParse: the default method, small, and
// broken files of each kind.
func FuzzParse(f *testing.F) {
	f.Add([]byte(small))
	f.Add(DefaultYAML())
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseWithin(t, data, parseDeadline)
		if err == nil {
			if m == nil {
				t.Fatal("no method and no error")
			}
			if err := checkMethod(m); err != nil {
				t.Fatalf("accepted a method that breaks an invariant: %v", err)
			}
			again, err := Parse("again.yaml", encode(t, m))
			if err != nil {
				t.Fatalf("a parsed method, written out, does not parse again: %v", err)
			}
			if !reflect.DeepEqual(m, again) {
				t.Fatalf("round trip changed the method:\n%+v\n%+v", m, again)
			}
			return
		}
		if m != nil {
			t.Fatal("a method along with an error")
		}
		var perr *ParseError
		if !errors.As(err, &perr) {
			t.Fatalf("error %v (%T) is not a *ParseError", err, err)
		}
		if perr.Line < 0 || perr.Line > countLines(data) || perr.Msg == "" || perr.File != "fuzz.yaml" {
			t.Fatalf("bad ParseError %+v for a file of %d lines", perr, countLines(data))
		}
		checkLanguages(t, perr)
	})
}

// checkLanguages checks that perr reads in both languages: In never
// panics, gives Error() for English and a Dutch line of its own, and no
// message is empty or has a formatting slip.
func checkLanguages(t *testing.T, perr *ParseError) {
	t.Helper()
	nl, en := perr.In("nl"), perr.In("en")
	switch {
	case perr.MsgNL == "" || nl == "" || en == "":
		t.Fatalf("an empty message: %+v", perr)
	case en != perr.Error():
		t.Fatalf("In(en) = %q, want Error() = %q", en, perr.Error())
	case nl == en || !strings.HasPrefix(nl, "methodebestand fuzz.yaml"):
		t.Fatalf("In(nl) is not Dutch: %q", nl)
	case strings.Contains(nl, "%!") || strings.Contains(en, "%!"):
		t.Fatalf("a formatting slip:\n%s\n%s", nl, en)
	}
}

// FuzzValues writes arbitrary ids, texts and versions into a
// well-formed method file and checks that Parse accepts exactly the values
// docs/method.md allows, and reads back what was written. FuzzParse rarely
// produces a file that parses; this target explores the values instead.
func FuzzValues(f *testing.F) {
	f.Add("c1", "Kennismakingsgesprek gevoerd", "Introductory talk held", 1)
	f.Add("q1", "Wat doe je het liefst?", "", 2)
	f.Add("C1", "", "only English", 0)
	f.Add(" c-2_x ", " Let op: \"toestemming\" #1\n  tweede regel ", "\tTab", -1)
	f.Add("c1", "Wie wil je \x1b[31merbij\u2028 hebben?", "\u00e9\ufffe", 3)
	f.Fuzz(func(t *testing.T, id, nl, en string, version int) {
		txt := Text{NL: nl, EN: en}
		in := &Method{ID: "demo", Version: version, Name: txt, Steps: []Step{{
			N: 1, Title: txt, Goal: txt,
			Checklist: []Item{{ID: id, Text: txt}},
			Questions: []Item{{ID: "q1", Text: txt}},
			Tips:      []Text{txt},
		}}}
		data, err := yaml.Marshal(toFile(in))
		if err != nil {
			t.Skip("yaml.v3 cannot write these values:", err)
		}
		m, err := parseWithin(t, data, parseDeadline)
		want := version >= 1 && validID(id) && strings.TrimSpace(id) != "q1" &&
			validText(nl, true) && validText(en, false)
		switch {
		case want && err != nil:
			t.Fatalf("refused allowed values (id %q, nl %q, en %q, version %d): %v\n%s", id, nl, en, version, err, data)
		case !want && err == nil:
			t.Fatalf("accepted forbidden values (id %q, nl %q, en %q, version %d)\n%s", id, nl, en, version, data)
		case err != nil:
			var perr *ParseError
			if !errors.As(err, &perr) || perr.Line < 1 || perr.Line > countLines(data) {
				t.Fatalf("bad error %v for\n%s", err, data)
			}
			checkLanguages(t, perr)
			return
		}
		wantText := Text{NL: strings.TrimSpace(nl), EN: strings.TrimSpace(en)}
		s := m.Steps[0]
		if m.Version != version || m.Name != wantText || s.Title != wantText || s.Tips[0] != wantText ||
			s.Checklist[0] != (Item{ID: strings.TrimSpace(id), Text: wantText}) {
			t.Fatalf("read back %+v, want texts %+v and id %q", m, wantText, id)
		}
	})
}

// validID and validText state the rules of docs/method.md independently of
// the parser's code.
func validID(id string) bool {
	id = strings.TrimSpace(id)
	if len(id) == 0 || len(id) > 32 || id[0] < 'a' || id[0] > 'z' {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func validText(s string, required bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	s = strings.TrimSpace(s)
	if required && s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r == '\n':
		case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0x2028, r == 0x2029,
			r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff:
			return false
		}
	}
	return true
}

// parseDeadline bounds one Parse of fuzz input, which is small: a Parse
// that takes longer hangs.
const parseDeadline = 10 * time.Second

// parseWithin runs Parse and fails the test, naming the input, when it does
// not return within d. Without this a hanging input only shows as a fuzzer
// that stops making progress, and is never saved.
func parseWithin(t *testing.T, data []byte, d time.Duration) (*Method, error) {
	t.Helper()
	type result struct {
		m   *Method
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := Parse("fuzz.yaml", data)
		done <- result{m, err}
	}()
	select {
	case r := <-done:
		return r.m, r.err
	case <-time.After(d):
		t.Fatalf("Parse did not return within %v on %q", d, data)
		return nil, nil
	}
}

// checkMethod checks the invariants every parsed method keeps, as
// docs/method.md states them.
func checkMethod(m *Method) error {
	if !methodID.MatchString(m.ID) {
		return fmt.Errorf("method id %q", m.ID)
	}
	if m.Version < 1 {
		return fmt.Errorf("version %d", m.Version)
	}
	if err := checkText(m.Name, "name"); err != nil {
		return err
	}
	if len(m.Steps) == 0 {
		return errors.New("no steps")
	}
	for i, s := range m.Steps {
		if s.N != i+1 {
			return fmt.Errorf("step %d has N %d", i+1, s.N)
		}
		if err := checkText(s.Title, "title"); err != nil {
			return err
		}
		if err := checkText(s.Goal, "goal"); err != nil {
			return err
		}
		if len(s.Checklist) == 0 || len(s.Questions) == 0 {
			return fmt.Errorf("step %d has an empty checklist or no questions", s.N)
		}
		ids := map[string]bool{}
		for _, it := range append(append([]Item{}, s.Checklist...), s.Questions...) {
			if !itemID.MatchString(it.ID) || ids[it.ID] {
				return fmt.Errorf("step %d: bad or repeated id %q", s.N, it.ID)
			}
			ids[it.ID] = true
			if err := checkText(it.Text, it.ID); err != nil {
				return err
			}
		}
		for _, tip := range s.Tips {
			if err := checkText(tip, "tip"); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkText(t Text, what string) error {
	if t.NL == "" {
		return fmt.Errorf("%s has no Dutch text", what)
	}
	for _, s := range []string{t.NL, t.EN} {
		if !utf8.ValidString(s) || s != strings.TrimSpace(s) {
			return fmt.Errorf("%s: text %q is not valid UTF-8 or not trimmed", what, s)
		}
		for _, r := range s {
			if r != '\n' && (r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 || r == 0xfffe || r == 0xffff) {
				return fmt.Errorf("%s: text %q holds character %U", what, s, r)
			}
		}
	}
	return nil
}

// encode writes m as a method file, the way docs/method.md describes it.
func encode(t *testing.T, m *Method) []byte {
	t.Helper()
	data, err := yaml.Marshal(toFile(m))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return data
}

// toFile turns m into a value that yaml.Marshal writes as a method file.
func toFile(m *Method) any {
	type text struct {
		NL string `yaml:"nl"`
		EN string `yaml:"en,omitempty"`
	}
	type item struct {
		ID string `yaml:"id"`
		NL string `yaml:"nl"`
		EN string `yaml:"en,omitempty"`
	}
	type step struct {
		N         int    `yaml:"n"`
		Title     text   `yaml:"title"`
		Goal      text   `yaml:"goal"`
		Checklist []item `yaml:"checklist"`
		Questions []item `yaml:"questions"`
		Tips      []text `yaml:"tips,omitempty"`
	}
	type file struct {
		ID      string `yaml:"id"`
		Version int    `yaml:"version"`
		Name    text   `yaml:"name"`
		Steps   []step `yaml:"steps"`
	}
	items := func(in []Item) []item {
		out := make([]item, len(in))
		for i, it := range in {
			out[i] = item{it.ID, it.Text.NL, it.Text.EN}
		}
		return out
	}
	out := file{ID: m.ID, Version: m.Version, Name: text(m.Name)}
	for _, s := range m.Steps {
		st := step{N: s.N, Title: text(s.Title), Goal: text(s.Goal), Checklist: items(s.Checklist), Questions: items(s.Questions)}
		for _, tip := range s.Tips {
			st.Tips = append(st.Tips, text(tip))
		}
		out.Steps = append(out.Steps, st)
	}
	return out
}
