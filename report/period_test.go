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
