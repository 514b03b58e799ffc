package main

import (
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/handoff/handofftest"
	"github.com/smarketing/smarketing/scoring"
)

func testHosts(t *testing.T) *hosts {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	h, err := newHosts(loc)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// score is a result in quadrant q with the given interest total.
func score(q scoring.Quadrant, interest string, at time.Time) scoring.Result {
	r := handofftest.SampleResult(q, at)
	r.Interest = decimal.RequireFromString(interest)
	return r
}

// TestPolicyChecks runs handofftest's checker on the company's policy:
// every quadrant handled at every marketing stage, no move the funnel
// forbids, no shadowed rule. The coverage check runs with scores on each
// side of the policy's own interest lines, not only the checker's samples.
func TestPolicyChecks(t *testing.T) {
	h := testHosts(t)
	if err := handofftest.CheckPolicy(h.policy, handofftest.Options{}); err != nil {
		t.Errorf("sample scores: %v", err)
	}
	at := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	for _, low := range []string{"0", "15", "20", "25", "34.9999"} {
		for _, high := range []string{"25", "35", "90"} {
			scores := map[scoring.Quadrant]scoring.Result{}
			for _, q := range handofftest.Quadrants() {
				in := low
				if q == scoring.HighFitHighInterest || q == scoring.LowFitHighInterest {
					in = high
				}
				scores[q] = score(q, in, at)
			}
			if err := handofftest.CheckPolicy(h.policy, handofftest.Options{Scores: scores}); err != nil {
				t.Errorf("low-side interest %s, high-side %s: %v", low, high, err)
			}
		}
	}
	// The edits keep the default's rules and their order.
	var names, want []string
	for _, r := range h.policy.Spec().Rules {
		names = append(names, r.Name)
	}
	for _, r := range handoff.DefaultPolicySpec(h.funnel).Rules {
		want = append(want, r.Name)
	}
	if !slices.Equal(names, want) {
		t.Errorf("rules %v, the default's are %v", names, want)
	}
}

// TestPolicyMakesMQLAStage decides for leads on each side of marketing's
// interest lines: a high-fit lead becomes an MQL at interest 25, below
// the contact-now band (35); an MQL waits there until it is high fit,
// high interest; it goes back to nurture only at interest 15 or below.
func TestPolicyMakesMQLAStage(t *testing.T) {
	h := testHosts(t)
	now := time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)
	const (
		hh = scoring.HighFitHighInterest
		hl = scoring.HighFitLowInterest
		lh = scoring.LowFitHighInterest
	)
	for _, tt := range []struct {
		stage    funnel.Stage
		q        scoring.Quadrant
		interest string
		rule     string
		to       funnel.Stage // "" for no move
	}{
		{funnel.Lead, hl, "24.9999", "nurture", ""},
		{funnel.Lead, hl, "25", "promote", funnel.MQL},
		{funnel.Subscriber, hl, "30", "promote", funnel.MQL},
		{funnel.Lead, hh, "40", "promote", funnel.MQL},
		{funnel.Lead, lh, "40", "offer_gap", ""},
		{funnel.MQL, hl, "34.9999", "nurture", ""},
		{funnel.MQL, hl, "25", "nurture", ""},
		{funnel.MQL, hl, "15.0001", "nurture", ""},
		{funnel.MQL, hl, "15", "nurture_mql", funnel.Nurture},
		{funnel.MQL, hl, "0", "nurture_mql", funnel.Nurture},
		{funnel.MQL, hh, "35", "hand_off", funnel.SQL},
		{funnel.Nurture, hl, "24.9999", "nurture", ""},
		{funnel.Nurture, hl, "25", "requalify", funnel.MQL},
		{funnel.Nurture, hh, "60", "requalify", funnel.MQL},
	} {
		st, ok := handofftest.StateAt(h.funnel, "c-1", tt.stage, now.Add(-time.Hour))
		if !ok {
			t.Fatalf("cannot reach %s", tt.stage)
		}
		r := score(tt.q, tt.interest, now)
		d, err := h.policy.Decide(handoff.Input{State: st, Score: &r, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		var to funnel.Stage
		if d.HasMove {
			to = d.Move.To
		}
		if d.Rule != tt.rule || to != tt.to {
			t.Errorf("%s, %s, interest %s: rule %q to %q, want %q to %q\n%s", tt.stage, tt.q, tt.interest, d.Rule, to, tt.rule, tt.to, d.Explanation)
		}
	}
}
