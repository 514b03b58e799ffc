package scoring_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/smarketing/smarketing/scoring"
	"github.com/smarketing/smarketing/scoring/scoringtest"
)

// wantEntryLine is what Explain must write for a ledger entry, built
// from the entry and from whether the spec's rule reads activities,
// not from the entry's shape.
func wantEntryLine(e scoring.Entry, activity bool) string {
	s := e.Points.String()
	if e.Points.Sign() > 0 {
		s = "+" + s
	}
	var what string
	switch {
	case e.Kind == scoring.EntryGroupCap || e.Kind == scoring.EntryAxisCap:
		what = fmt.Sprintf("%s (sum was %s)", e.Reason, e.Raw)
	case !activity:
		what = e.Name + ": " + e.Reason
		if !e.Points.Equal(e.Raw) {
			what += fmt.Sprintf(" (%s, capped)", e.Raw)
		}
	default:
		noun := "activities"
		if e.Count == 1 {
			noun = "activity"
		}
		what = fmt.Sprintf("%s: %s (%d %s", e.Name, e.Reason, e.Count, noun)
		if !e.Decayed.Equal(e.Raw) {
			what += fmt.Sprintf(", %s before decay, %s after", e.Raw, e.Decayed)
		}
		if !e.Points.Equal(e.Decayed) {
			what += fmt.Sprintf(", capped from %s", e.Decayed)
		}
		what += "; last on " + e.Last.UTC().Format("2006-01-02") + ")"
	}
	return fmt.Sprintf("  %8s  %s", s, what)
}

// Explain's numbers are Score's, for leads with activities at the zero
// time.Time (which Score counts, at the greatest age, in rules without a
// window), long ago, and in other time zones: each rule's line shows
// its activities, decay and cap as the ledger has them, the lines of an
// axis add up to its total, and the contributions of a rule add up to
// its Decayed. Explain used to take an activity rule whose newest
// activity was at the zero time for a field rule: a 10-point activity
// decayed to 0 read "(10, capped)".
func TestPropExplainAgreesWithScoreAtAnyTime(t *testing.T) {
	madrid := time.FixedZone("CET", 3600)
	rapid.Check(t, func(t *rapid.T) {
		spec := scoringtest.Spec().Draw(t, "spec")
		m := scoring.MustNew(spec, scoring.LeadSource())
		lead := scoringtest.Lead(propNow).Draw(t, "lead")
		for i := range lead.Activities {
			a := &lead.Activities[i]
			switch rapid.IntRange(0, 4).Draw(t, "when") {
			case 0:
				a.At = time.Time{}
			case 1:
				a.At = time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC) // a nanosecond after the zero time
			case 2:
				a.At = a.At.In(madrid)
			}
		}
		activity := map[string]bool{}
		for _, r := range append(spec.Fit.Rules, spec.Interest.Rules...) {
			activity[r.Name] = r.IsActivity()
		}
		r, err := m.Score(lead, propNow, nil)
		if err != nil {
			t.Fatal(err)
		}
		scoringtest.CheckLedger(t, r)
		lines := strings.Split(strings.TrimSuffix(r.Explain(), "\n"), "\n")[1:]
		k := 0
		for _, ax := range []scoring.Axis{scoring.AxisFit, scoring.AxisInterest} {
			k++ // the axis's heading
			sum := decimal.Decimal{}
			n := 0
			for _, e := range r.Ledger {
				if e.Axis != ax {
					continue
				}
				n++
				want := wantEntryLine(e, activity[e.Name])
				if k >= len(lines) || lines[k] != want {
					t.Fatalf("line for %s:\n%q\nwant\n%q\n%s", e.Name, lines[min(k, len(lines)-1)], want, r.Explain())
				}
				sum = sum.Add(decimal.RequireFromString(strings.Fields(lines[k])[0]))
				k++
			}
			if n == 0 {
				k++ // "nothing counted"
			}
			if !sum.Equal(r.Total(ax)) {
				t.Fatalf("%s lines add up to %s, total %s:\n%s", ax, sum, r.Total(ax), r.Explain())
			}
		}
		decayed := map[string]decimal.Decimal{}
		for _, c := range m.Contributions(lead, propNow) {
			decayed[c.Rule] = decayed[c.Rule].Add(c.Value)
		}
		for _, e := range r.Ledger {
			if e.Kind == scoring.EntryRule && activity[e.Name] && !decayed[e.Name].Equal(e.Decayed) {
				t.Fatalf("contributions of %s add up to %s, ledger says %s", e.Name, decayed[e.Name], e.Decayed)
			}
		}
	})
}

// A single activity at the zero time that did not decay has the shape of
// a field rule's entry (count 1, no times, no decay); Explain tells them
// apart by the reason, and a field whose name starts with "each" is
// quoted in its rule's reason so that it is never taken for one.
func TestExplainZeroTimeActivity(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "z", Version: 1,
		Fit: scoring.AxisSpec{Rules: []scoring.Rule{
			{Name: "each", Points: dec("5"), When: scoring.Condition{Field: "each", Op: scoring.OpPresent}},
			{Name: "each one", Points: dec("5"), Cap: ndec("2"), When: scoring.Condition{Field: "each one", Op: scoring.OpEquals, Value: "x"}},
		}},
		Interest: scoring.AxisSpec{Rules: []scoring.Rule{
			{Name: "visit", Points: dec("10"), Activity: "visit"},
			{Name: "form", Points: dec("10"), Cap: ndec("4"), Activity: "form"},
			{Name: "fading", Points: dec("10"), Activity: "visit", Decay: scoring.PercentDecay(dec("50"), scoring.Days(30))},
		}},
	}
	m := scoring.MustNew(spec, scoring.LeadSource())
	lead := scoring.Lead{Fields: map[string]string{"each": "y", "each one": "x"},
		Activities: []scoring.Activity{{Type: "visit"}, {Type: "form"}}}
	r, err := m.Score(lead, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`       +5  each: "each" is known`,
		`       +2  each one: "each one" is "x" (5, capped)`,
		`      +10  visit: each visit (1 activity; last on 0001-01-01)`,
		`       +4  form: each form (1 activity, capped from 10; last on 0001-01-01)`,
		`        0  fading: each visit, losing 50% every 30d (1 activity, 10 before decay, 0 after; last on 0001-01-01)`,
	}
	text := r.Explain()
	for _, w := range want {
		if !strings.Contains(text, w+"\n") {
			t.Errorf("Explain lacks %q:\n%s", w, text)
		}
	}
}
