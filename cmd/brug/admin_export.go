package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/sync/server"
)

// newAdminExportCmd is `brug admin export`: the AVG export of a dossier
// from the server, which holds its whole history.
func newAdminExportCmd(c *cli) *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export CLIENT [--format md|json] [--out FILE]",
		Short: "Write everything the server keeps about one client (AVG)",
		Long: `Write everything the server keeps about one client: the dossier as it is
now and every change ever made to it, by whom and when, for the person's
right to see it under the AVG (GDPR). It is ` + "`brug export`" + ` for a server's
file, with the same formats (see brug export --help).

CLIENT is the id or an unambiguous (part of the) name. The export is
written to the audit log (action "export", with your name, the dossier id
and the channel) before anything is read; the log holds no content.

Without --out the export goes to standard output. With --out FILE it is
written to a temporary file next to FILE and renamed into place, readable
by you only (mode 0600). Over SSH the export goes to the session's output:
--out would write a file on the server, so it is refused there.`,
		Example: `  brug admin --db region.db export "Noor Hazelhoef" --out noor.md
  brug admin --db region.db export 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --format json --out dossier.json
  ssh -p 2222 brug.example.nl admin export Noor > noor.md`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.format != "md" && f.format != "json" {
				return usageError{errors.New(c.msgs().f("export.format", f.format))}
			}
			if f.out != "" && c.via != nil {
				return c.fail("admin.exportsshout", f.out)
			}
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdExport, Client: args[0]})
			if err != nil {
				return err
			}
			x := resp.Export
			if x == nil || x.Client == nil {
				return c.fail("admin.failed", errors.New("no export in the answer"))
			}
			meth := x.Method
			if meth == nil {
				// Through the admin socket: the method is this run's
				// (--method), which should be the running server's.
				if meth, err = c.loadMethod(); err != nil {
					return err
				}
				if meth.ID != x.MethodID || meth.Version != x.MethodVersion {
					fmt.Fprintln(c.env.stderr, c.msgs().f("admin.exportmethod", esc(x.MethodID), x.MethodVersion, esc(meth.ID), meth.Version))
				}
			}
			return c.writeExport(x.Client, x.Ops, nil, meth, x.At, f)
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	cmd.Flags().StringVar(&f.format, "format", "md", "md (a readable document) or json (the complete record)")
	cmd.Flags().StringVarP(&f.out, "out", "o", "", "write to this file instead of standard output (not over SSH)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"md", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
