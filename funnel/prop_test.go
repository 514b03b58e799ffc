package funnel_test

import (
	"encoding/json"
	"errors"
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
// event of a valid log is reported at that position (or, for a re-delivered
// last event, skipped).
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
		_, err := m.Replay("x", log)
		var re *funnel.ReplayError
		if !errors.As(err, &re) || re.Index != wantIndex {
			t.Fatalf("tampered log: %v, want an error at %d", err, wantIndex)
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
