package report

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// The calendar's caches (the last offset span and period, and the offset
// spans and periods it has met) never change an answer: instants in any order, far apart or
// close to daylight-saving changes, from 1900 to 2100 (past the zone
// tables, where offsets come from the zone's rule), land in the period
// that contains their civil date as the time package computes it.
func TestCalendarCachesAgreeWithTimePackage(t *testing.T) {
	zones := []string{"UTC", "Europe/Madrid", "America/New_York", "Australia/Sydney", "America/Santiago", "Asia/Tehran", "Africa/Casablanca", "Asia/Kolkata"}
	rapid.Check(t, func(t *rapid.T) {
		loc, err := time.LoadLocation(rapid.SampledFrom(zones).Draw(t, "zone"))
		if err != nil {
			t.Fatal(err)
		}
		g := rapid.SampledFrom([]Granularity{Week, Month, Quarter}).Draw(t, "granularity")
		c := &calendar{g: g, loc: loc}
		base := time.Date(rapid.IntRange(1900, 2100).Draw(t, "year"), 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		for range rapid.IntRange(1, 200).Draw(t, "n") {
			// Mostly within a few years of base, to the second; sometimes
			// anywhere in the two centuries.
			var u int64
			if rapid.IntRange(0, 9).Draw(t, "far") == 0 {
				u = time.Date(rapid.IntRange(1900, 2100).Draw(t, "far_year"), 1, 1, 0, 0, 0, 0, time.UTC).Unix()
			} else {
				u = base
			}
			u += rapid.Int64Range(0, 5*366*86400).Draw(t, "s")
			at := time.Unix(u, 0)
			y, m, d := at.In(loc).Date()
			want, _, _ := periodOfDays(g, daysFromCivil(int64(y), int(m), d))
			if got := c.index(at); got != want {
				t.Fatalf("%v in %s: period %d (%s), want %d (%s)", at.In(loc), loc, got, periodLabel(g, got), want, periodLabel(g, want))
			}
		}
		for i := 1; i < len(c.spans); i++ {
			if c.spans[i-1].hi > c.spans[i].lo || c.spans[i].lo >= c.spans[i].hi {
				t.Fatalf("spans overlap or are empty: %+v", c.spans)
			}
		}
	})
}
