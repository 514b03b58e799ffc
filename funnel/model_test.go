package funnel_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func at(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

// walk applies moves and fails the test on any error.
func walk(t *testing.T, m *funnel.Model, s funnel.State, moves ...funnel.Move) (funnel.State, []funnel.Event) {
	t.Helper()
	var evs []funnel.Event
	for i, mv := range moves {
		next, ev, err := m.Apply(s, mv)
		if err != nil {
			t.Fatalf("move %d (%s): %v", i, mv.To, err)
		}
		s = next
		if !ev.IsZero() {
			evs = append(evs, ev)
		}
	}
	return s, evs
}

func TestPresets(t *testing.T) {
	for _, tc := range []struct {
		m     *funnel.Model
		path  []funnel.Stage
		entry funnel.Stage
	}{
		{funnel.Default(), []funnel.Stage{funnel.Subscriber, funnel.Lead, funnel.MQL, funnel.SQL, funnel.Opportunity, funnel.Customer, funnel.Evangelist}, funnel.Subscriber},
		{funnel.Waterfall(), []funnel.Stage{funnel.Inquiry, funnel.MQL, funnel.SAL, funnel.SQL, funnel.Won}, funnel.Inquiry},
	} {
		if diff := cmp.Diff(tc.path, tc.m.Path()); diff != "" {
			t.Errorf("%s path (-want +got):\n%s", tc.m.ID(), diff)
		}
		if tc.m.Entry() != tc.entry {
			t.Errorf("%s entry = %s", tc.m.ID(), tc.m.Entry())
		}
		for i, st := range tc.path {
			if r, ok := tc.m.Rank(st); !ok || r != i {
				t.Errorf("%s Rank(%s) = %d, %t", tc.m.ID(), st, r, ok)
			}
		}
		for _, st := range []funnel.Stage{funnel.Nurture, funnel.Lost, funnel.Disqualified, "nope", ""} {
			if _, ok := tc.m.Rank(st); ok {
				t.Errorf("%s Rank(%s) ok", tc.m.ID(), st)
			}
		}
		if sp, ok := tc.m.Stage(funnel.Disqualified); !ok || sp.Kind != funnel.Terminal {
			t.Errorf("%s disqualified = %+v, %t", tc.m.ID(), sp, ok)
		}
		if _, ok := tc.m.Stage("nope"); ok {
			t.Errorf("Stage(nope) ok")
		}
	}
}

func TestSpecIsACopy(t *testing.T) {
	spec := funnel.DefaultSpec()
	m := funnel.MustNew(spec)
	spec.Stages[0].Label = "changed"
	spec.Moves[0].Reasons[0] = "changed"
	got := m.Spec()
	got.Stages[1].Label = "changed too"
	got.Moves[0].Reasons[0] = "changed too"
	m.Stages()[2].Label = "x"
	want := funnel.DefaultSpec()
	if diff := cmp.Diff(want, m.Spec()); diff != "" {
		t.Errorf("model spec changed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(funnel.DefaultSpec(), funnel.DefaultSpec()); diff != "" {
		t.Errorf("DefaultSpec not deterministic:\n%s", diff)
	}
	// The presets must not share storage between calls.
	a := funnel.DefaultSpec()
	a.Moves[len(a.Moves)-1].Reasons[0] = "mutated"
	if b := funnel.DefaultSpec(); b.Moves[len(b.Moves)-1].Reasons[0] == "mutated" {
		t.Error("DefaultSpec shares reason slices between calls")
	}
}

func TestNewErrors(t *testing.T) {
	good := func() funnel.Spec {
		return funnel.Spec{
			ID: "t",
			Stages: []funnel.StageSpec{
				{ID: "a", Team: funnel.Marketing, Kind: funnel.Forward},
				{ID: "b", Team: funnel.Sales, Kind: funnel.Forward},
				{ID: "n", Team: funnel.Marketing, Kind: funnel.Detour},
				{ID: "x", Team: funnel.Marketing, Kind: funnel.Terminal},
			},
			Moves:   []funnel.MoveSpec{{From: "b", To: "n", Reasons: []funnel.ReasonCode{"r"}, Guards: []string{"g"}}},
			Reasons: []funnel.ReasonSpec{{Code: "r"}},
			Guards:  []funnel.Guard{{Name: "g", Check: func(funnel.State, funnel.Move) error { return nil }}},
		}
	}
	if _, err := funnel.New(good()); err != nil {
		t.Fatalf("good spec: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*funnel.Spec)
		paths []string
		is    error
	}{
		{"no id", func(s *funnel.Spec) { s.ID = "" }, []string{"id"}, nil},
		{"bad id", func(s *funnel.Spec) { s.ID = "a b" }, []string{"id"}, nil},
		{"no stages", func(s *funnel.Spec) { s.Stages = nil; s.Moves = nil }, []string{"stages"}, nil},
		{"too many stages", func(s *funnel.Spec) {
			for i := range 61 {
				s.Stages = append(s.Stages, funnel.StageSpec{ID: funnel.Stage(fmt.Sprintf("s%d", i)), Team: funnel.Sales, Kind: funnel.Forward})
			}
		}, []string{"stages"}, nil},
		{"malformed stage", func(s *funnel.Spec) { s.Stages[1].ID = "B" }, []string{"stages[1].id", "moves[0].from"}, funnel.ErrInvalidStage},
		{"duplicate stage", func(s *funnel.Spec) { s.Stages[1].ID = "a" }, []string{"stages[1].id", "moves[0].from"}, nil},
		{"bad team and kind", func(s *funnel.Spec) { s.Stages[2].Team = "ops"; s.Stages[2].Kind = "side" }, []string{"stages[2].team", "stages[2].kind"}, nil},
		{"long label", func(s *funnel.Spec) { s.Stages[0].Label = strings.Repeat("x", 300) }, []string{"stages[0].label"}, nil},
		{"bad utf8 label", func(s *funnel.Spec) { s.Reasons[0].Label = "\xff" }, []string{"reasons[0].label"}, nil},
		{"no forward", func(s *funnel.Spec) {
			s.Stages = s.Stages[2:]
			s.Moves = nil
		}, []string{"stages"}, nil},
		{"unknown entry", func(s *funnel.Spec) { s.Entry = "zz" }, []string{"entry"}, funnel.ErrUnknownStage},
		{"detour entry", func(s *funnel.Spec) { s.Entry = "n" }, []string{"entry"}, nil},
		{"bad reason", func(s *funnel.Spec) { s.Reasons = append(s.Reasons, funnel.ReasonSpec{Code: "R!"}) }, []string{"reasons[1].code"}, nil},
		{"duplicate reason", func(s *funnel.Spec) { s.Reasons = append(s.Reasons, funnel.ReasonSpec{Code: "r"}) }, []string{"reasons[1].code"}, nil},
		{"bad guard", func(s *funnel.Spec) {
			s.Guards = append(s.Guards, funnel.Guard{Name: "g"}, funnel.Guard{Name: "G"})
		}, []string{"guards[1].name", "guards[1].check", "guards[2].name", "guards[2].check"}, nil},
		{"unknown stages in move", func(s *funnel.Spec) {
			s.Moves = append(s.Moves, funnel.MoveSpec{From: "zz", To: "yy"})
		}, []string{"moves[1].from", "moves[1].to"}, funnel.ErrUnknownStage},
		{"self move", func(s *funnel.Spec) {
			s.Moves = append(s.Moves, funnel.MoveSpec{From: "a", To: "a"})
		}, []string{"moves[1]"}, nil},
		{"terminal way out", func(s *funnel.Spec) {
			s.Moves = append(s.Moves, funnel.MoveSpec{From: "x", To: "a", Reasons: []funnel.ReasonCode{"r"}})
		}, []string{"moves[1].from"}, nil},
		{"duplicate move", func(s *funnel.Spec) { s.Moves = append(s.Moves, s.Moves[0]) }, []string{"moves[1]"}, nil},
		{"backward without reasons", func(s *funnel.Spec) {
			s.Moves = append(s.Moves, funnel.MoveSpec{From: "b", To: "a"})
		}, []string{"moves[1].reasons"}, nil},
		{"undeclared and duplicate reasons", func(s *funnel.Spec) {
			s.Moves[0].Reasons = []funnel.ReasonCode{"r", "r", "q"}
		}, []string{"moves[0].reasons[1]", "moves[0].reasons[2]"}, funnel.ErrUnknownReason},
		{"undeclared and duplicate guards", func(s *funnel.Spec) {
			s.Moves[0].Guards = []string{"g", "g", "h"}
		}, []string{"moves[0].guards[1]", "moves[0].guards[2]"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := good()
			tc.edit(&s)
			m, err := funnel.New(s)
			if err == nil || m != nil {
				t.Fatalf("New = %v, %v; want an error", m, err)
			}
			if !errors.Is(err, funnel.ErrInvalidSpec) {
				t.Errorf("error does not match ErrInvalidSpec: %v", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error does not match %v: %v", tc.is, err)
			}
			var paths []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var se *funnel.SpecError
				if !errors.As(e, &se) {
					t.Fatalf("not a *SpecError: %T %v", e, e)
				}
				paths = append(paths, se.Path)
				if !strings.Contains(se.Error(), se.Path) {
					t.Errorf("message %q lacks path %q", se.Error(), se.Path)
				}
			}
			if diff := cmp.Diff(tc.paths, paths); diff != "" {
				t.Errorf("paths (-want +got):\n%s\n%v", diff, err)
			}
		})
	}
}

func TestMustNewPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Error("MustNew did not panic on an invalid spec")
		}
	}()
	funnel.MustNew(funnel.Spec{})
}

func TestApplyForwardAndFacts(t *testing.T) {
	m := funnel.Default()
	s, evs := walk(t, m, funnel.State{Lead: "c1"},
		funnel.Move{To: funnel.Subscriber, At: at(0), EventID: "e1", Actor: "form"},
		funnel.Move{To: funnel.Lead, At: at(1), EventID: "e2"},
		funnel.Move{To: funnel.MQL, At: at(3), EventID: "e3"},
		funnel.Move{To: funnel.Nurture, At: at(6), EventID: "e4", Reason: funnel.ReasonBadTiming, Note: "call in Q3"},
		funnel.Move{To: funnel.MQL, At: at(10), EventID: "e5", Reason: funnel.ReasonReEngaged},
		funnel.Move{To: funnel.MQL, At: at(11), EventID: "e6"}, // no-op
		funnel.Move{To: funnel.Customer, At: at(15), EventID: "e7"},
	)
	want := []funnel.Event{
		{ID: "e1", Lead: "c1", Model: m.ID(), Version: 1, At: at(0), To: funnel.Subscriber, Kind: funnel.MoveEntry, Actor: "form", FirstEntry: true},
		{ID: "e2", Lead: "c1", Model: m.ID(), Version: 2, At: at(1), From: funnel.Subscriber, To: funnel.Lead, Kind: funnel.MoveForward, FirstEntry: true, Stay: time.Hour},
		{ID: "e3", Lead: "c1", Model: m.ID(), Version: 3, At: at(3), From: funnel.Lead, To: funnel.MQL, Kind: funnel.MoveForward, FirstEntry: true, Stay: 2 * time.Hour},
		{ID: "e4", Lead: "c1", Model: m.ID(), Version: 4, At: at(6), From: funnel.MQL, To: funnel.Nurture, Kind: funnel.MoveDetour, Reason: funnel.ReasonBadTiming, Note: "call in Q3", FirstEntry: true, Stay: 3 * time.Hour},
		{ID: "e5", Lead: "c1", Model: m.ID(), Version: 5, At: at(10), From: funnel.Nurture, To: funnel.MQL, Kind: funnel.MoveReturn, Reason: funnel.ReasonReEngaged, Stay: 4 * time.Hour},
		{ID: "e7", Lead: "c1", Model: m.ID(), Version: 6, At: at(15), From: funnel.MQL, To: funnel.Customer, Kind: funnel.MoveSkip, FirstEntry: true, Stay: 5 * time.Hour},
	}
	if diff := cmp.Diff(want, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	wantState := funnel.State{
		Lead: "c1", Stage: funnel.Customer, Version: 6, Since: at(15), LastEventID: "e7",
		Facts: []funnel.StageFacts{
			{Stage: funnel.Subscriber, FirstEntered: at(0), LastEntered: at(0), LastExited: at(1), Entries: 1, Cumulative: time.Hour},
			{Stage: funnel.Lead, FirstEntered: at(1), LastEntered: at(1), LastExited: at(3), Entries: 1, Cumulative: 2 * time.Hour},
			{Stage: funnel.MQL, FirstEntered: at(3), LastEntered: at(10), LastExited: at(15), Entries: 2, Cumulative: 8 * time.Hour},
			{Stage: funnel.Nurture, FirstEntered: at(6), LastEntered: at(6), LastExited: at(10), Entries: 1, Cumulative: 4 * time.Hour},
			{Stage: funnel.Customer, FirstEntered: at(15), LastEntered: at(15), Entries: 1},
		},
	}
	if diff := cmp.Diff(wantState, s); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	if got := s.TimeIn(funnel.Customer, at(20)); got != 5*time.Hour {
		t.Errorf("TimeIn(customer, +5h) = %v", got)
	}
	if got := s.TimeIn(funnel.Customer, at(10)); got != 0 {
		t.Errorf("TimeIn(customer, before since) = %v", got)
	}
	if got := s.TimeIn(funnel.MQL, at(20)); got != 8*time.Hour {
		t.Errorf("TimeIn(mql) = %v", got)
	}
	if got := s.TimeIn(funnel.SQL, at(20)); got != 0 {
		t.Errorf("TimeIn(sql, never entered) = %v", got)
	}
}

func TestNoOp(t *testing.T) {
	m := funnel.Default()
	s, _ := walk(t, m, funnel.State{Lead: "c"}, funnel.Move{To: funnel.Lead, At: at(1), EventID: "e1"})
	// A no-op succeeds even when other fields would fail: nothing happens.
	for _, mv := range []funnel.Move{
		{To: funnel.Lead, At: at(2)},
		{To: funnel.Lead, At: at(0), Reason: "nonsense", CheckVersion: true, ExpectedVersion: 7},
		{To: funnel.Lead, At: at(2), EventID: "e1"},
	} {
		got, ev, err := m.Apply(s, mv)
		if err != nil || !ev.IsZero() || !got.Equal(s) {
			t.Errorf("no-op %+v = %+v, %+v, %v", mv, got, ev, err)
		}
		if err := m.Can(s, mv); err != nil {
			t.Errorf("Can(no-op) = %v", err)
		}
	}
}

func TestApplyErrors(t *testing.T) {
	owner := errors.New("no owner assigned")
	spec := funnel.DefaultSpec()
	spec.AllowSkip = false
	spec.Guards = []funnel.Guard{{Name: "sql_needs_owner", Check: func(s funnel.State, mv funnel.Move) error {
		if mv.Actor == "" {
			return owner
		}
		return nil
	}}}
	spec.Moves = append(spec.Moves, funnel.MoveSpec{From: funnel.MQL, To: funnel.SQL, Guards: []string{"sql_needs_owner"}})
	m := funnel.MustNew(spec)
	mql, _ := walk(t, m, funnel.State{Lead: "c"},
		funnel.Move{To: funnel.Subscriber, At: at(0), EventID: "e1"},
		funnel.Move{To: funnel.Lead, At: at(1), EventID: "e2"},
		funnel.Move{To: funnel.MQL, At: at(2), EventID: "e3"},
	)
	fresh := funnel.State{Lead: "c"}
	exhausted := mql.Clone()
	exhausted.Version = math.MaxUint64
	for _, tc := range []struct {
		name string
		s    funnel.State
		mv   funnel.Move
		want error
		msg  string
	}{
		{"no target", mql, funnel.Move{At: at(3)}, funnel.ErrInvalidMove, "funnel: move mql → (none): invalid move"},
		{"no time", mql, funnel.Move{To: funnel.SQL}, funnel.ErrInvalidMove, "funnel: move mql → sql: invalid move"},
		{"unknown target", mql, funnel.Move{To: "vip", At: at(3)}, funnel.ErrUnknownStage, "funnel: move mql → vip: unknown stage"},
		{"malformed target", mql, funnel.Move{To: "V I P", At: at(3)}, funnel.ErrUnknownStage, "funnel: move mql → V I P: unknown stage"},
		{"state from another model", funnel.State{Stage: funnel.SAL, Version: 1, Since: at(0)}, funnel.Move{To: funnel.SQL, At: at(3)}, funnel.ErrUnknownStage, "funnel: move sal → sql: unknown stage"},
		{"state without facts", funnel.State{Stage: funnel.MQL, Version: 3, Since: at(2)}, funnel.Move{To: funnel.SQL, At: at(3), Actor: "ann"}, funnel.ErrInvalidState, "funnel: move mql → sql: inconsistent state"},
		{"facts without stage", funnel.State{Facts: mql.Facts}, funnel.Move{To: funnel.Subscriber, At: at(3)}, funnel.ErrInvalidState, "funnel: move (start) → subscriber: inconsistent state"},
		// A stage at version 0 (a state built by hand, a migration that
		// dropped the version) or a version without a stage used to move:
		// the event's version was not the one Replay expects.
		{"stage at version 0", func() funnel.State { c := mql.Clone(); c.Version = 0; return c }(), funnel.Move{To: funnel.SQL, At: at(3), Actor: "ann"}, funnel.ErrInvalidState, "funnel: move mql → sql: inconsistent state"},
		{"version without stage", funnel.State{Version: 5}, funnel.Move{To: funnel.Subscriber, At: at(3)}, funnel.ErrInvalidState, "funnel: move (start) → subscriber: inconsistent state"},
		{"version would wrap", exhausted, funnel.Move{To: funnel.SQL, At: at(3), Actor: "ann"}, funnel.ErrInvalidState, "funnel: move mql → sql: inconsistent state"},
		{"re-used event ID", mql, funnel.Move{To: funnel.SQL, At: at(3), Actor: "ann", EventID: "e3"}, funnel.ErrDuplicateEvent, "funnel: move mql → sql: duplicate event ID"},
		{"stale version", mql, funnel.Move{To: funnel.SQL, At: at(3), Actor: "ann", CheckVersion: true, ExpectedVersion: 2}, funnel.ErrVersionConflict, "funnel: move mql → sql: version conflict (expected version 2, state has 3)"},
		{"time travel", mql, funnel.Move{To: funnel.SQL, At: at(1), Actor: "ann"}, funnel.ErrTimeTravel, "funnel: move mql → sql: move earlier than the last move"},
		{"entry not allowed", fresh, funnel.Move{To: funnel.MQL, At: at(3)}, funnel.ErrNotAllowed, "funnel: move (start) → mql: move not allowed"},
		{"skip not allowed", mql, funnel.Move{To: funnel.Customer, At: at(3)}, funnel.ErrNotAllowed, "funnel: move mql → customer: move not allowed"},
		{"backward not declared", mql, funnel.Move{To: funnel.Subscriber, At: at(3), Reason: funnel.ReasonBadData}, funnel.ErrNotAllowed, "funnel: move mql → subscriber: move not allowed"},
		{"detour not declared", mql, funnel.Move{To: funnel.Lost, At: at(3), Reason: funnel.ReasonPrice}, funnel.ErrNotAllowed, "funnel: move mql → lost: move not allowed"},
		{"reason required", mql, funnel.Move{To: funnel.Nurture, At: at(3)}, funnel.ErrReasonRequired, "funnel: move mql → nurture: reason required"},
		{"reason required backward", mql, funnel.Move{To: funnel.Lead, At: at(3)}, funnel.ErrReasonRequired, "funnel: move mql → lead: reason required"},
		{"reason not on edge", mql, funnel.Move{To: funnel.Nurture, At: at(3), Reason: funnel.ReasonPrice}, funnel.ErrUnknownReason, `funnel: move mql → nurture: reason not allowed ("price")`},
		{"reason not in model", mql, funnel.Move{To: funnel.SQL, At: at(3), Actor: "ann", Reason: "because"}, funnel.ErrUnknownReason, `funnel: move mql → sql: reason not allowed ("because")`},
		{"entry reason not in model", fresh, funnel.Move{To: funnel.Subscriber, At: at(3), Reason: "because"}, funnel.ErrUnknownReason, `funnel: move (start) → subscriber: reason not allowed ("because")`},
		{"guard", mql, funnel.Move{To: funnel.SQL, At: at(3)}, funnel.ErrGuard, `funnel: move mql → sql: guard refused the move "sql_needs_owner": no owner assigned`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.s.Clone()
			if err := m.Can(tc.s, tc.mv); !errors.Is(err, tc.want) {
				t.Errorf("Can = %v, want %v", err, tc.want)
			}
			got, ev, err := m.Apply(tc.s, tc.mv)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Apply = %v, want %v", err, tc.want)
			}
			var me *funnel.MoveError
			if !errors.As(err, &me) {
				t.Fatalf("not a *MoveError: %T", err)
			}
			if me.From != tc.s.Stage || me.To != tc.mv.To {
				t.Errorf("MoveError from %q to %q", me.From, me.To)
			}
			if err.Error() != tc.msg {
				t.Errorf("message\n got %s\nwant %s", err, tc.msg)
			}
			if !ev.IsZero() {
				t.Errorf("event on error: %+v", ev)
			}
			if diff := cmp.Diff(before, tc.s); diff != "" {
				t.Errorf("input changed (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(before, got); diff != "" {
				t.Errorf("returned state differs from input (-want +got):\n%s", diff)
			}
			if tc.want == funnel.ErrGuard && (!errors.Is(err, owner) || me.Guard != "sql_needs_owner") {
				t.Errorf("guard error does not carry its cause: %v", err)
			}
			if tc.want == funnel.ErrVersionConflict && (me.Expected != 2 || me.Actual != 3) {
				t.Errorf("versions %d %d", me.Expected, me.Actual)
			}
		})
	}
	// The guard passes with an actor.
	if _, _, err := m.Apply(mql, funnel.Move{To: funnel.SQL, At: at(3), Actor: "ann"}); err != nil {
		t.Errorf("guarded move with actor: %v", err)
	}
}

func TestCumulativeSaturates(t *testing.T) {
	m := funnel.Default()
	far := time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)
	s, _ := walk(t, m, funnel.State{},
		funnel.Move{To: funnel.Lead, At: time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)},
		funnel.Move{To: funnel.Nurture, At: far, Reason: funnel.ReasonBadTiming},
		funnel.Move{To: funnel.Lead, At: far, Reason: funnel.ReasonReEngaged},
		funnel.Move{To: funnel.Nurture, At: far.AddDate(500, 0, 0), Reason: funnel.ReasonBadTiming},
	)
	f, _ := s.Fact(funnel.Lead)
	if f.Cumulative <= 0 {
		t.Errorf("cumulative overflowed: %v", f.Cumulative)
	}
}

func TestEdges(t *testing.T) {
	m := funnel.Default()
	if got := m.EdgesFrom(funnel.Disqualified); len(got) != 0 {
		t.Errorf("terminal edges: %v", got)
	}
	if got := m.EdgesFrom("nope"); got != nil {
		t.Errorf("unknown stage edges: %v", got)
	}
	entry := m.EdgesFrom("")
	if len(entry) != 7 || entry[0].To != funnel.Subscriber || entry[0].Kind != funnel.MoveEntry {
		t.Errorf("entry edges: %+v", entry)
	}
	var toNurture *funnel.Edge
	for _, e := range m.EdgesFrom(funnel.MQL) {
		if e.To == funnel.Nurture {
			toNurture = &e
		}
	}
	if toNurture == nil || !toNurture.ReasonRequired || !toNurture.Declared || toNurture.Kind != funnel.MoveDetour {
		t.Errorf("mql → nurture: %+v", toNurture)
	}
	if n := len(m.Edges()); n < 30 {
		t.Errorf("only %d edges", n)
	}
	noSkip := funnel.DefaultSpec()
	noSkip.AllowSkip = false
	if got := funnel.MustNew(noSkip).EdgesFrom(""); len(got) != 1 {
		t.Errorf("entry edges without skip: %v", got)
	}
}

func TestReasonsAndStagesCopies(t *testing.T) {
	m := funnel.Default()
	rs := m.Reasons()
	rs[0].Code = "x"
	if m.Reasons()[0].Code == "x" {
		t.Error("Reasons shares storage")
	}
	if !m.AllowSkip() {
		t.Error("default model must allow skips")
	}
}

// TestStageIndexFallback covers models whose stage identifiers cannot be
// told apart by the bytes the perfect hash samples (same length, same
// first, middle and last byte): lookups then go through a map.
func TestStageIndexFallback(t *testing.T) {
	spec := funnel.Spec{
		ID: "fallback",
		Stages: []funnel.StageSpec{
			{ID: "stage_a_x", Team: funnel.Marketing, Kind: funnel.Forward},
			{ID: "stage_b_x", Team: funnel.Sales, Kind: funnel.Forward},
			{ID: "stbge_c_x", Team: funnel.Sales, Kind: funnel.Detour},
		},
		Moves:   []funnel.MoveSpec{{From: "stage_b_x", To: "stbge_c_x", Reasons: []funnel.ReasonCode{"r"}}},
		Reasons: []funnel.ReasonSpec{{Code: "r"}},
	}
	m := funnel.MustNew(spec)
	for i, st := range spec.Stages {
		if got, ok := m.Stage(st.ID); !ok || got.ID != st.ID {
			t.Errorf("Stage(%s) = %v, %t", st.ID, got, ok)
		}
		_ = i
	}
	for _, bad := range []funnel.Stage{"stage_c_x", "stage_a_y", "", "s"} {
		if _, ok := m.Stage(bad); ok {
			t.Errorf("Stage(%q) found", bad)
		}
	}
	s, _ := walk(t, m, funnel.State{},
		funnel.Move{To: "stage_a_x", At: at(0)},
		funnel.Move{To: "stage_b_x", At: at(1)},
		funnel.Move{To: "stbge_c_x", At: at(2), Reason: "r"},
	)
	if s.Stage != "stbge_c_x" || s.Version != 3 {
		t.Errorf("state %+v", s)
	}
	if _, _, err := m.Apply(s, funnel.Move{To: "stage_z_x", At: at(3)}); !errors.Is(err, funnel.ErrUnknownStage) {
		t.Errorf("unknown stage: %v", err)
	}
}

// TestCustomLifecycle renames, removes and reorders stages of the default
// spec: custom lifecycles are plain edits of a Spec.
func TestCustomLifecycle(t *testing.T) {
	spec := funnel.DefaultSpec()
	spec.ID = "custom"
	rename := map[funnel.Stage]funnel.Stage{funnel.Subscriber: "visitor"}
	var stages []funnel.StageSpec
	for _, st := range spec.Stages {
		if st.ID == funnel.Evangelist {
			continue // removed
		}
		if n, ok := rename[st.ID]; ok {
			st.ID = n
		}
		stages = append(stages, st)
	}
	// Reorder: lost before nurture.
	stages[6], stages[7] = stages[7], stages[6]
	spec.Stages = stages
	spec.Entry = "visitor"
	var moves []funnel.MoveSpec
	for _, mv := range spec.Moves {
		if mv.From == funnel.Evangelist || mv.To == funnel.Evangelist {
			continue
		}
		if n, ok := rename[mv.From]; ok {
			mv.From = n
		}
		moves = append(moves, mv)
	}
	spec.Moves = moves
	m, err := funnel.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]funnel.Stage{"visitor", funnel.Lead, funnel.MQL, funnel.SQL, funnel.Opportunity, funnel.Customer}, m.Path()); diff != "" {
		t.Errorf("path (-want +got):\n%s", diff)
	}
	if _, ok := m.Stage(funnel.Evangelist); ok {
		t.Error("removed stage still declared")
	}
	s, _ := walk(t, m, funnel.State{},
		funnel.Move{To: "visitor", At: at(0)},
		funnel.Move{To: funnel.Customer, At: at(1)},
	)
	if _, _, err := m.Apply(s, funnel.Move{To: funnel.Evangelist, At: at(2)}); !errors.Is(err, funnel.ErrUnknownStage) {
		t.Errorf("move to removed stage: %v", err)
	}

	// Reorder forward stages: the path follows the declaration order, and
	// what was a forward move becomes a backward one (refused unless
	// declared), while the declared evangelist → customer edge is now a
	// forward move.
	re := funnel.DefaultSpec()
	re.ID = "reordered"
	re.AllowSkip = false
	re.Stages[5], re.Stages[6] = re.Stages[6], re.Stages[5] // evangelist before customer
	rm, err := funnel.New(re)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]funnel.Stage{funnel.Subscriber, funnel.Lead, funnel.MQL, funnel.SQL, funnel.Opportunity, funnel.Evangelist, funnel.Customer}, rm.Path()); diff != "" {
		t.Errorf("reordered path (-want +got):\n%s", diff)
	}
	rs, evs := walk(t, rm, funnel.State{},
		funnel.Move{To: funnel.Subscriber, At: at(0)},
		funnel.Move{To: funnel.Lead, At: at(1)},
		funnel.Move{To: funnel.MQL, At: at(2)},
		funnel.Move{To: funnel.SQL, At: at(3)},
		funnel.Move{To: funnel.Opportunity, At: at(4)},
		funnel.Move{To: funnel.Evangelist, At: at(5)},
		funnel.Move{To: funnel.Customer, At: at(6)},
	)
	if k := evs[5].Kind; k != funnel.MoveForward {
		t.Errorf("opportunity → evangelist is %s", k)
	}
	if k := evs[6].Kind; k != funnel.MoveForward {
		t.Errorf("evangelist → customer is %s", k)
	}
	if _, _, err := rm.Apply(rs, funnel.Move{To: funnel.Evangelist, At: at(7)}); !errors.Is(err, funnel.ErrNotAllowed) {
		t.Errorf("customer → evangelist after reordering: %v", err)
	}

	// Add stages: SAL on the forward path between MQL and SQL, and a
	// "churned" detour that customers leave to and come back from.
	add := funnel.DefaultSpec()
	add.ID = "added"
	add.AllowSkip = false
	add.Stages = slices.Insert(add.Stages, 3, funnel.StageSpec{ID: funnel.SAL, Label: "Sales accepted", Team: funnel.Sales, Kind: funnel.Forward})
	add.Stages = append(add.Stages, funnel.StageSpec{ID: "churned", Team: funnel.CustomerSuccess, Kind: funnel.Detour})
	add.Reasons = append(add.Reasons, funnel.ReasonSpec{Code: "contract_ended"})
	add.Moves = append(add.Moves,
		funnel.MoveSpec{From: funnel.SAL, To: funnel.Nurture, Reasons: []funnel.ReasonCode{funnel.ReasonBadTiming}},
		funnel.MoveSpec{From: funnel.Customer, To: "churned", Reasons: []funnel.ReasonCode{"contract_ended"}},
		funnel.MoveSpec{From: "churned", To: funnel.Customer, Reasons: []funnel.ReasonCode{funnel.ReasonReEngaged}},
	)
	am, err := funnel.New(add)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := am.Rank(funnel.SAL); !ok || r != 3 {
		t.Errorf("Rank(sal) = %d, %t", r, ok)
	}
	as, aevs := walk(t, am, funnel.State{},
		funnel.Move{To: funnel.Subscriber, At: at(0)},
		funnel.Move{To: funnel.Lead, At: at(1)},
		funnel.Move{To: funnel.MQL, At: at(2)},
		funnel.Move{To: funnel.SAL, At: at(3)},
		funnel.Move{To: funnel.SQL, At: at(4)},
		funnel.Move{To: funnel.Opportunity, At: at(5)},
		funnel.Move{To: funnel.Customer, At: at(6)},
		funnel.Move{To: "churned", At: at(7), Reason: "contract_ended"},
		funnel.Move{To: funnel.Customer, At: at(9), Reason: funnel.ReasonReEngaged},
	)
	var kinds []funnel.MoveKind
	for _, e := range aevs[3:] {
		kinds = append(kinds, e.Kind)
	}
	if diff := cmp.Diff([]funnel.MoveKind{funnel.MoveForward, funnel.MoveForward, funnel.MoveForward, funnel.MoveForward, funnel.MoveDetour, funnel.MoveReturn}, kinds); diff != "" {
		t.Errorf("kinds through the added stages (-want +got):\n%s", diff)
	}
	if got := as.TimeIn("churned", at(20)); got != 2*time.Hour {
		t.Errorf("time in churned = %v", got)
	}
	if _, _, err := am.Apply(funnel.State{}, funnel.Move{To: funnel.MQL, At: at(0)}); !errors.Is(err, funnel.ErrNotAllowed) {
		t.Errorf("skipping into mql without AllowSkip: %v", err)
	}
	mql, _ := walk(t, am, funnel.State{}, funnel.Move{To: funnel.Subscriber, At: at(0)}, funnel.Move{To: funnel.Lead, At: at(1)}, funnel.Move{To: funnel.MQL, At: at(2)})
	if _, _, err := am.Apply(mql, funnel.Move{To: funnel.SQL, At: at(3)}); !errors.Is(err, funnel.ErrNotAllowed) {
		t.Errorf("mql → sql skips the added sal without AllowSkip: %v", err)
	}
}

// TestMonotonicClockIgnored: times from time.Now carry a monotonic reading
// that JSON drops; Apply must compute from the wall clock so that a replay
// of the stored log gives the same facts.
func TestMonotonicClockIgnored(t *testing.T) {
	m := funnel.Default()
	now := time.Now() // has a monotonic reading
	s, evs := walk(t, m, funnel.State{Lead: "c"},
		funnel.Move{To: funnel.Lead, At: now, EventID: "1"},
		funnel.Move{To: funnel.MQL, At: now.Add(90 * time.Minute), EventID: "2"},
		funnel.Move{To: funnel.SQL, At: now.Add(3 * time.Hour).Round(0), EventID: "3"},
	)
	data, err := json.Marshal(evs)
	if err != nil {
		t.Fatal(err)
	}
	var back []funnel.Event
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	got, err := m.Replay("c", back)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(s) {
		t.Errorf("replay of stored log differs:\n%s", cmp.Diff(s, got))
	}
}

// TestConcurrentUse: one Model shared by goroutines, each with its own
// contacts (run with -race).
func TestConcurrentUse(t *testing.T) {
	m := funnel.Default()
	done := make(chan funnel.State)
	for g := range 4 {
		go func() {
			s := funnel.State{Lead: fmt.Sprint("c", g)}
			for i, to := range []funnel.Stage{funnel.Lead, funnel.MQL, funnel.Nurture, funnel.MQL, funnel.SQL} {
				mv := funnel.Move{To: to, At: at(i)}
				if to == funnel.Nurture {
					mv.Reason = funnel.ReasonBadTiming
				} else if i == 3 {
					mv.Reason = funnel.ReasonReEngaged
				}
				_ = m.Can(s, mv)
				s, _, _ = m.Apply(s, mv)
				_ = m.Edges()
				_ = m.Spec()
			}
			done <- s
		}()
	}
	for range 4 {
		if s := <-done; s.Stage != funnel.SQL || s.Version != 5 {
			t.Errorf("state %+v", s)
		}
	}
}

// TestEntryMoves: a declared entry move (From empty) guards an entry,
// restricts its reasons, or opens a later forward stage as an entry
// without AllowSkip; Can, Edges, Replay and the renderers follow.
func TestEntryMoves(t *testing.T) {
	noOwner := errors.New("no owner assigned")
	spec := funnel.DefaultSpec()
	spec.AllowSkip = false
	spec.Guards = []funnel.Guard{{Name: "sql_needs_owner", Check: func(s funnel.State, mv funnel.Move) error {
		if mv.Actor == "" {
			return noOwner
		}
		return nil
	}}}
	spec.Moves = append(spec.Moves,
		funnel.MoveSpec{From: funnel.MQL, To: funnel.SQL, Guards: []string{"sql_needs_owner"}},
		// An import may enter at SQL, under the same rule as a handoff.
		funnel.MoveSpec{To: funnel.SQL, Guards: []string{"sql_needs_owner"}},
		// Entries at the entry stage only with a score reason.
		funnel.MoveSpec{To: funnel.Subscriber, Reasons: []funnel.ReasonCode{funnel.ReasonScoreThreshold}},
	)
	m, err := funnel.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	fresh := funnel.State{Lead: "c"}
	for _, tc := range []struct {
		mv   funnel.Move
		want error
	}{
		{funnel.Move{To: funnel.SQL, At: at(0)}, funnel.ErrGuard},
		{funnel.Move{To: funnel.SQL, At: at(0), Actor: "ann"}, nil},
		{funnel.Move{To: funnel.SQL, At: at(0), Actor: "ann", Reason: funnel.ReasonBadFit}, nil}, // any code of the model
		{funnel.Move{To: funnel.SQL, At: at(0), Actor: "ann", Reason: "nope"}, funnel.ErrUnknownReason},
		{funnel.Move{To: funnel.Subscriber, At: at(0)}, nil}, // reasons stay optional
		{funnel.Move{To: funnel.Subscriber, At: at(0), Reason: funnel.ReasonScoreThreshold}, nil},
		{funnel.Move{To: funnel.Subscriber, At: at(0), Reason: funnel.ReasonBadFit}, funnel.ErrUnknownReason},
		{funnel.Move{To: funnel.Lead, At: at(0)}, funnel.ErrNotAllowed}, // neither the entry nor declared
		{funnel.Move{To: funnel.Nurture, At: at(0), Reason: funnel.ReasonBadTiming}, funnel.ErrNotAllowed},
	} {
		canErr := m.Can(fresh, tc.mv)
		s, ev, err := m.Apply(fresh, tc.mv)
		if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) || !errors.Is(canErr, tc.want) || (canErr == nil) != (tc.want == nil) {
			t.Errorf("%+v: Apply %v, Can %v, want %v", tc.mv, err, canErr, tc.want)
			continue
		}
		if err != nil {
			var me *funnel.MoveError
			if !errors.As(err, &me) || me.Kind != funnel.MoveEntry || me.From != "" || me.To != tc.mv.To {
				t.Errorf("%+v: MoveError %+v", tc.mv, me)
			}
			if tc.want == funnel.ErrGuard && (!errors.Is(err, noOwner) || me.Guard != "sql_needs_owner") {
				t.Errorf("guard error without its cause: %v", err)
			}
			continue
		}
		if ev.Kind != funnel.MoveEntry || !ev.FirstEntry || s.Stage != tc.mv.To {
			t.Errorf("%+v: event %+v, state %+v", tc.mv, ev, s)
		}
		// Replay does not run guards again but checks the entry's reasons.
		if got, err := m.Replay("c", []funnel.Event{ev}); err != nil || !got.Equal(s) {
			t.Errorf("replay of %+v: %v", ev, err)
		}
	}
	// The entry into sql bypassed nothing: the guarded handoff still holds.
	mql, _ := walk(t, m, funnel.State{Lead: "c"},
		funnel.Move{To: funnel.Subscriber, At: at(0)},
		funnel.Move{To: funnel.Lead, At: at(1)},
		funnel.Move{To: funnel.MQL, At: at(2)},
	)
	if err := m.Can(mql, funnel.Move{To: funnel.SQL, At: at(3)}); !errors.Is(err, funnel.ErrGuard) {
		t.Errorf("mql → sql without owner: %v", err)
	}
	// Edges reports the entries in declaration order of the target.
	want := []funnel.Edge{
		{To: funnel.Subscriber, Kind: funnel.MoveEntry, Declared: true, Reasons: []funnel.ReasonCode{funnel.ReasonScoreThreshold}},
		{To: funnel.SQL, Kind: funnel.MoveEntry, Declared: true, Guards: []string{"sql_needs_owner"}},
	}
	if diff := cmp.Diff(want, m.EdgesFrom("")); diff != "" {
		t.Errorf("entry edges (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, m.Edges()[:2]); diff != "" {
		t.Errorf("Edges starts with the entries (-want +got):\n%s", diff)
	}
	// The spec, entry moves included, survives JSON.
	data, err := json.Marshal(m.Spec())
	if err != nil {
		t.Fatal(err)
	}
	m2, err := funnel.Load(data, spec.Guards...)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m.EdgesFrom(""), m2.EdgesFrom("")); diff != "" {
		t.Errorf("entry edges after JSON (-want +got):\n%s", diff)
	}
	// The renderers draw the declared entries from the start marker.
	var mm, dot bytes.Buffer
	if err := m.WriteMermaid(&mm); err != nil {
		t.Fatal(err)
	}
	if err := m.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"    [*] --> subscriber: score_threshold\n", "    [*] --> sql: [sql_needs_owner]\n"} {
		if !strings.Contains(mm.String(), line) {
			t.Errorf("Mermaid lacks %q:\n%s", line, mm.String())
		}
	}
	for _, line := range []string{"\t_start -> \"subscriber\" [label=\"score_threshold\"];\n", "\t_start -> \"sql\" [label=\"[sql_needs_owner]\"];\n"} {
		if !strings.Contains(dot.String(), line) {
			t.Errorf("DOT lacks %q:\n%s", line, dot.String())
		}
	}
}

func TestEntryMoveSpecErrors(t *testing.T) {
	spec := funnel.DefaultSpec()
	spec.Moves = append(spec.Moves,
		funnel.MoveSpec{To: funnel.Nurture},      // a detour
		funnel.MoveSpec{To: funnel.Disqualified}, // a terminal
		funnel.MoveSpec{To: funnel.Lead},
		funnel.MoveSpec{To: funnel.Lead, Reasons: []funnel.ReasonCode{"nope"}, Guards: []string{"nope"}},
		funnel.MoveSpec{To: ""},
	)
	n := len(funnel.DefaultSpec().Moves)
	_, err := funnel.New(spec)
	var paths []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var se *funnel.SpecError
		if !errors.As(e, &se) {
			t.Fatalf("not a *SpecError: %v", e)
		}
		paths = append(paths, se.Path)
	}
	want := []string{
		fmt.Sprintf("moves[%d].to", n), fmt.Sprintf("moves[%d].to", n+1),
		fmt.Sprintf("moves[%d]", n+3), fmt.Sprintf("moves[%d].reasons[0]", n+3), fmt.Sprintf("moves[%d].guards[0]", n+3),
		fmt.Sprintf("moves[%d].to", n+4),
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s\n%v", diff, err)
	}
}

// TestApplyTimeOutsideJSONRange: a move dated outside the years 0 to 9999
// (in its own zone) is refused with ErrInvalidMove, on the entry move and
// on the fast path alike, because time.Time.MarshalJSON cannot write such a
// time: Apply used to accept it and return a state and an event that the
// host could not store. Replay refuses such an event too. Times at the
// edges of the range are accepted and their state and event marshal.
func TestApplyTimeOutsideJSONRange(t *testing.T) {
	m := funnel.Default()
	lead, _ := walk(t, m, funnel.State{Lead: "c"}, funnel.Move{To: funnel.Lead, At: at(0)})
	plus2 := time.FixedZone("plus2", 2*3600)
	minus2 := time.FixedZone("minus2", -2*3600)
	for _, bad := range []time.Time{
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC).In(plus2), // year 10000 where it is written
		time.Date(292277026596, 12, 4, 15, 30, 7, 0, time.UTC),
	} {
		for _, s := range []funnel.State{lead, {Lead: "c"}} {
			before := s.Clone()
			got, ev, err := m.Apply(s, funnel.Move{To: funnel.MQL, At: bad})
			if !errors.Is(err, funnel.ErrInvalidMove) || !ev.IsZero() || !got.Equal(before) || !s.Equal(before) {
				t.Errorf("move from %q at %v: err %v, event %+v", s.Stage, bad, err, ev)
			}
		}
	}
	for _, bad := range []time.Time{
		time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(0, 1, 1, 1, 0, 0, 0, time.UTC).In(minus2), // year -1 where it is written
	} {
		if _, _, err := m.Apply(funnel.State{Lead: "c"}, funnel.Move{To: funnel.Lead, At: bad}); !errors.Is(err, funnel.ErrInvalidMove) {
			t.Errorf("entry at %v: %v, want ErrInvalidMove", bad, err)
		}
	}
	// The edges of the range are fine, and marshal.
	first := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
	s, evs := walk(t, m, funnel.State{Lead: "c"},
		funnel.Move{To: funnel.Lead, At: first},
		funnel.Move{To: funnel.MQL, At: last.In(minus2)},
		funnel.Move{To: funnel.SQL, At: last},
	)
	for _, v := range []any{s, evs} {
		if _, err := json.Marshal(v); err != nil {
			t.Errorf("marshal %T: %v", v, err)
		}
	}
	// Replay refuses what Apply refuses.
	tampered := slices.Clone(evs)
	tampered[2].At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := m.Replay("c", tampered)
	var re *funnel.ReplayError
	if !errors.As(err, &re) || re.Index != 2 || !errors.Is(err, funnel.ErrInvalidMove) {
		t.Errorf("replay of an event in year 10000: %v", err)
	}
}

// TestApplyZoneOutsideJSONRange: a move dated in a zone a day or more away
// from UTC (time.FixedZone accepts any offset), or whose offset has
// seconds (local mean time, such as Amsterdam's +00:19:32 before 1937,
// which MarshalJSON writes as +00:19: the time read back 32 seconds
// off), is refused with
// ErrInvalidMove, on the entry move and on the fast path, by Apply, ApplyTo
// and Can alike, because time.Time.MarshalJSON cannot write its offset:
// Apply used to accept it and return a state and an event that the host
// could not store. Offsets just under a day are accepted and marshal.
func TestApplyZoneOutsideJSONRange(t *testing.T) {
	m := funnel.Default()
	lead, _ := walk(t, m, funnel.State{Lead: "c"}, funnel.Move{To: funnel.Lead, At: at(0)})
	for _, off := range []int{24 * 3600, -24 * 3600, 100 * 3600, -1 << 40, 19*60 + 32, -1} {
		bad := at(1).In(time.FixedZone("far", off))
		for _, s := range []funnel.State{lead, {Lead: "c"}} {
			before := s.Clone()
			mv := funnel.Move{To: funnel.MQL, At: bad}
			if s.Stage == "" {
				mv.To = funnel.Lead
			}
			got, ev, err := m.Apply(s, mv)
			if !errors.Is(err, funnel.ErrInvalidMove) || !ev.IsZero() || !got.Equal(before) || !s.Equal(before) {
				t.Errorf("Apply from %q at offset %ds: err %v, event %+v", s.Stage, off, err, ev)
			}
			p := s.Clone()
			ev = funnel.Event{ID: "stale"}
			if err := m.ApplyTo(&p, &mv, &ev); !errors.Is(err, funnel.ErrInvalidMove) || !ev.IsZero() || !p.Equal(before) {
				t.Errorf("ApplyTo from %q at offset %ds: err %v, state %+v", s.Stage, off, err, p)
			}
			if err := m.Can(s, mv); !errors.Is(err, funnel.ErrInvalidMove) {
				t.Errorf("Can from %q at offset %ds: %v", s.Stage, off, err)
			}
		}
	}
	// Just under a day either way is fine, and marshals.
	near := time.FixedZone("near", 23*3600+59*60)
	s, evs := walk(t, m, funnel.State{Lead: "c"},
		funnel.Move{To: funnel.Lead, At: at(0).In(near)},
		funnel.Move{To: funnel.MQL, At: at(1).In(time.FixedZone("near_west", -(23*3600 + 59*60)))},
	)
	for _, v := range []any{s, evs} {
		if _, err := json.Marshal(v); err != nil {
			t.Errorf("marshal %T: %v", v, err)
		}
	}
}
