// Package scoring scores leads on the two axes of the SMarketing method,
// fit (how well the prospect's needs match the offer) and interest (how
// much the prospect engages), places them in the 2×2 matrix that says
// who acts, and explains every point.
//
// # The pieces
//
//   - A [Spec] is the declarative model marketing and sales agree on:
//     [Rule] values on each axis ([AxisSpec]), with caps per rule, per
//     [Group] and per axis, grade [Band] values and a high/low
//     [Threshold] with hysteresis. It is plain data and loads from JSON
//     with [ParseSpec] (versioned by [SpecFormat]).
//   - A field rule tests a field of the lead with a [Condition]: equals,
//     one of, not one of, decimal range, prefix, suffix, contains,
//     regular expression, present, missing (see [Op]). An activity rule
//     gives points for each matching [Activity], within an optional "last
//     N days" window, shrinking with age by a [Decay] (percent per
//     period, linear, half-life or steps); window and decay combine.
//   - [New] validates a spec (every problem at once, each a [SpecError]
//     with the path of the field at fault) and compiles it into a
//     [Model] over the host's own lead type L, read through a [Source].
//     Hosts add rules of their own by implementing [Criterion].
//   - [Model.Score] returns a [Result]: fit and interest totals, grades
//     and label ("A1"), band sides, [Quadrant] and [Action], the model's
//     ID and version, and a ledger of [Entry] values that adds up
//     exactly to the totals. [Result.Explain] renders it for a sales rep.
//   - [Model.Calibrate] measures each criterion on historical leads with
//     known outcomes ([Sample]): support, conversion with and without,
//     lift, suggested points, and flags those that do not discriminate.
//   - [Rollup] combines contact scores into an account score (max, capped
//     sum, mean of the top N).
//   - Package [github.com/smarketing/smarketing/scoring/scoringtest] holds
//     rapid generators and law checkers a host can run against its own
//     models.
//
// # Worked example
//
//	spec := scoring.Spec{Format: scoring.SpecFormat, ID: "b2b", Version: 1,
//		Fit: scoring.AxisSpec{Rules: []scoring.Rule{{
//			Name: "target industry", Points: decimal.NewFromInt(40),
//			When: scoring.Condition{Field: "industry", Op: scoring.OpOneOf, Values: []string{"saas", "fintech"}},
//		}}},
//		Interest: scoring.AxisSpec{Rules: []scoring.Rule{{
//			Name: "form fill", Points: decimal.NewFromInt(10), Activity: "form_fill",
//			Within: scoring.Days(90), Decay: scoring.PercentDecay(decimal.NewFromInt(50), scoring.Days(30)),
//		}}},
//	}
//	m, err := scoring.New(spec, scoring.LeadSource()) // or a Source over your own type
//	...
//	r, err := m.Score(lead, now, &previous) // previous result for hysteresis, or nil
//	fmt.Print(r.Explain())
//
// A 10-point form fill under "50 % every 30 days" is worth 10 for its
// first 30 days, then 5, then 2.5; outside the 90-day window, nothing.
//
// # Exact numbers and the one rounding boundary
//
// Points, caps and thresholds are exact decimals with at most
// [PointPlaces] (4) places. Decay factors are exact decimals with at most
// [FactorPlaces] (9) places, defined on [DecayKind] (half-life uses a
// published table, [HalfLifeFactor]). Each activity's contribution,
// points × factor, is rounded half-even to 4 places; that is the only
// rounding in a score (a host [Criterion]'s points are rounded the same
// way). Sums, caps and grades are then exact. The model
// computes in int64 fixed point (units of 10^−4, overflow-checked:
// [ErrOverflow]) and converts to decimal.Decimal once, at the end; the
// tests check against a plain decimal.Decimal computation of the same
// definition, to the last digit, on random models and leads.
//
// # Time
//
// Time is always a parameter: Score takes now, and an activity's age is
// now − its time, exact to the nanosecond on the wall clock and
// saturating like time.Time.Sub for times centuries apart (a monotonic
// clock reading is ignored). Activities after now are ignored, so
// scoring at a past time rescores a lead as it stood then. Durations in
// specs are [Duration] values ("30d", "2w", "36h"); there are no
// calendar months.
//
// # Contracts
//
// A *Model is immutable after [New] (it only fills, on demand and
// safely, an internal table of ready decimals) and safe for concurrent
// use (as far as its Source and host criteria are). [Result], [Spec] and
// the other values are plain data: copy them freely, and compare them
// with go-cmp and no options ([Result], [Entry] and [Contribution] have
// Equal methods, and decimals compare by value). Same model, lead, time
// and previous result give the same result, byte for byte; declaration
// order is kept everywhere and no map order leaks out. The package has
// no global state, starts no goroutines, does no I/O and never touches
// decimal's package settings.
// Zero values: a zero [Decay] is no decay, a zero [Threshold] enters at
// 50 with no hysteresis, empty bands mean A/B/C/D and 1/2/3/4 at 75, 50,
// 25, a zero [Rollup] takes the maximum, a zero [CalibrationOptions] uses
// the documented defaults. No input makes the package panic except
// [MustNew] on an invalid spec.
//
// # Performance
//
// Score makes one pass over the activities in int64 fixed point, with
// the usual conditions, decays and rounding computed inline, and reads
// each lead field once. Its allocations are the ledger and two for each
// decimal no other result can share (a rule's decayed total, an axis
// total); their number does not depend on the number of activities
// (activity rules keep points × count ready, up to 1 024 counted
// activities). On the reference workload of BENCHMARKS.md (20 rules, 50
// activities) [Model.ScoreInto], which reuses a result's ledger for
// batch scoring, costs about 2.5–2.9× the CPU time of hand-written int64
// code that returns two integers, and [Model.Score] about 3.6–4.7×: the
// same work plus a fresh 3.2 KB ledger, whose memory and garbage
// collection alone cost about as much as the hand-written code. Use
// ScoreInto in loops.
package scoring
