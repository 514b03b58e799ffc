package scoring_test

import (
	"testing"
	"time"

	"github.com/smarketing/smarketing/scoring"
)

// fuzzSpec has a rule of every kind: every operator, case-sensitive and
// not, on lead fields and on an activity attribute, with every decay, a
// window, caps, a group and axis bounds.
func fuzzSpec() scoring.Spec {
	cond := func(field string, op scoring.Op, value string, fold bool) scoring.Condition {
		c := scoring.Condition{Field: field, Op: op, Value: value, IgnoreCase: fold}
		switch op {
		case scoring.OpOneOf, scoring.OpNotOneOf:
			c.Value, c.Values = "", []string{value, "ß", "K"}
		case scoring.OpRange:
			c.Value, c.Min, c.Max = "", ndec("-12.5"), ndec("1000.000000001")
		case scoring.OpRegex:
			c.Value = `^(ce|ct)o\b|[0-9]{3}`
		case scoring.OpPresent, scoring.OpMissing:
			c.Value = ""
		}
		return c
	}
	ops := []scoring.Op{scoring.OpEquals, scoring.OpOneOf, scoring.OpNotOneOf, scoring.OpRange, scoring.OpPrefix,
		scoring.OpSuffix, scoring.OpContains, scoring.OpRegex, scoring.OpPresent, scoring.OpMissing}
	spec := scoring.Spec{Format: 1, ID: "fuzz", Version: 1,
		Fit:      scoring.AxisSpec{Min: ndec("-30"), Max: ndec("200"), Groups: []scoring.Group{{Name: "g", Max: ndec("25")}}},
		Interest: scoring.AxisSpec{Min: ndec("-40"), Max: ndec("150")},
	}
	decays := []scoring.Decay{{}, scoring.PercentDecay(dec("12.5"), scoring.Days(7)), scoring.LinearDecay(dec("30"), scoring.Days(10)),
		scoring.HalfLifeDecay(scoring.Days(3)), scoring.StepDecay(scoring.Step{After: scoring.Days(1), Factor: dec("0.333333333")})}
	n := 0
	for _, fold := range []bool{false, true} {
		for i, op := range ops {
			n++
			name := string(rune('a'+i)) + map[bool]string{false: "", true: "-i"}[fold]
			points := dec("7.25")
			if n%3 == 0 {
				points = dec("-4.5")
			}
			r := scoring.Rule{Name: "f " + name, Points: points, When: cond([]string{"a", "b", "c"}[n%3], op, "Ké", fold)}
			if n%4 == 0 {
				r.Group = "g"
			}
			spec.Fit.Rules = append(spec.Fit.Rules, r)
			spec.Interest.Rules = append(spec.Interest.Rules, scoring.Rule{Name: "i " + name, Points: points, Cap: ndec("20"),
				Activity: []string{"visit", "Visit"}[n%2], Where: []scoring.Condition{cond("u", op, "/Ké", fold)},
				Within: scoring.Days(20 * (n % 3)), Decay: decays[n%len(decays)]})
		}
	}
	return spec
}

// FuzzScoreLead: no lead data makes Score panic or fail, and the score
// equals the straightforward decimal reference to the last digit, for
// field values, activity types, attribute values and times of any kind
// (Unicode, invalid UTF-8, numbers in any form, centuries away).
func FuzzScoreLead(f *testing.F) {
	spec := fuzzSpec()
	m := scoring.MustNew(spec, scoring.LeadSource())
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	f.Add("Ké", "120", "ceo", "visit", "/Ké/pricing", int64(3600), int64(86400*12))
	f.Add("kÉ", "1.5e2", "", "Visit", "/ké", int64(0), int64(-5))
	f.Add("ß", "-12.5", "K", "visit", "/KÉ", int64(86400*30), int64(1<<62))
	f.Add("\xffKé", "1000.000000001", "123", "visit", "\xff/Ké", int64(-1<<63), int64(86400*365*300))
	f.Fuzz(func(t *testing.T, a, b, c, typ, url string, age1, age2 int64) {
		lead := scoring.Lead{Fields: map[string]string{"a": a, "b": b, "c": c}, Activities: []scoring.Activity{
			{Type: typ, At: now.Add(-time.Duration(age1)), Attrs: []scoring.Attr{{Key: "u", Value: url}}},
			{Type: "visit", At: now.Add(-time.Duration(age2)), Attrs: []scoring.Attr{{Key: "u", Value: a}}},
			{Type: "Visit", At: time.Unix(age1, age2), Attrs: []scoring.Attr{{Key: "x", Value: url}, {Key: "u", Value: c}}},
		}}
		got, err := m.Score(lead, now, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffReference(spec, lead, now, nil, got); diff != "" {
			t.Fatalf("model differs from the decimal reference (-want +got):\n%s", diff)
		}
		_ = got.Explain()
	})
}
