package handoff

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Sentinel errors. Every error the package returns wraps one of these, or
// is the [*funnel.MoveError] of a move the funnel refuses, so hosts test
// with [errors.Is]; the typed errors ([SpecError], [funnel.MoveError])
// carry the details for [errors.As].
var (
	// ErrInvalidSpec: a spec (calendar, SLA, routing, acceptance, policy)
	// failed validation. The error joins one [SpecError] per problem.
	ErrInvalidSpec = errors.New("handoff: invalid spec")
	// ErrNoWorkingTime: a calendar week has no working hours at all, so no
	// deadline could ever be reached.
	ErrNoWorkingTime = errors.New("handoff: calendar has no working time")
	// ErrUnknownTier: an SLA ticket names a tier the SLA does not declare.
	ErrUnknownTier = errors.New("handoff: unknown SLA tier")
	// ErrTooFewAttempts: a lead cannot be called unresponsive before the
	// SLA's minimum number of contact attempts.
	ErrTooFewAttempts = errors.New("handoff: too few contact attempts")
	// ErrNoRoute: no routing rule matches the lead and there is no fallback.
	ErrNoRoute = errors.New("handoff: no routing rule matches")
	// ErrNoEligibleRep: every rep of the chosen queue is away, at capacity,
	// excluded, or not on the roster.
	ErrNoEligibleRep = errors.New("handoff: no eligible rep")
	// ErrUnknownReason: a reason code is not in the catalog, or is of the
	// wrong class for the call (a disqualification code given to Reject).
	ErrUnknownReason = errors.New("handoff: unknown reason code")
	// ErrNotHandedOff: the lead is not in a stage where sales can accept,
	// reject or disqualify it.
	ErrNotHandedOff = errors.New("handoff: lead is not handed off to sales")
	// ErrInvalidInput: a call got malformed data (a zero time, an empty rep,
	// a negative count, a stored rotation out of order, a calendar not built
	// by its constructor).
	ErrInvalidInput = errors.New("handoff: invalid input")
)

// SpecError is one problem of a spec, at the path of the field at fault
// (such as "week.monday[1]" or "rules[2].when.min_fit"), in the shape of
// [io/fs.PathError]. It matches [ErrInvalidSpec] and whatever Err wraps.
type SpecError struct {
	// Spec names the kind of spec: "calendar", "sla", "routing",
	// "acceptance" (its reasons and recycling), "policy".
	Spec string
	// Path is the field at fault, in JSON names.
	Path string
	// Err says what is wrong.
	Err error
}

func (e *SpecError) Error() string {
	if e.Path == "" {
		return "handoff: " + e.Spec + " spec: " + e.Err.Error()
	}
	return "handoff: " + e.Spec + " spec: " + e.Path + ": " + e.Err.Error()
}

// Unwrap returns the underlying problem and [ErrInvalidSpec].
func (e *SpecError) Unwrap() []error { return []error{ErrInvalidSpec, e.Err} }

// problems collects the problems of one spec, to be joined at the end.
type problems struct {
	spec string
	errs []error
}

func (p *problems) add(path string, err error) {
	p.errs = append(p.errs, &SpecError{Spec: p.spec, Path: path, Err: err})
}

func (p *problems) addf(path, format string, args ...any) {
	p.add(path, fmt.Errorf(format, args...))
}

func (p *problems) err() error { return errors.Join(p.errs...) }

// text reports s at path when it is not valid UTF-8: JSON would write its
// bad bytes as U+FFFD, so a spec built in Go would not read back the same
// (the parsers refuse such input already).
func (p *problems) text(path, s string) {
	if !utf8.ValidString(s) {
		p.addf(path, "not valid UTF-8: %q", clip([]byte(s)))
	}
}

func itoaSlow(i int) string { return fmt.Sprint(i) }
