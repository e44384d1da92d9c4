package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/tui"
	"github.com/brug-nl/brug/tui/texts"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// env is everything the commands take from the world outside: streams,
// environment, clock, OS facts and how to run the terminal app. main fills
// it with the real things; tests fill it with fakes.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader // nil means os.Stdin
	getenv         func(string) string
	goos           string
	home           func() (string, error)
	osUser         func() string
	now            func() time.Time
	tempDir        string // where `brug demo` puts its file; "" means os.TempDir()
	runTUI         func(m tea.Model) error
	build          buildInfo
	// tokens opens the store of device tokens (login, sync); nil means the
	// OS keyring with a file fallback. Tests give a client.MemoryStore or
	// a FileStore in a temporary folder.
	tokens func() (client.TokenStore, error)
	// interactive reports whether a question can be asked on stdin (a
	// terminal); nil means no.
	interactive func() bool
	// keyring keeps the key of the laptop's file; nil means the OS
	// keyring (crypt.go).
	keyring func() store.Keyring
	// setGC applies serve's collector settings (serve_gc.go) to the
	// process; nil leaves them alone (tests, which share one process).
	setGC func(gcSettings)
}

// globals holds the root's persistent flags after parsing, shared by the
// subcommands.
type globals struct {
	db     string
	lang   string
	method string
	config string // --config: the configuration file (config.go)
}

// cli is one run of the command tree: its environment and its flags.
type cli struct {
	env env
	g   globals
	// via, when set, is the admin backend of an admin's SSH session: admin
	// commands run on it instead of opening a file (ssh.go).
	via *server.Admin
	// reporter, when set, counts `brug report` instead of a file: a
	// coordinator's SSH session on the running server (ssh.go).
	reporter flowReporter
	// demoKey, when set, is the demo's file: its key is kept in a file
	// beside it (crypt.go).
	demoKey string
	// srvKeys are where a server's keys are (--key-store, --master-key of
	// brug serve and brug admin; crypt.go).
	srvKeys serverKeyFlags
}

// flowReporter counts a flow report: a store, or a server session that
// limits it to the user's teams.
type flowReporter interface {
	FlowReport(store.FlowQuery) (store.FlowReport, error)
}

// language is the chosen language: --lang, else the locale.
func (c *cli) language() string { return texts.LangFromEnv(c.g.lang) }

func (c *cli) msgs() msgs {
	m := newMsgs(c.language())
	m.details = c.details()
	return m
}

// details reports whether the user asked for the English details of
// errors brug cannot say in Dutch (BRUG_DETAILS=1).
func (c *cli) details() bool {
	if c.env.getenv == nil {
		return false
	}
	v := c.env.getenv("BRUG_DETAILS")
	return v != "" && v != "0"
}

// usageError marks an error in how a command was called (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// userError is a message already written for the user, in their language
// (exit code 1).
type userError struct{ msg string }

func (e userError) Error() string { return e.msg }

func (c *cli) fail(key string, args ...any) error { return userError{c.msgs().f(key, args...)} }

// errNoTerminal is what runTUI returns when there is no terminal to draw on
// (stdin redirected and no /dev/tty, as under cron or a pipe).
var errNoTerminal = errors.New("no terminal")

// tuiFailed reports an error of the terminal app in the user's language.
func (c *cli) tuiFailed(err error) error {
	if errors.Is(err, errNoTerminal) {
		return c.fail("tui.noterminal")
	}
	return c.fail("tui.failed", err)
}

// usageArgs wraps a cobra argument check so that its error counts as a
// usage error.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// newRootCmd builds the whole command tree for one run.
func newRootCmd(c *cli) *cobra.Command {
	root := &cobra.Command{
		Use:   "brug",
		Short: "Guide people from day activities to work, step by step",
		Long: `brug is an offline-first terminal app for job coaches, neighbourhood teams
and coordinators who guide people from day activities (dagbesteding) to
work through the six steps of "Bruggen naar werk".

Run without a command, brug opens the app on your own brug file. Everything
you change is kept in that one file and works without a network.

Where the file lives (first that applies):
  --db FILE             this file
  BRUG_DB               the file named in this environment variable
  Linux                 $XDG_DATA_HOME/brug/brug.db or ~/.local/share/brug/brug.db
  macOS                 ~/Library/Application Support/brug/brug.db
  Windows               %LOCALAPPDATA%\brug\brug.db

Changes are recorded under the name in BRUG_USER, else your login name.
The app speaks Dutch unless --lang en is given or the locale is English.

Every flag can also be set in a configuration file (YAML: --config FILE,
BRUG_CONFIG, else brug/brug.yaml in your config folder) or by an
environment variable (BRUG_METHOD for --method; BRUG_SERVE_PUBLIC_URL for
serve's --public-url; docs/cli.md lists them); the flag wins over the
variable, the variable over the file.`,
		Example: `  brug                       open the app on your own file
  brug --db team.db          open the app on another file
  brug demo                  try brug on a generated demo region
  brug export "Noor" --out noor.md
  brug --lang en             use the app in English`,
		Args:          usageArgs(cobra.NoArgs),
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       c.env.build.short(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runApp()
		},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := c.applyConfig(cmd.Root(), cmd); err != nil {
				return err
			}
			switch c.g.lang {
			case "", "nl", "en":
				return nil
			}
			bad := c.g.lang
			c.g.lang = "" // report in the locale's language
			return usageError{errors.New(c.msgs().f("lang.bad", bad))}
		},
	}
	root.SetOut(c.env.stdout)
	root.SetErr(c.env.stderr)
	root.SetVersionTemplate("brug {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&c.g.db, "db", "", "the brug file to use (default: $BRUG_DB, else the per-user data folder)")
	pf.StringVar(&c.g.lang, "lang", "", "language of the app and messages: nl or en (default: from the locale, else nl)")
	pf.StringVar(&c.g.method, "method", "", "a method file (YAML) to use instead of the built-in six steps")
	pf.StringVar(&c.g.config, "config", "", "a configuration file (YAML; default: $BRUG_CONFIG, else brug.yaml in the per-user config folder)")
	_ = root.RegisterFlagCompletionFunc("lang", cobra.FixedCompletions([]string{"nl", "en"}, cobra.ShellCompDirectiveNoFileComp))
	_ = root.MarkPersistentFlagFilename("db", "db")
	_ = root.MarkPersistentFlagFilename("method", "yaml", "yml")
	_ = root.MarkPersistentFlagFilename("config", "yaml", "yml")

	root.AddCommand(newDemoCmd(c), newExportCmd(c), newVersionCmd(c), newCloseCmd(c))
	root.AddCommand(newReportCmd(c), newCheckCmd(c), newPlanCmd(c))
	root.AddCommand(newServeCmd(c), newAdminCmd(c))
	root.AddCommand(newLoginCmd(c), newSyncCmd(c), newPassphraseCmd(c))
	root.AddCommand(newImportCmd(c), newDuplicatesCmd(c))
	installHelp(c, root)
	return root
}

// run executes the command tree on args and returns the exit code.
func run(args []string, e env) int { return runContext(context.Background(), args, e) }

// runContext is run with a context whose end stops long-running commands
// (brug serve) as SIGINT does.
func runContext(ctx context.Context, args []string, e env) int {
	c := &cli{env: e}
	root := newRootCmd(c)
	if completionArgs(args) {
		c.g.lang = langArg(args)
		if c.helpLang() == "nl" {
			dutchCompletions(root)
		}
		c.g.lang = ""
	}
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ue usageError
	if !errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "brug: %v\n", err)
		return exitError
	}
	fmt.Fprintf(e.stderr, "brug: %s\n", c.msgs().usageText(err))
	path := "brug"
	if cmd, _, ferr := root.Find(args); ferr == nil && cmd != nil {
		path = cmd.CommandPath()
	}
	fmt.Fprintln(e.stderr, c.msgs().f("usage.hint", path))
	return exitUsage
}

// dbPath is the file to use: --db, BRUG_DB, or the default.
func (c *cli) dbPath() (string, error) {
	p, err := resolveDBPath(c.g.db, c.env.getenv, func() (string, error) {
		return defaultDBPath(c.env.goos, c.env.getenv, c.env.home)
	})
	if err != nil {
		return "", c.fail("db.nopath", err)
	}
	return p, nil
}

// loadMethod loads --method, or returns the built-in method.
func (c *cli) loadMethod() (*method.Method, error) {
	m, _, err := c.loadMethodFile()
	return m, err
}

// loadMethodFile loads --method, or returns the built-in method, with
// the file's bytes as read (the server hands them to its devices).
func (c *cli) loadMethodFile() (*method.Method, []byte, error) {
	if c.g.method == "" {
		return method.Default(), method.DefaultYAML(), nil
	}
	raw, err := readMethodFile(c.g.method)
	if err != nil {
		return nil, nil, c.fail("method.unreadable", err)
	}
	m, err := method.Parse(c.g.method, raw)
	if err != nil {
		var pe *method.ParseError
		if errors.As(err, &pe) {
			return nil, nil, c.fail("method.broken", pe)
		}
		return nil, nil, c.fail("method.unreadable", err)
	}
	return m, raw, nil
}

// readMethodFile reads a method file once, at most one byte over the
// parser's limit (which then refuses it), so that the bytes parsed are
// the bytes handed out.
func readMethodFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("method file: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only: a close error loses nothing
	raw, err := io.ReadAll(io.LimitReader(f, method.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read method file %s: %w", path, err)
	}
	return raw, nil
}

// openOpts are the store options for this run.
func (c *cli) openOpts(m *method.Method) store.Options {
	return store.Options{Author: authorName(c.env.getenv, c.env.osUser), Method: m, Now: c.env.now, Kind: store.FileLaptop}
}

// storeOpen is store.Open; a test sees through it what openStore asks.
var storeOpen = store.Open

// openStore opens path and turns the store's errors into messages that
// say what to do.
func (c *cli) openStore(path string, opt store.Options) (*store.Store, error) {
	if opt.ReadOnly {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, c.fail("open.missing", path)
		}
	}
	if opt.Kind == store.FileLaptop && opt.Encryption == nil {
		opt.Encryption = c.encryption(path)
	}
	if opt.Progress == nil {
		// An older file's layout is upgraded on open (schema 4 to 5):
		// minutes on a large region, so the coach sees it move.
		opt.Progress = c.progressBar("open.upgrading")
	}
	s, err := storeOpen(path, opt)
	if err == nil {
		return s, nil
	}
	if opt.Encryption != nil && needsPassphrase(err) {
		return c.unlockStore(path, opt, err)
	}
	return nil, c.openFailed(path, err)
}

// openFailed turns a failure of store.Open into a message that says what
// to do.
func (c *cli) openFailed(path string, err error) error {
	m := c.msgs()
	switch {
	case errors.Is(err, store.ErrLocked):
		return userError{m.f("open.locked", path)}
	case errors.Is(err, store.ErrNotBrug):
		return userError{m.f("open.notbrug", path) + m.detail(err.Error())}
	case errors.Is(err, store.ErrTooNew):
		return userError{m.f("open.toonew", path) + m.detail(err.Error())}
	case errors.Is(err, store.ErrWrongKind):
		return c.fail("open.serverfile", path)
	}
	if ferr := c.cryptFailed(path, err); ferr != nil {
		return ferr
	}
	if ferr := c.fileFailed(path, err); ferr != nil {
		return ferr
	}
	return userError{m.f("open.other", path, err)}
}

// fileFailed says what to do about failures every kind of file shares: a
// damaged file, or one the user may not read or write. It returns nil for
// any other error.
func (c *cli) fileFailed(path string, err error) error {
	switch {
	case errors.Is(err, store.ErrDamaged):
		return userError{c.msgs().f("open.damaged", path) + c.msgs().detail(damageDetail(err))}
	case errors.Is(err, fs.ErrPermission):
		if _, serr := os.Stat(path); serr == nil {
			return c.fail("open.denied", path)
		}
		return c.fail("open.denieddir", filepath.Dir(path))
	}
	return nil
}

// damageDetail is what bbolt or the store said about the damage, without
// the path that the message names already.
func damageDetail(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, store.ErrDamaged.Error()); i >= 0 {
		return msg[i:]
	}
	return msg
}

// readFailed turns an error reading an open store into a message: a
// damaged file says so and what to do; anything else is key's message.
func (c *cli) readFailed(s *store.Store, key string, err error) error {
	if errors.Is(err, store.ErrDamaged) {
		return c.fileFailed(s.Path(), err)
	}
	return c.fail(key, err)
}

// closeStore closes s, turning a failure into an error unless one is
// already being returned.
func (c *cli) closeStore(s *store.Store, err *error) {
	if cerr := s.Close(); cerr != nil && *err == nil {
		*err = c.fail("close.failed", s.Path(), cerr)
	}
}

// openUserStore opens the user's file (--db, BRUG_DB or the default) with
// the method in force, as the app, login and sync do.
func (c *cli) openUserStore() (*store.Store, *method.Method, error) {
	path, err := c.dbPath()
	if err != nil {
		return nil, nil, err
	}
	if c.g.method != "" {
		m, err := c.loadMethod()
		if err != nil {
			return nil, nil, err
		}
		s, err := c.openStore(path, c.openOpts(m))
		return s, m, err
	}
	// No --method: the method the region's server sent at the last sync,
	// if any (client.StoredMethod), else the built-in one. The store
	// takes its method when it opens, so a stored method means opening
	// twice.
	m := method.Default()
	s, err := c.openStore(path, c.openOpts(m))
	if err != nil {
		return nil, nil, err
	}
	sm, err := client.StoredMethod(s)
	if err != nil {
		// Never applied: the file was checked when it was stored, so
		// this is a damaged meta value; the built-in method still works.
		fmt.Fprintln(c.env.stderr, c.msgs().f("method.storedbroken", err))
		return s, m, nil
	}
	if sm == nil {
		return s, m, nil
	}
	if err := s.Close(); err != nil {
		return nil, nil, c.fail("close.failed", path, err)
	}
	s, err = c.openStore(path, c.openOpts(sm))
	return s, sm, err
}

// runApp opens the user's file and runs the terminal app on it.
func (c *cli) runApp() (err error) {
	s, m, err := c.openUserStore()
	if err != nil {
		return err
	}
	defer c.closeStore(s, &err)
	return c.startTUI(s, m, "")
}

// startTUI runs the app on an open store until the user quits.
// startTUI runs the app on s. role is the user's role when known
// otherwise (the demo runs as a coordinator); "" takes the role recorded
// at enrolment.
func (c *cli) startTUI(s *store.Store, m *method.Method, role string) error {
	s = syncUser(s)
	if role == "" {
		role = client.Role(s)
	}
	url, _ := s.Meta(client.MetaURL)
	// The app saves a person's plan (p on the overview) in the folder
	// brug was started in, as a shell user expects of a file they ask for.
	saveDir, _ := os.Getwd()
	model := tui.New(tui.Options{Store: s, Method: m, Lang: c.language(), User: s.Author(), Teams: client.Teams(s), Role: role, SaveDir: saveDir, Details: c.details()})
	wiped := new(atomic.Bool)
	opt := c.tuiSync(s, wiped)
	model.EnableSync(opt)
	var app tea.Model = model
	if opt.Syncer != nil {
		app = wipeGuard{Model: model, wiped: wiped, text: c.msgs().f("sync.wiped", string(url))}
	}
	// `brug export` and `brug report` read the open file through the
	// app meanwhile (live.go).
	live := listenLive(s)
	err := c.env.runTUI(app)
	live.Close()
	if wiped.Load() {
		// The laptop was wiped at the admin's order while the app ran:
		// say so on the terminal, once the app's screen is gone.
		return c.fail("sync.wiped", string(url))
	}
	if err != nil {
		return c.tuiFailed(err)
	}
	return nil
}
