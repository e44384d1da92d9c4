package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
)

// The account commands of a region's lifetime (user enable, remove,
// rename, role; team rename, remove) and the confirmation of brug admin
// erase. They run on the file, through the socket of a running brug
// serve, and in an admin's SSH session alike (c.admin).

// simpleAdmin makes a command that sends one request built from its
// arguments and prints done on success.
func simpleAdmin(c *cli, use, short, long, example string, nargs int, req func(args []string) server.AdminRequest, done func(args []string, resp server.AdminResponse) string) *cobra.Command {
	return &cobra.Command{
		Use: use, Short: short, Long: long, Example: example,
		Args: usageArgs(cobra.ExactArgs(nargs)),
		RunE: func(cmd *cobra.Command, args []string) error {
			resp, err := c.admin(cmd.Context(), req(args))
			if err != nil {
				return err
			}
			fmt.Fprintln(c.env.stdout, done(args, resp))
			return nil
		},
	}
}

// newAdminUserAccountCmds are user enable, remove, rename and role.
func newAdminUserAccountCmds(c *cli) []*cobra.Command {
	m := func() msgs { return c.msgs() }
	enable := simpleAdmin(c, "enable NAME", "Enable a disabled user: their devices that were not revoked sync again",
		"", "  brug admin user enable anna", 1,
		func(a []string) server.AdminRequest {
			return server.AdminRequest{Cmd: server.CmdUserEnable, Name: a[0]}
		},
		func(a []string, _ server.AdminResponse) string { return m().f("admin.userenabled", esc(a[0])) })
	remove := simpleAdmin(c, "remove NAME", "Remove a user: devices revoked, SSH keys and memberships deleted",
		`Remove a user. Their devices are revoked (and told so on their next
sync), their SSH keys, team memberships and unused enrolment codes are
deleted. What they wrote stays in the dossiers, under their name, and the
audit log keeps their actions. The last active admin cannot be removed.
To stop someone for a while, use brug admin user disable instead.`,
		"  brug admin user remove anna", 1,
		func(a []string) server.AdminRequest {
			return server.AdminRequest{Cmd: server.CmdUserRemove, Name: a[0]}
		},
		func(a []string, _ server.AdminResponse) string { return m().f("admin.userremoved", esc(a[0])) })
	rename := simpleAdmin(c, "rename OLD NEW", "Rename a user (after revoking their devices)",
		`Rename a user; role, teams, SSH keys and unused codes move to the new name.
Changes are recorded under the name of their author, and a device may only
send changes under its user's name. A laptop enrolled under the old name
may still hold unsent changes under it, so the rename is refused while the
user has a device that is not revoked: let their devices sync, revoke them
(brug admin device revoke), rename, and invite the user again. Earlier
changes stay under the old name.`,
		"  brug admin user rename anna anna.devries", 2,
		func(a []string) server.AdminRequest {
			return server.AdminRequest{Cmd: server.CmdUserRename, Name: a[0], To: a[1]}
		},
		func(a []string, _ server.AdminResponse) string {
			return m().f("admin.userrenamed", esc(a[0]), esc(a[1]))
		})
	role := simpleAdmin(c, "role NAME ROLE", "Change a user's role (coach, wijkteam, coordinator or admin)",
		`Change a user's role; their devices sync with it from their next request.
The last active admin keeps the role admin.`,
		"  brug admin user role cor coordinator", 2,
		func(a []string) server.AdminRequest {
			return server.AdminRequest{Cmd: server.CmdUserRole, Name: a[0], Role: a[1]}
		},
		func(a []string, _ server.AdminResponse) string { return m().f("admin.userrole", esc(a[0]), esc(a[1])) })
	inner := role.RunE
	role.RunE = func(cmd *cobra.Command, args []string) error {
		if !slices.Contains(server.Roles(), args[1]) {
			return usageError{errors.New(c.msgs().f("admin.badrole", args[1], strings.Join(server.Roles(), ", ")))}
		}
		return inner(cmd, args)
	}
	return []*cobra.Command{enable, remove, rename, role}
}

// newAdminTeamAccountCmds are team rename and remove.
func newAdminTeamAccountCmds(c *cli) []*cobra.Command {
	m := func() msgs { return c.msgs() }
	rename := simpleAdmin(c, "rename OLD NEW", "Rename a team; its dossiers and members move along",
		`Rename a team. Its members move to the new name, and every dossier of the
team gets the new team name: a change made by the server (author
"server"), written to the audit log and sent to the team's devices on
their next sync. No device loses a dossier on the way. Should the rename
be cut off, run it again to finish it.`,
		`  brug admin team rename "Team Noord" "Team Noord-West"`, 2,
		func(a []string) server.AdminRequest {
			return server.AdminRequest{Cmd: server.CmdTeamRename, Name: a[0], To: a[1]}
		},
		func(a []string, resp server.AdminResponse) string {
			return m().f("admin.teamrenamed", a[0], a[1], resp.Moved)
		})
	remove := simpleAdmin(c, "remove NAME", "Remove a team that has no members and no dossiers",
		"", `  brug admin team remove "Team Oud"`, 1,
		func(a []string) server.AdminRequest {
			return server.AdminRequest{Cmd: server.CmdTeamRemove, Name: a[0]}
		},
		func(a []string, _ server.AdminResponse) string { return m().f("admin.teamremoved", a[0]) })
	return []*cobra.Command{rename, remove}
}

// explainAccountRefusal says in the user's language why an account
// command was refused; ok is false when it has nothing to add.
func (c *cli) explainAccountRefusal(sess *adminSession, l lookup, req server.AdminRequest, ref adminRefusal) (error, bool) {
	uok, tok, user, team := l.uok, l.tok, l.user, l.team
	switch req.Cmd {
	case server.CmdUserEnable, server.CmdUserRemove, server.CmdUserRename, server.CmdUserRole:
		u, ok := user(req.Name)
		if uok && !ok {
			return c.fail("admin.nouser", req.Name), true
		}
		if req.Cmd == server.CmdUserRename {
			if _, ok := user(req.To); uok && ok {
				return c.fail("admin.userexists", req.To), true
			}
			if resp, err := sess.do(server.AdminRequest{Cmd: server.CmdDeviceList, User: req.Name}); err == nil {
				n := 0
				for _, d := range resp.Devices {
					if d.Revoked.IsZero() {
						n++
					}
				}
				if n > 0 {
					return c.fail("admin.renamedevices", esc(req.Name), n), true
				}
			}
			return c.fail("admin.badusername", esc(req.To), esc(ref.msg)), true
		}
		if ok && u.Role == protocol.RoleAdmin && (req.Cmd == server.CmdUserRemove || req.Cmd == server.CmdUserRole) {
			return c.fail("admin.lastadmin", esc(req.Name)), true
		}
	case server.CmdTeamRename, server.CmdTeamRemove:
		t, ok := team(req.Name)
		if tok && !ok {
			return c.fail("admin.noteam", req.Name), true
		}
		if req.Cmd == server.CmdTeamRename {
			if _, ok := team(req.To); tok && ok {
				return c.fail("admin.teamexists", req.To), true
			}
			if strings.Contains(ref.msg, "run the rename again") {
				return c.fail("admin.renamepartial", req.Name, esc(ref.msg)), true
			}
			if tok {
				return c.fail("admin.badteamname", req.To), true
			}
		}
		if req.Cmd == server.CmdTeamRemove && ok {
			if len(t.Members) > 0 {
				return c.fail("admin.teammembers", req.Name, c.listOrNone(t.Members)), true
			}
			return c.fail("admin.teamdossiers", req.Name), true
		}
	}
	return nil, false
}

// eraseConfirmed looks up the dossier an erase of client would match,
// shows it, asks (or takes --yes), erases it by its id and says whom it
// erased. The names it prints go to the admin's own terminal only; the
// server logs only the command and the dossier id.
func (c *cli) eraseConfirmed(cmd *cobra.Command, client string, yes bool) error {
	m := c.msgs()
	resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdCandidates, Client: client})
	if err != nil {
		return err
	}
	cands := resp.Dossiers
	if len(cands) != 1 {
		fmt.Fprintln(c.env.stderr, m.f("admin.erasecands", client))
		tw := table(c.env.stderr, m.f("admin.cols.cands"))
		for _, d := range cands {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", orDash(d.Name), orDash(d.Team), orDash(d.BirthYear), esc(d.ID))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		return usageError{errors.New(m.f("admin.erasepick"))}
	}
	d := cands[0]
	fmt.Fprintln(c.env.stderr, m.f("admin.erasefound", orDash(d.Name), orDash(d.Team), orDash(d.BirthYear), esc(d.ID)))
	if !yes {
		if !c.interactive() {
			return usageError{errors.New(m.f("admin.erasenotty", esc(d.ID)))}
		}
		fmt.Fprint(c.env.stderr, m.f("admin.eraseask"))
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
	resp, err = c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdErase, Client: d.ID})
	if err != nil {
		return err
	}
	fmt.Fprintln(c.env.stdout, m.f("admin.erasedwho", orDash(d.Name), orDash(d.Team), orDash(d.BirthYear), esc(resp.Dossier)))
	return c.printErasureHolders(cmd.Context(), resp.Dossier)
}

// interactive reports whether brug can ask a question and read the
// answer: standard input is a terminal. An SSH session is not asked
// (--yes there).
func (c *cli) interactive() bool {
	if c.env.interactive != nil {
		return c.env.interactive()
	}
	return false
}

// stdinIsTerminal reports whether the process's standard input is a
// terminal. Not just a character device: /dev/null is one too (cron, a
// systemd timer), and a locked file then asked for its passphrase on a
// screen that could not be shown.
func stdinIsTerminal() bool {
	return term.IsTerminal(os.Stdin.Fd())
}
