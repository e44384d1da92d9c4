package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/tui/unlock"
)

// encryption is how this run encrypts a laptop's file: the key in the
// OS keyring, or (BRUG_KEYRING=off, or no keyring) a passphrase from
// BRUG_PASSPHRASE or the unlock screen. A demo file keeps its key in a
// file beside it (demoKeyFile).
func (c *cli) encryption(path string) *store.Encryption {
	var kr store.Keyring = store.OSKeyring{}
	if c.env.keyring != nil {
		kr = c.env.keyring()
	}
	if strings.EqualFold(c.env.getenv("BRUG_KEYRING"), "off") {
		kr = nil
	}
	// A demo file, made now or by an earlier brug demo and opened with
	// --db: its key is in the file beside it.
	if _, err := os.Stat(demoKeyFile(path)); err == nil || c.demoKey == path {
		kr = store.KeyFile{Name: demoKeyFile(path)}
	}
	enc := &store.Encryption{Keyring: kr, Passphrase: []byte(c.env.getenv("BRUG_PASSPHRASE"))}
	m := c.msgs()
	last := -1
	enc.Progress = func(done, total int) {
		if total <= 0 {
			return
		}
		pct := done * 100 / total
		if pct == last {
			return
		}
		last = pct
		bar := strings.Repeat("#", pct/5) + strings.Repeat(".", 20-pct/5)
		fmt.Fprintf(c.env.stderr, "\r%s [%s] %3d%%", m.f("crypt.encrypting"), bar, pct)
		if done >= total {
			fmt.Fprintln(c.env.stderr)
		}
	}
	return enc
}

// demoKeyFile is where a demo file's key is kept: beside the file, mode
// 0600. The demo asks nothing and leaves nothing in the keyring; its data
// is made up, and the key goes when the demo file is deleted with it.
func demoKeyFile(path string) string { return path + ".key" }

// needsPassphrase reports whether err means the file waits for a
// passphrase (to unlock it, or to lock it with a new one).
func needsPassphrase(err error) bool {
	return errors.Is(err, store.ErrNeedPassphrase) || errors.Is(err, store.ErrChoosePassphrase) || errors.Is(err, store.ErrWrongPassphrase)
}

// unlockStore opens path after asking the passphrase on the unlock screen,
// as often as it takes; without a terminal it says how to give one.
func (c *cli) unlockStore(path string, opt store.Options, first error) (*store.Store, error) {
	if !c.interactive() {
		if errors.Is(first, store.ErrWrongPassphrase) {
			return nil, c.fail("crypt.wrongenv", path)
		}
		if errors.Is(first, store.ErrChoosePassphrase) {
			return nil, c.fail("crypt.choosenv", path)
		}
		return nil, c.fail("crypt.needenv", path)
	}
	mode := unlock.Unlock
	if errors.Is(first, store.ErrChoosePassphrase) {
		mode = unlock.Choose
	}
	var got *store.Store
	try := func(pass []byte) error {
		o := opt
		e := *opt.Encryption
		e.Passphrase = pass
		o.Encryption = &e
		s, err := store.Open(path, o)
		if errors.Is(err, store.ErrWrongPassphrase) {
			return unlock.ErrWrong
		}
		if err != nil {
			return err
		}
		got = s
		opt.Encryption.Passphrase = pass // for the opens that follow in this run
		return nil
	}
	var res unlock.Result
	if err := c.env.runTUI(unlock.New(mode, c.language(), path, try, &res)); err != nil {
		if got != nil {
			got.Close()
		}
		return nil, c.fail("tui.failed", err)
	}
	if got != nil {
		return got, nil
	}
	if res.Err != nil {
		return nil, c.openFailed(path, res.Err)
	}
	return nil, c.fail("crypt.cancelled")
}

// cryptFailed says what to do about the errors of encryption at rest; nil
// for any other error.
func (c *cli) cryptFailed(path string, err error) error {
	switch {
	case errors.Is(err, store.ErrWrongPassphrase):
		return c.fail("crypt.wrong", path)
	case errors.Is(err, store.ErrNoKey):
		return userError{c.msgs().f("crypt.nokey", path) + "\n" + c.msgs().f("detail", err)}
	case errors.Is(err, store.ErrEncrypted):
		return c.fail("crypt.encrypted", path)
	case errors.Is(err, store.ErrNeedPassphrase):
		return c.fail("crypt.needenv", path)
	case errors.Is(err, store.ErrChoosePassphrase):
		return c.fail("crypt.choosenv", path)
	}
	return nil
}

// serverEncryption is how a server's file is encrypted: the dossiers' keys
// in a key store beside the data file (PATH.keys), wrapped by the file key,
// which a master key wraps: the systemd credential brug-master-key when
// there is one, else the file PATH.master-key (0600, made on first open).
func serverEncryption(path string, getenv func(string) string) *store.Encryption {
	master := path + ".master-key"
	if dir := getenv("CREDENTIALS_DIRECTORY"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "brug-master-key")); err == nil {
			master = filepath.Join(dir, "brug-master-key")
		}
	}
	return &store.Encryption{Keyring: store.KeyFile{Name: master}, KeyStore: path + ".keys", SealedBuckets: server.SealedBuckets}
}

type passphraseFlags struct {
	keyring bool
}

func newPassphraseCmd(c *cli) *cobra.Command {
	var f passphraseFlags
	cmd := &cobra.Command{
		Use:   "passphrase",
		Short: "Change the passphrase of this laptop's encrypted file, or keep its key in the keyring instead",
		Long: `Change the passphrase that locks this laptop's file (brug asks the new one
twice; without a terminal it takes BRUG_NEW_PASSPHRASE). A file whose key is
in the computer's keyring gets a passphrase instead. With --keyring, the key
moves from the passphrase to the computer's keyring.

Who forgets the passphrase cannot open the file any more: what was synced is
on the server, what was not is lost.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error { return c.runPassphrase(f) },
	}
	cmd.Flags().BoolVar(&f.keyring, "keyring", false, "keep the key in the computer's keyring instead of a passphrase")
	return cmd
}

func (c *cli) runPassphrase(f passphraseFlags) (err error) {
	s, _, err := c.openUserStore()
	if err != nil {
		return err
	}
	defer c.closeStore(s, &err)
	enc := c.encryption(s.Path())
	if f.keyring {
		if enc.Keyring == nil {
			return c.fail("crypt.nokeyring", errors.New("BRUG_KEYRING=off"))
		}
		if err := s.SetPassphrase(store.Encryption{Keyring: enc.Keyring}); err != nil {
			return c.fail("crypt.nokeyring", err)
		}
		fmt.Fprintln(c.env.stdout, c.msgs().f("crypt.tokeyring"))
		return nil
	}
	// The keyring too, so that a key kept there is deleted from it.
	set := func(pass []byte) error {
		return s.SetPassphrase(store.Encryption{Passphrase: pass, Keyring: enc.Keyring})
	}
	if p := c.env.getenv("BRUG_NEW_PASSPHRASE"); p != "" {
		if len([]rune(p)) < unlock.MinLength {
			return c.fail("crypt.short", unlock.MinLength)
		}
		if err := set([]byte(p)); err != nil {
			return c.fail("crypt.setfailed", err)
		}
	} else {
		if !c.interactive() {
			return c.fail("crypt.newenv")
		}
		var res unlock.Result
		if err := c.env.runTUI(unlock.New(unlock.Choose, c.language(), s.Path(), set, &res)); err != nil {
			return c.fail("tui.failed", err)
		}
		if res.Err != nil {
			return c.fail("crypt.setfailed", res.Err)
		}
		if !res.OK {
			return c.fail("crypt.cancelled")
		}
	}
	fmt.Fprintln(c.env.stdout, c.msgs().f("crypt.changed"))
	return nil
}
