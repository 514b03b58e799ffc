package funnel_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/funnel/funneltest"
	"pgregory.net/rapid"
)

// guardedDefault is the default model with guards on some edges, so that
// the fast path meets edges it must leave to the full check.
func guardedDefault() *funnel.Model {
	spec := funnel.DefaultSpec()
	spec.ID = "guarded"
	spec.Guards = []funnel.Guard{{Name: "owner", Check: func(s funnel.State, mv funnel.Move) error {
		if mv.Actor == "" {
			return errors.New("no owner")
		}
		return nil
	}}}
	spec.Moves = append(spec.Moves,
		funnel.MoveSpec{From: funnel.MQL, To: funnel.SQL, Guards: []string{"owner"}},
		funnel.MoveSpec{From: funnel.Nurture, To: funnel.SQL, Reasons: []funnel.ReasonCode{funnel.ReasonReEngaged}, Guards: []string{"owner"}},
	)
	return funnel.MustNew(spec)
}

// TestQuickAgrees: Apply's fast path accepts exactly the moves the full
// check accepts along unguarded edges out of a declared stage, with the
// same plan, and nothing else: for every step of mixed valid, invalid and
// no-op sequences, for variants of each move (other reason, version check,
// re-used event ID, earlier time) and for damaged states.
func TestQuickAgrees(t *testing.T) {
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	fastSeen := false
	rapid.Check(t, func(t *rapid.T) {
		var m *funnel.Model
		if rapid.IntRange(0, 4).Draw(t, "guarded") == 0 {
			m = guardedDefault()
		} else {
			m = drawModel(t)
		}
		var codes []funnel.ReasonCode
		for _, r := range m.Reasons() {
			codes = append(codes, r.Code)
		}
		agree := func(s funnel.State, mv funnel.Move) {
			fast, problem := funnel.QuickAgrees(m, s, mv)
			if problem != "" {
				t.Fatalf("state %+v, move %+v: %s", s, mv, problem)
			}
			fastSeen = fastSeen || fast
		}
		s := funnel.State{Lead: "q"}
		for _, st := range funneltest.Moves(m, "q", start, 30).Draw(t, "steps") {
			mv := st.Move
			agree(s, mv)
			v := mv
			v.Reason = rapid.SampledFrom(append(codes, "", funneltest.UnknownReason)).Draw(t, "reason")
			agree(s, v)
			v = mv
			v.CheckVersion, v.ExpectedVersion = true, s.Version+uint64(rapid.IntRange(0, 1).Draw(t, "ahead"))
			agree(s, v)
			v = mv
			v.EventID = s.LastEventID
			agree(s, v)
			v = mv
			v.At = s.Since.Add(-time.Nanosecond)
			agree(s, v)
			if s.Stage != "" {
				d := s.Clone()
				switch rapid.IntRange(0, 5).Draw(t, "damage") {
				case 0:
					d.Version = math.MaxUint64
				case 1:
					d.Facts = nil
				case 2:
					d.Facts = append(d.Facts, d.Facts[0])
				case 3:
					d.Stage = funneltest.UnknownStage
				case 4:
					d.Version = 0
				case 5:
					d.Stage, d.Facts = "", nil
				}
				agree(d, mv)
			}
			if next, _, err := m.Apply(s, mv); err == nil {
				s = next
			}
		}
	})
	if !fastSeen {
		t.Error("the fast path never took a move")
	}
}
