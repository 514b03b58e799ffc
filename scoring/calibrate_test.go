package scoring_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/smarketing/smarketing/scoring"
	"github.com/smarketing/smarketing/scoring/scoringtest"
)

// Calibration on degenerate histories: no leads, every lead converted,
// none converted, and criteria that every lead or no lead has. Rates
// with nothing to divide by are 0, and Suggested is 0 when one side is
// empty (nothing to compare), not Scale × (RateWith − 0).
func TestCalibrateDegenerate(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "cal", Version: 1, Fit: scoring.AxisSpec{Rules: []scoring.Rule{
		{Name: "saas", Points: dec("10"), When: scoring.Condition{Field: "industry", Op: scoring.OpEquals, Value: "saas"}},
		{Name: "known", Points: dec("1"), When: scoring.Condition{Field: "industry", Op: scoring.OpPresent}},
		{Name: "phone", Points: dec("5"), When: scoring.Condition{Field: "phone", Op: scoring.OpPresent}},
	}}}
	m := scoring.MustNew(spec, scoring.LeadSource())
	// 10 saas leads of which convS convert, 10 retail of which convR.
	samples := func(convS, convR int) []scoring.Sample[scoring.Lead] {
		var out []scoring.Sample[scoring.Lead]
		for i := 0; i < 20; i++ {
			ind, conv := "saas", i < convS
			if i >= 10 {
				ind, conv = "retail", i-10 < convR
			}
			out = append(out, scoring.Sample[scoring.Lead]{Lead: scoring.Lead{Fields: map[string]string{"industry": ind}}, At: t0, Converted: conv})
		}
		return out
	}
	z := decimal.Decimal{}
	row := func(name, points string, support, cw, co int, rw, ro, lift, sugg string, nd bool, why string) scoring.CriterionStats {
		return scoring.CriterionStats{Name: name, Axis: scoring.AxisFit, Points: dec(points), Support: support, ConvertedWith: cw, ConvertedWithout: co,
			RateWith: dec(rw), RateWithout: dec(ro), Lift: dec(lift), Suggested: dec(sugg), NonDiscriminating: nd, Why: why}
	}
	tests := []struct {
		name    string
		samples []scoring.Sample[scoring.Lead]
		want    scoring.Calibration
	}{
		{"no leads", nil, scoring.Calibration{ModelID: "cal", ModelVersion: 1, BaseRate: z, Criteria: []scoring.CriterionStats{
			row("saas", "10", 0, 0, 0, "0", "0", "0", "0", true, "counted for only 0 of 0 leads (fewer than 10): not enough evidence"),
			row("known", "1", 0, 0, 0, "0", "0", "0", "0", true, "counted for only 0 of 0 leads (fewer than 10): not enough evidence"),
			row("phone", "5", 0, 0, 0, "0", "0", "0", "0", true, "counted for only 0 of 0 leads (fewer than 10): not enough evidence"),
		}}},
		{"every lead converted", samples(10, 10), scoring.Calibration{ModelID: "cal", ModelVersion: 1, Leads: 20, Converted: 20, BaseRate: dec("1"), Criteria: []scoring.CriterionStats{
			row("saas", "10", 10, 10, 10, "1", "1", "1", "0", true, "leads with it convert at 1 and without it at 1: it does not discriminate"),
			row("known", "1", 20, 20, 0, "1", "0", "1", "0", true, "counted for 20 of 20 leads: too few leads without it to compare"),
			row("phone", "5", 0, 0, 20, "0", "1", "0", "0", true, "counted for only 0 of 20 leads (fewer than 10): not enough evidence"),
		}}},
		{"no lead converted", samples(0, 0), scoring.Calibration{ModelID: "cal", ModelVersion: 1, Leads: 20, Converted: 0, BaseRate: z, Criteria: []scoring.CriterionStats{
			row("saas", "10", 10, 0, 0, "0", "0", "0", "0", true, "leads with it convert at 0 and without it at 0: it does not discriminate"),
			row("known", "1", 20, 0, 0, "0", "0", "0", "0", true, "counted for 20 of 20 leads: too few leads without it to compare"),
			row("phone", "5", 0, 0, 0, "0", "0", "0", "0", true, "counted for only 0 of 20 leads (fewer than 10): not enough evidence"),
		}}},
		{"saas converts", samples(9, 1), scoring.Calibration{ModelID: "cal", ModelVersion: 1, Leads: 20, Converted: 10, BaseRate: dec("0.5"), Criteria: []scoring.CriterionStats{
			row("saas", "10", 10, 9, 1, "0.9", "0.1", "1.8", "80", false, "leads with it convert at 0.9, without it at 0.1 (lift 1.8): suggested 80 points"),
			row("known", "1", 20, 10, 0, "0.5", "0", "1", "0", true, "counted for 20 of 20 leads: too few leads without it to compare"),
			row("phone", "5", 0, 0, 10, "0", "0.5", "0", "0", true, "counted for only 0 of 20 leads (fewer than 10): not enough evidence"),
		}}},
	}
	for _, tt := range tests {
		got, err := m.Calibrate(tt.samples, scoring.CalibrationOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// The counts of a calibration agree with each other and with the
// ledgers of the samples' scores; every rate is a ratio in [0, 1];
// Suggested is within ±Scale; and the verdict follows the options.
func TestPropCalibrationIsConsistent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := scoringtest.Spec().Draw(t, "spec")
		m := scoring.MustNew(spec, scoring.LeadSource())
		n := rapid.IntRange(0, 25).Draw(t, "n")
		samples := make([]scoring.Sample[scoring.Lead], n)
		for i := range samples {
			samples[i] = scoring.Sample[scoring.Lead]{Lead: scoringtest.Lead(propNow).Draw(t, "lead"), At: propNow,
				Converted: rapid.Bool().Draw(t, "converted")}
		}
		opt := scoring.CalibrationOptions{MinSupport: rapid.IntRange(0, 5).Draw(t, "min_support"),
			Scale: decimal.New(rapid.Int64Range(0, 500).Draw(t, "scale"), 0)}
		cal, err := m.Calibrate(samples, opt)
		if err != nil {
			t.Fatal(err)
		}
		support := map[string]int{}
		converted := 0
		for _, s := range samples {
			r, err := m.Score(s.Lead, s.At, nil)
			if err != nil {
				t.Fatal(err)
			}
			if s.Converted {
				converted++
			}
			for _, e := range r.Ledger {
				if e.Kind == scoring.EntryRule {
					support[e.Name]++
				}
			}
		}
		if cal.Leads != n || cal.Converted != converted || len(cal.Criteria) != len(spec.Fit.Rules)+len(spec.Interest.Rules) {
			t.Fatalf("leads %d, converted %d, %d criteria; want %d, %d", cal.Leads, cal.Converted, len(cal.Criteria), n, converted)
		}
		scale := opt.Scale
		if scale.IsZero() {
			scale = decimal.NewFromInt(100)
		}
		minSupport := opt.MinSupport
		if minSupport == 0 {
			minSupport = 10
		}
		one := decimal.NewFromInt(1)
		for _, c := range cal.Criteria {
			if c.Support != support[c.Name] || c.ConvertedWith+c.ConvertedWithout != cal.Converted ||
				c.ConvertedWith > c.Support || c.ConvertedWithout > n-c.Support {
				t.Fatalf("%s: counts %+v disagree with the ledgers (support %d)", c.Name, c, support[c.Name])
			}
			for _, r := range []decimal.Decimal{c.RateWith, c.RateWithout} {
				if r.Sign() < 0 || r.GreaterThan(one) || !r.Equal(r.Round(4)) {
					t.Fatalf("%s: rate %s", c.Name, r)
				}
			}
			if c.Suggested.Abs().GreaterThan(scale) || !c.Suggested.Equal(c.Suggested.Round(0)) {
				t.Fatalf("%s: suggested %s with scale %s", c.Name, c.Suggested, scale)
			}
			if (c.Support == 0 || c.Support == n) && !c.Suggested.IsZero() {
				t.Fatalf("%s: suggested %s with nothing to compare", c.Name, c.Suggested)
			}
			if thin := c.Support < minSupport || n-c.Support < minSupport; thin && !c.NonDiscriminating {
				t.Fatalf("%s: support %d of %d judged with min support %d", c.Name, c.Support, n, minSupport)
			}
		}
		again, _ := m.Calibrate(samples, opt)
		if diff := cmp.Diff(cal, again); diff != "" {
			t.Fatalf("calibration is not deterministic:\n%s", diff)
		}
	})
}

// The verdict compares the exact rates with MinDifference, not the rates
// rounded to 4 places for the report: it compared 0.3333 − 0.2857 =
// 0.0476 (exactly 1/3 − 2/7 = 0.047619…) with 0.04761 and called the
// criterion non-discriminating, and 0.6667 − 0 with 0.66667 (exactly
// 2/3 = 0.66666…) and called it discriminating.
func TestCalibrateComparesExactRates(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "cal", Version: 1, Fit: scoring.AxisSpec{Rules: []scoring.Rule{
		{Name: "saas", Points: dec("10"), When: scoring.Condition{Field: "industry", Op: scoring.OpEquals, Value: "saas"}},
	}}}
	m := scoring.MustNew(spec, scoring.LeadSource())
	history := func(with, convWith, without, convWithout int) []scoring.Sample[scoring.Lead] {
		var out []scoring.Sample[scoring.Lead]
		for i := 0; i < with+without; i++ {
			ind, conv := "saas", i < convWith
			if i >= with {
				ind, conv = "retail", i-with < convWithout
			}
			out = append(out, scoring.Sample[scoring.Lead]{Lead: scoring.Lead{Fields: map[string]string{"industry": ind}}, At: t0, Converted: conv})
		}
		return out
	}
	tests := []struct {
		name                  string
		samples               []scoring.Sample[scoring.Lead]
		minDiff               string
		rateWith, rateWithout string
		wantNonDiscriminating bool
	}{
		{"exact 1/21 ≥ 0.04761, rounded 0.0476 below", history(3, 1, 7, 2), "0.04761", "0.3333", "0.2857", false},
		{"exact 1/21 < 0.04762", history(3, 1, 7, 2), "0.04762", "0.3333", "0.2857", true},
		{"exact 2/3 < 0.66667, rounded 0.6667 above", history(3, 2, 3, 0), "0.66667", "0.6667", "0", true},
		{"exact 2/3 ≥ 0.66666", history(3, 2, 3, 0), "0.66666", "0.6667", "0", false},
	}
	for _, tt := range tests {
		cal, err := m.Calibrate(tt.samples, scoring.CalibrationOptions{MinSupport: 1, MinDifference: dec(tt.minDiff)})
		if err != nil {
			t.Fatal(err)
		}
		st := cal.Criteria[0]
		if !st.RateWith.Equal(dec(tt.rateWith)) || !st.RateWithout.Equal(dec(tt.rateWithout)) || st.NonDiscriminating != tt.wantNonDiscriminating {
			t.Errorf("%s: rates %s and %s, non-discriminating %v (%s); want %s, %s, %v",
				tt.name, st.RateWith, st.RateWithout, st.NonDiscriminating, st.Why, tt.rateWith, tt.rateWithout, tt.wantNonDiscriminating)
		}
	}
}
