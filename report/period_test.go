package report_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// Every day from 2019 to 2031, at the first and the last second of the
// local day, in zones with daylight saving (and one at a half-hour
// offset): each period must hold exactly its days, with labels and bounds
// as the time package computes them (ISO weeks across year ends included).
func TestPeriodsAcrossDSTAndYearEnds(t *testing.T) {
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	for _, loc := range []*time.Location{madrid(), newYork(), kolkata, time.UTC} {
		for _, g := range []report.Granularity{report.Week, report.Month, report.Quarter} {
			t.Run(fmt.Sprintf("%s/%s", loc, g), func(t *testing.T) {
				acc, err := report.NewAccumulator(report.Config{Path: []funnel.Stage{funnel.Lead}, Location: loc, Period: g, NoLeadState: true})
				if err != nil {
					t.Fatal(err)
				}
				first := time.Date(2019, 1, 1, 0, 0, 0, 0, loc)
				last := time.Date(2031, 12, 31, 0, 0, 0, 0, loc)
				days := map[string]int64{}
				for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
					next := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
					for _, at := range []time.Time{d, next.Add(-time.Second)} {
						if err := acc.AddEvent(funnel.Event{Lead: "x", Version: 1, At: at, To: funnel.Lead}); err != nil {
							t.Fatal(err)
						}
					}
					days[naiveLabel(g, naiveStart(g, d, loc))] += 2
				}
				r := acc.Report()
				if len(r.Periods) != len(days) {
					t.Fatalf("%d periods, want %d", len(r.Periods), len(days))
				}
				for _, p := range r.Periods {
					start := naiveStart(g, p.Start, loc)
					if !p.Start.Equal(start) || !p.End.Equal(naiveNext(g, start)) || p.Label != naiveLabel(g, start) {
						t.Fatalf("period %s [%v, %v), want %s [%v, %v)", p.Label, p.Start, p.End, naiveLabel(g, start), start, naiveNext(g, start))
					}
					if got := p.Stages[0].Entries; got != days[p.Label] {
						t.Fatalf("%s: %d entries, want %d", p.Label, got, days[p.Label])
					}
				}
			})
		}
	}
}
