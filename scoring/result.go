package scoring

import (
	"time"

	"github.com/shopspring/decimal"
)

// Axis names one of the two score axes of the method.
type Axis string

// The two axes. Fit is how well the prospect's needs match the offer;
// interest is how much the prospect engages.
const (
	AxisFit      Axis = "fit"
	AxisInterest Axis = "interest"
)

// Quadrant is a cell of the 2×2 fit/interest matrix.
type Quadrant string

// The four cells of the matrix.
const (
	HighFitHighInterest Quadrant = "high_fit_high_interest"
	HighFitLowInterest  Quadrant = "high_fit_low_interest"
	LowFitHighInterest  Quadrant = "low_fit_high_interest"
	LowFitLowInterest   Quadrant = "low_fit_low_interest"
)

// QuadrantOf returns the cell for the two band sides.
func QuadrantOf(fitHigh, interestHigh bool) Quadrant {
	switch {
	case fitHigh && interestHigh:
		return HighFitHighInterest
	case fitHigh:
		return HighFitLowInterest
	case interestHigh:
		return LowFitHighInterest
	default:
		return LowFitLowInterest
	}
}

// Action is what the method says to do with a lead in a quadrant.
type Action string

// The method's actions, one per quadrant.
const (
	ActionContactNow   Action = "contact_now"    // high fit, high interest: sales contacts now
	ActionNurture      Action = "nurture"        // high fit, low interest: marketing nurtures
	ActionOfferGap     Action = "offer_gap"      // low fit, high interest: product feedback
	ActionDoNotContact Action = "do_not_contact" // low fit, low interest
)

// Action returns the method's action for the quadrant, or "" for an
// unknown quadrant.
func (q Quadrant) Action() Action {
	switch q {
	case HighFitHighInterest:
		return ActionContactNow
	case HighFitLowInterest:
		return ActionNurture
	case LowFitHighInterest:
		return ActionOfferGap
	case LowFitLowInterest:
		return ActionDoNotContact
	}
	return ""
}

// EntryKind tells what produced a ledger [Entry].
type EntryKind string

// Kinds of ledger entries.
const (
	// EntryRule is a built-in rule (a field rule or an activity rule).
	EntryRule EntryKind = "rule"
	// EntryCriterion is a host-supplied [Criterion].
	EntryCriterion EntryKind = "criterion"
	// EntryGroupCap is the adjustment a group's cap made to the sum of its rules.
	EntryGroupCap EntryKind = "group_cap"
	// EntryAxisCap is the adjustment an axis's minimum or maximum made to its sum.
	EntryAxisCap EntryKind = "axis_cap"
)

// Entry is one line of a score's ledger. The Points of all entries of an
// axis add up exactly to that axis's total in the [Result].
//
// For a rule, Raw is the points before decay (points × Count), Decayed
// the points after the window and decay, and Points what the rule
// contributes after its own cap. Group and axis caps appear as entries
// of their own (kind [EntryGroupCap] and [EntryAxisCap]) whose Points is
// the adjustment, so no contribution is silently changed.
type Entry struct {
	Kind  EntryKind `json:"kind"`
	Axis  Axis      `json:"axis"`
	Name  string    `json:"name"`            // rule or criterion name; group name; axis name for an axis cap
	Group string    `json:"group,omitempty"` // the rule's group, if any

	Count   int             `json:"count"`   // activities counted (1 for a matching field rule)
	Raw     decimal.Decimal `json:"raw"`     // before decay
	Decayed decimal.Decimal `json:"decayed"` // after window and decay, before the rule cap
	Points  decimal.Decimal `json:"points"`  // contribution to the axis total

	First  time.Time `json:"first,omitzero"` // oldest activity counted (zero for field rules)
	Last   time.Time `json:"last,omitzero"`  // newest activity counted (zero for field rules)
	Reason string    `json:"reason"`         // why the rule fired, in words a sales rep reads
}

// Equal reports whether e and o are the same entry (decimals and times
// compared by value).
func (e Entry) Equal(o Entry) bool {
	return e.Kind == o.Kind && e.Axis == o.Axis && e.Name == o.Name && e.Group == o.Group &&
		e.Count == o.Count && e.Raw.Equal(o.Raw) && e.Decayed.Equal(o.Decayed) &&
		e.Points.Equal(o.Points) && e.First.Equal(o.First) && e.Last.Equal(o.Last) &&
		e.Reason == o.Reason
}

// Result is the outcome of scoring one lead with one model at one time.
// It is a plain value: safe to copy, compare with [Result.Equal] and
// share between goroutines. Its JSON form (snake_case keys, decimals as
// strings) round-trips through encoding/json.
type Result struct {
	ModelID      string    `json:"model_id"`
	ModelVersion int       `json:"model_version"`
	At           time.Time `json:"at"` // the "now" the lead was scored at

	Fit      decimal.Decimal `json:"fit"`
	Interest decimal.Decimal `json:"interest"`

	FitGrade      string `json:"fit_grade"`      // e.g. "A"
	InterestGrade string `json:"interest_grade"` // e.g. "1"
	Label         string `json:"label"`          // FitGrade + InterestGrade, e.g. "A1"

	FitHigh      bool     `json:"fit_high"` // band side after hysteresis
	InterestHigh bool     `json:"interest_high"`
	Quadrant     Quadrant `json:"quadrant"`
	Action       Action   `json:"action"`

	Ledger []Entry `json:"ledger"` // contributions; sums exactly to Fit and Interest
}

// Equal reports whether r and o are the same result.
func (r Result) Equal(o Result) bool {
	if r.ModelID != o.ModelID || r.ModelVersion != o.ModelVersion || !r.At.Equal(o.At) ||
		!r.Fit.Equal(o.Fit) || !r.Interest.Equal(o.Interest) ||
		r.FitGrade != o.FitGrade || r.InterestGrade != o.InterestGrade || r.Label != o.Label ||
		r.FitHigh != o.FitHigh || r.InterestHigh != o.InterestHigh ||
		r.Quadrant != o.Quadrant || r.Action != o.Action || len(r.Ledger) != len(o.Ledger) {
		return false
	}
	for i := range r.Ledger {
		if !r.Ledger[i].Equal(o.Ledger[i]) {
			return false
		}
	}
	return true
}

// Total returns the axis total of the result.
func (r Result) Total(a Axis) decimal.Decimal {
	if a == AxisFit {
		return r.Fit
	}
	return r.Interest
}

// Valid reports whether a is one of the two axes.
func (a Axis) Valid() bool { return a == AxisFit || a == AxisInterest }

// Valid reports whether q is one of the four quadrants.
func (q Quadrant) Valid() bool { return q.Action() != "" }

// Valid reports whether a is one of the four actions.
func (a Action) Valid() bool {
	switch a {
	case ActionContactNow, ActionNurture, ActionOfferGap, ActionDoNotContact:
		return true
	}
	return false
}
