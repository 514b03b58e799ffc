package scoring_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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
		// An equal spec (empty slices read back as nil).
		if diff := cmp.Diff(spec, back, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("JSON round trip changed the spec (-before +after):\n%s", diff)
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

// The model computes decay factors in an integer form; Decay.Factor is
// the definition. They agree at every age: period and half-life
// boundaries (one nanosecond either side), exactly zero, tiny, and ages
// up to the largest time.Duration; and a lone activity's score is its
// contribution.
func TestPropModelFactorIsDecayFactor(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := scoringtest.Decay().Draw(t, "decay")
		points := scoringtest.Points().Draw(t, "points")
		spec := scoring.Spec{Format: 1, ID: "f", Interest: scoring.AxisSpec{Rules: []scoring.Rule{
			{Name: "r", Points: points, Activity: "a", Decay: d}}}}
		m := scoring.MustNew(spec, scoring.LeadSource())
		var age time.Duration
		switch rapid.IntRange(0, 3).Draw(t, "how") {
		case 0: // any age
			age = time.Duration(rapid.Int64Range(0, math.MaxInt64).Draw(t, "age"))
		case 1: // at a boundary: k periods (or half-lives, or steps), ±1 ns
			p := time.Duration(d.Every + d.HalfLife)
			if len(d.Steps) > 0 {
				p = time.Duration(d.Steps[rapid.IntRange(0, len(d.Steps)-1).Draw(t, "step")].After)
			}
			if p == 0 {
				p = time.Hour
			}
			k := rapid.Int64Range(0, min(5000, math.MaxInt64/int64(p)-1)).Draw(t, "k")
			age = max(0, time.Duration(k)*p+time.Duration(rapid.Int64Range(-1, 1).Draw(t, "off")))
			if len(d.Steps) > 0 && k > 1 {
				age = p + time.Duration(rapid.Int64Range(-1, 1).Draw(t, "off_step"))
			}
		case 2: // huge
			age = time.Duration(math.MaxInt64 - rapid.Int64Range(0, 1e15).Draw(t, "back"))
		default: // tiny, zero included
			age = time.Duration(rapid.Int64Range(0, 1000).Draw(t, "tiny"))
		}
		now := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
		at := now.Add(-age)
		if now.Sub(at) != age { // beyond time.Time's range
			return
		}
		lead := scoring.Lead{Activities: []scoring.Activity{{Type: "a", At: at}}}
		cs := m.Contributions(lead, now)
		if len(cs) != 1 {
			t.Fatalf("%d contributions, want 1", len(cs))
		}
		if want := d.Factor(age); !cs[0].Factor.Equal(want) || cs[0].Age != age {
			t.Fatalf("age %d: model factor %s at age %d, Decay.Factor %s", age, cs[0].Factor, cs[0].Age, want)
		}
		if want := points.Mul(cs[0].Factor).RoundBank(scoring.PointPlaces); !cs[0].Value.Equal(want) {
			t.Fatalf("value %s, want points × factor rounded %s", cs[0].Value, want)
		}
		r, err := m.Score(lead, now, nil)
		if err != nil || !r.Interest.Equal(cs[0].Value) {
			t.Fatalf("score %s, %v; contribution %s", r.Interest, err, cs[0].Value)
		}
		// An activity in the future (by as little as 1 ns) counts nothing.
		if r, _ := m.Score(lead, at.Add(-1), nil); len(r.Ledger) != 0 || !r.Interest.IsZero() {
			t.Fatalf("an activity after now counted: %+v", r.Ledger)
		}
	})
}

// Host criteria, with any number of places, negative points and counts,
// keep the ledger adding up and the caps holding, reusing a result with
// ScoreInto gives what Score gives, and a criterion's entry shows its
// points rounded half-even to PointPlaces, only when it counted.
func TestPropLedgerWithHostCriteria(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := scoringtest.Spec().Draw(t, "spec")
		var crits []scoring.Criterion[scoring.Lead]
		outcomes := map[string]scoring.Outcome{}
		for i := range rapid.IntRange(0, 3).Draw(t, "criteria") {
			name := fmt.Sprintf("host%d", i)
			o := scoring.Outcome{Points: decimal.New(rapid.Int64Range(-999_999_999, 999_999_999).Draw(t, "coef"), -rapid.Int32Range(0, 12).Draw(t, "places")),
				Count: rapid.IntRange(0, 2).Draw(t, "count"), Reason: "host says so"}
			if rapid.Bool().Draw(t, "zero") {
				o.Points = decimal.Decimal{}
			}
			outcomes[name] = o
			axis := rapid.SampledFrom([]scoring.Axis{scoring.AxisFit, scoring.AxisInterest}).Draw(t, "axis")
			crits = append(crits, scoring.CriterionFunc(name, axis, func(scoring.Lead, time.Time) scoring.Outcome { return o }))
		}
		m, err := scoring.New(spec, scoring.LeadSource(), crits...)
		if err != nil {
			t.Fatal(err)
		}
		lead := scoringtest.Lead(propNow).Draw(t, "lead")
		r := scoringtest.Check(t, m, lead, propNow)
		seen := map[string]bool{}
		for _, e := range r.Ledger {
			if e.Kind != scoring.EntryCriterion {
				continue
			}
			seen[e.Name] = true
			o := outcomes[e.Name]
			if want := o.Points.RoundBank(scoring.PointPlaces); !e.Points.Equal(want) || !e.Raw.Equal(want) || e.Count != o.Count {
				t.Fatalf("%s: entry %+v for outcome %+v", e.Name, e, o)
			}
		}
		for name, o := range outcomes {
			if shown := o.Count > 0 || !o.Points.RoundBank(scoring.PointPlaces).IsZero(); shown != seen[name] {
				t.Fatalf("%s: outcome %+v shown %v", name, o, seen[name])
			}
		}
		// ScoreInto into a used result (a longer ledger, another lead's) is Score.
		dst := scoring.Result{Ledger: make([]scoring.Entry, rapid.IntRange(0, 40).Draw(t, "cap"))}
		for i := range dst.Ledger {
			dst.Ledger[i] = scoring.Entry{Name: "stale", Points: decimal.NewFromInt(1)}
		}
		if err := m.ScoreInto(&dst, lead, propNow, nil); err != nil || !dst.Equal(r) {
			t.Fatalf("ScoreInto: %v\n%s\nScore:\n%s", err, dst.Explain(), r.Explain())
		}
	})
}

// Hysteresis: the previous result moves only the band sides, never a
// total, grade or ledger entry; a previous low result is no previous
// result; a previous high one keeps a side high down to Leave; and
// rescoring with a result's own self (in place too) changes nothing.
func TestPropHysteresis(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := scoringtest.Spec().Draw(t, "spec")
		m := scoring.MustNew(spec, scoring.LeadSource())
		lead := scoringtest.Lead(propNow).Draw(t, "lead")
		r0, err := m.Score(lead, propNow, nil)
		if err != nil {
			t.Fatal(err)
		}
		low, _ := m.Score(lead, propNow, &scoring.Result{ModelID: spec.ID})
		high, _ := m.Score(lead, propNow, &scoring.Result{ModelID: spec.ID, FitHigh: true, InterestHigh: true})
		other, _ := m.Score(lead, propNow, &scoring.Result{ModelID: spec.ID + "-other", FitHigh: true, InterestHigh: true})
		if !low.Equal(r0) || !other.Equal(r0) {
			t.Fatalf("a low previous result, or another model's, changed the result")
		}
		for _, ax := range []struct {
			s               scoring.AxisSpec
			total           decimal.Decimal
			fresh, wasHighR bool
		}{{spec.Fit, r0.Fit, r0.FitHigh, high.FitHigh}, {spec.Interest, r0.Interest, r0.InterestHigh, high.InterestHigh}} {
			enter := decimal.NewFromInt(50)
			if ax.s.High.Enter.Valid {
				enter = ax.s.High.Enter.Decimal
			}
			leave := enter
			if ax.s.High.Leave.Valid {
				leave = ax.s.High.Leave.Decimal
			}
			if ax.fresh != ax.total.GreaterThanOrEqual(enter) || ax.wasHighR != ax.total.GreaterThanOrEqual(leave) {
				t.Fatalf("total %s, enter %s, leave %s: high %v fresh, %v after high", ax.total, enter, leave, ax.fresh, ax.wasHighR)
			}
		}
		same := high
		same.FitHigh, same.InterestHigh, same.Quadrant, same.Action = r0.FitHigh, r0.InterestHigh, r0.Quadrant, r0.Action
		if !same.Equal(r0) || high.Quadrant != scoring.QuadrantOf(high.FitHigh, high.InterestHigh) || high.Action != high.Quadrant.Action() {
			t.Fatalf("a high previous result changed more than the band sides:\n%s\n%s", r0.Explain(), high.Explain())
		}
		for _, prev := range []scoring.Result{r0, high} {
			again, _ := m.Score(lead, propNow, &prev)
			if !again.Equal(prev) {
				t.Fatalf("rescoring with its own result changed it:\n%s\n%s", prev.Explain(), again.Explain())
			}
			if err := m.ScoreInto(&prev, lead, propNow, &prev); err != nil || !again.Equal(prev) {
				t.Fatalf("rescoring in place: %v\n%s\n%s", err, again.Explain(), prev.Explain())
			}
		}
	})
}

// Explain is deterministic and shows the ledger: the two totals, then
// one line per entry of each axis, in ledger order, with its signed
// points and name.
func TestPropExplainMatchesLedger(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := scoringtest.Spec().Draw(t, "spec")
		m := scoring.MustNew(spec, scoring.LeadSource())
		lead := scoringtest.Lead(propNow).Draw(t, "lead")
		r, _ := m.Score(lead, propNow, nil)
		text := r.Explain()
		if again, _ := m.Score(lead, propNow, nil); again.Explain() != text {
			t.Fatalf("Explain is not deterministic")
		}
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		want := []string{fmt.Sprintf("%s v%d at ", r.ModelID, r.ModelVersion)}
		for _, ax := range []scoring.Axis{scoring.AxisFit, scoring.AxisInterest} {
			title := map[scoring.Axis]string{scoring.AxisFit: "Fit ", scoring.AxisInterest: "Interest "}[ax]
			want = append(want, title+r.Total(ax).String()+" (grade ")
			n := 0
			for _, e := range r.Ledger {
				if e.Axis != ax {
					continue
				}
				n++
				s := e.Points.String()
				if e.Points.Sign() > 0 {
					s = "+" + s
				}
				what := e.Name // a rule or criterion: its name; a cap: its reason
				if e.Kind == scoring.EntryGroupCap || e.Kind == scoring.EntryAxisCap {
					what = e.Reason
				}
				want = append(want, fmt.Sprintf("  %8s  %s", s, what))
			}
			if n == 0 {
				want = append(want, "  nothing counted")
			}
		}
		if len(lines) != len(want) {
			t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), text)
		}
		for i := range want {
			if !strings.HasPrefix(lines[i], want[i]) {
				t.Fatalf("line %d is %q, want it to start with %q:\n%s", i, lines[i], want[i], text)
			}
		}
	})
}

// A Result's JSON form round-trips through encoding/json.
func TestPropResultJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := scoringtest.Spec().Draw(t, "spec")
		m := scoring.MustNew(spec, scoring.LeadSource())
		r, _ := m.Score(scoringtest.Lead(propNow).Draw(t, "lead"), propNow, nil)
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back scoring.Result
		if err := json.Unmarshal(data, &back); err != nil || !back.Equal(r) {
			t.Fatalf("%v\n%s", err, cmp.Diff(r, back))
		}
	})
}

// Roll-up laws: the order of the contacts does not matter; max is the
// best score; capped_sum is the sum, at most Cap; top_mean lies between
// the worst and the best of the N best, with at most PointPlaces
// places, and is their exact mean when it needs no rounding; Account is
// Combine on each axis.
func TestPropRollup(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		score := rapid.Custom(func(t *rapid.T) decimal.Decimal {
			return decimal.New(rapid.Int64Range(-1e7, 1e7).Draw(t, "units"), -scoring.PointPlaces)
		})
		scores := rapid.SliceOfN(score, 0, 12).Draw(t, "scores")
		ro := scoring.Rollup{Method: rapid.SampledFrom([]scoring.RollupMethod{"", scoring.RollupMax, scoring.RollupCappedSum, scoring.RollupTopMean}).Draw(t, "method")}
		if ro.Method == scoring.RollupTopMean {
			ro.N = rapid.IntRange(1, 6).Draw(t, "n")
		}
		if ro.Method == scoring.RollupCappedSum && rapid.Bool().Draw(t, "capped") {
			ro.Cap = decimal.NewNullDecimal(score.Draw(t, "cap").Abs())
		}
		got, err := ro.Combine(scores)
		if err != nil {
			t.Fatal(err)
		}
		if perm, _ := ro.Combine(rapid.Permutation(scores).Draw(t, "perm")); !perm.Equal(got) {
			t.Fatalf("%+v: %s, permuted %s", ro, got, perm)
		}
		sorted := slices.Clone(scores)
		slices.SortFunc(sorted, func(a, b decimal.Decimal) int { return b.Cmp(a) })
		sum := decimal.Decimal{}
		for _, s := range scores {
			sum = sum.Add(s)
		}
		switch {
		case len(scores) == 0:
			if !got.IsZero() {
				t.Fatalf("%+v of no scores: %s", ro, got)
			}
		case ro.Method == scoring.RollupCappedSum:
			want := sum
			if ro.Cap.Valid && sum.GreaterThan(ro.Cap.Decimal) {
				want = ro.Cap.Decimal
			}
			if !got.Equal(want) {
				t.Fatalf("capped sum of %v: %s, want %s", scores, got, want)
			}
		case ro.Method == scoring.RollupTopMean:
			top := sorted[:min(ro.N, len(sorted))]
			if got.LessThan(top[len(top)-1]) || got.GreaterThan(top[0]) || !got.Equal(got.Round(scoring.PointPlaces)) {
				t.Fatalf("top %d mean of %v: %s", ro.N, scores, got)
			}
			topSum := decimal.Decimal{}
			for _, s := range top {
				topSum = topSum.Add(s)
			}
			if exact := topSum.Div(decimal.NewFromInt(int64(len(top)))); exact.Equal(exact.Round(scoring.PointPlaces)) && !got.Equal(exact) {
				t.Fatalf("top %d mean of %v: %s, want %s", ro.N, scores, got, exact)
			}
		default:
			if !got.Equal(sorted[0]) {
				t.Fatalf("max of %v: %s", scores, got)
			}
		}
		// Account: Combine on each axis, the fit and interest of each contact.
		results := make([]scoring.Result, len(scores))
		interest := rapid.SliceOfN(score, len(scores), len(scores)).Draw(t, "interest")
		for i := range results {
			results[i] = scoring.Result{ModelID: "m", ModelVersion: 2, Fit: scores[i], Interest: interest[i]}
		}
		acct, err := ro.Account(results)
		wantI, _ := ro.Combine(interest)
		if err != nil || !acct.Fit.Equal(got) || !acct.Interest.Equal(wantI) || acct.Contacts != len(results) {
			t.Fatalf("Account = %+v, %v; want fit %s, interest %s", acct, err, got, wantI)
		}
	})
}
