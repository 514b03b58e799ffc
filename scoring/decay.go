package scoring

import (
	"math/big"
	"math/bits"
	"time"

	"github.com/shopspring/decimal"
)

// FactorPlaces is the number of decimal places of every decay factor.
// A factor is computed as defined on [Decay] and rounded half-even to
// FactorPlaces places; that rounded factor is the definition.
const FactorPlaces = 9

// PointPlaces is the number of decimal places of every point value.
// Spec points, caps and thresholds may have at most PointPlaces places;
// a decayed contribution (points × factor) is rounded half-even to
// PointPlaces places, once per activity. Nothing else is ever rounded.
const PointPlaces = 4

// HalfLifeSteps is how finely half-life decay follows time: the factor
// changes in steps of 1/HalfLifeSteps of the half-life.
const HalfLifeSteps = 1024

// DecayKind names a form of decay.
type DecayKind string

// The forms of decay. The age of an activity is now − its time; n is the
// number of whole periods in the age, ⌊age / Every⌋.
const (
	// DecayNone keeps every activity at full value.
	DecayNone DecayKind = ""
	// DecayPercent loses Percent % of the remaining value every period
	// (compound, "50 % every month"): factor = (1 − Percent/100)ⁿ. Percent
	// must be at least 1, so that the factor reaches 0 within
	// [MaxDecayPeriods] periods; use DecayHalfLife for a slower fade.
	DecayPercent DecayKind = "percent"
	// DecayLinear loses Percent % of the original value every period
	// until nothing is left: factor = max(0, 1 − n·Percent/100).
	DecayLinear DecayKind = "linear"
	// DecayHalfLife halves the value every HalfLife, in steps of
	// 1/[HalfLifeSteps] of it: with k = ⌊age·1024 / HalfLife⌋,
	// q = ⌊k/1024⌋ and j = k mod 1024, factor = T[j] / 2^q rounded half-even
	// to FactorPlaces places, where T[j] is 2^(−j/1024) rounded half-even
	// to FactorPlaces places (a fixed table; see [HalfLifeFactor]).
	DecayHalfLife DecayKind = "half_life"
	// DecayStep uses the Factor of the last step whose After is ≤ the age
	// (1 before the first step).
	DecayStep DecayKind = "step"
)

// Decay says how an activity's points shrink with its age. The zero
// value is no decay. Decay and a rule's Within window combine: an
// activity outside the window counts nothing; inside it, it decays.
//
// Every factor is an exact decimal with at most [FactorPlaces] places,
// computed as documented on the [DecayKind] constants, and never
// increases with age.
type Decay struct {
	Kind     DecayKind       `json:"kind,omitempty"`
	Percent  decimal.Decimal `json:"percent,omitzero"`    // percent: 1 ≤ Percent ≤ 100; linear: 0 < Percent ≤ 100; ≤ 4 places
	Every    Duration        `json:"every,omitempty"`     // percent and linear: the period
	HalfLife Duration        `json:"half_life,omitempty"` // half_life: ≥ 1s
	Steps    []Step          `json:"steps,omitempty"`     // step: After strictly increasing, Factor not increasing
}

// Step is one step of a step decay: from After on, the factor is Factor
// (0 ≤ Factor ≤ 1, at most FactorPlaces places).
type Step struct {
	After  Duration        `json:"after"`
	Factor decimal.Decimal `json:"factor"`
}

// PercentDecay returns a compound decay losing percent % every period.
func PercentDecay(percent decimal.Decimal, every Duration) Decay {
	return Decay{Kind: DecayPercent, Percent: percent, Every: every}
}

// LinearDecay returns a decay losing percent % of the original every
// period.
func LinearDecay(percent decimal.Decimal, every Duration) Decay {
	return Decay{Kind: DecayLinear, Percent: percent, Every: every}
}

// HalfLifeDecay returns a decay halving the value every h.
func HalfLifeDecay(h Duration) Decay { return Decay{Kind: DecayHalfLife, HalfLife: h} }

// StepDecay returns a step decay.
func StepDecay(steps ...Step) Decay { return Decay{Kind: DecayStep, Steps: steps} }

// HalfLifeFactor returns T[j], the table entry 2^(−j/1024) rounded
// half-even to FactorPlaces places, for 0 ≤ j < 1024 (otherwise zero).
func HalfLifeFactor(j int) decimal.Decimal {
	if j < 0 || j >= HalfLifeSteps {
		return decimal.Decimal{}
	}
	return decimal.New(int64(halfLifeTable[j]), -FactorPlaces)
}

// Factor returns the decay factor for an activity of the given age, as
// an exact decimal computed straight from the definition (slowly; the
// model uses an equivalent integer form). A negative age gives 1. The
// decay is assumed valid (see [Spec.Validate]); an invalid one gives a
// meaningless factor but never a panic, and a Percent that Validate
// rejects (out of range, or with more than PointPlaces places) gives 0
// at once rather than unbounded work or a factor outside [0, 1].
func (d Decay) Factor(age time.Duration) decimal.Decimal {
	one := decimal.NewFromInt(1)
	if age < 0 {
		return one
	}
	switch d.Kind {
	case DecayPercent, DecayLinear:
		if d.Every <= 0 {
			return one
		}
		if !d.percentInRange() {
			return decimal.Decimal{}
		}
		n := int64(age / time.Duration(d.Every))
		p := d.Percent.Shift(-2)
		if d.Kind == DecayLinear {
			f := one.Sub(p.Mul(decimal.NewFromInt(n)))
			if f.Sign() < 0 {
				return decimal.Decimal{}
			}
			return f
		}
		if n > MaxDecayPeriods {
			return decimal.Decimal{}
		}
		q := one.Sub(p)
		f := one
		for i := int64(0); i < n; i++ {
			f = f.Mul(q)
		}
		return f.RoundBank(FactorPlaces)
	case DecayHalfLife:
		if d.HalfLife <= 0 {
			return one
		}
		hi, lo := bits.Mul64(uint64(age), HalfLifeSteps)
		if hi >= uint64(d.HalfLife) {
			// k ≥ 2^64 (only for a half-life below 1s, which Validate
			// rejects): countless half-lives, and no Div64 overflow panic.
			return decimal.Decimal{}
		}
		k, _ := bits.Div64(hi, lo, uint64(d.HalfLife))
		q, j := k/HalfLifeSteps, k%HalfLifeSteps
		if q > 64 {
			return decimal.Decimal{}
		}
		pow5 := new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(q)), nil)
		return HalfLifeFactor(int(j)).Mul(decimal.NewFromBigInt(pow5, -int32(q))).RoundBank(FactorPlaces)
	case DecayStep:
		f := one
		for _, s := range d.Steps {
			if time.Duration(s.After) <= age {
				f = s.Factor
			}
		}
		return f
	}
	return one
}

// percentInRange reports whether d.Percent is one [Spec.Validate]
// accepts for d.Kind (percent or linear): at most PointPlaces places,
// above 0 (at least 1 for percent decay) and at most 100. Any other
// Percent could make Factor's exact arithmetic grow without bound (a
// factor of 87 000 digits for a Percent of 10^36) or give a "factor"
// that is negative or above 1.
func (d Decay) percentInRange() bool {
	p := d.Percent
	switch {
	case !sane(p) || p.Sign() <= 0 || p.GreaterThan(decimal.NewFromInt(100)) || !p.Equal(p.Truncate(PointPlaces)):
		return false
	case d.Kind == DecayPercent:
		return !p.LessThan(decimal.NewFromInt(1))
	}
	return true
}

// decayer is the compiled integer form of a Decay. Factors are in units
// of 10^−FactorPlaces.
type decayer struct {
	kind   decayCode
	every  int64    // percent, linear: period in ns
	div    divider  // percent, linear: by every; half_life: by half
	table  []uint64 // percent: factor for n = 0, 1, ... until it rounds to 0
	linDec uint64   // linear: factor lost per period
	half   uint64   // half_life: ns
	stepAt []int64  // step: ages in ns
	stepF  []uint64 // step: factors
}

const factorOne = 1_000_000_000 // 10^FactorPlaces

func compileDecay(d Decay) decayer {
	c := decayer{kind: decayCodeOf(d.Kind)}
	switch d.Kind {
	case DecayPercent:
		c.every = int64(d.Every)
		c.div = newDivider(uint64(c.every))
		c.table = percentTable(d.Percent)
	case DecayLinear:
		c.every = int64(d.Every)
		c.div = newDivider(uint64(c.every))
		c.linDec = uint64(d.Percent.Shift(FactorPlaces - 2).IntPart())
	case DecayHalfLife:
		c.half = uint64(d.HalfLife)
		c.div = newDivider(c.half)
	case DecayStep:
		for _, s := range d.Steps {
			c.stepAt = append(c.stepAt, int64(s.After))
			c.stepF = append(c.stepF, uint64(s.Factor.Shift(FactorPlaces).IntPart()))
		}
	}
	return c
}

// percentTable returns round_half_even((1 − p/100)ⁿ, FactorPlaces) in
// units of 10^−FactorPlaces for n = 0, 1, ... up to the first zero (at
// most MaxDecayPeriods+1 entries). p has at most 4 places, so q = 1 − p/100
// is Q/10^6 exactly. It follows q^n × 10^30 from below (error < n units)
// and falls back to exact big-integer arithmetic when that interval does
// not decide the rounding.
func percentTable(p decimal.Decimal) []uint64 {
	const k = 30 // working decimal places
	Q := big.NewInt(1_000_000 - p.Shift(4).IntPart())
	million := big.NewInt(1_000_000)
	div := new(big.Int).Exp(big.NewInt(10), big.NewInt(k-FactorPlaces), nil)
	x := new(big.Int).Exp(big.NewInt(10), big.NewInt(k), nil) // ⌊q^n × 10^k⌋ − error
	var lo, hi, tmp big.Int
	var table []uint64
	for n := int64(0); n <= MaxDecayPeriods; n++ {
		if n > 0 {
			x.Mul(x, Q)
			x.Quo(x, million)
		}
		a := roundHalfEvenBig(&lo, x, div, &tmp)
		b := roundHalfEvenBig(&hi, hi.Add(x, big.NewInt(n)), div, &tmp)
		if a.Cmp(b) != 0 {
			// Exact: Q^n × 10^9 / 10^(6n).
			num := new(big.Int).Exp(Q, big.NewInt(n), nil)
			num.Mul(num, big.NewInt(factorOne))
			den := new(big.Int).Exp(million, big.NewInt(n), nil)
			a = roundHalfEvenBig(&lo, num, den, &tmp)
		}
		if a.Sign() == 0 {
			break
		}
		table = append(table, a.Uint64())
	}
	return table
}

// roundHalfEvenBig sets z to x/d rounded half-even (x ≥ 0, d > 0) and returns z.
func roundHalfEvenBig(z, x, d, tmp *big.Int) *big.Int {
	var r big.Int
	z.QuoRem(x, d, &r)
	tmp.Lsh(&r, 1)
	if c := tmp.Cmp(d); c > 0 || (c == 0 && z.Bit(0) == 1) {
		z.Add(z, big.NewInt(1))
	}
	return z
}

// decayCode is a DecayKind as a small integer, for a cheap switch.
type decayCode uint8

const (
	codeNone decayCode = iota
	codePercent
	codeLinear
	codeHalfLife
	codeStep
)

func decayCodeOf(k DecayKind) decayCode {
	switch k {
	case DecayPercent:
		return codePercent
	case DecayLinear:
		return codeLinear
	case DecayHalfLife:
		return codeHalfLife
	case DecayStep:
		return codeStep
	}
	return codeNone
}

// factor returns the factor for an age ≥ 0 in ns.
func (c *decayer) factor(age int64) uint64 {
	switch c.kind {
	case codeNone:
		return factorOne
	case codePercent:
		n := int64(c.div.div(uint64(age)))
		if n < int64(len(c.table)) {
			return c.table[n]
		}
		return 0
	case codeLinear:
		n := c.div.div(uint64(age))
		if c.linDec == 0 {
			return factorOne
		}
		if n >= factorOne/c.linDec+1 {
			return 0
		}
		lost := n * c.linDec
		if lost >= factorOne {
			return 0
		}
		return factorOne - lost
	case codeHalfLife:
		var k uint64
		if uint64(age) < 1<<53 {
			k = c.div.div(uint64(age) << 10)
		} else {
			hi, lo := bits.Mul64(uint64(age), HalfLifeSteps)
			k, _ = bits.Div64(hi, lo, c.half) // hi < 1024 ≤ c.half: no overflow
		}
		q, j := k>>10, k&(HalfLifeSteps-1)
		t := halfLifeTable[j]
		if q == 0 {
			return t
		}
		if q > 40 {
			return 0
		}
		return shiftRoundHalfEven(t, uint(q))
	case codeStep:
		f := uint64(factorOne)
		for i, at := range c.stepAt {
			if at > age {
				break
			}
			f = c.stepF[i]
		}
		return f
	}
	return factorOne
}

// divider divides by a fixed d > 0 with a multiplication by a
// precomputed reciprocal and at most two corrections: the exact floor
// quotient, cheaper than a hardware division.
type divider struct{ d, inv uint64 }

func newDivider(d uint64) divider {
	if d == 0 {
		return divider{}
	}
	return divider{d: d, inv: ^uint64(0) / d}
}

// div returns ⌊x / d⌋.
func (v divider) div(x uint64) uint64 {
	q, _ := bits.Mul64(x, v.inv) // q ≤ ⌊x/d⌋ < q + 2
	r := x - q*v.d
	for r >= v.d {
		q++
		r -= v.d
	}
	return q
}

// shiftRoundHalfEven returns x / 2^s rounded half-even, for 0 < s < 64.
func shiftRoundHalfEven(x uint64, s uint) uint64 {
	q := x >> s
	rem := x & (1<<s - 1)
	half := uint64(1) << (s - 1)
	if rem > half || (rem == half && q&1 == 1) {
		q++
	}
	return q
}

// applyFactor returns points × f / 10^FactorPlaces rounded half-even to
// an integer number of point units (f ≤ 10^FactorPlaces).
func applyFactor(points int64, f uint64) int64 {
	if narrow(points) {
		return mulRound(points, f)
	}
	a := uint64(points)
	if points < 0 {
		a = -a
	}
	hi, lo := bits.Mul64(a, f)
	q, rem := bits.Div64(hi, lo, factorOne) // |points| < 2^63 and f ≤ 10^9: the quotient fits
	if rem > factorOne/2 || (rem == factorOne/2 && q&1 == 1) {
		q++
	}
	if points < 0 {
		return -int64(q)
	}
	return int64(q)
}

// narrow reports whether |points| × 10^FactorPlaces + 10^FactorPlaces/2
// fits in 63 bits, so [mulRound] may compute points × f (every point
// value of up to about 922 337 points).
func narrow(points int64) bool {
	const limit = (1<<63 - factorOne/2) / factorOne
	return points <= limit && points >= -limit
}

// mulRound is applyFactor for narrow points, small enough to inline:
// with |points| × f = q₀·10⁹ + rem, x = |points| × f + 10⁹/2 gives
// q = ⌊x / 10⁹⌋ = q₀ + [rem ≥ 10⁹/2], and x is a multiple of 10⁹ only on
// a tie (rem = 10⁹/2), where an odd q goes back to the even q₀.
func mulRound(points int64, f uint64) int64 {
	a := uint64(points)
	if points < 0 {
		a = -a
	}
	x := a*f + factorOne/2
	q := x / factorOne
	if q*factorOne == x && q&1 == 1 {
		q--
	}
	if points < 0 {
		return -int64(q)
	}
	return int64(q)
}
