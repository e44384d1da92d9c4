package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/doctext"
	"github.com/brug-nl/brug/sync/server"
	"github.com/google/uuid"
	"github.com/spf13/cobra"
)

// The person's page ("wie heeft je dossier ingezien", `brug admin audit
// --client ID --format md|html`) and the dossier's audit records in the
// field names of the Logboek Dataverwerkingen standard (`--client ID
// --format csv|json`); docs/sharing.md maps the fields.

// personActions are the audit actions the person's page shows, in its
// order of words: what someone did with the dossier. Other records (a
// device told to remove it, receipts) are the system's own.
var personActions = []string{store.ReadOpen, store.ReadExport, store.ReadPrint, store.ReadSync, server.ActionDeliver, server.ActionChange, server.ActionPushRefused}

// accessRow is one line of the person's page, in words.
type accessRow struct {
	When, Who, Role, Org, What, How, Device string
}

// accessPage is the person's page in the words of one language.
type accessPage struct {
	Lang, Title, Intro, Dossier, Period, Made string
	Cols                                      []string
	Rows                                      []accessRow
	Count, None, Questions                    string
}

// buildAccessPage makes the page from a dossier's audit records (as
// Admin.Audit returns them with a dossier filter), for the period
// [since, until) (zero: open), made at now, times in loc.
func buildAccessPage(entries []server.AuditEntry, dossier string, since, until, now time.Time, loc *time.Location, lang string) accessPage {
	m := newMsgs(lang)
	t := doctext.New(lang)
	day := func(tm time.Time) string {
		tm = tm.In(loc)
		return fmt.Sprintf("%d %s %d", tm.Day(), t.S(fmt.Sprintf("plan.month.%d", int(tm.Month()))), tm.Year())
	}
	word := func(prefix, v string) string {
		if _, ok := lookupText(prefix + v); ok {
			return m.f(prefix + v)
		}
		return v
	}
	p := accessPage{Lang: lang, Title: m.f("inzage.title"), Intro: m.f("inzage.intro"), Dossier: m.f("inzage.dossier", dossier),
		Made: m.f("inzage.made", day(now)), Cols: strings.Split(m.f("inzage.cols"), "|"), None: m.f("inzage.none"), Questions: m.f("inzage.questions")}
	last := now
	if !until.IsZero() {
		last = until.Add(-time.Nanosecond)
	}
	if since.IsZero() {
		p.Period = m.f("inzage.all", day(last))
	} else {
		p.Period = m.f("inzage.since", day(since), day(last))
	}
	for _, e := range entries {
		if e.Dossier != dossier || !slices.Contains(personActions, e.Action) {
			continue
		}
		what := word("inzage.what.", e.Action)
		dev := e.Device
		if len(dev) > 8 {
			dev = dev[len(dev)-8:] // an id's random end: its start is a time, alike for devices enrolled together
		}
		p.Rows = append(p.Rows, accessRow{
			When: m.f("inzage.at", day(e.Time), e.Time.In(loc).Format("15:04")),
			Who:  orDash(e.User), Role: orDash(word("inzage.role.", e.Role)), Org: orDash(e.Org),
			What: what, How: word("inzage.how.", e.Channel), Device: orDash(dev),
		})
	}
	if len(p.Rows) > 0 {
		p.Count = m.n("inzage.count", len(p.Rows))
	}
	return p
}

// markdown renders the page as Markdown, every text escaped.
func (p accessPage) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n%s  \n%s  \n%s\n\n", md(p.Title), md(p.Intro), md(p.Dossier), md(p.Period), md(p.Made))
	if len(p.Rows) == 0 {
		fmt.Fprintf(&b, "%s\n\n", md(p.None))
	} else {
		b.WriteString("|")
		for _, c := range p.Cols {
			b.WriteString(" " + md(c) + " |")
		}
		b.WriteString("\n|" + strings.Repeat("---|", len(p.Cols)) + "\n")
		for _, r := range p.Rows {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", md(r.When), md(r.Who), md(r.Role), md(r.Org), md(r.What), md(r.How), md(r.Device))
		}
		fmt.Fprintf(&b, "\n%s\n\n", md(p.Count))
	}
	fmt.Fprintf(&b, "%s\n", md(p.Questions))
	return b.String()
}

// md escapes text so that Markdown shows it as written (as store/plan
// does): a user or organisation name never becomes a link or a column.
func md(s string) string {
	s = esc(s)
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '&':
			b.WriteByte('\\')
		case '-', '+', '=':
			if i == 0 {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// html renders the page as one self-contained A4 page, like the
// person's plan (store/plan): inline CSS, no scripts, no external
// resources; html/template escapes every text.
func (p accessPage) html() ([]byte, error) {
	var b bytes.Buffer
	if err := accessTemplate.Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var accessTemplate = template.Must(template.New("inzage").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
@page { size: A4 landscape; margin: 15mm; }
html { font-size: 12pt; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; line-height: 1.45; color: #111; background: #fff; max-width: 60em; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.7em; margin: 0 0 .3em; color: #0b4f6c; }
p { margin: .4em 0; }
.intro { font-size: 1.05em; }
.meta { color: #444; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; }
th, td { text-align: left; vertical-align: top; padding: .3em .5em; border-bottom: 1px solid #bbb; }
th { border-bottom: 2px solid #0b4f6c; color: #0b4f6c; }
tr { page-break-inside: avoid; break-inside: avoid; }
thead { display: table-header-group; }
@media print {
  html { font-size: 10.5pt; }
  body { margin: 0; padding: 0; max-width: none; }
  h1, th { color: #000; border-color: #000; }
}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="intro">{{.Intro}}</p>
<p class="meta">{{.Dossier}}<br>{{.Period}}<br>{{.Made}}</p>
{{if .Rows}}<table>
<thead><tr>{{range .Cols}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr><td>{{.When}}</td><td>{{.Who}}</td><td>{{.Role}}</td><td>{{.Org}}</td><td>{{.What}}</td><td>{{.How}}</td><td>{{.Device}}</td></tr>
{{end}}</tbody>
</table>
<p>{{.Count}}</p>
{{else}}<p>{{.None}}</p>
{{end}}<p>{{.Questions}}</p>
</body>
</html>
`))

// logboekRecord is an audit record about one dossier in the field names
// of the Logboek Dataverwerkingen standard (docs/sharing.md, "Mapping").
type logboekRecord struct {
	TraceID     string            `json:"trace_id"`
	OperationID string            `json:"operation_id"`
	Name        string            `json:"name"`
	StartTime   string            `json:"start_time"`
	EndTime     string            `json:"end_time"`
	StatusCode  string            `json:"status_code"`
	Resource    map[string]string `json:"resource"`
	Attributes  map[string]string `json:"attributes"`
}

// logboekAttrs are the attribute names, in the CSV's column order.
var logboekAttrs = []string{"dpl.core.data_subject_id", "dpl.brug.user", "dpl.brug.role", "dpl.brug.organisation", "dpl.brug.channel", "dpl.brug.ops", "dpl.brug.detail", "dpl.brug.audit_seq", "dpl.brug.read_id"}

// logboekRecords turns a dossier's audit records into Logboek records,
// times in loc. A record is its own trace: a laptop read's trace_id is
// the 16 bytes of its id, any other's the first 16 bytes of SHA-256 over
// "brug audit", its number and the dossier; operation_id is the trace's
// last 8 bytes.
func logboekRecords(entries []server.AuditEntry, dossier string, loc *time.Location) []logboekRecord {
	var out []logboekRecord
	for _, e := range entries {
		if e.Dossier != dossier {
			continue
		}
		var trace [16]byte
		if id, err := uuid.Parse(e.Read); e.Read != "" && err == nil {
			trace = id
		} else {
			h := sha256.Sum256([]byte("brug audit " + strconv.FormatUint(e.Seq, 10) + " " + dossier))
			copy(trace[:], h[:16])
		}
		status := "STATUS_CODE_OK"
		if strings.HasSuffix(e.Action, "refused") {
			status = "STATUS_CODE_ERROR"
		}
		at := e.Time.In(loc).Format("2006-01-02T15:04:05.000Z07:00")
		attrs := map[string]string{"dpl.core.data_subject_id": dossier, "dpl.brug.user": e.User, "dpl.brug.channel": e.Channel,
			"dpl.brug.audit_seq": strconv.FormatUint(e.Seq, 10)}
		for k, v := range map[string]string{"dpl.brug.role": e.Role, "dpl.brug.organisation": e.Org, "dpl.brug.detail": e.Detail, "dpl.brug.read_id": e.Read} {
			if v != "" {
				attrs[k] = v
			}
		}
		if n, ok := e.Delivered[dossier]; ok {
			attrs["dpl.brug.ops"] = strconv.Itoa(n)
		}
		res := map[string]string{"service.name": "brug"}
		if e.Device != "" {
			res["brug.device"] = e.Device
		}
		out = append(out, logboekRecord{
			TraceID: hex.EncodeToString(trace[:]), OperationID: hex.EncodeToString(trace[8:]),
			Name: logboekName(e.Action), StartTime: at, EndTime: at, StatusCode: status,
			Resource: res, Attributes: attrs,
		})
	}
	return out
}

// logboekName is a record's name: "dossier." and the action, a
// delivery by sync named as the laptop's read log names it.
func logboekName(action string) string {
	if action == server.ActionDeliver {
		action = store.ReadSync
	}
	return "dossier." + strings.ReplaceAll(action, " ", "_")
}

// writeLogboekJSON writes the records as NDJSON, terminal-safe.
func writeLogboekJSON(w io.Writer, recs []logboekRecord) error {
	var buf bytes.Buffer
	for _, r := range recs {
		b, err := json.Marshal(r)
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

// writeLogboekCSV writes the records as RFC 4180 CSV, one column per
// field and attribute, cells defused as the audit CSV's are.
func writeLogboekCSV(w io.Writer, recs []logboekRecord) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	header := append([]string{"trace_id", "operation_id", "name", "start_time", "end_time", "status_code", "resource.brug.device"}, logboekAttrs...)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range recs {
		row := []string{r.TraceID, r.OperationID, csvCell(r.Name), r.StartTime, r.EndTime, r.StatusCode, csvCell(r.Resource["brug.device"])}
		for _, a := range logboekAttrs {
			row = append(row, csvCell(r.Attributes[a]))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// newAdminAuditVerifyCmd is `brug admin audit verify`.
func newAdminAuditVerifyCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the audit log's hash chain and say where it breaks",
		Long: `Check that the audit log is as the server wrote it: every entry since the
chain began carries the SHA-256 of the entry before it and of itself
(docs/sync.md, "The audit chain"). Prints the number of entries and the
chain's head (note it somewhere else to detect a rewrite of the whole log
later), or every place the chain breaks: the entry's number and what
differs (changed, removed, moved, added outside the chain). Exit code 1
when the chain breaks.`,
		Example: `  brug admin --db region.db audit verify`,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdAuditVerify})
			if err != nil {
				return err
			}
			if resp.Verify == nil {
				return fmt.Errorf("the server did not answer audit verify")
			}
			return writeVerify(c.env.stdout, c.msgs(), *resp.Verify)
		},
	}
}

// writeVerify prints a verify report; an error (exit code 1) when the
// chain breaks.
func writeVerify(w io.Writer, m msgs, r server.AuditReport) error {
	if !r.OK() {
		for _, b := range r.Breaks {
			var what []string
			for _, k := range b.Kinds {
				what = append(what, m.f("admin.verify.kind."+k))
			}
			line := strings.Join(what, "; ")
			if m.lang == "en" {
				line = esc(b.Problem)
			}
			fmt.Fprintln(w, m.f("admin.verify.at", b.Seq, b.Position, line))
		}
		if r.More > 0 {
			fmt.Fprintln(w, m.f("admin.verify.more", m.num(r.More)))
		}
		return userError{m.f("admin.verify.broken", m.num(len(r.Breaks)+r.More))}
	}
	if r.Genesis == 0 {
		fmt.Fprintln(w, m.f("admin.verify.nochain", m.num(r.Entries)))
		return nil
	}
	fmt.Fprintln(w, m.f("admin.verify.ok", m.num(r.Entries), r.Head.Seq))
	if r.Unhashed > 0 {
		fmt.Fprintln(w, m.f("admin.verify.genesis", m.num(r.Unhashed), r.Genesis))
	}
	fmt.Fprintln(w, m.f("admin.verify.head", r.Head.Seq, r.Head.Hash))
	return nil
}
