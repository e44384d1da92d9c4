package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/export"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/client"
)

// exportFlags are the export command's own flags.
type exportFlags struct {
	format string
	out    string
}

func newExportCmd(c *cli) *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export CLIENT",
		Short: "Write everything kept about one client to a file",
		Long: `Write everything brug keeps about one client: the dossier as it is now and
every change ever made to it, by whom and when. This is what a person is
entitled to see under the AVG (GDPR).

CLIENT is the client's id or (part of) their name; when more than one client
matches, brug lists them with their ids.

--format md writes a readable document in the language of --lang (steps with
checklist ticks, answers and notes, agreements, network, journal, route,
indications, arrangements, conflicts, and an appendix with every change).
--format json writes the complete record for programs:
  {"client": {...}, "ops": [...], "method": {"id": ..., "version": ...},
   "exported_at": "..."}

Without --out the export goes to standard output. With --out FILE it is
written to a temporary file next to FILE and renamed into place, readable
by you only (mode 0600), so a half-written export never exists.
The brug file is opened read-only.`,
		Example: `  brug export "Noor Hazelhoef" --out noor.md
  brug export 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --format json --out dossier.json
  brug export Noor --lang en | less`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.format != "md" && f.format != "json" {
				return usageError{errors.New(c.msgs().f("export.format", f.format))}
			}
			return c.runExport(args[0], f)
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	cmd.Flags().StringVar(&f.format, "format", "md", "md (a readable document) or json (the complete record)")
	cmd.Flags().StringVarP(&f.out, "out", "o", "", "write to this file instead of standard output")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"md", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// runExport finds the client and writes the export.
func (c *cli) runExport(query string, f exportFlags) (err error) {
	// The app open on the file answers for it (live.go).
	if ok, err := c.exportLive(query, f); ok {
		return err
	}
	// The server's file holds the full history: export.serverfile says
	// how to export from it.
	s, id, cl, err := c.openClient(query, "export.serverfile")
	if err != nil {
		return err
	}
	defer c.closeStore(s, &err)
	ops, err := s.Ops(id)
	if err != nil {
		return c.readFailed(s, "export.read", err)
	}
	if err := c.logRead(s, id, store.ReadExport); err != nil {
		return err
	}
	// Who read the dossier on this laptop (this export too): the
	// person's right to know; reads sent to the server are in its audit log.
	reads, err := s.ReadsOf(id)
	if err != nil {
		return c.readFailed(s, "export.read", err)
	}
	if reads == nil {
		reads = []store.ReadEntry{}
	}
	return c.writeExport(cl, ops, reads, s.Method(), c.env.now(), f)
}

// writeExport renders a dossier as f asks and writes it to standard output
// or, atomically and readable by the user only, to f.out: the one export
// writer of `brug export` on a laptop and `brug admin export` on a server.
func (c *cli) writeExport(cl *store.Client, ops []store.Op, reads []store.ReadEntry, meth *method.Method, at time.Time, f exportFlags) (err error) {
	var data []byte
	spin := c.progress(c.msgs().f("progress.export"))
	spin.Spin()
	if f.format == "json" {
		data, err = export.JSONWithReads(cl, ops, meth, at, reads)
	} else {
		data = []byte(export.MarkdownWithReads(cl, ops, meth, c.language(), reads))
	}
	spin.Done()
	if err != nil {
		return c.fail("export.read", err)
	}
	return c.writeExportData(data, cl.Name.Value, len(ops), f)
}

// writeExportData writes a rendered export of the client name with ops
// changes to standard output or, atomically, to f.out.
func (c *cli) writeExportData(data []byte, name string, ops int, f exportFlags) error {
	if f.out == "" {
		_, err := c.env.stdout.Write(data)
		return err
	}
	example := "dossier.md"
	if f.format == "json" {
		example = "dossier.json"
	}
	if err := c.checkOut(f.out, example); err != nil {
		return err
	}
	if err := writeFileAtomic(f.out, data, 0o600); err != nil {
		return c.fail("export.writefailed", f.out, err)
	}
	fmt.Fprintln(c.env.stderr, c.msgs().f("export.written", esc(name), c.msgs().n("count.changes", ops), f.out))
	return nil
}

// findClient resolves an id or name; when several clients match, the
// message lists them with their ids so the user can pick one.
func (c *cli) findClient(s *store.Store, query string) (string, error) {
	id, err := s.FindClient(query)
	var amb *store.AmbiguousError
	switch {
	case err == nil:
		return id, nil
	case errors.Is(err, store.ErrNotFound), errors.As(err, &amb):
		return "", c.findFailed(query, err)
	}
	return "", c.readFailed(s, "export.read", err)
}

// findFailed says that query names no client (store.ErrNotFound) or
// several (a *store.AmbiguousError, listed with their ids).
func (c *cli) findFailed(query string, err error) error {
	var amb *store.AmbiguousError
	if !errors.As(err, &amb) {
		return c.fail("export.notfound", query)
	}
	cands := slices.Clone(amb.Candidates)
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].Name != cands[j].Name {
			return cands[i].Name < cands[j].Name
		}
		return cands[i].ID < cands[j].ID
	})
	const show = 20
	var b strings.Builder
	b.WriteString(c.msgs().f("export.ambiguous", query))
	for i, sm := range cands {
		if i == show {
			b.WriteString("\n" + c.msgs().f("export.more", c.msgs().num(len(cands)-show)))
			break
		}
		fmt.Fprintf(&b, "\n  %s  %s", sm.ID, sm.Name)
		if sm.Team != "" {
			fmt.Fprintf(&b, "  (%s)", sm.Team)
		}
	}
	return userError{b.String()}
}

// checkOut refuses an --out that names a folder (a rename onto it fails
// with "file exists", which says nothing of the mistake) or one of brug's
// own files (store.Precious). example is a file name to suggest in the
// folder.
func (c *cli) checkOut(out, example string) error {
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return c.fail("out.folder", out, filepath.Join(out, example))
	}
	if store.Precious(out) {
		return c.fail("out.precious", out)
	}
	return nil
}

// writeFileAtomic writes data to a new temporary file in path's folder,
// flushes it to disk and renames it over path: readers see the old file or
// the whole new one, never half of it.
func writeFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if runtime.GOOS != "windows" { // Windows has only a read-only bit
		if err = tmp.Chmod(perm); err != nil {
			return err
		}
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if runtime.GOOS != "windows" {
		// Make the rename itself durable; a failure here loses nothing
		// that is not already on disk in the file.
		if d, derr := os.Open(dir); derr == nil {
			_ = d.Sync()
			_ = d.Close()
		}
	}
	return nil
}

// openReadOnly opens the user's file (--db, BRUG_DB or the default) for
// reading only, for commands that print from it (export, report).
func (c *cli) openReadOnly() (*store.Store, error) {
	path, err := c.dbPath()
	if err != nil {
		return nil, err
	}
	meth, err := c.loadMethod()
	if err != nil {
		return nil, err
	}
	opt := c.openOpts(meth)
	opt.ReadOnly = true
	opt.Encryption = c.encryption(path)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, c.fail("open.missing", path)
	}
	s, err := store.Open(path, opt)
	if needsPassphrase(err) {
		if s, err = c.unlockStore(path, opt, err); err != nil {
			return nil, err
		}
	}
	if errors.Is(err, store.ErrUpgrade) {
		// A file an older brug wrote: upgrade it (an open that may
		// write, which fails with a clear message while the app has it)
		// and read from that.
		opt.ReadOnly = false
		return c.openStore(path, opt)
	}
	if errors.Is(err, store.ErrWrongKind) {
		return nil, serverFileError{path: path, err: c.openFailed(path, err)}
	}
	if err != nil {
		return nil, c.openFailed(path, err)
	}
	if c.g.method != "" {
		return s, nil
	}
	// No --method: read with the method the region's server sent, as the
	// app does (openUserStore), so an export or a report words the
	// region's steps as the coach sees them.
	sm, err := client.StoredMethod(s)
	if err != nil || sm == nil {
		if err != nil {
			fmt.Fprintln(c.env.stderr, c.msgs().f("method.storedbroken", err))
		}
		return s, nil
	}
	if err := s.Close(); err != nil {
		return nil, c.fail("close.failed", path, err)
	}
	opt.Method = sm
	if s, err = store.Open(path, opt); err != nil {
		return nil, c.openFailed(path, err)
	}
	return s, nil
}

// serverFileError is a server's file given to a command that reads a
// laptop's; err is the message for it, path the file.
type serverFileError struct {
	path string
	err  error
}

func (e serverFileError) Error() string { return e.err.Error() }

// logRead records a read of dossier id by this command in the laptop's
// read log (store.LogRead; a read-only open leaves it beside the file for
// the app to take in). The read is refused when it cannot be logged.
func (c *cli) logRead(s *store.Store, id, action string) error {
	if err := s.LogRead(store.ReadEntry{Dossier: id, Action: action, Channel: store.ChannelCLI}); err != nil {
		return c.readFailed(s, "export.read", err)
	}
	return nil
}

// openClient opens the laptop's file read-only and reads the client query
// names, as export and plan do; serverKey is the message that tells how
// to do it on a server's file instead. The caller closes s.
func (c *cli) openClient(query, serverKey string) (*store.Store, string, *store.Client, error) {
	s, err := c.openReadOnly()
	var sf serverFileError
	if errors.As(err, &sf) {
		return nil, "", nil, c.fail(serverKey, sf.path)
	}
	if err != nil {
		return nil, "", nil, err
	}
	id, err := c.findClient(s, query)
	var cl *store.Client
	if err == nil {
		if cl, err = s.Client(id); err != nil {
			err = c.readFailed(s, "export.read", err)
		}
	}
	if err != nil {
		c.closeStore(s, &err)
		return nil, "", nil, err
	}
	return s, id, cl, nil
}
