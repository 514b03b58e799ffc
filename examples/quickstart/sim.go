package main

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/report"
	"github.com/smarketing/smarketing/scoring"
)

// contact is the host's record of one contact: its profile and activities
// (the scoring.Lead), and what the host stores next to it for the library:
// the funnel state, the recycling state, the last score, the owner and the
// open SLA ticket. events is the contact's append-only log.
type contact struct {
	id     string
	source string // how the contact came in: the report's "source" dimension
	lead   scoring.Lead

	state   funnel.State
	recycle handoff.RecycleState
	score   *scoring.Result
	owner   string
	events  []funnel.Event

	// The open handoff, if any.
	handoff  int // index into sim.responses, -1 when none
	ticket   handoff.Ticket
	criteria []string // scoring rules present when handed off

	// Latent truth the simulation draws from (never shown to the library).
	intent   float64 // how likely the contact is to engage and buy
	badData  bool    // the record is wrong: sales rejects it as clerical
	wrongTer bool    // routed to the wrong territory once
	lastAct  time.Time
	deal     int // index into sim.deals, -1 when none
}

// job kinds on the simulation's timeline.
type jobKind uint8

const (
	jobActivity    jobKind = iota + 1 // the contact does something
	jobRescore                        // a quiet MQL is scored again (decay)
	jobTouch                          // the owner's first contact attempt
	jobDecide                         // sales accepts, rejects or disqualifies
	jobOpportunity                    // an accepted SQL becomes an opportunity
	jobClose                          // the deal is won or lost
	jobRevive                         // a lost deal goes back to marketing
	jobAdvocate                       // a happy customer becomes an evangelist
)

type job struct {
	at      time.Time
	seq     uint64
	kind    jobKind
	c       *contact
	act     scoring.Activity
	handoff int // the handoff a sales job belongs to (stale jobs are dropped)
}

type timeline []job

func (t timeline) Len() int { return len(t) }
func (t timeline) Less(i, j int) bool {
	if !t[i].at.Equal(t[j].at) {
		return t[i].at.Before(t[j].at)
	}
	return t[i].seq < t[j].seq
}
func (t timeline) Swap(i, j int) { t[i], t[j] = t[j], t[i] }
func (t *timeline) Push(x any)   { *t = append(*t, x.(job)) }
func (t *timeline) Pop() any {
	old := *t
	x := old[len(old)-1]
	*t = old[:len(old)-1]
	return x
}

// simConfig says what to simulate.
type simConfig struct {
	Seed     uint64
	Contacts int
	Start    time.Time // first instant of the quarter
	End      time.Time // first instant after it (the report's as-of)
}

// summary counts what happened, for the printout and the tests.
type summary struct {
	Contacts, Activities, Events int
	Verdicts                     map[handoff.Verdict]int
	// Accepted counts every lead sales took, Disqualified those of them
	// it worked and then disqualified after contact (an accepted lead,
	// as only procedural, clerical or definitional returns are
	// rejections); Rejected the leads it sent back unworked.
	Handoffs, Accepted, Rejected, Disqualified int
	Opportunities, Won, Lost                   int
	WonAmount                                  decimal.Decimal
	OfferGap                                   int // contacts flagged for product at least once
	Escalations                                int // SLA escalations that fell due before the first touch
	Recycled                                   int
}

// sim is one simulated quarter.
type sim struct {
	cfg simConfig
	h   *hosts
	rng *rand.Rand
	loc *time.Location
	tl  timeline
	seq uint64
	rot handoff.Rotation

	contacts  []*contact
	log       []funnel.Event // every event of every contact, in the order applied
	deals     []report.Deal
	touches   []report.Touch
	responses []report.Response
	decisions []report.Decision
	sum       summary
	offerGap  map[string]bool
	err       error
}

// simulate runs one quarter and returns the finished simulation. It is
// deterministic: the same config gives the same result, byte for byte.
func simulate(h *hosts, cfg simConfig) (*sim, error) {
	s := &sim{
		cfg:      cfg,
		h:        h,
		rng:      rand.New(rand.NewPCG(cfg.Seed, 0x5eed_cafe)),
		loc:      cfg.Start.Location(),
		offerGap: map[string]bool{},
	}
	s.sum.Verdicts = map[handoff.Verdict]int{}
	s.sum.WonAmount = decimal.Zero
	for i := range cfg.Contacts {
		s.newContact(i)
	}
	for s.tl.Len() > 0 && s.err == nil {
		j := heap.Pop(&s.tl).(job)
		if !j.at.Before(cfg.End) {
			continue // after the quarter: does not happen (yet)
		}
		s.run(j)
	}
	if s.err != nil {
		return nil, s.err
	}
	s.sum.Contacts = len(s.contacts)
	s.sum.Events = len(s.log)
	s.sum.OfferGap = len(s.offerGap)
	return s, nil
}

func (s *sim) schedule(j job) {
	s.seq++
	j.seq = s.seq
	heap.Push(&s.tl, j)
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// newContact draws a contact's profile and its activities over the quarter.
func (s *sim) newContact(i int) {
	r := s.rng
	c := &contact{id: fmt.Sprintf("c-%05d", i+1), handoff: -1, deal: -1}
	c.state.Lead = c.id
	c.source = pick(r, "organic", "organic", "paid_search", "paid_search", "newsletter", "webinar", "referral", "outbound")
	sizes := []string{"5", "25", "80", "150", "400", "900", "2500", "12000"}
	fields := map[string]string{
		"employees":    pick(r, sizes...),
		"industry":     pick(r, "software", "software", "fintech", "ecommerce", "retail", "manufacturing", "education", "public"),
		"country":      pick(r, "ES", "ES", "ES", "PT", "FR", "DE", "IT", "GB", "US", "MX"),
		"seniority":    pick(r, "individual", "individual", "manager", "manager", "director", "vp", "c_level"),
		"email_domain": pick(r, "company.example", "company.example", "company.example", "gmail.com", "hotmail.com"),
	}
	if r.IntN(20) == 0 {
		fields["role"] = "student"
	}
	c.lead.Fields = fields
	c.intent = r.Float64() * r.Float64() // most contacts are lukewarm
	c.badData = r.IntN(40) == 0
	c.wrongTer = r.IntN(30) == 0
	s.contacts = append(s.contacts, c)

	// Arrival: spread over the quarter, a little busier every month.
	span := s.cfg.End.Sub(s.cfg.Start)
	arrive := s.cfg.Start.Add(time.Duration(math.Sqrt(r.Float64()) * 0.98 * float64(span)))
	first := actContentDownload
	switch c.source {
	case "newsletter":
		first = actEmailClick
	case "webinar":
		first = actWebinar
	case "outbound":
		first = actEmailClick
	}
	s.schedule(job{at: arrive, kind: jobActivity, c: c, act: scoring.Activity{Type: first, At: arrive,
		Attrs: []scoring.Attr{{Key: "channel", Value: c.source}}}})
	at := arrive
	// Sales' own prospecting: an SDR's sequence gets a reply from the
	// warmer outbound contacts, who ask to talk to sales.
	if c.source == "outbound" && c.intent > 0.4 && r.IntN(2) == 0 {
		at = at.Add(time.Duration(1+r.IntN(7)) * 24 * time.Hour)
		s.schedule(job{at: at, kind: jobActivity, c: c, act: scoring.Activity{Type: actContactSales, At: at}})
	}
	// Later activities: the hotter the contact, the more and the sooner.
	n := int(c.intent*24) + r.IntN(5)
	for range n {
		gap := time.Duration(float64(96*time.Hour) * (0.2 + 3*r.Float64()) * (1.2 - c.intent))
		at = at.Add(gap + time.Duration(r.IntN(3600))*time.Second)
		typ := s.drawActivity(c)
		s.schedule(job{at: at, kind: jobActivity, c: c, act: scoring.Activity{Type: typ, At: at}})
		if typ == actUnsubscribe {
			break
		}
	}
}

func (s *sim) drawActivity(c *contact) string {
	x := s.rng.Float64()
	switch {
	case x < 0.40:
		return actPageView
	case x < 0.58:
		return actEmailClick
	case x < 0.70:
		return actPricingPage
	case x < 0.82:
		return actContentDownload
	case x < 0.90:
		return actWebinar
	case x < 0.90+0.015*c.intent:
		return pick(s.rng, actDemoRequest, actDemoRequest, actContactSales)
	case x > 0.985:
		return actUnsubscribe
	}
	return actPageView
}

// channel is the marketing touch an activity counts as for attribution
// ("" when it is not a marketing touch).
func channel(c *contact, a scoring.Activity) string {
	if v, ok := a.Attr("channel"); ok {
		return v
	}
	switch a.Type {
	case actEmailClick:
		return "email"
	case actContentDownload:
		return "content"
	case actWebinar:
		return "webinar"
	}
	return ""
}

func (s *sim) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// apply is the host's one write path: apply the move to the stored state
// and append the event to the contact's log, both or neither (a real host
// does it in one transaction; see examples/crm).
func (s *sim) apply(c *contact, mv funnel.Move) bool {
	if mv.EventID == "" {
		mv.EventID = c.id + "/" + strconv.FormatUint(c.state.Version+1, 10)
	}
	st, ev, err := s.h.funnel.Apply(c.state, mv)
	if err != nil {
		s.fail(fmt.Errorf("contact %s: %w", c.id, err))
		return false
	}
	c.state = st
	if !ev.IsZero() {
		c.events = append(c.events, ev)
		s.log = append(s.log, ev)
	}
	return true
}

func (s *sim) run(j job) {
	c := j.c
	switch j.kind {
	case jobActivity:
		s.activity(c, j.act)
	case jobRescore:
		if c.lastAct.Equal(j.act.At) && c.state.Stage == funnel.MQL {
			s.decide(c, j.at, nil)
		}
	case jobTouch:
		if c.handoff == j.handoff {
			s.touch(c, j.at)
		}
	case jobDecide:
		if c.handoff == j.handoff {
			s.salesDecision(c, j.at)
		}
	case jobOpportunity:
		if c.handoff == j.handoff && c.state.Stage == funnel.SQL {
			s.opportunity(c, j.at)
		}
	case jobClose:
		if c.state.Stage == funnel.Opportunity && c.deal >= 0 {
			s.close(c, j.at)
		}
	case jobRevive:
		if c.state.Stage == funnel.Lost {
			s.apply(c, funnel.Move{To: funnel.Nurture, At: j.at, Actor: "rule:lost_to_nurture", Reason: funnel.ReasonRecycle})
		}
	case jobAdvocate:
		if c.state.Stage == funnel.Customer {
			s.apply(c, funnel.Move{To: funnel.Evangelist, At: j.at, Actor: "cs:" + c.owner, Note: "case study signed"})
		}
	}
}

// activity records what the contact did, moves it into the funnel, scores
// it and lets the handoff policy decide.
func (s *sim) activity(c *contact, a scoring.Activity) {
	s.sum.Activities++
	c.lead.Activities = append(c.lead.Activities, a)
	c.lastAct = a.At
	if ch := channel(c, a); ch != "" && c.source != "outbound" {
		t := report.Touch{Lead: c.id, At: a.At, Channel: ch}
		if c.state.Stage == "" {
			t.Milestone = report.MilestoneLead
		}
		s.touches = append(s.touches, t)
	}
	switch {
	case c.state.Stage == "":
		entry := funnel.Lead
		if c.source == "newsletter" {
			entry = funnel.Subscriber
		}
		if !s.apply(c, funnel.Move{To: entry, At: a.At, Actor: "form:" + a.Type}) {
			return
		}
		// Marketing's spam filter takes obvious junk out at once.
		if c.badData && c.lead.Fields["email_domain"] != "company.example" && s.rng.IntN(2) == 0 {
			s.apply(c, funnel.Move{To: funnel.Disqualified, At: a.At, Actor: "rule:spam_filter", Reason: funnel.ReasonSpam})
			return
		}
	case c.state.Stage == funnel.Subscriber && a.Type != actPageView && a.Type != actEmailClick:
		// A form fill turns a subscriber into a lead.
		s.apply(c, funnel.Move{To: funnel.Lead, At: a.At, Actor: "form:" + a.Type})
	case c.state.Stage == funnel.Disqualified:
		return
	}
	if st, _ := s.h.funnel.Stage(c.state.Stage); a.Type == actUnsubscribe && st.Team == funnel.Marketing {
		// An opt-out from marketing's mail ends marketing's work; a contact
		// sales already works (SQL, an open opportunity) stays with sales.
		if err := s.h.funnel.Can(c.state, funnel.Move{To: funnel.Disqualified, At: a.At, Reason: funnel.ReasonOptOut}); err == nil {
			s.apply(c, funnel.Move{To: funnel.Disqualified, At: a.At, Actor: "rule:opt_out", Reason: funnel.ReasonOptOut})
			c.handoff = -1
			return
		}
	}
	s.decide(c, a.At, &handoff.Activity{Kind: a.Type, At: a.At})
	if c.state.Stage == funnel.MQL {
		// If the contact goes quiet, score it again in three weeks: its
		// interest decays and the policy may send it back to nurture.
		s.schedule(job{at: a.At.Add(21 * 24 * time.Hour), kind: jobRescore, c: c, act: scoring.Activity{At: a.At}})
	}
}

// decide scores the contact and applies the policy until it stops moving
// the contact (Lead → MQL → SQL may happen at once).
func (s *sim) decide(c *contact, now time.Time, act *handoff.Activity) {
	res, err := s.h.scoring.Score(c.lead, now, c.score)
	if err != nil {
		s.fail(fmt.Errorf("score %s: %w", c.id, err))
		return
	}
	c.score = &res
	for range 4 {
		d, err := s.h.policy.Decide(handoff.Input{State: c.state, Score: c.score, Activity: act, Recycle: c.recycle, Now: now})
		if err != nil {
			s.fail(err)
			return
		}
		if d.Verdict == handoff.VerdictHold {
			return
		}
		s.sum.Verdicts[d.Verdict]++
		if d.Verdict == handoff.VerdictOfferGap {
			s.offerGap[c.id] = true
		}
		if d.HasMove && !s.apply(c, d.Move) {
			return
		}
		if d.Verdict.ToSales() && c.state.Stage == funnel.SQL {
			actionAt := now
			if act != nil {
				actionAt = act.At
			}
			s.handOff(c, d.Tier, actionAt, now)
			return
		}
		if !d.HasMove {
			return
		}
	}
}

// handOff routes the contact to a rep, opens its SLA ticket and schedules
// the rep's first touch and decision.
func (s *sim) handOff(c *contact, tier string, actionAt, now time.Time) {
	territory := c.lead.Fields["country"]
	if c.wrongTer {
		territory = "ES" // a typo in the CRM sends it to the wrong queue once
	}
	a, rot, err := s.h.router.Assign(s.h.roster, s.rot, handoff.Request{Lead: c.id, Territory: territory, Exclude: c.recycle.RejectedBy})
	if err != nil {
		// Everyone in the queue already sent it back: try the whole team.
		a, rot, err = s.h.router.Assign(s.h.roster, s.rot, handoff.Request{Lead: c.id})
		if err != nil {
			s.fail(err)
			return
		}
	}
	s.rot = rot
	c.owner = a.Rep
	c.ticket = handoff.Ticket{Tier: tier, ActionAt: actionAt, AssignedAt: now}
	rep, err := s.h.sla.Evaluate(s.h.calendar, c.ticket, now)
	if err != nil {
		s.fail(err)
		return
	}
	c.handoff = len(s.responses)
	s.responses = append(s.responses, report.Response{
		Handoff: "h-" + strconv.Itoa(c.handoff+1), Lead: c.id, Rep: a.Rep,
	}.WithTicket(c.ticket, rep))
	c.criteria = report.CriteriaOf(*c.score)
	s.sum.Handoffs++
	// How fast the rep reacts: most within the working hour, a few days late.
	var touchAt time.Time
	switch x := s.rng.Float64(); {
	case tier == "fast_track" && x < 0.6:
		touchAt = s.h.calendar.Add(now, time.Duration(1+s.rng.IntN(5))*time.Minute)
	case x < 0.75:
		touchAt = s.h.calendar.Add(now, time.Duration(5+s.rng.IntN(60))*time.Minute)
	default:
		touchAt = s.h.calendar.Add(now, time.Duration(2+s.rng.IntN(30))*time.Hour)
	}
	s.schedule(job{at: touchAt, kind: jobTouch, c: c, handoff: c.handoff})
}

func (s *sim) touch(c *contact, at time.Time) {
	c.ticket.FirstTouchAt = at
	c.ticket.Attempts = 1 + s.rng.IntN(7)
	// Escalations that fell due before the touch (a host would have fired
	// them from a timer; here we only count them).
	rep, err := s.h.sla.Evaluate(s.h.calendar, c.ticket, at)
	if err != nil {
		// Not skipped: the response would keep no touch, and the
		// quarter's SLA compliance would count the lead as a breach.
		s.fail(err)
		return
	}
	s.responses[c.handoff] = s.responses[c.handoff].WithTicket(c.ticket, rep)
	s.sum.Escalations += len(rep.Escalations)
	s.schedule(job{at: s.h.calendar.Add(at, time.Duration(10+s.rng.IntN(8*60))*time.Minute), kind: jobDecide, c: c, handoff: c.handoff})
}

// salesDecision is the rep accepting, rejecting (procedural, clerical,
// definitional) or disqualifying after contact.
func (s *sim) salesDecision(c *contact, at time.Time) {
	if c.state.Stage != funnel.SQL {
		return
	}
	c.ticket.DecidedAt = at
	dec := report.Decision{Lead: c.id, At: at, Rep: c.owner, Criteria: c.criteria}
	var code funnel.ReasonCode
	reject := true
	fit := c.score.Fit.InexactFloat64() / 100
	switch x := s.rng.Float64(); {
	case c.wrongTer && c.lead.Fields["country"] != "ES" && c.lead.Fields["country"] != "PT":
		code, c.wrongTer = funnel.ReasonWrongTerritory, false
	case c.badData:
		code = pick(s.rng, funnel.ReasonBadData, funnel.ReasonDuplicate)
	case c.lead.Fields["role"] == "student":
		code, reject = handoff.ReasonStudent, false
	case x < 0.04:
		code = funnel.ReasonBadFit
	case x < 0.10+0.25*(1-c.intent)*(1.2-fit):
		reject = false
		code = pick(s.rng, funnel.ReasonNoBudget, funnel.ReasonBadTiming, funnel.ReasonNoNeed, funnel.ReasonNoAuthority)
		if c.ticket.Attempts >= 6 {
			code = funnel.ReasonUnresponsive
		}
	}
	if code == "" {
		o, err := s.h.acceptance.Accept(c.state, c.recycle, c.owner, at)
		if err != nil {
			s.fail(err)
			return
		}
		// Apply the outcome as for a return: this company's acceptance
		// moves nothing, but one with a SAL stage (AcceptTo) moves the lead.
		if o.HasMove && !s.apply(c, o.Move) {
			return
		}
		c.recycle = o.Recycle
		s.decisions = append(s.decisions, dec.WithOutcome(o))
		s.sum.Accepted++
		if s.rng.Float64() < 0.45+0.5*c.intent {
			s.schedule(job{at: s.h.calendar.Add(at, time.Duration(4+s.rng.IntN(60))*time.Hour), kind: jobOpportunity, c: c, handoff: c.handoff})
		}
		return
	}
	rj := handoff.Rejection{Rep: c.owner, Code: code, At: at, Ticket: &c.ticket}
	var o handoff.Outcome
	var err error
	if reject {
		o, err = s.h.acceptance.Reject(c.state, c.recycle, rj)
	} else {
		o, err = s.h.acceptance.Disqualify(c.state, c.recycle, rj)
	}
	if err != nil {
		s.fail(fmt.Errorf("%s gives back %s (%s): %w", c.owner, c.id, code, err))
		return
	}
	// WithOutcome counts a disqualification after contact as accepted:
	// sales took the lead and worked it (the method's rejections are
	// procedural, clerical or definitional only).
	dec = dec.WithOutcome(o)
	if dec.Accepted {
		s.sum.Accepted++
		s.sum.Disqualified++
	} else {
		s.sum.Rejected++
	}
	s.decisions = append(s.decisions, dec)
	if o.HasMove && !s.apply(c, o.Move) {
		return
	}
	c.recycle = o.Recycle
	if o.Recycled {
		s.sum.Recycled++
	}
	c.handoff, c.owner = -1, ""
	// A lead sent back to MQL (wrong territory) is routed again at once.
	if c.state.Stage == funnel.MQL {
		s.decide(c, at, nil)
	}
}

func (s *sim) opportunity(c *contact, at time.Time) {
	if !s.apply(c, funnel.Move{To: funnel.Opportunity, At: at, Actor: c.owner}) {
		return
	}
	s.sum.Opportunities++
	// Deal size grows with the company: list price per seat band, in euros
	// and cents (exact decimals, never floats).
	base, ok := map[string]int64{"5": 1200, "25": 3600, "80": 9000, "150": 14000, "400": 24000, "900": 38000, "2500": 60000, "12000": 95000}[c.lead.Fields["employees"]]
	if !ok {
		base = 5000
	}
	cents := base*100 + s.rng.Int64N(base*60) // up to +60 %
	origin := report.OriginMarketing
	switch c.source {
	case "outbound":
		origin = report.OriginSales
	case "referral":
		origin = report.OriginOther
	}
	c.deal = len(s.deals)
	s.deals = append(s.deals, report.Deal{
		ID: "d-" + strconv.Itoa(c.deal+1), Lead: c.id, Amount: decimal.New(cents, -2),
		CreatedAt: at, Origin: origin,
	})
	s.schedule(job{at: at.Add(time.Duration(7+s.rng.IntN(45)) * 24 * time.Hour), kind: jobClose, c: c})
}

func (s *sim) close(c *contact, at time.Time) {
	d := &s.deals[c.deal]
	won := s.rng.Float64() < 0.2+0.5*c.intent
	if won {
		if !s.apply(c, funnel.Move{To: funnel.Customer, At: at, Actor: c.owner, Note: "closed won " + d.ID}) {
			return
		}
		d.ClosedAt, d.Won = at, true
		s.sum.Won++
		s.sum.WonAmount = s.sum.WonAmount.Add(d.Amount)
		if s.rng.IntN(4) == 0 {
			s.schedule(job{at: at.Add(time.Duration(10+s.rng.IntN(30)) * 24 * time.Hour), kind: jobAdvocate, c: c})
		}
	} else {
		reason := pick(s.rng, funnel.ReasonLostToCompetitor, funnel.ReasonPrice, funnel.ReasonNoDecision)
		if !s.apply(c, funnel.Move{To: funnel.Lost, At: at, Actor: c.owner, Reason: reason, Note: "closed lost " + d.ID}) {
			return
		}
		d.ClosedAt = at
		s.sum.Lost++
		if s.rng.IntN(2) == 0 {
			s.schedule(job{at: at.Add(14 * 24 * time.Hour), kind: jobRevive, c: c})
		}
	}
	c.handoff = -1
}

// buildReport feeds the whole log (events, deals, touches, handoffs and
// sales decisions) to one accumulator. A host with more data splits the
// log, accumulates the pieces in parallel and merges them.
func (s *sim) buildReport(cfg report.Config) (report.Report, error) {
	acc, err := report.NewAccumulator(cfg)
	if err != nil {
		return report.Report{}, err
	}
	source := make(map[string]string, len(s.contacts))
	for _, c := range s.contacts {
		source[c.id] = c.source
	}
	for _, ev := range s.log {
		if err := acc.AddEvent(ev, source[ev.Lead]); err != nil {
			return report.Report{}, err
		}
	}
	add := func(r report.Record) {
		if err == nil {
			err = acc.Add(r)
		}
	}
	for _, d := range s.deals {
		add(report.DealRecord(d))
	}
	for _, t := range s.touches {
		add(report.TouchRecord(t))
	}
	for _, r := range s.responses {
		add(report.ResponseRecord(r))
	}
	for _, d := range s.decisions {
		add(report.DecisionRecord(d))
	}
	if err != nil {
		return report.Report{}, err
	}
	rep := acc.Report()
	// SLA deadlines of the last handoffs fall after the quarter, and the
	// accumulator opens a period for them; the meeting reviews the quarter,
	// so keep the periods that start before the as-of time and score the
	// goals against the last of those.
	for len(rep.Periods) > 0 && !rep.Periods[len(rep.Periods)-1].Start.Before(cfg.AsOf) {
		rep.Periods = rep.Periods[:len(rep.Periods)-1]
	}
	if len(cfg.Goals) > 0 {
		sc := report.NewScorecard(rep, cfg.Goals)
		rep.Scorecard = &sc
	}
	return rep, nil
}
