// Package export renders one dossier for the person's right to see it:
// a complete JSON document for programs and a readable Markdown one in
// their language (texts from the app's catalogue, tui/texts, which
// imports only store). cmd/brug's export and admin export use it.
package export

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/doctext"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/store/termsafe"
)

// This file renders the export of one dossier: everything kept about a
// person, for their right to see it (AVG/GDPR). The JSON form is complete
// and meant for programs; the Markdown form is a readable document in the
// person's language. Both are pure functions of their arguments.

// Doc is the JSON export of one dossier. Its shape is part of brug's
// documented interface (docs/cli.md):
//
//	{
//	  "client":      the materialised dossier (store.Client),
//	  "ops":         every change ever made to it (store.Op), oldest first,
//	  "method":      {"id": ..., "version": ...} the method it was read with,
//	  "exported_at": RFC 3339 time of the export,
//	  "shared_with": every share of the dossier ever recorded (SharedWith),
//	  "reads":       who read it, from this laptop's read log (store.ReadEntry);
//	                 empty in the server's export (its audit log has them)
//	}
type Doc struct {
	Client     *store.Client     `json:"client"`
	Ops        []store.Op        `json:"ops"`
	Method     Method            `json:"method"`
	ExportedAt time.Time         `json:"exported_at"`
	SharedWith []SharedWith      `json:"shared_with"`
	Reads      []store.ReadEntry `json:"reads"`
}

// Method names the method a dossier was exported with.
type Method struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// JSON returns the JSON export of a dossier, indented, ending in a
// new line.
func JSON(c *store.Client, ops []store.Op, m *method.Method, exportedAt time.Time) ([]byte, error) {
	return JSONWithReads(c, ops, m, exportedAt, nil)
}

// JSONWithReads is JSON with the reads of the dossier this laptop logged
// (store.ReadsOf): the person's right to know who read it.
func JSONWithReads(c *store.Client, ops []store.Op, m *method.Method, exportedAt time.Time, reads []store.ReadEntry) ([]byte, error) {
	doc := Doc{Client: c, Ops: ops, ExportedAt: exportedAt.UTC(), SharedWith: Sharing(c, ops), Reads: reads}
	if doc.Ops == nil {
		doc.Ops = []store.Op{}
	}
	if doc.Reads == nil {
		doc.Reads = []store.ReadEntry{}
	}
	if m != nil {
		doc.Method = Method{ID: m.ID, Version: m.Version}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export %s as JSON: %w", c.ID, err)
	}
	return append(b, '\n'), nil
}

// Markdown renders a dossier as a Markdown document in lang ("nl" or
// "en"): personal data, the steps with their checklist ticks, answers and
// notes, agreements, network, journal, route, indications, arrangements,
// conflicts, and an appendix with every op. Texts written by people are
// escaped, so they show as written and never as Markdown.
func Markdown(c *store.Client, ops []store.Op, m *method.Method, lang string) string {
	return MarkdownWithReads(c, ops, m, lang, nil)
}

// MarkdownWithReads is Markdown with the reads of the dossier this laptop
// logged (store.ReadsOf): a section "who has read the dossier", left out
// when reads is nil (the server's export: its audit log holds the reads).
func MarkdownWithReads(c *store.Client, ops []store.Op, m *method.Method, lang string, reads []store.ReadEntry) string {
	if c == nil {
		return ""
	}
	if m == nil {
		m = method.Default()
	}
	x := &exporter{t: doctext.New(lang), c: c, m: m}
	x.personal()
	x.steps()
	x.agreements()
	x.contacts()
	x.journal()
	x.route()
	x.indications()
	x.arrangements()
	x.conflicts()
	x.sharing(ops)
	if reads != nil {
		x.reads(reads)
	}
	x.history(ops)
	// The document is read on terminals too (brug export without --out):
	// control characters and bidi overrides that an older file may hold
	// in people's texts are shown escaped, line breaks kept.
	return termsafe.EscapeText(x.b.String())
}

type exporter struct {
	t *doctext.Texts
	c *store.Client
	m *method.Method
	b strings.Builder
}

func (x *exporter) line(s string) { x.b.WriteString(s + "\n") }

func (x *exporter) para(s string) { x.b.WriteString(s + "\n\n") }

func (x *exporter) heading(level int, s string) {
	x.para(strings.Repeat("#", level) + " " + s)
}

// who says who set a value and when: "fleur.hazelhoef, 2025-03-14 10:02".
func (x *exporter) who(v store.Value) string {
	if !v.Set() {
		return ""
	}
	return x.t.F("export.by", mdInline(v.By), stamp(v.At))
}

// whoSuffix is who() in italics after a space, or nothing.
func (x *exporter) whoSuffix(v store.Value) string {
	if w := x.who(v); w != "" {
		return " *(" + w + ")*"
	}
	return ""
}

// code shows a code through the catalogue key prefix+code, or the code
// itself when the catalogue has no text for it.
func (x *exporter) code(prefix, code string) string {
	if code == "" {
		return x.t.S("export.empty")
	}
	if x.t.Has(prefix + code) {
		return x.t.S(prefix + code)
	}
	return mdInline(code)
}

func (x *exporter) places(list string) string {
	ps := store.SplitList(list)
	if len(ps) == 0 {
		return x.t.S("export.route.none")
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = x.code("place.", p)
	}
	return strings.Join(out, " + ")
}

// text shows a free value in a table cell or a line, or a dash when empty.
func (x *exporter) text(v string) string {
	if v == "" {
		return x.t.S("export.empty")
	}
	return mdInline(v)
}

// quote writes a person's text as a block quote, line for line.
func (x *exporter) quote(s string) {
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if strings.TrimSpace(l) == "" {
			x.line(">")
			continue
		}
		x.line("> " + mdInline(l))
	}
	x.line("")
}

func (x *exporter) removed(e store.Entity) string {
	if e.Removed {
		return " " + x.t.S("export.removed")
	}
	return ""
}

func (x *exporter) personal() {
	t, c := x.t, x.c
	name := c.Name.Value
	if name == "" {
		name = t.S("export.noname")
	}
	x.heading(1, t.F("export.title", mdInline(name)))
	x.para(t.S("export.intro"))
	if !c.Exists {
		x.para("**" + t.S("export.client.removed") + "**")
	}
	x.heading(2, t.S("export.personal"))
	x.line("| " + t.S("export.field") + " | " + t.S("export.value") + " |")
	x.line("|---|---|")
	row := func(key, value string, v store.Value) {
		if w := x.who(v); w != "" {
			value += " *(" + w + ")*"
		}
		x.line("| " + t.S(key) + " | " + cellSafe(value) + " |")
	}
	row("export.field.name", x.text(c.Name.Value), c.Name)
	row("export.field.birthyear", x.text(c.BirthYear.Value), c.BirthYear)
	row("export.field.team", x.text(c.Team.Value), c.Team)
	row("export.field.coaches", x.text(c.Coaches.Value), c.Coaches)
	row("export.field.places", x.places(c.Places.Value), c.Places)
	row("export.field.routetarget", x.code("place.", c.RouteTarget.Value), c.RouteTarget)
	row("export.field.benefit", x.code("benefit.", c.Benefit.Value), c.Benefit)
	row("export.field.id", "`"+c.ID+"`", store.Value{})
	row("export.field.method", t.F("export.method", mdInline(x.m.Name.In(t.Lang)), mdInline(x.m.ID), x.m.Version), store.Value{})
	last := t.S("export.empty")
	if c.LastChange != 0 {
		last = stamp(c.LastChange.Time())
	}
	row("export.field.lastchange", last, store.Value{})
	x.line("")
}

func (x *exporter) steps() {
	t := x.t
	x.heading(2, t.S("export.steps"))
	byN := map[int]store.StepState{}
	for _, st := range x.c.Steps {
		byN[st.N] = st
	}
	for i := range x.m.Steps {
		ms := &x.m.Steps[i]
		x.step(ms, byN[ms.N])
		delete(byN, ms.N)
	}
	// Steps recorded under a method that had more of them.
	var extra []int
	for n, st := range byN {
		if stepRecorded(st) {
			extra = append(extra, n)
		}
	}
	sort.Ints(extra)
	for _, n := range extra {
		x.step(&method.Step{N: n, Title: method.Text{NL: t.F("export.step.extra", n), EN: t.F("export.step.extra", n)}}, byN[n])
	}
}

func (x *exporter) step(ms *method.Step, st store.StepState) {
	t := x.t
	x.heading(3, t.F("export.step", ms.N, mdInline(ms.Title.In(t.Lang))))
	x.para(t.F("export.step.status", x.code("stepstatus.", string(st.StatusOrOpen()))) + x.whoSuffix(st.Status))
	if !stepRecorded(st) {
		x.para(t.S("export.step.nothing"))
		return
	}
	if st.Comment.Set() && st.Comment.Value != "" {
		x.para("**" + t.S("export.step.comment") + "**" + x.whoSuffix(st.Comment))
		x.quote(st.Comment.Value)
	}
	if len(ms.Checklist) > 0 {
		ticked := 0
		for _, it := range ms.Checklist {
			if st.Checked(it.ID) {
				ticked++
			}
		}
		x.para("**" + t.F("export.step.checklist", ticked, len(ms.Checklist)) + "**")
		for _, it := range ms.Checklist {
			box := "[ ]"
			if st.Checked(it.ID) {
				box = "[x]"
			}
			x.line("- " + box + " " + mdInline(it.Text.In(t.Lang)) + x.whoSuffix(st.Checks[it.ID]))
		}
		x.line("")
	}
	if len(ms.Questions) > 0 {
		x.para("**" + t.S("export.step.questions") + "**")
		for _, q := range ms.Questions {
			x.para("*" + mdInline(q.Text.In(t.Lang)) + "*")
			x.answer(st.Answers[q.ID])
		}
	}
	if st.Note.Set() && st.Note.Value != "" {
		x.para("**" + t.S("export.step.note") + "**" + x.whoSuffix(st.Note))
		x.quote(st.Note.Value)
		x.conflictNote(st.Note)
	}
	x.otherItems(ms, st)
}

// stepRecorded reports whether anything was ever recorded on a step.
func stepRecorded(st store.StepState) bool {
	return st.Status.Set() || len(st.Checks) > 0 || len(st.Answers) > 0 || st.Note.Set() || st.Comment.Set()
}

func (x *exporter) answer(v store.Value) {
	if !v.Set() || v.Value == "" {
		x.para(x.t.S("export.step.noanswer") + x.whoSuffix(v))
		return
	}
	x.quote(v.Value)
	if w := x.who(v); w != "" {
		x.para("*— " + w + "*")
	}
	x.conflictNote(v)
}

func (x *exporter) conflictNote(v store.Value) {
	if v.Conflict() {
		x.para("**" + x.t.F("export.step.conflict", len(v.Heads)) + "**")
	}
}

// otherItems lists checks and answers stored against ids the method does
// not have (any more): still kept, so still exported.
func (x *exporter) otherItems(ms *method.Step, st store.StepState) {
	t := x.t
	var lines []string
	for _, id := range sortedValueKeys(st.Checks) {
		if _, ok := ms.Item(id); !ok {
			lines = append(lines, "- "+t.F("export.step.otheritem", t.S("export.step.check.item"), "`"+id+"`")+": "+mdInline(st.Checks[id].Value)+x.whoSuffix(st.Checks[id]))
		}
	}
	for _, id := range sortedValueKeys(st.Answers) {
		if _, ok := ms.Question(id); !ok {
			v := st.Answers[id]
			lines = append(lines, "- "+t.F("export.step.otheritem", t.S("export.step.q.item"), "`"+id+"`")+": "+cellSafe(mdInline(v.Value))+x.whoSuffix(v))
		}
	}
	if len(lines) == 0 {
		return
	}
	x.para("**" + t.S("export.step.other") + "**")
	for _, l := range lines {
		x.line(l)
	}
	x.line("")
}

func (x *exporter) agreements() {
	t := x.t
	x.heading(2, t.S("export.agreements"))
	if len(x.c.Agreements) == 0 {
		x.para(t.S("export.none"))
		return
	}
	for _, a := range x.c.Agreements {
		box := "[ ]"
		if a.Done.Value == "1" {
			box = "[x]"
		}
		var who []string
		for _, v := range []store.Value{a.Role, a.Org, a.Person} {
			if v.Value != "" {
				who = append(who, mdInline(v.Value))
			}
		}
		s := "- " + box + " " + cellSafe(x.text(a.What.Value))
		if len(who) > 0 {
			s += " — " + strings.Join(who, ", ")
		}
		if a.Due.Value != "" {
			s += " · " + t.F("export.agreement.due", a.Due.Value)
		}
		x.line(s + x.removed(a.Entity) + x.whoSuffix(a.What))
		if a.What.Conflict() {
			x.line("  " + t.F("export.step.conflict", len(a.What.Heads)))
		}
	}
	x.line("")
}

func (x *exporter) contacts() {
	t := x.t
	x.heading(2, t.S("export.contacts"))
	if len(x.c.Contacts) == 0 {
		x.para(t.S("export.none"))
		return
	}
	x.line("| " + strings.Join([]string{t.S("export.contact.role"), t.S("export.contact.org"), t.S("export.contact.name"),
		t.S("export.contact.tel"), t.S("export.contact.mail")}, " | ") + " |")
	x.line("|---|---|---|---|---|")
	for _, ct := range x.c.Contacts {
		cells := []string{x.text(ct.Role.Value), x.text(ct.Org.Value), x.text(ct.Name.Value) + x.removed(ct.Entity),
			x.text(ct.Phone.Value), x.text(ct.Email.Value)}
		for i := range cells {
			cells[i] = cellSafe(cells[i])
		}
		x.line("| " + strings.Join(cells, " | ") + " |")
	}
	x.line("")
}

func (x *exporter) journal() {
	t := x.t
	x.heading(2, t.S("export.journal"))
	if len(x.c.Journal) == 0 {
		x.para(t.S("export.none"))
		return
	}
	for _, j := range x.c.Journal {
		head := []string{x.text(j.Date.Value), x.code("journal.kind.", j.Kind.Value)}
		if j.Place.Value != "" {
			head = append(head, mdInline(j.Place.Value))
		}
		x.heading(3, strings.Join(head, " · ")+x.removed(j.Entity))
		if j.Text.Value != "" {
			x.quote(j.Text.Value)
		}
		if w := x.who(j.Text); w != "" {
			x.para("*— " + w + "*")
		}
		x.conflictNote(j.Text)
	}
}

func (x *exporter) route() {
	t, c := x.t, x.c
	x.heading(2, t.S("export.route"))
	x.line("- " + t.S("export.field.places") + ": " + x.places(c.Places.Value))
	x.line("- " + t.S("export.field.routetarget") + ": " + x.code("place.", c.RouteTarget.Value))
	x.line("")
	for _, mv := range c.Moves {
		s := "- " + t.F("export.route.move", x.text(mv.Date.Value), x.places(mv.From.Value), x.places(mv.To.Value))
		if mv.Back() {
			s += " " + t.S("export.route.back")
		}
		if mv.Employer.Value != "" {
			s += " · " + t.F("export.route.employer", cellSafe(mdInline(mv.Employer.Value)))
		}
		if mv.Reason.Value != "" {
			s += " — " + cellSafe(mdInline(mv.Reason.Value))
		}
		x.line(s + x.removed(mv.Entity) + x.whoSuffix(mv.To))
	}
	if len(c.Moves) > 0 {
		x.line("")
	}
}

// period shows a from/to pair of dates.
func (x *exporter) period(from, to string) string {
	switch {
	case from != "" && to != "":
		return x.t.F("export.period", from, to)
	case from != "":
		return x.t.F("export.from", from)
	case to != "":
		return x.t.F("export.until", to)
	}
	return ""
}

func (x *exporter) indications() {
	t := x.t
	x.heading(2, t.S("export.indications"))
	if len(x.c.Indications) == 0 {
		x.para(t.S("export.none"))
		return
	}
	for _, in := range x.c.Indications {
		s := "- " + x.code("export.indication.", in.Kind.Value)
		if p := x.period(in.Date.Value, in.Until.Value); p != "" {
			s += ": " + p
		}
		if in.Note.Value != "" {
			s += ". " + cellSafe(mdInline(in.Note.Value))
		}
		x.line(s + x.removed(in.Entity) + x.whoSuffix(in.Kind))
	}
	x.line("")
}

func (x *exporter) arrangements() {
	t := x.t
	x.heading(2, t.S("export.arrangements"))
	if len(x.c.Arrangements) == 0 {
		x.para(t.S("export.none"))
		return
	}
	for _, a := range x.c.Arrangements {
		s := "- " + x.code("export.arrangement.", a.Kind.Value) + ": " + x.text(a.Value.Value)
		if p := x.period(a.From.Value, a.To.Value); p != "" {
			s += ", " + p
		}
		x.line(s + x.removed(a.Entity) + x.whoSuffix(a.Kind))
	}
	x.line("")
}

func (x *exporter) conflicts() {
	t := x.t
	if len(x.c.Conflicts) == 0 {
		return
	}
	x.heading(2, t.S("export.conflicts"))
	x.para(t.S("export.conflicts.intro"))
	for _, f := range x.c.Conflicts {
		x.heading(3, mdInline(t.FieldLabel(x.m, f)))
		v, _ := x.c.FieldValue(f)
		for i, h := range v.Heads {
			x.para("**" + t.F("export.conflict.version", i+1, t.F("export.by", mdInline(h.Author), stamp(h.HLC.Time()))) + "**")
			x.quote(h.Value)
		}
	}
}

func (x *exporter) history(ops []store.Op) {
	t := x.t
	x.heading(2, t.S("export.history"))
	x.para(t.F("export.history.intro", len(ops)))
	if len(ops) == 0 {
		return
	}
	x.line("| " + strings.Join([]string{t.S("export.history.when"), t.S("export.history.who"), t.S("export.history.field"),
		t.S("export.history.value"), t.S("export.history.op"), t.S("export.history.prev"), t.S("export.history.dev")}, " | ") + " |")
	x.line("|---|---|---|---|---|---|---|")
	for _, op := range ops {
		prev := make([]string, len(op.Prev))
		for i, p := range op.Prev {
			prev[i] = "`" + shortID(p) + "`"
		}
		cells := []string{stamp(op.HLC.Time()), mdInline(op.Author), "`" + op.Field + "`", mdInline(op.Value),
			"`" + shortID(op.ID) + "`", strings.Join(prev, " "), "`" + shortID(op.Device) + "`"}
		for i := range cells {
			cells[i] = cellSafe(cells[i])
		}
		x.line("| " + strings.Join(cells, " | ") + " |")
	}
	x.line("")
}

// stamp formats a moment for the export: minutes, UTC, unambiguous in
// every language.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// shortID is the random tail of a UUID: enough to tell ops apart when
// reading; the JSON export has the full ids.
func shortID(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

func sortedValueKeys(m map[string]store.Value) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// mdInline escapes text so that Markdown shows it as written: no emphasis,
// links, HTML, headings or list markers out of a person's words.
func mdInline(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~':
			b.WriteByte('\\')
		case '-', '+', '=':
			if i == 0 {
				b.WriteByte('\\')
			}
		case '.', ')':
			if i > 0 && onlyDigits(s[:i]) {
				b.WriteByte('\\') // "1." would start a numbered list
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func onlyDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// cellSafe keeps a value on one table row: line breaks become <br>.
func cellSafe(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\n", "<br>")
}
