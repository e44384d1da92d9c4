package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/brug-nl/brug/sync/protocol"
)

// Enroll enrols this device with a one-time code an admin gave its user.
// The device token goes to tokens, never into the database; the server
// URL, the device id and the account name are recorded in st's meta. When
// the device moves to another server, the sync cursor starts over.
func Enroll(ctx context.Context, hc *http.Client, st Store, tokens TokenStore, serverURL, code, deviceName string) (*protocol.EnrollResponse, error) {
	base, err := NormalizeURL(serverURL)
	if err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return nil, errors.New("no enrolment code given: ask your admin for one")
	}
	var resp protocol.EnrollResponse
	err = post(ctx, hc, base, protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, DeviceName: deviceName}, &resp)
	if err != nil {
		return nil, fmt.Errorf("enrol at %s: %w", base, err)
	}
	if resp.Token == "" {
		return nil, fmt.Errorf("enrol at %s: the server sent no token", base)
	}
	if err := tokens.Set(base, resp.Token); err != nil {
		return nil, fmt.Errorf("keep the device token: %w", err)
	}
	old, err := st.Meta(MetaURL)
	if err != nil {
		return nil, err
	}
	if string(old) != base {
		// Another server: its epochs and erasure receipts are not this one's.
		for _, name := range []string{MetaCursor, MetaLast, MetaSkew, MetaEpoch, MetaErasure, MetaReport} {
			if err := st.SetMeta(name, nil); err != nil {
				return nil, err
			}
		}
	}
	for name, v := range map[string]string{MetaURL: base, MetaDevice: resp.DeviceID, MetaUser: resp.User, MetaRole: resp.Role} {
		if err := st.SetMeta(name, []byte(v)); err != nil {
			return nil, fmt.Errorf("record the sync server: %w", err)
		}
	}
	teams, err := json.Marshal(resp.Teams)
	if err != nil {
		return nil, err
	}
	if err := st.SetMeta(MetaTeams, teams); err != nil {
		return nil, fmt.Errorf("record the sync server: %w", err)
	}
	// Work done offline before enrolling was recorded under the local user
	// name; the server accepts only the enrolled user's ops.
	if _, err := st.AdoptOutbox(resp.User); err != nil {
		return nil, fmt.Errorf("record earlier changes as %s: %w", resp.User, err)
	}
	return &resp, nil
}
