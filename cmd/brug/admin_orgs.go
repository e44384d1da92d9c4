package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
)

// The organisations of the region's register (issue 11): brug admin org
// add, list, show, rename, remove, contact add|remove, import; and a
// team's organisation (team add --org, team org). They run on the file,
// through a running brug serve's socket, and in an admin's SSH session.

func newAdminOrgCmd(c *cli) *cobra.Command {
	m := func() msgs { return c.msgs() }
	var kind, kvk string
	add := &cobra.Command{
		Use:   "add NAME --kind KIND [--kvk NUMBER]",
		Short: "Add an organisation to the region's register",
		Long: `Add an organisation to the region's register, which every device of the
region receives (it holds no client data). KIND is one of care
(zorgaanbieder), municipality (gemeente), sdc (sociaal ontwikkelbedrijf),
uwv, employer (werkgever), school or other (anders); the Dutch word works
too. --kvk is the Chamber of Commerce number, 8 digits. A name that differs
from another only in case or accents, or a KvK number another has, is
refused.`,
		Example: `  brug admin org add "Gemeente Nijmegen" --kind gemeente
  brug admin org add "Bakkerij De Zon" --kind werkgever --kvk 12345678`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, ok := store.ParseOrgKind(kind)
			if !ok {
				return usageError{errors.New(m().f("org.badkind", esc(kind), strings.Join(store.OrgKinds, ", ")))}
			}
			if store.CheckKvK(kvk) != nil {
				return usageError{errors.New(m().f("org.badkvk", esc(kvk)))}
			}
			if _, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdOrgAdd, Name: args[0], Kind: k, KvK: kvk}); err != nil {
				return err
			}
			fmt.Fprintln(c.env.stdout, m().f("org.added", esc(args[0]), c.kindName(k)))
			return nil
		},
	}
	add.Flags().StringVar(&kind, "kind", "", "care, municipality, sdc, uwv, employer, school or other (or the Dutch word)")
	add.Flags().StringVar(&kvk, "kvk", "", "the KvK (Chamber of Commerce) number, 8 digits")
	_ = add.RegisterFlagCompletionFunc("kind", cobra.FixedCompletions(store.OrgKinds, cobra.ShellCompDirectiveNoFileComp))

	var listKind string
	list := &cobra.Command{
		Use: "list [--kind KIND]", Short: "List the organisations of the register with their teams",
		Example: `  brug admin org list
  brug admin org list --kind werkgever`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			want := ""
			if listKind != "" {
				k, ok := store.ParseOrgKind(listKind)
				if !ok {
					return usageError{errors.New(m().f("org.badkind", esc(listKind), strings.Join(store.OrgKinds, ", ")))}
				}
				want = k
			}
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdOrgList})
			if err != nil {
				return err
			}
			tw := table(c.env.stdout, m().f("org.cols"))
			for _, o := range resp.Orgs {
				if want != "" && o.Kind != want {
					continue
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", esc(o.Name), c.kindName(o.Kind), orDash(o.KvK), c.listOrNone(o.Teams), len(o.Contacts))
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&listKind, "kind", "", "only organisations of this kind")
	show := &cobra.Command{
		Use: "show NAME", Short: "Show an organisation: kind, KvK number, teams and business contacts",
		Example: `  brug admin org show "Bakkerij De Zon"`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdOrgList})
			if err != nil {
				return err
			}
			i := slices.IndexFunc(resp.Orgs, func(o server.OrgInfo) bool { return o.Name == args[0] })
			if i < 0 {
				return c.fail("org.noorg", esc(args[0]))
			}
			o := resp.Orgs[i]
			out := c.env.stdout
			fmt.Fprintln(out, esc(o.Name))
			fmt.Fprintln(out, m().f("org.show.kind", c.kindName(o.Kind)))
			fmt.Fprintln(out, m().f("org.show.kvk", orDash(o.KvK)))
			fmt.Fprintln(out, m().f("org.show.teams", c.listOrNone(o.Teams)))
			if len(o.Contacts) == 0 {
				fmt.Fprintln(out, m().f("org.show.nocontacts"))
				return nil
			}
			fmt.Fprintln(out, m().f("org.show.contacts"))
			tw := table(out, m().f("org.cols.contacts"))
			for _, ct := range o.Contacts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", esc(ct.Name), orDash(ct.Role), orDash(ct.Phone), orDash(ct.Email))
			}
			return tw.Flush()
		},
	}
	rename := simpleAdmin(c, "rename OLD NEW", "Rename an organisation; its teams follow", "",
		`  brug admin org rename "Bakkerij De Zon" "Bakkerij De Zon BV"`, 2,
		func(a []string) server.AdminRequest {
			return server.AdminRequest{Cmd: server.CmdOrgRename, Name: a[0], To: a[1]}
		},
		func(a []string, _ server.AdminResponse) string { return m().f("org.renamed", esc(a[0]), esc(a[1])) })
	remove := simpleAdmin(c, "remove NAME", "Remove an organisation that no team belongs to",
		`Remove an organisation from the register. A team that belongs to it must
get another organisation first (brug admin team org). Route moves that
named it as employer keep the name.`,
		`  brug admin org remove "Bakkerij De Zon"`, 1,
		func(a []string) server.AdminRequest { return server.AdminRequest{Cmd: server.CmdOrgRemove, Name: a[0]} },
		func(a []string, _ server.AdminResponse) string { return m().f("org.removed", esc(a[0])) })

	var ct store.OrgContact
	cadd := &cobra.Command{
		Use:   "add ORG NAME [--role ROLE] [--phone PHONE] [--email EMAIL]",
		Short: "Add (or replace) a business contact of an organisation",
		Long: `Add a business contact of an organisation: the person to call about
placements. Never a client: the register goes to every device of the
region. A contact of the same name is replaced.`,
		Example: `  brug admin org contact add "Bakkerij De Zon" "Ria Jansen" --role "bedrijfsleider" --phone "024 123 45 67" --email ria@dezon.nl`,
		Args:    usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			x := ct
			x.Name = args[1]
			if err := store.CheckContact(x); err != nil {
				return usageError{errors.New(m().f("org.badcontact", esc(m().cause(err))))}
			}
			if _, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdContactAdd, Org: args[0], Contact: &x}); err != nil {
				return err
			}
			fmt.Fprintln(c.env.stdout, m().f("org.contactadded", esc(x.Name), esc(args[0])))
			return nil
		},
	}
	cadd.Flags().StringVar(&ct.Role, "role", "", "the contact's role (bedrijfsleider, jobcoach, ...)")
	cadd.Flags().StringVar(&ct.Phone, "phone", "", "a business phone number")
	cadd.Flags().StringVar(&ct.Email, "email", "", "a business e-mail address")
	cremove := simpleAdmin(c, "remove ORG NAME", "Remove a business contact of an organisation", "",
		`  brug admin org contact remove "Bakkerij De Zon" "Ria Jansen"`, 2,
		func(a []string) server.AdminRequest {
			return server.AdminRequest{Cmd: server.CmdContactRm, Org: a[0], Name: a[1]}
		},
		func(a []string, _ server.AdminResponse) string {
			return m().f("org.contactremoved", esc(a[1]), esc(a[0]))
		})
	contact := group("contact", "Add or remove business contacts of an organisation", cadd, cremove)
	return group("org", "Add, list, show, rename, remove and import the organisations of the region's register",
		add, list, show, rename, remove, contact, newAdminOrgImportCmd(c))
}

// newAdminTeamOrgCmd is brug admin team org TEAM ORG.
func newAdminTeamOrgCmd(c *cli) *cobra.Command {
	return simpleAdmin(c, "org TEAM ORG", "Set the organisation a team belongs to",
		`Set the organisation of the register a team belongs to; its members see it
in the app. An empty ORG ("") puts the team in the region's default
organisation, to which every team without one belongs. A dossier moves
between teams of different organisations (the default one included) only
with the person's consent recorded for the organisation it goes to (for
the default organisation: a share naming no organisation).`,
		`  brug admin team org "Team Noord" "Zorggroep Noord"`, 2,
		func(a []string) server.AdminRequest {
			return server.AdminRequest{Cmd: server.CmdTeamOrg, Team: a[0], Org: a[1]}
		},
		func(a []string, _ server.AdminResponse) string {
			if strings.TrimSpace(a[1]) == "" {
				return c.msgs().f("org.teamorg.default", esc(a[0]))
			}
			return c.msgs().f("org.teamorg", esc(a[0]), esc(a[1]))
		})
}

// kindName is an organisation kind in the user's language.
func (c *cli) kindName(kind string) string { return c.msgs().f("org.kind." + kind) }

// explainOrgRefusal says in the user's language why an organisation
// command was refused; false when it is not one, or no reason is found.
func (c *cli) explainOrgRefusal(sess *adminSession, req server.AdminRequest) (error, bool) {
	resp, err := sess.do(server.AdminRequest{Cmd: server.CmdOrgList})
	if err != nil {
		return nil, false
	}
	org := func(name string) (server.OrgInfo, bool) {
		i := slices.IndexFunc(resp.Orgs, func(o server.OrgInfo) bool { return o.Name == name })
		if i < 0 {
			return server.OrgInfo{}, false
		}
		return resp.Orgs[i], true
	}
	like := func(name, kvk string) (server.OrgInfo, bool) {
		f := store.FoldName(name)
		i := slices.IndexFunc(resp.Orgs, func(o server.OrgInfo) bool {
			return store.FoldName(o.Name) == f || kvk != "" && o.KvK == kvk
		})
		if i < 0 {
			return server.OrgInfo{}, false
		}
		return resp.Orgs[i], true
	}
	switch req.Cmd {
	case server.CmdTeamAdd:
		if _, ok := org(req.Org); req.Org != "" && !ok {
			return c.fail("org.noorg", esc(req.Org)), true
		}
	case server.CmdTeamOrg:
		if _, ok := org(req.Org); req.Org != "" && !ok {
			return c.fail("org.noorg", esc(req.Org)), true
		}
	case server.CmdOrgAdd:
		if o, ok := like(req.Name, req.KvK); ok {
			return c.fail("org.exists", esc(req.Name), esc(o.Name)), true
		}
		if store.CheckOrgName(req.Name) != nil {
			return c.fail("org.badname", esc(req.Name)), true
		}
	case server.CmdOrgRename:
		if _, ok := org(req.Name); !ok {
			return c.fail("org.noorg", esc(req.Name)), true
		}
		if o, ok := like(req.To, ""); ok && o.Name != req.Name {
			return c.fail("org.exists", esc(req.To), esc(o.Name)), true
		}
		if store.CheckOrgName(req.To) != nil {
			return c.fail("org.badname", esc(req.To)), true
		}
	case server.CmdOrgRemove:
		o, ok := org(req.Name)
		if !ok {
			return c.fail("org.noorg", esc(req.Name)), true
		}
		if len(o.Teams) > 0 {
			return c.fail("org.hasteams", esc(req.Name), c.listOrNone(o.Teams)), true
		}
	case server.CmdContactAdd, server.CmdContactRm:
		o, ok := org(req.Org)
		if !ok {
			return c.fail("org.noorg", esc(req.Org)), true
		}
		if req.Cmd == server.CmdContactRm && !slices.ContainsFunc(o.Contacts, func(x store.OrgContact) bool { return x.Name == req.Name }) {
			return c.fail("org.nocontact.cmd", esc(req.Name), esc(req.Org)), true
		}
	}
	return nil, false
}

// orgProblems turns the server's problems of an import into the
// caseload's problems, printed the same way.
func orgProblems(ps []server.OrgProblem) []caseProblem {
	out := make([]caseProblem, 0, len(ps))
	for _, p := range ps {
		out = append(out, caseProblem{Line: p.Line, Column: p.Column, Key: "org." + p.Code, Value: p.Value})
	}
	return out
}
