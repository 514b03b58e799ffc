package funnel_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/funnel/funneltest"
	"pgregory.net/rapid"
)

// drawModel draws one of the presets or a random valid lifecycle.
func drawModel(t *rapid.T) *funnel.Model {
	switch rapid.IntRange(0, 3).Draw(t, "model") {
	case 0:
		return funnel.Default()
	case 1:
		return funnel.Waterfall()
	default:
		spec := funneltest.Spec().Draw(t, "spec")
		m, err := funnel.New(spec)
		if err != nil {
			t.Fatalf("generated spec rejected: %v", err)
		}
		return m
	}
}

// checkInvariants verifies the state against the events that built it.
func checkInvariants(t *rapid.T, s funnel.State, evs []funnel.Event) {
	if s.Version != uint64(len(evs)) {
		t.Fatalf("version %d after %d events", s.Version, len(evs))
	}
	if len(evs) == 0 {
		if s.Stage != "" || len(s.Facts) != 0 {
			t.Fatalf("state without events: %+v", s)
		}
		return
	}
	last := evs[len(evs)-1]
	if s.Stage != last.To || !s.Since.Equal(last.At) || s.LastEventID != last.ID {
		t.Fatalf("state %s since %v (id %q), last event %+v", s.Stage, s.Since, s.LastEventID, last)
	}
	var order []funnel.Stage
	type agg struct {
		entries, firsts int
		stays           time.Duration
		first, lastIn   time.Time
		lastOut         time.Time
	}
	aggs := map[funnel.Stage]*agg{}
	for i, e := range evs {
		if e.Version != uint64(i+1) {
			t.Fatalf("event %d has version %d", i, e.Version)
		}
		if e.Stay < 0 {
			t.Fatalf("negative stay %v", e.Stay)
		}
		a := aggs[e.To]
		if a == nil {
			a = &agg{first: e.At}
			aggs[e.To] = a
			order = append(order, e.To)
		}
		a.entries++
		a.lastIn = e.At
		if e.FirstEntry {
			a.firsts++
		}
		if e.From != "" {
			aggs[e.From].stays += e.Stay
			aggs[e.From].lastOut = e.At
		}
	}
	if len(s.Facts) != len(order) {
		t.Fatalf("%d facts for %d stages entered", len(s.Facts), len(order))
	}
	for i, f := range s.Facts {
		a := aggs[f.Stage]
		switch {
		case f.Stage != order[i]:
			t.Fatalf("facts[%d] is %s, want %s (first-entry order)", i, f.Stage, order[i])
		case f.Cumulative < 0:
			t.Fatalf("%s: negative cumulative %v", f.Stage, f.Cumulative)
		case f.Cumulative != a.stays:
			t.Fatalf("%s: cumulative %v, sum of closed stays %v", f.Stage, f.Cumulative, a.stays)
		case f.Entries != a.entries:
			t.Fatalf("%s: %d entries, %d events into it", f.Stage, f.Entries, a.entries)
		case a.firsts != 1:
			t.Fatalf("%s: %d first-entry events", f.Stage, a.firsts)
		case !f.FirstEntered.Equal(a.first) || !f.LastEntered.Equal(a.lastIn) || !f.LastExited.Equal(a.lastOut):
			t.Fatalf("%s: dates %+v, events say %+v", f.Stage, f, a)
		}
		now := s.Since.Add(time.Hour)
		if in := s.TimeIn(f.Stage, now); in < f.Cumulative || (f.Stage == s.Stage) != (in > f.Cumulative) {
			t.Fatalf("%s: TimeIn %v with cumulative %v", f.Stage, in, f.Cumulative)
		}
	}
}

// TestPropApplyReplay: every step fails exactly as the generator says,
// nothing changes on error, Can agrees with Apply, the invariants hold
// and CheckState accepts the state after every step, and replaying the events (also after a JSON round
// trip) gives the state the Apply calls produced.
func TestPropApplyReplay(t *testing.T) {
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		m := drawModel(t)
		steps := funneltest.Moves(m, "lead-1", start, 40).Draw(t, "steps")
		s := funnel.State{Lead: "lead-1"}
		var evs []funnel.Event
		for i, st := range steps {
			before := s.Clone()
			canErr := m.Can(s, st.Move)
			next, ev, err := m.Apply(s, st.Move)
			if (err == nil) != (st.Err == nil) || (err != nil && !errors.Is(err, st.Err)) {
				t.Fatalf("step %d %+v: err %v, want %v", i, st.Move, err, st.Err)
			}
			if (canErr == nil) != (err == nil) || (err != nil && canErr.Error() != err.Error()) {
				t.Fatalf("step %d: Can %v, Apply %v", i, canErr, err)
			}
			if err != nil {
				if diff := cmp.Diff(before, s); diff != "" {
					t.Fatalf("step %d: input changed on error:\n%s", i, diff)
				}
				if diff := cmp.Diff(before, next); diff != "" {
					t.Fatalf("step %d: state changed on error:\n%s", i, diff)
				}
				continue
			}
			if ev.IsZero() {
				if st.Move.To != before.Stage || !next.Equal(before) {
					t.Fatalf("step %d: zero event for a real move", i)
				}
				continue
			}
			s = next
			if err := m.CheckState(s); err != nil {
				t.Fatalf("step %d: CheckState refuses a state Apply produced: %v", i, err)
			}
			evs = append(evs, ev)
			checkInvariants(t, s, evs)
		}
		got, err := m.Replay("lead-1", evs)
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
		if diff := cmp.Diff(s, got); diff != "" {
			t.Fatalf("replay differs (-apply +replay):\n%s", diff)
		}
		data, err := json.Marshal(evs)
		if err != nil {
			t.Fatal(err)
		}
		var back []funnel.Event
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		got, err = m.Replay("lead-1", back)
		if err != nil || !got.Equal(s) {
			t.Fatalf("replay after JSON: %v", err)
		}
	})
}

// TestPropValidMoves: every generated valid sequence applies without error
// and produces one event per move.
func TestPropValidMoves(t *testing.T) {
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		m := drawModel(t)
		moves := funneltest.ValidMoves(m, "x", start, 30).Draw(t, "moves")
		s := funnel.State{Lead: "x"}
		for i, mv := range moves {
			var ev funnel.Event
			var err error
			s, ev, err = m.Apply(s, mv)
			if err != nil || ev.IsZero() {
				t.Fatalf("move %d %+v: %v", i, mv, err)
			}
		}
	})
}

// TestPropReplayDetectsTampering: dropping, duplicating or altering one
// event of a valid log is reported at that position, with the state rebuilt
// from the events before it (or, for a re-delivered event, skipped).
func TestPropReplayDetectsTampering(t *testing.T) {
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		m := drawModel(t)
		moves := funneltest.ValidMoves(m, "x", start, 20).Filter(func(ms []funnel.Move) bool { return len(ms) >= 2 }).Draw(t, "moves")
		s := funnel.State{Lead: "x"}
		var evs []funnel.Event
		for _, mv := range moves {
			var ev funnel.Event
			s, ev, _ = m.Apply(s, mv)
			evs = append(evs, ev)
		}
		i := rapid.IntRange(0, len(evs)-1).Draw(t, "index")
		log := append([]funnel.Event(nil), evs...)
		var wantIndex int
		switch rapid.IntRange(0, 4).Draw(t, "tamper") {
		case 0: // drop: the next event shows a gap
			if i == len(log)-1 {
				return
			}
			log = append(log[:i], log[i+1:]...)
			wantIndex = i
		case 1: // re-delivery right after: skipped
			log = append(log[:i+1], log[i:]...)
			got, err := m.Replay("x", log)
			if err != nil || !got.Equal(s) {
				t.Fatalf("re-delivery of event %d: %v", i, err)
			}
			return
		case 2: // stay altered
			log[i].Stay += time.Second
			wantIndex = i
		case 3: // kind altered
			log[i].Kind = funnel.MoveAcross
			if evs[i].Kind == funnel.MoveAcross {
				log[i].Kind = funnel.MoveForward
			}
			wantIndex = i
		case 4: // first-entry flag flipped
			log[i].FirstEntry = !log[i].FirstEntry
			wantIndex = i
		}
		got, err := m.Replay("x", log)
		var re *funnel.ReplayError
		if !errors.As(err, &re) || re.Index != wantIndex || re.EventID != log[wantIndex].ID {
			t.Fatalf("tampered log: %v, want an error at %d", err, wantIndex)
		}
		// The state returned is the one rebuilt from the events before.
		if prefix, err := m.Replay("x", log[:wantIndex]); err != nil || !got.Equal(prefix) {
			t.Fatalf("state on error differs from the replay of the %d events before (%v):\n%s", wantIndex, err, cmp.Diff(prefix, got))
		}
	})
}

// TestPropGeneratedSpecs: New accepts every generated spec, the model is
// consistent with what funneltest.Check verifies about Can, and the spec
// survives a JSON round trip.
func TestPropGeneratedSpecs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := funneltest.Spec().Draw(t, "spec")
		m, err := funnel.New(spec)
		if err != nil {
			t.Fatal(err)
		}
		// Only the "Can agrees with Edges" findings are bugs of the package;
		// the others are design findings about a random lifecycle.
		if err := funneltest.Check(m); err != nil {
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var p *funneltest.Problem
				if errors.As(e, &p) && (p.Rule == funneltest.RuleConsistent || p.Rule == funneltest.RuleTerminalClosed || p.Rule == funneltest.RuleReasons) {
					t.Fatal(e)
				}
			}
		}
		data, err := json.Marshal(spec)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := funnel.Load(data)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(m.Spec(), m2.Spec()); diff != "" {
			t.Fatalf("JSON round trip:\n%s", diff)
		}
	})
}

// TestPropExtremeTimes: across the whole range of times Apply accepts
// (years 0 to 9999, zones up to a minute short of a day from UTC, gaps from
// nothing to millennia), every state Apply produces passes CheckState,
// TimeIn is never negative nor less than the finished stays, and the state
// and its events survive a JSON round trip (equal values, and the decoded
// events replay to the state).
func TestPropExtremeTimes(t *testing.T) {
	lo := time.Date(0, 1, 2, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC).Unix()
	rapid.Check(t, func(t *rapid.T) {
		m := drawModel(t)
		sec := rapid.Int64Range(lo, hi).Draw(t, "start")
		nsec := int64(0)
		s := funnel.State{Lead: "x"}
		var evs []funnel.Event
		for i := range rapid.IntRange(1, 12).Draw(t, "moves") {
			switch rapid.IntRange(0, 3).Draw(t, "gap") {
			case 0: // the same instant
			case 1:
				nsec += rapid.Int64Range(1, 999_999_999).Draw(t, "ns")
				sec, nsec = sec+nsec/1e9, nsec%1e9
			case 2:
				sec += rapid.Int64Range(1, 3600).Draw(t, "s")
			default:
				sec = rapid.Int64Range(sec, hi).Draw(t, "jump")
			}
			sec = min(sec, hi)
			zone := time.UTC
			if rapid.Bool().Draw(t, "zoned") {
				zone = time.FixedZone("z", 60*rapid.IntRange(-(24*60-1), 24*60-1).Draw(t, "offset_min"))
			}
			at := time.Unix(sec, nsec).In(zone)
			var cands []funnel.Move
			for _, e := range m.EdgesFrom(s.Stage) {
				mv := funnel.Move{To: e.To, At: at, EventID: fmt.Sprint("e", i)}
				if len(e.Reasons) > 0 {
					mv.Reason = e.Reasons[0]
				}
				if m.Can(s, mv) == nil {
					cands = append(cands, mv)
				}
			}
			if len(cands) == 0 {
				break
			}
			next, ev, err := m.Apply(s, rapid.SampledFrom(cands).Draw(t, "move"))
			if err != nil {
				t.Fatalf("move %d: %v", i, err)
			}
			s = next
			evs = append(evs, ev)
			if err := m.CheckState(s); err != nil {
				t.Fatalf("move %d: CheckState refuses a state Apply produced: %v", i, err)
			}
			now := time.Unix(rapid.Int64Range(lo, hi).Draw(t, "now"), 0)
			for _, f := range s.Facts {
				if in := s.TimeIn(f.Stage, now); in < f.Cumulative || in < 0 {
					t.Fatalf("TimeIn(%s, %v) = %v with cumulative %v", f.Stage, now, in, f.Cumulative)
				}
			}
		}
		data, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("marshal state: %v", err)
		}
		var back funnel.State
		if err := json.Unmarshal(data, &back); err != nil || !back.Equal(s) || m.CheckState(back) != nil {
			t.Fatalf("state after a JSON round trip: %v\n%s", err, cmp.Diff(s, back))
		}
		if data, err = json.Marshal(evs); err != nil {
			t.Fatalf("marshal events: %v", err)
		}
		var evsBack []funnel.Event
		if err := json.Unmarshal(data, &evsBack); err != nil || len(evsBack) != len(evs) {
			t.Fatalf("events after a JSON round trip: %v", err)
		}
		for i := range evs {
			if !evsBack[i].Equal(evs[i]) {
				t.Fatalf("event %d after a JSON round trip:\n%s", i, cmp.Diff(evs[i], evsBack[i]))
			}
		}
		if got, err := m.Replay("x", evsBack); err != nil || !got.Equal(s) {
			t.Fatalf("replay of the decoded events: %v", err)
		}
	})
}

// TestPropApplyToAgrees: ApplyTo is Apply on pointers: for every step of
// mixed valid, invalid and no-op sequences (guarded edges included, moves
// with an actor or without), it returns the same error and writes the same
// state and event; on an error or a no-op it leaves *s exactly as it was
// (its facts included) and sets *ev to the zero Event whatever it held; it
// never writes *mv.
func TestPropApplyToAgrees(t *testing.T) {
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		m := drawModel(t)
		if rapid.IntRange(0, 3).Draw(t, "guarded") == 0 {
			m = guardedDefault()
		}
		s := funnel.State{Lead: "c"}
		for i, st := range funneltest.Moves(m, "c", start, 25).Draw(t, "steps") {
			mv := st.Move
			if rapid.Bool().Draw(t, "no_actor") {
				mv.Actor = "" // the guard of guardedDefault refuses it
			}
			wantS, wantEv, wantErr := m.Apply(s.Clone(), mv)
			p, pmv := s.Clone(), mv
			ev := funnel.Event{ID: "stale", Version: 99, Note: "left over"}
			err := m.ApplyTo(&p, &pmv, &ev)
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
				t.Fatalf("step %d: ApplyTo %v, Apply %v", i, err, wantErr)
			}
			if diff := cmp.Diff(mv, pmv); diff != "" {
				t.Fatalf("step %d: ApplyTo changed the move:\n%s", i, diff)
			}
			if diff := cmp.Diff(wantEv, ev); diff != "" {
				t.Fatalf("step %d: events differ (-Apply +ApplyTo):\n%s", i, diff)
			}
			if err != nil || ev.IsZero() {
				if diff := cmp.Diff(s, p); diff != "" {
					t.Fatalf("step %d: ApplyTo changed the state on %v:\n%s", i, err, diff)
				}
				continue
			}
			if diff := cmp.Diff(wantS, p); diff != "" {
				t.Fatalf("step %d: states differ (-Apply +ApplyTo):\n%s", i, diff)
			}
			s = p
		}
	})
}
