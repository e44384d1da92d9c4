package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/termsafe"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/sync/server/pgstore"
)

func newAdminCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Manage the sync server's users, teams, devices, erasure, exports, audit log and backups",
		Long: `Manage the accounts of a sync server's file (--db or BRUG_DB): users and
their roles, teams and membership, one-time enrolment codes, devices, the
erasure and the export (AVG) of a dossier, the audit log, and backups of
the file.

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
	addServerKeyFlags(cmd, &c.srvKeys, true)
	addStoreFlag(cmd, &c.srvKeys, true)
	cmd.AddCommand(newAdminUserCmd(c), newAdminTeamCmd(c), newAdminOrgCmd(c), newAdminInviteCmd(c),
		newAdminDeviceCmd(c), newAdminEraseCmd(c), newAdminErasuresCmd(c), newAdminRetentionCmd(c), newAdminAuditCmd(c), newAdminKeyCmd(c), newAdminBackupCmd(c), newAdminExportCmd(c), newAdminMigrateCmd(c))
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
			roles := strings.Join(server.Roles(), ", ")
			if role == "" {
				return usageError{errors.New(c.msgs().f("admin.norole", roles))}
			}
			if !slices.Contains(server.Roles(), role) {
				return usageError{errors.New(c.msgs().f("admin.badrole", role, roles))}
			}
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdUserAdd, Name: args[0], Role: role, Teams: teams})
			if err != nil {
				return err
			}
			fmt.Fprintln(c.env.stdout, c.msgs().f("admin.useradded", esc(resp.User.Name), esc(resp.User.Role), c.listOrNone(resp.User.Teams)))
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
			m := c.msgs()
			tw := table(c.env.stdout, m.f("admin.cols.users"))
			for _, u := range resp.Users {
				state := m.f("admin.active")
				if u.Disabled {
					state = m.f("admin.off")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", esc(u.Name), esc(u.Role), state, c.listOrNone(u.Teams))
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
			fmt.Fprintln(c.env.stdout, c.msgs().f("admin.userdisabled", args[0]))
			return nil
		},
	}
	return group("user", "Add, import, list, disable, enable, remove, rename users and change their role", append([]*cobra.Command{add, newAdminUserImportCmd(c), list, disable}, newAdminUserAccountCmds(c)...)...)
}

func newAdminTeamCmd(c *cli) *cobra.Command {
	var org string
	add := &cobra.Command{
		Use: "add NAME [--org ORG]", Short: "Add a team (dossiers name it in their team field) of an organisation",
		Example: `  brug admin team add "Team Noord" --org "Zorggroep Noord"`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdTeamAdd, Name: args[0], Org: org}); err != nil {
				return err
			}
			if strings.TrimSpace(org) == "" {
				fmt.Fprintln(c.env.stdout, c.msgs().f("admin.teamadded.default", args[0]))
				return nil
			}
			fmt.Fprintln(c.env.stdout, c.msgs().f("admin.teamadded", args[0]))
			return nil
		},
	}
	add.Flags().StringVar(&org, "org", "", "the organisation of the register the team belongs to (brug admin org add); without it the region's default organisation")
	list := &cobra.Command{
		Use: "list", Short: "List teams with their members", Args: usageArgs(cobra.NoArgs),
		Example: `  brug admin team list`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdTeamList})
			if err != nil {
				return err
			}
			tw := table(c.env.stdout, c.msgs().f("admin.cols.teams"))
			for _, t := range resp.Teams {
				fmt.Fprintf(tw, "%s\t%s\n", esc(t.Name), c.listOrNone(t.Members))
			}
			return tw.Flush()
		},
	}
	member := func(use, short, cmdName, doneKey string) *cobra.Command {
		return &cobra.Command{
			Use: use + " TEAM USER", Short: short,
			Example: "  brug admin team member " + use + ` "Team Noord" anna`,
			Args:    usageArgs(cobra.ExactArgs(2)),
			RunE: func(cmd *cobra.Command, args []string) error {
				if _, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: cmdName, Team: args[0], User: args[1]}); err != nil {
					return err
				}
				fmt.Fprintln(c.env.stdout, c.msgs().f(doneKey, args[1], args[0]))
				return nil
			},
		}
	}
	members := group("member", "Add users to teams or remove them",
		member("add", "Add a user to a team: their devices get its dossiers on the next sync", server.CmdMemberAdd, "admin.memberadded"),
		member("remove", "Remove a user from a team: their devices remove its dossiers on the next sync", server.CmdMemberRemove, "admin.memberremoved"))
	return group("team", "Add, list, rename and remove teams, and manage membership", append([]*cobra.Command{add, list, members, newAdminTeamOrgCmd(c)}, newAdminTeamAccountCmds(c)...)...)
}

func newAdminInviteCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "invite USER",
		Short: "Make a one-time enrolment code for a user's device",
		Long: `Print a one-time code with which the user enrols one device
(brug login URL CODE). The code works once and expires after 24 hours; the
server keeps only its hash, so it cannot be shown again. When brug serve
was started with --public-url, the whole login command is printed with
that URL.`,
		Example: `  brug admin invite anna`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdInvite, User: args[0]})
			if err != nil {
				return err
			}
			// The code alone on the first line, for scripts.
			fmt.Fprintln(c.env.stdout, resp.Code)
			if resp.URL == "" {
				fmt.Fprintln(c.env.stdout, c.msgs().f("admin.invite", args[0], stamp(resp.Expires), resp.Code))
				return nil
			}
			// brug serve --public-url kept the address devices use: the
			// whole command, on a line of its own to copy.
			fmt.Fprintln(c.env.stdout, c.msgs().f("admin.inviteurl", args[0], stamp(resp.Expires)))
			fmt.Fprintf(c.env.stdout, "brug login %s %s\n", esc(resp.URL), resp.Code)
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
			m := c.msgs()
			// The device id is the one its ops carry (known from its
			// first push on; "-" before); the enrolment id names the
			// token, for a device that never pushed.
			tw := table(c.env.stdout, m.f("admin.cols.devices"))
			for _, d := range resp.Devices {
				state := m.f("admin.active")
				switch {
				case !d.Wiped.IsZero():
					state = m.f("admin.wiped", stamp(d.Wiped))
				case !d.WipeTold.IsZero():
					state = m.f("admin.wipetold", stamp(d.WipeTold))
				case !d.Wipe.IsZero():
					state = m.f("admin.wipepending", stamp(d.Wipe))
				case !d.Revoked.IsZero():
					state = m.f("admin.revokedat", stamp(d.Revoked))
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", orDash(d.Replica), esc(d.User), esc(d.Name), stamp(d.Created), stamp(d.LastSeen), state, esc(d.ID))
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&user, "user", "", "only this user's devices")
	var wipe bool
	revoke := &cobra.Command{
		Use: "revoke ID [--wipe]", Short: "Revoke a device (a lost laptop): it is refused from its next request",
		Long: `Revoke a device: it is refused from its next request on and told that it
was revoked. ID is its device id (the one its changes carry, first column
of brug admin device list) or its enrolment id (last column).

With --wipe the device is also ordered wiped: the next time it reaches the
server it is told so before it sends anything, destroys its keys, removes
its brug file and the files beside it and its token, and reports the wipe
(brug admin device list shows "wiped"; the audit log records each step).
Changes it had not synced are lost. A device already revoked can still be
ordered wiped.`,
		Example: `  brug admin device revoke 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01
  brug admin device revoke --wipe 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdDeviceRevoke, ID: args[0], Wipe: wipe}); err != nil {
				return err
			}
			key := "admin.revoked"
			if wipe {
				key = "admin.revokedwipe"
			}
			fmt.Fprintln(c.env.stdout, c.msgs().f(key, args[0]))
			return nil
		},
	}
	revoke.Flags().BoolVar(&wipe, "wipe", false, "also order the device to destroy its keys and data when it next reaches the server")
	return group("device", "List and revoke devices", list, revoke)
}

func newAdminEraseCmd(c *cli) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "erase CLIENT [--yes]",
		Short: "Erase a dossier everywhere (AVG), for good",
		Long: `Erase a client's dossier under the AVG: its ops are deleted from the server
now and from every device on its next sync, and later changes to it are
refused. Only its id is kept, as a tombstone. CLIENT is the id or an
unambiguous (part of the) name.

brug admin erase first shows the dossier it found (name, team, birth year,
id), or lists the candidates when the name matches more than one. This
cannot be undone, so on a terminal it asks you to type yes; without a
terminal (a script, an SSH command) it needs --yes. Afterwards it says whom
it erased and lists the devices that still hold the dossier: they erase it
on their next sync and confirm that (brug admin erasures shows when).`,
		Example: `  brug admin erase 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --yes`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.eraseConfirmed(cmd, args[0], yes)
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm the erasure")
	return cmd
}

func newAdminBackupCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the server's file, also while brug serve runs",
		Long: `Write a copy of the server's file (--db) to FILE: a consistent snapshot, made
while brug serve goes on serving (through FILE.admin.sock when it runs).
The copy is written to a temporary file next to FILE and renamed into place
when complete, so FILE is never half a copy; an existing FILE is replaced.

An encrypted server's key store (--key-store) is copied too, to FILE.keys,
consistently with the data copy. The master key is not copied: keep it
apart from the backups (whoever holds both reads every dossier).

To restore: stop brug serve, copy FILE.keys over the key store and then
FILE over the server's file, start brug serve (docs/operations.md). Devices notice on their next sync that the server went back in
time and send their changes again, so nothing they sent after the backup is
lost; erasures made after the backup are made again by the devices that
carried them out (see README.md, "Running the server").`,
		Example: `  brug admin --db region.db backup /var/backups/brug/region-2026-11-02.db`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if pg, err := c.pgStore(); pg || err != nil {
				if err != nil {
					return err
				}
				return userError{c.msgs().f("store.backup")}
			}
			path, err := filepath.Abs(args[0])
			if err != nil {
				return usageError{err}
			}
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdBackup, Path: path})
			if err != nil {
				return err
			}
			if resp.KeyStore != "" {
				fmt.Fprintln(c.env.stdout, c.msgs().f("admin.backupkeys", path, resp.Size>>10, resp.KeyStore))
				return nil
			}
			fmt.Fprintln(c.env.stdout, c.msgs().f("admin.backup", path, resp.Size>>10))
			return nil
		},
	}
}

// auditFormats are the formats of brug admin audit; md and html need --client.
var auditFormats = []string{"table", "csv", "json", "md", "html"}

func newAdminAuditCmd(c *cli) *cobra.Command {
	var client, user, since, until, action, format string
	cmd := &cobra.Command{
		Use:   "audit [--client ID] [--user NAME] [--since DATE] [--until DATE] [--action ACTION] [--format table|csv|json|md|html] | audit verify",
		Short: "Show or export the audit log: who read or changed what, when, how, and what was refused",
		Long: `Show the append-only audit log, oldest first: every dossier delivered to a
device, every change accepted, every admin action and every refusal (ops
refused in a sync, revoked or unknown tokens, unknown SSH keys, admin
commands by non-admins), with who, when and the channel (sync, cli, ssh).

--format table (the default) prints a table with times in this machine's
local time and its UTC offset ("2026-12-05 19:22 +01:00"). --format csv
writes RFC 4180 CSV with a header row, for a spreadsheet: one row per
record and dossier (a delivery to a device lists many dossiers), times in
RFC 3339 with their offset, and cells that a spreadsheet would read as a
formula (starting with =, +, -, @, a tab or a carriage return) prefixed
with a single quote. --format json writes one JSON object per line
(NDJSON), the records as the server keeps them, times in RFC 3339 with
their offset. Control characters are escaped in every format.

With --client, --format csv and json write the dossier's records in the
field names of the Logboek Dataverwerkingen standard (trace_id, name,
start_time, attributes such as dpl.core.data_subject_id and
dpl.brug.user; docs/sharing.md maps them), and --format md and html write
the page for the person: "wie heeft je dossier ingezien", in plain Dutch
(English with --lang en), who opened, received, printed, exported or
changed the dossier, when, for which organisation and how; html is one
self-contained page to print on A4 or hand over.

"brug admin audit verify" checks the log's hash chain (see its --help).

--since and --until take a date (YYYY-MM-DD, local time; --until includes
that whole day) or an RFC 3339 time. --action takes an action ("user add",
"push refused") or one word of it ("refused" lists every refusal).`,
		Example: `  brug admin audit --client 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01
  brug admin audit --user anna --since 2026-11-01
  brug admin audit --action refused --since 2026-12-01
  brug admin audit --since 2026-11-01 --until 2026-11-30 --format csv > audit-november.csv
  brug admin audit --client 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --format html > inzage.html
  brug admin audit verify`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains(auditFormats, format) {
				return usageError{errors.New(c.msgs().f("admin.audit.format", format))}
			}
			if (format == "md" || format == "html") && client == "" {
				return usageError{errors.New(c.msgs().f("admin.audit.needclient", format))}
			}
			req := server.AdminRequest{Cmd: server.CmdAudit, Client: client, User: user, Action: action}
			var err error
			if req.Since, err = auditTime(since, false); err != nil {
				return usageError{errors.New(c.msgs().f("admin.since", since))}
			}
			if req.Until, err = auditTime(until, true); err != nil {
				return usageError{errors.New(c.msgs().f("admin.until", until))}
			}
			resp, err := c.admin(cmd.Context(), req)
			if err != nil {
				return err
			}
			if client != "" && format != "table" {
				// The dossier's records: the person's page, or in the
				// Logboek Dataverwerkingen standard's field names.
				dossier := client
				if !store.ValidID(client) && len(resp.Audit) > 0 {
					dossier = resp.Audit[0].Dossier
				}
				switch format {
				case "csv":
					return writeLogboekCSV(c.env.stdout, logboekRecords(resp.Audit, dossier, time.Local))
				case "json":
					return writeLogboekJSON(c.env.stdout, logboekRecords(resp.Audit, dossier, time.Local))
				}
				page := buildAccessPage(resp.Audit, dossier, req.Since, req.Until, c.env.now(), time.Local, c.language())
				if format == "md" {
					_, err := io.WriteString(c.env.stdout, page.markdown())
					return err
				}
				b, err := page.html()
				if err != nil {
					return err
				}
				_, err = c.env.stdout.Write(b)
				return err
			}
			switch format {
			case "csv":
				return writeAuditCSV(c.env.stdout, resp.Audit)
			case "json":
				return writeAuditJSON(c.env.stdout, resp.Audit)
			}
			m := c.msgs()
			tw := table(c.env.stdout, m.f("admin.cols.audit"))
			for _, e := range resp.Audit {
				detail := esc(e.Detail)
				if e.Remote != "" {
					detail += m.f("admin.audit.from", esc(e.Remote))
				}
				if e.Unrecorded > 0 {
					detail += m.f("admin.audit.unrecorded", e.Unrecorded)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", auditStamp(e.Time), esc(e.Channel), orDash(e.User), esc(e.Action), orDash(e.Dossier), orDash(e.Device), detail)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&client, "client", "", "only entries of this dossier (id or unambiguous name)")
	cmd.Flags().StringVar(&user, "user", "", "only entries of this user")
	cmd.Flags().StringVar(&since, "since", "", "only entries from this date (YYYY-MM-DD) or RFC 3339 time on")
	cmd.Flags().StringVar(&until, "until", "", "only entries up to this date (YYYY-MM-DD, the whole day) or before this RFC 3339 time")
	cmd.Flags().StringVar(&action, "action", "", `only entries of this action, or with this word in it ("refused")`)
	cmd.Flags().StringVar(&format, "format", "table", "table, csv (RFC 4180), json (one object per line); with --client also md or html (the person's page)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(auditFormats, cobra.ShellCompDirectiveNoFileComp))
	cmd.AddCommand(newAdminAuditVerifyCmd(c))
	return cmd
}

// adminSession runs admin commands on one server: on its file, opened
// here, or through the admin socket of the brug serve that holds it.
type adminSession struct {
	do    func(server.AdminRequest) (server.AdminResponse, error)
	close func() error
}

// adminRefusal is an admin command the server did not carry out; msg is
// its (English) reason, user whether it is the caller's mistake.
type adminRefusal struct {
	msg  string
	user bool
}

func (e adminRefusal) Error() string { return e.msg }

// adminDialWait is how long brug admin keeps trying the socket of a server
// that holds the file but does not listen yet (it is starting up).
const adminDialWait = 3 * time.Second

// openAdmin opens the server's file, or connects to the brug serve that
// holds it. Only commands that add something (creates) make a new file: a
// mistyped --db must not leave an empty server file behind.
func (c *cli) openAdmin(ctx context.Context, creates bool) (*adminSession, error) {
	path, err := c.serverDBPath()
	if err != nil {
		return nil, err
	}
	meth, err := c.loadMethod()
	if err != nil {
		return nil, err
	}
	pg := pgstore.IsURL(path)
	if !creates && !pg {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, c.fail("admin.nofile", path)
		}
	}
	actor := authorName(c.env.getenv, c.env.osUser)
	var enc *store.Encryption
	if pg {
		enc, err = c.pgEncryption()
	} else {
		enc, err = c.serverEncryption(path)
	}
	if err != nil {
		return nil, err
	}
	srv, err := server.Open(path, server.Options{Now: c.env.now, Encryption: enc, Method: meth, LockTimeout: 100 * time.Millisecond})
	if errors.Is(err, store.ErrLocked) {
		return c.adminSocket(ctx, path, actor), nil
	}
	if err != nil {
		return nil, c.openServerError(path, err)
	}
	a := srv.Admin(actor, server.ChannelCLI)
	return &adminSession{
		do: func(req server.AdminRequest) (server.AdminResponse, error) {
			req.Actor = actor
			resp := a.Do(req)
			if resp.Error != "" {
				return resp, adminRefusal{msg: resp.Error, user: resp.UserError}
			}
			return resp, nil
		},
		close: func() error {
			if err := srv.Close(); err != nil {
				return c.fail("close.failed", path, err)
			}
			return nil
		},
	}, nil
}

// adminSocket is a session through the admin socket of the brug serve
// holding path.
func (c *cli) adminSocket(ctx context.Context, path, actor string) *adminSession {
	return &adminSession{
		do: func(req server.AdminRequest) (server.AdminResponse, error) {
			req.Actor = actor
			dctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			deadline := time.Now().Add(adminDialWait)
			for {
				resp, err := server.DialAdmin(dctx, path, req)
				switch {
				case err == nil:
					return resp, nil
				case errors.Is(err, server.ErrAdmin):
					return resp, adminRefusal{msg: resp.Error, user: errors.Is(err, server.ErrInvalid)}
				case (errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)) && time.Now().Before(deadline):
					// Nothing was sent: the server is starting and
					// does not listen yet. Trying again is safe.
					select {
					case <-dctx.Done():
					case <-time.After(20 * time.Millisecond):
						continue
					}
				}
				return resp, c.fail("admin.socket", path, server.AdminSocketPath(path), err)
			}
		},
		close: func() error { return nil },
	}
}

// admin runs one admin command and turns a refusal into a message that
// says what to do. The server's own reasons are English; to say in the
// user's language what was wrong, a refused command is followed by the
// list commands that tell which of its arguments does not exist.
func (c *cli) admin(ctx context.Context, req server.AdminRequest) (_ server.AdminResponse, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	creates := req.Cmd == server.CmdUserAdd || req.Cmd == server.CmdTeamAdd || req.Cmd == server.CmdOrgAdd || req.Cmd == server.CmdOrgImport
	var sess *adminSession
	if c.via != nil {
		sess = viaSession(c.via)
	} else {
		sess, err = c.openAdmin(ctx, creates)
		if err != nil {
			return server.AdminResponse{}, err
		}
	}
	defer func() {
		if cerr := sess.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	resp, err := sess.do(req)
	var ref adminRefusal
	if errors.As(err, &ref) {
		return resp, c.explainRefusal(sess, req, ref)
	}
	if err != nil {
		return resp, err
	}
	// Listing by a user who does not exist finds nothing; say why.
	if req.User != "" && (req.Cmd == server.CmdDeviceList && len(resp.Devices) == 0 || req.Cmd == server.CmdAudit && len(resp.Audit) == 0) {
		if users, ok := c.adminUsers(sess); ok && !slices.ContainsFunc(users, func(u server.User) bool { return u.Name == req.User }) {
			return resp, c.fail("admin.nouser", req.User)
		}
	}
	return resp, nil
}

// lookup is what the explanation of a refusal looks at: the server's
// users and teams, with uok and tok false when they could not be read.
type lookup struct {
	users    []server.User
	teams    []server.TeamInfo
	uok, tok bool
}

// adminLookup reads the users and teams for explaining a refusal.
func (c *cli) adminLookup(sess *adminSession) lookup {
	var l lookup
	l.users, l.uok = c.adminUsers(sess)
	l.teams, l.tok = c.adminTeams(sess)
	return l
}

// user finds a user by name.
func (l lookup) user(name string) (server.User, bool) {
	i := slices.IndexFunc(l.users, func(u server.User) bool { return u.Name == name })
	if i < 0 {
		return server.User{}, false
	}
	return l.users[i], true
}

// team finds a team by name.
func (l lookup) team(name string) (server.TeamInfo, bool) {
	i := slices.IndexFunc(l.teams, func(t server.TeamInfo) bool { return t.Name == name })
	if i < 0 {
		return server.TeamInfo{}, false
	}
	return l.teams[i], true
}

// explainRefusal says in the user's language why req was refused.
func (c *cli) explainRefusal(sess *adminSession, req server.AdminRequest, ref adminRefusal) error {
	switch req.Cmd {
	case server.CmdBackup:
		if err, ok := c.explainBackupRefusal(req.Path, ref); ok {
			return err
		}
	case server.CmdKeyAdd:
		// The server refused the key file for what ParseKeys finds in
		// it: parsed here again, it says that in Dutch too.
		var ke *server.KeyFileError
		if _, err := server.ParseKeys([]byte(req.Key)); errors.As(err, &ke) && ke.Error() == ref.msg {
			return c.fail("admin.refused", refusalText{en: esc(ref.msg), nl: ke.In(c.msgs().lang)})
		}
	}
	if !ref.user {
		return c.fail("admin.failed", refusalError(ref.msg, ""))
	}
	l := c.adminLookup(sess)
	if err, ok := c.explainAccountRefusal(sess, l, req, ref); ok {
		return err
	}
	if err, ok := c.explainOrgRefusal(sess, req); ok {
		return err
	}
	uok, tok, user, team := l.uok, l.tok, l.user, l.team
	switch req.Cmd {
	case server.CmdUserAdd:
		if _, ok := user(req.Name); uok && ok {
			return c.fail("admin.userexists", req.Name)
		}
		for _, t := range req.Teams {
			if _, ok := team(t); tok && !ok {
				return c.fail("admin.noteam", t)
			}
		}
		if uok && tok {
			return c.fail("admin.badusername", esc(req.Name), esc(ref.msg))
		}
	case server.CmdUserDisable:
		if _, ok := user(req.Name); uok && !ok {
			return c.fail("admin.nouser", req.Name)
		}
	case server.CmdTeamAdd:
		if _, ok := team(req.Name); tok && ok {
			return c.fail("admin.teamexists", req.Name)
		}
		if tok {
			return c.fail("admin.badteamname", req.Name)
		}
	case server.CmdMemberAdd, server.CmdMemberRemove:
		t, ok := team(req.Team)
		if tok && !ok {
			return c.fail("admin.noteam", req.Team)
		}
		if _, ok := user(req.User); uok && !ok {
			return c.fail("admin.nouser", req.User)
		}
		if req.Cmd == server.CmdMemberRemove && tok && !slices.Contains(t.Members, req.User) {
			return c.fail("admin.notmember", req.User, req.Team)
		}
	case server.CmdInvite:
		u, ok := user(req.User)
		if uok && !ok {
			return c.fail("admin.nouser", req.User)
		}
		if ok && u.Disabled {
			return c.fail("admin.disabled", req.User)
		}
	case server.CmdDeviceRevoke:
		resp, err := sess.do(server.AdminRequest{Cmd: server.CmdDeviceList})
		if err == nil && !slices.ContainsFunc(resp.Devices, func(d server.Device) bool { return d.ID == req.ID || d.Replica == req.ID }) {
			return c.fail("admin.nodevice", req.ID)
		}
	case server.CmdErase, server.CmdAudit, server.CmdExport, server.CmdCandidates:
		// Lookups of a dossier by name fail with the store's sentinel
		// errors; over the socket only their text arrives.
		switch {
		case req.Cmd == server.CmdExport && strings.Contains(ref.msg, store.ErrErased.Error()):
			return c.fail("admin.exporterased", req.Client)
		case strings.Contains(ref.msg, store.ErrAmbiguous.Error()):
			return c.fail("admin.ambiguous", req.Client)
		case req.Client != "" && strings.Contains(ref.msg, store.ErrNotFound.Error()):
			return c.fail("admin.noclient", req.Client)
		}
	}
	return c.fail("admin.refused", esc(ref.msg))
}

// adminUsers lists the users, for explaining a refusal.
func (c *cli) adminUsers(sess *adminSession) ([]server.User, bool) {
	resp, err := sess.do(server.AdminRequest{Cmd: server.CmdUserList})
	return resp.Users, err == nil
}

// adminTeams lists the teams, for explaining a refusal.
func (c *cli) adminTeams(sess *adminSession) ([]server.TeamInfo, bool) {
	resp, err := sess.do(server.AdminRequest{Cmd: server.CmdTeamList})
	return resp.Teams, err == nil
}

// table starts a table on w with a header of tab-separated columns.
func table(w io.Writer, header string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	return tw
}

func (c *cli) listOrNone(xs []string) string {
	if len(xs) == 0 {
		return c.msgs().f("admin.none")
	}
	return esc(strings.Join(xs, ", "))
}

// esc makes text the server holds safe to print: a name a device sent
// before such names were refused may still hold escape sequences
// (termsafe).
func esc(s string) string { return termsafe.Escape(s) }

func orDash(s string) string {
	s = esc(s)
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
