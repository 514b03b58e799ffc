package scoring_test

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
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

// Decay.Factor documents that a Percent Validate rejects gives 0 at
// once. It used to compute with any Percent in decimal range: 150 %
// gave a negative "factor" (−0.125 after three periods), −50 % one
// above 1 (3.375), 0.5 % a slow percent decay Validate refuses, and a
// Percent near 10^36 an 87 000-digit number after 2 500 multiplications.
func TestDecayFactorWithPercentOutOfRangeIsZero(t *testing.T) {
	hour := scoring.Duration(time.Hour)
	huge := decimal.NewFromBigInt(new(big.Int).Lsh(big.NewInt(1), 255), -40) // about 5.8·10^36, 256 bits
	for _, d := range []scoring.Decay{
		scoring.PercentDecay(dec("150"), hour),
		scoring.PercentDecay(dec("-50"), hour),
		scoring.PercentDecay(dec("0"), hour),
		scoring.PercentDecay(dec("0.5"), hour), // percent decay needs at least 1 %
		scoring.PercentDecay(dec("50.00001"), hour),
		scoring.PercentDecay(huge, hour),
		scoring.LinearDecay(dec("-50"), hour),
		scoring.LinearDecay(dec("0"), hour),
		scoring.LinearDecay(dec("100.0001"), hour),
		scoring.LinearDecay(huge.Neg(), hour),
	} {
		if got := d.Factor(3 * time.Hour).String(); got != "0" {
			if len(got) > 40 {
				got = fmt.Sprintf("a number of %d characters", len(got))
			}
			t.Errorf("%s %s %%: Factor = %s, want 0", d.Kind, d.Percent, got)
		}
		if err := (scoring.Spec{Format: 1, ID: "d", Interest: scoring.AxisSpec{Rules: []scoring.Rule{
			{Name: "r", Points: dec("1"), Activity: "a", Decay: d}}}}).Validate(); err == nil {
			t.Errorf("%s %s %%: Validate accepts it", d.Kind, d.Percent)
		}
	}
	// In range, nothing changes (the boundaries included).
	for _, tt := range []struct {
		d    scoring.Decay
		want string
	}{
		{scoring.PercentDecay(dec("50"), hour), "0.125"},
		{scoring.PercentDecay(dec("1"), hour), "0.970299"},
		{scoring.PercentDecay(dec("100"), hour), "0"},
		{scoring.PercentDecay(dec("12.3456"), hour), "0.673474512"}, // 0.876544³ = 0.6734745115…
		{scoring.LinearDecay(dec("0.0001"), hour), "0.999997"},
		{scoring.LinearDecay(dec("0.5"), hour), "0.985"},
		{scoring.LinearDecay(dec("100"), hour), "0"},
	} {
		if got := tt.d.Factor(3 * time.Hour); !got.Equal(dec(tt.want)) {
			t.Errorf("%s %s %%: Factor = %s, want %s", tt.d.Kind, tt.d.Percent, got, tt.want)
		}
	}
}

// JSON holds only UTF-8. ParseSpec used to read a spec saved in Latin-1
// ("M\xe9xico") as "M\uFFFDxico", silently, so the rule never matched;
// Spec.JSON wrote such a string the same way, so a spec that scored a
// lead 10 read back as one that scored it 0. Both now refuse, with the
// byte offset or the path of the string.
func TestSpecJSONRefusesInvalidUTF8(t *testing.T) {
	js := "{\"format\":1,\"id\":\"x\",\"fit\":{\"rules\":[{\"name\":\"mx\",\"points\":10,\"when\":{\"field\":\"country\",\"op\":\"equals\",\"value\":\"M\xe9xico\"}}]}}"
	_, err := scoring.ParseSpec([]byte(js))
	if !errors.Is(err, scoring.ErrInvalidSpec) || !strings.Contains(err.Error(), fmt.Sprintf("byte %d (0xe9)", strings.IndexByte(js, 0xe9))) {
		t.Errorf("ParseSpec of Latin-1 text: err = %v, want ErrInvalidSpec naming byte %d", err, strings.IndexByte(js, 0xe9))
	}
	// Valid UTF-8 is read as written, escapes included.
	s, err := scoring.ParseSpec([]byte(strings.ReplaceAll(js, "\xe9", `é\u00e9`)))
	if err != nil || s.Fit.Rules[0].When.Value != "Méé"+"xico" {
		t.Errorf("ParseSpec of UTF-8 text: %v, %q", err, s.Fit.Rules[0].When.Value)
	}

	spec := scoring.Spec{Format: 1, ID: "x\xff",
		Fit: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "mx", Points: dec("10"),
			When: scoring.Condition{Field: "country", Op: scoring.OpOneOf, Values: []string{"ES", "M\xe9xico"}}}},
			Bands: []scoring.Band{{Grade: "\xc3", Min: ndec("10")}, {Grade: "Z"}}},
		Interest: scoring.AxisSpec{Groups: []scoring.Group{{Name: "web\x80"}}, Rules: []scoring.Rule{{Name: "v", Points: dec("1"),
			Group: "web\x80", Activity: "visit\xfe", Where: []scoring.Condition{{Field: "url", Op: scoring.OpPrefix, Value: "/\xe9"}}}}},
	}
	data, err := spec.JSON()
	want := []string{"id", "fit.rules[0].when.values[1]", "interest.rules[0].group", "interest.rules[0].activity",
		"interest.rules[0].where[0].value", "interest.groups[0].name", "fit.bands[0].grade"}
	slices.Sort(want)
	got := errorPaths(err)
	slices.Sort(got)
	if data != nil || !errors.Is(err, scoring.ErrInvalidSpec) || !cmp.Equal(want, got) {
		t.Errorf("Spec.JSON of invalid UTF-8: %q, %v; error paths %v, want %v", data, err, got, want)
	}
	// Validate and New refuse the same strings at the same paths (they
	// accepted them: a spec built in Go scored, then could not be saved).
	err = spec.Validate()
	got = errorPaths(err)
	slices.Sort(got)
	if !errors.Is(err, scoring.ErrInvalidSpec) || !cmp.Equal(want, got) {
		t.Errorf("Validate of invalid UTF-8: %v; error paths %v, want %v", err, got, want)
	}
	if _, err := scoring.New(spec, scoring.LeadSource()); !errors.Is(err, scoring.ErrInvalidSpec) || len(errorPaths(err)) != len(want) {
		t.Errorf("New of invalid UTF-8: %v, want the %d errors of Validate", err, len(want))
	}
}

// Validate refuses every string that is not UTF-8, whatever the field,
// as ParseSpec does: each at its own path, beside the field's other
// problems. A host criterion's name must be UTF-8 too.
func TestValidateRefusesInvalidUTF8Everywhere(t *testing.T) {
	bad := "\xff"
	tests := []struct {
		path string
		edit func(s *scoring.Spec)
	}{
		{"id", func(s *scoring.Spec) { s.ID = "b2b" + bad }},
		{"fit.rules[0].name", func(s *scoring.Spec) { s.Fit.Rules[0].Name += bad }},
		{"fit.rules[0].when.field", func(s *scoring.Spec) { s.Fit.Rules[0].When.Field += bad }},
		{"fit.rules[0].when.value", func(s *scoring.Spec) { s.Fit.Rules[0].When.Value += bad }},
		{"fit.rules[1].when.values[0]", func(s *scoring.Spec) { s.Fit.Rules[1].When.Values[0] += bad }},
		{"fit.bands[0].grade", func(s *scoring.Spec) { s.Fit.Bands[0].Grade += bad }},
		{"fit.groups[0].name", func(s *scoring.Spec) { s.Fit.Groups[0].Name = "g" + bad; s.Fit.Rules[0].Group = "g" + bad }},
		{"fit.rules[0].group", func(s *scoring.Spec) { s.Fit.Groups[0].Name = "g" + bad; s.Fit.Rules[0].Group = "g" + bad }},
		{"interest.rules[0].activity", func(s *scoring.Spec) { s.Interest.Rules[0].Activity += bad }},
		{"interest.rules[0].where[0].field", func(s *scoring.Spec) { s.Interest.Rules[0].Where[0].Field += bad }},
		{"interest.rules[0].where[0].value", func(s *scoring.Spec) { s.Interest.Rules[0].Where[0].Value += bad }},
	}
	base := func() scoring.Spec {
		return scoring.Spec{Format: 1, ID: "b2b", Version: 1,
			Fit: scoring.AxisSpec{Groups: []scoring.Group{{Name: "g"}}, Rules: []scoring.Rule{
				{Name: "mx", Points: dec("10"), Group: "g", When: scoring.Condition{Field: "country", Op: scoring.OpEquals, Value: "MX"}},
				{Name: "es", Points: dec("5"), When: scoring.Condition{Field: "country", Op: scoring.OpOneOf, Values: []string{"ES"}}},
			}, Bands: []scoring.Band{{Grade: "A", Min: ndec("10")}, {Grade: "B"}}},
			Interest: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "v", Points: dec("1"), Activity: "visit",
				Where: []scoring.Condition{{Field: "url", Op: scoring.OpPrefix, Value: "/p"}}}}},
		}
	}
	if err := base().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		s := base()
		tt.edit(&s)
		err := s.Validate()
		if !errors.Is(err, scoring.ErrInvalidSpec) || !slices.Contains(errorPaths(err), tt.path) {
			t.Errorf("%s not UTF-8: Validate = %v, want an error at %s", tt.path, err, tt.path)
		}
		if _, err := scoring.New(s, scoring.LeadSource()); !slices.Contains(errorPaths(err), tt.path) {
			t.Errorf("%s not UTF-8: New = %v, want an error at %s", tt.path, err, tt.path)
		}
	}
	c := scoring.CriterionFunc("crm\xfe", scoring.AxisFit, func(scoring.Lead, time.Time) scoring.Outcome { return scoring.Outcome{} })
	if _, err := scoring.New(base(), scoring.LeadSource(), c); !slices.Contains(errorPaths(err), "criteria[0].name") {
		t.Errorf("criterion name not UTF-8: New = %v, want an error at criteria[0].name", err)
	}
}

// Combine documents that no scores give zero, and an account with no
// contacts has no score. (capped_sum with a negative Cap gave the Cap
// itself for an empty account; a negative Cap is now refused: see
// TestRollup.)
func TestRollupOfNoContactsIsZero(t *testing.T) {
	for _, ro := range []scoring.Rollup{
		{}, {Method: scoring.RollupMax}, {Method: scoring.RollupTopMean, N: 3},
		{Method: scoring.RollupCappedSum}, {Method: scoring.RollupCappedSum, Cap: ndec("60")}, {Method: scoring.RollupCappedSum, Cap: ndec("0")},
	} {
		for _, scores := range [][]decimal.Decimal{nil, {}} {
			if got, err := ro.Combine(scores); err != nil || !got.IsZero() {
				t.Errorf("%+v.Combine(%#v) = %s, %v; want 0", ro, scores, got, err)
			}
		}
		if got, err := ro.Account(nil); err != nil || !got.Fit.IsZero() || !got.Interest.IsZero() || got.Contacts != 0 {
			t.Errorf("%+v.Account(nil) = %+v, %v; want zero", ro, got, err)
		}
	}
}

// encoding/json keeps the last of two members with the same key (in any
// case) and drops the other silently: a spec file with "points": 10
// and, further down, "points": 1 in the same rule scored 1, with no
// word. ParseSpec refuses it, at the member's path.
func TestParseSpecRefusesDuplicateKeys(t *testing.T) {
	for _, tt := range []struct{ json, path string }{
		{`{"format":1,"id":"x","fit":{"rules":[{"name":"a","points":10,"when":{"field":"f","op":"present"},"points":1}]}}`, "fit.rules[0].points"},
		{`{"format":1,"id":"x","fit":{"rules":[{"name":"a","points":10,"Points":1,"when":{"field":"f","op":"present"}}]}}`, "fit.rules[0].Points"},
		{`{"format":1,"id":"x","ID":"y"}`, "ID"},
		{`{"format":1,"id":"x","interest":{"rules":[{"name":"a","points":1,"activity":"v","where":[
			{"field":"u","op":"present"},{"field":"u","op":"equals","value":"/a","VALUE":"/b"}]}]}}`, "interest.rules[0].where[1].VALUE"},
		{`{"format":1,"id":"x","fit":{"high":{"enter":10,"enter":"90"}}}`, "fit.high.enter"},
		{`{"format":1,"id":"x","interest":{"rules":[{"name":"a","points":1,"activity":"v","decay":{"kind":"step","steps":[
			{"after":"1d","factor":"0.5"},{"after":"2d","factor":"0.2","after":"3d"}]}}]}}`, "interest.rules[0].decay.steps[1].after"},
	} {
		_, err := scoring.ParseSpec([]byte(tt.json))
		var se *scoring.SpecError
		if !errors.As(err, &se) || se.Path != tt.path || !strings.Contains(se.Msg, "twice") {
			t.Errorf("ParseSpec(%s): err = %v, want a SpecError at %s", tt.json, err, tt.path)
		}
	}
	// The same key in different objects, at any depth, is fine.
	spec, err := scoring.ParseSpec([]byte(`{"format":1,"id":"x","version":2,
		"fit":{"rules":[{"name":"a","points":1,"when":{"field":"f","op":"one_of","values":["a","a"]}},{"name":"b","points":2,"when":{"field":"f","op":"present"}}],
			"high":{"enter":10}},
		"interest":{"rules":[{"name":"c","points":1,"activity":"v","where":[{"field":"u","op":"present"},{"field":"w","op":"present"}]}],"high":{"enter":20}}}`))
	if err != nil || spec.Validate() != nil || spec.Version != 2 || len(spec.Interest.Rules[0].Where) != 2 {
		t.Errorf("a spec without duplicate keys: %v, %v", err, spec.Validate())
	}
}

// encoding/json reads a \u escape of half a surrogate pair ("\ud83d",
// which JavaScript's JSON.stringify writes for half an emoji) as U+FFFD,
// silently: the condition then compared another value than the file's.
// ParseSpec refuses it with its byte offset; whole pairs, other escapes
// and an escaped backslash before "u" are read as written.
func TestParseSpecRefusesLoneSurrogates(t *testing.T) {
	spec := func(value string) string {
		return `{"format":1,"id":"x","fit":{"rules":[{"name":"e","points":10,"when":{"field":"emoji","op":"equals","value":"` + value + `"}}]}}`
	}
	for _, bad := range []string{`\ud83d`, `a\ud83dz`, `\ude00`, `\ud83d\u0041`, `\ud83d\ud83d`, `\\\ud83d`, `\ude00\ud83d`, `\uD83D`} {
		js := spec(bad)
		_, err := scoring.ParseSpec([]byte(js))
		at := strings.Index(js, `"value":"`) + len(`"value":"`) + strings.Index(bad, `\u`)
		if !errors.Is(err, scoring.ErrInvalidSpec) || !strings.Contains(err.Error(), fmt.Sprintf("at byte %d ", at)) {
			t.Errorf("ParseSpec of %s: err = %v, want ErrInvalidSpec at byte %d", bad, err, at)
		}
	}
	for bad, want := range map[string]string{`\ud83d\ude00`: "😀", `\\ud83d`: `\ud83d`, `\u00e9\n\\`: "é\n\\", `\uD83D\uDE00x`: "😀x", `\ufffd`: "\ufffd"} {
		s, err := scoring.ParseSpec([]byte(spec(bad)))
		if err != nil || s.Fit.Rules[0].When.Value != want {
			t.Errorf("ParseSpec of %s: %q, %v; want %q", bad, s.Fit.Rules[0].When.Value, err, want)
		}
	}
}

// A condition part its operator does not read was ignored silently: a
// one_of with "value": "ES" never compared ES, an equals with "values"
// never compared them. Validate refuses it at the part's path.
func TestValidateRefusesConditionPartsTheOperatorIgnores(t *testing.T) {
	tests := []struct {
		c    scoring.Condition
		path string
	}{
		{scoring.Condition{Field: "country", Op: scoring.OpOneOf, Value: "ES", Values: []string{"MX"}}, "fit.rules[0].when.value"},
		{scoring.Condition{Field: "country", Op: scoring.OpNotOneOf, Value: "ES", Values: []string{"MX"}}, "fit.rules[0].when.value"},
		{scoring.Condition{Field: "country", Op: scoring.OpPresent, Value: "ES"}, "fit.rules[0].when.value"},
		{scoring.Condition{Field: "country", Op: scoring.OpMissing, Value: "ES"}, "fit.rules[0].when.value"},
		{scoring.Condition{Field: "employees", Op: scoring.OpRange, Min: ndec("10"), Value: "50"}, "fit.rules[0].when.value"},
		{scoring.Condition{Field: "country", Op: scoring.OpEquals, Value: "ES", Values: []string{"MX"}}, "fit.rules[0].when.values"},
		{scoring.Condition{Field: "country", Op: scoring.OpPrefix, Value: "E", Values: []string{"M"}}, "fit.rules[0].when.values"},
		{scoring.Condition{Field: "country", Op: scoring.OpRegex, Value: "^E", Values: []string{"M"}}, "fit.rules[0].when.values"},
		{scoring.Condition{Field: "employees", Op: scoring.OpRange, Min: ndec("10"), Values: []string{"50"}}, "fit.rules[0].when.values"},
		{scoring.Condition{Field: "country", Op: scoring.OpPresent, Values: []string{"ES"}}, "fit.rules[0].when.values"},
	}
	for _, tt := range tests {
		spec := scoring.Spec{Format: 1, ID: "x", Fit: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "r", Points: dec("1"), When: tt.c}}}}
		err := spec.Validate()
		if got := errorPaths(err); !cmp.Equal(got, []string{tt.path}) {
			t.Errorf("%+v: error paths %v, want [%s] (%v)", tt.c, got, tt.path, err)
		}
		// The same in a where condition of an activity rule.
		spec = scoring.Spec{Format: 1, ID: "x", Interest: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "r", Points: dec("1"), Activity: "visit", Where: []scoring.Condition{tt.c}}}}}
		want := strings.Replace(tt.path, "fit.rules[0].when", "interest.rules[0].where[0]", 1)
		if got := errorPaths(spec.Validate()); !cmp.Equal(got, []string{want}) {
			t.Errorf("%+v in where: error paths %v, want [%s]", tt.c, got, want)
		}
	}
}
