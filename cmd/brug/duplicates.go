package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
)

func newDuplicatesCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "duplicates",
		Short: "List likely duplicates: the same person entered twice",
		Long: `List the pairs of clients in your file that are likely the same person:
the same name (case, accents and spacing do not count) and the same birth
year. It happens when two laptops entered one person before they synced.
Merge a pair with 'brug duplicates merge KEEP GONE'.`,
		Example: `  brug duplicates
  brug duplicates merge 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 0193a5c2-8e2f-7cc1-8b7e-2f0c55aa1e02`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return c.runDuplicates() },
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "merge KEEP GONE",
		Short: "Merge the dossier GONE into KEEP (docs/merge.md)",
		Long: `Move everything of the dossier GONE into KEEP, as changes that sync: ticks,
answers, notes, journal entries, agreements, contacts, the route,
indications and arrangements. Texts that differ are both kept, as a
conflict to resolve in the app. Where the record differs (team, benefit,
...) KEEP's value stays and GONE's is written in KEEP's merge note. GONE is
then withdrawn and points to KEEP; its own history stays. KEEP and GONE
are ids or unambiguous (parts of) names; docs/merge.md has the rule.`,
		Args: usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error { return c.runMerge(args[0], args[1]) },
	})
	return cmd
}

// runDuplicates lists the likely duplicates of the user's file.
func (c *cli) runDuplicates() (err error) {
	m := c.msgs()
	s, _, err := c.openUserStore()
	if err != nil {
		return err
	}
	defer c.closeStore(s, &err)
	pairs, err := s.Duplicates()
	if err != nil {
		return c.readFailed(s, "export.read", err)
	}
	if len(pairs) == 0 {
		fmt.Fprintln(c.env.stdout, m.f("dups.none"))
		return nil
	}
	tw := table(c.env.stdout, m.f("dups.cols"))
	for _, p := range pairs {
		for _, x := range []store.Person{p.A, p.B} {
			year := x.BirthYear
			if year == "" {
				year = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.ID, esc(x.Name), year, esc(x.Team))
		}
		fmt.Fprintln(tw, "\t\t\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(c.env.stdout, m.n("dups.count", len(pairs)))
	return nil
}

// runMerge merges the dossier gone into keep.
func (c *cli) runMerge(keepQ, goneQ string) (err error) {
	m := c.msgs()
	s, _, err := c.openUserStore()
	if err != nil {
		return err
	}
	defer c.closeStore(s, &err)
	s = syncUser(s)
	keep, err := c.findClient(s, keepQ)
	if err != nil {
		return err
	}
	gone, err := c.findClient(s, goneQ)
	if err != nil {
		return err
	}
	kc, err := s.Client(keep)
	if err != nil {
		return c.readFailed(s, "export.read", err)
	}
	gc, err := s.Client(gone)
	if err != nil {
		return c.readFailed(s, "export.read", err)
	}
	res, err := s.MergeClients(keep, gone)
	switch {
	case errors.Is(err, store.ErrMerged):
		return c.fail("dups.merged", esc(gc.Name.Value))
	case errors.Is(err, store.ErrReadOnly):
		return c.fail("cli.readonly", esc(gc.Name.Value)+", "+esc(kc.Name.Value))
	case err != nil:
		return c.readFailed(s, "dups.notdone", err)
	}
	fmt.Fprintln(c.env.stdout, m.f("dups.done", esc(gc.Name.Value), gone, esc(kc.Name.Value), keep, res.Ops))
	if res.Conflicts > 0 {
		fmt.Fprintln(c.env.stdout, m.n("dups.conflicts", res.Conflicts))
	}
	if res.Noted > 0 {
		fmt.Fprintln(c.env.stdout, m.n("dups.noted", res.Noted))
	}
	return nil
}
