package main

import (
	"fmt"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/scoring"
)

// scoringSpec is the CRM's scoring model, kept as JSON next to its data.
const scoringSpec = `{
  "format": 1, "id": "crm", "version": 1,
  "fit": {
    "rules": [
      {"name": "mid_market", "points": "40", "when": {"field": "employees", "op": "range", "min": "50", "max": "1000"}},
      {"name": "target_industry", "points": "30", "when": {"field": "industry", "op": "one_of", "values": ["software", "fintech"]}},
      {"name": "decision_maker", "points": "30", "when": {"field": "seniority", "op": "one_of", "values": ["director", "vp", "c_level"]}}
    ],
    "min": "0", "max": "100", "high": {"enter": "60"}
  },
  "interest": {
    "rules": [
      {"name": "page_views", "points": "5", "cap": "30", "activity": "page_view", "within": "30d"},
      {"name": "pricing_page", "points": "15", "cap": "45", "activity": "pricing_page", "decay": {"kind": "half_life", "half_life": "14d"}},
      {"name": "webinar", "points": "20", "cap": "40", "activity": "webinar", "decay": {"kind": "half_life", "half_life": "30d"}}
    ],
    "min": "0", "max": "100", "high": {"enter": "50"}
  }
}`

// NewLibrary builds the CRM's models: the default lifecycle, the scoring
// model, the default policy, SLA and reason catalog, a 09:00-18:00 office
// calendar in loc and a roster of four reps.
func NewLibrary(loc *time.Location) (*Library, error) {
	fm := funnel.Default()
	spec, err := scoring.ParseSpec([]byte(scoringSpec))
	if err != nil {
		return nil, err
	}
	sm, err := scoring.New(spec, scoring.LeadSource())
	if err != nil {
		return nil, fmt.Errorf("scoring: %w", err)
	}
	pol, err := handoff.DefaultPolicy(fm)
	if err != nil {
		return nil, err
	}
	sla, err := handoff.NewSLA(handoff.DefaultSLASpec())
	if err != nil {
		return nil, err
	}
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: fm, SLA: sla, Recycle: handoff.RecycleSpec{Cooldown: -1}})
	if err != nil {
		return nil, err
	}
	cal, err := handoff.NewWeekly(handoff.CalendarSpec{Location: loc,
		Week: handoff.OfficeHours(handoff.Span{Start: 9 * handoff.Hour, End: 18 * handoff.Hour})})
	if err != nil {
		return nil, err
	}
	router, err := handoff.NewRouter(handoff.RoutingSpec{})
	if err != nil {
		return nil, err
	}
	return &Library{Funnel: fm, Scoring: sm, Policy: pol, Acceptance: acc, SLA: sla, Calendar: cal, Router: router,
		Roster: []handoff.Rep{{ID: "ana"}, {ID: "bruno"}, {ID: "claire"}, {ID: "dieter"}}}, nil
}
