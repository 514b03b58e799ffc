package handofftest_test

import (
	"fmt"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/handoff/handofftest"
	"github.com/smarketing/smarketing/scoring"
)

// A host's policy that forgets two quadrants and hides a rule behind a
// broader one: the checker says so, rule by rule.
func ExampleCheckPolicy() {
	m := funnel.Default()
	hot := []scoring.Quadrant{scoring.HighFitHighInterest}
	p, err := handoff.NewPolicy(handoff.PolicyConfig{Model: m, Spec: handoff.PolicySpec{Rules: []handoff.Rule{
		{Name: "hot", When: handoff.Condition{Quadrants: hot}, Then: handoff.Action{Verdict: handoff.VerdictHandOff}},
		{Name: "hot_mql", When: handoff.Condition{Stages: []funnel.Stage{funnel.MQL}, Quadrants: hot},
			Then: handoff.Action{Verdict: handoff.VerdictHandOff, To: funnel.SQL}},
		{Name: "cold", When: handoff.Condition{Quadrants: []scoring.Quadrant{scoring.LowFitLowInterest}},
			Then: handoff.Action{Verdict: handoff.VerdictDoNotContact}},
	}}})
	if err != nil {
		panic(err)
	}
	err = handofftest.CheckPolicy(p, handofftest.Options{Stages: []funnel.Stage{funnel.MQL}})
	fmt.Println(err)
	// Output:
	// handofftest: stage mql × high_fit_low_interest: no rule handles it
	// handofftest: stage mql × low_fit_high_interest: no rule handles it
	// handofftest: rule hot_mql: shadowed by rule hot, which matches every lead it matches and always fires
}
