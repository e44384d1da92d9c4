package server

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"github.com/brug-nl/brug/store/termsafe"
	"github.com/brug-nl/brug/sync/server/storage"
)

// The SSH public keys users log in with are kept by SHA-256 fingerprint
// ("SHA256:...") (storage.SSHKeys).

// maxKeyFile bounds what `brug admin key add` reads: an authorized_keys
// file of a few keys is a few kilobytes.
const maxKeyFile = 64 << 10

// Key is a public key registered to a user for SSH login (storage.Key).
type Key = storage.Key

// allowedKeyTypes are the key types brug accepts; DSA and certificates
// are refused (DSA is obsolete; certificates need a CA this server does not
// have).
var allowedKeyTypes = []string{
	gossh.KeyAlgoED25519, gossh.KeyAlgoECDSA256, gossh.KeyAlgoECDSA384, gossh.KeyAlgoECDSA521,
	gossh.KeyAlgoRSA, gossh.KeyAlgoSKED25519, gossh.KeyAlgoSKECDSA256,
}

// ParseKeys reads public keys in authorized_keys form (one per line; blank
// lines and # comments skipped), as in ~/.ssh/id_ed25519.pub. A line that
// is not a key is an error naming its line number.
func ParseKeys(data []byte) ([]Key, error) {
	if len(data) > maxKeyFile {
		return nil, &KeyFileError{Problem: KeyFileTooLarge}
	}
	var out []Key
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		pub, comment, _, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			if bytes.Contains(line, []byte("PRIVATE KEY")) {
				return nil, &KeyFileError{Line: i + 1, Problem: KeyFilePrivate}
			}
			return nil, &KeyFileError{Line: i + 1, Problem: KeyFileNotAKey, Err: err}
		}
		if err := termsafe.Check(comment); err != nil {
			return nil, &KeyFileError{Line: i + 1, Problem: KeyFileComment, Err: err}
		}
		if !slices.Contains(allowedKeyTypes, pub.Type()) {
			return nil, &KeyFileError{Line: i + 1, Problem: KeyFileType, Type: pub.Type()}
		}
		out = append(out, Key{
			Fingerprint: gossh.FingerprintSHA256(pub),
			Type:        pub.Type(),
			Comment:     comment,
			Line:        strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pub))),
		})
	}
	if len(out) == 0 {
		return nil, &KeyFileError{Problem: KeyFileEmpty}
	}
	return out, nil
}

// KeyFileError is what is wrong with a key file for `brug admin key
// add` (ParseKeys), in English (Error) and in Dutch (In). It wraps
// ErrInvalid: the admin's mistake.
type KeyFileError struct {
	Line    int // 1-based; 0 for the file as a whole
	Problem KeyFileProblem
	Type    string // the key type refused (KeyFileType)
	Err     error  // the SSH parser's or termsafe's complaint, English
}

// KeyFileProblem is what is wrong with a key file.
type KeyFileProblem int

// The problems of a key file.
const (
	KeyFileTooLarge KeyFileProblem = iota // over maxKeyFile
	KeyFilePrivate                        // a private key
	KeyFileNotAKey                        // a line that is no public key
	KeyFileComment                        // a comment with control characters
	KeyFileType                           // a key type not in allowedKeyTypes
	KeyFileEmpty                          // no key at all
)

func (e *KeyFileError) Error() string {
	switch e.Problem {
	case KeyFileTooLarge:
		return fmt.Sprintf("%v key file: larger than %d KB; give the .pub file of one key", ErrInvalid, maxKeyFile>>10)
	case KeyFilePrivate:
		return fmt.Sprintf("%v key file line %d: this is a private key; give the public key (the .pub file) and keep the private key secret", ErrInvalid, e.Line)
	case KeyFileNotAKey:
		return fmt.Sprintf("%v key file line %d: not an SSH public key (%v); give a line like \"ssh-ed25519 AAAA... name@laptop\"", ErrInvalid, e.Line, e.Err)
	case KeyFileComment:
		return fmt.Sprintf("%v key file line %d: the comment after the key: %v; remove it or give a plain one like name@laptop", ErrInvalid, e.Line, e.Err)
	case KeyFileType:
		return fmt.Sprintf("%v key file line %d: key type %s is not accepted; use ssh-ed25519 (ssh-keygen -t ed25519)", ErrInvalid, e.Line, e.Type)
	}
	return fmt.Sprintf("%v key file: no public key in it; give a .pub file such as ~/.ssh/id_ed25519.pub", ErrInvalid)
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *KeyFileError) Unwrap() error { return ErrInvalid }

// In is the error in lang: Error() for English, else Dutch.
func (e *KeyFileError) In(lang string) string {
	if lang == "en" {
		return e.Error()
	}
	line := fmt.Sprintf("het sleutelbestand, regel %d: ", e.Line)
	switch e.Problem {
	case KeyFileTooLarge:
		return fmt.Sprintf("het sleutelbestand is groter dan %d KB; geef het .pub-bestand van één sleutel", maxKeyFile>>10)
	case KeyFilePrivate:
		return line + "dit is een privésleutel; geef de openbare sleutel (het .pub-bestand) en houd de privésleutel geheim"
	case KeyFileNotAKey:
		return line + `dit is geen openbare SSH-sleutel; geef een regel zoals "ssh-ed25519 AAAA... naam@laptop"`
	case KeyFileComment:
		return line + "het commentaar na de sleutel bevat een stuurteken; haal het weg of geef een eenvoudig commentaar zoals naam@laptop"
	case KeyFileType:
		return line + "het sleuteltype " + e.Type + " wordt niet aangenomen; gebruik ssh-ed25519 (ssh-keygen -t ed25519)"
	}
	return "het sleutelbestand bevat geen openbare sleutel; geef een .pub-bestand zoals ~/.ssh/id_ed25519.pub"
}

// AddKeys registers the public keys in data (authorized_keys form) to
// user. A key already registered to the user is kept as it is; one
// registered to another user is refused, since a key names one person.
func (a *Admin) AddKeys(user string, data []byte) ([]Key, error) {
	keys, err := ParseKeys(data)
	if err != nil {
		return nil, err
	}
	err = a.s.db.Update(func(tx Tx) error {
		if _, err := getUser(tx, user); err != nil {
			return err
		}
		for i, k := range keys {
			old, ok, err := tx.Key(k.Fingerprint)
			if err != nil {
				return err
			}
			if ok && old.User != user {
				return fmt.Errorf("key %s: %w for user %s; a key belongs to one person", k.Fingerprint, ErrExists, old.User)
			}
			if ok {
				keys[i] = old
				continue
			}
			k.User, k.Added = user, a.s.now().UTC()
			keys[i] = k
			if err := tx.PutKey(k); err != nil {
				return err
			}
			if err := a.record(tx, "key add", "", fmt.Sprintf("key %s of %s", k.Fingerprint, user)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return keys, nil
}

// Keys lists registered keys, all or one user's ("" for all), by user.
func (a *Admin) Keys(user string) ([]Key, error) {
	var out []Key
	err := a.s.db.View(func(tx Tx) error {
		if user != "" {
			if _, err := getUser(tx, user); err != nil {
				return err
			}
		}
		return tx.EachKey(func(key Key) error {
			if user == "" || key.User == user {
				out = append(out, key)
			}
			return nil
		})
	})
	slices.SortFunc(out, func(x, y Key) int {
		return strings.Compare(x.User+"\x00"+x.Fingerprint, y.User+"\x00"+y.Fingerprint)
	})
	return out, err
}

// RemoveKey unregisters a key by its fingerprint: open sessions go on,
// new logins with it are refused.
func (a *Admin) RemoveKey(fingerprint string) error {
	return a.s.db.Update(func(tx Tx) error {
		k, ok, err := tx.Key(fingerprint)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("key %q: %w; see `brug admin key list`", fingerprint, ErrNotFound)
		}
		if err := tx.DeleteKey(fingerprint); err != nil {
			return err
		}
		return a.record(tx, "key remove", "", fmt.Sprintf("key %s of %s", fingerprint, k.User))
	})
}

// UserByKey returns the active user a public key is registered to. It
// fails with ErrUnauthorized for an unknown key or a disabled user.
func (s *Server) UserByKey(pub gossh.PublicKey) (User, error) {
	fp := gossh.FingerprintSHA256(pub)
	var u User
	err := s.db.View(func(tx Tx) error {
		k, ok, err := tx.Key(fp)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("key %s: %w", fp, ErrUnauthorized)
		}
		// The stored line must be this very key, not just a colliding
		// fingerprint.
		stored, _, _, _, err := gossh.ParseAuthorizedKey([]byte(k.Line))
		if err != nil || !bytes.Equal(stored.Marshal(), pub.Marshal()) {
			return fmt.Errorf("key %s: %w", fp, ErrUnauthorized)
		}
		u, err = getUser(tx, k.User)
		if err != nil {
			return fmt.Errorf("key %s of %s: %w", fp, k.User, ErrUnauthorized)
		}
		if u.Disabled {
			return fmt.Errorf("user %s is disabled: %w", u.Name, ErrUnauthorized)
		}
		return nil
	})
	return u, err
}
