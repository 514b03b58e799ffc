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

// applyWrites does what a successful Apply must write, and nothing else:
// no lookup, no check. It is the body of the floors below.
//
//go:noinline
func applyWrites(s *funnel.State, mv *funnel.Move, ev *funnel.Event) error {
	ev.ID = mv.EventID
	ev.Lead = s.Lead
	ev.Model = "smarketing_default"
	ev.Version = s.Version + 1
	ev.At = mv.At
	ev.From = s.Stage
	ev.To = mv.To
	ev.Kind = funnel.MoveDetour
	ev.Actor = mv.Actor
	ev.Reason = mv.Reason
	ev.Note = mv.Note
	ev.FirstEntry = false
	ev.Stay = 0
	from, to := &s.Facts[1], &s.Facts[2]
	from.LastExited = mv.At
	to.LastEntered = mv.At
	to.Entries++
	s.Stage = mv.To
	s.Version++
	s.Since = mv.At
	s.LastEventID = mv.EventID
	return nil
}

// valueFloor has Apply's signature and shape (an inlined wrapper around a
// call on pointers) and only Apply's writes: what the value signature
// costs before any check.
func valueFloor(s funnel.State, mv funnel.Move) (funnel.State, funnel.Event, error) {
	var ev funnel.Event
	err := applyWrites(&s, &mv, &ev)
	return s, ev, err
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
	// The floors: Apply's writes alone, with Apply's value signature and
	// on pointers (see BENCHMARKS.md).
	b.Run("impl=value_floor", func(b *testing.B) {
		s, moves := steadyState(b, m)
		var ev funnel.Event
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			var err error
			s, ev, err = valueFloor(s, moves[i&1])
			if err != nil {
				b.Fatal(err)
			}
		}
		sinkState, sinkEvent = s, ev
	})
	b.Run("impl=pointer_floor", func(b *testing.B) {
		s, moves := steadyState(b, m)
		var ev funnel.Event
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := applyWrites(&s, &moves[i&1], &ev); err != nil {
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

// BenchmarkApplyVsMap measures the map lookup, Apply, ApplyTo, Can and
// the two floors in interleaved chunks of 1,024 calls inside one
// benchmark, so that a noisy shared machine slows all of them alike. It
// reports, for each, the time per call of its fastest chunk (preemption
// and contention only ever add time, so the fastest chunk is the most
// repeatable figure: map-ns/op, apply-ns/op, ...) and its ratio to the map
// lookup's (apply/map, ...). The map's cost varies from one process to the
// next with its random hash seed; the others do not. Timing here is test
// code: the library never reads the clock.
func BenchmarkApplyVsMap(b *testing.B) {
	m := funnel.Default()
	allowed := map[[2]funnel.Stage]bool{}
	for _, e := range m.Edges() {
		allowed[[2]funnel.Stage{e.From, e.To}] = true
	}
	var states [5]funnel.State
	var moves [2]funnel.Move
	for k := range states {
		states[k], moves = steadyState(b, m)
	}
	from := [2]funnel.Stage{moves[1].To, moves[0].To}
	names := [...]string{"map", "apply", "apply_to", "can", "value_floor", "pointer_floor"}
	const chunk = 1024
	var best [len(names)]time.Duration
	var ev funnel.Event
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += len(names) * chunk {
		for k := range names {
			t := time.Now()
			switch k {
			case 0:
				for i := 0; i < chunk; i++ {
					if !allowed[[2]funnel.Stage{from[i&1], moves[i&1].To}] {
						b.Fatal("not allowed")
					}
				}
			case 1:
				s := states[0]
				for i := 0; i < chunk; i++ {
					var err error
					s, ev, err = m.Apply(s, moves[i&1])
					if err != nil {
						b.Fatal(err)
					}
				}
				states[0] = s
			case 2:
				s := &states[1]
				for i := 0; i < chunk; i++ {
					if err := m.ApplyTo(s, &moves[i&1], &ev); err != nil {
						b.Fatal(err)
					}
				}
			case 3:
				s := states[2]
				for i := 0; i < chunk; i++ {
					if err := m.Can(s, moves[0]); err != nil {
						b.Fatal(err)
					}
				}
			case 4:
				s := states[3]
				for i := 0; i < chunk; i++ {
					var err error
					s, ev, err = valueFloor(s, moves[i&1])
					if err != nil {
						b.Fatal(err)
					}
				}
				states[3] = s
			case 5:
				s := &states[4]
				for i := 0; i < chunk; i++ {
					if err := applyWrites(s, &moves[i&1], &ev); err != nil {
						b.Fatal(err)
					}
				}
			}
			if lap := time.Since(t); best[k] == 0 || lap < best[k] {
				best[k] = lap
			}
		}
	}
	b.StopTimer()
	sinkState, sinkEvent = states[0], ev
	if best[0] > 0 {
		for k, name := range names {
			b.ReportMetric(float64(best[k])/chunk, name+"-ns/op")
			if k > 0 {
				b.ReportMetric(float64(best[k])/float64(best[0]), name+"/map")
			}
		}
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
