package server

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// ActionOpen is the audit action of a dossier opened in an SSH session.
const ActionOpen = "open"

// Session is one user's way into the server's store outside sync: an SSH
// session runs the terminal app on it. It gives the app the same access as
// sync gives a device (docs/sync.md, "Security"): the dossiers of the
// user's teams, nothing for admins. Every dossier it opens is audited once
// per session with the session's channel; every change becomes ops authored
// by the user, checked, numbered and audited as a push is, in the same
// transaction, so devices receive them on their next sync.
//
// The user's role and teams are read again on every call, so a membership
// removed by an admin holds at once, also in open sessions.
type Session struct {
	s       *Server
	user    string
	channel string
	id      string // names the session in the audit log
	// st is the op-log store seen as the user with the session's hook;
	// nil on a backend without one (PostgreSQL), where the session reads
	// and writes through the storage (opview.go).
	st *store.Store

	mu     sync.Mutex
	opened map[string]bool // dossiers audited as opened in this session
}

// ErrNoAccess is returned for a dossier the session's user may not see or
// change. It wraps store.ErrNotFound for reads, so that a dossier of
// another team cannot be told from one that does not exist.
var ErrNoAccess = errors.New("no access")

// Session starts a session for an active user through channel
// (ChannelSSH); id names it in the audit log (for instance the SSH
// session id).
func (s *Server) Session(user, channel, id string) (*Session, error) {
	var u User
	err := s.db.View(func(tx Tx) error {
		var err error
		u, err = getUser(tx, user)
		return err
	})
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, fmt.Errorf("user %s is disabled: %w", user, ErrUnauthorized)
	}
	ss := &Session{s: s, user: user, channel: channel, id: id, opened: map[string]bool{}}
	if st, err := s.opStore(); err == nil {
		ss.st = st.WithAuthor(user).WithCommitHook(s.commitHook(ss.hook))
	}
	return ss, nil
}

// User returns the session's user as it is now.
func (ss *Session) User() (User, error) {
	var u User
	err := ss.s.db.View(func(tx Tx) error {
		var err error
		u, err = getUser(tx, ss.user)
		return err
	})
	return u, err
}

// active reads the user and refuses a disabled one.
func (ss *Session) active(tx Tx) (User, error) {
	ss.s.freshViews(tx) // another process may have changed what the user sees (processes.go)
	u, err := getUser(tx, ss.user)
	if err != nil {
		return u, err
	}
	if u.Disabled {
		return u, fmt.Errorf("user %s is disabled: %w", u.Name, ErrUnauthorized)
	}
	return u, nil
}

// sees reports whether the user may read the dossier now.
func (ss *Session) sees(tx Tx, u User, dossier string) bool {
	return store.ValidID(dossier) && ss.s.seesDossier(tx, u, string(dkey(dossier)), accessDay(ss.s.now()))
}

func (ss *Session) checkRead(dossier string) error {
	return ss.s.db.View(func(tx Tx) error {
		u, err := ss.active(tx)
		if err != nil {
			return err
		}
		if !ss.sees(tx, u, dossier) {
			return fmt.Errorf("client %s: %w (%w)", dossier, store.ErrNotFound, ErrNoAccess)
		}
		return nil
	})
}

// Summaries returns the list summaries of the dossiers of the user's
// teams and of those shared with them now.
func (ss *Session) Summaries() ([]store.Summary, error) {
	var u User
	shared := map[string]bool{}
	var mine []store.Summary // without the op-log store: read here
	err := ss.s.db.View(func(tx Tx) error {
		var err error
		u, err = ss.active(tx)
		if err == nil && mayRead(u.Role) {
			day := accessDay(ss.s.now())
			for _, team := range u.Teams {
				for dk := range ss.s.views.shared(tx, team, day) {
					shared[idString([]byte(dk))] = true
				}
			}
			if ss.st == nil {
				mine, err = ss.teamSummaries(tx, u, shared)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !mayRead(u.Role) {
		return nil, nil
	}
	if ss.st == nil {
		return mine, nil
	}
	all, err := ss.s.st.Summaries()
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(sm store.Summary) bool { return !inTeams(u, sm.Team) && !shared[sm.ID] }), nil
}

// teamSummaries reads the summaries of the dossiers of u's teams and of
// those shared with them (ids), in id order as store.Store.Summaries
// gives them: the dossiers of a team are the team index's (the head of
// their team field, as a summary's Team is).
func (ss *Session) teamSummaries(tx Tx, u User, shared map[string]bool) ([]store.Summary, error) {
	set := map[string]bool{}
	for id := range shared {
		set[string(dkey(id))] = true
	}
	for _, team := range u.Teams {
		if err := tx.TeamDossiers(team, func(dk string) error { set[dk] = true; return nil }); err != nil {
			return nil, err
		}
	}
	dks := make([][]byte, 0, len(set))
	for dk := range set {
		dks = append(dks, []byte(dk))
	}
	slices.SortFunc(dks, bytes.Compare)
	all, err := ss.s.summariesIn(tx, dks)
	if err != nil {
		return nil, err
	}
	// As on the op-log store: by the summary's own team.
	return slices.DeleteFunc(all, func(sm store.Summary) bool { return !inTeams(u, sm.Team) && !shared[sm.ID] }), nil
}

// Client opens a dossier of the user's teams. The first opening in the
// session is written to the audit log before the dossier is read.
func (ss *Session) Client(id string) (*store.Client, error) {
	if err := ss.checkRead(id); err != nil {
		return nil, err
	}
	if err := ss.auditOpen(id); err != nil {
		return nil, err
	}
	if ss.st == nil {
		return ss.s.client(id)
	}
	return ss.s.st.Client(id)
}

func (ss *Session) auditOpen(id string) error {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.opened[id] {
		return nil
	}
	err := ss.s.db.Update(func(tx Tx) error {
		return audit(tx, AuditEntry{Time: ss.s.now().UTC(), Channel: ss.channel, User: ss.user,
			Action: ActionOpen, Dossier: id, Detail: "session " + ss.id})
	})
	if err != nil {
		return fmt.Errorf("audit opening %s: %w", id, err)
	}
	ss.opened[id] = true
	return nil
}

// Heads returns the heads of a field of a dossier the user sees.
func (ss *Session) Heads(dossier, field string) ([]store.Head, error) {
	if err := ss.checkRead(dossier); err != nil {
		return nil, err
	}
	if err := ss.auditOpen(dossier); err != nil { // reading a field is reading the dossier (once per session)
		return nil, err
	}
	if ss.st == nil {
		var hs []store.Head
		err := ss.s.db.View(func(tx Tx) (err error) {
			hs, err = tx.Heads(dossier, field)
			return err
		})
		return hs, err
	}
	return ss.s.st.Heads(dossier, field)
}

// The writes go through the hooked store view; the hook refuses what the
// user may not do and rolls the whole action back.

func (ss *Session) Commit(dossier string, changes ...store.Change) ([]store.Op, error) {
	if ss.st == nil {
		ops, err := ss.s.commit(ss.user, ss.hook, dossier, changes...)
		return ops, ss.failed(err)
	}
	ops, err := ss.st.Commit(dossier, changes...)
	return ops, ss.failed(err)
}

func (ss *Session) CreateClient(n store.NewClient) (string, error) {
	if ss.st == nil {
		if err := n.Check(); err != nil {
			return "", ss.failed(err)
		}
		id := store.NewID()
		if _, err := ss.s.commit(ss.user, ss.hook, id, n.Changes()...); err != nil {
			return "", ss.failed(fmt.Errorf("create client: %w", err))
		}
		return id, nil
	}
	id, err := ss.st.CreateClient(n)
	return id, ss.failed(err)
}

func (ss *Session) ToggleCheck(dossier string, step int, item string) (store.Op, error) {
	if ss.st == nil {
		field := store.FieldCheck(step, item)
		var op store.Op
		err := ss.s.db.Update(func(tx Tx) error {
			if err := store.CheckID(dossier); err != nil {
				return err
			}
			hs, err := tx.Heads(dossier, field)
			if err != nil {
				return err
			}
			ops, err := ss.s.commitIn(tx, ss.user, ss.hook, dossier, []store.Change{store.ToggleChange(field, hs)})
			if err == nil && len(ops) == 1 {
				op = ops[0]
			}
			return err
		})
		if err != nil {
			return store.Op{}, ss.failed(fmt.Errorf("toggle %s: %w", field, err))
		}
		return op, nil
	}
	op, err := ss.st.ToggleCheck(dossier, step, item)
	return op, ss.failed(err)
}

func (ss *Session) AddEntity(dossier, kind string, fields map[string]string) (string, error) {
	if ss.st == nil {
		id := store.NewID()
		changes, err := store.EntityChanges(kind, id, fields)
		if err != nil {
			return "", ss.failed(err)
		}
		if _, err := ss.s.commit(ss.user, ss.hook, dossier, changes...); err != nil {
			return "", ss.failed(fmt.Errorf("add %s: %w", kind, err))
		}
		return id, nil
	}
	id, err := ss.st.AddEntity(dossier, kind, fields)
	return id, ss.failed(err)
}

func (ss *Session) RemoveEntity(dossier, kind, id string) error {
	if ss.st == nil {
		return ss.failed(ss.setExists(dossier, kind, id, false))
	}
	return ss.failed(ss.st.RemoveEntity(dossier, kind, id))
}

func (ss *Session) RestoreEntity(dossier, kind, id string) error {
	if ss.st == nil {
		return ss.failed(ss.setExists(dossier, kind, id, true))
	}
	return ss.failed(ss.st.RestoreEntity(dossier, kind, id))
}

// setExists is store.Store's RemoveEntity and RestoreEntity through the
// storage: the dossier read and the change made in one transaction.
func (ss *Session) setExists(dossier, kind, id string, exists bool) error {
	return ss.s.db.Update(func(tx Tx) error {
		var c *store.Client
		if kind == store.EntityMove {
			var err error
			if c, err = ss.s.clientIn(tx, dossier); err != nil {
				return err
			}
		}
		_, err := ss.s.commitIn(tx, ss.user, ss.hook, dossier, store.ExistsChanges(c, kind, id, exists))
		return err
	})
}

func (ss *Session) RecordMove(dossier string, to []store.Place, date, reason string) (string, error) {
	return ss.RecordMoveEmployer(dossier, to, date, reason, "")
}

// recordMove is store.Store.RecordMoveEmployer through the storage: the
// dossier read and the move made in one transaction.
func (ss *Session) recordMove(dossier string, to []store.Place, date, reason, employer string) (string, error) {
	if err := store.CheckMoveEmployer(to, employer); err != nil {
		return "", fmt.Errorf("record move: %w", err)
	}
	id := store.NewID()
	err := ss.s.db.Update(func(tx Tx) error {
		c, err := ss.s.clientIn(tx, dossier)
		if err != nil {
			return err
		}
		changes, err := store.MoveChanges(c, id, to, date, reason, employer)
		if err != nil {
			return err
		}
		if _, err := ss.s.commitIn(tx, ss.user, ss.hook, dossier, changes); err != nil {
			return fmt.Errorf("record move: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

func (ss *Session) Resolve(dossier, field, value string) error {
	if ss.st == nil {
		if _, err := ss.s.commit(ss.user, ss.hook, dossier, store.Set(field, value)); err != nil {
			return ss.failed(fmt.Errorf("resolve %s: %w", field, err))
		}
		return nil
	}
	return ss.failed(ss.st.Resolve(dossier, field, value))
}

// failed passes err on; a rolled-back write may have bumped nothing it
// should not, but the view cache is told anyway, as for a failed sync
// (viewcache.go).
func (ss *Session) failed(err error) error {
	if err != nil {
		ss.s.views.bump()
	}
	return err
}

// RefusedPerDossier counts, per dossier of the user's teams, the ops
// devices pushed for it that the server refused in the last refusalWindow.
func (ss *Session) RefusedPerDossier() (map[string]int, error) {
	out := map[string]int{}
	err := ss.s.db.View(func(tx Tx) error {
		u, err := ss.active(tx)
		if err != nil {
			return err
		}
		since := ss.s.now().Add(-refusalWindow)
		return eachRefusal(tx, func(dossier string, r refusalRecord) {
			if r.time.After(since) && ss.sees(tx, u, dossier) {
				out[dossier]++
			}
		})
	})
	return out, err
}

// hook checks the ops of one action of the session and records them as a
// push does: access by team, the sign-off rule, the bound on a field's
// heads, a sequence number per op, the team index, and one audit record
// per dossier. It runs in the action's transaction; an error rolls the
// action back.
func (ss *Session) hook(tx Tx, ops []store.Op) error {
	u, err := ss.active(tx)
	if err != nil {
		return err
	}
	if !mayWrite(u.Role) {
		return fmt.Errorf("%w: the role %s does not change dossiers", ErrForbidden, u.Role)
	}
	// The one policy judges each op (policy.go), as it judges a push.
	// The store applied the ops already: a dossier existed before them
	// when the log holds ops of it other than theirs.
	mine := map[string]bool{}
	for _, op := range ops {
		mine[string(dkey(op.ID))] = true
	}
	existed := func(dossier string) bool {
		other := false
		_, err := tx.DossierJSON(dkey(dossier), func(k []byte) bool {
			other = other || !mine[string(k[16:])]
			return false
		}, nil)
		return err == nil && other
	}
	now := ss.s.now().UTC()
	actor := opActor{user: u}
	batch := newOpBatch(tx, actor, ops, func(int) bool { return false }, store.ClockBound(now), true, existed)
	for _, op := range ops {
		v, err := judgeOp(batch, actor, op, now)
		if err != nil {
			return err
		}
		if r := v.refusal; r != nil {
			return &RefusedError{Refusal: *r}
		}
	}
	fields := map[string][]string{}
	var order, sharedIn []string
	// These numbers bypass the index of recent ops (recent.go).
	ss.s.recent.invalidate()
	for _, op := range ops {
		if _, err := assignSeq(tx, op); err != nil {
			return err
		}
		if op.Field == "team" {
			if err := ss.s.reindexTeam(tx, op.Dossier); err != nil {
				return err
			}
		}
		if isShareField(op.Field) && !slices.Contains(sharedIn, op.Dossier) {
			sharedIn = append(sharedIn, op.Dossier)
		}
		if _, ok := fields[op.Dossier]; !ok {
			order = append(order, op.Dossier)
		}
		fields[op.Dossier] = append(fields[op.Dossier], op.Field)
	}
	for _, d := range sharedIn {
		if err := ss.s.reindexShares(tx, d); err != nil {
			return err
		}
	}
	for _, d := range order {
		if err := audit(tx, AuditEntry{Time: ss.s.now().UTC(), Channel: ss.channel, User: u.Name,
			Action: ActionChange, Dossier: d, Detail: fieldList(fields[d]) + "; session " + ss.id}); err != nil {
			return err
		}
	}
	return nil
}

// signOffRule refuses a step sign-off by anyone but a coordinator, and a
// change to a signed-off step's status (one that names the signed-off head
// as seen) by anyone but a coordinator: signing off is the coordinator's
// part of the method (DOMAIN.md). Concurrent changes that did not see the
// sign-off are left to the merge rule.
func signOffRule(tx Tx, u User, op store.Op) *protocol.Refusal {
	if u.Role == protocol.RoleCoordinator || !isStepStatus(op.Field) {
		return nil
	}
	if op.Value == string(store.StepSignedOff) {
		r := refuse(op, protocol.RefuseForbidden, fmt.Sprintf("only a coordinator signs off a step; %s is %s", u.Name, u.Role))
		return &r
	}
	if len(op.Prev) == 0 {
		return nil
	}
	for _, p := range op.Prev {
		prev, err := tx.Op(op.Dossier, p)
		if err == nil && prev.Value == string(store.StepSignedOff) {
			r := refuse(op, protocol.RefuseForbidden, "the step was signed off; only a coordinator can reopen it")
			return &r
		}
	}
	return nil
}

// isStepStatus reports whether field is step/N/status.
func isStepStatus(field string) bool {
	rest, ok := strings.CutPrefix(field, "step/")
	if !ok {
		return false
	}
	n, tail, ok := strings.Cut(rest, "/")
	return ok && tail == "status" && n != "" && strings.Trim(n, "0123456789") == ""
}

// ActionReport is the audit action of a flow report read in a session: it
// holds counts of the user's teams, not dossiers.
const ActionReport = "report"

// FlowReport counts the flow of the user's teams only. A query without
// teams means all of the user's teams; one naming teams is cut down to
// those of the user's, and one naming none of them is refused. The report
// is audited (without dossiers).
func (ss *Session) FlowReport(q store.FlowQuery) (store.FlowReport, error) {
	u, err := ss.User()
	if err != nil {
		return store.FlowReport{}, err
	}
	if u.Disabled || !mayRead(u.Role) {
		return store.FlowReport{}, &NotYoursError{User: u.Name, NoDossiers: true}
	}
	teams := u.Teams
	if len(q.Teams) > 0 {
		teams = slices.DeleteFunc(slices.Clone(q.Teams), func(t string) bool { return !inTeams(u, t) })
	}
	if len(teams) == 0 {
		return store.FlowReport{}, &NotYoursError{User: u.Name, Yours: slices.Clone(u.Teams)}
	}
	q.Teams = teams
	var r store.FlowReport
	if st, serr := ss.s.opStore(); serr == nil {
		r, err = st.FlowReport(q)
	} else {
		// The dossiers of all the user's teams: the report's known teams
		// are those of them that have dossiers, as below.
		err = ss.s.db.View(func(tx Tx) (err error) {
			r, err = store.FlowReportOf(q, ss.s.teamSource(tx, u.Teams))
			return err
		})
	}
	if err != nil {
		return r, err
	}
	r.KnownTeams = slices.DeleteFunc(r.KnownTeams, func(t string) bool { return !inTeams(u, t) })
	err = ss.s.db.Update(func(tx Tx) error {
		return audit(tx, AuditEntry{Time: ss.s.now().UTC(), Channel: ss.channel, User: u.Name, Action: ActionReport,
			Detail: fmt.Sprintf("flow %s..%s teams %s; session %s", q.From, q.To, strings.Join(teams, ", "), ss.id)})
	})
	return r, err
}
