package server

import (
	"fmt"
	"os"
	"sort"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/boltstore"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// The server's tests run against every backend: BRUG_TEST_STORE names the
// one they open (default "bolt"). A backend registers a factory here (the
// PostgreSQL backend will: a database per test, its path the test's
// file name), and TestMain points openStorage at the chosen one.
var testBackends = map[string]func(path string, opt store.Options) (storage.Storage, error){
	"bolt": func(path string, opt store.Options) (storage.Storage, error) { return boltstore.Open(path, opt) },
}

// testBackend is the backend the tests run against.
var testBackend = "bolt"

func TestMain(m *testing.M) {
	if name := os.Getenv("BRUG_TEST_STORE"); name != "" {
		open, ok := testBackends[name]
		if !ok {
			var names []string
			for n := range testBackends {
				names = append(names, n)
			}
			sort.Strings(names)
			fmt.Fprintf(os.Stderr, "BRUG_TEST_STORE=%s: no such backend; have %v\n", name, names)
			os.Exit(2)
		}
		testBackend, openStorage = name, open
	}
	os.Exit(pgtest.Main(m)) // stops a PostgreSQL cluster a backend started
}

// Bucket names of the bbolt file, for the tests that look at its bytes.
const (
	bSeq       = "x_seq"
	bView      = "x_view"
	bOpDossier = "x_op_dossier"
	bServer    = "x_server"
	bDrafts    = "x_drafts"
)

var kReceiptKey = []byte("receipt_key")

// rawBucket is a bucket of the bbolt file as it is, for tests that check
// bytes at rest; they skip on other backends.
func rawBucket(t testing.TB, tx Tx, name string) *bolt.Bucket {
	t.Helper()
	btx, ok := tx.(*boltstore.Tx)
	if !ok {
		t.Skipf("looks at the bytes of the bbolt file; the backend is %s", testBackend)
	}
	b, err := btx.RawBucket(name)
	if err != nil || b == nil {
		t.Fatalf("bucket %s: %v", name, err)
	}
	return b
}

// boltTx is the bbolt backend's transaction, for tests of its sealing;
// they skip on other backends.
func boltTx(t testing.TB, tx Tx) *boltstore.Tx {
	t.Helper()
	btx, ok := tx.(*boltstore.Tx)
	if !ok {
		t.Skipf("tests the bbolt file's sealing; the backend is %s", testBackend)
	}
	return btx
}

// The test helpers open the server through openStorage, the point where
// BRUG_TEST_STORE (or a backend's own test) puts its factory: a backend
// registered there runs every server test.
func TestEnvOpensTheChosenBackend(t *testing.T) {
	opened := 0
	orig := openStorage
	openStorage = func(path string, opt store.Options) (storage.Storage, error) {
		opened++
		return orig(path, opt)
	}
	defer func() { openStorage = orig }()
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", "coach", "Noord")
	_, ops := a.create("Noord", "Noor")
	if resp := a.sync(ops...); len(resp.Accepted) != len(ops) {
		t.Fatalf("push through the chosen backend: %+v", resp.Refused)
	}
	e.restart()
	if opened != 2 {
		t.Errorf("the server was opened through the backend factory %d times, want 2 (open and restart)", opened)
	}
}
