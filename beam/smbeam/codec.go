package smbeam

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// ErrEncoding is wrapped by every error of the binary element decoders:
// the bytes are truncated, carry an unknown version or kind, or hold a
// value that does not decode.
var ErrEncoding = errors.New("smbeam: invalid element encoding")

// Versions of the element encodings. A decoder rejects any other version.
const (
	eventVersion  = 1
	recordVersion = 1
)

// writer appends the primitive values of the element encodings.
type writer struct{ b []byte }

func (w *writer) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) varint(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *writer) byte1(v byte)     { w.b = append(w.b, v) }
func (w *writer) str(s string)     { w.uvarint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *writer) bytes(p []byte)   { w.uvarint(uint64(len(p))); w.b = append(w.b, p...) }

func (w *writer) boolean(v bool) {
	if v {
		w.byte1(1)
	} else {
		w.byte1(0)
	}
}

// time keeps the instant and the zone offset (time.Time.MarshalBinary);
// the zero time is one byte.
func (w *writer) time(t time.Time) error {
	if t.IsZero() {
		w.byte1(0)
		return nil
	}
	p, err := t.MarshalBinary()
	if err != nil {
		return fmt.Errorf("%w: time %v: %v", ErrEncoding, t, err)
	}
	w.byte1(1)
	w.bytes(p)
	return nil
}

// decimal keeps the exact coefficient and exponent.
func (w *writer) decimal(d decimal.Decimal) error {
	p, err := d.MarshalBinary()
	if err != nil {
		return fmt.Errorf("%w: decimal %v: %v", ErrEncoding, d, err)
	}
	w.bytes(p)
	return nil
}

func (w *writer) strs(ss []string) {
	w.uvarint(uint64(len(ss)))
	for _, s := range ss {
		w.str(s)
	}
}

// reader reads what writer wrote; the first problem sticks in err and
// every later read returns a zero value, so decoders check err once.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrEncoding, what)
	}
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad unsigned varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte1() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.fail("truncated")
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) boolean() bool {
	switch r.byte1() {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail("bad boolean")
	return false
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.fail("truncated")
		return nil
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) str() string { return string(r.bytes()) }

func (r *reader) time() time.Time {
	switch r.byte1() {
	case 0:
		return time.Time{}
	case 1:
		var t time.Time
		if err := t.UnmarshalBinary(r.bytes()); err != nil {
			r.fail("bad time: " + err.Error())
		}
		return t
	}
	r.fail("bad time tag")
	return time.Time{}
}

func (r *reader) decimal() decimal.Decimal {
	p := r.bytes()
	if r.err != nil {
		return decimal.Decimal{}
	}
	if len(p) < 4 {
		r.fail("bad decimal: truncated")
		return decimal.Decimal{}
	}
	var d decimal.Decimal
	if err := d.UnmarshalBinary(p); err != nil {
		r.fail("bad decimal: " + err.Error())
	}
	return d
}

func (r *reader) strs() []string {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) { // each string takes at least one byte
		r.fail("truncated")
		return nil
	}
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.str()
	}
	return ss
}

func (r *reader) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.fail(fmt.Sprintf("%d trailing bytes", len(r.b)))
	}
	return r.err
}

// MarshalEvent is the binary encoding of a funnel event that the Beam
// coder of [funnel.Event] uses: a version byte, then every field. Times
// keep their instant and zone offset.
func MarshalEvent(e funnel.Event) ([]byte, error) {
	w := writer{b: make([]byte, 0, 96+len(e.ID)+len(e.Lead)+len(e.Note))}
	w.byte1(eventVersion)
	if err := w.event(&e); err != nil {
		return nil, err
	}
	return w.b, nil
}

// UnmarshalEvent decodes what [MarshalEvent] wrote. Any other input returns
// an error wrapping [ErrEncoding], never a panic.
func UnmarshalEvent(p []byte) (funnel.Event, error) {
	r := reader{b: p}
	if v := r.byte1(); r.err == nil && v != eventVersion {
		return funnel.Event{}, fmt.Errorf("%w: event version %d", ErrEncoding, v)
	}
	var e funnel.Event
	r.event(&e)
	if err := r.end(); err != nil {
		return funnel.Event{}, err
	}
	return e, nil
}

func (w *writer) event(e *funnel.Event) error {
	w.str(e.ID)
	w.str(e.Lead)
	w.str(e.Model)
	w.uvarint(e.Version)
	if err := w.time(e.At); err != nil {
		return err
	}
	w.str(string(e.From))
	w.str(string(e.To))
	w.str(string(e.Kind))
	w.str(e.Actor)
	w.str(string(e.Reason))
	w.str(e.Note)
	w.boolean(e.FirstEntry)
	w.varint(int64(e.Stay))
	return nil
}

func (r *reader) event(e *funnel.Event) {
	e.ID = r.str()
	e.Lead = r.str()
	e.Model = r.str()
	e.Version = r.uvarint()
	e.At = r.time()
	e.From = funnel.Stage(r.str())
	e.To = funnel.Stage(r.str())
	e.Kind = funnel.MoveKind(r.str())
	e.Actor = r.str()
	e.Reason = funnel.ReasonCode(r.str())
	e.Note = r.str()
	e.FirstEntry = r.boolean()
	e.Stay = time.Duration(r.varint())
}

// MarshalRecord is the binary encoding of a report record that the Beam
// coder of [report.Record] uses: a version byte, the kind, the payload the
// kind names (only that one), then the dimension values. Amounts keep
// their exact coefficient and exponent.
func MarshalRecord(rec report.Record) ([]byte, error) {
	w := writer{b: make([]byte, 0, 128)}
	w.byte1(recordVersion)
	w.byte1(byte(rec.Kind))
	switch rec.Kind {
	case report.KindEvent:
		if err := w.event(&rec.Event); err != nil {
			return nil, err
		}
	case report.KindDeal:
		d := &rec.Deal
		w.str(d.ID)
		w.str(d.Lead)
		if err := w.decimal(d.Amount); err != nil {
			return nil, err
		}
		if err := errors.Join(w.time(d.CreatedAt), w.time(d.ClosedAt)); err != nil {
			return nil, err
		}
		w.boolean(d.Won)
		w.str(string(d.Origin))
	case report.KindTouch:
		t := &rec.Touch
		w.str(t.Lead)
		if err := w.time(t.At); err != nil {
			return nil, err
		}
		w.str(t.Channel)
		w.str(string(t.Milestone))
	case report.KindResponse:
		x := &rec.Response
		w.str(x.Handoff)
		w.str(x.Lead)
		w.str(x.Rep)
		if err := errors.Join(w.time(x.ActionAt), w.time(x.AssignedAt), w.time(x.Deadline), w.time(x.TouchedAt)); err != nil {
			return nil, err
		}
	case report.KindDecision:
		d := &rec.Decision
		w.str(d.Lead)
		if err := w.time(d.At); err != nil {
			return nil, err
		}
		w.str(d.Rep)
		w.boolean(d.Accepted)
		w.str(d.Reason)
		w.strs(d.Criteria)
	default:
		return nil, fmt.Errorf("%w: unknown record kind %d", ErrEncoding, rec.Kind)
	}
	w.strs(rec.Dims)
	return w.b, nil
}

// UnmarshalRecord decodes what [MarshalRecord] wrote. Any other input
// returns an error wrapping [ErrEncoding], never a panic.
func UnmarshalRecord(p []byte) (report.Record, error) {
	r := reader{b: p}
	if v := r.byte1(); r.err == nil && v != recordVersion {
		return report.Record{}, fmt.Errorf("%w: record version %d", ErrEncoding, v)
	}
	rec := report.Record{Kind: report.RecordKind(r.byte1())}
	switch rec.Kind {
	case report.KindEvent:
		r.event(&rec.Event)
	case report.KindDeal:
		d := &rec.Deal
		d.ID = r.str()
		d.Lead = r.str()
		d.Amount = r.decimal()
		d.CreatedAt = r.time()
		d.ClosedAt = r.time()
		d.Won = r.boolean()
		d.Origin = report.Origin(r.str())
	case report.KindTouch:
		t := &rec.Touch
		t.Lead = r.str()
		t.At = r.time()
		t.Channel = r.str()
		t.Milestone = report.Milestone(r.str())
	case report.KindResponse:
		x := &rec.Response
		x.Handoff = r.str()
		x.Lead = r.str()
		x.Rep = r.str()
		x.ActionAt = r.time()
		x.AssignedAt = r.time()
		x.Deadline = r.time()
		x.TouchedAt = r.time()
	case report.KindDecision:
		d := &rec.Decision
		d.Lead = r.str()
		d.At = r.time()
		d.Rep = r.str()
		d.Accepted = r.boolean()
		d.Reason = r.str()
		d.Criteria = r.strs()
	default:
		if r.err == nil {
			r.fail(fmt.Sprintf("unknown record kind %d", rec.Kind))
		}
	}
	rec.Dims = r.strs()
	if err := r.end(); err != nil {
		return report.Record{}, err
	}
	return rec, nil
}
