package scoring

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Model is a compiled, validated scoring model over the host's lead
// type L. It is immutable (but for an internal table of ready decimals it
// fills on demand, safely): build it once with [New] and share it; all
// its methods are safe for concurrent use (as far as the [Source] and
// host criteria are). Several models (per product, per business unit)
// live side by side; each result carries its model's ID and version.
type Model[L any] struct {
	spec       Spec
	src        Source[L]
	rules      []ruleModel  // fit rules, then interest rules, in declaration order
	fields     []fieldGroup // field rules by the field they read
	types      []string     // distinct activity types
	typesByLen [][]int      // indices in types, by the length of the type
	typeWords  []nameWords  // the words of each type
	byType     [][]hotRule  // the activity rules of each type, compact
	attrKeys   []string     // distinct attribute keys of Where conditions
	custom     []customModel[L]
	axes       [2]axisModel
	labels     [][]string // labels[fitGrade][interestGrade]
}

type ruleModel struct {
	// hot: read for every activity
	points int64
	within int64 // ns; 0 = no window
	where  []matcher
	decay  decayer

	axis     int
	name     string
	group    string
	groupIdx int // index in the axis's groups, or −1
	hasCap   bool
	cap      int64
	activity bool
	typeIdx  int // activity rules: index in Model.types
	when     matcher
	reason   string
	// field rules: the constant ledger values
	dPoints, dCapped decimal.Decimal
	// activity rules: ±cap as decimals, and points × n
	dCap, dNegCap decimal.Decimal
	raw           *rawMemo
}

// hotRule is what the activity loop reads of an activity rule, packed
// together per activity type: the common decays and conditions in a
// form the loop computes inline, without a call.
type hotRule struct {
	idx    int
	points int64
	within int64
	where  []hotCond
	kind   decayCode
	narrow bool     // points are narrow: mulRound applies
	div    divider  // percent, linear: by the period; half_life: by the half-life
	table  []uint64 // percent: the factor table
	decay  *decayer // the general form, for step and linear decay and old ages
}

// hotCond is a Where condition as the activity loop reads it: the
// attribute as a small number (so the loop compares integers, not
// names), and the common case-sensitive string tests inline.
type hotCond struct {
	slot int // attribute key: index in Model.attrKeys
	fast opCode
	val  string
	m    *matcher
}

// fieldGroup is the field rules that read one field: a score reads the
// field (and parses it as a number) once for all of them.
type fieldGroup struct {
	field string
	rules []int // indices in Model.rules
}

type customModel[L any] struct {
	c    Criterion[L]
	axis int
	name string
}

type axisModel struct {
	axis           Axis
	rules          []int // indices in Model.rules
	custom         []int // indices in Model.custom
	groups         []groupModel
	hasMin, hasMax bool
	min, max       int64
	dMin, dMax     decimal.Decimal // min and max as decimals
	bandMin        []int64         // per band but the last
	capReason      string          // sentences of its cap entries
	floorReason    string
	grades         []string
	enter, leave   int64
}

type groupModel struct {
	name                   string
	hasMin, hasMax         bool
	min, max               int64
	capReason, floorReason string // sentences of its cap entries
}

// defaultBands returns the bands of an axis (0 fit, 1 interest) with no bands.
func defaultBands(ai int) []Band {
	if ai == 0 {
		return []Band{{"A", nd(75)}, {"B", nd(50)}, {"C", nd(25)}, {"D", decimal.NullDecimal{}}}
	}
	return []Band{{"1", nd(75)}, {"2", nd(50)}, {"3", nd(25)}, {"4", decimal.NullDecimal{}}}
}

func nd(n int64) decimal.NullDecimal { return decimal.NewNullDecimal(decimal.NewFromInt(n)) }

// units converts a validated decimal to point units (10^−PointPlaces).
func units(d decimal.Decimal) int64 { return d.Shift(PointPlaces).IntPart() }

// fromUnits converts point units to a decimal.
func fromUnits(u int64) decimal.Decimal {
	if u == 0 {
		return decimal.Decimal{}
	}
	return decimal.New(u, -PointPlaces)
}

// New validates spec and compiles it into a model that reads leads
// through src, with optional host criteria. It returns every problem at
// once (see [Spec.Validate]); criteria problems have paths like
// "criteria[0].name" (a criterion's name must be non-empty, valid UTF-8,
// at most MaxNameLen bytes and unique among rules and criteria).
func New[L any](spec Spec, src Source[L], criteria ...Criterion[L]) (*Model[L], error) {
	v := &validator{}
	v.spec(spec)
	hasField, hasActivity := false, false
	for _, a := range []AxisSpec{spec.Fit, spec.Interest} {
		for _, r := range a.Rules {
			if r.IsActivity() {
				hasActivity = true
			} else {
				hasField = true
			}
		}
	}
	if hasField && src.Field == nil {
		v.add("", "the spec has field rules but the source has no Field function")
	}
	if hasActivity && src.Activities == nil {
		v.add("", "the spec has activity rules but the source has no Activities function")
	}
	names := map[string]bool{}
	for _, a := range []AxisSpec{spec.Fit, spec.Interest} {
		for _, r := range a.Rules {
			names[r.Name] = true
		}
	}
	for i, c := range criteria {
		p := fmt.Sprintf("criteria[%d]", i)
		if c == nil {
			v.add(p, "nil criterion")
			continue
		}
		v.name(p+".name", c.Name(), true)
		if !utf8.ValidString(c.Name()) {
			v.add(p+".name", "%q is not valid UTF-8 (results in JSON cannot hold it)", c.Name())
		}
		if names[c.Name()] {
			v.add(p+".name", "duplicate name %q", c.Name())
		}
		names[c.Name()] = true
		if c.Axis() != AxisFit && c.Axis() != AxisInterest {
			v.add(p+".axis", "unknown axis %q", c.Axis())
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return compile(cloneSpec(spec), src, criteria), nil
}

// cloneSpec returns a copy of s that shares no slice with it, so that a
// caller editing its spec after New changes neither the model nor what
// Model.Spec returns (decimals and strings are immutable).
func cloneSpec(s Spec) Spec {
	cond := func(c Condition) Condition {
		c.Values = slices.Clone(c.Values)
		return c
	}
	axis := func(a AxisSpec) AxisSpec {
		a.Rules = slices.Clone(a.Rules)
		for i := range a.Rules {
			r := &a.Rules[i]
			r.When = cond(r.When)
			r.Where = slices.Clone(r.Where)
			for j := range r.Where {
				r.Where[j] = cond(r.Where[j])
			}
			r.Decay.Steps = slices.Clone(r.Decay.Steps)
		}
		a.Groups = slices.Clone(a.Groups)
		a.Bands = slices.Clone(a.Bands)
		return a
	}
	s.Fit, s.Interest = axis(s.Fit), axis(s.Interest)
	return s
}

// MustNew is like [New] but panics on an invalid spec; for models built
// from constants in package-level variables and tests.
func MustNew[L any](spec Spec, src Source[L], criteria ...Criterion[L]) *Model[L] {
	m, err := New(spec, src, criteria...)
	if err != nil {
		panic(err)
	}
	return m
}

func compile[L any](spec Spec, src Source[L], criteria []Criterion[L]) *Model[L] {
	m := &Model[L]{spec: spec, src: src}
	typeIdx := map[string]int{}
	fieldIdx := map[string]int{}
	for ai, as := range []AxisSpec{spec.Fit, spec.Interest} {
		am := &m.axes[ai]
		am.axis = []Axis{AxisFit, AxisInterest}[ai]
		groupIdx := map[string]int{}
		for gi, g := range as.Groups {
			groupIdx[g.Name] = gi
			gm := groupModel{name: g.Name, hasMin: g.Min.Valid, hasMax: g.Max.Valid}
			if g.Min.Valid {
				gm.min = units(g.Min.Decimal)
			}
			if g.Max.Valid {
				gm.max = units(g.Max.Decimal)
			}
			gm.capReason = fmt.Sprintf("group %q is capped at %s", g.Name, fromUnits(gm.max))
			gm.floorReason = fmt.Sprintf("group %q is floored at %s", g.Name, fromUnits(gm.min))
			am.groups = append(am.groups, gm)
		}
		for _, r := range as.Rules {
			rm := ruleModel{axis: ai, name: r.Name, group: r.Group, groupIdx: -1,
				points: units(r.Points), activity: r.IsActivity(), reason: describe(r)}
			if gi, ok := groupIdx[r.Group]; ok && r.Group != "" {
				rm.groupIdx = gi
			}
			if r.Cap.Valid {
				rm.hasCap, rm.cap = true, units(r.Cap.Decimal)
				rm.dCap, rm.dNegCap = fromUnits(rm.cap), fromUnits(-rm.cap)
			}
			idx := len(m.rules)
			if rm.activity {
				for _, c := range r.Where {
					rm.where = append(rm.where, compileCondition(c))
				}
				rm.within = int64(r.Within)
				rm.decay = compileDecay(r.Decay)
				rm.raw = newRawMemo(rm.points)
				t, ok := typeIdx[r.Activity]
				if !ok {
					t = len(m.types)
					typeIdx[r.Activity] = t
					m.types = append(m.types, r.Activity)
					m.byType = append(m.byType, nil)
				}
				m.byType[t] = append(m.byType[t], hotRule{idx: idx})
				rm.typeIdx = t
			} else {
				rm.when = compileCondition(r.When)
				rm.dPoints = fromUnits(rm.points)
				rm.dCapped = fromUnits(clampCap(rm.points, rm.hasCap, rm.cap))
				fi, ok := fieldIdx[r.When.Field]
				if !ok {
					fi = len(m.fields)
					fieldIdx[r.When.Field] = fi
					m.fields = append(m.fields, fieldGroup{field: r.When.Field})
				}
				m.fields[fi].rules = append(m.fields[fi].rules, idx)
			}
			m.rules = append(m.rules, rm)
			am.rules = append(am.rules, idx)
		}
		am.hasMin, am.hasMax = as.Min.Valid, as.Max.Valid
		if as.Min.Valid {
			am.min = units(as.Min.Decimal)
			am.dMin = fromUnits(am.min)
		}
		if as.Max.Valid {
			am.max = units(as.Max.Decimal)
			am.dMax = fromUnits(am.max)
		}
		am.capReason = fmt.Sprintf("%s is capped at %s", am.axis, am.dMax)
		am.floorReason = fmt.Sprintf("%s is floored at %s", am.axis, am.dMin)
		bands := as.Bands
		if len(bands) == 0 {
			bands = defaultBands(ai)
		}
		for _, b := range bands {
			am.grades = append(am.grades, b.Grade)
			if b.Min.Valid {
				am.bandMin = append(am.bandMin, units(b.Min.Decimal))
			}
		}
		am.enter = 50 * pointUnit
		if as.High.Enter.Valid {
			am.enter = units(as.High.Enter.Decimal)
		}
		am.leave = am.enter
		if as.High.Leave.Valid {
			am.leave = units(as.High.Leave.Decimal)
		}
	}
	slots := map[string]int{}
	for t := range m.byType {
		for i := range m.byType[t] {
			h := &m.byType[t][i]
			r := &m.rules[h.idx]
			h.points, h.within, h.decay = r.points, r.within, &r.decay
			h.kind, h.div, h.table = r.decay.kind, r.decay.div, r.decay.table
			h.narrow = narrow(r.points)
			for wi := range r.where {
				w := &r.where[wi]
				slot, ok := slots[w.field]
				if !ok {
					slot = len(m.attrKeys)
					slots[w.field] = slot
					m.attrKeys = append(m.attrKeys, w.field)
				}
				c := hotCond{slot: slot, val: w.value, m: w}
				if !w.fold {
					switch w.op {
					case opEquals, opPrefix, opSuffix, opContains:
						c.fast = w.op
					}
				}
				h.where = append(h.where, c)
			}
		}
	}
	for _, c := range criteria {
		ai := 0
		if c.Axis() == AxisInterest {
			ai = 1
		}
		m.axes[ai].custom = append(m.axes[ai].custom, len(m.custom))
		m.custom = append(m.custom, customModel[L]{c: c, axis: ai, name: c.Name()})
	}
	for i, t := range m.types {
		for len(m.typesByLen) <= len(t) {
			m.typesByLen = append(m.typesByLen, nil)
		}
		m.typesByLen[len(t)] = append(m.typesByLen[len(t)], i)
		m.typeWords = append(m.typeWords, wordsOf(t))
	}
	m.labels = make([][]string, len(m.axes[0].grades))
	for i, f := range m.axes[0].grades {
		for _, g := range m.axes[1].grades {
			m.labels[i] = append(m.labels[i], f+g)
		}
	}
	return m
}

const pointUnit = 10_000 // 10^PointPlaces

// ID returns the model's ID.
func (m *Model[L]) ID() string { return m.spec.ID }

// Version returns the model's version.
func (m *Model[L]) Version() int { return m.spec.Version }

// Spec returns the spec the model was built from. The caller must not
// modify its slices.
func (m *Model[L]) Spec() Spec { return m.spec }

func clampCap(x int64, has bool, c int64) int64 {
	if !has {
		return x
	}
	if x > c {
		return c
	}
	if x < -c {
		return -c
	}
	return x
}

func clamp(x int64, hasMin bool, lo int64, hasMax bool, hi int64) int64 {
	if hasMin && x < lo {
		return lo
	}
	if hasMax && x > hi {
		return hi
	}
	return x
}

func add(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

func sub(a, b int64) (int64, bool) {
	d := a - b
	return d, (d < a) == (b > 0)
}

// acc accumulates one rule during a Score.
type acc struct {
	count             int64
	decayed           int64
	first, last       int32 // indices of the oldest and newest activity counted
	firstAge, lastAge int64
	pts               int64 // decayed after the rule's cap (set by finish)
}

// Score scores lead at now. prev, if not nil, is the lead's previous
// result; a model uses its FitHigh and InterestHigh for hysteresis when
// it comes from a model with the same ID. Activities after now are
// ignored (they have not happened yet at now), so scoring at a past
// time rescores the lead as it was then.
//
// The only error is [ErrOverflow] (a total beyond about ±9·10^14
// points) or [ErrCriterion] (a host criterion out of range).
func (m *Model[L]) Score(lead L, now time.Time, prev *Result) (Result, error) {
	var r Result
	err := m.ScoreInto(&r, lead, now, prev)
	return r, err
}

// ScoreInto is [Model.Score] writing into *dst and reusing the capacity
// of dst.Ledger, for hosts that score many leads in a loop. prev may be
// dst itself (rescoring in place). On error *dst is zeroed but keeps
// its ledger capacity. The ledger of a previous result in dst is
// overwritten: copy it first if you keep it.
func (m *Model[L]) ScoreInto(dst *Result, lead L, now time.Time, prev *Result) error {
	var buf [32]acc
	var accs []acc
	if len(m.rules) <= len(buf) {
		accs = buf[:len(m.rules)]
	} else {
		accs = make([]acc, len(m.rules))
	}
	var wasHigh [2]bool
	if prev != nil && prev.ModelID == m.spec.ID {
		wasHigh = [2]bool{prev.FitHigh, prev.InterestHigh}
	}
	ledger := dst.Ledger[:0]
	*dst = Result{}
	var acts []Activity
	if len(m.types) > 0 {
		acts = m.src.Activities(lead)
		if err := m.scoreActivities(acts, now, accs); err != nil {
			*dst = Result{Ledger: ledger}
			return err
		}
	}
	err := m.finish(dst, ledger, lead, now, wasHigh, accs, acts)
	if err != nil {
		*dst = Result{Ledger: ledger[:0]}
	}
	return err
}

// clock computes ages at one now: now − at in nanoseconds, exactly and
// saturating like time.Time.Sub, on the wall clock (a monotonic reading
// is ignored). Within 285 years of now it costs two comparisons and a
// multiplication; beyond, it takes time.Time's own arithmetic.
type clock struct {
	now       time.Time
	sec, nsec int64 // now.Unix(), now.Nanosecond()
	lo, hi    int64 // the Unix seconds of at for which the fast form is exact
}

func newClock(now time.Time) clock {
	const span = 9_000_000_000 // seconds: 285 years; span × 10^9 + 10^9 < 2^63
	c := clock{now: now, sec: now.Unix(), nsec: int64(now.Nanosecond()), lo: math.MinInt64, hi: math.MaxInt64}
	if c.sec > math.MinInt64+span {
		c.lo = c.sec - span
	}
	if c.sec < math.MaxInt64-span {
		c.hi = c.sec + span
	}
	return c
}

// age returns now − at in nanoseconds; ok false means at is beyond the
// fast form, and ageSlow applies (age is split so that it inlines).
func (c *clock) age(at time.Time) (age int64, ok bool) {
	as := at.Unix()
	return (c.sec-as)*1e9 + c.nsec - int64(at.Nanosecond()), as > c.lo && as < c.hi
}

// ageSlow is age for any at.
func (c *clock) ageSlow(at time.Time) int64 { return int64(c.now.Round(0).Sub(at.Round(0))) }

// nameWords is a name of 8 to 16 bytes as two little-endian words, its
// first and last 8 bytes (overlapping): with the length, it is the whole
// name, so the activity loop compares activity types as two integers
// instead of calling runtime.memequal (a call spills every register).
type nameWords [2]uint64

func wordsOf(s string) nameWords {
	if len(s) < 8 || len(s) > 16 {
		return nameWords{}
	}
	return nameWords{load8(s, 0), load8(s, len(s)-8)}
}

// load8 returns s[i:i+8] as a little-endian word (one load).
func load8(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// attrOf is Activity.Attr for the activity loop: attribute keys are
// usually a few bytes ("url", "form"), which it compares byte by byte
// inline instead of calling runtime.memequal.
func attrOf(attrs []Attr, key string) (string, bool) {
	for i := range attrs {
		if k := attrs[i].Key; len(k) == len(key) && (len(k) > 7 && k == key || len(k) <= 7 && eqShort(k, key)) {
			return attrs[i].Value, true
		}
	}
	return "", false
}

// eqShort reports whether a and b, of the same length, are equal.
func eqShort(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// scoreActivities accumulates every activity into the rules that count
// it. It is the inner loop of a score: the common conditions, decays and
// rounding are written out inline, so that the usual path makes no call
// but to compare strings (a Go call spills every register).
func (m *Model[L]) scoreActivities(acts []Activity, now time.Time, accs []acc) error {
	clk := newClock(now)
	for ai := range acts {
		a := &acts[ai]
		t := -1
		if n := len(a.Type); n < len(m.typesByLen) {
			if c := m.typesByLen[n]; len(c) > 0 {
				if n >= 8 && n <= 16 {
					w := nameWords{load8(a.Type, 0), load8(a.Type, n-8)}
					for _, i := range c {
						if m.typeWords[i] == w {
							t = i
							break
						}
					}
				} else {
					for _, i := range c {
						if m.types[i] == a.Type {
							t = i
							break
						}
					}
				}
			}
		}
		if t < 0 {
			continue
		}
		age, ok := clk.age(a.At)
		if !ok {
			age = clk.ageSlow(a.At)
		}
		if age < 0 {
			continue
		}
		// The last attribute looked up: rules of one type often filter
		// on the same attribute (several rules on a page view's URL).
		slot := -1
		var val string
		var found bool
	rules:
		for hi, hot := 0, m.byType[t]; hi < len(hot); hi++ {
			r := &hot[hi]
			if r.within > 0 && age >= r.within {
				continue
			}
			for wi := range r.where {
				w := &r.where[wi]
				if w.slot != slot {
					slot = w.slot
					val, found = attrOf(a.Attrs, m.attrKeys[slot])
				}
				var ok bool
				switch {
				case w.fast == opUnknown || val == "":
					ok = w.m.match(val, found)
				case w.fast == opContains:
					ok = strings.Contains(val, w.val)
				case w.fast == opPrefix:
					ok = strings.HasPrefix(val, w.val)
				case w.fast == opEquals:
					ok = val == w.val
				default: // opSuffix
					ok = strings.HasSuffix(val, w.val)
				}
				if !ok {
					continue rules
				}
			}
			var f uint64
			switch r.kind {
			case codeNone:
				f = factorOne
			case codeHalfLife:
				// As decayer.factor: k = ⌊age·1024 / half-life⌋.
				var k uint64
				if uint64(age) < 1<<53 {
					k = r.div.div(uint64(age) << 10)
				} else {
					hi, lo := bits.Mul64(uint64(age), HalfLifeSteps)
					k, _ = bits.Div64(hi, lo, r.div.d) // hi < 1024 ≤ the half-life
				}
				switch q := k >> 10; {
				case q == 0:
					f = halfLifeTable[k&(HalfLifeSteps-1)]
				case q <= 40:
					f = shiftRoundHalfEven(halfLifeTable[k&(HalfLifeSteps-1)], uint(q))
				}
			case codePercent:
				if n := r.div.div(uint64(age)); n < uint64(len(r.table)) {
					f = r.table[n]
				}
			default:
				f = r.decay.factor(age)
			}
			c := r.points
			switch {
			case f == factorOne:
			case r.narrow:
				c = mulRound(r.points, f)
			default:
				c = applyFactor(r.points, f)
			}
			ac := &accs[r.idx]
			var ok bool
			if ac.decayed, ok = add(ac.decayed, c); !ok {
				return ErrOverflow
			}
			if ac.count == 0 {
				ac.first, ac.last, ac.firstAge, ac.lastAge = int32(ai), int32(ai), age, age
			} else {
				if age > ac.firstAge {
					ac.first, ac.firstAge = int32(ai), age
				}
				if age < ac.lastAge {
					ac.last, ac.lastAge = int32(ai), age
				}
			}
			ac.count++
		}
	}
	return nil
}

func (m *Model[L]) finish(res *Result, ledger []Entry, lead L, now time.Time, wasHigh [2]bool, accs []acc, acts []Activity) error {
	for gi := range m.fields {
		g := &m.fields[gi]
		v, ok := m.src.Field(lead, g.field)
		parsed, num, isNum := false, int64(0), false
		for _, ri := range g.rules {
			r := &m.rules[ri]
			var hit bool
			if w := &r.when; w.op == opRange && ok && v != "" {
				if !parsed {
					parsed = true
					num, isNum = parseFixed(v)
				}
				if isNum {
					hit = w.inRangeFixed(num)
				} else {
					hit = w.inRangeSlow(v)
				}
			} else {
				hit = w.match(v, ok)
			}
			if hit {
				accs[ri] = acc{count: 1, decayed: r.points}
			}
		}
	}
	var customPts []int64
	var outcomes []Outcome
	if len(m.custom) > 0 {
		customPts = make([]int64, len(m.custom))
		outcomes = make([]Outcome, len(m.custom))
		for i, c := range m.custom {
			o := c.c.Evaluate(lead, now)
			if o.Count < 0 {
				return fmt.Errorf("%w: %s counted %d things", ErrCriterion, c.name, o.Count)
			}
			p, ok := roundCriterion(o.Points)
			if !ok {
				if !sane(o.Points) { // too long to print
					return fmt.Errorf("%w: %s", ErrCriterion, c.name)
				}
				return fmt.Errorf("%w: %s gave %s", ErrCriterion, c.name, o.Points)
			}
			o.Points = p
			outcomes[i] = o
			customPts[i] = units(p)
		}
	}

	// Pass 1, int64 only: every rule's capped points, group sums, axis
	// totals and caps, and so the exact number of ledger entries, so the
	// ledger is allocated once at its exact size (no decimal work yet).
	var groupBuf [16]int64
	groupSum := groupBuf[:]
	if n := len(m.axes[0].groups) + len(m.axes[1].groups); n > len(groupSum) {
		groupSum = make([]int64, n)
	}
	var sum, total [2]int64 // before and after the axis cap
	n := 0
	goff := 0
	for ax := range m.axes {
		am := &m.axes[ax]
		gs := groupSum[goff : goff+len(am.groups)]
		goff += len(am.groups)
		clear(gs)
		var t int64
		var ok bool
		for _, ri := range am.rules {
			ac := &accs[ri]
			if ac.count == 0 {
				continue
			}
			r := &m.rules[ri]
			ac.pts = clampCap(ac.decayed, r.hasCap, r.cap)
			n++
			if r.groupIdx >= 0 {
				if gs[r.groupIdx], ok = add(gs[r.groupIdx], ac.pts); !ok {
					return ErrOverflow
				}
			}
			if t, ok = add(t, ac.pts); !ok {
				return ErrOverflow
			}
		}
		for _, ci := range am.custom {
			if outcomes[ci].Count == 0 && customPts[ci] == 0 {
				continue
			}
			n++
			if t, ok = add(t, customPts[ci]); !ok {
				return ErrOverflow
			}
		}
		for gi := range am.groups {
			g := &am.groups[gi]
			s := gs[gi]
			adj, ok := sub(clamp(s, g.hasMin, g.min, g.hasMax, g.max), s)
			if !ok {
				return ErrOverflow
			}
			if adj != 0 {
				n++
				if t, ok = add(t, adj); !ok {
					return ErrOverflow
				}
			}
		}
		sum[ax] = t
		total[ax] = clamp(t, am.hasMin, am.min, am.hasMax, am.max)
		if total[ax] != t {
			if _, ok := sub(total[ax], t); !ok { // the ledger's adjustment
				return ErrOverflow
			}
			n++
		}
	}
	if cap(ledger) < n {
		ledger = make([]Entry, n)
	}
	ledger = ledger[:n]

	// Pass 2: fill the ledger, sharing the model's ready decimals where
	// a value is constant per rule.
	res.ModelID, res.ModelVersion, res.At = m.spec.ID, m.spec.Version, now
	var grade [2]int
	var high [2]bool
	i := 0
	goff = 0
	for ax := range m.axes {
		am := &m.axes[ax]
		gs := groupSum[goff : goff+len(am.groups)]
		goff += len(am.groups)
		for _, ri := range am.rules {
			ac := &accs[ri]
			if ac.count == 0 {
				continue
			}
			r := &m.rules[ri]
			e := &ledger[i]
			i++
			var raw, decayed, points decimal.Decimal
			var first, last time.Time
			if r.activity {
				rawUnits, overflow := mulCheck(r.points, ac.count)
				if overflow {
					return ErrOverflow
				}
				var ok bool
				if raw, ok = r.raw.get(ac.count); !ok {
					raw = fromUnits(rawUnits)
				}
				if rawUnits == ac.decayed {
					decayed = raw
				} else {
					decayed = fromUnits(ac.decayed)
				}
				switch {
				case ac.pts == ac.decayed:
					points = decayed
				case ac.pts == r.cap:
					points = r.dCap
				default:
					points = r.dNegCap
				}
				first, last = acts[ac.first].At, acts[ac.last].At
			} else {
				raw, decayed, points = r.dPoints, r.dPoints, r.dCapped
			}
			// Field by field: no zeroing pass, each field written once.
			e.Kind, e.Axis, e.Name, e.Group, e.Count = EntryRule, am.axis, r.name, r.group, int(ac.count)
			e.Raw, e.Decayed, e.Points = raw, decayed, points
			e.First, e.Last, e.Reason = first, last, r.reason
		}
		for _, ci := range am.custom {
			o := outcomes[ci]
			if o.Count == 0 && customPts[ci] == 0 {
				continue
			}
			ledger[i] = Entry{Kind: EntryCriterion, Axis: am.axis, Name: m.custom[ci].name,
				Count: o.Count, Raw: o.Points, Decayed: o.Points, Points: o.Points, Reason: o.Reason}
			i++
		}
		for gi := range am.groups {
			g := &am.groups[gi]
			s := gs[gi]
			adj := clamp(s, g.hasMin, g.min, g.hasMax, g.max) - s
			if adj == 0 {
				continue
			}
			ds := fromUnits(s)
			ledger[i] = Entry{Kind: EntryGroupCap, Axis: am.axis, Name: g.name, Group: g.name,
				Raw: ds, Decayed: ds, Points: fromUnits(adj), Reason: groupReason(g, s)}
			i++
		}
		t := total[ax]
		var dt decimal.Decimal
		if s := sum[ax]; t != s {
			ds := fromUnits(s)
			ledger[i] = Entry{Kind: EntryAxisCap, Axis: am.axis, Name: string(am.axis),
				Raw: ds, Decayed: ds, Points: fromUnits(t - s), Reason: axisReason(am, s)}
			i++
			if am.hasMax && t == am.max {
				dt = am.dMax
			} else {
				dt = am.dMin
			}
		} else {
			dt = fromUnits(t)
		}
		g := len(am.bandMin)
		for bi, b := range am.bandMin {
			if t >= b {
				g = bi
				break
			}
		}
		grade[ax] = g
		high[ax] = t >= am.enter || (wasHigh[ax] && t >= am.leave)
		if ax == 0 {
			res.Fit = dt
		} else {
			res.Interest = dt
		}
	}
	res.FitGrade = m.axes[0].grades[grade[0]]
	res.InterestGrade = m.axes[1].grades[grade[1]]
	res.Label = m.labels[grade[0]][grade[1]]
	res.FitHigh, res.InterestHigh = high[0], high[1]
	res.Quadrant = QuadrantOf(high[0], high[1])
	res.Action = res.Quadrant.Action()
	res.Ledger = ledger
	if len(ledger) == 0 && cap(ledger) == 0 {
		res.Ledger = nil
	}
	return nil
}

// roundCriterion rounds a host criterion's points half-even to
// PointPlaces places; ok is false when they are out of range. Any number
// of places is fine, as Criterion documents (10 × 0.95^30 has 60): a
// value below 10^−5 in magnitude is zero at once, whatever its exponent,
// and any other value with more than 40 places has a coefficient at
// least as long as the places to drop, so rounding costs about what the
// host spent building it.
func roundCriterion(d decimal.Decimal) (decimal.Decimal, bool) {
	if d.Sign() == 0 {
		return decimal.Decimal{}, true
	}
	if e := int64(d.Exponent()); e < -40 {
		// |d| < 2^BitLen × 10^e ≤ 10^(⌊BitLen × 0.30103⌋ + 1 + e).
		if e+int64(d.Coefficient().BitLen())*30103/100000+1 <= -5 {
			return decimal.Decimal{}, true
		}
	} else if !sane(d) {
		return decimal.Decimal{}, false // |d| ≥ 10^36
	}
	p := d.RoundBank(PointPlaces)
	if p.Abs().GreaterThan(maxPointsAbs()) {
		return decimal.Decimal{}, false
	}
	return p, true
}

// mulCheck returns a×b and whether it overflowed (b ≥ 0), with a
// multiplication instead of a division.
func mulCheck(a, b int64) (int64, bool) {
	m := uint64(a)
	if a < 0 {
		m = -m
	}
	hi, lo := bits.Mul64(m, uint64(b))
	if a < 0 {
		return -int64(lo), hi != 0 || lo > 1<<63
	}
	return int64(lo), hi != 0 || lo > 1<<63-1
}
