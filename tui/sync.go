package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/brug-nl/brug/tui/kit"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// Syncer runs one sync with the server: push what waits, pull what is new.
// cmd/brug adapts the sync client to it; tests pass a fake. It is called
// from a tea.Cmd, never from Update, and only one call runs at a time.
type Syncer interface {
	Sync(ctx context.Context) (SyncResult, error)
}

// SyncResult says what one sync moved.
type SyncResult struct {
	Pushed, Pulled, Refused, Dropped, Erased int
	// MethodChanged says the region's server sent a new version of the
	// method; the device uses it from brug's next start.
	MethodChanged bool
	// Dossiers are the dossiers the sync brought changes to, when the
	// Syncer can say; nil makes every open screen load its dossier again.
	Dossiers []string
}

// SyncStatusReader reads the local side of sync from the file, without the
// network: what the footer shows between syncs.
type SyncStatusReader interface {
	SyncStatus() (SyncLocal, error)
}

// SyncLocal is the local side of sync.
type SyncLocal struct {
	Waiting  int       // ops not yet accepted by the server
	Refused  int       // ops the server refused, kept in the refused list
	LastSync time.Time // zero before the first completed sync
	Teams    []string  // the user's teams as the server last said; nil: unknown
	// ClockSkew is this device's clock minus the server's as the last
	// sync measured it (0: not known); the footer warns from ClockWarn on.
	ClockSkew time.Duration
}

// ClockWarn is the clock skew from which the footer says that this
// device's clock is wrong: well above what a slow round trip can make of
// a right clock, well below the day after which the server refuses the
// device's changes (protocol.MaxClockAhead).
const ClockWarn = 10 * time.Minute

// Errors a Syncer wraps so the footer can say what is going on. Any other
// error is shown as it is; all of them make the app back off.
var (
	// ErrSyncOffline: the server cannot be reached.
	ErrSyncOffline = errors.New("sync server unreachable")
	// ErrSyncNotEnrolled: the server does not know this device any more.
	ErrSyncNotEnrolled = errors.New("device not enrolled")
	// ErrSyncRevoked: an admin revoked this device.
	ErrSyncRevoked = errors.New("device revoked")
	// ErrSyncWipeFailed: an admin ordered this device wiped, and the wipe
	// did not (fully) work: the data is still here. It is ErrSyncRevoked.
	ErrSyncWipeFailed = fmt.Errorf("%w and ordered wiped, but the wipe failed", ErrSyncRevoked)
	// ErrSyncDisabled: the device's user is disabled.
	ErrSyncDisabled = errors.New("account disabled")
	// ErrSyncUntrusted: this computer does not trust the server's
	// certificate; the three below (which are ErrSyncUntrusted) say why.
	ErrSyncUntrusted = errors.New("server certificate not trusted")
	// ErrSyncUntrustedIssuer: issued by an authority this computer does
	// not know (the region's CA is not installed).
	ErrSyncUntrustedIssuer = fmt.Errorf("%w: unknown issuer", ErrSyncUntrusted)
	// ErrSyncUntrustedName: the certificate is for another name.
	ErrSyncUntrustedName = fmt.Errorf("%w: wrong name", ErrSyncUntrusted)
	// ErrSyncUntrustedExpired: expired or not yet valid.
	ErrSyncUntrustedExpired = fmt.Errorf("%w: expired", ErrSyncUntrusted)
)

// SyncOptions turn on background sync; see (*Model).EnableSync.
type SyncOptions struct {
	Syncer Syncer           // nil: no server; the footer says the app is local
	Status SyncStatusReader // nil: waiting, refused and last sync are not shown
	// Refused lists the refused changes on R; nil: R does nothing.
	Refused RefusedReader
	// Timeout bounds one sync; 0 means two minutes.
	Timeout time.Duration
}

// Timing of background sync.
const (
	syncEvery      = time.Minute      // a sync while all is well
	syncAfterEdit  = 2 * time.Second  // a change waits this long for more
	syncBackoffMin = time.Second      // the first retry after a failure
	syncBackoffMax = 10 * time.Minute // retries never wait longer
	syncTimeout    = 2 * time.Minute
)

// syncConn is what the footer says about the server.
type syncConn int

const (
	connLocal       syncConn = iota // no server configured
	connUnknown                     // no sync has answered yet
	connOnline                      // the last sync worked
	connOffline                     // the server could not be reached
	connNotEnrolled                 // the server refused the device
	connError                       // the last sync failed otherwise
	connUntrusted                   // the server's certificate is not trusted
)

// syncState is the root's view of background sync. Update changes it; the
// syncs themselves run in Cmds that close over copies.
type syncState struct {
	opt     SyncOptions
	conn    syncConn
	errText string
	// refusedWhy is the text key of why the server refused the device
	// (connNotEnrolled): not enrolled, revoked, or account disabled.
	refusedWhy string
	inFlight   bool
	manual     bool // the sync in flight was asked for with the key
	again      bool // another sync was asked for while one was in flight
	gen        int  // the live timer; ticks of older timers are dropped
	backoff    time.Duration
	nextTry    time.Time
	local      SyncLocal
	hasLocal   bool
	conflicts  int
	// untrustedWhy is the text key of why the server's certificate is not
	// trusted (connUntrusted).
	untrustedWhy string

	// after returns a Cmd that delivers msg after d; tea.Tick in the app,
	// immediate in tests.
	after func(d time.Duration, msg tea.Msg) tea.Cmd

	// spinning is true while a spinner tick is on its way: the footer
	// turns a spinner in front of its word while a sync runs (the first
	// one can take a while on a big region); frame is its position.
	spinning bool
	frame    int
	// spinAfter schedules the spinner's ticks (tickAfter; nil in tests
	// that count the timers).
	spinAfter func(d time.Duration, msg tea.Msg) tea.Cmd
}

// syncSpinMsg turns the footer's spinner.
type syncSpinMsg struct{}

// spinFrames are the spinner's frames (bubbles' MiniDot).
var spinFrames = spinner.MiniDot

// spin starts the spinner's ticks unless they run.
func (m *Model) spin() tea.Cmd {
	if m.sync.spinning || m.sync.spinAfter == nil {
		return nil
	}
	m.sync.spinning = true
	return m.sync.spinAfter(spinFrames.FPS, syncSpinMsg{})
}

// Messages of background sync, handled by the root.
type (
	syncTickMsg struct{ gen int }
	syncDoneMsg struct {
		res SyncResult
		err error
	}
	syncLocalMsg struct {
		local     SyncLocal
		hasLocal  bool
		conflicts int
		counted   bool // conflicts was read (not at start: the list counts them)
		err       error
	}
)

func tickAfter(d time.Duration, msg tea.Msg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

// EnableSync turns on background sync (call before the program starts).
// Without a Syncer the footer shows that the app works locally.
func (m *Model) EnableSync(opt SyncOptions) {
	if opt.Timeout == 0 {
		opt.Timeout = syncTimeout
	}
	m.sync.opt = opt
	m.sync.spinAfter = tickAfter
	m.sync.conn = connLocal
	if opt.Syncer != nil {
		m.sync.conn = connUnknown
	}
}

// syncInit loads the footer's counts and starts the first sync.
func (m *Model) syncInit() tea.Cmd {
	// The conflicts come from the client list's first load, which reads
	// every summary anyway: decoding them twice at start doubled the
	// first frame's work on a large region (issue 12).
	cmds := []tea.Cmd{m.loadSyncLocalCounts(false)}
	if m.sync.opt.Syncer != nil {
		cmds = append(cmds, m.startSync(false))
	}
	return tea.Batch(cmds...)
}

// updateSync handles the sync messages; ok is false for any other message.
func (m *Model) updateSync(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case syncTickMsg:
		if msg.gen != m.sync.gen {
			return nil, true // a timer replaced by a later one
		}
		return m.startSync(false), true
	case syncDoneMsg:
		return m.syncDone(msg), true
	case syncSpinMsg:
		m.sync.spinning = false
		if !m.sync.inFlight {
			return nil, true
		}
		m.sync.frame++
		return m.spin(), true
	case kit.ConflictsCountedMsg:
		m.sync.conflicts = msg.N
		return nil, true
	case syncLocalMsg:
		if msg.err == nil {
			m.sync.local, m.sync.hasLocal = msg.local, msg.hasLocal
			if msg.counted {
				m.sync.conflicts = msg.conflicts
			}
			if msg.local.Teams != nil {
				m.ctx.Teams = msg.local.Teams // new-client forms offer them from now on
			}
		}
		return nil, true
	}
	return nil, false
}

// syncNow is the sync key: a sync at once, or right after the one running.
func (m *Model) syncNow() tea.Cmd {
	if m.sync.opt.Syncer == nil {
		return kit.Status(m.ctx.T.S("sync.noserver"), false)
	}
	return m.startSync(true)
}

// syncChanged reacts to a committed change: new counts, and a sync soon
// unless the app is backing off from an unreachable server.
func (m *Model) syncChanged() tea.Cmd {
	cmds := []tea.Cmd{m.loadSyncLocal()}
	if m.sync.opt.Syncer != nil && m.sync.backoff == 0 && m.sync.conn != connNotEnrolled {
		cmds = append(cmds, m.schedule(syncAfterEdit))
	}
	return tea.Batch(cmds...)
}

// schedule replaces the live timer with one that fires after d.
func (m *Model) schedule(d time.Duration) tea.Cmd {
	m.sync.gen++
	after := m.sync.after
	if after == nil {
		after = tickAfter
	}
	return after(d, syncTickMsg{gen: m.sync.gen})
}

// startSync runs a sync in a Cmd unless one is in flight already.
func (m *Model) startSync(manual bool) tea.Cmd {
	if m.sync.inFlight {
		m.sync.again = true
		m.sync.manual = m.sync.manual || manual
		return nil
	}
	m.sync.inFlight, m.sync.manual = true, manual
	m.sync.gen++ // no timer runs while a sync does; syncDone sets the next
	s, timeout := m.sync.opt.Syncer, m.sync.opt.Timeout
	return tea.Batch(func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		res, err := s.Sync(ctx)
		return syncDoneMsg{res: res, err: err}
	}, m.spin())
}

// syncDone records a sync's outcome and plans the next one: in a minute
// after success, after a doubling back-off after a failure, at once when
// one was asked for meanwhile.
func (m *Model) syncDone(msg syncDoneMsg) tea.Cmd {
	st := &m.sync
	st.inFlight = false
	manual := st.manual
	st.manual = false
	t := m.ctx.T
	var cmds []tea.Cmd
	cmds = append(cmds, m.loadSyncLocal())
	if msg.err == nil {
		st.conn, st.errText, st.backoff, st.nextTry = connOnline, "", 0, time.Time{}
		cmds = append(cmds, m.loadOrg()) // the register may have changed
		if msg.res.Pulled > 0 || msg.res.Dropped > 0 || msg.res.Erased > 0 {
			// Open screens load their dossier again (and an editor says
			// when its text changed meanwhile), so nobody edits a stale
			// text unknowingly.
			ch := kit.ChangedMsg{Dossiers: msg.res.Dossiers, All: msg.res.Dossiers == nil}
			cmds = append(cmds, m.broadcast(ch))
		}
		switch {
		case msg.res.MethodChanged:
			// The app keeps the method it started with (forms and the
			// store hold it); said once, in place of the counts.
			cmds = append(cmds, kit.Status(t.F("sync.newmethod"), false))
		case manual:
			r := msg.res
			cmds = append(cmds, kit.Status(t.F("sync.done", r.Pushed, r.Pulled, r.Refused), false))
		}
	} else {
		switch {
		case errors.Is(msg.err, ErrSyncWipeFailed):
			st.conn, st.refusedWhy = connNotEnrolled, "sync.wipefailed"
		case errors.Is(msg.err, ErrSyncRevoked):
			st.conn, st.refusedWhy = connNotEnrolled, "sync.revoked"
		case errors.Is(msg.err, ErrSyncDisabled):
			st.conn, st.refusedWhy = connNotEnrolled, "sync.disabled"
		case errors.Is(msg.err, ErrSyncNotEnrolled):
			st.conn, st.refusedWhy = connNotEnrolled, "sync.notenrolled"
		case errors.Is(msg.err, ErrSyncUntrusted):
			// Retried with back-off like offline: IT may install the CA
			// or renew the certificate while the app runs.
			st.conn, st.untrustedWhy = connUntrusted, untrustedKey(msg.err)
		case errors.Is(msg.err, ErrSyncOffline):
			st.conn = connOffline
		default:
			st.conn = connError
			st.errText = kit.FirstLine(t.Cause(msg.err))
		}
		st.backoff = min(max(st.backoff*2, syncBackoffMin), syncBackoffMax)
		st.nextTry = m.ctx.Now().Add(st.backoff)
		if manual {
			cmds = append(cmds, kit.StatusErr(t.F("sync.failed", m.syncConnText()), msg.err))
		}
	}
	switch {
	case st.again:
		st.again = false
		cmds = append(cmds, m.startSync(manual))
	case st.conn == connNotEnrolled:
		// Retrying will not help until the user logs in again; the key
		// still tries.
	case msg.err != nil:
		cmds = append(cmds, m.schedule(st.backoff))
	default:
		cmds = append(cmds, m.schedule(syncEvery))
	}
	return tea.Batch(cmds...)
}

// loadSyncLocal reads the footer's counts in a Cmd.
func (m *Model) loadSyncLocal() tea.Cmd { return m.loadSyncLocalCounts(true) }

// loadSyncLocalCounts is loadSyncLocal, with the conflicts read from the
// summaries or not (they come in a kit.ConflictsCountedMsg).
func (m *Model) loadSyncLocalCounts(conflicts bool) tea.Cmd {
	status, st := m.sync.opt.Status, m.ctx.Store
	if !conflicts {
		st = nil
	}
	return func() tea.Msg {
		var msg syncLocalMsg
		if status != nil {
			msg.local, msg.err = status.SyncStatus()
			msg.hasLocal = msg.err == nil
		}
		if st != nil {
			msg.counted = true
			all, err := st.Summaries()
			if err != nil {
				msg.err = errors.Join(msg.err, err)
			}
			all = kit.SafeSummaries(all)
			for _, s := range all {
				if !s.Removed {
					msg.conflicts += s.Conflicts
				}
			}
		}
		return msg
	}
}

// syncConnText is the footer's word on the server, behind a turning
// spinner while a sync runs.
func (m *Model) syncConnText() string {
	s := m.syncConnWord()
	if m.sync.inFlight && m.sync.spinning {
		f := spinFrames.Frames
		s = f[m.sync.frame%len(f)] + " " + s
	}
	return s
}

// syncConnWord is the footer's word on the server.
func (m *Model) syncConnWord() string {
	t, st := m.ctx.T, &m.sync
	switch st.conn {
	case connLocal:
		if m.ctx.OnServer {
			return t.S("sync.onserver")
		}
		return t.S("sync.local")
	case connOnline:
		if st.inFlight {
			return t.S("sync.busy")
		}
		return t.S("sync.online")
	case connOffline:
		return t.F("sync.offline", m.syncTime(st.nextTry))
	case connNotEnrolled:
		if st.refusedWhy != "" {
			return t.S(st.refusedWhy)
		}
		return t.S("sync.notenrolled")
	case connError:
		return t.F("sync.error", st.errText)
	case connUntrusted:
		return t.S(st.untrustedWhy)
	}
	return t.S("sync.connecting")
}

// untrustedKey is the footer's text key for an ErrSyncUntrusted.
func untrustedKey(err error) string {
	switch {
	case errors.Is(err, ErrSyncUntrustedIssuer):
		return "sync.untrusted.issuer"
	case errors.Is(err, ErrSyncUntrustedName):
		return "sync.untrusted.name"
	case errors.Is(err, ErrSyncUntrustedExpired):
		return "sync.untrusted.expired"
	}
	return "sync.untrusted"
}

// syncFooter is the line above the help bar: the server's state, ops
// waiting, the last sync, refused ops and conflicts.
func (m *Model) syncFooter(width int) string {
	t, st, sty := m.ctx.T, &m.sync, m.ctx.Styles
	conn := m.syncConnText()
	switch st.conn {
	case connOnline, connLocal:
		conn = sty.Good.Render(conn)
	case connUnknown:
		conn = sty.Muted.Render(conn)
	default:
		conn = sty.Bad.Render(conn)
	}
	parts := []string{conn}
	if st.conn != connLocal && st.hasLocal {
		if w := m.clockWarning(st.local.ClockSkew); w != "" {
			parts = append(parts, sty.Warn.Render(w))
		}
		parts = append(parts, t.F("sync.waiting", kit.FormatCount(t, st.local.Waiting)))
		if st.local.LastSync.IsZero() {
			parts = append(parts, t.S("sync.never"))
		} else {
			parts = append(parts, t.F("sync.last", m.syncTime(st.local.LastSync)))
		}
		refused := t.F("sync.refused", kit.FormatCount(t, st.local.Refused))
		if st.local.Refused > 0 {
			if st.opt.Refused != nil {
				refused += " (R)"
			}
			refused = sty.Warn.Render(refused)
		}
		parts = append(parts, refused)
	}
	conflicts := t.F("sync.conflicts", kit.FormatCount(t, st.conflicts))
	if st.conflicts == 1 {
		conflicts = t.S("sync.conflict")
	}
	if st.conflicts > 0 {
		conflicts = sty.Conflict.Render(conflicts)
	}
	parts = append(parts, conflicts)
	return kit.Truncate(strings.Join(parts, sty.Muted.Render(" · ")), width)
}

// clockWarning says how far this device's clock is off, or "" when it is
// within ClockWarn.
func (m *Model) clockWarning(skew time.Duration) string {
	t := m.ctx.T
	key := "sync.ahead"
	if skew < 0 {
		key, skew = "sync.behind", -skew
	}
	if skew < ClockWarn {
		return ""
	}
	var n string
	switch {
	case skew < 2*time.Hour:
		n = t.F("sync.minutes", int(skew/time.Minute))
	case skew < 48*time.Hour:
		n = t.F("sync.hours", int(skew/time.Hour))
	default:
		n = t.F("sync.days", int(skew/(24*time.Hour)))
	}
	return t.F(key, n)
}

// syncTime shows a time of day, with the date when it is not today.
func (m *Model) syncTime(at time.Time) string {
	now := m.ctx.Now()
	at = at.In(now.Location())
	if y, mo, d := at.Date(); y == now.Year() && mo == now.Month() && d == now.Day() {
		return at.Format(m.ctx.T.S("sync.time.today"))
	}
	return at.Format(m.ctx.T.S("sync.time.other"))
}
