package funnel_test

import (
	"testing"

	"github.com/smarketing/smarketing/funnel"
)

// TestSteadyStateAllocs pins the promise that a successful Apply (and
// ApplyTo, Can) allocates nothing once the contact has entered its stages.
// It counts allocations, never time. It also runs under -race, the mode
// CI tests in: the race detector keeps its shadow memory outside the Go
// heap, and this path has no sync.Pool or unsafe conversion whose
// allocations the detector could change.
func TestSteadyStateAllocs(t *testing.T) {
	m := funnel.Default()
	s, moves := steadyState(t, m)
	i := 0
	if n := testing.AllocsPerRun(1000, func() {
		var err error
		s, _, err = m.Apply(s, moves[i&1])
		if err != nil {
			t.Fatal(err)
		}
		i++
	}); n != 0 {
		t.Errorf("Apply allocates %v times per call in steady state", n)
	}
	var ev funnel.Event
	if n := testing.AllocsPerRun(1000, func() {
		if err := m.ApplyTo(&s, &moves[i&1], &ev); err != nil {
			t.Fatal(err)
		}
		i++
	}); n != 0 {
		t.Errorf("ApplyTo allocates %v times per call in steady state", n)
	}
	if n := testing.AllocsPerRun(1000, func() {
		if err := m.Can(s, moves[i&1]); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Can allocates %v times per call", n)
	}
}
