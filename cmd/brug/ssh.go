package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/sync/server"
)

// newAdminKeyCmd is `brug admin key add|list|remove`: the public keys
// users log in with over SSH.
func newAdminKeyCmd(c *cli) *cobra.Command {
	add := &cobra.Command{
		Use:   "add USER FILE",
		Short: "Register a user's SSH public key (FILE, or - for standard input)",
		Long: `Register the public key(s) in FILE (authorized_keys form, as in
~/.ssh/id_ed25519.pub) to USER, who then logs in with ssh -p PORT HOST.
Give - as FILE to read the key from standard input; over SSH that is the
only way, since FILE would name a file on the server. A key belongs to one
user; adding it again changes nothing.`,
		Example: `  brug admin key add cor cor.pub
  ssh -p 2222 brug.example.nl admin key add cor - < cor.pub`,
		Args: usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := c.readKeyFile(args[1])
			if err != nil {
				return err
			}
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdKeyAdd, User: args[0], Key: string(data)})
			if err != nil {
				return err
			}
			for _, k := range resp.Keys {
				fmt.Fprintln(c.env.stdout, c.msgs().f("key.added", esc(k.Fingerprint), esc(k.Type), orDash(k.Comment), esc(k.User)))
			}
			return nil
		},
	}
	var user string
	list := &cobra.Command{
		Use: "list [--user NAME]", Short: "List registered SSH keys", Args: usageArgs(cobra.NoArgs),
		Example: `  brug admin key list --user cor`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdKeyList, User: user})
			if err != nil {
				return err
			}
			tw := table(c.env.stdout, c.msgs().f("key.cols"))
			for _, k := range resp.Keys {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", esc(k.User), esc(k.Fingerprint), esc(k.Type), orDash(k.Comment), stamp(k.Added))
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&user, "user", "", "only this user's keys")
	remove := &cobra.Command{
		Use: "remove FINGERPRINT", Short: "Unregister a key: new logins with it are refused",
		Example: `  brug admin key remove SHA256:3Gx0M2c1vJ4n0qLk7Y5tX9WmYQ8fB2d1eRZs0aKpQvE`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdKeyRemove, ID: args[0]}); err != nil {
				return err
			}
			fmt.Fprintln(c.env.stdout, c.msgs().f("key.removed", args[0]))
			return nil
		},
	}
	return group("key", "Register, list and remove users' SSH keys", add, list, remove)
}

// maxKeyRead bounds a key file read; ParseKeys says what is wrong with a
// larger one.
const maxKeyRead = 64<<10 + 1

// readKeyFile reads a public key file, or standard input for "-".
func (c *cli) readKeyFile(name string) ([]byte, error) {
	var r io.Reader
	switch {
	case name == "-":
		r = c.env.stdin
		if r == nil {
			r = os.Stdin
		}
	case c.via != nil:
		return nil, c.fail("key.sshfile", name)
	default:
		f, err := os.Open(name)
		if err != nil {
			return nil, c.fail("key.read", name, err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxKeyRead))
	if err != nil {
		return nil, c.fail("key.read", name, err)
	}
	return data, nil
}

// viaSession is an admin session on an Admin the caller holds (an SSH
// admin's session on the running server).
func viaSession(a *server.Admin) *adminSession {
	return &adminSession{
		do: func(req server.AdminRequest) (server.AdminResponse, error) {
			req.Actor = a.Actor
			resp := a.Do(req)
			if resp.Error != "" {
				return resp, adminRefusal{msg: resp.Error, user: resp.UserError}
			}
			return resp, nil
		},
		close: func() error { return nil },
	}
}

// sshAdmin runs one `admin ...` command line of an admin's SSH session:
// the same commands, help and messages as `brug admin` on the server, on
// the running server's accounts, audited with channel ssh. It returns the
// exit code and the path of the command it ran, for the log.
func sshAdmin(ctx context.Context, a *server.Admin, args []string, lang string, in io.Reader, out, errOut io.Writer) (int, string) {
	c := &cli{env: env{stdout: out, stderr: errOut, stdin: in, getenv: func(string) string { return "" }}, via: a}
	c.g.lang = lang
	cmd := newAdminCmd(c)
	installHelp(c, cmd)
	return runSub(ctx, c, cmd, args, "admin", in, out, errOut)
}

// sshReport runs one `report ...` command line of a user's SSH session:
// `brug report` with the same flags and output, counted on the running
// server for the user's teams only (server.Session.FlowReport).
func sshReport(ctx context.Context, r *server.Session, args []string, lang string, out, errOut io.Writer) (int, string) {
	c := &cli{env: env{stdout: out, stderr: errOut, getenv: func(string) string { return "" }, now: time.Now}, reporter: r}
	c.g.lang = lang
	cmd := newReportCmd(c)
	installHelp(c, cmd)
	return runSub(ctx, c, cmd, args, "report", nil, out, errOut)
}

// runSub runs a command tree of the CLI for an SSH session and returns its
// exit code, reporting errors as the CLI does, and the path of the command
// that ran ("admin user add"; the tree's root when none matched). The path
// holds command names only, never arguments, so it may be logged.
func runSub(ctx context.Context, c *cli, cmd *cobra.Command, args []string, name string, in io.Reader, out, errOut io.Writer) (int, string) {
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetArgs(args)
	if in != nil {
		cmd.SetIn(in)
	}
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	ran, err := cmd.ExecuteContextC(ctx)
	path := name
	if ran != nil {
		path = ran.CommandPath()
	}
	if err == nil {
		return exitOK, path
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(errOut, "brug %s: %s\n", name, c.msgs().usageText(err))
		fmt.Fprintln(errOut, c.msgs().f("usage.hint", name))
		if strings.Contains(err.Error(), "arg(s)") {
			// Too many words: most often a name with a space whose
			// quotes the user's own shell removed before ssh sent it.
			fmt.Fprintln(errOut, c.msgs().f("ssh.quotes"))
		}
		return exitUsage, path
	}
	fmt.Fprintf(errOut, "brug %s: %v\n", name, err)
	return exitError, path
}
