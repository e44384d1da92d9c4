package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/sync/server"
)

func newAdminRetentionCmd(c *cli) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "retention [--yes]",
		Short: "List the dossiers of closed trajectories past their retention period, and erase them",
		Long: `List the dossiers whose trajectory was closed (brug close) longer ago than
the region's retention period (closing date + period before today): name,
team, closing date and reason, the period that applies and the day it
ended. The policy is the one brug serve --retention kept in the server's
file (15y when none was set); a dossier with a benefit or indication code
the policy names is kept for the longest of those periods.

By default this is a dry run: nothing is erased. On a terminal brug asks
you to type yes to erase the listed dossiers; without a terminal (a
script, an SSH command) --yes erases them. Each is erased as by brug admin
erase (devices erase it on their next sync and confirm it; see brug admin
erasures), with an audit record naming the closing date and period, and
one record for the run. A dossier reopened meanwhile is left alone.`,
		Example: `  brug admin retention
  brug admin retention --yes`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			m := c.msgs()
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdRetention})
			if err != nil {
				return err
			}
			rep := resp.Retention
			if rep == nil {
				rep = &server.RetentionReport{}
			}
			fmt.Fprintln(c.env.stdout, m.f("retention.policy", esc(rep.Policy), rep.Today))
			if len(rep.Due) == 0 {
				fmt.Fprintln(c.env.stdout, m.f("retention.none"))
				return nil
			}
			tw := table(c.env.stdout, m.f("admin.cols.retention"))
			for _, d := range rep.Due {
				period := d.Period
				if d.Code != "" {
					period += " (" + esc(d.Code) + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", orDash(d.Name), orDash(d.Team), d.Closed, orDash(d.Reason), period, d.Due.Format("2006-01-02"), esc(d.ID))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if !yes {
				if !c.interactive() {
					fmt.Fprintln(c.env.stdout, m.n("retention.dryrun", len(rep.Due)))
					return nil
				}
				fmt.Fprint(c.env.stderr, m.n("retention.ask", len(rep.Due)))
				in := c.env.stdin
				if in == nil {
					in = os.Stdin
				}
				line, _ := bufio.NewReader(in).ReadString('\n')
				switch strings.ToLower(strings.TrimSpace(line)) {
				case "ja", "yes":
				default:
					return c.fail("admin.erasestopped")
				}
			}
			ids := make([]string, 0, len(rep.Due))
			for _, d := range rep.Due {
				ids = append(ids, d.ID)
			}
			resp, err = c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdRetention, Erase: true, Dossiers: ids})
			if err != nil {
				return err
			}
			done := resp.Retention
			if done == nil {
				return errors.New("no retention report")
			}
			var failed []string
			for _, d := range done.Due {
				if d.EraseFail != "" {
					failed = append(failed, fmt.Sprintf("%s: %s", esc(d.ID), esc(d.EraseFail)))
				}
			}
			fmt.Fprintln(c.env.stdout, m.n("retention.erased", done.Erased))
			if len(failed) > 0 {
				return c.fail("retention.failed", strings.Join(failed, "\n"))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "erase the listed dossiers without asking")
	return cmd
}
