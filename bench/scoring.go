package bench

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/scoring"
)

// The reference workload of issue 3, as in scoring/bench_test.go: a model
// of 10 fit and 10 interest rules (caps, half-life decay, negative points)
// and a lead with 12 attributes and 50 activities. The spec, the lead and
// the hand-written int64 model are the same as there; expr-lang/expr and
// cel-go programs compute the same points in units of 10⁻⁴.

// Lead is the host's own lead type of the workload.
type Lead struct {
	Industry, Country, Employees, Email, Title, Revenue   string
	Seniority, Phone, Website, Source, Language, Timezone string
	Activities                                            []scoring.Activity
}

// LeadSource tells package scoring how to read a *Lead.
func LeadSource() scoring.Source[*Lead] {
	return scoring.Source[*Lead]{
		Field: func(l *Lead, name string) (string, bool) {
			var v string
			switch name {
			case "industry":
				v = l.Industry
			case "country":
				v = l.Country
			case "employees":
				v = l.Employees
			case "email":
				v = l.Email
			case "title":
				v = l.Title
			case "revenue":
				v = l.Revenue
			case "seniority":
				v = l.Seniority
			case "phone":
				v = l.Phone
			case "website":
				v = l.Website
			case "source":
				v = l.Source
			case "language":
				v = l.Language
			case "timezone":
				v = l.Timezone
			}
			return v, v != ""
		},
		Activities: func(l *Lead) []scoring.Activity { return l.Activities },
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// ReferenceSpec is the scoring model of the workload.
func ReferenceSpec() scoring.Spec {
	nd := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(dec(s)) }
	hl14 := scoring.HalfLifeDecay(scoring.Days(14))
	hl30 := scoring.HalfLifeDecay(scoring.Days(30))
	return scoring.Spec{Format: 1, ID: "bench", Version: 1,
		Fit: scoring.AxisSpec{Max: nd("100"), Rules: []scoring.Rule{
			{Name: "industry", Points: dec("20"), When: scoring.Condition{Field: "industry", Op: scoring.OpOneOf, Values: []string{"saas", "fintech", "ecommerce"}}},
			{Name: "country", Points: dec("10"), When: scoring.Condition{Field: "country", Op: scoring.OpOneOf, Values: []string{"ES", "MX", "AR", "CO"}}},
			{Name: "mid-size", Points: dec("15"), When: scoring.Condition{Field: "employees", Op: scoring.OpRange, Min: nd("50"), Max: nd("1000")}},
			{Name: "large", Points: dec("5"), When: scoring.Condition{Field: "employees", Op: scoring.OpRange, Min: nd("1000")}},
			{Name: "free mail", Points: dec("-15"), When: scoring.Condition{Field: "email", Op: scoring.OpSuffix, Value: "@gmail.com"}},
			{Name: "head of", Points: dec("10"), When: scoring.Condition{Field: "title", Op: scoring.OpContains, Value: "Head"}},
			{Name: "executive", Points: dec("10"), When: scoring.Condition{Field: "seniority", Op: scoring.OpEquals, Value: "executive"}},
			{Name: "revenue", Points: dec("10.5"), When: scoring.Condition{Field: "revenue", Op: scoring.OpRange, Min: nd("1000000")}},
			{Name: "phone", Points: dec("5"), When: scoring.Condition{Field: "phone", Op: scoring.OpPresent}},
			{Name: "no website", Points: dec("-5"), When: scoring.Condition{Field: "website", Op: scoring.OpMissing}},
		}},
		Interest: scoring.AxisSpec{Min: nd("-50"), Max: nd("100"), Rules: []scoring.Rule{
			{Name: "pricing", Points: dec("5"), Cap: nd("30"), Activity: "page_view", Where: []scoring.Condition{{Field: "url", Op: scoring.OpContains, Value: "/pricing"}}, Decay: hl14},
			{Name: "blog", Points: dec("1"), Cap: nd("10"), Activity: "page_view", Where: []scoring.Condition{{Field: "url", Op: scoring.OpPrefix, Value: "/blog"}}, Decay: hl30},
			{Name: "careers", Points: dec("-5"), Activity: "page_view", Where: []scoring.Condition{{Field: "url", Op: scoring.OpContains, Value: "/careers"}}, Decay: hl30},
			{Name: "open", Points: dec("1"), Cap: nd("10"), Activity: "email_open", Decay: hl14},
			{Name: "click", Points: dec("2.5"), Cap: nd("20"), Activity: "email_click", Decay: hl14},
			{Name: "form", Points: dec("10"), Cap: nd("40"), Activity: "form_fill", Decay: hl30},
			{Name: "demo", Points: dec("40"), Activity: "demo_request", Decay: hl30},
			{Name: "webinar", Points: dec("15"), Cap: nd("30"), Activity: "webinar", Decay: hl30},
			{Name: "unsubscribe", Points: dec("-30"), Activity: "unsubscribe", Decay: hl30},
			{Name: "bounce", Points: dec("-10"), Cap: nd("20"), Activity: "email_bounce", Decay: hl30},
		}},
	}
}

// ScoreNow is the "now" of the scoring benchmark.
var ScoreNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

var activityKinds = []scoring.Activity{
	{Type: "page_view", Attrs: []scoring.Attr{{Key: "url", Value: "/pricing"}}},
	{Type: "page_view", Attrs: []scoring.Attr{{Key: "url", Value: "/blog/smarketing"}}},
	{Type: "email_open"},
	{Type: "page_view", Attrs: []scoring.Attr{{Key: "url", Value: "/careers"}}},
	{Type: "email_click", Attrs: []scoring.Attr{{Key: "url", Value: "/pricing"}}},
	{Type: "form_fill", Attrs: []scoring.Attr{{Key: "form", Value: "ebook"}}},
	{Type: "email_open"},
	{Type: "webinar"},
	{Type: "page_view", Attrs: []scoring.Attr{{Key: "url", Value: "/"}}},
	{Type: "email_bounce"},
}

// NewLead returns the workload's lead with n activities (n ≥ 1), the
// last one a demo request: the same lead as scoring/bench_test.go.
func NewLead(n int) *Lead {
	l := &Lead{Industry: "saas", Country: "ES", Employees: "250", Email: "ana@acme.com",
		Title: "Head of Growth", Revenue: "2500000", Seniority: "executive", Phone: "+34 600 000 000",
		Source: "webinar", Language: "es", Timezone: "Europe/Madrid"}
	n = max(n, 1)
	for i := range n - 1 {
		a := activityKinds[i%len(activityKinds)]
		a.At = ScoreNow.Add(-time.Duration(i*43+7) * time.Hour)
		l.Activities = append(l.Activities, a)
	}
	l.Activities = append(l.Activities, scoring.Activity{Type: "demo_request", At: ScoreNow.Add(-50 * time.Hour)})
	return l
}

var (
	industries  = []string{"saas", "fintech", "ecommerce", "retail", "", "health"}
	countries   = []string{"ES", "MX", "AR", "CO", "US", ""}
	employees   = []string{"10", "49", "50", "250", "999", "1000", "5000", "", "n/a"}
	emails      = []string{"ana@acme.com", "bob@gmail.com", "", "eve@corp.io"}
	titles      = []string{"Head of Growth", "CTO", "", "Marketing Head", "head of sales"}
	revenues    = []string{"999999", "1000000", "2500000", "", "lots"}
	seniorities = []string{"executive", "manager", "", "Executive"}
	extraTypes  = []string{"demo_request", "unsubscribe", "page_view"}
	phones      = []string{"", "+34 600"}
	websites    = []string{"", "acme.com"}
	sources     = []string{"web", "ads"}
	extraAttrs  = [][]scoring.Attr{
		{{Key: "url", Value: "/pricing/enterprise"}}, {{Key: "url", Value: "/blog"}},
		{{Key: "url", Value: "/careers/jobs"}}, {{Key: "url", Value: "/docs"}},
	}
)

// RandomLead draws a lead with n activities from r: attribute values that
// meet and miss every fit rule (including unparseable numbers and empty
// fields) and activities of every kind, some of them after now (which
// count nothing) and some over a year old.
func RandomLead(r *rand.Rand, n int, now time.Time) *Lead {
	l := &Lead{}
	FillLead(l, r, n, now)
	return l
}

// FillLead is RandomLead into l, reusing its activities' storage.
func FillLead(l *Lead, r *rand.Rand, n int, now time.Time) {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	acts := l.Activities[:0]
	*l = Lead{Industry: pick(industries), Country: pick(countries), Employees: pick(employees),
		Email: pick(emails), Title: pick(titles), Revenue: pick(revenues), Seniority: pick(seniorities),
		Phone: pick(phones), Website: pick(websites), Source: pick(sources), Language: "es", Timezone: "Europe/Madrid"}
	for range n {
		var a scoring.Activity
		if r.IntN(4) == 0 {
			a.Type = pick(extraTypes)
			if a.Type == "page_view" {
				a.Attrs = extraAttrs[r.IntN(len(extraAttrs))]
			}
		} else {
			a = activityKinds[r.IntN(len(activityKinds))]
		}
		a.At = now.Add(-time.Duration(r.Int64N(int64(400*24*time.Hour))) + time.Duration(r.IntN(3))*time.Hour)
		acts = append(acts, a)
	}
	l.Activities = acts
}

// halfLifeTable is 2^(-j/1024) to 9 places, package scoring's table.
var halfLifeTable = func() (t [scoring.HalfLifeSteps]uint64) {
	for j := range t {
		t[j] = uint64(scoring.HalfLifeFactor(j).Shift(scoring.FactorPlaces).IntPart())
	}
	return t
}()

// halfLifeFactor is the decay factor, in units of 10⁻⁹, of an activity
// of the given age (ns) under a half-life of half (ns), as package scoring
// defines it.
func halfLifeFactor(age, half int64) uint64 {
	var k uint64
	if age < 1<<53 {
		k = uint64(age) << 10 / uint64(half)
	} else {
		hi, lo := bits.Mul64(uint64(age), 1024)
		k, _ = bits.Div64(hi, lo, uint64(half))
	}
	q, j := k>>10, k&1023
	t := halfLifeTable[j]
	if q == 0 {
		return t
	}
	if q > 40 {
		return 0
	}
	r := t >> q
	rem := t & (1<<q - 1)
	if hf := uint64(1) << (q - 1); rem > hf || (rem == hf && r&1 == 1) {
		r++
	}
	return r
}

// roundUnits returns p × f / 10⁹ rounded half-even.
func roundUnits(p int64, f uint64) int64 {
	neg := p < 0
	if neg {
		p = -p
	}
	x := uint64(p) * f
	q, r := x/1e9, x%1e9
	if r > 5e8 || (r == 5e8 && q&1 == 1) {
		q++
	}
	if neg {
		return -int64(q)
	}
	return int64(q)
}

const day = int64(24 * time.Hour)

// Decayed returns points (units of 10⁻⁴) of an activity at time at,
// scored at now, under a half-life of halfDays days: package scoring's
// rounding, and zero for an activity after now. The expr and cel-go
// programs call it as the host function hl.
func Decayed(points int64, at, now time.Time, halfDays int64) int64 {
	age := int64(now.Sub(at))
	if age < 0 || halfDays <= 0 {
		return 0
	}
	return roundUnits(points, halfLifeFactor(age, halfDays*day))
}

// Num parses a whole number, or returns -1: the host function num of the
// expr and cel-go programs (every threshold of the workload is ≥ 0).
func Num(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func capAt(x, c int64) int64 { return max(min(x, c), -c) }

func attr(a *scoring.Activity, k string) string {
	for _, x := range a.Attrs {
		if x.Key == k {
			return x.Value
		}
	}
	return ""
}

// Hand is the hand-written int64 implementation of the reference spec:
// what a developer writes for these rules, points in units of 10⁻⁴.
type Hand struct{}

// NewHand returns the hand-written model.
func NewHand() Hand { return Hand{} }

// Score returns fit and interest in units of 10⁻⁴.
func (Hand) Score(l *Lead, now time.Time) (fit, interest int64) {
	switch l.Industry {
	case "saas", "fintech", "ecommerce":
		fit += 200000
	}
	switch l.Country {
	case "ES", "MX", "AR", "CO":
		fit += 100000
	}
	if n, err := strconv.ParseInt(l.Employees, 10, 64); err == nil {
		if n >= 50 && n < 1000 {
			fit += 150000
		}
		if n >= 1000 {
			fit += 50000
		}
	}
	if strings.HasSuffix(l.Email, "@gmail.com") {
		fit -= 150000
	}
	if strings.Contains(l.Title, "Head") {
		fit += 100000
	}
	if l.Seniority == "executive" {
		fit += 100000
	}
	if n, err := strconv.ParseInt(l.Revenue, 10, 64); err == nil && n >= 1000000 {
		fit += 105000
	}
	if l.Phone != "" {
		fit += 50000
	}
	if l.Website == "" {
		fit -= 50000
	}
	fit = min(fit, 1000000)
	const d14, d30 = 14 * day, 30 * day
	var pricing, blog, careers, open, click, form, demo, webinar, unsub, bounce int64
	for i := range l.Activities {
		a := &l.Activities[i]
		age := int64(now.Sub(a.At))
		if age < 0 {
			continue
		}
		switch a.Type {
		case "page_view":
			u := attr(a, "url")
			if strings.Contains(u, "/pricing") {
				pricing += roundUnits(50000, halfLifeFactor(age, d14))
			}
			if strings.HasPrefix(u, "/blog") {
				blog += roundUnits(10000, halfLifeFactor(age, d30))
			}
			if strings.Contains(u, "/careers") {
				careers += roundUnits(-50000, halfLifeFactor(age, d30))
			}
		case "email_open":
			open += roundUnits(10000, halfLifeFactor(age, d14))
		case "email_click":
			click += roundUnits(25000, halfLifeFactor(age, d14))
		case "form_fill":
			form += roundUnits(100000, halfLifeFactor(age, d30))
		case "demo_request":
			demo += roundUnits(400000, halfLifeFactor(age, d30))
		case "webinar":
			webinar += roundUnits(150000, halfLifeFactor(age, d30))
		case "unsubscribe":
			unsub += roundUnits(-300000, halfLifeFactor(age, d30))
		case "email_bounce":
			bounce += roundUnits(-100000, halfLifeFactor(age, d30))
		}
	}
	interest = capAt(pricing, 300000) + capAt(blog, 100000) + careers + capAt(open, 100000) +
		capAt(click, 200000) + capAt(form, 400000) + demo + capAt(webinar, 300000) + unsub + capAt(bounce, 200000)
	interest = max(min(interest, 1000000), -500000)
	return fit, interest
}

// Units converts a decimal number of points to units of 10⁻⁴, failing if
// it has more places.
func Units(d decimal.Decimal) (int64, error) {
	u := d.Shift(scoring.PointPlaces)
	if !u.IsInteger() || !u.BigInt().IsInt64() {
		return 0, fmt.Errorf("bench: %s is not a whole number of 10⁻⁴ points", d)
	}
	return u.IntPart(), nil
}
