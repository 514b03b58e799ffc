package scoring_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/smarketing/smarketing/scoring"
	"github.com/smarketing/smarketing/scoring/scoringtest"
)

var propNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func TestPropFastPathEqualsDecimalReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := scoringtest.Spec().Draw(t, "spec")
		m, err := scoring.New(spec, scoring.LeadSource())
		if err != nil {
			t.Fatalf("generated spec rejected: %v", err)
		}
		lead := scoringtest.Lead(propNow).Draw(t, "lead")
		// Score at now or later, so some activities leave windows and decay.
		now := propNow.Add(time.Duration(rapid.Int64Range(0, 400*86400).Draw(t, "later_s")) * time.Second)
		var prev *scoring.Result
		if rapid.Bool().Draw(t, "has_prev") {
			// Usually this model's previous result; sometimes another model's (ignored).
			prevID := rapid.SampledFrom([]string{spec.ID, spec.ID, "other-model"}).Draw(t, "prev_id")
			prev = &scoring.Result{ModelID: prevID, FitHigh: rapid.Bool().Draw(t, "fh"), InterestHigh: rapid.Bool().Draw(t, "ih")}
		}
		got, err := m.Score(lead, now, prev)
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffReference(spec, lead, now, prev, got); diff != "" {
			t.Fatalf("fast path differs from the decimal reference (-want +got):\n%s", diff)
		}
	})
}

func TestPropLedgerAndCaps(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := scoringtest.Spec().Draw(t, "spec")
		m := scoring.MustNew(spec, scoring.LeadSource())
		lead := scoringtest.Lead(propNow).Draw(t, "lead")
		r := scoringtest.Check(t, m, lead, propNow)
		sums := map[string]decimal.Decimal{}
		for _, c := range m.Contributions(lead, propNow) {
			sums[c.Rule] = sums[c.Rule].Add(c.Value)
		}
		for _, e := range r.Ledger {
			if e.Kind == scoring.EntryRule && !e.First.IsZero() && !sums[e.Name].Equal(e.Decayed) {
				t.Fatalf("%s: contributions sum to %s, ledger Decayed is %s", e.Name, sums[e.Name], e.Decayed)
			}
		}
	})
}

func TestPropDecayNeverIncreases(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := scoringtest.Spec().Draw(t, "spec")
		m := scoring.MustNew(spec, scoring.LeadSource())
		lead := scoringtest.Lead(propNow).Draw(t, "lead")
		later := propNow.Add(time.Duration(rapid.Int64Range(0, 800*86400).Draw(t, "later_s")) * time.Second)
		scoringtest.CheckDecay(t, m, lead, propNow, later)
	})
}

func TestPropActivityOrderIrrelevant(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := scoringtest.Spec().Draw(t, "spec")
		m := scoring.MustNew(spec, scoring.LeadSource())
		lead := scoringtest.Lead(propNow).Draw(t, "lead")
		shuffled := lead
		shuffled.Activities = rapid.Permutation(lead.Activities).Draw(t, "perm")
		scoringtest.CheckOrder(t, m, lead, shuffled, propNow)
	})
}

func TestPropSpecJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := scoringtest.Spec().Draw(t, "spec")
		data, err := spec.JSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := scoring.ParseSpec(data)
		if err != nil {
			t.Fatalf("%v\n%s", err, data)
		}
		m1 := scoring.MustNew(spec, scoring.LeadSource())
		m2 := scoring.MustNew(back, scoring.LeadSource())
		lead := scoringtest.Lead(propNow).Draw(t, "lead")
		r1, _ := m1.Score(lead, propNow, nil)
		r2, _ := m2.Score(lead, propNow, nil)
		if diff := cmp.Diff(r1, r2); diff != "" {
			t.Fatalf("JSON round trip changed the scores (-before +after):\n%s", diff)
		}
	})
}
