package scoring_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/scoring"
)

// A decimal a host builds in code (not from a spec) can have an absurd
// exponent. Before these checks, rescaling it (to compare or add) built
// a number of 10^8 digits: seconds of work and hundreds of MB. Each call
// must reject it with a typed error (or, for Decay.Factor, give a factor
// at once); no timing is asserted: without the checks the test just
// takes very long.
func TestOutOfRangeDecimalsAreRejectedCheaply(t *testing.T) {
	huge := decimal.New(1, -99_999_999)
	one := decimal.NewFromInt(1)

	for _, r := range []scoring.Rollup{
		{}, {Method: scoring.RollupCappedSum}, {Method: scoring.RollupTopMean, N: 2},
	} {
		if _, err := r.Combine([]decimal.Decimal{one, huge}); !errors.Is(err, scoring.ErrRollup) {
			t.Errorf("%s of an out-of-range score: err = %v, want ErrRollup", r.Method, err)
		}
		if _, err := r.Account([]scoring.Result{{Fit: one, Interest: huge}}); !errors.Is(err, scoring.ErrRollup) {
			t.Errorf("%s Account with an out-of-range interest: err = %v, want ErrRollup", r.Method, err)
		}
	}
	capped := scoring.Rollup{Method: scoring.RollupCappedSum, Cap: decimal.NewNullDecimal(huge)}
	if _, err := capped.Combine([]decimal.Decimal{one}); !errors.Is(err, scoring.ErrRollup) {
		t.Errorf("capped_sum with an out-of-range cap: err = %v, want ErrRollup", err)
	}
	// Ordinary scores still combine.
	if got, err := (scoring.Rollup{Method: scoring.RollupCappedSum}).Combine([]decimal.Decimal{one, dec("0.0001")}); err != nil || !got.Equal(dec("1.0001")) {
		t.Errorf("capped_sum of 1 and 0.0001 = %s, %v", got, err)
	}

	for _, d := range []scoring.Decay{scoring.PercentDecay(huge, scoring.Days(1)), scoring.LinearDecay(huge, scoring.Days(1))} {
		if f := d.Factor(48 * time.Hour); !f.IsZero() {
			t.Errorf("%s decay with an out-of-range percent: factor %s, want 0", d.Kind, f)
		}
	}

	m := scoring.MustNew(scoring.Spec{Format: 1, ID: "cal", Fit: scoring.AxisSpec{Rules: []scoring.Rule{
		{Name: "phone", Points: dec("5"), When: scoring.Condition{Field: "phone", Op: scoring.OpPresent}}}}}, scoring.LeadSource())
	var samples []scoring.Sample[scoring.Lead]
	for i := 0; i < 40; i++ {
		l := scoring.Lead{Fields: map[string]string{}}
		if i%2 == 0 {
			l.Fields["phone"] = "1"
		}
		samples = append(samples, scoring.Sample[scoring.Lead]{Lead: l, At: t0, Converted: i%3 == 0})
	}
	for _, opt := range []scoring.CalibrationOptions{
		{Scale: huge}, {MinDifference: huge},
		{Scale: dec("-100")}, {MinDifference: dec("-0.01")}, {MinSupport: -1},
	} {
		if _, err := m.Calibrate(samples, opt); !errors.Is(err, scoring.ErrCalibration) {
			t.Errorf("Calibrate(%+v): err = %v, want ErrCalibration", opt, err)
		}
	}
	if _, err := m.Calibrate(samples, scoring.CalibrationOptions{}); err != nil {
		t.Errorf("Calibrate with defaults: %v", err)
	}
}

// The rapid property compares with the decimal reference on small leads;
// this compares on the benchmark's reference workload (20 rules,
// half-life decay, caps, negative points, axis bounds) with 50, 500 and
// 12 000 activities, so rules count more than the 16 occurrences whose
// raw totals New builds, counts the model adds to its table on demand
// and (1 200 page views) more than the 1 024 it keeps at all, at times
// when activities decay and leave.
func TestReferenceWorkloadEqualsDecimalReference(t *testing.T) {
	spec := benchSpec()
	m := scoring.MustNew(spec, benchSource())
	for _, n := range []int{1, 50, 500, 12_000} {
		bl := benchLeadN(n)
		lead := scoring.Lead{Fields: map[string]string{}, Activities: bl.Activities}
		for _, f := range []string{"industry", "country", "employees", "email", "title", "revenue",
			"seniority", "phone", "website", "source", "language", "timezone"} {
			if v, ok := benchSource().Field(bl, f); ok {
				lead.Fields[f] = v
			}
		}
		for _, now := range []time.Time{benchNow, benchNow.Add(20 * day), benchNow.Add(400 * day)} {
			got, err := m.Score(bl, now, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := diffReference(spec, lead, now, nil, got); diff != "" {
				t.Errorf("n=%d now=%s: model differs from the decimal reference (-want +got):\n%s", n, now, diff)
			}
		}
	}
}

// Activities centuries away from now (a bad import, a zero time.Time,
// time.Unix(math.MinInt64, 0)) take the exact, saturating age of
// time.Time.Sub, as the reference does: one 288 years old is inside a
// 290-year window, one 291 years old outside it, and none of them
// wraps around into the future.
func TestExtremeTimesEqualDecimalReference(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "ages", Version: 1, Interest: scoring.AxisSpec{Rules: []scoring.Rule{
		{Name: "window", Points: dec("10"), Activity: "visit", Within: scoring.Days(106_000)},
		{Name: "plain", Points: dec("1"), Activity: "visit"},
		{Name: "half", Points: dec("7"), Activity: "visit", Decay: scoring.HalfLifeDecay(scoring.Days(365))},
		{Name: "percent", Points: dec("3"), Activity: "visit", Decay: scoring.PercentDecay(dec("1"), scoring.Days(365))},
	}}}
	m := scoring.MustNew(spec, scoring.LeadSource())
	now := time.Date(2026, 3, 1, 12, 0, 0, 5, time.UTC)
	visit := func(at time.Time) scoring.Activity { return scoring.Activity{Type: "visit", At: at} }
	for _, acts := range [][]scoring.Activity{
		{visit(now.AddDate(-288, 0, 0))},
		{visit(now.AddDate(-291, 0, 0))},
		{visit(time.Time{})},
		{visit(time.Unix(math.MinInt64, 0))},
		{visit(time.Unix(-9_000_000_000_000_000_000, 0))},
		{visit(time.Unix(math.MaxInt64, 0)), visit(now.AddDate(0, 0, -1))},
		{visit(now.AddDate(284, 0, 0)), visit(now.AddDate(286, 0, 0)), visit(now)},
	} {
		lead := scoring.Lead{Activities: acts}
		got, err := m.Score(lead, now, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffReference(spec, lead, now, nil, got); diff != "" {
			t.Errorf("activities at %v: (-want +got):\n%s", acts[0].At, diff)
		}
	}
	// The 288-year-old visit counts in the 290-year window, the
	// 291-year-old one does not (both count for the rule with no window).
	for _, tt := range []struct {
		years  int
		window bool
	}{{288, true}, {291, false}} {
		r, _ := m.Score(scoring.Lead{Activities: []scoring.Activity{visit(now.AddDate(-tt.years, 0, 0))}}, now, nil)
		names := map[string]bool{}
		for _, e := range r.Ledger {
			names[e.Name] = true
		}
		if names["window"] != tt.window || !names["plain"] {
			t.Errorf("a visit %d years ago counted for %v, want window=%v and plain", tt.years, names, tt.window)
		}
	}
}
