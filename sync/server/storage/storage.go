// Package storage declares what brug's regional server (sync/server)
// keeps and how it reaches it: small interfaces over one transaction
// (Tx), taking and returning ids and the value types of this package,
// never a backend's own types or keys. The op log and merge state stay
// the laptop store's (store.Tx implements OpLog); a backend (boltstore,
// the embedded bbolt file) gives the rest in the same transaction, so
// that accepting an op, numbering it, indexing it and auditing it commit
// together. docs/storage.md describes the semantics a backend must give.
//
// Ids: a dossier's or op's id travels as its 16-byte binary form held in
// a string ("key" below, what store's log keys are made of), or as its
// text form ("id", a UUID) where the name says so.
package storage

import (
	"io"
	"time"

	"github.com/brug-nl/brug/store"
)

// Storage is an open backend.
type Storage interface {
	// View runs fn in a read transaction; Update in a write transaction
	// that commits when fn returns nil and rolls back otherwise.
	View(fn func(Tx) error) error
	Update(fn func(Tx) error) error
	// Wrap gives the Tx over a transaction of the op-log store: the
	// store's commit hooks (an SSH session's writes) run in one.
	Wrap(tx *store.Tx) Tx
	// Store is the op-log store (the laptop store's code) the server and
	// its SSH sessions write ops through.
	Store() *store.Store
	Close() error
}

// Tx is one transaction: the op log and merge state, and the server's
// own records. Reads see the transaction's writes.
type Tx interface {
	OpLog
	Sequence
	Accounts
	Devices
	Codes
	SSHKeys
	DossierTeams
	DossierShares
	Views
	Audit
	Refusals
	Drafts
	Receipts
	Settings
	Epochs
	Orgs
	Processes
	Export
}

// OpLog is the op log and merge state the server reads and appends to
// (store.Tx implements it). Keys are 32 bytes: dossier key + op key.
type OpLog interface {
	ApplyJSON(op store.Op, raw []byte) (bool, error)
	Known(dossier, id string) bool
	Op(dossier, id string) (store.Op, error)
	OpJSON(key []byte) ([]byte, error)
	DossierJSON(dkey []byte, keep func(key []byte) bool, dst [][]byte) ([][]byte, error)
	HeadKeys(dkey []byte, dst [][]byte) ([][]byte, error)
	Heads(dossier, field string) ([]store.Head, error)
	HeadsAfter(op store.Op) ([]store.Head, error)
	Exists(dossier string) bool
	Erased(dossier string) bool
	// Dossiers calls fn with the key of every dossier the log holds ops
	// of, in key order, until fn returns an error.
	Dossiers(fn func(dkey []byte) error) error
	// WriteTo writes a consistent copy of everything as the transaction
	// sees it (a backup); WriteKeyStoreTo the key store's.
	WriteTo(w io.Writer) (int64, error)
	WriteKeyStoreTo(w io.Writer) (int64, error)
}

// Sequence numbers the ops the server stores, 1, 2, 3, ... in commit
// order (the cursor devices pull after), and numbers a pull's view
// changes from the same counter.
type Sequence interface {
	// LastSeq is the highest number given out (0 for none).
	LastSeq() uint64
	// NumberOp gives op (text ids) the next number and files it: under
	// its number, and op key -> dossier key.
	NumberOp(op, dossier string) (uint64, error)
	// NextSeq gives out the next number without an op.
	NextSeq() (uint64, error)
	// OpsAfter calls fn for every numbered op after seq, in order, with
	// its op and dossier keys, until fn returns false or an error. The
	// keys are valid only during the call (a pull walks millions of them
	// and copies none it skips).
	OpsAfter(seq uint64, fn func(seq uint64, op, dossier []byte) (bool, error)) error
	// OpDossier is the dossier key an op key was numbered under.
	OpDossier(op string) (string, bool)
	// DropDossierOps forgets the numbers of a dossier's ops (an
	// erasure); the counter stays.
	DropDossierOps(dossier string) error
}

// Accounts are users, teams and memberships. User and Users give users
// without their teams (see UserTeams).
type Accounts interface {
	User(name string) (User, bool, error)
	HasUser(name string) bool
	PutUser(u User) error
	DeleteUser(name string) error
	UserNames() ([]string, error)

	Team(name string) (TeamRecord, bool, error)
	HasTeam(name string) bool
	PutTeam(t TeamRecord) error
	DeleteTeam(name string) error
	Teams() ([]TeamRecord, error)

	AddMember(team, user string) error
	RemoveMember(team, user string) error
	IsMember(team, user string) bool
	UserTeams(user string) []string   // sorted
	TeamMembers(team string) []string // sorted
}

// Devices are enrolled devices and their tokens, kept as hashes only.
type Devices interface {
	Device(id string) (Device, bool, error)
	PutDevice(d Device) error
	EachDevice(fn func(Device) error) error
	PutToken(hash []byte, device string) error
	TokenDevice(hash []byte) (string, bool)
}

// Codes are one-time enrolment codes, by the hash of the code.
type Codes interface {
	Code(hash []byte) (EnrolCode, bool, error)
	PutCode(hash []byte, c EnrolCode) error
	DeleteCode(hash []byte) error
	EachCode(fn func(hash []byte, c EnrolCode) error) error
}

// SSHKeys are the users' public keys, by fingerprint.
type SSHKeys interface {
	Key(fingerprint string) (Key, bool, error)
	PutKey(k Key) error
	DeleteKey(fingerprint string) error
	EachKey(fn func(Key) error) error
}

// DossierTeams is the index of each dossier's team (the head of its team
// field) and of each team's dossiers, kept in step.
type DossierTeams interface {
	// DossierTeam is the team of a dossier key, "" for none.
	DossierTeam(dossier string) string
	// SetDossierTeam records the team of a dossier key ("" forgets it).
	SetDossierTeam(dossier, team string) error
	// TeamDossiers calls fn with the dossier keys of a team, in key order.
	TeamDossiers(team string, fn func(dossier string) error) error
	// EachDossierTeam calls fn for every dossier key with a team.
	EachDossierTeam(fn func(dossier, team string) error) error
}

// DossierShares is the index of shares (docs/sharing.md): per dossier
// key, the teams it has a share with (any share not removed, whatever its
// dates, consent or withdrawal: the access rule judges those at each
// sync), and per team the dossiers shared with it, kept in step.
type DossierShares interface {
	// SharedTeams is the teams a dossier key has shares with, sorted
	// (nil for none).
	SharedTeams(dossier string) []string
	// SetSharedTeams records them (nil or empty forgets the dossier).
	SetSharedTeams(dossier string, teams []string) error
	// TeamShared calls fn with the keys of the dossiers shared with a
	// team, in key order.
	TeamShared(team string, fn func(dossier string) error) error
}

// ViewEntry is what a device was told of a dossier: its state (the
// server's view states) and the number of the response that told it.
type ViewEntry struct {
	State byte
	Seq   uint64
}

// Views are the devices' views: per device, per dossier key.
type Views interface {
	View(device, dossier string) (ViewEntry, bool)
	PutView(device, dossier string, e ViewEntry) error
	DeleteView(device, dossier string) error
	// DeviceViews calls fn for a device's entries, in dossier key order.
	DeviceViews(device string, fn func(dossier string, e ViewEntry) error) error
	// DossierHolders lists the devices whose view holds a dossier key in
	// one of states.
	DossierHolders(dossier string, states ...byte) ([]string, error)
}

// Audit is the append-only audit log, chained by hashes (chain.go).
type Audit interface {
	// AppendAudit numbers e (e.Seq), chains it to the head (ChainAudit;
	// before the first chained entry it appends the genesis entry that
	// StartChain gives), appends it, moves the head, and, when e.Read is
	// set, remembers that id (HasAuditRead).
	AppendAudit(e AuditEntry) error
	// EachAudit calls fn for the entries in order; with dossier set it may
	// skip entries that do not mention it.
	EachAudit(dossier string, fn func(AuditEntry) error) error
	// ScanAudit calls fn for every stored entry in storage order with its
	// key (the number it is stored under) and, instead of stopping, the
	// error of an entry that does not open or decode: for VerifyAudit.
	ScanAudit(fn func(key uint64, e AuditEntry, err error) error) error
	// AuditHead is the chain's head; false before the chain began.
	AuditHead() (AuditHead, bool, error)
	// HasAuditRead reports whether an entry with Read = id was appended.
	HasAuditRead(id string) (bool, error)
}

// Refusals are the refused ops of known dossiers, by dossier and op key.
type Refusals interface {
	PutRefusal(dossier, op string, at time.Time, code string) error
	EachRefusal(fn func(dossier string, at time.Time, code string) error) error
}

// Drafts are SSH users' drafts of step notes, sealed with their dossier's
// key by the backend so that erasing the dossier makes them unreadable.
type Drafts interface {
	// Draft reads a draft (text id of the dossier); false when none.
	Draft(dossier string, step int, user string) (string, bool, error)
	PutDraft(dossier string, step int, user, text string) error
	DeleteDraft(dossier string, step int, user string) error
	DeleteDossierDrafts(dossier string) error
}

// Receipts are the erasure records and the devices' confirmations of
// erasures and drops, by dossier key.
type Receipts interface {
	Erasure(dossier string) (ErasureRecord, bool, error)
	PutErasure(dossier string, r ErasureRecord) error
	EachErasure(fn func(dossier string, r ErasureRecord) error) error
	Receipt(dossier, device string) (Receipt, bool, error)
	PutReceipt(dossier, device string, r Receipt) error
	DeleteReceipt(dossier, device string) error
	// DossierReceipts calls fn for a dossier's receipts, by device.
	DossierReceipts(dossier string, fn func(device string, r Receipt) error) error
}

// Settings are the server's own small settings, by name, kept as they
// are: the current epoch, the public URL, the retention policy, the last
// health check. The receipt key is kept apart, sealed (ReceiptKey).
type Settings interface {
	Setting(name string) ([]byte, error)
	SetSetting(name string, value []byte) error
	// ReceiptKey reads the key of erasure receipts, making and keeping it
	// the first time (it is sealed at rest).
	ReceiptKey() ([]byte, error)
}

// Orgs are the organisations of the region's register (issue 11), by
// name. A team names its organisation in Team.Org.
type Orgs interface {
	Org(name string) (Org, bool, error)
	PutOrg(o Org) error
	DeleteOrg(name string) error
	// EachOrg calls fn for every organisation, in name order.
	EachOrg(fn func(Org) error) error
}

// Processes is what a backend that several server processes may share
// tells them, so that what each keeps in memory stays true of what the
// others write (docs/postgres.md, "Several processes on one database").
// A backend that one process holds alone (bbolt's file lock) answers
// trivially: its server's own writes are all there are.
type Processes interface {
	// Changes counts the committed write transactions, of any process,
	// that changed what a server caches: dossiers' teams and shares,
	// users, teams, memberships, organisations, devices' views and
	// erasures. A write transaction that made such a change reads its own
	// count. shared is false, and n 0, on a backend one process holds.
	Changes() (n uint64, shared bool)
	// RaiseEpoch records that an answer of epoch id carried a cursor up
	// to seq (Epoch.High), in that answer's transaction, and returns the
	// count of changes as Changes would (one step: it ends every sync
	// transaction). A backend one process holds records nothing (there an
	// epoch ends where the next begins) and returns 0.
	RaiseEpoch(id string, seq uint64) (n uint64, err error)
}

// Epochs are the openings of the server's storage, in order.
type Epochs interface {
	EachEpoch(fn func(Epoch) error) error
	AppendEpoch(e Epoch) error
}

// SeqEntry is one numbered op: its number and its op and dossier keys.
type SeqEntry struct {
	Seq         uint64
	Op, Dossier string
}

// OpDossierPrefetcher is what a backend that pays a round trip per
// question may add to its Tx: PrefetchOpDossiers reads, at once, what
// OpDossier will be asked of a push's ops (one query for the push, not
// one per op). OpDossier answers the same with or without it.
type OpDossierPrefetcher interface {
	PrefetchOpDossiers(ops []string) error
}

// SyncPrefetcher is what such a backend may add to its Storage:
// PrefetchedUpdate is Update, reading at its start (with its BEGIN, in
// one round trip) what the syncs of a group commit ask first: the
// devices, users and teams of their tokens (TokenDevice and what
// authenticating asks next), the dossiers of their pushed ops
// (OpDossier), the op logs of the dossiers they push to and the
// devices' views of them (View). Every answer is the same without it.
type SyncPrefetcher interface {
	PrefetchedUpdate(p SyncPrefetch, fn func(Tx) error) error
}

// WipeReader is what a backend that pays a round trip per question may
// add to its Storage: WipeMarked reads, in one statement (one snapshot),
// the devices of the token hashes whose records carry a wipe order
// (Device.Wipe set), by hash; a hash whose token or device is unknown,
// or whose device has no wipe order, is absent. The server judges those
// records as authenticating does (sync/server's wipe.go), for the check
// of a wipe order that every sync makes before it reads its body, of
// many concurrent syncs at once.
type WipeReader interface {
	WipeMarked(hashes [][]byte) (map[string]Device, error)
}

// SyncPrefetch is what PrefetchedUpdate reads ahead.
type SyncPrefetch struct {
	Tokens   [][]byte    // hashes of device tokens (as TokenDevice takes them)
	Ops      []string    // op keys (as OpDossier takes them)
	Dossiers []string    // dossier keys
	Views    []TokenView // the views of tokens' devices (View)
	// Pushed are the pushed ops of Ops with their dossiers and fields
	// (Known, Heads and HeadsAfter are asked of them): a backend may read
	// those fields' heads and those ops' presence alone. A dossier of
	// Dossiers without any here is read whole.
	Pushed []PushedOp
}

// PushedOp is an op a sync pushes: its key, its dossier's and its field.
type PushedOp struct {
	Op, Dossier, Field string
}

// TokenView is the view of a token's device of a dossier (a key).
type TokenView struct {
	Token   []byte
	Dossier string
}

// PullBatcher is what such a backend may add for a pull that sends
// dossiers' histories (the view changes of sync/server's pull), so that
// it pays a round trip per batch of dossiers, not several per dossier.
// The answers and the records written are the same without it.
type PullBatcher interface {
	// PrefetchHistories reads, at once, what HeadKeys and DossierJSON
	// will be asked of the dossiers (16-byte keys) next in this
	// transaction; snapshot: the bodies of the heads are enough.
	PrefetchHistories(dossiers []string, snapshot bool) error
	// PutViews is PutView for each dossier, DeleteReceipts
	// DeleteReceipt (of device) for each.
	PutViews(device string, dossiers []string, e ViewEntry) error
	DeleteReceipts(device string, dossiers []string) error
	// ErasedAmong says which of the dossiers are erased (Erased of
	// each; 16-byte keys).
	ErasedAmong(dossiers []string) (map[string]bool, error)
}

// OpsReader is what a backend may add to give a pull's histories as
// ops rather than JSON, for a compact page (docs/sync.md, "Compact
// pages"), which needs the ops and not their JSON. DossierOps gives, in
// the same order, exactly the ops whose JSON DossierJSON gives (what that
// JSON decodes to); the ops' strings are safe after the transaction.
// store.Tx implements it (and so the bbolt backend); without it the
// server decodes DossierJSON's JSON.
type OpsReader interface {
	DossierOps(dkey []byte, keep func(key []byte) bool, dst []store.Op) ([]store.Op, error)
}

// NumberedReader is what a backend that several server processes share
// may add to its Tx, so that a process's index of recent ops
// (sync/server/recent.go) can take in the ops the others numbered since
// its own last sync instead of starting afresh: NumberedOps calls fn, in
// order of number, for every op numbered in (after, upto], with its
// dossier's team now and its JSON (as OpJSON gives it). upto must be a
// last number (LastSeq) read under the write lock, so that no number up
// to it can still be given (docs/postgres.md, "Sequence"). An op numbered
// there whose body is gone (its dossier erased) is an error wrapping
// store.ErrNotFound.
type NumberedReader interface {
	NumberedOps(after, upto uint64, fn func(NumberedOp) error) error
}

// NumberedOp is one op NumberedOps gives: op and dossier are 16-byte
// keys, Team the dossier's team ("" for none).
type NumberedOp struct {
	Seq         uint64
	Op, Dossier string
	Team        string
	JSON        []byte
}

// Export is what copying a region to another backend needs beyond the
// other interfaces (brug admin migrate, sync/server/migrate): a listing of
// the records that cannot be enumerated otherwise, and writes that keep a
// record's original number, key or hash. Nothing else should write
// through the Import methods: they skip the checks a sync or an admin
// command makes.
type Export interface {
	// EachOpDossier calls fn with the key of every dossier the op log
	// holds ops of, in key order (read them with DossierJSON).
	EachOpDossier(fn func(dossier string) error) error
	// EachErased calls fn with the key of every erased dossier.
	EachErased(fn func(dossier string) error) error
	// EachMember calls fn for every membership (team, user).
	EachMember(fn func(team, user string) error) error
	// EachToken calls fn for every token hash and its device.
	EachToken(fn func(hash []byte, device string) error) error
	// EachShare calls fn for every dossier key with shares (SharedTeams).
	EachShare(fn func(dossier string, teams []string) error) error
	// EachView calls fn for every view entry.
	EachView(fn func(device, dossier string, e ViewEntry) error) error
	// EachRefusalOp calls fn for every refusal with its op key.
	EachRefusalOp(fn func(dossier, op string, at time.Time, code string) error) error
	// EachDraft calls fn for every draft (text id of its dossier) it can
	// open; a draft whose dossier's key is gone is skipped.
	EachDraft(fn func(dossier string, step int, user, text string) error) error
	// EachReceipt calls fn for every receipt.
	EachReceipt(fn func(dossier, device string, r Receipt) error) error
	// EachSetting calls fn for every setting SetSetting writes (not the
	// receipt key, the audit head or others the backend keeps itself).
	EachSetting(fn func(name string, value []byte) error) error

	// ImportOps stores ops of one dossier (their JSON, as OpJSON gives
	// it) as they are, unnumbered: ops the log holds are skipped, the
	// replaced set gains every id their prevs name (the merge state is
	// the same whatever the order ops arrive in). It returns how many
	// were new. Ops of an erased dossier are refused (store.ErrErased).
	ImportOps(dossier string, raws [][]byte) (int, error)
	// ImportSeq files ops under their original numbers (as NumberOp
	// does, numbers already filed are kept) and raises the counter to
	// the highest of them.
	ImportSeq(entries []SeqEntry) error
	// RaiseSeq raises the counter to at least last (numbers given to view
	// changes leave the counter beyond the last op's).
	RaiseSeq(last uint64) error
	// ImportAudit stores e under e.Seq as it is, its hash kept (no new
	// chaining), remembers e.Read, and moves the chain's head to it when
	// it carries a hash and lies beyond the head; the audit counter is
	// raised so that the next AppendAudit numbers after it.
	ImportAudit(e AuditEntry) error
	// MarkErased leaves a dossier key's tombstone (its ops, if any, and
	// its key go, as in an erasure).
	MarkErased(dossier string) error
	// SetReceiptKey keeps key as the receipt key (sealed as ReceiptKey
	// keeps it), replacing any.
	SetReceiptKey(key []byte) error
}
