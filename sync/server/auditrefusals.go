package server

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"
	"time"
)

// Refusals that reach the server without an account behind them (an
// unknown SSH key, an unknown token) can be sent by anyone, as fast as
// they like. Each record is a write transaction with an fsync, so a
// scanner could otherwise fill the disk and slow every sync down: such
// records are rate-limited. A key (a fingerprint, an address, a device)
// is recorded at most once per refusalEvery; the repeats are counted in
// its next record (AuditEntry.Unrecorded). Across all keys at most
// refusalBurst records are written per refusalEvery; what that drops is
// counted in the next record written (docs/sync.md, "Security").
const (
	refusalEvery = time.Minute
	refusalBurst = 60
)

// refusalLimiter decides which refusals are recorded. Its memory is
// bounded: it holds at most the keys recorded in the last refusalEvery
// (at most refusalBurst) plus ones it has not pruned yet.
type refusalLimiter struct {
	mu      sync.Mutex
	last    map[string]refusalKey
	window  time.Time // start of the current window of refusalBurst records
	written int       // records in the current window
	dropped int       // refusals of other keys not recorded since the last record
}

type refusalKey struct {
	at       time.Time // when the key was last recorded
	repeated int       // refusals of the key since, not recorded
}

// allow reports whether a refusal of key at now is recorded and, if so,
// how many refusals it stands for that were not recorded before it.
func (l *refusalLimiter) allow(key string, now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]refusalKey{}
	}
	k, seen := l.last[key]
	if seen && now.Sub(k.at) < refusalEvery && !now.Before(k.at) {
		k.repeated++
		l.last[key] = k
		return false, 0
	}
	if now.Sub(l.window) >= refusalEvery || now.Before(l.window) {
		l.window, l.written = now, 0
	}
	if l.written >= refusalBurst {
		l.dropped++
		return false, 0
	}
	l.written++
	skipped := k.repeated + l.dropped
	l.dropped = 0
	if len(l.last) >= 2*refusalBurst {
		for key, old := range l.last {
			if now.Sub(old.at) >= refusalEvery || now.Before(old.at) {
				delete(l.last, key)
			}
		}
	}
	l.last[key] = refusalKey{at: now}
	return true, skipped
}

// recordRefusal writes e (its time set here) when the rate limit for key
// allows, in its own transaction. A failure to write is logged, not
// returned: the refusal itself stands either way.
func (s *Server) recordRefusal(key string, e AuditEntry) {
	now := s.now().UTC()
	ok, skipped := s.refusals.allow(key, now)
	if !ok {
		return
	}
	e.Time, e.Unrecorded = now, skipped
	if err := s.db.Update(func(tx Tx) error { return audit(tx, e) }); err != nil {
		s.log.Error("audit refusal", "action", e.Action, "err", err)
	}
}

// RecordKeyRefused records an SSH key refused at login: its fingerprint
// (SHA256:...) and the address it came from, and user when the key is a
// disabled user's ("" for a key no account has). Rate-limited per
// fingerprint.
func (s *Server) RecordKeyRefused(fingerprint, remote, user string) {
	detail := "key " + fingerprint
	if user != "" {
		detail += " of a disabled user"
	}
	s.recordRefusal("key "+fingerprint, AuditEntry{Channel: ChannelSSH, User: user, Action: ActionKeyRefused, Detail: detail, Remote: hostOf(remote)})
}

// RecordAdminRefused records an admin command refused to user, who is
// not an admin, through channel. Only the command's name is kept (see
// adminCommandName): its arguments may name a client. Rate-limited per
// user.
func (s *Server) RecordAdminRefused(user, role, channel string, args []string) {
	detail := fmt.Sprintf("%s (role %s)", adminCommandName(args), role)
	s.recordRefusal("admin "+user, AuditEntry{Channel: channel, User: user, Action: ActionAdminRefused, Detail: detail})
}

// adminCommandName is "admin" and the subcommands of args that name admin
// commands, nothing else: `admin erase "Jan Jansen"` is kept as "admin
// erase".
func adminCommandName(args []string) string {
	groups := map[string][]string{
		"user": {"add", "list", "disable", "enable", "remove", "rename", "role", "import"},
		"team": {"add", "list", "member", "rename", "remove"}, "member": {"add", "remove"},
		"device": {"list", "revoke"}, "key": {"add", "list", "remove"},
		"invite": nil, "erase": nil, "audit": nil, "backup": nil, "export": nil,
	}
	name, subs := "admin", slices.Collect(maps.Keys(groups))
	for _, a := range args {
		if !slices.Contains(subs, a) {
			break
		}
		name += " " + a
		subs = groups[a]
	}
	return name
}

// recordTokenRefused records a sync refused at authentication (d is what
// authenticate returned): the device and its user when the token is a
// revoked device's or a disabled or removed user's, only the remote
// address when it is no device's. Rate-limited per device, or per
// address.
func (s *Server) recordTokenRefused(d Device, remote string) {
	e := AuditEntry{Channel: ChannelSync, Action: ActionTokenRefused, Remote: hostOf(remote), Detail: "unknown token"}
	key := "token " + e.Remote
	if d.ID != "" {
		e.User, e.Device, key = d.User, d.ID, "device "+d.ID
		e.Detail = "device of a disabled or removed user"
		if !d.Revoked.IsZero() {
			e.Detail = "revoked device"
		}
	}
	s.recordRefusal(key, e)
}

// tokenDevice is what authenticate finds for a refused token: the device
// when the token is one's, else nothing.
func (s *Server) tokenDevice(token string) Device {
	var d Device
	_ = s.db.View(func(tx Tx) error {
		d, _, _ = authenticate(tx, token)
		return nil
	})
	return d
}

// hostOf is the host of a host:port address (the port changes on every
// connection and says nothing about who).
func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// auditPushRefused writes the one "push refused" record of a sync whose
// push had refused ops: their count per code and the dossiers they named
// (valid ids only), never an op's value or reason.
func auditPushRefused(tx Tx, e AuditEntry, codes map[string]int, dossiers map[string]bool) error {
	if len(codes) == 0 {
		return nil
	}
	n := 0
	for _, c := range codes {
		n += c
	}
	parts := make([]string, 0, len(codes))
	for _, code := range slices.Sorted(maps.Keys(codes)) {
		parts = append(parts, fmt.Sprintf("%s %d", code, codes[code]))
	}
	e.Action = ActionPushRefused
	e.Refused = maps.Clone(codes)
	e.RefusedDossiers = slices.Sorted(maps.Keys(dossiers))
	e.Detail = fmt.Sprintf("%d ops refused (%s) in %d dossiers", n, strings.Join(parts, ", "), len(dossiers))
	return audit(tx, e)
}
