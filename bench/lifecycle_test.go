package bench_test

import (
	"context"
	"testing"
	"time"

	"github.com/smarketing/smarketing/bench"
	"github.com/smarketing/smarketing/funnel"
)

// TestLifecycleAgrees runs the benchmark's move sequence through the four
// implementations and checks that they are in the same stage after every
// move, and that they all refuse a move the model does not allow.
func TestLifecycleAgrees(t *testing.T) {
	m := funnel.Default()
	s, moves, err := bench.Cycle(m)
	if err != nil {
		t.Fatal(err)
	}
	if s.Stage != funnel.Lead {
		t.Fatalf("cycle starts in %s, want lead", s.Stage)
	}
	ctx := context.Background()
	f := bench.NewLooplab(m)
	sm := bench.NewStateless(m, true)
	sq := bench.NewStateless(m, false)
	fl := bench.NewMapFloor(m)
	at := bench.CycleStart
	var ev funnel.Event
	for i := range 3 * len(moves) {
		mv := moves[i%len(moves)]
		mv.At = at
		at = at.Add(time.Second)
		if err := m.ApplyTo(&s, &mv, &ev); err != nil {
			t.Fatalf("move %d: funnel: %v", i, err)
		}
		if err := f.Event(ctx, bench.Trigger(mv.To)); err != nil {
			t.Fatalf("move %d: looplab/fsm: %v", i, err)
		}
		if err := sm.FireCtx(ctx, bench.Trigger(mv.To)); err != nil {
			t.Fatalf("move %d: stateless: %v", i, err)
		}
		if err := sq.FireCtx(ctx, bench.Trigger(mv.To)); err != nil {
			t.Fatalf("move %d: stateless (queued): %v", i, err)
		}
		if err := fl.Move(&mv); err != nil {
			t.Fatalf("move %d: map: %v", i, err)
		}
		if sq.MustState() != s.Stage {
			t.Fatalf("move %d: funnel in %s, stateless (queued) in %v", i, s.Stage, sq.MustState())
		}
		st, err := sm.State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := []any{funnel.Stage(f.Current()), st, fl.Stage}; got[0] != s.Stage || got[1] != s.Stage || got[2] != s.Stage {
			t.Fatalf("move %d: funnel in %s; looplab, stateless, map in %v", i, s.Stage, got)
		}
	}
	// lead → lost is not a move of the model.
	bad := funnel.Move{To: funnel.Lost, At: at, Reason: funnel.ReasonPrice}
	if err := m.Can(s, bad); err == nil {
		t.Error("funnel allows lead → lost")
	}
	if err := f.Event(ctx, bench.Trigger(funnel.Lost)); err == nil {
		t.Error("looplab/fsm allows lead → lost")
	}
	if err := sm.FireCtx(ctx, bench.Trigger(funnel.Lost)); err == nil {
		t.Error("stateless allows lead → lost")
	}
	if err := fl.Move(&bad); err == nil {
		t.Error("map allows lead → lost")
	}
}
