package handoff_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
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
