package smbeam

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// CodedTypes lists every type this package puts in a PCollection (as an
// element, a key or value, or a combiner accumulator). Each has an explicit
// coder registered with beam.RegisterCoder when the package is imported,
// so Beam never falls back to its schema coding, which silently drops the
// unexported fields of shopspring/decimal.Decimal (every amount becomes
// zero, with no error).
//
// A pipeline author who puts another type holding a decimal.Decimal into
// a PCollection must register a coder for it the same way.
var CodedTypes = []reflect.Type{
	reflect.TypeFor[funnel.Event](),
	reflect.TypeFor[report.Record](),
	reflect.TypeFor[Acc](),
	reflect.TypeFor[DeadLetter](),
}

func init() {
	// Generic callers for the coder functions, so Beam calls them without
	// reflection.
	register.Function1x2(MarshalEvent)
	register.Function1x2(UnmarshalEvent)
	register.Function1x2(MarshalRecord)
	register.Function1x2(UnmarshalRecord)
	register.Function1x2(MarshalAcc)
	register.Function1x2(UnmarshalAcc)
	register.Function1x2(marshalDeadLetter)
	register.Function1x2(unmarshalDeadLetter)
	beam.RegisterCoder(reflect.TypeFor[funnel.Event](), MarshalEvent, UnmarshalEvent)
	beam.RegisterCoder(reflect.TypeFor[report.Record](), MarshalRecord, UnmarshalRecord)
	beam.RegisterCoder(reflect.TypeFor[Acc](), MarshalAcc, UnmarshalAcc)
	beam.RegisterCoder(reflect.TypeFor[DeadLetter](), marshalDeadLetter, unmarshalDeadLetter)
}

// DeadLetter is an input line that could not be parsed: the file it came
// from, the line as read, and why.
type DeadLetter struct {
	File  string `json:"file"`
	Line  string `json:"line"`
	Error string `json:"error"`
}

// String is the dead letter as one JSON line.
func (d DeadLetter) String() string {
	p, _ := json.Marshal(d) // strings only: cannot fail
	return string(p)
}

func marshalDeadLetter(d DeadLetter) ([]byte, error) {
	w := writer{}
	w.str(d.File)
	w.str(d.Line)
	w.str(d.Error)
	return w.b, nil
}

func unmarshalDeadLetter(p []byte) (DeadLetter, error) {
	r := reader{b: p}
	d := DeadLetter{File: r.str(), Line: r.str(), Error: r.str()}
	if err := r.end(); err != nil {
		return DeadLetter{}, fmt.Errorf("dead letter: %w", err)
	}
	return d, nil
}
