package main

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/sync/server/pgstore"
	"github.com/brug-nl/brug/sync/sshd"
)

// serveFlags are the serve command's own flags.
type serveFlags struct {
	addr    string
	tlsCert string
	tlsKey  string
	tlsPoll time.Duration // how often the TLS files are checked for a change
	sshAddr string        // "" turns SSH off
	sshKey  string        // host key file; "" means next to the database
	sshIdle time.Duration // idle time before an SSH session ends

	logFormat    string   // text or json
	logLevel     string   // debug, info, warn or error
	trusted      []string // --trusted-proxy CIDRs
	metricsAddr  string   // "" or "off" turns the metrics listener off
	metricsSet   bool     // --metrics-addr was given (a busy default only warns)
	metricsToken string   // also serve /metrics on the API to this bearer token
	publicURL    string   // the URL devices use, for invites
	retention    string   // the region's retention policy, kept in the file
	sshSet       bool     // --ssh-addr was given (a region in PostgreSQL then needs --ssh-host-key)
	gcPercent    int      // --gc-percent
	memoryLimit  string   // --memory-limit
	gc           gcSettings
}

func newServeCmd(c *cli) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the regional sync server",
		Long: `Run the sync server of a region on one brug file: devices enrol with a
one-time code and sync their changes through it (the /v1 API in
docs/openapi.yaml), with access by team and an audit log of every delivery
and change. /healthz answers "ok" while the file takes a write (503 when the
disk is full or read-only). Prometheus metrics (/metrics, and /healthz
again) are on a listener of their own, --metrics-addr (loopback by default;
"off" turns it off); with --metrics-token the API's listener serves
/metrics too, to that bearer token only (or set BRUG_METRICS_TOKEN).

Give --public-url with the address devices use (https://brug.example.nl):
it is kept in the file, and ` + "`brug admin invite`" + ` then prints the whole
login command, also from another process or over SSH.

--retention sets how long the dossiers of closed trajectories are kept
after their closing date: a default period, then CODE=PERIOD for dossiers
with that benefit or indication code, e.g. 15y,wlz=20y (the longest
period that applies wins). It is kept in the file; without it the file's
policy stays, 15y when none was ever set. brug admin retention lists and
erases the dossiers past their period (docs/operations.md, "Retention").

Give the server's own file with --db (or BRUG_DB); it is created when
missing. Accounts are managed with ` + "`brug admin`" + `, which works on the same
file while the server runs (through FILE.admin.sock, readable by you only).

Serve over TLS with --tls-cert and --tls-key, or behind a TLS proxy on
127.0.0.1; brug warns when it serves plain HTTP on another address, since
device tokens and dossiers would cross the network readable.

Logs (the start-up lines, and one line per request: method, path, status,
duration, user, client address) go to standard error as text or, with
--log-format json, as JSON lines; --log-level sets the least level logged.
They never hold dossier content or tokens. Behind a reverse proxy, give its
address with --trusted-proxy (CIDR, repeatable): the client address is then
taken from its X-Forwarded-For header; from anyone else the header is
ignored. Stop with Ctrl-C or
SIGTERM: requests in flight are finished first.

SSH (for coordinators, and admins' commands) listens on --ssh-addr with a
host key that is made on first start and kept (--ssh-host-key, by default
FILE.ssh_host_ed25519 next to the database). Users log in with a public key
registered with ` + "`brug admin key add`" + `; there is no password login. A session
runs the app as that user, with that user's teams; admins run admin
commands: ssh -p 2222 HOST admin user list. Sessions end after --ssh-idle
without a keystroke. --ssh-addr "" turns SSH off.`,
		Example: `  brug serve --db /var/lib/brug/region.db
  brug serve --db region.db --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --public-url https://brug.example.nl:8443
  brug serve --db region.db --public-url https://brug.example.nl --trusted-proxy 127.0.0.1 --log-format json
  brug admin --db region.db user add anna --role coach --team "Team Noord"`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (f.tlsCert == "") != (f.tlsKey == "") {
				return usageError{errors.New(c.msgs().f("serve.tlspair"))}
			}
			if f.sshIdle < time.Minute {
				return usageError{errors.New(c.msgs().f("serve.sshidle", f.sshIdle))}
			}
			if _, err := logHandler(c.env.stderr, f.logFormat, f.logLevel); err != nil {
				return usageError{errors.New(c.msgs().f(err.Error(), f.logFormat, f.logLevel))}
			}
			if f.retention != "" {
				if _, err := server.ParseRetention(f.retention); err != nil {
					return usageError{errors.New(c.msgs().f("serve.retention", f.retention, err))}
				}
			}
			for _, v := range f.trusted {
				if _, err := server.ParseTrustedProxy(v); err != nil {
					return usageError{errors.New(c.msgs().f("serve.trustedproxy", v))}
				}
			}
			if f.publicURL != "" {
				if _, err := server.CheckPublicURL(f.publicURL); err != nil {
					return usageError{errors.New(c.msgs().f("serve.publicurl", f.publicURL))}
				}
			}
			gc, err := chooseGC(f.gcPercent, cmd.Flags().Changed("gc-percent"), f.memoryLimit, cmd.Flags().Changed("memory-limit"), c.env.getenv)
			switch {
			case errors.Is(err, errGCPercent):
				return usageError{errors.New(c.msgs().f("serve.gcpercent", f.gcPercent))}
			case err != nil:
				return usageError{errors.New(c.msgs().f("serve.memorylimit", f.memoryLimit))}
			}
			f.gc = gc
			f.metricsSet = cmd.Flags().Changed("metrics-addr")
			f.sshSet = cmd.Flags().Changed("ssh-addr")
			return c.runServe(cmd.Context(), f)
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	cmd.Flags().StringVar(&f.addr, "addr", "127.0.0.1:8443", "address to listen on (host:port)")
	cmd.Flags().StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM); with --tls-key")
	cmd.Flags().StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM); with --tls-cert")
	cmd.Flags().DurationVar(&f.tlsPoll, "tls-poll", tlsPollEvery, "how often to check the TLS files for a renewed pair")
	_ = cmd.Flags().MarkHidden("tls-poll")
	cmd.Flags().StringVar(&f.sshAddr, "ssh-addr", "127.0.0.1:2222", `address for SSH logins (host:port); "" turns SSH off`)
	cmd.Flags().StringVar(&f.sshKey, "ssh-host-key", "", "the SSH host key file, made when missing (default FILE.ssh_host_ed25519)")
	cmd.Flags().DurationVar(&f.sshIdle, "ssh-idle", sshd.DefaultIdle, "end an SSH session after this long without a keystroke")
	cmd.Flags().StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	cmd.Flags().StringVar(&f.logLevel, "log-level", "info", "least level logged: debug, info, warn or error")
	cmd.Flags().StringArrayVar(&f.trusted, "trusted-proxy", nil, "a reverse proxy (CIDR or address) whose X-Forwarded-For names the client; repeatable")
	cmd.Flags().StringVar(&f.metricsAddr, "metrics-addr", "127.0.0.1:9090", `address for /metrics and /healthz (host:port); "off" or "" turns it off`)
	cmd.Flags().StringVar(&f.metricsToken, "metrics-token", "", "also serve /metrics on --addr to this bearer token (or BRUG_METRICS_TOKEN)")
	cmd.Flags().StringVar(&f.retention, "retention", "", `how long closed trajectories' dossiers are kept, e.g. 15y or 15y,wlz=20y (kept in the file; default 15y)`)
	addServerKeyFlags(cmd, &c.srvKeys, false)
	addStoreFlag(cmd, &c.srvKeys, false)
	cmd.Flags().IntVar(&f.gcPercent, "gc-percent", defaultGCPercent, "the Go collector's GOGC: higher collects less often, for less CPU when many devices sync at once (or set GOGC)")
	cmd.Flags().StringVar(&f.memoryLimit, "memory-limit", "256MiB", `soft limit on the server's Go memory, e.g. 256MiB or 2GiB; "off" for none (or set GOMEMLIMIT)`)
	cmd.Flags().StringVar(&f.publicURL, "public-url", "", "the URL devices use (https://brug.example.nl), printed by brug admin invite")
	_ = cmd.MarkFlagFilename("tls-cert", "pem", "crt")
	_ = cmd.MarkFlagFilename("tls-key", "pem", "key")
	return cmd
}

// logHandler is the slog handler of --log-format and --log-level; its
// error is the key of the message about a wrong value.
func logHandler(w io.Writer, format, level string) (slog.Handler, error) {
	var lv slog.Level
	switch level {
	case "debug":
		lv = slog.LevelDebug
	case "info":
		lv = slog.LevelInfo
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		return nil, errors.New("serve.loglevel")
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.NewTextHandler(w, opts), nil
	case "json":
		return slog.NewJSONHandler(w, opts), nil
	}
	return nil, errors.New("serve.logformat")
}

// serverDBPath is the server's file: --db or BRUG_DB, never the per-user
// default (a server's file should be chosen on purpose).
func (c *cli) serverDBPath() (string, error) {
	if pg, err := c.pgStore(); pg || err != nil {
		return c.srvKeys.store, err // a region in PostgreSQL: the database
	}
	if c.g.db == "" && c.env.getenv("BRUG_DB") == "" {
		return "", usageError{errors.New(c.msgs().f("serve.nodb"))}
	}
	return c.dbPath()
}

// openServerError turns an error of server.Open into a message that says
// what to do.
func (c *cli) openServerError(path string, err error) error {
	m := c.msgs()
	if pgstore.IsURL(path) {
		return c.fail("open.other", pgstore.Redact(path), err)
	}
	switch {
	case errors.Is(err, store.ErrLocked):
		return c.fail("serve.locked", path)
	case errors.Is(err, store.ErrNotBrug):
		return userError{m.f("open.notbrug", path) + m.detail(err.Error())}
	case errors.Is(err, store.ErrTooNew):
		return userError{m.f("open.toonew", path) + m.detail(err.Error())}
	case errors.Is(err, store.ErrWrongKind):
		return c.fail("open.laptopfile", path)
	}
	if ferr := c.fileFailed(path, err); ferr != nil {
		return ferr
	}
	return c.fail("open.other", path, err)
}

// runServe runs the server until SIGINT, SIGTERM or the end of parent.
// Everything goes to standard error through slog, as text or JSON: what a
// person starting it needs to read (where it listens, a warning about
// plain HTTP, that it stopped) has its message in their language and an
// English "event" attribute for log pipelines; request logs are English.
func (c *cli) runServe(parent context.Context, f serveFlags) (err error) {
	if parent == nil {
		parent = context.Background()
	}
	m := c.msgs()
	if c.env.setGC != nil {
		c.env.setGC(f.gc)
	}
	path, err := c.serverDBPath()
	if err != nil {
		return err
	}
	meth, methFile, err := c.loadMethodFile()
	if err != nil {
		return err
	}
	pg := pgstore.IsURL(path)
	sshOff := false // SSH is off on PostgreSQL for want of a host key
	if pg && f.sshAddr != "" && f.sshKey == "" {
		// There is no file to keep the host key next to, and every
		// process on the database should show the same one: it is asked
		// for when SSH is, and SSH stays off otherwise.
		if f.sshSet {
			return usageError{errors.New(m.f("store.sshkey"))}
		}
		f.sshAddr, sshOff = "", true
	}
	useTLS := f.tlsCert != ""
	handler, err := logHandler(c.env.stderr, f.logFormat, f.logLevel)
	if err != nil {
		return usageError{errors.New(m.f(err.Error(), f.logFormat, f.logLevel))}
	}
	logger := slog.New(handler)
	var tlsCfg *tls.Config
	var certs *certHolder
	if useTLS {
		// Load the pair before anything else, so a wrong file is reported
		// now rather than by the first client's handshake. Later pairs
		// (SIGHUP, a renewal) are loaded by certs.watch.
		certs, err = newCertHolder(f.tlsCert, f.tlsKey, logger, m.f)
		if err != nil {
			return c.fail("serve.tls", err)
		}
		tlsCfg = &tls.Config{GetCertificate: certs.GetCertificate, MinVersion: tls.VersionTLS12}
	}
	var proxies []netip.Prefix
	for _, v := range f.trusted {
		p, err := server.ParseTrustedProxy(v)
		if err != nil {
			return usageError{errors.New(m.f("serve.trustedproxy", v))}
		}
		proxies = append(proxies, p)
	}
	metricsToken := f.metricsToken
	if metricsToken == "" {
		metricsToken = c.env.getenv("BRUG_METRICS_TOKEN")
	}
	var enc *store.Encryption
	if pg {
		enc, err = c.pgEncryption()
	} else {
		enc, err = c.serverEncryption(path)
	}
	if err != nil {
		return err
	}
	if enc != nil {
		e := *enc
		progress := logProgress(logger, m.f("serve.encrypting"), "encrypt_progress")
		e.Progress = func(done, total int) { progress(int64(done), int64(total)) }
		enc = &e
	}
	srv, err := server.Open(path, server.Options{Now: c.env.now, Encryption: enc, Logger: logger, Method: meth, MethodFile: methFile, TrustedProxies: proxies, MetricsToken: metricsToken,
		Progress: logProgress(logger, m.f("serve.upgrading"), "upgrade_progress")})
	if err != nil {
		return c.openServerError(path, err)
	}
	defer func() {
		if cerr := srv.Close(); cerr != nil && err == nil {
			err = c.fail("close.failed", path, cerr)
		}
	}()
	if f.publicURL != "" {
		if err := srv.SetPublicURL(f.publicURL); err != nil {
			return usageError{errors.New(m.f("serve.publicurl", f.publicURL))}
		}
	}
	if f.retention != "" {
		if err := srv.SetRetention(f.retention); err != nil {
			return usageError{errors.New(m.f("serve.retention", f.retention, err))}
		}
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return c.fail("serve.listen", f.addr, err)
	}
	if !useTLS && !loopback(ln.Addr()) {
		logger.Warn(m.f("serve.plain", ln.Addr()), "event", "plain_http", "addr", ln.Addr().String())
	}
	var mln net.Listener
	if f.metricsAddr != "" && f.metricsAddr != "off" {
		mln, err = net.Listen("tcp", f.metricsAddr)
		if err != nil && f.metricsSet {
			ln.Close()
			return c.fail("serve.metricslisten", f.metricsAddr, err)
		}
		if err != nil {
			// The default port is taken (a second server on this
			// machine): serve without metrics rather than not at all.
			logger.Warn(m.f("serve.metricslisten", f.metricsAddr, err), "event", "metrics_failed", "error", err.Error())
			mln, err = nil, nil
		}
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	watchDone := make(chan struct{})
	if certs != nil {
		// SIGHUP reloads the TLS pair (systemctl reload brug) instead of
		// ending the server.
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		poll := f.tlsPoll
		if poll <= 0 {
			poll = tlsPollEvery
		}
		go func() {
			defer close(watchDone)
			certs.watch(ctx, hup, poll)
		}()
		defer func() { <-watchDone }()
	}

	adminDone := make(chan struct{})
	go func() {
		defer close(adminDone)
		if pg {
			return // no admin socket: brug admin --store opens the database itself
		}
		if err := srv.ServeAdmin(ctx); err != nil {
			logger.Error(m.f("serve.adminsock", err), "event", "admin_socket_failed", "error", err.Error())
		}
	}()

	hs := &http.Server{
		Handler:           srv.Handler(),
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() {
		if useTLS {
			served <- hs.ServeTLS(ln, "", "") // the pair is in TLSConfig
		} else {
			served <- hs.Serve(ln)
		}
	}()
	var ms *http.Server
	metricsDone := make(chan struct{})
	if mln != nil {
		ms = &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		go func() {
			defer close(metricsDone)
			if err := ms.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("metrics listener stopped", "event", "metrics_failed", "error", err.Error())
			}
		}()
	} else {
		close(metricsDone)
	}
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	apiURL := scheme + "://" + ln.Addr().String()
	if pg {
		shown := pgstore.Redact(path)
		logger.Info(m.f("store.listening", apiURL, shown),
			"event", "listening", "url", apiURL, "store", shown, "public_url", f.publicURL)
		if sshOff {
			logger.Info(m.f("store.sshoff"), "event", "ssh_off")
		}
	} else {
		logger.Info(m.f("serve.listening", apiURL, path, server.AdminSocketPath(path)),
			"event", "listening", "url", apiURL, "db", path, "admin_socket", server.AdminSocketPath(path), "public_url", f.publicURL)
	}
	if mln != nil {
		murl := "http://" + mln.Addr().String() + "/metrics"
		logger.Info(m.f("serve.metrics", murl), "event", "metrics_listening", "url", murl)
	}
	sshSrv, err := c.startSSH(srv, f, path, meth, logger)
	if err != nil {
		hs.Close()
		<-served
		if ms != nil {
			ms.Close()
		}
		<-metricsDone
		stop()
		<-adminDone
		return err
	}

	select {
	case err = <-served:
		stop()
	case <-ctx.Done():
		logger.Info(m.f("serve.stopping"), "event", "stopping")
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if sshSrv != nil {
			_ = sshSrv.Shutdown(sctx)
		}
		if ms != nil {
			_ = ms.Shutdown(sctx)
		}
		err = hs.Shutdown(sctx)
		<-served
	}
	if ms != nil {
		_ = ms.Close()
	}
	<-metricsDone
	if sshSrv != nil {
		_ = sshSrv.Close()
	}
	<-adminDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err != nil {
		return c.fail("serve.failed", err)
	}
	logger.Info(m.f("serve.stopped"), "event", "stopped")
	return nil
}

// loopback reports whether addr only accepts connections from this
// machine.
func loopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// startSSH starts the SSH server of brug serve, unless --ssh-addr is "".
func (c *cli) startSSH(srv *server.Server, f serveFlags, dbPath string, meth *method.Method, logger *slog.Logger) (*sshd.Server, error) {
	if f.sshAddr == "" {
		return nil, nil
	}
	keyPath := f.sshKey
	if keyPath == "" {
		keyPath = dbPath + ".ssh_host_ed25519"
	}
	d, err := sshd.New(srv, sshd.Options{HostKeyPath: keyPath, Idle: f.sshIdle, Method: meth, Logger: logger, Admin: sshAdmin, Report: sshReport, Now: c.env.now})
	if err != nil {
		return nil, c.fail("serve.sshfailed", f.sshAddr, err)
	}
	ln, err := net.Listen("tcp", f.sshAddr)
	if err != nil {
		return nil, c.fail("serve.sshfailed", f.sshAddr, err)
	}
	go func() {
		if err := d.Serve(ln); err != nil {
			logger.Error("ssh server stopped", "event", "ssh_failed", "error", err.Error())
		}
	}()
	logger.Info(c.msgs().f("serve.ssh", ln.Addr(), keyPath, d.Fingerprint()),
		"event", "ssh_listening", "addr", ln.Addr().String(), "host_key", keyPath, "fingerprint", d.Fingerprint())
	return d, nil
}

// logProgress logs msg with the counts each time a rewrite of the file on
// open (an upgrade, the encryption) passes another tenth, and when it is
// done: a server's stderr is its log, where a bar would not do. Counts
// only, nothing of a dossier.
func logProgress(logger *slog.Logger, msg, event string) func(done, total int64) {
	last := int64(-1)
	return func(done, total int64) {
		if total <= 0 {
			return
		}
		tenth := min(done*10/total, 10)
		if tenth == last {
			return
		}
		last = tenth
		logger.Info(msg, "event", event, "done", done, "total", total, "percent", tenth*10)
	}
}
