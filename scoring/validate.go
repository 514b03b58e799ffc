package scoring

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"time"

	"github.com/shopspring/decimal"
)

// Limits a spec must respect. They keep a spec stored by a host (and
// perhaps edited by a user) from costing unbounded time or memory.
const (
	MaxSpecBytes     = 1 << 20 // size of a JSON spec
	MaxRules         = 256     // rules in a model (both axes)
	MaxConditions    = 16      // Where conditions of an activity rule
	MaxValues        = 256     // Values of a condition
	MaxPatternLen    = 256     // bytes of a Value (a pattern, prefix, ...)
	MaxRegexpInsts   = 1000    // instructions of a compiled regular expression (regexp/syntax), so a short pattern such as \pL{1000}\pL{1000} cannot make matching slow
	MaxNameLen       = 128     // bytes of a name, field, grade or activity type
	MaxGroups        = 64      // groups per axis
	MaxBands         = 16      // bands per axis
	MaxSteps         = 32      // steps of a step decay
	MaxDecayPeriods  = 2500    // a percent decay must reach 0 within this many periods
	MaxPointsDigits  = 9       // integer digits of points, caps and thresholds
	MaxRangeDigits   = 9       // integer digits of a range bound
	MaxRangePlaces   = 9       // decimal places of a range bound
	minHalfLife      = Duration(time.Second)
	maxPointsAbsText = "999999999.9999"
)

func maxPointsAbs() decimal.Decimal { return decimal.New(9999999999999, -PointPlaces) }

// Validate reports every problem of s at once, joined with errors.Join;
// each is a *SpecError with the path of the field at fault. It returns
// nil for a valid spec.
//
// Every string of s (ID, names, groups, fields, operators, values,
// activity types, decay kinds, grades) must be valid UTF-8, as
// [ParseSpec] requires of its input: such strings are compared,
// written in explanations and in JSON, which cannot hold them (a spec
// built in Go would otherwise score and then fail to save, or come back
// from JSON changed).
func (s Spec) Validate() error {
	v := &validator{}
	v.spec(s)
	return v.err()
}

type validator struct {
	errs []error
}

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, &SpecError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) err() error { return errors.Join(v.errs...) }

func (v *validator) spec(s Spec) {
	if s.Format != SpecFormat {
		v.add("format", "format is %d; this version reads format %d", s.Format, SpecFormat)
	}
	v.name("id", s.ID, true)
	if s.Version < 0 {
		v.add("version", "must not be negative")
	}
	if n := len(s.Fit.Rules) + len(s.Interest.Rules); n > MaxRules {
		v.add("", "%d rules, more than the limit of %d", n, MaxRules)
	}
	names := map[string]string{}
	v.axis("fit", s.Fit, names)
	v.axis("interest", s.Interest, names)
	v.errs = append(v.errs, s.utf8Problems()...)
}

func (v *validator) name(path, s string, required bool) {
	switch {
	case s == "" && required:
		v.add(path, "must not be empty")
	case len(s) > MaxNameLen:
		v.add(path, "longer than %d bytes", MaxNameLen)
	}
}

// sane reports whether d is small enough to compare and round cheaply
// (a JSON number such as 1e-999999999 is not).
func sane(d decimal.Decimal) bool {
	e := d.Exponent()
	return e >= -40 && e <= 40 && d.Coefficient().BitLen() <= 256
}

// points checks a value used in fixed-point arithmetic.
func (v *validator) points(path string, d decimal.Decimal, nonNegative bool) {
	switch {
	case !sane(d):
		v.add(path, "number out of range")
	case d.Abs().GreaterThan(maxPointsAbs()):
		v.add(path, "%s is out of range (at most %s in magnitude)", d, maxPointsAbsText)
	case !d.Equal(d.Truncate(PointPlaces)):
		v.add(path, "%s has more than %d decimal places", d, PointPlaces)
	case nonNegative && d.Sign() < 0:
		v.add(path, "must not be negative")
	}
}

func (v *validator) nullPoints(path string, d decimal.NullDecimal, nonNegative bool) {
	if d.Valid {
		v.points(path, d.Decimal, nonNegative)
	}
}

func (v *validator) axis(path string, a AxisSpec, names map[string]string) {
	groups := map[string]bool{}
	if len(a.Groups) > MaxGroups {
		v.add(path+".groups", "%d groups, more than the limit of %d", len(a.Groups), MaxGroups)
	}
	for i, g := range a.Groups {
		p := fmt.Sprintf("%s.groups[%d]", path, i)
		v.name(p+".name", g.Name, true)
		if groups[g.Name] {
			v.add(p+".name", "duplicate group %q", g.Name)
		}
		groups[g.Name] = true
		v.nullPoints(p+".min", g.Min, false)
		v.nullPoints(p+".max", g.Max, false)
		if g.Min.Valid && g.Max.Valid && sane(g.Min.Decimal) && sane(g.Max.Decimal) && g.Min.Decimal.GreaterThan(g.Max.Decimal) {
			v.add(p, "min %s is greater than max %s", g.Min.Decimal, g.Max.Decimal)
		}
	}
	for i, r := range a.Rules {
		v.rule(fmt.Sprintf("%s.rules[%d]", path, i), r, groups, names)
	}
	v.nullPoints(path+".min", a.Min, false)
	v.nullPoints(path+".max", a.Max, false)
	if a.Min.Valid && a.Max.Valid && sane(a.Min.Decimal) && sane(a.Max.Decimal) && a.Min.Decimal.GreaterThan(a.Max.Decimal) {
		v.add(path, "min %s is greater than max %s", a.Min.Decimal, a.Max.Decimal)
	}
	if len(a.Bands) > MaxBands {
		v.add(path+".bands", "%d bands, more than the limit of %d", len(a.Bands), MaxBands)
	}
	seen := map[string]bool{}
	for i, b := range a.Bands {
		p := fmt.Sprintf("%s.bands[%d]", path, i)
		v.name(p+".grade", b.Grade, true)
		if seen[b.Grade] {
			v.add(p+".grade", "duplicate grade %q", b.Grade)
		}
		seen[b.Grade] = true
		last := i == len(a.Bands)-1
		switch {
		case last && b.Min.Valid:
			v.add(p+".min", "the last band must have no min: it holds every lower total")
		case !last && !b.Min.Valid:
			v.add(p+".min", "only the last band may have no min")
		case b.Min.Valid:
			v.points(p+".min", b.Min.Decimal, false)
			if i > 0 && a.Bands[i-1].Min.Valid && sane(b.Min.Decimal) && sane(a.Bands[i-1].Min.Decimal) && !b.Min.Decimal.LessThan(a.Bands[i-1].Min.Decimal) {
				v.add(p+".min", "bands must be ordered best first, with decreasing mins")
			}
		}
	}
	v.nullPoints(path+".high.enter", a.High.Enter, false)
	v.nullPoints(path+".high.leave", a.High.Leave, false)
	enter := decimal.NewFromInt(50)
	if a.High.Enter.Valid {
		enter = a.High.Enter.Decimal
	}
	if a.High.Leave.Valid && sane(a.High.Leave.Decimal) && sane(enter) && a.High.Leave.Decimal.GreaterThan(enter) {
		v.add(path+".high.leave", "leave %s is above enter %s", a.High.Leave.Decimal, enter)
	}
}

func (v *validator) rule(p string, r Rule, groups map[string]bool, names map[string]string) {
	v.name(p+".name", r.Name, true)
	if prev, dup := names[r.Name]; dup && r.Name != "" {
		v.add(p+".name", "duplicate rule name %q (first at %s)", r.Name, prev)
	} else {
		names[r.Name] = p
	}
	v.points(p+".points", r.Points, false)
	v.nullPoints(p+".cap", r.Cap, true)
	if r.Group != "" && !groups[r.Group] {
		v.add(p+".group", "unknown group %q (declare it in this axis's groups)", r.Group)
	}
	w := r.When
	hasWhen := w.Field != "" || w.Op != "" || w.Value != "" || w.Values != nil || w.Min.Valid || w.Max.Valid || w.IgnoreCase
	if r.Activity == "" {
		if !hasWhen {
			v.add(p, "a rule needs either a field condition (when) or an activity type (activity)")
		} else {
			v.cond(p+".when", r.When)
		}
		if len(r.Where) > 0 {
			v.add(p+".where", "only an activity rule may have where conditions")
		}
		if r.Within != 0 {
			v.add(p+".within", "only an activity rule may have a window")
		}
		if r.Decay.Kind != DecayNone {
			v.add(p+".decay", "only an activity rule may decay")
		}
		return
	}
	v.name(p+".activity", r.Activity, true)
	if hasWhen {
		v.add(p+".when", "an activity rule uses where, not when")
	}
	if len(r.Where) > MaxConditions {
		v.add(p+".where", "%d conditions, more than the limit of %d", len(r.Where), MaxConditions)
	}
	for i, c := range r.Where {
		v.cond(fmt.Sprintf("%s.where[%d]", p, i), c)
	}
	if r.Within < 0 {
		v.add(p+".within", "must not be negative")
	}
	v.decay(p+".decay", r.Decay)
}

func (v *validator) cond(p string, c Condition) {
	v.name(p+".field", c.Field, true)
	needValue := false
	switch c.Op {
	case OpEquals, OpPrefix, OpSuffix, OpContains:
		needValue = true
	case OpRegex:
		needValue = true
		if len(c.Value) <= MaxPatternLen && c.Value != "" {
			v.regexp(p+".value", c.Value, c.IgnoreCase)
		}
	case OpOneOf, OpNotOneOf:
		if len(c.Values) == 0 {
			v.add(p+".values", "%s needs at least one value", c.Op)
		}
		if len(c.Values) > MaxValues {
			v.add(p+".values", "%d values, more than the limit of %d", len(c.Values), MaxValues)
		}
		for i, s := range c.Values {
			if len(s) > MaxPatternLen {
				v.add(fmt.Sprintf("%s.values[%d]", p, i), "longer than %d bytes", MaxPatternLen)
			}
		}
	case OpRange:
		rangeOK := true
		if !c.Min.Valid && !c.Max.Valid {
			v.add(p, "range needs min, max or both")
		}
		for _, b := range []struct {
			name string
			d    decimal.NullDecimal
		}{{"min", c.Min}, {"max", c.Max}} {
			if !b.d.Valid {
				continue
			}
			if !sane(b.d.Decimal) {
				v.add(p+"."+b.name, "number out of range")
				rangeOK = false
			} else if !b.d.Decimal.Abs().LessThan(decimal.New(1, MaxRangeDigits)) {
				// By value: "2e10" has one coefficient digit but 11 integer digits.
				v.add(p+"."+b.name, "%s has more than %d integer digits", b.d.Decimal, MaxRangeDigits)
			} else if !b.d.Decimal.Equal(b.d.Decimal.Truncate(MaxRangePlaces)) {
				v.add(p+"."+b.name, "%s has more than %d decimal places", b.d.Decimal, MaxRangePlaces)
			}
		}
		if rangeOK && c.Min.Valid && c.Max.Valid && !c.Min.Decimal.LessThan(c.Max.Decimal) {
			v.add(p, "range min %s must be less than max %s", c.Min.Decimal, c.Max.Decimal)
		}
	case OpPresent, OpMissing:
	case "":
		v.add(p+".op", "missing operator")
	default:
		v.add(p+".op", "unknown operator %q", c.Op)
	}
	if needValue && c.Value == "" {
		v.add(p+".value", "%s needs a value", c.Op)
	}
	if len(c.Value) > MaxPatternLen {
		v.add(p+".value", "longer than %d bytes", MaxPatternLen)
	}
	if c.Op != OpRange && (c.Min.Valid || c.Max.Valid) {
		v.add(p, "min and max belong to the range operator only")
	}
	// A value or values the operator does not read would be ignored
	// silently ("one_of" with "value": "ES" never compares ES).
	switch c.Op {
	case OpOneOf, OpNotOneOf, OpRange, OpPresent, OpMissing:
		if c.Value != "" {
			v.add(p+".value", "%s does not use value (only equals, prefix, suffix, contains and regex do)", c.Op)
		}
	}
	switch c.Op {
	case OpEquals, OpPrefix, OpSuffix, OpContains, OpRegex, OpRange, OpPresent, OpMissing:
		if len(c.Values) > 0 {
			v.add(p+".values", "%s does not use values (only one_of and not_one_of do)", c.Op)
		}
	}
}

// regexp checks a pattern as the model compiles it: with (?i) for
// IgnoreCase, and at most MaxRegexpInsts instructions (Go's matching
// time grows with the input times the program's size).
func (v *validator) regexp(path, pattern string, ignoreCase bool) {
	if _, err := regexp.Compile(pattern); err != nil {
		v.add(path, "invalid regular expression: %v", err)
		return
	}
	if ignoreCase {
		pattern = "(?i)" + pattern
	}
	re, err := syntax.Parse(pattern, syntax.Perl)
	var prog *syntax.Prog
	if err == nil {
		prog, err = syntax.Compile(re.Simplify())
	}
	switch {
	case err != nil:
		v.add(path, "invalid regular expression: %v", err)
	case len(prog.Inst) > MaxRegexpInsts:
		v.add(path, "regular expression compiles to %d instructions, more than the limit of %d (use fewer or smaller repetition counts)", len(prog.Inst), MaxRegexpInsts)
	}
}

func (v *validator) decay(p string, d Decay) {
	percent := func() {
		switch {
		case !sane(d.Percent):
			v.add(p+".percent", "number out of range")
		case d.Percent.Sign() <= 0 || d.Percent.GreaterThan(decimal.NewFromInt(100)):
			v.add(p+".percent", "must be greater than 0 and at most 100")
		case !d.Percent.Equal(d.Percent.Truncate(PointPlaces)):
			v.add(p+".percent", "%s has more than %d decimal places", d.Percent, PointPlaces)
		}
		if d.Every <= 0 {
			v.add(p+".every", "%s decay needs a positive period", d.Kind)
		}
	}
	switch d.Kind {
	case DecayNone:
	case DecayPercent:
		percent()
		// (1 − p)^MaxDecayPeriods must round to zero, so the factor table is finite.
		if sane(d.Percent) && d.Percent.LessThan(decimal.NewFromInt(1)) && d.Percent.Sign() > 0 {
			v.add(p+".percent", "a percent decay below 1 %% a period does not fade within %d periods; use half_life", MaxDecayPeriods)
		}
	case DecayLinear:
		percent()
	case DecayHalfLife:
		if d.HalfLife < minHalfLife {
			v.add(p+".half_life", "half-life must be at least 1s")
		}
	case DecayStep:
		if len(d.Steps) == 0 {
			v.add(p+".steps", "step decay needs at least one step")
		}
		if len(d.Steps) > MaxSteps {
			v.add(p+".steps", "%d steps, more than the limit of %d", len(d.Steps), MaxSteps)
		}
		for i, s := range d.Steps {
			sp := fmt.Sprintf("%s.steps[%d]", p, i)
			if s.After < 0 {
				v.add(sp+".after", "must not be negative")
			}
			if i > 0 && s.After <= d.Steps[i-1].After {
				v.add(sp+".after", "steps must be in strictly increasing order of after")
			}
			switch {
			case !sane(s.Factor):
				v.add(sp+".factor", "number out of range")
				continue
			case s.Factor.Sign() < 0 || s.Factor.GreaterThan(decimal.NewFromInt(1)):
				v.add(sp+".factor", "must be between 0 and 1")
			case !s.Factor.Equal(s.Factor.Truncate(FactorPlaces)):
				v.add(sp+".factor", "%s has more than %d decimal places", s.Factor, FactorPlaces)
			}
			if i > 0 && sane(d.Steps[i-1].Factor) && s.Factor.GreaterThan(d.Steps[i-1].Factor) {
				v.add(sp+".factor", "a later step must not have a greater factor")
			}
		}
	default:
		v.add(p+".kind", "unknown decay kind %q", d.Kind)
	}
	if d.Kind != DecayPercent && d.Kind != DecayLinear && (!d.Percent.IsZero() || d.Every != 0) {
		v.add(p, "percent and every belong to percent and linear decay only")
	}
	if d.Kind != DecayHalfLife && d.HalfLife != 0 {
		v.add(p+".half_life", "half_life belongs to half_life decay only")
	}
	if d.Kind != DecayStep && len(d.Steps) > 0 {
		v.add(p+".steps", "steps belong to step decay only")
	}
}
