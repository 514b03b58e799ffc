package bench_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/smarketing/smarketing/bench"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/scoring"
)

// Benchmarks of smarketing against what users would pick instead, on
// identical workloads. Run them with bench/run.sh, which also writes
// BENCHMARKS.md; no test here asserts a timing.

var (
	sinkState funnel.State
	sinkEvent funnel.Event
	sinkInt   int64
	sinkRes   scoring.Result
	sinkFig   bench.Figures
)

// BenchmarkMove moves a contact round the cycle of [bench.Cycle], one move
// an operation, one second apart, in steady state.
func BenchmarkMove(b *testing.B) {
	m := funnel.Default()
	s0, moves, err := bench.Cycle(m)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	names := make([]string, len(moves))
	triggers := make([]any, len(moves))
	for i, mv := range moves {
		names[i] = bench.Trigger(mv.To)
		triggers[i] = names[i]
	}
	b.Run("impl=funnel", func(b *testing.B) {
		s := s0.Clone()
		at := bench.CycleStart
		k := 0
		b.ReportAllocs()
		for b.Loop() {
			mv := moves[k]
			mv.At = at
			s, sinkEvent, err = m.Apply(s, mv)
			if err != nil {
				b.Fatal(err)
			}
			at = at.Add(time.Second)
			if k++; k == len(moves) {
				k = 0
			}
		}
		sinkState = s
	})
	b.Run("impl=funnel_applyto", func(b *testing.B) {
		s := s0.Clone()
		at := bench.CycleStart
		k := 0
		var ev funnel.Event
		b.ReportAllocs()
		for b.Loop() {
			mv := &moves[k]
			mv.At = at
			if err := m.ApplyTo(&s, mv, &ev); err != nil {
				b.Fatal(err)
			}
			at = at.Add(time.Second)
			if k++; k == len(moves) {
				k = 0
			}
		}
		sinkState, sinkEvent = s, ev
	})
	b.Run("impl=looplab_fsm", func(b *testing.B) {
		f := bench.NewLooplab(m)
		k := 0
		b.ReportAllocs()
		for b.Loop() {
			if err := f.Event(ctx, names[k]); err != nil {
				b.Fatal(err)
			}
			if k++; k == len(moves) {
				k = 0
			}
		}
	})
	for _, v := range []struct {
		name      string
		immediate bool
	}{{"impl=stateless", true}, {"impl=stateless_queued", false}} {
		b.Run(v.name, func(b *testing.B) {
			sm := bench.NewStateless(m, v.immediate)
			k := 0
			b.ReportAllocs()
			for b.Loop() {
				if err := sm.FireCtx(ctx, triggers[k]); err != nil {
					b.Fatal(err)
				}
				if k++; k == len(moves) {
					k = 0
				}
			}
		})
	}
	b.Run("impl=map_floor", func(b *testing.B) {
		f := bench.NewMapFloor(m)
		k := 0
		b.ReportAllocs()
		for b.Loop() {
			if err := f.Move(&moves[k]); err != nil {
				b.Fatal(err)
			}
			if k++; k == len(moves) {
				k = 0
			}
		}
	})
}

// BenchmarkScore scores the reference lead (12 attributes, 50 activities)
// with the reference model, one lead an operation.
func BenchmarkScore(b *testing.B) {
	lead := bench.NewLead(50)
	now := bench.ScoreNow
	b.Run("impl=scoring", func(b *testing.B) {
		m, err := scoring.New(bench.ReferenceSpec(), bench.LeadSource())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if sinkRes, err = m.Score(lead, now, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=scoring_into", func(b *testing.B) {
		m, err := scoring.New(bench.ReferenceSpec(), bench.LeadSource())
		if err != nil {
			b.Fatal(err)
		}
		var r scoring.Result
		b.ReportAllocs()
		for b.Loop() {
			if err := m.ScoreInto(&r, lead, now, nil); err != nil {
				b.Fatal(err)
			}
		}
		sinkRes = r
	})
	b.Run("impl=expr", func(b *testing.B) {
		e, err := bench.NewExpr()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			f, i, err := e.Score(lead, now)
			if err != nil {
				b.Fatal(err)
			}
			sinkInt = f + i
		}
	})
	b.Run("impl=cel_go", func(b *testing.B) {
		c, err := bench.NewCEL()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			f, i, err := c.Score(lead, now)
			if err != nil {
				b.Fatal(err)
			}
			sinkInt = f + i
		}
	})
	b.Run("impl=handwritten", func(b *testing.B) {
		h := bench.NewHand()
		b.ReportAllocs()
		for b.Loop() {
			f, i := h.Score(lead, now)
			sinkInt = f + i
		}
	})
}

// benchEvents is the size of the KPI log: $BENCH_EVENTS, 20,000 unless
// set (bench/run.sh sets 10,000,000). Contacts are a tenth of it.
func benchEvents(b *testing.B) int {
	n := 20_000
	if s := os.Getenv("BENCH_EVENTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 10 {
			b.Fatalf("BENCH_EVENTS=%q: want a whole number ≥ 10", s)
		}
		n = v
	}
	return n
}

var kpiData struct {
	sync.Mutex
	events int
	log    []funnel.Event         // in time order
	byLead []funnel.Event         // the same events, contact by contact
	db     map[bool]*bench.SQLite // by tuned
}

// kpiLog generates the KPI log once per process, in time order and
// contact by contact.
func kpiLog(b *testing.B) (timeOrdered, byLead []funnel.Event) {
	kpiData.Lock()
	defer kpiData.Unlock()
	n := benchEvents(b)
	if kpiData.log == nil || kpiData.events != n {
		log, _, err := bench.NewGen(funnel.Default(), 1).Log(max(n/10, 1), n)
		if err != nil {
			b.Fatal(err)
		}
		kpiData.log, kpiData.byLead, kpiData.events = bench.TimeOrdered(log), log, n
	}
	return kpiData.log, kpiData.byLead
}

// kpiDB loads the KPI log into SQLite (plain or tuned) once per process.
func kpiDB(b *testing.B, log []funnel.Event, tuned bool) *bench.SQLite {
	kpiData.Lock()
	defer kpiData.Unlock()
	if kpiData.db[tuned] == nil {
		start := time.Now()
		open := bench.OpenSQLite
		if tuned {
			open = bench.OpenSQLiteTuned
		}
		db, err := open()
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Load(log); err != nil {
			b.Fatal(err)
		}
		if kpiData.db == nil {
			kpiData.db = map[bool]*bench.SQLite{}
		}
		kpiData.db[tuned] = db
		b.Logf("loaded %d events into SQLite (tuned %v) in %v (not timed)", len(log), tuned, time.Since(start).Round(time.Millisecond))
	}
	return kpiData.db[tuned]
}

// BenchmarkKPI computes the workload's figures over the whole log (in
// time order, as a host appends it), one log an operation: package report (full configuration, and with
// NoLeadState), a hand-written single pass, and SQLite GROUP BY queries
// over the log loaded beforehand (query time only), plain and tuned (a
// stored month column and covering indexes). report_by_lead is the
// full report over the same events ordered contact by contact (as a
// pipeline that groups by lead feeds it).
func BenchmarkKPI(b *testing.B) {
	log, byLead := kpiLog(b)
	perEvent := func(b *testing.B) {
		b.ReportMetric(float64(len(log))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	}
	name := fmt.Sprintf("events=%d/impl=", len(log))
	for _, v := range []struct {
		impl   string
		noLead bool
		log    []funnel.Event
	}{{"report", false, log}, {"report_nolead", true, log}, {"report_by_lead", false, byLead}} {
		b.Run(name+v.impl, func(b *testing.B) {
			cfg := bench.ReportConfig(v.noLead)
			b.ReportAllocs()
			for b.Loop() {
				r, err := bench.ReportRun(cfg, v.log)
				if err != nil {
					b.Fatal(err)
				}
				if sinkFig, err = bench.ReportFigures(r); err != nil {
					b.Fatal(err)
				}
			}
			perEvent(b)
		})
	}
	b.Run(name+"handwritten", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if sinkFig, err = bench.HandFigures(log); err != nil {
				b.Fatal(err)
			}
		}
		perEvent(b)
	})
	for _, v := range []struct {
		impl  string
		tuned bool
	}{{"sqlite", false}, {"sqlite_tuned", true}} {
		b.Run(name+v.impl, func(b *testing.B) {
			db := kpiDB(b, log, v.tuned)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if sinkFig, err = db.Figures(); err != nil {
					b.Fatal(err)
				}
			}
			perEvent(b)
		})
	}
}

// BenchmarkReplay rebuilds every contact of the KPI log from its events
// with funnel.Model.Replay, one log an operation.
func BenchmarkReplay(b *testing.B) {
	m := funnel.Default()
	n := benchEvents(b)
	log, offsets, err := bench.NewGen(m, 1).Log(max(n/10, 1), n)
	if err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("events=%d", len(log)), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := 0; i+1 < len(offsets); i++ {
				if sinkState, err = m.Replay(bench.ContactID(i), log[offsets[i]:offsets[i+1]]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(log))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
