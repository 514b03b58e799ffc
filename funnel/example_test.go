package funnel_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/smarketing/smarketing/funnel"
)

// Build a custom lifecycle: start from the default, add a SAL stage
// between MQL and SQL, and let sales send a SAL back to nurture.
func ExampleNew() {
	spec := funnel.DefaultSpec()
	spec.ID = "acme"
	// Insert SAL after MQL (stages[2]).
	spec.Stages = append(spec.Stages[:3], append([]funnel.StageSpec{
		{ID: funnel.SAL, Label: "Sales accepted lead", Team: funnel.Sales, Kind: funnel.Forward},
	}, spec.Stages[3:]...)...)
	spec.Moves = append(spec.Moves, funnel.MoveSpec{
		From: funnel.SAL, To: funnel.Nurture,
		Reasons: []funnel.ReasonCode{funnel.ReasonBadTiming, funnel.ReasonNoBudget},
	})
	m, err := funnel.New(spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.ID(), m.Path())
	r, _ := m.Rank(funnel.SAL)
	fmt.Println("sal rank:", r)

	// Every problem of a bad spec is reported at once, with its path.
	spec.Stages[1].Team = "ops"
	spec.Moves = append(spec.Moves, funnel.MoveSpec{From: funnel.Customer, To: funnel.Lead})
	_, err = funnel.New(spec)
	fmt.Println(err)
	// Output:
	// acme [subscriber lead mql sal sql opportunity customer evangelist]
	// sal rank: 3
	// funnel: invalid spec: stages[1].team: unknown team "ops" (want marketing, sales or customer_success)
	// funnel: invalid spec: moves[22].reasons: customer → lead is not a forward move: it needs at least one reason code
}

// Walk one contact through the default funnel: forward, a detour with a
// reason, a return, and the facts kept per stage.
func ExampleModel_Apply() {
	m := funnel.Default()
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }

	s := funnel.State{Lead: "ada@example.com"}
	for _, mv := range []funnel.Move{
		{To: funnel.Lead, At: day(1), Actor: "webform", EventID: "ev-1"},
		{To: funnel.MQL, At: day(3), Actor: "scoring", EventID: "ev-2"},
		{To: funnel.Nurture, At: day(4), Actor: "rep:bob", Reason: funnel.ReasonBadTiming, EventID: "ev-3"},
		{To: funnel.MQL, At: day(20), Actor: "scoring", Reason: funnel.ReasonScoreThreshold, EventID: "ev-4"},
		{To: funnel.SQL, At: day(21), Actor: "rep:bob", EventID: "ev-5"},
	} {
		var ev funnel.Event
		var err error
		s, ev, err = m.Apply(s, mv)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("v%d %-7s %-10s → %-8s %s first=%t stay=%v\n",
			ev.Version, ev.Kind, ev.From, ev.To, ev.Reason, ev.FirstEntry, ev.Stay)
	}
	f, _ := s.Fact(funnel.MQL)
	fmt.Println("mql entries:", f.Entries, "time in mql:", s.TimeIn(funnel.MQL, day(30)))
	fmt.Println("time in sql so far:", s.TimeIn(funnel.SQL, day(30)))
	// Output:
	// v1 entry              → lead      first=true stay=0s
	// v2 forward lead       → mql       first=true stay=48h0m0s
	// v3 detour  mql        → nurture  bad_timing first=true stay=24h0m0s
	// v4 return  nurture    → mql      score_threshold first=false stay=384h0m0s
	// v5 forward mql        → sql       first=true stay=24h0m0s
	// mql entries: 2 time in mql: 48h0m0s
	// time in sql so far: 216h0m0s
}

// Each refusal is a *MoveError that errors.Is matches with a sentinel; the
// state is left as it was.
func ExampleMoveError() {
	m := funnel.Default()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s, _, _ := m.Apply(funnel.State{Lead: "c1"}, funnel.Move{To: funnel.MQL, At: t0, EventID: "e1"})

	for _, mv := range []funnel.Move{
		{To: funnel.SQL},                        // no time
		{To: "vip", At: t0},                     // not declared
		{To: funnel.SQL, At: t0, EventID: "e1"}, // re-used event ID
		{To: funnel.SQL, At: t0, CheckVersion: true, ExpectedVersion: 0}, // stale read
		{To: funnel.SQL, At: t0.Add(-time.Hour)},                         // before the last move
		{To: funnel.Subscriber, At: t0, Reason: funnel.ReasonBadData},    // no such backward edge
		{To: funnel.Nurture, At: t0},                                     // detour without a reason
		{To: funnel.Nurture, At: t0, Reason: funnel.ReasonPrice},         // reason not on this edge
	} {
		_, _, err := m.Apply(s, mv)
		fmt.Println(err)
	}
	// A state whose current stage has no facts (hand-edited, say).
	_, _, err := m.Apply(funnel.State{Stage: funnel.MQL, Version: 1, Since: t0}, funnel.Move{To: funnel.SQL, At: t0})
	fmt.Println(err)

	// Hosts branch on the sentinel and read the details with errors.As.
	_, _, err = m.Apply(s, funnel.Move{To: funnel.Nurture, At: t0})
	var me *funnel.MoveError
	if errors.Is(err, funnel.ErrReasonRequired) && errors.As(err, &me) {
		fmt.Println("ask the rep why:", me.From, "→", me.To, me.Kind)
	}
	// A guard refuses with its own reason.
	spec := funnel.DefaultSpec()
	spec.Guards = []funnel.Guard{{Name: "sql_needs_owner", Check: func(s funnel.State, mv funnel.Move) error {
		if mv.Actor == "" {
			return errors.New("assign an owner first")
		}
		return nil
	}}}
	spec.Moves = append(spec.Moves, funnel.MoveSpec{From: funnel.MQL, To: funnel.SQL, Guards: []string{"sql_needs_owner"}})
	guarded := funnel.MustNew(spec)
	err = guarded.Can(s, funnel.Move{To: funnel.SQL, At: t0})
	fmt.Println(errors.Is(err, funnel.ErrGuard), err)
	// Output:
	// funnel: move mql → sql: invalid move
	// funnel: move mql → vip: unknown stage
	// funnel: move mql → sql: duplicate event ID
	// funnel: move mql → sql: version conflict (expected version 0, state has 1)
	// funnel: move mql → sql: move earlier than the last move
	// funnel: move mql → subscriber: move not allowed
	// funnel: move mql → nurture: reason required
	// funnel: move mql → nurture: reason not allowed ("price")
	// funnel: move mql → sql: inconsistent state
	// ask the rep why: mql → nurture detour
	// true funnel: move mql → sql: guard refused the move "sql_needs_owner": assign an owner first
}

// Rebuild a state from its event log; tampering is reported with the
// event's position, and re-delivery of the last event is skipped.
func ExampleModel_Replay() {
	m := funnel.Waterfall()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := funnel.State{Lead: "c7"}
	var log []funnel.Event
	for i, to := range []funnel.Stage{funnel.Inquiry, funnel.MQL, funnel.SAL, funnel.SQL} {
		var ev funnel.Event
		s, ev, _ = m.Apply(s, funnel.Move{To: to, At: t0.Add(time.Duration(i) * time.Hour), EventID: fmt.Sprint("e", i+1)})
		log = append(log, ev)
	}

	got, err := m.Replay("c7", append(log, log[3])) // last event delivered twice
	fmt.Println(got.Equal(s), err)

	_, err = m.Replay("c7", append(log[:1:1], log[2:]...)) // event 2 lost
	var re *funnel.ReplayError
	if errors.As(err, &re) {
		fmt.Println(re.Index, re.EventID, errors.Is(err, funnel.ErrVersionGap))
	}
	fmt.Println(err)
	// Output:
	// true <nil>
	// 1 e3 true
	// funnel: replay event 1 (id "e3"): version gap: version 3, want 2
}

// Render the lifecycle for a Markdown page.
func ExampleModel_WriteMermaid() {
	spec := funnel.Spec{
		ID: "mini",
		Stages: []funnel.StageSpec{
			{ID: "lead", Label: "Lead", Team: funnel.Marketing, Kind: funnel.Forward},
			{ID: "sql", Label: "Sales qualified", Team: funnel.Sales, Kind: funnel.Forward},
			{ID: "nurture", Label: "Nurture", Team: funnel.Marketing, Kind: funnel.Detour},
			{ID: "junk", Label: "Junk", Team: funnel.Marketing, Kind: funnel.Terminal},
		},
		Moves: []funnel.MoveSpec{
			{From: "sql", To: "nurture", Reasons: []funnel.ReasonCode{"bad_timing"}},
			{From: "nurture", To: "lead", Reasons: []funnel.ReasonCode{"re_engaged"}},
			{From: "lead", To: "junk", Reasons: []funnel.ReasonCode{"spam"}},
		},
		Reasons: []funnel.ReasonSpec{{Code: "bad_timing"}, {Code: "re_engaged"}, {Code: "spam"}},
	}
	if err := funnel.MustNew(spec).WriteMermaid(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ---
	// title: mini
	// ---
	// stateDiagram-v2
	//     direction LR
	//     state "Lead" as lead
	//     state "Sales qualified" as sql
	//     state "Nurture" as nurture
	//     state "Junk" as junk
	//     [*] --> lead
	//     lead --> sql
	//     sql --> nurture: bad_timing
	//     nurture --> lead: re_engaged
	//     lead --> junk: spam
	//     junk --> [*]
	//     classDef marketing fill:#dbeafe,stroke:#1d4ed8
	//     classDef sales fill:#dcfce7,stroke:#15803d
	//     classDef customer_success fill:#f3e8ff,stroke:#7e22ce
	//     classDef detour fill:#fef3c7,stroke:#b45309,stroke-dasharray:5 5
	//     classDef terminal fill:#e5e7eb,stroke:#4b5563
	//     class lead marketing
	//     class sql sales
	//     class nurture detour
	//     class junk terminal
}

// Load a custom lifecycle from JSON, with the host's guards.
func ExampleLoad() {
	data := []byte(`{
		"id": "two_step",
		"stages": [
			{"id": "lead", "team": "marketing", "kind": "forward"},
			{"id": "customer", "team": "customer_success", "kind": "forward"}
		],
		"moves": [{"from": "lead", "to": "customer", "guards": ["paid"]}]
	}`)
	paid := funnel.Guard{Name: "paid", Check: func(s funnel.State, mv funnel.Move) error {
		if mv.Note != "invoice paid" {
			return errors.New("no paid invoice")
		}
		return nil
	}}
	m, err := funnel.Load(data, paid)
	if err != nil {
		fmt.Println(err)
		return
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, _, _ := m.Apply(funnel.State{}, funnel.Move{To: "lead", At: t0})
	fmt.Println(m.Can(s, funnel.Move{To: "customer", At: t0}))
	fmt.Println(m.Can(s, funnel.Move{To: "customer", At: t0, Note: "invoice paid"}))
	// Output:
	// funnel: move lead → customer: guard refused the move "paid": no paid invoice
	// <nil>
}

// ApplyTo is Apply on pointers, for hot loops such as a bulk import: no
// copies of the large structs, no allocation once the contact's stages
// have been entered.
func ExampleModel_ApplyTo() {
	m := funnel.Default()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var (
		s  = funnel.State{Lead: "c1"}
		ev funnel.Event
		mv funnel.Move
	)
	for i, to := range []funnel.Stage{funnel.Lead, funnel.MQL, funnel.MQL, funnel.SQL} {
		mv = funnel.Move{To: to, At: t0.Add(time.Duration(i) * time.Hour)}
		if err := m.ApplyTo(&s, &mv, &ev); err != nil {
			fmt.Println(err)
			return
		}
		if ev.IsZero() {
			fmt.Println("no-op:", to)
			continue
		}
		fmt.Println(ev.Version, ev.Kind, ev.To)
	}
	// Output:
	// 1 entry lead
	// 2 forward mql
	// no-op: mql
	// 3 forward sql
}

// A state read back from the host's storage is checked before it is
// trusted: here someone edited the JSON column by hand.
func ExampleModel_CheckState() {
	m := funnel.Default()
	var s funnel.State
	stored := `{"lead":"c-7","stage":"mql","version":2,"since":"2026-03-02T11:00:00Z",
	  "facts":[{"stage":"lead","first_entered":"2026-03-02T09:00:00Z","last_entered":"2026-03-02T09:00:00Z","last_exited":"2026-03-02T11:00:00Z","entries":1,"cumulative_ns":7200000000000},
	           {"stage":"mql","first_entered":"2026-03-02T11:00:00Z","last_entered":"2026-03-02T11:00:00Z","entries":3,"cumulative_ns":0}]}`
	if err := json.Unmarshal([]byte(stored), &s); err != nil {
		fmt.Println(err)
		return
	}
	err := m.CheckState(s)
	fmt.Println(errors.Is(err, funnel.ErrInvalidState))
	fmt.Println(err)
	// Output:
	// true
	// funnel: inconsistent state: facts[1].last_exited: missing, but the current stage was entered 3 times
	// funnel: inconsistent state: version: 2, but the facts count 4 entries (one per applied event)
}

// How a host handles each kind of error: branch on the sentinel with
// errors.Is, read the details with errors.As, and act. Every sentinel the
// package returns appears once.
func Example_handlingErrors() {
	spec := funnel.DefaultSpec()
	spec.Guards = []funnel.Guard{{Name: "sql_needs_owner", Check: func(s funnel.State, mv funnel.Move) error {
		if mv.Actor == "" {
			return errors.New("assign an owner first")
		}
		return nil
	}}}
	spec.Moves = append(spec.Moves, funnel.MoveSpec{From: funnel.MQL, To: funnel.SQL, Guards: []string{"sql_needs_owner"}})
	m := funnel.MustNew(spec)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s, ev, _ := m.Apply(funnel.State{Lead: "c1"}, funnel.Move{To: funnel.MQL, At: t0, EventID: "e1"})
	log := []funnel.Event{ev}

	handle := func(err error) string {
		var (
			me *funnel.MoveError
			re *funnel.ReplayError
			se *funnel.SpecError
		)
		switch {
		case err == nil:
			return "ok"
		case errors.As(err, &se):
			return "fix the spec at " + se.Path
		case errors.As(err, &re):
			switch {
			case errors.Is(err, funnel.ErrVersionGap):
				return fmt.Sprintf("log: fetch the events missing before #%d", re.Index)
			case errors.Is(err, funnel.ErrDuplicateEvent):
				return fmt.Sprintf("log: event #%d (%s) is a duplicate", re.Index, re.EventID)
			case errors.Is(err, funnel.ErrEventMismatch):
				return fmt.Sprintf("log: event #%d was altered or is another contact's", re.Index)
			default: // a move the model refuses: the log and the model disagree
				return fmt.Sprintf("log: event #%d breaks the model's rules", re.Index)
			}
		case errors.Is(err, funnel.ErrInvalidStage):
			return "400: malformed stage identifier"
		case !errors.As(err, &me):
			return "unexpected: " + err.Error()
		case errors.Is(err, funnel.ErrInvalidMove):
			return "400: a move needs a target stage and a time"
		case errors.Is(err, funnel.ErrUnknownStage):
			return fmt.Sprintf("400: no stage %q in this lifecycle", me.To)
		case errors.Is(err, funnel.ErrInvalidState):
			return "stored state is damaged: rebuild it with Replay"
		case errors.Is(err, funnel.ErrDuplicateEvent):
			return "already applied: acknowledge the re-delivered message"
		case errors.Is(err, funnel.ErrVersionConflict):
			return fmt.Sprintf("409: re-read (you saw v%d, it is v%d) and decide again", me.Expected, me.Actual)
		case errors.Is(err, funnel.ErrTimeTravel):
			return "out-of-order message: park it for review"
		case errors.Is(err, funnel.ErrNotAllowed):
			var next []funnel.Stage
			for _, e := range m.EdgesFrom(me.From) {
				next = append(next, e.To)
			}
			return fmt.Sprintf("422: from %s the contact can go to %v", me.From, next)
		case errors.Is(err, funnel.ErrReasonRequired):
			return fmt.Sprintf("ask the rep why (a %s move needs a reason)", me.Kind)
		case errors.Is(err, funnel.ErrUnknownReason):
			for _, e := range m.EdgesFrom(me.From) {
				if e.To == me.To {
					return fmt.Sprintf("422: %q is not a reason for %s → %s; use one of %v", me.Reason, me.From, me.To, e.Reasons)
				}
			}
			return fmt.Sprintf("422: %q is not a reason this lifecycle knows", me.Reason)
		case errors.Is(err, funnel.ErrGuard):
			return "tell the user: " + me.Cause.Error()
		}
		return "unexpected: " + err.Error()
	}

	apply := func(s funnel.State, mv funnel.Move) error { _, _, err := m.Apply(s, mv); return err }
	var st funnel.Stage
	for _, err := range []error{
		apply(s, funnel.Move{To: funnel.SQL, At: t0.Add(time.Hour), Actor: "rep:ann"}),
		apply(s, funnel.Move{To: funnel.SQL}),
		apply(s, funnel.Move{To: "vip", At: t0}),
		apply(funnel.State{Lead: "c1", Stage: funnel.MQL, Version: 1, Since: t0}, funnel.Move{To: funnel.SQL, At: t0}),
		apply(s, funnel.Move{To: funnel.SQL, At: t0, Actor: "rep:ann", EventID: "e1"}),
		apply(s, funnel.Move{To: funnel.SQL, At: t0, Actor: "rep:ann", CheckVersion: true, ExpectedVersion: 0}),
		apply(s, funnel.Move{To: funnel.SQL, At: t0.Add(-time.Hour), Actor: "rep:ann"}),
		apply(s, funnel.Move{To: funnel.Lost, At: t0, Reason: funnel.ReasonPrice}),
		apply(s, funnel.Move{To: funnel.Nurture, At: t0}),
		apply(s, funnel.Move{To: funnel.Lead, At: t0, Reason: funnel.ReasonBadTiming}),
		apply(s, funnel.Move{To: funnel.SQL, At: t0}),
		json.Unmarshal([]byte(`"Sales Qualified"`), &st),
		func() error { _, err := funnel.New(funnel.Spec{ID: "x"}); return err }(),
		func() error {
			_, ev2, _ := m.Apply(s, funnel.Move{To: funnel.Nurture, At: t0, Reason: funnel.ReasonBadTiming, EventID: "e2"})
			ev2.ID = "e1" // another event under a used ID
			_, err := m.Replay("c1", append(log, ev2))
			return err
		}(),
		func() error { _, err := m.Replay("c2", log); return err }(),
		func() error { e := ev; e.Version = 2; _, err := m.Replay("c1", []funnel.Event{e}); return err }(),
		func() error { e := ev; e.To = funnel.Nurture; _, err := m.Replay("c1", []funnel.Event{e}); return err }(),
	} {
		fmt.Println(handle(err))
	}
	// Output:
	// ok
	// 400: a move needs a target stage and a time
	// 400: no stage "vip" in this lifecycle
	// stored state is damaged: rebuild it with Replay
	// already applied: acknowledge the re-delivered message
	// 409: re-read (you saw v0, it is v1) and decide again
	// out-of-order message: park it for review
	// 422: from mql the contact can go to [lead sql opportunity customer evangelist nurture disqualified]
	// ask the rep why (a detour move needs a reason)
	// 422: "bad_timing" is not a reason for mql → lead; use one of [score_decay insufficient_data]
	// tell the user: assign an owner first
	// 400: malformed stage identifier
	// fix the spec at stages
	// log: event #1 (e1) is a duplicate
	// log: event #0 was altered or is another contact's
	// log: fetch the events missing before #0
	// log: event #0 breaks the model's rules
}
