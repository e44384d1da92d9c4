package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/tui/texts"
)

// maxImportRead is the most of an import file brug reads.
const maxImportRead = 8 << 20

func newAdminUserImportCmd(c *cli) *cobra.Command {
	var opt server.ImportOptions
	var format string
	cmd := &cobra.Command{
		Use:   "import FILE [--dry-run] [--create-teams] [--update] [--invite [--invite-format lines|csv]]",
		Short: "Add many users, teams and memberships at once from a CSV file",
		Long: `Add the users of a CSV file (FILE, or - for standard input) with their
roles and team memberships, all at once: either every line is imported,
or nothing is.

The file is UTF-8 CSV (RFC 4180; a byte order mark is fine, blank lines are
skipped) with a header row naming the columns name, role and teams. Teams
are separated by ';' within their field:

  name,role,teams
  anna,coach,Team Noord
  cor,coordinator,"Team Noord;Team Zuid"

Every line is checked first, and every mistake is reported with its line
number (a bad name, an unknown role or team, a name that is on two lines,
a user that exists); with any mistake nothing is imported (exit code 2).
--dry-run only checks and shows what would happen.

A team that does not exist is refused, unless --create-teams creates it.
A user that exists is refused, unless --update is given: then the user's
role and teams become exactly those of the line (a disabled user stays
disabled).

--invite makes a one-time code for every imported user, valid for 24
hours, and prints them: one line per user with the whole login command
(when brug serve was started with --public-url), or with --invite-format
csv a CSV file with the columns name, code, expires and login.

Over SSH, give the file on standard input: ssh HOST admin user import - < users.csv`,
		Example: `  brug admin user import users.csv --dry-run
  brug admin user import users.csv --create-teams --invite
  brug admin user import users.csv --invite --invite-format csv > codes.csv
  ssh -p 2222 brug.example.nl admin user import - --invite < users.csv`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains([]string{"lines", "csv"}, format) {
				return usageError{errors.New(c.msgs().f("import.format", format))}
			}
			return c.importUsers(cmd, args[0], opt, format)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opt.DryRun, "dry-run", false, "check the file and show what would happen; write nothing")
	f.BoolVar(&opt.CreateTeams, "create-teams", false, "create teams that do not exist yet (else they are an error)")
	f.BoolVar(&opt.Update, "update", false, "set the role and teams of existing users to the file's (else they are an error)")
	f.BoolVar(&opt.Invite, "invite", false, "make a one-time enrolment code for every imported user and print them")
	f.StringVar(&format, "invite-format", "lines", "lines (one login command per user) or csv (name,code,expires,login)")
	_ = cmd.RegisterFlagCompletionFunc("invite-format", cobra.FixedCompletions([]string{"lines", "csv"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// readImportFile reads FILE, or standard input for "-"; over SSH only
// standard input (a path would name a file on the server).
func (c *cli) readImportFile(name string) ([]byte, error) {
	var r io.Reader
	switch {
	case name == "-":
		r = c.env.stdin
		if r == nil {
			r = os.Stdin
		}
	case c.via != nil:
		return nil, usageError{errors.New(c.msgs().f("import.sshfile", name))}
	default:
		f, err := os.Open(name)
		if err != nil {
			return nil, c.fail("import.read", name, err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxImportRead+1))
	if err != nil {
		return nil, c.fail("import.read", name, err)
	}
	if len(data) > maxImportRead {
		return nil, usageError{errors.New(c.msgs().f("import.toobig", name, maxImportRead>>20))}
	}
	return data, nil
}

func (c *cli) importUsers(cmd *cobra.Command, name string, opt server.ImportOptions, format string) (err error) {
	m := c.msgs()
	data, err := c.readImportFile(name)
	if err != nil {
		return err
	}
	rows, probs, err := server.ParseImportCSV(strings.NewReader(string(data)))
	if err != nil {
		return c.fail("import.read", name, err)
	}
	if len(probs) > 0 {
		return c.importProblems(probs)
	}
	var sess *adminSession
	if c.via != nil {
		sess = viaSession(c.via)
	} else if sess, err = c.openAdmin(cmd.Context(), !opt.DryRun); err != nil {
		return err
	}
	defer func() {
		if cerr := sess.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	resp, err := sess.do(server.AdminRequest{Cmd: server.CmdUserImport, Rows: rows, Import: &opt})
	var ref adminRefusal
	if errors.As(err, &ref) {
		if resp.Import != nil && len(resp.Import.Problems) > 0 {
			return c.importProblems(resp.Import.Problems)
		}
		if ref.user {
			return c.fail("admin.refused", esc(ref.msg))
		}
		return c.fail("admin.failed", errors.New(esc(ref.msg)))
	}
	if err != nil {
		return err
	}
	res := resp.Import
	if res == nil {
		return c.fail("admin.failed", errors.New("no import result"))
	}
	// With the codes as CSV on standard output, the rest goes to
	// standard error so that the output is the file.
	out := c.env.stdout
	if opt.Invite && format == "csv" && !opt.DryRun {
		out = c.env.stderr
	}
	if opt.DryRun {
		fmt.Fprintln(out, m.f("import.dryrun"))
		for _, t := range res.NewTeams {
			fmt.Fprintln(out, m.f("import.plan.team", t))
		}
		for _, r := range rows {
			key := "import.plan.add"
			if slices.Contains(res.Updated, r.Name) {
				key = "import.plan.update"
			}
			fmt.Fprintln(out, m.f(key, esc(r.Name), esc(r.Role), c.listOrNone(r.Teams)))
		}
	}
	summary := m.f("import.summary", len(res.Added), len(res.Updated), len(res.NewTeams), res.Memberships)
	if opt.DryRun {
		fmt.Fprintln(out, m.f("import.wouldbe", summary))
		if opt.Invite {
			fmt.Fprintln(out, m.f("import.wouldinvite", len(rows)))
		}
		return nil
	}
	fmt.Fprintln(out, m.f("import.done", summary))
	if opt.Invite {
		return c.printImportInvites(res.Invites, resp.URL, format)
	}
	return nil
}

// importProblems reports every problem of an import by its line and
// returns the input error.
func (c *cli) importProblems(probs []server.ImportProblem) error {
	m := c.msgs()
	for _, p := range probs {
		v := p.Value
		if p.Kind == server.ProblemCSV {
			v = texts.CSVComplaint(m.lang, v)
		}
		msg := m.f("import.p."+p.Kind, esc(v))
		if p.Line > 0 {
			msg = m.f("import.line", p.Line, msg)
		}
		fmt.Fprintln(c.env.stderr, msg)
	}
	return usageError{errors.New(m.f("import.refused", len(probs)))}
}

// printImportInvites prints the codes of an import: one line per user
// with the login command, or CSV.
func (c *cli) printImportInvites(invs []server.ImportInvite, url, format string) error {
	m := c.msgs()
	login := func(code string) string {
		if url == "" {
			return ""
		}
		return "brug login " + esc(url) + " " + code
	}
	if format == "csv" {
		cw := csv.NewWriter(c.env.stdout)
		cw.UseCRLF = true
		_ = cw.Write([]string{"name", "code", "expires", "login"})
		for _, in := range invs {
			_ = cw.Write([]string{csvCell(in.Name), in.Code, in.Expires.Local().Format(time.RFC3339), login(in.Code)})
		}
		cw.Flush()
		if url == "" {
			fmt.Fprintln(c.env.stderr, m.f("import.nourl"))
		}
		return cw.Error()
	}
	if len(invs) > 0 {
		fmt.Fprintln(c.env.stdout, m.f("import.invites", stamp(invs[0].Expires)))
	}
	for _, in := range invs {
		if url == "" {
			fmt.Fprintf(c.env.stdout, "%s: %s\n", esc(in.Name), in.Code)
			continue
		}
		fmt.Fprintf(c.env.stdout, "%s: %s\n", esc(in.Name), login(in.Code))
	}
	if url == "" {
		fmt.Fprintln(c.env.stdout, m.f("import.nourl"))
	}
	return nil
}
