package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// initialPullOps is the page size an initial pull asks for (the server's
// default is protocol.DefaultPullOps): measured on the 10,000-client
// region, 4.3 s against 5.1 s at 5,000, with the device's peak memory at
// 126 MiB against 108 (docs/benchmarks.md).
const initialPullOps = 10000

// importHeap is the heap an initial pull lets grow before the collector
// runs (see importGC); the device's peak stays under 150 MiB.
const importHeap = 96 << 20

// The collector during initial pulls: it runs when the heap reaches
// importHeap rather than at every doubling, as an initial pull makes
// gigabytes of short-lived garbage while its live heap is a few tens of
// MB (measured: 2.95 s -> 2.8 s for the region). The settings are the
// process's, so the first pull to start sets them and the last to end
// puts back what was there.
var importGCState struct {
	sync.Mutex
	n              int
	percent, limit int64
}

// importGC sets the collector for an initial pull and returns the func
// that ends that.
func importGC() func() {
	st := &importGCState
	st.Lock()
	defer st.Unlock()
	if st.n == 0 {
		st.percent = int64(debug.SetGCPercent(-1))
		st.limit = debug.SetMemoryLimit(importHeap)
	}
	st.n++
	return func() {
		st.Lock()
		defer st.Unlock()
		if st.n--; st.n == 0 {
			debug.SetMemoryLimit(st.limit)
			debug.SetGCPercent(int(st.percent))
		}
	}
}

// Result says what one Sync moved.
type Result struct {
	// ReadsSent counts read-log entries the server took (now or before),
	// ReadsRefused those it did not keep (another user's name).
	ReadsSent, ReadsRefused int

	Pushed  int    // ops the server accepted
	Pulled  int    // ops new to this device
	Refused int    // ops the server refused (now in the refused list)
	Dropped int    // dossiers that left this device's view
	Erased  int    // dossiers erased by an admin
	Cursor  uint64 // the cursor after the sync
	// Restored is set when the server's file turned out to be restored
	// from a backup: the device put Resent of its own ops back in the
	// outbox, reported its erasures and pulled everything again.
	Restored bool
	Resent   int
	// MethodChanged says the server sent a method file other than the
	// one the device held, and it is stored now (MetaMethod): brug uses
	// it from its next start. MethodID and MethodVersion are its own.
	MethodChanged bool
	MethodID      string
	MethodVersion int
	// MethodRefused, when not nil, says why a method file the server sent
	// was not stored; the sync itself succeeded.
	MethodRefused error
	// RegisterChanged says a new register of the region's organisations
	// was received and kept (store.MetaRegister); RegisterRefused, when
	// not nil, why it could not be; the sync itself succeeded.
	RegisterChanged bool
	RegisterRefused error
}

// Changed reports whether the sync changed what the device shows.
func (r Result) Changed() bool { return r.Pulled > 0 || r.Dropped > 0 || r.Erased > 0 }

// Syncer syncs one database with its server. It holds no state between
// syncs beyond what it keeps in the database (and a reusable compressor),
// so it is safe to build one per run; it must not run two syncs on one
// database at once.
type Syncer struct {
	Store  Store
	HTTP   *http.Client     // nil: http.DefaultClient
	URL    string           // the server; "" means the one recorded at enrolment
	Tokens TokenStore       // where the device token is
	Now    func() time.Time // nil: time.Now
	// PullLimit is the number of ops per pull page; 0 lets the server
	// choose (protocol.DefaultPullOps).
	PullLimit int
	// JSONPages asks for sync answers as JSON only, as devices did before
	// compact pages (docs/sync.md, "Compact pages"); for tests and
	// measurements. Without it the device asks for compact pages and
	// takes JSON from a server that does not offer them.
	JSONPages bool
	// Wipe destroys this device's keys and data when an admin revoked it
	// and ordered it wiped (docs/sync.md, "Remote wipe"). Sync calls it
	// when the server says so, before it has sent anything the device
	// holds, and touches Store no more after it; then it reports the wipe
	// to the server, deletes the token and returns ErrWiped. nil: such an
	// order ends the sync with ErrWipeOrdered, nothing sent and nothing
	// destroyed.
	Wipe func() error

	imp    *store.Import     // the initial pull being imported, during Sync
	clock  page              // the answer with the shortest round trip, during Sync, for its skew
	limit  int               // ops per pull page asked for, during Sync
	zw     *gzip.Writer      // reused for push bodies: a new one costs ~1 MiB of state
	epoch  string            // the server epoch of the last answer applied, during Sync
	report map[string]string // erasure receipts to report, after a restore, during Sync
	// methodHash is the hash of the region's method file the device
	// holds, during Sync.
	methodHash string
	wiped      bool // Wipe ran: every later Sync returns ErrWiped
	// confirm holds the receipts the request being made carries, during
	// Sync; they leave the pending list once it is answered.
	confirm Confirmations
	// receipts says the server takes receipts (it answered GET
	// /v1/device): a server from before them refuses a request with
	// fields it does not know, so it is sent none.
	receipts bool
	// registerVersion is the version of the region's register GET
	// /v1/device named, during Sync; "" when it named none (a server
	// from before it): the register is then asked for after the sync.
	registerVersion string
	// pend holds the writes of the round before, during Sync: they go
	// with the next round's first write, or the sync's last (flush).
	pend pending
}

// pending is what a sync round leaves to write: the pushed ops the
// server answered for (to leave the outbox) and the cursor of the page
// applied. Both are facts once the answer came; writing them later than
// at once only makes a sync cut off in between push an op again or pull
// a page again, which the protocol makes harmless (op ids are idempotent;
// an older cursor gets what follows it again). Written with the sync's
// last setting (MetaLast), a one-field sync commits its file once, not
// three times (docs/sync.md, "The device's writes").
type pending struct {
	ack       []string
	cursor    uint64
	hasCursor bool
}

// ackMetaStore is a Store that acknowledges ops and stores settings in
// one transaction (*store.Store does).
type ackMetaStore interface {
	AckAndSetMeta(opIDs []string, meta map[string][]byte) error
}

// flush writes what the rounds left pending, and with last the time the
// sync completed, in one transaction where the store offers it.
func (s *Syncer) flush(last bool) error {
	meta := map[string][]byte{}
	if s.pend.hasCursor {
		meta[MetaCursor] = []byte(strconv.FormatUint(s.pend.cursor, 10))
	}
	if last {
		meta[MetaLast] = []byte(s.now().UTC().Format(time.RFC3339Nano))
	}
	if len(s.pend.ack) == 0 && len(meta) == 0 {
		return nil
	}
	if as, ok := s.Store.(ackMetaStore); ok {
		if err := as.AckAndSetMeta(s.pend.ack, meta); err != nil {
			return fmt.Errorf("acknowledge pushed ops and store sync cursor: %w", err)
		}
		s.pend = pending{}
		return nil
	}
	if err := s.Store.Ack(s.pend.ack); err != nil {
		return fmt.Errorf("acknowledge pushed ops: %w", err)
	}
	s.pend.ack = nil
	if s.pend.hasCursor {
		if err := setCursor(s.Store, s.pend.cursor); err != nil {
			return err
		}
	}
	s.pend = pending{}
	if last {
		return s.Store.SetMeta(MetaLast, meta[MetaLast])
	}
	return nil
}

// errResend is an answer with Resend: the server's file was restored from
// a backup older than what this device saw.
var errResend = errors.New("the server was restored from a backup")

// maxRounds bounds one Sync: enough for an initial pull of a large region
// page by page, and a guard against a server that keeps saying More.
const maxRounds = 10000

// Sync pushes the outbox in chunks and pulls until the server has nothing
// more, applying what arrives: dossiers to drop, dossiers to erase, ops.
// The cursor is stored only after a page is applied, and pushed ops leave
// the outbox only once the server has answered for them, so a sync that
// breaks off anywhere is simply run again. "Nothing new" is success.
//
// A server whose file was restored from a backup answers with Resend
// (docs/sync.md, "Restore"): the device then puts every op it made back
// in its outbox, and syncs again from cursor 0 with its erasure receipts,
// so the server gets back what it lost and the device what it lacks.
func (s *Syncer) Sync(ctx context.Context) (Result, error) {
	if s.wiped {
		return Result{}, ErrWiped
	}
	if err := s.checkDevice(ctx); err != nil {
		return Result{}, err
	}
	res, err := s.syncOnce(ctx)
	if errors.Is(err, ErrWipeOrdered) {
		// Ordered between the check and a later request: answered before
		// the server read that request's body.
		return Result{}, s.wipe(ctx)
	}
	if err == nil {
		res.RegisterChanged, res.RegisterRefused = s.fetchRegister(ctx)
	}
	if !errors.Is(err, errResend) {
		return res, err
	}
	n, err := s.resend()
	if err != nil {
		return res, err
	}
	res, err = s.syncOnce(ctx)
	if errors.Is(err, ErrWipeOrdered) {
		return Result{}, s.wipe(ctx)
	}
	res.Restored, res.Resent = true, n
	if errors.Is(err, errResend) {
		err = fmt.Errorf("sync: %w twice in a row; try again later", errResend)
	}
	return res, err
}

// checkDevice is the first request of every sync (GET /v1/device): it
// carries only the token, so a device its admin ordered wiped learns so
// before it sends anything it holds, and wipes itself. A server from
// before remote wipe answers 404, and the sync goes on.
func (s *Syncer) checkDevice(ctx context.Context) error {
	base, tok, err := s.target()
	if err != nil {
		return err
	}
	var st protocol.DeviceStatus
	err = getJSON(ctx, s.HTTP, base, protocol.PathDevice, tok, &st)
	var se *ServerError
	s.receipts = err == nil
	s.registerVersion = st.Register
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrWipeOrdered):
		return s.wipe(ctx)
	case errors.As(err, &se) && se.Status == http.StatusNotFound:
		return nil
	}
	return fmt.Errorf("sync with %s: %w", base, err)
}

// wipe carries out an admin's order to wipe this device: Wipe destroys
// its keys and data, the server is told (if it can be; the device has
// nothing left to lose), and the token is deleted. It returns ErrWiped,
// or what stopped the wipe.
func (s *Syncer) wipe(ctx context.Context) error {
	if s.Wipe == nil {
		return ErrWipeOrdered
	}
	base, tok, err := s.target() // read before the database goes
	if err != nil {
		return err
	}
	if err := s.Wipe(); err != nil {
		return fmt.Errorf("%w: wipe this device: %w", ErrWipeOrdered, err)
	}
	s.wiped = true // the database is gone: no later Sync may touch it
	var ack protocol.WipedAck
	_ = postRaw(ctx, s.HTTP, base, protocol.PathWiped, tok, nil, &ack)
	if s.Tokens != nil {
		_ = s.Tokens.Delete(base)
	}
	return ErrWiped
}

// resend prepares a sync after a restore of the server: every op made on
// this device back in the outbox, the erasure receipts to be reported, the
// cursor at 0 and no epoch (so the server does not ask again). Each step
// is safe to repeat, and the epoch goes last: if brug stops half-way, the
// next sync is asked to resend again and finishes the job.
func (s *Syncer) resend() (int, error) {
	user, err := s.Store.Meta(MetaUser)
	if err != nil {
		return 0, err
	}
	n, err := s.Store.Requeue(string(user))
	if err != nil {
		return 0, fmt.Errorf("queue this device's changes again: %w", err)
	}
	if err := s.Store.SetMeta(MetaReport, []byte("1")); err != nil {
		return 0, err
	}
	if err := setCursor(s.Store, 0); err != nil {
		return 0, err
	}
	if err := s.Store.SetMeta(MetaEpoch, nil); err != nil {
		return 0, err
	}
	return n, nil
}

// syncOnce is one Sync; errResend when the server asks for a resend.
// What the server answered for is written also when the sync stops
// half-way (pending).
func (s *Syncer) syncOnce(ctx context.Context) (Result, error) {
	s.pend = pending{}
	res, err := s.syncPass(ctx)
	if ferr := s.flush(false); ferr != nil && err == nil {
		err = ferr
	}
	return res, err
}

// syncPass is syncOnce but for the writes left pending when it fails.
func (s *Syncer) syncPass(ctx context.Context) (Result, error) {
	var res Result
	base, tok, err := s.target()
	if err != nil {
		return res, err
	}
	cur, err := cursor(s.Store)
	if err != nil {
		return res, err
	}
	ep, err := s.Store.Meta(MetaEpoch)
	if err != nil {
		return res, err
	}
	s.epoch, s.report = string(ep), nil
	if s.methodHash, err = storedMethodHash(s.Store); err != nil {
		return res, err
	}
	if r, err := s.Store.Meta(MetaReport); err == nil && len(r) > 0 {
		if s.report, err = receipts(s.Store); err != nil {
			return res, err
		}
		if len(s.report) == 0 {
			s.report = map[string]string{} // nothing to report; the flag goes after this sync
		}
	}
	// A fresh device spools its initial pull and imports it at the end
	// (store.Import): the cursor is stored only once the import committed.
	// A pull cut off half-way commits what was spooled so far (whole
	// pages, up to the cursor they came with), so a large first pull over
	// a poor line makes progress instead of starting again from 0.
	if st, ok := s.Store.(*store.Store); ok && cur == 0 {
		im, err := st.NewImport()
		if err != nil {
			return res, err
		}
		defer im.Close()
		s.imp = im
		defer importGC()()
		defer func() { s.imp = nil }()
	}
	// An initial pull asks for pages of initialPullOps: half as many
	// round trips, and the import writes each as it comes.
	s.limit = s.PullLimit
	if s.limit == 0 && s.imp != nil {
		s.limit = initialPullOps
	}
	commitImport := func() error {
		if s.imp == nil {
			return nil
		}
		n, err := s.imp.Commit()
		if err != nil {
			return pulledError(s.imp.Len(), err)
		}
		s.imp = nil
		res.Pulled += n
		if cur != 0 {
			return setCursor(s.Store, cur)
		}
		return nil
	}
	s.clock = page{}
	defer s.noteSkew()
	if err := s.rounds(ctx, base, tok, &cur, &res); err != nil {
		if s.imp != nil && s.imp.Len() > 0 && !errors.Is(err, errResend) && !errors.Is(err, ErrWipeOrdered) {
			if cerr := commitImport(); cerr != nil {
				err = errors.Join(err, cerr)
			}
		}
		return res, err
	}
	if err := commitImport(); err != nil {
		return res, err
	}
	if err := s.sendReads(ctx, base, tok, &res); err != nil {
		return res, err
	}
	// The last round's acknowledgements and cursor go with the time the
	// sync completed: one commit.
	if err := s.flush(true); err != nil {
		return res, err
	}
	return res, nil
}

// rounds pushes and pulls until neither side has more. cur advances with
// every page applied (or spooled); it is stored at once unless an import
// is spooling.
func (s *Syncer) rounds(ctx context.Context, base, tok string, cur *uint64, res *Result) error {
	pulledAll := false    // the pages were pulled ahead to the last
	confirmedNow := false // a round was added to confirm drops and erasures
	for round := 0; ; round++ {
		if round >= maxRounds {
			return tooManyRounds(base)
		}
		// The round before's writes, before the outbox is read again.
		if err := s.flush(false); err != nil {
			return err
		}
		push, moreOut, gz, err := s.nextPush(*cur)
		if err != nil {
			return err
		}
		if pulledAll && len(push) == 0 {
			break
		}
		pulledAll = false
		p, err := s.exchange(ctx, base, tok, gz)
		if err != nil {
			return err
		}
		// The server recorded the receipts this request carried (also
		// when it asks for a resend).
		if err := confirmed(s.Store, s.confirm); err != nil {
			return err
		}
		s.confirm = Confirmations{}
		if p.Resend {
			return errResend
		}
		if s.report != nil {
			// The server made the reported erasures again (or had them).
			if err := s.Store.SetMeta(MetaReport, nil); err != nil {
				return err
			}
			s.report = nil
		}
		answered, err := s.settlePush(push, p.SyncResponse, res)
		if err != nil {
			return err
		}
		if err := s.applyPage(p, cur, res); err != nil {
			return err
		}
		if moreOut && answered == 0 {
			return fmt.Errorf("sync with %s: the server answered for none of %d pushed ops; try again later", base, len(push))
		}
		if !p.More && !moreOut {
			if len(p.Drop)+len(p.Erased) > 0 && s.receipts && !confirmedNow {
				// Confirm the drops and erasures just applied at once,
				// rather than at the next sync: one more round.
				confirmedNow = true
				continue
			}
			// Ops the server skipped without a word stay in the outbox
			// for the next sync.
			break
		}
		if s.imp != nil && p.More && len(push) == 0 {
			// An initial pull with nothing to push: fetch the next page
			// while this one is spooled.
			n, last, err := s.pullAhead(ctx, base, tok, cur, res, maxRounds-round-1)
			if err != nil {
				return err
			}
			round += n
			pulledAll = last
		}
	}
	return nil
}

func tooManyRounds(base string) error {
	return fmt.Errorf("sync with %s: the server kept sending pages after %d rounds; try again", base, maxRounds)
}

// applyPage applies a pulled page and moves the cursor past it.
func (s *Syncer) applyPage(p page, cur *uint64, res *Result) error {
	if p.rtt > 0 && (s.clock.rtt == 0 || p.rtt < s.clock.rtt) {
		s.clock = page{skew: p.skew, rtt: p.rtt}
	}
	if err := s.applyPull(p, res); err != nil {
		return err
	}
	if p.Teams != nil {
		if err := setTeams(s.Store, p.Teams); err != nil {
			return err
		}
	}
	if p.MethodFile != "" {
		if err := s.takeMethod(p.Method, p.MethodFile, res); err != nil {
			return err
		}
	}
	// The epoch goes with the cursor it came with, and before it: should
	// brug stop in between, an older cursor of the same history is sent
	// with the new epoch, which is harmless (the other order would make
	// the server ask for a needless resend). During an import the cursor
	// stays 0 until the end, and a cursor of 0 is never asked to resend.
	if p.Epoch != "" && p.Epoch != s.epoch {
		if err := s.Store.SetMeta(MetaEpoch, []byte(p.Epoch)); err != nil {
			return err
		}
		s.epoch = p.Epoch
	}
	if p.Cursor != *cur {
		if s.imp == nil {
			// Written with the next write (flush): after this page's.
			s.pend.cursor, s.pend.hasCursor = p.Cursor, true
		}
		*cur = p.Cursor
	}
	res.Cursor = *cur
	return nil
}

// exchange sends a sync request (gzipped JSON) and decodes the answer.
func (s *Syncer) exchange(ctx context.Context, base, tok string, gz []byte) (page, error) {
	p, ops, err := s.exchangeHead(ctx, base, tok, gz)
	if err != nil {
		return page{}, err
	}
	return p, s.decodeOps(base, &p, ops)
}

// decodeOps decodes the ops exchangeHead left of a compact answer into p
// (none: nothing to do).
func (s *Syncer) decodeOps(base string, p *page, ops []byte) error {
	if ops == nil {
		return nil
	}
	// An import takes the ids the decoder read as bytes, and need not
	// parse their text again (store.Import.AddKeyed).
	keys, err := protocol.DecodePageOpsKeyed(&p.SyncResponse, ops, s.imp != nil)
	if err != nil {
		return fmt.Errorf("sync with %s: %w at %s: answer is not valid: %w", base, ErrUnreachable, base, err)
	}
	p.keys = keys
	return nil
}

// exchangeHead is exchange but for the ops of a compact answer, which it
// returns undecoded for decodeOps (a JSON answer is decoded whole, and
// ops is nil).
func (s *Syncer) exchangeHead(ctx context.Context, base, tok string, gz []byte) (p page, ops []byte, err error) {
	sent := s.now()
	b, ctype, err := postBody(ctx, s.HTTP, base, protocol.PathSync, tok, gz, !s.JSONPages)
	if err != nil {
		return page{}, nil, fmt.Errorf("sync with %s: %w", base, err)
	}
	back := s.now()
	if ctype == protocol.MediaTypeOps {
		p.SyncResponse, ops, err = protocol.DecodePageHead(b)
	} else {
		p, err = decodePage(b) // JSON: a server that does not offer compact pages
	}
	if err != nil {
		return page{}, nil, fmt.Errorf("sync with %s: %w at %s: answer is not valid: %w", base, ErrUnreachable, base, err)
	}
	if !p.ServerTime.IsZero() {
		// The server answered somewhere between sent and back: the middle
		// is off by at most half the round trip.
		p.rtt = max(back.Sub(sent), time.Nanosecond)
		p.skew = sent.Add(back.Sub(sent) / 2).Sub(p.ServerTime)
	}
	return p, ops, nil
}

// noteSkew stores the clock skew of the sync's answer with the shortest
// round trip, rounded to the second, when it changed.
func (s *Syncer) noteSkew() {
	if s.clock.rtt == 0 {
		return
	}
	d := s.clock.skew.Round(time.Second)
	if skew(s.Store) == d {
		return
	}
	// The skew only feeds a warning: failing to keep it fails nothing.
	_ = s.Store.SetMeta(MetaSkew, []byte(strconv.FormatInt(d.Milliseconds(), 10)))
}

// pullAhead pulls the pages of an initial pull one ahead: while a page is
// spooled, the next is requested and read on another goroutine (so the
// device's work overlaps the server's), at most one page waiting in
// between, so memory stays that of a few pages. That goroutine decodes
// only an answer's fields (the cursor the next request needs) and asks
// for the next page at once; a compact answer's ops are decoded here. It pushes nothing, so
// each request depends only on the cursor of the answer before. It returns
// after the last page (More unset; last is true) or the first error,
// having applied the pages before it, and says how many requests it made.
//
// A request carries the cursor of a page not yet applied. For ops and
// whole dossiers that is harmless: the import commits them later with
// that cursor, and a device that dies first comes back with the cursor
// it stored, below the server's view entries, which the server then sends
// again. But a server forgets a drop or an erasure once a cursor confirms
// it, so the fetcher stops after a page that holds one; it is applied
// before the next request (last is false and rounds goes on).
func (s *Syncer) pullAhead(ctx context.Context, base, tok string, cur *uint64, res *Result, limit int) (n int, last bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type fetched struct {
		p   page
		ops []byte // p's ops, not yet decoded (exchangeHead)
		err error
	}
	pages := make(chan fetched, 1)
	from, epoch, mhash := *cur, s.epoch, s.methodHash
	go func() {
		defer close(pages)
		for range limit {
			gz, err := s.encodeRequest(nil, from, epoch, nil, mhash, Confirmations{})
			var p page
			var ops []byte
			if err == nil {
				p, ops, err = s.exchangeHead(ctx, base, tok, gz)
			}
			select {
			case pages <- fetched{p, ops, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || !p.More || len(p.Drop)+len(p.Erased) > 0 || p.Resend {
				return
			}
			from = p.Cursor
			if p.Epoch != "" {
				epoch = p.Epoch
			}
			if p.Method != nil && p.MethodFile != "" {
				// Applied before the next page, or refused: either way
				// the file need not come again in this sync.
				mhash = p.Method.Hash
			}
		}
	}()
	err = tooManyRounds(base) // unless the last page comes
	for f := range pages {
		n++
		if f.err != nil {
			err = f.err
			break
		}
		if f.p.Resend {
			err = errResend
			break
		}
		// The ops are decoded here, not by the fetcher: it asks for the
		// next page meanwhile, so the server makes it while this one is
		// decoded and taken.
		if err = s.decodeOps(base, &f.p, f.ops); err != nil {
			break
		}
		if err = s.applyPage(f.p, cur, res); err != nil {
			break
		}
		if !f.p.More {
			err, last = nil, true
			break
		}
		if len(f.p.Drop)+len(f.p.Erased) > 0 {
			err = nil // the fetcher stopped here: rounds asks for the rest
			break
		}
	}
	cancel()
	for range pages { // the fetcher ends at once
	}
	return n, last, err
}
func (s *Syncer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// target returns the server URL and the device token.
func (s *Syncer) target() (string, string, error) {
	base := s.URL
	if base == "" {
		u, err := s.Store.Meta(MetaURL)
		if err != nil {
			return "", "", err
		}
		base = string(u)
	}
	if base == "" {
		return "", "", ErrNotEnrolled
	}
	if s.Tokens == nil {
		return "", "", ErrUnauthorized
	}
	tok, err := s.Tokens.Get(base)
	if errors.Is(err, ErrNoToken) {
		return "", "", ErrUnauthorized
	}
	if err != nil {
		return "", "", err
	}
	return base, tok, nil
}

// nextPush reads the next outbox chunk and encodes the request (gzipped
// JSON), halving the chunk while its JSON would exceed the server's body
// limit. moreOut reports that the outbox may hold more than this chunk.
func (s *Syncer) nextPush(cur uint64) (push []store.Op, moreOut bool, gz []byte, err error) {
	push, _, err = s.Store.Outbox(protocol.MaxPushOps)
	if err != nil {
		return nil, false, nil, fmt.Errorf("read outbox: %w", err)
	}
	moreOut = len(push) == protocol.MaxPushOps
	s.confirm = Confirmations{}
	if s.receipts {
		pending, err := PendingConfirmations(s.Store)
		if err != nil {
			return nil, false, nil, err
		}
		s.confirm = confirmBatch(pending)
	}
	for {
		gz, err := s.encodeRequest(push, cur, s.epoch, s.report, s.methodHash, s.confirm)
		if errors.Is(err, errTooLarge) {
			push, moreOut = push[:len(push)/2], true
			continue
		}
		if err != nil {
			return nil, false, nil, err
		}
		return push, moreOut, gz, nil
	}
}

var errTooLarge = errors.New("push too large")

// encodeRequest encodes a sync request as gzipped JSON; errTooLarge when
// it holds more than one op and its JSON is near the server's body limit.
// epoch is the epoch of the last answer applied; report the erasure
// receipts to report (after a restore), or nil; methodHash the hash of
// the region's method file the device holds.
func (s *Syncer) encodeRequest(push []store.Op, cur uint64, epoch string, report map[string]string, methodHash string, confirm Confirmations) ([]byte, error) {
	raw, err := json.Marshal(protocol.SyncRequest{Push: push, Cursor: cur, Limit: s.limit, Epoch: epoch, Erased: report, MethodHash: methodHash,
		ConfirmErased: confirm.Erased, ConfirmDropped: confirm.Dropped})
	if err != nil {
		return nil, fmt.Errorf("encode push: %w", err)
	}
	if len(raw) > protocol.MaxRequestBytes*9/10 && len(push) > 1 {
		return nil, errTooLarge
	}
	var buf bytes.Buffer
	if s.zw == nil {
		s.zw, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	} else {
		s.zw.Reset(&buf)
	}
	if _, err := s.zw.Write(raw); err != nil {
		return nil, fmt.Errorf("compress push: %w", err)
	}
	if err := s.zw.Close(); err != nil {
		return nil, fmt.Errorf("compress push: %w", err)
	}
	return buf.Bytes(), nil
}

// settlePush records refusals, then takes accepted and refused ops out of
// the outbox, and counts them. Refusals are recorded first: if brug stops
// in between, the op is simply pushed and refused again.
func (s *Syncer) settlePush(push []store.Op, resp protocol.SyncResponse, res *Result) (int, error) {
	if len(push) == 0 && len(resp.Accepted) == 0 && len(resp.Refused) == 0 {
		return 0, nil
	}
	pushed := make(map[string]store.Op, len(push))
	for _, op := range push {
		pushed[op.ID] = op
	}
	var ack []string
	var refused []RefusedOp
	for _, id := range resp.Accepted {
		if _, ok := pushed[id]; ok {
			ack = append(ack, id)
			res.Pushed++
		}
	}
	at := s.now().UTC()
	for _, r := range resp.Refused {
		op, ok := pushed[r.ID]
		if !ok {
			continue
		}
		refused = append(refused, RefusedOp{ID: r.ID, Dossier: op.Dossier, Field: op.Field, Code: r.Code, Reason: r.Reason, At: at})
		ack = append(ack, r.ID)
		res.Refused++
	}
	if err := addRefused(s.Store, refused); err != nil {
		return 0, err
	}
	// The ops leave the outbox with the round's next write (flush),
	// after their refusals were recorded.
	s.pend.ack = append(s.pend.ack, ack...)
	return len(ack), nil
}

// applyPull applies a page: drops, erasures, then ops, as the protocol
// orders them. A *store.Store applies the ops with ApplyRemoteBulk: the
// same result as ApplyRemote, several times faster for the thousands of
// ops of a pull page.
func (s *Syncer) applyPull(resp page, res *Result) error {
	for _, d := range resp.Drop {
		if err := s.Store.Drop(d); err != nil {
			return fmt.Errorf("remove dossier %s that left this device's view: %w", d, err)
		}
		if s.imp != nil {
			s.imp.Forget(d)
		}
		res.Dropped++
	}
	// Each receipt once its drop or erasure is done: should brug stop in
	// between, the server tells it again (the cursor has not moved yet).
	if err := addConfirmations(s.Store, nil, resp.Drop); err != nil {
		return err
	}
	// The receipts first: should brug stop before the erasures, they are
	// done on the next sync anyway.
	if err := addReceipts(s.Store, resp.Erased, resp.Receipts); err != nil {
		return err
	}
	for _, d := range resp.Erased {
		if err := s.Store.Erase(d); err != nil {
			return fmt.Errorf("erase dossier %s: %w", d, err)
		}
		if s.imp != nil {
			s.imp.Forget(d)
		}
		res.Erased++
	}
	if err := addConfirmations(s.Store, resp.Erased, nil); err != nil {
		return err
	}
	if len(resp.Ops) == 0 {
		return nil
	}
	// An op for a dossier erased here would fail the whole page; the
	// server should not send one, but a page sent before an erasure may
	// still be on its way when a retry comes.
	erased := map[string]bool{}
	kept, keys := resp.Ops, resp.keys
	if keys != nil && len(keys) != len(kept) {
		keys = nil // not the page's: its ids are parsed
	}
	cut := false
	for i, op := range resp.Ops {
		e, ok := erased[op.Dossier]
		if !ok {
			e = s.Store.Erased(op.Dossier)
			erased[op.Dossier] = e
		}
		switch {
		case e && !cut: // the first op left out: keep those before it
			cut = true
			kept = slices.Clone(resp.Ops[:i])
			if keys != nil {
				keys = slices.Clone(keys[:i])
			}
		case !e && cut:
			kept = append(kept, op)
			if keys != nil {
				keys = append(keys, resp.keys[i])
			}
		}
	}
	if s.imp != nil {
		if err := s.imp.AddKeyed(kept, keys); err != nil {
			return pulledError(len(kept), err)
		}
		return nil
	}
	apply := s.Store.ApplyRemote
	if st, ok := s.Store.(*store.Store); ok {
		// Only the store itself: a wrapper may override ApplyRemote.
		apply = st.ApplyRemoteBulk
	}
	n, err := apply(kept)
	if err != nil {
		return pulledError(len(kept), err)
	}
	res.Pulled += n
	return nil
}
