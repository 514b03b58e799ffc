package handoff

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Calendar counts business time. Deadlines in this package ([SLA]) are
// computed through a Calendar, so a host can plug in its own (a shared
// company calendar, a per-rep calendar) or use the built-in [Weekly] or
// [Continuous] ones.
//
// An implementation must be pure and deterministic and should honour these
// laws, which [Weekly] and [Continuous] are property-tested for:
//
//   - Between(s, Add(s, d)) == d for every d >= 0;
//   - Add is monotone in both arguments: s1 <= s2 and d1 <= d2 imply
//     Add(s1, d1) <= Add(s2, d2);
//   - Add(Add(s, d1), d2) equals Add(s, d1+d2) for d1, d2 >= 0;
//   - for d > 0, Add(s, d) lands inside working time or at the very end of
//     a working period, never in closed time;
//   - Between(a, b) == -Between(b, a);
//   - every call returns in bounded time, whatever the instants: a calendar
//     with no working time at all must be refused when it is built, not
//     searched for ever.
//
// Between saturates at the largest Duration (about 292 years), as
// [time.Time.Sub] does, and the first law holds for the durations it can
// return. [Weekly] and [Continuous] keep the laws within their time line,
// which ends at [TimeLineEnd] (10000-01-01T00:00:00Z): when the working
// time runs out before it, their Add saturates there (see [Weekly.Add]).
// That instant stands for "never": RFC 3339, time.Time's JSON form, cannot
// write it, so [SLA.Evaluate] reports a deadline there as
// [Clock.NoDeadline] rather than as an instant.
type Calendar interface {
	// Add returns the earliest instant at which d of business time has
	// passed since start. A d <= 0 returns start.
	Add(start time.Time, d time.Duration) time.Time
	// Between returns the business time from a to b, negative when b is
	// before a.
	Between(a, b time.Time) time.Duration
}

// Continuous is the calendar in which every instant is business time: the
// wall clock, for SLAs counted around the clock. Its zero value is ready to
// use and it is safe for concurrent use.
type Continuous struct{}

// Add returns start + d, or start when d <= 0. Like [Weekly.Add] it
// saturates at [TimeLineEnd] (returned in start's location): a sum at or
// after it is that instant, and a start at or after it is returned as it
// is. So Add never wraps around, whatever the instants.
func (Continuous) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 || !start.Before(lineEnd()) {
		return start
	}
	if end := lineEnd(); end.Sub(start) <= d {
		return end.In(start.Location())
	}
	return start.Add(d)
}

// TimeLineEnd returns 10000-01-01T00:00:00Z, where the time line of
// [Weekly] and [Continuous] ends: the first instant RFC 3339 (time.Time's
// JSON form) cannot write in UTC. Their Add saturates there and
// [Weekly.Next] returns it when no working time is left, so a result at or
// after TimeLineEnd means "never" (a pause that never ends, working hours
// that run out). [SLA.Evaluate] turns such a deadline into
// [Clock.NoDeadline].
func TimeLineEnd() time.Time { return lineEnd() }

// lastSecondUnix is 9999-12-31T23:59:59Z: a pause that reaches it never
// ends (see [CalendarSpec.Pauses]).
const lastSecondUnix = lineEndUnix - 1

// jsonExact reports whether RFC 3339 (time.Time's JSON form) writes t
// exactly in its own location: a year within 0 to 9999 and an offset from
// UTC under a day in whole minutes (MarshalJSON fails on the others, or
// drops the seconds of an offset such as a local mean time's), as package
// funnel requires of its moves.
func jsonExact(t time.Time) bool {
	if y := t.Year(); y < 0 || y > 9999 {
		return false
	}
	_, off := t.Zone()
	return off > -86400 && off < 86400 && off%60 == 0
}

// jsonSafe returns t when RFC 3339 (time.Time's JSON form) writes it
// exactly in its own location ([jsonExact]), and else the same instant in
// UTC, clamped into years 0 to 9999: a deadline a few hours before
// [TimeLineEnd] in a zone east of Greenwich is in year 10000 on its local
// wall clock, one in 1850 in a zone then on local mean time has an offset
// in seconds, and a custom [Calendar] may return anything.
func jsonSafe(t time.Time) time.Time {
	if jsonExact(t) {
		return t
	}
	switch t = t.UTC(); {
	case !t.Before(lineEnd()):
		return lineEnd().Add(-time.Nanosecond).UTC()
	case t.Before(yearZero()):
		return yearZero()
	}
	return t
}

// yearZero is 0000-01-01T00:00:00Z, the first instant RFC 3339 can write.
func yearZero() time.Time { return time.Unix(yearZeroUnix, 0).UTC() }

const yearZeroUnix = -62167219200

// jsonInstant reports whether t lies within 0000-01-01T00:00:00Z and
// [TimeLineEnd], excluded: the instants that RFC 3339 can write (in UTC).
func jsonInstant(t time.Time) bool { return !t.Before(yearZero()) && t.Before(lineEnd()) }

// Between returns b - a, saturating as [time.Time.Sub] does but
// symmetrically: Between(a, b) == -Between(b, a) even at the limits.
func (Continuous) Between(a, b time.Time) time.Duration { return max(b.Sub(a), -maxDuration) }

// CalendarSpec is the plain description of a business calendar that
// [NewWeekly] validates and compiles. Build it in Go or load it from JSON
// with [ParseCalendarSpec].
type CalendarSpec struct {
	// ID names the calendar (for the host; never interpreted).
	ID string `json:"id,omitempty"`
	// Zone is the IANA time zone name (such as "Europe/Madrid") in which
	// the working hours and holidays are read. It is loaded with
	// [time.LoadLocation], but for "Local", which is refused: it names
	// the zone of whatever machine loads the spec. Empty means UTC, unless
	// Location is set.
	Zone string `json:"zone,omitempty"`
	// Location, when not nil, is used instead of loading Zone: a host that
	// already holds its *time.Location passes it here. Not part of JSON:
	// only its name travels, as Zone, so a [time.FixedZone] location does
	// not survive a JSON round trip (see [Weekly.Spec]). When both are
	// set, Zone must be Location's name.
	Location *time.Location `json:"-"`
	// Week holds the working hours of each weekday, in local wall time.
	Week Week `json:"week"`
	// Holidays are whole local days without working time.
	Holidays []Date `json:"holidays,omitempty"`
	// Pauses are absolute periods without working time (a company
	// shutdown, an outage, the days a lead asked to be left alone). Their
	// bounds must be instants RFC 3339 (time.Time's JSON form) writes
	// exactly in their own location: years 0 to 9999, offsets from UTC
	// under a day in whole minutes. A pause whose To is at or after
	// 9999-12-31T23:59:59Z (the last second before [TimeLineEnd]) never
	// ends: write that To (in UTC) to pause a calendar for ever, and
	// deadlines behind it are then [Clock.NoDeadline].
	Pauses []Interval `json:"pauses,omitempty"`
}

// Week lists the working periods of each weekday, in local wall time, in
// increasing order and without overlaps. A nil or empty day is closed.
type Week struct {
	Monday    []Span `json:"monday,omitempty"`
	Tuesday   []Span `json:"tuesday,omitempty"`
	Wednesday []Span `json:"wednesday,omitempty"`
	Thursday  []Span `json:"thursday,omitempty"`
	Friday    []Span `json:"friday,omitempty"`
	Saturday  []Span `json:"saturday,omitempty"`
	Sunday    []Span `json:"sunday,omitempty"`
}

// Day returns the spans of weekday d.
func (w Week) Day(d time.Weekday) []Span {
	switch d {
	case time.Monday:
		return w.Monday
	case time.Tuesday:
		return w.Tuesday
	case time.Wednesday:
		return w.Wednesday
	case time.Thursday:
		return w.Thursday
	case time.Friday:
		return w.Friday
	case time.Saturday:
		return w.Saturday
	default:
		return w.Sunday
	}
}

// OfficeHours returns a Week open the same spans on Monday to Friday and
// closed at the weekend, such as OfficeHours(Span{9 * Hour, 17 * Hour}).
func OfficeHours(spans ...Span) Week {
	c := func() []Span { return slices.Clone(spans) }
	return Week{Monday: c(), Tuesday: c(), Wednesday: c(), Thursday: c(), Friday: c()}
}

// TimeOfDay is a local wall-clock time as seconds since midnight, from
// 00:00 to 24:00 inclusive (24:00 is the end of the day). Its text form is
// "HH:MM" or "HH:MM:SS".
type TimeOfDay int32

// Convenient units for building a [TimeOfDay] in Go: 9*Hour + 30*Minute.
const (
	Second TimeOfDay = 1
	Minute TimeOfDay = 60
	Hour   TimeOfDay = 3600
	// EndOfDay is 24:00.
	EndOfDay TimeOfDay = 24 * Hour
)

// Valid reports whether t is within 00:00 and 24:00.
func (t TimeOfDay) Valid() bool { return t >= 0 && t <= EndOfDay }

// String returns "HH:MM", or "HH:MM:SS" when seconds are not zero.
func (t TimeOfDay) String() string {
	if !t.Valid() {
		return "TimeOfDay(" + strconv.Itoa(int(t)) + ")"
	}
	h, m, s := t/Hour, t%Hour/Minute, t%Minute
	if s != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}

// MarshalText encodes t as "HH:MM" or "HH:MM:SS".
func (t TimeOfDay) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("time of day %d s out of range 00:00-24:00", int(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText decodes "HH:MM" or "HH:MM:SS", from 00:00 to 24:00.
func (t *TimeOfDay) UnmarshalText(b []byte) error {
	v, ok := parseTimeOfDay(string(b))
	if !ok {
		return fmt.Errorf("time of day %q: want HH:MM or HH:MM:SS from 00:00 to 24:00", clip(b))
	}
	*t = v
	return nil
}

func parseTimeOfDay(s string) (TimeOfDay, bool) {
	if len(s) != 5 && len(s) != 8 {
		return 0, false
	}
	num := func(i int) (int, bool) {
		a, b := s[i], s[i+1]
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return 0, false
		}
		return int(a-'0')*10 + int(b-'0'), true
	}
	h, ok1 := num(0)
	m, ok2 := num(3)
	sec, ok3 := 0, true
	if len(s) == 8 {
		if s[5] != ':' {
			return 0, false
		}
		sec, ok3 = num(6)
	}
	if !ok1 || !ok2 || !ok3 || s[2] != ':' || m > 59 || sec > 59 {
		return 0, false
	}
	v := TimeOfDay(h)*Hour + TimeOfDay(m)*Minute + TimeOfDay(sec)
	if !v.Valid() {
		return 0, false
	}
	return v, true
}

// Span is one working period of a day, [Start, End) in local wall time.
// Its text form is "09:00-17:00".
type Span struct {
	Start, End TimeOfDay
}

// String returns "HH:MM-HH:MM".
func (s Span) String() string { return s.Start.String() + "-" + s.End.String() }

// MarshalText encodes s as "09:00-17:00".
func (s Span) MarshalText() ([]byte, error) {
	if !s.Start.Valid() || !s.End.Valid() {
		return nil, fmt.Errorf("span %d-%d s out of range", int(s.Start), int(s.End))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes "HH:MM-HH:MM" (seconds optional on either side).
// Order is checked by [NewWeekly], which reports the field path.
func (s *Span) UnmarshalText(b []byte) error {
	str := string(b)
	for i := 0; i < len(str); i++ {
		if str[i] == '-' {
			a, ok1 := parseTimeOfDay(str[:i])
			e, ok2 := parseTimeOfDay(str[i+1:])
			if ok1 && ok2 {
				*s = Span{a, e}
				return nil
			}
			break
		}
	}
	return fmt.Errorf("span %q: want HH:MM-HH:MM", clip(b))
}

// Date is a civil date (a local day), text form "2026-12-25".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Valid reports whether d is a real calendar date between years 1 and 9999.
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return d.Day <= daysIn(d.Year, d.Month)
}

// String returns "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText encodes d as "YYYY-MM-DD".
func (d Date) MarshalText() ([]byte, error) {
	if !d.Valid() {
		return nil, fmt.Errorf("invalid date %d-%d-%d", d.Year, int(d.Month), d.Day)
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes "YYYY-MM-DD" and rejects dates that do not exist.
func (d *Date) UnmarshalText(b []byte) error {
	s := string(b)
	digits := func(t string) bool {
		for i := range len(t) {
			if t[i] < '0' || t[i] > '9' {
				return false
			}
		}
		return true
	}
	if len(s) == 10 && s[4] == '-' && s[7] == '-' && digits(s[:4]) && digits(s[5:7]) && digits(s[8:]) {
		y, _ := strconv.Atoi(s[:4])
		m, _ := strconv.Atoi(s[5:7])
		dd, _ := strconv.Atoi(s[8:])
		if v := (Date{y, time.Month(m), dd}); v.Valid() {
			*d = v
			return nil
		}
	}
	return fmt.Errorf("date %q: want an existing YYYY-MM-DD", clip(b))
}

// days returns the number of days since 1970-01-01 (proleptic Gregorian).
func (d Date) days() int64 { return daysFromCivil(int64(d.Year), int64(d.Month), int64(d.Day)) }

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// daysFromCivil is Howard Hinnant's days_from_civil algorithm.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// Interval is the half-open period [From, To) of absolute time.
type Interval struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Equal reports whether i and o have the same bounds ([time.Time.Equal]).
func (i Interval) Equal(o Interval) bool { return i.From.Equal(o.From) && i.To.Equal(o.To) }

func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
