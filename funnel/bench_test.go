package funnel_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
)

// steadyState returns a contact in MQL that has already been through
// nurture, and two moves that cycle it MQL → Nurture → MQL forever with
// valid reasons (equal times are allowed, so no clock arithmetic is needed
// in the loop).
func steadyState(b testing.TB, m *funnel.Model) (funnel.State, [2]funnel.Move) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := funnel.State{Lead: "lead-42"}
	for i, mv := range []funnel.Move{
		{To: funnel.Lead, At: t0},
		{To: funnel.MQL, At: t0.Add(time.Hour)},
		{To: funnel.Nurture, At: t0.Add(2 * time.Hour), Reason: funnel.ReasonBadTiming},
		{To: funnel.MQL, At: t0.Add(3 * time.Hour), Reason: funnel.ReasonReEngaged},
	} {
		var err error
		mv.EventID = fmt.Sprint("warm-", i)
		if s, _, err = m.Apply(s, mv); err != nil {
			b.Fatal(err)
		}
	}
	at := t0.Add(4 * time.Hour)
	return s, [2]funnel.Move{
		{To: funnel.Nurture, At: at, Actor: "rep:bob", Reason: funnel.ReasonBadTiming, EventID: "ev-a"},
		{To: funnel.MQL, At: at, Actor: "scoring", Reason: funnel.ReasonReEngaged, EventID: "ev-b"},
	}
}

//go:noinline
func valueCall(s funnel.State, mv funnel.Move) (funnel.State, funnel.Event, error) {
	s.Version++
	s.Stage = mv.To
	return s, funnel.Event{Version: s.Version, To: mv.To, At: mv.At}, nil
}

var (
	sinkState funnel.State
	sinkEvent funnel.Event
	sinkBool  bool
	sinkErr   error
)

// BenchmarkApply compares a successful Apply in steady state (all stages
// already entered: no allocation) with what a hand-written host would do
// at the very least: one lookup of the (from, to) pair in a map of allowed
// moves. The acceptance bar is apply ≤ 2 × map_lookup.
func BenchmarkApply(b *testing.B) {
	m := funnel.Default()
	b.Run("impl=map_lookup", func(b *testing.B) {
		allowed := map[[2]funnel.Stage]bool{}
		for _, e := range m.Edges() {
			allowed[[2]funnel.Stage{e.From, e.To}] = true
		}
		s, moves := steadyState(b, m)
		from := [2]funnel.Stage{moves[1].To, moves[0].To}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ok := allowed[[2]funnel.Stage{from[i&1], moves[i&1].To}]
			if !ok {
				b.Fatal("not allowed")
			}
			sinkBool = ok
		}
		sinkState = s
	})
	b.Run("impl=apply", func(b *testing.B) {
		s, moves := steadyState(b, m)
		b.ReportAllocs()
		b.ResetTimer()
		var ev funnel.Event
		for i := 0; i < b.N; i++ {
			var err error
			s, ev, err = m.Apply(s, moves[i&1])
			if err != nil {
				b.Fatal(err)
			}
		}
		sinkState, sinkEvent = s, ev
	})
	b.Run("impl=apply_to", func(b *testing.B) {
		s, moves := steadyState(b, m)
		var ev funnel.Event
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := m.ApplyTo(&s, &moves[i&1], &ev); err != nil {
				b.Fatal(err)
			}
		}
		sinkState, sinkEvent = s, ev
	})
	// The floor of the value signature itself: a function shaped like
	// Apply that does nothing but pass State, Move and Event by value.
	b.Run("impl=value_call_floor", func(b *testing.B) {
		s, moves := steadyState(b, m)
		var ev funnel.Event
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			var err error
			s, ev, err = valueCall(s, moves[i&1])
			if err != nil {
				b.Fatal(err)
			}
		}
		sinkState, sinkEvent = s, ev
	})
	b.Run("impl=can", func(b *testing.B) {
		s, moves := steadyState(b, m)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			sinkErr = m.Can(s, moves[0])
		}
	})
}

// BenchmarkApplyNewContact walks a new contact through six stages: the
// only allocations are the growth of Facts.
func BenchmarkApplyNewContact(b *testing.B) {
	m := funnel.Default()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	moves := []funnel.Move{
		{To: funnel.Subscriber, At: t0}, {To: funnel.Lead, At: t0}, {To: funnel.MQL, At: t0},
		{To: funnel.SQL, At: t0}, {To: funnel.Opportunity, At: t0}, {To: funnel.Customer, At: t0},
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := funnel.State{Lead: "x"}
		for _, mv := range moves {
			s, sinkEvent, _ = m.Apply(s, mv)
		}
		sinkState = s
	}
}

// BenchmarkApplyVsMap measures Apply, ApplyTo and the map lookup in
// interleaved chunks of the same benchmark, so that a noisy shared machine
// slows all of them alike, and reports their ratios as metrics
// (apply/map and apply_to/map). Timing here is test code: the library never
// reads the clock.
func BenchmarkApplyVsMap(b *testing.B) {
	m := funnel.Default()
	allowed := map[[2]funnel.Stage]bool{}
	for _, e := range m.Edges() {
		allowed[[2]funnel.Stage{e.From, e.To}] = true
	}
	s, moves := steadyState(b, m)
	s2, _ := steadyState(b, m)
	from := [2]funnel.Stage{moves[1].To, moves[0].To}
	const chunk = 4096
	var tApply, tApplyTo, tMap time.Duration
	var ev funnel.Event
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += chunk {
		n := min(chunk, b.N-done)
		t := time.Now()
		for i := 0; i < n; i++ {
			var err error
			s, ev, err = m.Apply(s, moves[i&1])
			if err != nil {
				b.Fatal(err)
			}
		}
		t2 := time.Now()
		for i := 0; i < n; i++ {
			if err := m.ApplyTo(&s2, &moves[i&1], &ev); err != nil {
				b.Fatal(err)
			}
		}
		t3 := time.Now()
		for i := 0; i < n; i++ {
			if !allowed[[2]funnel.Stage{from[i&1], moves[i&1].To}] {
				b.Fatal("not allowed")
			}
		}
		t4 := time.Now()
		tApply += t2.Sub(t)
		tApplyTo += t3.Sub(t2)
		tMap += t4.Sub(t3)
	}
	b.StopTimer()
	sinkState, sinkEvent = s, ev
	if tMap > 0 {
		b.ReportMetric(float64(tApply)/float64(tMap), "apply/map")
		b.ReportMetric(float64(tApplyTo)/float64(tMap), "apply_to/map")
		b.ReportMetric(float64(tMap)/float64(b.N), "map-ns/op")
	}
}

// replayLog builds a log of n events: entry, forward to MQL, then
// MQL ⇄ Nurture cycles, one hour apart.
func replayLog(b *testing.B, m *funnel.Model, n int) []funnel.Event {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := funnel.State{Lead: "c"}
	log := make([]funnel.Event, 0, n)
	for i := 0; len(log) < n; i++ {
		mv := funnel.Move{At: t0.Add(time.Duration(i) * time.Hour), EventID: fmt.Sprintf("evt-%06d", i)}
		switch {
		case i == 0:
			mv.To = funnel.Lead
		case s.Stage == funnel.Lead || s.Stage == funnel.Nurture:
			mv.To, mv.Reason = funnel.MQL, ""
			if s.Stage == funnel.Nurture {
				mv.Reason = funnel.ReasonReEngaged
			}
		default:
			mv.To, mv.Reason = funnel.Nurture, funnel.ReasonNoBudget
		}
		var ev funnel.Event
		var err error
		if s, ev, err = m.Apply(s, mv); err != nil {
			b.Fatal(err)
		}
		log = append(log, ev)
	}
	return log
}

// BenchmarkReplay1000 rebuilds a contact from a log of 1,000 events.
func BenchmarkReplay1000(b *testing.B) {
	m := funnel.Default()
	log := replayLog(b, m, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := m.Replay("c", log)
		if err != nil {
			b.Fatal(err)
		}
		sinkState = s
	}
}

// BenchmarkNew measures building the default model (done once per
// process).
func BenchmarkNew(b *testing.B) {
	spec := funnel.DefaultSpec()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m, err := funnel.New(spec)
		if err != nil {
			b.Fatal(err)
		}
		sinkBool = m != nil
	}
}
