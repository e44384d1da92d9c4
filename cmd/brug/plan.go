package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/plan"
)

// planFlags are the plan command's own flags.
type planFlags struct {
	format string
	out    string
}

func newPlanCmd(c *cli) *cobra.Command {
	var f planFlags
	cmd := &cobra.Command{
		Use:   "plan CLIENT",
		Short: "Write the person's own plan, in plain words, to print or share",
		Long: `Write the plan of one client for the person themself: their goal, where they
stand on the way to work, the next steps, what was agreed with whom and by
when, and who they can call. It is written for the person ("je"), in plain
Dutch (B1 level), or in English with --lang en.

CLIENT is the client's id or (part of) their name; when more than one client
matches, brug lists them with their ids.

--format md writes Markdown; --format html writes one self-contained page
(no scripts, nothing loaded from elsewhere) with A4 print styles: open it in
a browser and print it, or print it to PDF from there.

Without --out the plan goes to standard output. With --out FILE it is
written atomically and readable by you only (mode 0600).
The brug file is opened read-only.`,
		Example: `  brug plan "Noor Hazelhoef" --format html --out noor-plan.html
  brug plan Noor --lang en`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.format != "md" && f.format != "html" {
				return usageError{errors.New(c.msgs().f("plan.format", f.format))}
			}
			return c.runPlan(args[0], f)
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	cmd.Flags().StringVar(&f.format, "format", "md", "md (Markdown) or html (a printable page)")
	cmd.Flags().StringVarP(&f.out, "out", "o", "", "write to this file instead of standard output")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"md", "html"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// runPlan finds the client and writes their plan. Like `brug export` on a
// laptop it reads the coach's own file and records the read in the
// laptop's read log (a print).
func (c *cli) runPlan(query string, f planFlags) (err error) {
	s, id, cl, err := c.openClient(query, "plan.serverfile")
	if err != nil {
		return err
	}
	defer c.closeStore(s, &err)
	if err := c.logRead(s, id, store.ReadPrint); err != nil {
		return err
	}
	p := plan.Build(cl, s.Method(), c.language(), c.env.now())
	var data []byte
	if f.format == "html" {
		if data, err = p.HTML(); err != nil {
			return c.fail("export.read", err)
		}
	} else {
		data = []byte(p.Markdown())
	}
	if f.out == "" {
		_, err = c.env.stdout.Write(data)
		return err
	}
	if err := c.checkOut(f.out, "plan."+f.format); err != nil {
		return err
	}
	if err := writeFileAtomic(f.out, data, 0o600); err != nil {
		return c.fail("plan.writefailed", f.out, err)
	}
	fmt.Fprintln(c.env.stderr, c.msgs().f("plan.written", esc(cl.Name.Value), f.out))
	return nil
}
