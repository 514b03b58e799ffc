package report_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/report"
)

// Touches centuries before the close: close − at exceeds MaxInt64
// nanoseconds and must not wrap around into a huge weight for the oldest
// touch (or, with a tiny half-life, an unbounded shift).
func TestTimeDecayCenturiesApart(t *testing.T) {
	close := time.Date(2250, 1, 1, 0, 0, 0, 0, time.UTC)
	ts := []report.Touch{
		{At: time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), Channel: "old"},
		{At: close.Add(-7 * 24 * time.Hour), Channel: "new"},
	}
	for _, tc := range []struct {
		halfLife time.Duration
		want     []string
	}{
		// 62 (capped) and 1 half-lives: weights 1 and 2^61.
		{7 * 24 * time.Hour, []string{"0", "100"}},
		// Both capped at 62 half-lives: equal weights.
		{time.Nanosecond, []string{"50", "50"}},
	} {
		got := report.Attribute(report.TimeDecay, decimal.NewFromInt(100), close, tc.halfLife, ts)
		for i, w := range tc.want {
			if !got[i].Equal(decimal.RequireFromString(w)) {
				t.Errorf("half-life %v: credits %v, want %v", tc.halfLife, got, tc.want)
				break
			}
		}
	}
}

// A cohort goal whose cohort is immature is pending while conversions (or,
// in a running period, new members) could still turn its verdict, and
// keeps the verdict they cannot turn; the lines say which cohorts are
// immature, the current and the previous, and no other metric is.
func TestScorecardImmatureCohorts(t *testing.T) {
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	april := march.AddDate(0, 1, 0)
	per := func(start time.Time, num, den int64, mature bool) report.Period {
		p := report.Period{Label: start.Format("2006-01"), Start: start, End: start.AddDate(0, 1, 0)}
		p.Cohort = []report.CohortConversion{{From: "mql", To: "sql", Mature: mature,
			Rate: report.Rate{Kind: report.KindCohort, Num: num, Den: den, Defined: true, Value: decimal.NewFromInt(num).DivRound(decimal.NewFromInt(den), 4)}}}
		p.Flow = []report.Conversion{{From: "mql", To: "sql", Rate: p.Cohort[0].Rate}}
		return p
	}
	atLeast := func(target string) report.Goal { return report.Goal{Metric: "cohort:mql:sql", Target: dec(target)} }
	atMost := func(target string) report.Goal {
		return report.Goal{Metric: "cohort:mql:sql", Target: dec(target), AtMost: true}
	}
	ended, running := april.AddDate(0, 1, 10), april.AddDate(0, 0, 20)
	for _, tc := range []struct {
		name         string
		asOf         time.Time
		mature       bool
		goal         report.Goal
		want         report.Status
		wantImmature bool
	}{
		{"ended, immature, at least, met: can only rise", ended, false, atLeast("0.25"), report.OnTrack, true},
		{"ended, immature, at least, unmet: may still be met", ended, false, atLeast("0.5"), report.Pending, true},
		{"ended, immature, at least, far from it: still pending", ended, false, atLeast("0.9"), report.Pending, true},
		{"ended, immature, at least, beyond every member: missed for good", ended, false, atLeast("1.2"), report.Missed, true},
		{"ended, immature, at most, met: may still be broken", ended, false, atMost("0.5"), report.Pending, true},
		{"ended, immature, at most, at risk: may still turn into missed", ended, false, atMost("0.28"), report.Pending, true},
		{"ended, immature, at most, far over: missed, and can only rise", ended, false, atMost("0.1"), report.Missed, true},
		{"running, immature, at least, met: new members may lower it", running, false, atLeast("0.25"), report.Pending, true},
		{"running, immature, at most, broken: new members may lower it", running, false, atMost("0.25"), report.Pending, true},
		{"no AsOf counts as running", time.Time{}, false, atLeast("0.25"), report.Pending, true},
		{"mature, at least, unmet: missed", ended, true, atLeast("0.5"), report.Missed, false},
		{"mature, at least, met", running, true, atLeast("0.25"), report.OnTrack, false},
		{"flow rates are never immature", running, false, report.Goal{Metric: "flow:mql:sql", Target: dec("0.5")}, report.Missed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// April: 3 of 10 MQLs in SQL so far; March: 1 of 2, immature too.
			r := report.Report{AsOf: tc.asOf, Periods: []report.Period{per(march, 1, 2, false), per(april, 3, 10, tc.mature)}}
			sc := report.NewScorecard(r, []report.Goal{tc.goal})
			l := sc.Lines[0]
			if l.Status != tc.want || l.Immature != tc.wantImmature {
				t.Errorf("status %s, immature %v; want %s, %v", l.Status, l.Immature, tc.want, tc.wantImmature)
			}
			if l.PreviousImmature != (tc.goal.Metric == "cohort:mql:sql") {
				t.Errorf("previous immature %v for %s", l.PreviousImmature, tc.goal.Metric)
			}
			if !l.Actual.Equal(dec("0.3")) || !l.Change.Equal(dec("-0.2")) || !l.AttainmentDefined {
				t.Errorf("figures changed with maturity: %+v", l)
			}
		})
	}
}

// Scorecard statuses worked out by hand: at risk from the default and a
// custom threshold, lower-is-better goals, no data, and the change.
func TestScorecardStatusesByHand(t *testing.T) {
	per := func(label string, mqls int64, median, p90 time.Duration) report.Period {
		p := report.Period{Label: label, Stages: []report.StageFigure{{Stage: "mql", FirstEntries: mqls}}}
		p.Service.ResponseTime = report.Velocity{Count: 3, Median: median, P90: p90}
		return p
	}
	r := report.Report{Periods: []report.Period{
		per("2026-03", 10, 4*time.Minute, 9*time.Minute),
		per("2026-04", 9, 330*time.Second, 8*time.Minute),
	}}
	goals := []report.Goal{
		{Metric: "first_entries:mql", Target: dec("10")},
		{Metric: "first_entries:mql", Target: dec("10"), AtRisk: dec("0.95")},
		{Metric: "response_minutes_median", Target: dec("5"), AtMost: true},
		{Metric: "response_minutes_p90", Target: dec("10"), AtMost: true},
		{Metric: "win_rate", Target: dec("0.3")},
		{Metric: "response_minutes_median", Target: dec("0"), AtMost: true},
	}
	sc := report.NewScorecard(r, goals)
	if sc.Period != "2026-04" || sc.Previous != "2026-03" {
		t.Fatalf("periods %q %q", sc.Period, sc.Previous)
	}
	type line struct {
		Status                      report.Status
		Actual, Attainment, Change  string
		AttainmentDefined, HasDelta bool
	}
	want := []line{
		{report.AtRisk, "9", "0.9", "-1", true, true},       // 9 ÷ 10 = 0.9 ≥ 0.9
		{report.Missed, "9", "0.9", "-1", true, true},       // 0.9 < 0.95
		{report.AtRisk, "5.5", "0.9091", "1.5", true, true}, // 5 ÷ 5.5; was 4 minutes
		{report.OnTrack, "8", "1.25", "-1", true, true},     // 8 ≤ 10; 10 ÷ 8
		{report.NoData, "0", "0", "0", false, false},        // no closed deal
		{report.Missed, "5.5", "0", "1.5", true, true},      // 0 ÷ 5.5
	}
	var got []line
	for _, l := range sc.Lines {
		got = append(got, line{l.Status, l.Actual.String(), l.Attainment.String(), l.Change.String(), l.AttainmentDefined, l.ActualDefined && l.PreviousDefined})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scorecard (-want +got):\n%s", diff)
	}
}
