package funnel

import "fmt"

// QuickAgrees checks the fast path of Model.check against the full one for
// state s and move mv: quick must accept only what checkAll accepts, with
// the same plan, and must accept every move checkAll accepts along an
// unguarded edge out of a declared stage (else the fast path is dead
// code). It returns whether quick took the move, and a description of any
// disagreement ("" when none).
func QuickAgrees(m *Model, s State, mv Move) (fast bool, problem string) {
	qp, ok := m.quick(&s, &mv)
	for _, guards := range []bool{true, false} {
		p, err := m.checkAll(&s, &mv, guards)
		switch {
		case ok && err != nil:
			return ok, fmt.Sprintf("quick accepts, checkAll (guards %t) refuses: %v", guards, err)
		case ok && p != qp:
			return ok, fmt.Sprintf("plans differ: quick %+v, checkAll %+v", qp, p)
		case !ok && err == nil && guards && p.edge >= 0 && len(m.edges[p.edge].guards) == 0 && m.lookup.fallback == nil:
			return ok, fmt.Sprintf("checkAll accepts %+v along an unguarded edge, quick does not", p)
		}
	}
	return ok, ""
}
