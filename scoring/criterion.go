package scoring

import (
	"time"

	"github.com/shopspring/decimal"
)

// Criterion is a scoring rule written by the host, for what the built-in
// rules cannot say (a lookup in the host's own data, a model score).
// Evaluate must be a pure function of its arguments; a model calls it
// once per Score. Its points are rounded half-even to [PointPlaces]
// places and must stay within ±999999999.9999, and its Count must not be
// negative (else Score returns [ErrCriterion]). They count toward the
// axis total and its Min/Max; rule caps and groups do not apply (cap
// inside Evaluate if needed).
// Calibration and the ledger treat a criterion like a rule: it "counted"
// when its Outcome has a Count or non-zero Points.
type Criterion[L any] interface {
	Name() string
	Axis() Axis
	Evaluate(lead L, now time.Time) Outcome
}

// Outcome is what a [Criterion] gives a lead.
type Outcome struct {
	Points decimal.Decimal
	Count  int    // how many things it counted (for the ledger); 0 and zero points: not shown
	Reason string // why, in words a sales rep reads
}

// CriterionFunc adapts a function to a [Criterion].
func CriterionFunc[L any](name string, axis Axis, f func(lead L, now time.Time) Outcome) Criterion[L] {
	return funcCriterion[L]{name, axis, f}
}

type funcCriterion[L any] struct {
	name string
	axis Axis
	f    func(L, time.Time) Outcome
}

func (c funcCriterion[L]) Name() string                        { return c.name }
func (c funcCriterion[L]) Axis() Axis                          { return c.axis }
func (c funcCriterion[L]) Evaluate(l L, now time.Time) Outcome { return c.f(l, now) }
