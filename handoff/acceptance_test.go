package handoff_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/scoring"
	"pgregory.net/rapid"
)

// lifecycle drives one lead through policy, routing and acceptance,
// applying every move to the funnel and keeping the event log, as a host
// does.
type lifecycle struct {
	t       *testing.T
	model   *funnel.Model
	pol     *handoff.Policy
	acc     *handoff.Acceptance
	router  *handoff.Router
	roster  []handoff.Rep
	rot     handoff.Rotation
	state   funnel.State
	recycle handoff.RecycleState
	owner   string
	events  []funnel.Event
}

func (l *lifecycle) apply(mv funnel.Move) {
	l.t.Helper()
	s, ev, err := l.model.Apply(l.state, mv)
	if err != nil {
		l.t.Fatalf("Apply %+v: %v", mv, err)
	}
	l.state = s
	if !ev.IsZero() {
		l.events = append(l.events, ev)
	}
}

// decide runs the policy until it stops moving the lead, routing it when
// it goes to sales; it returns the rules that fired.
func (l *lifecycle) decide(now time.Time, q scoring.Quadrant) []string {
	l.t.Helper()
	var fired []string
	for range 5 {
		d, err := l.pol.Decide(handoff.Input{State: l.state, Score: result(q), Recycle: l.recycle, Now: now})
		if err != nil {
			l.t.Fatal(err)
		}
		if d.Verdict == handoff.VerdictHold {
			break
		}
		fired = append(fired, d.Rule)
		if d.Verdict.ToSales() {
			a, rot, err := l.router.Assign(l.roster, l.rot, handoff.Request{Lead: l.state.Lead, Exclude: l.recycle.RejectedBy})
			if err != nil {
				l.t.Fatalf("Assign: %v", err)
			}
			l.rot, l.owner = rot, a.Rep
		}
		if !d.HasMove {
			break
		}
		l.apply(d.Move)
	}
	return fired
}

func newLifecycle(t *testing.T, m *funnel.Model, rs handoff.RecycleSpec) *lifecycle {
	t.Helper()
	pol, err := handoff.DefaultPolicy(m)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, Recycle: rs})
	if err != nil {
		t.Fatal(err)
	}
	router, err := handoff.NewRouter(handoff.RoutingSpec{})
	if err != nil {
		t.Fatal(err)
	}
	l := &lifecycle{t: t, model: m, pol: pol, acc: acc, router: router, state: funnel.State{Lead: "lead-7"},
		roster: []handoff.Rep{{ID: "ana"}, {ID: "bob"}, {ID: "carol"}, {ID: "dan"}}}
	l.apply(funnel.Move{To: m.Entry(), At: t0})
	return l
}

func (l *lifecycle) checkReplay() {
	l.t.Helper()
	got, err := l.model.Replay(l.state.Lead, l.events)
	if err != nil {
		l.t.Fatalf("Replay: %v", err)
	}
	if diff := cmp.Diff(l.state, got); diff != "" {
		l.t.Errorf("replayed state differs (-applied +replayed):\n%s", diff)
	}
}

func TestRejectionRoundTrip(t *testing.T) {
	l := newLifecycle(t, funnel.Default(), handoff.RecycleSpec{Cooldown: handoff.Duration(7 * 24 * time.Hour)})
	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }

	if got := l.decide(day(1), scoring.HighFitHighInterest); !cmp.Equal(got, []string{"promote", "hand_off"}) {
		t.Fatalf("rules fired: %v", got)
	}
	if l.state.Stage != funnel.SQL || l.owner != "ana" {
		t.Fatalf("after hand-off: stage %s, owner %s", l.state.Stage, l.owner)
	}
	// ana talks to the lead: not now.
	o, err := l.acc.Disqualify(l.state, l.recycle, handoff.Rejection{Rep: "ana", Code: funnel.ReasonBadTiming, At: day(2), Note: "call in Q3"})
	if err != nil {
		t.Fatal(err)
	}
	if !o.Recycled || o.Move.To != funnel.Nurture || o.Recycle.Count != 1 || !o.Recycle.Until.Equal(day(9)) {
		t.Fatalf("bad_timing outcome: %+v", o)
	}
	l.apply(o.Move)
	l.recycle = o.Recycle
	// During the cooldown a hot score does not requalify the lead.
	if got := l.decide(day(5), scoring.HighFitHighInterest); len(got) != 0 {
		t.Fatalf("requalified during cooldown: %v", got)
	}
	// After it, the lead comes back and goes to a rep other than ana.
	if got := l.decide(day(10), scoring.HighFitHighInterest); !cmp.Equal(got, []string{"requalify", "hand_off"}) {
		t.Fatalf("rules fired after cooldown: %v", got)
	}
	if l.owner == "ana" {
		t.Fatalf("routed back to the rep who sent it back")
	}
	first := l.owner
	// A procedural rejection returns it to MQL for routing, not a recycle.
	o, err = l.acc.Reject(l.state, l.recycle, handoff.Rejection{Rep: first, Code: funnel.ReasonWrongTerritory, At: day(11)})
	if err != nil {
		t.Fatal(err)
	}
	if o.Recycled || o.Move.To != funnel.MQL || o.Recycle.Count != 1 || o.Move.Reason != funnel.ReasonWrongTerritory {
		t.Fatalf("wrong_territory outcome: %+v", o)
	}
	l.apply(o.Move)
	l.recycle = o.Recycle
	l.decide(day(11), scoring.HighFitHighInterest)
	if l.owner == "ana" || l.owner == first {
		t.Fatalf("routed back to a rep who sent it back: %s", l.owner)
	}
	// A definitional rejection: the default lifecycle disqualifies bad fits.
	o, err = l.acc.Reject(l.state, l.recycle, handoff.Rejection{Rep: l.owner, Code: funnel.ReasonBadFit, At: day(12)})
	if err != nil {
		t.Fatal(err)
	}
	if !o.Disqualified || o.Move.To != funnel.Disqualified {
		t.Fatalf("bad_fit outcome: %+v", o)
	}
	l.apply(o.Move)
	l.recycle = o.Recycle
	wantHist := []handoff.Class{handoff.AfterContact, handoff.Procedural, handoff.Definitional}
	var gotHist []handoff.Class
	for _, r := range l.recycle.History {
		gotHist = append(gotHist, r.Class)
	}
	if !cmp.Equal(wantHist, gotHist) || len(l.recycle.RejectedBy) != 3 {
		t.Errorf("history %v, rejected by %v", gotHist, l.recycle.RejectedBy)
	}
	// Every reason is on the audit log.
	var reasons []funnel.ReasonCode
	for _, e := range l.events {
		if e.Actor != "" && e.Actor[0] != 'p' {
			reasons = append(reasons, e.Reason)
		}
	}
	if want := []funnel.ReasonCode{funnel.ReasonBadTiming, funnel.ReasonWrongTerritory, funnel.ReasonBadFit}; !cmp.Equal(want, reasons) {
		t.Errorf("reasons on the log: %v", reasons)
	}
	l.checkReplay()
}

func TestRecycleLimitRoundTrip(t *testing.T) {
	for _, m := range []*funnel.Model{funnel.Default(), funnel.Waterfall()} {
		t.Run(m.ID(), func(t *testing.T) {
			l := newLifecycle(t, m, handoff.RecycleSpec{Cooldown: -1, MaxRecycles: 2})
			now := t0
			for i := 1; ; i++ {
				now = now.Add(time.Hour)
				l.decide(now, scoring.HighFitHighInterest)
				if l.state.Stage == funnel.Nurture || l.state.Stage == funnel.Disqualified {
					t.Fatalf("not handed off: %s", l.state.Stage)
				}
				now = now.Add(time.Hour)
				code := funnel.ReasonNoNeed
				if m.ID() == funnel.WaterfallSpec().ID {
					code = funnel.ReasonBadTiming
				}
				o, err := l.acc.Disqualify(l.state, l.recycle, handoff.Rejection{Rep: l.owner, Code: code, At: now})
				if err != nil {
					t.Fatal(err)
				}
				l.apply(o.Move)
				l.recycle = o.Recycle
				if i <= 2 {
					if !o.Recycled || o.Recycle.Count != i {
						t.Fatalf("return %d: %+v", i, o)
					}
					continue
				}
				if !o.LimitReached || !o.Disqualified || l.state.Stage != funnel.Disqualified || o.Move.Reason != funnel.ReasonRecycleLimit {
					t.Fatalf("return %d past the limit: %+v", i, o)
				}
				break
			}
			l.checkReplay()
		})
	}
}

func TestWaterfallRejection(t *testing.T) {
	m := funnel.Waterfall()
	l := newLifecycle(t, m, handoff.RecycleSpec{})
	l.decide(t0.Add(time.Hour), scoring.HighFitHighInterest)
	if l.state.Stage != funnel.SAL {
		t.Fatalf("stage %s", l.state.Stage)
	}
	// The waterfall takes bad fits back to nurture.
	o, err := l.acc.Reject(l.state, l.recycle, handoff.Rejection{Rep: l.owner, Code: funnel.ReasonBadFit, At: t0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if o.Move.To != funnel.Nurture || !o.Recycled {
		t.Fatalf("outcome %+v", o)
	}
	l.apply(o.Move)
	l.checkReplay()
}

func TestAcceptanceErrors(t *testing.T) {
	m := funnel.Default()
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, SLA: sla})
	if err != nil {
		t.Fatal(err)
	}
	sql := at(t, m, funnel.SQL)
	lead := at(t, m, funnel.Lead)
	rs := handoff.RecycleState{}
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"not handed off", func() error {
			_, err := acc.Reject(lead, rs, handoff.Rejection{Rep: "a", Code: funnel.ReasonBadFit, At: t0})
			return err
		}, handoff.ErrNotHandedOff},
		{"after-contact code to Reject", func() error {
			_, err := acc.Reject(sql, rs, handoff.Rejection{Rep: "a", Code: funnel.ReasonNoBudget, At: t0})
			return err
		}, handoff.ErrUnknownReason},
		{"rejection code to Disqualify", func() error {
			_, err := acc.Disqualify(sql, rs, handoff.Rejection{Rep: "a", Code: funnel.ReasonBadData, At: t0})
			return err
		}, handoff.ErrUnknownReason},
		{"unknown code", func() error {
			_, err := acc.Reject(sql, rs, handoff.Rejection{Rep: "a", Code: "meh", At: t0})
			return err
		}, handoff.ErrUnknownReason},
		{"no rep", func() error {
			_, err := acc.Reject(sql, rs, handoff.Rejection{Code: funnel.ReasonBadFit, At: t0})
			return err
		}, handoff.ErrInvalidInput},
		{"unresponsive too early", func() error {
			_, err := acc.Disqualify(sql, rs, handoff.Rejection{Rep: "a", Code: funnel.ReasonUnresponsive, At: t0, Ticket: &handoff.Ticket{Attempts: 2}})
			return err
		}, handoff.ErrTooFewAttempts},
	}
	for _, tt := range tests {
		if err := tt.call(); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	// The presets declare student on every move into disqualified.
	if o, err := acc.Disqualify(sql, rs, handoff.Rejection{Rep: "a", Code: handoff.ReasonStudent, At: t0}); err != nil || !o.Disqualified || o.Move.To != funnel.Disqualified {
		t.Errorf("student: %+v, %v", o, err)
	}
	if o, err := acc.Disqualify(sql, rs, handoff.Rejection{Rep: "a", Code: funnel.ReasonUnresponsive, At: t0, Ticket: &handoff.Ticket{Attempts: 6}}); err != nil || !o.Recycled {
		t.Errorf("unresponsive after 6 attempts: %+v, %v", o, err)
	}
	// FunnelReasons prepares a lifecycle for the whole catalog.
	m2, err := funnel.New(handoff.FunnelReasons(funnel.DefaultSpec(), handoff.DefaultReasons(), funnel.SQL))
	if err != nil {
		t.Fatal(err)
	}
	acc2, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m2})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range acc2.Reasons() {
		call := acc2.Reject
		if r.Class == handoff.AfterContact {
			call = acc2.Disqualify
		}
		if _, err := call(at(t, m2, funnel.SQL), rs, handoff.Rejection{Rep: "a", Code: r.Code, At: t0}); err != nil {
			t.Errorf("%s after FunnelReasons: %v", r.Code, err)
		}
	}
	if o, err := acc.Accept(sql, rs, "a", t0); err != nil || o.HasMove {
		t.Errorf("Accept: %+v %v", o, err)
	}
}

// TestAcceptanceHostReasons: a host extends the documented catalog with
// its own codes; they are checked like the built-in ones and travel on the
// audit event.
func TestAcceptanceHostReasons(t *testing.T) {
	reasons := append(handoff.DefaultReasons(),
		handoff.Reason{Code: "wrong_product", Class: handoff.Procedural, Label: "Asked about a product this team does not sell", To: []funnel.Stage{funnel.MQL}},
		handoff.Reason{Code: "chose_partner", Class: handoff.AfterContact, Label: "Buys through a partner", To: []funnel.Stage{funnel.Nurture}},
	)
	m, err := funnel.New(handoff.FunnelReasons(funnel.DefaultSpec(), reasons, funnel.SQL))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, Reasons: reasons})
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := acc.Reason("wrong_product"); !ok || r.Class != handoff.Procedural {
		t.Fatalf("host reason not in the catalog: %+v", r)
	}
	sql := at(t, m, funnel.SQL)
	o, err := acc.Reject(sql, handoff.RecycleState{}, handoff.Rejection{Rep: "ana", Code: "wrong_product", At: t0, EventID: "ev-1"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Recycled || o.Move.To != funnel.MQL || o.Recycle.Count != 0 ||
		!cmp.Equal(o.Recycle.RejectedBy, []string{"ana"}) || len(o.Recycle.History) != 1 || o.Recycle.History[0].Class != handoff.Procedural {
		t.Errorf("wrong_product outcome: %+v", o)
	}
	st, ev, err := m.Apply(sql, o.Move)
	if err != nil || st.Stage != funnel.MQL || ev.Reason != "wrong_product" || ev.Actor != "ana" || ev.ID != "ev-1" {
		t.Errorf("applied: %+v, event %+v, %v", st, ev, err)
	}
	o, err = acc.Disqualify(sql, handoff.RecycleState{}, handoff.Rejection{Rep: "ana", Code: "chose_partner", At: t0})
	if err != nil || !o.Recycled || o.Move.To != funnel.Nurture || o.Move.Reason != "chose_partner" {
		t.Errorf("chose_partner: %+v, %v", o, err)
	}
	// The host's after-contact code is not a rejection.
	if _, err := acc.Reject(sql, handoff.RecycleState{}, handoff.Rejection{Rep: "ana", Code: "chose_partner", At: t0}); !errors.Is(err, handoff.ErrUnknownReason) {
		t.Errorf("after-contact host code to Reject: %v", err)
	}
	// Without FunnelReasons the lifecycle refuses the code: a funnel error.
	acc2, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: funnel.Default(), Reasons: reasons})
	if err != nil {
		t.Fatal(err)
	}
	var me *funnel.MoveError
	if _, err := acc2.Reject(at(t, funnel.Default(), funnel.SQL), handoff.RecycleState{}, handoff.Rejection{Rep: "ana", Code: "wrong_product", At: t0}); !errors.As(err, &me) {
		t.Errorf("code the lifecycle lacks: %v", err)
	}
	// Extending with a code already in the catalog, or a bad class, is a
	// spec error at the host entry's path.
	n := len(handoff.DefaultReasons())
	bad := append(handoff.DefaultReasons(),
		handoff.Reason{Code: funnel.ReasonBadFit, Class: handoff.Definitional, To: []funnel.Stage{funnel.Nurture}},
		handoff.Reason{Code: "gut_feeling", Class: "hunch", To: []funnel.Stage{funnel.Nurture}})
	_, err = handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, Reasons: bad})
	want := []string{fmt.Sprintf("reasons[%d].code", n), fmt.Sprintf("reasons[%d].class", n+1)}
	if diff := cmp.Diff(want, specPaths(t, err)); diff != "" {
		t.Errorf("paths (-want +got):\n%s\n%v", diff, err)
	}
}

// TestRecycleDefaults: the zero RecycleSpec recycles three times with a
// 30-day cooldown, never routes the lead back to a rep who sent it back,
// and disqualifies it on the fourth return; the log replays to the state.
func TestRecycleDefaults(t *testing.T) {
	l := newLifecycle(t, funnel.Default(), handoff.RecycleSpec{})
	now := t0.Add(time.Hour)
	for i := 1; i <= 4; i++ {
		if got := l.decide(now, scoring.HighFitHighInterest); len(got) == 0 || got[len(got)-1] != "hand_off" {
			t.Fatalf("return %d: rules fired %v", i, got)
		}
		if slices.Contains(l.recycle.RejectedBy, l.owner) {
			t.Fatalf("return %d: routed to %s, who sent it back before (%v)", i, l.owner, l.recycle.RejectedBy)
		}
		at := now.Add(time.Hour)
		o, err := l.acc.Disqualify(l.state, l.recycle, handoff.Rejection{Rep: l.owner, Code: funnel.ReasonBadTiming, At: at})
		if err != nil {
			t.Fatal(err)
		}
		l.apply(o.Move)
		l.recycle = o.Recycle
		if i == 4 {
			if !o.LimitReached || !o.Disqualified || l.state.Stage != funnel.Disqualified {
				t.Fatalf("fourth return: %+v", o)
			}
			break
		}
		if !o.Recycled || o.Recycle.Count != i || !o.Recycle.Until.Equal(at.Add(30*24*time.Hour)) {
			t.Fatalf("return %d: %+v", i, o)
		}
		// A day before the cooldown ends the hot score does nothing.
		if got := l.decide(o.Recycle.Until.Add(-24*time.Hour), scoring.HighFitHighInterest); len(got) != 0 {
			t.Fatalf("return %d: requalified during the cooldown: %v", i, got)
		}
		now = o.Recycle.Until
	}
	if len(l.recycle.RejectedBy) != 4 || len(l.recycle.History) != 4 {
		t.Errorf("recycle state: %+v", l.recycle)
	}
	l.checkReplay()
}

// TestParseAcceptanceConfig: a host keeps its extended catalog and its
// recycling rules in JSON; they decode, validate against a lifecycle
// prepared with FunnelReasons, drive Reject and Accept, and come back
// equal from their own JSON.
func TestParseAcceptanceConfig(t *testing.T) {
	cfg, err := handoff.ParseAcceptanceConfig(readSpec(t, "acceptance.json"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Recycle.MaxRecycles != 2 || cfg.Recycle.Cooldown != handoff.Duration(21*24*time.Hour) || cfg.AcceptTo != funnel.Opportunity || len(cfg.Reasons) != 9 {
		t.Fatalf("decoded %+v", cfg)
	}
	m, err := funnel.New(handoff.FunnelReasons(funnel.DefaultSpec(), cfg.Reasons, funnel.SQL))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Model = m
	acc, err := handoff.NewAcceptance(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sql := at(t, m, funnel.SQL)
	o, err := acc.Reject(sql, handoff.RecycleState{}, handoff.Rejection{Rep: "ana", Code: "wrong_product", At: t0})
	if err != nil || o.Move.To != funnel.MQL || o.Move.Reason != "wrong_product" {
		t.Errorf("host code from JSON: %+v, %v", o, err)
	}
	o, err = acc.Disqualify(sql, handoff.RecycleState{}, handoff.Rejection{Rep: "ana", Code: funnel.ReasonBadTiming, At: t0})
	if err != nil || !o.Recycled || !o.Recycle.Until.Equal(t0.Add(21*24*time.Hour)) {
		t.Errorf("recycling from JSON: %+v, %v", o, err)
	}
	if o, err := acc.Accept(sql, handoff.RecycleState{}, "ana", t0); err != nil || !o.HasMove || o.Move.To != funnel.Opportunity {
		t.Errorf("accept_to from JSON: %+v, %v", o, err)
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	again, err := handoff.ParseAcceptanceConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Model = nil
	if diff := cmp.Diff(cfg, again, specOpts); diff != "" {
		t.Errorf("JSON round trip (-first +second):\n%s", diff)
	}
	for _, in := range []string{`{"reasons": [{"code": "x", "class": "procedural", "to": "mql"}]}`, `{"recycle": {"cooldown": "a while"}}`, `{"model": "default"}`, `{} x`} {
		if _, err := handoff.ParseAcceptanceConfig([]byte(in)); !errors.Is(err, handoff.ErrInvalidSpec) {
			t.Errorf("ParseAcceptanceConfig(%s): %v", in, err)
		}
	}
}

// TestRejectionReturnsToMarketing: a rejection reason whose stages include
// one owned by sales (or customer success) is refused when the Acceptance
// is built, so every rejection lands in a marketing stage; after-contact
// reasons may go to a sales stage such as lost.
func TestRejectionReturnsToMarketing(t *testing.T) {
	m := funnel.Default()
	reasons := append(handoff.DefaultReasons(),
		handoff.Reason{Code: "incomplete_form", Class: handoff.Clerical, To: []funnel.Stage{funnel.Nurture, funnel.Opportunity}},
		handoff.Reason{Code: "lost_interest", Class: handoff.AfterContact, To: []funnel.Stage{funnel.Lost}},
	)
	_, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, Reasons: reasons})
	n := len(handoff.DefaultReasons())
	if diff := cmp.Diff([]string{fmt.Sprintf("reasons[%d].to[1]", n)}, specPaths(t, err)); diff != "" {
		t.Errorf("(-want +got):\n%s\n%v", diff, err)
	}
	// Every rejection of the default catalog lands in a marketing stage,
	// in both presets.
	for _, m := range []*funnel.Model{funnel.Default(), funnel.Waterfall()} {
		acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m})
		if err != nil {
			t.Fatal(err)
		}
		returned := 0
		for _, st := range m.Stages() {
			if st.Team != funnel.Sales || st.Kind != funnel.Forward {
				continue
			}
			s := at(t, m, st.ID)
			for _, r := range acc.Reasons() {
				if !r.Class.Rejection() {
					continue
				}
				o, err := acc.Reject(s, handoff.RecycleState{}, handoff.Rejection{Rep: "ana", Code: r.Code, At: t0})
				if err != nil {
					continue // the lifecycle has no edge for it from this stage
				}
				if to, _ := m.Stage(o.Move.To); to.Team != funnel.Marketing || o.Move.Reason != r.Code {
					t.Errorf("%s: %s from %s went to %s (%s), reason %q", m.ID(), r.Code, st.ID, to.ID, to.Team, o.Move.Reason)
				}
				returned++
			}
		}
		if returned < 5 {
			t.Errorf("%s: only %d rejections went through", m.ID(), returned)
		}
	}
}

// TestAccept: acceptance moves the lead to AcceptTo when configured, moves
// nothing otherwise, and refuses bad input with typed errors.
func TestAccept(t *testing.T) {
	m := funnel.Waterfall()
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, AcceptTo: funnel.SQL})
	if err != nil {
		t.Fatal(err)
	}
	sal := at(t, m, funnel.SAL)
	rs := handoff.RecycleState{Count: 1, RejectedBy: []string{"bob"}}
	o, err := acc.Accept(sal, rs, "ana", t0)
	if err != nil || !o.HasMove || o.Move.To != funnel.SQL || o.Move.Actor != "ana" || !o.Move.At.Equal(t0) || !o.Recycle.Equal(rs) || o.Recycled || o.Disqualified {
		t.Fatalf("Accept at SAL: %+v, %v", o, err)
	}
	if _, _, err := m.Apply(sal, o.Move); err != nil {
		t.Errorf("accepted move refused: %v", err)
	}
	// Already at AcceptTo: nothing to move.
	if o, err := acc.Accept(at(t, m, funnel.SQL), rs, "ana", t0); err != nil || o.HasMove {
		t.Errorf("Accept at SQL: %+v, %v", o, err)
	}
	for name, call := range map[string]func() error{
		"no rep":  func() error { _, err := acc.Accept(sal, rs, "", t0); return err },
		"no time": func() error { _, err := acc.Accept(sal, rs, "ana", time.Time{}); return err },
	} {
		if err := call(); !errors.Is(err, handoff.ErrInvalidInput) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := acc.Accept(at(t, m, funnel.MQL), rs, "ana", t0); !errors.Is(err, handoff.ErrNotHandedOff) {
		t.Errorf("Accept at MQL: %v", err)
	}
	// An AcceptTo the lifecycle cannot reach from the stage: the funnel's
	// typed error.
	back, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, AcceptTo: funnel.MQL})
	if err != nil {
		t.Fatal(err)
	}
	var me *funnel.MoveError
	if _, err := back.Accept(sal, rs, "ana", t0); !errors.As(err, &me) {
		t.Errorf("Accept to a stage the funnel forbids: %v", err)
	}
	if _, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, AcceptTo: "heaven", Stages: []funnel.Stage{"limbo"}}); !cmp.Equal(specPaths(t, err), []string{"accept_to", "stages[0]"}) {
		t.Errorf("unknown stages: %v", err)
	}
	if _, err := handoff.NewAcceptance(handoff.AcceptanceConfig{}); !cmp.Equal(specPaths(t, err), []string{"model"}) {
		t.Errorf("no model: %v", err)
	}
	// A stored recycle count below zero is refused, not recycled further.
	if _, err := acc.Reject(sal, handoff.RecycleState{Count: -1}, handoff.Rejection{Rep: "ana", Code: funnel.ReasonBadFit, At: t0}); !errors.Is(err, handoff.ErrInvalidInput) {
		t.Errorf("negative recycle count: %v", err)
	}
	if _, err := acc.Accept(sal, handoff.RecycleState{Count: -1}, "ana", t0); !errors.Is(err, handoff.ErrInvalidInput) {
		t.Errorf("negative recycle count on Accept: %v", err)
	}
}

// TestHandoffLifecycleProperty drives one lead through random decisions,
// routings, rejections and disqualifications on both preset lifecycles and
// random recycling rules, applying every move and keeping the event log as
// a host does, and checks the promises of acceptance and recycling at every
// step: the lead is never routed to a rep who sent it back; no policy rule
// qualifies it during its cooldown except one that overrides it; it is
// recycled at most MaxRecycles times and then disqualified; every
// rejection lands in a marketing stage with its code on the event; the
// recycling state counts what happened; and the log replays to the state.
func TestHandoffLifecycleProperty(t *testing.T) {
	models := []*funnel.Model{funnel.Default(), funnel.Waterfall()}
	router, err := handoff.NewRouter(handoff.RoutingSpec{})
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		m := models[rapid.IntRange(0, len(models)-1).Draw(t, "model")]
		spec := handoff.RecycleSpec{
			Cooldown:    handoff.Duration(time.Duration(rapid.IntRange(-1, 10).Draw(t, "cooldown_days")) * 24 * time.Hour),
			MaxRecycles: rapid.IntRange(-1, 3).Draw(t, "max_recycles"),
		}
		maxRecycles := spec.MaxRecycles
		if maxRecycles == 0 {
			maxRecycles = 3
		}
		pol, err := handoff.DefaultPolicy(m)
		if err != nil {
			t.Fatal(err)
		}
		acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, Recycle: spec})
		if err != nil {
			t.Fatal(err)
		}
		roster := []handoff.Rep{{ID: "ana"}, {ID: "bob"}, {ID: "cruz"}, {ID: "dee"}, {ID: "eli"}}
		var (
			rot     handoff.Rotation
			rs      handoff.RecycleState
			owner   string
			events  []funnel.Event
			returns int
			recycle int
		)
		now := t0
		st, ev, err := m.Apply(funnel.State{Lead: "lead-1"}, funnel.Move{To: m.Entry(), At: now})
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
		apply := func(mv funnel.Move) {
			s2, ev, err := m.Apply(st, mv)
			if err != nil {
				t.Fatalf("Apply %+v from %s: %v", mv, st.Stage, err)
			}
			st = s2
			if !ev.IsZero() {
				events = append(events, ev)
			}
		}
		acceptStages := map[funnel.Stage]bool{}
		for _, s := range m.Stages() {
			acceptStages[s.ID] = s.Team == funnel.Sales && s.Kind == funnel.Forward
		}
		var rejections, afterContact []handoff.Reason
		for _, r := range acc.Reasons() {
			if r.Class.Rejection() {
				rejections = append(rejections, r)
			} else if !r.NeedsAttempts {
				afterContact = append(afterContact, r)
			}
		}
		for range rapid.IntRange(1, 40).Draw(t, "steps") {
			now = now.Add(time.Duration(rapid.IntRange(1, 15*24).Draw(t, "hours")) * time.Hour)
			if st.Stage == funnel.Disqualified {
				break
			}
			switch {
			case acceptStages[st.Stage] && rapid.IntRange(0, 2).Draw(t, "sales_acts") > 0:
				call, pool := acc.Reject, rejections
				if rapid.IntRange(0, 3).Draw(t, "after_contact") > 0 {
					call, pool = acc.Disqualify, afterContact
				}
				r := rapid.SampledFrom(pool).Draw(t, "reason")
				from := st.Stage
				o, err := call(st, rs, handoff.Rejection{Rep: owner, Code: r.Code, At: now})
				if err != nil {
					var me *funnel.MoveError
					if !errors.As(err, &me) {
						t.Fatalf("%s: %v", r.Code, err)
					}
					continue // no edge for this code from here in this lifecycle
				}
				apply(o.Move)
				returns++
				if o.Recycled {
					recycle++
				}
				to, _ := m.Stage(st.Stage)
				if r.Class.Rejection() && to.Team != funnel.Marketing {
					t.Fatalf("rejection %s from %s went to %s (%s)", r.Code, from, to.ID, to.Team)
				}
				last := events[len(events)-1]
				if last.Actor != owner || (last.Reason != r.Code && !o.LimitReached) {
					t.Fatalf("event %+v for %s by %s", last, r.Code, owner)
				}
				if o.LimitReached && (rs.Count != maxRecycles || st.Stage != funnel.Disqualified) {
					t.Fatalf("limit reached after %d recycles (max %d), stage %s", rs.Count, maxRecycles, st.Stage)
				}
				rs, owner = o.Recycle, ""
			default:
				in := handoff.Input{State: st, Recycle: rs, Now: now}
				if rapid.IntRange(0, 3).Draw(t, "scored") > 0 {
					in.Score = result(rapid.SampledFrom([]scoring.Quadrant{scoring.HighFitHighInterest, scoring.HighFitLowInterest,
						scoring.LowFitHighInterest, scoring.LowFitLowInterest}).Draw(t, "quadrant"))
				}
				if rapid.IntRange(0, 4).Draw(t, "demo") == 0 {
					in.Activity = &handoff.Activity{Kind: handoff.ActivityDemoRequest, At: now}
				}
				d, err := pol.Decide(in)
				if err != nil {
					t.Fatal(err)
				}
				if d.HasMove && rs.CoolingDown(now) && pol.Qualifies(st.Stage, d.Move.To) && d.Verdict != handoff.VerdictFastTrack {
					t.Fatalf("rule %s qualified the lead during its cooldown (until %v, now %v)", d.Rule, rs.Until, now)
				}
				if d.HasMove {
					apply(d.Move)
				}
				if d.Verdict.ToSales() && acceptStages[st.Stage] {
					a, rot2, err := router.Assign(roster, rot, handoff.Request{Lead: st.Lead, Exclude: rs.RejectedBy})
					switch {
					case errors.Is(err, handoff.ErrNoEligibleRep):
						if slices.ContainsFunc(roster, func(r handoff.Rep) bool { return !slices.Contains(rs.RejectedBy, r.ID) }) {
							t.Fatalf("no eligible rep, but only %v sent it back", rs.RejectedBy)
						}
						owner = "manager" // every rep sent it back: the host escalates
					case err != nil:
						t.Fatal(err)
					case slices.Contains(rs.RejectedBy, a.Rep):
						t.Fatalf("routed to %s, who sent it back (%v)", a.Rep, rs.RejectedBy)
					default:
						rot, owner = rot2, a.Rep
					}
				}
			}
			if rs.Count != recycle || len(rs.History) != returns || maxRecycles >= 0 && rs.Count > maxRecycles {
				t.Fatalf("recycle state %+v after %d returns, %d recycles (max %d)", rs, returns, recycle, maxRecycles)
			}
			reps := map[string]bool{}
			for _, h := range rs.History {
				reps[h.Rep] = true
			}
			if len(reps) != len(rs.RejectedBy) {
				t.Fatalf("rejected by %v, history %+v", rs.RejectedBy, rs.History)
			}
		}
		got, err := m.Replay(st.Lead, events)
		if err != nil {
			t.Fatalf("Replay: %v", err)
		}
		if !got.Equal(st) {
			t.Fatalf("replayed state differs:\n%s", cmp.Diff(st, got))
		}
	})
}

// TestAcceptanceConfigRefusals: NewAcceptance refuses what could never
// work or would not survive JSON: an empty (not nil) stage list or reason
// catalog, which JSON leaves out and brings back as the defaults; a limit
// reason that is malformed or undeclared, which failed only when a lead
// reached the recycle limit; and a disqualified stage owned by sales when
// a rejection can be recycled, which sent a rejection past the limit to
// sales.
func TestAcceptanceConfigRefusals(t *testing.T) {
	m := funnel.Default()
	recycling := []handoff.Reason{{Code: funnel.ReasonBadTiming, Class: handoff.Definitional, To: []funnel.Stage{funnel.Nurture}}}
	tests := []struct {
		name string
		cfg  handoff.AcceptanceConfig
		path string
	}{
		{"empty stages", handoff.AcceptanceConfig{Stages: []funnel.Stage{}}, "stages"},
		{"empty catalog", handoff.AcceptanceConfig{Reasons: []handoff.Reason{}}, "reasons"},
		{"malformed limit reason", handoff.AcceptanceConfig{Recycle: handoff.RecycleSpec{LimitReason: "Not A Code!"}}, "recycle.limit_reason"},
		{"undeclared limit reason", handoff.AcceptanceConfig{Recycle: handoff.RecycleSpec{LimitReason: "too_many"}}, "recycle.limit_reason"},
		{"rejection recycled into sales", handoff.AcceptanceConfig{Reasons: recycling, Recycle: handoff.RecycleSpec{Disqualified: funnel.Lost}}, "recycle.disqualified"},
	}
	for _, tt := range tests {
		tt.cfg.Model = m
		_, err := handoff.NewAcceptance(tt.cfg)
		var se *handoff.SpecError
		if !errors.Is(err, handoff.ErrInvalidSpec) || !errors.As(err, &se) || se.Path != tt.path {
			t.Errorf("%s: err = %v, want ErrInvalidSpec at %s", tt.name, err, tt.path)
		}
	}
	if _, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, Recycle: handoff.RecycleSpec{LimitReason: "too_many"}}); !errors.Is(err, funnel.ErrUnknownReason) {
		t.Errorf("undeclared limit reason: err = %v, want funnel.ErrUnknownReason", err)
	}
	// Still fine: a declared limit reason, a sales-owned disqualified stage
	// that no rejection reaches (after-contact codes may end in sales).
	for _, cfg := range []handoff.AcceptanceConfig{
		{Model: m, Recycle: handoff.RecycleSpec{LimitReason: funnel.ReasonBadFit}},
		{Model: m, Reasons: []handoff.Reason{{Code: funnel.ReasonNoBudget, Class: handoff.AfterContact, To: []funnel.Stage{funnel.Nurture}}},
			Recycle: handoff.RecycleSpec{Disqualified: funnel.Lost}},
	} {
		if _, err := handoff.NewAcceptance(cfg); err != nil {
			t.Errorf("%+v: %v", cfg.Recycle, err)
		}
	}
	// What NewAcceptance accepts means the same after a JSON round trip:
	// the stages and reasons lists, nil or not, decide the same calls.
	sql := at(t, m, funnel.SQL)
	for _, cfg := range []handoff.AcceptanceConfig{
		{}, {Stages: []funnel.Stage{funnel.SQL}}, {Reasons: handoff.DefaultReasons()[:1]}, {Stages: []funnel.Stage{funnel.Opportunity}},
	} {
		b, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		again, err := handoff.ParseAcceptanceConfig(b)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Model, again.Model = m, m
		a1, err1 := handoff.NewAcceptance(cfg)
		a2, err2 := handoff.NewAcceptance(again)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v, %v", b, err1, err2)
		}
		_, e1 := a1.Reject(sql, handoff.RecycleState{}, handoff.Rejection{Rep: "a", Code: funnel.ReasonWrongTerritory, At: t0.Add(time.Hour)})
		_, e2 := a2.Reject(sql, handoff.RecycleState{}, handoff.Rejection{Rep: "a", Code: funnel.ReasonWrongTerritory, At: t0.Add(time.Hour)})
		if (e1 == nil) != (e2 == nil) || len(a1.Reasons()) != len(a2.Reasons()) {
			t.Errorf("%s: Reject %v before JSON, %v after", b, e1, e2)
		}
	}
}

// TestNegativeAttempts: a ticket with a negative attempt count is invalid
// input for CheckUnresponsive (and so for an unresponsive
// disqualification), as it is for Evaluate, even on a tier without a
// minimum; it used to read as "too few attempts: -1 of 0".
func TestNegativeAttempts(t *testing.T) {
	spec := handoff.DefaultSLASpec()
	spec.Tiers[1].MinAttempts = 0
	sla := handoff.MustSLA(spec)
	for _, tier := range []string{"fast_track", "standard"} {
		tk := handoff.Ticket{Tier: tier, Attempts: -1}
		if err := sla.CheckUnresponsive(tk); !errors.Is(err, handoff.ErrInvalidInput) || errors.Is(err, handoff.ErrTooFewAttempts) {
			t.Errorf("%s: CheckUnresponsive = %v, want ErrInvalidInput", tier, err)
		}
		if _, err := sla.Evaluate(nil, tk, t0); !errors.Is(err, handoff.ErrInvalidInput) {
			t.Errorf("%s: Evaluate = %v, want ErrInvalidInput", tier, err)
		}
	}
	if err := sla.CheckUnresponsive(handoff.Ticket{Tier: "standard"}); err != nil {
		t.Errorf("no minimum, no attempts: %v", err)
	}
	m := funnel.Default()
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, SLA: sla})
	if err != nil {
		t.Fatal(err)
	}
	_, err = acc.Disqualify(at(t, m, funnel.SQL), handoff.RecycleState{}, handoff.Rejection{Rep: "a", Code: funnel.ReasonUnresponsive, At: t0.Add(time.Hour), Ticket: &handoff.Ticket{Tier: "standard", Attempts: -3}})
	if !errors.Is(err, handoff.ErrInvalidInput) {
		t.Errorf("Disqualify unresponsive with -3 attempts: %v", err)
	}
}

// TestCompiledValuesDoNotLeak: what an Acceptance or an SLA hands out (a
// catalog entry, an outcome's reason, a tier) is a copy; changing it does
// not change the compiled value, which is immutable and shared between
// goroutines. Reason, Outcome.Reason and Tier used to share their slices.
func TestCompiledValuesDoNotLeak(t *testing.T) {
	m := funnel.Default()
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	sql := at(t, m, funnel.SQL)
	reject := func() handoff.Outcome {
		o, err := acc.Reject(sql, handoff.RecycleState{}, handoff.Rejection{Rep: "ana", Code: funnel.ReasonBadFit, At: t0.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	before := reject()
	r, _ := acc.Reason(funnel.ReasonBadFit)
	r.To[0] = funnel.Opportunity
	o := reject()
	o.Reason.To[0] = funnel.Customer
	if got, _ := acc.Reason(funnel.ReasonBadFit); !slices.Equal(got.To, []funnel.Stage{funnel.Nurture, funnel.Disqualified}) {
		t.Errorf("catalog changed through a returned reason: %v", got.To)
	}
	if after := reject(); !slices.Equal(after.Reason.To, before.Reason.To) || after.Move.To != before.Move.To {
		t.Errorf("Reject changed: %v → %v, before %v → %v", after.Reason.To, after.Move.To, before.Reason.To, before.Move.To)
	}

	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	tk := handoff.Ticket{Tier: "standard", ActionAt: t0, AssignedAt: t0}
	want, _ := sla.Evaluate(nil, tk, t0.Add(time.Hour))
	tier, _ := sla.Tier("standard")
	tier.Targets[0].Within = handoff.Duration(time.Minute)
	tier.Escalations[0].Action = handoff.Reassign
	if got, _ := sla.Evaluate(nil, tk, t0.Add(time.Hour)); !cmp.Equal(got, want) {
		t.Errorf("SLA changed through a returned tier:\n%s", cmp.Diff(want, got))
	}
	if again, _ := sla.Tier("standard"); again.Targets[0].Within != handoff.Duration(4*time.Hour) || again.Escalations[0].Action != handoff.RemindOwner {
		t.Errorf("Tier changed: %+v", again)
	}
}

// TestNoRecycling: "disqualify on the first return" could not be written
// (MaxRecycles 0 means 3, a negative value no limit). NoRecycling says it,
// in Go and in JSON: the first return whose reason would recycle
// disqualifies the lead, in both lifecycles, and replays; it refuses a
// MaxRecycles or Cooldown it would ignore; and existing specs keep their
// meaning (0 is still 3, -1 still no limit).
func TestNoRecycling(t *testing.T) {
	for _, m := range []*funnel.Model{funnel.Default(), funnel.Waterfall()} {
		t.Run(m.ID(), func(t *testing.T) {
			cfg, err := handoff.ParseAcceptanceConfig([]byte(`{"recycle": {"no_recycling": true}}`))
			if err != nil {
				t.Fatal(err)
			}
			if !cfg.Recycle.NoRecycling {
				t.Fatalf("decoded %+v", cfg.Recycle)
			}
			l := newLifecycle(t, m, cfg.Recycle)
			l.decide(t0.Add(time.Hour), scoring.HighFitHighInterest)
			o, err := l.acc.Disqualify(l.state, l.recycle, handoff.Rejection{Rep: l.owner, Code: funnel.ReasonBadTiming, At: t0.Add(2 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			l.apply(o.Move)
			if o.Recycled || !o.LimitReached || !o.Disqualified || l.state.Stage != funnel.Disqualified || o.Recycle.Count != 0 || !o.Recycle.Until.IsZero() {
				t.Fatalf("first return: %+v", o)
			}
			l.checkReplay()
		})
	}
	m := funnel.Default()
	for _, tt := range []struct {
		rs   handoff.RecycleSpec
		path string
	}{
		{handoff.RecycleSpec{NoRecycling: true, MaxRecycles: 2}, "recycle.max_recycles"},
		{handoff.RecycleSpec{NoRecycling: true, MaxRecycles: -1}, "recycle.max_recycles"},
		{handoff.RecycleSpec{NoRecycling: true, Cooldown: handoff.Duration(time.Hour)}, "recycle.cooldown"},
	} {
		_, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, Recycle: tt.rs})
		if got := specPaths(t, err); len(got) != 1 || got[0] != tt.path {
			t.Errorf("%+v: paths %v (%v), want %s", tt.rs, got, err, tt.path)
		}
	}
	// Backward compatible: 0 is three recycles, -1 no limit.
	for _, tt := range []struct {
		max     int
		recycle bool
	}{{0, false}, {-1, true}} {
		acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, Recycle: handoff.RecycleSpec{MaxRecycles: tt.max}})
		if err != nil {
			t.Fatal(err)
		}
		o, err := acc.Disqualify(at(t, m, funnel.SQL), handoff.RecycleState{Count: 3}, handoff.Rejection{Rep: "a", Code: funnel.ReasonBadTiming, At: t0})
		if err != nil || o.Recycled != tt.recycle || o.LimitReached == tt.recycle {
			t.Errorf("max %d, fourth return: %+v, %v", tt.max, o, err)
		}
	}
}

// TestRecycleTimesMarshal: a return at an instant JSON cannot write used to
// be recorded in the RecycleState (History, Until) that the host then could
// not store; it is invalid input now, for Accept too. A cooldown that would
// end past year 9999 ends at its last nanosecond (UTC), and the state
// marshals.
func TestRecycleTimesMarshal(t *testing.T) {
	m := funnel.Default()
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: m, Recycle: handoff.RecycleSpec{Cooldown: handoff.Duration(30 * 24 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	sql := at(t, m, funnel.SQL)
	for _, bad := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC)} {
		if _, err := acc.Disqualify(sql, handoff.RecycleState{}, handoff.Rejection{Rep: "a", Code: funnel.ReasonBadTiming, At: bad}); !errors.Is(err, handoff.ErrInvalidInput) {
			t.Errorf("Disqualify at %v: %v", bad, err)
		}
		if _, err := acc.Accept(sql, handoff.RecycleState{}, "a", bad); !errors.Is(err, handoff.ErrInvalidInput) {
			t.Errorf("Accept at %v: %v", bad, err)
		}
	}
	kiri := mustLoad(t, "Pacific/Kiritimati")
	for _, at := range []time.Time{time.Date(9999, 12, 20, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 20, 0, 0, 0, kiri)} {
		o, err := acc.Disqualify(sql, handoff.RecycleState{}, handoff.Rejection{Rep: "a", Code: funnel.ReasonBadTiming, At: at})
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC); !o.Recycled || !o.Recycle.Until.Equal(want) {
			t.Errorf("return at %v: until %v, want %v", at, o.Recycle.Until, want)
		}
		if _, err := json.Marshal(o.Recycle); err != nil {
			t.Errorf("return at %v: the recycle state does not marshal: %v", at, err)
		}
	}
}
