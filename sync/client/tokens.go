package client

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// ErrNoToken is returned by a TokenStore that holds no token for a server.
var ErrNoToken = errors.New("no device token stored")

// TokenStore keeps device tokens, one per server URL. Tokens never go into
// the brug database: a copied database file must not carry the key to the
// server with it.
type TokenStore interface {
	// Get returns the token for serverURL, or an error wrapping ErrNoToken.
	Get(serverURL string) (string, error)
	// Set stores the token for serverURL, replacing any earlier one.
	Set(serverURL, token string) error
	// Delete forgets the token for serverURL; a missing token is no error.
	Delete(serverURL string) error
}

// keyringService is the service name under which tokens sit in the OS
// keyring; the user (account) is the server URL.
const keyringService = "brug"

// keyringTimeout bounds a call to the OS keyring: a keyring daemon that
// waits for an unlock prompt nobody answers must not hang brug.
const keyringTimeout = 3 * time.Second

// KeyringStore keeps tokens in the OS keyring (Secret Service on Linux,
// Keychain on macOS, Credential Manager on Windows) and falls back to a
// FileStore when no keyring answers (a server without a desktop session,
// a container). Get looks in both, so a token saved while the keyring was
// away is still found.
type KeyringStore struct {
	Fallback *FileStore
}

// NewKeyringStore returns a KeyringStore falling back to files in dir
// (see DefaultTokenDir).
func NewKeyringStore(dir string) *KeyringStore {
	return &KeyringStore{Fallback: &FileStore{Dir: dir}}
}

// Get implements TokenStore.
func (k *KeyringStore) Get(serverURL string) (string, error) {
	var tok string
	err := withTimeout(func() error {
		var err error
		tok, err = keyring.Get(keyringService, serverURL)
		return err
	})
	if err == nil && tok != "" {
		return tok, nil
	}
	if k.Fallback == nil {
		return "", fmt.Errorf("token for %s: %w", serverURL, ErrNoToken)
	}
	return k.Fallback.Get(serverURL)
}

// Set implements TokenStore: the keyring when it answers, else the file.
// A stale file token is removed once the keyring holds the new one.
func (k *KeyringStore) Set(serverURL, token string) error {
	err := withTimeout(func() error { return keyring.Set(keyringService, serverURL, token) })
	if err == nil {
		if k.Fallback != nil {
			_ = k.Fallback.Delete(serverURL)
		}
		return nil
	}
	if k.Fallback == nil {
		return fmt.Errorf("store token in the OS keyring: %w", err)
	}
	return k.Fallback.Set(serverURL, token)
}

// Delete implements TokenStore: it forgets the token in both places.
func (k *KeyringStore) Delete(serverURL string) error {
	err := withTimeout(func() error { return keyring.Delete(keyringService, serverURL) })
	if errors.Is(err, keyring.ErrNotFound) {
		err = nil
	}
	if k.Fallback != nil {
		if ferr := k.Fallback.Delete(serverURL); ferr != nil {
			return ferr
		}
		return nil // a keyring that does not answer holds nothing to delete
	}
	return err
}

// withTimeout runs fn, giving up after keyringTimeout. fn keeps running
// in the background when it hangs; its result is then ignored.
func withTimeout(fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(keyringTimeout):
		return errors.New("the OS keyring did not answer")
	}
}

// FileStore keeps each token in its own file, readable by the user only
// (0600), in Dir; the file name is a hash of the server URL.
type FileStore struct {
	Dir string
}

// DefaultTokenDir is where FileStore keeps tokens: the user's config
// folder (os.UserConfigDir) under brug.
func DefaultTokenDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config folder for the token: %w", err)
	}
	return filepath.Join(d, "brug"), nil
}

// path is the token file of a server.
func (f *FileStore) path(serverURL string) string {
	sum := sha256.Sum256([]byte(serverURL))
	return filepath.Join(f.Dir, "token-"+hex.EncodeToString(sum[:8]))
}

// Get implements TokenStore.
func (f *FileStore) Get(serverURL string) (string, error) {
	b, err := os.ReadFile(f.path(serverURL))
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("token for %s: %w", serverURL, ErrNoToken)
	}
	if err != nil {
		return "", fmt.Errorf("read token for %s: %w", serverURL, err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token for %s: %w", serverURL, ErrNoToken)
	}
	return tok, nil
}

// Set implements TokenStore. The file is written next to its final name
// and renamed, so a crash never leaves half a token.
func (f *FileStore) Set(serverURL, token string) error {
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return fmt.Errorf("create token folder %s: %w", f.Dir, err)
	}
	p := f.path(serverURL)
	tmp, err := os.CreateTemp(f.Dir, ".token-*")
	if err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write token file: %w", err)
	}
	if _, err := tmp.WriteString(token + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("write token file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("write token file %s: %w", p, err)
	}
	return nil
}

// Delete implements TokenStore.
func (f *FileStore) Delete(serverURL string) error {
	err := os.Remove(f.path(serverURL))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove token file: %w", err)
	}
	return nil
}

// MemoryStore keeps tokens in memory, for tests and for programs that get
// the token some other way.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string]string
}

// Get implements TokenStore.
func (m *MemoryStore) Get(serverURL string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if tok, ok := m.m[serverURL]; ok {
		return tok, nil
	}
	return "", fmt.Errorf("token for %s: %w", serverURL, ErrNoToken)
}

// Set implements TokenStore.
func (m *MemoryStore) Set(serverURL, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]string{}
	}
	m.m[serverURL] = token
	return nil
}

// Delete implements TokenStore.
func (m *MemoryStore) Delete(serverURL string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, serverURL)
	return nil
}
