// Package protocol holds the types of brug's sync API (/v1), shared by the
// server and the client. docs/sync.md describes the protocol in layers
// (model, invariants, transactions, HTTP, security); docs/openapi.yaml is
// the machine-readable form.
package protocol

import (
	"time"

	"github.com/brug-nl/brug/store"
)

// Version is the API version in every path.
const Version = "v1"

// Paths of the API.
const (
	PathEnroll  = "/v1/enroll"
	PathSync    = "/v1/sync"
	PathHealth  = "/healthz"
	PathMetrics = "/metrics"

	// PathDevice is the first, cheap request of every sync: it sends
	// nothing the device holds and answers whether the device may go on
	// (200 DeviceStatus) or must stop (401), among others with
	// ErrorWipe: the device destroys its keys and data, then reports it
	// on PathWiped (docs/sync.md, "Remote wipe").
	PathDevice = "/v1/device"
	PathWiped  = "/v1/wiped"
	// PathReads takes a device's read-log entries (POST ReadsRequest,
	// answered with ReadsResponse); docs/sync.md, "Reads on a laptop".
	PathReads = "/v1/reads"
	// PathRegister is the region's register (issue 11): GET, with the
	// version as ETag (store.Register).
	PathRegister = "/v1/register"
)

// Limits the server enforces and the client respects.
const (
	MaxRequestBytes = 8 << 20 // a push body, after decompression
	MaxPushOps      = 5000    // ops in one push; the client sends its outbox in chunks
	DefaultPullOps  = 5000    // ops in one pull page unless the client asks fewer
	MaxPullOps      = 20000
	// MaxFieldHeads is how many heads (concurrent values) one field of a
	// dossier may hold on the server: an op that would make a field hold
	// more is refused (RefuseHeads) unless it replaces heads it names in
	// prev, so resolving a conflict is always accepted. It bounds a field
	// at 32 values of at most 64 KiB each.
	MaxFieldHeads = 32
	// MaxClockAhead is how far ahead of the server's clock an op's stamp
	// may be; a later one is refused (RefuseClock).
	MaxClockAhead = store.MaxClockAhead
	// MaxErasureReports bounds SyncRequest.Erased; a device holding more
	// receipts sends them over several syncs.
	MaxErasureReports = 10000
)

// EnrollRequest enrols a device with a one-time code an admin made for its
// user.
type EnrollRequest struct {
	Code       string `json:"code"`
	DeviceName string `json:"device_name"` // e.g. the laptop's host name, shown in `brug admin device list`
}

// EnrollResponse carries the device token. The server keeps only a hash of
// it; the client keeps it in the OS keyring (or a 0600 file), never in the
// database.
type EnrollResponse struct {
	Token    string   `json:"token"`
	DeviceID string   `json:"device_id"`
	User     string   `json:"user"`
	Role     string   `json:"role"`
	Teams    []string `json:"teams"`
}

// SyncRequest is one round trip: push the outbox, pull from the cursor.
type SyncRequest struct {
	Push   []store.Op `json:"push,omitempty"`
	Cursor uint64     `json:"cursor"`          // the last server sequence number this device has applied; 0 on a fresh device
	Limit  int        `json:"limit,omitempty"` // ops per pull page; 0 means DefaultPullOps
	// Epoch is the server epoch of the answer this device last applied
	// (SyncResponse.Epoch); "" on a fresh device. A server whose file does
	// not hold everything that epoch told the device (it was restored from
	// a backup) answers with Resend.
	Epoch string `json:"epoch,omitempty"`
	// Erased lists, after a Resend, the dossiers this device erased at the
	// server's word, each with the receipt the server gave
	// (SyncResponse.Receipts): the server erases again those its restored
	// file still holds. Receipts the server did not make are ignored.
	Erased map[string]string `json:"erased,omitempty"`
	// MethodHash is the hash of the region's method file this device
	// holds (MethodInfo.Hash of an earlier answer); "" when it holds none.
	// A server whose method has another hash sends its file along.
	MethodHash string `json:"method_hash,omitempty"`
	// ConfirmErased and ConfirmDropped are the device's receipts: the
	// dossiers of earlier answers' Erased and Drop that it has applied
	// since it last had a request answered. It sends them until a request
	// carrying them is answered; the server records each once
	// (docs/sync.md, "Receipts"). At most MaxConfirmations in all.
	ConfirmErased  []string `json:"confirm_erased,omitempty"`
	ConfirmDropped []string `json:"confirm_dropped,omitempty"`
}

// ReadsRequest carries the oldest entries of a device's read log
// (store.PendingReads), at most MaxReads.
type ReadsRequest struct {
	Reads []store.ReadEntry `json:"reads"`
}

// MaxReads bounds ReadsRequest.Reads; a device holding more sends them
// over several requests.
const MaxReads = 1000

// MaxReadsBytes bounds a ReadsRequest body (before gzip).
const MaxReadsBytes = 1 << 20

// ReadsResponse answers a ReadsRequest: every entry of it was handled,
// kept now (Stored), kept before (Known: a resend, kept once), or not
// kept (Refused, by id with a code: invalid, author, device). The device
// removes all of them from its log (store.AckReads).
type ReadsResponse struct {
	Stored  int       `json:"stored"`
	Known   int       `json:"known"`
	Refused []Refusal `json:"refused,omitempty"`
}

// MaxConfirmations bounds SyncRequest.ConfirmErased and ConfirmDropped
// together; a device holding more sends them over several requests.
const MaxConfirmations = 10000

// MethodInfo identifies the region's method: its id and version as the
// file says, and the SHA-256 (hex) of the file's bytes as the server
// loaded them.
type MethodInfo struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Hash    string `json:"hash"`
}

// MaxMethodBytes bounds SyncResponse.MethodFile: a method file is at most
// this large (method.MaxFileSize).
const MaxMethodBytes = 1 << 20

// SyncResponse answers a SyncRequest. The client applies Drop, then Ops,
// then stores Cursor; if More is set it syncs again at once (with an empty
// push) to fetch the next page.
type SyncResponse struct {
	Accepted []string   `json:"accepted,omitempty"` // pushed op ids stored now or before (idempotent)
	Refused  []Refusal  `json:"refused,omitempty"`  // pushed ops refused, each with its reason
	Ops      []store.Op `json:"ops,omitempty"`      // ops for this device's view, in server order
	Drop     []string   `json:"drop,omitempty"`     // dossiers that left the device's view: remove them (store.Drop)
	Erased   []string   `json:"erased,omitempty"`   // dossiers erased by an admin: erase them (store.Erase)
	Cursor   uint64     `json:"cursor"`             // the sequence number to send next time
	More     bool       `json:"more,omitempty"`     // another page is waiting
	Teams    []string   `json:"teams,omitempty"`    // the user's teams now, sorted, so the device offers the right ones for new clients
	// ServerTime is the server's clock when it answered, so a device can
	// tell its own clock is wrong (docs/sync.md, "Clocks").
	ServerTime time.Time `json:"server_time,omitzero"`
	// Receipts holds, for each dossier in Erased, the server's receipt of
	// the erasure: the device keeps it and reports it after a restore
	// (SyncRequest.Erased).
	Receipts map[string]string `json:"receipts,omitempty"`
	// Epoch identifies the server's file and the run of the server since
	// it was opened last; the device stores it and sends it next time.
	Epoch string `json:"epoch,omitempty"`
	// Resend says the server's file was restored from a backup older than
	// what this device last saw: the device puts every op it made back in
	// its outbox, syncs again from cursor 0 with its erasure receipts, and
	// applies nothing else of this answer (docs/sync.md, "Restore").
	Resend bool `json:"resend,omitempty"`
	// Method identifies the region's method, in every answer.
	Method *MethodInfo `json:"method,omitempty"`
	// MethodFile is the region's method file (YAML, as the server loaded
	// it), sent when the request's MethodHash is not Method.Hash. The
	// device parses it with the strict method parser and keeps it for its
	// next start; it is data, never code.
	MethodFile string `json:"method_file,omitempty"`
}

// DeviceStatus answers GET PathDevice for a device that may sync.
type DeviceStatus struct {
	Device     string    `json:"device"` // the enrolment id (EnrollResponse.DeviceID)
	User       string    `json:"user"`
	ServerTime time.Time `json:"server_time"`
	// Register is the version of the region's register (store.Register,
	// the ETag of PathRegister): a device that holds this version need
	// not ask PathRegister after its sync. Empty from a server from
	// before it, or when the register could not be read: the device then
	// asks, as before (docs/sync.md, "The register").
	Register string `json:"register,omitempty"`
}

// WipedAck answers POST PathWiped (which has no body): when the server
// recorded the device's wipe.
type WipedAck struct {
	Recorded time.Time `json:"recorded"`
}

// Refusal says why a pushed op was not stored. Code is stable for programs;
// Reason is a sentence for people.
type Refusal struct {
	ID     string `json:"id"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// Refusal codes.
const (
	RefuseInvalid   = "invalid"   // the op's shape, field or value is wrong
	RefuseMethod    = "method"    // the field names a step, item or question the method does not have
	RefuseAuthor    = "author"    // the op's author is not the token's user
	RefuseDevice    = "device"    // the op's device is not the one the token's ops come from
	RefuseForbidden = "forbidden" // the user may not write this dossier (not their team)
	RefuseErased    = "erased"    // the dossier was erased
	RefuseUnknown   = "unknown"   // an op for a dossier the server does not know that does not create it
	RefuseHeads     = "heads"     // the op would give its field more than MaxFieldHeads heads; resolve the conflict first
	RefuseClock     = "clock"     // the op's stamp is more than MaxClockAhead ahead of the server's clock
	// RefuseReadOnly: the dossier is shared with the user's team to read
	// only (docs/sharing.md).
	RefuseReadOnly = "read_only"
	// RefuseNoOrgConsent: a move of the dossier to a team of another
	// organisation without the person's consent for that organisation.
	RefuseNoOrgConsent = "no_consent_for_org"
)

// Error is the body of every 4xx and 5xx answer.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"` // what is wrong and what to do
}

// Roles of accounts.
const (
	RoleCoach       = "coach"
	RoleWijkteam    = "wijkteam"
	RoleCoordinator = "coordinator"
	RoleAdmin       = "admin"
)

// Codes of Error bodies.
const (
	ErrorBadRequest   = "bad_request"            // 400: malformed JSON, unknown fields, trailing data, limits
	ErrorTooLarge     = "too_large"              // 413: body over MaxRequestBytes after decompression
	ErrorUnsupported  = "unsupported_encoding"   // 415: a Content-Encoding other than gzip
	ErrorMediaType    = "unsupported_media_type" // 415: a Content-Type other than application/json
	ErrorNotFound     = "not_found"              // 404: no such path
	ErrorMethod       = "method_not_allowed"     // 405: the path answers other methods (see Allow)
	ErrorUnauthorized = "unauthorized"           // 401: no token; a bad enrolment code
	ErrorUnknownToken = "unknown_token"          // 401: the server knows no device with this token (enrol again)
	ErrorRevoked      = "device_revoked"         // 401: an admin revoked this device (a new code enrols it again)
	ErrorDisabled     = "user_disabled"          // 401: the device's user is disabled or removed (a new code does not help)
	ErrorWipe         = "device_wipe"            // 401: an admin revoked this device and ordered it wiped: destroy its keys and data, send nothing
	ErrorForbidden    = "forbidden"              // 403
	ErrorInternal     = "internal"               // 500: try again later
)
