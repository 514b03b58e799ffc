package handoff

import (
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
// customise. Let Q be the qualify stage ([funnel.MQL]), S the first
// forward stage owned by sales ([funnel.SQL] in the default lifecycle,
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
// Leads owned by sales are left alone (Hold): sales moves them.
func DefaultPolicySpec(m *funnel.Model) PolicySpec {
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
	demo := []string{ActivityDemoRequest, ActivityContactSales}
	quad := func(qs ...scoring.Quadrant) []scoring.Quadrant { return qs }
	rules := []Rule{
		{Name: "fast_track", Because: "an explicit request to talk to sales goes straight to sales",
			When: Condition{Stages: forwardMarketing, Activities: demo},
			Then: Action{Verdict: FastTrack, To: toSales, Tier: "fast_track", OverrideCooldown: true}},
	}
	if hasNurture {
		rules = append(rules, Rule{Name: "fast_track_nurture", Because: "a nurtured lead asked to talk to sales: it re-engages and goes to sales next",
			When: Condition{Stages: []funnel.Stage{funnel.Nurture}, Activities: demo},
			Then: Action{Verdict: FastTrack, To: q, Reason: funnel.ReasonReEngaged, Tier: "fast_track", OverrideCooldown: true}})
	}
	rules = append(rules,
		Rule{Name: "hand_off", Because: "high fit and high interest: sales contacts now",
			When: Condition{Stages: []funnel.Stage{q}, Quadrants: quad(scoring.HighFitHighInterest)},
			Then: Action{Verdict: HandOff, To: toSales, Tier: "standard"}},
	)
	if len(before) > 0 {
		rules = append(rules, Rule{Name: "promote", Because: "high fit and high interest: marketing qualifies the lead",
			When: Condition{Stages: before, Quadrants: quad(scoring.HighFitHighInterest)},
			Then: Action{Verdict: Promote, To: q, Reason: funnel.ReasonScoreThreshold}})
	}
	if hasNurture {
		rules = append(rules, Rule{Name: "requalify", Because: "a nurtured lead is again high fit and high interest",
			When: Condition{Stages: []funnel.Stage{funnel.Nurture}, Quadrants: quad(scoring.HighFitHighInterest)},
			Then: Action{Verdict: Promote, To: q, Reason: funnel.ReasonScoreThreshold}})
		rules = append(rules, Rule{Name: "nurture_mql", Because: "high fit but interest fell: marketing nurtures",
			When: Condition{Stages: []funnel.Stage{q}, Quadrants: quad(scoring.HighFitLowInterest)},
			Then: Action{Verdict: Nurture, To: funnel.Nurture, Reason: funnel.ReasonScoreDecay}})
	}
	rules = append(rules, Rule{Name: "nurture", Because: "high fit, low interest: marketing builds interest",
		When: Condition{Stages: marketing, Quadrants: quad(scoring.HighFitLowInterest)},
		Then: Action{Verdict: Nurture}})
	rules = append(rules,
		Rule{Name: "offer_gap", Because: "low fit, high interest: the offer has a gap; tell product, do not contact",
			When: Condition{Stages: marketing, Quadrants: quad(scoring.LowFitHighInterest)},
			Then: Action{Verdict: OfferGap}},
		Rule{Name: "do_not_contact", Because: "low fit, low interest: do not contact",
			When: Condition{Stages: marketing, Quadrants: quad(scoring.LowFitLowInterest)},
			Then: Action{Verdict: DoNotContact}},
	)
	return PolicySpec{ID: "smarketing_default", Rules: rules}
}

// DefaultPolicy compiles [DefaultPolicySpec] for m, checked against
// [DefaultSLASpec]'s tiers.
func DefaultPolicy(m *funnel.Model) (*Policy, error) {
	sla, err := NewSLA(DefaultSLASpec())
	if err != nil {
		return nil, err
	}
	return NewPolicy(PolicyConfig{Model: m, Spec: DefaultPolicySpec(m), SLA: sla})
}
