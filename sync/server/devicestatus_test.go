package server

import (
	"net/http"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// registerETag is the version GET /v1/register names (its ETag).
func registerETag(t *testing.T, e *env, token string) string {
	t.Helper()
	req, err := http.NewRequest("GET", e.http.URL+protocol.PathRegister, nil)
	e.must(err)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := e.http.Client().Do(req)
	e.must(err)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", protocol.PathRegister, res.StatusCode)
	}
	etag := res.Header.Get("ETag")
	if len(etag) < 2 {
		t.Fatalf("GET %s: ETag %q", protocol.PathRegister, etag)
	}
	return etag[1 : len(etag)-1]
}

// deviceRegister is the register version GET /v1/device names.
func deviceRegister(t *testing.T, e *env, token string) string {
	t.Helper()
	var st protocol.DeviceStatus
	if status, perr := e.get(protocol.PathDevice, token, &st); status != 200 {
		t.Fatalf("GET %s: %d %s", protocol.PathDevice, status, perr.Message)
	}
	return st.Register
}

// TestDeviceStatusNamesRegister: GET /v1/device names the version of the
// register that GET /v1/register hands out (its ETag), and follows an
// admin's change at once, so that a device holding that version may skip
// GET /v1/register (docs/sync.md, "The register") and still gets every
// change with its next sync.
func TestDeviceStatusNamesRegister(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	v0 := deviceRegister(t, e, anna.token)
	if v0 == "" || v0 != registerETag(t, e, anna.token) {
		t.Fatalf("GET /v1/device names register %q, GET /v1/register %q", v0, registerETag(t, e, anna.token))
	}
	if _, err := e.admin.AddOrg(store.Org{Name: "Zorggroep Noord", Kind: store.OrgCare}); err != nil {
		t.Fatal(err)
	}
	v1 := deviceRegister(t, e, anna.token)
	if v1 == v0 || v1 != registerETag(t, e, anna.token) {
		t.Fatalf("after an organisation was added: GET /v1/device names %q (before %q), GET /v1/register %q", v1, v0, registerETag(t, e, anna.token))
	}
}

// TestTwoProcessesDeviceStatusNamesRegister: on two processes over one
// PostgreSQL database, GET /v1/device on B names the register's new
// version as soon as A changed it: a device syncing with B is not told
// it holds the latest register when it does not.
func TestTwoProcessesDeviceStatusNamesRegister(t *testing.T) {
	a, b := twoProcesses(t)
	a.teams("Noord")
	anna := a.user("anna", protocol.RoleCoach, "Noord")
	v0 := deviceRegister(t, b, anna.token)
	if _, err := a.admin.AddOrg(store.Org{Name: "Werkbedrijf", Kind: store.OrgKinds[0]}); err != nil {
		t.Fatal(err)
	}
	v1 := deviceRegister(t, b, anna.token)
	if v1 == v0 || v1 != registerETag(t, a, anna.token) || v1 != registerETag(t, b, anna.token) {
		t.Fatalf("after A added an organisation: GET /v1/device on B names %q (before %q); GET /v1/register on A %q, on B %q",
			v1, v0, registerETag(t, a, anna.token), registerETag(t, b, anna.token))
	}
}
