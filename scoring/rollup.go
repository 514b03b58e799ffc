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
// Cap belongs to capped_sum only and N to top_mean only: a Cap set on
// another method, an N other than 0 on another method, a negative Cap
// (a cap limits how high the sum goes; like a rule's cap it is not
// negative) and an N below 1 on top_mean are an [ErrRollup], not
// silently ignored or applied.
//
// The mean of the top N is the exact sum divided by min(N, contacts),
// rounded half-even to [PointPlaces] places: the only rounding.
type Rollup struct {
	Method RollupMethod
	Cap    decimal.NullDecimal // capped_sum: the most the sum may be (≥ 0; null: no cap)
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

// Combine combines scores; no scores give zero. An invalid r (see
// [Rollup]) is an [ErrRollup], with scores or without; so is a score or
// Cap out of range (a decimal exponent beyond ±40 or a coefficient of
// more than 256 bits, which no [Result] has), so no input costs
// unbounded time or memory.
func (r Rollup) Combine(scores []decimal.Decimal) (decimal.Decimal, error) {
	if err := r.check(); err != nil {
		return decimal.Decimal{}, err
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
		if len(scores) == 0 {
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
	return decimal.Decimal{}, errors.Join(ErrRollup, errors.New("unknown method "+string(r.Method))) // unreachable: check refused it
}

// check reports what is wrong with r as an [ErrRollup], or nil.
func (r Rollup) check() error {
	switch r.Method {
	case "", RollupMax, RollupCappedSum, RollupTopMean:
	default:
		return errors.Join(ErrRollup, fmt.Errorf("unknown method %q", r.Method))
	}
	method := r.Method
	if method == "" {
		method = RollupMax
	}
	switch {
	case r.Cap.Valid && method != RollupCappedSum:
		return errors.Join(ErrRollup, fmt.Errorf("cap belongs to capped_sum only, not %s", method))
	case r.Cap.Valid && !sane(r.Cap.Decimal):
		return errors.Join(ErrRollup, errors.New("cap out of range"))
	case r.Cap.Valid && r.Cap.Decimal.Sign() < 0:
		return errors.Join(ErrRollup, fmt.Errorf("cap %s is negative", r.Cap.Decimal))
	case method == RollupTopMean && r.N < 1:
		return errors.Join(ErrRollup, fmt.Errorf("top_mean needs N ≥ 1, not %d", r.N))
	case method != RollupTopMean && r.N != 0:
		return errors.Join(ErrRollup, fmt.Errorf("only top_mean takes N, not %s", method))
	}
	return nil
}
