package propertytest

// The property tests a host runs in CI on its own SMarketing
// configuration. Copy this file next to yours and replace the
// constructors (Funnel, Scoring, Policy, Calendar) and the generator of
// your lead type (genLead).
//
// Everything is deterministic for a given -rapid.seed; on failure rapid
// shrinks the input to a minimal one and prints how to replay it.

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/funnel/funneltest"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/handoff/handofftest"
	"github.com/smarketing/smarketing/scoring"
	"github.com/smarketing/smarketing/scoring/scoringtest"
)

var start = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

func mustFunnel(t testing.TB) *funnel.Model {
	t.Helper()
	m, err := Funnel()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustScoring(t testing.TB) *scoring.Model[Lead] {
	t.Helper()
	sm, err := Scoring()
	if err != nil {
		t.Fatal(err)
	}
	return sm
}

func mustPolicy(t testing.TB, m *funnel.Model) *handoff.Policy {
	t.Helper()
	p, err := Policy(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// genLead draws the host's own leads: profiles from the values the host
// sees in production, and up to 20 activities in the 60 days before now.
func genLead(now time.Time) *rapid.Generator[Lead] {
	return rapid.Custom(func(t *rapid.T) Lead {
		l := Lead{
			Email:     rapid.SampledFrom([]string{"", "ana@acme.example", "bob@gmail.com", "eva@HOTMAIL.com", "x@"}).Draw(t, "email"),
			Employees: rapid.IntRange(0, 20000).Draw(t, "employees"),
			Industry:  rapid.SampledFrom([]string{"", "software", "fintech", "retail", "education"}).Draw(t, "industry"),
			Country:   rapid.SampledFrom([]string{"", "ES", "PT", "FR", "US"}).Draw(t, "country"),
		}
		n := rapid.IntRange(0, 20).Draw(t, "events")
		for range n {
			l.Events = append(l.Events, Event{
				Kind: rapid.SampledFrom(Kinds()).Draw(t, "kind"),
				At:   now.Add(-time.Duration(rapid.Int64Range(0, int64(60*24*time.Hour)).Draw(t, "age"))),
				Page: rapid.SampledFrom([]string{"", "/pricing", "/blog"}).Draw(t, "page"),
			})
		}
		return l
	})
}

// ---- the lifecycle ----

// TestLifecycleDesign checks the lifecycle for design mistakes New accepts:
// unreachable stages, traps without a way back, backward moves without
// reasons, unused reason codes.
func TestLifecycleDesign(t *testing.T) {
	funneltest.CheckModel(t, mustFunnel(t))
}

// TestLifecycleStorageRoundTrip applies random valid move sequences the
// way the host stores them (state and events as JSON), reloads, and
// checks that replaying the stored log gives the stored state.
func TestLifecycleStorageRoundTrip(t *testing.T) {
	m := mustFunnel(t)
	rapid.Check(t, func(t *rapid.T) {
		moves := funneltest.ValidMoves(m, "c1", start, 25).Draw(t, "moves")
		st := funnel.State{Lead: "c1"}
		var stored []byte
		for _, mv := range moves {
			next, ev, err := m.Apply(st, mv)
			if err != nil {
				t.Fatalf("valid move %s → %s refused: %v", st.Stage, mv.To, err)
			}
			st = next
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			stored = append(append(stored, b...), '\n')
		}
		var log []funnel.Event
		dec := json.NewDecoder(bytes.NewReader(stored))
		for dec.More() {
			var ev funnel.Event
			if err := dec.Decode(&ev); err != nil {
				t.Fatal(err)
			}
			log = append(log, ev)
		}
		got, err := m.Replay("c1", log)
		if err != nil {
			t.Fatalf("replay of the stored log: %v", err)
		}
		if !got.Equal(st) {
			t.Fatalf("replayed %s v%d, applied %s v%d", got.Stage, got.Version, st.Stage, st.Version)
		}
	})
}

// TestLifecycleRefusals feeds valid, invalid and no-op moves mixed and
// checks each is accepted or refused with the documented error.
func TestLifecycleRefusals(t *testing.T) {
	m := mustFunnel(t)
	rapid.Check(t, func(t *rapid.T) {
		steps := funneltest.Moves(m, "c1", start, 25).Draw(t, "steps")
		st := funnel.State{Lead: "c1"}
		for i, s := range steps {
			next, _, err := m.Apply(st, s.Move)
			switch {
			case s.Err == nil && err != nil:
				t.Fatalf("step %d: %v", i, err)
			case s.Err != nil && !errors.Is(err, s.Err):
				t.Fatalf("step %d: got %v, want %v", i, err, s.Err)
			}
			if err == nil {
				st = next
			}
		}
	})
}

// ---- the scoring model ----

// TestScoringLaws checks the laws every model keeps, on the host's model
// and the host's leads: the ledger adds up, caps hold, time only decays,
// order does not matter.
func TestScoringLaws(t *testing.T) {
	sm := mustScoring(t)
	spec := sm.Spec()
	rapid.Check(t, func(t *rapid.T) {
		now := start.Add(time.Duration(rapid.IntRange(0, 90).Draw(t, "day")) * 24 * time.Hour)
		lead := genLead(now).Draw(t, "lead")
		r := scoringtest.Check(t, sm, lead, now)
		scoringtest.CheckCaps(t, spec, r)
		later := now.Add(time.Duration(rapid.Int64Range(0, int64(120*24*time.Hour)).Draw(t, "later")))
		scoringtest.CheckDecay(t, sm, lead, now, later)
		shuffled := lead
		shuffled.Events = slices.Clone(lead.Events)
		slices.Reverse(shuffled.Events)
		scoringtest.CheckOrder(t, sm, lead, shuffled, now)
	})
}

// TestUnsubscribedIsNeverHot is a law of the host's own: a lead that
// unsubscribed is never on the high side of interest, whatever else it
// did.
func TestUnsubscribedIsNeverHot(t *testing.T) {
	sm := mustScoring(t)
	rapid.Check(t, func(t *rapid.T) {
		lead := genLead(start).Draw(t, "lead")
		at := start.Add(-time.Duration(rapid.Int64Range(0, int64(60*24*time.Hour)).Draw(t, "unsubscribed")))
		lead.Events = append(lead.Events, Event{Kind: KindUnsubscribe, At: at})
		r, err := sm.Score(lead, start, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.InterestHigh {
			t.Fatalf("lead that unsubscribed is high interest (interest %s)\n%s", r.Interest, r.Explain())
		}
	})
}

// ---- the handoff policy ----

// TestPolicyDesign checks that every quadrant is handled at every
// marketing stage, that no rule targets a stage the lifecycle forbids and
// that no rule is shadowed by an earlier one.
func TestPolicyDesign(t *testing.T) {
	m := mustFunnel(t)
	if err := handofftest.CheckPolicy(mustPolicy(t, m), handofftest.Options{}); err != nil {
		t.Error(err)
	}
}

// TestPolicyDecisions checks the invariants of every decision on random
// inputs: a move only when the lifecycle allows it, dated now, explained,
// deterministic.
func TestPolicyDecisions(t *testing.T) {
	m := mustFunnel(t)
	p := mustPolicy(t, m)
	rapid.Check(t, func(t *rapid.T) {
		in := handofftest.Input(m, start).Draw(t, "input")
		d, err := p.Decide(in)
		handofftest.CheckDecision(t, p, in, d, err)
	})
}

// TestSalesGetsOnlyFitOrAsked is the host's own end-to-end law: scoring
// the host's leads with the host's model and deciding with the host's
// policy, a lead goes to sales only if it fits or asked for a demo.
func TestSalesGetsOnlyFitOrAsked(t *testing.T) {
	m := mustFunnel(t)
	sm := mustScoring(t)
	p := mustPolicy(t, m)
	rapid.Check(t, func(t *rapid.T) {
		lead := genLead(start).Draw(t, "lead")
		stage := rapid.SampledFrom([]funnel.Stage{"lead", "mql", "nurture"}).Draw(t, "stage")
		st, ok := handofftest.StateAt(m, "c1", stage, start.Add(-90*24*time.Hour))
		if !ok {
			t.Fatalf("stage %s unreachable", stage)
		}
		r, err := sm.Score(lead, start, nil)
		if err != nil {
			t.Fatal(err)
		}
		var act *handoff.Activity
		if len(lead.Events) > 0 {
			last := lead.Events[len(lead.Events)-1]
			act = &handoff.Activity{Kind: last.Kind, At: last.At}
		}
		d, err := p.Decide(handoff.Input{State: st, Score: &r, Activity: act, Now: start})
		if err != nil {
			t.Fatal(err)
		}
		asked := act != nil && (act.Kind == KindDemo || act.Kind == handoff.ActivityContactSales)
		if d.Verdict.ToSales() && !r.FitHigh && !asked {
			t.Fatalf("rule %s sends a lead that does not fit (fit %s) to sales\n%s", d.Rule, r.Fit, d.Explanation)
		}
	})
}

// ---- the office calendar ----

// TestCalendarLaws checks the laws every business calendar keeps, on the
// host's calendar, across its holidays and the clock changes.
func TestCalendarLaws(t *testing.T) {
	cal, err := Calendar()
	if err != nil {
		t.Fatal(err)
	}
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, cal.Location())
	rapid.Check(t, func(t *rapid.T) {
		at := func(name string) time.Time {
			return year.Add(time.Duration(rapid.Int64Range(0, int64(365*24*time.Hour)).Draw(t, name)))
		}
		d := func(name string) time.Duration {
			return time.Duration(rapid.Int64Range(0, int64(80*time.Hour)).Draw(t, name))
		}
		handofftest.CheckCalendar(t, cal, at("s1"), at("s2"), d("d1"), d("d2"))
	})
}

// TestBrokenVariantStillBreaks keeps the demonstration honest: the broken
// configuration (SMARKETING_BROKEN=1) must break both laws on the minimal
// cases rapid shrinks to, or the demonstration would show nothing.
func TestBrokenVariantStillBreaks(t *testing.T) {
	t.Setenv("SMARKETING_BROKEN", "1")
	m := mustFunnel(t)
	sm := mustScoring(t)
	p := mustPolicy(t, m)
	r, err := sm.Score(Lead{Events: []Event{{Kind: KindUnsubscribe, At: start}}}, start, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.InterestHigh {
		t.Error("broken scoring: an unsubscribed lead is not hot; the demonstration shows nothing")
	}
	lead := Lead{Events: []Event{{Kind: KindWebinar, At: start}, {Kind: KindWebinar, At: start}, {Kind: KindPricing, At: start}}}
	if r, err = sm.Score(lead, start, nil); err != nil {
		t.Fatal(err)
	}
	st, _ := handofftest.StateAt(m, "c1", "mql", start.Add(-time.Hour))
	d, err := p.Decide(handoff.Input{State: st, Score: &r, Now: start})
	if err != nil {
		t.Fatal(err)
	}
	if r.FitHigh || !d.Verdict.ToSales() {
		t.Errorf("broken policy: a low-fit lead (%s) got %s; the demonstration shows nothing", r.Label, d.Verdict)
	}
}
