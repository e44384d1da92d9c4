package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/texts"
)

type caseloadFlags struct {
	yes, allowDuplicates bool
	team                 string
}

func newImportCmd(c *cli) *cobra.Command {
	var f caseloadFlags
	cmd := &cobra.Command{
		Use:   "import FILE [--yes] [--team TEAM] [--allow-duplicates]",
		Short: "Import a caseload: create the clients of a CSV file on this laptop",
		Long: `Create the clients of a CSV file (FILE, or - for standard input) in your
brug file: a coach's or a team's caseload. docs/cli.md lists the columns.

The file has a header row naming its columns and one client per line,
separated by ';' (as Dutch Excel saves) or ','; UTF-8, with or without a
byte order mark. Required: naam (or voornaam and achternaam) and team
(or --team for every line without one). Optional: geboortejaar (or
geboortedatum), coach, uitkering, doel, plek.

Without --yes nothing is written: brug shows the clients it would create.
Every mistake is reported with its line and column; with any mistake
nothing is imported. A client whose name (case and accents do not count)
and birth year match one in your file, or an earlier line, is a likely
duplicate and is skipped, unless --allow-duplicates is given. With --yes
all clients are written in one go: either every one, or (after a crash,
or any error) none.`,
		Example: `  brug import caseload.csv
  brug import caseload.csv --team "Wijkteam Oost" --yes`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runImport(args[0], f)
		},
	}
	cmd.Flags().BoolVar(&f.yes, "yes", false, "write the clients (without it, only show what would happen)")
	cmd.Flags().BoolVar(&f.allowDuplicates, "allow-duplicates", false, "also create likely duplicates (else they are skipped)")
	cmd.Flags().StringVar(&f.team, "team", "", "the team of lines without one")
	return cmd
}

// caseProblems reports every problem of a caseload file and returns the
// input error.
func (c *cli) caseProblems(probs []caseProblem) error {
	m := c.msgs()
	for _, p := range probs {
		var msg string
		switch p.Key {
		case "fields":
			got, want, _ := strings.Cut(p.Value, "\x00")
			msg = m.f("caseload.p.fields", got, want)
		default:
			v := p.Value
			if p.Key == "csv" {
				v = texts.CSVComplaint(m.lang, v)
			}
			msg = m.f("caseload.p."+p.Key, esc(v))
		}
		switch {
		case p.Line > 0 && p.Column != "":
			msg = m.f("caseload.linecol", p.Line, esc(p.Column), msg)
		case p.Line > 0:
			msg = m.f("caseload.line", p.Line, msg)
		}
		fmt.Fprintln(c.env.stderr, msg)
	}
	return usageError{errors.New(m.n("caseload.refused", len(probs)))}
}

// runImport checks a caseload file and, with --yes, creates its clients.
func (c *cli) runImport(name string, f caseloadFlags) (err error) {
	m := c.msgs()
	data, err := c.readImportFile(name)
	if err != nil {
		return err
	}
	rows, probs := parseCaseload(data, strings.TrimSpace(f.team), c.env.now().Year())
	if len(probs) > 0 {
		return c.caseProblems(probs)
	}
	s, _, err := c.openUserStore()
	if err != nil {
		return err
	}
	defer c.closeStore(s, &err)
	s = syncUser(s)

	// Likely duplicates: with a client in the file, or an earlier line.
	names := map[string]bool{}
	for _, r := range rows {
		names[store.NameKey(r.Client.Name)] = true
	}
	people, err := s.PeopleNamed(names)
	if err != nil {
		return c.readFailed(s, "export.read", err)
	}
	there := map[string]store.Person{}
	for _, p := range people {
		if _, ok := there[p.Key()]; !ok {
			there[p.Key()] = p
		}
	}
	seen := map[string]int{}
	var create []store.NewClient
	dups := 0
	tw := table(c.env.stdout, m.f("caseload.cols"))
	for _, r := range rows {
		key := store.DupKey(r.Client.Name, r.Client.BirthYear)
		note := ""
		if p, ok := there[key]; ok {
			note = m.f("caseload.dup.there", esc(p.Name), esc(p.Team))
		} else if l, ok := seen[key]; ok {
			note = m.f("caseload.dup.line", l)
		} else {
			seen[key] = r.Line
		}
		if note != "" {
			dups++
			if f.allowDuplicates {
				note += m.f("caseload.dup.anyway")
			} else {
				note += m.f("caseload.dup.skip")
			}
		}
		if note == "" || f.allowDuplicates {
			create = append(create, r.Client)
		}
		year := r.Client.BirthYear
		if year == "" {
			year = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", r.Line, esc(r.Client.Name), year, esc(r.Client.Team), note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	skipped := 0
	if !f.allowDuplicates {
		skipped = dups
	}
	summary := m.n("caseload.new", len(create))
	if skipped > 0 {
		summary += ", " + m.n("caseload.skipped", skipped)
	}
	if !f.yes {
		fmt.Fprintln(c.env.stdout, m.f("caseload.dryrun", summary))
		return nil
	}
	if len(create) > 0 {
		if _, err := s.CreateClients(create); err != nil {
			return c.readFailed(s, "caseload.notdone", err)
		}
	}
	fmt.Fprintln(c.env.stdout, m.f("caseload.done", summary))
	return nil
}
