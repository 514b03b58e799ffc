package scoring_test

import (
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/scoring"
)

// This file is the straightforward decimal.Decimal reference of a model:
// no fixed point, no tables (but the published half-life table T[j]),
// no precompiled anything. The properties check that Model.Score agrees
// with it to the last digit.

func refFactor(d scoring.Decay, age time.Duration) decimal.Decimal {
	one := decimal.NewFromInt(1)
	switch d.Kind {
	case scoring.DecayPercent:
		n := int64(age / time.Duration(d.Every))
		if n > 4000 {
			return decimal.Zero
		}
		q := one.Sub(d.Percent.Div(decimal.NewFromInt(100)))
		f := one
		for i := int64(0); i < n && !f.IsZero(); i++ {
			f = f.Mul(q) // exact
		}
		return f.RoundBank(scoring.FactorPlaces)
	case scoring.DecayLinear:
		n := int64(age / time.Duration(d.Every))
		f := one.Sub(d.Percent.Mul(decimal.NewFromInt(n)).Div(decimal.NewFromInt(100)))
		return decimal.Max(f, decimal.Zero)
	case scoring.DecayHalfLife:
		// k = ⌊age·1024 / h⌋ in exact integers.
		k := new(big.Int).Mul(big.NewInt(int64(age)), big.NewInt(1024))
		k.Quo(k, big.NewInt(int64(d.HalfLife)))
		q := new(big.Int).Rsh(k, 10).Int64()
		j := int(new(big.Int).And(k, big.NewInt(1023)).Int64())
		if q > 200 {
			return decimal.Zero
		}
		half := decimal.New(5, -1)
		f := scoring.HalfLifeFactor(j)
		for i := int64(0); i < q; i++ {
			f = f.Mul(half) // exact
		}
		return f.RoundBank(scoring.FactorPlaces)
	case scoring.DecayStep:
		f := one
		for _, s := range d.Steps {
			if age >= time.Duration(s.After) {
				f = s.Factor
			}
		}
		return f
	}
	return one
}

func refMatch(c scoring.Condition, v string, ok bool) bool {
	present := ok && v != ""
	switch c.Op {
	case scoring.OpPresent:
		return present
	case scoring.OpMissing:
		return !present
	}
	if !present {
		return false
	}
	// IgnoreCase is Unicode simple folding rune by rune, as
	// strings.EqualFold (an invalid byte is one U+FFFD).
	runeEq := func(a, b rune) bool { return a == b || (c.IgnoreCase && strings.EqualFold(string(a), string(b))) }
	hasPrefix := func(v, p []rune) bool {
		if len(v) < len(p) {
			return false
		}
		for i := range p {
			if !runeEq(v[i], p[i]) {
				return false
			}
		}
		return true
	}
	equal := func(a, b string) bool { return len([]rune(a)) == len([]rune(b)) && hasPrefix([]rune(a), []rune(b)) }
	rv, rp := []rune(v), []rune(c.Value)
	if !c.IgnoreCase {
		// Case-sensitive tests compare bytes (so invalid UTF-8 too).
		equal = func(a, b string) bool { return a == b }
	}
	switch c.Op {
	case scoring.OpEquals:
		return equal(v, c.Value)
	case scoring.OpOneOf, scoring.OpNotOneOf:
		in := false
		for _, x := range c.Values {
			in = in || equal(v, x)
		}
		return in == (c.Op == scoring.OpOneOf)
	case scoring.OpPrefix:
		if !c.IgnoreCase {
			return strings.HasPrefix(v, c.Value)
		}
		return hasPrefix(rv, rp)
	case scoring.OpSuffix:
		if !c.IgnoreCase {
			return strings.HasSuffix(v, c.Value)
		}
		return len(rv) >= len(rp) && hasPrefix(rv[len(rv)-len(rp):], rp)
	case scoring.OpContains:
		if !c.IgnoreCase {
			return strings.Contains(v, c.Value)
		}
		for i := 0; i+len(rp) <= len(rv); i++ {
			if hasPrefix(rv[i:], rp) {
				return true
			}
		}
		return false
	case scoring.OpRegex:
		p := c.Value
		if c.IgnoreCase {
			p = "(?i)" + p
		}
		return regexp.MustCompile(p).MatchString(v)
	case scoring.OpRange:
		if len(v) > 64 {
			return false
		}
		d, err := decimal.NewFromString(v)
		if err != nil {
			return false
		}
		return (!c.Min.Valid || d.GreaterThanOrEqual(c.Min.Decimal)) && (!c.Max.Valid || d.LessThan(c.Max.Decimal))
	}
	return false
}

func clampNull(x decimal.Decimal, lo, hi decimal.NullDecimal) decimal.Decimal {
	if lo.Valid && x.LessThan(lo.Decimal) {
		return lo.Decimal
	}
	if hi.Valid && x.GreaterThan(hi.Decimal) {
		return hi.Decimal
	}
	return x
}

// diffReference compares got with the decimal reference's result for the
// same lead, now and previous result, reasons aside (the reference writes
// none, so they are taken from got), and returns cmp.Diff (-want +got).
func diffReference(spec scoring.Spec, lead scoring.Lead, now time.Time, prev *scoring.Result, got scoring.Result) string {
	want := reference(spec, lead, now, prev)
	if len(want.Ledger) == len(got.Ledger) {
		for i := range want.Ledger {
			want.Ledger[i].Reason = got.Ledger[i].Reason
		}
	}
	return cmp.Diff(want, got)
}

// reference scores lead with spec in plain decimal arithmetic. Reasons
// are left empty (the caller copies them from the result under test).
func reference(spec scoring.Spec, lead scoring.Lead, now time.Time, prev *scoring.Result) scoring.Result {
	res := scoring.Result{ModelID: spec.ID, ModelVersion: spec.Version, At: now}
	defaultBands := map[scoring.Axis][]scoring.Band{
		scoring.AxisFit:      {{Grade: "A", Min: nd(75)}, {Grade: "B", Min: nd(50)}, {Grade: "C", Min: nd(25)}, {Grade: "D"}},
		scoring.AxisInterest: {{Grade: "1", Min: nd(75)}, {Grade: "2", Min: nd(50)}, {Grade: "3", Min: nd(25)}, {Grade: "4"}},
	}
	for _, ax := range []struct {
		axis scoring.Axis
		s    scoring.AxisSpec
	}{{scoring.AxisFit, spec.Fit}, {scoring.AxisInterest, spec.Interest}} {
		total := decimal.Zero
		groupSum := map[string]decimal.Decimal{}
		for _, r := range ax.s.Rules {
			e := scoring.Entry{Kind: scoring.EntryRule, Axis: ax.axis, Name: r.Name, Group: r.Group}
			if !r.IsActivity() {
				v, ok := lead.Fields[r.When.Field]
				if !refMatch(r.When, v, ok) {
					continue
				}
				e.Count, e.Raw, e.Decayed = 1, r.Points, r.Points
			} else {
				for _, a := range lead.Activities {
					age := now.Round(0).Sub(a.At.Round(0)) // on the wall clock
					if a.Type != r.Activity || age < 0 || (r.Within > 0 && age >= time.Duration(r.Within)) {
						continue
					}
					all := true
					for _, c := range r.Where {
						v, ok := a.Attr(c.Field)
						all = all && refMatch(c, v, ok)
					}
					if !all {
						continue
					}
					e.Count++
					e.Raw = e.Raw.Add(r.Points)
					e.Decayed = e.Decayed.Add(r.Points.Mul(refFactor(r.Decay, age)).RoundBank(scoring.PointPlaces))
					if e.First.IsZero() || a.At.Before(e.First) {
						e.First = a.At
					}
					if e.Last.IsZero() || a.At.After(e.Last) {
						e.Last = a.At
					}
				}
				if e.Count == 0 {
					continue
				}
			}
			e.Points = e.Decayed
			if r.Cap.Valid {
				e.Points = clampNull(e.Decayed, decimal.NewNullDecimal(r.Cap.Decimal.Neg()), r.Cap)
			}
			if r.Group != "" {
				groupSum[r.Group] = groupSum[r.Group].Add(e.Points)
			}
			total = total.Add(e.Points)
			res.Ledger = append(res.Ledger, e)
		}
		for _, g := range ax.s.Groups {
			s := groupSum[g.Name]
			adj := clampNull(s, g.Min, g.Max).Sub(s)
			if adj.IsZero() {
				continue
			}
			res.Ledger = append(res.Ledger, scoring.Entry{Kind: scoring.EntryGroupCap, Axis: ax.axis, Name: g.Name, Group: g.Name, Raw: s, Decayed: s, Points: adj})
			total = total.Add(adj)
		}
		if adj := clampNull(total, ax.s.Min, ax.s.Max).Sub(total); !adj.IsZero() {
			res.Ledger = append(res.Ledger, scoring.Entry{Kind: scoring.EntryAxisCap, Axis: ax.axis, Name: string(ax.axis), Raw: total, Decayed: total, Points: adj})
			total = total.Add(adj)
		}
		bands := ax.s.Bands
		if len(bands) == 0 {
			bands = defaultBands[ax.axis]
		}
		grade := bands[len(bands)-1].Grade
		for _, b := range bands {
			if b.Min.Valid && total.GreaterThanOrEqual(b.Min.Decimal) {
				grade = b.Grade
				break
			}
		}
		enter := decimal.NewFromInt(50)
		if ax.s.High.Enter.Valid {
			enter = ax.s.High.Enter.Decimal
		}
		leave := enter
		if ax.s.High.Leave.Valid {
			leave = ax.s.High.Leave.Decimal
		}
		was := prev != nil && prev.ModelID == spec.ID && ((ax.axis == scoring.AxisFit && prev.FitHigh) || (ax.axis == scoring.AxisInterest && prev.InterestHigh))
		high := total.GreaterThanOrEqual(enter) || (was && total.GreaterThanOrEqual(leave))
		if ax.axis == scoring.AxisFit {
			res.Fit, res.FitGrade, res.FitHigh = total, grade, high
		} else {
			res.Interest, res.InterestGrade, res.InterestHigh = total, grade, high
		}
	}
	res.Label = res.FitGrade + res.InterestGrade
	res.Quadrant = scoring.QuadrantOf(res.FitHigh, res.InterestHigh)
	res.Action = res.Quadrant.Action()
	return res
}

func nd(n int64) decimal.NullDecimal { return decimal.NewNullDecimal(decimal.NewFromInt(n)) }
