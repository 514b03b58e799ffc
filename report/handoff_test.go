package report_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/report"
	"github.com/smarketing/smarketing/scoring"
)

// handedOff returns the default funnel, an Acceptance on it and a lead
// sales holds in SQL.
func handedOff(t testing.TB) (*handoff.Acceptance, funnel.State, time.Time) {
	t.Helper()
	m := funnel.Default()
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s, _, err := m.Apply(funnel.State{Lead: "lead-42"}, funnel.Move{To: funnel.SQL, At: at.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return acc, s, at
}

// Sales' three answers, read into report's records: a procedural return
// is a rejection; a disqualification after contact and an acceptance are
// both accepted, as the method counts them.
func ExampleDecision_WithOutcome() {
	m := funnel.Default()
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m})
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	lead, _, _ := m.Apply(funnel.State{Lead: "lead-42"}, funnel.Move{To: funnel.SQL, At: at.Add(-time.Hour)})

	rejected, _ := acc.Reject(lead, handoff.RecycleState{}, handoff.Rejection{Rep: "ana", Code: funnel.ReasonWrongTerritory, At: at})
	disqualified, _ := acc.Disqualify(lead, handoff.RecycleState{}, handoff.Rejection{Rep: "ana", Code: funnel.ReasonNoBudget, At: at})
	accepted, _ := acc.Accept(lead, handoff.RecycleState{}, "ana", at)
	for _, o := range []handoff.Outcome{rejected, disqualified, accepted} {
		d := report.Decision{Lead: lead.Lead, At: at, Rep: "ana"}.WithOutcome(o)
		code := string(o.Reason.Code)
		if code == "" {
			code = "(accepted)"
		}
		fmt.Printf("%-16s accepted: %-5t reason: %q\n", code, d.Accepted, d.Reason)
	}
	// Output:
	// wrong_territory  accepted: false reason: "wrong_territory"
	// no_budget        accepted: true  reason: ""
	// (accepted)       accepted: true  reason: ""
}

// The service level of one handoff: the ticket's times and the
// first-touch deadline the SLA set, in business hours.
func ExampleResponse_WithTicket() {
	cal := handoff.MustWeekly(handoff.CalendarSpec{
		Zone: "Europe/Madrid",
		Week: handoff.OfficeHours(handoff.Span{Start: 9 * handoff.Hour, End: 17 * handoff.Hour}),
	})
	mad := cal.Location()
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	ticket := handoff.Ticket{
		ActionAt:   time.Date(2026, 3, 27, 16, 0, 0, 0, mad),
		AssignedAt: time.Date(2026, 3, 27, 16, 30, 0, 0, mad),
	}
	assigned, _ := sla.Evaluate(cal, ticket, ticket.AssignedAt)
	r := report.Response{Handoff: "h-1", Lead: "lead-42", Rep: "ana"}.WithTicket(ticket, assigned)
	fmt.Println("deadline:", r.Deadline.Format("Mon 2 Jan 15:04"), "touched:", !r.TouchedAt.IsZero())

	ticket.FirstTouchAt = time.Date(2026, 3, 30, 9, 20, 0, 0, mad)
	r = r.WithTicket(ticket, assigned)
	fmt.Println("touched:", r.TouchedAt.Format("Mon 15:04"), "in time:", !r.TouchedAt.After(r.Deadline))
	// Output:
	// deadline: Wed 1 Apr 16:00 touched: false
	// touched: Mon 09:20 in time: true
}

// WithOutcome follows the reason catalog's classes for every reason, fills
// At and Rep from the move only when the decision has none, and keeps the
// decision's lead and criteria.
func TestDecisionWithOutcome(t *testing.T) {
	acc, lead, at := handedOff(t)
	for _, r := range acc.Reasons() {
		var o handoff.Outcome
		var err error
		rj := handoff.Rejection{Rep: "ana", Code: r.Code, At: at, Ticket: &handoff.Ticket{Attempts: 10}}
		if r.Class.Rejection() {
			o, err = acc.Reject(lead, handoff.RecycleState{}, rj)
		} else {
			o, err = acc.Disqualify(lead, handoff.RecycleState{}, rj)
		}
		if err != nil {
			t.Fatalf("%s: %v", r.Code, err)
		}
		d := report.Decision{Lead: "lead-42", Criteria: []string{"cfo"}}.WithOutcome(o)
		want := report.Decision{Lead: "lead-42", At: at, Rep: "ana", Accepted: !r.Class.Rejection(), Criteria: []string{"cfo"}}
		if !want.Accepted {
			want.Reason = string(r.Code)
		}
		if diff := cmp.Diff(want, d); diff != "" {
			t.Errorf("%s (%s): (-want +got)\n%s", r.Code, r.Class, diff)
		}
		// The host's own At and Rep win over the move's.
		other := at.Add(time.Minute)
		if d := (report.Decision{At: other, Rep: "bo"}).WithOutcome(o); !d.At.Equal(other) || d.Rep != "bo" {
			t.Errorf("%s: the decision's At and Rep were replaced: %+v", r.Code, d)
		}
	}
	// An acceptance that moves nothing leaves At and Rep to the host, and
	// a decision reused from a rejection is cleared.
	o, err := acc.Accept(lead, handoff.RecycleState{}, "ana", at)
	if err != nil || o.HasMove {
		t.Fatalf("accept: %+v, %v", o, err)
	}
	d := report.Decision{Lead: "lead-42", Reason: "bad_fit"}.WithOutcome(o)
	if want := (report.Decision{Lead: "lead-42", Accepted: true}); !cmp.Equal(want, d) {
		t.Errorf("accept: %+v, want %+v", d, want)
	}
}

// WithTicket copies the ticket's times and takes the deadline from the
// first-touch clock only: zero when the tier has no such target or the
// clock has not started.
func TestResponseWithTicket(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ticket := handoff.Ticket{ActionAt: t0, AssignedAt: t0.Add(5 * time.Minute), FirstTouchAt: t0.Add(time.Hour)}
	key := report.Response{Handoff: "h-1", Lead: "L", Rep: "ana"}
	deadline := t0.Add(24 * time.Hour)
	for _, c := range []struct {
		name string
		sla  handoff.Report
		want time.Time
	}{
		{"first touch", handoff.Report{Clocks: []handoff.Clock{
			{Target: handoff.TargetAccept, Deadline: t0.Add(time.Hour)},
			{Target: handoff.TargetFirstTouch, Deadline: deadline},
		}}, deadline},
		{"accept only", handoff.Report{Clocks: []handoff.Clock{{Target: handoff.TargetAccept, Deadline: t0.Add(time.Hour)}}}, time.Time{}},
		{"waiting", handoff.Report{Clocks: []handoff.Clock{{Target: handoff.TargetFirstTouch, Status: handoff.StatusWaiting}}}, time.Time{}},
	} {
		got := (report.Response{Handoff: "h-1", Lead: "L", Rep: "ana", Deadline: t0}).WithTicket(ticket, c.sla)
		want := key
		want.ActionAt, want.AssignedAt, want.TouchedAt, want.Deadline = ticket.ActionAt, ticket.AssignedAt, ticket.FirstTouchAt, c.want
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", c.name, diff)
		}
	}
}

// CriteriaOf lists the rules and host criteria that counted, in ledger
// order, and never a cap adjustment; the list Calibrate counts.
func TestCriteriaOf(t *testing.T) {
	dec := decimal.RequireFromString
	spec := scoring.Spec{Format: 1, ID: "c", Fit: scoring.AxisSpec{
		Rules: []scoring.Rule{
			{Name: "cfo", Points: dec("30"), Group: "role", When: scoring.Condition{Field: "title", Op: scoring.OpEquals, Value: "cfo"}},
			{Name: "phone", Points: dec("30"), Group: "role", When: scoring.Condition{Field: "phone", Op: scoring.OpPresent}},
			{Name: "student", Points: dec("-50"), When: scoring.Condition{Field: "title", Op: scoring.OpEquals, Value: "student"}},
		},
		Groups: []scoring.Group{{Name: "role", Max: decimal.NewNullDecimal(dec("40"))}},
		Max:    decimal.NewNullDecimal(dec("100")),
	}}
	employees := scoring.CriterionFunc[scoring.Lead]("big_company", scoring.AxisFit, func(l scoring.Lead, _ time.Time) scoring.Outcome {
		if l.Fields["employees"] == "" {
			return scoring.Outcome{}
		}
		return scoring.Outcome{Points: dec("70"), Count: 1, Reason: "large company"}
	})
	m, err := scoring.New(spec, scoring.LeadSource(), employees)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Score(scoring.Lead{Fields: map[string]string{"title": "cfo", "phone": "1", "employees": "5000"}}, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[scoring.EntryKind]bool{}
	for _, e := range res.Ledger {
		kinds[e.Kind] = true
	}
	if !kinds[scoring.EntryGroupCap] || !kinds[scoring.EntryAxisCap] {
		t.Fatalf("the fixture should have both caps in its ledger: %+v", res.Ledger)
	}
	if got, want := report.CriteriaOf(res), []string{"cfo", "phone", "big_company"}; !slices.Equal(got, want) {
		t.Errorf("CriteriaOf = %q, want %q", got, want)
	}
	if got := report.CriteriaOf(scoring.Result{}); got != nil {
		t.Errorf("CriteriaOf of an empty result = %q, want nil", got)
	}
}
