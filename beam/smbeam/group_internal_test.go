package smbeam

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
)

// TestSortedEventsDeterministic: a lead's events come out of GroupByLead
// in the same order whatever order the runner delivers them, duplicates
// of a version included (same version and time, other ID; same ID, other
// note; same instant, other zone offset).
func TestSortedEventsDeterministic(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	es := []funnel.Event{
		{ID: "e1", Lead: "L", Version: 1, At: at, To: funnel.Lead, Kind: funnel.MoveEntry},
		{ID: "e2", Lead: "L", Version: 2, At: at.Add(time.Hour), From: funnel.Lead, To: funnel.MQL, Kind: funnel.MoveForward},
		{ID: "e2b", Lead: "L", Version: 2, At: at.Add(time.Hour), From: funnel.Lead, To: funnel.Nurture, Kind: funnel.MoveDetour},
		{ID: "e2", Lead: "L", Version: 2, At: at.Add(time.Hour), From: funnel.Lead, To: funnel.MQL, Kind: funnel.MoveForward, Note: "again"},
		{ID: "e2", Lead: "L", Version: 2, At: at.Add(time.Hour).In(time.FixedZone("", 3600)), From: funnel.Lead, To: funnel.MQL, Kind: funnel.MoveForward},
		{ID: "e3", Lead: "L", Version: 3, At: at.Add(2 * time.Hour), From: funnel.MQL, To: funnel.SQL, Kind: funnel.MoveForward},
	}
	iter := func(es []funnel.Event) func(*funnel.Event) bool {
		return func(e *funnel.Event) bool {
			if len(es) == 0 {
				return false
			}
			*e, es = es[0], es[1:]
			return true
		}
	}
	_, want := sortedEvents("L", iter(es))
	r := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		shuffled := slices.Clone(es)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		_, got := sortedEvents("L", iter(shuffled))
		if !slices.EqualFunc(got, want, func(a, b funnel.Event) bool { return a.Equal(b) && a.At.Location() == b.At.Location() }) {
			t.Fatalf("order depends on the input order:\n got %v\nwant %v", got, want)
		}
	}
	for i := 1; i < len(want); i++ {
		if want[i-1].Version > want[i].Version {
			t.Fatalf("not in version order: %v", want)
		}
	}
}
