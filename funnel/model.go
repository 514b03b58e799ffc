package funnel

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Model is a validated, compiled lifecycle: the stages of a [Spec], the
// moves allowed between them and the reason codes they accept. Build one
// with [New] (or [MustNew], [Default], [Waterfall], [Load]) and share it:
// a Model is immutable and safe for concurrent use by any number of
// goroutines. It keeps no per-contact state; the host passes a [State] to
// [Model.Apply] and stores the one it gets back.
//
// The zero Model is not usable: build one with New.
//
// Internally the spec is compiled into dense int-indexed tables (a perfect
// hash from stage to index and an n×n edge matrix), so that a successful
// Apply costs tens of nanoseconds and allocates nothing in steady state
// (see BENCHMARKS.md).
type Model struct {
	id        string
	entry     int
	allowSkip bool
	spec      Spec // private deep copy, returned by Spec as a copy

	stages  []StageSpec
	rank    []int // position on the forward path, -1 for detours and terminals
	forward []int // stage indices of the forward path, in order
	n       int
	cells   []int16 // n*n: index into edges, or -1 when the move is not allowed
	entries []int16 // n: index into edges of the entry move into each stage, or -1
	edges   []edge
	reasons map[ReasonCode]struct{}
	guards  []Guard
	lookup  stageIndex
}

// edge is one compiled move From → To (from is -1 for an entry move).
type edge struct {
	from, to int
	kind     MoveKind
	declared bool
	// needReason: backward moves, detours, returns and moves across detours.
	needReason bool
	// reasons accepted on this edge; nil means any code the model declares.
	reasons []ReasonCode
	guards  []int // indices into Model.guards
}

// ID returns the model's ID, copied to every event.
func (m *Model) ID() string { return m.id }

// Entry returns the stage a new contact enters first.
func (m *Model) Entry() Stage { return m.stages[m.entry].ID }

// AllowSkip reports whether forward moves may skip stages.
func (m *Model) AllowSkip() bool { return m.allowSkip }

// Spec returns a deep copy of the spec the model was built from (with the
// defaults New filled in, such as Entry).
func (m *Model) Spec() Spec { return m.spec.clone() }

// Stages returns the model's stages in declaration order. The slice is a
// copy.
func (m *Model) Stages() []StageSpec { return slices.Clone(m.stages) }

// Stage returns the declaration of stage s, and false if the model does
// not declare it.
func (m *Model) Stage(s Stage) (StageSpec, bool) {
	i := m.lookup.find(s)
	if i < 0 {
		return StageSpec{}, false
	}
	return m.stages[i], true
}

// Rank returns the 0-based position of s on the forward path, and false
// for detours, terminals and stages the model does not declare. Reports use
// it to read "reached B or any later stage": a contact reached B when it
// entered any stage of rank ≥ Rank(B).
func (m *Model) Rank(s Stage) (int, bool) {
	i := m.lookup.find(s)
	if i < 0 || m.rank[i] < 0 {
		return 0, false
	}
	return m.rank[i], true
}

// Path returns the forward stages in path order.
func (m *Model) Path() []Stage {
	out := make([]Stage, len(m.forward))
	for k, i := range m.forward {
		out[k] = m.stages[i].ID
	}
	return out
}

// Reasons returns the reason codes the model declares, in declaration
// order. The slice is a copy.
func (m *Model) Reasons() []ReasonSpec { return slices.Clone(m.spec.Reasons) }

// Edge describes one move a model allows, for tools that walk the graph
// (renderers, package funneltest, a UI listing the possible next stages).
// It is a plain value; its slices are fresh copies.
type Edge struct {
	// From is the stage left; empty for entry moves.
	From Stage
	To   Stage
	Kind MoveKind
	// Declared is true for edges listed in [Spec.Moves] (as opposed to the
	// implicit forward path, skips and entries).
	Declared bool
	// ReasonRequired is true for backward moves, detours, returns and moves
	// across detours.
	ReasonRequired bool
	// Reasons are the codes the edge accepts; empty means any code the model
	// declares (and then a reason is optional).
	Reasons []ReasonCode
	// Guards name the guards that must pass.
	Guards []string
}

// Edges returns every allowed move: the entry moves first (From empty),
// then for each stage in declaration order its moves in declaration order
// of the target. The result is freshly allocated and deterministic.
func (m *Model) Edges() []Edge {
	out := m.entryEdges()
	for from := 0; from < m.n; from++ {
		out = append(out, m.edgesFrom(from)...)
	}
	return out
}

// EdgesFrom returns the moves allowed out of stage s (the entry moves when
// s is empty), in declaration order of the target; nil for an unknown or
// terminal stage.
func (m *Model) EdgesFrom(s Stage) []Edge {
	if s == "" {
		return m.entryEdges()
	}
	i := m.lookup.find(s)
	if i < 0 {
		return nil
	}
	return m.edgesFrom(i)
}

func (m *Model) edgesFrom(from int) []Edge {
	var out []Edge
	for to := 0; to < m.n; to++ {
		if c := m.cells[from*m.n+to]; c >= 0 {
			out = append(out, m.edgeOf(c))
		}
	}
	return out
}

// entryEdges lists the entry moves, in declaration order of the target.
func (m *Model) entryEdges() []Edge {
	var out []Edge
	for _, c := range m.entries {
		if c >= 0 {
			out = append(out, m.edgeOf(c))
		}
	}
	return out
}

// edgeOf describes compiled edge c.
func (m *Model) edgeOf(c int16) Edge {
	e := &m.edges[c]
	ed := Edge{
		To: m.stages[e.to].ID, Kind: e.kind,
		Declared: e.declared, ReasonRequired: e.needReason,
		Reasons: slices.Clone(e.reasons),
	}
	if e.from >= 0 {
		ed.From = m.stages[e.from].ID
	}
	for _, g := range e.guards {
		ed.Guards = append(ed.Guards, m.guards[g].Name)
	}
	return ed
}

// MoveError is the error [Model.Apply] and [Model.Can] return when a move
// is refused. Err is one of the sentinels ([ErrUnknownStage],
// [ErrNotAllowed], [ErrReasonRequired], [ErrUnknownReason],
// [ErrTimeTravel], [ErrVersionConflict], [ErrGuard], [ErrInvalidMove],
// [ErrInvalidState], [ErrDuplicateEvent]); for a guard, Cause is the
// guard's own error. errors.Is matches both. Like every error of the
// package it is not modified after it is returned.
type MoveError struct {
	From   Stage      // the state's stage (empty before the first move)
	To     Stage      // the move's target
	Kind   MoveKind   // the kind of move, when the edge is known
	Reason ReasonCode // the move's reason, if any
	Guard  string     // the guard that refused the move
	// Expected and Actual are the versions of a version conflict.
	Expected, Actual uint64
	// Err is the sentinel; Cause the underlying error of a guard.
	Err   error
	Cause error
}

func (e *MoveError) Error() string {
	from := string(e.From)
	if from == "" {
		from = "(start)"
	}
	to := string(e.To)
	if to == "" {
		to = "(none)"
	}
	msg := "funnel: move " + from + " → " + to + ": " + trimPrefix(e.Err)
	switch e.Err {
	case ErrUnknownReason:
		msg += fmt.Sprintf(" (%q)", string(e.Reason))
	case ErrVersionConflict:
		msg += fmt.Sprintf(" (expected version %d, state has %d)", e.Expected, e.Actual)
	case ErrGuard:
		msg += fmt.Sprintf(" %q", e.Guard)
	}
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns the sentinel and, for a guard, its cause.
func (e *MoveError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

// ReplayError reports the first event of a log that [Model.Replay] cannot
// apply: its position in the slice, its ID and why. It matches [ErrReplay]
// and its cause (a sentinel such as [ErrVersionGap], or a [*MoveError]).
type ReplayError struct {
	Index   int
	EventID string
	Err     error
}

func (e *ReplayError) Error() string {
	return fmt.Sprintf("funnel: replay event %d (id %q): %s", e.Index, e.EventID, trimPrefix(e.Err))
}

// Unwrap returns [ErrReplay] and the cause.
func (e *ReplayError) Unwrap() []error { return []error{ErrReplay, e.Err} }

// trimPrefix returns err's text without the package's "funnel: " prefix.
func trimPrefix(err error) string {
	if err == nil {
		return "<nil>"
	}
	s := err.Error()
	const p = "funnel: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// plan is a checked move, ready to be committed. It has at most four
// fields so that the compiler keeps it in registers (a larger struct is
// spilled and copied, which costs Apply more than all its checks).
type plan struct {
	to       int32 // stage index
	fromFact int32 // index in State.Facts, -1 for the entry move
	toFact   int32 // index in State.Facts, -1 for a first entry
	edge     int32 // index in Model.edges, -1 for the entry move, noopEdge
}

// noopEdge marks the plan of a move to the current stage.
const noopEdge = -2

// kind returns the kind of the planned move.
func (m *Model) kind(p plan) MoveKind {
	if p.edge == -1 {
		return MoveEntry
	}
	return m.edges[p.edge].kind
}

// Can reports whether [Model.Apply] would accept mv for state s, running
// exactly the same checks (guards included) without building anything.
// It returns nil for a no-op move to the current stage.
func (m *Model) Can(s State, mv Move) error {
	_, err := m.check(&s, &mv, true)
	return err
}

// Apply moves the contact in state s as mv asks and returns the new state
// and the audit event, or an error (a [*MoveError]) and s unchanged.
//
// The checks, in order: the move is well formed (target set, time set,
// within the years 0 to 9999 and in a zone less than a day from UTC by
// whole minutes, which is what RFC 3339 JSON can hold: [ErrInvalidMove]);
// the target stage and the state's current stage are declared
// ([ErrUnknownStage]); a move to the current stage is a no-op and returns
// (s, Event{}, nil); the state is consistent ([ErrInvalidState]: its stage
// has facts, it has no facts without a stage, it has a stage exactly when
// its version is not 0, and its version can still grow); the move's
// EventID is not the state's last event ID ([ErrDuplicateEvent]); the
// expected version matches when CheckVersion is set
// ([ErrVersionConflict]); the move is not dated before the last one
// ([ErrTimeTravel]); the model allows the edge, entry moves included
// ([ErrNotAllowed]); a reason is given where required ([ErrReasonRequired])
// and accepted ([ErrUnknownReason]); the edge's guards pass ([ErrGuard]).
//
// Like append, Apply may reuse the Facts storage of s for the returned
// state: keep the returned value, and [State.Clone] s first if the old
// value must survive. A successful Apply allocates nothing unless the
// contact enters a stage for the first time and Facts needs to grow.
func (m *Model) Apply(s State, mv Move) (State, Event, error) {
	var ev Event
	err := m.ApplyTo(&s, &mv, &ev)
	return s, ev, err
}

// ApplyTo is [Model.Apply] for hot loops (bulk imports, stream
// processors): the same checks and results, but it moves *s in place and
// writes the event to *ev instead of passing the large State, Move and
// Event structs by value, which costs more than the move itself. On
// success *s is the new state (sharing Facts storage as Apply does) and *ev
// the event; for a no-op move or an error *s is unchanged and *ev is set to
// the zero Event.
func (m *Model) ApplyTo(s *State, mv *Move, ev *Event) error {
	p, err := m.check(s, mv, true)
	if err != nil || p.edge == noopEdge {
		*ev = Event{}
		return err
	}
	// Field by field: building an Event literal and copying it into *ev
	// costs more than all the checks (the copy stalls on store forwarding).
	ev.ID = mv.EventID
	ev.Lead = s.Lead
	ev.Model = m.id
	ev.Version = s.Version + 1
	ev.At = mv.At
	ev.From = s.Stage
	ev.To = m.stages[p.to].ID
	ev.Kind = m.kind(p)
	ev.Actor = mv.Actor
	ev.Reason = mv.Reason
	ev.Note = mv.Note
	ev.FirstEntry = p.toFact < 0
	ev.Stay = m.commit(s, mv, p)
	return nil
}

// check runs every check of Apply and returns the plan.
// It takes pointers only to avoid copying; it modifies nothing.
func (m *Model) check(s *State, mv *Move, guards bool) (plan, error) {
	if p, ok := m.quick(s, mv); ok {
		return p, nil
	}
	return m.checkAll(s, mv, guards)
}

// quick is the fast path of check for the common case: a contact already
// in the funnel moving along an edge that has no guards, with every check
// passing. It never refuses a move: as soon as anything is unusual it
// returns ok == false and check runs checkAll, which repeats every check
// in the documented order to build the precise error (or accepts the move
// after all). It is kept free of error values so that the compiler keeps
// its state in registers; TestQuickAgrees checks that it accepts exactly
// the moves checkAll accepts on this path, with the same plan.
func (m *Model) quick(s *State, mv *Move) (plan, bool) {
	if len(mv.To) == 0 || len(s.Stage) == 0 {
		return plan{}, false
	}
	to, from := m.lookup.findFast(mv.To), m.lookup.findFast(s.Stage)
	if to < 0 || from < 0 || to == from {
		return plan{}, false
	}
	c := m.cells[from*m.n+to]
	if c < 0 {
		return plan{}, false
	}
	e := &m.edges[c]
	// s.Version-1 wraps 0 to MaxUint64: one comparison refuses both
	// version 0 (a stage without a move applied) and MaxUint64.
	if len(e.guards) != 0 || s.Version-1 >= math.MaxUint64-1 ||
		mv.CheckVersion && mv.ExpectedVersion != s.Version ||
		mv.EventID != "" && mv.EventID == s.LastEventID ||
		!plainTime(mv.At, s.Since) ||
		// The zone: UTC (one comparison) or an offset JSON can write.
		mv.At.Location() != time.UTC && !jsonZone(mv.At) {
		return plan{}, false
	}
	if mv.Reason == "" {
		if e.needReason {
			return plan{}, false
		}
	} else if !m.acceptsReason(e, mv.Reason) {
		return plan{}, false
	}
	fromFact, toFact := findFacts(s.Facts, s.Stage, mv.To)
	if fromFact < 0 {
		return plan{}, false
	}
	return plan{to: int32(to), fromFact: fromFact, toFact: toFact, edge: int32(c)}, true
}

// findFacts returns the indices in facts of stages from and to, -1 for a
// stage not found, in one pass that stops once both are found.
func findFacts(facts []StageFacts, from, to Stage) (fromFact, toFact int32) {
	fromFact, toFact = -1, -1
	for i := range facts {
		switch facts[i].Stage {
		case from:
			fromFact = int32(i)
		case to:
			toFact = int32(i)
		default:
			continue
		}
		if toFact >= 0 && fromFact >= 0 {
			return fromFact, toFact
		}
	}
	return fromFact, toFact
}

// checkAll runs every check of Apply in the documented order and returns
// the plan, or the error of the first check that fails.
func (m *Model) checkAll(s *State, mv *Move, guards bool) (plan, error) {
	if mv.To == "" || mv.At.IsZero() || !jsonTime(mv.At) {
		return plan{}, &MoveError{From: s.Stage, To: mv.To, Reason: mv.Reason, Err: ErrInvalidMove}
	}
	// The inlined fast path of find (mv.To and s.Stage are non-empty).
	to := m.lookup.findFast(mv.To)
	if to < 0 && m.lookup.fallback != nil {
		to = m.lookup.slowFind(mv.To)
	}
	if to < 0 {
		return plan{}, &MoveError{From: s.Stage, To: mv.To, Reason: mv.Reason, Err: ErrUnknownStage}
	}
	p := plan{to: int32(to), fromFact: -1, toFact: -1, edge: -1}
	from := -1
	if s.Stage != "" {
		from = m.lookup.findFast(s.Stage)
		if from < 0 && m.lookup.fallback != nil {
			from = m.lookup.slowFind(s.Stage)
		}
		if from < 0 {
			return plan{}, &MoveError{From: s.Stage, To: mv.To, Reason: mv.Reason, Err: ErrUnknownStage}
		}
		if from == to {
			return plan{to: int32(to), fromFact: -1, toFact: -1, edge: noopEdge}, nil
		}
	}
	p.fromFact, p.toFact = findFacts(s.Facts, s.Stage, mv.To)
	if (from >= 0) != (p.fromFact >= 0) || (from < 0 && len(s.Facts) > 0) ||
		(from >= 0) != (s.Version != 0) || s.Version == math.MaxUint64 {
		return plan{}, &MoveError{From: s.Stage, To: mv.To, Reason: mv.Reason, Err: ErrInvalidState}
	}
	if mv.EventID != "" && mv.EventID == s.LastEventID {
		return plan{}, &MoveError{From: s.Stage, To: mv.To, Reason: mv.Reason, Err: ErrDuplicateEvent}
	}
	if mv.CheckVersion && mv.ExpectedVersion != s.Version {
		return plan{}, &MoveError{From: s.Stage, To: mv.To, Reason: mv.Reason,
			Expected: mv.ExpectedVersion, Actual: s.Version, Err: ErrVersionConflict}
	}
	if from < 0 {
		// Entry move: into the entry stage, a later forward stage with
		// AllowSkip, or the target of a declared entry move. Reasons are
		// optional, from the edge's list or else the model's.
		c := m.entries[to]
		if c < 0 {
			return plan{}, &MoveError{To: mv.To, Reason: mv.Reason, Kind: MoveEntry, Err: ErrNotAllowed}
		}
		e := &m.edges[c]
		if mv.Reason != "" && !m.acceptsReason(e, mv.Reason) {
			return plan{}, &MoveError{To: mv.To, Reason: mv.Reason, Kind: MoveEntry, Err: ErrUnknownReason}
		}
		if guards {
			for _, g := range e.guards {
				if err := m.guards[g].Check(*s, *mv); err != nil {
					return plan{}, &MoveError{To: mv.To, Reason: mv.Reason, Kind: MoveEntry,
						Guard: m.guards[g].Name, Err: ErrGuard, Cause: err}
				}
			}
		}
		return p, nil // p.edge stays -1: the entry move
	}
	if wallBefore(mv.At, s.Since) {
		return plan{}, &MoveError{From: s.Stage, To: mv.To, Reason: mv.Reason, Err: ErrTimeTravel}
	}
	c := m.cells[from*m.n+to]
	if c < 0 {
		return plan{}, &MoveError{From: s.Stage, To: mv.To, Reason: mv.Reason, Kind: m.classify(from, to), Err: ErrNotAllowed}
	}
	e := &m.edges[c]
	p.edge = int32(c)
	if mv.Reason == "" {
		if e.needReason {
			return plan{}, &MoveError{From: s.Stage, To: mv.To, Kind: e.kind, Err: ErrReasonRequired}
		}
	} else if !m.acceptsReason(e, mv.Reason) {
		return plan{}, &MoveError{From: s.Stage, To: mv.To, Reason: mv.Reason, Kind: e.kind, Err: ErrUnknownReason}
	}
	if guards {
		for _, g := range e.guards {
			if err := m.guards[g].Check(*s, *mv); err != nil {
				return plan{}, &MoveError{From: s.Stage, To: mv.To, Reason: mv.Reason, Kind: e.kind,
					Guard: m.guards[g].Name, Err: ErrGuard, Cause: err}
			}
		}
	}
	return p, nil
}

func (m *Model) acceptsReason(e *edge, r ReasonCode) bool {
	if e.reasons == nil {
		_, ok := m.reasons[r]
		return ok
	}
	for _, c := range e.reasons {
		if c == r {
			return true
		}
	}
	return false
}

// commit turns s into the new state for a checked move and returns the
// stay it closes; ApplyTo writes the event, Replay needs none.
func (m *Model) commit(s *State, mv *Move, p plan) time.Duration {
	var stay time.Duration
	if p.fromFact >= 0 {
		stay = since(mv.At, s.Since)
		f := &s.Facts[p.fromFact]
		f.LastExited = mv.At
		f.Cumulative = addSat(f.Cumulative, stay)
	}
	if p.toFact >= 0 {
		f := &s.Facts[p.toFact]
		f.LastEntered = mv.At
		f.Entries++
	} else {
		s.Facts = append(s.Facts, StageFacts{
			Stage: m.stages[p.to].ID, FirstEntered: mv.At, LastEntered: mv.At, Entries: 1,
		})
	}
	s.Stage = m.stages[p.to].ID
	s.Version++
	s.Since = mv.At
	s.LastEventID = mv.EventID
	return stay
}

// since returns the wall-clock time from "from" to "to" (to ≥ from),
// computed from seconds and nanoseconds (cheaper than Sub's overflow
// checks) and saturating like Sub beyond 290 years.
//
// Times are compared and subtracted by their wall clock only, never by a
// monotonic reading that time.Now may carry: the event log stores wall
// times, and Replay must compute exactly what Apply computed.
func since(to, from time.Time) time.Duration {
	ds := to.Unix() - from.Unix()
	if ds >= 0 && ds < 9_000_000_000 {
		return time.Duration(ds)*time.Second + time.Duration(to.Nanosecond()-from.Nanosecond())
	}
	return to.Round(0).Sub(from.Round(0))
}

// jsonTime reports whether t can be written as an RFC 3339 JSON time: its
// year, in its own zone, is between 0 and 9999, and its zone's offset from
// UTC is less than a day, in whole minutes (time.Time.MarshalJSON fails
// otherwise, or drops the offset's seconds: RFC 3339 has four digits for
// the year, two for the offset's hours and two for its minutes). Apply
// refuses other times, so that every state and event it produces can be
// stored as JSON.
func jsonTime(t time.Time) bool {
	y := t.Year()
	return y >= 0 && y <= 9999 && jsonZone(t)
}

// maxZoneOffset bounds, exclusively, the UTC offsets in seconds that RFC
// 3339 JSON can write (hours 00 to 23).
const maxZoneOffset = 24 * 60 * 60

// jsonZone reports whether RFC 3339 can write t's UTC offset: less than
// a day, in whole minutes. time.Time.MarshalJSON drops the seconds of an
// offset such as the +00:19:32 of Amsterdam's mean time before 1937, so
// the time would read back 32 seconds off.
func jsonZone(t time.Time) bool {
	_, off := t.Zone()
	return -maxZoneOffset < off && off < maxZoneOffset && off%60 == 0
}

// plainTime is quick's check of a move's time at against the state's
// since, in one reading of each clock: at is after the year 1 began and
// more than a day before the year 9999 ends (so it is not the zero time and
// its year is in jsonTime's range in any zone that jsonZone accepts), and
// it is not before since by the wall clock. False sends the move to
// checkAll, which checks each thing exactly.
func plainTime(at, since time.Time) bool {
	const (
		minPlain = -62135510400 // 0001-01-02T00:00:00Z
		maxPlain = 253402214400 // 9999-12-31T00:00:00Z
	)
	u, v := at.Unix(), since.Unix()
	return u > minPlain && u < maxPlain && (u > v || u == v && at.Nanosecond() >= since.Nanosecond())
}

// wallBefore reports whether a is before b by the wall clock.
func wallBefore(a, b time.Time) bool {
	as, bs := a.Unix(), b.Unix()
	return as < bs || as == bs && a.Nanosecond() < b.Nanosecond()
}

// addSat adds two non-negative durations, saturating instead of
// overflowing.
func addSat(a, b time.Duration) time.Duration {
	if b > 0 && a > maxDuration-b {
		return maxDuration
	}
	return a + b
}

const maxDuration = time.Duration(1<<63 - 1)

// classify returns the kind of a move between two stages, whether or not
// the model allows it.
func (m *Model) classify(from, to int) MoveKind {
	rf, rt := m.rank[from], m.rank[to]
	switch {
	case rf >= 0 && rt >= 0:
		switch {
		case rt == rf+1:
			return MoveForward
		case rt > rf:
			return MoveSkip
		default:
			return MoveBackward
		}
	case rf >= 0:
		return MoveDetour
	case rt >= 0:
		return MoveReturn
	default:
		return MoveAcross
	}
}

// Replay rebuilds the state of contact lead from its event log, in order,
// and returns exactly the state that the [Model.Apply] calls which produced
// the events returned.
//
// Every event must be one the model allows from the state rebuilt so far
// (edges, reasons and time order; guards are not run again: they judged the
// decision when it was made), carry the next version (1, 2, 3, ...: else
// [ErrVersionGap]), a lead equal to lead, an ID not seen before
// ([ErrDuplicateEvent]) and derived fields (From, Kind, FirstEntry, Stay)
// equal to what the model computes ([ErrEventMismatch]). The Model field is
// not checked, so a log can be replayed on a newer version of a model. An
// event equal to the one just before it, with the same non-empty ID, is an
// idempotent re-delivery and is skipped.
//
// On failure Replay returns the state rebuilt from the events before the
// bad one, and a [*ReplayError] with its position.
func (m *Model) Replay(lead string, events []Event) (State, error) {
	s := State{Lead: lead}
	var seen map[string]struct{}
	for i := range events {
		e := &events[i]
		if i > 0 && e.ID != "" && e.ID == events[i-1].ID && e.Equal(events[i-1]) {
			continue // re-delivery of the previous event
		}
		fail := func(err error) (State, error) {
			return s, &ReplayError{Index: i, EventID: e.ID, Err: err}
		}
		if e.ID != "" {
			if seen == nil {
				seen = make(map[string]struct{}, len(events))
			}
			if _, dup := seen[e.ID]; dup {
				return fail(ErrDuplicateEvent)
			}
			seen[e.ID] = struct{}{}
		}
		if e.Lead != lead {
			return fail(fmt.Errorf("%w: lead %q, want %q", ErrEventMismatch, e.Lead, lead))
		}
		if e.Version != s.Version+1 {
			return fail(fmt.Errorf("%w: version %d, want %d", ErrVersionGap, e.Version, s.Version+1))
		}
		mv := Move{To: e.To, At: e.At, Actor: e.Actor, Reason: e.Reason, Note: e.Note, EventID: e.ID}
		p, err := m.check(&s, &mv, false)
		if err != nil {
			return fail(err)
		}
		if p.edge == noopEdge {
			return fail(fmt.Errorf("%w: move to the current stage %q", ErrEventMismatch, e.To))
		}
		// Check the derived fields before committing, so s stays the state
		// before the bad event.
		var stay time.Duration
		if p.fromFact >= 0 {
			stay = since(e.At, s.Since)
		}
		switch {
		case e.From != s.Stage:
			return fail(fmt.Errorf("%w: from %q, want %q", ErrEventMismatch, e.From, s.Stage))
		case e.Kind != m.kind(p):
			return fail(fmt.Errorf("%w: kind %q, want %q", ErrEventMismatch, e.Kind, m.kind(p)))
		case e.FirstEntry != (p.toFact < 0):
			return fail(fmt.Errorf("%w: first_entry %t, want %t", ErrEventMismatch, e.FirstEntry, p.toFact < 0))
		case e.Stay != stay:
			return fail(fmt.Errorf("%w: stay %v, want %v", ErrEventMismatch, e.Stay, stay))
		}
		m.commit(&s, &mv, p)
	}
	return s, nil
}

// New validates spec and compiles it into a Model. It reports every
// problem at once: the error is an [errors.Join] of [*SpecError] values,
// each with the path of the field at fault (such as "stages[2].team") and
// each matching [ErrInvalidSpec]. The spec is deep-copied: changing it
// afterwards does not affect the model.
func New(spec Spec) (*Model, error) {
	spec = spec.clone()
	var v validator
	v.spec(&spec)
	if len(v.errs) > 0 {
		return nil, errors.Join(v.errs...)
	}
	return compile(spec), nil
}

// MustNew is like [New] but panics if the spec is invalid. It is meant for
// package-level variables built from specs written in code.
func MustNew(spec Spec) *Model {
	m, err := New(spec)
	if err != nil {
		panic(err)
	}
	return m
}

// clone returns a deep copy of s, with empty slices as nil so that copies
// compare equal with go-cmp whatever their origin (Go or JSON).
func (s Spec) clone() Spec {
	s.Stages = cloneOrNil(s.Stages)
	if len(s.Moves) > 0 {
		mv := make([]MoveSpec, len(s.Moves))
		for i, m := range s.Moves {
			m.Reasons = cloneOrNil(m.Reasons)
			m.Guards = cloneOrNil(m.Guards)
			mv[i] = m
		}
		s.Moves = mv
	} else {
		s.Moves = nil
	}
	s.Reasons = cloneOrNil(s.Reasons)
	s.Guards = cloneOrNil(s.Guards)
	return s
}

func cloneOrNil[E any](s []E) []E {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// compile builds the dense tables of a validated spec.
func compile(spec Spec) *Model {
	n := len(spec.Stages)
	m := &Model{
		id: spec.ID, allowSkip: spec.AllowSkip, n: n,
		stages: spec.Stages, rank: make([]int, n),
		cells:   make([]int16, n*n),
		entries: make([]int16, n),
		reasons: make(map[ReasonCode]struct{}, len(spec.Reasons)),
		guards:  spec.Guards,
	}
	m.lookup = newStageIndex(spec.Stages)
	for i, st := range spec.Stages {
		m.rank[i] = -1
		if st.Kind == Forward {
			m.rank[i] = len(m.forward)
			m.forward = append(m.forward, i)
		}
	}
	if spec.Entry == "" {
		spec.Entry = spec.Stages[m.forward[0]].ID
	}
	m.entry = m.lookup.find(spec.Entry)
	for _, r := range spec.Reasons {
		m.reasons[r.Code] = struct{}{}
	}
	for i := range m.cells {
		m.cells[i] = -1
	}
	for i := range m.entries {
		m.entries[i] = -1
	}
	// cell returns the table slot of an edge (entries for entry moves).
	cell := func(from, to int) *int16 {
		if from < 0 {
			return &m.entries[to]
		}
		return &m.cells[from*n+to]
	}
	add := func(e edge) {
		*cell(e.from, e.to) = int16(len(m.edges))
		m.edges = append(m.edges, e)
	}
	// The implicit entry moves: the entry stage and, with AllowSkip, every
	// later forward stage.
	add(edge{from: -1, to: m.entry, kind: MoveEntry})
	if spec.AllowSkip {
		for _, to := range m.forward[m.rank[m.entry]+1:] {
			add(edge{from: -1, to: to, kind: MoveEntry})
		}
	}
	// The implicit forward path and, with AllowSkip, the skips.
	for k, from := range m.forward {
		for j := k + 1; j < len(m.forward); j++ {
			if j > k+1 && !spec.AllowSkip {
				break
			}
			to := m.forward[j]
			add(edge{from: from, to: to, kind: m.classify(from, to)})
		}
	}
	guardIdx := make(map[string]int, len(spec.Guards))
	for i, g := range spec.Guards {
		guardIdx[g.Name] = i
	}
	for _, ms := range spec.Moves {
		from, to := m.lookup.find(ms.From), m.lookup.find(ms.To) // from is -1 for an entry move
		e := edge{from: from, to: to, kind: MoveEntry, declared: true}
		if from >= 0 {
			e.kind = m.classify(from, to)
			e.needReason = e.kind != MoveForward && e.kind != MoveSkip
		}
		if len(ms.Reasons) > 0 {
			e.reasons = slices.Clone(ms.Reasons)
		}
		for _, g := range ms.Guards {
			e.guards = append(e.guards, guardIdx[g])
		}
		if c := *cell(from, to); c >= 0 {
			m.edges[c] = e // a declared forward or entry edge replaces the implicit one
		} else {
			add(e)
		}
	}
	m.spec = spec
	return m
}
