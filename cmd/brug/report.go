package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/texts"
)

// reportFlags are the report command's own flags.
type reportFlags struct {
	from, to string
	teams    []string
	format   string
}

// reportBarWidth is the length of the longest bar of the text chart.
const reportBarWidth = 40

func newReportCmd(c *cli) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Count who moved on from day activities, to what, and who stepped back",
		Long: `Print the flow report of a period: how many people stood at each place on
the route when the period began, how many moved on and to which place
(volunteering, training, work-experience place, beschut werk, banenafspraak,
regular work), how many stepped back and from where, and where everyone
stood at the end, with a headline such as "47 van 363 doorgestroomd" and a
text bar chart. The app shows the same report on its own screen (F).

The period runs from --from to --to, both days included (YYYY-MM-DD).
--to defaults to today; --from defaults to the first day of the calendar
quarter --to falls in, so without dates the report covers the current
quarter so far.

--team limits the report to clients whose team is NAME; repeat it for more
teams. Without --team every client counts, with the numbers per team below.

--format md (the default) writes Markdown in the language of --lang: the
headline, tables and the chart. --format csv writes machine-readable rows
"section,place,count" with a header row, the same in every language:
sections people, moved_on, stepped_back (without a place), then at_start,
moved_to, stepped_back_from and at_end per place (place codes as in the
method, "unknown" for no place recorded).

Who is counted and how is defined in docs/report.md: every existing client
of the teams who was known by the end of the period counts once, at the
furthest of their places; a person with several moves counts once, at the
furthest place they moved on to. The brug file is opened read-only.`,
		Example: `  brug report
  brug report --from 2025-01-01 --to 2025-12-31 --team Noord --team Zuid
  brug report --format csv > doorstroom.csv
  brug report --lang en --from 2025-04-01`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := c.reportQuery(f)
			if err != nil {
				return err
			}
			return c.runReport(q, f.format)
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", "first day of the period, YYYY-MM-DD (default: the first day of --to's quarter)")
	fl.StringVar(&f.to, "to", "", "last day of the period, YYYY-MM-DD (default: today)")
	fl.StringArrayVar(&f.teams, "team", nil, "count only the clients of this team; repeat for more teams (default: all teams)")
	fl.StringVar(&f.format, "format", "md", "md (a readable report with a chart) or csv (section,place,count rows)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"md", "csv"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("from", cobra.NoFileCompletions)
	_ = cmd.RegisterFlagCompletionFunc("to", cobra.NoFileCompletions)
	_ = cmd.RegisterFlagCompletionFunc("team", cobra.NoFileCompletions)
	return cmd
}

// reportQuery checks the flags and fills in the default period.
func (c *cli) reportQuery(f reportFlags) (store.FlowQuery, error) {
	m := c.msgs()
	if f.format != "md" && f.format != "csv" {
		return store.FlowQuery{}, usageError{errors.New(m.f("report.format", f.format))}
	}
	day := func(flag, v string) (time.Time, error) {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return d, usageError{errors.New(m.f("report.date", flag, v))}
		}
		return d, nil
	}
	to := c.env.now()
	if f.to != "" {
		d, err := day("--to", f.to)
		if err != nil {
			return store.FlowQuery{}, err
		}
		to = d
	}
	q := store.FlowQuery{To: to.Format(time.DateOnly)}
	q.From, _ = store.QuarterOf(to)
	if f.from != "" {
		if _, err := day("--from", f.from); err != nil {
			return store.FlowQuery{}, err
		}
		q.From = f.from
	}
	if q.From > q.To {
		return store.FlowQuery{}, usageError{errors.New(m.f("report.order", q.From, q.To))}
	}
	for _, t := range f.teams {
		if strings.TrimSpace(t) == "" {
			return store.FlowQuery{}, usageError{errors.New(m.f("report.blankteam"))}
		}
		if !slices.Contains(q.Teams, t) {
			q.Teams = append(q.Teams, t)
		}
	}
	return q, nil
}

// runReport opens the user's file read-only, counts and prints.
func (c *cli) runReport(q store.FlowQuery, format string) (err error) {
	src := c.reporter
	if src == nil {
		// The app open on the file answers for it (live.go).
		if path, err := c.dbPath(); err == nil && liveServing(path) {
			src = liveReporter{c: c, path: path}
		}
	}
	if src == nil {
		s, err := c.openReadOnly()
		if err != nil {
			return err
		}
		defer c.closeStore(s, &err)
		src = s
	}
	r, err := src.FlowReport(q)
	if err != nil {
		if st, ok := src.(*store.Store); ok {
			return c.readFailed(st, "report.read", err)
		}
		var ue userError
		if errors.As(err, &ue) {
			return err // the app's answer, already worded (live.go)
		}
		return c.fail("report.read", err)
	}
	for _, t := range q.Teams {
		if slices.Contains(r.KnownTeams, t) {
			continue
		}
		if len(r.KnownTeams) == 0 {
			return c.fail("report.noteams", t)
		}
		return c.fail("report.team", t, strings.Join(r.KnownTeams, ", "))
	}
	if format == "csv" {
		return writeReportCSV(c.env.stdout, r)
	}
	_, err = io.WriteString(c.env.stdout, c.reportMarkdown(r))
	return err
}

// writeReportCSV writes the report as section,place,count rows.
func writeReportCSV(out io.Writer, r store.FlowReport) error {
	w := csv.NewWriter(out)
	rows := [][]string{{"section", "place", "count"},
		{"people", "", strconv.Itoa(r.People)},
		{"moved_on", "", strconv.Itoa(r.MovedOn)},
		{"stepped_back", "", strconv.Itoa(r.SteppedBack)},
	}
	for _, sec := range []struct {
		name string
		list []store.PlaceCount
	}{{"at_start", r.AtStart}, {"moved_to", r.MovedTo}, {"stepped_back_from", r.SteppedBackFrom}, {"at_end", r.AtEnd}} {
		for _, pc := range sec.list {
			rows = append(rows, []string{sec.name, string(pc.Place), strconv.Itoa(pc.Count)})
		}
	}
	// By employer (issue 11): the employer's name in the place column.
	for _, e := range r.Employers {
		rows = append(rows, []string{"employer_moved_on", e.Employer, strconv.Itoa(e.MovedOn)}, []string{"employer_at_end", e.Employer, strconv.Itoa(e.AtEnd)})
	}
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// reportSection is one table of the Markdown report.
type reportSection struct {
	title string
	list  []store.PlaceCount
}

// reportMarkdown renders the report: title, teams, headline, the tables,
// the numbers per team when there are several, and a text bar chart.
func (c *cli) reportMarkdown(r store.FlowReport) string {
	m := c.msgs()
	places := texts.NewTexts(c.language())
	label := func(p store.Place) string {
		if p == store.PlaceUnknown {
			return m.f("report.unknown")
		}
		return places.S("place." + string(p))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", m.f("report.title", r.Query.From, r.Query.To))
	if len(r.Query.Teams) == 0 {
		fmt.Fprintf(&b, "%s\n\n", m.f("report.allteams"))
	} else {
		fmt.Fprintf(&b, "%s\n\n", m.f("report.teams", strings.Join(r.Query.Teams, ", ")))
	}
	fmt.Fprintf(&b, "**%s**, %s.\n", m.f("report.headline", m.num(r.MovedOn), m.num(r.People)), m.n("report.back", r.SteppedBack))
	sections := []reportSection{
		{m.f("report.atstart"), r.AtStart},
		{m.f("report.movedto"), r.MovedTo},
		{m.f("report.backfrom"), r.SteppedBackFrom},
		{m.f("report.atend"), r.AtEnd},
	}
	// One table: a row per place, a column per section; a place a section
	// cannot hold (nobody moves on to day activities) shows a dash.
	fmt.Fprintf(&b, "\n## %s\n\n| %s |", m.f("report.places"), m.f("report.col.place"))
	for _, sec := range sections {
		fmt.Fprintf(&b, " %s |", sec.title)
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(sections)) + "\n")
	rows := store.Places()
	if store.Count(r.AtStart, store.PlaceUnknown)+store.Count(r.AtEnd, store.PlaceUnknown) > 0 {
		rows = append(rows, store.PlaceUnknown)
	}
	for _, p := range rows {
		fmt.Fprintf(&b, "| %s |", label(p))
		for _, sec := range sections {
			if slices.ContainsFunc(sec.list, func(pc store.PlaceCount) bool { return pc.Place == p }) {
				fmt.Fprintf(&b, " %s |", m.num(store.Count(sec.list, p)))
			} else {
				b.WriteString(" – |")
			}
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", m.f("report.total"), m.num(r.People), m.num(r.MovedOn), m.num(r.SteppedBack), m.num(r.People))
	if len(r.Teams) > 1 {
		fmt.Fprintf(&b, "\n## %s\n\n| %s | %s | %s | %s |\n|---|---:|---:|---:|\n", m.f("report.perteam"),
			m.f("report.col.team"), m.f("report.col.people"), m.f("report.col.movedon"), m.f("report.col.back"))
		for _, t := range r.Teams {
			name := t.Team
			if name == "" {
				name = m.f("report.noteam")
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(name), m.num(t.People), m.num(t.MovedOn), m.num(t.SteppedBack))
		}
	}
	if len(r.Employers) > 0 {
		fmt.Fprintf(&b, "\n## %s\n\n| %s | %s | %s |\n|---|---:|---:|\n", m.f("report.peremployer"),
			m.f("report.col.employer"), m.f("report.col.movedon"), m.f("report.col.atend"))
		for _, e := range r.Employers {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCell(esc(e.Employer)), m.num(e.MovedOn), m.num(e.AtEnd))
		}
	}
	fmt.Fprintf(&b, "\n## %s\n\n```\n", m.f("report.chart"))
	b.WriteString(barChart(sections, label))
	b.WriteString("```\n")
	return b.String()
}

// shownCounts leaves out the "unknown" row when nobody is in it.
func shownCounts(list []store.PlaceCount) []store.PlaceCount {
	return slices.DeleteFunc(slices.Clone(list), func(pc store.PlaceCount) bool {
		return pc.Place == store.PlaceUnknown && pc.Count == 0
	})
}

// barChart draws each section as labelled rows of full blocks. Each
// section is scaled on its own, so its largest count is reportBarWidth
// blocks (the few who moved on would not show next to the many at the
// start otherwise); a count above zero gets at least one block, and every
// row shows its number. Blocks read without colour.
func barChart(sections []reportSection, label func(store.Place) string) string {
	labelW := 0
	for _, sec := range sections {
		for _, pc := range shownCounts(sec.list) {
			labelW = max(labelW, len([]rune(label(pc.Place))))
		}
	}
	var b strings.Builder
	for i, sec := range sections {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(sec.title + "\n")
		rows := shownCounts(sec.list)
		most := 0
		for _, pc := range rows {
			most = max(most, pc.Count)
		}
		for _, pc := range rows {
			l := label(pc.Place)
			b.WriteString("  " + l + strings.Repeat(" ", labelW-len([]rune(l))) + "  ")
			if pc.Count > 0 {
				n := max(1, (pc.Count*reportBarWidth+most/2)/most)
				b.WriteString(strings.Repeat("█", n) + " ")
			}
			b.WriteString(strconv.Itoa(pc.Count) + "\n")
		}
	}
	return b.String()
}

// mdCell makes a team name safe inside a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}
