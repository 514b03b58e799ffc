package report_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
	"pgregory.net/rapid"
)

// naiveOutcomes recomputes, the slow and obvious way, the figures of a
// period that come from deals, touches, responses and decisions.
type naiveOutcomes struct {
	won, lost          int64
	wonAmount          decimal.Decimal
	byOrigin           map[report.Origin]decimal.Decimal
	influenced         decimal.Decimal
	accepted, rejected int64
	reasons            map[string]int64
	slaDue, slaMet     int64
	pending            int64
	bands              report.Bands
	firstMQL           int64
}

func TestOutcomesMatchNaiveReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := madrid()
		recs := genRecords(t)
		acc, _ := report.NewAccumulator(report.Config{Path: testPath, Detours: testDetours, Location: loc, Dimensions: []string{"source"}})
		for _, r := range recs {
			if err := acc.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		got := acc.Report()

		label := func(ti time.Time) string { return naiveLabel(report.Month, naiveStart(report.Month, ti, loc)) }
		per := map[string]*naiveOutcomes{}
		at := func(ti time.Time) *naiveOutcomes {
			l := label(ti)
			if per[l] == nil {
				per[l] = &naiveOutcomes{byOrigin: map[report.Origin]decimal.Decimal{}, reasons: map[string]int64{}}
			}
			return per[l]
		}
		// AsOf: the latest time of any record.
		var asOf time.Time
		later := func(ti time.Time) {
			if ti.After(asOf) {
				asOf = ti
			}
		}
		touches := map[string][]report.Touch{}
		responses := map[string]*report.Response{}
		for _, r := range recs {
			switch r.Kind {
			case report.KindEvent:
				later(r.Event.At)
				if r.Event.To == funnel.MQL && r.Event.FirstEntry {
					at(r.Event.At).firstMQL++
				}
			case report.KindTouch:
				later(r.Touch.At)
				touches[r.Touch.Lead] = append(touches[r.Touch.Lead], r.Touch)
			case report.KindDeal:
				later(r.Deal.ClosedAt)
			case report.KindDecision:
				later(r.Decision.At)
			case report.KindResponse:
				// Deadlines are promises, not happenings: they do not move AsOf.
				for _, ti := range []time.Time{r.Response.ActionAt, r.Response.AssignedAt, r.Response.TouchedAt} {
					if !ti.IsZero() {
						later(ti)
					}
				}
				c := r.Response
				if old := responses[c.Lead]; old != nil {
					if old.TouchedAt.IsZero() {
						old.TouchedAt = c.TouchedAt
					}
					if old.ActionAt.IsZero() {
						old.ActionAt, old.AssignedAt, old.Deadline = c.ActionAt, c.AssignedAt, c.Deadline
					}
				} else {
					responses[c.Lead] = &c
				}
			}
		}
		for _, r := range recs {
			switch r.Kind {
			case report.KindDeal:
				d := r.Deal
				o := at(d.ClosedAt)
				if !d.Won {
					o.lost++
					continue
				}
				o.won++
				o.wonAmount = o.wonAmount.Add(d.Amount)
				origin := d.Origin
				if origin == "" {
					origin = report.OriginOther
				}
				o.byOrigin[origin] = o.byOrigin[origin].Add(d.Amount)
				for _, tc := range touches[d.Lead] {
					if !tc.At.After(d.ClosedAt) {
						o.influenced = o.influenced.Add(d.Amount)
						break
					}
				}
			case report.KindDecision:
				o := at(r.Decision.At)
				if r.Decision.Accepted {
					o.accepted++
				} else {
					o.rejected++
					o.reasons[r.Decision.Reason]++
				}
			}
		}
		for _, rs := range responses {
			o := at(rs.Deadline)
			touched := !rs.TouchedAt.IsZero()
			if !rs.Deadline.After(asOf) {
				o.slaDue++
				if touched && !rs.TouchedAt.After(rs.Deadline) {
					o.slaMet++
				}
			} else if !touched {
				o.pending++
			}
			b := &at(rs.ActionAt).bands
			switch d := rs.TouchedAt.Sub(rs.ActionAt); {
			case !touched:
				b.Untouched++
			case d < 5*time.Minute:
				b.Under5++
			case d < 15*time.Minute:
				b.Under15++
			case d < time.Hour:
				b.Under60++
			default:
				b.Over60++
			}
		}

		seen := 0
		for i, p := range got.Periods {
			w := per[p.Label]
			if w == nil {
				w = &naiveOutcomes{byOrigin: map[report.Origin]decimal.Decimal{}, reasons: map[string]int64{}}
			} else {
				seen++
			}
			o, rv, sv := p.Outcomes, p.Revenue, p.Service
			if o.WinRate.Num != w.won || o.WinRate.Den != w.won+w.lost || !o.WonAmount.Equal(w.wonAmount) {
				t.Fatalf("%s: win rate %d/%d amount %s, want %d/%d %s", p.Label, o.WinRate.Num, o.WinRate.Den, o.WonAmount, w.won, w.won+w.lost, w.wonAmount)
			}
			if !rv.MarketingSourced.Amount.Equal(w.byOrigin[report.OriginMarketing]) || !rv.SalesSourced.Amount.Equal(w.byOrigin[report.OriginSales]) ||
				!rv.OtherSourced.Amount.Equal(w.byOrigin[report.OriginOther]) || !rv.MarketingInfluenced.Amount.Equal(w.influenced) {
				t.Fatalf("%s: revenue split %+v, want %v influenced %s", p.Label, rv, w.byOrigin, w.influenced)
			}
			for _, a := range rv.Attribution {
				sum := a.Unattributed
				for _, c := range a.Credits {
					sum = sum.Add(c.Amount)
				}
				if !sum.Equal(w.wonAmount) {
					t.Fatalf("%s %s: credits sum to %s, want %s", p.Label, a.Model, sum, w.wonAmount)
				}
			}
			if sv.Acceptance.Num != w.accepted || sv.Acceptance.Den != w.accepted+w.rejected {
				t.Fatalf("%s: acceptance %+v, want %d/%d", p.Label, sv.Acceptance, w.accepted, w.accepted+w.rejected)
			}
			for _, rc := range sv.Rejections {
				if rc.Share.Num != w.reasons[rc.Reason] || rc.Share.Den != w.rejected {
					t.Fatalf("%s: reason %q %+v, want %d/%d", p.Label, rc.Reason, rc.Share, w.reasons[rc.Reason], w.rejected)
				}
			}
			if len(sv.Rejections) != len(w.reasons) {
				t.Fatalf("%s: %d reasons, want %d", p.Label, len(sv.Rejections), len(w.reasons))
			}
			if sv.SLA.Num != w.slaMet || sv.SLA.Den != w.slaDue || sv.Pending != w.pending || sv.SpeedToLead != w.bands {
				t.Fatalf("%s: SLA %+v pending %d bands %+v, want %d/%d %d %+v", p.Label, sv.SLA, sv.Pending, sv.SpeedToLead, w.slaMet, w.slaDue, w.pending, w.bands)
			}
			// Lead velocity rate against the previous calendar month.
			var prev int64
			if i > 0 {
				if pw := per[got.Periods[i-1].Label]; pw != nil {
					prev = pw.firstMQL
				}
			}
			if o.LeadVelocity.Num != w.firstMQL-prev || o.LeadVelocity.Den != prev || o.LeadVelocity.Defined != (prev != 0) {
				t.Fatalf("%s: LVR %+v, want (%d-%d)/%d", p.Label, o.LeadVelocity, w.firstMQL, prev, prev)
			}
		}
		if seen != len(per) {
			t.Fatalf("report lists %d of the %d periods with data", seen, len(per))
		}
	})
}
