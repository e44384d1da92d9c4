package plan

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
	"github.com/brug-nl/brug/store/method"
)

var planDay = time.Date(2025, 3, 14, 15, 9, 0, 0, time.UTC)

// sample makes a client with a known goal, place, step, agreements and
// contacts, named name.
func sample(t *testing.T, name string) *store.Client {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "plan.db"), store.Options{Author: "fleur", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	id, err := s.CreateClient(store.NewClient{Name: name, BirthYear: "1998", Team: "Wijkteam Oost",
		Places: []store.Place{store.PlaceDagbesteding}, RouteTarget: store.PlaceBeschut})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(id, store.Set(store.FieldStep(1, "status"), string(store.StepDone)),
		store.Set(store.FieldStep(2, "status"), string(store.StepSignedOff)),
		store.Set(store.FieldStep(3, "status"), string(store.StepActive))); err != nil {
		t.Fatal(err)
	}
	for _, a := range []map[string]string{
		{"what": "Proefdag bij de kwekerij", "person": "Ahmed Yilmaz", "org": "Kwekerij De Linde", "due": "2025-04-02"},
		{"what": "Reiskosten aanvragen", "role": "klantmanager", "org": "Gemeente", "due": "2025-03-01"},
		{"what": "Cv maken", "person": "Noor"},
		{"what": "Al gedaan: kennismaking", "due": "2025-02-01", "done": "1"},
	} {
		if _, err := s.AddEntity(id, store.EntityAgreement, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, ct := range []map[string]string{
		{"name": "Ahmed Yilmaz", "role": "jobcoach", "org": "Kwekerij De Linde", "phone": "06-12345678", "email": "ahmed@delinde.example"},
		{"role": "Wmo-consulent", "org": "Gemeente", "phone": "14 020"},
	} {
		if _, err := s.AddEntity(id, store.EntityContact, ct); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Client(id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPlanContent: the plan says the goal, where the person stands, the
// next steps, the open agreements with who and when (overdue ones said
// so, done ones left out) and who to call, in Dutch and in English.
func TestPlanContent(t *testing.T) {
	c := sample(t, "Noor Hazelhoef")
	m := method.Default()
	want := map[string][]string{
		"nl": {"# Jouw plan, Noor", "## Je doel", "Je doel is: beschut werk (betaald werk met extra hulp).",
			"## Waar je nu staat", "Nu doe je: dagbesteding (iets doen overdag, met begeleiding).",
			"Je bent bij stap 3 van 6: Samen kiezen we je doel en de weg ernaartoe.",
			"**hier ben je nu**", "**je doel**", "De weg naar werk (je hoeft niet langs elke plek):",
			"## De volgende stappen", "- Nu: Samen kiezen we je doel en de weg ernaartoe.", "- Daarna: We regelen wat nodig is",
			"## Wat we hebben afgesproken", "**Proefdag bij de kwekerij**", "Wie: Ahmed Yilmaz, Kwekerij De Linde", "Wanneer: 2 april 2025",
			"**Reiskosten aanvragen**", "Wie: klantmanager, Gemeente", "Wanneer: 1 maart 2025 (die datum is voorbij)",
			"Wanneer: nog niet afgesproken",
			"## Wie kun je bellen?", "**Ahmed Yilmaz** (jobcoach, Kwekerij De Linde)", "Telefoon: 06-12345678", "E-mail: ahmed@delinde.example",
			"**Wmo-consulent** (Gemeente)", "Telefoon: 14 020", "Gemaakt op 14 maart 2025."},
		"en": {"# Your plan, Noor", "## Your goal", "Your goal is: sheltered work (paid work with extra help).",
			"## Where you are now", "You are at step 3 of 6: Together we choose your goal",
			"## The next steps", "- Now: Together we choose", "- After that: We arrange what you need",
			"## What we agreed", "Who: Ahmed Yilmaz, Kwekerij De Linde", "When: 2 April 2025", "When: 1 March 2025 (that date has passed)",
			"## Who can you call?", "Phone: 06-12345678", "Made on 14 March 2025."},
	}
	closed := *c
	closed.Closed = store.Value{Value: "2025-03-01", OpID: "x"}
	want["nl"] = append(want["nl"], "Je begeleiding naar werk is klaar.")
	want["en"] = append(want["en"], "Your support towards work has ended.")
	for lang, ws := range want {
		md := Build(&closed, m, lang, planDay).Markdown()
		for _, w := range ws {
			if !strings.Contains(md, w) {
				t.Errorf("%s: the plan lacks %q:\n%s", lang, w, md)
			}
		}
		for _, bad := range []string{"«", "Al gedaan", "trajectory", "traject ", "indicatie", "deelnemer"} {
			if strings.Contains(md, bad) {
				t.Errorf("%s: the plan says %q:\n%s", lang, bad, md)
			}
		}
		if lang == "nl" && regexp.MustCompile(`\b[Uu]\b`).MatchString(md) {
			t.Errorf("nl: the plan says \"u\"; it speaks to the person as \"je\"")
		}
		// Overdue first (by date), then later, then undated.
		if i, j, k := strings.Index(md, "Reiskosten"), strings.Index(md, "Proefdag"), strings.Index(md, "Cv maken"); !(i < j && j < k) {
			t.Errorf("%s: agreements out of order (%d, %d, %d)", lang, i, j, k)
		}
	}
}

var (
	reTag      = regexp.MustCompile(`<[a-zA-Z!/][^>]*>`)
	reExternal = regexp.MustCompile(`(?i)(https?:|//[a-z]|src=|href=|@import|url\()`)
)

// TestPlanHTML: the page is one self-contained document: the sections as
// headings and lists, A4 print styles, no script and nothing loaded from
// elsewhere, and people's words escaped (a name with <script> stays text).
func TestPlanHTML(t *testing.T) {
	name := `<b>Zoë</b> <script>alert("x")</script> & Çelik`
	c := sample(t, name)
	for _, lang := range []string{"nl", "en"} {
		b, err := Build(c, method.Default(), lang, planDay).HTML()
		if err != nil {
			t.Fatal(err)
		}
		h := string(b)
		for _, w := range []string{`<!DOCTYPE html>`, `<html lang="` + lang + `">`, `<meta charset="utf-8">`,
			"@page { size: A4;", "page-break-inside: avoid", "<h1>", "<h2>", "<ol>", "<ul>", "<li>",
			"&lt;b&gt;Zoë&lt;/b&gt; &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Çelik", "06-12345678"} {
			if !strings.Contains(h, w) {
				t.Errorf("%s: the page lacks %q", lang, w)
			}
		}
		if n := strings.Count(h, "<h2>"); n != 5 {
			t.Errorf("%s: %d sections, want 5 (goal, now, next, agreements, contacts)", lang, n)
		}
		if strings.Contains(strings.ToLower(h), "<script") {
			t.Errorf("%s: the page has a script tag", lang)
		}
		if m := reExternal.FindString(h); m != "" {
			t.Errorf("%s: the page refers elsewhere: %q", lang, m)
		}
		// Every tag is one of the template's own.
		allowed := map[string]bool{}
		for _, tg := range strings.Fields("!DOCTYPE html head meta title style body header section h1 h2 p ol ul li span") {
			allowed[strings.ToLower(tg)] = true
		}
		for _, tag := range reTag.FindAllString(h, -1) {
			n := strings.TrimLeft(tag, "</")
			n = strings.ToLower(strings.FieldsFunc(n, func(r rune) bool { return r == ' ' || r == '>' })[0])
			if !allowed[n] {
				t.Errorf("%s: unexpected tag %s", lang, tag)
			}
		}
	}
	// And the Markdown keeps the name as text too.
	md := Build(c, method.Default(), "nl", planDay).Markdown()
	if strings.Contains(md, "<b>") || !strings.Contains(md, `# Jouw plan, \<b\>Zoë\</b\>`) {
		t.Errorf("the Markdown does not escape the name:\n%s", md[:200])
	}
}

// TestPlanDemoClients: every client of a demo region gets a plan with all
// five sections and no missing catalogue text, in both languages.
func TestPlanDemoClients(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "demo.db"), store.Options{Author: "test", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := demo.Generate(s, demo.Options{Clients: 20, Seed: 3, Now: planDay}); err != nil {
		t.Fatal(err)
	}
	sums, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	var agreements, contacts int
	for _, sm := range sums {
		c, err := s.Client(sm.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"nl", "en"} {
			p := Build(c, s.Method(), lang, planDay)
			md := p.Markdown()
			if strings.Contains(md, "«") || strings.Count(md, "\n## ") != 5 {
				t.Fatalf("%s %s: a missing text or section:\n%s", sm.Name, lang, md)
			}
			agreements += len(p.Agreements)
			contacts += len(p.Contacts)
		}
	}
	if agreements == 0 || contacts == 0 {
		t.Errorf("the demo region's plans show %d agreements and %d contacts; the test reads nothing", agreements, contacts)
	}
}

// TestPlanKeepsTerminalSequencesOut: the Markdown may be printed on a
// terminal; an escape sequence typed into a name or an agreement on
// another device shows as text and never reaches the terminal raw.
func TestPlanKeepsTerminalSequencesOut(t *testing.T) {
	c := sample(t, "Noor\x1b]0;pwned\a Hazelhoef")
	c.Agreements[0].What.Value = "Bellen\x1b[2J"
	md := Build(c, method.Default(), "nl", planDay).Markdown()
	if strings.ContainsAny(md, "\x1b\a") {
		t.Errorf("a control character reached the plan: %q", md)
	}
	if !strings.Contains(md, "Bellen") || !strings.Contains(md, "Noor") {
		t.Errorf("the texts are gone: %q", md)
	}
}
