package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/tui"
	"github.com/brug-nl/brug/tui/texts"
)

// syncTimeout bounds `brug sync`: long enough for a fresh device's first
// pull of a whole region.
const syncTimeout = 10 * time.Minute

func newSyncCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "sync",
		Short: "Sync with the server once and say what moved",
		Long: `Send the changes made on this device to the sync server and fetch what others
changed, once, and say what moved. The app does the same in the background
every minute; this command is for scripts and for seeing it happen.

Changes the server refuses (a dossier that is not your team's, for example)
are listed with the reason; they stay on this device and never hold back
the changes behind them.

Exits with 1 when this device is not enrolled ('brug login') or the server
cannot be reached; nothing is lost then, the next sync sends it.`,
		Example: `  brug sync
  brug sync --lang en
  brug sync --db team.db`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runSync(cmd.Context())
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
}

// runSync syncs once and prints what moved.
func (c *cli) runSync(ctx context.Context) (err error) {
	s, _, err := c.openUserStore()
	if err != nil {
		return err
	}
	defer c.closeStore(s, &err)
	sy, err := c.syncer(s)
	if err != nil {
		return err
	}
	if sy == nil {
		return c.fail("sync.notenrolled")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	before, _ := client.Refused(s)
	spin := c.progress(c.msgs().f("progress.sync", sy.URL))
	spin.Spin()
	res, err := sy.Sync(ctx)
	spin.Done()
	if err != nil {
		return c.syncError(sy.URL, err)
	}
	m := c.msgs()
	if res.Restored {
		fmt.Fprintln(c.env.stdout, m.f("sync.restored"))
	}
	fmt.Fprintln(c.env.stdout, c.syncSentence(sy.URL, res))
	if res.MethodChanged {
		fmt.Fprintln(c.env.stdout, m.f("sync.newmethod", res.MethodID, res.MethodVersion))
	}
	if res.MethodRefused != nil {
		// The sync itself succeeded; the device keeps its method.
		fmt.Fprintln(c.env.stderr, m.f("sync.methodrefused", res.MethodRefused))
	}
	if res.Refused > 0 {
		after, _ := client.Refused(s)
		old := map[string]bool{}
		for _, r := range before {
			old[r.ID] = true
		}
		for _, r := range after {
			if !old[r.ID] {
				fmt.Fprintln(c.env.stdout, c.refusedLine(s, r))
			}
		}
	}
	return nil
}

// refusedLine is a change the server refused, for brug sync's list. The
// server's explanation is English: a Dutch screen says why by the
// refusal's code, and names the field as the app does; English prints
// the field and the explanation as they came.
func (c *cli) refusedLine(s *store.Store, r client.RefusedOp) string {
	m := c.msgs()
	if m.lang == "en" {
		return m.f("sync.refusedline", esc(r.Dossier), esc(r.Field), esc(r.Reason))
	}
	t := texts.NewTexts(m.lang)
	t.Details = m.details
	return m.f("sync.refusedline", esc(r.Dossier), esc(t.FieldLabel(s.Method(), r.Field)), esc(t.RefusedWhy(r.Code, r.Reason)))
}

// syncSentence says what a sync moved, in one sentence.
func (c *cli) syncSentence(base string, r client.Result) string {
	m := c.msgs()
	var parts []string
	for _, p := range []struct {
		n   int
		key string
	}{{r.Pushed, "sync.pushed"}, {r.Pulled, "sync.pulled"}, {r.Refused, "sync.refused"}, {r.Dropped, "sync.dropped"}, {r.Erased, "sync.erased"}} {
		if p.n > 0 {
			parts = append(parts, m.n(p.key, p.n))
		}
	}
	if len(parts) == 0 {
		return m.f("sync.nothing", base)
	}
	list := parts[0]
	if len(parts) > 1 {
		list = strings.Join(parts[:len(parts)-1], ", ") + m.f("sync.and") + parts[len(parts)-1]
	}
	return m.f("sync.moved", base, list)
}

// syncer returns the syncer of s, or nil when s has no server configured.
func (c *cli) syncer(s *store.Store) (*client.Syncer, error) {
	u, err := s.Meta(client.MetaURL)
	if err != nil {
		return nil, c.fail("open.other", s.Path(), err)
	}
	if len(u) == 0 {
		return nil, nil
	}
	tokens, err := c.tokenStore()
	if err != nil {
		return nil, err
	}
	sy := &client.Syncer{Store: s, HTTP: &http.Client{}, URL: string(u), Tokens: tokens, Now: c.env.now}
	kr := c.encryption(s.Path()).Keyring
	sy.Wipe = func() error { return wipeLaptop(s, kr, tokens, string(u)) }
	return sy, nil
}

// syncUser returns s writing as the account the device is enrolled for:
// the server refuses ops authored by anyone else.
func syncUser(s *store.Store) *store.Store {
	if u, err := s.Meta(client.MetaUser); err == nil && len(u) > 0 && string(u) != s.Author() {
		return s.WithAuthor(string(u))
	}
	return s
}

// tuiSync is the app's background sync on s: a Syncer when a server is
// configured, else only the local footer. wiped is set when a sync wiped
// the laptop at the admin's order (wipeGuard).
func (c *cli) tuiSync(s *store.Store, wiped *atomic.Bool) tui.SyncOptions {
	sy, err := c.syncer(s)
	if err != nil || sy == nil {
		return tui.SyncOptions{}
	}
	a := tuiSyncer{sy, wiped, c.msgs()}
	return tui.SyncOptions{Syncer: a, Status: a, Refused: a}
}

// tuiSyncer adapts the sync client to the app's Syncer and
// SyncStatusReader.
type tuiSyncer struct {
	s     *client.Syncer
	wiped *atomic.Bool
	m     msgs // for the causes only the CLI knows (appCause)
}

// Sync implements tui.Syncer.
func (a tuiSyncer) Sync(ctx context.Context) (tui.SyncResult, error) {
	r, err := a.s.Sync(ctx)
	var ue *client.UntrustedError
	switch {
	case errors.Is(err, client.ErrWiped):
		a.wiped.Store(true)
		err = fmt.Errorf("%w: %w", tui.ErrSyncRevoked, err)
	case errors.As(err, &ue):
		kind := tui.ErrSyncUntrusted
		switch ue.Kind {
		case client.UntrustedIssuer:
			kind = tui.ErrSyncUntrustedIssuer
		case client.UntrustedName:
			kind = tui.ErrSyncUntrustedName
		case client.UntrustedExpired:
			kind = tui.ErrSyncUntrustedExpired
		}
		err = fmt.Errorf("%w: %w", kind, err)
	case errors.Is(err, client.ErrUnreachable):
		err = fmt.Errorf("%w: %w", tui.ErrSyncOffline, err)
	case errors.Is(err, client.ErrWipeOrdered):
		// Ordered, but the wipe failed: the data is still here.
		err = fmt.Errorf("%w: %w", tui.ErrSyncWipeFailed, err)
	case errors.Is(err, client.ErrRevoked):
		err = fmt.Errorf("%w: %w", tui.ErrSyncRevoked, err)
	case errors.Is(err, client.ErrDisabled):
		err = fmt.Errorf("%w: %w", tui.ErrSyncDisabled, err)
	case errors.Is(err, client.ErrUnauthorized), errors.Is(err, client.ErrNotEnrolled):
		err = fmt.Errorf("%w: %w", tui.ErrSyncNotEnrolled, err)
	case err != nil:
		err = a.m.appCause(err)
	}
	return tui.SyncResult{Pushed: r.Pushed, Pulled: r.Pulled, Refused: r.Refused, Dropped: r.Dropped, Erased: r.Erased, MethodChanged: r.MethodChanged}, err
}

// appCause is err for the app's sync line: wrapped in its Dutch when it
// is a cause only the CLI knows (a server that refuses a request with a
// 4xx, cliCause), as the app's texts.Cause does not know the server's
// answers.
func (m msgs) appCause(err error) error {
	if s := m.cliCause(err); s != "" {
		return causeErr{err: err, nl: s}
	}
	return err
}

// causeErr is an error with its cause in Dutch (texts.Localized).
type causeErr struct {
	err error
	nl  string
}

func (e causeErr) Error() string { return e.err.Error() }
func (e causeErr) Unwrap() error { return e.err }

// In is the error in lang: its own English, or its Dutch.
func (e causeErr) In(lang string) string {
	if lang == "en" {
		return e.err.Error()
	}
	return e.nl
}

// RefusedOps implements tui.RefusedReader.
func (a tuiSyncer) RefusedOps() ([]tui.RefusedOp, error) {
	list, err := client.Refused(a.s.Store)
	out := make([]tui.RefusedOp, 0, len(list))
	for _, r := range list {
		out = append(out, tui.RefusedOp{Dossier: r.Dossier, Field: r.Field, Code: r.Code, Reason: r.Reason, At: r.At})
	}
	return out, err
}

// ClearRefused implements tui.RefusedReader.
func (a tuiSyncer) ClearRefused() error { return client.ClearRefused(a.s.Store) }

// SyncStatus implements tui.SyncStatusReader.
func (a tuiSyncer) SyncStatus() (tui.SyncLocal, error) {
	st, err := client.LocalStatus(a.s.Store)
	return tui.SyncLocal{Waiting: st.Waiting, Refused: st.Refused, LastSync: st.LastSync, Teams: client.Teams(a.s.Store), ClockSkew: st.Skew}, err
}
