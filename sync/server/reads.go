package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// handleReads takes a device's read-log entries (protocol.ReadsRequest)
// into the audit log: each id once, each entry in the token's user's and
// device's name only (docs/sync.md, "Reads on a laptop").
func (s *Server) handleReads(w http.ResponseWriter, r *http.Request) {
	token, ok := bearer(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="brug"`)
		writeError(w, http.StatusUnauthorized, CodeUnauthorized, "no device token; send Authorization: Bearer TOKEN (enrol with `brug login`)")
		return
	}
	if s.refuseWipe(w, token) {
		return
	}
	rd, done, err := body(w, r, protocol.MaxReadsBytes)
	if err != nil {
		writeDecodeError(w, err, protocol.MaxReadsBytes, "send at most 1000 entries per request")
		return
	}
	defer done()
	req, err := decodeReadsRequest(rd)
	if err != nil {
		writeDecodeError(w, err, protocol.MaxReadsBytes, "send at most 1000 entries per request")
		return
	}
	var resp protocol.ReadsResponse
	var refusedDevice Device
	err = s.db.Update(func(tx Tx) error {
		d, u, err := authenticate(tx, token)
		if err != nil {
			refusedDevice = d
			return err
		}
		infoOf(r).user = u.Name
		resp, err = s.takeReads(tx, d, u, req.Reads)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrUnauthorized) {
			s.recordTokenRefused(refusedDevice, infoOf(r).remote)
		}
		s.writeAuthError(w, err)
		return
	}
	s.writeJSON(w, r, resp)
}

// decodeReadsRequest reads a ReadsRequest; its errors are in the API's
// words (the JSON field, never Go's types). Entries are checked one by
// one later (takeReads): one bad entry is refused, not the request.
func decodeReadsRequest(r io.Reader) (protocol.ReadsRequest, error) {
	var req protocol.ReadsRequest
	dec := json.NewDecoder(r)
	err := dec.Decode(&req)
	if err == nil && dec.More() {
		err = errors.New("more after the request object")
	}
	var mbe *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
	case errors.Is(err, errTooLarge) || errors.As(err, &mbe) || errors.Is(err, errBadGzip):
		return protocol.ReadsRequest{}, err
	case errors.As(err, &syn):
		return protocol.ReadsRequest{}, fmt.Errorf("the body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		return protocol.ReadsRequest{}, fmt.Errorf("the JSON field %q has the wrong type: want %s", typ.Field, jsonKind(typ.Type))
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return protocol.ReadsRequest{}, errors.New("the body ends before the request object does")
	default:
		return protocol.ReadsRequest{}, errors.New("the body is not a reads request: " + err.Error())
	}
	if len(req.Reads) > protocol.MaxReads {
		return protocol.ReadsRequest{}, fmt.Errorf("%d entries; send at most %d per request", len(req.Reads), protocol.MaxReads)
	}
	return req, nil
}

// takeReads keeps the entries in tx, as the handler's answer says.
//
// Attack: a device sends entries in another user's name (or another
// device's), to make a colleague appear to have read a dossier. Each
// entry's user must be the token's user and its device the replica the
// token's ops come from; the entry kept names the token's device.
func (s *Server) takeReads(tx Tx, d Device, u User, reads []store.ReadEntry) (protocol.ReadsResponse, error) {
	var resp protocol.ReadsResponse
	refused := map[string]int{}
	var dossiers []string
	seen := make(map[string]bool, len(reads))
	role, org := whoIs(tx, u.Name)
	for _, e := range reads {
		no := func(code, reason string) {
			resp.Refused = append(resp.Refused, protocol.Refusal{ID: e.ID, Code: code, Reason: reason})
			refused[code]++
			if store.ValidID(e.Dossier) && len(dossiers) < 100 && !slices.Contains(dossiers, e.Dossier) {
				dossiers = append(dossiers, e.Dossier)
			}
		}
		switch {
		case e.Validate() != nil:
			no(protocol.RefuseInvalid, e.Validate().Error())
			continue
		case e.At.Year() < 2000 || e.At.Year() > 9999:
			no(protocol.RefuseInvalid, "the entry's time is out of range")
			continue
		case e.User != u.Name:
			no(protocol.RefuseAuthor, fmt.Sprintf("the entry's user %q is not this device's user %q", e.User, u.Name))
			continue
		case d.Replica != "" && e.Device != d.Replica:
			no(protocol.RefuseDevice, fmt.Sprintf("the entry's device %q is not this device's %q", e.Device, d.Replica))
			continue
		}
		known, err := tx.HasAuditRead(e.ID)
		if err != nil {
			return resp, err
		}
		if known || seen[e.ID] {
			resp.Known++
			continue
		}
		seen[e.ID] = true
		err = audit(tx, AuditEntry{Time: e.At.UTC(), Channel: e.Channel, User: u.Name, Role: role, Org: org, Device: d.ID,
			Action: e.Action, Dossier: e.Dossier, Read: e.ID})
		if err != nil {
			return resp, err
		}
		resp.Stored++
	}
	if len(refused) > 0 {
		err := audit(tx, AuditEntry{Time: s.now().UTC(), Channel: ChannelSync, User: u.Name, Device: d.ID, Action: ActionReadsRefused,
			Refused: refused, RefusedDossiers: dossiers})
		if err != nil {
			return resp, err
		}
	}
	return resp, nil
}
