package handoff_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
)

// TestGoSpecsRefuseNonUTF8: the JSON parsers refuse non-UTF-8 input, but a
// spec built in Go with bad bytes in a free-text field was accepted, and
// its JSON (Spec, then json.Marshal) read back with U+FFFD in their place:
// a different spec. Every constructor now refuses such a field at its path.
// A rep ID that is not UTF-8 is invalid input to Assign: the rotation the
// host stores as JSON keeps turns by rep ID, and that rep's turn would be
// lost.
func TestGoSpecsRefuseNonUTF8(t *testing.T) {
	const bad = "caf\xe9"
	week := handoff.OfficeHours(handoff.Span{Start: 9 * handoff.Hour, End: 17 * handoff.Hour})
	_, err := handoff.NewWeekly(handoff.CalendarSpec{ID: bad, Week: week})
	if diff := cmp.Diff([]string{"id"}, specPaths(t, err)); diff != "" {
		t.Errorf("calendar (-want +got):\n%s", diff)
	}

	sla := handoff.DefaultSLASpec()
	sla.ID, sla.Tiers[1].Label = bad, bad
	_, err = handoff.NewSLA(sla)
	if diff := cmp.Diff([]string{"id", "tiers[1].label"}, specPaths(t, err)); diff != "" {
		t.Errorf("sla (-want +got):\n%s", diff)
	}

	_, err = handoff.NewRouter(handoff.RoutingSpec{ID: bad, Fallback: bad, Rules: []handoff.RouteRule{
		{Name: "r", Territories: []string{"es", bad}, Segments: []string{bad}, Queue: bad},
	}})
	if diff := cmp.Diff([]string{"id", "fallback", "rules[0].territories[1]", "rules[0].segments[0]", "rules[0].queue"}, specPaths(t, err)); diff != "" {
		t.Errorf("routing (-want +got):\n%s", diff)
	}

	reasons := handoff.DefaultReasons()
	reasons[2].Label = bad
	_, err = handoff.NewAcceptance(handoff.AcceptanceConfig{Model: funnel.Default(), Reasons: reasons})
	if diff := cmp.Diff([]string{"reasons[2].label"}, specPaths(t, err)); diff != "" {
		t.Errorf("acceptance (-want +got):\n%s", diff)
	}

	pspec := handoff.DefaultPolicySpec(funnel.Default())
	pspec.ID = bad
	pspec.Rules[0].Because = bad
	pspec.Rules[0].When.Activities = []string{bad}
	pspec.Rules[0].When.FitGrades = []string{bad}
	_, err = handoff.NewPolicy(handoff.PolicyConfig{Model: funnel.Default(), Spec: pspec})
	if diff := cmp.Diff([]string{"id", "rules[0].because", "rules[0].when.activities[0]", "rules[0].when.fit_grades[0]"}, specPaths(t, err)); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}

	router, _ := handoff.NewRouter(handoff.RoutingSpec{})
	if _, _, err := router.Assign([]handoff.Rep{{ID: "ana"}, {ID: bad}}, handoff.Rotation{}, handoff.Request{Lead: "l"}); !errors.Is(err, handoff.ErrInvalidInput) {
		t.Errorf("non-UTF-8 rep ID: %v, want ErrInvalidInput", err)
	}
}
