package report

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Period indices are dense integers: months since year 0 (y*12+m-1),
// quarters since year 0 (y*4+q-1), or ISO weeks since the week of
// 1970-01-01 (week 0 starts Monday 1969-12-29). An instant belongs to the
// period that contains its civil date in the configured Location.

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func daysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := int64((m + 9) % 12)
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// periodOfDays returns the period index of a civil day, and the civil
// day range [lo, hi) of that period.
func periodOfDays(g Granularity, days int64) (idx, lo, hi int64) {
	switch g {
	case Week:
		idx = floorDiv(days+3, 7)
		lo = idx*7 - 3
		return idx, lo, lo + 7
	case Quarter:
		y, m, _ := civilFromDays(days)
		q := (m - 1) / 3
		idx = y*4 + int64(q)
		lo = daysFromCivil(y, q*3+1, 1)
		ny, nm := y, q*3+4
		if nm > 12 {
			ny, nm = y+1, 1
		}
		return idx, lo, daysFromCivil(ny, nm, 1)
	default:
		y, m, _ := civilFromDays(days)
		idx = y*12 + int64(m-1)
		lo = daysFromCivil(y, m, 1)
		ny, nm := y, m+1
		if nm > 12 {
			ny, nm = y+1, 1
		}
		return idx, lo, daysFromCivil(ny, nm, 1)
	}
}

// firstDay returns the civil day (days since epoch) a period starts on.
func firstDay(g Granularity, idx int64) int64 {
	switch g {
	case Week:
		return idx*7 - 3
	case Quarter:
		y := floorDiv(idx, 4)
		q := idx - y*4
		return daysFromCivil(y, int(q)*3+1, 1)
	default:
		y := floorDiv(idx, 12)
		m := idx - y*12
		return daysFromCivil(y, int(m)+1, 1)
	}
}

// periodBounds returns the instants a period starts and ends in loc
// (DST-correct: the local midnights, whatever their UTC offset).
func periodBounds(g Granularity, loc *time.Location, idx int64) (start, end time.Time) {
	return periodStart(g, loc, idx), periodStart(g, loc, idx+1)
}

// periodStart returns the first instant of period idx: the first instant
// whose civil date in loc is in the period, the same rule that assigns
// records to periods. That is the local midnight of its first day, except
// where a zone change skips or repeats that midnight: time.Date then may
// answer an instant of the day before (a skipped midnight, as in
// America/Asuncion on 2023-10-01) or the later of two midnights, so the
// start is then searched for, to the second (offsets are whole seconds).
func periodStart(g Granularity, loc *time.Location, idx int64) time.Time {
	y, m, d := civilFromDays(firstDay(g, idx))
	t := time.Date(int(y), time.Month(m), d, 0, 0, 0, 0, loc)
	c := &calendar{g: g, loc: loc}
	if c.index(t) == idx && c.index(t.Add(-time.Second)) < idx {
		return t
	}
	// No zone change moves the civil time by two days.
	lo, hi := t.Unix()-2*86400, t.Unix()+2*86400
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		if c.index(time.Unix(mid, 0)) >= idx {
			hi = mid
		} else {
			lo = mid
		}
	}
	return time.Unix(hi, 0).In(loc)
}

// periodLabel names a period: 2026-W09 (ISO week-year), 2026-03, 2026-Q1.
func periodLabel(g Granularity, idx int64) string {
	switch g {
	case Week:
		// The ISO year is the year of the week's Thursday.
		y, _, _ := civilFromDays(idx*7 - 3 + 3)
		jan4 := daysFromCivil(y, 1, 4)
		w1, _, _ := periodOfDays(Week, jan4)
		return fmt.Sprintf("%04d-W%02d", y, idx-w1+1)
	case Quarter:
		y := floorDiv(idx, 4)
		return fmt.Sprintf("%04d-Q%d", y, idx-y*4+1)
	default:
		y := floorDiv(idx, 12)
		return fmt.Sprintf("%04d-%02d", y, idx-y*12+1)
	}
}

// calendar maps instants to period indices. It caches the time zone
// offset span and the period of the last instant, so that a log in time
// order costs two comparisons and an addition per record, and it keeps
// the offset spans it has met (up to maxSpans), so that a log grouped by
// lead, which jumps back and forth across daylight-saving changes, finds
// an offset by binary search instead of asking the time package. The
// cache is not part of the accumulator's state.
type calendar struct {
	g        Granularity
	loc      *time.Location
	ok       bool
	zlo, zhi int64 // unix seconds where off applies
	off      int64
	plo, phi int64 // civil seconds of the cached period ([0, 0) at first)
	idx      int64
	spans    []zoneSpan // disjoint, by lo
	periods  []zoneSpan // periods met: civil seconds [lo, hi), off = index
}

// zoneSpan is an offset (or a period index) and the seconds [lo, hi)
// where it applies.
type zoneSpan struct{ lo, hi, off int64 }

// maxSpans bounds the offset spans a calendar keeps (two a year in a zone
// with daylight saving: 64 cover the decades a log spans) and maxPeriods
// the periods (21 years of months, 5 of weeks).
const (
	maxSpans   = 64
	maxPeriods = 256
)

// spanOf returns the position of the span of spans that contains u, or,
// with ok false, where a span containing u would go.
func spanOf(spans []zoneSpan, u int64) (i int, ok bool) {
	i, _ = slices.BinarySearchFunc(spans, u, func(s zoneSpan, u int64) int {
		switch {
		case s.hi <= u:
			return -1
		case s.lo > u:
			return 1
		}
		return 0
	})
	return i, i < len(spans) && spans[i].lo <= u && u < spans[i].hi
}

// addSpan inserts s at position i of spans when it fits there and there is
// room.
func addSpan(spans []zoneSpan, i int, s zoneSpan, limit int) []zoneSpan {
	if len(spans) < limit && (i == 0 || spans[i-1].hi <= s.lo) && (i == len(spans) || s.hi <= spans[i].lo) {
		return slices.Insert(spans, i, s)
	}
	return spans
}

func (c *calendar) index(t time.Time) int64 {
	u := t.Unix()
	if !c.ok || u < c.zlo || u >= c.zhi {
		c.zone(t, u)
	}
	cs := u + c.off
	if cs >= c.plo && cs < c.phi {
		return c.idx
	}
	return c.slowPeriod(cs)
}

// zone sets the cached offset span to the one containing u.
func (c *calendar) zone(t time.Time, u int64) {
	i, ok := spanOf(c.spans, u)
	if ok {
		s := c.spans[i]
		c.zlo, c.zhi, c.off, c.ok = s.lo, s.hi, s.off, true
		return
	}
	lt := t.In(c.loc)
	_, off := lt.Zone()
	zs, ze := lt.ZoneBounds()
	s := zoneSpan{lo: math.MinInt64, hi: math.MaxInt64, off: int64(off)}
	if !zs.IsZero() {
		s.lo = zs.Unix()
	}
	if !ze.IsZero() {
		s.hi = ze.Unix()
	}
	if u < s.lo || u >= s.hi {
		// ZoneBounds has been seen to answer a span that does not contain
		// the instant (Go issue 81583): trust the offset for this second
		// only.
		s.lo, s.hi = u, u+1
	}
	c.zlo, c.zhi, c.off, c.ok = s.lo, s.hi, s.off, true
	c.spans = addSpan(c.spans, i, s, maxSpans)
}

// slowPeriod sets the cached period to the one containing civil second
// cs: one met before, or computed.
func (c *calendar) slowPeriod(cs int64) int64 {
	i, ok := spanOf(c.periods, cs)
	if ok {
		s := c.periods[i]
		c.idx, c.plo, c.phi = s.off, s.lo, s.hi
		return s.off
	}
	days := floorDiv(cs, 86400)
	idx, lo, hi := periodOfDays(c.g, days)
	c.idx, c.plo, c.phi = idx, lo*86400, hi*86400
	c.periods = addSpan(c.periods, i, zoneSpan{c.plo, c.phi, idx}, maxPeriods)
	return idx
}
