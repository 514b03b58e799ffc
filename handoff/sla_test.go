package handoff_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"pgregory.net/rapid"
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

// TestSLANoDeadline: a lead whose calendar is paused for ever (or whose
// working time runs out before year 10000) used to get deadlines and
// escalation times at 10000-01-01, and json.Marshal of its Report failed.
// Its started clocks now say NoDeadline with a zero Deadline, never breach,
// and their escalations never come due; a clock done meanwhile is met; the
// Report marshals. A deadline just before the end of the time line, in a
// zone where it is already year 10000 on the wall clock, is reported in
// UTC; nows and ticket instants that JSON cannot write are invalid input.
func TestSLANoDeadline(t *testing.T) {
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	mad := mustLoad(t, "Europe/Madrid")
	act := time.Date(2026, 3, 2, 16, 0, 0, 0, mad) // Monday, an hour before closing
	forever, err := office(t, "Europe/Madrid").WithPauses(handoff.Interval{From: act.Add(30 * time.Minute), To: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	tk := handoff.Ticket{ActionAt: act, AssignedAt: act}
	for _, now := range []time.Time{act.Add(time.Minute), act.Add(24 * time.Hour), time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC)} {
		r, err := sla.Evaluate(forever, tk, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Errorf("at %v: the report does not marshal: %v", now, err)
		}
		for _, c := range r.Clocks {
			if !c.NoDeadline || !c.Deadline.IsZero() || c.Status == handoff.StatusBreached || c.Used != 30*time.Minute && now.After(act.Add(30*time.Minute)) {
				t.Errorf("at %v: clock %+v, want no deadline, not breached", now, c)
			}
		}
		if len(r.Escalations) != 0 || r.Breached() {
			t.Errorf("at %v: escalations %v", now, r.Escalations)
		}
	}
	tk.DecidedAt = act.Add(48 * time.Hour)
	r, err := sla.Evaluate(forever, tk, act.Add(72*time.Hour))
	if c, _ := r.Clock(handoff.TargetAccept); err != nil || c.Status != handoff.StatusMet || !c.NoDeadline {
		t.Errorf("decided during the endless pause: %+v, %v", c, err)
	}

	// The wall clock runs out too: an hour before the end of year 9999,
	// 4 hours to accept has no deadline; 30 minutes does, and in a zone
	// east of Greenwich it is already 10000-01-01 on the wall clock.
	kiri := mustLoad(t, "Pacific/Kiritimati") // UTC+14
	late := time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC).In(kiri)
	wall := handoff.MustSLA(handoff.SLASpec{Tiers: []handoff.TierSpec{{Name: "t", Clock: handoff.WallClock,
		Targets: []handoff.TargetSpec{
			{Target: handoff.TargetAccept, Within: handoff.Duration(30 * time.Minute)},
			{Target: handoff.TargetFirstTouch, Within: handoff.Duration(4 * time.Hour)},
		},
		Escalations: []handoff.EscalationSpec{
			{Name: "half", Target: handoff.TargetAccept, At: decimal.New(5, -1), Action: handoff.RemindOwner},
			{Name: "touch", Target: handoff.TargetFirstTouch, At: decimal.NewFromInt(1), Action: handoff.AlertManager},
		}}}})
	r, err = wall.Evaluate(nil, handoff.Ticket{ActionAt: late, AssignedAt: late}, late.Add(59*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("the report near the end of year 9999 does not marshal: %v", err)
	}
	a, _ := r.Clock(handoff.TargetAccept)
	f, _ := r.Clock(handoff.TargetFirstTouch)
	if a.NoDeadline || !a.Deadline.Equal(late.Add(30*time.Minute)) || a.Status != handoff.StatusBreached || a.Deadline.Location() != time.UTC {
		t.Errorf("accept: %+v", a)
	}
	if !f.NoDeadline || !f.Deadline.IsZero() || f.Status != handoff.StatusPending {
		t.Errorf("first touch: %+v", f)
	}
	if len(r.Escalations) != 1 || r.Escalations[0].Name != "half" || !r.Escalations[0].At.Equal(late.Add(15*time.Minute)) {
		t.Errorf("escalations: %+v", r.Escalations)
	}

	// In 1850 Madrid kept local mean time, 14 minutes 44 seconds behind
	// UTC, which JSON cannot write exactly: the deadline is given in UTC and
	// reads back to the same instant.
	old := time.Date(1850, 3, 4, 10, 0, 0, 0, mad)
	r, err = sla.Evaluate(office(t, "Europe/Madrid"), handoff.Ticket{ActionAt: old, AssignedAt: old}, old)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back handoff.Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for i, c := range r.Clocks {
		if !c.Deadline.Equal(back.Clocks[i].Deadline) || !c.Start.Equal(back.Clocks[i].Start) || !c.Start.Equal(old) {
			t.Errorf("1850: %+v reads back as %+v", c, back.Clocks[i])
		}
	}

	// Instants JSON cannot write are refused, not reported.
	past := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, tt := range map[string]struct {
		tk  handoff.Ticket
		now time.Time
	}{
		"now in year 10000":         {handoff.Ticket{ActionAt: act}, past},
		"action in year 10000":      {handoff.Ticket{ActionAt: past}, act},
		"assigned in year 10000":    {handoff.Ticket{ActionAt: act, AssignedAt: past.Add(time.Hour)}, act},
		"decided before year 0":     {handoff.Ticket{ActionAt: act, DecidedAt: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}, act},
		"first touch in year 10000": {handoff.Ticket{ActionAt: act, FirstTouchAt: past}, act},
	} {
		if _, err := sla.Evaluate(forever, tt.tk, tt.now); !errors.Is(err, handoff.ErrInvalidInput) {
			t.Errorf("%s: %v, want ErrInvalidInput", name, err)
		}
	}
}

// TestSLAReportsMarshal: every Report Evaluate returns marshals to JSON,
// on calendars that may be paused for ever and for tickets anywhere from
// the zero time to the last days of year 9999, evaluated at any now JSON
// can write; a clock has NoDeadline exactly when the calendar sum of its
// start and allowed time reaches the end of the time line.
func TestSLAReportsMarshal(t *testing.T) {
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	end := handoff.TimeLineEnd()
	rapid.Check(t, func(t *rapid.T) {
		c := drawCal(t)
		var cal handoff.Calendar = c.cal
		switch rapid.IntRange(0, 2).Draw(t, "cal_kind") {
		case 1:
			cal = handoff.Continuous{}
		case 2:
			w, err := c.cal.WithPauses(handoff.Interval{From: drawStart(t, c.loc, "pause"), To: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			cal = w
		}
		instant := func(name string) time.Time {
			switch rapid.IntRange(0, 3).Draw(t, name+"_kind") {
			case 0:
				return time.Time{}
			case 1:
				return drawStart(t, c.loc, name)
			default:
				back := time.Duration(rapid.Int64Range(1, 40*24*3600).Draw(t, name+"_before_end")) * time.Second
				zone := rapid.SampledFrom([]string{"UTC", "Pacific/Kiritimati", "America/New_York", "Europe/Madrid"}).Draw(t, name+"_zone")
				loc, _ := time.LoadLocation(zone)
				return end.Add(-back).In(loc)
			}
		}
		tk := handoff.Ticket{Tier: rapid.SampledFrom([]string{"fast_track", "standard"}).Draw(t, "tier"),
			ActionAt: instant("action"), AssignedAt: instant("assigned"), DecidedAt: instant("decided"), FirstTouchAt: instant("touch")}
		now := instant("now")
		r, err := sla.Evaluate(cal, tk, now)
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("Report does not marshal: %v\n%+v", err, r)
		}
		var back handoff.Report
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r, back, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("Report differs after JSON (-before +after):\n%s", diff)
		}
		for _, ck := range r.Clocks {
			if ck.Status == handoff.StatusWaiting {
				continue
			}
			reaches := !cal.Add(ck.Start, ck.Within).Before(end)
			if ck.NoDeadline != reaches || ck.NoDeadline != ck.Deadline.IsZero() {
				t.Fatalf("clock %+v: the deadline reaches the end of the time line: %v", ck, reaches)
			}
			if ck.NoDeadline && ck.Status == handoff.StatusBreached {
				t.Fatalf("clock %+v breached without a deadline", ck)
			}
		}
	})
}
