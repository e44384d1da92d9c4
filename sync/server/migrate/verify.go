package migrate

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/brug-nl/brug/sync/server/storage"
)

// Kind is one record kind's count and digest on both sides.
type Kind struct {
	Name           string
	Source, Target int
	// SourceDigest and TargetDigest are hex SHA-256 over the kind's
	// records (order does not matter: a sum of each record's hash).
	SourceDigest, TargetDigest string
}

// Same reports whether both sides hold the same records.
func (k Kind) Same() bool { return k.Source == k.Target && k.SourceDigest == k.TargetDigest }

// Verify compares src and dst kind by kind, reading every op of the
// target back (opened with its dossier's key). It returns the kinds, and
// an error wrapping ErrMismatch naming those that differ.
func Verify(src, dst storage.Storage) ([]Kind, error) {
	var a, b digests
	if err := src.View(func(tx storage.Tx) error { var err error; a, err = digest(tx); return err }); err != nil {
		return nil, fmt.Errorf("read the source: %w", err)
	}
	if err := dst.View(func(tx storage.Tx) error { var err error; b, err = digest(tx); return err }); err != nil {
		return nil, fmt.Errorf("read the copy: %w", err)
	}
	var kinds []Kind
	var bad []string
	for i, d := range a {
		k := Kind{Name: d.name, Source: d.n, Target: b[i].n, SourceDigest: d.hex(), TargetDigest: b[i].hex()}
		if !k.Same() {
			bad = append(bad, k.Name)
		}
		kinds = append(kinds, k)
	}
	if len(bad) > 0 {
		return kinds, fmt.Errorf("%w: %s", ErrMismatch, strings.Join(bad, ", "))
	}
	return kinds, nil
}

// sum is an order-free digest: the count of records and the sum (per
// 64-bit lane) of their SHA-256.
type sum struct {
	name string
	n    int
	acc  [4]uint64
}

func (s *sum) add(parts ...[]byte) {
	h := sha256.New()
	for _, p := range parts {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(p)))
		h.Write(l[:])
		h.Write(p)
	}
	var d [32]byte
	h.Sum(d[:0])
	for i := range s.acc {
		s.acc[i] += binary.BigEndian.Uint64(d[8*i:])
	}
	s.n++
}

func (s *sum) addJSON(key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	s.add(key, b)
	return nil
}

func (s *sum) hex() string {
	var b [32]byte
	for i, v := range s.acc {
		binary.BigEndian.PutUint64(b[8*i:], v)
	}
	return hex.EncodeToString(b[:])
}

type digests []*sum

// Kind names, in the order of the report.
var kindNames = []string{"ops", "numbers", "counter", "users", "teams", "members", "orgs", "devices", "tokens", "codes",
	"ssh keys", "dossier teams", "shares", "views", "audit", "audit head", "refusals", "drafts", "erasures", "erased",
	"receipts", "settings", "receipt key", "epochs"}

// digest reads everything of one side.
func digest(tx storage.Tx) (digests, error) {
	ds := make(digests, len(kindNames))
	by := map[string]*sum{}
	for i, n := range kindNames {
		ds[i] = &sum{name: n}
		by[n] = ds[i]
	}
	all := func([]byte) bool { return true }
	steps := []func() error{
		func() error {
			return tx.EachOpDossier(func(d string) error {
				raws, err := tx.DossierJSON([]byte(d), all, nil)
				if err != nil {
					return fmt.Errorf("the ops of %x: %w", d, err)
				}
				for _, r := range raws {
					by["ops"].add([]byte(d), r)
				}
				return nil
			})
		},
		func() error {
			return tx.OpsAfter(0, func(seq uint64, op, d []byte) (bool, error) {
				by["numbers"].add(binary.BigEndian.AppendUint64(nil, seq), op, d)
				return true, nil
			})
		},
		func() error {
			last := tx.LastSeq()
			by["counter"].add(binary.BigEndian.AppendUint64(nil, last))
			by["counter"].n = int(last)
			return nil
		},
		func() error {
			names, err := tx.UserNames()
			if err != nil {
				return err
			}
			for _, name := range names {
				u, _, err := tx.User(name)
				if err != nil {
					return err
				}
				u.Teams = nil
				if err := by["users"].addJSON([]byte(name), u); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			ts, err := tx.Teams()
			for _, t := range ts {
				if err := by["teams"].addJSON(nil, t); err != nil {
					return err
				}
			}
			return err
		},
		func() error {
			return tx.EachMember(func(team, user string) error { by["members"].add([]byte(team), []byte(user)); return nil })
		},
		func() error { return tx.EachOrg(func(o storage.Org) error { return by["orgs"].addJSON(nil, o) }) },
		func() error {
			return tx.EachDevice(func(d storage.Device) error { return by["devices"].addJSON(nil, d) })
		},
		func() error {
			return tx.EachToken(func(h []byte, d string) error { by["tokens"].add(h, []byte(d)); return nil })
		},
		func() error {
			return tx.EachCode(func(h []byte, c storage.EnrolCode) error { return by["codes"].addJSON(h, c) })
		},
		func() error { return tx.EachKey(func(k storage.Key) error { return by["ssh keys"].addJSON(nil, k) }) },
		func() error {
			return tx.EachDossierTeam(func(d, team string) error { by["dossier teams"].add([]byte(d), []byte(team)); return nil })
		},
		func() error {
			return tx.EachShare(func(d string, teams []string) error { return by["shares"].addJSON([]byte(d), teams) })
		},
		func() error {
			return tx.EachView(func(dev, d string, e storage.ViewEntry) error {
				by["views"].add([]byte(dev), []byte(d), []byte{e.State}, binary.BigEndian.AppendUint64(nil, e.Seq))
				return nil
			})
		},
		func() error {
			return tx.ScanAudit(func(key uint64, e storage.AuditEntry, err error) error {
				if err != nil {
					return fmt.Errorf("audit entry %d: %w", key, err)
				}
				e.Seq = key
				storage.NormalizeAudit(&e)
				by["audit"].add(storage.AppendAuditJSON(nil, &e))
				return nil
			})
		},
		func() error {
			h, ok, err := tx.AuditHead()
			if ok {
				return by["audit head"].addJSON(nil, h)
			}
			return err
		},
		func() error {
			return tx.EachRefusalOp(func(d, op string, at time.Time, code string) error {
				by["refusals"].add([]byte(d), []byte(op), binary.BigEndian.AppendUint64(nil, uint64(at.Unix())), []byte(code))
				return nil
			})
		},
		func() error {
			return tx.EachDraft(func(d string, step int, user, text string) error {
				by["drafts"].add([]byte(d), binary.BigEndian.AppendUint32(nil, uint32(step)), []byte(user), []byte(text))
				return nil
			})
		},
		func() error {
			return tx.EachErasure(func(d string, r storage.ErasureRecord) error { return by["erasures"].addJSON([]byte(d), r) })
		},
		func() error { return tx.EachErased(func(d string) error { by["erased"].add([]byte(d)); return nil }) },
		func() error {
			return tx.EachReceipt(func(d, dev string, r storage.Receipt) error {
				return by["receipts"].addJSON([]byte(d+dev), r)
			})
		},
		func() error {
			return tx.EachSetting(func(name string, v []byte) error {
				if name != Marker {
					by["settings"].add([]byte(name), v)
				}
				return nil
			})
		},
		func() error {
			raw, err := tx.Setting("receipt_key")
			if err != nil || raw == nil {
				return err
			}
			k, err := tx.ReceiptKey()
			if err != nil {
				return err
			}
			by["receipt key"].add(k)
			return nil
		},
		func() error {
			return tx.EachEpoch(func(e storage.Epoch) error {
				// PostgreSQL keeps times to the microsecond.
				e.Started = e.Started.UTC().Truncate(time.Microsecond)
				return by["epochs"].addJSON(nil, e)
			})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return ds, nil
}
