package scoring_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/scoring"
)

func errorPaths(err error) []string {
	var out []string
	for _, e := range scoring.SpecErrors(err) {
		out = append(out, e.Path)
	}
	return out
}

func TestValidateReportsEveryProblemWithItsPath(t *testing.T) {
	nd := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(dec(s)) }
	spec := scoring.Spec{Format: 2, ID: "", Version: -1,
		Fit: scoring.AxisSpec{
			Rules: []scoring.Rule{
				{Name: "a", Points: dec("1.00001"), When: scoring.Condition{Field: "x", Op: "like"}},
				{Name: "a", Points: dec("1"), Cap: nd("-1"), Group: "nope", When: scoring.Condition{Field: "x", Op: scoring.OpRange}},
				{Name: "c", Points: dec("1"), Within: scoring.Days(3), When: scoring.Condition{Field: "x", Op: scoring.OpPresent}},
			},
			Bands: []scoring.Band{{Grade: "A"}, {Grade: "B", Min: nd("10")}},
			Min:   nd("10"), Max: nd("5"),
		},
		Interest: scoring.AxisSpec{
			Rules: []scoring.Rule{
				{Name: "d", Points: dec("1"), Activity: "open", Decay: scoring.PercentDecay(dec("0.5"), 0)},
				{Name: "e", Points: dec("1"), Activity: "open", Decay: scoring.StepDecay(
					scoring.Step{After: scoring.Days(2), Factor: dec("0.5")}, scoring.Step{After: scoring.Days(1), Factor: dec("0.7")})},
				{Name: "f", Points: dec("1")},
				// A stray part of a field condition on an activity rule.
				{Name: "h", Points: dec("1"), Activity: "open", When: scoring.Condition{IgnoreCase: true}},
			},
			Groups: []scoring.Group{{Name: "g", Min: nd("3"), Max: nd("1")}, {Name: "g"}},
			High:   scoring.Threshold{Enter: nd("10"), Leave: nd("20")},
		},
	}
	err := spec.Validate()
	if !errors.Is(err, scoring.ErrInvalidSpec) {
		t.Fatalf("errors.Is(err, ErrInvalidSpec) is false: %v", err)
	}
	want := []string{
		"format", "id", "version",
		"fit.rules[0].points", "fit.rules[0].when.op",
		"fit.rules[1].name", "fit.rules[1].cap", "fit.rules[1].group", "fit.rules[1].when",
		"fit.rules[2].within",
		"fit", "fit.bands[0].min", "fit.bands[1].min",
		"interest.groups[0]", "interest.groups[1].name",
		"interest.rules[0].decay.every", "interest.rules[0].decay.percent",
		"interest.rules[1].decay.steps[1].after", "interest.rules[1].decay.steps[1].factor",
		"interest.rules[2]", "interest.rules[3].when",
		"interest.high.leave",
	}
	if diff := cmp.Diff(want, errorPaths(err)); diff != "" {
		t.Errorf("error paths (-want +got):\n%s\nall: %v", diff, err)
	}
}

func TestParseSpecErrors(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"unknown field", `{"format":1,"id":"x","colour":"red"}`, `unknown field "colour"`},
		{"trailing data", `{"format":1,"id":"x"} {}`, "data after the spec"},
		{"stray closing bracket", `{"format":1,"id":"x"}]`, "data after the spec"},
		{"stray closing brace", `{"format":1,"id":"x"}}`, "data after the spec"},
		{"not json", `{`, "invalid JSON"},
		{"bad duration", `{"format":1,"id":"x","interest":{"rules":[{"name":"a","points":1,"activity":"o","within":"3 days"}]}}`, `invalid duration "3 days"`},
		{"bad decimal", `{"format":1,"id":"x","fit":{"rules":[{"name":"a","points":"ten"}]}}`, "invalid JSON"},
		{"byte-order mark", "\ufeff{\"format\":1,\"id\":\"x\"}", "byte-order mark"},
		{"too big", `{"id":"` + strings.Repeat("x", scoring.MaxSpecBytes) + `"}`, "more than the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scoring.ParseSpec([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, scoring.ErrInvalidSpec) {
				t.Errorf("ParseSpec error = %v, want one containing %q and wrapping ErrInvalidSpec", err, tt.want)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "big"}
	for i := 0; i <= scoring.MaxRules; i++ {
		spec.Fit.Rules = append(spec.Fit.Rules, scoring.Rule{Name: "r" + decimal.NewFromInt(int64(i)).String(), Points: dec("1"),
			When: scoring.Condition{Field: "f", Op: scoring.OpPresent}})
	}
	spec.Interest.Rules = []scoring.Rule{{Name: "long", Points: dec("1"), Activity: "a",
		Where: []scoring.Condition{{Field: "u", Op: scoring.OpRegex, Value: strings.Repeat("a", scoring.MaxPatternLen+1)}}}}
	want := []string{"", "interest.rules[0].where[0].value"}
	if diff := cmp.Diff(want, errorPaths(spec.Validate())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestHugeNumbersAreRejectedCheaply(t *testing.T) {
	spec, err := scoring.ParseSpec([]byte(`{"format":1,"id":"x","fit":{"rules":[
	  {"name":"a","points":"1e-9999","when":{"field":"f","op":"range","min":"1e9999"}}],
	  "max":"1e9000"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"fit.rules[0].points", "fit.rules[0].when.min", "fit.max"}
	if diff := cmp.Diff(want, errorPaths(spec.Validate())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSourceMustReadWhatRulesNeed(t *testing.T) {
	spec := scoring.Spec{Format: 1, ID: "x",
		Fit:      scoring.AxisSpec{Rules: []scoring.Rule{{Name: "a", Points: dec("1"), When: scoring.Condition{Field: "f", Op: scoring.OpPresent}}}},
		Interest: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "b", Points: dec("1"), Activity: "open"}}},
	}
	_, err := scoring.New(spec, scoring.Source[scoring.Lead]{})
	if got := len(scoring.SpecErrors(err)); got != 2 {
		t.Errorf("got %d errors, want 2: %v", got, err)
	}
}

func TestSpecFileLoadsAndScores(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "specs", "b2b.json"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := scoring.ParseSpec(data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := scoring.New(spec, scoring.LeadSource())
	if err != nil {
		t.Fatal(err)
	}
	lead := scoring.Lead{Fields: map[string]string{"industry": "SaaS", "employees": "120", "email": "a@gmail.com"},
		Activities: []scoring.Activity{
			{Type: "page_view", At: t0.Add(-day), Attrs: []scoring.Attr{{Key: "url", Value: "/pricing"}}},
			{Type: "page_view", At: t0.Add(-31 * day), Attrs: []scoring.Attr{{Key: "url", Value: "/pricing"}}},
			{Type: "page_view", At: t0.Add(-2 * day), Attrs: []scoring.Attr{{Key: "url", Value: "/careers/eng"}}},
			{Type: "form_fill", At: t0.Add(-14 * day)},
			{Type: "webinar", At: t0.Add(-15 * day)},
			{Type: "download", At: t0.Add(-8 * day)},
		}}
	r, err := m.Score(lead, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	// fit: 40 + 30 − 20 (group "email" floors −20 at −15: +5) = 55 → B, low (enter 60)
	// interest: pricing 10 + 5; forms 15 × ½ = 7.5; webinar 20 × (1 − 2 × 10 %) = 16;
	// ebook 5 × 0.5 = 2.5; careers −10 → 31 → 3, low
	if !r.Fit.Equal(dec("55")) || !r.Interest.Equal(dec("31")) || r.Label != "B3" || r.Action != scoring.ActionDoNotContact {
		t.Errorf("got fit %s interest %s label %q action %s\n%s", r.Fit, r.Interest, r.Label, r.Action, r.Explain())
	}
}

func TestDurationText(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want scoring.Duration
		out  string
	}{
		{"30d", scoring.Days(30), "30d"},
		{"2w", scoring.Days(14), "2w"},
		{"36h", scoring.Duration(36 * 3600e9), "36h0m0s"},
		{"0", 0, "0"},
	} {
		got, err := scoring.ParseDuration(tt.in)
		if err != nil || got != tt.want || got.String() != tt.out {
			t.Errorf("ParseDuration(%q) = %v (%q), %v; want %v (%q)", tt.in, got, got.String(), err, tt.want, tt.out)
		}
	}
	for _, bad := range []string{"", "d", "-3d", "99999999999999w", "3 days", "1.5d"} {
		if _, err := scoring.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) succeeded", bad)
		}
	}
}

// FuzzParseSpec: no input makes ParseSpec, Validate, New or Score panic,
// and every spec New accepts scores the seed lead.
func FuzzParseSpec(f *testing.F) {
	// The seed corpus is in testdata/fuzz/FuzzParseSpec.
	lead := scoring.Lead{Fields: map[string]string{"industry": "saas", "employees": "120", "email": "a@b.com"},
		Activities: []scoring.Activity{{Type: "page_view", At: t0, Attrs: []scoring.Attr{{Key: "url", Value: "/pricing"}}},
			{Type: "form_fill", At: t0.Add(-90 * day)}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := scoring.ParseSpec(data)
		if err != nil {
			return
		}
		m, err := scoring.New(spec, scoring.LeadSource())
		if err != nil {
			if !errors.Is(err, scoring.ErrInvalidSpec) {
				t.Fatalf("New error does not wrap ErrInvalidSpec: %v", err)
			}
			return
		}
		r, scoreErr := m.Score(lead, t0.Add(40*day), nil)
		if scoreErr != nil && !errors.Is(scoreErr, scoring.ErrOverflow) {
			t.Fatal(scoreErr)
		}
		_ = r.Explain()
		_ = m.Contributions(lead, t0.Add(40*day))
		data, err = spec.JSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := scoring.ParseSpec(data)
		if err != nil {
			t.Fatalf("a valid spec does not round-trip: %v\n%s", err, data)
		}
		if diff := cmp.Diff(spec, back, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("JSON round trip changed the spec (-before +after):\n%s", diff)
		}
		if r2, err2 := scoring.MustNew(back, scoring.LeadSource()).Score(lead, t0.Add(40*day), nil); (scoreErr == nil) != (err2 == nil) || !r2.Equal(r) {
			t.Fatalf("JSON round trip changed the score:\n%s\n%s", r.Explain(), r2.Explain())
		}
	})
}

// Every other limit of validate.go, each at one past the limit, with the
// path of the field at fault; and each at the limit itself accepted.
func TestEveryLimitHasAPath(t *testing.T) {
	build := func(over int) scoring.Spec {
		long := strings.Repeat("n", scoring.MaxNameLen+over)
		spec := scoring.Spec{Format: 1, ID: long}
		for i := 0; i < scoring.MaxGroups+over; i++ {
			spec.Fit.Groups = append(spec.Fit.Groups, scoring.Group{Name: "g" + strconv.Itoa(i)})
		}
		for i := 0; i < scoring.MaxBands+over; i++ {
			b := scoring.Band{Grade: "b" + strconv.Itoa(i)}
			if i < scoring.MaxBands+over-1 {
				b.Min = decimal.NewNullDecimal(decimal.NewFromInt(int64(1000 - i)))
			}
			spec.Fit.Bands = append(spec.Fit.Bands, b)
		}
		values := make([]string, scoring.MaxValues+over)
		for i := range values {
			values[i] = "v" + strconv.Itoa(i)
		}
		values[0] = strings.Repeat("v", scoring.MaxPatternLen+over)
		spec.Fit.Rules = []scoring.Rule{{Name: "values", Points: dec("1"),
			When: scoring.Condition{Field: "f", Op: scoring.OpOneOf, Values: values}}}
		var where []scoring.Condition
		for i := 0; i < scoring.MaxConditions+over; i++ {
			where = append(where, scoring.Condition{Field: "u", Op: scoring.OpPresent})
		}
		var steps []scoring.Step
		for i := 0; i < scoring.MaxSteps+over; i++ {
			steps = append(steps, scoring.Step{After: scoring.Days(i + 1), Factor: dec("0.5")})
		}
		spec.Interest.Rules = []scoring.Rule{{Name: "where", Points: dec("1"), Activity: "a", Where: where,
			Decay: scoring.StepDecay(steps...)}}
		// \pL{998} compiles to MaxRegexpInsts instructions, one more repeat to one more.
		spec.Fit.Rules = append(spec.Fit.Rules, scoring.Rule{Name: "regexp", Points: dec("1"),
			When: scoring.Condition{Field: "f", Op: scoring.OpRegex, Value: `\pL{` + strconv.Itoa(scoring.MaxRegexpInsts-2+over) + `}`, IgnoreCase: true}})
		return spec
	}
	if err := build(0).Validate(); err != nil {
		t.Errorf("a spec at every limit is rejected: %v", err)
	}
	want := []string{"id", "fit.groups", "fit.rules[0].when.values", "fit.rules[0].when.values[0]",
		"fit.rules[1].when.value", "fit.bands", "interest.rules[0].where", "interest.rules[0].decay.steps"}
	if diff := cmp.Diff(want, errorPaths(build(1).Validate())); diff != "" {
		t.Errorf("error paths one past every limit (-want +got):\n%s", diff)
	}
}

// TestParseSpecErrorPaths: a value of the wrong type, and half a
// surrogate pair, are reported at the path of the value, with array
// indexes (encoding/json alone names "fit.rules.name").
func TestParseSpecErrorPaths(t *testing.T) {
	for _, tc := range []struct{ json, path string }{
		{`{"format":1,"id":"x","fit":{"rules":[{"name":"a","points":1},{"name":5,"points":1}]}}`, "fit.rules[1].name"},
		{`{"format":1,"id":"x","interest":{"rules":[{"name":"a","points":1,"activity":"o","where":[{"field":"u","op":"one_of","values":["a",7]}]}]}}`,
			"interest.rules[0].where[0].values[1]"},
		{`{"format":1,"id":"x","fit":{"rules":[{"name":"a\ud83d","points":1}]}}`, "fit.rules[0].name"},
		{`{"format":1,"id":"x","fit":{"rules":[{"name":"a","points":1,"Name":"b"}]}}`, "fit.rules[0].Name"},
	} {
		_, err := scoring.ParseSpec([]byte(tc.json))
		var se *scoring.SpecError
		if !errors.As(err, &se) || se.Path != tc.path {
			t.Errorf("ParseSpec(%s): %v, want an error at %q", tc.json, err, tc.path)
		}
	}
}
