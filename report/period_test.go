package report_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// Every day from 2019 to 2031 and from 2036 to 2044 (past the end of the
// zone tables, where offsets come from the zone's rule), at the first and
// the last second of the local day, in zones with daylight saving (north
// and south, where it spans the year end) and one at a half-hour offset:
// each period must hold exactly its days, with labels and bounds as the
// time package computes them (ISO weeks across year ends included).
func TestPeriodsAcrossDSTAndYearEnds(t *testing.T) {
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	sydney, _ := time.LoadLocation("Australia/Sydney")
	for _, loc := range []*time.Location{madrid(), newYork(), sydney, kolkata, time.UTC} {
		for _, g := range []report.Granularity{report.Week, report.Month, report.Quarter} {
			t.Run(fmt.Sprintf("%s/%s", loc, g), func(t *testing.T) {
				acc, err := report.NewAccumulator(report.Config{Path: []funnel.Stage{funnel.Lead}, Location: loc, Period: g, NoLeadState: true})
				if err != nil {
					t.Fatal(err)
				}
				days := map[string]int64{}
				for d := time.Date(2019, 1, 1, 0, 0, 0, 0, loc); d.Year() < 2045; d = d.AddDate(0, 0, 1) {
					if d.Year() == 2032 {
						d = time.Date(2036, 1, 1, 0, 0, 0, 0, loc)
					}
					next := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
					for _, at := range []time.Time{d, next.Add(-time.Second)} {
						if err := acc.AddEvent(funnel.Event{Lead: "x", Version: 1, At: at, To: funnel.Lead}); err != nil {
							t.Fatal(err)
						}
					}
					days[naiveLabel(g, naiveStart(g, d, loc))] += 2
				}
				// Every period from the first to the last, one after the
				// other (the empty years 2032 to 2035 included).
				r := acc.Report()
				start := naiveStart(g, r.Periods[0].Start, loc)
				withData := 0
				for _, p := range r.Periods {
					if !p.Start.Equal(start) || !p.End.Equal(naiveNext(g, start)) || p.Label != naiveLabel(g, start) {
						t.Fatalf("period %s [%v, %v), want %s [%v, %v)", p.Label, p.Start, p.End, naiveLabel(g, start), start, naiveNext(g, start))
					}
					if got := p.Stages[0].Entries; got != days[p.Label] {
						t.Fatalf("%s: %d entries, want %d", p.Label, got, days[p.Label])
					}
					if days[p.Label] > 0 {
						withData++
					}
					start = naiveNext(g, start)
				}
				if withData != len(days) || r.Periods[0].Label != naiveLabel(g, naiveStart(g, time.Date(2019, 1, 1, 0, 0, 0, 0, loc), loc)) {
					t.Fatalf("%d periods with data from %s, want %d", withData, r.Periods[0].Label, len(days))
				}
			})
		}
	}
}

// Where a zone change skips local midnight on a period's first day
// (Paraguay moved its clocks from 00:00 to 01:00 on 2023-10-01), the
// period starts at the first instant of that day, 01:00, as the records
// are counted; time.Date answers 23:00 of the day before, which made
// September's last hour both September's (by its records) and October's
// (by Start), and the scorecard score October when AsOf was in that hour.
// A repeated midnight (Tunis, 1978-10-01) starts the period at the first
// of the two.
func TestPeriodStartsAtSkippedOrRepeatedMidnight(t *testing.T) {
	for _, tc := range []struct {
		zone      string
		first     time.Time // first instant of the later period, in UTC
		lastLabel string    // label of the earlier period
	}{
		{"America/Asuncion", time.Date(2023, 10, 1, 4, 0, 0, 0, time.UTC), "2023-09"},
		{"Africa/Tunis", time.Date(1978, 9, 30, 22, 0, 0, 0, time.UTC), "1978-09"},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Skip(err)
			}
			before := tc.first.Add(-30 * time.Minute)
			acc, err := report.NewAccumulator(report.Config{Path: []funnel.Stage{funnel.Lead}, Location: loc, NoLeadState: true, AsOf: before})
			if err != nil {
				t.Fatal(err)
			}
			for _, at := range []time.Time{before, tc.first} {
				if err := acc.AddEvent(funnel.Event{Lead: "x", Version: 1, At: at, To: funnel.Lead}); err != nil {
					t.Fatal(err)
				}
			}
			r := acc.Report()
			if len(r.Periods) != 2 {
				t.Fatalf("%d periods, want 2", len(r.Periods))
			}
			p0, p1 := r.Periods[0], r.Periods[1]
			if p0.Label != tc.lastLabel || p0.Stages[0].Entries != 1 || p1.Stages[0].Entries != 1 {
				t.Fatalf("periods %s (%d entries), %s (%d entries)", p0.Label, p0.Stages[0].Entries, p1.Label, p1.Stages[0].Entries)
			}
			if !p1.Start.Equal(tc.first) || !p0.End.Equal(tc.first) {
				t.Errorf("%s starts %v and %s ends %v, want both %v", p1.Label, p1.Start, p0.Label, p0.End, tc.first.In(loc))
			}
			// Each record lies in [Start, End) of the period that counts it.
			if before.Before(p0.Start) || !before.Before(p0.End) || tc.first.Before(p1.Start) || !tc.first.Before(p1.End) {
				t.Errorf("records outside their periods' bounds: %v in [%v, %v), %v in [%v, %v)", before, p0.Start, p0.End, tc.first, p1.Start, p1.End)
			}
			if cur, _ := r.Current(); cur == nil || cur.Label != tc.lastLabel {
				t.Errorf("current period for AsOf %v: %+v, want %s", before.In(loc), cur, tc.lastLabel)
			}
		})
	}
}
