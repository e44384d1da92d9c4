package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/client"
)

// loginTimeout bounds enrolment: one small request.
const loginTimeout = 30 * time.Second

// loginFlags are the login command's own flags.
type loginFlags struct {
	name        string
	replaceUser bool // hand the file to another user: send, then wipe
	adopt       bool // unsent work of a never-enrolled file is the user's
}

func newLoginCmd(c *cli) *cobra.Command {
	var f loginFlags
	cmd := &cobra.Command{
		Use:   "login URL CODE",
		Short: "Enrol this device with your region's sync server",
		Long: `Enrol this device with the sync server at URL, using the one-time CODE your
admin gave you (it works once and expires after 24 hours).

The server sends a device token. brug keeps it in the OS keyring (Keychain,
Credential Manager, Secret Service) or, where there is none, in a file only
you can read in your config folder; never in the brug file. The server's
address and this device's id are noted in the brug file, so that the app
syncs in the background from then on and 'brug sync' needs no arguments.

Enrolling again (after a lost laptop was revoked, or with a new code) is
safe; moving to another server starts its sync from the beginning.

A file that holds another user's data (it was enrolled for someone else,
or holds changes made under another name that no server has yet) is
refused: one person's dossiers never become readable to the next, and
their changes are never signed with the next person's name.
  --replace-user  hands the file over: brug first sends the other user's
                  unsent changes with their device token, refuses when
                  that is not possible, and then empties the file (all
                  dossiers, waiting changes, the sync state) before it
                  enrols you.
  --adopt         for a file never enrolled: the changes made on it under
                  another name (your local login name) are yours; they are
                  recorded under your account so that the server takes
                  them.`,
		Example: `  brug login https://brug.regio-noord.nl K7QF-9XWM
  brug login https://brug.regio-noord.nl K7QF-9XWM --name "laptop Piet"
  brug login http://127.0.0.1:8080 K7QF-9XWM --db test.db
  brug login https://brug.regio-noord.nl K7QF-9XWM --replace-user`,
		Args: usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runLogin(cmd.Context(), args[0], args[1], f)
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	cmd.Flags().StringVar(&f.name, "name", "", "how this device is listed to admins (default: the computer's name)")
	cmd.Flags().BoolVar(&f.replaceUser, "replace-user", false, "the file is another user's: send their unsent changes, then empty the file before enrolling")
	cmd.Flags().BoolVar(&f.adopt, "adopt", false, "the changes made on this never-enrolled file under another name are yours")
	return cmd
}

// runLogin enrols the device and reports to whom.
func (c *cli) runLogin(ctx context.Context, rawURL, code string, f loginFlags) (err error) {
	m := c.msgs()
	base, err := client.NormalizeURL(rawURL)
	if err != nil {
		return usageError{errors.New(m.f("login.url", rawURL))}
	}
	if strings.TrimSpace(code) == "" {
		return usageError{errors.New(m.f("login.nocode"))}
	}
	tokens, err := c.tokenStore()
	if err != nil {
		return err
	}
	name := f.name
	if name == "" {
		if h, herr := os.Hostname(); herr == nil {
			name = h
		}
	}
	s, meth, err := c.openUserStore()
	if err != nil {
		return err
	}
	defer func() { c.closeStore(s, &err) }() // s may be replaced by a wiped file
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, loginTimeout)
	defer cancel()
	hc := &http.Client{}
	opt := client.EnrollOptions{Adopt: f.adopt}
	var wiped *client.Occupant
	if f.replaceUser {
		// Send the enrolled user's waiting changes before the code is
		// spent: when that fails, nothing has changed anywhere.
		if occ, oerr := client.Occupancy(s); oerr == nil && occ.User != "" {
			if err := client.SendPending(ctx, hc, s, tokens); err != nil {
				return c.unsentError(s.Path(), err)
			}
		}
		opt.Replace = func(other client.Occupant) (client.Store, error) {
			if err := client.SendPending(ctx, hc, s, tokens); err != nil {
				return nil, err
			}
			ns, err := c.wipeFile(s, meth)
			if err != nil {
				return nil, err
			}
			s = ns
			if other.URL != "" {
				_ = tokens.Delete(other.URL) // the other user's key to the server
			}
			wiped = &other
			return ns, nil
		}
	}
	resp, err := client.EnrollWith(ctx, hc, s, tokens, base, code, name, opt)
	var other *client.OtherUserError
	switch {
	case errors.Is(err, client.ErrUnauthorized):
		// Enrolment answers 401 for a code that is unknown, used, expired
		// or of a disabled account; the device itself is not the problem.
		return c.fail("login.refused", base)
	case errors.As(err, &other):
		if other.Other.User != "" {
			return c.fail("login.otheruser", other.User, s.Path(), other.Other.User, other.Other.Dossiers, other.Other.Unsent)
		}
		return c.fail("login.otherwork", other.User, s.Path(), other.Other.Unsent, strings.Join(other.Other.Authors, ", "))
	case err != nil:
		if uerr := c.unsentError(s.Path(), err); uerr != err {
			return uerr
		}
		return c.syncError(base, err)
	}
	if wiped != nil {
		who := wiped.User
		if who == "" {
			who = strings.Join(wiped.Authors, ", ")
		}
		fmt.Fprintln(c.env.stdout, m.f("login.wiped", s.Path(), who, wiped.Dossiers))
	}
	fmt.Fprintln(c.env.stdout, m.f("login.done", base, resp.User, name))
	return nil
}

// unsentError says why a file could not be handed over: its user's
// changes could not all be sent. Other errors come back as they are.
func (c *cli) unsentError(path string, err error) error {
	var ue *client.UnsentError
	if !errors.As(err, &ue) {
		return err
	}
	who := ue.Other.User
	if who == "" {
		return c.fail("login.unsent.never", path, ue.Left, strings.Join(ue.Other.Authors, ", "))
	}
	if ue.Err != nil {
		return c.fail("login.unsent", path, ue.Left, who, ue.Err)
	}
	return c.fail("login.unsent.refused", path, who, ue.Left, ue.Refused)
}

// wipeFile empties a brug file for its next user: it closes s, removes the
// file and makes a new one in its place, so that nothing of the earlier
// user's dossiers stays in it (not even in bbolt's free pages).
func (c *cli) wipeFile(s *store.Store, meth *method.Method) (*store.Store, error) {
	path := s.Path()
	if err := s.Close(); err != nil {
		return nil, err
	}
	if err := os.Remove(path); err != nil {
		return nil, fmt.Errorf("empty %s: %w", path, err)
	}
	return c.openStore(path, c.openOpts(meth))
}

// tokenStore is where device tokens are kept: what env.tokens gives, else
// the OS keyring with a file in the user's config folder as fallback.
func (c *cli) tokenStore() (client.TokenStore, error) {
	if c.env.tokens != nil {
		ts, err := c.env.tokens()
		if err != nil {
			return nil, c.fail("token.nodir", err)
		}
		return ts, nil
	}
	dir, err := client.DefaultTokenDir()
	if err != nil {
		return nil, c.fail("token.nodir", err)
	}
	return client.NewKeyringStore(dir), nil
}

// syncError turns an error of login or sync into a message that says what
// to do next.
func (c *cli) syncError(base string, err error) error {
	var se *client.ServerError
	var ue *client.UntrustedError
	switch {
	case errors.As(err, &ue):
		return c.fail(untrustedKey(ue.Kind), base, ue.Err)
	case errors.Is(err, client.ErrNotEnrolled):
		return c.fail("sync.notenrolled")
	case errors.Is(err, client.ErrWiped):
		return c.fail("sync.wiped", base)
	case errors.Is(err, client.ErrWipeOrdered):
		// Ordered, but the wipe failed or this program cannot wipe:
		// nothing was sent.
		return c.fail("sync.wipefailed", base, err)
	case errors.Is(err, client.ErrRevoked):
		return c.fail("sync.revoked", base)
	case errors.Is(err, client.ErrDisabled):
		return c.fail("sync.disabled", base)
	case errors.Is(err, client.ErrUnauthorized):
		return c.fail("sync.unauthorized", base)
	case errors.As(err, &se) && se.Temporary():
		// Reached, but failing or busy: not "are you offline?".
		return c.fail("sync.serverbusy", base, err)
	case errors.Is(err, client.ErrUnreachable):
		return c.fail("sync.unreachable", base, err)
	case errors.As(err, &se):
		return c.fail("sync.refusedreq", base, se)
	}
	return c.fail("sync.failed", err)
}

// untrustedKey is the message about a server certificate not trusted for
// kind.
func untrustedKey(kind client.UntrustedKind) string {
	switch kind {
	case client.UntrustedIssuer:
		return "sync.untrusted.issuer"
	case client.UntrustedName:
		return "sync.untrusted.name"
	case client.UntrustedExpired:
		return "sync.untrusted.expired"
	}
	return "sync.untrusted.invalid"
}
