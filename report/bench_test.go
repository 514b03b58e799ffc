package report_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

const benchEvents = 1_000_000

var (
	benchOnce sync.Once
	benchLog  []funnel.Event
	benchLoc  *time.Location
)

// syntheticLog returns 1 M events of 125 000 leads (8 events each: entry,
// forward moves, a recycle and a re-entry) over two years in Madrid time,
// in time order, built once per test binary.
func syntheticLog() []funnel.Event {
	benchOnce.Do(func() {
		benchLoc = madrid()
		script := []funnel.Stage{funnel.Subscriber, funnel.Lead, funnel.MQL, funnel.Nurture, funnel.MQL, funnel.SQL, funnel.Opportunity, funnel.Customer}
		leads := benchEvents / len(script)
		ids := make([]string, leads)
		for i := range ids {
			ids[i] = fmt.Sprintf("lead-%06d", i)
		}
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, benchLoc)
		span := 2 * 365 * 24 * time.Hour
		benchLog = make([]funnel.Event, 0, benchEvents)
		// Interleave leads: event k of lead l happens at
		// start + (l + k·leads)·span/(8·leads).
		step := span / time.Duration(benchEvents)
		for k, to := range script {
			for l := range leads {
				e := funnel.Event{Lead: ids[l], Version: uint64(k + 1), At: start.Add(time.Duration(k*leads+l) * step), To: to, FirstEntry: k != 4}
				if k > 0 {
					e.From = script[k-1]
					e.Stay = time.Duration(leads) * step
				}
				benchLog = append(benchLog, e)
			}
		}
	})
	return benchLog
}

// handCounts is what a user would write instead: one pass, the month from
// time.Time.Date in the host's zone, a map from stage to a dense index,
// first-time and all entries per month and stage (the flow rates are then
// ratios of these counts).
type handCounts struct {
	base   int
	first  [][]int64
	all    [][]int64
	stages map[funnel.Stage]int
}

func handLoop(evs []funnel.Event, loc *time.Location) *handCounts {
	h := &handCounts{stages: map[funnel.Stage]int{}}
	for i, s := range allStages {
		h.stages[s] = i
	}
	h.add(evs, loc)
	return h
}

func (h *handCounts) add(evs []funnel.Event, loc *time.Location) {
	for i := range evs {
		e := &evs[i]
		y, m, _ := e.At.In(loc).Date()
		p := y*12 + int(m) - 1
		if h.first == nil {
			h.base = p
		}
		for p-h.base >= len(h.all) {
			h.all = append(h.all, make([]int64, len(allStages)))
			h.first = append(h.first, make([]int64, len(allStages)))
		}
		s := h.stages[e.To]
		h.all[p-h.base][s]++
		if e.FirstEntry {
			h.first[p-h.base][s]++
		}
	}
}

func BenchmarkVolumes(b *testing.B) {
	evs := syntheticLog()
	b.Run("impl=handwritten", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h := handLoop(evs, benchLoc)
			if h.all[0][0] == 0 {
				b.Fatal("no counts")
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchEvents, "ns/event")
	})
	b.Run("impl=accumulator", func(b *testing.B) {
		b.ReportAllocs()
		cfg := report.Config{Path: testPath, Detours: testDetours, Location: benchLoc, NoLeadState: true}
		for b.Loop() {
			acc, _ := report.NewAccumulator(cfg)
			for i := range evs {
				if err := acc.AddEvent(evs[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchEvents, "ns/event")
	})
	b.Run("impl=accumulator_batch", func(b *testing.B) {
		b.ReportAllocs()
		cfg := report.Config{Path: testPath, Detours: testDetours, Location: benchLoc, NoLeadState: true}
		for b.Loop() {
			acc, _ := report.NewAccumulator(cfg)
			if _, err := acc.AddEvents(evs); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchEvents, "ns/event")
	})
	b.Run("impl=accumulator+leads", func(b *testing.B) {
		b.ReportAllocs()
		cfg := report.Config{Path: testPath, Detours: testDetours, Location: benchLoc}
		for b.Loop() {
			acc, _ := report.NewAccumulator(cfg)
			for i := range evs {
				if err := acc.AddEvent(evs[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchEvents, "ns/event")
	})
}

// BenchmarkReport measures building the full report from an accumulator
// that has seen the 1 M events.
func BenchmarkReport(b *testing.B) {
	evs := syntheticLog()
	for _, noLeads := range []bool{true, false} {
		b.Run(fmt.Sprintf("noLeadState=%t", noLeads), func(b *testing.B) {
			acc, _ := report.NewAccumulator(report.Config{Path: testPath, Detours: testDetours, Location: benchLoc, NoLeadState: noLeads})
			for i := range evs {
				_ = acc.AddEvent(evs[i])
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = acc.Report()
			}
		})
	}
}

// TestMemoryPerLead measures the accumulator's heap: flat in events with
// NoLeadState, linear in leads otherwise. Run with -v to see the figures.
func TestMemoryPerLead(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocates ~100 MB; heap figures mean nothing under -race")
	}
	heap := func() uint64 {
		runtime.GC() // twice: sync.Pool victims survive one cycle
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	evs := syntheticLog()
	measureLog := func(evs []funnel.Event, noLeads bool) uint64 {
		before := heap()
		acc, _ := report.NewAccumulator(report.Config{Path: testPath, Detours: testDetours, Location: benchLoc, NoLeadState: noLeads})
		for i := range evs {
			_ = acc.AddEvent(evs[i])
		}
		after := heap()
		runtime.KeepAlive(acc)
		runtime.KeepAlive(evs)
		if after < before {
			return 0
		}
		return after - before
	}
	measure := func(n int, noLeads bool) uint64 { return measureLog(evs[:n], noLeads) }
	// Every 10th event: 100 k events over the same 24 months.
	var sparse []funnel.Event
	for i := 0; i < len(evs); i += 10 {
		sparse = append(sparse, evs[i])
	}
	small, big := measureLog(sparse, true), measure(benchEvents, true)
	t.Logf("NoLeadState: %d bytes after 100 k events, %d bytes after 1 M events (same 24 months)", small, big)
	if big > 2*small {
		t.Errorf("memory grows with events: %d → %d", small, big)
	}
	// All 125 000 leads appear in the first 1/8 of the log.
	l1, l2 := measure(benchEvents/8, false), measure(benchEvents, false)
	leads := uint64(benchEvents / 8)
	t.Logf("with lead state: %d bytes after 125 k events, %d after 1 M (same 125 k leads): %d bytes per lead", l1, l2, l2/leads)
	if l2 > l1+l1/20 {
		t.Errorf("with lead state, memory grows with events for the same leads: %d → %d", l1, l2)
	}
	// A record of 48 + 8×7 bytes, at most 32 bytes of hash table and one
	// partly used chunk (the IDs have 11 bytes: inline).
	if perLead := l2 / leads; perLead > 160 {
		t.Errorf("%d bytes per lead, want at most 160", perLead)
	}
}

// BenchmarkVolumesRatio runs the hand-written loop and the accumulator
// alternately over the same 1 M events, in slices of 100 000, and reports
// accumulator time ÷ hand-written time as the metric "acc/hand". Taking
// both in the same iteration, interleaved, keeps the ratio meaningful on a
// shared, noisy machine where absolute timings drift.
func BenchmarkVolumesRatio(b *testing.B) {
	evs := syntheticLog()
	cfg := report.Config{Path: testPath, Detours: testDetours, Location: benchLoc, NoLeadState: true}
	var hand, acc time.Duration
	for b.Loop() {
		a, _ := report.NewAccumulator(cfg)
		h := &handCounts{stages: map[funnel.Stage]int{}}
		for i, s := range allStages {
			h.stages[s] = i
		}
		for lo := 0; lo < len(evs); lo += 100_000 {
			chunk := evs[lo:min(lo+100_000, len(evs))]
			t0 := time.Now()
			h.add(chunk, benchLoc)
			t1 := time.Now()
			for i := range chunk {
				if err := a.AddEvent(chunk[i]); err != nil {
					b.Fatal(err)
				}
			}
			t2 := time.Now()
			hand += t1.Sub(t0)
			acc += t2.Sub(t1)
		}
	}
	b.ReportMetric(float64(acc)/float64(hand), "acc/hand")
	b.ReportMetric(float64(hand.Nanoseconds())/float64(b.N)/benchEvents, "hand-ns/event")
	b.ReportMetric(float64(acc.Nanoseconds())/float64(b.N)/benchEvents, "acc-ns/event")
}

// BenchmarkBinary measures encoding, decoding and merging an accumulator
// that has seen the 1 M events (125 000 leads), and reports the encoded
// size: what a distributed engine ships between workers.
func BenchmarkBinary(b *testing.B) {
	evs := syntheticLog()
	for _, noLeads := range []bool{true, false} {
		cfg := report.Config{Path: testPath, Detours: testDetours, Location: benchLoc, NoLeadState: noLeads}
		acc, _ := report.NewAccumulator(cfg)
		for i := range evs {
			_ = acc.AddEvent(evs[i])
		}
		data, _ := acc.MarshalBinary()
		b.Run(fmt.Sprintf("op=marshal/noLeadState=%t", noLeads), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = acc.MarshalBinary()
			}
			b.ReportMetric(float64(len(data)), "bytes")
		})
		b.Run(fmt.Sprintf("op=unmarshal/noLeadState=%t", noLeads), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c, _ := report.NewAccumulator(cfg)
				if err := c.UnmarshalBinary(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("op=merge/noLeadState=%t", noLeads), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c, _ := report.NewAccumulator(cfg)
				if err := c.Merge(acc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The lead-state workload of issue 8's KPI benchmark at its scale: a
// million leads, as a host's time-ordered log interleaves them, where
// every event of the full configuration looks up per-lead state that is
// far from the last one touched.
const (
	bigLeads = 1_000_000
	// bigScript: entry, forward moves, a recycle and a re-entry.
	bigRounds = 5
)

var (
	bigOnce  sync.Once
	bigIDs   []string // c00000000 ...: one string per lead, as a host's rows have
	bigP     int      // position j of a round holds lead j·bigP mod bigLeads
	bigPInv  int      // and lead l is at position l·bigPInv mod bigLeads
	bigStart time.Time
	bigStep  time.Duration
)

var bigScript = [bigRounds]funnel.Stage{funnel.Lead, funnel.MQL, funnel.Nurture, funnel.MQL, funnel.SQL}

func bigSetup() {
	bigOnce.Do(func() {
		bigIDs = make([]string, bigLeads)
		for i := range bigIDs {
			bigIDs[i] = fmt.Sprintf("c%08d", i)
		}
		bigP, bigPInv = 999_983, modInverse(999_983, bigLeads)
		bigStart = time.Date(2025, 1, 1, 0, 0, 0, 0, madrid())
		bigStep = 2 * 365 * 24 * time.Hour / (bigRounds * bigLeads)
	})
}

func modInverse(a, m int) int {
	// Extended Euclid: a·x ≡ 1 (mod m).
	t, nt, r, nr := 0, 1, m, a
	for nr != 0 {
		q := r / nr
		t, nt = nt, t-q*nt
		r, nr = nr, r-q*nr
	}
	return (t%m + m) % m
}

// bigEvent returns event k (0-based) of lead l. Round k happens after
// round k−1 for every lead; within a round the leads come in the
// scattered order of bigP.
func bigEvent(l, k int) funnel.Event {
	j := l * bigPInv % bigLeads
	e := funnel.Event{Lead: bigIDs[l], Version: uint64(k + 1), At: bigStart.Add(time.Duration(k*bigLeads+j) * bigStep),
		To: bigScript[k], FirstEntry: k != 3}
	if k > 0 {
		e.From = bigScript[k-1]
		e.Stay = time.Duration(bigLeads) * bigStep
	}
	return e
}

// BenchmarkLeadState adds the 5 M events of a million leads, in time order
// (a host's log) and lead by lead (a pipeline that groups by lead), with
// and without per-lead state, one at a time with AddEvent or, for
// impl=leads_batch, with AddEvents in slices of 256. Events are built
// on the fly (a million leads' worth would not fit a small machine);
// impl=none builds them and adds nothing, the floor to subtract.
func BenchmarkLeadState(b *testing.B) {
	bigSetup()
	for _, order := range []string{"time", "lead"} {
		each := func(f func(funnel.Event)) {
			if order == "time" {
				for k := range bigRounds {
					for j := range bigLeads {
						f(bigEvent(j*bigP%bigLeads, k))
					}
				}
				return
			}
			for l := range bigLeads {
				for k := range bigRounds {
					f(bigEvent(l, k))
				}
			}
		}
		for _, impl := range []string{"none", "nolead", "leads", "leads_batch"} {
			b.Run("order="+order+"/impl="+impl, func(b *testing.B) {
				cfg := report.Config{Path: testPath, Detours: testDetours, Location: bigStart.Location(), NoLeadState: impl == "nolead"}
				b.ReportAllocs()
				var n int
				for b.Loop() {
					n = 0
					if impl == "none" {
						each(func(e funnel.Event) {
							if e.Version > 0 {
								n++
							}
						})
						continue
					}
					acc, _ := report.NewAccumulator(cfg)
					if impl == "leads_batch" {
						buf := make([]funnel.Event, 0, 256)
						flush := func() {
							if _, err := acc.AddEvents(buf); err != nil {
								b.Fatal(err)
							}
							n += len(buf)
							buf = buf[:0]
						}
						each(func(e funnel.Event) {
							if buf = append(buf, e); len(buf) == cap(buf) {
								flush()
							}
						})
						flush()
						continue
					}
					each(func(e funnel.Event) {
						if err := acc.AddEvent(e); err != nil {
							b.Fatal(err)
						}
						n++
					})
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event")
			})
		}
	}
	// The report, encoding and merge of the million leads' accumulator,
	// built once, when one of them runs.
	cfg := report.Config{Path: testPath, Detours: testDetours, Location: bigStart.Location()}
	var acc *report.Accumulator
	full := func(b *testing.B) *report.Accumulator {
		if acc == nil {
			acc, _ = report.NewAccumulator(cfg)
			for k := range bigRounds {
				for l := range bigLeads {
					if err := acc.AddEvent(bigEvent(l, k)); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ResetTimer()
		}
		return acc
	}
	b.Run("op=report", func(b *testing.B) {
		acc := full(b)
		b.ReportAllocs()
		for b.Loop() {
			_ = acc.Report()
		}
	})
	b.Run("op=marshal", func(b *testing.B) {
		acc := full(b)
		b.ReportAllocs()
		var data []byte
		for b.Loop() {
			data, _ = acc.MarshalBinary()
		}
		b.ReportMetric(float64(len(data)), "bytes")
	})
	b.Run("op=merge", func(b *testing.B) {
		acc := full(b)
		b.ReportAllocs()
		for b.Loop() {
			c, _ := report.NewAccumulator(cfg)
			if err := c.Merge(acc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
