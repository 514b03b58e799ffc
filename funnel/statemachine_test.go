package funnel_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/funnel/funneltest"
	"pgregory.net/rapid"
)

// ref is a deliberately naive reference implementation of the lifecycle
// rules, written from the Spec alone (maps and loops, no compiled tables),
// that the state-machine test compares the Model with.
type ref struct {
	spec     funnel.Spec
	kind     map[funnel.Stage]funnel.Kind
	rank     map[funnel.Stage]int
	declared map[[2]funnel.Stage]funnel.MoveSpec
	reasons  map[funnel.ReasonCode]bool
	entry    funnel.Stage

	// The contact.
	stage   funnel.Stage
	version uint64
	since   time.Time
	lastID  string
	order   []funnel.Stage
	facts   map[funnel.Stage]*funnel.StageFacts
}

func newRef(spec funnel.Spec) *ref {
	r := &ref{spec: spec, kind: map[funnel.Stage]funnel.Kind{}, rank: map[funnel.Stage]int{},
		declared: map[[2]funnel.Stage]funnel.MoveSpec{}, reasons: map[funnel.ReasonCode]bool{},
		facts: map[funnel.Stage]*funnel.StageFacts{}}
	for _, st := range spec.Stages {
		r.kind[st.ID] = st.Kind
		if st.Kind == funnel.Forward {
			if r.entry == "" {
				r.entry = st.ID
			}
			r.rank[st.ID] = len(r.rank)
		}
	}
	if spec.Entry != "" {
		r.entry = spec.Entry
	}
	for _, m := range spec.Moves {
		r.declared[[2]funnel.Stage{m.From, m.To}] = m
	}
	for _, c := range spec.Reasons {
		r.reasons[c.Code] = true
	}
	return r
}

// edge says whether from → to is allowed, whether it needs a reason, and
// which reasons it accepts (nil: any declared code).
func (r *ref) edge(from, to funnel.Stage) (ok, needReason bool, reasons []funnel.ReasonCode) {
	if from == "" {
		if d, ok := r.declared[[2]funnel.Stage{"", to}]; ok {
			if len(d.Reasons) == 0 {
				return true, false, nil
			}
			return true, false, d.Reasons
		}
		_, fwd := r.rank[to]
		return to == r.entry || (r.spec.AllowSkip && fwd && r.rank[to] > r.rank[r.entry]), false, nil
	}
	_, ff := r.rank[from]
	_, tf := r.rank[to]
	forward := ff && tf && r.rank[to] > r.rank[from]
	if d, ok := r.declared[[2]funnel.Stage{from, to}]; ok {
		if len(d.Reasons) == 0 {
			return true, !forward, nil
		}
		return true, !forward, d.Reasons
	}
	if forward && (r.rank[to] == r.rank[from]+1 || r.spec.AllowSkip) {
		return true, false, nil
	}
	return false, false, nil
}

// expect returns the sentinel Apply must fail with, or nil.
func (r *ref) expect(mv funnel.Move) error {
	if mv.To == "" || mv.At.IsZero() {
		return funnel.ErrInvalidMove
	}
	if _, ok := r.kind[mv.To]; !ok {
		return funnel.ErrUnknownStage
	}
	if mv.To == r.stage {
		return nil
	}
	if mv.EventID != "" && mv.EventID == r.lastID {
		return funnel.ErrDuplicateEvent
	}
	if mv.CheckVersion && mv.ExpectedVersion != r.version {
		return funnel.ErrVersionConflict
	}
	if r.stage != "" && mv.At.Before(r.since) {
		return funnel.ErrTimeTravel
	}
	ok, need, rs := r.edge(r.stage, mv.To)
	if !ok {
		return funnel.ErrNotAllowed
	}
	if mv.Reason == "" {
		if need {
			return funnel.ErrReasonRequired
		}
		return nil
	}
	if rs == nil {
		if !r.reasons[mv.Reason] {
			return funnel.ErrUnknownReason
		}
		return nil
	}
	for _, c := range rs {
		if c == mv.Reason {
			return nil
		}
	}
	return funnel.ErrUnknownReason
}

// apply moves the reference contact (the move must be valid).
func (r *ref) apply(mv funnel.Move) {
	if mv.To == r.stage {
		return
	}
	if r.stage != "" {
		f := r.facts[r.stage]
		f.LastExited = mv.At
		f.Cumulative += mv.At.Sub(r.since)
	}
	f, ok := r.facts[mv.To]
	if !ok {
		f = &funnel.StageFacts{Stage: mv.To, FirstEntered: mv.At}
		r.facts[mv.To] = f
		r.order = append(r.order, mv.To)
	}
	f.LastEntered = mv.At
	f.Entries++
	r.stage, r.since, r.lastID = mv.To, mv.At, mv.EventID
	r.version++
}

func (r *ref) state(lead string) funnel.State {
	s := funnel.State{Lead: lead, Stage: r.stage, Version: r.version, Since: r.since, LastEventID: r.lastID}
	for _, st := range r.order {
		s.Facts = append(s.Facts, *r.facts[st])
	}
	return s
}

// TestStateMachine runs random sequences of actions against the Model and
// the reference, on presets and random lifecycles, and compares after each
// step.
func TestStateMachine(t *testing.T) {
	start := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		var spec funnel.Spec
		switch rapid.IntRange(0, 2).Draw(t, "which") {
		case 0:
			spec = funnel.DefaultSpec()
		case 1:
			spec = funnel.WaterfallSpec()
		default:
			spec = funneltest.Spec().Draw(t, "spec")
			// Declared entry moves: into the entry stage or any other forward
			// stage, with or without their own reasons.
			var fwd []funnel.Stage
			for _, st := range spec.Stages {
				if st.Kind == funnel.Forward {
					fwd = append(fwd, st.ID)
				}
			}
			for _, to := range rapid.SliceOfDistinct(rapid.SampledFrom(fwd), func(s funnel.Stage) funnel.Stage { return s }).Draw(t, "entries") {
				codes := rapid.SliceOfNDistinct(rapid.SampledFrom([]funnel.ReasonCode{"r0", "r1", "r2", "r3"}), 0, 2, func(r funnel.ReasonCode) funnel.ReasonCode { return r }).Draw(t, "entry_reasons")
				spec.Moves = append(spec.Moves, funnel.MoveSpec{To: to, Reasons: codes})
			}
		}
		m := funnel.MustNew(spec)
		r := newRef(spec)
		s := funnel.State{Lead: "c"}
		var stages []funnel.Stage
		for _, st := range spec.Stages {
			stages = append(stages, st.ID)
		}
		var codes []funnel.ReasonCode
		for _, c := range spec.Reasons {
			codes = append(codes, c.Code)
		}
		n := 0
		step := func(t *rapid.T, mv funnel.Move) {
			want := r.expect(mv)
			next, ev, err := m.Apply(s, mv)
			if (err == nil) != (want == nil) || (want != nil && !errors.Is(err, want)) {
				t.Fatalf("Apply(%s, %+v) = %v, reference says %v", s.Stage, mv, err, want)
			}
			if err != nil {
				return
			}
			wasNoop := mv.To == r.stage
			if ev.IsZero() != wasNoop {
				t.Fatalf("event %+v for no-op=%t", ev, wasNoop)
			}
			r.apply(mv)
			s = next
		}
		now := func(t *rapid.T) time.Time {
			if s.Stage == "" {
				return start
			}
			return s.Since.Add(time.Duration(rapid.IntRange(0, 96).Draw(t, "hours")) * time.Hour)
		}
		t.Repeat(map[string]func(*rapid.T){
			// A move the reference allows.
			"valid": func(t *rapid.T) {
				var ok []funnel.Move
				for _, to := range stages {
					allowed, need, rs := r.edge(r.stage, to)
					if !allowed || to == r.stage {
						continue
					}
					mv := funnel.Move{To: to}
					if need {
						if rs == nil {
							continue
						}
						mv.Reason = rs[0]
					}
					ok = append(ok, mv)
				}
				if len(ok) == 0 {
					t.Skip("no way out")
				}
				mv := rapid.SampledFrom(ok).Draw(t, "move")
				mv.At = now(t)
				n++
				mv.EventID = fmt.Sprintf("id%d", n)
				step(t, mv)
			},
			// Anything at all.
			"any": func(t *rapid.T) {
				mv := funnel.Move{
					To:     rapid.SampledFrom(append(stages, "", "zz", "Bad")).Draw(t, "to"),
					Reason: rapid.SampledFrom(append(codes, "", "", "nope")).Draw(t, "reason"),
				}
				switch rapid.IntRange(0, 4).Draw(t, "time") {
				case 0: // zero time
				case 1:
					mv.At = s.Since.Add(-time.Duration(rapid.IntRange(1, 100).Draw(t, "back")) * time.Minute)
				default:
					mv.At = now(t)
				}
				if rapid.IntRange(0, 3).Draw(t, "check_version") == 0 {
					mv.CheckVersion = true
					mv.ExpectedVersion = s.Version + uint64(rapid.IntRange(-1, 1).Draw(t, "delta"))
				}
				if rapid.IntRange(0, 5).Draw(t, "reuse_id") == 0 {
					mv.EventID = s.LastEventID
				} else {
					n++
					mv.EventID = fmt.Sprintf("id%d", n)
				}
				step(t, mv)
			},
			// A no-op to the current stage.
			"noop": func(t *rapid.T) {
				if s.Stage == "" {
					t.Skip("no stage yet")
				}
				step(t, funnel.Move{To: s.Stage, At: now(t)})
			},
			"": func(t *rapid.T) {
				if diff := cmp.Diff(r.state("c"), s); diff != "" {
					t.Fatalf("state differs from the reference (-ref +model):\n%s", diff)
				}
			},
		})
	})
}
