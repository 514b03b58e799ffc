package scoring

import (
	"time"

	"github.com/shopspring/decimal"
)

// Contribution is what one activity gave one activity rule, before the
// rule's cap: the detail behind a ledger [Entry].
type Contribution struct {
	Rule     string
	Axis     Axis
	Activity int // index in the lead's activities
	At       time.Time
	Age      time.Duration
	Points   decimal.Decimal // the rule's points
	Factor   decimal.Decimal // the decay factor at this age
	Value    decimal.Decimal // Points × Factor, rounded half-even to PointPlaces
}

// Equal reports whether c and o are the same contribution.
func (c Contribution) Equal(o Contribution) bool {
	return c.Rule == o.Rule && c.Axis == o.Axis && c.Activity == o.Activity && c.At.Equal(o.At) &&
		c.Age == o.Age && c.Points.Equal(o.Points) && c.Factor.Equal(o.Factor) && c.Value.Equal(o.Value)
}

// Contributions lists, rule by rule in declaration order and then in the
// lead's activity order, every activity an activity rule counted at now,
// with its age, factor and value. The values of a rule add up to its
// ledger entry's Decayed. Unlike Score it allocates per activity: use it
// to show the detail behind one lead's score, not in bulk.
func (m *Model[L]) Contributions(lead L, now time.Time) []Contribution {
	if len(m.types) == 0 {
		return nil
	}
	acts := m.src.Activities(lead)
	clk := newClock(now)
	var out []Contribution
	for ri := range m.rules {
		r := &m.rules[ri]
		if !r.activity {
			continue
		}
		for ai := range acts {
			a := &acts[ai]
			age, ok := clk.age(a.At)
			if !ok {
				age = clk.ageSlow(a.At)
			}
			if !m.counts(r, a, age) {
				continue
			}
			f := r.decay.factor(age)
			out = append(out, Contribution{Rule: r.name, Axis: m.axes[r.axis].axis, Activity: ai, At: a.At,
				Age: time.Duration(age), Points: fromUnits(r.points), Factor: decimal.New(int64(f), -FactorPlaces),
				Value: fromUnits(applyFactor(r.points, f))})
		}
	}
	return out
}

// counts reports whether activity rule r counts a at age.
func (m *Model[L]) counts(r *ruleModel, a *Activity, age int64) bool {
	if age < 0 || (r.within > 0 && age >= r.within) || a.Type != m.types[r.typeIdx] {
		return false
	}
	for wi := range r.where {
		w := &r.where[wi]
		v, ok := a.Attr(w.field)
		if !w.match(v, ok) {
			return false
		}
	}
	return true
}
