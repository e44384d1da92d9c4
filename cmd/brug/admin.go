package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
)

func newAdminCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Manage the sync server's users, teams, devices, erasure and audit log",
		Long: `Manage the accounts of a sync server's file (--db or BRUG_DB): users and
their roles, teams and membership, one-time enrolment codes, devices, the
erasure of a dossier, and the audit log.

While ` + "`brug serve`" + ` runs on the file, brug admin sends each command to it
through FILE.admin.sock; otherwise it opens the file itself. Either way the
command is written to the audit log with your name (BRUG_USER, else your
login name) and channel "cli".

Roles: coach and wijkteam read and change the dossiers of their teams;
coordinator reviews and signs off across their teams; admin manages
accounts and sees no dossier through sync.`,
		Example: `  brug admin --db region.db team add "Team Noord"
  brug admin --db region.db user add anna --role coach --team "Team Noord"
  brug admin --db region.db invite anna
  brug admin --db region.db device revoke 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01
  brug admin --db region.db audit --user anna --since 2026-11-01`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newAdminUserCmd(c), newAdminTeamCmd(c), newAdminInviteCmd(c),
		newAdminDeviceCmd(c), newAdminEraseCmd(c), newAdminAuditCmd(c))
	return cmd
}

// group makes a command that only holds subcommands.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use: use, Short: short, Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(subs...)
	return cmd
}

func newAdminUserCmd(c *cli) *cobra.Command {
	var role string
	var teams []string
	add := &cobra.Command{
		Use:   "add NAME --role ROLE [--team TEAM]...",
		Short: "Add a user",
		Long: `Add a user with a role (coach, wijkteam, coordinator or admin) and, with
--team (repeatable), membership of existing teams. The name is what their
changes are recorded under: letters, digits, '.', '_', '-' or '@'.`,
		Example: `  brug admin user add anna --role coach --team "Team Noord"
  brug admin user add cor --role coordinator --team "Team Noord" --team "Wijkteam Oost"`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if role == "" {
				return usageError{errors.New("give the user's role with --role (" + strings.Join(server.Roles(), ", ") + ")")}
			}
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdUserAdd, Name: args[0], Role: role, Teams: teams})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.env.stdout, "added user %s (%s) in %s\n", resp.User.Name, resp.User.Role, listOrNone(resp.User.Teams))
			return nil
		},
	}
	add.Flags().StringVar(&role, "role", "", "coach, wijkteam, coordinator or admin")
	add.Flags().StringArrayVar(&teams, "team", nil, "a team the user is a member of (repeatable)")
	_ = add.RegisterFlagCompletionFunc("role", cobra.FixedCompletions(server.Roles(), cobra.ShellCompDirectiveNoFileComp))

	list := &cobra.Command{
		Use: "list", Short: "List users with their roles and teams", Args: usageArgs(cobra.NoArgs),
		Example: `  brug admin user list`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdUserList})
			if err != nil {
				return err
			}
			tw := table(c.env.stdout, "NAME", "ROLE", "STATE", "TEAMS")
			for _, u := range resp.Users {
				state := "active"
				if u.Disabled {
					state = "disabled"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, state, listOrNone(u.Teams))
			}
			return tw.Flush()
		},
	}
	disable := &cobra.Command{
		Use: "disable NAME", Short: "Disable a user: their devices are refused from their next sync",
		Example: `  brug admin user disable anna`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdUserDisable, Name: args[0]}); err != nil {
				return err
			}
			fmt.Fprintf(c.env.stdout, "disabled user %s\n", args[0])
			return nil
		},
	}
	return group("user", "Add, list and disable users", add, list, disable)
}

func newAdminTeamCmd(c *cli) *cobra.Command {
	add := &cobra.Command{
		Use: "add NAME", Short: "Add a team (dossiers name it in their team field)",
		Example: `  brug admin team add "Team Noord"`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdTeamAdd, Name: args[0]}); err != nil {
				return err
			}
			fmt.Fprintf(c.env.stdout, "added team %s\n", args[0])
			return nil
		},
	}
	list := &cobra.Command{
		Use: "list", Short: "List teams with their members", Args: usageArgs(cobra.NoArgs),
		Example: `  brug admin team list`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdTeamList})
			if err != nil {
				return err
			}
			tw := table(c.env.stdout, "TEAM", "MEMBERS")
			for _, t := range resp.Teams {
				fmt.Fprintf(tw, "%s\t%s\n", t.Name, listOrNone(t.Members))
			}
			return tw.Flush()
		},
	}
	member := func(use, short, cmdName, done string) *cobra.Command {
		return &cobra.Command{
			Use: use + " TEAM USER", Short: short,
			Example: "  brug admin team member " + use + ` "Team Noord" anna`,
			Args:    usageArgs(cobra.ExactArgs(2)),
			RunE: func(cmd *cobra.Command, args []string) error {
				if _, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: cmdName, Team: args[0], User: args[1]}); err != nil {
					return err
				}
				fmt.Fprintf(c.env.stdout, done+"\n", args[1], args[0])
				return nil
			},
		}
	}
	members := group("member", "Add users to teams or remove them",
		member("add", "Add a user to a team: their devices get its dossiers on the next sync", server.CmdMemberAdd, "added %s to %s"),
		member("remove", "Remove a user from a team: their devices remove its dossiers on the next sync", server.CmdMemberRemove, "removed %s from %s"))
	return group("team", "Add and list teams, and manage membership", add, list, members)
}

func newAdminInviteCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "invite USER",
		Short: "Make a one-time enrolment code for a user's device",
		Long: `Print a one-time code with which the user enrols one device
(brug login URL CODE). The code works once and expires after 24 hours; the
server keeps only its hash, so it cannot be shown again.`,
		Example: `  brug admin invite anna`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdInvite, User: args[0]})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.env.stdout, "%s\n(for %s, once, until %s)\n", resp.Code, args[0], resp.Expires.Local().Format("2006-01-02 15:04"))
			return nil
		},
	}
}

func newAdminDeviceCmd(c *cli) *cobra.Command {
	var user string
	list := &cobra.Command{
		Use: "list [--user NAME]", Short: "List enrolled devices", Args: usageArgs(cobra.NoArgs),
		Example: `  brug admin device list
  brug admin device list --user anna`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdDeviceList, User: user})
			if err != nil {
				return err
			}
			tw := table(c.env.stdout, "ID", "USER", "NAME", "ENROLLED", "LAST SEEN", "STATE")
			for _, d := range resp.Devices {
				state := "active"
				if !d.Revoked.IsZero() {
					state = "revoked " + stamp(d.Revoked)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.User, d.Name, stamp(d.Created), stamp(d.LastSeen), state)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&user, "user", "", "only this user's devices")
	revoke := &cobra.Command{
		Use: "revoke ID", Short: "Revoke a device (a lost laptop): it is refused from its next request",
		Example: `  brug admin device revoke 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdDeviceRevoke, ID: args[0]}); err != nil {
				return err
			}
			fmt.Fprintf(c.env.stdout, "revoked device %s\n", args[0])
			return nil
		},
	}
	return group("device", "List and revoke devices", list, revoke)
}

func newAdminEraseCmd(c *cli) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "erase CLIENT --yes",
		Short: "Erase a dossier everywhere (AVG), for good",
		Long: `Erase a client's dossier under the AVG: its ops are deleted from the server
now and from every device on its next sync, and later changes to it are
refused. Only its id is kept, as a tombstone. This cannot be undone, so it
needs --yes. CLIENT is the id or an unambiguous (part of the) name.`,
		Example: `  brug admin erase 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --yes`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes {
				return usageError{errors.New("erasing cannot be undone; add --yes to erase " + args[0])}
			}
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdErase, Client: args[0]})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.env.stdout, "erased dossier %s; devices erase it on their next sync\n", resp.Dossier)
			return nil
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm the erasure")
	return cmd
}

func newAdminAuditCmd(c *cli) *cobra.Command {
	var client, user, since string
	cmd := &cobra.Command{
		Use:   "audit [--client ID] [--user NAME] [--since DATE]",
		Short: "Show the audit log: who read or changed what, when, how",
		Long: `Show the append-only audit log, oldest first: every dossier delivered to a
device, every change accepted and every admin action, with who, when and
the channel (sync, cli, ssh).`,
		Example: `  brug admin audit --client 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01
  brug admin audit --user anna --since 2026-11-01`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := server.AdminRequest{Cmd: server.CmdAudit, Client: client, User: user}
			if since != "" {
				t, err := time.ParseInLocation(time.DateOnly, since, time.Local)
				if err != nil {
					return usageError{fmt.Errorf("--since %q: give a date as YYYY-MM-DD", since)}
				}
				req.Since = t
			}
			resp, err := c.admin(cmd.Context(), req)
			if err != nil {
				return err
			}
			tw := table(c.env.stdout, "TIME", "CHANNEL", "USER", "ACTION", "DOSSIER", "DEVICE", "DETAIL")
			for _, e := range resp.Audit {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", stamp(e.Time), e.Channel, e.User, e.Action, orDash(e.Dossier), orDash(e.Device), e.Detail)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&client, "client", "", "only entries of this dossier (id or unambiguous name)")
	cmd.Flags().StringVar(&user, "user", "", "only entries of this user")
	cmd.Flags().StringVar(&since, "since", "", "only entries from this date on (YYYY-MM-DD)")
	return cmd
}

// admin runs one admin command: through the running server's socket when
// `brug serve` holds the file, else on the file itself.
func (c *cli) admin(ctx context.Context, req server.AdminRequest) (server.AdminResponse, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	path, err := c.serverDBPath()
	if err != nil {
		return server.AdminResponse{}, err
	}
	req.Actor = authorName(c.env.getenv, c.env.osUser)
	meth, err := c.loadMethod()
	if err != nil {
		return server.AdminResponse{}, err
	}
	srv, err := server.Open(path, server.Options{Now: c.env.now, Method: meth, LockTimeout: 100 * time.Millisecond})
	if errors.Is(err, store.ErrLocked) {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		resp, err := server.DialAdmin(dctx, path, req)
		if err != nil {
			return resp, fmt.Errorf("%w\n(%s is held by a running brug serve; brug admin talks to it through %s)", err, path, server.AdminSocketPath(path))
		}
		return resp, nil
	}
	if err != nil {
		return server.AdminResponse{}, fmt.Errorf("open the server file: %w", err)
	}
	defer srv.Close()
	resp := srv.Admin(req.Actor, server.ChannelCLI).Do(req)
	if resp.Error != "" {
		return resp, errors.New(resp.Error)
	}
	return resp, nil
}

func table(w io.Writer, cols ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	return tw
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "-"
	}
	return strings.Join(xs, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}
