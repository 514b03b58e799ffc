package scoring_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/scoring"
)

var t0 = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// formFillModel is one interest rule: a 10-point form fill with the decay d.
func formFillModel(t *testing.T, d scoring.Decay, within scoring.Duration) *scoring.Model[scoring.Lead] {
	t.Helper()
	m, err := scoring.New(scoring.Spec{Format: 1, ID: "decay", Version: 1,
		Interest: scoring.AxisSpec{Rules: []scoring.Rule{{
			Name: "form", Points: dec("10"), Activity: "form_fill", Within: within, Decay: d,
		}}},
	}, scoring.LeadSource())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDecayHandComputed(t *testing.T) {
	month := scoring.Days(30)
	tests := []struct {
		name   string
		decay  scoring.Decay
		within scoring.Duration
		age    time.Duration
		want   string
	}{
		{"50% every month, fresh", scoring.PercentDecay(dec("50"), month), 0, 0, "10"},
		{"50% every month, 29 days", scoring.PercentDecay(dec("50"), month), 0, 29 * day, "10"},
		{"50% every month, one month", scoring.PercentDecay(dec("50"), month), 0, 30 * day, "5"},
		{"50% every month, two months", scoring.PercentDecay(dec("50"), month), 0, 60 * day, "2.5"},
		{"50% every month, three months", scoring.PercentDecay(dec("50"), month), 0, 90 * day, "1.25"},
		{"50% every month, ten months", scoring.PercentDecay(dec("50"), month), 0, 300 * day, "0.0098"},   // 10 × 0.000976562 (tie at 9 places, to even) = 0.00976562 → 0.0098
		{"50% every month, 40 months", scoring.PercentDecay(dec("50"), month), 0, 1200 * day, "0"},        // factor rounds to 0
		{"10% every week, 2 weeks", scoring.PercentDecay(dec("10"), scoring.Days(7)), 0, 14 * day, "8.1"}, // 10 × 0.81
		{"linear 25% a month, one month", scoring.LinearDecay(dec("25"), month), 0, 30 * day, "7.5"},
		{"linear 25% a month, three months", scoring.LinearDecay(dec("25"), month), 0, 95 * day, "2.5"},
		{"linear 25% a month, four months", scoring.LinearDecay(dec("25"), month), 0, 120 * day, "0"},
		{"linear 30% a month, four months", scoring.LinearDecay(dec("30"), month), 0, 120 * day, "0"},
		{"half-life 30 days, 30 days", scoring.HalfLifeDecay(month), 0, 30 * day, "5"},
		{"half-life 30 days, 60 days", scoring.HalfLifeDecay(month), 0, 60 * day, "2.5"},
		{"half-life 30 days, 15 days", scoring.HalfLifeDecay(month), 0, 15 * day, "7.0711"}, // 10 × 0.707106781
		{"half-life 30 days, 45 days", scoring.HalfLifeDecay(month), 0, 45 * day, "3.5355"}, // 10 × round(0.707106781/2 = 0.3535533905 → 0.353553390 (tie, to even))
		{"step, before first", scoring.StepDecay(scoring.Step{After: scoring.Days(7), Factor: dec("0.5")}, scoring.Step{After: month, Factor: dec("0")}), 0, 6 * day, "10"},
		{"step, after first", scoring.StepDecay(scoring.Step{After: scoring.Days(7), Factor: dec("0.5")}, scoring.Step{After: month, Factor: dec("0")}), 0, 7 * day, "5"},
		{"step, after second", scoring.StepDecay(scoring.Step{After: scoring.Days(7), Factor: dec("0.5")}, scoring.Step{After: month, Factor: dec("0")}), 0, 31 * day, "0"},
		{"window 90 days with 50% a month, 60 days", scoring.PercentDecay(dec("50"), month), scoring.Days(90), 60 * day, "2.5"},
		{"window 90 days with 50% a month, 90 days", scoring.PercentDecay(dec("50"), month), scoring.Days(90), 90 * day, "0"},
		{"window 30 days, no decay, 29 days", scoring.Decay{}, month, 29 * day, "10"},
		{"window 30 days, no decay, 30 days", scoring.Decay{}, month, 30 * day, "0"},
		{"future activity is ignored", scoring.Decay{}, 0, -time.Hour, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := formFillModel(t, tt.decay, tt.within)
			now := t0.Add(tt.age)
			lead := scoring.Lead{Activities: []scoring.Activity{{Type: "form_fill", At: t0}}}
			r, err := m.Score(lead, now, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(dec(tt.want), r.Interest); diff != "" {
				t.Errorf("interest (-want +got):\n%s", diff)
			}
			if tt.within == 0 || tt.age < time.Duration(tt.within) {
				if tt.age >= 0 {
					if diff := cmp.Diff(tt.decay.Factor(tt.age).Mul(dec("10")).RoundBank(scoring.PointPlaces), r.Interest); diff != "" {
						t.Errorf("Decay.Factor disagrees (-want +got):\n%s", diff)
					}
				}
			}
		})
	}
}

// Decay.Factor is exported: an invalid decay (here a 1 ns half-life,
// which Validate rejects) must not make it panic, even for old activities.
func TestDecayFactorInvalidDoesNotPanic(t *testing.T) {
	for _, d := range []scoring.Decay{
		{Kind: scoring.DecayHalfLife, HalfLife: 1},
		{Kind: scoring.DecayHalfLife, HalfLife: scoring.Duration(time.Millisecond)},
		{Kind: scoring.DecayPercent, Percent: dec("50")},
		{Kind: scoring.DecayLinear, Percent: dec("50")},
	} {
		for _, age := range []time.Duration{0, time.Hour, 100 * 365 * day, 1<<63 - 1} {
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%+v.Factor(%s) panicked: %v", d, age, p)
					}
				}()
				_ = d.Factor(age)
			}()
		}
	}
	// A half-life of 1 ns and an age of a century: countless half-lives.
	if got := (scoring.Decay{Kind: scoring.DecayHalfLife, HalfLife: 1}).Factor(100 * 365 * day); !got.IsZero() {
		t.Errorf("factor %s, want 0", got)
	}
}
