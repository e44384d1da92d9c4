package main

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
)

// brug admin org import FILE: a CSV file of employers (or other
// organisations), checked as a whole on the laptop and against the
// register on the server, and written in one transaction or not at all.

// orgColumns maps the header names an employer file may use (folded as
// foldColumn does) to what they fill.
var orgColumns = map[string]string{
	"naam": "name", "name": "name", "organisatie": "name", "werkgever": "name", "bedrijf": "name",
	"soort": "kind", "kind": "kind", "type": "kind",
	"kvk": "kvk", "kvknummer": "kvk",
	"contactpersoon": "contact", "contact": "contact",
	"functie": "role", "rol": "role", "role": "role",
	"telefoon": "phone", "phone": "phone", "telefoonnummer": "phone",
	"email": "email", "mail": "email", "emailadres": "email",
}

// maxOrgRows is the most organisations one import takes.
const maxOrgRows = 20000

// parseOrgCSV reads an employer file: a header row naming its columns
// (naam is required; soort, kvk, contactpersoon, functie, telefoon,
// e-mail may follow) and one organisation per line. A line without soort
// is an employer. Every problem is reported with its line and column.
func parseOrgCSV(data []byte) ([]server.OrgRow, []caseProblem) {
	var rows []server.OrgRow
	t := csvTable{columns: orgColumns, unknown: "org.column", maxRows: maxOrgRows, tooMany: "org.toomany"}
	header := func(cols map[string]int, line int, add csvAdd) {
		if _, ok := cols["name"]; !ok {
			add(line, "", "org.noname", "")
		}
	}
	row := func(line int, get csvGet, add csvAdd) bool {
		o := store.Org{Kind: store.OrgEmployer}
		v, col := get("name")
		o.Name = v
		if v == "" {
			add(line, col, "noname.row", "")
		} else if store.CheckOrgName(v) != nil {
			add(line, col, "org.name", v)
		}
		if v, col := get("kind"); v != "" {
			if k, ok := store.ParseOrgKind(v); ok {
				o.Kind = k
			} else {
				add(line, col, "org.kind", v)
			}
		}
		if v, col := get("kvk"); v != "" {
			v = strings.Join(strings.Fields(v), "") // "1234 5678" as people write it
			if store.CheckKvK(v) != nil {
				add(line, col, "org.kvk", v)
			}
			o.KvK = v
		}
		var ct store.OrgContact
		ct.Name, _ = get("contact")
		ct.Role, _ = get("role")
		ct.Phone, _ = get("phone")
		ct.Email, _ = get("email")
		if ct != (store.OrgContact{}) {
			_, ccol := get("contact")
			var ce *store.ContactError // CheckContact's only error
			switch {
			case ct.Name == "":
				add(line, ccol, "org.nocontact", "")
			case errors.As(store.CheckContact(ct), &ce):
				add(line, "", "org.contact."+cmp.Or(ce.Field, "long"), ce.Value)
			default:
				o.Contacts = []store.OrgContact{ct}
			}
		}
		rows = append(rows, server.OrgRow{Line: line, Org: o})
		return true
	}
	probs := t.read(data, header, row)
	if len(rows) == 0 && len(probs) == 0 {
		probs = append(probs, caseProblem{Key: "org.empty"})
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return rows, nil
}

func newAdminOrgImportCmd(c *cli) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "import FILE [--yes]",
		Short: "Add many employers (or other organisations) at once from a CSV file",
		Long: `Add the organisations of a CSV file (FILE, or - for standard input) to the
region's register, all at once: either every line is added, or nothing.

The file is CSV (UTF-8; ',' or ';' as Excel writes it; a byte order mark
is fine) with a header row naming its columns: naam (required), soort,
kvk, contactpersoon, functie, telefoon, e-mail. A line without soort is an
employer (werkgever); soort takes the kinds of brug admin org add, in
Dutch or English. kvk is 8 digits. contactpersoon, functie, telefoon and
e-mail are one business contact.

  naam;soort;kvk;contactpersoon;functie;telefoon;e-mail
  Bakkerij De Zon;werkgever;12345678;Ria Jansen;bedrijfsleider;024 123 45 67;ria@dezon.nl
  Kringloop Oost;;;;;;

Without --yes nothing is written: brug shows what would be added. Every
mistake is reported with its line and column (a bad KvK number, an unknown
kind, a name or KvK number the register has, or an earlier line has:
names count as the same when they differ only in case or accents); with
any mistake nothing is added (exit code 2).

Over SSH, give the file on standard input: ssh HOST admin org import - --yes < werkgevers.csv`,
		Example: `  brug admin org import werkgevers.csv
  brug admin org import werkgevers.csv --yes`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := c.msgs()
			data, err := c.readImportFile(args[0])
			if err != nil {
				return err
			}
			rows, probs := parseOrgCSV(data)
			if len(probs) > 0 {
				return c.caseProblems(probs)
			}
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdOrgImport, OrgRows: rows, Write: yes})
			if resp.OrgImport != nil && len(resp.OrgImport.Problems) > 0 {
				return c.caseProblems(orgProblems(resp.OrgImport.Problems))
			}
			if err != nil {
				return err
			}
			tw := table(c.env.stdout, m.f("org.import.cols"))
			for _, r := range rows {
				contact := "-"
				if len(r.Org.Contacts) > 0 {
					contact = esc(r.Org.Contacts[0].Name)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", r.Line, esc(r.Org.Name), c.kindName(r.Org.Kind), orDash(r.Org.KvK), contact)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if yes {
				fmt.Fprintln(c.env.stdout, m.n("org.imported", len(rows)))
			} else {
				fmt.Fprintln(c.env.stdout, m.n("org.dryrun", len(rows)))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "add the organisations (without it, only show what would happen)")
	return cmd
}
