package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
)

type closeFlags struct {
	date, reason, note string
	reopen             bool
}

func newCloseCmd(c *cli) *cobra.Command {
	var f closeFlags
	reasons := slices.DeleteFunc(slices.Clone(store.ClosedReasons), func(r string) bool { return r == "" })
	cmd := &cobra.Command{
		Use:   "close CLIENT --reason REASON [--date YYYY-MM-DD] [--note TEXT] | close CLIENT --reopen",
		Short: "Close a client's trajectory (a date and a reason), or reopen it",
		Long: `Close a client's trajectory on this device: the date it ended (--date, today
by default; not in the future) and why (--reason: ` + strings.Join(reasons, ", ") + `),
with an optional note. It is a change like any other: it syncs, and the
app shows it. The region's retention period counts from the closing date
(brug admin retention, docs/operations.md). --reopen opens it again.
CLIENT is the id or an unambiguous (part of the) name.`,
		Example: `  brug close "Noor Hazelhoef" --reason werk
  brug close 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --date 2026-11-30 --reason anders --note "naar een andere regio"
  brug close "Noor Hazelhoef" --reopen`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runClose(args[0], f)
		},
	}
	cmd.Flags().StringVar(&f.date, "date", "", "the day the trajectory ended (YYYY-MM-DD); default today")
	cmd.Flags().StringVar(&f.reason, "reason", "", "why: "+strings.Join(reasons, ", "))
	cmd.Flags().StringVar(&f.note, "note", "", "a note on the closing")
	cmd.Flags().BoolVar(&f.reopen, "reopen", false, "open the trajectory again")
	_ = cmd.RegisterFlagCompletionFunc("reason", cobra.FixedCompletions(reasons, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// runClose closes or reopens a trajectory in the user's file.
func (c *cli) runClose(query string, f closeFlags) (err error) {
	m := c.msgs()
	var changes []store.Change
	today := c.env.now().Local().Format(time.DateOnly)
	switch {
	case f.reopen:
		if f.date != "" || f.reason != "" || f.note != "" {
			return usageError{errors.New(m.f("close.reopenalone"))}
		}
		changes = []store.Change{store.Set("closed", ""), store.Set("closed_reason", ""), store.Set("closed_note", "")}
	default:
		if f.date == "" {
			f.date = today
		}
		d, derr := time.Parse(time.DateOnly, f.date)
		if derr != nil || f.date > today || d.Year() < 1900 {
			return usageError{errors.New(m.f("close.date", f.date))}
		}
		if f.reason == "" || !slices.Contains(store.ClosedReasons, f.reason) {
			return usageError{errors.New(m.f("close.reason", f.reason, strings.Join(store.ClosedReasons[1:], ", ")))}
		}
		changes = []store.Change{store.Set("closed", f.date), store.Set("closed_reason", f.reason), store.Set("closed_note", f.note)}
	}
	s, _, err := c.openUserStore()
	if err != nil {
		return err
	}
	defer c.closeStore(s, &err)
	s = syncUser(s)
	id, err := c.findClient(s, query)
	if err != nil {
		return err
	}
	cl, err := s.Client(id)
	if err != nil {
		return c.readFailed(s, "export.read", err)
	}
	if _, err := s.Commit(id, changes...); err != nil {
		if errors.Is(err, store.ErrReadOnly) {
			return c.fail("cli.readonly", esc(cl.Name.Value))
		}
		if errors.Is(err, store.ErrInvalid) {
			return c.fail("close.invalid", err)
		}
		return c.readFailed(s, "close.notdone", err)
	}
	if f.reopen {
		fmt.Fprintln(c.env.stdout, m.f("close.reopened", esc(cl.Name.Value)))
		return nil
	}
	fmt.Fprintln(c.env.stdout, m.f("close.closed", esc(cl.Name.Value), f.date, f.reason))
	return nil
}
