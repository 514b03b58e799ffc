// Package handofftest is a test kit for hosts of package handoff: a
// checker for a host's own policy ([CheckPolicy]), the laws every
// [handoff.Calendar] must keep ([CheckCalendar]), invariants of a single
// decision ([CheckDecision]), and rapid generators of scores, inputs and
// rosters for property tests.
//
// Check a policy in CI:
//
//	func TestPolicy(t *testing.T) {
//		p, err := handoff.NewPolicy(handoff.PolicyConfig{Model: model, Spec: mySpec})
//		if err != nil {
//			t.Fatal(err)
//		}
//		if err := handofftest.CheckPolicy(p, handofftest.Options{}); err != nil {
//			t.Error(err)
//		}
//	}
//
// Property-test every decision:
//
//	rapid.Check(t, func(t *rapid.T) {
//		in := handofftest.Input(model, start).Draw(t, "input")
//		d, err := p.Decide(in)
//		handofftest.CheckDecision(t, p, in, d, err)
//	})
//
// Everything here is deterministic for a given rapid seed and uses no
// globals, goroutines or clock.
package handofftest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/scoring"
	"pgregory.net/rapid"
)

// TB is the part of testing.TB and *rapid.T the checkers use.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Problem is one finding of [CheckPolicy].
type Problem struct {
	Where string // "rule hand_off", "stage lead × high_fit_low_interest"
	What  string
}

func (p *Problem) Error() string { return "handofftest: " + p.Where + ": " + p.What }

// Quadrants lists the four quadrants of the method.
func Quadrants() []scoring.Quadrant {
	return []scoring.Quadrant{scoring.HighFitHighInterest, scoring.HighFitLowInterest, scoring.LowFitHighInterest, scoring.LowFitLowInterest}
}

// Options tune [CheckPolicy].
type Options struct {
	// Stages are the stages at which every quadrant must be handled; nil
	// means every forward or detour stage owned by [funnel.Marketing].
	Stages []funnel.Stage
	// Scores gives, per quadrant, the score the coverage check uses; a
	// missing quadrant gets [SampleResult]'s. Give your own when rules
	// test grades or thresholds.
	Scores map[scoring.Quadrant]scoring.Result
}

// SampleResult returns a plain score in quadrant q: totals 80 (high) or 20
// (low) on each axis, grades "A"/"C" and "1"/"3".
func SampleResult(q scoring.Quadrant, at time.Time) scoring.Result {
	fitHigh := q == scoring.HighFitHighInterest || q == scoring.HighFitLowInterest
	intHigh := q == scoring.HighFitHighInterest || q == scoring.LowFitHighInterest
	r := scoring.Result{ModelID: "handofftest", ModelVersion: 1, At: at, FitHigh: fitHigh, InterestHigh: intHigh, Quadrant: q, Action: q.Action()}
	r.Fit, r.FitGrade = decimal.NewFromInt(20), "C"
	if fitHigh {
		r.Fit, r.FitGrade = decimal.NewFromInt(80), "A"
	}
	r.Interest, r.InterestGrade = decimal.NewFromInt(20), "3"
	if intHigh {
		r.Interest, r.InterestGrade = decimal.NewFromInt(80), "1"
	}
	r.Label = r.FitGrade + r.InterestGrade
	return r
}

// StateAt returns a state of a new contact moved into stage st through
// moves the model allows (the shortest path from the entry, first reason
// of each edge), the last move at at; false when st cannot be reached.
func StateAt(m *funnel.Model, lead string, st funnel.Stage, at time.Time) (funnel.State, bool) {
	type node struct {
		stage funnel.Stage
		path  []funnel.Edge
	}
	seen := map[funnel.Stage]bool{"": true}
	queue := []node{{}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, e := range m.EdgesFrom(n.stage) {
			if seen[e.To] {
				continue
			}
			seen[e.To] = true
			path := append(slices.Clone(n.path), e)
			if e.To != st {
				queue = append(queue, node{e.To, path})
				continue
			}
			s := funnel.State{Lead: lead}
			for i, e := range path {
				mv := funnel.Move{To: e.To, At: at.Add(time.Duration(i-len(path)+1) * time.Minute), Actor: "handofftest"}
				if len(e.Reasons) > 0 {
					mv.Reason = e.Reasons[0]
				}
				var err error
				if s, _, err = m.Apply(s, mv); err != nil {
					return funnel.State{}, false
				}
			}
			return s, true
		}
	}
	return funnel.State{}, false
}

// CheckPolicy inspects a policy and returns its problems joined (nil when
// there are none), each a [*Problem]:
//
//   - every quadrant is handled: at each of the stages (see [Options]) a
//     lead with a score in each quadrant, no activity and no cooldown gets
//     a decision other than Hold;
//   - no rule sends a lead to a stage the funnel forbids: for every stage
//     a rule lists, the model has the edge to the rule's target with the
//     rule's reason (a rule without stages must have the edge from at
//     least one stage);
//   - no rule is shadowed: no earlier rule matches every lead the rule
//     matches while always firing for them.
//
// The funnel's guards read a lead's facts, so they are not run here: a
// guarded edge counts as allowed for the second check, and an earlier rule
// whose move runs a guard never counts as always firing for the third (when
// the guard refuses, [handoff.Policy.Decide] goes on to the next rule).
func CheckPolicy(p *handoff.Policy, o Options) error {
	m := p.Model()
	spec := p.Spec()
	var probs []error
	add := func(where, format string, args ...any) {
		probs = append(probs, &Problem{Where: where, What: fmt.Sprintf(format, args...)})
	}
	stages := o.Stages
	if stages == nil {
		for _, st := range m.Stages() {
			if st.Team == funnel.Marketing && st.Kind != funnel.Terminal {
				stages = append(stages, st.ID)
			}
		}
	}
	at := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	for _, st := range stages {
		s, ok := StateAt(m, "handofftest", st, at)
		if !ok {
			add("stage "+string(st), "cannot be reached in model %q", m.ID())
			continue
		}
		for _, q := range Quadrants() {
			r, ok := o.Scores[q]
			if !ok {
				r = SampleResult(q, at)
			}
			d, err := p.Decide(handoff.Input{State: s, Score: &r, Now: at.Add(time.Hour)})
			if err != nil {
				add("stage "+string(st)+" × "+string(q), "Decide: %v", err)
			} else if d.Verdict == handoff.VerdictHold {
				add("stage "+string(st)+" × "+string(q), "no rule handles it")
			}
		}
	}
	all := m.Stages()
	for i, r := range spec.Rules {
		where := "rule " + r.Name
		if r.Then.To != "" {
			from := r.When.Stages
			if len(from) == 0 {
				ok := false
				for _, st := range all {
					ok = ok || st.ID == r.Then.To || edgeAllows(m, st.ID, r.Then.To, r.Then.Reason)
				}
				if !ok {
					add(where, "no stage can move to %s with reason %q", r.Then.To, r.Then.Reason)
				}
			}
			for _, st := range from {
				if st != r.Then.To && !edgeAllows(m, st, r.Then.To, r.Then.Reason) {
					add(where, "the funnel forbids %s → %s with reason %q", st, r.Then.To, r.Then.Reason)
				}
			}
		}
		for _, e := range spec.Rules[:i] {
			if shadows(p, e, r) {
				add(where, "shadowed by rule %s, which matches every lead it matches and always fires", e.Name)
				break
			}
		}
	}
	return errors.Join(probs...)
}

func edgeAllows(m *funnel.Model, from, to funnel.Stage, reason funnel.ReasonCode) bool {
	for _, e := range m.EdgesFrom(from) {
		if e.To != to {
			continue
		}
		if reason == "" {
			return !e.ReasonRequired
		}
		return len(e.Reasons) == 0 || slices.Contains(e.Reasons, reason)
	}
	return false
}

// edgeGuarded reports whether the move from → to runs guards.
func edgeGuarded(m *funnel.Model, from, to funnel.Stage) bool {
	for _, e := range m.EdgesFrom(from) {
		if e.To == to {
			return len(e.Guards) > 0
		}
	}
	return false
}

// shadows reports whether earlier rule a hides rule b: a's conditions hold
// whenever b's do, and a always fires then: it moves nothing, or from
// every stage b can see it moves where the funnel allows, and when a
// recycling cooldown can hold a's move ([handoff.Policy.Qualifies]) it
// holds b too.
func shadows(p *handoff.Policy, a, b handoff.Rule) bool {
	m := p.Model()
	if !covers(a.When.Stages, b.When.Stages) || !covers(a.When.Activities, b.When.Activities) ||
		!covers(a.When.Quadrants, b.When.Quadrants) || !covers(a.When.FitGrades, b.When.FitGrades) ||
		!covers(a.When.InterestGrades, b.When.InterestGrades) ||
		!looser(a.When.MinFit, b.When.MinFit, true) || !looser(a.When.MaxFit, b.When.MaxFit, false) ||
		!looser(a.When.MinInterest, b.When.MinInterest, true) || !looser(a.When.MaxInterest, b.When.MaxInterest, false) {
		return false
	}
	if a.Then.To == "" {
		return true
	}
	from := b.When.Stages
	if len(from) == 0 {
		for _, st := range m.Stages() {
			from = append(from, st.ID)
		}
	}
	for _, st := range from {
		if st == a.Then.To {
			continue // a fires without a move
		}
		if !edgeAllows(m, st, a.Then.To, a.Then.Reason) || edgeGuarded(m, st, a.Then.To) {
			return false // a guard reads the lead's facts: a may not fire
		}
		if a.Then.OverrideCooldown || !p.Qualifies(st, a.Then.To) {
			continue // no cooldown holds a here
		}
		// A cooldown can hold a at st; b fires then unless it is held too.
		heldToo := b.Then.To != "" && b.Then.To != st && !b.Then.OverrideCooldown && p.Qualifies(st, b.Then.To)
		if !heldToo {
			return false
		}
	}
	return true
}

// covers reports whether condition list a (empty: anything) admits every
// value b admits.
func covers[T comparable](a, b []T) bool {
	if len(a) == 0 {
		return true
	}
	if len(b) == 0 {
		return false
	}
	for _, v := range b {
		if !slices.Contains(a, v) {
			return false
		}
	}
	return true
}

// looser reports whether bound a admits everything bound b admits (min
// bounds when isMin, else max bounds).
func looser(a, b decimal.NullDecimal, isMin bool) bool {
	if !a.Valid {
		return true
	}
	if !b.Valid {
		return false
	}
	if isMin {
		return a.Decimal.LessThanOrEqual(b.Decimal)
	}
	return a.Decimal.GreaterThanOrEqual(b.Decimal)
}

// CheckDecision checks the invariants of one decision d = p.Decide(in):
// no error for a valid Now; Hold exactly when no rule is named; a move
// only with a rule, dated Now, that the funnel accepts from in.State;
// an explanation that names the rule; a tier only for verdicts to sales;
// and the same decision when deciding again (determinism).
func CheckDecision(t TB, p *handoff.Policy, in handoff.Input, d handoff.Decision, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if (d.Verdict == handoff.VerdictHold) != (d.Rule == "") {
		t.Fatalf("verdict %s with rule %q", d.Verdict, d.Rule)
	}
	if d.HasMove {
		if d.Rule == "" || !d.Move.At.Equal(in.Now) {
			t.Fatalf("move %+v from rule %q", d.Move, d.Rule)
		}
		if err := p.Model().Can(in.State, d.Move); err != nil {
			t.Fatalf("rule %s decided a move the funnel refuses: %v", d.Rule, err)
		}
	}
	if d.Rule != "" && !containsStr(d.Explanation, d.Rule) {
		t.Fatalf("explanation does not name rule %s: %q", d.Rule, d.Explanation)
	}
	if d.Tier != "" && !d.Verdict.ToSales() {
		t.Fatalf("tier %q on verdict %s", d.Tier, d.Verdict)
	}
	again, err := p.Decide(in)
	if err != nil || again.Rule != d.Rule || again.HasMove != d.HasMove || again.Move != d.Move || again.Explanation != d.Explanation {
		t.Fatalf("not deterministic: %+v then %+v (%v)", d, again, err)
	}
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// CheckCalendar checks the laws of [handoff.Calendar] on cal for starts
// s1, s2 and durations d1, d2 (negative durations count as zero): Between
// inverts Add, Add is monotone in both arguments, adding in two steps
// equals adding once (when d1+d2 fits in a Duration), Between is
// antisymmetric, and Add never lands in closed time (the instant just
// before a result is business time).
func CheckCalendar(t TB, cal handoff.Calendar, s1, s2 time.Time, d1, d2 time.Duration) {
	t.Helper()
	d1, d2 = max(d1, 0), max(d2, 0)
	e1 := cal.Add(s1, d1)
	if got := cal.Between(s1, e1); got != d1 {
		t.Fatalf("Between(%v, Add(%v, %v)) = %v", s1, s1, d1, got)
	}
	if got := cal.Between(e1, s1); got != -d1 {
		t.Fatalf("Between(%v, %v) = %v, want %v", e1, s1, got, -d1)
	}
	if d1 <= 1<<63-1-d2 { // d1+d2 fits in a Duration
		if two, one := cal.Add(e1, d2), cal.Add(s1, d1+d2); !two.Equal(one) {
			t.Fatalf("Add(Add(s, %v), %v) = %v but Add(s, %v) = %v", d1, d2, two, d1+d2, one)
		}
	}
	lo, hi := min(d1, d2), max(d1, d2)
	if cal.Add(s1, lo).After(cal.Add(s1, hi)) {
		t.Fatalf("Add(%v, ·) is not monotone: %v, %v", s1, lo, hi)
	}
	a, b := s1, s2
	if b.Before(a) {
		a, b = b, a
	}
	if cal.Add(a, d1).After(cal.Add(b, d1)) {
		t.Fatalf("Add(·, %v) is not monotone: %v, %v", d1, a, b)
	}
	if d1 > 0 {
		if before := e1.Add(-time.Nanosecond); cal.Between(before, e1) != time.Nanosecond {
			t.Fatalf("Add(%v, %v) = %v lands in closed time", s1, d1, e1)
		}
	}
}

// Result returns a generator of consistent scores: a quadrant, totals in
// [0, 100] with two decimals on the matching side of 50, grades "A"-"D"
// and "1"-"4" that follow the totals.
func Result(at time.Time) *rapid.Generator[scoring.Result] {
	return rapid.Custom(func(t *rapid.T) scoring.Result {
		q := rapid.SampledFrom(Quadrants()).Draw(t, "quadrant")
		r := SampleResult(q, at)
		axis := func(high bool, label string, grades string) (decimal.Decimal, string) {
			lo, hi := int64(0), int64(4999)
			if high {
				lo, hi = 5000, 10000
			}
			v := rapid.Int64Range(lo, hi).Draw(t, label)
			g := 3 - int(v/2501)
			return decimal.New(v, -2), string(grades[g])
		}
		r.Fit, r.FitGrade = axis(r.FitHigh, "fit", "ABCD")
		r.Interest, r.InterestGrade = axis(r.InterestHigh, "interest", "1234")
		r.Label = r.FitGrade + r.InterestGrade
		return r
	})
}

// Activities are the activity kinds [Input] draws from.
func Activities() []string {
	return []string{handoff.ActivityDemoRequest, handoff.ActivityContactSales, "page_view", "email_open", "webinar"}
}

// Input returns a generator of decision inputs for model m: a contact in a
// stage reached by allowed moves (entered at start), a score or none, an
// activity or none, a recycling state that may be cooling down, and a Now
// at or after the last move.
func Input(m *funnel.Model, start time.Time) *rapid.Generator[handoff.Input] {
	return rapid.Custom(func(t *rapid.T) handoff.Input {
		var stages []funnel.Stage
		for _, st := range m.Stages() {
			stages = append(stages, st.ID)
		}
		st := rapid.SampledFrom(stages).Draw(t, "stage")
		s, ok := StateAt(m, "lead", st, start)
		if !ok {
			s, _ = StateAt(m, "lead", m.Entry(), start)
		}
		in := handoff.Input{State: s, Now: s.Since.Add(time.Duration(rapid.IntRange(0, 90*24).Draw(t, "hours")) * time.Hour)}
		if rapid.IntRange(0, 4).Draw(t, "scored") > 0 {
			r := Result(in.Now).Draw(t, "score")
			in.Score = &r
		}
		if rapid.Bool().Draw(t, "has_activity") {
			in.Activity = &handoff.Activity{Kind: rapid.SampledFrom(Activities()).Draw(t, "activity"), At: in.Now}
		}
		if rapid.Bool().Draw(t, "recycled") {
			in.Recycle = handoff.RecycleState{Count: rapid.IntRange(1, 3).Draw(t, "count"),
				Until: in.Now.Add(time.Duration(rapid.IntRange(-30, 30).Draw(t, "cooldown_days")) * 24 * time.Hour)}
		}
		return in
	})
}

// Roster returns a generator of rosters of 1 to max reps with unique IDs,
// some in queue "emea", some away or at capacity, weights 1 to 3. A max
// below 1 counts as 1.
func Roster(max int) *rapid.Generator[[]handoff.Rep] {
	if max < 1 {
		max = 1
	}
	return rapid.Custom(func(t *rapid.T) []handoff.Rep {
		n := rapid.IntRange(1, max).Draw(t, "reps")
		reps := make([]handoff.Rep, n)
		for i := range reps {
			r := handoff.Rep{ID: fmt.Sprintf("rep%02d", i), Weight: rapid.IntRange(1, 3).Draw(t, "weight")}
			if rapid.Bool().Draw(t, "emea") {
				r.Queues = []string{"emea"}
			}
			r.Away = rapid.IntRange(0, 4).Draw(t, "away") == 0
			if rapid.IntRange(0, 4).Draw(t, "full") == 0 {
				r.Capacity, r.Open = 2, 2
			}
			reps[i] = r
		}
		return rapid.Permutation(reps).Draw(t, "order")
	})
}
