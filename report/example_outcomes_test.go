package report_test

import (
	"fmt"
	"os"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// Deals, marketing touches, handoff responses and sales decisions go in
// beside the funnel events; the period's outcomes, revenue split and
// service figures come out, each with its exact counts.
func ExampleAccumulator_Add() {
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }
	acc, _ := report.NewAccumulator(report.Config{Path: []funnel.Stage{funnel.Lead, funnel.MQL, funnel.SQL, funnel.Opportunity, funnel.Customer}})
	for _, r := range []report.Record{
		report.DealRecord(report.Deal{ID: "D1", Lead: "ana", Amount: decimal.RequireFromString("1200.00"),
			CreatedAt: at(2, 9, 0), ClosedAt: at(20, 9, 0), Won: true, Origin: report.OriginMarketing}),
		report.DealRecord(report.Deal{ID: "D2", Lead: "bob", Amount: decimal.NewFromInt(800),
			CreatedAt: at(5, 9, 0), ClosedAt: at(25, 9, 0), Won: true, Origin: report.OriginSales}),
		report.DealRecord(report.Deal{ID: "D3", Lead: "cy", Amount: decimal.NewFromInt(500),
			CreatedAt: at(6, 9, 0), ClosedAt: at(26, 9, 0)}), // lost
		report.TouchRecord(report.Touch{Lead: "ana", At: at(1, 8, 0), Channel: "email"}),
		report.TouchRecord(report.Touch{Lead: "bob", At: at(10, 8, 0), Channel: "webinar"}),
		// Speed to lead: 4 minutes, 20 minutes, never; deadline one hour.
		report.ResponseRecord(report.Response{Lead: "ana", ActionAt: at(1, 10, 0), AssignedAt: at(1, 10, 1), Deadline: at(1, 11, 0), TouchedAt: at(1, 10, 4)}),
		report.ResponseRecord(report.Response{Lead: "bob", ActionAt: at(3, 9, 0), Deadline: at(3, 10, 0), TouchedAt: at(3, 9, 20)}),
		report.ResponseRecord(report.Response{Lead: "cy", ActionAt: at(4, 9, 0), Deadline: at(4, 10, 0)}),
		report.DecisionRecord(report.Decision{Lead: "ana", At: at(1, 12, 0), Accepted: true}),
		report.DecisionRecord(report.Decision{Lead: "bob", At: at(3, 12, 0), Accepted: true}),
		report.DecisionRecord(report.Decision{Lead: "cy", At: at(4, 12, 0), Reason: "bad_fit", Criteria: []string{"title"}}),
	} {
		if err := acc.Add(r); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
	}
	p := acc.Report().Periods[0]
	o, rv, sv := p.Outcomes, p.Revenue, p.Service
	fmt.Printf("%s win rate %d/%d = %s, average deal %s\n", p.Label, o.WinRate.Num, o.WinRate.Den, o.WinRate.Value, o.AverageDeal.StringFixed(2))
	fmt.Printf("won %s: marketing-sourced %s, sales-sourced %s, marketing-influenced %s\n",
		rv.Won.StringFixed(2), rv.MarketingSourced.Value, rv.SalesSourced.Value, rv.MarketingInfluenced.Value)
	fmt.Printf("acceptance %d/%d, rejections %s %d/%d, SLA %d/%d\n", sv.Acceptance.Num, sv.Acceptance.Den,
		sv.Rejections[0].Reason, sv.Rejections[0].Share.Num, sv.Rejections[0].Share.Den, sv.SLA.Num, sv.SLA.Den)
	fmt.Printf("speed to lead: %+v\n", sv.SpeedToLead)
	// Output:
	// 2026-03 win rate 2/3 = 0.6667, average deal 1000.00
	// won 2000.00: marketing-sourced 0.6, sales-sourced 0.4, marketing-influenced 1
	// acceptance 2/3, rejections bad_fit 1/1, SLA 2/3
	// speed to lead: {Under5:1 Under15:0 Under60:1 Over60:0 Untouched:1}
}

// The meeting view: the scorecard first, then the funnel of the current
// period, then what changed since the previous one, then the trends.
func ExampleReport_WriteMarkdown() {
	acc, _ := report.NewAccumulator(report.Config{
		Path:        []funnel.Stage{funnel.Lead, funnel.MQL, funnel.SQL},
		NoLeadState: true,
		Goals:       []report.Goal{{Metric: "first_entries:sql", Label: "SQLs a month", Target: decimal.NewFromInt(2)}},
	})
	for _, e := range exampleEvents() {
		_ = acc.AddEvent(e)
	}
	_ = acc.Report().WriteMarkdown(os.Stdout)
	// Output:
	// # SMarketing report: month periods, UTC, as of 2026-04-02 10:00 UTC
	//
	// ## Scorecard 2026-04 (change vs 2026-03)
	//
	// | goal | actual | target | attainment | change | status |
	// | --- | --- | --- | --- | --- | --- |
	// | SQLs a month | 1 | ≥ 2 | 50.00% | +1 | missed |
	//
	// ## Funnel 2026-04
	//
	// | stage | first | entries | population | median stay | p90 stay | mean stay | flow to next | cohort to next |
	// | --- | --- | --- | --- | --- | --- | --- | --- | --- |
	// | lead | 0 | 0 | 0 | - | - | - | n/a |  |
	// | mql | 0 | 0 | 1 | 28.0d | 28.0d | 28.0d | n/a |  |
	// | sql | 1 | 1 | 1 | - | - | - |  |  |
	//
	// ## What changed 2026-03 → 2026-04
	//
	// | figure | 2026-03 | 2026-04 | change |
	// | --- | --- | --- | --- |
	// | first entries lead | 1 | 0 | -1 |
	// | first entries mql | 2 | 0 | -2 |
	// | first entries sql | 0 | 1 | +1 |
	// | flow lead→mql | 200.00% | n/a | n/a |
	// | flow mql→sql | 0.00% | n/a | n/a |
	// | win rate | n/a | n/a | n/a |
	// | acceptance | n/a | n/a | n/a |
	// | SLA compliance | n/a | n/a | n/a |
	//
	// ## Trend: first-time entries per period
	//
	// | period | lead | mql | sql |
	// | --- | --- | --- | --- |
	// | 2026-03 | 1 | 2 | 0 |
	// | 2026-04 | 0 | 0 | 1 |
	//
	// ## Trend: flow conversion per period
	//
	// | period | lead→mql | mql→sql |
	// | --- | --- | --- |
	// | 2026-03 | 200.00% | 0.00% |
	// | 2026-04 | n/a | n/a |
	//
	// ## Trend: outcomes per period
	//
	// | period | win rate | avg deal | pipeline/day | opps | QL | LVR | recycle | yield | acceptance | SLA |
	// | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
	// | 2026-03 | n/a | n/a | n/a | 0 | 2 | n/a | n/a | n/a | n/a | n/a |
	// | 2026-04 | n/a | n/a | n/a | 0 | 0 | -100.00% | n/a | n/a | n/a | n/a |
	//
	// ## Trend: revenue per period
	//
	// | period | won | marketing-sourced | sales-sourced | other | marketing-influenced |
	// | --- | --- | --- | --- | --- | --- |
	// | 2026-03 | 0.00 | n/a | n/a | n/a | n/a |
	// | 2026-04 | 0.00 | n/a | n/a | n/a | n/a |
}
