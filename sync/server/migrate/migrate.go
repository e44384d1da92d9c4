// Package migrate copies a region from one storage backend to another
// (brug admin migrate: a bbolt file to PostgreSQL) through the storage
// interfaces (sync/server/storage), with every record's original number,
// key and hash: ops keep their sequence numbers (devices' cursors stay
// valid), the audit log its hash chain. It verifies the copy (a count and
// a digest per record kind, every op read back) and can be run again: a
// complete copy is left as it is, a copy cut off is completed, and a
// target holding another region, or a copy served since, is refused.
//
// The source is only read (one read transaction for the whole copy); the
// target is written in batches of their own transactions, so a run cut
// off leaves whole batches, and the next run writes what is missing (every
// write is an upsert, ops already there are skipped).
package migrate

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/brug-nl/brug/sync/server/storage"
)

// Marker is the target's setting that names the region copied into it
// (the id of the source's first epoch) and whether the copy was
// completed and verified.
const Marker = "migrated_from"

type marker struct {
	Region string `json:"region"`
	Done   bool   `json:"done,omitempty"`
}

// ErrOtherRegion: the target holds records of another region (or of
// something that is not a copy of this one).
var ErrOtherRegion = errors.New("the target holds another region")

// ErrServedSince: the target is a copy of this region that was served
// since (it has epochs the source lacks): copying again would overwrite
// what happened there.
var ErrServedSince = errors.New("the target is a copy of this region that has been in use since")

// ErrMismatch: the copy differs from the source after copying.
var ErrMismatch = errors.New("the copy differs from the source")

// Options steer a copy.
type Options struct {
	// Batch is about how many ops (or other records) one target
	// transaction writes; 0 means 5000.
	Batch int
	// Progress, when set, is told after each batch: the stage ("ops",
	// "numbers", "views", "audit", ...), and how far (done of total; total
	// 0 when not known).
	Progress func(stage string, done, total int)
	// AfterBatch, when set, runs after each committed batch; an error
	// stops the copy there (tests cut a copy off with it).
	AfterBatch func(stage string) error
}

// Report is what a run did and found.
type Report struct {
	// AlreadyComplete: the target was a complete, verified copy; nothing
	// was written.
	AlreadyComplete bool
	// Resumed: the target held part of a copy of this region.
	Resumed bool
	// NewOps is how many ops the run wrote (0 on a complete copy).
	NewOps int
	// Kinds are the counts and digests of both sides, per record kind.
	Kinds []Kind
}

// Migrate copies src into dst and verifies the copy.
func Migrate(src, dst storage.Storage, opt Options) (Report, error) {
	if opt.Batch <= 0 {
		opt.Batch = 5000
	}
	var rep Report
	region, srcEpochs, err := sourceRegion(src)
	if err != nil {
		return rep, err
	}
	m, err := checkTarget(dst, region, srcEpochs)
	if err != nil {
		return rep, err
	}
	if m != nil && m.Done {
		kinds, err := Verify(src, dst)
		if err == nil {
			rep.AlreadyComplete, rep.Kinds = true, kinds
			return rep, nil
		}
		if !errors.Is(err, ErrMismatch) {
			return rep, err
		}
		// The source changed since (it was served again): copy what is
		// missing, as for a copy cut off.
	}
	rep.Resumed = m != nil
	c := &copier{src: src, dst: dst, opt: opt, region: region}
	err = src.View(func(s storage.Tx) error {
		c.s = s
		return c.run(srcEpochs, &rep)
	})
	if err != nil {
		return rep, err
	}
	kinds, err := Verify(src, dst)
	rep.Kinds = kinds
	if err != nil {
		return rep, err
	}
	err = dst.Update(func(tx storage.Tx) error { return setMarker(tx, marker{Region: region, Done: true}) })
	return rep, err
}

// sourceRegion is the source's identity (its first epoch's id, "" for a
// file never served) and its epochs.
func sourceRegion(src storage.Storage) (string, []storage.Epoch, error) {
	var eps []storage.Epoch
	err := src.View(func(tx storage.Tx) error {
		return tx.EachEpoch(func(e storage.Epoch) error { eps = append(eps, e); return nil })
	})
	if err != nil {
		return "", nil, fmt.Errorf("read the source's epochs: %w", err)
	}
	if len(eps) == 0 {
		return "", nil, nil
	}
	return eps[0].ID, eps, nil
}

// checkTarget reads the target's marker: nil for an empty target (the
// marker is then written), the marker of a copy of region, or an error
// for a target of another region or one served since.
func checkTarget(dst storage.Storage, region string, srcEpochs []storage.Epoch) (*marker, error) {
	var m *marker
	err := dst.Update(func(tx storage.Tx) error {
		raw, err := tx.Setting(Marker)
		if err != nil {
			return err
		}
		if raw == nil {
			if what := nonEmpty(tx); what != "" {
				return fmt.Errorf("%w: it is not empty (it has %s) and is no copy of this one", ErrOtherRegion, what)
			}
			return setMarker(tx, marker{Region: region})
		}
		var have marker
		if err := json.Unmarshal(raw, &have); err != nil {
			return fmt.Errorf("%w: its mark %s is damaged: %v", ErrOtherRegion, Marker, err)
		}
		if have.Region != region {
			return fmt.Errorf("%w: it is a copy of region %q, the source is %q", ErrOtherRegion, have.Region, region)
		}
		var eps []storage.Epoch
		if err := tx.EachEpoch(func(e storage.Epoch) error { eps = append(eps, e); return nil }); err != nil {
			return err
		}
		if len(eps) > len(srcEpochs) || !slices.EqualFunc(eps, srcEpochs[:len(eps)], func(a, b storage.Epoch) bool { return a.ID == b.ID }) {
			return ErrServedSince
		}
		m = &have
		return nil
	})
	return m, err
}

// nonEmpty names what a target without a marker holds, "" for nothing.
func nonEmpty(tx storage.Tx) string {
	if tx.LastSeq() > 0 {
		return "numbered ops"
	}
	if names, _ := tx.UserNames(); len(names) > 0 {
		return "users"
	}
	if ts, _ := tx.Teams(); len(ts) > 0 {
		return "teams"
	}
	if _, ok, _ := tx.AuditHead(); ok {
		return "an audit log"
	}
	has := false
	tx.EachEpoch(func(storage.Epoch) error { has = true; return errStop })
	if has {
		return "epochs"
	}
	tx.EachOpDossier(func(string) error { has = true; return errStop })
	if has {
		return "ops"
	}
	return ""
}

var errStop = errors.New("stop")

func setMarker(tx storage.Tx, m marker) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return tx.SetSetting(Marker, b)
}

// copier copies in batches, reading from one source transaction.
type copier struct {
	src, dst storage.Storage
	s        storage.Tx
	opt      Options
	region   string
}

// batch writes fn's records in one target transaction, then reports.
func (c *copier) batch(stage string, done, total int, fn func(tx storage.Tx) error) error {
	if err := c.dst.Update(fn); err != nil {
		return fmt.Errorf("copy %s: %w", stage, err)
	}
	if c.opt.Progress != nil {
		c.opt.Progress(stage, done, total)
	}
	if c.opt.AfterBatch != nil {
		return c.opt.AfterBatch(stage)
	}
	return nil
}

// chunked copies the records each gives in batches of opt.Batch.
func chunked[T any](c *copier, stage string, each func(fn func(T) error) error, put func(tx storage.Tx, x T) error) error {
	var buf []T
	done := 0
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		done += len(buf)
		err := c.batch(stage, done, 0, func(tx storage.Tx) error {
			for _, x := range buf {
				if err := put(tx, x); err != nil {
					return err
				}
			}
			return nil
		})
		buf = buf[:0]
		return err
	}
	err := each(func(x T) error {
		buf = append(buf, x)
		if len(buf) >= c.opt.Batch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func (c *copier) run(srcEpochs []storage.Epoch, rep *Report) error {
	s := c.s
	// Accounts, the register, devices and the small records: one
	// transaction.
	err := c.batch("records", 1, 1, func(tx storage.Tx) error { return c.records(tx, srcEpochs) })
	if err != nil {
		return err
	}
	// Tombstones before ops: an erased dossier's ops never come back.
	if err := chunked(c, "erased", func(fn func(string) error) error { return s.EachErased(fn) },
		func(tx storage.Tx, d string) error { return tx.MarkErased(d) }); err != nil {
		return err
	}
	// Ops, per dossier, in batches of about opt.Batch ops.
	var dossiers []string
	if err := s.EachOpDossier(func(d string) error { dossiers = append(dossiers, d); return nil }); err != nil {
		return err
	}
	type dossierOps struct {
		d    string
		raws [][]byte
	}
	var pend []dossierOps
	n, all := 0, func([]byte) bool { return true }
	for i, d := range dossiers {
		raws, err := s.DossierJSON([]byte(d), all, nil)
		if err != nil {
			return fmt.Errorf("read the ops of %x: %w", d, err)
		}
		pend = append(pend, dossierOps{d, raws})
		n += len(raws)
		if n < c.opt.Batch && i < len(dossiers)-1 {
			continue
		}
		err = c.batch("ops", i+1, len(dossiers), func(tx storage.Tx) error {
			for _, p := range pend {
				k, err := tx.ImportOps(p.d, p.raws)
				if err != nil {
					return err
				}
				rep.NewOps += k
			}
			return nil
		})
		if err != nil {
			return err
		}
		pend, n = pend[:0], 0
	}
	// Their numbers, and the counter beyond them.
	last := s.LastSeq()
	var seqs []storage.SeqEntry
	flushSeq := func() error {
		if len(seqs) == 0 {
			return nil
		}
		done := int(seqs[len(seqs)-1].Seq)
		err := c.batch("numbers", done, int(last), func(tx storage.Tx) error { return tx.ImportSeq(seqs) })
		seqs = seqs[:0]
		return err
	}
	err = s.OpsAfter(0, func(seq uint64, op, d []byte) (bool, error) {
		seqs = append(seqs, storage.SeqEntry{Seq: seq, Op: string(op), Dossier: string(d)})
		if len(seqs) >= c.opt.Batch {
			return true, flushSeq()
		}
		return true, nil
	})
	if err == nil {
		err = flushSeq()
	}
	if err == nil {
		err = c.batch("numbers", int(last), int(last), func(tx storage.Tx) error { return tx.RaiseSeq(last) })
	}
	if err != nil {
		return err
	}
	type view struct {
		device, d string
		e         storage.ViewEntry
	}
	if err := chunked(c, "views", func(fn func(view) error) error {
		return s.EachView(func(dev, d string, e storage.ViewEntry) error { return fn(view{dev, d, e}) })
	}, func(tx storage.Tx, v view) error { return tx.PutView(v.device, v.d, v.e) }); err != nil {
		return err
	}
	type draft struct {
		d, user, text string
		step          int
	}
	if err := chunked(c, "drafts", func(fn func(draft) error) error {
		return s.EachDraft(func(d string, step int, user, text string) error { return fn(draft{d, user, text, step}) })
	}, func(tx storage.Tx, x draft) error { return tx.PutDraft(x.d, x.step, x.user, x.text) }); err != nil {
		return err
	}
	return chunked(c, "audit", func(fn func(storage.AuditEntry) error) error {
		return s.ScanAudit(func(key uint64, e storage.AuditEntry, err error) error {
			if err != nil {
				return fmt.Errorf("the source's audit entry %d does not read: %w", key, err)
			}
			e.Seq = key
			return fn(e)
		})
	}, func(tx storage.Tx, e storage.AuditEntry) error { return tx.ImportAudit(e) })
}

// records copies everything but ops, numbers, views, drafts and audit.
func (c *copier) records(tx storage.Tx, srcEpochs []storage.Epoch) error {
	s := c.s
	names, err := s.UserNames()
	if err != nil {
		return err
	}
	for _, name := range names {
		u, ok, err := s.User(name)
		if err != nil {
			return fmt.Errorf("user %s: %w", name, err)
		}
		if ok {
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
	}
	teams, err := s.Teams()
	if err != nil {
		return err
	}
	for _, t := range teams {
		if err := tx.PutTeam(t); err != nil {
			return err
		}
	}
	steps := []func() error{
		func() error { return s.EachMember(func(team, user string) error { return tx.AddMember(team, user) }) },
		func() error { return s.EachOrg(func(o storage.Org) error { return tx.PutOrg(o) }) },
		func() error { return s.EachDevice(func(d storage.Device) error { return tx.PutDevice(d) }) },
		func() error { return s.EachToken(func(h []byte, d string) error { return tx.PutToken(h, d) }) },
		func() error {
			return s.EachCode(func(h []byte, x storage.EnrolCode) error { return tx.PutCode(h, x) })
		},
		func() error { return s.EachKey(func(k storage.Key) error { return tx.PutKey(k) }) },
		func() error {
			return s.EachDossierTeam(func(d, team string) error { return tx.SetDossierTeam(d, team) })
		},
		func() error {
			return s.EachShare(func(d string, teams []string) error { return tx.SetSharedTeams(d, teams) })
		},
		func() error {
			return s.EachErasure(func(d string, r storage.ErasureRecord) error { return tx.PutErasure(d, r) })
		},
		func() error {
			return s.EachReceipt(func(d, dev string, r storage.Receipt) error { return tx.PutReceipt(d, dev, r) })
		},
		func() error { return s.EachRefusalOp(tx.PutRefusal) },
		func() error {
			return s.EachSetting(func(name string, v []byte) error {
				if name == Marker {
					return nil
				}
				return tx.SetSetting(name, v)
			})
		},
		func() error {
			raw, err := s.Setting("receipt_key")
			if err != nil || raw == nil {
				return err
			}
			k, err := s.ReceiptKey()
			if err != nil {
				return fmt.Errorf("the source's receipt key: %w", err)
			}
			return tx.SetReceiptKey(k)
		},
		func() error {
			n := 0
			if err := tx.EachEpoch(func(storage.Epoch) error { n++; return nil }); err != nil {
				return err
			}
			for _, e := range srcEpochs[n:] {
				if err := tx.AppendEpoch(e); err != nil {
					return err
				}
			}
			return nil
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}
