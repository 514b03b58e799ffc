package scoring_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/scoring"
)

// A range bound written with an exponent ("2e10": coefficient 2, one
// digit) has 11 integer digits all the same: Validate must count them,
// or the model reads a bound it cannot hold (10^10 passed "at least
// 2·10^10").
func TestRangeBoundWithExponentIsLimited(t *testing.T) {
	for _, b := range []string{"2e10", "1e9", "-1e12", "1.5e9"} {
		for _, side := range []string{"min", "max"} {
			c := scoring.Condition{Field: "v", Op: scoring.OpRange}
			if side == "min" {
				c.Min = ndec(b)
			} else {
				c.Max = ndec(b)
			}
			spec := scoring.Spec{Format: 1, ID: "f", Fit: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "r", Points: dec("10"), When: c}}}}
			want := []string{"fit.rules[0].when." + side}
			if diff := cmp.Diff(want, errorPaths(spec.Validate())); diff != "" {
				t.Errorf("%s %s: error paths (-want +got):\n%s", side, b, diff)
			}
		}
	}
	// At the limit, in any form, the bound is accepted and exact.
	m := fitModel(t, scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("9e8")}, "10")
	for v, want := range map[string]string{"899999999": "0", "900000000": "10", "1e10": "10", "8.99e8": "0"} {
		r, err := m.Score(scoring.Lead{Fields: map[string]string{"v": v}}, t0, nil)
		if err != nil || !r.Fit.Equal(dec(want)) {
			t.Errorf("v %s: fit %s, %v; want %s", v, r.Fit, err, want)
		}
	}
}

// Criterion documents that points with more than PointPlaces places are
// fine (they are rounded): a host's own compound decay, 10 × 0.95^30,
// is a decimal with 60 places and must score 2.1464, not ErrCriterion.
func TestHostCriterionWithManyPlacesIsRounded(t *testing.T) {
	for _, tt := range []struct {
		points decimal.Decimal
		want   string
	}{
		{decimal.NewFromInt(10).Mul(dec("0.95").Pow(decimal.NewFromInt(30))), "2.1464"},
		{dec("-0.95").Pow(decimal.NewFromInt(101)), "-0.0056"},
		{decimal.New(1, -41), "0"},
		{decimal.New(-4, -5000), "0"},
		{decimal.New(0, 50), "0"},
		{decimal.New(5, -5), "0"},       // a tie, half-even
		{decimal.New(15, -5), "0.0002"}, // a tie, half-even
		{dec("0.00005000000000000000000000000000000000000000000001"), "0.0001"}, // just above a tie
	} {
		c := scoring.CriterionFunc("own decay", scoring.AxisInterest, func(scoring.Lead, time.Time) scoring.Outcome {
			return scoring.Outcome{Points: tt.points, Count: 1}
		})
		m := scoring.MustNew(scoring.Spec{Format: 1, ID: "c"}, scoring.LeadSource(), c)
		r, err := m.Score(scoring.Lead{}, t0, nil)
		if err != nil || !r.Interest.Equal(dec(tt.want)) {
			t.Errorf("points %s: interest %s, %v; want %s", tt.points, r.Interest, err, tt.want)
		}
	}
	// Out of range stays an error, in any form.
	for _, p := range []decimal.Decimal{decimal.New(1, 41), decimal.New(1, 9), dec("1e-50").Add(decimal.New(1, 10))} {
		c := scoring.CriterionFunc("big", scoring.AxisFit, func(scoring.Lead, time.Time) scoring.Outcome {
			return scoring.Outcome{Points: p, Count: 1}
		})
		m := scoring.MustNew(scoring.Spec{Format: 1, ID: "c"}, scoring.LeadSource(), c)
		if _, err := m.Score(scoring.Lead{}, t0, nil); !errors.Is(err, scoring.ErrCriterion) {
			t.Errorf("points %s: err = %v, want ErrCriterion", p, err)
		}
	}
}

// Duration's text form must read back: a negative whole number of days
// (which Validate rejects with its path) used to be written "-3d", which
// ParseDuration refuses, so a stored spec with that mistake could not be
// loaded to show the user where it was.
func TestDurationTextRoundTripsWhenNegative(t *testing.T) {
	for _, d := range []scoring.Duration{-scoring.Days(3), -scoring.Days(14), scoring.Duration(-36 * time.Hour), scoring.Days(14), scoring.Duration(-1)} {
		b, err := d.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back scoring.Duration
		if err := back.UnmarshalText(b); err != nil || back != d {
			t.Errorf("%v: %q reads back as %v, %v", time.Duration(d), b, time.Duration(back), err)
		}
	}
	spec := scoring.Spec{Format: 1, ID: "x", Interest: scoring.AxisSpec{Rules: []scoring.Rule{
		{Name: "a", Points: dec("1"), Activity: "open", Within: -scoring.Days(3)}}}}
	data, err := spec.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := scoring.ParseSpec(data)
	if err != nil {
		t.Fatalf("ParseSpec of Spec.JSON: %v\n%s", err, data)
	}
	if diff := cmp.Diff([]string{"interest.rules[0].within"}, errorPaths(back.Validate())); diff != "" {
		t.Errorf("error paths (-want +got):\n%s", diff)
	}
}

// A *Model is immutable after New: a host that builds its next model by
// editing the spec it passed (its slices are shared) must not change the
// model it already has, nor what its Spec method returns.
func TestModelDoesNotShareTheCallersSpec(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "m",
		Fit: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "industry", Points: dec("40"),
			When: scoring.Condition{Field: "industry", Op: scoring.OpOneOf, Values: []string{"saas", "fintech"}}}}},
		Interest: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "pricing", Points: dec("10"), Activity: "page_view",
			Where: []scoring.Condition{{Field: "url", Op: scoring.OpOneOf, Values: []string{"/pricing"}}},
			Decay: scoring.StepDecay(scoring.Step{After: scoring.Days(10), Factor: dec("0.5")})}}},
	}
	m := scoring.MustNew(spec, scoring.LeadSource())
	want, err := spec.JSON()
	if err != nil {
		t.Fatal(err)
	}
	lead := scoring.Lead{Fields: map[string]string{"industry": "saas"}, Activities: []scoring.Activity{
		{Type: "page_view", At: t0.Add(-20 * day), Attrs: []scoring.Attr{{Key: "url", Value: "/pricing"}}}}}
	before, err := m.Score(lead, t0, nil)
	if err != nil {
		t.Fatal(err)
	}

	// The next version, edited in place.
	spec.Fit.Rules[0].When.Values[0] = "retail"
	spec.Fit.Rules[0].Points = dec("1")
	spec.Interest.Rules[0].Where[0].Values[0] = "/careers"
	spec.Interest.Rules[0].Decay.Steps[0].Factor = dec("0.1")

	after, err := m.Score(lead, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Equal(before) {
		t.Errorf("editing the spec after New changed the model's scores:\n%s\nthen\n%s", before.Explain(), after.Explain())
	}
	got, err := m.Spec().JSON()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("editing the spec after New changed Model.Spec (-want +got):\n%s", diff)
	}
}

// An axis floor far above a sum near the bottom of the fixed-point range
// makes an adjustment beyond that range: Score must report ErrOverflow,
// not a ledger entry that wrapped around (and so no longer adds up).
func TestAxisFloorAdjustmentOverflowIsAnError(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "o", Interest: scoring.AxisSpec{
		Rules: []scoring.Rule{{Name: "bounce", Points: dec("-999999999.9999"), Activity: "bounce"}},
		Min:   ndec("300000000"),
	}}
	m := scoring.MustNew(spec, scoring.LeadSource())
	acts := make([]scoring.Activity, 922_337) // the sum is −9 223 369 999 999 077 663 units, just inside int64
	for i := range acts {
		acts[i] = scoring.Activity{Type: "bounce", At: t0}
	}
	r, err := m.Score(scoring.Lead{Activities: acts}, t0, nil)
	if !errors.Is(err, scoring.ErrOverflow) {
		t.Errorf("err = %v, want ErrOverflow; interest %s, ledger %+v", err, r.Interest, r.Ledger)
	}
}
