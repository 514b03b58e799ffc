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
