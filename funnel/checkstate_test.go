package funnel_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
)

// TestCheckState: one state per problem CheckState promises to find, each
// reported with the field at fault, and states Apply produced accepted.
func TestCheckState(t *testing.T) {
	m := funnel.Default()
	at := func(h int) time.Time {
		return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)
	}
	s := funnel.State{Lead: "c-1"}
	if err := m.CheckState(s); err != nil {
		t.Fatalf("zero state: %v", err)
	}
	var err error
	for i, mv := range []funnel.Move{
		{To: funnel.Lead, At: at(0)}, {To: funnel.MQL, At: at(2)},
		{To: funnel.Nurture, At: at(5), Reason: funnel.ReasonBadTiming}, {To: funnel.MQL, At: at(9), Reason: funnel.ReasonReEngaged},
	} {
		if s, _, err = m.Apply(s, mv); err != nil {
			t.Fatalf("move %d: %v", i, err)
		}
		if err := m.CheckState(s); err != nil {
			t.Fatalf("after move %d: %v", i, err)
		}
	}
	good := s // lead → mql → nurture → mql, version 4
	if good.Version != 4 || len(good.Facts) != 3 {
		t.Fatalf("unexpected fixture %+v", good)
	}
	edit := func(f func(*funnel.State)) funnel.State {
		c := good.Clone()
		f(&c)
		return c
	}
	for _, c := range []struct {
		name  string
		state funnel.State
		paths []string
	}{
		{"zero version with a stage", funnel.State{Stage: funnel.Lead}, []string{"version"}},
		{"zero version with an event ID", funnel.State{LastEventID: "e-1"}, []string{"version"}},
		// Changing the current stage makes mql a stage left: its last exit
		// (to nurture) is before its last entry.
		{"empty stage", edit(func(s *funnel.State) { s.Stage = "" }), []string{"stage", "facts[1].last_exited"}},
		{"undeclared stage", edit(func(s *funnel.State) { s.Stage = "sal" }), []string{"stage", "facts[1].last_exited", "facts"}},
		{"undeclared fact", edit(func(s *funnel.State) { s.Facts[0].Stage = "sal" }), []string{"facts[0].stage"}},
		{"repeated fact", edit(func(s *funnel.State) { s.Facts[2].Stage = funnel.Lead }), []string{"facts[2].stage"}},
		{"no entries", edit(func(s *funnel.State) { s.Facts[0].Entries = 0 }), []string{"facts[0].entries", "version"}},
		{"entries do not add up", edit(func(s *funnel.State) { s.Facts[1].Entries = 3 }), []string{"version"}},
		// MaxInt64 + MaxInt64 + 6 wraps around to 4 in uint64.
		{"entries wrap around to version", edit(func(s *funnel.State) {
			s.Facts[0].Entries, s.Facts[1].Entries, s.Facts[2].Entries = math.MaxInt64, math.MaxInt64, 6
		}), []string{"version"}},
		{"version does not match", edit(func(s *funnel.State) { s.Version = 9 }), []string{"version"}},
		{"negative cumulative", edit(func(s *funnel.State) { s.Facts[0].Cumulative = -time.Second }), []string{"facts[0].cumulative_ns"}},
		{"entered before first entry", edit(func(s *funnel.State) { s.Facts[1].FirstEntered = at(20) }), []string{"facts[1].last_entered", "facts[1].last_exited"}},
		{"entered after since", edit(func(s *funnel.State) {
			s.Facts[0].FirstEntered, s.Facts[0].LastEntered, s.Facts[0].LastExited = at(30), at(30), at(32)
		}), []string{"facts[0].last_entered", "facts[0].last_exited"}},
		{"left stage never exited", edit(func(s *funnel.State) { s.Facts[0].LastExited = time.Time{} }), []string{"facts[0].last_exited"}},
		{"exited before entered", edit(func(s *funnel.State) { s.Facts[2].LastExited = at(4) }), []string{"facts[2].last_exited"}},
		{"current stage not entered at since", edit(func(s *funnel.State) { s.Since = at(10) }), []string{"facts[1].last_entered"}},
		{"current stage exited after since", edit(func(s *funnel.State) { s.Facts[1].LastExited = at(12) }), []string{"facts[1].last_exited"}},
		{"no facts for the current stage", edit(func(s *funnel.State) { s.Stage = funnel.SQL }), []string{"facts[1].last_exited", "facts"}},
		// The problems below used to pass: a row whose times were dropped
		// (they read back as the zero time, which Apply never records), a
		// time JSON cannot write, and facts that no sequence of moves gives.
		{"times missing", funnel.State{Lead: "c-1", Stage: funnel.Lead, Version: 1,
			Facts: []funnel.StageFacts{{Stage: funnel.Lead, Entries: 1}}},
			[]string{"since", "facts[0].first_entered", "facts[0].last_entered"}},
		{"first entry missing", edit(func(s *funnel.State) { s.Facts[1].FirstEntered = time.Time{} }), []string{"facts[1].first_entered"}},
		{"time JSON cannot write", edit(func(s *funnel.State) {
			s.Facts[0].FirstEntered = s.Facts[0].FirstEntered.In(time.FixedZone("far", 25*3600))
		}), []string{"facts[0].first_entered"}},
		{"entered once, at two times", edit(func(s *funnel.State) { s.Facts[2].FirstEntered = at(4) }), []string{"facts[2].last_entered"}},
		{"current stage re-entered without an exit", edit(func(s *funnel.State) { s.Facts[1].LastExited = time.Time{} }), []string{"facts[1].last_exited"}},
		{"current stage entered once but exited", edit(func(s *funnel.State) {
			// Nurture is the current stage, entered once, at since.
			s.Stage, s.Since = funnel.Nurture, at(5)
			s.Facts[1].LastEntered, s.Facts[1].LastExited, s.Facts[1].Cumulative = at(2), at(5), 3*time.Hour
			s.Facts[1].Entries, s.Facts[0].Entries = 1, 2
			s.Facts[2].LastExited, s.Facts[2].Cumulative = at(5), 0
		}), []string{"facts[2].last_exited"}},
		{"cumulative for a stay still open", edit(func(s *funnel.State) {
			s.Stage, s.Since = funnel.Nurture, at(5)
			s.Facts[1].LastEntered, s.Facts[1].LastExited, s.Facts[1].Cumulative = at(2), at(5), 3*time.Hour
			s.Facts[1].Entries, s.Facts[0].Entries = 1, 2
			s.Facts[2].LastExited, s.Facts[2].Cumulative = time.Time{}, time.Hour
		}), []string{"facts[2].cumulative_ns"}},
		{"cumulative is not the one stay", edit(func(s *funnel.State) { s.Facts[2].Cumulative = 5 * time.Hour }), []string{"facts[2].cumulative_ns"}},
		// Facts rebuilt from a map (a migration) come in any order; reports
		// read them in the order of first entry.
		{"facts out of order", edit(func(s *funnel.State) { s.Facts[0], s.Facts[1] = s.Facts[1], s.Facts[0] }), []string{"facts[1].first_entered"}},
		{"cumulative longer than first entry to last exit", edit(func(s *funnel.State) { s.Facts[1].Cumulative = 4 * time.Hour }), []string{"facts[1].cumulative_ns"}},
	} {
		err := m.CheckState(c.state)
		if !errors.Is(err, funnel.ErrInvalidState) {
			t.Errorf("%s: %v, want ErrInvalidState", c.name, err)
			continue
		}
		msg := err.Error()
		for _, p := range c.paths {
			if !strings.Contains(msg, "inconsistent state: "+p+": ") {
				t.Errorf("%s: %q does not name %s", c.name, msg, p)
			}
		}
		if n := strings.Count(msg, "inconsistent state"); n != len(c.paths) {
			t.Errorf("%s: %d problems reported, want %d:\n%s", c.name, n, len(c.paths), msg)
		}
	}
}

// CheckState allocates nothing for a good state.
func TestCheckStateAllocs(t *testing.T) {
	m := funnel.Default()
	s, _ := steadyState(t, m)
	if n := testing.AllocsPerRun(100, func() { sinkErr = m.CheckState(s) }); n != 0 || sinkErr != nil {
		t.Errorf("CheckState: %v allocations, err %v", n, sinkErr)
	}
}

// A state with more facts than the model has stages (read back from a
// corrupted or hostile row) is refused with a "facts" problem, and the
// search for repeated stages stays linear in the number of facts.
func TestCheckStateTooManyFacts(t *testing.T) {
	m := funnel.Default()
	s, _ := steadyState(t, m)
	n := len(m.Stages())
	for len(s.Facts) <= 100_000 {
		s.Facts = append(s.Facts, s.Facts[0])
	}
	err := m.CheckState(s)
	if !errors.Is(err, funnel.ErrInvalidState) {
		t.Fatalf("%d facts: %v, want ErrInvalidState", len(s.Facts), err)
	}
	want := fmt.Sprintf("inconsistent state: facts: %d entries, but model %q has %d stages", len(s.Facts), m.ID(), n)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error does not say %q", want)
	}
	if !strings.Contains(err.Error(), "facts[100000].stage: ") {
		t.Errorf("the last repeated fact is not reported")
	}
}
