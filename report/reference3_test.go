package report_test

import (
	"slices"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
	"pgregory.net/rapid"
)

// TestDimensionsAgingRecycleMatchNaive extends the naive reference of
// reference_test.go to the figures it does not cover: volumes, populations
// and flow per dimension value (a value fixed per lead, sometimes missing,
// and one that changes with every event), aging of open stays, recycle
// rate and yield, opportunities, the lead velocity rate at every
// granularity, and cohort maturity.
func TestDimensionsAgingRecycleMatchNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := rapid.SampledFrom([]report.Granularity{report.Week, report.Month, report.Quarter}).Draw(t, "granularity")
		loc := rapid.SampledFrom([]*time.Location{time.UTC, madrid(), newYork()}).Draw(t, "loc")
		window := time.Duration(rapid.SampledFrom([]int{0, 7, 30}).Draw(t, "window_days")) * 24 * time.Hour
		evs := genLog(t, 12)

		// source is an attribute of the lead ("" = not given); owner
		// changes from event to event.
		source := map[string]string{}
		owner := make([]string, len(evs))
		recs := make([]report.Record, len(evs))
		for i, e := range evs {
			if _, ok := source[e.Lead]; !ok {
				source[e.Lead] = rapid.SampledFrom([]string{"web", "ads", ""}).Draw(t, "source")
			}
			if source[e.Lead] == "" {
				recs[i] = report.EventRecord(e) // both dimensions missing: ""
				continue
			}
			owner[i] = rapid.SampledFrom([]string{"ann", "bo"}).Draw(t, "owner")
			recs[i] = report.EventRecord(e, source[e.Lead], owner[i])
		}
		acc, err := report.NewAccumulator(report.Config{Path: testPath, Detours: testDetours, Location: loc, Period: g,
			Window: window, Dimensions: []string{"source", "owner"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rapid.Permutation(recs).Draw(t, "order") {
			if err := acc.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		got := acc.Report()

		ps := naiveReport(g, loc, window, evs)
		if len(got.Periods) != len(ps) {
			t.Fatalf("periods: got %d, want %d", len(got.Periods), len(ps))
		}
		in := func(ti time.Time) int {
			for i := range ps {
				if !ti.Before(ps[i].Start) && ti.Before(ps[i].End) {
					return i
				}
			}
			t.Fatalf("no period for %v", ti)
			return -1
		}
		asOf := evs[0].At
		byLead := map[string][]funnel.Event{}
		for _, e := range evs {
			if e.At.After(asOf) {
				asOf = e.At
			}
			byLead[e.Lead] = append(byLead[e.Lead], e)
		}
		for _, les := range byLead {
			slices.SortFunc(les, func(a, b funnel.Event) int { return int(a.Version) - int(b.Version) })
		}

		// Per dimension value: entries, first entries and (for source)
		// populations per period and stage.
		type key struct {
			dim, val string
			period   int
			stage    funnel.Stage
		}
		first, all, pop := map[key]int64{}, map[key]int64{}, map[key]int64{}
		vals := map[string]map[string]bool{"source": {}, "owner": {}}
		for i, e := range evs {
			p := in(e.At)
			for _, dv := range [][2]string{{"source", source[e.Lead]}, {"owner", owner[i]}} {
				vals[dv[0]][dv[1]] = true
				all[key{dv[0], dv[1], p, e.To}]++
				if e.FirstEntry {
					first[key{dv[0], dv[1], p, e.To}]++
				}
			}
		}
		for lead, les := range byLead {
			for i := range ps {
				var st funnel.Stage
				for _, e := range les {
					if e.At.Before(ps[i].End) {
						st = e.To
					}
				}
				if st != "" {
					pop[key{"source", source[lead], i, st}]++
				}
			}
		}
		var wantSegs [][2]string
		for _, d := range []string{"source", "owner"} {
			var vs []string
			for v := range vals[d] {
				vs = append(vs, v)
			}
			slices.Sort(vs)
			for _, v := range vs {
				wantSegs = append(wantSegs, [2]string{d, v})
			}
		}
		if len(got.Segments) != len(wantSegs) {
			t.Fatalf("%d segments, want %d (%v)", len(got.Segments), len(wantSegs), wantSegs)
		}
		for si, sg := range got.Segments {
			d, v := wantSegs[si][0], wantSegs[si][1]
			if sg.Dimension != d || sg.Value != v || len(sg.Periods) != len(ps) {
				t.Fatalf("segment %d: %s=%q with %d periods, want %s=%q with %d", si, sg.Dimension, sg.Value, len(sg.Periods), d, v, len(ps))
			}
			for i, sp := range sg.Periods {
				if sp.Label != ps[i].Label {
					t.Fatalf("%s=%s period %d: %s, want %s", d, v, i, sp.Label, ps[i].Label)
				}
				for _, sv := range sp.Stages {
					k := key{d, v, i, sv.Stage}
					if sv.FirstEntries != first[k] || sv.Entries != all[k] || d == "source" && sv.Population != pop[k] {
						t.Fatalf("%s=%s %s %s: first %d all %d pop %d, want %d %d %d", d, v, sp.Label, sv.Stage,
							sv.FirstEntries, sv.Entries, sv.Population, first[k], all[k], pop[k])
					}
				}
				for _, c := range sp.Flow {
					if c.Rate.Kind != report.KindFlow || c.Rate.Num != all[key{d, v, i, c.To}] || c.Rate.Den != all[key{d, v, i, c.From}] {
						t.Fatalf("%s=%s %s flow %s→%s: %+v", d, v, sp.Label, c.From, c.To, c.Rate)
					}
				}
			}
		}

		// Aging: each lead's latest event (by version), AsOf minus its time.
		ages := map[funnel.Stage][]time.Duration{}
		for _, les := range byLead {
			last := les[len(les)-1]
			ages[last.To] = append(ages[last.To], asOf.Sub(last.At))
		}
		var wantAging []funnel.Stage
		for _, s := range allStages {
			if len(ages[s]) > 0 {
				wantAging = append(wantAging, s)
			}
		}
		if len(got.Aging) != len(wantAging) || !got.AsOf.Equal(asOf) {
			t.Fatalf("aging over %d stages as of %v, want %v as of %v", len(got.Aging), got.AsOf, wantAging, asOf)
		}
		for i, a := range got.Aging {
			if a.Stage != wantAging[i] {
				t.Fatalf("aging %d: stage %s, want %s", i, a.Stage, wantAging[i])
			}
			checkVelocity(t, "aging "+string(a.Stage), a.Open, ages[a.Stage])
			if a.Open.Min != slices.Min(ages[a.Stage]) || a.Open.Max != slices.Max(ages[a.Stage]) {
				t.Fatalf("aging %s: min %v max %v", a.Stage, a.Open.Min, a.Open.Max)
			}
		}

		// Recycle rate and yield, opportunities, lead velocity rate.
		for i, p := range got.Periods {
			var recIn, recOut, mqlAll, opps, ql, prevQL int64
			for _, e := range evs {
				if in(e.At) == i-1 && e.To == funnel.MQL && e.FirstEntry {
					prevQL++
				}
				if in(e.At) != i {
					continue
				}
				switch e.To {
				case funnel.Nurture:
					recIn++
				case funnel.MQL:
					mqlAll++
					if e.FirstEntry {
						ql++
					}
				case funnel.Opportunity:
					opps++
				}
				if e.From == funnel.Nurture && rankOf(e.To) >= 0 {
					recOut++
				}
			}
			o := p.Outcomes
			if !sameCounts(o.RecycleRate, report.KindFlow, recIn, mqlAll) || !sameCounts(o.RecycleYield, report.KindFlow, recOut, recIn) {
				t.Fatalf("%s: recycle rate %+v yield %+v, want %d/%d and %d/%d", p.Label, o.RecycleRate, o.RecycleYield, recIn, mqlAll, recOut, recIn)
			}
			if o.Opportunities != opps || o.QualifiedLeads != ql {
				t.Fatalf("%s: opportunities %d QL %d, want %d %d", p.Label, o.Opportunities, o.QualifiedLeads, opps, ql)
			}
			if o.LeadVelocity.Kind != report.KindGrowth || o.LeadVelocity.Num != ql-prevQL || o.LeadVelocity.Den != prevQL || o.LeadVelocity.Defined != (prevQL != 0) {
				t.Fatalf("%s: LVR %+v, want (%d−%d)/%d", p.Label, o.LeadVelocity, ql, prevQL, prevQL)
			}
		}

		// Cohort maturity.
		for i, p := range got.Periods {
			for _, c := range p.Cohort {
				var members, mature int64
				for _, les := range byLead {
					for _, e := range les {
						if e.To == c.From {
							if in(e.At) == i {
								members++
								if window == 0 || !e.At.Add(window).After(asOf) {
									mature++
								}
							}
							break // the first entry (versions follow time)
						}
					}
				}
				if c.Rate.Den != members || c.MatureMembers != mature || c.Mature != !p.End.Add(window).After(asOf) {
					t.Fatalf("%s cohort %s→%s: %d members, %d mature, mature %t; want %d, %d, %t",
						p.Label, c.From, c.To, c.Rate.Den, c.MatureMembers, c.Mature, members, mature, !p.End.Add(window).After(asOf))
				}
			}
		}
	})
}

// sameCounts says whether r has kind k and the exact counts num ÷ den
// (the rounded value is checked by the hand-computed tests).
func sameCounts(r report.Rate, k report.RateKind, num, den int64) bool {
	return r.Kind == k && r.Num == num && r.Den == den && r.Defined == (den != 0)
}
