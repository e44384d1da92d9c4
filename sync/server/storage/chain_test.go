package storage

import (
	"bytes"
	"testing"
	"time"
)

// FuzzAuditRoundTrip: an entry's stored bytes decode to an entry whose
// canonical bytes hash to the stored hash, whatever its strings hold (a
// device name or detail with invalid UTF-8 or escapes), so verify never
// reports a break for an entry nobody touched; and DecodeAudit never
// panics on damaged bytes.
func FuzzAuditRoundTrip(f *testing.F) {
	f.Add("anna", "dev\xff\xfe", "x<>&\u2028", "0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01", int64(1764928800), 5, []byte(`{"seq":1}`))
	f.Add("", "", "", "", int64(0), 0, []byte(`{"time":"x"}`))
	f.Fuzz(func(t *testing.T, user, device, detail, dossier string, unix int64, n int, junk []byte) {
		_, _ = DecodeAudit(junk) // never panics
		e := AuditEntry{Seq: 3, Time: time.Unix(unix%(1<<36), unix%1e9), Channel: "sync", User: user, Device: device, Action: "deliver",
			Dossier: dossier, Detail: detail, Delivered: map[string]int{dossier: n, detail: n + 1}, RefusedDossiers: []string{device}, Role: user, Org: detail}
		stored, err := ChainAudit(nil, "", &e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeAudit(stored)
		if err != nil {
			t.Fatalf("stored bytes %q do not decode: %v", stored, err)
		}
		if got.Hash != e.Hash {
			t.Fatalf("hash %q decoded as %q", e.Hash, got.Hash)
		}
		NormalizeAudit(&got)
		if c1, c2 := CanonicalAudit(nil, &e), CanonicalAudit(nil, &got); !bytes.Equal(c1, c2) {
			t.Fatalf("canonical bytes change over a round trip:\n%s\n%s", c1, c2)
		}
		if again, _ := ChainAudit(nil, "", &got); !bytes.Equal(again, stored) {
			t.Fatalf("stored bytes change over a round trip:\n%s\n%s", stored, again)
		}
	})
}
