package funneltest_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/funnel/funneltest"
)

// Check a host's own lifecycle for design mistakes that funnel.New
// accepts: here a detour with no way back and a reason no move uses. In a
// test, call funneltest.CheckModel(t, m) instead.
func ExampleCheck() {
	m := funnel.MustNew(funnel.Spec{
		ID: "flawed",
		Stages: []funnel.StageSpec{
			{ID: "lead", Team: funnel.Marketing, Kind: funnel.Forward},
			{ID: "customer", Team: funnel.CustomerSuccess, Kind: funnel.Forward},
			{ID: "parked", Team: funnel.Marketing, Kind: funnel.Detour},
		},
		Moves:   []funnel.MoveSpec{{From: "lead", To: "parked", Reasons: []funnel.ReasonCode{"bad_timing"}}},
		Reasons: []funnel.ReasonSpec{{Code: "bad_timing"}, {Code: "no_budget"}},
	})
	err := funneltest.Check(m)
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var p *funneltest.Problem
		if errors.As(e, &p) {
			fmt.Println(p.Rule, "|", p.Where, "|", p.What)
		}
	}
	fmt.Println("presets:", funneltest.Check(funnel.Default()), funneltest.Check(funnel.Waterfall()))
	// Output:
	// no_trap | stage parked | cannot reach customer, the end of the forward path (make it terminal or add a way back)
	// reason_used | reason no_budget | declared but no move lists it
	// presets: <nil> <nil>
}

// The generators are meant for rapid.Check; Example draws one value
// outside a test. Every drawn sequence of valid moves applies in order, and
// every drawn invalid move is refused with the sentinel it names.
func ExampleValidMoves() {
	m := funnel.Default()
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	accepted, refused := 0, 0
	for seed := 1; seed <= 20; seed++ {
		s := funnel.State{Lead: "c1"}
		for _, mv := range funneltest.ValidMoves(m, "c1", start, 10).Example(seed) {
			next, ev, err := m.Apply(s, mv)
			if err != nil || ev.IsZero() {
				fmt.Println("unexpected:", err)
				return
			}
			s = next
			accepted++
		}
		inv := funneltest.InvalidMove(m, s, start).Example(seed)
		if _, _, err := m.Apply(s, inv.Move); errors.Is(err, inv.Err) {
			refused++
		}
	}
	fmt.Println("all valid moves accepted:", accepted > 0)
	fmt.Println("invalid moves refused as named:", refused, "of 20")
	// Output:
	// all valid moves accepted: true
	// invalid moves refused as named: 20 of 20
}
