package smbeam

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"unicode/utf8"

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

// DeadLetter is an input line that could not be parsed, or a record the
// report refuses: the file it came from, the line as read, and why. A
// compressed file that cannot be read ([ErrUnreadable]) is one dead
// letter with an empty Line.
type DeadLetter struct {
	File  string `json:"file"`
	Line  string `json:"line"`
	Error string `json:"error"`
}

// String is the dead letter as one JSON line (see [DeadLetter.MarshalJSON]).
func (d DeadLetter) String() string {
	p, _ := json.Marshal(d) // strings only: cannot fail
	return string(p)
}

// deadLetterJSON is DeadLetter without its JSON methods.
type deadLetterJSON DeadLetter

// MarshalJSON writes {"file","line","error"}. JSON text cannot hold a
// line that is not valid UTF-8 byte for byte ("line" then shows each
// invalid byte as U+FFFD), so such a line is also written exactly, in
// standard base64, as "line_base64"; [DeadLetter.UnmarshalJSON] reads it
// back.
func (d DeadLetter) MarshalJSON() ([]byte, error) {
	if utf8.ValidString(d.Line) {
		return json.Marshal(deadLetterJSON(d))
	}
	return json.Marshal(struct {
		deadLetterJSON
		LineBase64 string `json:"line_base64"`
	}{deadLetterJSON(d), base64.StdEncoding.EncodeToString([]byte(d.Line))})
}

// UnmarshalJSON reads what MarshalJSON writes: Line is "line_base64"
// decoded when it is present, else "line".
func (d *DeadLetter) UnmarshalJSON(p []byte) error {
	var v struct {
		deadLetterJSON
		LineBase64 *string `json:"line_base64"`
	}
	if err := json.Unmarshal(p, &v); err != nil {
		return err
	}
	if v.LineBase64 != nil {
		line, err := base64.StdEncoding.DecodeString(*v.LineBase64)
		if err != nil {
			return fmt.Errorf("smbeam: dead letter: line_base64: %w", err)
		}
		v.Line = string(line)
	}
	*d = DeadLetter(v.deadLetterJSON)
	return nil
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
