package scoring_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/scoring"
)

func ndec(s string) decimal.NullDecimal { return decimal.NewNullDecimal(dec(s)) }

func fitModel(t *testing.T, c scoring.Condition, points string) *scoring.Model[scoring.Lead] {
	t.Helper()
	m, err := scoring.New(scoring.Spec{Format: 1, ID: "f", Fit: scoring.AxisSpec{Rules: []scoring.Rule{
		{Name: "r", Points: dec(points), When: c}}}}, scoring.LeadSource())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFieldRules(t *testing.T) {
	tests := []struct {
		name  string
		cond  scoring.Condition
		value *string // nil: field absent
		want  string
	}{
		{"equals", scoring.Condition{Field: "v", Op: scoring.OpEquals, Value: "saas"}, ptr("saas"), "10"},
		{"equals is case-sensitive", scoring.Condition{Field: "v", Op: scoring.OpEquals, Value: "saas"}, ptr("SaaS"), "0"},
		{"equals ignoring case", scoring.Condition{Field: "v", Op: scoring.OpEquals, Value: "saas", IgnoreCase: true}, ptr("SaaS"), "10"},
		{"one of", scoring.Condition{Field: "v", Op: scoring.OpOneOf, Values: []string{"ES", "MX"}}, ptr("MX"), "10"},
		{"one of, no", scoring.Condition{Field: "v", Op: scoring.OpOneOf, Values: []string{"ES", "MX"}}, ptr("US"), "0"},
		{"not one of", scoring.Condition{Field: "v", Op: scoring.OpNotOneOf, Values: []string{"ES", "MX"}}, ptr("US"), "10"},
		{"not one of, missing field", scoring.Condition{Field: "v", Op: scoring.OpNotOneOf, Values: []string{"ES"}}, nil, "0"},
		{"range inside", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("50"), Max: ndec("500")}, ptr("50"), "10"},
		{"range max is exclusive", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("50"), Max: ndec("500")}, ptr("500"), "0"},
		{"range decimal", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("0.25")}, ptr("0.2500001"), "10"},
		{"range decimal below", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("0.25")}, ptr("0.2499999999999"), "0"},
		{"range negative", scoring.Condition{Field: "v", Op: scoring.OpRange, Max: ndec("0")}, ptr("-3.5"), "10"},
		{"range exponent form", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("1000")}, ptr("1.5e3"), "10"},
		{"range many digits", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("1000")}, ptr("123456789012345678901234567890"), "10"},
		{"range, a tiny exponent form", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("-1"), Max: ndec("1")}, ptr("1e-50"), "10"},
		{"range, a tiny negative exponent form", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("0")}, ptr("-1e-50"), "0"},
		{"range, a tiny exponent form above a bound", scoring.Condition{Field: "v", Op: scoring.OpRange, Max: ndec("0")}, ptr("1e-5000"), "0"},
		{"range, a tiny exponent form below a positive bound", scoring.Condition{Field: "v", Op: scoring.OpRange, Max: ndec("0.000000001")}, ptr("9e-5000"), "10"},
		{"range, a huge exponent form", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("999999999.999999999")}, ptr("1e5000"), "10"},
		{"range, a huge negative exponent form", scoring.Condition{Field: "v", Op: scoring.OpRange, Max: ndec("-999999999")}, ptr("-1e50"), "10"},
		{"range, zero with a huge exponent", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("0"), Max: ndec("0.000000001")}, ptr("0e-5000"), "10"},
		{"range, a long coefficient with a small exponent", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("123456788"), Max: ndec("123456789")}, ptr("1234567885555555555555555555555555555555e-31"), "10"},
		{"range, a number longer than 64 bytes is not read", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("1000")}, ptr("1" + strings.Repeat("0", 64)), "0"},
		{"range not a number", scoring.Condition{Field: "v", Op: scoring.OpRange, Min: ndec("1")}, ptr("many"), "0"},
		{"prefix", scoring.Condition{Field: "v", Op: scoring.OpPrefix, Value: "Head of"}, ptr("Head of Sales"), "10"},
		{"prefix ignoring case", scoring.Condition{Field: "v", Op: scoring.OpPrefix, Value: "head OF", IgnoreCase: true}, ptr("Head of Sales"), "10"},
		{"suffix", scoring.Condition{Field: "v", Op: scoring.OpSuffix, Value: "@gmail.com"}, ptr("a@gmail.com"), "10"},
		{"suffix ignoring case", scoring.Condition{Field: "v", Op: scoring.OpSuffix, Value: "@GMAIL.com", IgnoreCase: true}, ptr("a@Gmail.COM"), "10"},
		{"contains", scoring.Condition{Field: "v", Op: scoring.OpContains, Value: "pricing"}, ptr("/en/pricing/teams"), "10"},
		{"contains ignoring case", scoring.Condition{Field: "v", Op: scoring.OpContains, Value: "PRICING", IgnoreCase: true}, ptr("/en/Pricing/teams"), "10"},
		{"contains, no", scoring.Condition{Field: "v", Op: scoring.OpContains, Value: "pricing"}, ptr("/blog"), "0"},
		{"regex", scoring.Condition{Field: "v", Op: scoring.OpRegex, Value: `^(CEO|CTO)$`}, ptr("CTO"), "10"},
		{"regex ignoring case", scoring.Condition{Field: "v", Op: scoring.OpRegex, Value: `^(ceo|cto)$`, IgnoreCase: true}, ptr("CTO"), "10"},
		{"present", scoring.Condition{Field: "v", Op: scoring.OpPresent}, ptr("x"), "10"},
		{"present, empty", scoring.Condition{Field: "v", Op: scoring.OpPresent}, ptr(""), "0"},
		{"missing", scoring.Condition{Field: "v", Op: scoring.OpMissing}, nil, "10"},
		{"missing, empty counts as missing", scoring.Condition{Field: "v", Op: scoring.OpMissing}, ptr(""), "10"},
		{"equals on a missing field", scoring.Condition{Field: "v", Op: scoring.OpEquals, Value: "x"}, nil, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lead := scoring.Lead{Fields: map[string]string{}}
			if tt.value != nil {
				lead.Fields["v"] = *tt.value
			}
			for _, pts := range []string{"10", "-10"} {
				r, err := fitModel(t, tt.cond, pts).Score(lead, t0, nil)
				if err != nil {
					t.Fatal(err)
				}
				want := dec(tt.want)
				if pts == "-10" {
					want = want.Neg()
				}
				if diff := cmp.Diff(want, r.Fit); diff != "" {
					t.Errorf("points %s: fit (-want +got):\n%s", pts, diff)
				}
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestActivityRuleFiltersAndCaps(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "caps", Version: 7,
		Interest: scoring.AxisSpec{
			Rules: []scoring.Rule{
				{Name: "pricing", Points: dec("5"), Cap: ndec("12"), Group: "web", Activity: "page_view",
					Where: []scoring.Condition{{Field: "url", Op: scoring.OpContains, Value: "/pricing"}}},
				{Name: "blog", Points: dec("2"), Group: "web", Activity: "page_view",
					Where: []scoring.Condition{{Field: "url", Op: scoring.OpPrefix, Value: "/blog"}}},
				{Name: "careers", Points: dec("-4"), Cap: ndec("6"), Activity: "page_view",
					Where: []scoring.Condition{{Field: "url", Op: scoring.OpPrefix, Value: "/careers"}}},
				{Name: "demo", Points: dec("60"), Activity: "demo_request"},
			},
			Groups: []scoring.Group{{Name: "web", Max: ndec("15")}},
			Max:    ndec("70"),
		},
	}
	m := scoring.MustNew(spec, scoring.LeadSource())
	pv := func(url string, daysAgo int) scoring.Activity {
		return scoring.Activity{Type: "page_view", At: t0.Add(-time.Duration(daysAgo) * day), Attrs: []scoring.Attr{{Key: "url", Value: url}}}
	}
	lead := scoring.Lead{Activities: []scoring.Activity{
		pv("/pricing", 1), pv("/pricing", 2), pv("/pricing", 3), // 15, capped at 12
		pv("/blog/a", 1), pv("/blog/b", 5), // 4; group web 16 → 15
		pv("/careers", 1), pv("/careers/x", 2), // −8, capped at −6
		pv("/", 1), // nothing
		{Type: "demo_request", At: t0.Add(-time.Hour)}, // 60
	}}
	r, err := m.Score(lead, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 12 + 4 − 6 + 60 = 70, group −1 → 69; axis max 70 not reached.
	want := []scoring.Entry{
		{Kind: scoring.EntryRule, Axis: scoring.AxisInterest, Name: "pricing", Group: "web", Count: 3, Raw: dec("15"), Decayed: dec("15"), Points: dec("12"), First: t0.Add(-3 * day), Last: t0.Add(-day)},
		{Kind: scoring.EntryRule, Axis: scoring.AxisInterest, Name: "blog", Group: "web", Count: 2, Raw: dec("4"), Decayed: dec("4"), Points: dec("4"), First: t0.Add(-5 * day), Last: t0.Add(-day)},
		{Kind: scoring.EntryRule, Axis: scoring.AxisInterest, Name: "careers", Count: 2, Raw: dec("-8"), Decayed: dec("-8"), Points: dec("-6"), First: t0.Add(-2 * day), Last: t0.Add(-day)},
		{Kind: scoring.EntryRule, Axis: scoring.AxisInterest, Name: "demo", Count: 1, Raw: dec("60"), Decayed: dec("60"), Points: dec("60"), First: t0.Add(-time.Hour), Last: t0.Add(-time.Hour)},
		{Kind: scoring.EntryGroupCap, Axis: scoring.AxisInterest, Name: "web", Group: "web", Raw: dec("16"), Decayed: dec("16"), Points: dec("-1")},
	}
	if got, want := r.Ledger[len(r.Ledger)-1].Reason, `group "web" is capped at 15`; got != want {
		t.Errorf("group cap reason %q, want %q", got, want)
	}
	if len(r.Ledger) != cap(r.Ledger) {
		t.Errorf("ledger of %d entries has capacity %d: Score should allocate it at its exact size", len(r.Ledger), cap(r.Ledger))
	}
	for i := range r.Ledger {
		r.Ledger[i].Reason = ""
	}
	if diff := cmp.Diff(want, r.Ledger); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
	if !r.Interest.Equal(dec("69")) || r.ModelID != "caps" || r.ModelVersion != 7 || r.InterestGrade != "2" {
		t.Errorf("got interest %s, model %s v%d, grade %s", r.Interest, r.ModelID, r.ModelVersion, r.InterestGrade)
	}

	// One more demo: 129 → axis cap 70, with an axis_cap entry.
	lead.Activities = append(lead.Activities, scoring.Activity{Type: "demo_request", At: t0.Add(-2 * time.Hour)})
	r, _ = m.Score(lead, t0, nil)
	last := r.Ledger[len(r.Ledger)-1]
	if !r.Interest.Equal(dec("70")) || last.Kind != scoring.EntryAxisCap || !last.Points.Equal(dec("-59")) {
		t.Errorf("got interest %s, last entry %+v", r.Interest, last)
	}
	if want := "interest is capped at 70"; last.Reason != want || !last.Raw.Equal(dec("129")) {
		t.Errorf("axis cap entry %+v, want raw 129 and reason %q", last, want)
	}
}

func TestQuadrantsAndActions(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "q",
		Fit:      scoring.AxisSpec{Rules: []scoring.Rule{{Name: "fit", Points: dec("60"), When: scoring.Condition{Field: "fit", Op: scoring.OpPresent}}}},
		Interest: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "int", Points: dec("60"), Activity: "visit"}}},
	}
	m := scoring.MustNew(spec, scoring.LeadSource())
	visit := []scoring.Activity{{Type: "visit", At: t0}}
	tests := []struct {
		lead     scoring.Lead
		quadrant scoring.Quadrant
		action   scoring.Action
		label    string
	}{
		{scoring.Lead{Fields: map[string]string{"fit": "y"}, Activities: visit}, scoring.HighFitHighInterest, scoring.ActionContactNow, "B2"},
		{scoring.Lead{Fields: map[string]string{"fit": "y"}}, scoring.HighFitLowInterest, scoring.ActionNurture, "B4"},
		{scoring.Lead{Activities: visit}, scoring.LowFitHighInterest, scoring.ActionOfferGap, "D2"},
		{scoring.Lead{}, scoring.LowFitLowInterest, scoring.ActionDoNotContact, "D4"},
	}
	for _, tt := range tests {
		r, err := m.Score(tt.lead, t0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.Quadrant != tt.quadrant || r.Action != tt.action || r.Label != tt.label {
			t.Errorf("got %s %s %s, want %s %s %s", r.Quadrant, r.Action, r.Label, tt.quadrant, tt.action, tt.label)
		}
	}
}

func TestHysteresis(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "h",
		Fit: scoring.AxisSpec{Rules: []scoring.Rule{
			{Name: "a", Points: dec("40"), When: scoring.Condition{Field: "a", Op: scoring.OpPresent}},
			{Name: "b", Points: dec("15"), When: scoring.Condition{Field: "b", Op: scoring.OpPresent}},
			{Name: "c", Points: dec("10"), When: scoring.Condition{Field: "c", Op: scoring.OpPresent}},
		}, High: scoring.Threshold{Enter: ndec("60"), Leave: ndec("50")}},
	}
	m := scoring.MustNew(spec, scoring.LeadSource())
	lead := func(fields ...string) scoring.Lead {
		l := scoring.Lead{Fields: map[string]string{}}
		for _, f := range fields {
			l.Fields[f] = "y"
		}
		return l
	}
	// 55 from low stays low; 65 enters; 55 from high stays high; 40 leaves; other model's prev is ignored.
	var prev *scoring.Result
	steps := []struct {
		lead scoring.Lead
		want bool
	}{
		{lead("a", "b"), false},
		{lead("a", "b", "c"), true},
		{lead("a", "b"), true},
		{lead("a", "c"), true},
		{lead("a"), false},
		{lead("a", "b"), false},
	}
	for i, s := range steps {
		r, err := m.Score(s.lead, t0, prev)
		if err != nil {
			t.Fatal(err)
		}
		if r.FitHigh != s.want {
			t.Errorf("step %d: fit %s high=%v, want %v", i, r.Fit, r.FitHigh, s.want)
		}
		prev = &r
	}
	other := scoring.Result{ModelID: "other", FitHigh: true}
	if r, _ := m.Score(lead("a", "b"), t0, &other); r.FitHigh {
		t.Error("a previous result of another model was used for hysteresis")
	}
}

type crmLead struct{ ARR decimal.Decimal }

func TestHostCriterion(t *testing.T) {
	arr := scoring.CriterionFunc("arr", scoring.AxisFit, func(l crmLead, now time.Time) scoring.Outcome {
		if l.ARR.IsZero() {
			return scoring.Outcome{}
		}
		return scoring.Outcome{Points: l.ARR.Div(decimal.NewFromInt(3000)).Truncate(6), Count: 1, Reason: "ARR / 3000"}
	})
	m, err := scoring.New(scoring.Spec{Format: 1, ID: "c"}, scoring.Source[crmLead]{}, arr)
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.Score(crmLead{ARR: dec("100000")}, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 33.333333 rounds half-even to 33.3333.
	want := []scoring.Entry{{Kind: scoring.EntryCriterion, Axis: scoring.AxisFit, Name: "arr", Count: 1,
		Raw: dec("33.3333"), Decayed: dec("33.3333"), Points: dec("33.3333"), Reason: "ARR / 3000"}}
	if diff := cmp.Diff(want, r.Ledger); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := m.Score(crmLead{ARR: dec("1e20")}, t0, nil); !errors.Is(err, scoring.ErrCriterion) {
		t.Errorf("out-of-range criterion: err = %v", err)
	}
	negative := scoring.CriterionFunc("visits", scoring.AxisInterest, func(crmLead, time.Time) scoring.Outcome {
		return scoring.Outcome{Points: dec("3"), Count: -2}
	})
	if _, err := scoring.MustNew(scoring.Spec{Format: 1, ID: "c"}, scoring.Source[crmLead]{}, negative).Score(crmLead{}, t0, nil); !errors.Is(err, scoring.ErrCriterion) {
		t.Errorf("a criterion counting -2 things: err = %v, want ErrCriterion", err)
	}
	if _, err := scoring.New(scoring.Spec{Format: 1, ID: "c"}, scoring.Source[crmLead]{}, arr, arr); err == nil {
		t.Error("duplicate criterion names accepted")
	}
}

func TestOverflowIsAnError(t *testing.T) {
	// 20 rules × 50 000 activities × 10^9 points ≈ 10^15 points > 9.2·10^14.
	spec := scoring.Spec{Format: 1, ID: "o"}
	for i := 0; i < 20; i++ {
		spec.Interest.Rules = append(spec.Interest.Rules, scoring.Rule{Name: string(rune('a' + i)), Points: dec("999999999.9999"), Activity: "x"})
	}
	m := scoring.MustNew(spec, scoring.LeadSource())
	acts := make([]scoring.Activity, 50_000)
	for i := range acts {
		acts[i] = scoring.Activity{Type: "x", At: t0}
	}
	if _, err := m.Score(scoring.Lead{Activities: acts}, t0, nil); !errors.Is(err, scoring.ErrOverflow) {
		t.Errorf("err = %v, want ErrOverflow", err)
	}
}

func TestScoreIntoReusesAndMatchesScore(t *testing.T) {
	m := scoring.MustNew(benchSpec(), benchSource())
	var r scoring.Result
	for _, n := range []int{50, 3, 50} {
		l := benchLeadN(n)
		want, _ := m.Score(l, benchNow, nil)
		if err := m.ScoreInto(&r, l, benchNow, nil); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, r); diff != "" {
			t.Errorf("n=%d (-Score +ScoreInto):\n%s", n, diff)
		}
	}
}

func TestRollup(t *testing.T) {
	ds := func(ss ...string) []decimal.Decimal {
		var out []decimal.Decimal
		for _, s := range ss {
			out = append(out, dec(s))
		}
		return out
	}
	tests := []struct {
		r      scoring.Rollup
		scores []decimal.Decimal
		want   string
	}{
		{scoring.Rollup{}, ds("10", "40", "25"), "40"},
		{scoring.Rollup{}, nil, "0"},
		{scoring.Rollup{Method: scoring.RollupCappedSum}, ds("10", "40", "25"), "75"},
		{scoring.Rollup{Method: scoring.RollupCappedSum, Cap: ndec("60")}, ds("10", "40", "25"), "60"},
		{scoring.Rollup{Method: scoring.RollupTopMean, N: 2}, ds("10", "40", "25"), "32.5"},
		{scoring.Rollup{Method: scoring.RollupTopMean, N: 3}, ds("10", "40", "20"), "23.3333"},
		{scoring.Rollup{Method: scoring.RollupTopMean, N: 3}, ds("0.0001", "0.0001", "0"), "0.0001"}, // 0.0000666… → 0.0001
		{scoring.Rollup{Method: scoring.RollupTopMean, N: 2}, ds("0.0001", "0", "-5"), "0"},          // 0.00005: tie → even 0
		{scoring.Rollup{Method: scoring.RollupTopMean, N: 2}, ds("0.0003", "0", "-5"), "0.0002"},     // 0.00015: tie → even 0.0002
		{scoring.Rollup{Method: scoring.RollupTopMean, N: 5}, ds("10", "-40"), "-15"},
	}
	for _, tt := range tests {
		got, err := tt.r.Combine(tt.scores)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(dec(tt.want)) {
			t.Errorf("%+v of %v = %s, want %s", tt.r, tt.scores, got, tt.want)
		}
	}
	if _, err := (scoring.Rollup{Method: scoring.RollupTopMean}).Combine(ds("1")); !errors.Is(err, scoring.ErrRollup) {
		t.Errorf("top_mean with N=0: err = %v", err)
	}
	if _, err := (scoring.Rollup{Method: "median"}).Combine(ds("1")); !errors.Is(err, scoring.ErrRollup) {
		t.Errorf("unknown method: err = %v", err)
	}
	// A negative cap, and a cap or N on a method they do not belong to,
	// are refused, with scores or without (they were applied or ignored).
	for _, r := range []scoring.Rollup{
		{Method: scoring.RollupCappedSum, Cap: ndec("-1")},
		{Method: scoring.RollupCappedSum, Cap: ndec("-0.0001")},
		{Cap: ndec("10")},
		{Method: scoring.RollupMax, Cap: ndec("10")},
		{Method: scoring.RollupTopMean, N: 2, Cap: ndec("10")},
		{N: 2},
		{Method: scoring.RollupCappedSum, N: 2},
		{Method: scoring.RollupTopMean, N: -1},
	} {
		for _, scores := range [][]decimal.Decimal{nil, ds("10", "40")} {
			if got, err := r.Combine(scores); !errors.Is(err, scoring.ErrRollup) {
				t.Errorf("%+v of %v = %s, %v; want ErrRollup", r, scores, got, err)
			}
		}
		if _, err := r.Account([]scoring.Result{{Fit: dec("1")}}); !errors.Is(err, scoring.ErrRollup) {
			t.Errorf("%+v Account: err = %v, want ErrRollup", r, err)
		}
	}
	if got, err := (scoring.Rollup{Method: scoring.RollupCappedSum, Cap: ndec("0")}).Combine(ds("10", "-40")); err != nil || !got.Equal(dec("-30")) {
		t.Errorf("capped_sum under a zero cap of a negative sum = %s, %v; want -30", got, err)
	}
	// Account combines the contacts of one model and version only.
	v1 := scoring.Result{ModelID: "b2b", ModelVersion: 1, Fit: dec("80"), Interest: dec("10")}
	other := []scoring.Result{{ModelID: "b2b", ModelVersion: 2, Fit: dec("20")}, {ModelID: "smb", ModelVersion: 1, Fit: dec("20")}}
	for _, o := range other {
		if _, err := (scoring.Rollup{}).Account([]scoring.Result{v1, o}); !errors.Is(err, scoring.ErrRollup) {
			t.Errorf("Account of %s v%d and %s v%d: err = %v, want ErrRollup", v1.ModelID, v1.ModelVersion, o.ModelID, o.ModelVersion, err)
		}
	}
	if a, err := (scoring.Rollup{Method: scoring.RollupCappedSum}).Account([]scoring.Result{v1, v1}); err != nil || !a.Fit.Equal(dec("160")) || !a.Interest.Equal(dec("20")) || a.Contacts != 2 {
		t.Errorf("Account of two contacts: %+v, %v", a, err)
	}
	if a, err := (scoring.Rollup{}).Account(nil); err != nil || !a.Fit.IsZero() || a.Contacts != 0 {
		t.Errorf("Account of no contacts: %+v, %v", a, err)
	}
}

func TestCalibrateHandComputed(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "cal", Version: 2, Fit: scoring.AxisSpec{Rules: []scoring.Rule{
		{Name: "saas", Points: dec("10"), When: scoring.Condition{Field: "industry", Op: scoring.OpEquals, Value: "saas"}},
		{Name: "phone", Points: dec("5"), When: scoring.Condition{Field: "phone", Op: scoring.OpPresent}},
	}}}
	m := scoring.MustNew(spec, scoring.LeadSource())
	var samples []scoring.Sample[scoring.Lead]
	add := func(n int, industry string, phone bool, converted bool) {
		for i := 0; i < n; i++ {
			l := scoring.Lead{Fields: map[string]string{"industry": industry}}
			if phone {
				l.Fields["phone"] = "1"
			}
			samples = append(samples, scoring.Sample[scoring.Lead]{Lead: l, At: t0, Converted: converted})
		}
	}
	// saas: 12 of 20 convert (0.6); others: 3 of 20 (0.15). phone on half of each, evenly.
	add(6, "saas", true, true)
	add(6, "saas", false, true)
	add(4, "saas", true, false)
	add(4, "saas", false, false)
	add(2, "retail", true, true)
	add(1, "retail", false, true)
	add(8, "retail", true, false)
	add(9, "retail", false, false)
	cal, err := m.Calibrate(samples, scoring.CalibrationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// base 15/40 = 0.375. saas: lift 0.6/0.375 = 1.6; suggested 100 × (0.6 − 0.15) = 45.
	// phone: with 8/20 = 0.4, without 7/20 = 0.35: differ by 0.05, not less: kept; lift 1.0667; suggested 5.
	want := scoring.Calibration{ModelID: "cal", ModelVersion: 2, Leads: 40, Converted: 15, BaseRate: dec("0.375"),
		Criteria: []scoring.CriterionStats{
			{Name: "saas", Axis: scoring.AxisFit, Points: dec("10"), Support: 20, ConvertedWith: 12, ConvertedWithout: 3,
				RateWith: dec("0.6"), RateWithout: dec("0.15"), Lift: dec("1.6"), Suggested: dec("45"),
				Why: "leads with it convert at 0.6, without it at 0.15 (lift 1.6): suggested 45 points"},
			{Name: "phone", Axis: scoring.AxisFit, Points: dec("5"), Support: 20, ConvertedWith: 8, ConvertedWithout: 7,
				RateWith: dec("0.4"), RateWithout: dec("0.35"), Lift: dec("1.0667"), Suggested: dec("5"),
				Why: "leads with it convert at 0.4, without it at 0.35 (lift 1.0667): suggested 5 points"},
		}}
	if diff := cmp.Diff(want, cal); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	cal, _ = m.Calibrate(samples, scoring.CalibrationOptions{MinDifference: dec("0.1")})
	if !cal.Criteria[1].NonDiscriminating || cal.Criteria[0].NonDiscriminating {
		t.Errorf("with MinDifference 0.1, want only phone flagged: %+v", cal.Criteria)
	}
}

func TestContributionsAddUpToTheLedger(t *testing.T) {
	m := scoring.MustNew(benchSpec(), benchSource())
	l := benchLeadN(50)
	r, err := m.Score(l, benchNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]decimal.Decimal{}
	counts := map[string]int{}
	for _, c := range m.Contributions(l, benchNow) {
		if !c.Value.Equal(c.Points.Mul(c.Factor).RoundBank(scoring.PointPlaces)) {
			t.Errorf("%+v: value is not points × factor rounded", c)
		}
		sums[c.Rule] = sums[c.Rule].Add(c.Value)
		counts[c.Rule]++
	}
	for _, e := range r.Ledger {
		if e.Kind != scoring.EntryRule || e.First.IsZero() {
			continue
		}
		if !sums[e.Name].Equal(e.Decayed) || counts[e.Name] != e.Count {
			t.Errorf("%s: contributions sum to %s over %d activities, ledger says %s over %d", e.Name, sums[e.Name], counts[e.Name], e.Decayed, e.Count)
		}
	}
	// The 10-point form fill under "50 % every month", one month on.
	m2 := formFillModel(t, scoring.PercentDecay(dec("50"), scoring.Days(30)), 0)
	got := m2.Contributions(scoring.Lead{Activities: []scoring.Activity{{Type: "form_fill", At: t0}}}, t0.Add(30*day))
	want := []scoring.Contribution{{Rule: "form", Axis: scoring.AxisInterest, Activity: 0, At: t0, Age: 30 * day,
		Points: dec("10"), Factor: dec("0.5"), Value: dec("5")}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestConcurrentScoringIsSafeAndDeterministic(t *testing.T) {
	m := scoring.MustNew(benchSpec(), benchSource())
	l := benchLeadN(50)
	want, _ := m.Score(l, benchNow, nil)
	errs := make(chan string, 4)
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 50; i++ {
				got, err := m.Score(l, benchNow, nil)
				if err != nil || !got.Equal(want) || got.Explain() != want.Explain() {
					errs <- "a concurrent score differs"
					return
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestManyGroups(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "g"}
	for i := 0; i < 20; i++ { // more groups than Score keeps on its stack
		name := string(rune('a' + i))
		spec.Fit.Groups = append(spec.Fit.Groups, scoring.Group{Name: name, Max: ndec("3")})
		spec.Fit.Rules = append(spec.Fit.Rules, scoring.Rule{Name: name, Points: dec("5"), Group: name,
			When: scoring.Condition{Field: "f", Op: scoring.OpPresent}})
	}
	r, err := scoring.MustNew(spec, scoring.LeadSource()).Score(scoring.Lead{Fields: map[string]string{"f": "y"}}, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Fit.Equal(dec("60")) || len(r.Ledger) != 40 {
		t.Errorf("fit %s with %d entries, want 60 with 40", r.Fit, len(r.Ledger))
	}
}

func TestResultJSONRoundTrip(t *testing.T) {
	m := scoring.MustNew(benchSpec(), benchSource())
	want, _ := m.Score(benchLeadN(50), benchNow, nil)
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var got scoring.Result
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The number of allocations of a score does not depend on the number of
// activities (a law of the design; timings are never asserted): on the
// reference workload, Score and ScoreInto allocate exactly as often for
// 50, 500 and 5 000 activities (up to about 500 counted by one rule).
// Only beyond 1 024 counted by one rule, where the model stops keeping
// that rule's raw totals ready, does a rule add its raw total's two
// allocations: still bounded by the number of rules.
func TestAllocationsDoNotGrowWithActivities(t *testing.T) {
	m := scoring.MustNew(benchSpec(), benchSource())
	measure := func(n int) (score, into float64) {
		l := benchLeadN(n)
		var r scoring.Result
		into = testing.AllocsPerRun(20, func() {
			if err := m.ScoreInto(&r, l, benchNow, &r); err != nil {
				t.Fatal(err)
			}
		})
		score = testing.AllocsPerRun(20, func() {
			if _, err := m.Score(l, benchNow, nil); err != nil {
				t.Fatal(err)
			}
		})
		return score, into
	}
	score50, into50 := measure(50)
	for _, n := range []int{500, 5000} {
		if score, into := measure(n); score != score50 || into != into50 {
			t.Errorf("%d activities: Score %.0f and ScoreInto %.0f allocations, with 50: %.0f and %.0f", n, score, into, score50, into50)
		}
	}
	if score50 != into50+1 {
		t.Errorf("Score allocates %.0f times, ScoreInto %.0f: Score should add only its ledger", score50, into50)
	}
	const activityRules = 10
	if score, into := measure(20_000); score > score50+2*activityRules || into > into50+2*activityRules {
		t.Errorf("20 000 activities: Score %.0f and ScoreInto %.0f allocations, more than 2 per activity rule above %.0f and %.0f", score, into, score50, into50)
	}
}

func TestIdentifiersValid(t *testing.T) {
	for _, q := range []scoring.Quadrant{scoring.HighFitHighInterest, scoring.HighFitLowInterest, scoring.LowFitHighInterest, scoring.LowFitLowInterest} {
		if !q.Valid() || !q.Action().Valid() {
			t.Errorf("%s or its action is not valid", q)
		}
	}
	if scoring.Quadrant("middle").Valid() || scoring.Action("call").Valid() || scoring.Axis("size").Valid() || !scoring.AxisFit.Valid() {
		t.Error("Valid accepts an unknown identifier or rejects a known one")
	}
}

// Negative activity points (unsubscribe, bounce) under decay, a rule cap
// on a negative total, and an axis minimum that floors the total with an
// axis_cap entry: all hand-computed.
func TestNegativePointsAndAxisFloor(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "neg", Version: 1,
		Interest: scoring.AxisSpec{
			Rules: []scoring.Rule{
				{Name: "visit", Points: dec("4"), Activity: "page_view"},
				{Name: "unsubscribe", Points: dec("-30"), Activity: "unsubscribe",
					Decay: scoring.HalfLifeDecay(scoring.Days(30))},
				{Name: "bounce", Points: dec("-10"), Cap: ndec("15"), Activity: "email_bounce"},
			},
			Min: ndec("-20"),
		},
	}
	m := scoring.MustNew(spec, scoring.LeadSource())
	lead := scoring.Lead{Activities: []scoring.Activity{
		{Type: "page_view", At: t0.Add(-day)},
		{Type: "page_view", At: t0.Add(-2 * day)},
		{Type: "unsubscribe", At: t0.Add(-30 * day)}, // −30 × ½ = −15
		{Type: "email_bounce", At: t0.Add(-3 * day)},
		{Type: "email_bounce", At: t0.Add(-4 * day)}, // −20, capped at −15
	}}
	r, err := m.Score(lead, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 8 − 15 − 15 = −22, floored at −20 by an entry of +2.
	want := []scoring.Entry{
		{Kind: scoring.EntryRule, Axis: scoring.AxisInterest, Name: "visit", Count: 2, Raw: dec("8"), Decayed: dec("8"), Points: dec("8"), First: t0.Add(-2 * day), Last: t0.Add(-day)},
		{Kind: scoring.EntryRule, Axis: scoring.AxisInterest, Name: "unsubscribe", Count: 1, Raw: dec("-30"), Decayed: dec("-15"), Points: dec("-15"), First: t0.Add(-30 * day), Last: t0.Add(-30 * day)},
		{Kind: scoring.EntryRule, Axis: scoring.AxisInterest, Name: "bounce", Count: 2, Raw: dec("-20"), Decayed: dec("-20"), Points: dec("-15"), First: t0.Add(-4 * day), Last: t0.Add(-3 * day)},
		{Kind: scoring.EntryAxisCap, Axis: scoring.AxisInterest, Name: "interest", Raw: dec("-22"), Decayed: dec("-22"), Points: dec("2"), Reason: "interest is floored at -20"},
	}
	for i := range r.Ledger {
		if r.Ledger[i].Kind == scoring.EntryRule {
			r.Ledger[i].Reason = ""
		}
	}
	if diff := cmp.Diff(want, r.Ledger); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
	if !r.Interest.Equal(dec("-20")) || r.InterestGrade != "4" || r.Action != scoring.ActionDoNotContact {
		t.Errorf("interest %s grade %s action %s, want -20, 4, do_not_contact", r.Interest, r.InterestGrade, r.Action)
	}
}
