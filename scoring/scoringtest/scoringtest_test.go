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
	tb = fakeTB{}
	scoringtest.CheckLedger(&tb, scoring.Result{Interest: decimal.NewFromInt(3), Ledger: []scoring.Entry{
		{Kind: scoring.EntryRule, Axis: scoring.AxisFit, Name: "a", Points: decimal.NewFromInt(3)}}})
	if tb.failed == "" {
		t.Error("CheckLedger accepted an interest total made of fit entries")
	}
	tb = fakeTB{}
	scoringtest.CheckLedger(&tb, scoring.Result{Fit: decimal.NewFromInt(3), Ledger: []scoring.Entry{
		{Kind: scoring.EntryRule, Axis: "fitness", Name: "a", Points: decimal.NewFromInt(3)}}})
	if tb.failed == "" {
		t.Error("CheckLedger accepted an entry of an unknown axis as fit")
	}
	tb = fakeTB{}
	scoringtest.CheckLedger(&tb, scoring.Result{Fit: decimal.NewFromInt(3), Interest: decimal.RequireFromString("-1.5"), Ledger: []scoring.Entry{
		{Kind: scoring.EntryRule, Axis: scoring.AxisFit, Name: "a", Points: decimal.NewFromInt(3)},
		{Kind: scoring.EntryRule, Axis: scoring.AxisInterest, Name: "b", Points: decimal.RequireFromString("-1.50")}}})
	if tb.failed != "" {
		t.Errorf("CheckLedger failed a ledger that adds up: %s", tb.failed)
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

// CheckCaps catches a group sum and an axis total outside their bounds,
// not only a rule beyond its cap.
func TestCheckCapsCatchesGroupAndAxisViolations(t *testing.T) {
	d := decimal.NewFromInt
	nd := func(n int64) decimal.NullDecimal { return decimal.NewNullDecimal(d(n)) }
	spec := scoring.Spec{Interest: scoring.AxisSpec{Max: nd(100), Min: nd(-10),
		Groups: []scoring.Group{{Name: "web", Max: nd(15), Min: nd(-5)}},
		Rules:  []scoring.Rule{{Name: "a", Group: "web"}, {Name: "b"}}}}
	entry := func(name, group string, pts int64) scoring.Entry {
		return scoring.Entry{Kind: scoring.EntryRule, Axis: scoring.AxisInterest, Name: name, Group: group, Points: d(pts)}
	}
	tests := []struct {
		name string
		r    scoring.Result
		fail bool
	}{
		{"within bounds", scoring.Result{Interest: d(30), Ledger: []scoring.Entry{entry("a", "web", 15), entry("b", "", 15)}}, false},
		{"group above its max", scoring.Result{Interest: d(36), Ledger: []scoring.Entry{entry("a", "web", 16), entry("b", "", 20)}}, true},
		{"group below its min", scoring.Result{Interest: d(14), Ledger: []scoring.Entry{entry("a", "web", -6), entry("b", "", 20)}}, true},
		{"group capped by its entry", scoring.Result{Interest: d(35), Ledger: []scoring.Entry{entry("a", "web", 16), entry("b", "", 20),
			{Kind: scoring.EntryGroupCap, Axis: scoring.AxisInterest, Name: "web", Group: "web", Points: d(-1)}}}, false},
		{"axis above its max", scoring.Result{Interest: d(101), Ledger: []scoring.Entry{entry("b", "", 101)}}, true},
		{"axis below its min", scoring.Result{Interest: d(-11), Ledger: []scoring.Entry{entry("b", "", -11)}}, true},
	}
	for _, tt := range tests {
		var tb fakeTB
		scoringtest.CheckCaps(&tb, spec, tt.r)
		if failed := tb.failed != ""; failed != tt.fail {
			t.Errorf("%s: CheckCaps failed=%v (%q), want %v", tt.name, failed, tb.failed, tt.fail)
		}
	}
}

// A host whose Source misbehaves (here it returns one more activity on
// every call, so the lead seems to gain activity as time passes) breaks
// the decay law; CheckDecay must say so.
func TestCheckDecayCatchesAGrowingScore(t *testing.T) {
	src := scoring.Source[*int]{Activities: func(calls *int) []scoring.Activity {
		*calls++
		acts := make([]scoring.Activity, *calls)
		for i := range acts {
			acts[i] = scoring.Activity{Type: "page_view", At: now}
		}
		return acts
	}}
	spec := scoring.Spec{Format: scoring.SpecFormat, ID: "grow", Version: 1,
		Interest: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "visit", Points: decimal.NewFromInt(3), Activity: "page_view"}}}}
	m := scoring.MustNew(spec, src)
	var tb fakeTB
	calls := 0
	scoringtest.CheckDecay(&tb, m, &calls, now, now.Add(time.Hour))
	if tb.failed == "" {
		t.Error("CheckDecay accepted a rule whose points grew from 3 to 6 as time passed")
	}
}

// CheckOrder passes a true permutation and catches leads that differ.
func TestCheckOrderCatchesADifference(t *testing.T) {
	spec := scoring.Spec{Format: scoring.SpecFormat, ID: "order", Version: 1,
		Interest: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "visit", Points: decimal.NewFromInt(3), Activity: "page_view",
			Decay: scoring.HalfLifeDecay(scoring.Days(14))}}}}
	m := scoring.MustNew(spec, scoring.LeadSource())
	a := scoring.Lead{Activities: []scoring.Activity{{Type: "page_view", At: now.Add(-time.Hour)}, {Type: "page_view", At: now.Add(-200 * time.Hour)}}}
	perm := scoring.Lead{Activities: []scoring.Activity{a.Activities[1], a.Activities[0]}}
	var tb fakeTB
	scoringtest.CheckOrder(&tb, m, a, perm, now)
	if tb.failed != "" {
		t.Errorf("CheckOrder failed a true permutation: %s", tb.failed)
	}
	other := scoring.Lead{Activities: []scoring.Activity{a.Activities[0], {Type: "page_view", At: now.Add(-100 * time.Hour)}}}
	tb = fakeTB{}
	scoringtest.CheckOrder(&tb, m, a, other, now)
	if tb.failed == "" {
		t.Error("CheckOrder accepted two leads that score differently")
	}
}
