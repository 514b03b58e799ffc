package report_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// The goals agreed in step 1, scored for the review meeting of step 8:
// attainment, status and the change from the previous period.
func ExampleNewScorecard() {
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, time.UTC) }
	acc, _ := report.NewAccumulator(report.Config{Path: []funnel.Stage{funnel.Lead, funnel.MQL, funnel.SQL}})
	for _, mn := range []struct {
		m time.Month
		n int
	}{{time.March, 10}, {time.April, 9}} {
		m := mn.m
		for i := range mn.n {
			lead := fmt.Sprintf("%s-%d", m, i)
			_ = acc.AddEvent(funnel.Event{Lead: lead, Version: 1, At: at(m, 1+i), To: funnel.MQL, FirstEntry: true})
			// Sales accepts all but one MQL each month, and first touches
			// them 4 minutes after assignment in March, 6 in April.
			_ = acc.Add(report.DecisionRecord(report.Decision{Lead: lead, At: at(m, 2+i), Accepted: i > 0, Reason: "bad_fit"}))
			touch := 4 * time.Minute
			if m == time.April {
				touch = 6 * time.Minute
			}
			_ = acc.Add(report.ResponseRecord(report.Response{Lead: lead, AssignedAt: at(m, 1+i), TouchedAt: at(m, 1+i).Add(touch)}))
		}
	}
	goals := []report.Goal{
		{Metric: "first_entries:mql", Label: "MQLs a month", Target: decimal.NewFromInt(10)},
		{Metric: "acceptance_rate", Label: "acceptance", Target: decimal.RequireFromString("0.9")},
		{Metric: "response_minutes_median", Label: "follow-up minutes", Target: decimal.NewFromInt(5), AtMost: true},
	}
	sc := report.NewScorecard(acc.Report(), goals)
	fmt.Println(sc.Period, "vs", sc.Previous)
	for _, l := range sc.Lines {
		fmt.Printf("%-17s actual %-6s attainment %-6s change %-7s %s\n", l.Goal.Label, l.Actual, l.Attainment, l.Change, l.Status)
	}
	// Output:
	// 2026-04 vs 2026-03
	// MQLs a month      actual 9      attainment 0.9    change -1      at_risk
	// acceptance        actual 0.8889 attainment 0.9877 change -0.0111 at_risk
	// follow-up minutes actual 6      attainment 0.8333 change 2       missed
}
