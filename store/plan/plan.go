// Package plan renders a person's own plan from their dossier: their goal,
// where they stand on the route, the next steps, the open agreements with
// who and when, and who to call. It is written for the person ("je"), in
// plain Dutch at B1 level or in English, as Markdown and as one
// self-contained printable HTML page (A4). Texts come from the app's
// catalogue (tui/texts, plan.go). `brug plan` and `p` on the app's
// overview use it. Both renderings are pure functions of their arguments.
package plan

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/doctext"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/store/termsafe"
)

// Plan is what the person's plan says, in the words of one language: the
// renderings lay it out. Every string is plain text as written (people's
// words included); the renderings escape it.
type Plan struct {
	Lang     string
	Title    string // "Jouw plan, Noor"
	DocTitle string // the HTML page's title
	Intro    string
	Date     string // "Gemaakt op 14 maart 2025."
	Closed   string // set when the trajectory was closed

	GoalHead string
	Goal     string

	NowHead   string
	Now       []string // sentences: what the person does now, the step
	RouteHead string
	Route     []RouteStop

	NextHead string
	Next     []string

	AgreementsHead string
	Agreements     []Agreement
	NoAgreements   string

	ContactsHead string
	Contacts     []Contact
	NoContacts   string
}

// RouteStop is one place on the way to work; Mark says "you are here" or
// "your goal" (or both) when it is.
type RouteStop struct {
	Place string
	Mark  string
}

// Agreement is one open agreement: what, and lines for who and when.
type Agreement struct {
	What string
	Who  string
	When string
}

// Contact is a person to call: who they are, and how to reach them.
type Contact struct {
	Name  string // name, or the role when there is no name
	About string // role and organisation
	Phone string
	Email string
}

// Build reads the plan out of a dossier, in lang ("nl" or "en"), dated
// today (the day it is made: overdue agreements are said as such).
func Build(c *store.Client, m *method.Method, lang string, today time.Time) *Plan {
	if m == nil {
		m = method.Default()
	}
	t := doctext.New(lang)
	p := &Plan{Lang: t.Lang}
	name := oneLine(c.Name.Value)
	if name == "" {
		p.Title, p.DocTitle = t.S("plan.noname"), t.S("plan.noname")
	} else {
		p.Title, p.DocTitle = t.F("plan.title", firstName(name)), t.F("plan.doctitle", name)
	}
	p.Intro = t.S("plan.intro")
	p.Date = t.F("plan.date", longDate(t, today.Format(time.DateOnly)))
	if c.Closed.Value != "" {
		p.Closed = t.S("plan.closed")
	}

	// The goal: the place on the route the person wants to reach.
	p.GoalHead = t.S("plan.goal")
	if c.RouteTarget.Value != "" {
		p.Goal = t.F("plan.goal.is", placeText(t, c.RouteTarget.Value))
	} else {
		p.Goal = t.S("plan.goal.none")
	}

	// Where they stand: what they do now, the step, the route.
	p.NowHead = t.S("plan.now")
	places := store.SplitList(c.Places.Value)
	if len(places) > 0 {
		words := make([]string, len(places))
		for i, pl := range places {
			words[i] = placeText(t, pl)
		}
		p.Now = append(p.Now, t.F("plan.now.places", joinAnd(t, words)))
	} else {
		p.Now = append(p.Now, t.S("plan.now.noplace"))
	}
	total := max(len(m.Steps), len(c.Steps))
	cur, allDone := currentStep(c, total)
	if allDone {
		p.Now = append(p.Now, t.F("plan.now.alldone", total))
	} else if total > 0 {
		p.Now = append(p.Now, t.F("plan.now.step", cur, total, stepText(t, m, cur)))
	}
	p.RouteHead = t.S("plan.route")
	p.Route = route(t, places, c.RouteTarget.Value)

	// The next steps: the one they are at, and the next one.
	p.NextHead = t.S("plan.next")
	if allDone || total == 0 {
		p.Next = []string{t.S("plan.next.none")}
	} else {
		p.Next = append(p.Next, t.F("plan.next.now", stepText(t, m, cur)))
		if cur < total {
			p.Next = append(p.Next, t.F("plan.next.then", stepText(t, m, cur+1)))
		}
	}

	p.AgreementsHead = t.S("plan.agreements")
	p.NoAgreements = t.S("plan.agreements.none")
	p.Agreements = agreements(t, c, today.Format(time.DateOnly))

	p.ContactsHead = t.S("plan.contacts")
	p.NoContacts = t.S("plan.contacts.none")
	for _, ct := range c.Contacts {
		if ct.Removed {
			continue
		}
		name := oneLine(ct.Name.Value)
		var about []string
		for _, v := range []string{ct.Role.Value, ct.Org.Value} {
			if v = oneLine(v); v != "" {
				about = append(about, v)
			}
		}
		if name == "" && len(about) > 0 {
			name, about = about[0], about[1:]
		}
		if name == "" {
			continue // nobody to name
		}
		x := Contact{Name: name, About: strings.Join(about, ", ")}
		if v := oneLine(ct.Phone.Value); v != "" {
			x.Phone = t.F("plan.contact.phone", v)
		}
		if v := oneLine(ct.Email.Value); v != "" {
			x.Email = t.F("plan.contact.mail", v)
		}
		p.Contacts = append(p.Contacts, x)
	}
	return p
}

// currentStep is the first step not done yet (1-based), or allDone.
func currentStep(c *store.Client, total int) (n int, allDone bool) {
	done := map[int]bool{}
	for _, st := range c.Steps {
		if s := st.StatusOrOpen(); s == store.StepDone || s == store.StepSignedOff {
			done[st.N] = true
		}
	}
	for i := 1; i <= total; i++ {
		if !done[i] {
			return i, false
		}
	}
	return total, true
}

// stepText says step n in plain words: the catalogue's for the default
// method, else the method's own title.
func stepText(t *doctext.Texts, m *method.Method, n int) string {
	if m.ID == method.Default().ID && t.Has(fmt.Sprintf("plan.step.%d", n)) {
		return t.S(fmt.Sprintf("plan.step.%d", n))
	}
	if s, ok := m.Step(n); ok {
		return s.Title.In(t.Lang)
	}
	return fmt.Sprint(n)
}

// placeText says a place in plain words.
func placeText(t *doctext.Texts, p string) string {
	if k := "plan.place." + p; t.Has(k) {
		return t.S(k)
	}
	return oneLine(p)
}

// route lists the places from the first the person is at (or the start)
// up to the goal (or the end), marking both.
func route(t *doctext.Texts, places []string, target string) []RouteStop {
	all := store.Places()
	from, to := len(all), -1
	here := map[string]bool{}
	for _, p := range places {
		here[p] = true
		if r := store.Place(p).Rank(); r >= 0 {
			from, to = min(from, r), max(to, r)
		}
	}
	if r := store.Place(target).Rank(); r >= 0 {
		from, to = min(from, r), max(to, r)
	}
	if to < 0 {
		return nil
	}
	var out []RouteStop
	for _, pl := range all[from : to+1] {
		var marks []string
		if here[string(pl)] {
			marks = append(marks, t.S("plan.route.here"))
		}
		if string(pl) == target {
			marks = append(marks, t.S("plan.route.goal"))
		}
		out = append(out, RouteStop{Place: placeText(t, string(pl)), Mark: strings.Join(marks, ", ")})
	}
	return out
}

// agreements are the open ones, dated first by date, then the undated.
func agreements(t *doctext.Texts, c *store.Client, today string) []Agreement {
	var open []store.Agreement
	for _, a := range c.Agreements {
		if !a.Removed && a.Done.Value != "1" && strings.TrimSpace(a.What.Value) != "" {
			open = append(open, a)
		}
	}
	sort.SliceStable(open, func(i, j int) bool {
		di, dj := open[i].Due.Value, open[j].Due.Value
		if (di == "") != (dj == "") {
			return dj == ""
		}
		return di < dj
	})
	out := make([]Agreement, 0, len(open))
	for _, a := range open {
		var who []string
		for _, v := range []string{a.Person.Value, a.Role.Value, a.Org.Value} {
			if v = oneLine(v); v != "" {
				who = append(who, v)
			}
		}
		x := Agreement{What: oneLine(a.What.Value)}
		if len(who) > 0 {
			x.Who = t.F("plan.agreement.who", strings.Join(who, ", "))
		}
		switch d := a.Due.Value; {
		case d == "":
			x.When = t.S("plan.agreement.nowhen")
		case d < today:
			x.When = t.F("plan.agreement.late", longDate(t, d))
		default:
			x.When = t.F("plan.agreement.when", longDate(t, d))
		}
		out = append(out, x)
	}
	return out
}

// longDate says a YYYY-MM-DD date as "14 maart 2025"; another value
// shows as written.
func longDate(t *doctext.Texts, d string) string {
	tm, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return oneLine(d)
	}
	return fmt.Sprintf("%d %s %d", tm.Day(), t.S(fmt.Sprintf("plan.month.%d", int(tm.Month()))), tm.Year())
}

// joinAnd joins words as "a, b en c".
func joinAnd(t *doctext.Texts, words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return t.F("plan.and", strings.Join(words[:len(words)-1], ", "), words[len(words)-1])
}

// firstName is the first word of a name: the plan speaks to the person.
func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return name
}

// oneLine folds a person's text to one line with single spaces, with
// terminal control characters shown escaped: the Markdown may go to a
// terminal, and a text typed on another device must not steer it (an ESC
// or OSC sequence in a name could rewrite the coach's screen or title).
func oneLine(s string) string { return termsafe.Escape(strings.Join(strings.Fields(s), " ")) }
