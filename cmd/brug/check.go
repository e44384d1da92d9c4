package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
)

func newCheckCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check a brug file for damage, without changing it",
		Long: `Check the brug file (--db, BRUG_DB or your own; a laptop's or a server's)
for damage, without writing to it: every page is read, bbolt's consistency
check runs, brug's buckets and schema are checked, every change in the log
is decoded, and the dossiers as kept are compared with the dossiers rebuilt
from the log (on a private temporary copy, removed afterwards).

Exit code 0: the file is sound. 1: the file is damaged, or could not be
read (the message says which and what to do).

A server's file is checked with its key store and master key: --key-store
and --master-key, or brug serve's (BRUG_SERVE_KEY_STORE, the serve section
of the config file), else the defaults beside the file.`,
		Example: `  brug check
  brug check --db ~/backup/brug.db
  brug check --db /var/lib/brug/regio.db`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runCheck()
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	addServerKeyFlags(cmd, &c.srvKeys, false)
	return cmd
}

// runCheck verifies the file and says what it found.
func (c *cli) runCheck() error {
	path, err := c.dbPath()
	if err != nil {
		return err
	}
	meth, err := c.loadMethod()
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return c.fail("open.missing", path)
	}
	m := c.msgs()
	opt := store.Options{Method: meth, Encryption: c.encryption(path)}
	if store.PeekKind(path) == store.FileServer {
		if opt.Encryption, err = c.serverEncryption(path); err != nil {
			return err
		}
	}
	rep, err := store.Verify(path, opt)
	if needsPassphrase(err) {
		opt.ReadOnly = true
		s, uerr := c.unlockStore(path, opt, err)
		if uerr != nil {
			return uerr
		}
		if err := s.Close(); err != nil {
			return c.fail("close.failed", path, err)
		}
		rep, err = store.Verify(path, opt) // with the passphrase now given
	}
	switch {
	case errors.Is(err, store.ErrDamaged):
		return userError{m.f("check.damaged", path) + m.found([]string{damageDetail(err)}) + "\n" + m.f("check.advice")}
	case errors.Is(err, store.ErrUpgrade):
		return c.fail("check.upgrade", path)
	case err != nil:
		return c.openFailed(path, err)
	}
	if len(rep.Problems) > 0 {
		return userError{m.f("check.damaged", path) + m.found(rep.Problems) + "\n" + m.f("check.advice")}
	}
	kind := m.f("check.kind." + string(rep.Kind))
	fmt.Fprintln(c.env.stdout, m.f("check.ok", path, kind, m.num(rep.Dossiers), m.num(rep.Ops), rep.Schema))
	return nil
}
