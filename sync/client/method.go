package client

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/protocol"
)

// MetaMethod holds the region's method file as its server last sent it
// (protocol.SyncResponse.MethodFile), checked by the method parser before
// it was stored. brug uses it from its next start when no --method is
// given.
const MetaMethod = "x_sync_method"

// StoredMethod returns the method the region's server sent, parsed; nil
// when the device holds none.
func StoredMethod(st Store) (*method.Method, error) {
	raw, err := st.Meta(MetaMethod)
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	m, err := method.Parse(method.RegionFile, raw)
	if err != nil {
		return nil, fmt.Errorf("the stored method of the region: %w", err)
	}
	return m, nil
}

// storedMethodHash is the hash the device sends as SyncRequest.MethodHash:
// that of the method file it holds, "" for none.
func storedMethodHash(st Store) (string, error) {
	raw, err := st.Meta(MetaMethod)
	if err != nil || len(raw) == 0 {
		return "", err
	}
	return hashMethod(raw), nil
}

func hashMethod(file []byte) string {
	sum := sha256.Sum256(file)
	return hex.EncodeToString(sum[:])
}

// takeMethod checks a method file a server sent and stores it. A server
// can send only data: the file must be within the size limit, hash to
// what the answer says, and parse with the strict method parser; a file
// that does not is refused (the error says why) and never stored, so the
// device keeps the method it has.
// Attack: a compromised server, or whoever answers in its name, sends a
// huge or crafted file to exhaust or crash laptops; it only ever gets data
// through the bounded, strict parser, which never panics and runs nothing.
func (s *Syncer) takeMethod(info *protocol.MethodInfo, file string, res *Result) error {
	if info == nil {
		res.MethodRefused = &MethodError{Problem: MethodNoInfo}
		return nil
	}
	if info.Hash == s.methodHash {
		return nil // already held
	}
	if len(file) > protocol.MaxMethodBytes {
		res.MethodRefused = &MethodError{Problem: MethodTooLarge, Size: len(file), Max: protocol.MaxMethodBytes}
		return nil
	}
	if h := hashMethod([]byte(file)); h != info.Hash {
		res.MethodRefused = &MethodError{Problem: MethodHash}
		return nil
	}
	m, err := method.Parse(method.RegionFile, []byte(file))
	if err != nil {
		res.MethodRefused = fmt.Errorf("the server's method file is not valid: %w", err)
		return nil
	}
	if err := s.Store.SetMeta(MetaMethod, []byte(file)); err != nil {
		return err
	}
	s.methodHash = info.Hash
	res.MethodChanged = true
	res.MethodID, res.MethodVersion = m.ID, m.Version
	return nil
}
