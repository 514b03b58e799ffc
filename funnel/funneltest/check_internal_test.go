package funneltest

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
)

// broken is a real model seen through edits that funnel.New would never
// allow, so that the rules which guard against bugs in package funnel are
// seen to fire.
type broken struct {
	*funnel.Model
	edges func([]funnel.Edge) []funnel.Edge
	can   func(funnel.State, funnel.Move) (error, bool) // ok: use this answer
}

func (b broken) Edges() []funnel.Edge {
	if b.edges == nil {
		return b.Model.Edges()
	}
	return b.edges(b.Model.Edges())
}

func (b broken) Can(s funnel.State, mv funnel.Move) error {
	if b.can != nil {
		if err, ok := b.can(s, mv); ok {
			return err
		}
	}
	return b.Model.Can(s, mv)
}

// findings lists "where rule" for each problem check reports.
func findings(t *testing.T, m model) []string {
	t.Helper()
	err := check(m)
	if err == nil {
		return nil
	}
	var out []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var p *Problem
		if !errors.As(e, &p) {
			t.Fatalf("not a *Problem: %v", e)
		}
		out = append(out, p.Where+" "+string(p.Rule))
	}
	return out
}

// TestCheckRulesFire: each rule reports the flaw it is about, and nothing
// else does.
func TestCheckRulesFire(t *testing.T) {
	base := funnel.Default()
	edit := func(from, to funnel.Stage, f func(*funnel.Edge)) func([]funnel.Edge) []funnel.Edge {
		return func(es []funnel.Edge) []funnel.Edge {
			for i := range es {
				if es[i].From == from && es[i].To == to {
					f(&es[i])
				}
			}
			return es
		}
	}
	guarded := funnel.DefaultSpec()
	guarded.Guards = []funnel.Guard{
		{Name: "owner", Check: func(funnel.State, funnel.Move) error { return nil }},
		{Name: "forgotten", Check: func(funnel.State, funnel.Move) error { return nil }},
	}
	guarded.Moves = append(guarded.Moves, funnel.MoveSpec{From: funnel.MQL, To: funnel.SQL, Guards: []string{"owner"}})

	for _, tc := range []struct {
		name string
		m    model
		want []string
	}{
		{"preset", base, nil},
		{"terminal with a way out", broken{Model: base,
			edges: func(es []funnel.Edge) []funnel.Edge {
				return append(es, funnel.Edge{From: funnel.Disqualified, To: funnel.Lead, Kind: funnel.MoveReturn, Declared: true, ReasonRequired: true, Reasons: []funnel.ReasonCode{funnel.ReasonReEngaged}})
			},
			can: func(s funnel.State, mv funnel.Move) (error, bool) {
				switch {
				case s.Stage != funnel.Disqualified || mv.To != funnel.Lead:
					return nil, false
				case mv.Reason == "":
					return funnel.ErrReasonRequired, true
				case mv.Reason != funnel.ReasonReEngaged:
					return funnel.ErrUnknownReason, true
				}
				return nil, true
			}},
			[]string{"stage disqualified terminal_closed"}},
		{"detour without reason codes", broken{Model: base,
			edges: edit(funnel.MQL, funnel.Nurture, func(e *funnel.Edge) { e.Reasons = nil }),
			can: func(s funnel.State, mv funnel.Move) (error, bool) {
				switch {
				case s.Stage != funnel.MQL || mv.To != funnel.Nurture:
					return nil, false
				case mv.Reason == "":
					return funnel.ErrReasonRequired, true
				}
				// Without a list the edge accepts every declared code.
				return nil, mv.Reason != UnknownReason
			}},
			[]string{"edge mql → nurture reasons"}},
		{"backward move without a required reason", broken{Model: base,
			edges: edit(funnel.MQL, funnel.Lead, func(e *funnel.Edge) { e.ReasonRequired = false }),
			can: func(s funnel.State, mv funnel.Move) (error, bool) {
				return nil, s.Stage == funnel.MQL && mv.To == funnel.Lead && mv.Reason == ""
			}},
			[]string{"edge mql → lead reasons"}},
		{"reported edge that Can refuses", broken{Model: base,
			can: func(s funnel.State, mv funnel.Move) (error, bool) {
				return funnel.ErrNotAllowed, s.Stage == funnel.SQL && mv.To == funnel.Opportunity
			}},
			[]string{"edge sql → opportunity consistent"}},
		{"accepted move not reported", broken{Model: base,
			can: func(s funnel.State, mv funnel.Move) (error, bool) {
				return nil, s.Stage == funnel.Customer && mv.To == funnel.Lead
			}},
			[]string{"edge customer → lead consistent"}},
		// The two below used to pass: only the first listed reason was
		// tried, and whether a reason is required was not compared.
		{"listed reason that Can refuses", broken{Model: base,
			can: func(s funnel.State, mv funnel.Move) (error, bool) {
				return funnel.ErrUnknownReason, s.Stage == funnel.MQL && mv.To == funnel.Lead && mv.Reason == funnel.ReasonInsufficientData
			}},
			[]string{"edge mql → lead consistent"}},
		{"required reason that Can does not require", broken{Model: base,
			can: func(s funnel.State, mv funnel.Move) (error, bool) {
				return nil, s.Stage == funnel.MQL && mv.To == funnel.Lead && mv.Reason == ""
			}},
			[]string{"edge mql → lead consistent"}},
		{"optional reason that Can requires", broken{Model: base,
			can: func(s funnel.State, mv funnel.Move) (error, bool) {
				return funnel.ErrReasonRequired, s.Stage == funnel.MQL && mv.To == funnel.SQL && mv.Reason == ""
			}},
			[]string{"edge mql → sql consistent"}},
		// The two below used to pass: Can was never asked about a reason
		// the edge does not accept.
		{"unlisted reason that Can accepts", broken{Model: base,
			can: func(s funnel.State, mv funnel.Move) (error, bool) {
				return nil, s.Stage == funnel.MQL && mv.To == funnel.Nurture && mv.Reason != ""
			}},
			[]string{"edge mql → nurture consistent"}},
		{"undeclared reason that Can accepts", broken{Model: base,
			can: func(s funnel.State, mv funnel.Move) (error, bool) {
				return nil, s.Stage == funnel.Lead && mv.To == funnel.MQL && mv.Reason == UnknownReason
			}},
			[]string{"edge lead → mql consistent"}},
		{"unattached guard", funnel.MustNew(guarded), []string{"guard forgotten guard_used"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := findings(t, tc.m)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if !slices.Equal(got, findings(t, tc.m)) {
				t.Error("check is not deterministic")
			}
		})
	}
}
