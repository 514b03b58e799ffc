package handoff_test

import (
	"sync"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/scoring"
	"pgregory.net/rapid"
)

var statusOrder = map[handoff.Status]int{
	handoff.StatusWaiting: 0, handoff.StatusPending: 1, handoff.StatusDueSoon: 2, handoff.StatusBreached: 3, handoff.StatusMet: 3,
}

// TestSLAProperties: on any calendar, a target's deadline is the calendar
// sum of its start and allowed time; as now advances its status only moves
// forward (waiting, pending, due soon, then met or breached, never back);
// a target done by its deadline is met and one done after is breached;
// escalations once due stay due.
func TestSLAProperties(t *testing.T) {
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	rapid.Check(t, func(t *rapid.T) {
		c := drawCal(t)
		act := drawStart(t, c.loc, "action")
		tk := handoff.Ticket{
			Tier:     rapid.SampledFrom([]string{"", "fast_track", "standard"}).Draw(t, "tier"),
			ActionAt: act,
		}
		if rapid.Bool().Draw(t, "assigned") {
			tk.AssignedAt = act.Add(time.Duration(rapid.IntRange(0, 3600).Draw(t, "assign_after")) * time.Second)
		}
		if rapid.Bool().Draw(t, "touched") {
			tk.FirstTouchAt = act.Add(time.Duration(rapid.IntRange(0, 7*24*3600).Draw(t, "touch_after")) * time.Second)
		}
		now := act.Add(-time.Hour)
		prev := map[handoff.Target]int{}
		fired := map[string]bool{}
		for range 30 {
			now = now.Add(time.Duration(rapid.IntRange(0, 12*3600).Draw(t, "step")) * time.Second)
			r, err := sla.Evaluate(c.cal, tk, now)
			if err != nil {
				t.Fatal(err)
			}
			for _, ck := range r.Clocks {
				if ck.Status != handoff.StatusWaiting && !ck.Deadline.Equal(c.cal.Add(ck.Start, ck.Within)) {
					t.Fatalf("deadline %v, want Add(%v, %v)", ck.Deadline, ck.Start, ck.Within)
				}
				o := statusOrder[ck.Status]
				if o < prev[ck.Target] {
					t.Fatalf("%s went back to %s at %v", ck.Target, ck.Status, now)
				}
				prev[ck.Target] = o
				if !ck.Done.IsZero() && (ck.Status == handoff.StatusMet) == ck.Done.After(ck.Deadline) {
					t.Fatalf("%s done at %v, deadline %v, status %s", ck.Target, ck.Done, ck.Deadline, ck.Status)
				}
			}
			now2 := map[string]bool{}
			for _, e := range r.Escalations {
				now2[e.Name] = true
				if e.At.After(now) {
					t.Fatalf("escalation %s due at %v after now %v", e.Name, e.At, now)
				}
			}
			for name := range fired {
				if !now2[name] {
					t.Fatalf("escalation %s was due and is not any more", name)
				}
			}
			fired = now2
		}
	})
}

// TestConcurrentUse runs the compiled values from several goroutines; with
// -race it shows they are safe for concurrent use.
func TestConcurrentUse(t *testing.T) {
	m := funnel.Default()
	p := pol(t)
	cal := office(t, "Europe/Madrid")
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	router, _ := handoff.NewRouter(handoff.RoutingSpec{})
	acc, _ := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m})
	roster := []handoff.Rep{{ID: "a"}, {ID: "b"}}
	s := at(t, m, funnel.MQL)
	sql := at(t, m, funnel.SQL)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var rot handoff.Rotation
			for i := range 50 {
				now := t0.Add(time.Duration(g*100+i) * time.Minute)
				if _, err := p.Decide(handoff.Input{State: s, Score: result(scoring.HighFitHighInterest), Now: now}); err != nil {
					t.Error(err)
				}
				cal.Between(t0, cal.Add(now, 30*time.Hour))
				if _, err := sla.Evaluate(cal, handoff.Ticket{ActionAt: t0, AssignedAt: t0}, now); err != nil {
					t.Error(err)
				}
				_, rot, _ = router.Assign(roster, rot, handoff.Request{Lead: "l"})
				if _, err := acc.Reject(sql, handoff.RecycleState{}, handoff.Rejection{Rep: "a", Code: funnel.ReasonWrongTerritory, At: now}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}
