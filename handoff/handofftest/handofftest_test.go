package handofftest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/handoff/handofftest"
	"github.com/smarketing/smarketing/scoring"
	"pgregory.net/rapid"
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestDefaultPoliciesPass(t *testing.T) {
	for _, m := range []*funnel.Model{funnel.Default(), funnel.Waterfall()} {
		t.Run(m.ID(), func(t *testing.T) {
			p, err := handoff.DefaultPolicy(m)
			if err != nil {
				t.Fatal(err)
			}
			if err := handofftest.CheckPolicy(p, handofftest.Options{}); err != nil {
				t.Fatal(err)
			}
			rapid.Check(t, func(t *rapid.T) {
				in := handofftest.Input(m, start).Draw(t, "input")
				d, err := p.Decide(in)
				handofftest.CheckDecision(t, p, in, d, err)
			})
		})
	}
}

func TestCheckPolicyFindsProblems(t *testing.T) {
	m := funnel.Default()
	p, err := handoff.NewPolicy(handoff.PolicyConfig{Model: m, Spec: handoff.PolicySpec{Rules: []handoff.Rule{
		{Name: "contact", When: handoff.Condition{Quadrants: []scoring.Quadrant{scoring.HighFitHighInterest}}, Then: handoff.Action{Verdict: handoff.VerdictHandOff}},
		{Name: "hot", When: handoff.Condition{Stages: []funnel.Stage{funnel.MQL}, Quadrants: []scoring.Quadrant{scoring.HighFitHighInterest}},
			Then: handoff.Action{Verdict: handoff.VerdictHandOff, To: funnel.SQL}},
		{Name: "back", When: handoff.Condition{Stages: []funnel.Stage{funnel.Subscriber}}, Then: handoff.Action{Verdict: handoff.VerdictNurture, To: funnel.Nurture, Reason: funnel.ReasonBadTiming}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	err = handofftest.CheckPolicy(p, handofftest.Options{Stages: []funnel.Stage{funnel.Lead}})
	var pr *handofftest.Problem
	if !errors.As(err, &pr) {
		t.Fatalf("no problems found: %v", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"stage lead × high_fit_low_interest: no rule handles it",
		"rule hot: shadowed by rule contact",
		"rule back: the funnel forbids subscriber → nurture",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
}

func TestCalendarsKeepTheLaws(t *testing.T) {
	w, err := handoff.NewWeekly(handoff.CalendarSpec{Zone: "America/New_York",
		Week: handoff.OfficeHours(handoff.Span{Start: 8 * handoff.Hour, End: 12 * handoff.Hour}, handoff.Span{Start: 13 * handoff.Hour, End: 17 * handoff.Hour})})
	if err != nil {
		t.Fatal(err)
	}
	for _, cal := range []handoff.Calendar{w, handoff.Continuous{}} {
		rapid.Check(t, func(t *rapid.T) {
			s1 := start.Add(time.Duration(rapid.Int64Range(0, 400*24*3600).Draw(t, "s1")) * time.Second)
			s2 := start.Add(time.Duration(rapid.Int64Range(0, 400*24*3600).Draw(t, "s2")) * time.Second)
			d1 := time.Duration(rapid.Int64Range(0, 500*3600).Draw(t, "d1")) * time.Second
			d2 := time.Duration(rapid.Int64Range(0, 500*3600).Draw(t, "d2")) * time.Second
			handofftest.CheckCalendar(t, cal, s1, s2, d1, d2)
		})
	}
}

func TestRosterGenerator(t *testing.T) {
	r, _ := handoff.NewRouter(handoff.RoutingSpec{})
	rapid.Check(t, func(t *rapid.T) {
		roster := handofftest.Roster(6).Draw(t, "roster")
		a, _, err := r.Assign(roster, handoff.Rotation{}, handoff.Request{Lead: "l"})
		if err != nil {
			if !errors.Is(err, handoff.ErrNoEligibleRep) {
				t.Fatal(err)
			}
			return
		}
		for _, rep := range roster {
			if rep.ID == a.Rep && (rep.Away || rep.Capacity > 0 && rep.Open >= rep.Capacity) {
				t.Fatalf("ineligible rep %s", rep.ID)
			}
		}
	})
}

// TestCheckPolicyShadowingAndCooldown: a rule that a recycling cooldown
// can hold does not shadow a later rule that fires during the cooldown,
// and a rule that no cooldown holds does shadow a later one it covers.
func TestCheckPolicyShadowingAndCooldown(t *testing.T) {
	m := funnel.Default()
	hh := []scoring.Quadrant{scoring.HighFitHighInterest}
	hl := []scoring.Quadrant{scoring.HighFitLowInterest}
	nurture := []funnel.Stage{funnel.Nurture}
	mql := []funnel.Stage{funnel.MQL}
	p, err := handoff.NewPolicy(handoff.PolicyConfig{Model: m, Spec: handoff.PolicySpec{Rules: []handoff.Rule{
		// Held during the cooldown (nurture → mql qualifies the lead) ...
		{Name: "requalify", When: handoff.Condition{Stages: nurture, Quadrants: hh},
			Then: handoff.Action{Verdict: handoff.VerdictPromote, To: funnel.MQL, Reason: funnel.ReasonScoreThreshold}},
		// ... so this one fires then: not shadowed (nurture → disqualified
		// does not qualify, so no cooldown holds it) ...
		{Name: "give_up", When: handoff.Condition{Stages: nurture, Quadrants: hh},
			Then: handoff.Action{Verdict: handoff.VerdictDisqualify, To: funnel.Disqualified, Reason: funnel.ReasonBadFit}},
		// ... and, for the same reason, hides this one.
		{Name: "wait_in_nurture", When: handoff.Condition{Stages: nurture, Quadrants: hh},
			Then: handoff.Action{Verdict: handoff.VerdictNurture}},
		// mql → nurture never qualifies, so no cooldown holds it ...
		{Name: "nurture_mql", When: handoff.Condition{Stages: mql, Quadrants: hl},
			Then: handoff.Action{Verdict: handoff.VerdictNurture, To: funnel.Nurture, Reason: funnel.ReasonScoreDecay}},
		// ... and this one never fires: shadowed.
		{Name: "nurture_in_place", When: handoff.Condition{Stages: mql, Quadrants: hl},
			Then: handoff.Action{Verdict: handoff.VerdictNurture}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	// The checker's verdict matches what Decide does during a cooldown.
	s, ok := handofftest.StateAt(m, "l", funnel.Nurture, start)
	if !ok {
		t.Fatal("nurture unreachable")
	}
	score := handofftest.SampleResult(scoring.HighFitHighInterest, start)
	now := start.Add(time.Hour)
	d, err := p.Decide(handoff.Input{State: s, Score: &score, Now: now, Recycle: handoff.RecycleState{Count: 1, Until: now.Add(time.Hour)}})
	if err != nil || d.Rule != "give_up" {
		t.Fatalf("during the cooldown: rule %q, %v", d.Rule, err)
	}
	if !p.Qualifies(funnel.Nurture, funnel.MQL) || p.Qualifies(funnel.MQL, funnel.Nurture) || p.Qualifies(funnel.MQL, funnel.SQL) {
		t.Errorf("Qualifies disagrees with the qualify stage mql")
	}
	var shadowed []string
	for _, e := range unwrap(handofftest.CheckPolicy(p, handofftest.Options{Stages: []funnel.Stage{}})) {
		var pr *handofftest.Problem
		if errors.As(e, &pr) && strings.Contains(pr.What, "shadowed") {
			shadowed = append(shadowed, pr.Where)
		}
	}
	if want := []string{"rule wait_in_nurture", "rule nurture_in_place"}; strings.Join(shadowed, ",") != strings.Join(want, ",") {
		t.Errorf("shadowed %v, want %v", shadowed, want)
	}
}

func unwrap(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err != nil {
		return []error{err}
	}
	return nil
}

// Roster with a max below 1 draws one-rep rosters instead of panicking.
func TestRosterSmallMax(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		for _, max := range []int{0, -3} {
			if n := len(handofftest.Roster(max).Draw(t, "roster")); n != 1 {
				t.Fatalf("Roster(%d) drew %d reps, want 1", max, n)
			}
		}
	})
}

// TestCheckPolicyGuardedMove: a rule whose move runs a funnel guard does
// not always fire (the guard reads the lead's facts), so it shadows
// nothing; Decide indeed falls through to the next rule when the guard
// refuses.
func TestCheckPolicyGuardedMove(t *testing.T) {
	spec := funnel.DefaultSpec()
	spec.Guards = []funnel.Guard{{Name: "has_owner", Check: func(_ funnel.State, mv funnel.Move) error {
		if mv.Note != "owner assigned" {
			return errors.New("no owner")
		}
		return nil
	}}}
	spec.Moves = append(spec.Moves, funnel.MoveSpec{From: funnel.MQL, To: funnel.SQL, Guards: []string{"has_owner"}})
	m, err := funnel.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	hh := []scoring.Quadrant{scoring.HighFitHighInterest}
	mql := []funnel.Stage{funnel.MQL}
	p, err := handoff.NewPolicy(handoff.PolicyConfig{Model: m, Spec: handoff.PolicySpec{Rules: []handoff.Rule{
		{Name: "hand_off", When: handoff.Condition{Stages: mql, Quadrants: hh}, Then: handoff.Action{Verdict: handoff.VerdictHandOff, To: funnel.SQL}},
		{Name: "wait_for_owner", When: handoff.Condition{Stages: mql, Quadrants: hh}, Then: handoff.Action{Verdict: handoff.VerdictNurture}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range unwrap(handofftest.CheckPolicy(p, handofftest.Options{Stages: []funnel.Stage{}})) {
		t.Errorf("unexpected problem: %v", e)
	}
	s, ok := handofftest.StateAt(m, "l", funnel.MQL, start)
	if !ok {
		t.Fatal("mql unreachable")
	}
	score := handofftest.SampleResult(scoring.HighFitHighInterest, start)
	if d, err := p.Decide(handoff.Input{State: s, Score: &score, Now: start.Add(time.Hour)}); err != nil || d.Rule != "wait_for_owner" {
		t.Errorf("guard refuses: rule %q, %v", d.Rule, err)
	}
}

// recorder is a TB that records the first failure instead of stopping.
type recorder struct{ msg string }

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	if r.msg == "" {
		r.msg = fmt.Sprintf(format, args...)
	}
	panic(r) // stop the checker as Fatalf would
}

func check(p *handoff.Policy, in handoff.Input, d handoff.Decision) (msg string) {
	r := &recorder{}
	defer func() {
		if v := recover(); v != nil && v != any(r) {
			panic(v)
		}
		msg = r.msg
	}()
	handofftest.CheckDecision(r, p, in, d, nil)
	return ""
}

// TestCheckDecisionCatches: CheckDecision accepts the policy's own
// decision and rejects each kind of broken one.
func TestCheckDecisionCatches(t *testing.T) {
	m := funnel.Default()
	p, err := handoff.DefaultPolicy(m)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := handofftest.StateAt(m, "l", funnel.MQL, start)
	score := handofftest.SampleResult(scoring.HighFitHighInterest, start)
	in := handoff.Input{State: s, Score: &score, Now: start.Add(time.Hour)}
	good, err := p.Decide(in)
	if err != nil || good.Rule != "hand_off" {
		t.Fatalf("Decide: %+v, %v", good, err)
	}
	if msg := check(p, in, good); msg != "" {
		t.Fatalf("the policy's own decision fails: %s", msg)
	}
	broken := map[string]func(d handoff.Decision) handoff.Decision{
		"hold with a rule":        func(d handoff.Decision) handoff.Decision { d.Verdict = handoff.VerdictHold; return d },
		"move at another time":    func(d handoff.Decision) handoff.Decision { d.Move.At = d.Move.At.Add(time.Minute); return d },
		"move the funnel forbids": func(d handoff.Decision) handoff.Decision { d.Move.To = funnel.Subscriber; return d },
		"explanation without the rule": func(d handoff.Decision) handoff.Decision {
			d.Explanation = "because"
			return d
		},
		"tier on nurture": func(d handoff.Decision) handoff.Decision { d.Verdict = handoff.VerdictNurture; return d },
		"not what Decide says": func(d handoff.Decision) handoff.Decision {
			d.Rule, d.Explanation = "promote", "rule promote: "+d.Explanation
			return d
		},
	}
	for name, f := range broken {
		if msg := check(p, in, f(good)); msg == "" {
			t.Errorf("%s: not caught", name)
		}
	}
}

// TestCheckPolicyThresholdShadowing: a rule with a looser score bound
// shadows a later one with a tighter bound on the same leads, not the
// other way round.
func TestCheckPolicyThresholdShadowing(t *testing.T) {
	m := funnel.Default()
	lead := []funnel.Stage{funnel.Lead}
	bound := func(v int64) decimal.NullDecimal { return decimal.NewNullDecimal(decimal.NewFromInt(v)) }
	rules := func(first, second handoff.Condition) []handoff.Rule {
		return []handoff.Rule{
			{Name: "first", When: first, Then: handoff.Action{Verdict: handoff.VerdictNurture}},
			{Name: "second", When: second, Then: handoff.Action{Verdict: handoff.VerdictOfferGap}},
		}
	}
	tests := []struct {
		name          string
		first, second handoff.Condition
		shadowed      bool
	}{
		{"min 50 hides min 60", handoff.Condition{Stages: lead, MinInterest: bound(50)}, handoff.Condition{Stages: lead, MinInterest: bound(60)}, true},
		{"min 60 does not hide min 50", handoff.Condition{Stages: lead, MinInterest: bound(60)}, handoff.Condition{Stages: lead, MinInterest: bound(50)}, false},
		{"max 80 hides max 70", handoff.Condition{Stages: lead, MaxFit: bound(80)}, handoff.Condition{Stages: lead, MaxFit: bound(70)}, true},
		{"max 70 does not hide max 80", handoff.Condition{Stages: lead, MaxFit: bound(70)}, handoff.Condition{Stages: lead, MaxFit: bound(80)}, false},
		{"a bound does not hide no bound", handoff.Condition{Stages: lead, MinFit: bound(10)}, handoff.Condition{Stages: lead}, false},
		{"no bound hides a bound", handoff.Condition{Stages: lead}, handoff.Condition{Stages: lead, MaxInterest: bound(10)}, true},
		{"grades A B hide grade A", handoff.Condition{FitGrades: []string{"A", "B"}}, handoff.Condition{FitGrades: []string{"A"}}, true},
		{"grade A does not hide A B", handoff.Condition{InterestGrades: []string{"1"}}, handoff.Condition{InterestGrades: []string{"1", "2"}}, false},
	}
	for _, tt := range tests {
		p, err := handoff.NewPolicy(handoff.PolicyConfig{Model: m, Spec: handoff.PolicySpec{Rules: rules(tt.first, tt.second)}})
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(fmt.Sprint(handofftest.CheckPolicy(p, handofftest.Options{Stages: []funnel.Stage{}})), "rule second: shadowed")
		if got != tt.shadowed {
			t.Errorf("%s: shadowed = %v", tt.name, got)
		}
	}
}

// brokenCal breaks one law of handoff.Calendar at a time. "closed time"
// is closed during [closedFrom, closedTo) and keeps every law but the last:
// an Add that ends exactly where the closed time starts returns its end.
type brokenCal struct{ law string }

var closedFrom, closedTo = time.Date(2026, 3, 2, 9, 2, 0, 0, time.UTC), time.Date(2026, 3, 2, 9, 3, 0, 0, time.UTC)

func (b brokenCal) Add(s time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return s
	}
	switch b.law {
	case "two steps":
		return s.Add(d + time.Hour) // an hour of closed time at every step
	case "closed time":
		if !s.Before(closedFrom) && s.Before(closedTo) {
			s = closedTo
		}
		e := s.Add(d)
		switch {
		case e.Equal(closedFrom):
			return closedTo // the bug: not the earliest such instant
		case s.Before(closedFrom) && e.After(closedFrom):
			return e.Add(closedTo.Sub(closedFrom))
		}
		return e
	}
	return s.Add(d)
}

func (b brokenCal) Between(x, y time.Time) time.Duration {
	if y.Before(x) && b.law != "antisymmetry" {
		return -b.Between(y, x)
	}
	switch b.law {
	case "inverse":
		return y.Sub(x) / 2
	case "antisymmetry":
		return max(y.Sub(x), 0)
	case "two steps":
		return max(y.Sub(x)-time.Hour, 0)
	case "closed time":
		lo, hi := max64(x, closedFrom), min64(y, closedTo)
		if lo.Before(hi) {
			return y.Sub(x) - hi.Sub(lo)
		}
	}
	return y.Sub(x)
}

func max64(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func min64(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// TestCheckCalendarCatches: CheckCalendar passes Continuous and fails a
// calendar that breaks a law.
func TestCheckCalendarCatches(t *testing.T) {
	s1 := time.Date(2026, 3, 2, 9, 0, 30, 0, time.UTC)
	s2 := s1.Add(time.Hour)
	run := func(cal handoff.Calendar) (msg string) {
		r := &recorder{}
		defer func() {
			if v := recover(); v != nil && v != any(r) {
				panic(v)
			}
			msg = r.msg
		}()
		handofftest.CheckCalendar(r, cal, s1, s2, 90*time.Second, 45*time.Second)
		return ""
	}
	if msg := run(brokenCal{}); msg != "" {
		t.Fatalf("a lawful calendar fails: %s", msg)
	}
	if msg := run(handoff.Continuous{}); msg != "" {
		t.Fatalf("Continuous fails: %s", msg)
	}
	for _, law := range []string{"inverse", "antisymmetry", "two steps", "closed time"} {
		if msg := run(brokenCal{law}); msg == "" {
			t.Errorf("%s: not caught", law)
		} else {
			t.Logf("%s: %s", law, msg)
		}
	}
}
