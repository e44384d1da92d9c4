package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/sync/sshd"
)

// serveFlags are the serve command's own flags.
type serveFlags struct {
	addr    string
	tlsCert string
	tlsKey  string
	sshAddr string        // "" turns SSH off
	sshKey  string        // host key file; "" means next to the database
	sshIdle time.Duration // idle time before an SSH session ends
}

func newServeCmd(c *cli) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the regional sync server",
		Long: `Run the sync server of a region on one brug file: devices enrol with a
one-time code and sync their changes through it (the /v1 API in
docs/openapi.yaml), with access by team and an audit log of every delivery
and change. /healthz answers "ok" while the file answers; /metrics serves
Prometheus metrics.

Give the server's own file with --db (or BRUG_DB); it is created when
missing. Accounts are managed with ` + "`brug admin`" + `, which works on the same
file while the server runs (through FILE.admin.sock, readable by you only).

Serve over TLS with --tls-cert and --tls-key, or behind a TLS proxy on
127.0.0.1; brug warns when it serves plain HTTP on another address, since
device tokens and dossiers would cross the network readable.

Logs (one line per request: method, path, status, duration, user) go to
standard error; they never hold dossier content. Stop with Ctrl-C or
SIGTERM: requests in flight are finished first.

SSH (for coordinators, and admins' commands) listens on --ssh-addr with a
host key that is made on first start and kept (--ssh-host-key, by default
FILE.ssh_host_ed25519 next to the database). Users log in with a public key
registered with ` + "`brug admin key add`" + `; there is no password login. A session
runs the app as that user, with that user's teams; admins run admin
commands: ssh -p 2222 HOST admin user list. Sessions end after --ssh-idle
without a keystroke. --ssh-addr "" turns SSH off.`,
		Example: `  brug serve --db /var/lib/brug/region.db
  brug serve --db region.db --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
  brug admin --db region.db user add anna --role coach --team "Team Noord"`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (f.tlsCert == "") != (f.tlsKey == "") {
				return usageError{errors.New(c.msgs().f("serve.tlspair"))}
			}
			if f.sshIdle < time.Minute {
				return usageError{errors.New(c.msgs().f("serve.sshidle", f.sshIdle))}
			}
			return c.runServe(cmd.Context(), f)
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	cmd.Flags().StringVar(&f.addr, "addr", "127.0.0.1:8443", "address to listen on (host:port)")
	cmd.Flags().StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM); with --tls-key")
	cmd.Flags().StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM); with --tls-cert")
	cmd.Flags().StringVar(&f.sshAddr, "ssh-addr", "127.0.0.1:2222", `address for SSH logins (host:port); "" turns SSH off`)
	cmd.Flags().StringVar(&f.sshKey, "ssh-host-key", "", "the SSH host key file, made when missing (default FILE.ssh_host_ed25519)")
	cmd.Flags().DurationVar(&f.sshIdle, "ssh-idle", sshd.DefaultIdle, "end an SSH session after this long without a keystroke")
	_ = cmd.MarkFlagFilename("tls-cert", "pem", "crt")
	_ = cmd.MarkFlagFilename("tls-key", "pem", "key")
	return cmd
}

// serverDBPath is the server's file: --db or BRUG_DB, never the per-user
// default (a server's file should be chosen on purpose).
func (c *cli) serverDBPath() (string, error) {
	if c.g.db == "" && c.env.getenv("BRUG_DB") == "" {
		return "", usageError{errors.New(c.msgs().f("serve.nodb"))}
	}
	return c.dbPath()
}

// openServerError turns an error of server.Open into a message that says
// what to do.
func (c *cli) openServerError(path string, err error) error {
	m := c.msgs()
	switch {
	case errors.Is(err, store.ErrLocked):
		return c.fail("serve.locked", path)
	case errors.Is(err, store.ErrNotBrug):
		return userError{m.f("open.notbrug", path) + "\n" + m.f("detail", err)}
	case errors.Is(err, store.ErrTooNew):
		return userError{m.f("open.toonew", path) + "\n" + m.f("detail", err)}
	case errors.Is(err, store.ErrWrongKind):
		return c.fail("open.laptopfile", path)
	}
	if ferr := c.fileFailed(path, err); ferr != nil {
		return ferr
	}
	return c.fail("open.other", path, err)
}

// runServe runs the server until SIGINT, SIGTERM or the end of parent.
// What a person starting it needs to read (where it listens, a warning
// about plain HTTP, that it stopped) is printed in their language on
// standard error; request logs go there too, through slog, in English.
func (c *cli) runServe(parent context.Context, f serveFlags) (err error) {
	if parent == nil {
		parent = context.Background()
	}
	m := c.msgs()
	path, err := c.serverDBPath()
	if err != nil {
		return err
	}
	meth, err := c.loadMethod()
	if err != nil {
		return err
	}
	useTLS := f.tlsCert != ""
	var tlsCfg *tls.Config
	if useTLS {
		// Load the pair before anything else, so a wrong file is reported
		// now rather than by the first client's handshake.
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return c.fail("serve.tls", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	logger := slog.New(slog.NewTextHandler(c.env.stderr, nil))
	srv, err := server.Open(path, server.Options{Now: c.env.now, Logger: logger, Method: meth})
	if err != nil {
		return c.openServerError(path, err)
	}
	defer func() {
		if cerr := srv.Close(); cerr != nil && err == nil {
			err = c.fail("close.failed", path, cerr)
		}
	}()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return c.fail("serve.listen", f.addr, err)
	}
	if !useTLS && !loopback(ln.Addr()) {
		fmt.Fprintln(c.env.stderr, m.f("serve.plain", ln.Addr()))
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()

	adminDone := make(chan struct{})
	go func() {
		defer close(adminDone)
		if err := srv.ServeAdmin(ctx); err != nil {
			fmt.Fprintln(c.env.stderr, m.f("serve.adminsock", err))
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
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	fmt.Fprintln(c.env.stderr, m.f("serve.listening", scheme+"://"+ln.Addr().String(), path, server.AdminSocketPath(path)))
	sshSrv, err := c.startSSH(srv, f, path, meth, logger)
	if err != nil {
		hs.Close()
		<-served
		stop()
		<-adminDone
		return err
	}

	select {
	case err = <-served:
		stop()
	case <-ctx.Done():
		fmt.Fprintln(c.env.stderr, m.f("serve.stopping"))
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if sshSrv != nil {
			_ = sshSrv.Shutdown(sctx)
		}
		err = hs.Shutdown(sctx)
		<-served
	}
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
	fmt.Fprintln(c.env.stderr, m.f("serve.stopped"))
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
			logger.Error("ssh server stopped", "error", err.Error())
		}
	}()
	fmt.Fprintln(c.env.stderr, c.msgs().f("serve.ssh", ln.Addr(), keyPath, d.Fingerprint()))
	return d, nil
}
