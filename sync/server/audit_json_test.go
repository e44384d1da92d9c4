package server

import (
	"encoding/json"
	"testing"
	"time"
)

// appendAuditJSON writes what encoding/json writes, byte for byte.
func TestAppendAuditJSONMatchesEncodingJSON(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC)
	for _, e := range []AuditEntry{
		{},
		{Seq: 1, Time: now, Channel: ChannelSync, User: "anna", Device: "d1", Action: ActionDeliver, Dossier: "0190a0b0-0000-7000-8000-000000000001", Detail: "3 ops"},
		{Seq: 2, Time: now, Channel: ChannelSync, User: "bert", Device: "d2", Action: ActionDeliver, Detail: "2 dossiers, 4 ops",
			Delivered: map[string]int{"0190a0b0-0000-7000-8000-000000000002": 1, "0190a0b0-0000-7000-8000-000000000001": 3}},
		{Seq: 3, Time: now, Channel: ChannelSync, User: "anna", Device: "d1", Action: ActionPushRefused, Detail: "3 ops refused",
			Refused: map[string]int{"forbidden": 2, "clock": 1}, RefusedDossiers: []string{"0190a0b0-0000-7000-8000-000000000001", "0190a0b0-0000-7000-8000-000000000002"}},
		{Seq: 4, Time: now, Channel: ChannelSSH, Action: ActionKeyRefused, Detail: "key SHA256:abc", Remote: "127.0.0.1", Unrecorded: 7},
		{Seq: 1 << 60, Time: now.In(time.FixedZone("x", 3600)), Channel: ChannelCLI, User: "jörg <root> & \"co\"\n\\", Action: "user add", Detail: "teams A, B\t\x01"},
	} {
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendAuditJSON(nil, &e); string(got) != string(want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}
