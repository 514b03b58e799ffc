package scoring

import (
	"fmt"
	"math/big"
	"time"

	"github.com/shopspring/decimal"
)

// Sample is a historical lead with a known outcome, for [Model.Calibrate].
type Sample[L any] struct {
	Lead      L
	At        time.Time // when the lead is scored (e.g. the day it became an MQL)
	Converted bool      // whether it converted (e.g. became a customer)
}

// CalibrationOptions tunes [Model.Calibrate]. The zero value is the
// documented default of each field.
type CalibrationOptions struct {
	// Scale turns a difference in conversion rate into points:
	// suggested = Scale × (rate with − rate without), rounded half-even
	// to whole points. Zero means 100 (a criterion that lifts conversion
	// by 20 percentage points is worth 20 points).
	Scale decimal.Decimal
	// MinSupport is the fewest leads that must have, and must lack, a
	// criterion for it to be judged. Zero means 10.
	MinSupport int
	// MinDifference is the smallest difference between the rates with
	// and without a criterion that counts as discriminating. Zero means
	// 0.05 (5 percentage points).
	// The difference is compared exactly, on the ratios of counts, not
	// on the rates rounded for the report.
	MinDifference decimal.Decimal
}

// Calibration reports how well each criterion of a model separated the
// leads that converted from those that did not. All rates are exact
// ratios of counts rounded half-even to 4 places, once.
type Calibration struct {
	ModelID      string
	ModelVersion int
	Leads        int
	Converted    int
	BaseRate     decimal.Decimal // Converted / Leads
	Criteria     []CriterionStats
}

// CriterionStats is the calibration of one criterion.
type CriterionStats struct {
	Name   string
	Axis   Axis
	Points decimal.Decimal // the rule's points today (zero for a host criterion)

	Support          int // leads for which it counted
	ConvertedWith    int // of those, converted
	ConvertedWithout int // of the others, converted

	RateWith    decimal.Decimal // ConvertedWith / Support (0 when Support is 0)
	RateWithout decimal.Decimal // ConvertedWithout / (Leads − Support) (0 when none)
	Lift        decimal.Decimal // RateWith / BaseRate (0 when BaseRate is 0)
	Suggested   decimal.Decimal // Scale × (RateWith − RateWithout), exact ratio rounded to whole points; 0 when no lead or every lead has it (nothing to compare)

	NonDiscriminating bool
	Why               string // a sentence on the verdict
}

// Calibrate scores every sample with m at its At time and reports, for
// each rule and host criterion in declaration order, its support,
// conversion rate with and without it, lift and suggested points, and
// flags those that do not discriminate. It is deterministic; the only
// errors are those of [Model.Score] and [ErrCalibration] for a Scale or
// MinDifference that is negative or out of range (a decimal exponent
// beyond ±40 or a coefficient of more than 256 bits), or a negative
// MinSupport.
func (m *Model[L]) Calibrate(samples []Sample[L], opt CalibrationOptions) (Calibration, error) {
	scale := opt.Scale
	if scale.IsZero() {
		scale = decimal.NewFromInt(100)
	}
	if !sane(scale) {
		return Calibration{}, fmt.Errorf("%w: scale out of range", ErrCalibration)
	}
	if scale.Sign() < 0 {
		return Calibration{}, fmt.Errorf("%w: scale %s is negative", ErrCalibration, scale)
	}
	minSupport := opt.MinSupport
	if minSupport < 0 {
		return Calibration{}, fmt.Errorf("%w: min support %d is negative", ErrCalibration, minSupport)
	}
	if minSupport == 0 {
		minSupport = 10
	}
	minDiff := opt.MinDifference
	if minDiff.IsZero() {
		minDiff = decimal.New(5, -2)
	}
	if !sane(minDiff) {
		return Calibration{}, fmt.Errorf("%w: min difference out of range", ErrCalibration)
	}
	if minDiff.Sign() < 0 {
		return Calibration{}, fmt.Errorf("%w: min difference %s is negative", ErrCalibration, minDiff)
	}
	type row struct {
		name   string
		axis   Axis
		points decimal.Decimal
	}
	var rows []row
	index := map[string]int{}
	for _, r := range m.rules {
		index[r.name] = len(rows)
		rows = append(rows, row{r.name, m.axes[r.axis].axis, fromUnits(r.points)})
	}
	for _, c := range m.custom {
		index[c.name] = len(rows)
		rows = append(rows, row{c.name, m.axes[c.axis].axis, decimal.Decimal{}})
	}
	with := make([]int, len(rows))
	convWith := make([]int, len(rows))
	cal := Calibration{ModelID: m.spec.ID, ModelVersion: m.spec.Version, Leads: len(samples)}
	var res Result
	for i, s := range samples {
		if err := m.ScoreInto(&res, s.Lead, s.At, nil); err != nil {
			return Calibration{}, fmt.Errorf("sample %d: %w", i, err)
		}
		if s.Converted {
			cal.Converted++
		}
		for _, e := range res.Ledger {
			if e.Kind != EntryRule && e.Kind != EntryCriterion {
				continue
			}
			k := index[e.Name]
			with[k]++
			if s.Converted {
				convWith[k]++
			}
		}
	}
	cal.BaseRate = ratio(int64(cal.Converted), int64(cal.Leads), 4)
	for k, r := range rows {
		st := CriterionStats{Name: r.name, Axis: r.axis, Points: r.points,
			Support: with[k], ConvertedWith: convWith[k], ConvertedWithout: cal.Converted - convWith[k]}
		without := cal.Leads - with[k]
		st.RateWith = ratio(int64(st.ConvertedWith), int64(st.Support), 4)
		st.RateWithout = ratio(int64(st.ConvertedWithout), int64(without), 4)
		// lift = (cw / w) / (c / n) = cw·n / (w·c)
		st.Lift = ratioBig(big.NewInt(int64(st.ConvertedWith)*int64(cal.Leads)), big.NewInt(int64(st.Support)*int64(cal.Converted)), 4)
		if st.Support > 0 && without > 0 {
			// scale × (cw/w − co/wo) = scale × (cw·wo − co·w) / (w·wo), exactly.
			num := big.NewInt(int64(st.ConvertedWith)*int64(without) - int64(st.ConvertedWithout)*int64(st.Support))
			den := big.NewInt(int64(st.Support) * int64(without))
			sc := scale.Coefficient()
			num.Mul(num, sc)
			if e := scale.Exponent(); e >= 0 {
				num.Mul(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil))
			} else {
				den.Mul(den, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-e)), nil))
			}
			st.Suggested = ratioBig(num, den, 0)
		}
		switch {
		case st.Support < minSupport:
			st.NonDiscriminating = true
			st.Why = fmt.Sprintf("counted for only %d of %d leads (fewer than %d): not enough evidence", st.Support, cal.Leads, minSupport)
		case without < minSupport:
			st.NonDiscriminating = true
			st.Why = fmt.Sprintf("counted for %d of %d leads: too few leads without it to compare", st.Support, cal.Leads)
		case exactDiff(st.ConvertedWith, st.Support, st.ConvertedWithout, without).Cmp(minDiff.Rat()) < 0:
			st.NonDiscriminating = true
			st.Why = fmt.Sprintf("leads with it convert at %s and without it at %s: it does not discriminate", st.RateWith, st.RateWithout)
		default:
			st.Why = fmt.Sprintf("leads with it convert at %s, without it at %s (lift %s): suggested %s points", st.RateWith, st.RateWithout, st.Lift, st.Suggested)
		}
		cal.Criteria = append(cal.Criteria, st)
	}
	return cal, nil
}

// exactDiff returns |cw/w − co/wo| exactly (w, wo > 0): the verdict
// compares exact rates, never the rounded ones the report shows (two
// rates 0.04999… apart can round 0.05 apart).
func exactDiff(cw, w, co, wo int) *big.Rat {
	a := new(big.Rat).SetFrac(big.NewInt(int64(cw)), big.NewInt(int64(w)))
	b := new(big.Rat).SetFrac(big.NewInt(int64(co)), big.NewInt(int64(wo)))
	return a.Abs(a.Sub(a, b))
}

// ratio returns num/den rounded half-even to places (0 when den is 0).
func ratio(num, den int64, places int32) decimal.Decimal {
	return ratioBig(big.NewInt(num), big.NewInt(den), places)
}

// ratioBig returns num/den rounded half-even to places (0 when den is 0).
func ratioBig(num, den *big.Int, places int32) decimal.Decimal {
	if den.Sign() == 0 {
		return decimal.Decimal{}
	}
	n := new(big.Int).Mul(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil))
	d := new(big.Int).Set(den)
	if d.Sign() < 0 {
		n.Neg(n)
		d.Neg(d)
	}
	neg := n.Sign() < 0
	n.Abs(n)
	var q, r big.Int
	q.QuoRem(n, d, &r)
	r.Lsh(&r, 1)
	if c := r.Cmp(d); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(&q, big.NewInt(1))
	}
	if neg {
		q.Neg(&q)
	}
	return decimal.NewFromBigInt(&q, -places)
}
