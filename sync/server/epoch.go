package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/boltstore"
	"github.com/brug-nl/brug/sync/server/storage"
)

// A restored server file is byte for byte its backup, so nothing in it can
// say it went back in time. What can: every opening of the file starts a
// new epoch, a random id appended to the file's list of epochs (x_epochs)
// with the sequence number it started at. Devices keep the epoch of the
// last answer they applied and send it with each sync. The file holds
// everything a device was told if the device's epoch is in the list and,
// when that epoch is not the current one, the device's cursor is not past
// the number at which the next epoch began (the file's history of that
// epoch ends there). Otherwise the file lacks part of what the device saw
// (and perhaps sent): it was restored from a backup, and the server asks
// the device to resend (protocol.SyncResponse.Resend). docs/sync.md,
// "Restore", has the reasoning and the cases.
//
// `brug admin backup` marks, in the copy only, the epoch that was current
// when the copy was taken as broken: the running server went on in it
// after the copy, so after a restore every device of that epoch resends,
// whatever its cursor.

// kEpoch is the setting of the current epoch id.
const kEpoch = "epoch"

// epochEntry is one opening of the server's file (storage.Epoch).
type epochEntry = storage.Epoch

// epochs is what the server knows of its file's epochs, read at Open.
type epochs struct {
	current string
	// end maps each earlier, unbroken epoch to the number at which the
	// next one began: the file holds that epoch's history up to there.
	end        map[string]uint64
	receiptKey []byte
}

// startEpoch begins a new epoch of the file, and makes the receipt key
// on a new file.
func (s *Server) startEpoch(tx Tx) error {
	key, err := tx.ReceiptKey()
	if err != nil {
		return err
	}
	s.epochs = epochs{end: map[string]uint64{}, receiptKey: bytes32(key)}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return err
	}
	start := tx.LastSeq()
	var prev *epochEntry
	err = tx.EachEpoch(func(e epochEntry) error {
		if prev != nil && !prev.Broken {
			s.epochs.end[prev.ID] = e.Start
		}
		prev = &e
		return nil
	})
	if err != nil {
		return err
	}
	if prev != nil && !prev.Broken {
		s.epochs.end[prev.ID] = start
	}
	e := epochEntry{ID: hex.EncodeToString(id), Start: start, Started: s.now().UTC()}
	if err := tx.AppendEpoch(e); err != nil {
		return err
	}
	s.epochs.current = e.ID
	return tx.SetSetting(kEpoch, []byte(e.ID))
}

func bytes32(b []byte) []byte { return append(make([]byte, 0, 32), b...) }

// Epoch is the epoch the server runs in: it changes every time the file
// is opened, and a restore from backup never brings back a current one.
func (s *Server) Epoch() string { return s.epochs.current }

// behind reports whether a device that last applied an answer of epoch
// with cursor may hold what this file lacks: its epoch is unknown here or
// was broken by a backup, or its cursor is past the end of that epoch's
// history in this file. A device that sends no epoch (a fresh one, or an
// older brug) is never behind.
func (s *Server) behind(epoch string, cursor uint64) bool {
	if epoch == "" || epoch == s.epochs.current {
		return false
	}
	end, ok := s.epochs.end[epoch]
	return !ok || cursor > end
}

// receipt is the server's receipt of a dossier's erasure: an HMAC with the
// file's own key, which a device can keep and show, and never make.
func (s *Server) receipt(dossier string) string {
	m := hmac.New(sha256.New, s.epochs.receiptKey)
	m.Write([]byte("brug erasure receipt v1\x00" + dossier))
	return hex.EncodeToString(m.Sum(nil))
}

// validReceipt reports whether r is this file's receipt for dossier.
func (s *Server) validReceipt(dossier, r string) bool {
	got, err := hex.DecodeString(r)
	if err != nil || !store.ValidID(dossier) {
		return false
	}
	want, _ := hex.DecodeString(s.receipt(dossier))
	return hmac.Equal(got, want)
}

// reErase erases again the dossiers a device reports it erased at this
// server's word (receipts of this file's key) and that the file holds:
// the file was restored from a backup older than the erasures. Each goes
// through the erase path of `brug admin erase`, audited as done through
// the device's sync. Reports with a receipt the server did not make are
// ignored: a device cannot erase a dossier on its own say. It returns how
// many dossiers it erased.
func (s *Server) reErase(token string, reports map[string]string) (int, error) {
	var d Device
	var u User
	var todo []string
	err := s.db.View(func(tx Tx) error {
		var err error
		if d, u, err = authenticate(tx, token); err != nil {
			return err
		}
		for id, r := range reports {
			if s.validReceipt(id, r) && (!tx.Erased(id) || erasureUnfinished(tx, id)) {
				todo = append(todo, id)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, id := range todo {
		s.log.Warn("erasure re-applied after a restore", "dossier", id, "device", d.ID)
		if err := s.erase(id, AuditEntry{
			Channel: ChannelSync, User: u.Name, Device: d.ID, Action: "erase", Dossier: id,
			Detail: "re-applied after a restore from backup: this device held the server's receipt of the erasure",
		}); err != nil {
			return 0, err
		}
	}
	return len(todo), nil
}

// erasureUnfinished reports whether an erased dossier still has a team
// entry: the second step of an erasure was cut off (see erase).
func erasureUnfinished(tx Tx, id string) bool { return dossierTeam(tx, id) != "" }

// ErrBackupTarget is returned for a backup path that is not a new file
// outside the server's own.
var ErrBackupTarget = errors.New("backup target")

// KeyStoreBackup is where Backup writes the copy of the key store that
// goes with a copy of the data file at path.
func KeyStoreBackup(path string) string { return path + ".keys" }

// ErrBackupDatabase is Backup's answer on a region kept in a database
// server: its own tools back it up.
var ErrBackupDatabase = errors.New("a region in PostgreSQL is backed up with pg_dump (of the data and of the key database) or a base backup, not by brug (docs/postgres.md, \"Backups\")")

// Backup writes a consistent copy of the server's file to path while the
// server runs: the copy is a read transaction's snapshot (so syncs go on),
// written to a temporary file next to path, marked (in the copy only) so
// that a restore of it asks every device of the current epoch to resend,
// synced, and renamed into place. path must be absolute and must not be
// the server's own file (nor its admin socket). It returns the size of the
// copy.
//
// A file with a key store (encryption at rest) gets a copy of that too,
// at KeyStoreBackup(path), taken inside the data copy's transaction: it
// holds the key of every dossier the data copy holds, but for dossiers
// erased meanwhile (their values without a key are as erased). The master
// key is never copied: it is to be kept apart from the backups.
func (s *Server) Backup(path string) (int64, error) {
	if !filepath.IsAbs(path) {
		return 0, fmt.Errorf("%w %q: give an absolute path", ErrBackupTarget, path)
	}
	path = filepath.Clean(path)
	if s.st == nil {
		return 0, ErrBackupDatabase
	}
	own, _ := filepath.Abs(s.st.Path())
	ks := s.st.KeyStore()
	targets := []string{path}
	if ks != "" {
		ks, _ = filepath.Abs(ks)
		targets = append(targets, KeyStoreBackup(path))
	}
	for _, t := range targets {
		for _, o := range []string{own, AdminSocketPath(own), ks} {
			if o == "" {
				continue
			}
			same := t == o
			if fi, err := os.Stat(t); err == nil {
				if ofi, err := os.Stat(o); err == nil && os.SameFile(fi, ofi) {
					same = true
				}
				if fi.IsDir() {
					return 0, fmt.Errorf("%w %q: is a folder; give a file name", ErrBackupTarget, t)
				}
			}
			if same {
				return 0, fmt.Errorf("%w %q: that is the server's own file; choose another", ErrBackupTarget, t)
			}
		}
	}
	data, err := newBackupFile(path)
	if err != nil {
		return 0, err
	}
	defer data.discard()
	var keys *backupFile
	if ks != "" {
		if keys, err = newBackupFile(KeyStoreBackup(path)); err != nil {
			return 0, err
		}
		defer keys.discard()
	}
	var n int64
	epoch := s.epochs.current
	if err := s.db.View(func(tx Tx) error {
		var err error
		if n, err = tx.WriteTo(data.f); err != nil {
			return err
		}
		// The key store after the data: a dossier made meanwhile has its
		// key in the copy without values (harmless); one made before has
		// its key committed before its values, so in the copy too.
		if keys != nil {
			_, err = tx.WriteKeyStoreTo(keys.f)
		}
		return err
	}); err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := data.f.Close(); err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := markBroken(data.f.Name(), epoch); err != nil {
		return 0, fmt.Errorf("backup to %s: mark the copy: %w", path, err)
	}
	// The key store's copy goes into place first: a crash between the two
	// renames leaves a newer key store beside an older data copy (keys
	// without values, harmless), never values without their keys.
	if keys != nil {
		if err := keys.commit(); err != nil {
			return 0, fmt.Errorf("backup to %s: %w", keys.path, err)
		}
	}
	if err := data.commit(); err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	_ = syncFile(filepath.Dir(path)) // the renames themselves, where the OS allows
	fi, err := os.Stat(path)
	if err == nil {
		n = fi.Size()
	}
	return n, nil
}

// backupFile is a copy being written to a temporary file beside path.
type backupFile struct {
	path string
	f    *os.File
	done bool
}

func newBackupFile(path string) (*backupFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("backup to %s: %w", path, err)
	}
	return &backupFile{path: path, f: f}, nil
}

// commit closes the copy (if still open), syncs it and renames it into
// place.
func (b *backupFile) commit() error {
	_ = b.f.Close() // closed already for the data copy, which markBroken changed
	if err := syncFile(b.f.Name()); err != nil {
		return err
	}
	if err := os.Rename(b.f.Name(), b.path); err != nil {
		return err
	}
	b.done = true
	return nil
}

// discard removes the temporary file of a copy that was not committed.
func (b *backupFile) discard() {
	if !b.done {
		b.f.Close()
		os.Remove(b.f.Name())
	}
}

// markBroken marks epoch as broken in the copy at path (see Backup).
func markBroken(path, epoch string) error { return boltstore.MarkBroken(path, epoch) }

// syncFile flushes a file (or folder) to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}
