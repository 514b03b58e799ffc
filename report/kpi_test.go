package report_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

func day(m time.Month, d int) time.Time { return time.Date(2026, m, d, 12, 0, 0, 0, time.UTC) }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// smallLog is the hand-computed example of kpi_test.go: every figure the
// tests expect is worked out in the comments.
func smallLog() []report.Record {
	var recs []report.Record
	ver := map[string]uint64{}
	cur := map[string]funnel.Stage{}
	since := map[string]time.Time{}
	seen := map[string]map[funnel.Stage]bool{}
	mv := func(lead string, to funnel.Stage, at time.Time) {
		if seen[lead] == nil {
			seen[lead] = map[funnel.Stage]bool{}
		}
		ver[lead]++
		e := funnel.Event{Lead: lead, Version: ver[lead], At: at, From: cur[lead], To: to, FirstEntry: !seen[lead][to]}
		if e.From != "" {
			e.Stay = at.Sub(since[lead])
		}
		seen[lead][to] = true
		cur[lead], since[lead] = to, at
		recs = append(recs, report.EventRecord(e, map[bool]string{true: "web", false: "ads"}[lead <= "L2"]))
	}
	// March.
	mv("L1", funnel.Subscriber, day(3, 2))
	mv("L1", funnel.Lead, day(3, 3))
	mv("L1", funnel.MQL, day(3, 5))
	mv("L1", funnel.SQL, day(3, 10))
	mv("L1", funnel.Opportunity, day(3, 12))
	mv("L1", funnel.Customer, day(3, 20))
	mv("L2", funnel.Lead, day(3, 4))
	mv("L2", funnel.MQL, day(3, 6))
	mv("L2", funnel.Nurture, day(3, 8))
	mv("L2", funnel.MQL, day(3, 15))
	mv("L2", funnel.SQL, day(3, 25))
	mv("L3", funnel.MQL, day(3, 7))
	// April.
	mv("L3", funnel.SQL, day(4, 2))
	mv("L4", funnel.Lead, day(4, 1))
	mv("L4", funnel.MQL, day(4, 3))
	mv("L5", funnel.Lead, day(4, 5))
	mv("L5", funnel.MQL, day(4, 6))
	recs = append(recs,
		report.DealRecord(report.Deal{ID: "D1", Lead: "L1", Amount: dec("1000.00"), CreatedAt: day(3, 12), ClosedAt: day(3, 20), Won: true, Origin: report.OriginMarketing}),
		report.DealRecord(report.Deal{ID: "D2", Lead: "L2", Amount: dec("500"), CreatedAt: day(3, 20), ClosedAt: day(3, 28)}),
		report.DealRecord(report.Deal{ID: "D3", Lead: "L9", Amount: dec("3000"), CreatedAt: day(3, 5), ClosedAt: day(3, 25), Won: true, Origin: report.OriginSales}),
		report.TouchRecord(report.Touch{Lead: "L1", At: day(3, 1), Channel: "email"}),
		report.TouchRecord(report.Touch{Lead: "L1", At: day(3, 10), Channel: "webinar"}),
		report.TouchRecord(report.Touch{Lead: "L1", At: day(3, 19), Channel: "search"}),
		report.TouchRecord(report.Touch{Lead: "L1", At: day(3, 21), Channel: "late"}), // after the close: no credit
		report.ResponseRecord(report.Response{Lead: "L1", ActionAt: day(3, 5), AssignedAt: day(3, 5).Add(time.Minute), Deadline: day(3, 5).Add(time.Hour)}),
		report.ResponseRecord(report.Response{Lead: "L1", TouchedAt: day(3, 5).Add(4 * time.Minute)}),
		report.ResponseRecord(report.Response{Lead: "L2", ActionAt: day(3, 6), Deadline: day(3, 6).Add(time.Hour), TouchedAt: day(3, 6).Add(2 * time.Hour)}),
		report.ResponseRecord(report.Response{Lead: "L3", ActionAt: day(3, 7), Deadline: day(3, 7).Add(time.Hour)}),
		report.DecisionRecord(report.Decision{Lead: "L1", At: day(3, 6), Accepted: true, Criteria: []string{"title", "size"}}),
		report.DecisionRecord(report.Decision{Lead: "L2", At: day(3, 7), Reason: "no_budget", Criteria: []string{"title"}}),
		report.DecisionRecord(report.Decision{Lead: "L3", At: day(3, 8), Reason: "bad_timing", Criteria: []string{"title", "visits"}}),
		report.DecisionRecord(report.Decision{Lead: "L5", At: day(3, 9), Reason: "no_budget"}),
	)
	return recs
}

func smallConfig() report.Config {
	return report.Config{Path: testPath, Detours: testDetours, Dimensions: []string{"source"},
		Goals: []report.Goal{
			{Metric: "first_entries:mql", Label: "MQLs a month", Target: dec("3")},
			{Metric: "flow:mql:sql", Label: "MQL→SQL", Target: dec("0.5")},
			{Metric: "cohort:mql:sql", Label: "MQL→SQL (cohort)", Target: dec("0.3")},
			{Metric: "acceptance_rate", Target: dec("0.9")},
			{Metric: "lead_velocity_rate", Target: dec("-0.35")},
		}}
}

func smallReport(t *testing.T, mutate func(*report.Config)) report.Report {
	t.Helper()
	cfg := smallConfig()
	if mutate != nil {
		mutate(&cfg)
	}
	acc, err := report.NewAccumulator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range smallLog() {
		if err := acc.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	return acc.Report()
}

func rate(k report.RateKind, num, den int64, v string) report.Rate {
	r := report.Rate{Kind: k, Num: num, Den: den}
	if den != 0 {
		r.Defined, r.Value = true, dec(v)
	}
	return r
}

func stage(p report.Period, s funnel.Stage) report.StageFigure {
	for _, f := range p.Stages {
		if f.Stage == s {
			return f
		}
	}
	return report.StageFigure{}
}

func TestKPIVolumesAndConversion(t *testing.T) {
	r := smallReport(t, nil)
	if len(r.Periods) != 2 || r.Periods[0].Label != "2026-03" || r.Periods[1].Label != "2026-04" {
		t.Fatalf("periods: %+v", r.Periods)
	}
	mar, apr := r.Periods[0], r.Periods[1]
	type vol struct{ first, all, pop int64 }
	for _, tc := range []struct {
		p    report.Period
		s    funnel.Stage
		want vol
	}{
		{mar, funnel.MQL, vol{3, 4, 1}}, // L1, L2 (twice: re-MQL after nurture), L3; L3 is still there
		{mar, funnel.SQL, vol{2, 2, 1}}, // L1, L2; L2 is still there
		{mar, funnel.Customer, vol{1, 1, 1}},
		{mar, funnel.Nurture, vol{1, 1, 0}},
		{apr, funnel.MQL, vol{2, 2, 2}}, // L4, L5
		{apr, funnel.SQL, vol{1, 1, 2}}, // L3; L2 and L3 there
	} {
		f := stage(tc.p, tc.s)
		if got := (vol{f.FirstEntries, f.Entries, f.Population}); got != tc.want {
			t.Errorf("%s %s: got %+v, want %+v", tc.p.Label, tc.s, got, tc.want)
		}
	}
	// Flow MQL→SQL: March 2 SQL entries ÷ 4 MQL entries; April 1 ÷ 2.
	if diff := cmp.Diff(rate(report.KindFlow, 2, 4, "0.5"), mar.Flow[2].Rate); diff != "" || mar.Flow[2].From != funnel.MQL {
		t.Errorf("March flow mql→sql (-want +got):\n%s", diff)
	}
	// Cohort MQL→SQL, March cohort L1, L2, L3 all reached SQL or later.
	if diff := cmp.Diff(rate(report.KindCohort, 3, 3, "1"), mar.Cohort[2].Rate); diff != "" {
		t.Errorf("March cohort (-want +got):\n%s", diff)
	}
	// With a 7-day window only L1 (5 days) converts in time.
	r7 := smallReport(t, func(c *report.Config) { c.Window = 7 * 24 * time.Hour })
	if diff := cmp.Diff(rate(report.KindCohort, 1, 3, "0.3333"), r7.Periods[0].Cohort[2].Rate); diff != "" {
		t.Errorf("March cohort W=7d (-want +got):\n%s", diff)
	}
	// AsOf is April 6 noon: the March cohort's windows close by April 8
	// (period end + W), so it is not mature yet, though each of its three
	// members' own windows (entry + 7 days) has closed.
	if c := r7.Periods[0].Cohort[2]; c.Mature || c.MatureMembers != 3 || r7.Periods[1].Cohort[2].Mature {
		t.Errorf("maturity: %+v / %+v", r7.Periods[0].Cohort[2], r7.Periods[1].Cohort[2])
	}
	// April cohort MQL→SQL: L4 (Apr 3) and L5 (Apr 6): windows still open.
	if got := r7.Periods[1].Cohort[2].MatureMembers; got != 0 {
		t.Errorf("April mature members = %d, want 0", got)
	}
}

func TestKPIOutcomes(t *testing.T) {
	r := smallReport(t, nil)
	mar, apr := r.Periods[0].Outcomes, r.Periods[1].Outcomes
	want := report.Outcomes{
		WinRate:                 rate(report.KindRatio, 2, 3, "0.6667"),
		WonAmount:               dec("4000"),
		AverageDeal:             dec("2000"),
		AverageDealDefined:      true,
		SalesCycle:              mar.SalesCycle, // checked below
		Opportunities:           1,
		PipelineVelocity:        dec("95.24"), // 1 × 2/3 × 2000 ÷ 14 days
		PipelineVelocityDefined: true,
		QualifiedLeads:          3,
		LeadVelocity:            rate(report.KindGrowth, 3, 0, ""), // February had none: undefined
		RecycleRate:             rate(report.KindFlow, 1, 4, "0.25"),
		RecycleYield:            rate(report.KindFlow, 1, 1, "1"),
	}
	if diff := cmp.Diff(want, mar); diff != "" {
		t.Errorf("March outcomes (-want +got):\n%s", diff)
	}
	if mar.SalesCycle.Count != 2 || mar.SalesCycle.Mean != 14*24*time.Hour || mar.SalesCycle.Min != 8*24*time.Hour || mar.SalesCycle.Max != 20*24*time.Hour {
		t.Errorf("sales cycle %+v", mar.SalesCycle)
	}
	if diff := cmp.Diff(rate(report.KindGrowth, -1, 3, "-0.3333"), apr.LeadVelocity); diff != "" {
		t.Errorf("April LVR (-want +got):\n%s", diff)
	}
	if apr.WinRate.Defined || apr.AverageDealDefined || apr.PipelineVelocityDefined {
		t.Errorf("April with no deals must be undefined: %+v", apr)
	}
	// Time in MQL, March: stays 5 d (L1), 2 d and 10 d (L2).
	v := stage(r.Periods[0], funnel.MQL).TimeInStage
	if v.Count != 3 || v.Mean != 17*24*time.Hour/3 || v.Min != 2*24*time.Hour || v.Max != 10*24*time.Hour {
		t.Errorf("time in MQL %+v", v)
	}
	if d := v.Median - 5*24*time.Hour; d < -5*24*time.Hour/100 || d > 5*24*time.Hour/100 {
		t.Errorf("median %v, want 5 days ±1 %%", v.Median)
	}
	// Lead to customer: L1 from March 2 to March 20.
	if l := r.Periods[0].LeadToCustomer; l.Count != 1 || l.Mean != 18*24*time.Hour {
		t.Errorf("lead to customer %+v", l)
	}
}

func TestKPIRevenue(t *testing.T) {
	rv := smallReport(t, nil).Periods[0].Revenue
	share := func(part, whole, v string) report.Share {
		return report.Share{Kind: report.KindRatio, Amount: dec(part), Of: dec(whole), Defined: true, Value: dec(v)}
	}
	credits := func(kv ...string) []report.Credit {
		var cs []report.Credit
		for i := 0; i < len(kv); i += 2 {
			cs = append(cs, report.Credit{Channel: kv[i], Amount: dec(kv[i+1])})
		}
		return cs
	}
	want := report.Revenue{
		Won:                 dec("4000"),
		MarketingSourced:    share("1000", "4000", "0.25"),
		SalesSourced:        share("3000", "4000", "0.75"),
		OtherSourced:        share("0", "4000", "0"),
		MarketingInfluenced: share("1000", "4000", "0.25"),
		Attribution: []report.Attribution{
			{Model: report.FirstTouch, Credits: credits("email", "1000", "search", "0", "webinar", "0"), Unattributed: dec("3000")},
			{Model: report.LastTouch, Credits: credits("email", "0", "search", "1000", "webinar", "0"), Unattributed: dec("3000")},
			// 1000.00 / 3: one cent left over, to the earliest touch.
			{Model: report.Linear, Credits: credits("email", "333.34", "search", "333.33", "webinar", "333.33"), Unattributed: dec("3000")},
			{Model: report.UShaped, Credits: credits("email", "400", "search", "400", "webinar", "200"), Unattributed: dec("3000")},
			{Model: report.WShaped, Credits: credits("email", "333.34", "search", "333.33", "webinar", "333.33"), Unattributed: dec("3000")},
			// 19, 10 and 1 days before the close: 2, 1 and 0 half-lives → weights 1:2:4.
			{Model: report.TimeDecay, Credits: credits("email", "142.86", "search", "571.43", "webinar", "285.71"), Unattributed: dec("3000")},
		},
	}
	if diff := cmp.Diff(want, rv); diff != "" {
		t.Errorf("March revenue (-want +got):\n%s", diff)
	}
}

func TestKPIService(t *testing.T) {
	sv := smallReport(t, nil).Periods[0].Service
	reasons := func(kv ...any) []report.ReasonCount {
		var out []report.ReasonCount
		for i := 0; i < len(kv); i += 3 {
			n := int64(kv[i+1].(int))
			out = append(out, report.ReasonCount{Reason: kv[i].(string), Share: kv[i+2].(report.Rate)})
			_ = n
		}
		return out
	}
	want := report.Service{
		Acceptance: rate(report.KindRatio, 1, 4, "0.25"),
		Rejections: reasons("no_budget", 2, rate(report.KindRatio, 2, 3, "0.6667"), "bad_timing", 1, rate(report.KindRatio, 1, 3, "0.3333")),
		ByCriterion: []report.CriterionRejections{
			{Criterion: "size", Rejected: rate(report.KindRatio, 0, 1, "0")},
			{Criterion: "title", Rejected: rate(report.KindRatio, 2, 3, "0.6667"),
				Reasons: reasons("bad_timing", 1, rate(report.KindRatio, 1, 2, "0.5"), "no_budget", 1, rate(report.KindRatio, 1, 2, "0.5"))},
			{Criterion: "visits", Rejected: rate(report.KindRatio, 1, 1, "1"),
				Reasons: reasons("bad_timing", 1, rate(report.KindRatio, 1, 1, "1"))},
		},
		// L1 touched in 4 min (met), L2 after 2 h (breach), L3 never (breach).
		SLA:          rate(report.KindRatio, 1, 3, "0.3333"),
		SpeedToLead:  report.Bands{Under5: 1, Over60: 1, Untouched: 1},
		ResponseTime: report.Velocity{Count: 1, Median: 3 * time.Minute, P90: 3 * time.Minute, Mean: 3 * time.Minute, Min: 3 * time.Minute, Max: 3 * time.Minute},
	}
	if diff := cmp.Diff(want, sv); diff != "" {
		t.Errorf("March service (-want +got):\n%s", diff)
	}
}

func TestKPIScorecard(t *testing.T) {
	sc := smallReport(t, nil).Scorecard
	if sc == nil || sc.Period != "2026-04" || sc.Previous != "2026-03" {
		t.Fatalf("scorecard %+v", sc)
	}
	type line struct {
		status              report.Status
		actual, att, change string
	}
	got := []line{}
	for _, l := range sc.Lines {
		got = append(got, line{l.Status, l.Actual.String(), l.Attainment.String(), l.Change.String()})
	}
	want := []line{
		{report.Missed, "2", "0.6667", "-1"},  // 2 MQLs vs 3; March had 3
		{report.OnTrack, "0.5", "1", "0"},     // 1/2 vs 0.5; March 2/4
		{report.Pending, "0", "0", "-1"},      // April's MQLs (L4, L5) not in SQL yet, and April runs; March's cohort: 1
		{report.NoData, "0", "0", "0"},        // no decisions in April
		{report.OnTrack, "-0.3333", "0", "0"}, // LVR -33 % ≥ -35 %: no attainment for a negative target
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(line{})); diff != "" {
		t.Errorf("scorecard (-want +got):\n%s", diff)
	}
}

func TestKPISegments(t *testing.T) {
	r := smallReport(t, nil)
	if len(r.Segments) != 2 || r.Segments[0].Value != "ads" || r.Segments[1].Value != "web" {
		t.Fatalf("segments %+v", r.Segments)
	}
	// web = L1 and L2: 2 first-time MQLs in March, 3 entries.
	web := r.Segments[1].Periods[0].Stages[2]
	if web.FirstEntries != 2 || web.Entries != 3 || web.Population != 0 {
		t.Errorf("web MQL March %+v", web)
	}
}

func TestKPIAsOfAndNoLeadState(t *testing.T) {
	// With AsOf on March 7 at 12:30, L3's deadline (12:00 + 1 h) has not
	// passed yet: pending, not a breach.
	r := smallReport(t, func(c *report.Config) { c.AsOf = day(3, 7).Add(30 * time.Minute) })
	sv := r.Periods[0].Service
	if sv.SLA.Num != 1 || sv.SLA.Den != 2 || sv.Pending != 1 {
		t.Errorf("SLA %+v pending %d, want 1/2 and 1 pending", sv.SLA, sv.Pending)
	}
	if !r.AsOf.Equal(day(3, 7).Add(30 * time.Minute)) {
		t.Errorf("AsOf %v", r.AsOf)
	}
	n := smallReport(t, func(c *report.Config) { c.NoLeadState = true })
	p := n.Periods[0]
	if p.Cohort != nil || p.LeadToCustomer.Count != 0 || p.Revenue.Attribution != nil || p.Service.SLA.Defined || n.Aging != nil {
		t.Errorf("NoLeadState still reports per-lead figures: %+v", p)
	}
	if p.Revenue.MarketingInfluenced != (report.Share{Kind: report.KindRatio}) {
		t.Errorf("NoLeadState influenced share %+v, want undefined with its kind", p.Revenue.MarketingInfluenced)
	}
	if p.Outcomes.WinRate.Num != 2 || stage(p, funnel.MQL).Entries != 4 {
		t.Errorf("NoLeadState lost stateless figures: %+v", p.Outcomes)
	}
}

func TestKPIFutureDeadlineDoesNotMoveAsOf(t *testing.T) {
	cfg := smallConfig()
	acc, _ := report.NewAccumulator(cfg)
	for _, r := range smallLog() {
		_ = acc.Add(r)
	}
	// Assigned on April 6 with a deadline in May, not touched yet.
	_ = acc.Add(report.ResponseRecord(report.Response{Lead: "L5", AssignedAt: day(4, 6), Deadline: day(5, 4)}))
	r := acc.Report()
	if !r.AsOf.Equal(day(4, 6)) {
		t.Errorf("AsOf %v, want April 6 (deadlines do not count)", r.AsOf)
	}
	if n := len(r.Periods); n != 3 || r.Periods[2].Label != "2026-05" || r.Periods[2].Service.Pending != 1 {
		t.Fatalf("periods: %d, want March, April and May with one pending deadline", n)
	}
	cur, prev := r.Current()
	if cur.Label != "2026-04" || prev.Label != "2026-03" || r.Scorecard.Period != "2026-04" {
		t.Errorf("current %s, previous %s, scorecard %s; want April, March, April", cur.Label, prev.Label, r.Scorecard.Period)
	}
}

func TestKPIAging(t *testing.T) {
	// AsOf is the latest record, L5's MQL entry on April 6 at noon. Each
	// lead's latest event: L1 Customer since March 20 (17 d), L2 SQL since
	// March 25 (12 d), L3 SQL since April 2 (4 d), L4 MQL since April 3
	// (3 d), L5 MQL since April 6 (0). Median and p90 of two values are
	// the value of rank 0, the smaller one (exact: the sketch keeps min).
	d := 24 * time.Hour
	open := func(ages ...time.Duration) report.Velocity {
		v := report.Velocity{Count: int64(len(ages)), Median: ages[0], P90: ages[0], Min: ages[0], Max: ages[len(ages)-1]}
		for _, a := range ages {
			v.Mean += a
		}
		v.Mean /= time.Duration(len(ages))
		return v
	}
	want := []report.Aging{
		{Stage: funnel.MQL, Open: open(0, 3*d)},
		{Stage: funnel.SQL, Open: open(4*d, 12*d)},
		{Stage: funnel.Customer, Open: open(17 * d)},
	}
	if diff := cmp.Diff(want, smallReport(t, nil).Aging); diff != "" {
		t.Errorf("aging (-want +got):\n%s", diff)
	}
}

// Speed-to-lead bands at their edges, worked out by hand: each band is
// [lo, hi) in minutes from the lead's action, a touch before the action
// counts as 0, and an untouched handoff is its own column. The deadline
// (30 minutes after the action) decides SLA compliance, a touch exactly
// at the deadline included; response time runs from the assignment.
func TestKPISpeedToLeadBandEdges(t *testing.T) {
	act := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	acc, _ := report.NewAccumulator(report.Config{Path: testPath})
	for i, after := range []time.Duration{
		-time.Minute,                    // 0–5 (touched before the action)
		0,                               // 0–5
		5*time.Minute - time.Nanosecond, // 0–5
		5 * time.Minute,                 // 5–15
		15*time.Minute - time.Second,    // 5–15
		15 * time.Minute,                // 15–60
		30 * time.Minute,                // 15–60, exactly at the deadline: met
		60*time.Minute - time.Second,    // 15–60, breach
		60 * time.Minute,                // 60+, breach
		48 * time.Hour,                  // 60+, breach
		-1,                              // untouched: breach
	} {
		r := report.Response{Handoff: fmt.Sprint(i), Lead: "L", ActionAt: act, AssignedAt: act.Add(time.Minute), Deadline: act.Add(30 * time.Minute)}
		if after != -1 {
			r.TouchedAt = act.Add(after)
		}
		if err := acc.Add(report.ResponseRecord(r)); err != nil {
			t.Fatal(err)
		}
	}
	sv := acc.Report().Periods[0].Service
	if want := (report.Bands{Under5: 3, Under15: 2, Under60: 3, Over60: 2, Untouched: 1}); sv.SpeedToLead != want {
		t.Errorf("bands %+v, want %+v", sv.SpeedToLead, want)
	}
	if diff := cmp.Diff(rate(report.KindRatio, 7, 11, "0.6364"), sv.SLA); diff != "" || sv.Pending != 0 {
		t.Errorf("SLA (-want +got):\n%s\npending %d", diff, sv.Pending)
	}
	// Ten touched handoffs, assigned a minute after the action: response
	// times −2 m and −1 m (counted as 0), 4 m − 1 ns, 4 m, 14 m − 1 s,
	// 14 m, 29 m, 59 m − 1 s, 59 m and 47 h 59 m.
	if rt := sv.ResponseTime; rt.Count != 10 || rt.Min != 0 || rt.Max != 48*time.Hour-time.Minute {
		t.Errorf("response time %+v", rt)
	}
}
