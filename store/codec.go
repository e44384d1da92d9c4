package store

import "encoding/json"

// Codec seals every value written to the database and opens every value
// read from it. It is the one place where encryption at rest plugs in: keys
// hold ids only, and all names, texts and dates live in sealed values. It
// is used from several goroutines at once (reads beside a write; an
// import seals heads on every processor).
type Codec interface {
	Seal(plain []byte) ([]byte, error)
	Open(sealed []byte) ([]byte, error)
}

// PlainCodec stores values as they are. It is the default until encryption
// at rest is configured.
type PlainCodec struct{}

// Seal returns a copy of plain.
func (PlainCodec) Seal(plain []byte) ([]byte, error) { return append([]byte(nil), plain...), nil }

// Open returns a copy of sealed, so no bbolt memory escapes a transaction.
func (PlainCodec) Open(sealed []byte) ([]byte, error) { return append([]byte(nil), sealed...), nil }

// Every value is sealed for a scope: the 16-byte id of the dossier it
// belongs to (an op, a field's heads, a dossier's summary), or nil for a
// value of the file itself (meta settings, a server's accounts). A
// dossier's values are to be sealed with that dossier's own key, so that
// erasing the dossier can destroy its key (crypto-erasure); sealFor and
// openFor are the one seam through which every value goes.

// sealFor seals plain, a value of the dossier dkey (nil: of the file).
func (s *Store) sealFor(dkey, plain []byte) ([]byte, error) {
	if s.crypt != nil {
		return s.crypt.seal(dkey, plain)
	}
	return s.codec.Seal(plain)
}

// sealRoom is the room sealInPlaceFor needs before and after each value.
func (s *Store) sealRoom() (head, tail int) {
	if s.crypt != nil {
		return sealRoomHead, sealRoomTail
	}
	return 0, 0
}

// sealInPlaceFor seals values of the dossier dkey, each with sealRoom's
// room around its plain text, as sealFor would (crypt.sealInPlace). With
// the plain codec the values stay as they are; another codec's values are
// replaced by what it makes.
func (s *Store) sealInPlaceFor(dkey []byte, vals [][]byte) error {
	if s.crypt != nil {
		return s.crypt.sealInPlace(dkey, vals)
	}
	if _, ok := s.codec.(PlainCodec); ok {
		return nil
	}
	for i, v := range vals {
		sealed, err := s.codec.Seal(v)
		if err != nil {
			return err
		}
		vals[i] = sealed
	}
	return nil
}

// openFor opens sealed, a value of the dossier dkey (nil: of the file).
// sealed may be bbolt memory; the result never is.
func (s *Store) openFor(dkey, sealed []byte) ([]byte, error) {
	if s.crypt != nil {
		return s.crypt.open(dkey, sealed)
	}
	return s.codec.Open(sealed)
}

// dossierOf is the dossier part of a key that starts with a dossier id
// (log, heads, replaced and outbox entries), or nil for a shorter key.
func dossierOf(key []byte) []byte {
	if len(key) < 16 {
		return nil
	}
	return key[:16]
}

// stateScope is the scope of a value of a state bucket under key.
func stateScope(bucket, key []byte) []byte {
	if string(bucket) == string(bSummaries) {
		return dossierOf(key)
	}
	return nil
}

// decode opens b, a value of the dossier dkey, and unmarshals it into v. b
// may be bbolt memory; the codec copies it.
func (s *Store) decode(dkey, b []byte, v any) error {
	plain, err := s.openFor(dkey, b)
	if err != nil {
		return err
	}
	return json.Unmarshal(plain, v)
}
