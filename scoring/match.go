package scoring

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// matcher is the compiled form of a Condition.
type matcher struct {
	field  string
	op     opCode
	fold   bool
	value  string
	values []string
	re     *regexp.Regexp
	// range bounds, in units of 10^−MaxRangePlaces, and as decimals for
	// values the fast parser does not read
	hasMin, hasMax bool
	min, max       int64
	dmin, dmax     decimal.Decimal
}

// opCode is an Op as a small integer, for a cheap switch.
type opCode uint8

const (
	opUnknown opCode = iota
	opEquals
	opOneOf
	opNotOneOf
	opRange
	opPrefix
	opSuffix
	opContains
	opRegex
	opPresent
	opMissing
)

func opCodeOf(o Op) opCode {
	switch o {
	case OpEquals:
		return opEquals
	case OpOneOf:
		return opOneOf
	case OpNotOneOf:
		return opNotOneOf
	case OpRange:
		return opRange
	case OpPrefix:
		return opPrefix
	case OpSuffix:
		return opSuffix
	case OpContains:
		return opContains
	case OpRegex:
		return opRegex
	case OpPresent:
		return opPresent
	case OpMissing:
		return opMissing
	}
	return opUnknown
}

func compileCondition(c Condition) matcher {
	m := matcher{field: c.Field, op: opCodeOf(c.Op), fold: c.IgnoreCase, value: c.Value, values: c.Values}
	switch c.Op {
	case OpRegex:
		pat := c.Value
		if c.IgnoreCase {
			pat = "(?i)" + pat
		}
		m.re = regexp.MustCompile(pat) // validated before
	case OpRange:
		if c.Min.Valid {
			m.hasMin, m.dmin = true, c.Min.Decimal
			m.min = c.Min.Decimal.Shift(MaxRangePlaces).IntPart()
		}
		if c.Max.Valid {
			m.hasMax, m.dmax = true, c.Max.Decimal
			m.max = c.Max.Decimal.Shift(MaxRangePlaces).IntPart()
		}
	}
	return m
}

func (m *matcher) eq(a, b string) bool {
	if m.fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// match reports whether a field value (ok false: absent) meets the condition.
func (m *matcher) match(v string, ok bool) bool {
	present := ok && v != ""
	switch m.op {
	case opPresent:
		return present
	case opMissing:
		return !present
	}
	if !present {
		return false
	}
	switch m.op {
	case opEquals:
		return m.eq(v, m.value)
	case opOneOf, opNotOneOf:
		in := false
		for _, x := range m.values {
			if m.eq(v, x) {
				in = true
				break
			}
		}
		return in == (m.op == opOneOf)
	case opPrefix:
		if !m.fold {
			return strings.HasPrefix(v, m.value)
		}
		return hasPrefixFold(v, m.value)
	case opSuffix:
		if !m.fold {
			return strings.HasSuffix(v, m.value)
		}
		return hasSuffixFold(v, m.value)
	case opContains:
		if !m.fold {
			return strings.Contains(v, m.value)
		}
		return containsFold(v, m.value)
	case opRegex:
		return m.re.MatchString(v)
	case opRange:
		return m.inRange(v)
	}
	return false
}

// hasPrefixFold is strings.HasPrefix under simple Unicode folding.
func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		r1, n1 := utf8.DecodeRuneInString(s)
		r2, n2 := utf8.DecodeRuneInString(prefix)
		if r1 != r2 && !strings.EqualFold(s[:n1], prefix[:n2]) {
			return false
		}
		s, prefix = s[n1:], prefix[n2:]
	}
	return true
}

func hasSuffixFold(s, suffix string) bool {
	for suffix != "" {
		if s == "" {
			return false
		}
		r1, n1 := utf8.DecodeLastRuneInString(s)
		r2, n2 := utf8.DecodeLastRuneInString(suffix)
		if r1 != r2 && !strings.EqualFold(s[len(s)-n1:], suffix[len(suffix)-n2:]) {
			return false
		}
		s, suffix = s[:len(s)-n1], suffix[:len(suffix)-n2]
	}
	return true
}

func containsFold(s, sub string) bool {
	for {
		if hasPrefixFold(s, sub) {
			return true
		}
		if s == "" {
			return false
		}
		_, n := utf8.DecodeRuneInString(s)
		s = s[n:]
	}
}

// inRange reports whether v is a decimal number with min ≤ v < max.
func (m *matcher) inRange(v string) bool {
	if x, ok := parseFixed(v); ok {
		return m.inRangeFixed(x)
	}
	return m.inRangeSlow(v)
}

// inRangeFixed is inRange for a value parseFixed has read.
func (m *matcher) inRangeFixed(x int64) bool {
	return (!m.hasMin || x >= m.min) && (!m.hasMax || x < m.max)
}

// inRangeSlow is inRange for the forms parseFixed does not read
// (exponents, many digits): exact, and cheap for any exponent.
func (m *matcher) inRangeSlow(v string) bool {
	if len(v) > 64 {
		return false
	}
	d, err := decimal.NewFromString(v)
	if err != nil {
		return false
	}
	return (!m.hasMin || cmpBound(d, m.dmin) >= 0) && (!m.hasMax || cmpBound(d, m.dmax) < 0)
}

// cmpBound compares d (a coefficient of at most 64 digits, any exponent)
// with a range bound b (at most MaxRangeDigits integer digits and
// MaxRangePlaces places) like d.Cmp(b), without rescaling to an exponent
// such as the −999 999 999 of "1e-999999999": a d beyond 10^MaxRangeDigits
// or below 10^−MaxRangePlaces in magnitude is decided by signs alone.
func cmpBound(d, b decimal.Decimal) int {
	if d.Sign() == 0 {
		return -b.Sign()
	}
	// 10^e ≤ |d| < 10^(e+1)
	e := int64(d.Exponent()) + int64(d.NumDigits()) - 1
	switch {
	case e >= MaxRangeDigits: // |d| ≥ 10^9 > |b|
		return d.Sign()
	case e < -MaxRangePlaces: // |d| < 10^−9 ≤ |b| unless b is 0
		if b.Sign() == 0 {
			return d.Sign()
		}
		return -b.Sign()
	}
	return d.Cmp(b) // both exponents within about ±75: cheap
}

var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// parseFixed reads [+-]digits[.digits] with at most MaxRangeDigits
// integer digits and MaxRangePlaces decimal places, in units of
// 10^−MaxRangePlaces.
func parseFixed(s string) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var x int64
	intDigits, places, dot := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
			if dot {
				places++
				if places > MaxRangePlaces {
					return 0, false
				}
			} else {
				intDigits++
				if intDigits > MaxRangeDigits {
					return 0, false
				}
			}
			x = x*10 + int64(c-'0')
		default:
			return 0, false
		}
	}
	if intDigits == 0 && places == 0 {
		return 0, false
	}
	x *= pow10[MaxRangePlaces-places]
	if neg {
		x = -x
	}
	return x, true
}
