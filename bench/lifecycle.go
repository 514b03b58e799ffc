package bench

import (
	"fmt"
	"time"

	"github.com/looplab/fsm"
	"github.com/qmuntal/stateless"

	"github.com/smarketing/smarketing/funnel"
)

// Cycle returns the move sequence of the lifecycle benchmark on the
// default model: a contact cycles
//
//	lead → mql → sql → opportunity → lost → nurture → lead
//
// (three forward moves, a loss, a recycle and a return, the last three
// with the first reason code their edge accepts), and the state of a
// contact in lead that has already been round the cycle once, so that
// every stage has been entered and [funnel.Model.Apply] is in steady
// state. The moves have distinct event IDs; the caller sets At.
func Cycle(m *funnel.Model) (funnel.State, []funnel.Move, error) {
	path := []funnel.Stage{funnel.MQL, funnel.SQL, funnel.Opportunity, funnel.Lost, funnel.Nurture, funnel.Lead}
	edges := map[[2]funnel.Stage]funnel.Edge{}
	for _, e := range m.Edges() {
		edges[[2]funnel.Stage{e.From, e.To}] = e
	}
	moves := make([]funnel.Move, len(path))
	from := funnel.Lead
	for i, to := range path {
		e, ok := edges[[2]funnel.Stage{from, to}]
		if !ok {
			return funnel.State{}, nil, fmt.Errorf("bench: model has no move %s → %s", from, to)
		}
		moves[i] = funnel.Move{To: to, Actor: "bench", EventID: fmt.Sprintf("cycle-%d", i)}
		if len(e.Reasons) > 0 {
			moves[i].Reason = e.Reasons[0]
		}
		from = to
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := funnel.State{Lead: "lead-42"}
	var err error
	if s, _, err = m.Apply(s, funnel.Move{To: funnel.Lead, At: t0, EventID: "warm"}); err != nil {
		return s, nil, err
	}
	for i, mv := range moves {
		mv.At = t0.Add(time.Duration(i+1) * time.Minute)
		mv.EventID = fmt.Sprintf("warm-%d", i)
		if s, _, err = m.Apply(s, mv); err != nil {
			return s, nil, err
		}
	}
	return s, moves, nil
}

// CycleStart is the time of the first measured move; each move of the
// benchmark is one second after the previous one.
var CycleStart = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

// Trigger names the looplab/fsm event and the stateless trigger that
// lead to stage to.
func Trigger(to funnel.Stage) string { return "to_" + string(to) }

// NewLooplab returns a looplab/fsm machine in stage lead with one event
// per target stage ("to_mql", ...) allowed from every stage the funnel
// model allows it from: the same graph, without reasons, facts or events.
func NewLooplab(m *funnel.Model) *fsm.FSM {
	srcs := map[funnel.Stage][]string{}
	var order []funnel.Stage
	for _, e := range m.Edges() {
		if e.From == "" {
			continue
		}
		if _, ok := srcs[e.To]; !ok {
			order = append(order, e.To)
		}
		srcs[e.To] = append(srcs[e.To], string(e.From))
	}
	var evs fsm.Events
	for _, to := range order {
		evs = append(evs, fsm.EventDesc{Name: Trigger(to), Src: srcs[to], Dst: string(to)})
	}
	return fsm.NewFSM(string(funnel.Lead), evs, nil)
}

// NewStateless returns a qmuntal/stateless machine in stage lead with the
// funnel model's graph: each stage permits the trigger "to_X" to X for
// every move the model allows. States are funnel.Stage values and triggers
// strings. With immediate set it uses stateless's immediate firing mode
// (its fastest), otherwise its default, queued mode.
func NewStateless(m *funnel.Model, immediate bool) *stateless.StateMachine {
	mode := stateless.FiringQueued
	if immediate {
		mode = stateless.FiringImmediate
	}
	sm := stateless.NewStateMachineWithMode(funnel.Lead, mode)
	for _, st := range m.Stages() {
		cfg := sm.Configure(st.ID)
		for _, e := range m.EdgesFrom(st.ID) {
			cfg.Permit(Trigger(e.To), e.To)
		}
	}
	return sm
}

// MapFloor is the floor of the lifecycle benchmark: what a host does at
// the very least, one lookup of the (from, to) pair in a map of allowed
// moves and an assignment.
type MapFloor struct {
	allowed map[[2]funnel.Stage]bool
	Stage   funnel.Stage
}

// NewMapFloor returns the floor for model m, in stage lead.
func NewMapFloor(m *funnel.Model) *MapFloor {
	f := &MapFloor{allowed: map[[2]funnel.Stage]bool{}, Stage: funnel.Lead}
	for _, e := range m.Edges() {
		f.allowed[[2]funnel.Stage{e.From, e.To}] = true
	}
	return f
}

// Move moves the floor's contact to mv.To if the map allows it.
func (f *MapFloor) Move(mv *funnel.Move) error {
	if !f.allowed[[2]funnel.Stage{f.Stage, mv.To}] {
		return fmt.Errorf("bench: %s → %s not allowed", f.Stage, mv.To)
	}
	f.Stage = mv.To
	return nil
}
