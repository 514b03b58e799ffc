package scoring

import "errors"

// Sentinel errors. Use errors.Is.
var (
	// ErrInvalidSpec is wrapped by every *SpecError.
	ErrInvalidSpec = errors.New("scoring: invalid spec")
	// ErrOverflow reports a score too large for the fixed-point range
	// (about ±9·10^14 points on an axis).
	ErrOverflow = errors.New("scoring: points overflow")
	// ErrCriterion reports a host criterion that returned an unusable
	// Outcome: points out of range (more than PointPlaces places is fine:
	// they are rounded) or a negative Count.
	ErrCriterion = errors.New("scoring: criterion returned points out of range")
	// ErrCalibration reports invalid [CalibrationOptions].
	ErrCalibration = errors.New("scoring: invalid calibration options")
)

// SpecError is one problem of a spec, at the path of the field at fault
// (for example "interest.rules[3].decay.percent"). [Spec.Validate] and
// [New] return every problem at once, joined with errors.Join; use
// errors.As to get the first, or inspect the joined list.
type SpecError struct {
	Path string // JSON path of the field at fault; "" for the whole spec
	Msg  string
}

func (e *SpecError) Error() string {
	if e.Path == "" {
		return "scoring: spec: " + e.Msg
	}
	return "scoring: spec: " + e.Path + ": " + e.Msg
}

// Unwrap returns ErrInvalidSpec.
func (e *SpecError) Unwrap() error { return ErrInvalidSpec }

// SpecErrors returns the *SpecError values contained in err (as joined
// by Validate), in order.
func SpecErrors(err error) []*SpecError {
	var out []*SpecError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if se, ok := e.(*SpecError); ok {
			out = append(out, se)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		walk(errors.Unwrap(e))
	}
	walk(err)
	return out
}
