package smbeam

import (
	"errors"
	"fmt"

	"github.com/smarketing/smarketing/report"
)

// Acc is a [report.Accumulator] travelling through a pipeline, plus the
// count of records the accumulator rejected (see [Combiner.AddInput]).
// It is the accumulator and output type of [Combiner].
//
// Its Beam coder is the accumulator's own versioned binary encoding
// ([report.Accumulator.MarshalBinary]) behind a small envelope, never
// Beam's schema coding. Decoding that encoding needs the report
// configuration, which a coder does not have: a decoded Acc therefore
// holds its bytes until a transform that knows the configuration (the
// combiner, [RenderFn]) opens it with [Acc.Open].
//
// The zero Acc is empty and has no accumulator; an Acc is not safe for
// concurrent use.
type Acc struct {
	acc      *report.Accumulator
	raw      []byte // encoded accumulator, when acc is nil
	rejected int64
}

// NewAcc wraps a (for instance in-process) accumulator; rejected is the
// number of records it refused.
func NewAcc(a *report.Accumulator, rejected int64) Acc { return Acc{acc: a, rejected: rejected} }

// Rejected is the number of records the report refused ([report.ErrRecord])
// while this accumulator was built; they change no figure.
func (a Acc) Rejected() int64 { return a.rejected }

// Open returns the accumulator, decoding it for s if it came through a
// coder. The result is shared with a: do not use a afterwards.
func (a *Acc) Open(s Spec) (*report.Accumulator, error) {
	if a.acc != nil {
		return a.acc, nil
	}
	acc, err := s.NewAccumulator()
	if err != nil {
		return nil, err
	}
	if a.raw != nil {
		if err := acc.UnmarshalBinary(a.raw); err != nil {
			return nil, fmt.Errorf("smbeam: decoding accumulator: %w", err)
		}
		a.raw = nil
	}
	a.acc = acc
	return acc, nil
}

const accVersion = 1

// MarshalAcc is the Beam encoding of an [Acc]: a version byte, the
// rejected count, then the accumulator's binary encoding (empty for the
// zero Acc).
func MarshalAcc(a Acc) ([]byte, error) {
	w := writer{}
	w.byte1(accVersion)
	w.uvarint(uint64(a.rejected))
	switch {
	case a.acc != nil:
		p, err := a.acc.MarshalBinary()
		if err != nil {
			return nil, err
		}
		w.b = append(w.b, p...)
	default:
		w.b = append(w.b, a.raw...)
	}
	return w.b, nil
}

// UnmarshalAcc decodes the envelope [MarshalAcc] wrote; the accumulator
// itself is decoded (and checked) by [Acc.Open].
func UnmarshalAcc(p []byte) (Acc, error) {
	r := reader{b: p}
	if v := r.byte1(); r.err == nil && v != accVersion {
		return Acc{}, fmt.Errorf("%w: accumulator envelope version %d", ErrEncoding, v)
	}
	n := r.uvarint()
	if r.err != nil {
		return Acc{}, r.err
	}
	if n > 1<<62 {
		return Acc{}, fmt.Errorf("%w: rejected count %d", ErrEncoding, n)
	}
	a := Acc{rejected: int64(n)}
	if len(r.b) > 0 {
		a.raw = append([]byte(nil), r.b...)
	}
	return a, nil
}

// Combiner is the Beam combiner of the report: it folds [report.Record]
// elements into an [Acc] (create, add, merge, extract), so Beam can
// pre-combine on every worker and merge the pieces, which the report's
// accumulators allow in any order and grouping.
//
// A record the report refuses (an error wrapping [report.ErrRecord]:
// unknown stage, zero time, ...) changes no figure and is counted in
// [Acc.Rejected] instead of failing the job; any other error fails it.
type Combiner struct {
	// Spec is the report configuration (serialized with the pipeline).
	Spec Spec
}

// CreateAccumulator returns an empty accumulator for c.Spec.
func (c *Combiner) CreateAccumulator() (Acc, error) {
	acc, err := c.Spec.NewAccumulator()
	if err != nil {
		return Acc{}, err
	}
	return Acc{acc: acc}, nil
}

// AddInput adds one record.
func (c *Combiner) AddInput(a Acc, rec report.Record) (Acc, error) {
	acc, err := a.Open(c.Spec)
	if err != nil {
		return a, err
	}
	if err := acc.Add(rec); err != nil {
		if !errors.Is(err, report.ErrRecord) {
			return a, err
		}
		a.rejected++
	}
	return a, nil
}

// MergeAccumulators merges b into a.
func (c *Combiner) MergeAccumulators(a, b Acc) (Acc, error) {
	x, err := a.Open(c.Spec)
	if err != nil {
		return a, err
	}
	y, err := b.Open(c.Spec)
	if err != nil {
		return a, err
	}
	if err := x.Merge(y); err != nil {
		return a, err
	}
	a.rejected += b.rejected
	return a, nil
}

// ExtractOutput returns the merged accumulator, opened.
func (c *Combiner) ExtractOutput(a Acc) (Acc, error) {
	if _, err := a.Open(c.Spec); err != nil {
		return a, err
	}
	return a, nil
}

// MergeCombiner merges [Acc] elements (partial reports, for instance one
// per lead shard from [CombineByLead]) into one.
type MergeCombiner struct {
	Spec Spec
}

// MergeAccumulators merges b into a; the zero Acc is the identity.
func (c *MergeCombiner) MergeAccumulators(a, b Acc) (Acc, error) {
	if a.acc == nil && a.raw == nil {
		return b, nil
	}
	if b.acc == nil && b.raw == nil {
		return a, nil
	}
	return (&Combiner{Spec: c.Spec}).MergeAccumulators(a, b)
}

// ExtractOutput returns the merged accumulator, opened (an empty one when
// there was no input).
func (c *MergeCombiner) ExtractOutput(a Acc) (Acc, error) {
	return (&Combiner{Spec: c.Spec}).ExtractOutput(a)
}

// Accumulate is the in-process equivalent of [Report]: it adds recs, in
// order, to one accumulator for s, counting the records the report
// refuses in the same way as [Combiner].
func Accumulate(s Spec, recs []report.Record) (Acc, error) {
	c := &Combiner{Spec: s}
	a, err := c.CreateAccumulator()
	if err != nil {
		return Acc{}, err
	}
	for _, rec := range recs {
		if a, err = c.AddInput(a, rec); err != nil {
			return Acc{}, err
		}
	}
	return a, nil
}
