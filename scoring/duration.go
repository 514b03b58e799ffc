package scoring

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a length of time in a spec. Its text form is a whole
// number of weeks ("2w") or days ("30d"), or a Go duration ("36h",
// "90m", "1h30m"). There are no months: write "30d" for the usual
// "every month". The zero Duration means "not set".
type Duration time.Duration

// Days returns a Duration of n days of 24 hours.
func Days(n int) Duration { return Duration(time.Duration(n) * 24 * time.Hour) }

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String returns the text form of d.
func (d Duration) String() string {
	const day = Duration(24 * time.Hour)
	switch {
	case d == 0:
		return "0"
	case d < 0: // ParseDuration reads no negative days or weeks
	case d%(7*day) == 0:
		return strconv.FormatInt(int64(d/(7*day)), 10) + "w"
	case d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return time.Duration(d).String()
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ParseDuration parses the text form of a [Duration].
func ParseDuration(s string) (Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if len(s) >= 2 && (strings.HasSuffix(s, "d") || strings.HasSuffix(s, "w")) {
		n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		unit := int64(24 * time.Hour)
		if s[len(s)-1] == 'w' {
			unit *= 7
		}
		if n > (1<<63-1)/unit {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		return Duration(n * unit), nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	return Duration(v), nil
}
