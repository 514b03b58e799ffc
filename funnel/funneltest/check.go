package funneltest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
)

// Problem is one finding of [Check]: which rule, the stage or edge
// concerned, and what is wrong.
type Problem struct {
	Rule  Rule
	Where string // "stage nurture" or "edge mql → nurture"
	What  string
}

// Rule names a rule of [Check], so that a host can tell findings apart
// (and, say, tolerate unused reasons while it migrates).
type Rule string

// The rules of [Check].
const (
	// RuleReachable: every stage is reachable from the start, through the
	// model's entry moves ([funnel.Model.EdgesFrom] of the empty stage).
	RuleReachable Rule = "reachable"
	// RuleTerminalClosed: terminal stages have no way out.
	RuleTerminalClosed Rule = "terminal_closed"
	// RuleNoTrap: every non-terminal stage can reach the end of the path.
	RuleNoTrap Rule = "no_trap"
	// RuleReasons: every backward move, detour, return and move across
	// detours requires and lists reason codes.
	RuleReasons Rule = "reasons"
	// RuleReasonUsed: every declared reason code is used by some move.
	RuleReasonUsed Rule = "reason_used"
	// RuleGuardUsed: every declared guard is attached to some move (a
	// guard attached to nothing protects nothing).
	RuleGuardUsed Rule = "guard_used"
	// RuleConsistent: the edges the model reports, with the reasons they
	// list and require, are exactly those Can accepts, and Can refuses the
	// reasons they do not accept (a failure here is a bug in package
	// funnel).
	RuleConsistent Rule = "consistent"
)

func (p *Problem) Error() string {
	return "funneltest: " + p.Where + ": " + p.What + " (" + string(p.Rule) + ")"
}

// Check inspects a model for design mistakes that [funnel.New] accepts but
// a lifecycle should not have, and returns them joined (nil when there are
// none), each a [*Problem]:
//
//   - every stage is reachable from the start, through the entry moves;
//   - terminal stages have no way out;
//   - every non-terminal stage can still reach the last stage of the
//     forward path (no trap such as a detour without a return);
//   - every backward move, detour, return and move across detours lists its
//     reason codes;
//   - every declared reason code is used by some move;
//   - every declared guard is attached to some move;
//   - every edge the model reports is one [funnel.Model.Can] accepts
//     (guards aside) with each of the reasons it lists, and without a
//     reason unless it says it requires one, in which case Can refuses a
//     move without one with [funnel.ErrReasonRequired]; Can refuses with
//     [funnel.ErrUnknownReason] a code the model does not declare and,
//     on an edge that lists its reasons, a declared code it does not list;
//     moves the model does not report are refused with
//     [funnel.ErrNotAllowed].
func Check(m *funnel.Model) error { return check(m) }

// model is what Check reads of a [*funnel.Model]: tests give check models
// that break the rules funnel.New enforces, so that every rule is seen to
// fire.
type model interface {
	Entry() funnel.Stage
	Path() []funnel.Stage
	Stages() []funnel.StageSpec
	Edges() []funnel.Edge
	Reasons() []funnel.ReasonSpec
	Spec() funnel.Spec
	Can(funnel.State, funnel.Move) error
}

func check(m model) error {
	var probs []error
	add := func(rule Rule, where, format string, args ...any) {
		probs = append(probs, &Problem{Rule: rule, Where: where, What: fmt.Sprintf(format, args...)})
	}
	stages := m.Stages()
	out := map[funnel.Stage][]funnel.Edge{}
	edges := m.Edges()
	for _, e := range edges {
		out[e.From] = append(out[e.From], e)
	}

	// Reachability from the entry moves.
	reach := reachable(out, "")
	for _, st := range stages {
		if !reach[st.ID] {
			add(RuleReachable, "stage "+string(st.ID), "not reachable from the entry stage %s", m.Entry())
		}
	}

	// Terminals have no way out; other stages reach the end of the path.
	path := m.Path()
	last := path[len(path)-1]
	for _, st := range stages {
		if st.Kind == funnel.Terminal {
			if n := len(out[st.ID]); n > 0 {
				add(RuleTerminalClosed, "stage "+string(st.ID), "terminal stage has %d moves out", n)
			}
			continue
		}
		if st.ID != last && !reachable(out, st.ID)[last] {
			add(RuleNoTrap, "stage "+string(st.ID), "cannot reach %s, the end of the forward path (make it terminal or add a way back)", last)
		}
	}

	// Reasons on every edge that needs them; every reason used.
	used := map[funnel.ReasonCode]bool{}
	for _, e := range edges {
		for _, r := range e.Reasons {
			used[r] = true
		}
		if e.ReasonRequired && len(e.Reasons) == 0 {
			add(RuleReasons, edgeName(e), "%s move without reason codes", e.Kind)
		}
		if e.Kind != funnel.MoveEntry && e.Kind != funnel.MoveForward && e.Kind != funnel.MoveSkip && !e.ReasonRequired {
			add(RuleReasons, edgeName(e), "%s move does not require a reason", e.Kind)
		}
	}
	for _, r := range m.Reasons() {
		if !used[r.Code] {
			add(RuleReasonUsed, "reason "+string(r.Code), "declared but no move lists it")
		}
	}
	attached := map[string]bool{}
	for _, e := range edges {
		for _, g := range e.Guards {
			attached[g] = true
		}
	}
	for _, g := range m.Spec().Guards {
		if !attached[g.Name] {
			add(RuleGuardUsed, "guard "+g.Name, "declared but attached to no move")
		}
	}

	// The reported edges agree with Can.
	var declared []funnel.ReasonCode
	for _, r := range m.Reasons() {
		declared = append(declared, r.Code)
	}
	undeclared := UnknownReason
	for slices.Contains(declared, undeclared) {
		undeclared += "_x"
	}
	at := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	allowed := map[[2]funnel.Stage]bool{}
	for _, e := range edges {
		allowed[[2]funnel.Stage{e.From, e.To}] = true
		before := len(probs)
		s := stateAt(e.From, at)
		mv := funnel.Move{To: e.To, At: at.Add(time.Hour)}
		// Without a reason: refused as needing one exactly when the edge
		// says it requires one.
		err := m.Can(s, mv)
		switch {
		case e.ReasonRequired && !errors.Is(err, funnel.ErrReasonRequired):
			add(RuleConsistent, edgeName(e), "reported as requiring a reason but Can returns %v for a move without one", err)
		case !e.ReasonRequired && err != nil && !errors.Is(err, funnel.ErrGuard):
			add(RuleConsistent, edgeName(e), "reported as allowed without a reason but Can refuses it: %v", err)
		}
		// With each reason it lists: accepted.
		for _, r := range e.Reasons {
			mv.Reason = r
			if err := m.Can(s, mv); err != nil && !errors.Is(err, funnel.ErrGuard) {
				add(RuleConsistent, edgeName(e), "reported as allowed with reason %s but Can refuses it: %v", r, err)
				break
			}
		}
		// With a reason it does not accept (a declared code it does not
		// list, a code the model does not declare): refused as such. Not
		// asked when the edge already disagrees with Can above.
		for _, r := range []funnel.ReasonCode{unlisted(declared, e.Reasons), undeclared} {
			if r == "" || len(probs) > before {
				continue
			}
			mv.Reason = r
			if err := m.Can(s, mv); !errors.Is(err, funnel.ErrUnknownReason) {
				add(RuleConsistent, edgeName(e), "does not list reason %s but Can returns %v for a move with it", r, err)
				break
			}
		}
	}
	froms := append([]funnel.StageSpec{{}}, stages...)
	for _, f := range froms {
		for _, t := range stages {
			if f.ID == t.ID || allowed[[2]funnel.Stage{f.ID, t.ID}] {
				continue
			}
			err := m.Can(stateAt(f.ID, at), funnel.Move{To: t.ID, At: at.Add(time.Hour)})
			if !errors.Is(err, funnel.ErrNotAllowed) {
				add(RuleConsistent, edgeName(funnel.Edge{From: f.ID, To: t.ID}), "not reported as allowed but Can returns %v", err)
			}
		}
	}
	return errors.Join(probs...)
}

// CheckModel runs [Check] and reports each problem with t.Error.
func CheckModel(t testing.TB, m *funnel.Model) {
	t.Helper()
	err := Check(m)
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			t.Error(e)
		}
		return
	}
	t.Error(err)
}

// unlisted returns the first declared code that an edge listing reasons
// does not list, or "" when there is none (or the edge lists none, and so
// accepts every declared code).
func unlisted(declared, listed []funnel.ReasonCode) funnel.ReasonCode {
	if len(listed) == 0 {
		return ""
	}
	for _, r := range declared {
		if !slices.Contains(listed, r) {
			return r
		}
	}
	return ""
}

func edgeName(e funnel.Edge) string {
	from := string(e.From)
	if from == "" {
		from = "(start)"
	}
	return "edge " + from + " → " + string(e.To)
}

// reachable returns the stages reachable from "from" along the edges.
func reachable(out map[funnel.Stage][]funnel.Edge, from funnel.Stage) map[funnel.Stage]bool {
	seen := map[funnel.Stage]bool{}
	queue := []funnel.Stage{from}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, e := range out[s] {
			if !seen[e.To] {
				seen[e.To] = true
				queue = append(queue, e.To)
			}
		}
	}
	return seen
}

// stateAt is a minimal consistent state in stage st (the zero state for
// the empty stage).
func stateAt(st funnel.Stage, at time.Time) funnel.State {
	if st == "" {
		return funnel.State{Lead: "check"}
	}
	return funnel.State{
		Lead: "check", Stage: st, Version: 1, Since: at,
		Facts: []funnel.StageFacts{{Stage: st, FirstEntered: at, LastEntered: at, Entries: 1}},
	}
}
