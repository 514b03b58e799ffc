package scoring

import (
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/shopspring/decimal"
)

// RollupMethod names how contact scores combine into an account score.
type RollupMethod string

// Roll-up methods.
const (
	RollupMax       RollupMethod = "max"        // the best contact's score
	RollupCappedSum RollupMethod = "capped_sum" // the sum, at most Cap (if set)
	RollupTopMean   RollupMethod = "top_mean"   // the mean of the N best scores
)

// ErrRollup reports an invalid [Rollup].
var ErrRollup = errors.New("scoring: invalid roll-up")

// Rollup combines the scores of an account's contacts (its buying group)
// into one account score, per axis. The zero value is RollupMax.
//
// The mean of the top N is the exact sum divided by min(N, contacts),
// rounded half-even to [PointPlaces] places: the only rounding.
type Rollup struct {
	Method RollupMethod
	Cap    decimal.NullDecimal // capped_sum: the most the sum may be
	N      int                 // top_mean: how many of the best contacts (≥ 1)
}

// AccountScore is an account's score on both axes.
type AccountScore struct {
	Fit, Interest decimal.Decimal
	Contacts      int // results combined
}

// Account combines contact results into an account score. The results
// must come from one model and version (scores of different models are
// on different scales): mixing them is an [ErrRollup].
func (r Rollup) Account(results []Result) (AccountScore, error) {
	for i, x := range results {
		if x.ModelID != results[0].ModelID || x.ModelVersion != results[0].ModelVersion {
			return AccountScore{}, errors.Join(ErrRollup, fmt.Errorf("result %d is from model %q v%d, result 0 from %q v%d: rescore the contacts with one model",
				i, x.ModelID, x.ModelVersion, results[0].ModelID, results[0].ModelVersion))
		}
	}
	fit := make([]decimal.Decimal, len(results))
	interest := make([]decimal.Decimal, len(results))
	for i, x := range results {
		fit[i], interest[i] = x.Fit, x.Interest
	}
	f, err := r.Combine(fit)
	if err != nil {
		return AccountScore{}, err
	}
	in, err := r.Combine(interest)
	if err != nil {
		return AccountScore{}, err
	}
	return AccountScore{Fit: f, Interest: in, Contacts: len(results)}, nil
}

// Combine combines scores; no scores give zero. A score or Cap out of
// range (a decimal exponent beyond ±40 or a coefficient of more than 256
// bits, which no [Result] has) is an [ErrRollup], so no input costs
// unbounded time or memory.
func (r Rollup) Combine(scores []decimal.Decimal) (decimal.Decimal, error) {
	if r.Cap.Valid && !sane(r.Cap.Decimal) {
		return decimal.Decimal{}, errors.Join(ErrRollup, errors.New("cap out of range"))
	}
	for i, s := range scores {
		if !sane(s) {
			return decimal.Decimal{}, errors.Join(ErrRollup, fmt.Errorf("score %d out of range", i))
		}
	}
	switch r.Method {
	case "", RollupMax:
		if len(scores) == 0 {
			return decimal.Decimal{}, nil
		}
		return decimal.Max(scores[0], scores[1:]...), nil
	case RollupCappedSum:
		if len(scores) == 0 { // zero, even under a negative Cap
			return decimal.Decimal{}, nil
		}
		sum := decimal.Decimal{}
		for _, s := range scores {
			sum = sum.Add(s)
		}
		if r.Cap.Valid && sum.GreaterThan(r.Cap.Decimal) {
			sum = r.Cap.Decimal
		}
		return sum, nil
	case RollupTopMean:
		if r.N < 1 {
			return decimal.Decimal{}, errors.Join(ErrRollup, errors.New("top_mean needs N ≥ 1"))
		}
		if len(scores) == 0 {
			return decimal.Decimal{}, nil
		}
		sorted := slices.Clone(scores)
		slices.SortFunc(sorted, func(a, b decimal.Decimal) int { return b.Cmp(a) })
		k := min(r.N, len(sorted))
		sum := decimal.Decimal{}
		for _, s := range sorted[:k] {
			sum = sum.Add(s)
		}
		// sum / k, half-even to PointPlaces, exactly.
		num := sum.Coefficient()
		den := big.NewInt(int64(k))
		if e := sum.Exponent(); e >= 0 {
			num.Mul(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil))
		} else {
			den.Mul(den, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-e)), nil))
		}
		return ratioBig(num, den, PointPlaces), nil
	}
	return decimal.Decimal{}, errors.Join(ErrRollup, errors.New("unknown method "+string(r.Method)))
}
