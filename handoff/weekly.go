package handoff

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// Weekly is the built-in business [Calendar]: working hours per weekday in
// local wall time of one *time.Location, whole-day holidays and absolute
// pauses. Build it with [NewWeekly] from a [CalendarSpec].
//
// An instant is working time when its local wall-clock time, in the
// calendar's location, falls in a span of its local weekday. So a
// 09:00-17:00 day stays 09:00-17:00 on the days clocks change (and is 8
// hours long), while a period that spans the change itself (a 00:00-24:00
// day) is an hour shorter or longer, as the wall clock says. Wall times
// that a spring-forward change skips do not exist (a 02:30-04:00 span on
// that day is the hour 03:00-04:00, not what [time.Date] makes of 02:30),
// and those that a fall-back change repeats count twice.
//
// Add and Between walk the calendar one working period at a time; the
// holiday and pause lists are searched once with a binary search and then
// walked in step, so their length barely matters (see BENCHMARKS.md).
//
// A *Weekly is immutable and safe for concurrent use. The zero value is not
// usable; results are always in the calendar's location.
type Weekly struct {
	spec     CalendarSpec
	loc      *time.Location
	week     [7][]Span // by time.Weekday
	holidays []int64   // days since 1970-01-01, sorted, unique
	pauses   []Interval
	weekSecs int64 // working seconds in a week without holidays, pauses or clock changes
}

// NewWeekly validates spec and compiles it. It returns every problem at
// once, joined, each a [*SpecError] with the field path, matching
// [ErrInvalidSpec] (and [ErrNoWorkingTime] when the week is empty).
func NewWeekly(spec CalendarSpec) (*Weekly, error) {
	p := problems{spec: "calendar"}
	p.text("id", spec.ID)
	w := &Weekly{loc: spec.Location}
	if w.loc != nil && spec.Zone != "" && w.loc.String() != spec.Zone {
		p.addf("zone", "%q does not match Location %q", clip([]byte(spec.Zone)), w.loc.String())
	}
	if w.loc == nil {
		if spec.Zone == "" {
			w.loc = time.UTC
		} else if spec.Zone == "Local" {
			// time.LoadLocation would return time.Local: the deadlines of
			// a spec would then depend on the machine that loads it.
			p.addf("zone", "%q is the zone of the machine, which differs from one to the next: name an IANA zone such as \"Europe/Madrid\" (or set Location in Go)", spec.Zone)
		} else if loc, err := time.LoadLocation(spec.Zone); err != nil {
			p.addf("zone", "unknown time zone %q", clip([]byte(spec.Zone)))
		} else {
			w.loc = loc
		}
	}
	open := false
	for d := time.Sunday; d <= time.Saturday; d++ {
		spans := spec.Week.Day(d)
		name := "week." + lower(d.String())
		var prev TimeOfDay
		var merged []Span
		for i, s := range spans {
			path := name + "[" + itoa(i) + "]"
			switch {
			case !s.Start.Valid() || !s.End.Valid():
				p.addf(path, "times must be within 00:00 and 24:00")
				continue
			case s.Start >= s.End:
				p.addf(path, "span %s ends before it starts", s)
				continue
			case i > 0 && s.Start < prev:
				p.addf(path, "span %s overlaps or precedes the one before", s)
				continue
			}
			if n := len(merged); n > 0 && merged[n-1].End == s.Start {
				merged[n-1].End = s.End
			} else {
				merged = append(merged, s)
			}
			prev = s.End
			open = true
			w.weekSecs += int64(s.End - s.Start)
		}
		w.week[d] = merged
	}
	if !open {
		p.add("week", ErrNoWorkingTime)
	}
	for i, h := range spec.Holidays {
		if !h.Valid() {
			p.addf("holidays["+itoa(i)+"]", "invalid date %d-%d-%d", h.Year, int(h.Month), h.Day)
			continue
		}
		w.holidays = append(w.holidays, h.days())
	}
	slices.Sort(w.holidays)
	w.holidays = slices.Compact(w.holidays)
	pauses, perr := checkPauses(spec.Pauses, "pauses", &p)
	if perr {
		pauses = nil
	}
	w.pauses = mergePauses(nil, pauses)
	if err := p.err(); err != nil {
		return nil, err
	}
	w.spec = cloneCalendarSpec(spec)
	if w.spec.Zone == "" && spec.Location != nil && spec.Location.String() != "Local" {
		w.spec.Zone = spec.Location.String() // JSON keeps Zone only (see Spec)
	}
	return w, nil
}

// MustWeekly is like [NewWeekly] but panics on error; it is meant for
// package-level variables built from constant specs.
func MustWeekly(spec CalendarSpec) *Weekly {
	w, err := NewWeekly(spec)
	if err != nil {
		panic(err)
	}
	return w
}

func checkPauses(ps []Interval, base string, p *problems) ([]Interval, bool) {
	bad := false
	for i, iv := range ps {
		path := base + "[" + itoa(i) + "]"
		if iv.From.IsZero() || iv.To.IsZero() {
			p.addf(path, "from and to are required")
			bad = true
		} else if name, t, ok := unwritable(iv); !ok {
			// The spec could not be stored as JSON (Spec, WithPauses).
			p.addf(path+"."+name, "%s cannot be written in RFC 3339 (JSON): it needs a year within 0000-9999 and an offset under 24 hours in whole minutes in its own zone; to pause for ever, end the pause at 9999-12-31T23:59:59Z", t.UTC().Format("2006-01-02T15:04:05Z07:00"))
			bad = true
		} else if !iv.To.After(iv.From) {
			p.addf(path, "pause ends before it starts")
			bad = true
		}
	}
	return ps, bad
}

// unwritable returns the bound of iv that RFC 3339 cannot write exactly
// ("from" or "to", see [jsonExact]), and false, or true when both can be
// written.
func unwritable(iv Interval) (string, time.Time, bool) {
	if !jsonExact(iv.From) {
		return "from", iv.From, false
	}
	if !jsonExact(iv.To) {
		return "to", iv.To, false
	}
	return "", time.Time{}, true
}

// mergePauses returns base plus extra, sorted and with overlapping or
// touching pauses merged. A pause reaching the last second of year 9999
// runs to the end of the time line: it never ends.
func mergePauses(base, extra []Interval) []Interval {
	all := make([]Interval, 0, len(base)+len(extra))
	for _, iv := range append(slices.Clone(base), extra...) {
		to := iv.To.Round(0)
		if to.Unix() >= lastSecondUnix {
			to = lineEnd()
		}
		all = append(all, Interval{iv.From.Round(0), to})
	}
	slices.SortFunc(all, func(a, b Interval) int { return a.From.Compare(b.From) })
	out := all[:0]
	for _, iv := range all {
		if n := len(out); n > 0 && !iv.From.After(out[n-1].To) {
			if iv.To.After(out[n-1].To) {
				out[n-1].To = iv.To
			}
			continue
		}
		out = append(out, iv)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// WithPauses returns a copy of w with more pauses, such as the days a lead
// asked not to be called, so a per-lead SLA clock can stop while the
// shared calendar stays as it is. Invalid pauses (see
// [CalendarSpec.Pauses]; a pause for ever ends at 9999-12-31T23:59:59Z)
// are reported as for [NewWeekly], under the path "pauses"; a nil or zero
// w is an [ErrInvalidInput].
func (w *Weekly) WithPauses(extra ...Interval) (*Weekly, error) {
	if w == nil || w.loc == nil {
		return nil, fmt.Errorf("%w: a nil or zero *Weekly calendar (build it with NewWeekly)", ErrInvalidInput)
	}
	p := problems{spec: "calendar"}
	if _, bad := checkPauses(extra, "pauses", &p); bad {
		return nil, p.err()
	}
	c := *w
	c.pauses = mergePauses(w.pauses, extra)
	c.spec = cloneCalendarSpec(w.spec)
	c.spec.Pauses = append(c.spec.Pauses, extra...)
	return &c, nil
}

// Location returns the calendar's location.
func (w *Weekly) Location() *time.Location { return w.loc }

// Spec returns a copy of the spec w was built from, with Zone filled in
// from Location's name when it was empty (but for [time.Local], whose name
// "Local" is left out).
//
// Location is not part of JSON: only Zone is, and [NewWeekly] loads it
// with [time.LoadLocation]. So Spec survives a JSON round trip only when
// Location is [time.UTC] or was loaded from the time zone database under
// the name it reports. A [time.FixedZone] location does not: its name
// (such as "X" or "UTC+1") is not a zone that loads, so NewWeekly refuses
// the decoded spec ([ErrInvalidSpec] at "zone"), or it names a different
// zone ("CET" loads the IANA zone with daylight saving, not a fixed
// +01:00). One with an empty name, and time.Local, come back as UTC. For
// such a calendar, set Location again on the decoded spec.
func (w *Weekly) Spec() CalendarSpec { return cloneCalendarSpec(w.spec) }

func cloneCalendarSpec(s CalendarSpec) CalendarSpec {
	s.Week = Week{
		Monday: slices.Clone(s.Week.Monday), Tuesday: slices.Clone(s.Week.Tuesday),
		Wednesday: slices.Clone(s.Week.Wednesday), Thursday: slices.Clone(s.Week.Thursday),
		Friday: slices.Clone(s.Week.Friday), Saturday: slices.Clone(s.Week.Saturday),
		Sunday: slices.Clone(s.Week.Sunday),
	}
	s.Holidays = slices.Clone(s.Holidays)
	s.Pauses = slices.Clone(s.Pauses)
	return s
}

// The calendar's time line runs from 0001-01-01T00:00:00Z (the zero
// time.Time) to 10000-01-01T00:00:00Z: the years a [Date] and an RFC 3339
// timestamp (time.Time's JSON form) can hold. Before lineStart there is no
// working time; at lineEnd the calendar ends: Add saturates there, Between
// counts nothing beyond it. So every walk is bounded by about 20 000 clock
// changes, however sparse the working hours and however long the duration.
const (
	lineStartUnix = -62135596800 // 0001-01-01T00:00:00Z
	lineEndUnix   = 253402300800 // 10000-01-01T00:00:00Z
)

func lineStart() time.Time { return time.Unix(lineStartUnix, 0) }
func lineEnd() time.Time   { return time.Unix(lineEndUnix, 0) }

// satAdd adds two non-negative durations, saturating at the largest
// Duration (about 292 years) as [time.Time.Sub] does.
func satAdd(a, b time.Duration) time.Duration {
	if a > maxDuration-b {
		return maxDuration
	}
	return a + b
}

// Add returns the earliest instant at which d of working time has passed
// since start, in the calendar's location. A d <= 0 returns start. For
// d > 0 the result is inside a working period or at its end.
//
// The calendar counts from year 1 to year 9999 (UTC), the years a [Date]
// and time.Time's JSON form hold. When the working time runs out before
// 10000-01-01T00:00:00Z ([TimeLineEnd]: a pause that never ends, a
// duration longer than the working hours left), Add saturates there; a
// start at or after it is returned as it is. That result means "never":
// it is past what RFC 3339 (JSON) can write, and [SLA.Evaluate] reports it
// as [Clock.NoDeadline]. So Add never loops, and its cost grows with the
// holidays, pauses and clock changes crossed (at most about 20 000), not
// with d: whole weeks free of them are skipped at once.
func (w *Weekly) Add(start time.Time, d time.Duration) time.Time {
	start = start.In(w.loc)
	end := lineEnd()
	if d <= 0 || !start.Before(end) {
		return start
	}
	from := start
	if ls := lineStart(); from.Before(ls) {
		from = ls
	}
	c := w.cursor(from)
	c.budget = d
	for {
		a, b := c.next()
		if !a.Before(end) {
			return end.In(w.loc)
		}
		if !b.After(from) {
			continue
		}
		if a.Before(from) {
			a = from
		}
		if b.After(end) {
			b = end
		}
		if avail := b.Sub(a); c.budget <= avail {
			return a.Add(c.budget)
		} else {
			c.budget -= avail
		}
	}
}

// Between returns the working time in [a, b), or minus the working time in
// [b, a) when b is before a, counting only years 1 to 9999 (see
// [Weekly.Add]). Like [time.Time.Sub] it saturates at the largest (or
// smallest) Duration, about 292 years of working time.
func (w *Weekly) Between(a, b time.Time) time.Duration {
	switch c := a.Compare(b); {
	case c == 0:
		return 0
	case c > 0:
		return -w.Between(b, a)
	}
	a, b = clampLine(a).In(w.loc), clampLine(b).In(w.loc)
	if !a.Before(b) {
		return 0
	}
	var sum time.Duration
	c := w.cursor(a)
	c.until = b.Unix() - 1 // whole seconds before b, never 0 in practice
	for {
		x, y := c.next()
		if total := satAdd(sum, c.skipped); !x.Before(b) || total == maxDuration {
			return total // saturated: no need to walk further
		}
		if !y.After(a) {
			continue
		}
		if x.Before(a) {
			x = a
		}
		if y.After(b) {
			y = b
		}
		sum = satAdd(sum, y.Sub(x))
	}
}

// clampLine returns t moved into the calendar's time line.
func clampLine(t time.Time) time.Time {
	if s := lineStart(); t.Before(s) {
		return s
	}
	if e := lineEnd(); t.After(e) {
		return e
	}
	return t
}

// Working reports whether t is inside working time (periods are
// half-open: the closing instant is not working time).
func (w *Weekly) Working(t time.Time) bool {
	if t.Before(lineStart()) || !t.Before(lineEnd()) {
		return false
	}
	t = t.In(w.loc)
	c := w.cursor(t)
	for {
		a, b := c.next()
		if a.After(t) {
			return false
		}
		if b.After(t) {
			return true
		}
	}
}

// Next returns the earliest working instant at or after t: t itself when
// it is working time, else the start of the next working period. An SLA
// clock that starts at night really starts at Next(t). At or after
// [TimeLineEnd] (10000-01-01T00:00:00Z), where the calendar ends (see
// [Weekly.Add]), it returns t; when no working time is left before then,
// it returns TimeLineEnd, which means "never".
func (w *Weekly) Next(t time.Time) time.Time {
	t = t.In(w.loc)
	if !t.Before(lineEnd()) {
		return t
	}
	from := clampLine(t)
	c := w.cursor(from)
	for {
		a, b := c.next()
		if b.After(from) {
			if a.Before(t) {
				return t
			}
			return a
		}
	}
}

// cursor walks the working periods of w in increasing order of time,
// without overlaps. It follows the zone's offset segments (the stretches
// between two clock changes) and, inside each, the local days: an instant
// is working time when its local wall-clock time falls in a span of its
// local weekday, its local date is not a holiday and no pause covers it.
// So a wall time that a spring-forward change skips is simply not there,
// and one that a fall-back change repeats counts twice. It allocates
// nothing.
type cursor struct {
	w        *Weekly
	segStart int64 // unix seconds
	segEnd   int64 // unix seconds, math.MaxInt64 when no later change
	off      int64 // zone offset in the segment, seconds
	day      int64 // local day being walked, days since 1970-01-01
	spans    []Span
	si       int
	hol      int
	pau      int
	pa, pb   time.Time
	hasPend  bool
	// budget is the working time Add still has to find; when it spans
	// whole weeks free of holidays, pauses and clock changes, nextDay
	// skips them at once.
	budget time.Duration
	// until, when not zero, is the unix second Between counts up to: whole
	// weeks before it are skipped the same way, their working time added
	// to skipped.
	until   int64
	skipped time.Duration
	// done is set once the walk reaches the end of the time line; next
	// then returns one period starting there.
	done bool
}

func (w *Weekly) cursor(t time.Time) cursor {
	c := cursor{w: w}
	u := t.Unix()
	from := time.Unix(u, 0)
	c.pau = sort.Search(len(w.pauses), func(i int) bool { return w.pauses[i].To.After(from) })
	c.seek(u)
	return c
}

// seek starts walking at unix second u.
func (c *cursor) seek(u int64) {
	w := c.w
	if u >= lineEndUnix {
		c.done = true
		return
	}
	t := time.Unix(u, 0).In(w.loc)
	_, off := t.Zone()
	_, end := t.ZoneBounds()
	c.segStart, c.off = u, int64(off)
	c.segEnd = math.MaxInt64
	if !end.IsZero() {
		c.segEnd = end.Unix()
		if c.segEnd <= u {
			c.segEnd = nextOffsetChange(w.loc, u, off)
		}
	}
	c.day = floorDiv(u+c.off, 86400)
	c.hol = sort.Search(len(w.holidays), func(i int) bool { return w.holidays[i] >= c.day })
	c.loadDay()
}

// nextOffsetChange returns a unix second after u up to which loc keeps
// offset off: the first change of offset within two days of u, else u plus
// two days (a boundary at which the offset does not change, which the
// cursor handles like any other). It stands in for [time.Time.ZoneBounds]
// when that returns an end that is not after the instant, as it does in the
// last UTC day of a leap year served by a zone's POSIX TZ rule (2040 with
// the embedded database, possibly earlier with slim TZif files: Go issue
// 81583); trusting that end made the cursor seek the same second forever.
// Offsets are probed hourly, then the change is found to the second by
// bisection.
func nextOffsetChange(loc *time.Location, u int64, off int) int64 {
	offAt := func(x int64) int {
		_, o := time.Unix(x, 0).In(loc).Zone()
		return o
	}
	const step, limit = 3600, 2 * 86400
	for lo := u; lo < u+limit; lo += step {
		hi := lo + step
		if offAt(hi) == off {
			continue
		}
		for hi-lo > 1 { // offAt(lo) == off, offAt(hi) != off
			mid := lo + (hi-lo)/2
			if offAt(mid) == off {
				lo = mid
			} else {
				hi = mid
			}
		}
		return hi
	}
	return u + limit
}

func (c *cursor) nextDay() {
	c.day++
	start := c.day*86400 - c.off
	if start >= lineEndUnix {
		c.done = true
		return
	}
	if start >= c.segEnd {
		c.seek(c.segEnd)
		return
	}
	// A pause that covers the start of the day: jump to its end.
	ps := c.w.pauses
	for c.pau < len(ps) && !ps[c.pau].To.After(time.Unix(start, 0)) {
		c.pau++
	}
	if c.pau < len(ps) && ps[c.pau].From.Unix() < start {
		if to := ps[c.pau].To.Unix(); to > start+86400 {
			c.seek(to)
			return
		}
	}
	c.skipWeeks(start)
	c.loadDay()
}

// skipWeeks moves a cursor that starts a new local day at unix second
// start over whole weeks that Add's budget covers, as long as they hold no
// holiday, no pause and no clock change: each such week has exactly the
// nominal working time.
func (c *cursor) skipWeeks(start int64) {
	w := c.w
	week := time.Duration(w.weekSecs) * time.Second
	const weekSecs = 7 * 86400
	var k int64
	switch {
	case c.until != 0:
		k = (c.until - start) / weekSecs
	case c.budget > 2*week:
		k = int64(c.budget/week) - 1
	default:
		return
	}
	if c.segEnd != math.MaxInt64 {
		k = min(k, (c.segEnd-start)/weekSecs)
	}
	for c.hol < len(w.holidays) && w.holidays[c.hol] < c.day {
		c.hol++
	}
	if c.hol < len(w.holidays) {
		k = min(k, (w.holidays[c.hol]-c.day)/7)
	}
	if c.pau < len(w.pauses) {
		k = min(k, max(w.pauses[c.pau].From.Unix()-start, 0)/weekSecs)
	}
	if k <= 0 {
		return
	}
	c.day += 7 * k
	if c.until != 0 {
		if k > int64((maxDuration-c.skipped)/week) {
			c.skipped = maxDuration
		} else {
			c.skipped += time.Duration(k) * week
		}
	} else {
		c.budget -= time.Duration(k) * week
	}
}

func (c *cursor) loadDay() {
	w := c.w
	for c.hol < len(w.holidays) && w.holidays[c.hol] < c.day {
		c.hol++
	}
	c.si = 0
	if c.hol < len(w.holidays) && w.holidays[c.hol] == c.day {
		c.spans = nil
		return
	}
	c.spans = w.week[(c.day%7+7+4)%7] // 1970-01-01 was a Thursday
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// next returns the next working period [a, b), a < b.
func (c *cursor) next() (a, b time.Time) {
	ps := c.w.pauses
	for {
		if c.done {
			e := lineEnd().In(c.w.loc)
			return e, e.Add(time.Second)
		}
		if c.hasPend {
			a, b = c.pa, c.pb
			for c.pau < len(ps) && !ps[c.pau].To.After(a) {
				c.pau++
			}
			if c.pau < len(ps) && ps[c.pau].From.Before(b) {
				p := ps[c.pau]
				if p.To.Before(b) {
					c.pa = p.To.In(c.w.loc)
				} else {
					c.hasPend = false
				}
				if p.From.After(a) {
					return a, p.From.In(c.w.loc)
				}
				continue
			}
			c.hasPend = false
			return a, b
		}
		if c.si >= len(c.spans) {
			c.nextDay()
			continue
		}
		sp := c.spans[c.si]
		c.si++
		base := c.day*86400 - c.off
		x, y := base+int64(sp.Start), base+int64(sp.End)
		x, y = max(x, c.segStart), min(y, c.segEnd)
		if x >= y {
			continue
		}
		c.pa, c.pb, c.hasPend = time.Unix(x, 0).In(c.w.loc), time.Unix(y, 0).In(c.w.loc), true
	}
}

func itoa(i int) string {
	if i >= 0 && i < 10 {
		return string(rune('0' + i))
	}
	return itoaSlow(i)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
