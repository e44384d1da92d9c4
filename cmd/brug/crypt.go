package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/sync/server/pgstore"
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
	bar := c.progressBar("crypt.encrypting")
	enc.Progress = func(done, total int) { bar(int64(done), int64(total)) }
	return enc
}

// progressBar draws a bar on standard error, labelled with the message
// key label, as done of total goes up: the encryption of a plain file,
// the upgrade of an older file's layout.
func (c *cli) progressBar(label string) func(done, total int64) {
	m := c.msgs()
	last := int64(-1)
	return func(done, total int64) {
		if total <= 0 {
			return
		}
		pct := min(done*100/total, 100)
		if pct == last {
			return
		}
		last = pct
		bar := strings.Repeat("#", int(pct/5)) + strings.Repeat(".", 20-int(pct/5))
		fmt.Fprintf(c.env.stderr, "\r%s [%s] %3d%%", m.f(label), bar, pct)
		if done >= total {
			fmt.Fprintln(c.env.stderr)
		}
	}
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
		if e := c.cryptFailed(path, first); e != nil && errors.Is(err, errNoTerminal) {
			return nil, e // no screen to ask on after all: say how to give it
		}
		return nil, c.tuiFailed(err)
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
		return userError{c.msgs().f("crypt.nokey", path) + c.msgs().detail(err.Error())}
	case errors.Is(err, store.ErrEncrypted):
		return c.fail("crypt.encrypted", path)
	case errors.Is(err, store.ErrNeedPassphrase):
		return c.fail("crypt.needenv", path)
	case errors.Is(err, store.ErrChoosePassphrase):
		return c.fail("crypt.choosenv", path)
	}
	return nil
}

// serverKeyFlags are where a server's keys are kept: --key-store and
// --master-key of brug serve and brug admin ("" for the defaults).
type serverKeyFlags struct {
	keyStore, masterKey string
	// store is --store of brug serve and brug admin: "" or "bolt" for the
	// --db file, or a PostgreSQL database (postgres://...).
	store string
}

// addStoreFlag adds --store to cmd (persistent: brug admin's subcommands
// take it too).
func addStoreFlag(cmd *cobra.Command, k *serverKeyFlags, persistent bool) {
	fs := cmd.Flags()
	if persistent {
		fs = cmd.PersistentFlags()
	}
	fs.StringVar(&k.store, "store", "", "where the region is kept: bolt (the --db file, the default) or a PostgreSQL database, postgres://USER@HOST/DATABASE")
}

// pgStore reports whether the region is kept in PostgreSQL (--store
// postgres://...); a --store that is neither that nor bolt is a usage
// error.
func (c *cli) pgStore() (bool, error) {
	switch s := c.srvKeys.store; {
	case s == "" || s == "bolt":
		return false, nil
	case pgstore.IsURL(s):
		return true, nil
	default:
		return false, usageError{errors.New(c.msgs().f("store.bad", s))}
	}
}

// pgEncryption is how a region in PostgreSQL keeps its keys: the key
// store is the database --key-store names (or the data database), and the
// master key the file --master-key or the systemd credential
// brug-master-key; there is no default file beside a database.
func (c *cli) pgEncryption() (*store.Encryption, error) {
	ks := c.srvKeys.keyStore
	if ks != "" && !pgstore.IsURL(ks) {
		return nil, usageError{errors.New(c.msgs().f("store.keystore", ks))}
	}
	master := c.srvKeys.masterKey
	if master == "" {
		if dir := c.env.getenv("CREDENTIALS_DIRECTORY"); dir != "" {
			if _, err := os.Stat(filepath.Join(dir, "brug-master-key")); err == nil {
				master = filepath.Join(dir, "brug-master-key")
			}
		}
	}
	if master == "" {
		return nil, usageError{errors.New(c.msgs().f("store.masterkey"))}
	}
	if c.env.goos != "windows" {
		if fi, err := os.Stat(master); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, c.fail("serve.masterkeyperm", master, master)
		}
	}
	return &store.Encryption{Keyring: store.KeyFile{Name: master}, KeyStore: ks}, nil
}

// addServerKeyFlags adds --key-store and --master-key to cmd (persistent:
// brug admin's subcommands take them too).
func addServerKeyFlags(cmd *cobra.Command, k *serverKeyFlags, persistent bool) {
	fs := cmd.Flags()
	if persistent {
		fs = cmd.PersistentFlags()
	}
	fs.StringVar(&k.keyStore, "key-store", "", "the key store that holds the dossiers' keys, kept apart from the data file (default FILE.keys)")
	fs.StringVar(&k.masterKey, "master-key", "", "the master key file, readable by its owner only (default: the systemd credential brug-master-key, else FILE.master-key)")
}

// serverEncryption is how a server's file is encrypted with the default
// places of its keys (see serverEncryptionAt), for callers that open a
// server file the CLI made (tests); nil when its master key is refused.
func serverEncryption(path string, getenv func(string) string) *store.Encryption {
	enc, _ := serverEncryptionAt(path, serverKeyFlags{}, getenv, runtime.GOOS)
	return enc
}

// serverEncryption is how the server's file at path is encrypted, with
// the keys where --key-store and --master-key say.
func (c *cli) serverEncryption(path string) (*store.Encryption, error) {
	enc, err := serverEncryptionAt(path, c.srvKeys, c.env.getenv, c.env.goos)
	if err != nil {
		var open *masterKeyOpenError
		if errors.As(err, &open) {
			return nil, c.fail("serve.masterkeyperm", open.path, open.path)
		}
		return nil, err
	}
	return enc, nil
}

// masterKeyOpenError: the master key file can be read by others.
type masterKeyOpenError struct{ path string }

func (e *masterKeyOpenError) Error() string {
	return "the master key file " + e.path + " can be read by others"
}

// serverEncryptionAt is how a server's file is encrypted: the dossiers'
// keys in a key store apart from the data file (k.keyStore, else
// PATH.keys), wrapped by the file key, which a master key wraps: the file
// k.masterKey, else the systemd credential brug-master-key when there is
// one, else the file PATH.master-key (0600, made on first open). A master
// key file that others can read is refused (not on Windows, which has no
// such mode bits).
func serverEncryptionAt(path string, k serverKeyFlags, getenv func(string) string, goos string) (*store.Encryption, error) {
	master := k.masterKey
	if master == "" {
		master = path + ".master-key"
		if dir := getenv("CREDENTIALS_DIRECTORY"); dir != "" {
			if _, err := os.Stat(filepath.Join(dir, "brug-master-key")); err == nil {
				master = filepath.Join(dir, "brug-master-key")
			}
		}
	}
	keyStore := k.keyStore
	if keyStore == "" {
		keyStore = path + ".keys"
	}
	if goos != "windows" {
		// Whoever reads the master key and a copy of the data file and key
		// store (a backup) reads every dossier in them: keep it the
		// owner's, as ssh does with private keys.
		if fi, err := os.Stat(master); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, &masterKeyOpenError{path: master}
		}
	}
	return &store.Encryption{Keyring: store.KeyFile{Name: master}, KeyStore: keyStore, SealedBuckets: server.SealedBuckets, DossierBuckets: server.DossierBuckets}, nil
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
			if errors.Is(err, errNoTerminal) {
				return c.fail("crypt.newenv")
			}
			return c.tuiFailed(err)
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
