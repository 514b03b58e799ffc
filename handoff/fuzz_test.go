package handoff_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/scoring"
)

// Each fuzz target checks that a parser and its constructor never panic,
// that a parser accepts only UTF-8, that whatever they accept round-trips through JSON to the same spec, and
// that the compiled value works on a fixed input. Seeds come from
// testdata/*.json and testdata/fuzz/<Target>/.

func FuzzParseCalendarSpec(f *testing.F) {
	f.Add(readSpec(f, "calendar.json"))
	f.Add([]byte(`{"week":{"sunday":["00:00-24:00"]}}`))
	f.Add([]byte("{\"id\": \"Jos\xe9\"}"))
	f.Add([]byte(`{"zone": "UTC", "Zone": "Europe/Madrid"}`))
	f.Add([]byte(`{"id": "\ude00"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"holidays": ["2026-12-25", "2026-02-30"]}`))
	f.Add([]byte(`{"week":{"friday":["09:00-17:00"]},"pauses":[{"from":"2026-03-01T00:00:00Z","to":"9999-12-31T23:59:59Z"}]}`))
	f.Add([]byte(`{"week":{"friday":["09:00-17:00"]},"pauses":[{"from":"2026-03-01T00:00:00+01:00","to":"9999-12-31T23:59:59-01:00"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := handoff.ParseCalendarSpec(data)
		if err != nil {
			return
		}
		if !utf8.Valid(data) {
			t.Fatalf("accepted input that is not UTF-8: %q", data)
		}
		cal, err := handoff.NewWeekly(spec)
		if err != nil {
			return
		}
		again := roundTrip(t, spec, handoff.ParseCalendarSpec)
		if diff := cmp.Diff(spec, again, specOpts); diff != "" {
			t.Fatalf("JSON round trip (-first +second):\n%s", diff)
		}
		s := time.Date(2026, 3, 27, 16, 0, 0, 0, time.UTC)
		for _, d := range []time.Duration{0, time.Minute, 4 * time.Hour, 72 * time.Hour} {
			// The law holds within the time line: a pause for ever makes
			// Add saturate at its end ("never").
			if e := cal.Add(s, d); e.Before(handoff.TimeLineEnd()) && cal.Between(s, e) != d {
				t.Fatalf("Between(s, Add(s, %v)) = %v", d, cal.Between(s, e))
			}
		}
		if _, err := json.Marshal(cal.Spec()); err != nil {
			t.Fatalf("the spec of a calendar NewWeekly accepts does not marshal: %v", err)
		}
	})
}

func FuzzParseSLASpec(f *testing.F) {
	f.Add(readSpec(f, "sla.json"))
	f.Add([]byte(`{"tiers":[{"name":"a","clock":"wall","targets":[{"target":"accept","within":"1h"}]}]}`))
	f.Add([]byte("{\"tiers\":[{\"name\":\"a\",\"label\":\"r\xe1pido\"}]}"))
	f.Add([]byte(`{"tiers":[{"name":"a","targets":[{"target":"accept","within":"1h","WITHIN":"2h"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := handoff.ParseSLASpec(data)
		if err != nil {
			return
		}
		if !utf8.Valid(data) {
			t.Fatalf("accepted input that is not UTF-8: %q", data)
		}
		sla, err := handoff.NewSLA(spec)
		if err != nil {
			return
		}
		again := roundTrip(t, spec, handoff.ParseSLASpec)
		if diff := cmp.Diff(spec, again, specOpts); diff != "" {
			t.Fatalf("JSON round trip (-first +second):\n%s", diff)
		}
		tk := handoff.Ticket{ActionAt: t0, AssignedAt: t0.Add(time.Minute), Attempts: 1}
		if _, err := sla.Evaluate(handoff.Continuous{}, tk, t0.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseRoutingSpec(f *testing.F) {
	f.Add(readSpec(f, "routing.json"))
	f.Add([]byte(`{"strict":true,"rules":[{"name":"x","territories":["es"]}]}`))
	f.Add([]byte("{\"rules\":[{\"name\":\"b\",\"territories\":[\"M\xe9xico\"]}]}"))
	f.Add([]byte(`{"rules":[{"name":"a","NAME":"b"}]}`))
	f.Add([]byte(`{"fallback":"emea\ud83d"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := handoff.ParseRoutingSpec(data)
		if err != nil {
			return
		}
		if !utf8.Valid(data) {
			t.Fatalf("accepted input that is not UTF-8: %q", data)
		}
		r, err := handoff.NewRouter(spec)
		if err != nil {
			return
		}
		again := roundTrip(t, spec, handoff.ParseRoutingSpec)
		if diff := cmp.Diff(spec, again, specOpts); diff != "" {
			t.Fatalf("JSON round trip (-first +second):\n%s", diff)
		}
		roster := []handoff.Rep{{ID: "a", Queues: []string{"emea"}}, {ID: "b"}}
		_, _, _ = r.Assign(roster, handoff.Rotation{}, handoff.Request{Lead: "l", Territory: "es", Segment: "enterprise"})
	})
}

func FuzzParsePolicySpec(f *testing.F) {
	f.Add(readSpec(f, "policy.json"))
	f.Add([]byte(`{"rules":[{"name":"p","when":{"stages":["lead"],"fit_grades":["A"],"min_interest":"50"},"then":{"verdict":"promote","to":"mql"}}]}`))
	m := funnel.Default()
	f.Add([]byte("{\"rules\":[{\"name\":\"r\",\"because\":\"caf\xe9\"}]}"))
	f.Add([]byte(`{"rules":[{"name":"p","then":{"verdict":"promote","to":"sql","To":"mql"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := handoff.ParsePolicySpec(data)
		if err != nil {
			return
		}
		if !utf8.Valid(data) {
			t.Fatalf("accepted input that is not UTF-8: %q", data)
		}
		p, err := handoff.NewPolicy(handoff.PolicyConfig{Model: m, Spec: spec})
		if err != nil {
			return
		}
		again := roundTrip(t, spec, handoff.ParsePolicySpec)
		if diff := cmp.Diff(spec, again, specOpts); diff != "" {
			t.Fatalf("JSON round trip (-first +second):\n%s", diff)
		}
		for _, st := range []funnel.Stage{funnel.Lead, funnel.MQL} {
			s, _, err := m.Apply(funnel.State{Lead: "x"}, funnel.Move{To: st, At: t0})
			if err != nil {
				t.Fatal(err)
			}
			d, err := p.Decide(handoff.Input{State: s, Score: result(scoring.HighFitHighInterest), Now: t0.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if d.HasMove {
				if _, _, err := m.Apply(s, d.Move); err != nil {
					t.Fatalf("decided move refused: %v", err)
				}
			}
		}
	})
}

func FuzzParseAcceptanceConfig(f *testing.F) {
	f.Add(readSpec(f, "acceptance.json"))
	f.Add([]byte(`{"reasons":[{"code":"x","class":"clerical","to":["nurture"]}],"recycle":{"cooldown":"-1ns","max_recycles":-1}}`))
	f.Add([]byte(`{"stages":["mql"],"accept_to":"sql","recycle":{"stage":"lead","disqualified":"nurture","limit_reason":"bad_fit"}}`))
	m := funnel.Default()
	f.Add([]byte("{\"reasons\":[{\"code\":\"x\",\"class\":\"clerical\",\"label\":\"\xc3\",\"to\":[\"nurture\"]}]}"))
	f.Add([]byte(`{"recycle":{"cooldown":"1d","Cooldown":"2d"}}`))
	f.Add([]byte(`{"recycle":{"no_recycling":true}}`))
	f.Add([]byte(`{"recycle":{"no_recycling":true,"max_recycles":-1,"cooldown":"1d"}}`))
	f.Add([]byte(` null `))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := handoff.ParseAcceptanceConfig(data)
		if err != nil {
			return
		}
		if !utf8.Valid(data) {
			t.Fatalf("accepted input that is not UTF-8: %q", data)
		}
		again := roundTrip(t, cfg, handoff.ParseAcceptanceConfig)
		if diff := cmp.Diff(cfg, again, specOpts); diff != "" {
			t.Fatalf("JSON round trip (-first +second):\n%s", diff)
		}
		cfg.Model = m
		acc, err := handoff.NewAcceptance(cfg)
		if err != nil {
			return
		}
		s, _, err := m.Apply(funnel.State{Lead: "x"}, funnel.Move{To: funnel.SQL, At: t0})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range acc.Reasons() {
			for _, rs := range []handoff.RecycleState{{}, {Count: 5, RejectedBy: []string{"b"}}} {
				call := acc.Reject
				if r.Class == handoff.AfterContact {
					call = acc.Disqualify
				}
				o, err := call(s, rs, handoff.Rejection{Rep: "a", Code: r.Code, At: t0.Add(time.Hour), Ticket: &handoff.Ticket{Attempts: 9}})
				if err != nil {
					continue
				}
				if _, _, err := m.Apply(s, o.Move); err != nil {
					t.Fatalf("%s: outcome move refused: %v", r.Code, err)
				}
				if to, _ := m.Stage(o.Move.To); r.Class.Rejection() && to.Team != funnel.Marketing {
					t.Fatalf("%s: a rejection went to %s, owned by %s", r.Code, to.ID, to.Team)
				}
				if o.Recycle.Count < rs.Count || len(o.Recycle.History) != len(rs.History)+1 {
					t.Fatalf("%s: recycle state %+v from %+v", r.Code, o.Recycle, rs)
				}
			}
		}
		if _, err := acc.Accept(s, handoff.RecycleState{}, "a", t0); err != nil {
			var me *funnel.MoveError
			if !errors.As(err, &me) && !errors.Is(err, handoff.ErrNotHandedOff) {
				t.Fatalf("Accept: %v", err)
			}
		}
	})
}

func roundTrip[S any](t *testing.T, spec S, parse func([]byte) (S, error)) S {
	t.Helper()
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatalf("Marshal of an accepted spec: %v", err)
	}
	again, err := parse(b)
	if err != nil {
		t.Fatalf("re-parsing %s: %v", b, err)
	}
	return again
}
