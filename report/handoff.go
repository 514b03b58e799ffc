package report

import (
	"time"

	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/scoring"
)

// This file reads the values of package handoff (and the criteria of a
// scoring result) into report's records, so that a host that runs its
// handoff with that package does not restate its rules: which deadline
// the service level is judged on, and which of sales' decisions are
// rejections.

// WithTicket returns r with the times of the lead's SLA ticket t and the
// first-touch deadline of sla, the ticket's report from
// [handoff.SLA.Evaluate]: ActionAt and AssignedAt from t, TouchedAt from
// t.FirstTouchAt, Deadline from the [handoff.TargetFirstTouch] clock (zero
// when the tier has no such target, or while the clock waits for its
// anchor: such a response counts in speed to lead but not in SLA
// compliance). r keeps its Handoff, Lead and Rep.
//
// The deadline does not depend on when sla was evaluated once the clock
// has started, so the report of the assignment serves, and so does the
// final one the host stores when the lead leaves sales. Record the
// response when the lead is assigned and again when it is first touched
// (records with the same key are combined), or once at the end.
func (r Response) WithTicket(t handoff.Ticket, sla handoff.Report) Response {
	r.ActionAt, r.AssignedAt, r.TouchedAt = t.ActionAt, t.AssignedAt, t.FirstTouchAt
	r.Deadline = time.Time{}
	if c, ok := sla.Clock(handoff.TargetFirstTouch); ok {
		r.Deadline = c.Deadline
	}
	return r
}

// WithOutcome returns d with Accepted and Reason set from o, the outcome
// of [handoff.Acceptance]'s Accept, Reject or Disqualify, as the method
// counts them: only a procedural, clerical or definitional return
// ([handoff.Class.Rejection]) is a rejection, with its code as Reason; an
// acceptance, and a disqualification after contact (no budget, bad
// timing, unresponsive: sales took the lead and worked it), are accepted
// with no Reason. When d has no At or Rep, they are taken from o's move
// (there is none for an acceptance that moves nothing). d keeps its Lead
// and Criteria.
func (d Decision) WithOutcome(o handoff.Outcome) Decision {
	d.Accepted, d.Reason = true, ""
	if o.Reason.Code != "" && o.Reason.Class.Rejection() {
		d.Accepted, d.Reason = false, string(o.Reason.Code)
	}
	if o.HasMove {
		if d.At.IsZero() {
			d.At = o.Move.At
		}
		if d.Rep == "" {
			d.Rep = o.Move.Actor
		}
	}
	return d
}

// CriteriaOf returns the scoring criteria present in res, for
// [Decision.Criteria]: the names of the rules and host criteria in its
// ledger, in ledger order, which are those that counted for the lead
// (as [scoring.Model.Calibrate] counts them, so that rejections per
// criterion and calibration speak of the same leads). Cap adjustments are
// not criteria. The result is a new slice; nil when none is present.
func CriteriaOf(res scoring.Result) []string {
	var out []string
	for _, e := range res.Ledger {
		if e.Kind == scoring.EntryRule || e.Kind == scoring.EntryCriterion {
			out = append(out, e.Name)
		}
	}
	return out
}
