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

	"github.com/brug-nl/brug/sync/client"
)

// loginTimeout bounds enrolment: one small request.
const loginTimeout = 30 * time.Second

// loginFlags are the login command's own flags.
type loginFlags struct {
	name string
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
safe; moving to another server starts its sync from the beginning.`,
		Example: `  brug login https://brug.regio-noord.nl K7QF-9XWM
  brug login https://brug.regio-noord.nl K7QF-9XWM --name "laptop Piet"
  brug login http://127.0.0.1:8080 K7QF-9XWM --db test.db`,
		Args: usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runLogin(cmd.Context(), args[0], args[1], f)
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	cmd.Flags().StringVar(&f.name, "name", "", "how this device is listed to admins (default: the computer's name)")
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
	s, _, err := c.openUserStore()
	if err != nil {
		return err
	}
	defer c.closeStore(s, &err)
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, loginTimeout)
	defer cancel()
	resp, err := client.Enroll(ctx, &http.Client{}, s, tokens, base, code, name)
	if errors.Is(err, client.ErrUnauthorized) {
		// Enrolment answers 401 for a code that is unknown, used, expired
		// or of a disabled account; the device itself is not the problem.
		return c.fail("login.refused", base)
	}
	if err != nil {
		return c.syncError(base, err)
	}
	fmt.Fprintln(c.env.stdout, m.f("login.done", base, resp.User, name))
	return nil
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
	switch {
	case errors.Is(err, client.ErrNotEnrolled):
		return c.fail("sync.notenrolled")
	case errors.Is(err, client.ErrUnauthorized):
		return c.fail("sync.unauthorized", base)
	case errors.Is(err, client.ErrUnreachable):
		return c.fail("sync.unreachable", base, err)
	case errors.As(err, &se):
		return c.fail("sync.refusedreq", base, se.Error())
	}
	return c.fail("sync.failed", err)
}
