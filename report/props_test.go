package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
	"pgregory.net/rapid"
)

func TestSketchRelativeError(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// Durations from 0 to ~30 years, log-uniform-ish, plus duplicates.
		vals := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) time.Duration {
			exp := rapid.IntRange(0, 60).Draw(t, "exp")
			return time.Duration(rapid.Int64Range(0, 1<<exp-1).Draw(t, "v") & math.MaxInt64 >> 2)
		}), 1, 400).Draw(t, "vals")
		// Split over two sketches and merge: merging is exact.
		var a, b report.Sketch
		for i, v := range vals {
			if i%3 == 0 {
				a.Add(v)
			} else {
				b.Add(v)
			}
		}
		a.Merge(&b)
		sorted := slices.Clone(vals)
		slices.Sort(sorted)
		if a.Count() != int64(len(vals)) || a.Min() != sorted[0] || a.Max() != sorted[len(sorted)-1] {
			t.Fatalf("count/min/max: %d %v %v", a.Count(), a.Min(), a.Max())
		}
		for _, q := range []float64{0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1} {
			want := sorted[int(q*float64(len(sorted)-1))]
			got := a.Quantile(q)
			if want == 0 {
				if got != 0 {
					t.Fatalf("q=%v: got %v, want 0", q, got)
				}
				continue
			}
			// 1 % relative, plus half a nanosecond of rounding.
			if err := math.Abs(float64(got - want)); err > report.SketchAccuracy*float64(want)+0.5 {
				t.Fatalf("q=%v: got %v, want %v (error %.5f)", q, got, want, err/float64(want))
			}
		}
	})
}

func TestSketchMemoryIsBounded(t *testing.T) {
	var s report.Sketch
	for i := range 1_000_000 {
		s.Add(time.Duration(i%100_000) * time.Minute)
	}
	if b := s.Bytes(); b > 64+8*4096 {
		t.Fatalf("sketch holds %d bytes", b)
	}
}

func TestAttributionSumsToAmount(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		amount := decimal.New(rapid.Int64Range(-1e12, 1e12).Draw(t, "coef"), -int32(rapid.IntRange(0, 6).Draw(t, "places")))
		close := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
		n := rapid.IntRange(0, 12).Draw(t, "n")
		var ts []report.Touch
		for range n {
			ts = append(ts, report.Touch{
				At:        close.Add(-time.Duration(rapid.IntRange(0, 90*24).Draw(t, "h")) * time.Hour),
				Channel:   rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "ch"),
				Milestone: rapid.SampledFrom([]report.Milestone{"", report.MilestoneLead, report.MilestoneOpportunity}).Draw(t, "ms"),
			})
		}
		for _, m := range report.AttributionModels() {
			cs := report.Attribute(m, amount, close, 7*24*time.Hour, ts)
			if len(cs) != n {
				t.Fatalf("%s: %d credits for %d touches", m, len(cs), n)
			}
			if n == 0 {
				continue
			}
			sum := decimal.Zero
			for _, c := range cs {
				sum = sum.Add(c)
				if amount.Sign() >= 0 && c.IsNegative() || amount.Sign() < 0 && c.IsPositive() {
					t.Fatalf("%s: credit %s has the wrong sign for %s", m, c, amount)
				}
			}
			if !sum.Equal(amount) {
				t.Fatalf("%s: credits %v sum to %s, want %s", m, cs, sum, amount)
			}
		}
	})
}

func TestAttributionShares(t *testing.T) {
	close := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ts := []report.Touch{
		{At: close.Add(-20 * day), Channel: "a"},
		{At: close.Add(-15 * day), Channel: "b", Milestone: report.MilestoneLead},
		{At: close.Add(-10 * day), Channel: "c"},
		{At: close.Add(-5 * day), Channel: "d", Milestone: report.MilestoneOpportunity},
		{At: close.Add(-1 * day), Channel: "e"},
	}
	for _, tc := range []struct {
		m    report.AttributionModel
		want []string
	}{
		{report.FirstTouch, []string{"100", "0", "0", "0", "0"}},
		{report.LastTouch, []string{"0", "0", "0", "0", "100"}},
		{report.Linear, []string{"20", "20", "20", "20", "20"}},
		// first 40, lead-creation (b) 40, the other three share 20.
		{report.UShaped, []string{"40", "40", "6.67", "6.67", "6.66"}},
		// first, lead-creation (b), opportunity (d) 30 each; c and e 5 each.
		{report.WShaped, []string{"30", "30", "5", "30", "5"}},
		// 2, 2, 1, 0, 0 half-lives of 7 days: weights 1, 1, 2, 4, 4 of 12.
		// 10000 cents: 833 r4, 833 r4, 1666 r8, 3333 r4, 3333 r4; the two
		// cents left go to the largest remainder (c), then the earliest tie (a).
		{report.TimeDecay, []string{"8.34", "8.33", "16.67", "33.33", "33.33"}},
	} {
		got := report.Attribute(tc.m, decimal.NewFromInt(100), close, 7*day, ts)
		for i, w := range tc.want {
			if !got[i].Equal(decimal.RequireFromString(w)) {
				t.Errorf("%s: credits %v, want %v", tc.m, got, tc.want)
				break
			}
		}
	}
}

// Credit i belongs to touches[i] whatever the order of the slice: the
// credits of a shuffled slice are those of the sorted one, permuted alike.
// (Before, they followed the sorted order and a caller could not tell
// which touch earned which credit.)
func TestAttributionFollowsTouchOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		close := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
		n := rapid.IntRange(1, 10).Draw(t, "n")
		ts := make([]report.Touch, n)
		for i := range ts {
			ts[i] = report.Touch{
				At:        close.Add(-time.Duration(rapid.IntRange(0, 30).Draw(t, "d")) * 24 * time.Hour),
				Channel:   rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "ch"),
				Milestone: rapid.SampledFrom([]report.Milestone{"", report.MilestoneLead, report.MilestoneOpportunity}).Draw(t, "ms"),
			}
		}
		perm := rapid.Permutation(func() []int {
			p := make([]int, n)
			for i := range p {
				p[i] = i
			}
			return p
		}()).Draw(t, "perm")
		shuffled := make([]report.Touch, n)
		for i, j := range perm {
			shuffled[i] = ts[j]
		}
		amount := decimal.New(rapid.Int64Range(0, 1e9).Draw(t, "cents"), -2)
		for _, m := range report.AttributionModels() {
			want := report.Attribute(m, amount, close, 7*24*time.Hour, ts)
			got := report.Attribute(m, amount, close, 7*24*time.Hour, shuffled)
			for i, j := range perm {
				// Touches equal in time, channel and milestone are
				// interchangeable: compare them as a multiset below.
				if !got[i].Equal(want[j]) && !interchangeable(ts, j) {
					t.Fatalf("%s: credit of shuffled[%d] = %s, of the same touch unshuffled %s", m, i, got[i], want[j])
				}
			}
		}
	})
}

// interchangeable reports whether ts[j] has a twin equal in time, channel
// and milestone, whose credits may then be swapped by the remainder rule.
func interchangeable(ts []report.Touch, j int) bool {
	for i, t := range ts {
		if i != j && t.At.Equal(ts[j].At) && t.Channel == ts[j].Channel && t.Milestone == ts[j].Milestone {
			return true
		}
	}
	return false
}

// A touch's credit follows it to its position in the slice: the first
// touch by time gets first-touch credit wherever it stands.
func TestAttributionCreditMatchesTouch(t *testing.T) {
	close := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	ts := []report.Touch{
		{At: close.Add(-24 * time.Hour), Channel: "search"},
		{At: close.Add(-20 * 24 * time.Hour), Channel: "webinar"},
	}
	got := report.Attribute(report.FirstTouch, decimal.NewFromInt(100), close, 0, ts)
	if !got[0].IsZero() || !got[1].Equal(decimal.NewFromInt(100)) {
		t.Errorf("first touch over [search −1d, webinar −20d] = %v, want [0 100]", got)
	}
}

func TestBinaryRejectsGarbage(t *testing.T) {
	cfg := smallConfig()
	acc, _ := report.NewAccumulator(cfg)
	for _, r := range smallLog() {
		_ = acc.Add(r)
	}
	data, err := acc.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	// Every truncation and every single-byte corruption either decodes or
	// fails with ErrEncoding/ErrConfig; never panics.
	for i := range data {
		b, _ := report.NewAccumulator(cfg)
		if err := b.UnmarshalBinary(data[:i]); err == nil {
			t.Fatalf("truncation at %d decoded", i)
		} else if !errors.Is(err, report.ErrEncoding) && !errors.Is(err, report.ErrConfig) {
			t.Fatalf("truncation at %d: %v", i, err)
		}
		c := slices.Clone(data)
		c[i] ^= 0xff
		_ = b.UnmarshalBinary(c)
		_ = b.Report()
	}
	// Another configuration is refused.
	other := cfg
	other.Period = report.Week
	o, _ := report.NewAccumulator(other)
	if err := o.UnmarshalBinary(data); !errors.Is(err, report.ErrConfig) {
		t.Fatalf("other config: %v", err)
	}
	if err := o.Merge(acc); !errors.Is(err, report.ErrConfig) {
		t.Fatalf("merge other config: %v", err)
	}
}

func TestZeroAccumulatorAndErrors(t *testing.T) {
	var z report.Accumulator
	if err := z.Add(report.Record{}); !errors.Is(err, report.ErrConfig) {
		t.Errorf("zero Add: %v", err)
	}
	if _, err := z.MarshalBinary(); !errors.Is(err, report.ErrConfig) {
		t.Errorf("zero Marshal: %v", err)
	}
	if r := z.Report(); r.Schema != "" {
		t.Errorf("zero Report: %+v", r)
	}
	if _, err := report.NewAccumulator(report.Config{Period: "day", Window: -1}); !errors.Is(err, report.ErrConfig) {
		t.Errorf("bad config: %v", err)
	}
	acc, _ := report.NewAccumulator(report.Config{Path: testPath})
	for _, r := range []report.Record{{}, {Kind: report.KindEvent}, report.EventRecord(evAt("nope", day(3, 1))),
		report.TouchRecord(report.Touch{}), report.DecisionRecord(report.Decision{}),
		report.DealRecord(report.Deal{ClosedAt: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)}),
		report.ResponseRecord(report.Response{}),
		report.ResponseRecord(report.Response{ActionAt: day(3, 1), Deadline: day(3, 2)}), // no key
		report.ResponseRecord(report.Response{Lead: "x", TouchedAt: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)})} {
		if err := acc.Add(r); !errors.Is(err, report.ErrRecord) {
			t.Errorf("Add(%+v): %v", r, err)
		}
	}
	// A refused record changes nothing.
	empty, _ := report.NewAccumulator(report.Config{Path: testPath})
	got, _ := acc.MarshalBinary()
	want, _ := empty.MarshalBinary()
	if !bytes.Equal(got, want) {
		t.Errorf("refused records changed the accumulator")
	}
}

// AddEvents is AddEvent for each event in turn: the same report and the
// same bytes, whatever batches the log comes in, with logs of up to 60
// leads so that lookups run in several groups; merging two such
// accumulators (which also looks leads up in groups) equals one pass.
func TestAddEventsEqualsAddEvent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		evs := genLog(t, 60)
		cfg := report.Config{Path: testPath, Detours: testDetours, Location: madrid(), Window: 7 * 24 * time.Hour,
			NoLeadState: rapid.IntRange(0, 4).Draw(t, "no_lead_state") == 0}
		one, _ := report.NewAccumulator(cfg)
		for _, e := range evs {
			if err := one.AddEvent(e); err != nil {
				t.Fatal(err)
			}
		}
		a, _ := report.NewAccumulator(cfg)
		b, _ := report.NewAccumulator(cfg)
		for rest := evs; len(rest) > 0; {
			n := rapid.IntRange(1, len(rest)).Draw(t, "batch")
			to := a
			if rapid.Bool().Draw(t, "to_b") {
				to = b
			}
			if _, err := to.AddEvents(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := a.Merge(b); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(one.Report(), a.Report()); diff != "" {
			t.Fatalf("AddEvents and Merge differ from AddEvent (-one +batches):\n%s", diff)
		}
		b1, _ := one.MarshalBinary()
		b2, _ := a.MarshalBinary()
		if !bytes.Equal(b1, b2) {
			t.Fatal("encodings differ")
		}
	})
}

// A malformed event in a batch: AddEvents adds the events before it (in
// the same group of lookups or an earlier one), names its index, and
// adds neither it nor the events after it.
func TestAddEventsStopsAtMalformed(t *testing.T) {
	var log []funnel.Event
	for i := range 40 {
		log = append(log, funnel.Event{Lead: fmt.Sprint("L", i), Version: 1, At: day(3, 1+i%28), To: funnel.MQL, FirstEntry: true})
	}
	for _, at := range []int{0, 2, 15, 16, 17, 39} {
		for _, bad := range []funnel.Event{evAt("nope", day(3, 2)), {Lead: "y", Version: 1, To: funnel.MQL},
			{Lead: "y", Version: 2, At: day(3, 3), From: "nope", To: funnel.MQL}} {
			evs := slices.Clone(log)
			evs[at] = bad
			acc, _ := report.NewAccumulator(report.Config{Path: testPath})
			n, err := acc.AddEvents(evs)
			if n != at || !errors.Is(err, report.ErrRecord) || !strings.Contains(err.Error(), fmt.Sprintf("events[%d]", at)) {
				t.Fatalf("bad event at %d: AddEvents = %d, %v; want %d and ErrRecord naming events[%d]", at, n, err, at, at)
			}
			want, _ := report.NewAccumulator(report.Config{Path: testPath})
			for _, e := range evs[:at] {
				_ = want.AddEvent(e)
			}
			b1, _ := acc.MarshalBinary()
			b2, _ := want.MarshalBinary()
			if !bytes.Equal(b1, b2) {
				t.Fatalf("bad event at %d: the accumulator does not hold exactly the events before it", at)
			}
		}
	}
	var z report.Accumulator
	if _, err := z.AddEvents(log); !errors.Is(err, report.ErrConfig) {
		t.Errorf("zero AddEvents: %v", err)
	}
	acc, _ := report.NewAccumulator(report.Config{Path: testPath})
	if n, err := acc.AddEvents(nil); n != 0 || err != nil {
		t.Errorf("AddEvents(nil) = %d, %v", n, err)
	}
	if n, err := acc.AddEvents(log); n != len(log) || err != nil {
		t.Errorf("AddEvents(log) = %d, %v", n, err)
	}
}

// Memory does not grow with events: once its leads and periods have been
// seen, adding a log again (AddEvent one by one, or AddEvents) allocates
// nothing at all, with and without lead state and with a dimension. (The
// heap figures per lead are in TestMemoryPerLead, which -race skips.)
func TestAddingSeenEventsAllocatesNothing(t *testing.T) {
	var evs []funnel.Event
	script := []funnel.Stage{funnel.Lead, funnel.MQL, funnel.Nurture, funnel.MQL, funnel.SQL}
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, madrid())
	for l := range 300 {
		id := fmt.Sprintf("lead-%04d-%s", l, strings.Repeat("x", l%25)) // some IDs longer than 16 bytes
		for k, to := range script {
			e := funnel.Event{Lead: id, Version: uint64(k + 1), At: start.Add(time.Duration(l*97+k*24*31) * time.Hour), To: to, FirstEntry: k != 3}
			if k > 0 {
				e.From, e.Stay = script[k-1], 31*24*time.Hour
			}
			evs = append(evs, e)
		}
	}
	for _, noLeads := range []bool{false, true} {
		acc, _ := report.NewAccumulator(report.Config{Path: testPath, Detours: testDetours, Location: madrid(), NoLeadState: noLeads, Dimensions: []string{"source"}})
		for _, e := range evs {
			if err := acc.AddEvent(e, "web"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := acc.AddEvents(evs); err != nil { // dimension value "": a new segment, once
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(3, func() {
			for i := range evs {
				_ = acc.AddEvent(evs[i], "web")
			}
			_, _ = acc.AddEvents(evs)
		}); n != 0 {
			t.Errorf("NoLeadState %t: adding %d seen events allocates %v times", noLeads, 2*len(evs), n)
		}
	}
}

// TestScorecardVerdictsAreFinal: a scorecard verdict on an immature cohort
// that is not pending is final: once the period has ended, members only
// convert, and no number of further conversions changes it; and a pending
// one is not final: converting every member would change it. A running
// period's immature cohort is always pending, a mature one never.
func TestScorecardVerdictsAreFinal(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	status := func(num, den int64, g report.Goal, mature bool, asOf time.Time) report.Score {
		rate := report.Rate{Kind: report.KindCohort, Num: num, Den: den, Defined: true,
			Value: decimal.NewFromInt(num).DivRound(decimal.NewFromInt(den), report.RatePlaces)}
		p := report.Period{Label: "2026-03", Start: start, End: end,
			Cohort: []report.CohortConversion{{From: funnel.MQL, To: funnel.SQL, Rate: rate, Mature: mature}}}
		sc := report.NewScorecard(report.Report{AsOf: asOf, Periods: []report.Period{p}}, []report.Goal{g})
		return sc.Lines[0]
	}
	rapid.Check(t, func(t *rapid.T) {
		den := rapid.Int64Range(1, 500).Draw(t, "den")
		num := rapid.Int64Range(0, den).Draw(t, "num")
		g := report.Goal{Metric: "cohort:mql:sql", AtMost: rapid.Bool().Draw(t, "atMost"),
			Target: decimal.New(rapid.Int64Range(0, 10_000).Draw(t, "target"), -4)}
		if rapid.Bool().Draw(t, "customRisk") {
			g.AtRisk = decimal.New(rapid.Int64Range(1, 100).Draw(t, "risk"), -2)
		}
		mature := rapid.Bool().Draw(t, "mature")
		ended := rapid.Bool().Draw(t, "ended")
		asOf := start.Add(time.Duration(rapid.Int64Range(0, int64(end.Sub(start))-1).Draw(t, "into")))
		if ended {
			asOf = end.Add(time.Duration(rapid.Int64Range(0, int64(90*24*time.Hour)).Draw(t, "after")))
		}
		s := status(num, den, g, mature, asOf)
		if s.Immature == mature {
			t.Fatalf("immature %v for a cohort with mature %v", s.Immature, mature)
		}
		switch {
		case mature && s.Status == report.Pending:
			t.Fatalf("a mature cohort's line is pending: %+v", s)
		case !mature && !ended && s.Status != report.Pending:
			t.Fatalf("a running period's immature cohort has the verdict %s", s.Status)
		case !mature && ended && s.Status != report.Pending:
			later := rapid.Int64Range(num, den).Draw(t, "later")
			if l := status(later, den, g, false, asOf); l.Status != s.Status {
				t.Fatalf("%d of %d converted: %s; after %d: %s (goal %+v)", num, den, s.Status, later, l.Status, g)
			}
		case !mature && ended:
			// Pending only when more conversions could turn the verdict.
			if now, all := status(num, den, g, true, asOf), status(den, den, g, true, asOf); now.Status == all.Status {
				t.Fatalf("pending, yet %d of %d and all %d give %s (goal %+v)", num, den, den, now.Status, g)
			}
		}
	})
}
