// Package sshd is the SSH side of `brug serve`: coordinators (and coaches)
// log in with a public key registered to their account and get the same
// terminal app as on a laptop, running as that user on the server's store
// through a server.Session (team access, audited opens, changes as ops).
// Admins run `brug admin` commands with `ssh HOST admin ...`.
//
// There is no password or keyboard-interactive login: the server offers
// public keys only, and an unknown key is refused during authentication,
// before any session starts.
package sshd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"

	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/tui"
)

// DefaultIdle is how long a session may go without a keystroke before it
// is ended.
const DefaultIdle = 15 * time.Minute

// AdminFunc runs one `brug admin` command line (args without "admin") for
// an admin user, with a as its backend; it returns the exit code. The CLI
// provides it, so the commands, flags, help and messages are the same as
// on the server's own shell. It also returns the path of the command it
// ran ("admin user add"), without arguments, for the log.
type AdminFunc func(ctx context.Context, a *server.Admin, args []string, lang string, in io.Reader, out, errOut io.Writer) (code int, path string)

// ReportFunc runs one `brug report` command line (args without "report")
// for a user, counting on their session; it returns the exit code and
// the command's path ("report"), as AdminFunc does.
type ReportFunc func(ctx context.Context, s *server.Session, args []string, lang string, out, errOut io.Writer) (code int, path string)

// Options configure New.
type Options struct {
	// HostKeyPath is the server's private host key (ed25519, OpenSSH
	// format). It is made on first start and reused after, so clients
	// keep trusting the server across restarts.
	HostKeyPath string
	// Idle ends a session after this long without a keystroke; 0 means
	// DefaultIdle.
	Idle time.Duration
	// Method is the method the app shows; nil means method.Default().
	Method *method.Method
	// Logger receives connection and session logs, never dossier content.
	Logger *slog.Logger
	// Admin runs admin commands; nil refuses them.
	Admin AdminFunc
	// Report runs `report` commands; nil refuses them.
	Report ReportFunc
	// Now is the app's clock; nil means time.Now.
	Now func() time.Time
}

// Server is the SSH server of one sync server.
type Server struct {
	srv  *server.Server
	opt  Options
	ssh  *ssh.Server
	log  *slog.Logger
	next atomic.Uint64 // session counter, for log and audit ids

	mu       sync.Mutex
	sessions map[uint64]*tea.Program
	stopping atomic.Bool // Shutdown ends the apps: they say so
}

type ctxKey struct{}

// New builds the SSH server; call Serve with a listener.
func New(srv *server.Server, opt Options) (*Server, error) {
	if opt.Idle <= 0 {
		opt.Idle = DefaultIdle
	}
	if opt.Method == nil {
		opt.Method = method.Default()
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.HostKeyPath == "" {
		return nil, errors.New("ssh: no host key path")
	}
	if err := ensureHostKey(opt.HostKeyPath); err != nil {
		return nil, err
	}
	d := &Server{srv: srv, opt: opt, log: opt.Logger, sessions: map[uint64]*tea.Program{}}
	s, err := wish.NewServer(
		wish.WithHostKeyPath(opt.HostKeyPath),
		wish.WithPublicKeyAuth(d.authorize),
		ssh.WrapConn(d.wrapConn),
		// A connection that opens no session, or an admin command that
		// hangs, is cut after the same idle time; app sessions end by
		// their own idle rule first, with a message.
		wish.WithIdleTimeout(opt.Idle+time.Minute),
		wish.WithMiddleware(d.handle),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server (host key %s): %w", opt.HostKeyPath, err)
	}
	// wish adds no password or keyboard-interactive handler unless asked;
	// make sure none is ever set.
	s.PasswordHandler = nil
	s.KeyboardInteractiveHandler = nil
	d.ssh = s
	return d, nil
}

// Serve accepts SSH connections on l until Shutdown or Close.
func (d *Server) Serve(l net.Listener) error {
	err := d.ssh.Serve(l)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, ends the running apps and waits
// for the connections to close, or for ctx.
func (d *Server) Shutdown(ctx context.Context) error {
	d.stopping.Store(true)
	d.mu.Lock()
	for _, p := range d.sessions {
		p.Quit()
	}
	d.mu.Unlock()
	err := d.ssh.Shutdown(ctx)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Close closes the listener and every connection at once.
func (d *Server) Close() error { return d.ssh.Close() }

// authorize admits a key registered to an active user. It runs during
// authentication, so an unknown key never gets a session.
func (d *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	u, err := d.srv.UserByKey(key)
	if err != nil {
		d.log.Info("ssh key refused", "remote", ctx.RemoteAddr().String(), "user", ctx.User(), "reason", err.Error())
		if r, ok := ctx.Value(refusedKeysKey{}).(*refusedKeys); ok {
			r.add(gossh.FingerprintSHA256(key), u.Name) // u names a disabled user, else nobody
		}
		return false
	}
	ctx.SetValue(ctxKey{}, u.Name)
	return true
}

// refusedKeysKey holds a connection's refused keys in its context.
type refusedKeysKey struct{}

// refusedKeys are the keys refused during a connection's authentication,
// recorded in the audit log if the connection ends without logging in.
type refusedKeys struct {
	mu   sync.Mutex
	keys [][2]string // fingerprint, disabled user
}

// maxRefusedKeys bounds what one connection remembers (the SSH library
// ends authentication after a few failed tries anyway).
const maxRefusedKeys = 16

func (r *refusedKeys) add(fingerprint, user string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.keys) < maxRefusedKeys {
		r.keys = append(r.keys, [2]string{fingerprint, user})
	}
}

// wrapConn notes the keys refused on a connection and, when it closes
// without having logged in, records them in the audit log.
//
// Attack: someone tries keys (a scanner, a former colleague's old key, a
// stolen key of a disabled user); the admin sees each key's fingerprint
// and address. Only failed logins count: an SSH client offers its keys
// one by one, and a user whose agent holds another key first must not
// show up as refused. The server rate-limits the records per fingerprint
// (RecordKeyRefused), so a scanner cannot flood the log.
func (d *Server) wrapConn(ctx ssh.Context, c net.Conn) net.Conn {
	r := &refusedKeys{}
	ctx.SetValue(refusedKeysKey{}, r)
	return &authConn{Conn: c, report: func() {
		if ctx.Value(ssh.ContextKeyConn) != nil {
			return // logged in
		}
		r.mu.Lock()
		keys := r.keys
		r.mu.Unlock()
		for _, k := range keys {
			d.srv.RecordKeyRefused(k[0], c.RemoteAddr().String(), k[1])
		}
	}}
}

// authConn is a connection that reports its refused keys once, on close.
type authConn struct {
	net.Conn
	once   sync.Once
	report func()
}

func (c *authConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.report)
	return err
}

// handle runs one session: an admin command, or the app.
func (d *Server) handle(ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		id := d.next.Add(1)
		lang := langOf(sess.Environ())
		m := messages(lang)
		// Look the user up again from the key the session authenticated
		// with: a user disabled since the handshake gets nothing.
		key := sess.PublicKey()
		if key == nil {
			d.exit(sess, 1, m.noKey)
			return
		}
		u, err := d.srv.UserByKey(key)
		if err != nil {
			d.exit(sess, 1, m.refused)
			return
		}
		log := d.log.With("session", id, "user", u.Name, "remote", sess.RemoteAddr().String())
		if raw := sess.RawCommand(); strings.TrimSpace(raw) != "" {
			start := time.Now()
			code, path := d.command(sess, u, raw, lang, m)
			// The command's path only ("admin erase"), never its
			// arguments: they may name a client.
			log.Info("ssh command", "command", path, "code", code, "duration", time.Since(start).Round(time.Millisecond))
			return
		}
		log.Info("ssh session started")
		code := d.app(sess, u, id, lang, m)
		log.Info("ssh session ended", "code", code)
	}
}

// command runs `admin ...` for admins and `report ...` for the others;
// nothing else is a command. The command line is split as a shell would
// (splitCommand). It returns the exit code and the command's path for the
// log: "admin user add", or only its first word when it did not run.
func (d *Server) command(sess ssh.Session, u server.User, raw string, lang string, m msgs) (int, string) {
	cmd, err := splitCommand(raw)
	switch {
	case errors.Is(err, errUnclosed):
		return d.exit(sess, exitUsage, m.unclosed), "-"
	case err != nil:
		return d.exit(sess, exitUsage, m.notPlain), "-"
	case len(cmd) == 0:
		return d.exit(sess, exitUsage, fmt.Sprintf(m.unknownCmd, "")), "-"
	}
	if cmd[0] == "report" && d.opt.Report != nil && u.Role != protocol.RoleAdmin {
		session, err := d.srv.Session(u.Name, server.ChannelSSH, fmt.Sprintf("ssh-%d", d.next.Add(1)))
		if err != nil {
			return d.exit(sess, 1, m.refused), "report"
		}
		code, path := d.opt.Report(sess.Context(), session, cmd[1:], lang, sess, sess.Stderr())
		_ = sess.Exit(code)
		return code, path
	}
	if cmd[0] != "admin" {
		// The word may be anything the user typed: it is not logged.
		return d.exit(sess, exitUsage, fmt.Sprintf(m.unknownCmd, cmd[0])), "?"
	}
	if u.Role != protocol.RoleAdmin || d.opt.Admin == nil {
		if u.Role != protocol.RoleAdmin {
			// A coach trying admin commands (probing, or a stolen key)
			// is for the admin to see: recorded with the command's name
			// only, never its arguments.
			d.srv.RecordAdminRefused(u.Name, u.Role, server.ChannelSSH, cmd[1:])
		}
		return d.exit(sess, 1, fmt.Sprintf(m.notAdmin, u.Name, u.Role)), "admin"
	}
	code, path := d.opt.Admin(sess.Context(), d.srv.Admin(u.Name, server.ChannelSSH), cmd[1:], lang, sess, sess, sess.Stderr())
	_ = sess.Exit(code)
	return code, path
}

// exitUsage is the exit status of a command line brug cannot run as
// given, as for the CLI's usage errors.
const exitUsage = 2

// app runs the terminal app for the session's user until they quit, the
// connection ends, they stay idle, or the server shuts down.
func (d *Server) app(sess ssh.Session, u server.User, id uint64, lang string, m msgs) int {
	pty, winCh, ok := sess.Pty()
	if !ok {
		d.exit(sess, 1, m.noPty)
		return 1
	}
	if u.Role == protocol.RoleAdmin {
		d.exit(sess, 1, m.adminNoApp)
		return 1
	}
	session, err := d.srv.Session(u.Name, server.ChannelSSH, fmt.Sprintf("ssh-%d", id))
	if err != nil {
		d.exit(sess, 1, m.refused)
		return 1
	}
	model := tui.New(tui.Options{
		Store: session, Method: d.opt.Method, Lang: lang, User: u.Name,
		Renderer: renderer(sess, pty), Now: d.opt.Now, Teams: u.Teams, Role: u.Role, OnServer: true,
	})
	in := &idleReader{r: sess}
	in.touch()
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	p := tea.NewProgram(model, tea.WithInput(in), tea.WithOutput(sess), tea.WithAltScreen(),
		tea.WithContext(ctx), tea.WithoutSignalHandler(), tea.WithEnvironment(sess.Environ()))
	d.mu.Lock()
	d.sessions[id] = p
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.sessions, id)
		d.mu.Unlock()
	}()

	idle := make(chan struct{})
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case w, ok := <-winCh:
				if !ok {
					return
				}
				p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
			}
		}
	}()
	go func() {
		t := time.NewTimer(d.opt.Idle)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				left := d.opt.Idle - in.since()
				if left > 0 {
					t.Reset(left)
					continue
				}
				close(idle)
				p.Quit()
				return
			}
		}
	}()
	final, err := p.Run()
	p.Kill() // restores the terminal state if the app ended abnormally
	// However the app ended, a send-back comment being typed is kept as
	// the user's draft for their next session.
	if derr := tui.SaveDrafts(final); derr != nil {
		d.log.Error("ssh draft not saved", "session", id, "error", derr.Error())
	}
	// A session the server ends says why, after the app has left the
	// alternate screen, so the line stays on the user's terminal.
	select {
	case <-idle:
		fmt.Fprint(sess, "\r\n"+fmt.Sprintf(m.idle, duration(d.opt.Idle, lang))+"\r\n")
		_ = sess.Exit(0)
		return 0
	default:
	}
	if d.stopping.Load() {
		fmt.Fprint(sess, "\r\n"+m.shutdown+"\r\n")
		_ = sess.Exit(0)
		return 0
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		d.log.Error("ssh app failed", "session", id, "error", err.Error())
		_ = sess.Exit(1)
		return 1
	}
	_ = sess.Exit(0)
	return 0
}

// exit writes a message on the session's standard error and ends it
// with code, which it returns.
func (d *Server) exit(sess ssh.Session, code int, msg string) int {
	fmt.Fprint(sess.Stderr(), msg+"\r\n")
	_ = sess.Exit(code)
	return code
}

// renderer styles the app for the client's terminal: its TERM and its
// NO_COLOR, as the client sent them. It does not query the terminal's
// background (a client that does not answer would stall the start).
func renderer(sess ssh.Session, pty ssh.Pty) *lipgloss.Renderer {
	env := append(sess.Environ(), "TERM="+pty.Term)
	r := lipgloss.NewRenderer(sess, termenv.WithEnvironment(environ(env)), termenv.WithUnsafe(), termenv.WithColorCache(true))
	if pty.Term == "" || pty.Term == "dumb" || environ(env).Getenv("NO_COLOR") != "" {
		r.SetColorProfile(termenv.Ascii)
	}
	r.SetHasDarkBackground(true)
	return r
}

// environ is a session's environment for termenv.
type environ []string

func (e environ) Environ() []string { return e }

func (e environ) Getenv(k string) string {
	v := ""
	for _, kv := range e {
		if name, val, ok := strings.Cut(kv, "="); ok && name == k {
			v = val // the last one wins, as in a shell
		}
	}
	return v
}

// langOf picks the app's language from the client's environment (BRUG_LANG,
// then LC_ALL, LC_MESSAGES, LANG, as sent by the SSH client): English when
// it says en, Dutch otherwise.
func langOf(env []string) string {
	e := environ(env)
	for _, k := range []string{"BRUG_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := e.Getenv(k); v != "" {
			if strings.HasPrefix(v, "en") {
				return "en"
			}
			return "nl"
		}
	}
	return "nl"
}

// idleReader is the session's input, noting when the user last typed.
type idleReader struct {
	r    io.Reader
	last atomic.Int64 // unix nanoseconds
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.touch()
	}
	return n, err
}

func (r *idleReader) touch() { r.last.Store(time.Now().UnixNano()) }

func (r *idleReader) since() time.Duration { return time.Since(time.Unix(0, r.last.Load())) }

// Fingerprint is the SHA-256 fingerprint of the host key, for users to
// check on their first login.
func (d *Server) Fingerprint() string {
	pem, err := os.ReadFile(d.opt.HostKeyPath)
	if err != nil {
		return "?"
	}
	signer, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		return "?"
	}
	return gossh.FingerprintSHA256(signer.PublicKey())
}
