package handoff_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/handoff"
	"pgregory.net/rapid"
)

func drawRoster(t *rapid.T, weighted bool) []handoff.Rep {
	n := rapid.IntRange(1, 8).Draw(t, "reps")
	var reps []handoff.Rep
	for i := range n {
		r := handoff.Rep{ID: fmt.Sprintf("rep%02d", rapid.IntRange(0, 99).Draw(t, "id")*0+i)}
		if rapid.Bool().Draw(t, "in_emea") {
			r.Queues = []string{"emea"}
		}
		r.Away = rapid.IntRange(0, 4).Draw(t, "away") == 0
		if rapid.IntRange(0, 4).Draw(t, "full") == 0 {
			r.Capacity, r.Open = 3, 3
		}
		if weighted {
			r.Weight = rapid.IntRange(1, 4).Draw(t, "weight")
		}
		reps = append(reps, r)
	}
	// Shuffle: the result must not depend on roster order.
	return rapid.Permutation(reps).Draw(t, "order")
}

func eligibleIDs(roster []handoff.Rep, queue string, exclude []string) []string {
	var ids []string
	for _, r := range roster {
		if r.Away || (r.Capacity > 0 && r.Open >= r.Capacity) || slices.Contains(exclude, r.ID) {
			continue
		}
		if queue != "" && !slices.Contains(r.Queues, queue) {
			continue
		}
		ids = append(ids, r.ID)
	}
	return ids
}

func TestRoundRobinProperties(t *testing.T) {
	router, err := handoff.NewRouter(handoff.RoutingSpec{Rules: []handoff.RouteRule{
		{Name: "emea", Territories: []string{"es", "fr"}, Queue: "emea"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		roster := drawRoster(t, false)
		territory := rapid.SampledFrom([]string{"es", "us"}).Draw(t, "territory")
		queue := ""
		if territory == "es" {
			queue = "emea"
		}
		var exclude []string
		if rapid.Bool().Draw(t, "exclude") {
			exclude = []string{roster[0].ID}
		}
		elig := eligibleIDs(roster, queue, exclude)
		var rot handoff.Rotation
		counts := map[string]int{}
		n := rapid.IntRange(1, 40).Draw(t, "leads")
		for i := range n {
			req := handoff.Request{Lead: fmt.Sprint("lead", i), Territory: territory, Exclude: exclude}
			a, next, err := router.Assign(roster, rot, req)
			if len(elig) == 0 {
				if !errors.Is(err, handoff.ErrNoEligibleRep) {
					t.Fatalf("no eligible rep: err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(elig, a.Rep) {
				t.Fatalf("picked ineligible rep %s (eligible %v)", a.Rep, elig)
			}
			// Deterministic: same inputs, same output, any roster order.
			a2, next2, _ := router.Assign(slices.Clone(roster), rot, req)
			rev := slices.Clone(roster)
			slices.Reverse(rev)
			a3, next3, _ := router.Assign(rev, rot, req)
			if !cmp.Equal(a, a2) || !cmp.Equal(next, next2) || !cmp.Equal(a, a3) || !cmp.Equal(next, next3) {
				t.Fatalf("not deterministic: %+v vs %+v vs %+v", a, a2, a3)
			}
			rot = next
			counts[a.Rep]++
			lo, hi := n, 0
			for _, id := range elig {
				lo, hi = min(lo, counts[id]), max(hi, counts[id])
			}
			if hi-lo > 1 {
				t.Fatalf("after %d leads counts spread by %d: %v", i+1, hi-lo, counts)
			}
		}
	})
}

func TestWeightedRotation(t *testing.T) {
	router, _ := handoff.NewRouter(handoff.RoutingSpec{})
	rapid.Check(t, func(t *rapid.T) {
		roster := drawRoster(t, true)
		elig := eligibleIDs(roster, "", nil)
		if len(elig) == 0 {
			return
		}
		weights, total := map[string]int{}, 0
		for _, r := range roster {
			if slices.Contains(elig, r.ID) {
				weights[r.ID] = r.Weight
				total += r.Weight
			}
		}
		var rot handoff.Rotation
		counts := map[string]int{}
		rounds := rapid.IntRange(1, 5).Draw(t, "rounds")
		for i := range rounds * total {
			a, next, err := router.Assign(roster, rot, handoff.Request{Lead: fmt.Sprint(i)})
			if err != nil {
				t.Fatal(err)
			}
			rot = next
			counts[a.Rep]++
		}
		// After whole rounds every rep got exactly its weight per round.
		for id, w := range weights {
			if counts[id] != w*rounds {
				t.Fatalf("rep %s weight %d got %d of %d leads, want %d: %v", id, w, counts[id], rounds*total, w*rounds, counts)
			}
		}
	})
}

func TestAssignOwnership(t *testing.T) {
	router, _ := handoff.NewRouter(handoff.RoutingSpec{})
	roster := []handoff.Rep{{ID: "ana"}, {ID: "bob"}}
	var rot handoff.Rotation
	a, next, err := router.Assign(roster, rot, handoff.Request{Lead: "l", Owner: "ana"})
	if err != nil || !a.Kept || a.Rep != "ana" || !cmp.Equal(next, rot) {
		t.Fatalf("owned lead: %+v %v", a, err)
	}
	a, _, err = router.Assign(roster, rot, handoff.Request{Lead: "l", Owner: "ana", Escalation: "reassign"})
	if err != nil || !a.Reassigned || a.Rep != "bob" || a.Previous != "ana" {
		t.Fatalf("escalated lead: %+v %v", a, err)
	}
	strict, _ := handoff.NewRouter(handoff.RoutingSpec{Strict: true, Rules: []handoff.RouteRule{{Name: "es", Territories: []string{"es"}}}})
	if _, _, err := strict.Assign(roster, rot, handoff.Request{Lead: "l", Territory: "us"}); !errors.Is(err, handoff.ErrNoRoute) {
		t.Errorf("strict router: %v", err)
	}
	if _, _, err := router.Assign([]handoff.Rep{{ID: "a"}, {ID: "a"}}, rot, handoff.Request{Lead: "l"}); !errors.Is(err, handoff.ErrInvalidInput) {
		t.Errorf("duplicate reps: %v", err)
	}
	// A rep back from leave joins the rotation at the current turn: one
	// lead, not a flood to catch up.
	roster = []handoff.Rep{{ID: "ana"}, {ID: "bob"}, {ID: "cid", Away: true}}
	for i := range 10 {
		_, rot, _ = router.Assign(roster, rot, handoff.Request{Lead: fmt.Sprint(i)})
	}
	roster[2].Away = false
	var got []string
	for i := range 6 {
		a, next, _ := router.Assign(roster, rot, handoff.Request{Lead: fmt.Sprint(i)})
		rot = next
		got = append(got, a.Rep)
	}
	if want := []string{"cid", "ana", "bob", "cid", "ana", "bob"}; !cmp.Equal(want, got) {
		t.Errorf("after return: %v, want %v", got, want)
	}
}

// TestRouteByTerritoryAndSegment: the rules of testdata/routing.json pick
// the queue by segment before territory, unmatched leads go to the
// fallback, and Assign takes the rep from that queue only.
func TestRouteByTerritoryAndSegment(t *testing.T) {
	spec, err := handoff.ParseRoutingSpec(readSpec(t, "routing.json"))
	if err != nil {
		t.Fatal(err)
	}
	router, err := handoff.NewRouter(spec)
	if err != nil {
		t.Fatal(err)
	}
	roster := []handoff.Rep{
		{ID: "eve", Queues: []string{"enterprise"}},
		{ID: "ana", Queues: []string{"emea"}},
		{ID: "sam", Queues: []string{"americas"}},
	}
	tests := []struct {
		territory, segment string
		queue, rule, rep   string
	}{
		{"es", "enterprise", "enterprise", "enterprise", "eve"},
		{"us", "enterprise", "enterprise", "enterprise", "eve"},
		{"es", "smb", "emea", "emea", "ana"},
		{"br", "", "americas", "americas", "sam"},
		{"jp", "smb", "emea", "", "ana"}, // fallback
	}
	for _, tt := range tests {
		req := handoff.Request{Lead: "l", Territory: tt.territory, Segment: tt.segment}
		q, rule, err := router.Route(req)
		if err != nil || q != tt.queue || rule != tt.rule {
			t.Errorf("Route(%s, %s) = %q, %q, %v; want %q, %q", tt.territory, tt.segment, q, rule, err, tt.queue, tt.rule)
		}
		a, _, err := router.Assign(roster, handoff.Rotation{}, req)
		if err != nil || a.Rep != tt.rep || a.Queue != tt.queue || a.Rule != tt.rule {
			t.Errorf("Assign(%s, %s) = %+v, %v; want rep %s", tt.territory, tt.segment, a, err, tt.rep)
		}
	}
	// The enterprise queue's only rep is away: no fall-through to another
	// queue.
	roster[0].Away = true
	if _, _, err := router.Assign(roster, handoff.Rotation{}, handoff.Request{Lead: "l", Territory: "es", Segment: "enterprise"}); !errors.Is(err, handoff.ErrNoEligibleRep) {
		t.Errorf("empty enterprise queue: %v", err)
	}
}

// TestAssignInvalidInput: a roster entry or a stored rotation that Assign
// cannot trust is an ErrInvalidInput, and the rotation comes back as given.
func TestAssignInvalidInput(t *testing.T) {
	router, _ := handoff.NewRouter(handoff.RoutingSpec{})
	var good handoff.Rotation
	for i := range 4 {
		_, good, _ = router.Assign([]handoff.Rep{{ID: "ana"}, {ID: "bob"}}, good, handoff.Request{Lead: fmt.Sprint(i)})
	}
	swapped := good.Clone()
	slices.Reverse(swapped.Queues[0].Turns)
	twoQueues := good.Clone()
	twoQueues.Queues = append(twoQueues.Queues, twoQueues.Queues[0])
	future := good.Clone()
	future.Queues[0].Turns[0].Last = good.Seq + 1
	// A pass more than one turn after the clock: ana would never get a
	// lead again (or, near the top, wrap around and take them all).
	ahead := good.Clone()
	ahead.Queues[0].Turns[0].Pass = good.Queues[0].Clock + 1<<32 + 1
	top := good.Clone()
	top.Queues[0].Turns[0].Pass = 1<<64 - 1
	exhausted := good.Clone()
	exhausted.Queues[0].Clock = 1<<64 - 1<<32
	tests := []struct {
		name   string
		roster []handoff.Rep
		rot    handoff.Rotation
	}{
		{"empty ID", []handoff.Rep{{ID: ""}}, good},
		{"duplicate ID", []handoff.Rep{{ID: "a"}, {ID: "a"}}, good},
		{"negative weight", []handoff.Rep{{ID: "a", Weight: -1}}, good},
		{"weight over 1000", []handoff.Rep{{ID: "a", Weight: 1001}}, good},
		{"negative capacity", []handoff.Rep{{ID: "a", Capacity: -2}}, good},
		{"negative open", []handoff.Rep{{ID: "a", Capacity: 3, Open: -1}}, good},
		{"turns out of order", []handoff.Rep{{ID: "ana"}}, swapped},
		{"queue repeated", []handoff.Rep{{ID: "ana"}}, twoQueues},
		{"last after seq", []handoff.Rep{{ID: "ana"}}, future},
		{"pass ahead of the clock", []handoff.Rep{{ID: "ana"}, {ID: "bob"}}, ahead},
		{"pass at the top", []handoff.Rep{{ID: "ana"}, {ID: "bob"}}, top},
		{"clock at the top", []handoff.Rep{{ID: "ana"}, {ID: "bob"}}, exhausted},
	}
	for _, tt := range tests {
		a, rot, err := router.Assign(tt.roster, tt.rot, handoff.Request{Lead: "l"})
		if !errors.Is(err, handoff.ErrInvalidInput) || a.Rep != "" || !cmp.Equal(rot, tt.rot) {
			t.Errorf("%s: %+v, %v", tt.name, a, err)
		}
	}
	// The edges of the valid range are fine.
	if _, _, err := router.Assign([]handoff.Rep{{ID: "a", Weight: 1000}, {ID: "b", Weight: 0, Capacity: 0, Open: 0}}, good, handoff.Request{Lead: "l"}); err != nil {
		t.Errorf("weights 1000 and 0: %v", err)
	}
}

// TestLeastRecentlyAssignedFirst: with equal weights, whatever changes
// between leads (reps going away and coming back, reaching capacity,
// being excluded), the rep chosen is always the eligible one assigned
// least recently from the queue (never-assigned reps first, then by ID),
// as read from the rotation the host stores.
func TestLeastRecentlyAssignedFirst(t *testing.T) {
	router, _ := handoff.NewRouter(handoff.RoutingSpec{})
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 6).Draw(t, "reps")
		w := rapid.IntRange(0, 3).Draw(t, "weight") // the same for all
		var rot handoff.Rotation
		for i := range rapid.IntRange(1, 40).Draw(t, "leads") {
			roster := make([]handoff.Rep, n)
			for j := range roster {
				roster[j] = handoff.Rep{ID: fmt.Sprintf("rep%d", j), Weight: w, Away: rapid.IntRange(0, 3).Draw(t, "away") == 0}
				if rapid.IntRange(0, 5).Draw(t, "full") == 0 {
					roster[j].Capacity, roster[j].Open = 1, 1
				}
			}
			var exclude []string
			if rapid.IntRange(0, 4).Draw(t, "exclude") == 0 {
				exclude = []string{rapid.SampledFrom(roster).Draw(t, "excluded").ID}
			}
			last := map[string]uint64{}
			for _, q := range rot.Queues {
				for _, tn := range q.Turns {
					last[tn.Rep] = tn.Last
				}
			}
			want := ""
			for _, id := range eligibleIDs(roster, "", exclude) {
				if want == "" || last[id] < last[want] || last[id] == last[want] && id < want {
					want = id
				}
			}
			a, next, err := router.Assign(rapid.Permutation(roster).Draw(t, "order"), rot, handoff.Request{Lead: fmt.Sprint(i), Exclude: exclude})
			if want == "" {
				if !errors.Is(err, handoff.ErrNoEligibleRep) {
					t.Fatalf("lead %d: no eligible rep, got %+v, %v", i, a, err)
				}
				continue
			}
			if err != nil || a.Rep != want {
				t.Fatalf("lead %d: got %q (%v), want the least recently assigned %q; last %v", i, a.Rep, err, want, last)
			}
			rot = next
		}
	})
}

// TestEscalationNeedsOwner: a Reassign escalation without the lead's owner
// used to be ignored, so the rotation could hand the lead straight back to
// the rep who let it lapse (here ana, next in turn). It is invalid input
// now, and the rotation does not move.
func TestEscalationNeedsOwner(t *testing.T) {
	router, _ := handoff.NewRouter(handoff.RoutingSpec{})
	roster := []handoff.Rep{{ID: "ana"}, {ID: "bob"}}
	var rot handoff.Rotation
	a, next, err := router.Assign(roster, rot, handoff.Request{Lead: "l", Escalation: "reassign"})
	if !errors.Is(err, handoff.ErrInvalidInput) || a.Rep != "" || !cmp.Equal(next, rot) {
		t.Errorf("escalation without owner: %+v, %+v, %v; want ErrInvalidInput", a, next, err)
	}
	if a, _, err := router.Assign(roster, rot, handoff.Request{Lead: "l", Owner: "ana", Escalation: "reassign"}); err != nil || a.Rep != "bob" {
		t.Errorf("escalation with owner: %+v, %v", a, err)
	}
}
