package main

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/scoring"
)

// TestAcceptAppliesTheOutcome checks that the host applies what
// Acceptance.Accept returns, as it does for Reject and Disqualify: a host
// whose acceptance moves the lead (AcceptTo, such as SAL → SQL) gets the
// move in the contact's state and log. The quarter's own acceptance moves
// nothing, so this host is configured with AcceptTo.
func TestAcceptAppliesTheOutcome(t *testing.T) {
	h := testHosts(t)
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: h.funnel, SLA: h.sla, AcceptTo: funnel.Opportunity})
	if err != nil {
		t.Fatal(err)
	}
	h.acceptance = acc
	loc := h.calendar.Location()
	start := time.Date(2026, time.March, 2, 10, 0, 0, 0, loc) // a Monday morning
	accepted := 0
	for seed := range uint64(20) {
		s := &sim{cfg: simConfig{Seed: seed, Contacts: 1, Start: start, End: start.Add(30 * 24 * time.Hour)},
			h: h, rng: rand.New(rand.NewPCG(seed, 1)), loc: loc, offerGap: map[string]bool{}}
		s.sum.Verdicts = map[handoff.Verdict]int{}
		c := &contact{id: "c-1", handoff: -1, deal: -1, intent: 1, lead: scoring.Lead{Fields: map[string]string{
			"employees": "150", "industry": "software", "country": "ES", "seniority": "director", "email_domain": "company.example"}}}
		c.state.Lead = c.id
		s.contacts = append(s.contacts, c)
		s.activity(c, scoring.Activity{Type: actDemoRequest, At: start})
		if c.state.Stage != funnel.SQL || c.handoff < 0 {
			t.Fatalf("a demo request from a good fit: stage %s, handoff %d", c.state.Stage, c.handoff)
		}
		s.touch(c, start.Add(3*time.Minute))
		s.salesDecision(c, start.Add(time.Hour))
		if s.err != nil {
			t.Fatal(s.err)
		}
		if len(s.decisions) != 1 || !s.decisions[0].Accepted || s.decisions[0].Reason != "" || s.sum.Disqualified != 0 {
			continue // rejected or disqualified after contact: not what this test is about
		}
		accepted++
		if c.state.Stage != funnel.Opportunity {
			t.Errorf("seed %d: accepted with AcceptTo %s, the contact is in %s", seed, funnel.Opportunity, c.state.Stage)
		}
		got, err := h.funnel.Replay(c.id, c.events)
		if err != nil || !got.Equal(c.state) {
			t.Errorf("seed %d: the log replays to %s v%d (%v), the state is %s v%d", seed, got.Stage, got.Version, err, c.state.Stage, c.state.Version)
		}
		if len(s.log) != len(c.events) {
			t.Errorf("seed %d: %d events in the quarter's log, %d in the contact's", seed, len(s.log), len(c.events))
		}
	}
	if accepted == 0 {
		t.Fatal("no seed gave an acceptance: the test shows nothing")
	}
}

// TestTouchFailsOnSLAError: a first touch whose ticket the SLA cannot
// evaluate (a tier it does not know) fails the simulation instead of
// being dropped, which would leave the handoff untouched in the report
// and count it as an SLA breach.
func TestTouchFailsOnSLAError(t *testing.T) {
	h := testHosts(t)
	loc := h.calendar.Location()
	start := time.Date(2026, time.March, 2, 10, 0, 0, 0, loc) // a Monday morning
	s := &sim{cfg: simConfig{Seed: 1, Contacts: 1, Start: start, End: start.Add(30 * 24 * time.Hour)},
		h: h, rng: rand.New(rand.NewPCG(1, 1)), loc: loc, offerGap: map[string]bool{}}
	s.sum.Verdicts = map[handoff.Verdict]int{}
	c := &contact{id: "c-1", handoff: -1, deal: -1, intent: 1, lead: scoring.Lead{Fields: map[string]string{
		"employees": "150", "industry": "software", "country": "ES", "seniority": "director", "email_domain": "company.example"}}}
	c.state.Lead = c.id
	s.contacts = append(s.contacts, c)
	s.activity(c, scoring.Activity{Type: actDemoRequest, At: start})
	if s.err != nil || c.handoff < 0 {
		t.Fatalf("a demo request from a good fit: handoff %d, %v", c.handoff, s.err)
	}
	c.ticket.Tier = "platinum"
	s.touch(c, start.Add(3*time.Minute))
	if !errors.Is(s.err, handoff.ErrUnknownTier) {
		t.Errorf("touch of a ticket on an unknown tier: %v, want ErrUnknownTier", s.err)
	}
}
