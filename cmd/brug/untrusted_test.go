package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/tui"
)

// untrustedServer is an HTTPS server on 127.0.0.1 with httptest's own
// certificate, which no system trusts.
func untrustedServer(t *testing.T) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request got past an untrusted certificate: %s", r.URL)
	}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

func TestLoginAndSyncSayCertificateNotTrusted(t *testing.T) {
	ts := untrustedServer(t)
	h := newHarness(t)
	laptop := filepath.Join(t.TempDir(), "laptop.db")

	r := h.runTok(nil, "--db", laptop, "login", ts.URL, "ABCD-EFGH")
	if r.code == exitOK {
		t.Fatalf("login to an untrusted server worked:\n%v", r)
	}
	for _, want := range []string{"heeft een certificaat dat deze computer niet vertrouwt", "onbekende uitgever", "IT-afdeling", "CA-certificaat", "docs/operations.md"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("login's message lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "offline") {
		t.Errorf("login blames the network:\n%s", r.stderr)
	}
	r = h.runTok(nil, "--lang", "en", "--db", laptop, "login", ts.URL, "ABCD-EFGH")
	if !strings.Contains(r.stderr, "has a certificate this computer does not trust: it was issued by an unknown issuer") {
		t.Errorf("no English message:\n%s", r.stderr)
	}

	// brug sync of a laptop enrolled with that server says the same.
	s, err := openTestStore(laptop, store.Options{Author: "tester", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetMeta(client.MetaURL, []byte(ts.URL)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	tokens := &client.MemoryStore{}
	if err := tokens.Set(ts.URL, "device-token"); err != nil {
		t.Fatal(err)
	}
	r = h.runTok(tokens, "--db", laptop, "sync")
	if r.code == exitOK || !strings.Contains(r.stderr, "onbekende uitgever") || strings.Contains(r.stderr, "offline") {
		t.Fatalf("sync with an untrusted server:\n%v", r)
	}

	// The app's syncer hands the footer the reason, not "offline".
	s, err = openTestStore(laptop, store.Options{Author: "tester", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sy := &client.Syncer{Store: s, HTTP: &http.Client{}, URL: ts.URL, Tokens: tokens, Now: time.Now}
	_, err = tuiSyncer{sy, new(atomic.Bool), newMsgs("nl")}.Sync(context.Background())
	if !errors.Is(err, tui.ErrSyncUntrustedIssuer) || errors.Is(err, tui.ErrSyncOffline) {
		t.Fatalf("the app's sync error: %v", err)
	}
}

func TestSyncErrorCertificateForAnotherName(t *testing.T) {
	ts := untrustedServer(t)
	// The laptop trusts the CA, but the certificate is not for this name.
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "brug.example.nl"}}}
	defer hc.CloseIdleConnections()
	s, err := openTestStore(filepath.Join(t.TempDir(), "laptop.db"), store.Options{Author: "tester", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = client.Enroll(context.Background(), hc, s, &client.MemoryStore{}, ts.URL, "ABCD-EFGH", "laptop")
	for lang, want := range map[string]string{
		"nl": "het certificaat is voor een andere naam. Controleer het adres dat je bij brug login gaf",
		"en": "the certificate is for another name. Check the address you gave to brug login",
	} {
		c := &cli{}
		c.g.lang = lang
		if got := c.syncError(ts.URL, err); got == nil || !strings.Contains(got.Error(), want) || !strings.Contains(got.Error(), ts.URL) {
			t.Errorf("%s: %v\nwant %q", lang, got, want)
		}
	}
}
