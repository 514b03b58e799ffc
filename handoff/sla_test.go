package handoff_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
)

func TestSLAStatus(t *testing.T) {
	mad := mustLoad(t, "Europe/Madrid")
	cal := office(t, "Europe/Madrid")
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	// Friday 16:00: the MQL form; assigned at 16:30.
	act := time.Date(2026, 3, 27, 16, 0, 0, 0, mad)
	ticket := handoff.Ticket{ActionAt: act, AssignedAt: act.Add(30 * time.Minute)}
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, mad) }
	type clk struct {
		Accept, Touch handoff.Status
		Escalations   []string
	}
	tests := []struct {
		name string
		tk   func(handoff.Ticket) handoff.Ticket
		now  time.Time
		want clk
	}{
		{"just assigned", nil, at(27, 16, 31), clk{handoff.StatusPending, handoff.StatusPending, nil}},
		// accept: 4 business hours from Fri 16:30 = Mon 12:30 (over the
		// spring-forward weekend). 75 % = 3 h = Mon 11:30.
		{"monday 11:29 accept pending", nil, at(30, 11, 29), clk{handoff.StatusPending, handoff.StatusPending, nil}},
		{"monday 11:30 accept due soon", nil, at(30, 11, 30), clk{handoff.StatusDueSoon, handoff.StatusPending, nil}},
		{"monday 12:30 still due soon", nil, at(30, 12, 30), clk{handoff.StatusDueSoon, handoff.StatusPending, nil}},
		{"monday 12:31 accept breached", nil, at(30, 12, 31), clk{handoff.StatusBreached, handoff.StatusPending, nil}},
		{"accepted in time", func(t handoff.Ticket) handoff.Ticket { t.DecidedAt = at(30, 9, 15); return t }, at(30, 12, 31),
			clk{handoff.StatusMet, handoff.StatusPending, nil}},
		{"accepted late", func(t handoff.Ticket) handoff.Ticket { t.DecidedAt = at(30, 13, 0); return t }, at(30, 13, 30),
			clk{handoff.StatusBreached, handoff.StatusPending, nil}},
		// first touch: 24 business hours from Fri 16:00 = Wed 16:00;
		// remind at 18 h = Wed 10:00, manager at the deadline.
		{"wednesday 10:00 remind", nil, time.Date(2026, 4, 1, 10, 0, 0, 0, mad), clk{handoff.StatusBreached, handoff.StatusDueSoon, []string{"remind_owner"}}},
		{"wednesday 16:01 alert", nil, time.Date(2026, 4, 1, 16, 1, 0, 0, mad), clk{handoff.StatusBreached, handoff.StatusBreached, []string{"remind_owner", "alert_manager"}}},
		{"touched before reminder", func(t handoff.Ticket) handoff.Ticket { t.FirstTouchAt = at(30, 9, 0); return t }, time.Date(2026, 4, 10, 9, 0, 0, 0, mad),
			clk{handoff.StatusBreached, handoff.StatusMet, nil}},
		// The brief's compliance: touched at or before the deadline is met,
		// a nanosecond later is a breach.
		{"touched at the deadline", func(t handoff.Ticket) handoff.Ticket {
			t.FirstTouchAt, t.DecidedAt = time.Date(2026, 4, 1, 16, 0, 0, 0, mad), at(30, 9, 0)
			return t
		}, time.Date(2026, 4, 2, 9, 0, 0, 0, mad), clk{handoff.StatusMet, handoff.StatusMet, []string{"remind_owner"}}},
		{"touched a nanosecond late", func(t handoff.Ticket) handoff.Ticket {
			t.FirstTouchAt, t.DecidedAt = time.Date(2026, 4, 1, 16, 0, 0, 1, mad), at(30, 9, 0)
			return t
		}, time.Date(2026, 4, 2, 9, 0, 0, 0, mad), clk{handoff.StatusMet, handoff.StatusBreached, []string{"remind_owner", "alert_manager"}}},
		{"not started", func(t handoff.Ticket) handoff.Ticket { t.AssignedAt = time.Time{}; return t }, at(27, 16, 31),
			clk{handoff.StatusWaiting, handoff.StatusPending, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := ticket
			if tt.tk != nil {
				tk = tt.tk(tk)
			}
			r, err := sla.Evaluate(cal, tk, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := r.Clock(handoff.TargetAccept)
			f, _ := r.Clock(handoff.TargetFirstTouch)
			got := clk{a.Status, f.Status, nil}
			for _, e := range r.Escalations {
				got.Escalations = append(got.Escalations, e.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s\naccept deadline %v, touch deadline %v", diff, a.Deadline, f.Deadline)
			}
		})
	}
	a, _ := func() (handoff.Clock, bool) {
		r, _ := sla.Evaluate(cal, ticket, act)
		return r.Clock(handoff.TargetAccept)
	}()
	if want := at(30, 12, 30); !a.Deadline.Equal(want) {
		t.Errorf("accept deadline %v, want %v", a.Deadline, want)
	}
	if _, err := sla.Evaluate(cal, handoff.Ticket{Tier: "gold"}, act); !errors.Is(err, handoff.ErrUnknownTier) {
		t.Errorf("unknown tier: %v", err)
	}
	// The fast track counts on the wall clock when asked to.
	spec := handoff.DefaultSLASpec()
	spec.Tiers[0].Clock = handoff.WallClock
	fast := handoff.MustSLA(spec)
	r, _ := fast.Evaluate(cal, handoff.Ticket{Tier: "fast_track", ActionAt: at(28, 22, 0)}, at(28, 22, 6))
	if c, _ := r.Clock(handoff.TargetFirstTouch); c.Status != handoff.StatusBreached || !c.Deadline.Equal(at(28, 22, 5)) {
		t.Errorf("wall clock fast track: %+v", c)
	}
}

func TestSLASpecErrors(t *testing.T) {
	_, err := handoff.NewSLA(handoff.SLASpec{DueSoon: decimal.NewFromInt(2), DefaultTier: "nope", Tiers: []handoff.TierSpec{
		{Name: "a", Clock: "sundial", MinAttempts: -1, Targets: []handoff.TargetSpec{{Target: "smile", Within: 0, From: "moon"}},
			Escalations: []handoff.EscalationSpec{{Name: "e", Target: handoff.TargetAccept, Action: "panic"}}},
		{Name: "a"},
	}})
	want := []string{"due_soon", "tiers[0].clock", "tiers[0].min_attempts", "tiers[0].targets[0].target", "tiers[0].targets[0].within",
		"tiers[0].targets[0].from", "tiers[0].escalations[0].target", "tiers[0].escalations[0].at", "tiers[0].escalations[0].action",
		"tiers[1].name", "default_tier"}
	if diff := cmp.Diff(want, specPaths(t, err)); diff != "" {
		t.Errorf("(-want +got):\n%s\n%v", diff, err)
	}
}

func specPaths(t *testing.T, err error) []string {
	t.Helper()
	if !errors.Is(err, handoff.ErrInvalidSpec) {
		t.Fatalf("err = %v, want ErrInvalidSpec", err)
	}
	var paths []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var se *handoff.SpecError
		if errors.As(e, &se) {
			paths = append(paths, se.Path)
		}
	}
	return paths
}

// TestSLADueSoonShareAndReassign: the due-soon share is configurable (here
// 0.5, from JSON), a reassign escalation is returned as data once due and
// not when the target was met before it, and the default standard tier
// reassigns at 72 business hours.
func TestSLADueSoonShareAndReassign(t *testing.T) {
	mad := mustLoad(t, "Europe/Madrid")
	cal := office(t, "Europe/Madrid")
	spec, err := handoff.ParseSLASpec([]byte(`{"due_soon": "0.5", "tiers": [{"name": "t",
		"targets": [{"target": "accept", "within": "4h"}],
		"escalations": [{"name": "take_back", "target": "accept", "at": 2, "action": "reassign"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	sla, err := handoff.NewSLA(spec)
	if err != nil {
		t.Fatal(err)
	}
	mon := func(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, mad) }
	tk := handoff.Ticket{AssignedAt: mon(9, 0)}
	type got struct {
		Status      handoff.Status
		Escalations []handoff.Escalation
	}
	eval := func(tk handoff.Ticket, now time.Time) got {
		t.Helper()
		r, err := sla.Evaluate(cal, tk, now)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := r.Clock(handoff.TargetAccept)
		if !c.Deadline.Equal(mon(13, 0)) {
			t.Errorf("deadline %v, want Monday 13:00", c.Deadline)
		}
		return got{c.Status, r.Escalations}
	}
	reassign := []handoff.Escalation{{Name: "take_back", Target: handoff.TargetAccept, Action: handoff.Reassign, At: mon(17, 0)}}
	decided := func(at time.Time) handoff.Ticket { k := tk; k.DecidedAt = at; return k }
	tests := []struct {
		name string
		tk   handoff.Ticket
		now  time.Time
		want got
	}{
		{"under half", tk, mon(10, 59), got{handoff.StatusPending, nil}},
		{"half used", tk, mon(11, 0), got{handoff.StatusDueSoon, nil}},
		{"at the deadline", tk, mon(13, 0), got{handoff.StatusDueSoon, nil}},
		{"past it", tk, mon(13, 1), got{handoff.StatusBreached, nil}},
		{"just before reassign", tk, mon(16, 59), got{handoff.StatusBreached, nil}},
		{"reassign due", tk, mon(17, 0), got{handoff.StatusBreached, reassign}},
		{"still due next day", tk, time.Date(2026, 3, 3, 9, 30, 0, 0, mad), got{handoff.StatusBreached, reassign}},
		{"met in time", decided(mon(12, 0)), mon(18, 0), got{handoff.StatusMet, nil}},
		{"met late, before reassign", decided(mon(14, 0)), mon(18, 0), got{handoff.StatusBreached, nil}},
		{"met after reassign", decided(mon(17, 30)), mon(18, 0), got{handoff.StatusBreached, reassign}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, eval(tt.tk, tt.now)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	// Default standard tier: first touch within 24 business hours of the
	// action, reassign at three times that: 72 business hours (nine
	// 8-hour days) from Monday 2 March 09:00 is Thursday 12 March 17:00.
	def := handoff.MustSLA(handoff.DefaultSLASpec())
	act := handoff.Ticket{ActionAt: mon(9, 0), AssignedAt: mon(9, 0), DecidedAt: mon(9, 30)}
	names := func(now time.Time) []string {
		r, err := def.Evaluate(cal, act, now)
		if err != nil {
			t.Fatal(err)
		}
		var ns []string
		for _, e := range r.Escalations {
			ns = append(ns, e.Name)
		}
		return ns
	}
	thu := func(h, m int) time.Time { return time.Date(2026, 3, 12, h, m, 0, 0, mad) }
	if got := names(thu(16, 59)); !cmp.Equal(got, []string{"remind_owner", "alert_manager"}) {
		t.Errorf("Thursday 16:59: %v", got)
	}
	if got := names(thu(17, 0)); !cmp.Equal(got, []string{"remind_owner", "alert_manager", "reassign"}) {
		t.Errorf("Thursday 17:00: %v", got)
	}
}

// TestSLAEvaluateInvalidInput: a negative attempt count and a calendar
// that was not built by NewWeekly are typed errors, not panics.
func TestSLAEvaluateInvalidInput(t *testing.T) {
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	tk := handoff.Ticket{ActionAt: t0, AssignedAt: t0}
	var nilWeekly *handoff.Weekly
	for name, cal := range map[string]handoff.Calendar{"nil *Weekly": nilWeekly, "zero Weekly": &handoff.Weekly{}} {
		if _, err := sla.Evaluate(cal, tk, t0.Add(time.Hour)); !errors.Is(err, handoff.ErrInvalidInput) {
			t.Errorf("%s: %v", name, err)
		}
	}
	tk.Attempts = -1
	if _, err := sla.Evaluate(nil, tk, t0.Add(time.Hour)); !errors.Is(err, handoff.ErrInvalidInput) {
		t.Errorf("negative attempts: %v", err)
	}
	// A nil or zero *SLA (not built by NewSLA) is invalid input, not an
	// index out of range.
	tk.Attempts = 0
	var nilSLA *handoff.SLA
	for name, s := range map[string]*handoff.SLA{"nil *SLA": nilSLA, "zero SLA": {}} {
		if _, err := s.Evaluate(nil, tk, t0.Add(time.Hour)); !errors.Is(err, handoff.ErrInvalidInput) {
			t.Errorf("%s: Evaluate: %v", name, err)
		}
		if err := s.CheckUnresponsive(tk); !errors.Is(err, handoff.ErrInvalidInput) {
			t.Errorf("%s: CheckUnresponsive: %v", name, err)
		}
		if _, ok := s.Tier(""); ok {
			t.Errorf("%s: Tier(\"\") found", name)
		}
	}
	if _, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: funnel.Default(), SLA: &handoff.SLA{}}); !errors.Is(err, handoff.ErrInvalidSpec) {
		t.Errorf("NewAcceptance with a zero SLA: %v", err)
	}
	// A nil Calendar counts on the wall clock.
	r, err := sla.Evaluate(nil, tk, t0.Add(time.Hour))
	if c, _ := r.Clock(handoff.TargetAccept); err != nil || !c.Deadline.Equal(t0.Add(4*time.Hour)) || c.Used != time.Hour {
		t.Errorf("nil calendar: %+v, %v", c, err)
	}
}

// TestSLAFrozenAtExit: a lead rejected untouched leaves sales; the host
// keeps the ticket's report at that instant, where nothing has breached or
// escalated yet, while evaluating it later would (the documented reason to
// freeze it).
func TestSLAFrozenAtExit(t *testing.T) {
	cal := office(t, "Europe/Madrid")
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	mad := cal.Location()
	act := time.Date(2026, 3, 2, 9, 0, 0, 0, mad)
	rejected := time.Date(2026, 3, 2, 11, 0, 0, 0, mad)
	tk := handoff.Ticket{ActionAt: act, AssignedAt: act, DecidedAt: rejected}
	at, err := sla.Evaluate(cal, tk, rejected)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := at.Clock(handoff.TargetAccept)
	f, _ := at.Clock(handoff.TargetFirstTouch)
	if a.Status != handoff.StatusMet || f.Status != handoff.StatusPending || len(at.Escalations) != 0 || at.Breached() {
		t.Errorf("at the rejection: accept %s, first touch %s, escalations %v", a.Status, f.Status, at.Escalations)
	}
	later, _ := sla.Evaluate(cal, tk, act.Add(30*24*time.Hour))
	if !later.Breached() || len(later.Escalations) != 3 {
		t.Errorf("a month later the untouched clock breaches: %+v", later)
	}
}
