package handoff_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"pgregory.net/rapid"
)

// The JSON laws of the specs, property-tested on drawn specs, valid or
// not: a spec the constructor accepts marshals, parses back to an equal
// spec, and compiles to a value that behaves the same; one it refuses is
// refused after the round trip too (loading refuses what validation
// refuses). The fuzz targets check the same from the JSON side.

// jsonRoundTrip marshals v and parses it back with parse; ok is false when
// v does not marshal (only specs a constructor refuses may fail to).
func jsonRoundTrip[S any](t *rapid.T, v S, parse func([]byte) (S, error)) (S, bool) {
	b, err := json.Marshal(v)
	if err != nil {
		var zero S
		return zero, false
	}
	again, err := parse(b)
	if err != nil {
		t.Fatalf("re-parsing %s: %v", b, err)
	}
	return again, true
}

func TestAcceptanceConfigJSONLaws(t *testing.T) {
	m := funnel.Default()
	stages := []funnel.Stage{funnel.Lead, funnel.MQL, funnel.SQL, funnel.Opportunity, funnel.Nurture, funnel.Disqualified, funnel.Lost}
	states := map[funnel.Stage]funnel.State{}
	for _, st := range []funnel.Stage{funnel.SQL, funnel.Opportunity} {
		s, _, err := m.Apply(funnel.State{Lead: "x"}, funnel.Move{To: st, At: t0})
		if err != nil {
			t.Fatal(err)
		}
		states[st] = s
	}
	codes := []funnel.ReasonCode{funnel.ReasonBadFit, funnel.ReasonBadTiming, funnel.ReasonWrongTerritory, funnel.ReasonNoBudget, funnel.ReasonRecycleLimit, "made_up"}
	classes := []handoff.Class{handoff.Procedural, handoff.Clerical, handoff.Definitional, handoff.AfterContact}
	rapid.Check(t, func(t *rapid.T) {
		var cfg handoff.AcceptanceConfig
		switch rapid.IntRange(0, 2).Draw(t, "stages_kind") {
		case 1:
			cfg.Stages = []funnel.Stage{}
		case 2:
			cfg.Stages = rapid.SliceOfN(rapid.SampledFrom(stages), 1, 3).Draw(t, "stages")
		}
		switch rapid.IntRange(0, 2).Draw(t, "reasons_kind") {
		case 1:
			cfg.Reasons = []handoff.Reason{}
		case 2:
			for range rapid.IntRange(1, 3).Draw(t, "nreasons") {
				cfg.Reasons = append(cfg.Reasons, handoff.Reason{
					Code:  rapid.SampledFrom(codes).Draw(t, "code"),
					Class: rapid.SampledFrom(classes).Draw(t, "class"),
					To:    rapid.SliceOfN(rapid.SampledFrom(stages), 1, 2).Draw(t, "to"),
				})
			}
		}
		cfg.Recycle.Cooldown = handoff.Duration(time.Duration(rapid.IntRange(-2, 40).Draw(t, "cooldown_days")) * 24 * time.Hour)
		cfg.Recycle.MaxRecycles = rapid.IntRange(-1, 3).Draw(t, "max")
		if rapid.IntRange(0, 3).Draw(t, "no_recycling") == 0 {
			cfg.Recycle.NoRecycling = true
			if rapid.Bool().Draw(t, "no_recycling_alone") {
				cfg.Recycle.MaxRecycles, cfg.Recycle.Cooldown = 0, 0
			}
		}
		if rapid.Bool().Draw(t, "custom_recycle") {
			cfg.Recycle.Disqualified = rapid.SampledFrom(stages).Draw(t, "disqualified")
			cfg.Recycle.LimitReason = rapid.SampledFrom(codes).Draw(t, "limit_reason")
		}
		if rapid.Bool().Draw(t, "accept_to") {
			cfg.AcceptTo = rapid.SampledFrom(stages).Draw(t, "accept_to_stage")
		}
		cfg.Model = m
		acc, err := handoff.NewAcceptance(cfg)
		again, ok := jsonRoundTrip(t, cfg, handoff.ParseAcceptanceConfig)
		if !ok {
			if err == nil {
				t.Fatalf("an accepted config does not marshal")
			}
			return
		}
		cfg.Model = nil
		if diff := cmp.Diff(cfg, again, specOpts); diff != "" {
			t.Fatalf("JSON round trip (-first +second):\n%s", diff)
		}
		again.Model = m
		acc2, err2 := handoff.NewAcceptance(again)
		// JSON leaves an empty list out, so it comes back nil (the
		// default); NewAcceptance refuses the empty one, so nothing it
		// accepts changes meaning.
		emptyDropped := cfg.Stages != nil && len(cfg.Stages) == 0 || cfg.Reasons != nil && len(cfg.Reasons) == 0
		if err == nil && err2 != nil || err != nil && err2 == nil && !emptyDropped {
			t.Fatalf("NewAcceptance: %v before JSON, %v after", err, err2)
		}
		if err != nil {
			return
		}
		// The same calls get the same outcomes.
		if diff := cmp.Diff(acc.Reasons(), acc2.Reasons()); diff != "" {
			t.Fatalf("catalog differs after JSON:\n%s", diff)
		}
		rs := handoff.RecycleState{Count: rapid.IntRange(0, 4).Draw(t, "count")}
		for st, s := range states {
			o1, e1 := acc.Accept(s, rs, "ana", t0.Add(time.Hour))
			o2, e2 := acc2.Accept(s, rs, "ana", t0.Add(time.Hour))
			if fmt.Sprint(e1) != fmt.Sprint(e2) || !cmp.Equal(o1, o2) {
				t.Fatalf("Accept at %s: %+v, %v before JSON; %+v, %v after", st, o1, e1, o2, e2)
			}
			for _, r := range acc.Reasons() {
				call1, call2 := acc.Reject, acc2.Reject
				if r.Class == handoff.AfterContact {
					call1, call2 = acc.Disqualify, acc2.Disqualify
				}
				rj := handoff.Rejection{Rep: "ana", Code: r.Code, At: t0.Add(time.Hour)}
				o1, e1 := call1(s, rs, rj)
				o2, e2 := call2(s, rs, rj)
				if fmt.Sprint(e1) != fmt.Sprint(e2) || !cmp.Equal(o1, o2) {
					t.Fatalf("%s at %s: %+v, %v before JSON; %+v, %v after", r.Code, st, o1, e1, o2, e2)
				}
			}
		}
	})
}

func TestSLASpecJSONLaws(t *testing.T) {
	targets := []handoff.Target{handoff.TargetAccept, handoff.TargetFirstTouch, "reply"}
	shares := []decimal.Decimal{decimal.Zero, decimal.New(75, -2), decimal.New(5, -1), decimal.NewFromInt(1), decimal.NewFromInt(3), decimal.New(1, -31), decimal.New(-1, 0), decimal.New(123456789, -30)}
	rapid.Check(t, func(t *rapid.T) {
		spec := handoff.SLASpec{DueSoon: rapid.SampledFrom(shares).Draw(t, "due_soon")}
		for i := range rapid.IntRange(0, 3).Draw(t, "tiers") {
			tier := handoff.TierSpec{
				Name:        rapid.SampledFrom([]string{"fast", "standard", "Bad Name", fmt.Sprint("t", i)}).Draw(t, "name"),
				Clock:       rapid.SampledFrom([]handoff.ClockKind{"", handoff.BusinessClock, handoff.WallClock}).Draw(t, "clock"),
				MinAttempts: rapid.IntRange(-1, 6).Draw(t, "min_attempts"),
			}
			for range rapid.IntRange(0, 2).Draw(t, "targets") {
				tier.Targets = append(tier.Targets, handoff.TargetSpec{
					Target: rapid.SampledFrom(targets).Draw(t, "target"),
					Within: handoff.Duration(rapid.Int64Range(-1, 100*3600e9).Draw(t, "within")),
					From:   rapid.SampledFrom([]handoff.Anchor{"", handoff.FromAction, handoff.FromAssignment}).Draw(t, "from"),
				})
			}
			for j := range rapid.IntRange(0, 2).Draw(t, "escalations") {
				tier.Escalations = append(tier.Escalations, handoff.EscalationSpec{
					Name:   fmt.Sprint("e", j),
					Target: rapid.SampledFrom(targets).Draw(t, "esc_target"),
					At:     rapid.SampledFrom(shares).Draw(t, "at"),
					Action: rapid.SampledFrom([]handoff.EscalationAction{handoff.RemindOwner, handoff.Reassign, "shout"}).Draw(t, "action"),
				})
			}
			spec.Tiers = append(spec.Tiers, tier)
		}
		if len(spec.Tiers) > 0 && rapid.Bool().Draw(t, "default_tier") {
			spec.DefaultTier = spec.Tiers[len(spec.Tiers)-1].Name
		}
		sla, err := handoff.NewSLA(spec)
		again, ok := jsonRoundTrip(t, spec, handoff.ParseSLASpec)
		if !ok {
			if err == nil {
				t.Fatalf("an accepted spec does not marshal")
			}
			return
		}
		if diff := cmp.Diff(spec, again, specOpts); diff != "" {
			t.Fatalf("JSON round trip (-first +second):\n%s", diff)
		}
		sla2, err2 := handoff.NewSLA(again)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("NewSLA: %v before JSON, %v after", err, err2)
		}
		if err != nil {
			return
		}
		tk := handoff.Ticket{ActionAt: t0, AssignedAt: t0.Add(time.Minute), Attempts: 2}
		now := t0.Add(time.Duration(rapid.Int64Range(0, 200*3600e9).Draw(t, "now")))
		for _, tier := range sla.Spec().Tiers {
			tk.Tier = tier.Name
			r1, e1 := sla.Evaluate(handoff.Continuous{}, tk, now)
			r2, e2 := sla2.Evaluate(handoff.Continuous{}, tk, now)
			if e1 != nil || e2 != nil || !cmp.Equal(r1, r2, cmpopts.EquateEmpty()) {
				t.Fatalf("Evaluate differs after JSON: %+v, %v; %+v, %v", r1, e1, r2, e2)
			}
		}
	})
}

// TestCalendarSpecJSONLaws: the spec a Weekly reports (Spec) survives JSON
// (Zone names a zone from the database) and gives a calendar that counts
// the same.
func TestCalendarSpecJSONLaws(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawCal(t)
		spec := c.cal.Spec()
		again, ok := jsonRoundTrip(t, spec, handoff.ParseCalendarSpec)
		if !ok {
			t.Fatalf("the spec of a Weekly does not marshal")
		}
		if diff := cmp.Diff(spec, again, specOpts); diff != "" {
			t.Fatalf("JSON round trip (-first +second):\n%s", diff)
		}
		w2, err := handoff.NewWeekly(again)
		if err != nil {
			t.Fatalf("NewWeekly after JSON: %v", err)
		}
		s, d := drawStart(t, c.loc, "s"), drawDur(t, "d")
		if a, b := c.cal.Add(s, d), w2.Add(s, d); !a.Equal(b) {
			t.Fatalf("Add(%v, %v) = %v before JSON, %v after", s, d, a, b)
		}
		e := drawStart(t, c.loc, "e")
		if a, b := c.cal.Between(s, e), w2.Between(s, e); a != b {
			t.Fatalf("Between(%v, %v) = %v before JSON, %v after", s, e, a, b)
		}
	})
}

// TestStateJSONLaws: the states a host stores between calls, as the
// package produces them, come back equal from JSON and drive the next call
// the same way: the rotation after any assignments, the recycling state
// after any returns, and an SLA report.
func TestStateJSONLaws(t *testing.T) {
	m := funnel.Default()
	router, err := handoff.NewRouter(handoff.RoutingSpec{Rules: []handoff.RouteRule{{Name: "emea", Territories: []string{"es"}, Queue: "emea"}}})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	sql, _, err := m.Apply(funnel.State{Lead: "x"}, funnel.Move{To: funnel.SQL, At: t0})
	if err != nil {
		t.Fatal(err)
	}
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	rapid.Check(t, func(t *rapid.T) {
		roster := drawRoster(t, true)
		var rot handoff.Rotation
		for i := range rapid.IntRange(0, 20).Draw(t, "leads") {
			req := handoff.Request{Lead: fmt.Sprint(i), Territory: rapid.SampledFrom([]string{"es", "us"}).Draw(t, "territory")}
			if _, next, err := router.Assign(roster, rot, req); err == nil {
				rot = next
			}
		}
		var rot2 handoff.Rotation
		b, _ := json.Marshal(rot)
		if err := json.Unmarshal(b, &rot2); err != nil || !cmp.Equal(rot, rot2, cmpopts.EquateEmpty()) {
			t.Fatalf("Rotation round trip: %v\n%s", err, b)
		}
		req := handoff.Request{Lead: "next", Territory: "es"}
		a1, n1, e1 := router.Assign(roster, rot, req)
		a2, n2, e2 := router.Assign(roster, rot2, req)
		if fmt.Sprint(e1) != fmt.Sprint(e2) || a1 != a2 || !cmp.Equal(n1, n2, cmpopts.EquateEmpty()) {
			t.Fatalf("Assign after JSON: %+v %v; %+v %v", a1, e1, a2, e2)
		}

		var rs handoff.RecycleState
		reasons := acc.Reasons()
		for i := range rapid.IntRange(0, 5).Draw(t, "returns") {
			r := rapid.SampledFrom(reasons).Draw(t, "reason")
			call := acc.Reject
			if r.Class == handoff.AfterContact {
				call = acc.Disqualify
			}
			o, err := call(sql, rs, handoff.Rejection{Rep: rapid.SampledFrom([]string{"ana", "bob"}).Draw(t, "rep"), Code: r.Code,
				At: t0.Add(time.Duration(i+1) * time.Hour), Ticket: &handoff.Ticket{Attempts: 9}})
			if err == nil {
				rs = o.Recycle
			}
		}
		var rs2 handoff.RecycleState
		b, _ = json.Marshal(rs)
		if err := json.Unmarshal(b, &rs2); err != nil || !rs.Equal(rs2) {
			t.Fatalf("RecycleState round trip: %v\n%s", err, b)
		}
		now := t0.Add(time.Duration(rapid.IntRange(0, 90*24).Draw(t, "now_hours")) * time.Hour)
		if rs.CoolingDown(now) != rs2.CoolingDown(now) {
			t.Fatalf("CoolingDown differs after JSON")
		}

		tk := handoff.Ticket{Tier: rapid.SampledFrom([]string{"", "fast_track", "standard"}).Draw(t, "tier"), ActionAt: t0,
			Attempts: rapid.IntRange(0, 8).Draw(t, "attempts")}
		if rapid.Bool().Draw(t, "assigned") {
			tk.AssignedAt = t0.Add(time.Duration(rapid.IntRange(0, 3600).Draw(t, "assigned_s")) * time.Second)
		}
		if rapid.Bool().Draw(t, "touched") {
			tk.FirstTouchAt = t0.Add(time.Duration(rapid.IntRange(0, 72*3600).Draw(t, "touched_s")) * time.Second)
		}
		rep, err := sla.Evaluate(nil, tk, now)
		if err != nil {
			t.Fatal(err)
		}
		var tk2 handoff.Ticket
		var rep2 handoff.Report
		b, _ = json.Marshal(tk)
		if err := json.Unmarshal(b, &tk2); err != nil || !cmp.Equal(tk, tk2) {
			t.Fatalf("Ticket round trip: %v\n%s", err, b)
		}
		b, _ = json.Marshal(rep)
		if err := json.Unmarshal(b, &rep2); err != nil || !cmp.Equal(rep, rep2, cmpopts.EquateEmpty()) {
			t.Fatalf("Report round trip: %v\n%s", err, b)
		}
	})
}
