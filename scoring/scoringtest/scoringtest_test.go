package scoringtest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/smarketing/smarketing/scoring"
	"github.com/smarketing/smarketing/scoring/scoringtest"
)

var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// fakeTB records a failure instead of stopping the test.
type fakeTB struct{ failed string }

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	if f.failed == "" {
		f.failed = fmt.Sprintf(format, args...)
	}
}

func TestCheckersCatchViolations(t *testing.T) {
	r := scoring.Result{Fit: decimal.NewFromInt(10), Ledger: []scoring.Entry{
		{Kind: scoring.EntryRule, Axis: scoring.AxisFit, Name: "a", Points: decimal.NewFromInt(9)}}}
	var tb fakeTB
	scoringtest.CheckLedger(&tb, r)
	if tb.failed == "" {
		t.Error("CheckLedger accepted a ledger that does not add up")
	}
	spec := scoring.Spec{Fit: scoring.AxisSpec{Max: decimal.NewNullDecimal(decimal.NewFromInt(5)),
		Rules: []scoring.Rule{{Name: "a", Cap: decimal.NewNullDecimal(decimal.NewFromInt(8))}}}}
	tb = fakeTB{}
	scoringtest.CheckCaps(&tb, spec, r)
	if tb.failed == "" {
		t.Error("CheckCaps accepted a rule beyond its cap")
	}
}

func TestGeneratedSpecsAreValid(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		if err := scoringtest.Spec().Draw(t, "spec").Validate(); err != nil {
			t.Fatal(err)
		}
	})
}

// A host checks the laws on its own model in its own test (this example
// is compiled, not run: the body belongs in a func TestX(t *testing.T)).
func Example() {
	spec := scoring.Spec{Format: scoring.SpecFormat, ID: "mine", Version: 1,
		Interest: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "visit", Points: decimal.NewFromInt(3),
			Cap: decimal.NewNullDecimal(decimal.NewFromInt(12)), Activity: "page_view",
			Decay: scoring.HalfLifeDecay(scoring.Days(14))}}},
	}
	m := scoring.MustNew(spec, scoring.LeadSource())
	testMyModel := func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			lead := scoringtest.Lead(now).Draw(t, "lead")
			scoringtest.Check(t, m, lead, now) // ledger adds up, caps hold
			later := now.Add(time.Duration(rapid.Int64Range(0, 1e6).Draw(t, "s")) * time.Second)
			scoringtest.CheckDecay(t, m, lead, now, later)
			shuffled := lead
			shuffled.Activities = rapid.Permutation(lead.Activities).Draw(t, "perm")
			scoringtest.CheckOrder(t, m, lead, shuffled, now)
		})
	}
	_ = testMyModel
}

func TestHostModelLaws(t *testing.T) {
	spec := scoring.Spec{Format: scoring.SpecFormat, ID: "mine", Version: 1,
		Interest: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "visit", Points: decimal.NewFromInt(3),
			Cap: decimal.NewNullDecimal(decimal.NewFromInt(12)), Activity: "page_view",
			Decay: scoring.HalfLifeDecay(scoring.Days(14))}}},
	}
	m := scoring.MustNew(spec, scoring.LeadSource())
	rapid.Check(t, func(t *rapid.T) {
		lead := scoringtest.Lead(now).Draw(t, "lead")
		scoringtest.Check(t, m, lead, now)
		later := now.Add(time.Duration(rapid.Int64Range(0, 1e6).Draw(t, "s")) * time.Second)
		scoringtest.CheckDecay(t, m, lead, now, later)
	})
}

// CheckDecay leaves the totals to the host when a host criterion counts
// (its points may rightly grow with time, e.g. days as a customer), but
// still checks the built-in rules.
func TestCheckDecayWithGrowingHostCriterion(t *testing.T) {
	tenure := scoring.CriterionFunc("tenure", scoring.AxisFit, func(l scoring.Lead, at time.Time) scoring.Outcome {
		days := int64(at.Sub(now) / (24 * time.Hour))
		return scoring.Outcome{Points: decimal.NewFromInt(days), Count: 1, Reason: "days since signup"}
	})
	spec := scoring.Spec{Format: scoring.SpecFormat, ID: "host", Version: 1,
		Interest: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "visit", Points: decimal.NewFromInt(3),
			Activity: "page_view", Decay: scoring.HalfLifeDecay(scoring.Days(14))}}},
	}
	m := scoring.MustNew(spec, scoring.LeadSource(), tenure)
	lead := scoring.Lead{Activities: []scoring.Activity{{Type: "page_view", At: now}}}
	var tb fakeTB
	scoringtest.CheckDecay(&tb, m, lead, now, now.Add(30*24*time.Hour))
	if tb.failed != "" {
		t.Errorf("CheckDecay failed a model whose host criterion grows with time: %s", tb.failed)
	}
}
