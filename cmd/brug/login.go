package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
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
	base, err := client.NormalizeURL(rawURL)
	if err != nil {
		return usageError{errors.New(c.syncMsg("login.url", rawURL))}
	}
	tokens, err := tokenStore()
	if err != nil {
		return userError{c.syncMsg("token.nodir", err)}
	}
	name := f.name
	if name == "" {
		if h, herr := os.Hostname(); herr == nil {
			name = h
		}
	}
	path, err := c.dbPath()
	if err != nil {
		return err
	}
	meth, err := c.loadMethod()
	if err != nil {
		return err
	}
	s, err := c.openStore(path, c.openOpts(meth))
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
	if err != nil {
		return c.syncError(base, err)
	}
	fmt.Fprintln(c.env.stdout, c.syncMsg("login.done", base, resp.User, name))
	return nil
}

// tokenStore is where device tokens are kept: the OS keyring, else a file
// in the user's config folder.
func tokenStore() (client.TokenStore, error) {
	dir, err := client.DefaultTokenDir()
	if err != nil {
		return nil, err
	}
	return client.NewKeyringStore(dir), nil
}

// syncError turns an error of login or sync into a message that says what
// to do next.
func (c *cli) syncError(base string, err error) error {
	var se *client.ServerError
	switch {
	case errors.Is(err, client.ErrNotEnrolled):
		return userError{c.syncMsg("sync.notenrolled")}
	case errors.Is(err, client.ErrUnauthorized):
		return userError{c.syncMsg("sync.unauthorized", base)}
	case errors.Is(err, client.ErrUnreachable):
		return userError{c.syncMsg("sync.unreachable", base, err)}
	case errors.As(err, &se):
		return userError{c.syncMsg("sync.refusedreq", base, se.Error())}
	}
	return userError{c.syncMsg("sync.failed", err)}
}

// syncMsg formats a message of login and sync in the chosen language.
func (c *cli) syncMsg(key string, args ...any) string {
	t, ok := syncTexts[key]
	if !ok {
		return "«" + key + "»"
	}
	s := t[0]
	if c.language() == "en" {
		s = t[1]
	}
	return fmt.Sprintf(s, args...)
}

// syncTexts are the messages of login and sync: key -> {nl, en}.
var syncTexts = map[string][2]string{
	"login.url": {
		"%q is geen serveradres. Geef het als https://server[:poort].",
		"%q is not a server address. Give it as https://server[:port].",
	},
	"login.done": {
		"Aangemeld bij %s als %s (apparaat %q). De app synchroniseert nu op de achtergrond; 'brug sync' doet het meteen.",
		"Enrolled at %s as %s (device %q). The app now syncs in the background; 'brug sync' does it at once.",
	},
	"token.nodir": {
		"Kan geen plek vinden voor het apparaatsleutel-bestand (%v).",
		"Cannot find a place for the device token file (%v).",
	},
	"sync.notenrolled": {
		"Dit apparaat is nog niet aangemeld bij een server. Vraag je beheerder om een code en voer 'brug login URL CODE' uit.",
		"This device is not enrolled with a server yet. Ask your admin for a code and run 'brug login URL CODE'.",
	},
	"sync.unauthorized": {
		"De server %[1]s kent dit apparaat niet (meer). Vraag je beheerder om een nieuwe code en voer 'brug login %[1]s CODE' uit. Je werk blijft bewaard.",
		"The server %[1]s does not know this device (any more). Ask your admin for a new code and run 'brug login %[1]s CODE'. Your work is kept.",
	},
	"sync.unreachable": {
		"Kan de server %s niet bereiken; ben je offline? Je werk blijft bewaard; probeer het later opnieuw.\n(details: %v)",
		"Cannot reach the server %s; are you offline? Your work is kept; try again later.\n(details: %v)",
	},
	"sync.refusedreq": {
		"De server %s weigert: %s",
		"The server %s refuses: %s",
	},
	"sync.failed": {
		"Synchroniseren lukte niet: %v",
		"Sync did not work: %v",
	},
	"sync.nothing": {
		"Alles is bij met %s: niets te versturen of te ontvangen.",
		"Up to date with %s: nothing to send or receive.",
	},
	"sync.moved": {
		"Gesynchroniseerd met %s: %s.",
		"Synced with %s: %s.",
	},
	"sync.pushed":  {"%d wijzigingen verstuurd", "%d changes sent"},
	"sync.pulled":  {"%d ontvangen", "%d received"},
	"sync.refused": {"%d geweigerd", "%d refused"},
	"sync.dropped": {"%d dossiers weggehaald die niet meer bij je teams horen", "%d dossiers removed that left your teams"},
	"sync.erased":  {"%d dossiers gewist op verzoek van de beheerder", "%d dossiers erased at the admin's request"},
	"sync.and":     {" en ", " and "},
	"sync.refusedline": {
		"  geweigerd: dossier %s, veld %s: %s",
		"  refused: dossier %s, field %s: %s",
	},
}
