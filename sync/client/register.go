package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// The region's register (issue 11; docs/sync.md, "The register"): after
// each sync the device asks GET /v1/register with the version it holds
// (If-None-Match); an unchanged register is a 304 without a body. A new
// one is checked and kept in the file's sealed meta (store.MetaRegister).
// A server that names the register's version in its answer to GET
// /v1/device is not asked when the device holds that version.

// maxRegisterBytes bounds a register answer: a region of a few thousand
// organisations with their contacts is well under it.
const maxRegisterBytes = 32 << 20

// fetchRegister brings the register up to date; it returns whether it
// changed. A server from before the register answers 404: nothing
// changes.
func (s *Syncer) fetchRegister(ctx context.Context) (bool, error) {
	base, tok, err := s.target()
	if err != nil {
		return false, err
	}
	var held store.Register
	if raw, err := s.Store.Meta(store.MetaRegister); err == nil && len(raw) > 0 {
		_ = json.Unmarshal(raw, &held) // an unreadable copy is replaced
	}
	if s.registerVersion != "" && s.registerVersion == held.Version {
		// GET /v1/device named the version held, at this sync's start:
		// no request (a change since comes with the next sync).
		return false, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+protocol.PathRegister, nil)
	if err != nil {
		return false, fmt.Errorf("request to %s: %w", base, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("User-Agent", "brug")
	if held.Version != "" {
		req.Header.Set("If-None-Match", `"`+held.Version+`"`)
	}
	hc := s.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false, fmt.Errorf("%w at %s: %w", ErrUnreachable, base, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified, http.StatusNotFound:
		return false, nil
	case http.StatusOK:
	default:
		return false, fmt.Errorf("%w at %s: register: status %d", ErrUnreachable, base, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxRegisterBytes+1))
	if err != nil {
		return false, fmt.Errorf("%w at %s: read register: %w", ErrUnreachable, base, err)
	}
	if len(b) > maxRegisterBytes {
		return false, fmt.Errorf("register from %s: larger than %d bytes", base, maxRegisterBytes)
	}
	var r store.Register
	if err := json.Unmarshal(b, &r); err != nil {
		return false, fmt.Errorf("register from %s: %w", base, err)
	}
	// What came over the network is checked before it is kept: a name
	// with escape sequences would reach the screen of every coach.
	for _, o := range r.Orgs {
		if err := store.CheckOrg(o); err != nil {
			return false, fmt.Errorf("register from %s: %w", base, err)
		}
	}
	if r.Version == held.Version && r.Version != "" {
		return false, nil
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return false, err
	}
	return true, s.Store.SetMeta(store.MetaRegister, raw)
}
