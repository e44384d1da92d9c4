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

// encode marshals v and seals it.
func (s *Store) encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return s.codec.Seal(b)
}

// decode opens b and unmarshals it into v. b may be bbolt memory; the codec
// copies it.
func (s *Store) decode(b []byte, v any) error {
	plain, err := s.codec.Open(b)
	if err != nil {
		return err
	}
	return json.Unmarshal(plain, v)
}
