package report_test

import (
	"fmt"
	"os"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// A tiny log: two leads become MQLs in March, one of them an SQL in April.
func exampleEvents() []funnel.Event {
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, time.UTC) }
	return []funnel.Event{
		{Lead: "ana", Version: 1, At: at(3, 2), To: funnel.Lead, FirstEntry: true},
		{Lead: "ana", Version: 2, At: at(3, 5), From: funnel.Lead, To: funnel.MQL, FirstEntry: true, Stay: 3 * 24 * time.Hour},
		{Lead: "bob", Version: 1, At: at(3, 9), To: funnel.MQL, FirstEntry: true},
		{Lead: "ana", Version: 3, At: at(4, 2), From: funnel.MQL, To: funnel.SQL, FirstEntry: true, Stay: 28 * 24 * time.Hour},
	}
}

func Example() {
	acc, err := report.NewAccumulator(report.Config{
		Path:    []funnel.Stage{funnel.Lead, funnel.MQL, funnel.SQL},
		Detours: []funnel.Stage{funnel.Nurture},
		Period:  report.Month,
	})
	if err != nil {
		panic(err)
	}
	for _, e := range exampleEvents() {
		if err := acc.AddEvent(e); err != nil {
			panic(err)
		}
	}
	r := acc.Report()
	for _, p := range r.Periods {
		mql := p.Stages[1]
		fmt.Printf("%s: %d new MQLs, %d MQLs at period end; MQL→SQL flow %s, cohort %s/%s\n",
			p.Label, mql.FirstEntries, mql.Population, p.Flow[1].Rate.Value, itoa(p.Cohort[1].Rate.Num), itoa(p.Cohort[1].Rate.Den))
	}
	// Output:
	// 2026-03: 2 new MQLs, 2 MQLs at period end; MQL→SQL flow 0, cohort 1/2
	// 2026-04: 0 new MQLs, 1 MQLs at period end; MQL→SQL flow 0, cohort 0/0
}

func itoa(v int64) string { return fmt.Sprint(v) }

func ExampleAccumulator_Merge() {
	cfg := report.Config{Path: []funnel.Stage{funnel.Lead, funnel.MQL, funnel.SQL}}
	// Two workers each see part of the log ...
	a, _ := report.NewAccumulator(cfg)
	b, _ := report.NewAccumulator(cfg)
	for i, e := range exampleEvents() {
		if i%2 == 0 {
			_ = a.AddEvent(e)
		} else {
			_ = b.AddEvent(e)
		}
	}
	// ... one ships its state to the other as bytes ...
	data, _ := b.MarshalBinary()
	c, _ := report.NewAccumulator(cfg)
	if err := c.UnmarshalBinary(data); err != nil {
		panic(err)
	}
	// ... and the merged report equals the one-pass report.
	if err := a.Merge(c); err != nil {
		panic(err)
	}
	march := a.Report().Periods[0]
	fmt.Println(march.Label, "MQL first entries:", march.Stages[1].FirstEntries)
	// Output:
	// 2026-03 MQL first entries: 2
}

func ExampleAttribute() {
	close := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	touches := []report.Touch{
		{At: close.AddDate(0, 0, -20), Channel: "webinar"},
		{At: close.AddDate(0, 0, -9), Channel: "email"},
		{At: close.AddDate(0, 0, -1), Channel: "search"},
	}
	for _, m := range report.AttributionModels() {
		fmt.Println(m, report.Attribute(m, decimal.RequireFromString("1000.00"), close, 7*24*time.Hour, touches))
	}
	// Output:
	// first_touch [1000 0 0]
	// last_touch [0 0 1000]
	// linear [333.34 333.33 333.33]
	// u_shaped [400 200 400]
	// w_shaped [333.34 333.33 333.33]
	// time_decay [142.86 285.71 571.43]
}

func ExampleSketch() {
	var s report.Sketch
	for m := 1; m <= 100; m++ {
		s.Add(time.Duration(m) * time.Minute)
	}
	// Median and p90 (ranks 49 and 89 of 0..99: 50 and 90 minutes) are
	// within 1 %; count and mean are exact.
	fmt.Println(s.Count(), s.Quantile(0.5).Round(time.Second), s.Quantile(0.9).Round(time.Second), s.Mean())
	// Output:
	// 100 50m4s 1h29m25s 50m30s
}

func ExampleParseGoals() {
	goals, err := report.ParseGoals([]byte(`[
		{"metric": "first_entries:mql", "label": "MQLs a month", "target": "2"},
		{"metric": "cohort:mql:sql", "label": "MQL→SQL (cohort)", "target": "0.4"}
	]`))
	if err != nil {
		panic(err)
	}
	acc, _ := report.NewAccumulator(report.Config{Path: []funnel.Stage{funnel.Lead, funnel.MQL, funnel.SQL}, Goals: goals})
	for _, e := range exampleEvents()[:3] {
		_ = acc.AddEvent(e)
	}
	sc := acc.Report().Scorecard
	for _, l := range sc.Lines {
		fmt.Printf("%s %s: actual %s, attainment %s, %s", sc.Period, l.Goal.Label, l.Actual, l.Attainment, l.Status)
		if l.Immature {
			fmt.Print(" (the cohort is immature: its MQLs can still reach SQL)")
		}
		fmt.Println()
	}
	// Output:
	// 2026-03 MQLs a month: actual 2, attainment 1, on_track
	// 2026-03 MQL→SQL (cohort): actual 0, attainment 0, pending (the cohort is immature: its MQLs can still reach SQL)
}

func ExampleReport_WriteText() {
	acc, _ := report.NewAccumulator(report.Config{Path: []funnel.Stage{funnel.Lead, funnel.MQL, funnel.SQL}, NoLeadState: true})
	for _, e := range exampleEvents() {
		_ = acc.AddEvent(e)
	}
	r := acc.Report()
	r.Periods = r.Periods[:1] // keep the example short
	_ = r.WriteText(os.Stdout)
	// Output:
	// SMarketing report: month periods, UTC, as of 2026-04-02 10:00 UTC
	//
	// Funnel 2026-03
	// stage  first  entries  population  median stay  p90 stay  mean stay  flow to next  cohort to next
	// lead   1      1        0           3.0d         3.0d      3.0d       200.00%
	// mql    2      2        2           -            -         -          0.00%
	// sql    0      0        0           -            -         -
	//
	// Trend: first-time entries per period
	// period   lead  mql  sql
	// 2026-03  1     2    0
	//
	// Trend: flow conversion per period
	// period   lead→mql  mql→sql
	// 2026-03  200.00%   0.00%
	//
	// Trend: outcomes per period
	// period   win rate  avg deal  pipeline/day  opps  QL  LVR  recycle  yield  acceptance  SLA
	// 2026-03  n/a       n/a       n/a           0     2   n/a  n/a      n/a    n/a         n/a
	//
	// Trend: revenue per period
	// period   won   marketing-sourced  sales-sourced  other  marketing-influenced
	// 2026-03  0.00  n/a                n/a            n/a    n/a
}

func ExampleStagesOf() {
	path, detours := report.StagesOf(funnel.Default())
	fmt.Println(path)
	fmt.Println(detours)
	// Output:
	// [subscriber lead mql sql opportunity customer evangelist]
	// [nurture lost disqualified]
}

// A host's log in one call: AddEvents adds a slice of events as AddEvent
// would one by one (the same report), reading them in place and looking
// several leads up at once, which pays off on large logs. At a malformed
// event it stops: the events before it are added, and the error names it.
func ExampleAccumulator_AddEvents() {
	acc, _ := report.NewAccumulator(report.Config{Path: []funnel.Stage{funnel.Lead, funnel.MQL, funnel.SQL}})
	log := append(exampleEvents(), funnel.Event{Lead: "cy", Version: 1, At: time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC), To: "customer"})
	n, err := acc.AddEvents(log)
	fmt.Println(n, err)
	march := acc.Report().Periods[0]
	fmt.Println(march.Label, "MQL first entries:", march.Stages[1].FirstEntries)
	// Output:
	// 4 events[4]: report: invalid record: event "": unknown stage "customer"
	// 2026-03 MQL first entries: 2
}
