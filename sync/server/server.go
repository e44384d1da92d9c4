// Package server is brug's regional sync server: accounts, teams, device
// enrolment, the /v1 sync API, access by team, the audit log, metrics and
// the admin commands. It reaches what it keeps through the interfaces of
// sync/server/storage, over one transaction (docs/storage.md); the
// embedded backend (sync/server/boltstore) keeps everything in one bbolt
// file opened through the same op-log store devices use, with the
// server's buckets next to the log. docs/sync.md describes the protocol
// in layers (model, invariants, transactions, HTTP, security); the
// comments here point to it.
package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/boltstore"
	"github.com/brug-nl/brug/sync/server/storage"
)

// ServerAuthor is the author of the server's own store handle. The server
// makes no ops of its own; ops it stores keep their authors.
const ServerAuthor = "server"

// Errors of the account and admin layer. HTTP handlers and the CLI map them
// to statuses and messages.
var (
	ErrNotFound     = errors.New("not found")
	ErrExists       = errors.New("already exists")
	ErrInvalid      = errors.New("invalid")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
)

// NotYoursError is ErrForbidden for a session that asked for teams none
// of which is the user's (a report, the employer view): the CLI says it
// in the user's language and names the teams that are.
type NotYoursError struct {
	User       string
	Yours      []string // the user's teams
	NoDossiers bool     // the user sees no dossiers at all (disabled, or a role that reads none)
}

func (e *NotYoursError) Error() string {
	if e.NoDossiers {
		return fmt.Sprintf("%v: %s sees no dossiers", ErrForbidden, e.User)
	}
	return fmt.Sprintf("%v: none of the teams asked for is one of yours (%s)", ErrForbidden, strings.Join(e.Yours, ", "))
}

func (e *NotYoursError) Unwrap() error { return ErrForbidden }

// Options configure Open.
type Options struct {
	// Now is the wall clock (code expiry, last seen, audit times); nil
	// means time.Now.
	Now func() time.Time
	// Logger receives request and admin logs, never dossier content; nil
	// discards them.
	Logger *slog.Logger
	// Method checks step fields of pushed ops; nil means the method of
	// MethodFile, or method.Default().
	Method *method.Method
	// MethodFile is the method file's bytes as loaded, handed to devices
	// with sync (SyncResponse.MethodFile). With Method nil too, the
	// embedded default's file. With Method set and MethodFile nil, the
	// server sends no method.
	MethodFile []byte
	// LockTimeout is how long Open waits for another process holding the
	// file; 0 means the store's default. See store.ErrLocked.
	LockTimeout time.Duration
	// NoSync skips fsync on commit. For tests only.
	NoSync bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header
	// names the client (request logs); none by default, so a client
	// cannot choose the address logged for it.
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, also serves /metrics on Handler to bearers
	// of this token; without it /metrics is only on MetricsHandler.
	MetricsToken string
	// Encryption encrypts the file at rest (store.Encryption; give it a
	// KeyStore; Open sets SealedBuckets and DossierBuckets); nil keeps a
	// plain file plain.
	Encryption *store.Encryption
	// Progress is told how far the upgrade of an older file's layout has
	// come, when Open rewrites it (store.Options.Progress).
	Progress func(done, total int64)
}

// SealedBuckets are the server file's buckets whose values are sealed
// with the file key (boltstore.SealedBuckets).
var SealedBuckets = boltstore.SealedBuckets

// DossierBuckets are the server file's buckets whose values are sealed
// with their dossier's key (boltstore.DossierBuckets).
var DossierBuckets = boltstore.DossierBuckets

// serverEncryption is enc with the server's buckets named, or nil.
func serverEncryption(enc *store.Encryption) *store.Encryption {
	if enc == nil {
		return nil
	}
	e := *enc
	e.SealedBuckets, e.DossierBuckets = SealedBuckets, DossierBuckets
	return &e
}

// Server is an open regional server: a store plus its accounts, sequence
// numbers, device views and audit log.
type Server struct {
	db      storage.Storage
	st      *store.Store // db.Store()
	now     func() time.Time
	log     *slog.Logger
	method  *method.Method
	metrics *metrics
	writers writers        // gzip writers of sync answers (answer.go)
	group   groupCommitter // shares write transactions among concurrent syncs (group.go)
	wipes   wipeChecks     // the checks of wipe orders of concurrent syncs, read together (wipe.go)
	views   viewCache      // team dossier sets and settled device views (viewcache.go)
	recent  recentOps      // the ops numbered last, for settled pulls (recent.go)
	epochs  epochs         // the file's epochs and receipt key, read at Open (epoch.go)
	proxies []netip.Prefix // trusted reverse proxies (ops.go)
	mtoken  string         // the metrics token on the API listener; "" for none
	health  healthCheck    // the last write check of /healthz (ops.go)
	// refusals rate-limits the audit records of refusals anyone can
	// cause (auditrefusals.go).
	refusals refusalLimiter
	// methodInfo and methodFile are the region's method as sync hands
	// it to devices; methodInfo is nil when the server has no file.
	methodInfo *protocol.MethodInfo
	methodFile string
	methodWire *methodWire // methodFile as answers carry it (methodwire.go)
	// register is the region's register as devices receive it (orgs.go).
	register registerCache
	// processes follows the writes of other processes on a storage
	// several share (processes.go).
	processes processes
	// clock and device stamp the ops the server makes through the
	// storage rather than the op-log store (opview.go).
	clock  *store.Clock
	device logDevice
	// logOnly makes opStore answer ErrNoOpStore on bbolt too, so that
	// tests run the storage's path of the op log there (opview.go).
	logOnly bool
}

// MethodInfo identifies method m loaded from file: its id, version and
// the SHA-256 of the file's bytes.
func MethodInfo(m *method.Method, file []byte) *protocol.MethodInfo {
	sum := sha256.Sum256(file)
	return &protocol.MethodInfo{ID: m.ID, Version: m.Version, Hash: hex.EncodeToString(sum[:])}
}

// Method returns the region's method as devices receive it; nil when the
// server was opened with a method but no file.
func (s *Server) Method() *protocol.MethodInfo { return s.methodInfo }

// Open opens (or creates) the server's bbolt file. A file another process
// holds fails with an error wrapping store.ErrLocked: `brug admin` then
// talks to the running server over its admin socket (see ListenAdmin).
func Open(path string, opt Options) (*Server, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Method == nil {
		if opt.MethodFile == nil {
			opt.MethodFile = method.DefaultYAML()
		}
		m, err := method.Parse("method", opt.MethodFile)
		if err != nil {
			return nil, fmt.Errorf("open server %s: %w", shownPath(path), err)
		}
		opt.Method = m
	}
	var minfo *protocol.MethodInfo
	if opt.MethodFile != nil {
		if len(opt.MethodFile) > protocol.MaxMethodBytes {
			return nil, fmt.Errorf("open server %s: the method file is %d bytes; at most %d", shownPath(path), len(opt.MethodFile), protocol.MaxMethodBytes)
		}
		minfo = MethodInfo(opt.Method, opt.MethodFile)
	}
	db, err := openStorage(path, store.Options{
		Author: ServerAuthor, Method: opt.Method, Now: opt.Now,
		LockTimeout: opt.LockTimeout, NoSync: opt.NoSync, Kind: store.FileServer,
		Encryption: serverEncryption(opt.Encryption), Progress: opt.Progress,
	})
	if err != nil {
		return nil, err
	}
	st := db.Store()
	s := &Server{db: db, st: st, now: opt.Now, log: opt.Logger, method: opt.Method, metrics: newMetrics(),
		proxies: opt.TrustedProxies, mtoken: opt.MetricsToken,
		methodInfo: minfo, methodFile: string(opt.MethodFile), clock: store.NewClock(opt.Now, 0)}
	if minfo != nil {
		s.methodWire = newMethodWire(s.methodFile)
	}
	s.group.failed = s.views.bump
	s.group.tx = syncHooks{s}
	// Every opening is a new epoch, so that a restored copy of the file
	// can be told from the file it was copied from (epoch.go).
	err = db.Update(func(tx Tx) error {
		_, shared := tx.Changes() // several processes may write it (processes.go)
		s.processes.shared.Store(shared)
		return s.startEpoch(tx)
	})
	if err == nil {
		err = db.Update(func(tx Tx) error { return rebuildShareIndex(s, tx) })
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open server %s: %w", shownPath(path), err)
	}
	// Dossiers whose keys are gone from the key store were erased after
	// this copy of the file was made: erase them here too, so a restore
	// never brings one back.
	var keyless []string
	ds, err := s.dossiers()
	if err == nil {
		keyless, err = ds.Keyless()
	}
	for _, id := range keyless {
		if err == nil {
			err = s.erase(id, AuditEntry{Channel: "open", User: ServerAuthor, Action: "erase", Dossier: id, Detail: "its key was gone from the key store (erased after this copy of the file was made)"})
		}
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open server %s: %w", shownPath(path), err)
	}
	return s, nil
}

// Close closes the server's file. Stop the HTTP server first.
func (s *Server) Close() error { return s.db.Close() }

// Store is the server's op-log store, for the SSH sessions of issue 4 (use
// Store().WithAuthor(user) per session).
func (s *Server) Store() *store.Store { return s.st }

// Handler is the HTTP API: /v1/enroll, /v1/sync and /healthz, with
// request logging; /metrics too with Options.MetricsToken (else it is on
// MetricsHandler only).
func (s *Server) Handler() http.Handler { return s.routes() }
