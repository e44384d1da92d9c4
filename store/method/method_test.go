package method

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestDefault(t *testing.T) {
	m := Default()
	if err := checkMethod(m); err != nil {
		t.Fatalf("default method breaks an invariant: %v", err)
	}
	if m.ID != "bruggen-naar-werk" || m.Version < 1 {
		t.Errorf("id, version = %q, %d", m.ID, m.Version)
	}
	wantTitles := []string{
		"Kennismaken en verkennen",
		"Partners aan tafel",
		"Samen een doel en route kiezen",
		"Voorwaarden regelen",
		"De overstap maken",
		"Borgen en evalueren",
	}
	if len(m.Steps) != len(wantTitles) {
		t.Fatalf("default method has %d steps, want %d", len(m.Steps), len(wantTitles))
	}
	for i, s := range m.Steps {
		if s.Title.NL != wantTitles[i] {
			t.Errorf("step %d title = %q, want %q", s.N, s.Title.NL, wantTitles[i])
		}
		if len(s.Checklist) < 7 || len(s.Questions) < 5 || len(s.Tips) < 3 || len(s.Tips) > 4 {
			t.Errorf("step %d has %d checklist items, %d questions and %d tips; want >= 7, >= 5 and 3-4",
				s.N, len(s.Checklist), len(s.Questions), len(s.Tips))
		}
		all := []Text{s.Title, s.Goal}
		for j, it := range s.Checklist {
			if want := "c" + strconv.Itoa(j+1); it.ID != want {
				t.Errorf("step %d checklist item %d has id %s, want %s", s.N, j+1, it.ID, want)
			}
			all = append(all, it.Text)
		}
		for j, it := range s.Questions {
			if want := "q" + strconv.Itoa(j+1); it.ID != want {
				t.Errorf("step %d question %d has id %s, want %s", s.N, j+1, it.ID, want)
			}
			all = append(all, it.Text)
		}
		all = append(all, s.Tips...)
		for _, txt := range all {
			if txt.NL == "" || txt.EN == "" {
				t.Errorf("step %d has a text without Dutch or English: %+v", s.N, txt)
			}
		}
	}
}

// TestDefaultCoversDomain guards the practices docs/DOMAIN.md asks the
// default method to cover, so that a rewording does not drop one.
func TestDefaultCoversDomain(t *testing.T) {
	m := Default()
	for _, c := range []struct {
		step int
		nl   string // fragment of some Dutch text in the step, lower case
	}{
		{1, "aanvraag voor dagbesteding"}, // Oss: early check for work potential
		{1, "toestemming"},                // AVG consent
		{1, "wajong"},
		{2, "consulent beschut werk"},
		{2, "klantmanager werk & inkomen"},
		{2, "werkgeversservicepunt"},
		{3, "consulent beschut werk en klantmanager werk & inkomen"}, // Amsterdam: joint decision
		{3, "weg terug"},
		{3, "stapje terug"},
		{4, "financiële gevolgen"},
		{4, "advies beschut werk"},
		{4, "doelgroepenregister"},
		{4, "loonwaarde en zelfredzaamheid"},
		{4, "wmo, wlz en participatiewet"},
		{4, "vervoer"},
		{5, "proefplaatsing of leerwerkplek met behoud van uitkering"},
		{5, "één voet in elke wereld"},
		{5, "jobcoach"},
		{6, "herbeoordeling door uwv"},
		{6, "coördinator"},
		{6, "uitkomst"},
		{6, "vangnet"},
	} {
		s, _ := m.Step(c.step)
		if !strings.Contains(allDutch(s), c.nl) {
			t.Errorf("step %d of the default method does not mention %q", c.step, c.nl)
		}
	}
}

func allDutch(s *Step) string {
	var b strings.Builder
	for _, t := range []Text{s.Title, s.Goal} {
		b.WriteString(t.NL + "\n")
	}
	for _, it := range append(append([]Item{}, s.Checklist...), s.Questions...) {
		b.WriteString(it.Text.NL + "\n")
	}
	for _, t := range s.Tips {
		b.WriteString(t.NL + "\n")
	}
	return strings.ToLower(b.String())
}

func TestDefaultIsAFreshCopy(t *testing.T) {
	a := Default()
	a.Steps[0].Title.NL = "changed"
	a.Steps[0].Checklist[0].ID = "changed"
	if b := Default(); b.Steps[0].Title.NL == "changed" || b.Steps[0].Checklist[0].ID == "changed" {
		t.Fatal("Default returned a method shared with an earlier call")
	}
	y := DefaultYAML()
	y[0] = '!'
	if DefaultYAML()[0] == '!' {
		t.Fatal("DefaultYAML returned the embedded bytes themselves")
	}
	if _, err := Parse("copy.yaml", DefaultYAML()); err != nil {
		t.Fatalf("DefaultYAML does not parse: %v", err)
	}
}

func TestTextIn(t *testing.T) {
	both := Text{NL: "Doel", EN: "Goal"}
	onlyNL := Text{NL: "Doel"}
	for _, c := range []struct {
		t    Text
		lang string
		want string
	}{
		{both, "nl", "Doel"},
		{both, "en", "Goal"},
		{both, "EN", "Goal"},
		{both, "en-GB", "Goal"},
		{both, "en_US", "Goal"},
		{both, "de", "Doel"},
		{both, "", "Doel"},
		{onlyNL, "en", "Doel"},
		{onlyNL, "nl", "Doel"},
	} {
		if got := c.t.In(c.lang); got != c.want {
			t.Errorf("%+v.In(%q) = %q, want %q", c.t, c.lang, got, c.want)
		}
	}
}

func TestLookups(t *testing.T) {
	m, err := Parse("small.yaml", []byte(small))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, -1, 3} {
		if _, ok := m.Step(n); ok {
			t.Errorf("Step(%d) found a step", n)
		}
	}
	s, ok := m.Step(2)
	if !ok || s.N != 2 || s.Title.NL != "Partners aan tafel" {
		t.Fatalf("Step(2) = %+v, %v", s, ok)
	}
	if it, ok := s.Item("c1"); !ok || it.Text.NL != "Zorgaanbieder in beeld" {
		t.Errorf("Item(c1) = %+v, %v", it, ok)
	}
	if _, ok := s.Item("q1"); ok {
		t.Error("Item(q1) found a question")
	}
	if q, ok := s.Question("q1"); !ok || q.Text.In("en") != "Wie wil je erbij hebben?" {
		t.Errorf("Question(q1) = %+v, %v (want the Dutch fallback)", q, ok)
	}
	if _, ok := s.Question("c1"); ok {
		t.Error("Question(c1) found a checklist item")
	}
	// The pointer refers into the method, so callers see one truth.
	it, _ := s.Item("c1")
	it.Text.NL = "gewijzigd"
	if s.Checklist[0].Text.NL != "gewijzigd" {
		t.Error("Item returned a copy, not the item in the method")
	}
	var nilMethod *Method
	if _, ok := nilMethod.Step(1); ok {
		t.Error("Step on a nil method found a step")
	}
}

func TestParseErrorFormat(t *testing.T) {
	e := &ParseError{File: "regio.yaml", Line: 12, Msg: "something is wrong"}
	if got, want := e.Error(), "method file regio.yaml, line 12: something is wrong"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e.Line = 0
	if got, want := e.Error(), "method file regio.yaml: something is wrong"; got != want {
		t.Errorf("Error() without a line = %q, want %q", got, want)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "regio.yaml")
	if err := os.WriteFile(good, []byte(small), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := Load(good)
	if err != nil || m.ID != "demo" {
		t.Fatalf("Load(good) = %+v, %v", m, err)
	}

	_, err = Load(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want an error wrapping fs.ErrNotExist", err)
	}
	var perr *ParseError
	if errors.As(err, &perr) {
		t.Errorf("Load(missing) gave a ParseError: %v", err)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(small, "title:", "titel:", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(bad)
	if !errors.As(err, &perr) || perr.File != bad || perr.Line != 6 {
		t.Errorf("Load(bad) = %v, want a ParseError for %s at line 6", err, bad)
	}

	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte(small+"#"+strings.Repeat("x", MaxFileSize)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(big)
	if !errors.As(err, &perr) || perr.Line != 0 || !strings.Contains(perr.Msg, "larger than 1 MiB") {
		t.Errorf("Load(big) = %v, want a ParseError about the size", err)
	}

	if _, err := Load(dir); err == nil || errors.As(err, &perr) {
		t.Errorf("Load(a directory) = %v, want a read error", err)
	}
}

// TestDocsExample parses the example in docs/method.md, so that the
// documentation cannot drift from what Parse accepts.
func TestDocsExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "method.md"))
	if err != nil {
		t.Skip("docs/method.md not found:", err)
	}
	_, rest, ok := strings.Cut(string(doc), "## Example")
	if !ok {
		t.Fatal("docs/method.md has no Example section")
	}
	_, rest, _ = strings.Cut(rest, "```yaml\n")
	example, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("docs/method.md has no yaml block in its Example section")
	}
	m, err := Parse("docs/method.md", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	if err := checkMethod(m); err != nil {
		t.Fatal(err)
	}
	if m.ID != "regio-oss" || len(m.Steps) != 2 {
		t.Errorf("example method = %+v", m)
	}
}
