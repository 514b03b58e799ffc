package handoff_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/scoring"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func result(q scoring.Quadrant) *scoring.Result {
	fitHigh := q == scoring.HighFitHighInterest || q == scoring.HighFitLowInterest
	intHigh := q == scoring.HighFitHighInterest || q == scoring.LowFitHighInterest
	r := &scoring.Result{ModelID: "demo", ModelVersion: 1, At: t0, FitHigh: fitHigh, InterestHigh: intHigh, Quadrant: q, Action: q.Action()}
	r.Fit, r.FitGrade = decimal.NewFromInt(20), "C"
	if fitHigh {
		r.Fit, r.FitGrade = decimal.NewFromInt(80), "A"
	}
	r.Interest, r.InterestGrade = decimal.NewFromInt(10), "3"
	if intHigh {
		r.Interest, r.InterestGrade = decimal.NewFromInt(60), "1"
	}
	r.Label = r.FitGrade + r.InterestGrade
	return r
}

// at returns a state in stage st, entered at t0 through legal moves.
func at(t *testing.T, m *funnel.Model, st funnel.Stage) funnel.State {
	t.Helper()
	s := funnel.State{Lead: "lead-1"}
	var err error
	path := map[funnel.Stage][]funnel.Move{
		funnel.Nurture: {{To: funnel.MQL}, {To: funnel.Nurture, Reason: funnel.ReasonBadTiming}},
	}
	moves, ok := path[st]
	if !ok {
		moves = []funnel.Move{{To: st}}
	}
	for i, mv := range moves {
		mv.At = t0.Add(time.Duration(i-len(moves)) * time.Hour)
		if s, _, err = m.Apply(s, mv); err != nil {
			t.Fatalf("setting up %s: %v", st, err)
		}
	}
	return s
}

func TestDefaultPolicyTable(t *testing.T) {
	for _, lc := range []struct {
		name    string
		model   *funnel.Model
		early   funnel.Stage // a stage before MQL
		toSales funnel.Stage
		// reason on the mql → nurture move: the waterfall does not take
		// score_decay there.
		nurtureReason funnel.ReasonCode
	}{
		{"default", funnel.Default(), funnel.Lead, funnel.SQL, funnel.ReasonScoreDecay},
		{"waterfall", funnel.Waterfall(), funnel.Inquiry, funnel.SAL, funnel.ReasonBadTiming},
	} {
		pol, err := handoff.DefaultPolicy(lc.model)
		if err != nil {
			t.Fatal(err)
		}
		demo := &handoff.Activity{Kind: handoff.ActivityDemoRequest, At: t0}
		cooling := handoff.RecycleState{Count: 1, Until: t0.Add(24 * time.Hour)}
		type want struct {
			rule    string
			verdict handoff.Verdict
			to      funnel.Stage // "" for no move
			tier    string
		}
		tests := []struct {
			name     string
			stage    funnel.Stage
			q        scoring.Quadrant // "" for no score
			activity *handoff.Activity
			recycle  handoff.RecycleState
			want     want
		}{
			{"HH early promotes", lc.early, scoring.HighFitHighInterest, nil, handoff.RecycleState{}, want{"promote", handoff.VerdictPromote, funnel.MQL, ""}},
			{"HH mql hands off", funnel.MQL, scoring.HighFitHighInterest, nil, handoff.RecycleState{}, want{"hand_off", handoff.VerdictHandOff, lc.toSales, "standard"}},
			{"HL mql nurtures", funnel.MQL, scoring.HighFitLowInterest, nil, handoff.RecycleState{}, want{"nurture_mql", handoff.VerdictNurture, funnel.Nurture, ""}},
			{"HL early nurtures in place", lc.early, scoring.HighFitLowInterest, nil, handoff.RecycleState{}, want{"nurture", handoff.VerdictNurture, "", ""}},
			{"LH offer gap", lc.early, scoring.LowFitHighInterest, nil, handoff.RecycleState{}, want{"offer_gap", handoff.VerdictOfferGap, "", ""}},
			{"LH mql offer gap", funnel.MQL, scoring.LowFitHighInterest, nil, handoff.RecycleState{}, want{"offer_gap", handoff.VerdictOfferGap, "", ""}},
			{"LL do not contact", lc.early, scoring.LowFitLowInterest, nil, handoff.RecycleState{}, want{"do_not_contact", handoff.VerdictDoNotContact, "", ""}},
			{"demo request fast-tracks", lc.early, scoring.LowFitLowInterest, demo, handoff.RecycleState{}, want{"fast_track", handoff.VerdictFastTrack, lc.toSales, "fast_track"}},
			{"demo request without score", lc.early, "", demo, handoff.RecycleState{}, want{"fast_track", handoff.VerdictFastTrack, lc.toSales, "fast_track"}},
			{"demo request from nurture re-engages", funnel.Nurture, scoring.HighFitLowInterest, demo, cooling, want{"fast_track_nurture", handoff.VerdictFastTrack, funnel.MQL, "fast_track"}},
			{"nurture requalifies", funnel.Nurture, scoring.HighFitHighInterest, nil, handoff.RecycleState{Count: 1, Until: t0}, want{"requalify", handoff.VerdictPromote, funnel.MQL, ""}},
			{"cooldown holds requalify", funnel.Nurture, scoring.HighFitHighInterest, nil, cooling, want{"", handoff.VerdictHold, "", ""}},
			{"no score holds", lc.early, "", nil, handoff.RecycleState{}, want{"", handoff.VerdictHold, "", ""}},
			{"sales stage holds", lc.toSales, scoring.LowFitLowInterest, nil, handoff.RecycleState{}, want{"", handoff.VerdictHold, "", ""}},
		}
		for _, tt := range tests {
			t.Run(lc.name+"/"+tt.name, func(t *testing.T) {
				in := handoff.Input{State: at(t, lc.model, tt.stage), Activity: tt.activity, Recycle: tt.recycle, Now: t0}
				if tt.q != "" {
					in.Score = result(tt.q)
				}
				d, err := pol.Decide(in)
				if err != nil {
					t.Fatal(err)
				}
				got := want{d.Rule, d.Verdict, "", d.Tier}
				if d.HasMove {
					got.to = d.Move.To
				}
				if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
					t.Errorf("decision (-want +got):\n%s\ntrace: %+v", diff, d.Trace)
				}
				if d.Rule == "nurture_mql" && d.Move.Reason != lc.nurtureReason {
					t.Errorf("nurture_mql reason %q, want %q", d.Move.Reason, lc.nurtureReason)
				}
				if d.HasMove {
					// The move is one the funnel accepts, and Decide did not apply it.
					if _, _, err := lc.model.Apply(in.State, d.Move); err != nil {
						t.Errorf("decided move refused by the funnel: %v", err)
					}
				}
				if d.Verdict != handoff.VerdictHold && !strings.Contains(d.Explanation, d.Rule) {
					t.Errorf("explanation does not name the rule: %q", d.Explanation)
				}
				if in.Score != nil && !strings.Contains(d.Explanation, in.Score.Label) {
					t.Errorf("explanation lacks the score's explanation: %q", d.Explanation)
				}
			})
		}
	}
}

func TestPolicySpecErrors(t *testing.T) {
	m := funnel.Default()
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	_, err := handoff.NewPolicy(handoff.PolicyConfig{Model: m, SLA: sla, Spec: handoff.PolicySpec{Rules: []handoff.Rule{
		{Name: "Bad Name", Then: handoff.Action{Verdict: handoff.VerdictPromote}},
		{Name: "x", When: handoff.Condition{Stages: []funnel.Stage{"nowhere"}, Quadrants: []scoring.Quadrant{"middle"},
			MinFit: decimal.NewNullDecimal(decimal.NewFromInt(9)), MaxFit: decimal.NewNullDecimal(decimal.NewFromInt(1))},
			Then: handoff.Action{Verdict: "maybe", To: "mars", Tier: "gold"}},
		{Name: "x", Then: handoff.Action{Verdict: handoff.VerdictHandOff, Tier: "platinum"}},
		{Name: "y", When: handoff.Condition{FitGrades: []string{"A", ""}, InterestGrades: []string{" "}},
			Then: handoff.Action{Verdict: handoff.VerdictNurture, Reason: funnel.ReasonBadTiming}},
	}}})
	if !errors.Is(err, handoff.ErrInvalidSpec) {
		t.Fatalf("err = %v", err)
	}
	var paths []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var se *handoff.SpecError
		if errors.As(e, &se) {
			paths = append(paths, se.Path)
		}
	}
	want := []string{"rules[0].name", "rules[1].when.stages[0]", "rules[1].when.quadrants[0]", "rules[1].when.min_fit",
		"rules[1].then.verdict", "rules[1].then.to", "rules[1].then.tier", "rules[1].then.tier", "rules[2].name", "rules[2].then.tier",
		// An empty grade never matches a band; a reason without a move is
		// never used.
		"rules[3].when.fit_grades[1]", "rules[3].when.interest_grades[0]", "rules[3].then.reason"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s\n%v", diff, err)
	}
	if !errors.Is(err, funnel.ErrUnknownStage) || !errors.Is(err, handoff.ErrUnknownTier) {
		t.Errorf("err should match funnel.ErrUnknownStage and ErrUnknownTier: %v", err)
	}
	if _, err := pol(t).Decide(handoff.Input{}); !errors.Is(err, handoff.ErrInvalidInput) {
		t.Errorf("Decide without Now: %v", err)
	}
}

func pol(t testing.TB) *handoff.Policy {
	p, err := handoff.DefaultPolicy(funnel.Default())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPolicyThresholds(t *testing.T) {
	m := funnel.Default()
	// The example: Lead → MQL when fit ≥ B and interest ≥ 50.
	p, err := handoff.NewPolicy(handoff.PolicyConfig{Model: m, Spec: handoff.PolicySpec{Rules: []handoff.Rule{{
		Name: "promote", Because: "fit B or better and interest 50 or more",
		When: handoff.Condition{Stages: []funnel.Stage{funnel.Lead}, FitGrades: []string{"A", "B"}, MinInterest: decimal.NewNullDecimal(decimal.NewFromInt(50))},
		Then: handoff.Action{Verdict: handoff.VerdictPromote, To: funnel.MQL, Reason: funnel.ReasonScoreThreshold},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	s := at(t, m, funnel.Lead)
	r := result(scoring.HighFitHighInterest)
	r.Interest = decimal.NewFromInt(50)
	if d, _ := p.Decide(handoff.Input{State: s, Score: r, Now: t0}); d.Rule != "promote" || d.Move.To != funnel.MQL {
		t.Errorf("interest 50: %+v", d)
	}
	r.Interest = decimal.RequireFromString("49.99")
	d, _ := p.Decide(handoff.Input{State: s, Score: r, Now: t0})
	if d.Verdict != handoff.VerdictHold || len(d.Trace) != 1 || !strings.Contains(d.Trace[0].Why, "interest 49.99 is below 50") {
		t.Errorf("interest 49.99: %+v", d)
	}
}

func TestPolicyUndeclaredReason(t *testing.T) {
	_, err := handoff.NewPolicy(handoff.PolicyConfig{Model: funnel.Default(), Spec: handoff.PolicySpec{Rules: []handoff.Rule{
		{Name: "p", Then: handoff.Action{Verdict: handoff.VerdictPromote, To: funnel.MQL, Reason: "because_i_said_so"}},
	}}})
	if !errors.Is(err, funnel.ErrUnknownReason) || !cmp.Equal(specPaths(t, err), []string{"rules[0].then.reason"}) {
		t.Errorf("err = %v", err)
	}
}

// TestDefaultPolicyNilModel: a nil model is an error, not a panic.
func TestDefaultPolicyNilModel(t *testing.T) {
	if spec := handoff.DefaultPolicySpec(nil); len(spec.Rules) != 0 {
		t.Errorf("DefaultPolicySpec(nil) has rules: %+v", spec)
	}
	p, err := handoff.DefaultPolicy(nil)
	if p != nil || !cmp.Equal(specPaths(t, err), []string{"model"}) {
		t.Errorf("DefaultPolicy(nil) = %v, %v", p, err)
	}
}
