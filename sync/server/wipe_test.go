package server

import (
	"net/http"
	"testing"

	"github.com/brug-nl/brug/sync/protocol"
)

// TestWipeOrderAnsweredBeforeTheBody: a device ordered wiped gets 401
// device_wipe on every path before the server reads a body (a broken body
// is not even noticed), may report its wipe once (a repeat keeps the
// first time), and nobody else may report one.
func TestWipeOrderAnsweredBeforeTheBody(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	b := e.user("bert", protocol.RoleCoach, "Noord")
	a.sync()
	var st protocol.DeviceStatus
	if status, _ := e.get(protocol.PathDevice, a.token, &st); status != http.StatusOK || st.Device != a.id || st.User != "anna" {
		t.Fatalf("device status of a device in good standing: %d %+v", status, st)
	}
	e.must(e.admin.WipeDevice(a.id))
	if status, perr := e.postRaw(protocol.PathSync, a.token, []byte("{not json"), "", nil); status != http.StatusUnauthorized || perr.Code != protocol.ErrorWipe {
		t.Fatalf("sync of a device ordered wiped: %d %+v, want 401 %s", status, perr, protocol.ErrorWipe)
	}
	if status, perr := e.get(protocol.PathDevice, a.token, nil); status != http.StatusUnauthorized || perr.Code != protocol.ErrorWipe {
		t.Fatalf("device status: %d %+v", status, perr)
	}
	// Nobody but the device ordered wiped reports a wipe.
	if status, perr := e.postRaw(protocol.PathWiped, b.token, nil, "", nil); status != http.StatusBadRequest {
		t.Fatalf("a wipe report of a device in good standing: %d %+v", status, perr)
	}
	if status, perr := e.postRaw(protocol.PathWiped, "brug_nothing", nil, "", nil); status != http.StatusUnauthorized || perr.Code != protocol.ErrorUnknownToken {
		t.Fatalf("a wipe report with an unknown token: %d %+v", status, perr)
	}
	var ack, again protocol.WipedAck
	if status, perr := e.postRaw(protocol.PathWiped, a.token, nil, "", &ack); status != http.StatusOK || ack.Recorded.IsZero() {
		t.Fatalf("wipe report: %d %+v %+v", status, perr, ack)
	}
	e.clock.Add(3600e9)
	if status, _ := e.postRaw(protocol.PathWiped, a.token, nil, "", &again); status != http.StatusOK || !again.Recorded.Equal(ack.Recorded) {
		t.Fatalf("a repeated report: %d %v, want the first time %v", status, again.Recorded, ack.Recorded)
	}
	told, wiped := 0, 0
	for _, en := range e.auditAll() {
		switch en.Action {
		case ActionWipeTold:
			told++
		case ActionWiped:
			wiped++
		}
	}
	if told != 1 || wiped != 1 {
		t.Fatalf("audit: %d wipe told, %d wiped records, want 1 each", told, wiped)
	}
	// A plain revoke is what it was.
	e.must(e.admin.RevokeDevice(b.id))
	if status, perr := e.get(protocol.PathDevice, b.token, nil); status != http.StatusUnauthorized || perr.Code != protocol.ErrorRevoked {
		t.Fatalf("revoked device: %d %+v", status, perr)
	}
}
