// Package scoringtest is a test kit for hosts of package scoring: rapid
// generators for specs, leads and activities, and checkers for the laws
// every model keeps, so a host can property-test its own scoring
// configuration in CI.
//
// The generators draw from a small vocabulary ([Fields], [ActivityTypes],
// [AttrKeys]) so that generated rules and generated leads meet often.
// Every generated spec is valid. Every generated lead's activities
// happen at or before the time given to the generator.
//
// The checkers take a [TB] (both *testing.T and *rapid.T are one) and
// report a violated law with Fatalf:
//   - [CheckLedger]: the ledger adds up exactly to each axis total;
//   - [CheckCaps]: rule, group and axis caps hold;
//   - [CheckDecay]: as time passes, no rule's decayed points grow in
//     magnitude, and a model without negative points never scores higher;
//   - [CheckOrder]: the order of activities does not change the result.
//
// [Check] scores a lead and runs CheckLedger and CheckCaps on the result.
//
// Nothing here uses globals, goroutines or the clock.
package scoringtest

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/smarketing/smarketing/scoring"
)

// TB is the part of testing.TB and *rapid.T the checkers use.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Fields returns the lead fields generated rules and leads use.
func Fields() []string { return []string{"industry", "country", "employees", "email", "title"} }

// fieldValues are the values generated for each field.
func fieldValues(field string) []string {
	switch field {
	case "industry":
		return []string{"saas", "SaaS", "fintech", "retail", "education"}
	case "country":
		return []string{"ES", "MX", "US", "de", "FR"}
	case "employees":
		return []string{"3", "12", "50", "51.5", "499", "500", "12000", "-1", "n/a", "1e3"}
	case "email":
		return []string{"ana@acme.com", "bo@gmail.com", "cy@ACME.COM", "di@rival.io"}
	default:
		return []string{"CEO", "Head of Marketing", "intern", "cto", "VP Sales"}
	}
}

// ActivityTypes returns the activity types generated rules and leads use.
func ActivityTypes() []string {
	return []string{"page_view", "email_open", "form_fill", "demo_request", "unsubscribe"}
}

// AttrKeys returns the activity attribute keys generated conditions and activities use.
func AttrKeys() []string { return []string{"url", "form"} }

func attrValues(key string) []string {
	if key == "url" {
		return []string{"/pricing", "/blog/a", "/careers", "/PRICING/plans", "/"}
	}
	return []string{"contact", "webinar", "ebook"}
}

// Points generates points with at most 2 decimal places in [−50, 50].
func Points() *rapid.Generator[decimal.Decimal] {
	return rapid.Custom(func(t *rapid.T) decimal.Decimal {
		return decimal.New(rapid.Int64Range(-5000, 5000).Draw(t, "cents"), -2)
	})
}

func nonNeg(t *rapid.T, label string, max int64) decimal.Decimal {
	return decimal.New(rapid.Int64Range(0, max*100).Draw(t, label), -2)
}

func optional(t *rapid.T, label string, g func() decimal.Decimal) decimal.NullDecimal {
	if rapid.Bool().Draw(t, label+"?") {
		return decimal.NewNullDecimal(g())
	}
	return decimal.NullDecimal{}
}

// Condition generates a valid condition on one of the given fields with
// values from vals.
func Condition(fields []string, vals func(string) []string) *rapid.Generator[scoring.Condition] {
	return rapid.Custom(func(t *rapid.T) scoring.Condition {
		f := rapid.SampledFrom(fields).Draw(t, "field")
		vs := vals(f)
		c := scoring.Condition{Field: f, IgnoreCase: rapid.Bool().Draw(t, "fold")}
		c.Op = rapid.SampledFrom([]scoring.Op{scoring.OpEquals, scoring.OpOneOf, scoring.OpNotOneOf, scoring.OpRange,
			scoring.OpPrefix, scoring.OpSuffix, scoring.OpContains, scoring.OpRegex, scoring.OpPresent, scoring.OpMissing}).Draw(t, "op")
		sub := func(s string) string {
			i := rapid.IntRange(0, len(s)).Draw(t, "i")
			j := rapid.IntRange(i, len(s)).Draw(t, "j")
			if i == j {
				return s
			}
			return s[i:j]
		}
		switch c.Op {
		case scoring.OpEquals:
			c.Value = rapid.SampledFrom(vs).Draw(t, "value")
		case scoring.OpOneOf, scoring.OpNotOneOf:
			c.Values = rapid.SliceOfN(rapid.SampledFrom(vs), 1, 3).Draw(t, "values")
		case scoring.OpRange:
			lo := rapid.Int64Range(-100, 1000).Draw(t, "lo")
			c.Min = decimal.NewNullDecimal(decimal.New(lo, -rapid.Int32Range(0, 2).Draw(t, "loexp")))
			c.Max = decimal.NewNullDecimal(c.Min.Decimal.Add(decimal.NewFromInt(rapid.Int64Range(1, 20000).Draw(t, "width"))))
			switch rapid.IntRange(0, 2).Draw(t, "open") {
			case 1:
				c.Min = decimal.NullDecimal{}
			case 2:
				c.Max = decimal.NullDecimal{}
			}
		case scoring.OpPrefix, scoring.OpSuffix, scoring.OpContains:
			c.Value = sub(rapid.SampledFrom(vs).Draw(t, "value"))
		case scoring.OpRegex:
			c.Value = rapid.SampledFrom([]string{"^[a-z]+$", "acme", "(?:pricing|plans)", "^[0-9]{2,3}$", "@.*\\.com$"}).Draw(t, "re")
		}
		return c
	})
}

// Decay generates a valid decay of any kind (or none).
func Decay() *rapid.Generator[scoring.Decay] {
	return rapid.Custom(func(t *rapid.T) scoring.Decay {
		period := scoring.Duration(rapid.Int64Range(1, 60).Draw(t, "period_days")) * scoring.Days(1)
		switch rapid.IntRange(0, 4).Draw(t, "kind") {
		case 1:
			return scoring.PercentDecay(decimal.New(rapid.Int64Range(100, 10000).Draw(t, "pct"), -2), period)
		case 2:
			return scoring.LinearDecay(decimal.New(rapid.Int64Range(1, 10000).Draw(t, "pct"), -2), period)
		case 3:
			return scoring.HalfLifeDecay(scoring.Duration(rapid.Int64Range(3600, 200*86400).Draw(t, "half_s")) * scoring.Duration(time.Second))
		case 4:
			n := rapid.IntRange(1, 4).Draw(t, "steps")
			var steps []scoring.Step
			after := scoring.Duration(0)
			f := int64(1_000_000_000)
			for i := 0; i < n; i++ {
				after += scoring.Duration(rapid.Int64Range(1, 30*86400).Draw(t, "after_s")) * scoring.Duration(time.Second)
				f = rapid.Int64Range(0, f).Draw(t, "factor")
				steps = append(steps, scoring.Step{After: after, Factor: decimal.New(f, -9)})
			}
			return scoring.StepDecay(steps...)
		}
		return scoring.Decay{}
	})
}

// Spec generates a valid spec with field and activity rules on both
// axes, caps, groups, axis bounds, bands and thresholds with hysteresis.
func Spec() *rapid.Generator[scoring.Spec] {
	return rapid.Custom(func(t *rapid.T) scoring.Spec {
		s := scoring.Spec{Format: scoring.SpecFormat,
			ID:      rapid.SampledFrom([]string{"m", "product-a", "unit-b"}).Draw(t, "id"),
			Version: rapid.IntRange(1, 5).Draw(t, "version")}
		n := 0
		s.Fit = axis(t, "fit", &n)
		s.Interest = axis(t, "interest", &n)
		return s
	})
}

func axis(t *rapid.T, name string, n *int) scoring.AxisSpec {
	var a scoring.AxisSpec
	ng := rapid.IntRange(0, 2).Draw(t, name+"_groups")
	for i := 0; i < ng; i++ {
		g := scoring.Group{Name: fmt.Sprintf("%s-g%d", name, i)}
		g.Max = optional(t, "gmax", func() decimal.Decimal { return nonNeg(t, "gmax", 60) })
		g.Min = optional(t, "gmin", func() decimal.Decimal { return nonNeg(t, "gmin", 30).Neg() })
		a.Groups = append(a.Groups, g)
	}
	nr := rapid.IntRange(0, 8).Draw(t, name+"_rules")
	for i := 0; i < nr; i++ {
		*n++
		r := scoring.Rule{Name: fmt.Sprintf("r%d", *n), Points: Points().Draw(t, "points")}
		r.Cap = optional(t, "cap", func() decimal.Decimal { return nonNeg(t, "cap", 40) })
		if ng > 0 && rapid.Bool().Draw(t, "grouped") {
			r.Group = a.Groups[rapid.IntRange(0, ng-1).Draw(t, "group")].Name
		}
		if rapid.Bool().Draw(t, "activity") {
			r.Activity = rapid.SampledFrom(ActivityTypes()).Draw(t, "type")
			r.Where = rapid.SliceOfN(Condition(AttrKeys(), attrValues), 0, 2).Draw(t, "where")
			if rapid.Bool().Draw(t, "windowed") {
				r.Within = scoring.Duration(rapid.Int64Range(1, 200).Draw(t, "within_days")) * scoring.Days(1)
			}
			r.Decay = Decay().Draw(t, "decay")
		} else {
			r.When = Condition(Fields(), fieldValues).Draw(t, "when")
		}
		a.Rules = append(a.Rules, r)
	}
	a.Max = optional(t, "max", func() decimal.Decimal { return nonNeg(t, "max", 150) })
	a.Min = optional(t, "min", func() decimal.Decimal { return nonNeg(t, "min", 20).Neg() })
	if a.Min.Valid && a.Max.Valid && a.Min.Decimal.GreaterThan(a.Max.Decimal) {
		a.Min = decimal.NullDecimal{}
	}
	if rapid.Bool().Draw(t, "bands") {
		a.Bands = []scoring.Band{
			{Grade: "H", Min: decimal.NewNullDecimal(decimal.NewFromInt(rapid.Int64Range(20, 80).Draw(t, "bandH")))},
			{Grade: "M", Min: decimal.NewNullDecimal(decimal.NewFromInt(rapid.Int64Range(-20, 19).Draw(t, "bandM")))},
			{Grade: "L"},
		}
	}
	enter := decimal.NewFromInt(rapid.Int64Range(0, 80).Draw(t, "enter"))
	a.High.Enter = decimal.NewNullDecimal(enter)
	if rapid.Bool().Draw(t, "hysteresis") {
		a.High.Leave = decimal.NewNullDecimal(enter.Sub(decimal.NewFromInt(rapid.Int64Range(0, 20).Draw(t, "gap"))))
	}
	return a
}

// Activity generates one activity at or before now (up to a year before).
func Activity(now time.Time) *rapid.Generator[scoring.Activity] {
	return rapid.Custom(func(t *rapid.T) scoring.Activity {
		a := scoring.Activity{
			Type: rapid.SampledFrom(ActivityTypes()).Draw(t, "type"),
			At:   now.Add(-time.Duration(rapid.Int64Range(0, 365*86400).Draw(t, "age_s")) * time.Second),
		}
		for _, k := range AttrKeys() {
			if rapid.Bool().Draw(t, "has_"+k) {
				a.Attrs = append(a.Attrs, scoring.Attr{Key: k, Value: rapid.SampledFrom(attrValues(k)).Draw(t, k)})
			}
		}
		return a
	})
}

// Lead generates a [scoring.Lead] with some of [Fields] and up to 30
// activities at or before now.
func Lead(now time.Time) *rapid.Generator[scoring.Lead] {
	return rapid.Custom(func(t *rapid.T) scoring.Lead {
		l := scoring.Lead{Fields: map[string]string{}}
		for _, f := range Fields() {
			if rapid.IntRange(0, 3).Draw(t, "has_"+f) > 0 {
				l.Fields[f] = rapid.SampledFrom(fieldValues(f)).Draw(t, f)
			}
		}
		l.Activities = rapid.SliceOfN(Activity(now), 0, 30).Draw(t, "activities")
		return l
	})
}

// CheckLedger checks that every ledger entry is of the fit or the
// interest axis and that the entries of each axis add up exactly to its
// total.
func CheckLedger(t TB, r scoring.Result) {
	t.Helper()
	var sum [2]decimal.Decimal
	for k, e := range r.Ledger {
		var i int
		switch e.Axis {
		case scoring.AxisFit:
			i = 0
		case scoring.AxisInterest:
			i = 1
		default:
			t.Fatalf("ledger entry %d (%s) has axis %q, neither fit nor interest", k, e.Name, e.Axis)
			return
		}
		sum[i] = sum[i].Add(e.Points)
	}
	if !sum[0].Equal(r.Fit) {
		t.Fatalf("fit ledger sums to %s, total is %s", sum[0], r.Fit)
	}
	if !sum[1].Equal(r.Interest) {
		t.Fatalf("interest ledger sums to %s, total is %s", sum[1], r.Interest)
	}
}

// CheckCaps checks that r respects the caps of spec: each rule within
// ±its cap, each group and axis total within its bounds.
func CheckCaps(t TB, spec scoring.Spec, r scoring.Result) {
	t.Helper()
	for _, ax := range []struct {
		axis scoring.Axis
		spec scoring.AxisSpec
	}{{scoring.AxisFit, spec.Fit}, {scoring.AxisInterest, spec.Interest}} {
		caps := map[string]scoring.Rule{}
		for _, rule := range ax.spec.Rules {
			caps[rule.Name] = rule
		}
		groups := map[string]decimal.Decimal{}
		for _, e := range r.Ledger {
			if e.Axis != ax.axis {
				continue
			}
			switch e.Kind {
			case scoring.EntryRule:
				rule := caps[e.Name]
				if rule.Cap.Valid && e.Points.Abs().GreaterThan(rule.Cap.Decimal) {
					t.Fatalf("rule %s gives %s, beyond its cap %s", e.Name, e.Points, rule.Cap.Decimal)
				}
				if e.Group != "" {
					groups[e.Group] = groups[e.Group].Add(e.Points)
				}
			case scoring.EntryGroupCap:
				groups[e.Group] = groups[e.Group].Add(e.Points)
			}
		}
		for _, g := range ax.spec.Groups {
			s := groups[g.Name]
			if (g.Max.Valid && s.GreaterThan(g.Max.Decimal)) || (g.Min.Valid && s.LessThan(g.Min.Decimal)) {
				t.Fatalf("group %s sums to %s, outside its bounds", g.Name, s)
			}
		}
		total := r.Total(ax.axis)
		if (ax.spec.Max.Valid && total.GreaterThan(ax.spec.Max.Decimal)) || (ax.spec.Min.Valid && total.LessThan(ax.spec.Min.Decimal)) {
			t.Fatalf("%s total %s is outside the axis bounds", ax.axis, total)
		}
	}
}

// CheckDecay scores lead at now and at later (later ≥ now; every
// activity of lead must be at or before now) and checks that no rule's
// decayed points grew in magnitude. If the model has no negative points
// and no host criterion counted at either time, it also checks that
// neither total grew.
func CheckDecay[L any](t TB, m *scoring.Model[L], lead L, now, later time.Time) {
	t.Helper()
	r1, err := m.Score(lead, now, nil)
	if err != nil {
		t.Fatalf("score at now: %v", err)
	}
	r2, err := m.Score(lead, later, nil)
	if err != nil {
		t.Fatalf("score later: %v", err)
	}
	before := map[string]decimal.Decimal{}
	for _, e := range r1.Ledger {
		if e.Kind == scoring.EntryRule {
			before[e.Name] = e.Decayed
		}
	}
	for _, e := range r2.Ledger {
		if e.Kind == scoring.EntryRule && e.Decayed.Abs().GreaterThan(before[e.Name].Abs()) {
			t.Fatalf("rule %s: %s at %s grew to %s at %s", e.Name, before[e.Name], now, e.Decayed, later)
		}
	}
	// A host criterion may grow with time: its points are the host's
	// business, so a result that has any criterion entry skips the
	// totals check (a criterion with no entry contributes nothing).
	for _, r := range []scoring.Result{r1, r2} {
		for _, e := range r.Ledger {
			if e.Kind == scoring.EntryCriterion {
				return
			}
		}
	}
	spec := m.Spec()
	for _, a := range []scoring.AxisSpec{spec.Fit, spec.Interest} {
		for _, r := range a.Rules {
			if r.Points.Sign() < 0 {
				return
			}
		}
	}
	if r2.Fit.GreaterThan(r1.Fit) || r2.Interest.GreaterThan(r1.Interest) {
		t.Fatalf("score grew with time: fit %s → %s, interest %s → %s", r1.Fit, r2.Fit, r1.Interest, r2.Interest)
	}
}

// CheckOrder checks that a and b, the same lead with its activities in
// two orders, score the same.
func CheckOrder[L any](t TB, m *scoring.Model[L], a, b L, now time.Time) {
	t.Helper()
	ra, err := m.Score(a, now, nil)
	if err != nil {
		t.Fatalf("score: %v", err)
	}
	rb, err := m.Score(b, now, nil)
	if err != nil {
		t.Fatalf("score: %v", err)
	}
	if !ra.Equal(rb) {
		t.Fatalf("the order of activities changed the result:\n%s\nvs\n%s", ra.Explain(), rb.Explain())
	}
}

// Check scores lead at now and runs [CheckLedger] and [CheckCaps].
func Check[L any](t TB, m *scoring.Model[L], lead L, now time.Time) scoring.Result {
	t.Helper()
	r, err := m.Score(lead, now, nil)
	if err != nil {
		t.Fatalf("score: %v", err)
	}
	CheckLedger(t, r)
	CheckCaps(t, m.Spec(), r)
	return r
}
