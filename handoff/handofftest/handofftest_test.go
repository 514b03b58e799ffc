package handofftest_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

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
