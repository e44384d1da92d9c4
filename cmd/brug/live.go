package main

// The running app answers `brug export` and `brug report` on the file it
// holds: bbolt locks the file for one process, so while the app is open
// another brug cannot read it. The app serves a unix socket next to the
// file (".NAME.sock", mode 0600, removed on exit; one left by a crash is
// replaced), answers only processes of its own OS user (SO_PEERCRED), and
// runs the same export and report code on its open store. A file unlocked
// with a passphrase answers only a caller that gives the passphrase too
// (checked against the file's wrapped key); a file whose key is in the
// keyring (or a demo's key file) answers any process of the user, who can
// read that keyring themselves and so open the file anyway. Where the
// socket is not supported (not Linux), the app serves none and the CLI
// says to close the app first, as before.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/export"
	"github.com/brug-nl/brug/tui/unlock"
)

// liveTimeout bounds one conversation on the socket: an export of a long
// dossier, after the passphrase's key derivation.
const liveTimeout = 2 * time.Minute

// liveMaxRequest bounds a request's size.
const liveMaxRequest = 64 << 10

// liveRequest asks the running app for an export or a report.
type liveRequest struct {
	Op         string           `json:"op"` // "export" or "report"
	Passphrase []byte           `json:"passphrase,omitempty"`
	Query      string           `json:"query,omitempty"`  // export: the client's id or name
	Format     string           `json:"format,omitempty"` // export: md or json
	Lang       string           `json:"lang,omitempty"`
	At         time.Time        `json:"at"` // export: the time the export is stamped with
	Flow       *store.FlowQuery `json:"flow,omitempty"`
}

// liveResponse is the app's answer. Refused says why it did not answer
// ("passphrase": none or a wrong one given); Err is a failure to read.
type liveResponse struct {
	Refused   string            `json:"refused,omitempty"`
	Err       string            `json:"err,omitempty"`
	NotFound  bool              `json:"not_found,omitempty"`
	Ambiguous *ambiguous        `json:"ambiguous,omitempty"`
	Name      string            `json:"name,omitempty"`
	Ops       int               `json:"ops,omitempty"`
	Data      []byte            `json:"data,omitempty"`
	Report    *store.FlowReport `json:"report,omitempty"`
}

type ambiguous struct {
	Exact      bool            `json:"exact"`
	Candidates []store.Summary `json:"candidates"`
}

// liveSocketPath is the socket of the app open on the file at path: in
// the same folder, so the folder's permissions guard it as they guard the
// file.
func liveSocketPath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".sock")
}

// liveServer is the app's socket.
type liveServer struct {
	ln   net.Listener
	path string
	s    *store.Store
	done chan struct{}
}

// listenLive serves s on the socket next to its file. It returns nil when
// the socket cannot be served (not supported here, a path too long for a
// socket, something else in the socket's place): the app runs as before
// and `brug export` says to close it.
func listenLive(s *store.Store) *liveServer {
	if !livePeerSupported {
		return nil
	}
	path := liveSocketPath(s.Path())
	if fi, err := os.Lstat(path); err == nil {
		// The app holds the file's lock, so no other app can be serving
		// this socket: it is left by a crash. Replace it, but only a
		// socket that answers nobody, never a file someone put there.
		if fi.Mode()&os.ModeSocket == 0 {
			return nil
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil
		}
		if err := os.Remove(path); err != nil {
			return nil
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	// Between bind and chmod the socket has the umask's mode; the peer's
	// uid is checked on every connection, so that window gives nothing.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil
	}
	l := &liveServer{ln: ln, path: path, s: s, done: make(chan struct{})}
	go l.serve()
	return l
}

// Close stops serving and removes the socket.
func (l *liveServer) Close() {
	if l == nil {
		return
	}
	l.ln.Close()
	<-l.done
}

func (l *liveServer) serve() {
	defer close(l.done)
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			return
		}
		// One at a time: a request reads the store, as the app does.
		l.answer(conn)
	}
}

// answer reads one request and writes the answer. Nothing is logged: the
// app owns the terminal, and answers hold personal data.
func (l *liveServer) answer(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(liveTimeout))
	// Another OS user on the machine could otherwise read every dossier
	// through the app if the socket's mode or folder were too open.
	if err := livePeer(conn); err != nil {
		return
	}
	var req liveRequest
	if err := json.NewDecoder(io.LimitReader(conn, liveMaxRequest)).Decode(&req); err != nil {
		return
	}
	resp := l.handle(req)
	for i := range req.Passphrase {
		req.Passphrase[i] = 0
	}
	_ = json.NewEncoder(conn).Encode(resp)
}

// handle answers req on the app's store.
func (l *liveServer) handle(req liveRequest) liveResponse {
	// A process of the same user could read the keyring, not the
	// passphrase: without this check it would read a passphrase-locked
	// file through the app without knowing the passphrase.
	if l.s.KeyMode() == "passphrase" {
		if err := l.s.CheckPassphrase(req.Passphrase); err != nil {
			return liveResponse{Refused: "passphrase"}
		}
	}
	switch req.Op {
	case "export":
		return l.export(req)
	case "report":
		if req.Flow == nil {
			return liveResponse{Err: "no query"}
		}
		r, err := l.s.FlowReport(*req.Flow)
		if err != nil {
			return liveResponse{Err: err.Error()}
		}
		return liveResponse{Report: &r}
	}
	return liveResponse{Err: "unknown request"}
}

// export runs the export's code on the app's store.
func (l *liveServer) export(req liveRequest) liveResponse {
	id, err := l.s.FindClient(req.Query)
	var amb *store.AmbiguousError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return liveResponse{NotFound: true}
	case errors.As(err, &amb):
		return liveResponse{Ambiguous: &ambiguous{Exact: amb.Exact, Candidates: amb.Candidates}}
	case err != nil:
		return liveResponse{Err: err.Error()}
	}
	cl, err := l.s.Client(id)
	if err != nil {
		return liveResponse{Err: err.Error()}
	}
	ops, err := l.s.Ops(id)
	if err != nil {
		return liveResponse{Err: err.Error()}
	}
	// The export is a read, logged as brug export logs it without the
	// app; the document lists it with the laptop's other reads.
	if err := l.s.LogRead(store.ReadEntry{Dossier: id, Action: store.ReadExport, Channel: store.ChannelCLI}); err != nil {
		return liveResponse{Err: err.Error()}
	}
	reads, err := l.s.ReadsOf(id)
	if err != nil {
		return liveResponse{Err: err.Error()}
	}
	if reads == nil {
		reads = []store.ReadEntry{}
	}
	var data []byte
	if req.Format == "json" {
		if data, err = export.JSONWithReads(cl, ops, l.s.Method(), req.At, reads); err != nil {
			return liveResponse{Err: err.Error()}
		}
	} else {
		data = []byte(export.MarkdownWithReads(cl, ops, l.s.Method(), req.Lang, reads))
	}
	return liveResponse{Name: cl.Name.Value, Ops: len(ops), Data: data}
}

// errNoLive: no app answers on the file's socket; the command opens the
// file itself.
var errNoLive = errors.New("no app is serving the file")

// askLive sends req to the app open on the file at path, asking for the
// passphrase when the app wants it: BRUG_PASSPHRASE, or the unlock screen
// in a terminal. It returns errNoLive when no app answers.
func (c *cli) askLive(path string, req liveRequest) (liveResponse, error) {
	sock := liveSocketPath(path)
	if !livePeerSupported {
		return liveResponse{}, errNoLive
	}
	if fi, err := os.Lstat(sock); err != nil || fi.Mode()&os.ModeSocket == 0 {
		return liveResponse{}, errNoLive
	}
	req.Lang = c.language()
	if p := c.env.getenv("BRUG_PASSPHRASE"); p != "" {
		req.Passphrase = []byte(p)
	}
	resp, err := liveCall(sock, req)
	if err != nil || resp.Refused != "passphrase" {
		return resp, err
	}
	if len(req.Passphrase) > 0 {
		return resp, c.fail("crypt.wrongenv", path)
	}
	if !c.interactive() {
		return resp, c.fail("crypt.needenv", path)
	}
	var got liveResponse
	answered := false
	try := func(pass []byte) error {
		r := req
		r.Passphrase = pass
		resp, err := liveCall(sock, r)
		if err != nil {
			return err
		}
		if resp.Refused == "passphrase" {
			return unlock.ErrWrong
		}
		got, answered = resp, true
		return nil
	}
	var res unlock.Result
	if err := c.env.runTUI(unlock.New(unlock.Unlock, c.language(), path, try, &res)); err != nil {
		if errors.Is(err, errNoTerminal) {
			return got, c.fail("crypt.needenv", path)
		}
		return got, c.tuiFailed(err)
	}
	if !answered {
		// The coach left the unlock screen without a passphrase.
		return got, c.fail("crypt.needenv", path)
	}
	return got, nil
}

// liveServing reports whether an app answers on the socket of the file
// at path.
func liveServing(path string) bool {
	if !livePeerSupported {
		return false
	}
	conn, err := net.DialTimeout("unix", liveSocketPath(path), time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// liveCall is one conversation on the socket. A socket nobody listens on
// (the app crashed) is errNoLive.
func liveCall(sock string, req liveRequest) (liveResponse, error) {
	conn, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		return liveResponse{}, errNoLive
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(liveTimeout))
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return liveResponse{}, fmt.Errorf("send: %w", err)
	}
	var resp liveResponse
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		return liveResponse{}, fmt.Errorf("the app did not answer: %w", err)
	}
	return resp, nil
}

// exportLive exports through the app open on the file, when one is; ok
// is false when none answers and the command must open the file itself.
func (c *cli) exportLive(query string, f exportFlags) (ok bool, err error) {
	path, err := c.dbPath()
	if err != nil {
		return false, nil
	}
	resp, err := c.askLive(path, liveRequest{Op: "export", Query: query, Format: f.format, At: c.env.now()})
	if errors.Is(err, errNoLive) {
		return false, nil
	}
	if err != nil {
		return true, c.liveFailed(err)
	}
	switch {
	case resp.NotFound:
		return true, c.findFailed(query, store.ErrNotFound)
	case resp.Ambiguous != nil:
		return true, c.findFailed(query, &store.AmbiguousError{Query: query, Exact: resp.Ambiguous.Exact, Candidates: resp.Ambiguous.Candidates})
	case resp.Err != "":
		return true, c.fail("export.read", errors.New(resp.Err))
	}
	return true, c.writeExportData(resp.Data, resp.Name, resp.Ops, f)
}

// liveFailed words a failure to talk to the app.
func (c *cli) liveFailed(err error) error {
	var ue userError
	if errors.As(err, &ue) {
		return err
	}
	return c.fail("live.failed", err)
}

// liveReporter counts the report in the app open on the file.
type liveReporter struct {
	c    *cli
	path string
}

func (r liveReporter) FlowReport(q store.FlowQuery) (store.FlowReport, error) {
	resp, err := r.c.askLive(r.path, liveRequest{Op: "report", Flow: &q})
	if err != nil {
		return store.FlowReport{}, err
	}
	if resp.Err != "" || resp.Report == nil {
		return store.FlowReport{}, errors.New(resp.Err)
	}
	return *resp.Report, nil
}

// checkLiveUID lets only the app's own OS user in.
func checkLiveUID(peer, own int) error {
	if peer != own {
		return fmt.Errorf("live socket: caller uid %d is not the app's uid %d", peer, own)
	}
	return nil
}
