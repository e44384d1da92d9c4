package server

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/storage"
)

// View entry states (storage.ViewEntry: state + seq). An entry records what a
// device was told about a dossier and the cursor of the response that told
// it; the device confirms by sending a cursor at least that high. Until it
// does, the server repeats itself, so a lost response loses nothing
// (docs/sync.md, "Transactions").
const (
	viewIn     byte = 'i' // the dossier's history was sent
	viewDrop   byte = 'd' // the device was told to drop it
	viewErased byte = 'e' // the device was told to erase it
)

// unconfirmed is the seq of a view entry whose response the device is
// known not to have applied: it came back with a cursor below the entry's
// number (it was killed before it stored the pages it had, a response was
// lost, the server died before answering). The number alone would be
// confirmed by any later cursor at least as high, which the device reaches
// with other responses, and the dossier would count as held though it
// never arrived; an entry marked so is confirmed by no cursor and is told
// again (sent whole, dropped, erased) with a fresh number.
const unconfirmed = ^uint64(0)

// lastSeenEvery is how often a device's last-seen time is written: at most
// once per interval, so that a device syncing often does not rewrite its
// record each time (docs/sync.md, "One sync").
const lastSeenEvery = time.Minute

// syncResult is what one sync did, for metrics and logs.
type syncResult struct {
	stored   int
	refusals map[string]int
}

// refuse builds a refusal.
func refuse(op store.Op, code, reason string) protocol.Refusal {
	return protocol.Refusal{ID: op.ID, Code: code, Reason: reason}
}

// precheck checks an op's shape and method fields outside the write
// transaction; it returns a refusal or nil.
func (s *Server) precheck(op store.Op) *protocol.Refusal {
	if err := checkPrintable(op); err != nil {
		r := refuse(op, protocol.RefuseInvalid, err.Error())
		return &r
	}
	if err := store.ValidateOp(op, nil); err != nil {
		r := refuse(op, protocol.RefuseInvalid, err.Error())
		return &r
	}
	if err := store.ValidateOp(op, s.method); err != nil {
		r := refuse(op, protocol.RefuseMethod, err.Error())
		return &r
	}
	return nil
}

// answer is a sync response as the server builds it: the pulled ops are
// kept as their JSON (store.Tx.OpJSON, built from the binary log) and
// written out as they are, so a pull never runs encoding/json on an op
// (answer.go).
type answer struct {
	protocol.SyncResponse // Ops stays empty; see ops
	ops                   [][]byte
	// hist follows ops: the histories of dossiers that came into view,
	// decoded from the log (storage.OpsReader) when the device takes
	// compact pages (compact), which need the ops and not their JSON.
	hist    []store.Op
	compact bool
	// dec, when not empty, holds ops's ops decoded, index for index (nil
	// where not): a settled pull's catch-up from the index of recent ops
	// (recentOp.dec), which a compact page then need not decode again.
	dec []*store.Op

	// settled, when not nil, is the device's view after this sync, for
	// the view cache once the transaction committed; written goes with it
	// (viewcache.go).
	settled *settledView
	written uint64
	// held, when not nil, is the device's view after this sync, for the
	// next page of its pull (viewcache.go, heldView).
	held *heldView

	// early, when not nil, is the answer already written into memory
	// while its group committed (preparedAnswer); it is sent as it is.
	early *preparedAnswer

	// methodJSON, when not nil, is MethodFile's JSON (methodWire).
	methodJSON []byte

	// who is the user's role and organisations for the sync's audit
	// records, worked out once (syncWho).
	who syncWho
}

// syncWho is whoIs of a sync's user, worked out at the first audit record
// of the sync that needs it and kept for the others (a change record per
// dossier pushed, a delivery record, drop records): nothing a sync does
// changes users, teams or organisations, so every record of the sync got
// the same answer from whoIs, which read the user, the memberships and
// every team (some 3.5 ms of the 200-device burst when done twice a sync).
type syncWho struct {
	done      bool
	role, org string
}

func (w *syncWho) of(tx Tx, u User) (role, org string) {
	if !w.done {
		w.role, w.org = whoIs(tx, u.Name)
		w.done = true
	}
	return w.role, w.org
}

// count is the number of ops in the answer.
func (a *answer) count() int { return len(a.ops) + len(a.hist) }

// doSync runs one sync round trip for the device with token: push, then
// pull, in one write transaction with the audit records of both, which it
// may share with concurrent syncs (group.go). prepare, when not nil,
// writes an answer into memory; doSync has it run while the sync's group
// commits, when the group commit can (answer.early), since the answer is
// whole once the sync's function ran.
func (s *Server) doSync(token string, req protocol.SyncRequest, info *reqInfo, prepare func(a *answer, solo bool) *preparedAnswer) (*answer, syncResult, error) {
	out := answer{compact: info.compact}
	resp := &out.SyncResponse
	res := syncResult{refusals: map[string]int{}}
	// Checking and encoding the pushed ops needs no transaction: it is done
	// here, in the request's own goroutine, not in the shared transaction
	// every sync of a group waits for.
	pre := make([]*protocol.Refusal, len(req.Push))
	raws := make([][]byte, len(req.Push))
	decs := make([]*store.Op, len(req.Push))
	// The ops' JSON, as json.Marshal makes it (store.AppendOpJSON), in
	// one buffer for the push; each op's is capped, so none grows into
	// the next.
	var buf []byte
	if n := len(req.Push); n > 0 {
		size := 0
		for _, op := range req.Push {
			size += 96 + len(op.ID) + len(op.Dossier) + len(op.Field) + len(op.Value) + len(op.Device) + len(op.Author) + 40*len(op.Prev)
		}
		buf = make([]byte, 0, size)
	}
	for i, op := range req.Push {
		if pre[i] = s.precheck(op); pre[i] == nil {
			start := len(buf)
			buf = store.AppendOpJSON(buf, &req.Push[i])
			raw := buf[start:len(buf):len(buf)]
			raws[i] = raw
			// The op as a compact page reads it back from its JSON, for
			// the index of recent ops (recentOp.dec).
			if dec, err := decodeOpJSON(raw); err == nil {
				decs[i] = &dec
			}
		}
	}
	limit := req.Limit
	if limit == 0 {
		limit = protocol.DefaultPullOps
	}
	// Erasures a device reports after a restore are made again first, so
	// the pull below never sends what they erase (epoch.go).
	if len(req.Erased) > 0 {
		if _, err := s.reErase(token, req.Erased); err != nil {
			if errors.Is(err, ErrUnauthorized) {
				s.recordTokenRefused(s.tokenDevice(token), info.remote)
			}
			return &out, res, err
		}
	}
	behind := s.behind(req.Epoch, req.Cursor)
	var authErr error
	var deviceID string
	var refusedDev Device
	var prep func(bool)
	if prepare != nil {
		// Run after the function below, never at the same time
		// (groupCommitter.runPrepared); the function's next run starts
		// with a fresh answer, early nil.
		prep = func(solo bool) {
			if authErr == nil {
				s.completeAnswer(&out, req.MethodHash)
				out.early = prepare(&out, solo)
			}
		}
	}
	err := s.group.runPrepared(s.db, syncPrefetch(token, req.Push, pre), func(tx Tx) error {
		out, res, authErr = answer{compact: info.compact}, syncResult{refusals: map[string]int{}}, nil
		d, u, err := authenticate(tx, token)
		if err != nil {
			// Nothing written yet: fail this sync alone, not its group.
			authErr, refusedDev = err, d
			return nil
		}
		info.user, deviceID = u.Name, d.ID
		if now := s.now().UTC(); now.Sub(d.LastSeen) >= lastSeenEvery || now.Before(d.LastSeen) {
			d.LastSeen = now
			if err := tx.PutDevice(d); err != nil {
				return err
			}
		}
		resp.Teams = slices.Sorted(slices.Values(u.Teams))
		resp.ServerTime = s.now().UTC()
		// Receipts first: they are about answers the device applied
		// before, whatever this one says (receipts.go).
		if len(req.ConfirmErased)+len(req.ConfirmDropped) > 0 {
			if err := s.confirm(tx, d, u, req.ConfirmErased, req.ConfirmDropped); err != nil {
				return err
			}
		}
		if s.processes.shared.Load() {
			// Another process's epoch is known only to the storage
			// (processes.go).
			if behind, err = s.behindShared(tx, req.Epoch, req.Cursor); err != nil {
				return err
			}
		}
		if behind {
			// The file lacks part of what this device saw: it was
			// restored from a backup. Nothing of this answer would be
			// right; the device resends and pulls again from 0.
			resp.Resend = true
			s.log.Warn("device is ahead of the server's file (restored from a backup?): asked to resend", "device", d.ID, "epoch", req.Epoch)
			return nil
		}
		pushed, err := s.push(tx, d, u, req.Push, pre, pushedOps{raws, decs, &out.who}, resp, &res)
		if err != nil {
			return err
		}
		skip := make(map[string]bool, len(pushed))
		for id := range pushed {
			skip[string(dkey(id))] = true
		}
		return s.pull(tx, d, u, req.Cursor, limit, skip, &out)
	}, func() {
		if out.settled != nil {
			s.views.settle(deviceID, *out.settled, out.written)
		}
		if out.held != nil {
			s.views.keepHeld(deviceID, *out.held)
		}
	}, prep)
	if err == nil {
		err = authErr
	}
	if errors.Is(authErr, ErrUnauthorized) {
		// A lost laptop's token, or someone trying tokens: the admin
		// should see both. Recorded after the shared transaction, in
		// its own, and rate-limited: anyone can send these.
		s.recordTokenRefused(refusedDev, info.remote)
	}
	s.completeAnswer(&out, req.MethodHash)
	return &out, res, err
}

// completeAnswer sets what every answer carries besides the
// transaction's outcome: the epoch and the region's method. The region's
// method goes to its laptops with sync; its file only to a device that
// holds another one (docs/sync.md).
func (s *Server) completeAnswer(out *answer, methodHash string) {
	out.Epoch = s.epochs.current
	if s.methodInfo != nil {
		out.Method = s.methodInfo
		if methodHash != s.methodInfo.Hash {
			out.MethodFile = s.methodFile
			out.methodJSON = s.methodWire.jsonOf(&out.SyncResponse)
		}
	}
}

// pushedOps are a push's ops as doSync prepared them outside the
// transaction, index for index: their JSON, and the ops decoded back from
// it (nil where that failed).
type pushedOps struct {
	raws [][]byte
	decs []*store.Op
	who  *syncWho // the sync's, for its audit records
}

// push stores the acceptable ops of a push and reports every op as
// accepted or refused. It returns the ids it accepted, which the pull
// then does not echo back.
func (s *Server) push(tx Tx, d Device, u User, ops []store.Op, pre []*protocol.Refusal, prep pushedOps, resp *protocol.SyncResponse, res *syncResult) (map[string]bool, error) {
	raws := prep.raws
	accepted := map[string]bool{}
	if len(ops) == 0 {
		return accepted, nil
	}
	var failed error
	refusedIn := map[string]bool{} // dossiers named by refused ops, for the audit record
	reject := func(op store.Op, r protocol.Refusal) {
		resp.Refused = append(resp.Refused, r)
		res.refusals[r.Code]++
		if store.ValidID(op.Dossier) {
			refusedIn[op.Dossier] = true
		}
		if err := recordRefusal(tx, op, r.Code, s.now()); err != nil && failed == nil {
			failed = err
		}
	}
	if err := bindReplica(tx, &d, u, ops, pre); err != nil {
		return nil, err
	}
	if p, ok := tx.(storage.OpDossierPrefetcher); ok {
		// The policy asks OpDossier of each op (idElsewhere): on a
		// backend that answers per round trip, read them all at once.
		keys := make([]string, 0, len(ops))
		for i, op := range ops {
			if pre[i] == nil && store.ValidID(op.ID) {
				keys = append(keys, string(dkey(op.ID)))
			}
		}
		if err := p.PrefetchOpDossiers(keys); err != nil {
			return nil, err
		}
	}
	// The one policy judges each op (policy.go), as it judges an SSH
	// session's writes.
	now := s.now().UTC()
	actor := opActor{user: u, replica: d.Replica}
	batch := newOpBatch(tx, actor, ops, func(i int) bool { return pre[i] != nil }, store.ClockBound(now), false, nil)
	bounded, _ := tx.(boundedApplier)
	batch.headsLater = bounded != nil
	if e, ok := tx.(headsExpecter); ok {
		// Each apply reads its field's heads: on the bbolt file the
		// first read of a dossier's then reads them all at once.
		byDossier := map[string][]string{}
		for i, op := range ops {
			if pre[i] == nil {
				byDossier[op.Dossier] = append(byDossier[op.Dossier], op.Field)
			}
		}
		for dossier, fields := range byDossier {
			e.ExpectHeads(dossier, fields)
		}
	}
	// Only ops that passed precheck are judged (pre[i] == nil).
	batch.prechecked = true
	changed := map[string][]string{} // dossier -> fields of stored ops
	var order []string
	var stored []storedOp
	shared := map[string]bool{} // dossiers whose shares the push changed
	for i, op := range ops {
		if pre[i] != nil {
			reject(op, *pre[i])
			continue
		}
		v, err := judgeOp(batch, actor, op, now)
		if err != nil {
			return nil, err
		}
		if v.known {
			accepted[op.ID] = true
			resp.Accepted = append(resp.Accepted, op.ID)
			continue
		}
		if v.refusal != nil {
			reject(op, *v.refusal)
			continue
		}
		var isNew bool
		if bounded != nil {
			// The heads rule (headsRule) at the apply, from its one
			// read of the field's heads.
			isNew, err = bounded.ApplyJSONBounded(op, raws[i], protocol.MaxFieldHeads)
			var hb *store.HeadsBoundError
			if errors.As(err, &hb) {
				reject(op, headsRefusal(op, hb.Before))
				continue
			}
		} else {
			isNew, err = tx.ApplyJSON(op, raws[i]) // checked and encoded by doSync
		}
		if errors.Is(err, store.ErrErased) {
			reject(op, refuse(op, protocol.RefuseErased, "the dossier was erased; it cannot be changed any more"))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store op %s: %w", op.ID, err)
		}
		accepted[op.ID] = true
		resp.Accepted = append(resp.Accepted, op.ID)
		if !isNew {
			continue
		}
		seq, err := assignSeq(tx, op)
		if err != nil {
			return nil, err
		}
		stored = append(stored, storedOp{seq, op, raws[i], prep.decs[i]})
		if op.Field == "team" {
			if err := s.reindexTeam(tx, op.Dossier); err != nil {
				return nil, fmt.Errorf("reindex team of %s: %w", op.Dossier, err)
			}
		}
		if isShareField(op.Field) {
			shared[op.Dossier] = true
		}
		if _, ok := changed[op.Dossier]; !ok {
			order = append(order, op.Dossier)
		}
		changed[op.Dossier] = append(changed[op.Dossier], op.Field)
		res.stored++
	}
	// The share index, once per dossier whose shares changed (shares.go).
	for dossier := range shared {
		if err := s.reindexShares(tx, dossier); err != nil {
			return nil, fmt.Errorf("reindex shares of %s: %w", dossier, err)
		}
	}
	// The device holds every dossier it wrote to, whether or not the server
	// ever sent it: record that (as confirmed), so that one it handed to
	// another team is dropped from it like any dossier leaving its view.
	for _, dossier := range order {
		dk := string(dkey(dossier))
		if _, ok := tx.View(d.ID, dk); !ok {
			s.views.forget(d.ID)
			if err := tx.PutView(d.ID, dk, storage.ViewEntry{State: viewIn}); err != nil {
				return nil, err
			}
		}
	}
	if failed != nil {
		return nil, fmt.Errorf("remember refusals: %w", failed)
	}
	if err := s.fileRecent(tx, stored); err != nil {
		return nil, err
	}
	role, org := "", ""
	if len(order) > 0 {
		role, org = prep.who.of(tx, u) // once for the sync's records, not per dossier
	}
	for _, dossier := range order {
		fields := changed[dossier]
		if err := audit(tx, AuditEntry{
			Time: s.now().UTC(), Channel: ChannelSync, User: u.Name, Role: role, Org: org, Device: d.ID,
			Action: ActionChange, Dossier: dossier, Detail: fieldList(fields),
		}); err != nil {
			return nil, err
		}
	}
	// One record for all the sync's refused ops: a coach's laptop that
	// tries another team's dossiers is seen, at the cost of one record.
	err := auditPushRefused(tx, AuditEntry{Time: s.now().UTC(), Channel: ChannelSync, User: u.Name, Device: d.ID}, res.refusals, refusedIn)
	if err != nil {
		return nil, err
	}
	return accepted, nil
}

// headsRule refuses an op that would give its field more than
// protocol.MaxFieldHeads heads (each up to a 64 KiB value, all kept and
// sent to every device of the team). An op that leaves the field with no
// more heads than it has, one that resolves a conflict by naming heads in
// prev, is always accepted.
func headsRule(tx Tx, op store.Op) (*protocol.Refusal, error) {
	before, err := tx.Heads(op.Dossier, op.Field)
	if err != nil {
		return nil, fmt.Errorf("heads of %s: %w", op.ID, err)
	}
	if len(before) < protocol.MaxFieldHeads {
		// An op adds at most itself as a head: the common case needs no
		// merge worked out.
		return nil, nil
	}
	after, err := tx.HeadsAfter(op)
	if err != nil {
		return nil, fmt.Errorf("heads of %s: %w", op.ID, err)
	}
	if len(after) <= protocol.MaxFieldHeads || len(after) <= len(before) {
		return nil, nil
	}
	r := headsRefusal(op, len(before))
	return &r, nil
}

// headsRefusal is headsRule's refusal of op, whose field holds before heads.
func headsRefusal(op store.Op, before int) protocol.Refusal {
	return refuse(op, protocol.RefuseHeads, fmt.Sprintf("the field %q already has %d conflicting values, the most the server keeps; resolve the conflict (an op naming them in prev) before adding another", op.Field, before))
}

// boundedApplier is a storage that applies an op under the heads rule
// from the one read of its field's heads (store.Tx.ApplyJSONBounded):
// the push then does not read them twice, once to judge and once to
// apply. An op over the bound is answered a *store.HeadsBoundError,
// nothing written.
type boundedApplier interface {
	ApplyJSONBounded(op store.Op, raw []byte, bound int) (bool, error)
}

// headsExpecter is a storage that reads the heads of several fields of a
// dossier at once when told beforehand (store.Tx.ExpectHeads).
type headsExpecter interface {
	ExpectHeads(dossier string, fields []string)
}

// stampText shows an op's stamp in a refusal: its time, or the number
// when the time is past what RFC 3339 writes.
func stampText(h store.HLC) string {
	if t := h.Time().UTC(); t.Year() < 9999 {
		return t.Format(time.RFC3339)
	}
	return fmt.Sprintf("%d", uint64(h))
}

// fieldList summarises the fields of a change for the audit log: field
// paths hold ids only, never content.
func fieldList(fields []string) string {
	uniq := slices.Compact(slices.Sorted(slices.Values(fields)))
	more := ""
	if len(uniq) > 20 {
		more = fmt.Sprintf(" and %d more", len(uniq)-20)
		uniq = uniq[:20]
	}
	return fmt.Sprintf("%d ops: %s%s", len(fields), strings.Join(uniq, ", "), more)
}

// assignSeq gives a newly stored op the next server sequence number and
// returns it, and files its id under its dossier (Sequence.NumberOp).
func assignSeq(tx Tx, op store.Op) (uint64, error) {
	return tx.NumberOp(op.ID, op.Dossier)
}

// storedOp is an op a push stored, with its number, its JSON and the op
// decoded from that JSON (pushedOps).
type storedOp struct {
	seq uint64
	op  store.Op
	raw []byte
	dec *store.Op
}

// fileRecent files the ops a push stored in the index of recent ops
// (recent.go), under the team their dossier is in after the push, with
// their JSON (what json.Marshal makes of them).
func (s *Server) fileRecent(tx Tx, stored []storedOp) error {
	teams := map[string]string{}
	for _, x := range stored {
		team, ok := teams[x.op.Dossier]
		if !ok {
			team = dossierTeam(tx, x.op.Dossier)
			teams[x.op.Dossier] = team
		}
		key := dkey(x.op.ID)
		s.recent.add(x.seq, string(key), string(dkey(x.op.Dossier)), team, x.raw, x.dec)
	}
	return nil
}

type viewEntry struct {
	state byte
	seq   uint64
}

// pull fills the response with what the device should receive after cursor
// (docs/sync.md, "Transactions"): first new ops of the dossiers it already
// holds, then, once it is caught up, the view changes: whole histories of
// dossiers that came into view (a snapshot of heads on a fresh device),
// dossiers to drop and dossiers to erase.
//
// skip holds the 16-byte keys of the ops the device has just pushed.
func (s *Server) pull(tx Tx, d Device, u User, cursor uint64, limit int, skip map[string]bool, out *answer) error {
	resp := &out.SyncResponse
	maxSeq := tx.LastSeq()
	if cursor > maxSeq {
		// A cursor from another server or a restored backup: start over;
		// applying ops twice is harmless.
		cursor = 0
	}
	delivered := map[string]int{} // dossier key -> ops sent
	gen := s.views.gen.Load()
	day := accessDay(s.now())
	if s.views.settled(d.ID, u, cursor, day) {
		// Nothing to change in the view: the device holds, confirmed,
		// exactly the dossiers it sees, so only new ops go out.
		holds := s.seer(tx, u, day)
		// The owning teams of dossiers shared with the user (after
		// u.Teams in recentTeams): only their entries of dossiers held.
		if recent, ok := s.recent.sinceHeld(cursor, s.recentTeams(tx, u, day), len(u.Teams), holds); ok && mayRead(u.Role) {
			s.catchUpRecent(recent, maxSeq, limit, holds, skip, out, delivered)
		} else {
			if err := s.catchUp(tx, cursor, maxSeq, limit, holds, skip, out, delivered); err != nil {
				return err
			}
		}
		if !resp.More {
			resp.Cursor = maxSeq
		}
		return s.auditDelivery(tx, d, u, delivered, &out.who)
	}
	vis := s.visible(tx, u, day)
	var demote []string
	hv, ok := s.views.takeHeld(d.ID, gen)
	have := hv.have
	// plan is what the last page left for this one when it still holds
	// (pullPlan): then nothing below walks the whole view.
	var plan *pullPlan
	if ok && hv.plan != nil && hv.plan.seq == cursor && hv.plan.day == day && hv.plan.access == accessKey(u) {
		plan = hv.plan
	}
	if ok && plan == nil {
		// The view as this device's last page left it (viewcache.go,
		// heldView), not read again.
		for dk, e := range have {
			if e.seq > cursor && e.seq != unconfirmed {
				demote = append(demote, dk)
			}
		}
	} else if !ok {
		have = map[string]viewEntry{}
		err := tx.DeviceViews(d.ID, func(dk string, v storage.ViewEntry) error {
			e := viewEntry{v.State, v.Seq}
			if e.seq > cursor && e.seq != unconfirmed {
				demote = append(demote, dk)
			}
			have[dk] = e
			return nil
		})
		if err != nil {
			return err
		}
	}
	// have is the device's view as this pull leaves it, for the next
	// page once the transaction committed (viewcache.go, heldView):
	// every write below goes into it too.
	out.held = &heldView{gen: gen, have: have}
	// A device's cursor moves only forward while it applies responses, so
	// entries numbered above the cursor it sends were told in responses
	// it does not hold: mark them so that no later cursor confirms them
	// (unconfirmed).
	if len(demote) > 0 {
		s.views.forget(d.ID)
	}
	for _, dk := range demote {
		e := have[dk]
		e.seq = unconfirmed
		have[dk] = e
		if err := tx.PutView(d.ID, dk, storage.ViewEntry{State: e.state, Seq: unconfirmed}); err != nil {
			return err
		}
	}

	// 1. New ops of dossiers the device holds and still sees.
	holds := func(dk string) bool {
		e, ok := have[dk]
		return ok && e.state == viewIn && e.seq <= cursor && vis[dk]
	}
	held := false
	for _, e := range have {
		if e.state == viewIn {
			held = true
			break
		}
	}
	// A device that holds nothing (a fresh one) takes nothing here, nor
	// does one whose cursor is the last number (the next page of a pull
	// whose page took it): no need to walk the log.
	if held && cursor < maxSeq {
		if err := s.catchUp(tx, cursor, maxSeq, limit, holds, skip, out, delivered); err != nil {
			return err
		}
	}
	if resp.More {
		out.held.written = s.views.written(d.ID)
		return s.auditDelivery(tx, d, u, delivered, &out.who)
	}

	// 2. View changes, once the device is caught up.
	batch, _ := tx.(storage.PullBatcher)
	var add, drop, erase, forget []string
	var ordered int // add[:ordered] are in order
	if plan != nil {
		// The last page's dossiers still to add, and what it dropped
		// or erased, now confirmed by the cursor: all the walk below
		// would find (pullPlan).
		add, ordered, forget = plan.rest, plan.ordered, plan.forget
		s.views.planned()
	} else {
		var err error
		add, drop, erase, forget, err = s.viewChanges(tx, batch, have, vis, cursor)
		if err != nil {
			return err
		}
		// Dossiers to add go oldest first (UUIDv7 keys), in the same
		// order on every page. A page reaches a hundred or so of an
		// initial pull's thousands, so only add[:ordered] is put in
		// order, a chunk at a time as the page reaches it (inOrder):
		// sorting all of add on every page cost 0.04-0.16 s of a
		// 10,000-client pull.
		ordered = inOrder(add, 0, addChunk)
	}
	sort.Strings(drop)
	sort.Strings(erase)
	var sent []string
	var hist history
	fetched := 0     // add[:fetched] are prefetched (batch)
	next := len(add) // add[next:] are left for the next page
	start := out.count()
	if _, ok := tx.(storage.OpsReader); ok && out.compact && len(add) > 0 {
		// Room for the page's ops, decoded (history.append), at once, not
		// by doubling (a page of 10,000 ops is over a megabyte): about
		// 75 ops a dossier in the demo region's snapshots, and a page's
		// last dossier may go past the limit.
		out.hist = slices.Grow(out.hist, max(min(limit-start, 100*len(add), protocol.MaxPullOps), 0)+256)
	}
	for i := 0; i < len(add); i++ {
		if out.count() >= limit {
			resp.More = true
			next = i
			break
		}
		if i == ordered {
			ordered = inOrder(add, ordered, addChunk)
		}
		dk := add[i]
		if batch != nil && i == fetched {
			// Read the next dossiers' histories at once: about as many
			// as the page still has room for, going by the dossiers
			// sent so far (a few more are read than sent at the end of
			// a page).
			n := 32
			if i > 0 {
				per := max((out.count()-start)/i, 1)
				n = min(max((limit-out.count())/per+1, 1), 256)
			}
			fetched = min(i+n, len(add))
			if fetched > ordered {
				ordered = inOrder(add, ordered, max(fetched-ordered, addChunk))
			}
			if err := batch.PrefetchHistories(add[i:fetched], cursor == 0); err != nil {
				return err
			}
		}
		n := out.count()
		if err := hist.append(tx, []byte(dk), cursor == 0, skip, out); err != nil {
			return err
		}
		if n < out.count() {
			delivered[dk] += out.count() - n
		}
		sent = append(sent, dk)
	}
	resp.Cursor = maxSeq
	var settledSeq uint64 // the highest number of the view's entries after this sync
	if plan != nil {
		settledSeq = plan.seq // the last page's entries, the highest since
	} else {
		for _, e := range have {
			if e.state == viewIn && e.seq != unconfirmed {
				settledSeq = max(settledSeq, e.seq)
			}
		}
	}
	if len(sent)+len(drop)+len(erase)+len(forget) > 0 {
		s.views.forget(d.ID)
	}
	if len(sent)+len(drop)+len(erase) > 0 {
		// A fresh number for this response, so the device's next cursor
		// confirms exactly these view changes.
		seq, err := tx.NextSeq()
		if err != nil {
			return err
		}
		resp.Cursor, settledSeq = seq, seq
		put := func(dk string, state byte) error {
			return tx.PutView(d.ID, dk, storage.ViewEntry{State: state, Seq: seq})
		}
		for _, dk := range sent {
			have[dk] = viewEntry{viewIn, seq}
		}
		for _, dk := range drop {
			have[dk] = viewEntry{viewDrop, seq}
		}
		for _, dk := range erase {
			have[dk] = viewEntry{viewErased, seq}
		}
		if batch != nil && len(sent) > 0 {
			// The same writes as below, one statement each.
			if err := batch.PutViews(d.ID, sent, storage.ViewEntry{State: viewIn, Seq: seq}); err != nil {
				return err
			}
			if err := batch.DeleteReceipts(d.ID, sent); err != nil {
				return err
			}
		} else {
			for _, dk := range sent {
				if err := put(dk, viewIn); err != nil {
					return err
				}
				if err := forgetReceipt(tx, []byte(dk), d.ID); err != nil {
					return err
				}
			}
		}
		for _, dk := range drop {
			resp.Drop = append(resp.Drop, idString([]byte(dk)))
			if err := put(dk, viewDrop); err != nil {
				return err
			}
			role, org := out.who.of(tx, u)
			if err := audit(tx, AuditEntry{Time: s.now().UTC(), Channel: ChannelSync, User: u.Name, Role: role, Org: org, Device: d.ID, Action: ActionDrop, Dossier: idString([]byte(dk))}); err != nil {
				return err
			}
		}
		for _, dk := range erase {
			id := idString([]byte(dk))
			resp.Erased = append(resp.Erased, id)
			if resp.Receipts == nil {
				resp.Receipts = map[string]string{}
			}
			resp.Receipts[id] = s.receipt(id)
			if err := put(dk, viewErased); err != nil {
				return err
			}
		}
	}
	for _, dk := range forget {
		if err := tx.DeleteView(d.ID, dk); err != nil {
			return err
		}
		delete(have, dk)
	}
	out.held.written = s.views.written(d.ID)
	if resp.More && len(sent) > 0 {
		// What the next page would find walking the view again, as long
		// as nothing changes what the device sees (pullPlan). The rest
		// is put in order once, not a chunk a page.
		rest := add[next:]
		if o := max(ordered-next, 0); o < len(rest) {
			slices.Sort(rest[o:])
		}
		out.held.plan = &pullPlan{seq: resp.Cursor, day: day, access: accessKey(u), rest: rest, ordered: len(rest),
			forget: slices.Concat(drop, erase)}
	}
	if len(drop)+len(erase) == 0 && !resp.More {
		// Every dossier the device sees is now in its view, and nothing
		// else is: the next syncs can skip working the view out.
		out.settled = &settledView{gen: gen, day: day, access: accessKey(u), maxSeq: settledSeq}
		out.written = s.views.written(d.ID)
		out.held = nil // the next sync skips the view (settled)
	}
	return s.auditDelivery(tx, d, u, delivered, &out.who)
}

// viewChanges works out, from the device's whole view (have) and the
// dossiers the user sees now (vis), the view changes a page of a pull
// makes: dossiers to add (unordered), to drop, to tell erased, and
// entries to forget (their drop or erasure confirmed by cursor).
func (s *Server) viewChanges(tx Tx, batch storage.PullBatcher, have map[string]viewEntry, vis map[string]bool, cursor uint64) (add, drop, erase, forget []string, err error) {
	erased := func(dk string) bool { return tx.Erased(idString([]byte(dk))) }
	if batch != nil {
		// Which of the dossiers held are erased: one question, not one
		// per dossier.
		var held []string
		for dk, e := range have {
			if e.state == viewIn {
				held = append(held, dk)
			}
		}
		gone, err := batch.ErasedAmong(held)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		erased = func(dk string) bool { return gone[dk] }
	}
	for dk, e := range have {
		switch {
		case e.state == viewIn && erased(dk):
			erase = append(erase, dk)
		case e.state == viewIn && !vis[dk]:
			drop = append(drop, dk)
		case e.state == viewIn && e.seq > cursor:
			add = append(add, dk) // sent, never confirmed: send again
		case e.state == viewDrop && vis[dk]:
			add = append(add, dk)
		case e.state == viewDrop && e.seq > cursor:
			drop = append(drop, dk)
		case e.state == viewErased && e.seq > cursor:
			erase = append(erase, dk)
		case e.state != viewIn:
			forget = append(forget, dk)
		}
	}
	for dk := range vis {
		if _, ok := have[dk]; !ok {
			add = append(add, dk)
		}
	}
	return add, drop, erase, forget, nil
}

// catchUp is phase 1 of a pull: the ops numbered after cursor of the
// dossiers the device holds (holds, given 16-byte keys in string form),
// in order, up to limit; when the page fills before maxSeq it sets More
// and the cursor of the last op sent.
func (s *Server) catchUp(tx Tx, cursor, maxSeq uint64, limit int, holds func(string) bool, skip map[string]bool, out *answer, delivered map[string]int) error {
	key := make([]byte, 0, 32)
	return tx.OpsAfter(cursor, func(seq uint64, op, dossier []byte) (bool, error) {
		if !holds(string(dossier)) || skip[string(op)] {
			return true, nil
		}
		raw, err := tx.OpJSON(append(append(key[:0], dossier...), op...))
		if errors.Is(err, store.ErrNotFound) {
			return true, nil // erased, its number not yet (Admin.Erase)
		}
		if err != nil {
			return false, fmt.Errorf("read op %s: %w", idString(op), err)
		}
		out.ops = append(out.ops, raw)
		delivered[string(dossier)]++
		if len(out.ops) >= limit {
			if seq < maxSeq {
				out.Cursor, out.More = seq, true
			}
			return false, nil
		}
		return true, nil
	})
}

// catchUpRecent is catchUp for a settled device, from the index of recent
// ops (recent.go): entries are those filed under the device's teams after
// its cursor, in order. The index files an op under the team its dossier
// had when the op was stored, which may not be its team now: every entry
// is judged again by holds (the dossier's team now, in this transaction),
// so an answer never holds an op of a dossier the device may not see,
// whatever cursor it sends.
func (s *Server) catchUpRecent(entries []recentOp, maxSeq uint64, limit int, holds func(string) bool, skip map[string]bool, out *answer, delivered map[string]int) {
	// Room for the answer at once, not grown op by op (most entries are
	// of the device's own team, which it holds).
	n := min(len(entries), limit)
	out.ops, out.dec = slices.Grow(out.ops, n), slices.Grow(out.dec, n)
	for _, e := range entries {
		if skip[e.op] || !holds(e.dossier) {
			continue
		}
		out.ops = append(out.ops, e.json)
		out.dec = append(out.dec, e.dec)
		delivered[e.dossier]++
		if len(out.ops) >= limit {
			if e.seq < maxSeq {
				out.Cursor, out.More = e.seq, true
			}
			return
		}
	}
}

// history reads dossiers' ops for a pull; it keeps its buffers between
// dossiers.
type history struct {
	keys [][]byte
}

// append appends to the answer a dossier's ops in id order: every op,
// or with snapshot only the ops that are heads of their field. A snapshot
// is enough for a fresh device: the merge rule only ever looks at heads
// and at the ids later ops name in prev (docs/sync.md, "Snapshots"). Ops
// whose keys are in skip are left out. They go to out.ops as the JSON the
// log holds, or, for a compact page from a backend that reads ops
// (storage.OpsReader), to out.hist decoded: the same ops either way.
func (h *history) append(tx Tx, dk []byte, snapshot bool, skip map[string]bool, out *answer) error {
	keep := func(key []byte) bool { return !skip[string(key[16:])] }
	if snapshot {
		var err error
		h.keys, err = tx.HeadKeys(dk, h.keys[:0])
		if err != nil {
			return fmt.Errorf("read heads of %s: %w", idString(dk), err)
		}
		// The heads name the ops; one walk of the dossier's part of the
		// log picks them out (in id order: the merge rule is order-free).
		slices.SortFunc(h.keys, bytes.Compare)
		j := 0
		keep = func(key []byte) bool {
			for j < len(h.keys) && bytes.Compare(h.keys[j], key) < 0 {
				j++
			}
			return j < len(h.keys) && bytes.Equal(h.keys[j], key) && !skip[string(key[16:])]
		}
	}
	var err error
	if r, ok := tx.(storage.OpsReader); ok && out.compact {
		out.hist, err = r.DossierOps(dk, keep, out.hist)
	} else {
		out.ops, err = tx.DossierJSON(dk, keep, out.ops)
	}
	if err != nil {
		return fmt.Errorf("read ops of %s: %w", idString(dk), err)
	}
	return nil
}

// auditDelivery records what a sync sent to a device: one record listing
// every dossier sent with its op count (AuditEntry.Delivered).
func (s *Server) auditDelivery(tx Tx, d Device, u User, delivered map[string]int, who *syncWho) error {
	if len(delivered) == 0 {
		return nil
	}
	list := make(map[string]int, len(delivered))
	ops := 0
	for dk, n := range delivered {
		list[idString([]byte(dk))] = n
		ops += n
	}
	role, org := who.of(tx, u)
	return audit(tx, AuditEntry{
		Time: s.now().UTC(), Channel: ChannelSync, User: u.Name, Role: role, Org: org, Device: d.ID,
		Action: ActionDeliver, Detail: fmt.Sprintf("%d dossiers, %d ops", len(list), ops), Delivered: list,
	})
}

// syncPrefetch is what a sync asks its transaction first, for a storage
// that reads it ahead for the whole group (storage.SyncPrefetcher): its
// token's device, the dossiers of the ops it pushes that passed the
// precheck, those dossiers' op logs (what of them its ops ask) and the
// device's views of them.
func syncPrefetch(token string, ops []store.Op, pre []*protocol.Refusal) *storage.SyncPrefetch {
	th := hash(token)
	p := &storage.SyncPrefetch{Tokens: [][]byte{th}}
	seen := map[string]bool{}
	for i, op := range ops {
		if pre[i] == nil && store.ValidID(op.ID) && store.ValidID(op.Dossier) {
			p.Ops = append(p.Ops, string(dkey(op.ID)))
			dk := string(dkey(op.Dossier))
			if !seen[dk] {
				seen[dk] = true
				p.Dossiers = append(p.Dossiers, dk)
				p.Views = append(p.Views, storage.TokenView{Token: th, Dossier: dk})
			}
			p.Pushed = append(p.Pushed, storage.PushedOp{Op: string(dkey(op.ID)), Dossier: dk, Field: op.Field})
		}
	}
	return p
}

// addChunk is how many more of a pull's dossiers to add are put in order
// at a time: more than a page of an initial pull reaches (some 130
// dossiers of the demo region).
const addChunk = 256

// inOrder puts the n smallest of s[from:] at s[from:from+n], sorted, and
// leaves the rest after them in some order; it returns where the sorted
// part now ends. Called again with that end, it goes on where it left
// off, so s[:end] is always what sorting all of s would put there.
func inOrder(s []string, from, n int) int {
	end := min(from+n, len(s))
	if end < len(s) {
		selectSmallest(s[from:], end-from)
	}
	slices.Sort(s[from:end])
	return end
}

// selectSmallest moves the k smallest of s (distinct strings) to s[:k],
// in some order: Hoare's quickselect, the middle element as pivot (a
// pull's dossiers come from maps, in no order to exploit).
func selectSmallest(s []string, k int) {
	lo, hi := 0, len(s)-1
	for lo < hi {
		p := s[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for s[i] < p {
				i++
			}
			for s[j] > p {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}
