package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/report"
	"github.com/smarketing/smarketing/scoring"
)

// The activity types the simulated company tracks.
const (
	actPageView        = "page_view"
	actPricingPage     = "pricing_page"
	actEmailClick      = "email_click"
	actContentDownload = "content_download"
	actWebinar         = "webinar"
	actDemoRequest     = handoff.ActivityDemoRequest
	actContactSales    = handoff.ActivityContactSales
	actUnsubscribe     = "unsubscribe"
)

// scoringSpecJSON is the scoring model marketing and sales agreed on, as a
// host would keep it in its configuration: fit from the profile fields,
// interest from activities with windows and decay.
const scoringSpecJSON = `{
  "format": 1,
  "id": "acme_b2b",
  "version": 3,
  "fit": {
    "rules": [
      {"name": "mid_market", "points": "30", "when": {"field": "employees", "op": "range", "min": "50", "max": "1000"}},
      {"name": "enterprise", "points": "20", "when": {"field": "employees", "op": "range", "min": "1000"}},
      {"name": "small_business", "points": "10", "when": {"field": "employees", "op": "range", "min": "10", "max": "50"}},
      {"name": "target_industry", "points": "25", "when": {"field": "industry", "op": "one_of", "values": ["software", "fintech", "ecommerce"]}},
      {"name": "served_market", "points": "15", "when": {"field": "country", "op": "one_of", "values": ["ES", "PT", "FR", "DE", "IT", "GB"]}},
      {"name": "decision_maker", "points": "20", "when": {"field": "seniority", "op": "one_of", "values": ["director", "vp", "c_level"]}},
      {"name": "manager", "points": "10", "when": {"field": "seniority", "op": "equals", "value": "manager"}},
      {"name": "free_email", "points": "-15", "when": {"field": "email_domain", "op": "one_of", "values": ["gmail.com", "hotmail.com", "yahoo.com"], "ignore_case": true}},
      {"name": "student", "points": "-40", "when": {"field": "role", "op": "equals", "value": "student"}}
    ],
    "min": "0",
    "max": "100",
    "high": {"enter": "55", "leave": "45"}
  },
  "interest": {
    "rules": [
      {"name": "page_views", "points": "1", "cap": "15", "activity": "page_view", "within": "30d", "decay": {"kind": "half_life", "half_life": "14d"}},
      {"name": "pricing_page", "points": "8", "cap": "24", "activity": "pricing_page", "decay": {"kind": "half_life", "half_life": "14d"}},
      {"name": "email_clicks", "points": "3", "cap": "15", "activity": "email_click", "decay": {"kind": "percent", "percent": "50", "every": "30d"}},
      {"name": "content", "points": "10", "cap": "30", "group": "content", "activity": "content_download", "decay": {"kind": "half_life", "half_life": "30d"}},
      {"name": "webinar", "points": "15", "cap": "30", "group": "content", "activity": "webinar", "decay": {"kind": "half_life", "half_life": "30d"}},
      {"name": "demo_request", "points": "40", "activity": "demo_request", "within": "30d"},
      {"name": "contact_sales", "points": "40", "activity": "contact_sales", "within": "30d"},
      {"name": "unsubscribed", "points": "-30", "activity": "unsubscribe"}
    ],
    "groups": [{"name": "content", "min": null, "max": "45"}],
    "min": "0",
    "max": "100",
    "high": {"enter": "35", "leave": "25"}
  }
}`

// hosts is everything the simulated company builds once at start-up and
// shares: the lifecycle, the scoring model, the handoff policy, sales'
// acceptance rules, the SLA, the business calendar and the router.
type hosts struct {
	funnel     *funnel.Model
	scoring    *scoring.Model[scoring.Lead]
	policy     *handoff.Policy
	acceptance *handoff.Acceptance
	sla        *handoff.SLA
	calendar   *handoff.Weekly
	router     *handoff.Router
	roster     []handoff.Rep
}

func newHosts(loc *time.Location) (*hosts, error) {
	h := &hosts{funnel: funnel.Default()}
	spec, err := scoring.ParseSpec([]byte(scoringSpecJSON))
	if err != nil {
		return nil, fmt.Errorf("scoring spec: %w", err)
	}
	if h.scoring, err = scoring.New(spec, scoring.LeadSource()); err != nil {
		return nil, fmt.Errorf("scoring model: %w", err)
	}
	if h.sla, err = handoff.NewSLA(handoff.DefaultSLASpec()); err != nil {
		return nil, fmt.Errorf("SLA: %w", err)
	}
	pspec, err := policySpec(h.funnel)
	if err != nil {
		return nil, fmt.Errorf("handoff policy: %w", err)
	}
	if h.policy, err = handoff.NewPolicy(handoff.PolicyConfig{Model: h.funnel, Spec: pspec, SLA: h.sla}); err != nil {
		return nil, fmt.Errorf("handoff policy: %w", err)
	}
	h.acceptance, err = handoff.NewAcceptance(handoff.AcceptanceConfig{
		Model: h.funnel,
		// A recycled lead rests three weeks before marketing may qualify it again.
		Recycle: handoff.RecycleSpec{Cooldown: scoring.Days(21), MaxRecycles: 2},
		SLA:     h.sla,
	})
	if err != nil {
		return nil, fmt.Errorf("acceptance: %w", err)
	}
	h.calendar, err = handoff.NewWeekly(handoff.CalendarSpec{
		ID:       "madrid_office",
		Location: loc,
		Week:     handoff.OfficeHours(handoff.Span{Start: 9 * handoff.Hour, End: 18 * handoff.Hour}),
		Holidays: []handoff.Date{
			{Year: 2026, Month: time.January, Day: 1},
			{Year: 2026, Month: time.January, Day: 6},
			{Year: 2026, Month: time.March, Day: 19},
			{Year: 2026, Month: time.April, Day: 2},
			{Year: 2026, Month: time.April, Day: 3},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	h.router, err = handoff.NewRouter(handoff.RoutingSpec{
		ID:       "territories",
		Rules:    []handoff.RouteRule{{Name: "iberia", Territories: []string{"ES", "PT"}, Queue: "iberia"}},
		Fallback: "europe",
	})
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	h.roster = []handoff.Rep{
		{ID: "ana", Queues: []string{"iberia"}, Weight: 2},
		{ID: "bruno", Queues: []string{"iberia"}},
		{ID: "claire", Queues: []string{"europe"}},
		{ID: "dieter", Queues: []string{"europe"}},
		{ID: "emma", Queues: []string{"europe", "iberia"}},
	}
	return h, nil
}

// Marketing's own qualification lines on the interest axis, below the
// scoring model's contact-now band (interest "high": enter 35, leave 25).
const (
	// promoteInterest: a high-fit lead whose interest reaches it becomes an
	// MQL, and a nurtured one requalifies. It is the bottom of the model's
	// interest grade 3 (the default bands: 1 ≥ 75, 2 ≥ 50, 3 ≥ 25).
	promoteInterest = 25
	// nurtureInterest: an MQL whose interest decays to it or below goes
	// back to nurture. It sits below promoteInterest (hysteresis, like the
	// model's own high band), so an MQL that dips a little is not bounced
	// back and promoted again with its next page view.
	nurtureInterest = 15
)

// policySpec is the company's handoff policy: the method's default
// (handoff.DefaultPolicySpec), edited as data so that marketing qualifies
// earlier than sales contacts. The default promotes and hands off on the
// same condition (high fit, high interest), so a lead would pass through
// MQL in no time; here
//
//   - promote (lead → MQL) and requalify (nurture → MQL) fire on high fit
//     with interest ≥ promoteInterest, below the contact-now band;
//   - hand_off (MQL → SQL) is unchanged: sales contacts an MQL once it is
//     high fit, high interest (or at once on a demo request, fast_track);
//   - nurture_mql (MQL → nurture) fires only when interest fell to
//     nurtureInterest or below; an MQL between the two lines waits in MQL
//     (the nurture rule keeps it in place).
//
// Every other rule, and the order, is the default's. The tests run
// handofftest.CheckPolicy on it (every quadrant handled, no shadowed rule).
func policySpec(m *funnel.Model) (handoff.PolicySpec, error) {
	spec := handoff.DefaultPolicySpec(m)
	spec.ID = "acme_policy"
	highFit := []scoring.Quadrant{scoring.HighFitHighInterest, scoring.HighFitLowInterest}
	edits := []struct {
		rule string
		edit func(*handoff.Rule)
	}{
		{"promote", func(r *handoff.Rule) {
			r.When.Quadrants = highFit
			r.When.MinInterest = decimal.NewNullDecimal(decimal.NewFromInt(promoteInterest))
			r.Because = fmt.Sprintf("high fit and interest at least %d: marketing qualifies the lead; sales contacts it once interest reaches the contact-now band", promoteInterest)
		}},
		{"requalify", func(r *handoff.Rule) {
			r.When.Quadrants = highFit
			r.When.MinInterest = decimal.NewNullDecimal(decimal.NewFromInt(promoteInterest))
			r.Because = fmt.Sprintf("a nurtured lead is again high fit with interest at least %d", promoteInterest)
		}},
		{"nurture_mql", func(r *handoff.Rule) {
			r.When.MaxInterest = decimal.NewNullDecimal(decimal.NewFromInt(nurtureInterest))
			r.Because = fmt.Sprintf("high fit but interest fell to %d or below: marketing nurtures", nurtureInterest)
		}},
	}
	for _, e := range edits {
		i := slices.IndexFunc(spec.Rules, func(r handoff.Rule) bool { return r.Name == e.rule })
		if i < 0 {
			return handoff.PolicySpec{}, fmt.Errorf("the default policy has no rule %q to edit", e.rule)
		}
		e.edit(&spec.Rules[i])
	}
	return spec, nil
}

// reportConfig is how the company cuts its report: monthly periods in its
// own time zone, the source of each contact as a dimension, and the goals
// of the quarter (step 1 of the method) scaled to the size of the database.
func reportConfig(m *funnel.Model, loc *time.Location, asOf time.Time, contacts int) report.Config {
	mqlGoal := int64(contacts) / 15 // marketing aims at one MQL a month for every 15 contacts (about 7 %)
	if mqlGoal < 1 {
		mqlGoal = 1
	}
	ratio := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	return report.Config{
		Path:       m.Path(),
		Detours:    []funnel.Stage{funnel.Nurture, funnel.Disqualified, funnel.Lost},
		Location:   loc,
		Period:     report.Month,
		AsOf:       asOf,
		Window:     90 * 24 * time.Hour,
		Pairs:      []report.Pair{{From: funnel.MQL, To: funnel.Customer}},
		Dimensions: []string{"source"},
		Goals: []report.Goal{
			{Metric: "first_entries:mql", Label: "MQLs this month", Target: decimal.NewFromInt(mqlGoal)},
			// The method's headline rate: of this month's new MQLs, the share
			// sales took (SQL or later) within the window. The current
			// month's cohort is young, so it reads lower than it will end.
			{Metric: "cohort:mql:sql", Label: "MQL → SQL (cohort)", Target: ratio("0.3")},
			{Metric: "flow:sql:opportunity", Label: "SQL → opportunity (flow)", Target: ratio("0.4")},
			{Metric: "acceptance_rate", Label: "sales acceptance", Target: ratio("0.9")},
			{Metric: "sla_compliance", Label: "first touch within SLA", Target: ratio("0.9")},
			{Metric: "response_minutes_median", Label: "median response (min)", Target: ratio("60"), AtMost: true},
			{Metric: "win_rate", Label: "win rate", Target: ratio("0.3")},
			{Metric: "won_revenue", Label: "won revenue", Target: decimal.NewFromInt(int64(contacts) * 100)},
			{Metric: "marketing_sourced_share", Label: "marketing-sourced revenue", Target: ratio("0.5")},
			{Metric: "lead_velocity_rate", Label: "lead velocity rate", Target: ratio("0.1")},
		},
	}
}
