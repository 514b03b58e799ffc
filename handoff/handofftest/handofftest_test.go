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
