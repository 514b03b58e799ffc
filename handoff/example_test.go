package handoff_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/scoring"
)

// A lead at MQL scores high on fit and interest: the default policy hands
// it to sales. The decision names the rule and returns the move; the host
// applies it.
func ExamplePolicy_Decide() {
	model := funnel.Default()
	policy, err := handoff.DefaultPolicy(model)
	if err != nil {
		panic(err)
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	state, _, _ := model.Apply(funnel.State{Lead: "lead-42"}, funnel.Move{To: funnel.MQL, At: now.Add(-time.Hour)})
	score := &scoring.Result{
		ModelID: "b2b", ModelVersion: 3, At: now,
		Fit: decimal.NewFromInt(72), Interest: decimal.NewFromInt(64),
		FitGrade: "A", InterestGrade: "1", Label: "A1", FitHigh: true, InterestHigh: true,
		Quadrant: scoring.HighFitHighInterest, Action: scoring.ActionContactNow,
	}

	d, err := policy.Decide(handoff.Input{State: state, Score: score, Now: now})
	if err != nil {
		panic(err)
	}
	fmt.Println("rule:", d.Rule)
	fmt.Println("verdict:", d.Verdict, "tier:", d.Tier)
	fmt.Println("move:", state.Stage, "→", d.Move.To, "by", d.Move.Actor)
	fmt.Println("because:", d.Because)

	state, event, err := model.Apply(state, d.Move) // the host's transaction
	fmt.Println("applied:", state.Stage, event.Version, err)
	// Output:
	// rule: hand_off
	// verdict: hand_off tier: standard
	// move: mql → sql by policy:hand_off
	// because: high fit and high interest: sales contacts now
	// applied: sql 2 <nil>
}

// Sales rejects a lead it cannot work: the reason is one of the closed
// rejection classes, the move carries it to the audit log, and the rep is
// remembered so routing never sends the lead back to them.
func ExampleAcceptance_Reject() {
	model := funnel.Waterfall()
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: model})
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	state, _, _ := model.Apply(funnel.State{Lead: "lead-42"}, funnel.Move{To: funnel.SAL, At: at.Add(-time.Hour)})

	o, err := acc.Reject(state, handoff.RecycleState{}, handoff.Rejection{
		Rep: "ana", Code: funnel.ReasonBadFit, At: at, Note: "200 employees, we sell to 1000+",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(o.Why)
	fmt.Println("class:", o.Reason.Class, "move:", o.Move.To, o.Move.Reason)
	fmt.Println("recycles:", o.Recycle.Count, "rejected by:", o.Recycle.RejectedBy)
	// Output:
	// ana rejected (definitional) the lead: bad_fit; recycled to nurture (recycle 1), cooling down until 2026-04-01T10:00:00Z
	// class: definitional move: nurture bad_fit
	// recycles: 1 rejected by: [ana]
}

// The default SLA on Madrid office hours: an MQL assigned on a Friday
// afternoon must be accepted by Monday midday; on Monday at 11:45 the
// clock is due soon.
func ExampleSLA_Evaluate() {
	cal, err := handoff.NewWeekly(handoff.CalendarSpec{
		Zone: "Europe/Madrid",
		Week: handoff.OfficeHours(handoff.Span{Start: 9 * handoff.Hour, End: 17 * handoff.Hour}),
	})
	if err != nil {
		panic(err)
	}
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	mad := cal.Location()
	ticket := handoff.Ticket{
		ActionAt:   time.Date(2026, 3, 27, 16, 0, 0, 0, mad),
		AssignedAt: time.Date(2026, 3, 27, 16, 30, 0, 0, mad),
	}
	r, err := sla.Evaluate(cal, ticket, time.Date(2026, 3, 30, 11, 45, 0, 0, mad))
	if err != nil {
		panic(err)
	}
	for _, c := range r.Clocks {
		fmt.Printf("%-11s %-8s deadline %s, used %v of %v\n", c.Target, c.Status, c.Deadline.Format("Mon 15:04"), c.Used, c.Within)
	}
	fmt.Println("attempts left:", r.AttemptsLeft)
	// Output:
	// accept      due_soon deadline Mon 12:30, used 3h15m0s of 4h0m0s
	// first_touch pending  deadline Wed 16:00, used 3h45m0s of 24h0m0s
	// attempts left: 6
}

// A deadline in business hours: 72 business hours from the last working
// day of 2026 in Madrid, over New Year and Epiphany.
func ExampleWeekly_Add() {
	cal, err := handoff.NewWeekly(handoff.CalendarSpec{
		Zone:     "Europe/Madrid",
		Week:     handoff.OfficeHours(handoff.Span{Start: 9 * handoff.Hour, End: 14 * handoff.Hour}, handoff.Span{Start: 15 * handoff.Hour, End: 18 * handoff.Hour}),
		Holidays: []handoff.Date{{Year: 2027, Month: time.January, Day: 1}, {Year: 2027, Month: time.January, Day: 6}},
	})
	if err != nil {
		panic(err)
	}
	start := time.Date(2026, 12, 31, 16, 30, 0, 0, cal.Location())
	due := cal.Add(start, 72*time.Hour)
	fmt.Println(due.Format("Mon 2 Jan 2006 15:04 MST"))
	fmt.Println(cal.Between(start, due))
	// Output:
	// Fri 15 Jan 2027 16:30 CET
	// 72h0m0s
}

// Routing: Spanish leads go to the EMEA queue, in turn, skipping the rep
// who is away; the host stores the rotation it gets back.
func ExampleRouter_Assign() {
	router, err := handoff.NewRouter(handoff.RoutingSpec{Rules: []handoff.RouteRule{
		{Name: "emea", Territories: []string{"es", "fr"}, Queue: "emea"},
	}})
	if err != nil {
		panic(err)
	}
	roster := []handoff.Rep{
		{ID: "ana", Queues: []string{"emea"}},
		{ID: "bob", Queues: []string{"emea"}, Away: true},
		{ID: "cruz", Queues: []string{"emea"}, Weight: 2},
		{ID: "dee", Queues: []string{"americas"}},
	}
	var rot handoff.Rotation
	for i := range 4 {
		a, next, err := router.Assign(roster, rot, handoff.Request{Lead: fmt.Sprint("lead-", i), Territory: "es"})
		if err != nil {
			panic(err)
		}
		rot = next
		fmt.Println(a.Lead, "→", a.Rep, "|", a.Why)
	}
	// Output:
	// lead-0 → ana | next in turn in queue emea (rule emea)
	// lead-1 → cruz | next in turn in queue emea (rule emea)
	// lead-2 → cruz | next in turn in queue emea (rule emea)
	// lead-3 → ana | next in turn in queue emea (rule emea)
}
