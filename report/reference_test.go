package report_test

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
	"pgregory.net/rapid"
)

// The naive reference: obviously correct and slow. It uses only the time
// package for calendars (time.Date, ISOWeek), replays every lead's events
// to find populations, and sorts every duration for exact quantiles.

type naivePeriod struct {
	Label      string
	Start, End time.Time
	First      map[funnel.Stage]int64
	All        map[funnel.Stage]int64
	Population map[funnel.Stage]int64
	Stays      map[funnel.Stage][]time.Duration
	CohortN    map[report.Pair]int64
	CohortC    map[report.Pair]int64
	L2C        []time.Duration
}

func naiveStart(g report.Granularity, t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	switch g {
	case report.Week:
		wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
		return time.Date(y, m, d-wd, 0, 0, 0, 0, loc)
	case report.Quarter:
		return time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, loc)
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, loc)
}

func naiveNext(g report.Granularity, start time.Time) time.Time {
	y, m, d := start.Date()
	switch g {
	case report.Week:
		return time.Date(y, m, d+7, 0, 0, 0, 0, start.Location())
	case report.Quarter:
		return time.Date(y, m+3, 1, 0, 0, 0, 0, start.Location())
	}
	return time.Date(y, m+1, 1, 0, 0, 0, 0, start.Location())
}

func naiveLabel(g report.Granularity, start time.Time) string {
	switch g {
	case report.Week:
		y, w := start.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case report.Quarter:
		return fmt.Sprintf("%04d-Q%d", start.Year(), (int(start.Month())-1)/3+1)
	}
	return fmt.Sprintf("%04d-%02d", start.Year(), int(start.Month()))
}

func rankOf(s funnel.Stage) int { return slices.Index(testPath, s) }

func naiveReport(g report.Granularity, loc *time.Location, window time.Duration, evs []funnel.Event) []naivePeriod {
	if len(evs) == 0 {
		return nil
	}
	lo, hi := evs[0].At, evs[0].At
	for _, e := range evs {
		if e.At.Before(lo) {
			lo = e.At
		}
		if e.At.After(hi) {
			hi = e.At
		}
	}
	var ps []naivePeriod
	for s := naiveStart(g, lo, loc); !s.After(hi); s = naiveNext(g, s) {
		ps = append(ps, naivePeriod{Label: naiveLabel(g, s), Start: s, End: naiveNext(g, s),
			First: map[funnel.Stage]int64{}, All: map[funnel.Stage]int64{}, Population: map[funnel.Stage]int64{},
			Stays: map[funnel.Stage][]time.Duration{}, CohortN: map[report.Pair]int64{}, CohortC: map[report.Pair]int64{}})
	}
	in := func(t time.Time) *naivePeriod {
		for i := range ps {
			if !t.Before(ps[i].Start) && t.Before(ps[i].End) {
				return &ps[i]
			}
		}
		panic("no period")
	}
	byLead := map[string][]funnel.Event{}
	for _, e := range evs {
		p := in(e.At)
		p.All[e.To]++
		if e.FirstEntry {
			p.First[e.To]++
		}
		if e.From != "" {
			p.Stays[e.From] = append(p.Stays[e.From], e.Stay)
		}
		byLead[e.Lead] = append(byLead[e.Lead], e)
	}
	var pairs []report.Pair
	for i := 0; i+1 < len(testPath); i++ {
		pairs = append(pairs, report.Pair{From: testPath[i], To: testPath[i+1]})
	}
	pairs = append(pairs, report.Pair{From: funnel.MQL, To: funnel.Customer})
	for _, les := range byLead {
		sort.Slice(les, func(i, j int) bool { return les[i].Version < les[j].Version })
		for i := range ps {
			var st funnel.Stage
			for _, e := range les {
				if e.At.Before(ps[i].End) {
					st = e.To
				}
			}
			if st != "" {
				ps[i].Population[st]++
			}
		}
		firstAt := func(ok func(funnel.Stage) bool) (time.Time, bool) {
			var best time.Time
			found := false
			for _, e := range les {
				if ok(e.To) && (!found || e.At.Before(best)) {
					best, found = e.At, true
				}
			}
			return best, found
		}
		// marked says whether an event at time at satisfies mark: the
		// earliest event into a stage is the lead's first entry only when
		// it is marked so (a log that starts later holds a re-entry).
		marked := func(at time.Time, ok func(funnel.Stage) bool, mark func(funnel.Event) bool) bool {
			for _, e := range les {
				if ok(e.To) && e.At.Equal(at) && mark(e) {
					return true
				}
			}
			return false
		}
		isFirst := func(e funnel.Event) bool { return e.FirstEntry }
		for _, pr := range pairs {
			isA := func(s funnel.Stage) bool { return s == pr.From }
			ta, ok := firstAt(isA)
			if !ok || !marked(ta, isA, isFirst) {
				continue
			}
			p := in(ta)
			p.CohortN[pr]++
			tb, ok := firstAt(func(s funnel.Stage) bool { return rankOf(s) >= rankOf(pr.To) })
			lag := tb.Sub(ta)
			if lag < 0 {
				lag = 0
			}
			if ok && (window == 0 || lag <= window) {
				p.CohortC[pr]++
			}
		}
		isWon := func(s funnel.Stage) bool { return s == funnel.Customer }
		anyStage := func(funnel.Stage) bool { return true }
		created, _ := firstAt(anyStage)
		if tw, ok := firstAt(isWon); ok && marked(tw, isWon, isFirst) && marked(created, anyStage, func(e funnel.Event) bool { return e.From == "" }) {
			p := in(tw)
			p.L2C = append(p.L2C, tw.Sub(created))
		}
	}
	return ps
}

func exactQuantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	for i := range s {
		if s[i] < 0 {
			s[i] = 0
		}
	}
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

func within(t *rapid.T, what string, got, want time.Duration) {
	if want == 0 {
		if got != 0 {
			t.Fatalf("%s: got %v, want 0", what, got)
		}
		return
	}
	if rel := math.Abs(float64(got-want)) / float64(want); rel > report.SketchAccuracy+1e-9 {
		t.Fatalf("%s: got %v, want %v (relative error %.4f)", what, got, want, rel)
	}
}

func mean(ds []time.Duration) time.Duration {
	var s int64
	for _, d := range ds {
		s += int64(max(d, 0))
	}
	return time.Duration(s / int64(len(ds)))
}

func checkVelocity(t *rapid.T, what string, v report.Velocity, ds []time.Duration) {
	if v.Count != int64(len(ds)) {
		t.Fatalf("%s: count %d, want %d", what, v.Count, len(ds))
	}
	if len(ds) == 0 {
		return
	}
	if m := mean(ds); v.Mean != m {
		t.Fatalf("%s: mean %v, want %v", what, v.Mean, m)
	}
	within(t, what+" median", v.Median, exactQuantile(ds, 0.5))
	within(t, what+" p90", v.P90, exactQuantile(ds, 0.9))
}

func TestReportMatchesNaiveReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := rapid.SampledFrom([]report.Granularity{report.Week, report.Month, report.Quarter}).Draw(t, "granularity")
		loc := rapid.SampledFrom([]*time.Location{time.UTC, madrid(), newYork()}).Draw(t, "loc")
		window := time.Duration(rapid.SampledFrom([]int{0, 7, 30}).Draw(t, "window_days")) * 24 * time.Hour
		evs := genLog(t, 15)
		evs, partial := maybeCut(t, evs)
		acc, err := report.NewAccumulator(report.Config{Path: testPath, Detours: testDetours, Location: loc, Period: g,
			Window: window, Pairs: []report.Pair{{From: funnel.MQL, To: funnel.Customer}}})
		if err != nil {
			t.Fatal(err)
		}
		// Feed in a shuffled order: the result must not depend on it.
		perm := rapid.Permutation(evs).Draw(t, "order")
		for _, e := range perm {
			if err := acc.AddEvent(e); err != nil {
				t.Fatal(err)
			}
		}
		got := acc.Report()
		want := naiveReport(g, loc, window, evs)
		if len(got.Periods) != len(want) {
			t.Fatalf("periods: got %d, want %d", len(got.Periods), len(want))
		}
		for i, w := range want {
			p := got.Periods[i]
			if p.Label != w.Label || !p.Start.Equal(w.Start) || !p.End.Equal(w.End) {
				t.Fatalf("period %d: got %s [%v, %v), want %s [%v, %v)", i, p.Label, p.Start, p.End, w.Label, w.Start, w.End)
			}
			for _, sf := range p.Stages {
				// Population is entries minus exits: a log that starts
				// later holds exits from stays it has no entry for.
				if sf.FirstEntries != w.First[sf.Stage] || sf.Entries != w.All[sf.Stage] || !partial && sf.Population != w.Population[sf.Stage] {
					t.Fatalf("%s %s: got first %d all %d pop %d, want %d %d %d", w.Label, sf.Stage,
						sf.FirstEntries, sf.Entries, sf.Population, w.First[sf.Stage], w.All[sf.Stage], w.Population[sf.Stage])
				}
				checkVelocity(t, w.Label+" "+string(sf.Stage), sf.TimeInStage, w.Stays[sf.Stage])
			}
			for _, c := range p.Flow {
				if c.Rate.Kind != report.KindFlow || c.Rate.Num != w.All[c.To] || c.Rate.Den != w.All[c.From] {
					t.Fatalf("%s flow %s→%s: got %+v", w.Label, c.From, c.To, c.Rate)
				}
			}
			for _, c := range p.Cohort {
				pr := report.Pair{From: c.From, To: c.To}
				if c.Rate.Kind != report.KindCohort || c.Rate.Num != w.CohortC[pr] || c.Rate.Den != w.CohortN[pr] {
					t.Fatalf("%s cohort %s→%s: got %d/%d, want %d/%d", w.Label, c.From, c.To, c.Rate.Num, c.Rate.Den, w.CohortC[pr], w.CohortN[pr])
				}
				// A cohort is the period's first-time entries into From,
				// however much of the log is missing.
				if c.Rate.Den != w.First[c.From] {
					t.Fatalf("%s cohort %s→%s: %d members, %d first-time entries", w.Label, c.From, c.To, c.Rate.Den, w.First[c.From])
				}
			}
			checkVelocity(t, w.Label+" lead-to-customer", p.LeadToCustomer, w.L2C)
		}
	})
}

func TestMergeAnySplitEqualsOnePass(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		recs := genRecords(t)
		cfg := report.Config{Path: testPath, Detours: testDetours, Location: madrid(), Dimensions: []string{"source"},
			Pairs: []report.Pair{{From: funnel.Lead, To: funnel.Customer}}, Window: 30 * 24 * time.Hour}
		one, err := report.NewAccumulator(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if err := one.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		// Split into pieces, in a random order.
		k := rapid.IntRange(1, 5).Draw(t, "pieces")
		pieces := make([]*report.Accumulator, k)
		for i := range pieces {
			pieces[i], _ = report.NewAccumulator(cfg)
		}
		for _, r := range rapid.Permutation(recs).Draw(t, "order") {
			if err := pieces[rapid.IntRange(0, k-1).Draw(t, "piece")].Add(r); err != nil {
				t.Fatal(err)
			}
		}
		// Merge in a random grouping, some pieces via the binary encoding.
		for len(pieces) > 1 {
			i := rapid.IntRange(0, len(pieces)-1).Draw(t, "i")
			j := rapid.IntRange(0, len(pieces)-2).Draw(t, "j")
			a := pieces[i]
			pieces = slices.Delete(pieces, i, i+1)
			b := pieces[j]
			if rapid.Bool().Draw(t, "travel") {
				data, err := a.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				a, _ = report.NewAccumulator(cfg)
				if err := a.UnmarshalBinary(data); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.Merge(a); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff(one.Report(), pieces[0].Report()); diff != "" {
			t.Fatalf("merged report differs (-one pass +merged):\n%s", diff)
		}
		b1, _ := one.MarshalBinary()
		b2, _ := pieces[0].MarshalBinary()
		if string(b1) != string(b2) {
			t.Fatalf("encodings differ")
		}
	})
}
