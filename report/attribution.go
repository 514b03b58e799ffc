package report

import (
	"cmp"
	"math/big"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// AttributionModel names a multi-touch attribution model.
type AttributionModel string

// The attribution models. For a won deal, the touches of its lead at or
// before the deal's ClosedAt are ordered by time (then channel, then
// milestone) and each gets a weight; the deal's amount is split in
// proportion to the weights (see [Attribute] for the exact rule).
const (
	// FirstTouch: all credit to the first touch.
	FirstTouch AttributionModel = "first_touch"
	// LastTouch: all credit to the last touch.
	LastTouch AttributionModel = "last_touch"
	// Linear: equal credit to every touch.
	Linear AttributionModel = "linear"
	// UShaped: 40 % to the first touch, 40 % to the lead-creation touch
	// (the last touch marked [MilestoneLead], else the last touch), 20 %
	// shared equally by the others; with no other touch the 20 % is shared
	// equally by the two anchors. Anchors that coincide add up.
	UShaped AttributionModel = "u_shaped"
	// WShaped: 30 % each to the first touch, the lead-creation touch (the
	// last marked [MilestoneLead], else the middle touch, index n/2) and
	// the opportunity-creation touch (the last marked
	// [MilestoneOpportunity], else the last touch), 10 % shared equally by
	// the others (or by the three anchors when there is no other).
	WShaped AttributionModel = "w_shaped"
	// TimeDecay: a touch's weight halves for every whole
	// [Config.HalfLife] between it and the close (step decay: weights are
	// exact powers of two).
	TimeDecay AttributionModel = "time_decay"
)

// AttributionModels lists the models in report order.
var attributionModels = []AttributionModel{FirstTouch, LastTouch, Linear, UShaped, WShaped, TimeDecay}

// AttributionModels returns every model, in the order reports list them.
func AttributionModels() []AttributionModel { return slices.Clone(attributionModels) }

// Credit is the share of a deal (or of a period's revenue) given to one
// channel.
type Credit struct {
	Channel string          `json:"channel"`
	Amount  decimal.Decimal `json:"amount"`
}

// Attribute splits amount over touches (already filtered to those at or
// before the close) with model m, and returns one credit per touch:
// credit i is the share of touches[i], whatever the order of the slice.
// The touches are weighed in the order reports use (by time, then
// channel, then milestone; touches equal in all three in the order
// given), so "first", "last" and "earlier" below mean that order. The
// credits add up exactly to amount:
//
//   - the unit is 10^-s, s = max(2, significant decimal places of amount),
//     so 1000, 1000.00 and 1000.000 split alike;
//   - each touch first gets ⌊units × wᵢ / Σw⌋ units (toward zero for a
//     negative amount);
//   - the remaining units (fewer than the number of touches) go one each
//     to the touches with the largest remainders (units × wᵢ mod Σw), ties
//     to the earlier touch (largest-remainder method).
//
// With no touches it returns nil. A model that is not one of
// [AttributionModels] gets the weights of [Linear].
func Attribute(m AttributionModel, amount decimal.Decimal, close time.Time, halfLife time.Duration, touches []Touch) []decimal.Decimal {
	recs := make([]touchRec, len(touches))
	order := make([]int, len(touches)) // order[k]: the touch weighed k-th
	for i, t := range touches {
		recs[i] = touchRec{t.At.UnixNano(), t.Channel, t.Milestone}
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return compareTouches(recs[a], recs[b]) })
	sorted := make([]touchRec, len(recs))
	for k, i := range order {
		sorted[k] = recs[i]
	}
	credits := attribute(m, amount, close.UnixNano(), int64(halfLife), sorted)
	if credits == nil {
		return nil
	}
	out := make([]decimal.Decimal, len(credits))
	for k, i := range order {
		out[i] = credits[k]
	}
	return out
}

func sortTouches(ts []touchRec) { slices.SortStableFunc(ts, compareTouches) }

// compareTouches orders touches by time, then channel, then milestone.
func compareTouches(a, b touchRec) int {
	if c := cmp.Compare(a.at, b.at); c != 0 {
		return c
	}
	if c := cmp.Compare(a.channel, b.channel); c != 0 {
		return c
	}
	return cmp.Compare(a.milestone, b.milestone)
}

// weights returns integer weights for the touches under model m.
func weights(m AttributionModel, close, halfLife int64, ts []touchRec) []*big.Int {
	n := len(ts)
	w := make([]int64, n)
	lastMarked := func(ms Milestone, def int) int {
		for i := n - 1; i >= 0; i-- {
			if ts[i].milestone == ms {
				return i
			}
		}
		return def
	}
	positional := func(anchors []int, each, rest int64) {
		isAnchor := make([]bool, n)
		for _, i := range anchors {
			isAnchor[i] = true
		}
		others := 0
		for _, a := range isAnchor {
			if !a {
				others++
			}
		}
		// Scale so every share is an integer: anchors get each·k·others,
		// others share rest·k.
		slots := int64(len(anchors))
		if others == 0 {
			// rest shared by the anchor slots.
			for _, i := range anchors {
				w[i] += each*slots + rest
			}
			return
		}
		for _, i := range anchors {
			w[i] += each * int64(others)
		}
		for i := range w {
			if !isAnchor[i] {
				w[i] += rest
			}
		}
	}
	switch m {
	case FirstTouch:
		w[0] = 1
	case LastTouch:
		w[n-1] = 1
	case UShaped:
		if n == 1 {
			w[0] = 1
			break
		}
		positional([]int{0, lastMarked(MilestoneLead, n-1)}, 40, 20)
	case WShaped:
		if n == 1 {
			w[0] = 1
			break
		}
		positional([]int{0, lastMarked(MilestoneLead, n/2), lastMarked(MilestoneOpportunity, n-1)}, 30, 10)
	case TimeDecay:
		ks := make([]int64, n)
		var kmax int64
		for i, t := range ts {
			k := int64(0)
			if halfLife > 0 && close > t.at {
				// Unsigned: close − at can exceed MaxInt64 for times
				// centuries apart, and must not wrap to a negative count.
				k = int64(min((uint64(close)-uint64(t.at))/uint64(halfLife), 62))
			}
			ks[i] = k
			kmax = max(kmax, k)
		}
		out := make([]*big.Int, n)
		for i, k := range ks {
			out[i] = new(big.Int).Lsh(big.NewInt(1), uint(kmax-k))
		}
		return out
	default: // Linear
		for i := range w {
			w[i] = 1
		}
	}
	out := make([]*big.Int, n)
	for i, v := range w {
		out[i] = big.NewInt(v)
	}
	return out
}

func attribute(m AttributionModel, amount decimal.Decimal, close, halfLife int64, ts []touchRec) []decimal.Decimal {
	n := len(ts)
	if n == 0 {
		return nil
	}
	w := weights(m, close, halfLife, ts)
	scale := max(int32(2), places(amount))
	units := amount.Shift(scale).BigInt() // exact: scale covers every place
	neg := units.Sign() < 0
	if neg {
		units.Neg(units)
	}
	total := new(big.Int)
	for _, x := range w {
		total.Add(total, x)
	}
	credits := make([]*big.Int, n)
	rems := make([]*big.Int, n)
	given := new(big.Int)
	for i, x := range w {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(units, x), total, new(big.Int))
		credits[i], rems[i] = q, r
		given.Add(given, q)
	}
	left := new(big.Int).Sub(units, given).Int64() // < n
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(rems[a]) })
	for j := int64(0); j < left; j++ {
		credits[order[j]].Add(credits[order[j]], big.NewInt(1))
	}
	out := make([]decimal.Decimal, n)
	for i, c := range credits {
		if neg {
			c.Neg(c)
		}
		out[i] = decimal.NewFromBigInt(c, -scale)
	}
	return out
}

// places returns the number of significant decimal places of d (trailing
// zeros do not count): 0 for 1000.00, 3 for 0.125.
func places(d decimal.Decimal) int32 {
	exp := d.Exponent()
	if exp >= 0 || d.IsZero() {
		return 0
	}
	c := d.Coefficient()
	ten := big.NewInt(10)
	m := new(big.Int)
	for exp < 0 {
		q, r := new(big.Int).QuoRem(c, ten, m)
		if r.Sign() != 0 {
			break
		}
		c = q
		exp++
	}
	return -exp
}
