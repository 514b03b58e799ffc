package handoff

import (
	"slices"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/scoring"
)

// Activity kinds the default policy fast-tracks: explicit requests to talk
// to sales.
const (
	ActivityDemoRequest  = "demo_request"
	ActivityContactSales = "contact_sales"
)

// DefaultPolicySpec returns the policy the method describes, for model m
// (the default lifecycle, the waterfall, or a custom one), a fresh copy to
// customise. Let Q be the qualify stage ([funnel.MQL], or the first
// forward stage when m has no MQL), S the first forward stage after Q
// owned by sales ([funnel.SQL] in the default lifecycle,
// [funnel.SAL] in the waterfall), and "marketing stages" the forward stages
// before Q, Q itself and [funnel.Nurture]. In order:
//
//  1. fast_track: a demo or contact-sales request at a marketing forward
//     stage goes straight to S on the fast_track SLA tier, cooldown or not;
//  2. fast_track_nurture: the same request from nurture returns the lead to
//     Q (re_engaged) on the fast_track tier; decide again to hand it off;
//  3. hand_off: high fit, high interest at Q: sales contacts now, to S on
//     the standard tier;
//  4. promote: high fit, high interest before Q: to Q (score_threshold);
//  5. requalify: high fit, high interest in nurture: back to Q
//     (score_threshold), not during the cooldown;
//  6. nurture_mql: high fit, low interest at Q: marketing nurtures, to
//     nurture (score_decay), where the lifecycle allows that move;
//  7. nurture: high fit, low interest at a marketing stage: nurture in
//     place;
//  8. offer_gap: low fit, high interest at a marketing stage: flag for
//     product, do not contact;
//  9. do_not_contact: low fit, low interest at a marketing stage.
//
// Leads owned by sales are left alone (Hold): sales moves them. Each move
// that names reasons carries the first of them that the model accepts on
// that edge (nurture_mql falls back to bad_timing, which the waterfall
// takes), and the rules into or out of nurture (fast_track_nurture,
// requalify, nurture_mql) are left out when the model lacks their edge or
// has no Nurture stage, so the spec passes handofftest.CheckPolicy for the
// presets; the other rules are always present (promote when some forward
// stage comes before Q). A nil m gives a spec with no rules, which
// [NewPolicy] rejects.
func DefaultPolicySpec(m *funnel.Model) PolicySpec {
	if m == nil {
		return PolicySpec{ID: "smarketing_default"}
	}
	q := funnel.MQL
	if _, ok := m.Rank(q); !ok {
		q = m.Path()[0]
	}
	qr, _ := m.Rank(q)
	var before, marketing []funnel.Stage
	var toSales funnel.Stage
	for _, s := range m.Path() {
		r, _ := m.Rank(s)
		st, _ := m.Stage(s)
		if r < qr {
			before = append(before, s)
		}
		if r > qr && st.Team == funnel.Sales && toSales == "" {
			toSales = s
		}
	}
	if toSales == "" {
		toSales = q
	}
	marketing = append(append(marketing, before...), q)
	forwardMarketing := append([]funnel.Stage(nil), marketing...)
	_, hasNurture := m.Stage(funnel.Nurture)
	if hasNurture {
		marketing = append(marketing, funnel.Nurture)
	}
	// reason picks the first code that the edge from → to accepts, so the
	// rules fit the model's edges; ok is false when the edge is missing.
	reason := func(from, to funnel.Stage, prefs ...funnel.ReasonCode) (funnel.ReasonCode, bool) {
		for _, e := range m.EdgesFrom(from) {
			if e.To != to {
				continue
			}
			declared := m.Reasons()
			for _, r := range prefs {
				accepted := slices.Contains(e.Reasons, r) ||
					len(e.Reasons) == 0 && slices.ContainsFunc(declared, func(d funnel.ReasonSpec) bool { return d.Code == r })
				if accepted {
					return r, true
				}
			}
			return "", !e.ReasonRequired
		}
		return "", false
	}
	demo := []string{ActivityDemoRequest, ActivityContactSales}
	quad := func(qs ...scoring.Quadrant) []scoring.Quadrant { return qs }
	rules := []Rule{
		{Name: "fast_track", Because: "an explicit request to talk to sales goes straight to sales",
			When: Condition{Stages: forwardMarketing, Activities: demo},
			Then: Action{Verdict: VerdictFastTrack, To: toSales, Tier: "fast_track", OverrideCooldown: true}},
	}
	if r, ok := reason(funnel.Nurture, q, funnel.ReasonReEngaged, funnel.ReasonScoreThreshold); hasNurture && ok {
		rules = append(rules, Rule{Name: "fast_track_nurture", Because: "a nurtured lead asked to talk to sales: it re-engages and goes to sales next",
			When: Condition{Stages: []funnel.Stage{funnel.Nurture}, Activities: demo},
			Then: Action{Verdict: VerdictFastTrack, To: q, Reason: r, Tier: "fast_track", OverrideCooldown: true}})
	}
	rules = append(rules,
		Rule{Name: "hand_off", Because: "high fit and high interest: sales contacts now",
			When: Condition{Stages: []funnel.Stage{q}, Quadrants: quad(scoring.HighFitHighInterest)},
			Then: Action{Verdict: VerdictHandOff, To: toSales, Tier: "standard"}},
	)
	if len(before) > 0 {
		r, _ := reason(before[len(before)-1], q, funnel.ReasonScoreThreshold)
		rules = append(rules, Rule{Name: "promote", Because: "high fit and high interest: marketing qualifies the lead",
			When: Condition{Stages: before, Quadrants: quad(scoring.HighFitHighInterest)},
			Then: Action{Verdict: VerdictPromote, To: q, Reason: r}})
	}
	if r, ok := reason(funnel.Nurture, q, funnel.ReasonScoreThreshold, funnel.ReasonReEngaged); hasNurture && ok {
		rules = append(rules, Rule{Name: "requalify", Because: "a nurtured lead is again high fit and high interest",
			When: Condition{Stages: []funnel.Stage{funnel.Nurture}, Quadrants: quad(scoring.HighFitHighInterest)},
			Then: Action{Verdict: VerdictPromote, To: q, Reason: r}})
	}
	if r, ok := reason(q, funnel.Nurture, funnel.ReasonScoreDecay, funnel.ReasonBadTiming); hasNurture && ok {
		rules = append(rules, Rule{Name: "nurture_mql", Because: "high fit but interest fell: marketing nurtures",
			When: Condition{Stages: []funnel.Stage{q}, Quadrants: quad(scoring.HighFitLowInterest)},
			Then: Action{Verdict: VerdictNurture, To: funnel.Nurture, Reason: r}})
	}
	rules = append(rules, Rule{Name: "nurture", Because: "high fit, low interest: marketing builds interest",
		When: Condition{Stages: marketing, Quadrants: quad(scoring.HighFitLowInterest)},
		Then: Action{Verdict: VerdictNurture}})
	rules = append(rules,
		Rule{Name: "offer_gap", Because: "low fit, high interest: the offer has a gap; tell product, do not contact",
			When: Condition{Stages: marketing, Quadrants: quad(scoring.LowFitHighInterest)},
			Then: Action{Verdict: VerdictOfferGap}},
		Rule{Name: "do_not_contact", Because: "low fit, low interest: do not contact",
			When: Condition{Stages: marketing, Quadrants: quad(scoring.LowFitLowInterest)},
			Then: Action{Verdict: VerdictDoNotContact}},
	)
	return PolicySpec{ID: "smarketing_default", Rules: rules}
}

// DefaultPolicy compiles [DefaultPolicySpec] for m, checked against
// [DefaultSLASpec]'s tiers. A nil m is an error matching [ErrInvalidSpec],
// as for [NewPolicy].
func DefaultPolicy(m *funnel.Model) (*Policy, error) {
	if m == nil {
		return NewPolicy(PolicyConfig{})
	}
	sla, err := NewSLA(DefaultSLASpec())
	if err != nil {
		return nil, err
	}
	return NewPolicy(PolicyConfig{Model: m, Spec: DefaultPolicySpec(m), SLA: sla})
}
