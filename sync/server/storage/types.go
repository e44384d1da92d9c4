package storage

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/brug-nl/brug/store"
)

// User is an account. Its name is the author recorded on the ops it makes.
type User struct {
	Name     string    `json:"name"`
	Role     string    `json:"role"` // protocol.RoleCoach, RoleWijkteam, RoleCoordinator or RoleAdmin
	Disabled bool      `json:"disabled,omitempty"`
	Created  time.Time `json:"created"`
	Teams    []string  `json:"teams,omitempty"` // filled on read from the membership bucket
}

// Team is a group of users that shares dossiers: a dossier belongs to the
// team named in its `team` field.
type Team struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Org is the name of the organisation the team belongs to (issue 11;
	// storage.Org, kept in step when the organisation is renamed). Empty
	// on teams made before organisations existed.
	Org string `json:"org,omitempty"`
}

// Org is an organisation of the region's register as stored: its name,
// kind, KvK number and business contacts (store.Org, whose Teams is not
// stored: the teams name their organisation), and when it was added.
type Org struct {
	store.Org
	Created time.Time `json:"created"`
}

// TeamRecord is a team as stored. RenamedFrom marks a team made by a rename until the rename is done,
// so that a rename cut off half-way is finished by running it again.
type TeamRecord struct {
	Team
	RenamedFrom string `json:"renamed_from,omitempty"`
}

// Device is an enrolled replica of one user. The server keeps only the
// SHA-256 of its token.
type Device struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	Name      string    `json:"name"`
	TokenHash string    `json:"token_hash"` // hex SHA-256 of the token
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
	Revoked   time.Time `json:"revoked,omitzero"`
	// Replica is the device id the ops of this device carry (store.Op's
	// Device, the replica's own id, which the server does not choose):
	// bound at the device's first push (bindReplica), required after.
	Replica string `json:"replica,omitempty"`
	// Wipe is when an admin ordered the revoked device wiped (`brug admin
	// device revoke --wipe`); WipeTold when the device was first told
	// (protocol.ErrorWipe), Wiped when it reported the wipe done.
	Wipe     time.Time `json:"wipe,omitzero"`
	WipeTold time.Time `json:"wipe_told,omitzero"`
	Wiped    time.Time `json:"wiped,omitzero"`
}

// EnrolCode is the stored form of a one-time code (keyed by its hash).
type EnrolCode struct {
	User    string    `json:"user"`
	Expires time.Time `json:"expires"`
	Used    time.Time `json:"used,omitzero"`
}

// Key is a public key registered to a user for SSH login.
type Key struct {
	Fingerprint string    `json:"fingerprint"` // SHA256:..., as ssh-keygen -l shows it
	User        string    `json:"user"`
	Type        string    `json:"type"` // ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, ...
	Comment     string    `json:"comment,omitempty"`
	Line        string    `json:"line"` // the key in authorized_keys form, without options
	Added       time.Time `json:"added"`
}

// Receipt is a device's confirmation of an erasure or a drop.
type Receipt struct {
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
}

// ErasureRecord is the stored form of an Erasure.
type ErasureRecord struct {
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Holders []string  `json:"holders,omitempty"` // device ids whose view held the dossier
}

// Epoch is one opening of the server's file.
type Epoch struct {
	ID      string    `json:"id"`
	Start   uint64    `json:"start"`            // x_seq's counter when it began
	Started time.Time `json:"started"`          // when it began
	Broken  bool      `json:"broken,omitempty"` // a backup was taken in it: its history may go on elsewhere
	// High is the highest cursor an answer of the epoch carried, on a
	// backend several processes share (Processes.RaiseEpoch), where an
	// epoch goes on after the next one began; 0 where it is not kept.
	High uint64 `json:"high,omitempty"`
}

// AuditEntry is one line of the append-only audit log: who did what to
// which dossier, when, through which channel. It never holds dossier
// content: Detail names fields (ids only) or accounts.
//
// A sync writes one delivery record for everything it sent: Delivered
// lists the dossiers with the number of ops of each, and Dossier is empty.
// A busy sync delivers hundreds of dossiers, and a record per dossier was
// most of what a burst of syncs wrote (docs/sync.md, "One sync"). Read
// with a dossier filter, such a record comes back as that dossier's part
// of it (Dossier set, Delivered holding only it), so each delivery of a
// dossier stays traceable. Older logs hold one record per dossier, with
// Dossier set; both read the same way.
type AuditEntry struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Channel string    `json:"channel"`
	User    string    `json:"user"`             // who: the account (or the OS user for cli)
	Device  string    `json:"device,omitempty"` // the device id for sync
	Action  string    `json:"action"`           // deliver, change, drop, enroll, or an admin command ("user add", ...)
	Dossier string    `json:"dossier,omitempty"`
	Detail  string    `json:"detail,omitempty"`
	// Delivered maps each dossier a sync sent to the number of its ops
	// sent; only on delivery records.
	Delivered map[string]int `json:"delivered,omitempty"`
	// Refused counts a sync's refused ops per refusal code, and
	// RefusedDossiers lists the dossiers those ops named (ids only);
	// only on "push refused" records.
	Refused         map[string]int `json:"refused,omitempty"`
	RefusedDossiers []string       `json:"refused_dossiers,omitempty"`
	// Remote is the network address a refused request came from (SSH key
	// and token refusals).
	Remote string `json:"remote,omitempty"`
	// Unrecorded counts refusals like this one that were not recorded
	// since the last record of the same kind, by the rate limit
	// (refusal.go).
	Unrecorded int `json:"unrecorded,omitempty"`
	// Role and Org complete NEN 7513's "who": the user's role and the
	// organisation(s) of the user's teams when the entry was written.
	Role string `json:"role,omitempty"`
	Org  string `json:"org,omitempty"`
	// Read is the id of a laptop's read-log entry (store.ReadEntry.ID)
	// this entry keeps; the server keeps each id once.
	Read string `json:"read,omitempty"`
	// Hash chains the log (docs/sync.md, "The audit chain"): hex SHA-256
	// over the previous entry's hash and this entry's canonical bytes.
	// Empty on entries written before the chain began.
	Hash string `json:"hash,omitempty"`
}

// AppendAuditJSON appends e as encoding/json writes it. A busy sync
// writes hundreds of delivery records, and reflection was most of their
// cost.
func AppendAuditJSON(b []byte, e *AuditEntry) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"time":`...)
	t, err := e.Time.MarshalJSON()
	if err != nil {
		t, _ = json.Marshal(e.Time.String()) // out of MarshalJSON's range: keep the record
	}
	b = append(b, t...)
	str := func(name, v string, omitEmpty bool) {
		if omitEmpty && v == "" {
			return
		}
		b = append(b, `,"`...)
		b = append(b, name...)
		b = append(b, `":`...)
		b = appendJSONString(b, v)
	}
	str("channel", e.Channel, false)
	str("user", e.User, false)
	str("device", e.Device, true)
	str("action", e.Action, false)
	str("dossier", e.Dossier, true)
	str("detail", e.Detail, true)
	if len(e.Delivered) > 0 {
		b = append(b, `,"delivered":{`...)
		for i, id := range slices.Sorted(maps.Keys(e.Delivered)) { // sorted, as encoding/json writes maps
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, id)
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(e.Delivered[id]), 10)
		}
		b = append(b, '}')
	}
	if len(e.Refused) > 0 {
		b = append(b, `,"refused":{`...)
		for i, code := range slices.Sorted(maps.Keys(e.Refused)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, code)
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(e.Refused[code]), 10)
		}
		b = append(b, '}')
	}
	if len(e.RefusedDossiers) > 0 {
		b = append(b, `,"refused_dossiers":[`...)
		for i, id := range e.RefusedDossiers {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, id)
		}
		b = append(b, ']')
	}
	str("remote", e.Remote, true)
	if e.Unrecorded != 0 {
		b = append(b, `,"unrecorded":`...)
		b = strconv.AppendInt(b, int64(e.Unrecorded), 10)
	}
	str("role", e.Role, true)
	str("org", e.Org, true)
	str("read", e.Read, true)
	str("hash", e.Hash, true)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// does (it takes over for anything but plain ASCII).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
