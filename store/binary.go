package store

import (
	"encoding/binary"
	"fmt"

	"github.com/google/uuid"
)

// Heads and summaries are read by the thousand (a dossier's projection, the
// client list), so they are stored in a compact binary form rather than
// JSON. Ops stay JSON: they are the sync format and are read one by one.
// Every encoded value starts with a format byte so the layout can change.

const (
	fmtHeads   byte = 1
	fmtSummary byte = 1
)

// errCorrupt is a value in the file that does not decode: the file is
// damaged (errors.Is(err, ErrDamaged) holds, so that the app and the CLI
// say so and what to do), with the words it always had.
var errCorrupt error = corruptError{}

type corruptError struct{}

func (corruptError) Error() string { return "corrupt value" }

// Is makes a corrupt value an ErrDamaged.
func (corruptError) Is(target error) bool { return target == ErrDamaged }

type enc struct{ b []byte }

func (e *enc) byte(v byte)     { e.b = append(e.b, v) }
func (e *enc) uint(v uint64)   { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) string(s string) { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) bytes(p []byte)  { e.uint(uint64(len(p))); e.b = append(e.b, p...) }
func (e *enc) strings(s []string) {
	e.uint(uint64(len(s)))
	for _, x := range s {
		e.string(x)
	}
}

// id writes a UUID string as 16 bytes when it is one, else as a string
// behind a zero marker (device ids from tests may be any string).
func (e *enc) id(s string) {
	if u, err := uuid.Parse(s); err == nil && len(s) == 36 {
		e.byte(16)
		e.b = append(e.b, u[:]...)
		return
	}
	e.byte(0)
	e.string(s)
}

type dec struct {
	b   []byte
	err error
	// src, when set, holds the bytes b held at the start as a string:
	// strings are cut from it instead of copied one by one. pool, when
	// set, hands out the slices decoded (decPool).
	src  string
	pool *decPool
}

// decPool hands out the slices a decoder makes, cut (with their capacity
// limited, so an append copies) from blocks shared by many values: the
// list's 10,000 summaries are decoded in a few hundred allocations
// instead of a few hundred thousand.
type decPool struct {
	bytes []byte
	strs  []string
}

func (p *decPool) copyBytes(b []byte) []byte {
	if cap(p.bytes)-len(p.bytes) < len(b) {
		p.bytes = make([]byte, 0, max(16<<10, len(b)))
	}
	start := len(p.bytes)
	p.bytes = append(p.bytes, b...)
	return p.bytes[start:len(p.bytes):len(p.bytes)]
}

func (p *decPool) stringSlice(n int) []string {
	if cap(p.strs)-len(p.strs) < n {
		p.strs = make([]string, 0, max(1024, n))
	}
	start := len(p.strs)
	p.strs = p.strs[:start+n]
	return p.strs[start : start+n : start+n]
}

func (d *dec) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
}

func (d *dec) byte() byte {
	if d.err != nil || len(d.b) < 1 {
		d.fail()
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *dec) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) raw(n uint64) []byte {
	if d.err != nil || uint64(len(d.b)) < n {
		d.fail()
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *dec) string() string {
	n := d.uint()
	if d.src != "" {
		off := len(d.src) - len(d.b)
		p := d.raw(n)
		return d.src[off : off+len(p)]
	}
	return string(d.raw(n))
}

func (d *dec) strings() []string {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	var out []string
	if n > 0 {
		if d.pool != nil {
			out = d.pool.stringSlice(int(n))
		} else {
			out = make([]string, n)
		}
	}
	for i := range out {
		out[i] = d.string()
	}
	return out
}

func (d *dec) id() string {
	switch d.byte() {
	case 16:
		var u uuid.UUID
		copy(u[:], d.raw(16))
		return u.String()
	case 0:
		return d.string()
	}
	d.fail()
	return ""
}

func (d *dec) done(what string) error {
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	if d.err != nil {
		return fmt.Errorf("read %s: %w", what, d.err)
	}
	return nil
}

func encodeHeads(hs []Head) []byte {
	e := enc{b: make([]byte, 0, 64*len(hs))}
	e.byte(fmtHeads)
	e.uint(uint64(len(hs)))
	for _, h := range hs {
		e.id(h.ID)
		e.uint(uint64(h.HLC))
		e.id(h.Device)
		e.string(h.Author)
		e.string(h.Value)
	}
	return e.b
}

func decodeHeads(b []byte) ([]Head, error) {
	d := dec{b: b}
	if d.byte() != fmtHeads {
		d.fail()
	}
	n := d.uint()
	if n > uint64(len(b)) {
		d.fail()
	}
	var hs []Head
	for i := uint64(0); i < n && d.err == nil; i++ {
		hs = append(hs, Head{ID: d.id(), HLC: HLC(d.uint()), Device: d.id(), Author: d.string(), Value: d.string()})
	}
	return hs, d.done("heads")
}

func encodeSummary(s *Summary) []byte {
	e := enc{b: make([]byte, 0, 128)}
	e.byte(fmtSummary)
	e.id(s.ID)
	e.string(s.Name)
	e.string(s.Team)
	e.string(s.Places)
	e.uint(uint64(s.CurrentStep))
	e.uint(uint64(s.StepsDone))
	e.bytes(s.Progress)
	e.string(s.NextDue)
	e.string(s.NextWhat)
	e.strings(s.OpenDues)
	e.strings(s.dueIDs)
	e.uint(uint64(s.Conflicts))
	e.uint(uint64(s.LastChange))
	if s.Removed {
		e.byte(1)
	} else {
		e.byte(0)
	}
	// Optional trailing fields: a summary written before they existed ends
	// here, and one without any waiting step, share end nor birth year
	// still does.
	if len(s.Waiting) > 0 || len(s.ShareEnds) > 0 || s.BirthYear != "" {
		e.uint(uint64(len(s.Waiting)))
		for _, w := range s.Waiting {
			e.uint(uint64(w.Step))
			e.uint(uint64(w.Since))
			e.string(w.By)
		}
	}
	if len(s.ShareEnds) > 0 || s.BirthYear != "" {
		// Share ends (issue 11) and the birth year (the duplicate mark),
		// after the waiting steps; written only when either is there.
		e.strings(s.ShareEnds)
		e.string(s.BirthYear)
	}
	return e.b
}

func decodeSummary(b []byte, s *Summary) error {
	return decodeSummaryWith(dec{b: b}, s)
}

// decodeSummaryIn is decodeSummary with the summary's strings cut from
// src (b as a string, shared by many summaries) and its slices from pool.
func decodeSummaryIn(b []byte, src string, pool *decPool, s *Summary) error {
	return decodeSummaryWith(dec{b: b, src: src, pool: pool}, s)
}

func decodeSummaryWith(d dec, s *Summary) error {
	if d.byte() != fmtSummary {
		d.fail()
	}
	s.ID = d.id()
	s.Name = d.string()
	s.Team = d.string()
	s.Places = d.string()
	s.CurrentStep = int(d.uint())
	s.StepsDone = int(d.uint())
	if p := d.raw(d.uint()); len(p) > 0 {
		if d.pool != nil {
			s.Progress = d.pool.copyBytes(p)
		} else {
			s.Progress = append([]uint8(nil), p...)
		}
	}
	s.NextDue = d.string()
	s.NextWhat = d.string()
	s.OpenDues = d.strings()
	s.dueIDs = d.strings()
	s.Conflicts = int(d.uint())
	s.LastChange = HLC(d.uint())
	s.Removed = d.byte() == 1
	s.Waiting = nil
	if d.err == nil && len(d.b) > 0 { // waiting steps (schema 2)
		n := d.uint()
		if n > uint64(len(d.b)) {
			d.fail()
		}
		for i := uint64(0); i < n && d.err == nil; i++ {
			s.Waiting = append(s.Waiting, WaitingStep{Step: int(d.uint()), Since: HLC(d.uint()), By: d.string()})
		}
	}
	s.ShareEnds, s.BirthYear = nil, ""
	if d.err == nil && len(d.b) > 0 { // share ends and birth year, written only when either is there
		s.ShareEnds = d.strings()
		if s.BirthYear = d.string(); len(s.ShareEnds) == 0 && s.BirthYear == "" {
			d.fail()
		}
		if len(s.ShareEnds) == 0 {
			s.ShareEnds = nil
		}
	}
	return d.done("summary")
}
