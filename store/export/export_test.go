package export

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
	"github.com/brug-nl/brug/store/method"
)

var exportNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

// exportRegion is a demo region to export from.
func exportRegion(t *testing.T, n int) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "export.db"), store.Options{Author: "test", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := demo.Generate(s, demo.Options{Clients: n, Seed: 2, Now: exportNow}); err != nil {
		t.Fatal(err)
	}
	return s
}

func dossier(t *testing.T, s *store.Store, id string) (*store.Client, []store.Op) {
	t.Helper()
	c, err := s.Client(id)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := s.Ops(id)
	if err != nil {
		t.Fatal(err)
	}
	return c, ops
}

func TestExportMarkdownHasEverything(t *testing.T) {
	s := exportRegion(t, 30)
	sums, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	m := method.Default()
	var sawConflict, sawMove bool
	for _, sm := range sums {
		c, ops := dossier(t, s, sm.ID)
		for _, lang := range []string{"nl", "en"} {
			md := Markdown(c, ops, m, lang)
			if strings.Contains(md, "«") {
				i := strings.Index(md, "«")
				t.Fatalf("%s: a catalogue key is missing: %s", lang, md[i:min(len(md), i+60)])
			}
			if !strings.HasPrefix(md, "# ") || !strings.Contains(md, mdInline(c.Name.Value)) {
				t.Fatalf("%s: no title with the name", lang)
			}
			for _, st := range m.Steps {
				if !strings.Contains(md, st.Title.In(lang)) {
					t.Errorf("%s: step %q missing", lang, st.Title.In(lang))
				}
			}
			// Every ticked item shows as ticked, every answer is there.
			for i, st := range c.Steps {
				for id, v := range st.Checks {
					if v.Value != "1" {
						continue
					}
					it, _ := m.Steps[i].Item(id)
					if !strings.Contains(md, "- [x] "+mdInline(it.Text.In(lang))) {
						t.Errorf("%s: tick on %q missing", lang, it.Text.In(lang))
					}
				}
				for _, v := range st.Answers {
					for _, line := range strings.Split(v.Value, "\n") {
						if line != "" && !strings.Contains(md, "> "+mdInline(line)) {
							t.Errorf("%s: answer line %q missing", lang, line)
						}
					}
				}
			}
			for _, j := range c.Journal {
				if !strings.Contains(md, mdInline(j.Text.Value)) {
					t.Errorf("%s: journal text missing", lang)
				}
			}
			for _, ct := range c.Contacts {
				if !strings.Contains(md, mdInline(ct.Name.Value)) {
					t.Errorf("%s: contact %s missing", lang, ct.Name.Value)
				}
			}
			// The appendix has a row per op.
			appendix := md[strings.LastIndex(md, "\n## "):]
			if rows := strings.Count(appendix, "\n| 20"); rows != len(ops) {
				t.Errorf("%s: appendix has %d rows, dossier %d ops", lang, rows, len(ops))
			}
			if len(c.Conflicts) > 0 {
				sawConflict = true
				v, _ := c.FieldValue(c.Conflicts[0])
				for _, h := range v.Heads {
					if !strings.Contains(md, "> "+mdInline(strings.Split(h.Value, "\n")[0])) {
						t.Errorf("%s: conflicting version %q missing", lang, h.Value)
					}
				}
			}
			if len(c.Moves) > 0 {
				sawMove = true
			}
		}
	}
	if !sawConflict || !sawMove {
		t.Errorf("the region had no conflict (%v) or no move (%v) to export", sawConflict, sawMove)
	}
}

func TestExportMarkdownLanguages(t *testing.T) {
	s := exportRegion(t, 6)
	sums, _ := s.Summaries()
	c, ops := dossier(t, s, sums[0].ID)
	nl := Markdown(c, ops, nil, "nl")
	en := Markdown(c, ops, nil, "en")
	for _, want := range []string{"## Persoonsgegevens", "## Stappen", "## Afspraken", "## Netwerk", "## Verslagen", "## Route", "## Bijlage: alle wijzigingen"} {
		if !strings.Contains(nl, want) {
			t.Errorf("nl lacks %q", want)
		}
	}
	for _, want := range []string{"## Personal data", "## Steps", "## Agreements", "## Network", "## Journal", "## Route", "## Appendix: every change"} {
		if !strings.Contains(en, want) {
			t.Errorf("en lacks %q", want)
		}
	}
	if Markdown(c, ops, nil, "nl") != nl {
		t.Error("the export is not deterministic")
	}
	if Markdown(nil, nil, nil, "nl") != "" {
		t.Error("nil client exported something")
	}
}

func TestExportMarkdownEscapesPeoplesText(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "x.db"), store.Options{Author: "a_b", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, err := s.CreateClient(store.NewClient{Name: "**Bold** <script>", Team: "T|1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(id, store.Set("step/1/answer/q1", "# not a heading\n1. not a list\n[link](http://x)"),
		store.Set("step/9/note", "a note on a step the method lacks")); err == nil {
		t.Fatal("a step outside the method was accepted") // the store checks the method
	}
	if _, err := s.Commit(id, store.Set("step/1/answer/q1", "# not a heading\n1. not a list\n[link](http://x)")); err != nil {
		t.Fatal(err)
	}
	c, ops := dossier(t, s, id)
	md := Markdown(c, ops, nil, "nl")
	for _, bad := range []string{"**Bold**", "<script>", "\n> # not", "\n> 1. not", "[link](", "| T|1 |"} {
		if strings.Contains(md, bad) {
			t.Errorf("unescaped %q in:\n%s", bad, md)
		}
	}
	for _, good := range []string{`\*\*Bold\*\* \<script\>`, `> \# not a heading`, `> 1\. not a list`, `T\|1`} {
		if !strings.Contains(md, good) {
			t.Errorf("missing %q", good)
		}
	}
}

func TestExportMarkdownKeepsItemsTheMethodLost(t *testing.T) {
	s := exportRegion(t, 8)
	sums, _ := s.Summaries()
	// A region method that dropped step 6 and renamed the items of step 1:
	// what was recorded still shows, under the ids it was recorded with.
	m := method.Default()
	m.Steps = m.Steps[:5]
	for i := range m.Steps[0].Checklist {
		m.Steps[0].Checklist[i].ID = "x" + m.Steps[0].Checklist[i].ID
	}
	found := false
	for _, sm := range sums {
		c, ops := dossier(t, s, sm.ID)
		md := Markdown(c, ops, m, "en")
		if len(c.Steps[0].Checks) > 0 {
			if !strings.Contains(md, "Recorded against items no longer in the method") {
				t.Fatalf("checks on unknown items are not exported")
			}
			found = true
		}
		if st := c.Steps[5]; st.Status.Set() && !strings.Contains(md, "Step 6 (not in the method)") {
			t.Errorf("step 6 of %s is not exported", sm.Name)
		}
	}
	if !found {
		t.Fatal("no client with checks in step 1")
	}
}

func TestExportJSON(t *testing.T) {
	s := exportRegion(t, 5)
	sums, _ := s.Summaries()
	c, ops := dossier(t, s, sums[0].ID)
	b, err := JSON(c, ops, method.Default(), exportNow.In(time.FixedZone("CET", 3600)))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"client", "ops", "method", "exported_at"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no %q in the JSON export", k)
		}
	}
	var doc Doc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Client.ID != c.ID || len(doc.Ops) != len(ops) || doc.Ops[len(ops)-1].ID != ops[len(ops)-1].ID {
		t.Error("client or ops differ")
	}
	if doc.Method != (Method{ID: "bruggen-naar-werk", Version: method.Default().Version}) {
		t.Errorf("method %+v", doc.Method)
	}
	if !strings.Contains(string(raw["exported_at"]), "2025-03-14T15:09:26Z") {
		t.Errorf("exported_at %s, want UTC", raw["exported_at"])
	}
	// A dossier without ops still has an ops list, not null.
	b, _ = JSON(&store.Client{ID: c.ID}, nil, nil, exportNow)
	if !strings.Contains(string(b), `"ops": []`) {
		t.Errorf("empty ops are not []: %s", b)
	}
}

func TestMdInline(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, with comma": "plain text, with comma",
		"a*b_c":                  `a\*b\_c`,
		"- item":                 `\- item`,
		"12. twelve":             `12\. twelve`,
		"3.5 kg":                 `3\.5 kg`,
		"v1.2":                   "v1.2",
		"<b>|x|</b>":             `\<b\>\|x\|\</b\>`,
		"# h":                    `\# h`,
		"e-mail":                 "e-mail",
	} {
		if got := mdInline(in); got != want {
			t.Errorf("mdInline(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExportMarkdownKeepsTerminalSequencesOut: `brug export` prints to a
// terminal; an escape sequence a file from before the store refused them
// holds in a name or an answer must show as text, never reach it raw.
func TestExportMarkdownKeepsTerminalSequencesOut(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "x.db"), store.Options{Author: "a_b", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, err := s.CreateClient(store.NewClient{Name: "Noor Hazelhoef", Team: "T"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(id, store.Set("step/1/answer/q1", "Bellen\nmet de werkgever")); err != nil {
		t.Fatal(err)
	}
	c, ops := dossier(t, s, id)
	// What an older file (or a hand-edited one) may hold: the store no
	// longer takes these characters, so they are put in the read values.
	c.Name.Value = "Noor\x1b]0;pwned\a Hazelhoef"
	ans := c.Steps[0].Answers["q1"]
	ans.Value = "Bellen\x1b[2J\nmet de\u202e werkgever"
	c.Steps[0].Answers["q1"] = ans
	md := Markdown(c, ops, nil, "nl")
	if strings.ContainsAny(md, "\x1b\a\u202e") {
		t.Errorf("a control character reached the export: %q", md)
	}
	for _, good := range []string{"Noor", "Hazelhoef", "Bellen", "werkgever"} {
		if !strings.Contains(md, good) {
			t.Errorf("the text %q is gone from the export", good)
		}
	}
}
