package main

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// monthFigures are the figures of one month, recounted from what the
// simulation did (its event log, sales decisions, handoffs and deals)
// without the report.
type monthFigures struct {
	mqlFirst, sqlEntries, oppEntries int64
	mqlCohort, mqlCohortToSQL        int64 // first entered MQL this month; of them, reached SQL or later within the window
	accepted, rejected               int64
	slaMet, slaDue                   int64
	won, lost                        int64
	wonRevenue, marketingRevenue     decimal.Decimal
}

func recount(q *quarter) map[string]*monthFigures {
	s := q.sim
	asOf := q.report.AsOf
	months := map[string]*monthFigures{}
	at := func(t interface{ Format(string) string }) *monthFigures {
		k := t.Format("2006-01")
		if months[k] == nil {
			months[k] = &monthFigures{wonRevenue: decimal.Zero, marketingRevenue: decimal.Zero}
		}
		return months[k]
	}
	for _, ev := range s.log {
		m := at(ev.At.In(s.loc))
		switch {
		case ev.To == funnel.MQL && ev.FirstEntry:
			m.mqlFirst++
		case ev.To == funnel.SQL:
			m.sqlEntries++
		case ev.To == funnel.Opportunity:
			m.oppEntries++
		}
	}
	// The MQL → SQL cohort: a contact belongs to the month of its first
	// entry into MQL and converted when it first reached SQL or a later
	// stage no later than the window after it (before it counts, as zero).
	sqlOrLater := map[funnel.Stage]bool{funnel.SQL: true, funnel.Opportunity: true, funnel.Customer: true, funnel.Evangelist: true}
	for _, c := range s.contacts {
		var mqlAt, sqlAt time.Time
		for _, ev := range c.events {
			if ev.To == funnel.MQL && mqlAt.IsZero() {
				mqlAt = ev.At
			}
			if sqlOrLater[ev.To] && sqlAt.IsZero() {
				sqlAt = ev.At
			}
		}
		if mqlAt.IsZero() {
			continue
		}
		m := at(mqlAt.In(s.loc))
		m.mqlCohort++
		if !sqlAt.IsZero() && sqlAt.Sub(mqlAt) <= q.report.Window {
			m.mqlCohortToSQL++
		}
	}
	for _, d := range s.decisions {
		if d.Accepted {
			at(d.At.In(s.loc)).accepted++
		} else {
			at(d.At.In(s.loc)).rejected++
		}
	}
	for _, r := range s.responses {
		if r.Deadline.After(asOf) {
			continue // not due yet: pending, not counted
		}
		m := at(r.Deadline.In(s.loc))
		m.slaDue++
		if !r.TouchedAt.IsZero() && !r.TouchedAt.After(r.Deadline) {
			m.slaMet++
		}
	}
	for _, d := range s.deals {
		if d.ClosedAt.IsZero() {
			continue
		}
		m := at(d.ClosedAt.In(s.loc))
		if !d.Won {
			m.lost++
			continue
		}
		m.won++
		m.wonRevenue = m.wonRevenue.Add(d.Amount)
		if d.Origin == report.OriginMarketing {
			m.marketingRevenue = m.marketingRevenue.Add(d.Amount)
		}
	}
	return months
}

func ratio(num, den decimal.Decimal) (decimal.Decimal, bool) {
	if !den.IsPositive() {
		return decimal.Decimal{}, false
	}
	return num.DivRound(den, report.RatePlaces), true
}

func counts(num, den int64) (decimal.Decimal, bool) {
	return ratio(decimal.NewFromInt(num), decimal.NewFromInt(den))
}

// expected returns what a goal metric should read in month cur, the month
// before being prev (nil for none).
func expected(metric string, cur, prev *monthFigures) (decimal.Decimal, bool) {
	switch metric {
	case "first_entries:mql":
		return decimal.NewFromInt(cur.mqlFirst), true
	case "cohort:mql:sql":
		return counts(cur.mqlCohortToSQL, cur.mqlCohort)
	case "flow:sql:opportunity":
		return counts(cur.oppEntries, cur.sqlEntries)
	case "acceptance_rate":
		return counts(cur.accepted, cur.accepted+cur.rejected)
	case "sla_compliance":
		return counts(cur.slaMet, cur.slaDue)
	case "win_rate":
		return counts(cur.won, cur.won+cur.lost)
	case "won_revenue":
		return cur.wonRevenue, true
	case "marketing_sourced_share":
		return ratio(cur.marketingRevenue, cur.wonRevenue)
	case "lead_velocity_rate":
		if prev == nil {
			return decimal.Decimal{}, false
		}
		return counts(cur.mqlFirst-prev.mqlFirst, prev.mqlFirst)
	}
	return decimal.Decimal{}, false
}

// TestScorecardRecounted checks the meeting's scorecard, the table the
// quickstart prints first, against the same figures recounted from the
// simulation: this month's actual, last month's, and the change.
func TestScorecardRecounted(t *testing.T) {
	for _, seed := range []uint64{1, 4} {
		q := quarterFor(t, seed, 500)
		sc := q.report.Scorecard
		if sc == nil || sc.Period != "2026-03" || sc.Previous != "2026-02" {
			t.Fatalf("seed %d: scorecard %+v, want 2026-03 against 2026-02", seed, sc)
		}
		months := recount(q)
		cur, prev := months["2026-03"], months["2026-02"]
		checked := 0
		for _, line := range sc.Lines {
			want, ok := expected(line.Goal.Metric, cur, prev)
			if !ok {
				continue // the median response time is a sketch's estimate: not recounted here
			}
			checked++
			if !line.ActualDefined || !line.Actual.Equal(want) {
				t.Errorf("seed %d, %s: actual %s (defined %v), recounted %s", seed, line.Goal.Metric, line.Actual, line.ActualDefined, want)
			}
			before, ok := expected(line.Goal.Metric, prev, months["2026-01"])
			if line.PreviousDefined != ok || (ok && !line.Previous.Equal(before)) {
				t.Errorf("seed %d, %s: previous %s (defined %v), recounted %s (defined %v)", seed, line.Goal.Metric, line.Previous, line.PreviousDefined, before, ok)
			}
			if ok && !line.Change.Equal(want.Sub(before)) {
				t.Errorf("seed %d, %s: change %s, want %s", seed, line.Goal.Metric, line.Change, want.Sub(before))
			}
		}
		if checked != len(sc.Lines)-1 {
			t.Errorf("seed %d: recounted %d of %d scorecard lines", seed, checked, len(sc.Lines))
		}
	}
}
