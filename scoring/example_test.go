package scoring_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/scoring"
)

// Contact is a host's own lead type: the model reads it through a
// Source, without copying it into a map.
type Contact struct {
	Industry  string
	Employees int
	Email     string
	Events    []scoring.Activity
}

func contactSource() scoring.Source[Contact] {
	return scoring.Source[Contact]{
		Field: func(c Contact, name string) (string, bool) {
			switch name {
			case "industry":
				return c.Industry, c.Industry != ""
			case "employees":
				return fmt.Sprint(c.Employees), c.Employees > 0
			case "email":
				return c.Email, c.Email != ""
			}
			return "", false
		},
		Activities: func(c Contact) []scoring.Activity { return c.Events },
	}
}

func exampleSpec() scoring.Spec {
	nd := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(decimal.RequireFromString(s)) }
	return scoring.Spec{
		Format: scoring.SpecFormat, ID: "b2b", Version: 3,
		Fit: scoring.AxisSpec{
			Rules: []scoring.Rule{
				{Name: "target industry", Points: decimal.NewFromInt(40),
					When: scoring.Condition{Field: "industry", Op: scoring.OpOneOf, Values: []string{"saas", "fintech"}}},
				{Name: "company size", Points: decimal.NewFromInt(30),
					When: scoring.Condition{Field: "employees", Op: scoring.OpRange, Min: nd("50"), Max: nd("1000")}},
				{Name: "free email", Points: decimal.NewFromInt(-20),
					When: scoring.Condition{Field: "email", Op: scoring.OpSuffix, Value: "@gmail.com", IgnoreCase: true}},
			},
			High: scoring.Threshold{Enter: nd("60"), Leave: nd("50")},
		},
		Interest: scoring.AxisSpec{
			Rules: []scoring.Rule{
				{Name: "pricing page", Points: decimal.NewFromInt(10), Cap: nd("30"),
					Activity: "page_view", Where: []scoring.Condition{{Field: "url", Op: scoring.OpContains, Value: "/pricing"}},
					Within: scoring.Days(90), Decay: scoring.PercentDecay(decimal.NewFromInt(50), scoring.Days(30))},
				{Name: "demo request", Points: decimal.NewFromInt(50), Activity: "demo_request",
					Decay: scoring.HalfLifeDecay(scoring.Days(30))},
				{Name: "unsubscribed", Points: decimal.NewFromInt(-40), Activity: "unsubscribe"},
			},
			Max:  nd("100"),
			High: scoring.Threshold{Enter: nd("50")},
		},
	}
}

// Score a host's own lead type with fit and interest rules, and read
// where it falls in the 2×2 matrix.
func ExampleModel_Score() {
	m, err := scoring.New(exampleSpec(), contactSource())
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	lead := Contact{Industry: "saas", Employees: 120, Email: "ana@acme.com", Events: []scoring.Activity{
		{Type: "page_view", At: now.Add(-40 * 24 * time.Hour), Attrs: []scoring.Attr{{Key: "url", Value: "/pricing"}}},
		{Type: "page_view", At: now.Add(-2 * 24 * time.Hour), Attrs: []scoring.Attr{{Key: "url", Value: "/pricing"}}},
		{Type: "demo_request", At: now.Add(-30 * 24 * time.Hour)},
	}}
	r, err := m.Score(lead, now, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("fit", r.Fit, "interest", r.Interest, "label", r.Label)
	fmt.Println(r.Quadrant, "→", r.Action)
	// Output:
	// fit 70 interest 40 label B3
	// high_fit_low_interest → nurture
}

// Hysteresis: once high, a lead stays high until it falls below Leave.
func ExampleModel_Score_hysteresis() {
	m := scoring.MustNew(exampleSpec(), contactSource())
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	high, _ := m.Score(Contact{Industry: "saas", Employees: 100}, now, nil)   // 70 ≥ 60: high
	lead := Contact{Industry: "saas", Employees: 100, Email: "ana@gmail.com"} // 50
	fresh, _ := m.Score(lead, now, nil)
	after, _ := m.Score(lead, now, &high)
	fmt.Println(high.Fit, high.FitHigh, fresh.Fit, fresh.FitHigh, after.Fit, after.FitHigh)
	// Output:
	// 70 true 50 false 50 true
}

// Explain renders the ledger a sales rep reads; the ledger adds up to
// the totals.
func ExampleResult_Explain() {
	m := scoring.MustNew(exampleSpec(), contactSource())
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	lead := Contact{Industry: "fintech", Employees: 40, Email: "bo@Gmail.com", Events: []scoring.Activity{
		{Type: "page_view", At: now.Add(-35 * 24 * time.Hour), Attrs: []scoring.Attr{{Key: "url", Value: "/pricing"}}},
		{Type: "page_view", At: now.Add(-3 * 24 * time.Hour), Attrs: []scoring.Attr{{Key: "url", Value: "/pricing/teams"}}},
		{Type: "page_view", At: now.Add(-1 * 24 * time.Hour), Attrs: []scoring.Attr{{Key: "url", Value: "/pricing"}}},
		{Type: "demo_request", At: now.Add(-15 * 24 * time.Hour)},
	}}
	r, _ := m.Score(lead, now, nil)
	fmt.Print(r.Explain())
	// Output:
	// b2b v3 at 2026-12-01T09:00:00Z: D2 — low fit, high interest: the offer has a gap (product feedback)
	// Fit 20 (grade D, low)
	//        +40  target industry: industry is one of "saas", "fintech"
	//        -20  free email: email ends with "@gmail.com" (any case)
	// Interest 60.3553 (grade 2, high)
	//        +25  pricing page: each page_view where url contains "/pricing", in the last 90d, losing 50% every 30d (3 activities, 30 before decay, 25 after; last on 2026-11-30)
	//   +35.3553  demo request: each demo_request, halving every 30d (1 activity, 50 before decay, 35.3553 after; last on 2026-11-16)
}

// A model loads from a JSON spec, as a CRM would store it; every problem
// of an invalid spec is reported at once, with the path of the field.
func ExampleParseSpec() {
	spec, err := scoring.ParseSpec([]byte(`{
	  "format": 1, "id": "webinar-leads", "version": 2,
	  "fit": {"rules": [
	    {"name": "country", "points": "25", "when": {"field": "country", "op": "one_of", "values": ["ES", "MX"]}}
	  ], "high": {"enter": "20"}},
	  "interest": {"rules": [
	    {"name": "webinar", "points": 15, "cap": "30", "activity": "webinar_attended",
	     "within": "60d", "decay": {"kind": "linear", "percent": "25", "every": "2w"}}
	  ], "high": {"enter": "10"}}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := scoring.New(spec, scoring.LeadSource())
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	r, _ := m.Score(scoring.Lead{
		Fields:     map[string]string{"country": "MX"},
		Activities: []scoring.Activity{{Type: "webinar_attended", At: now.AddDate(0, 0, -15)}},
	}, now, nil)
	fmt.Println(r.ModelID, r.ModelVersion, r.Fit, r.Interest, r.Action)

	bad, _ := scoring.ParseSpec([]byte(`{"format": 1, "id": "", "interest": {"rules": [
	  {"name": "x", "points": "1.23456", "activity": "open", "decay": {"kind": "half_life"}},
	  {"name": "y", "points": "5", "when": {"field": "title", "op": "regex", "value": "(CEO"}}]}}`))
	_, err = scoring.New(bad, scoring.LeadSource())
	fmt.Println(errors.Is(err, scoring.ErrInvalidSpec))
	for _, e := range scoring.SpecErrors(err) {
		fmt.Println(e.Path+":", e.Msg)
	}
	// Output:
	// webinar-leads 2 25 11.25 contact_now
	// true
	// id: must not be empty
	// interest.rules[0].points: 1.23456 has more than 4 decimal places
	// interest.rules[0].decay.half_life: half-life must be at least 1s
	// interest.rules[1].when.value: invalid regular expression: error parsing regexp: missing closing ): `(CEO`
}

// Calibrate a model on historical leads with known outcomes.
func ExampleModel_Calibrate() {
	m := scoring.MustNew(exampleSpec(), contactSource())
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var samples []scoring.Sample[Contact]
	for i := 0; i < 40; i++ {
		c := Contact{Industry: "retail", Employees: 10 + i*20, Email: "x@acme.com"}
		if i%2 == 0 {
			c.Industry = "saas"
		}
		converted := (i%2 == 0 && i%4 != 2) || i%10 == 1 // saas converts more
		samples = append(samples, scoring.Sample[Contact]{Lead: c, At: at, Converted: converted})
	}
	cal, err := m.Calibrate(samples, scoring.CalibrationOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("leads", cal.Leads, "converted", cal.Converted, "base rate", cal.BaseRate)
	for _, c := range cal.Criteria[:3] {
		fmt.Printf("%s: %s\n", c.Name, c.Why)
	}
	// Output:
	// leads 40 converted 14 base rate 0.35
	// target industry: leads with it convert at 0.5, without it at 0.2 (lift 1.4286): suggested 30 points
	// company size: counted for 38 of 40 leads: too few leads without it to compare
	// free email: counted for only 0 of 40 leads (fewer than 10): not enough evidence
}

// Combine the contacts of an account (its buying group).
func ExampleRollup_Account() {
	contacts := []scoring.Result{
		{Fit: decimal.NewFromInt(80), Interest: decimal.NewFromInt(10)},
		{Fit: decimal.NewFromInt(60), Interest: decimal.NewFromInt(45)},
		{Fit: decimal.NewFromInt(20), Interest: decimal.NewFromInt(30)},
	}
	for _, r := range []scoring.Rollup{
		{Method: scoring.RollupMax},
		{Method: scoring.RollupCappedSum, Cap: decimal.NewNullDecimal(decimal.NewFromInt(100))},
		{Method: scoring.RollupTopMean, N: 2},
	} {
		a, _ := r.Account(contacts)
		fmt.Println(r.Method, a.Fit, a.Interest)
	}
	// Output:
	// max 80 45
	// capped_sum 100 85
	// top_mean 70 37.5
}

// Several models side by side: per product, per business unit. Each
// result carries its model's ID and version, so a host that rescores
// with a new version can tell old results from new.
func ExampleNew_severalModels() {
	nd := func(n int64) decimal.NullDecimal { return decimal.NewNullDecimal(decimal.NewFromInt(n)) }
	product := func(id string, version int, industry string) *scoring.Model[scoring.Lead] {
		return scoring.MustNew(scoring.Spec{Format: scoring.SpecFormat, ID: id, Version: version,
			Fit: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "industry", Points: decimal.NewFromInt(70),
				When: scoring.Condition{Field: "industry", Op: scoring.OpEquals, Value: industry}}}},
			Interest: scoring.AxisSpec{Rules: []scoring.Rule{{Name: "visits", Points: decimal.NewFromInt(20), Cap: nd(60),
				Activity: "page_view", Decay: scoring.HalfLifeDecay(scoring.Days(7))}}},
		}, scoring.LeadSource())
	}
	models := []*scoring.Model[scoring.Lead]{product("crm", 4, "retail"), product("payroll", 1, "saas")}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	lead := scoring.Lead{Fields: map[string]string{"industry": "saas"}, Activities: []scoring.Activity{
		{Type: "page_view", At: now.AddDate(0, 0, -7)}, {Type: "page_view", At: now.AddDate(0, 0, -1)},
		{Type: "page_view", At: now.AddDate(0, 0, -2)}, {Type: "page_view", At: now}}}
	for _, m := range models {
		r, _ := m.Score(lead, now, nil)
		fmt.Printf("%s v%d: fit %s, interest %s → %s\n", r.ModelID, r.ModelVersion, r.Fit, r.Interest, r.Action)
	}
	// Output:
	// crm v4: fit 0, interest 60 → offer_gap
	// payroll v1: fit 70, interest 60 → contact_now
}
