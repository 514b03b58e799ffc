package handoff_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
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
// escalations once due stay due; and the whole report agrees with an
// oracle written from the definitions, at and around every deadline.
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
		tier, _ := sla.Tier(tk.Tier)
		// The instants where statuses change: deadlines and escalation
		// times, and a nanosecond either side. Done times and nows are
		// drawn among them as well as at random, so the boundaries are hit.
		var edges []time.Time
		for _, e := range slaOracle(c.cal, tier, tk, act.Add(30*24*time.Hour)).Escalations {
			edges = append(edges, e.At)
		}
		for _, ck := range slaOracle(c.cal, tier, tk, act).Clocks {
			if !ck.Deadline.IsZero() {
				edges = append(edges, ck.Deadline, c.cal.Add(ck.Start, ck.Within*3/4))
			}
		}
		instant := func(name string) time.Time {
			if len(edges) > 0 && rapid.Bool().Draw(t, name+"_at_edge") {
				e := rapid.SampledFrom(edges).Draw(t, name+"_edge")
				return e.Add(time.Duration(rapid.IntRange(-1, 1).Draw(t, name+"_ns")))
			}
			return act.Add(time.Duration(rapid.IntRange(0, 7*24*3600).Draw(t, name+"_after")) * time.Second)
		}
		if rapid.Bool().Draw(t, "touched") {
			tk.FirstTouchAt = instant("touch")
		}
		if rapid.Bool().Draw(t, "decided") {
			tk.DecidedAt = instant("decide")
		}
		tk.Attempts = rapid.IntRange(0, 8).Draw(t, "attempts")
		now := act.Add(-time.Hour)
		prev := map[handoff.Target]int{}
		fired := map[string]bool{}
		for range 30 {
			if next := instant("now"); next.After(now) && rapid.Bool().Draw(t, "jump") {
				now = next
			} else {
				now = now.Add(time.Duration(rapid.IntRange(0, 12*3600).Draw(t, "step")) * time.Second)
			}
			r, err := sla.Evaluate(c.cal, tk, now)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatalf("the report does not marshal: %v", err)
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
			if diff := cmp.Diff(slaOracle(c.cal, tier, tk, now), r, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("at %v (-oracle +Evaluate):\n%s", now, diff)
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

// slaOracle is the report of ticket tk at now on tier, written from the
// definitions rather than from Evaluate: a clock waits until its anchor
// (the assignment for accept, the lead's action for the first touch, unless
// the tier says otherwise) is set; its deadline is the calendar sum of the
// anchor and the allowed time; done at or before now it is met when done
// by the deadline and breached otherwise; not done, it is breached once now
// is past the deadline (untouched past the deadline is a breach), due soon
// once 75 % of the time is used, pending before. An escalation is due once
// its share of the target's time has passed without the target done by
// then.
func slaOracle(cal handoff.Calendar, tier handoff.TierSpec, tk handoff.Ticket, now time.Time) handoff.Report {
	r := handoff.Report{Tier: tier.Name, AttemptsLeft: max(tier.MinAttempts-tk.Attempts, 0)}
	anchor := func(g handoff.TargetSpec) time.Time {
		if g.From == handoff.FromAssignment || g.From == "" && g.Target == handoff.TargetAccept {
			return tk.AssignedAt
		}
		return tk.ActionAt
	}
	done := func(g handoff.Target) time.Time {
		if g == handoff.TargetAccept {
			return tk.DecidedAt
		}
		return tk.FirstTouchAt
	}
	for _, g := range tier.Targets {
		ck := handoff.Clock{Target: g.Target, Within: time.Duration(g.Within), Status: handoff.StatusWaiting, Start: anchor(g)}
		if ck.Start.IsZero() {
			r.Clocks = append(r.Clocks, ck)
			continue
		}
		ck.Deadline = cal.Add(ck.Start, ck.Within)
		until := now
		if d := done(g.Target); !d.IsZero() && !d.After(now) {
			ck.Done, until = d, d
		}
		ck.Used = max(cal.Between(ck.Start, until), 0)
		switch {
		case !ck.Done.IsZero() && !ck.Done.After(ck.Deadline):
			ck.Status = handoff.StatusMet
		case !ck.Done.IsZero() || now.After(ck.Deadline):
			ck.Status = handoff.StatusBreached
		case 4*ck.Used >= 3*ck.Within:
			ck.Status = handoff.StatusDueSoon
		default:
			ck.Status = handoff.StatusPending
		}
		r.Clocks = append(r.Clocks, ck)
	}
	for _, e := range tier.Escalations {
		for _, g := range tier.Targets {
			start := anchor(g)
			if g.Target != e.Target || start.IsZero() {
				continue
			}
			at := cal.Add(start, time.Duration(decimal.NewFromInt(int64(g.Within)).Mul(e.At).IntPart()))
			if d := done(g.Target); now.Before(at) || !d.IsZero() && !d.After(at) {
				continue
			}
			r.Escalations = append(r.Escalations, handoff.Escalation{Name: e.Name, Target: e.Target, Action: e.Action, At: at})
		}
	}
	return r
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
