package report_test

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
	"pgregory.net/rapid"
)

var (
	testPath    = []funnel.Stage{funnel.Subscriber, funnel.Lead, funnel.MQL, funnel.SQL, funnel.Opportunity, funnel.Customer, funnel.Evangelist}
	testDetours = []funnel.Stage{funnel.Nurture, funnel.Disqualified, funnel.Lost}
	allStages   = append(append([]funnel.Stage{}, testPath...), testDetours...)
)

func madrid() *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		panic(err)
	}
	return loc
}

func newYork() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return loc
}

// genLog draws a consistent event log: leads moving through the funnel
// with skips, backward moves, detours, returns and re-entries, at times
// spread over months that cross daylight-saving changes (the first moves
// cluster around the DST weekends of 2026 in Europe and the US).
func genLog(t *rapid.T, maxLeads int) []funnel.Event {
	nLeads := rapid.IntRange(1, maxLeads).Draw(t, "leads")
	var out []funnel.Event
	base := time.Date(2026, 3, 28, 22, 0, 0, 0, time.UTC) // around EU DST start
	ids := genLeadIDs(t, nLeads)
	for l := range nLeads {
		id := ids[l]
		at := base.Add(time.Duration(rapid.Int64Range(-40*24, 240*24).Draw(t, "start_h")) * time.Hour).
			Add(time.Duration(rapid.IntRange(0, 3599).Draw(t, "start_s")) * time.Second)
		steps := rapid.IntRange(1, 8).Draw(t, "steps")
		cur := funnel.Stage("")
		var since time.Time
		seen := map[funnel.Stage]bool{}
		for v := 1; v <= steps; v++ {
			var to funnel.Stage
			if cur == "" {
				to = rapid.SampledFrom(testPath[:3]).Draw(t, "entry")
			} else {
				to = rapid.SampledFrom(allStages).Draw(t, "to")
				if to == cur {
					continue
				}
			}
			e := funnel.Event{ID: fmt.Sprintf("%s-%d", id, v), Lead: id, Model: "m", Version: uint64(len(seenVersions(out, id)) + 1),
				At: at, From: cur, To: to, Kind: funnel.MoveForward, FirstEntry: !seen[to]}
			if cur != "" {
				e.Stay = at.Sub(since)
			} else {
				e.Kind = funnel.MoveEntry
			}
			out = append(out, e)
			seen[to] = true
			cur, since = to, at
			at = at.Add(time.Duration(rapid.Int64Range(0, 45*24*3600).Draw(t, "gap_s")) * time.Second)
		}
	}
	return out
}

// genLeadIDs draws n distinct lead IDs: L000, L001, ... or, half the
// time, IDs of 1 to 40 characters over a tiny alphabet (zero bytes included),
// so that some are prefixes of others and some are longer than 16 bytes.
func genLeadIDs(t *rapid.T, n int) []string {
	ids := make([]string, n)
	if rapid.Bool().Draw(t, "plain_ids") {
		for l := range ids {
			ids[l] = fmt.Sprintf("L%03d", l)
		}
		return ids
	}
	seen := map[string]bool{}
	for l := range ids {
		id := rapid.StringOfN(rapid.RuneFrom([]rune{'a', 'b', 0, 'é'}), 1, 40, -1).Draw(t, "id")
		for seen[id] {
			id += "b"
		}
		seen[id] = true
		ids[l] = id
	}
	return ids
}

func seenVersions(evs []funnel.Event, lead string) []funnel.Event {
	var out []funnel.Event
	for _, e := range evs {
		if e.Lead == lead {
			out = append(out, e)
		}
	}
	return out
}

// genRecords draws a full log: events plus deals, touches, responses and
// decisions on the same leads.
// maybeCut returns, half the time, the log without the events before a
// drawn cut (an export of this year only), and whether it cut.
func maybeCut(t *rapid.T, evs []funnel.Event) ([]funnel.Event, bool) {
	if !rapid.Bool().Draw(t, "partial") {
		return evs, false
	}
	cut := evs[rapid.IntRange(0, len(evs)-1).Draw(t, "cut")].At
	return slices.DeleteFunc(evs, func(e funnel.Event) bool { return e.At.Before(cut) }), true
}

func genRecords(t *rapid.T) []report.Record {
	evs, _ := maybeCut(t, genLog(t, 12))
	var recs []report.Record
	leads := map[string]bool{}
	for _, e := range evs {
		recs = append(recs, report.EventRecord(e, rapid.SampledFrom([]string{"web", "ads", "event"}).Draw(t, "src")))
		leads[e.Lead] = true
	}
	channels := []string{"email", "webinar", "search", "social"}
	reasons := []string{"no_budget", "bad_timing", "not_icp", ""}
	crits := []string{"title", "size", "visits"}
	base := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	tm := func(label string) time.Time {
		return base.Add(time.Duration(rapid.Int64Range(-30*24*60, 200*24*60).Draw(t, label)) * time.Minute)
	}
	for l := range leads {
		for range rapid.IntRange(0, 4).Draw(t, "touches") {
			recs = append(recs, report.TouchRecord(report.Touch{Lead: l, At: tm("touch"), Channel: rapid.SampledFrom(channels).Draw(t, "ch"),
				Milestone: rapid.SampledFrom([]report.Milestone{"", "", report.MilestoneLead, report.MilestoneOpportunity}).Draw(t, "ms")}))
		}
		if rapid.Bool().Draw(t, "deal") {
			closed := tm("closed")
			recs = append(recs, report.DealRecord(report.Deal{ID: "D" + l, Lead: l,
				Amount:    decimal.New(rapid.Int64Range(0, 10_000_000).Draw(t, "amount"), -int32(rapid.IntRange(0, 3).Draw(t, "exp"))),
				CreatedAt: closed.Add(-time.Duration(rapid.IntRange(0, 90).Draw(t, "cycle_d")) * 24 * time.Hour),
				ClosedAt:  closed, Won: rapid.Bool().Draw(t, "won"),
				Origin: rapid.SampledFrom([]report.Origin{report.OriginMarketing, report.OriginSales, ""}).Draw(t, "origin")}))
		}
		if rapid.Bool().Draw(t, "handoff") {
			act := tm("action")
			r := report.Response{Lead: l, Rep: "rep1", ActionAt: act, AssignedAt: act.Add(time.Minute), Deadline: act.Add(time.Hour)}
			touch := report.Response{Lead: l, TouchedAt: act.Add(time.Duration(rapid.IntRange(0, 180).Draw(t, "touch_m")) * time.Minute)}
			recs = append(recs, report.ResponseRecord(r))
			if rapid.Bool().Draw(t, "touched") {
				recs = append(recs, report.ResponseRecord(touch))
			}
			d := report.Decision{Lead: l, At: act.Add(2 * time.Hour), Accepted: rapid.Bool().Draw(t, "accepted")}
			if !d.Accepted {
				d.Reason = rapid.SampledFrom(reasons).Draw(t, "reason")
			}
			d.Criteria = rapid.SliceOfDistinct(rapid.SampledFrom(crits), func(s string) string { return s }).Draw(t, "crits")
			recs = append(recs, report.DecisionRecord(d))
		}
	}
	return recs
}

func evAt(to string, at time.Time) funnel.Event {
	return funnel.Event{Lead: "x", Version: 1, At: at, To: funnel.Stage(to), FirstEntry: true}
}
