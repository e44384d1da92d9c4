package server

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/storage"
)

// Remote wipe (docs/sync.md, "Remote wipe"). `brug admin device revoke
// --wipe` revokes a device and marks it to be wiped (Device.Wipe). Every
// request with its token is then answered 401 with protocol.ErrorWipe
// before the server reads a body, and a device asks GET /v1/device, which
// has no body, before it sends anything else in a sync: a lost laptop
// learns of the wipe before it sends anything it holds. It destroys its
// keys and data and reports on POST /v1/wiped; both steps are audited.

// Audit actions of remote wipes.
const (
	ActionWipeOrdered = "device revoke wipe" // an admin revoked a device and ordered it wiped
	ActionWipeTold    = "wipe told"          // the device was told of the order (first time only)
	ActionWiped       = "wiped"              // the device reported its keys and data destroyed
)

// wipeOrdered reports whether token is that of a device ordered wiped,
// looked up in a read transaction; it records the first telling. On a
// storage that pays a round trip per question (storage.WipeReader) the
// checks of concurrent requests are read together (wipeChecks).
func (s *Server) wipeOrdered(token string) bool {
	var d Device
	if r, ok := s.db.(storage.WipeReader); ok {
		d, _ = s.wipes.check(r, hash(token))
	} else {
		_ = s.db.View(func(tx Tx) error {
			var err error
			d, _, err = authenticate(tx, token)
			if authCode(err) != protocol.ErrorWipe {
				d = Device{}
			}
			return nil
		})
	}
	if d.ID == "" {
		return false
	}
	if d.WipeTold.IsZero() {
		s.noteWipeTold(d.ID)
	}
	return true
}

// wipeOrder reports whether d, a token's device, was revoked and ordered
// wiped: authenticating its token answers protocol.ErrorWipe.
func wipeOrder(d Device) bool { return !d.Revoked.IsZero() && !d.Wipe.IsZero() }

// wipeChecks reads the checks of wipe orders of concurrent requests
// together, as the group commit writes their syncs (group.go): the first
// request reads its own at once; those that arrive meanwhile wait for it
// and are then read by one of them, all in one statement
// (storage.WipeReader), and so on. Every check is read by a statement
// sent after its request arrived, as with a read of its own: a wipe
// ordered before a request arrives is always seen (issue 14: on
// PostgreSQL a read transaction per sync was 200 round trips, 200 BEGINs
// and COMMITs and a fifth of the Go CPU of a 200-device burst).
type wipeChecks struct {
	mu      sync.Mutex
	pending []*wipeCheck
	running bool // a request is reading a batch
}

// wipeCheck is one request's check.
type wipeCheck struct {
	hash []byte
	d    Device // the device, when its token's answer is protocol.ErrorWipe
	err  error
	lead bool          // set before done is closed: read the next batch
	done chan struct{} // closed when d and err are set, or lead
}

// check reports the device of token hash th when authenticating it
// answers protocol.ErrorWipe (a zero Device otherwise).
func (c *wipeChecks) check(r storage.WipeReader, th []byte) (Device, error) {
	w := &wipeCheck{hash: th, done: make(chan struct{})}
	c.mu.Lock()
	c.pending = append(c.pending, w)
	if c.running {
		c.mu.Unlock()
		<-w.done
		if !w.lead {
			return w.d, w.err
		}
	} else {
		c.running = true
		c.mu.Unlock()
	}
	// This request reads the batch waiting, its own among it.
	c.mu.Lock()
	batch := c.pending
	c.pending = nil
	c.mu.Unlock()
	hashes := make([][]byte, len(batch))
	for i, b := range batch {
		hashes[i] = b.hash
	}
	marked, err := readWipeMarks(r, hashes)
	for _, b := range batch {
		b.err = err
		if d, ok := marked[string(b.hash)]; ok && tokenOf(d, b.hash) && wipeOrder(d) {
			b.d = d
		}
	}
	// The next batch is read by one of its own requests.
	c.mu.Lock()
	if len(c.pending) > 0 {
		next := c.pending[0]
		next.lead = true
		close(next.done)
	} else {
		c.running = false
	}
	c.mu.Unlock()
	for _, b := range batch {
		if b != w {
			close(b.done)
		}
	}
	return w.d, w.err
}

// readWipeMarks is r.WipeMarked with a panic turned into an error: the
// reader of a batch must hand over to the next one whatever happens, or
// every later sync would wait for a batch that never comes.
func readWipeMarks(r storage.WipeReader, hashes [][]byte) (marked map[string]Device, err error) {
	defer func() {
		if p := recover(); p != nil {
			marked, err = nil, fmt.Errorf("the wipe orders of %d tokens: %v", len(hashes), p)
		}
	}()
	return r.WipeMarked(hashes)
}

// authenticateView authenticates a request that has no body (GET
// /v1/device, GET /v1/register) in one read transaction: the check of a
// wipe order (refuseWipe) and authenticate, which asked the same
// questions in two (on PostgreSQL, two round trips). It answers a refused
// request as those did: 401 with protocol.ErrorWipe for a device ordered
// wiped (recording the first telling), else writeAuthError, recording a
// refused token. fn, when given, runs in the same transaction after the
// device was let in. It reports whether the request may go on.
func (s *Server) authenticateView(w http.ResponseWriter, r *http.Request, token string, fn func(tx Tx, d Device, u User) error) bool {
	var refused Device
	err := s.db.View(func(tx Tx) error {
		d, u, err := authenticate(tx, token)
		if err != nil {
			refused = d
			return err
		}
		infoOf(r).user = u.Name
		if fn != nil {
			return fn(tx, d, u)
		}
		return nil
	})
	switch {
	case err == nil:
		return true
	case authCode(err) == protocol.ErrorWipe:
		if refused.WipeTold.IsZero() {
			s.noteWipeTold(refused.ID)
		}
		writeWipeRefusal(w)
	case errors.Is(err, ErrUnauthorized):
		s.recordTokenRefused(refused, infoOf(r).remote)
		s.writeAuthError(w, err)
	default:
		s.writeAuthError(w, err)
	}
	return false
}

// noteWipeTold records, once, that a device was told to wipe itself.
func (s *Server) noteWipeTold(id string) {
	err := s.db.Update(func(tx Tx) error {
		d, ok, err := tx.Device(id)
		if err != nil || !ok || !d.WipeTold.IsZero() {
			return err
		}
		d.WipeTold = s.now().UTC()
		if err := tx.PutDevice(d); err != nil {
			return err
		}
		return audit(tx, AuditEntry{Time: d.WipeTold, Channel: ChannelSync, User: d.User, Device: d.ID, Action: ActionWipeTold})
	})
	if err != nil {
		// The device is told anyway: the answer matters more than the
		// record of it.
		s.log.Error("record wipe told", "device", id, "err", err)
	}
}

// refuseWipe answers a request of a device ordered wiped, without reading
// its body. It reports whether it answered.
func (s *Server) refuseWipe(w http.ResponseWriter, token string) bool {
	if !s.wipeOrdered(token) {
		return false
	}
	writeWipeRefusal(w)
	return true
}

// writeWipeRefusal answers a request of a device ordered wiped.
func writeWipeRefusal(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="brug"`)
	writeError(w, http.StatusUnauthorized, protocol.ErrorWipe, "an admin revoked this device and ordered it wiped: destroy its keys and data, send nothing, then report on "+protocol.PathWiped)
}

// handleDevice is the first request of a sync: 200 with the device's
// status when it may sync, else 401 with the code that says why
// (protocol.ErrorWipe among them). It reads no body.
func (s *Server) handleDevice(w http.ResponseWriter, r *http.Request) {
	token, ok := bearer(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="brug"`)
		writeError(w, http.StatusUnauthorized, CodeUnauthorized, "no device token; send Authorization: Bearer TOKEN (enrol with `brug login`)")
		return
	}
	var st protocol.DeviceStatus
	// The answer names the register's version, so that a device holding
	// it does not ask GET /v1/register after its sync (a request and, on
	// PostgreSQL, a round trip fewer). It is read as GET /v1/register
	// reads it: on a shared storage in this View (no round trip of its
	// own while unchanged), else from the process's copy.
	var reg store.Register
	var regErr error
	read := false
	if !s.authenticateView(w, r, token, func(tx Tx, d Device, u User) error {
		st = protocol.DeviceStatus{Device: d.ID, User: u.Name, ServerTime: s.now().UTC()}
		if s.processes.shared.Load() {
			read = true
			reg, regErr = s.sharedRegister(tx)
		}
		return nil
	}) {
		return
	}
	if !read {
		reg, regErr = s.Register()
	}
	if regErr != nil {
		// Not a reason to stop the sync: the device asks GET /v1/register.
		s.log.Error("register for the device check", "err", regErr)
	} else {
		st.Register = reg.Version
	}
	s.writeJSON(w, r, st)
}

// handleWiped records a device's report that it wiped itself. Only a
// device ordered wiped may report. The request has no body; one sent is
// not read.
func (s *Server) handleWiped(w http.ResponseWriter, r *http.Request) {
	token, ok := bearer(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="brug"`)
		writeError(w, http.StatusUnauthorized, CodeUnauthorized, "no device token; send Authorization: Bearer TOKEN")
		return
	}
	var ack protocol.WipedAck
	var refused Device
	err := s.db.Update(func(tx Tx) error {
		d, _, err := authenticate(tx, token)
		if authCode(err) != protocol.ErrorWipe {
			if err == nil {
				return fmt.Errorf("%w: this device was not ordered wiped", ErrInvalid)
			}
			refused = d
			return err
		}
		infoOf(r).user = d.User
		if !d.Wiped.IsZero() {
			ack.Recorded = d.Wiped // a repeated report: the first one stands
			return nil
		}
		d.Wiped = s.now().UTC()
		ack.Recorded = d.Wiped
		if err := tx.PutDevice(d); err != nil {
			return err
		}
		return audit(tx, AuditEntry{Time: d.Wiped, Channel: ChannelSync, User: d.User, Device: d.ID, Action: ActionWiped})
	})
	switch {
	case errors.Is(err, ErrInvalid):
		writeError(w, http.StatusBadRequest, CodeBadRequest, err.Error())
		return
	case err != nil:
		if errors.Is(err, ErrUnauthorized) {
			s.recordTokenRefused(refused, infoOf(r).remote)
		}
		s.writeAuthError(w, err)
		return
	}
	s.writeJSON(w, r, ack)
}
