package funneltest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/funnel/funneltest"
	"pgregory.net/rapid"
)

func TestPresetsPassCheck(t *testing.T) {
	funneltest.CheckModel(t, funnel.Default())
	funneltest.CheckModel(t, funnel.Waterfall())
}

func TestCheckFindsProblems(t *testing.T) {
	spec := funnel.Spec{
		ID:    "flawed",
		Entry: "b",
		Stages: []funnel.StageSpec{
			{ID: "a", Team: funnel.Marketing, Kind: funnel.Forward},     // before the entry, no skip: unreachable
			{ID: "b", Team: funnel.Marketing, Kind: funnel.Forward},     // entry
			{ID: "c", Team: funnel.Sales, Kind: funnel.Forward},         // end of the path
			{ID: "trap", Team: funnel.Sales, Kind: funnel.Detour},       // no way out
			{ID: "orphan", Team: funnel.Marketing, Kind: funnel.Detour}, // no way in
		},
		Moves: []funnel.MoveSpec{
			{From: "b", To: "trap", Reasons: []funnel.ReasonCode{"r1"}},
			{From: "orphan", To: "c", Reasons: []funnel.ReasonCode{"r1"}},
		},
		Reasons: []funnel.ReasonSpec{{Code: "r1"}, {Code: "unused"}},
	}
	m, err := funnel.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	err = funneltest.Check(m)
	if err == nil {
		t.Fatal("Check found nothing")
	}
	var got []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var p *funneltest.Problem
		if !errors.As(e, &p) {
			t.Fatalf("not a *Problem: %v", e)
		}
		got = append(got, p.Where+" "+string(p.Rule))
	}
	want := []string{"stage a reachable", "stage orphan reachable", "stage trap no_trap", "reason unused reason_used"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("problems at %q, want %q\n%v", got, want, err)
	}
	// CheckModel reports each through t.Error.
	rec := &recorder{TB: t}
	funneltest.CheckModel(rec, m)
	if rec.errors != len(want) {
		t.Errorf("CheckModel reported %d errors, want %d", rec.errors, len(want))
	}
}

type recorder struct {
	testing.TB
	errors int
}

func (r *recorder) Error(args ...any) { r.errors++ }
func (r *recorder) Helper()           {}

func models(t *rapid.T) *funnel.Model {
	switch rapid.IntRange(0, 2).Draw(t, "which") {
	case 0:
		return funnel.Default()
	case 1:
		return funnel.Waterfall()
	}
	return funnel.MustNew(funneltest.Spec().Draw(t, "spec"))
}

// TestInvalidMove: every drawn invalid move is refused with the sentinel
// the generator names, from states reached by valid moves.
func TestInvalidMove(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) { checkInvalidAfterValid(t, models(t), start, 10) })
}

// checkInvalidAfterValid applies up to n drawn valid moves, then checks
// that a drawn invalid move is refused with the sentinel it names.
func checkInvalidAfterValid(t *rapid.T, m *funnel.Model, start time.Time, n int) {
	s := funnel.State{Lead: "l"}
	for _, mv := range funneltest.ValidMoves(m, "l", start, n).Draw(t, "prefix") {
		var err error
		if s, _, err = m.Apply(s, mv); err != nil {
			t.Fatal(err)
		}
	}
	inv := funneltest.InvalidMove(m, s, start).Draw(t, "invalid")
	if err := m.Can(s, inv.Move); !errors.Is(err, inv.Err) {
		t.Fatalf("Can(%+v) = %v, want %v", inv.Move, err, inv.Err)
	}
}

// TestValidMove: a drawn valid move is accepted, or is a no-op when the
// contact has no way out.
func TestValidMove(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		m := models(t)
		s := funnel.State{Lead: "l"}
		for range rapid.IntRange(0, 15).Draw(t, "steps") {
			mv := funneltest.ValidMove(m, s, start).Draw(t, "move")
			next, ev, err := m.Apply(s, mv)
			if err != nil {
				t.Fatalf("valid move %+v refused: %v", mv, err)
			}
			if ev.IsZero() && len(m.EdgesFrom(s.Stage)) > 0 {
				t.Fatalf("no-op drawn from %q, which has moves out", s.Stage)
			}
			s = next
		}
	})
}

// TestValidMovesStartAndIDs: a drawn sequence starts exactly at start, as
// ValidMoves promises (it used to start up to 180 days later), never goes
// back in time, and numbers its events e1, e2, ...
func TestValidMovesStartAndIDs(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		m := models(t)
		moves := funneltest.ValidMoves(m, "l", start, 8).Draw(t, "moves")
		for i, mv := range moves {
			switch {
			case i == 0 && !mv.At.Equal(start):
				t.Fatalf("first move at %v, want start %v", mv.At, start)
			case i > 0 && mv.At.Before(moves[i-1].At):
				t.Fatalf("move %d at %v, before move %d at %v", i, mv.At, i-1, moves[i-1].At)
			case mv.EventID != fmt.Sprint("e", i+1):
				t.Fatalf("move %d has event ID %q", i, mv.EventID)
			}
		}
	})
}

// TestValidMoveHostEventIDs: from a state whose last event ID, a host's
// own, is the one ValidMove would name the next event ("e2" at version
// 1), ValidMove still draws a real move with another fresh ID (it used to
// find every move refused as a re-delivery and draw a no-op).
func TestValidMoveHostEventIDs(t *testing.T) {
	m := funnel.Default()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, _, err := m.Apply(funnel.State{Lead: "l"}, funnel.Move{To: funnel.Lead, At: at, EventID: "e2"})
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		mv := funneltest.ValidMove(m, s, at).Draw(t, "move")
		if mv.To == s.Stage || mv.EventID == s.LastEventID {
			t.Fatalf("drew %+v from a stage with moves out", mv)
		}
		if _, ev, err := m.Apply(s, mv); err != nil || ev.IsZero() {
			t.Fatalf("valid move %+v: %v", mv, err)
		}
	})
}

// entryModel declares entry moves: a guarded entry at sql (without
// AllowSkip) and an entry at subscriber restricted to one reason.
func entryModel() *funnel.Model {
	spec := funnel.DefaultSpec()
	spec.ID = "entries"
	spec.AllowSkip = false
	spec.Guards = []funnel.Guard{{Name: "owner", Check: func(s funnel.State, mv funnel.Move) error {
		if mv.Actor == "" {
			return errors.New("no owner")
		}
		return nil
	}}}
	spec.Moves = append(spec.Moves,
		funnel.MoveSpec{To: funnel.SQL, Guards: []string{"owner"}},
		funnel.MoveSpec{To: funnel.Subscriber, Reasons: []funnel.ReasonCode{funnel.ReasonScoreThreshold}},
	)
	return funnel.MustNew(spec)
}

// TestEntryMoves: Check and the generators handle declared entry moves.
func TestEntryMoves(t *testing.T) {
	m := entryModel()
	funneltest.CheckModel(t, m)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) { checkInvalidAfterValid(t, m, start, 3) })
}

// TestMovesNewContactCannotEnter: when guards refuse every entry move, the
// step Moves draws for the new contact (which has no current stage for a
// no-op) is a move without a target, and the step says it must fail with
// ErrInvalidMove, not succeed.
func TestMovesNewContactCannotEnter(t *testing.T) {
	spec := funnel.DefaultSpec()
	spec.AllowSkip = false // the entry stage is the only way in
	spec.Guards = []funnel.Guard{{Name: "known_lead", Check: func(s funnel.State, mv funnel.Move) error {
		return errors.New("unknown lead")
	}}}
	spec.Moves = append(spec.Moves, funnel.MoveSpec{To: funnel.Subscriber, Guards: []string{"known_lead"}})
	m := funnel.MustNew(spec)
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		s := funnel.State{Lead: "lead-1"}
		for i, st := range funneltest.Moves(m, "lead-1", start, 5).Draw(t, "steps") {
			_, _, err := m.Apply(s, st.Move)
			if errors.Is(err, funnel.ErrGuard) {
				continue // documented: guards may refuse a move meant as valid
			}
			if (err == nil) != (st.Err == nil) || (err != nil && !errors.Is(err, st.Err)) {
				t.Fatalf("step %d %+v: err %v, want %v", i, st.Move, err, st.Err)
			}
		}
	})
}
