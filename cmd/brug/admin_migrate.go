package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/sync/server/migrate"
	"github.com/brug-nl/brug/sync/server/pgstore"
)

func newAdminMigrateCmd(c *cli) *cobra.Command {
	var from, to, fromKeys, fromMaster string
	var batch int
	cmd := &cobra.Command{
		Use:   "migrate --from FILE --to postgres://...",
		Short: "Copy a region from its bbolt file to PostgreSQL, verify the copy, and run again safely",
		Long: `Copy everything of the region in the server's file FILE to a PostgreSQL
database: ops with their sequence numbers (devices' cursors stay valid),
accounts, devices and their tokens, enrolment codes, SSH keys, the team and
share indexes, device views, the audit log with its hash chain, refusals,
drafts, erasures and receipts, settings, epochs and organisations. Each
dossier's content is sealed again with a key of the PostgreSQL key store
(--key-store, else the same database), wrapped by its master key
(--master-key or the systemd credential brug-master-key); erased dossiers
come over as erased, without content or key.

FILE is only read. Stop brug serve first: a file it holds is refused. The
file's own keys are where brug serve finds them (FILE.keys and
FILE.master-key), or give --from-key-store and --from-master-key.

The copy is verified record kind by record kind (count and digest, every
op read back with its key) and the result is printed. Running it again is
safe: a complete copy is left as it is, a copy that was cut off is
completed, a database holding another region (or a copy served since)
is refused. Then start brug serve --store postgres://... (docs/postgres.md).`,
		Example: `  brug admin migrate --from /var/lib/brug/region.db \
      --to postgres://brug@db.example/brug_region \
      --key-store postgres://brugkeys@keys.example/brug_region_keys \
      --master-key /etc/brug/pg-master.key`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runMigrate(from, to, fromKeys, fromMaster, batch)
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "the region's bbolt file (the --db of brug serve)")
	f.StringVar(&to, "to", "", "the PostgreSQL database to copy it to, postgres://USER@HOST/DATABASE")
	f.StringVar(&fromKeys, "from-key-store", "", "the key store of FILE (default FILE.keys)")
	f.StringVar(&fromMaster, "from-master-key", "", "the master key of FILE (default FILE.master-key)")
	f.IntVar(&batch, "batch", 5000, "about how many records one transaction of the copy writes")
	return cmd
}

func (c *cli) runMigrate(from, to, fromKeys, fromMaster string, batch int) error {
	m := c.msgs()
	switch {
	case from == "" || to == "":
		return usageError{errors.New(m.f("migrate.usage"))}
	case pgstore.IsURL(from):
		return usageError{errors.New(m.f("migrate.fromurl", pgstore.Redact(from)))}
	case !pgstore.IsURL(to):
		return usageError{errors.New(m.f("migrate.tourl", to))}
	case batch < 1:
		return usageError{errors.New(m.f("migrate.batch"))}
	}
	if _, err := os.Stat(from); errors.Is(err, fs.ErrNotExist) {
		return c.fail("migrate.nofile", from)
	}
	srcEnc, err := serverEncryptionAt(from, serverKeyFlags{keyStore: fromKeys, masterKey: fromMaster}, c.env.getenv, c.env.goos)
	if err != nil {
		var open *masterKeyOpenError
		if errors.As(err, &open) {
			return c.fail("serve.masterkeyperm", open.path, open.path)
		}
		return err
	}
	if _, err := os.Stat(srcEnc.KeyStore); err == nil {
		if kf, ok := srcEnc.Keyring.(store.KeyFile); ok {
			if _, err := os.Stat(kf.Name); err != nil {
				return c.fail("migrate.nomaster", from, kf.Name)
			}
		}
	} else {
		srcEnc = nil // a file without a key store: not encrypted
	}
	dstEnc, err := c.pgEncryption()
	if err != nil {
		return err
	}
	src, err := server.OpenSource(from, srcEnc)
	if err != nil {
		return c.openServerError(from, err)
	}
	defer src.Close()
	dst, err := server.OpenTarget(to, dstEnc.KeyStore, dstEnc)
	if err != nil {
		var foreign *server.ForeignDBError
		if errors.As(err, &foreign) {
			return c.fail("migrate.foreign", foreign.URL, len(foreign.Tables), foreign.Tables[0])
		}
		return c.fail("open.other", pgstore.Redact(to), err)
	}
	defer dst.Close()
	fmt.Fprintln(c.env.stderr, m.f("migrate.start", from, pgstore.Redact(to)))
	var last time.Time
	lastStage := ""
	rep, err := migrate.Migrate(src, dst, migrate.Options{Batch: batch, Progress: func(stage string, done, total int) {
		// A line per stage, and for a big region one every few seconds.
		if stage == lastStage && time.Since(last) < 3*time.Second && done != total {
			return
		}
		last, lastStage = time.Now(), stage
		if total > 0 {
			fmt.Fprintln(c.env.stderr, m.f("migrate.progress", m.f("migrate.kind."+stage), m.num(done), m.num(total)))
		} else {
			fmt.Fprintln(c.env.stderr, m.f("migrate.progress1", m.f("migrate.kind."+stage), m.num(done)))
		}
	}})
	if len(rep.Kinds) > 0 {
		tw := table(c.env.stdout, m.f("migrate.cols"))
		for _, k := range rep.Kinds {
			same := m.f("migrate.same")
			if !k.Same() {
				same = m.f("migrate.differs")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.f("migrate.kind."+k.Name), m.num(k.Source), m.num(k.Target), k.TargetDigest[:12], same)
		}
		tw.Flush()
	}
	switch {
	case errors.Is(err, migrate.ErrOtherRegion):
		return c.fail("migrate.other", pgstore.Redact(to), err)
	case errors.Is(err, migrate.ErrServedSince):
		return c.fail("migrate.served", pgstore.Redact(to))
	case errors.Is(err, migrate.ErrMismatch):
		return c.fail("migrate.mismatch", err)
	case err != nil:
		return c.fail("migrate.failed", err)
	case rep.AlreadyComplete:
		fmt.Fprintln(c.env.stdout, m.f("migrate.already"))
	case rep.Resumed:
		fmt.Fprintln(c.env.stdout, m.f("migrate.resumed", m.num(rep.NewOps)))
	default:
		fmt.Fprintln(c.env.stdout, m.f("migrate.done", m.num(rep.NewOps)))
	}
	return nil
}
