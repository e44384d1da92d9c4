package client

import (
	"errors"
	"testing"

	"github.com/zalando/go-keyring"
)

func TestTokenStores(t *testing.T) {
	const u = "https://brug.example.nl"
	for name, ts := range map[string]TokenStore{
		"file":   &FileStore{Dir: t.TempDir()},
		"memory": &MemoryStore{},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ts.Get(u); !errors.Is(err, ErrNoToken) {
				t.Fatalf("empty store: %v", err)
			}
			if err := ts.Set(u, "a"); err != nil {
				t.Fatal(err)
			}
			if err := ts.Set(u, "b"); err != nil {
				t.Fatal(err)
			}
			if tok, err := ts.Get(u); err != nil || tok != "b" {
				t.Fatalf("got %q, %v", tok, err)
			}
			if _, err := ts.Get(u + "/other"); !errors.Is(err, ErrNoToken) {
				t.Fatalf("other server: %v", err)
			}
			if err := ts.Delete(u); err != nil {
				t.Fatal(err)
			}
			if err := ts.Delete(u); err != nil {
				t.Fatalf("second delete: %v", err)
			}
			if _, err := ts.Get(u); !errors.Is(err, ErrNoToken) {
				t.Fatalf("after delete: %v", err)
			}
		})
	}
}

// The keyring store uses the OS keyring when it answers and the file when
// it does not. go-keyring's mock stands in for the OS keyring: tests never
// touch the real one.
func TestKeyringStoreFallsBackToFile(t *testing.T) {
	const u = "https://brug.example.nl"
	keyring.MockInit()
	ks := NewKeyringStore(t.TempDir())
	if err := ks.Set(u, "in-keyring"); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Fallback.Get(u); !errors.Is(err, ErrNoToken) {
		t.Fatalf("token also written to the file: %v", err)
	}
	if tok, err := ks.Get(u); err != nil || tok != "in-keyring" {
		t.Fatalf("got %q, %v", tok, err)
	}
	if err := ks.Delete(u); err != nil {
		t.Fatal(err)
	}

	keyring.MockInitWithError(errors.New("no secret service"))
	t.Cleanup(keyring.MockInit)
	if err := ks.Set(u, "in-file"); err != nil {
		t.Fatal(err)
	}
	if tok, err := ks.Fallback.Get(u); err != nil || tok != "in-file" {
		t.Fatalf("file fallback holds %q, %v", tok, err)
	}
	if tok, err := ks.Get(u); err != nil || tok != "in-file" {
		t.Fatalf("got %q, %v", tok, err)
	}
	if err := ks.Delete(u); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Get(u); !errors.Is(err, ErrNoToken) {
		t.Fatalf("after delete: %v", err)
	}
}
