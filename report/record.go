package report

import (
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
)

// RecordKind says which field of a [Record] is set.
type RecordKind uint8

// The kinds of record.
const (
	// KindEvent: a lifecycle event of the funnel ([Record.Event]).
	KindEvent RecordKind = iota + 1
	// KindDeal: a deal (opportunity) and its outcome ([Record.Deal]).
	KindDeal
	// KindTouch: a marketing touch, for attribution ([Record.Touch]).
	KindTouch
	// KindResponse: a handoff's service-level facts ([Record.Response]).
	KindResponse
	// KindDecision: sales accepted or rejected a handoff ([Record.Decision]).
	KindDecision
)

// Record is one entry of the host's log, as the [Accumulator] reads it:
// exactly one of its payloads, named by Kind, is used. It is a plain value
// passed by value so that adding a record allocates nothing.
type Record struct {
	Kind     RecordKind
	Event    funnel.Event
	Deal     Deal
	Touch    Touch
	Response Response
	Decision Decision
	// Dims are the values of [Config.Dimensions] for this record, in the
	// same order (missing values count as ""). They matter for events;
	// they should be attributes of the lead that do not change over its
	// life (source, region), or populations by dimension lose meaning.
	Dims []string
}

// EventRecord wraps a funnel event as a Record.
func EventRecord(e funnel.Event, dims ...string) Record {
	return Record{Kind: KindEvent, Event: e, Dims: dims}
}

// DealRecord wraps a deal as a Record.
func DealRecord(d Deal) Record { return Record{Kind: KindDeal, Deal: d} }

// TouchRecord wraps a marketing touch as a Record.
func TouchRecord(t Touch) Record { return Record{Kind: KindTouch, Touch: t} }

// ResponseRecord wraps a handoff response as a Record.
func ResponseRecord(r Response) Record { return Record{Kind: KindResponse, Response: r} }

// DecisionRecord wraps an accept/reject decision as a Record.
func DecisionRecord(d Decision) Record { return Record{Kind: KindDecision, Decision: d} }

// Origin says which team sourced a deal.
type Origin string

// The origins of a deal.
const (
	OriginMarketing Origin = "marketing"
	OriginSales     Origin = "sales"
	// OriginOther (or "") is any other or unknown origin (partner, ...).
	OriginOther Origin = "other"
)

// Deal is an opportunity and its outcome. Feed each deal once, in its
// latest state. A deal is closed when ClosedAt is set; Won says how.
type Deal struct {
	ID   string `json:"id"`
	Lead string `json:"lead"`
	// Amount is the deal's value (closed-won revenue when Won).
	Amount decimal.Decimal `json:"amount"`
	// CreatedAt is when the opportunity was created (sales cycle start).
	CreatedAt time.Time `json:"created_at"`
	// ClosedAt is when it closed; zero while open.
	ClosedAt time.Time `json:"closed_at,omitzero"`
	Won      bool      `json:"won"`
	// Origin is who sourced it (first touch or origin is marketing).
	Origin Origin `json:"origin,omitempty"`
}

// Touch is a marketing touch on a lead (an email click, a webinar, an ad).
// Touches at or before a won deal's ClosedAt earn attribution credit.
type Touch struct {
	Lead    string    `json:"lead"`
	At      time.Time `json:"at"`
	Channel string    `json:"channel"`
	// Milestone marks the touch that created the lead or the opportunity,
	// for the U-shaped and W-shaped models (see [UShaped] and [WShaped]).
	Milestone Milestone `json:"milestone,omitempty"`
}

// Milestone marks a touch as a position-based attribution anchor.
type Milestone string

// The milestones of position-based attribution.
const (
	// MilestoneLead: the touch that converted the contact into a lead.
	MilestoneLead Milestone = "lead"
	// MilestoneOpportunity: the touch that created the opportunity.
	MilestoneOpportunity Milestone = "opportunity"
)

// Response holds the service-level facts of one handoff to sales. Records
// with the same key (Handoff, or Lead when Handoff is empty) are combined,
// keeping the earliest non-zero time of each field, so a host may send the
// assignment and the first touch as two records; a reassignment that
// keeps the key is judged on the first assignment's clocks. Rep is kept
// for the host's reading only (no figure uses it): when the records of one
// key name different reps, the combined response keeps the smallest
// non-empty name, whatever the order of the records, not the rep of any
// particular assignment. A response with neither Handoff nor Lead is an
// [ErrRecord].
type Response struct {
	Handoff string `json:"handoff,omitempty"`
	Lead    string `json:"lead"`
	Rep     string `json:"rep,omitempty"`
	// ActionAt is the lead's action that started the clock (form fill,
	// demo request): speed to lead is measured from it.
	ActionAt time.Time `json:"action_at,omitzero"`
	// AssignedAt is when the lead was assigned: response time is measured
	// from it.
	AssignedAt time.Time `json:"assigned_at,omitzero"`
	// Deadline is the service-level deadline for the first touch.
	Deadline time.Time `json:"deadline,omitzero"`
	// TouchedAt is the rep's first touch; zero while untouched.
	TouchedAt time.Time `json:"touched_at,omitzero"`
}

// Decision is sales accepting or rejecting a handed-off lead. Only a
// procedural, clerical or definitional return is a rejection (see
// handoff's reason classes): a lead sales took, worked and then
// disqualified after contact (no budget, bad timing, ...) was accepted,
// and its record says Accepted.
type Decision struct {
	Lead     string    `json:"lead"`
	At       time.Time `json:"at"`
	Rep      string    `json:"rep,omitempty"`
	Accepted bool      `json:"accepted"`
	// Reason is the rejection's reason code ("" for acceptances).
	Reason string `json:"reason,omitempty"`
	// Criteria are the scoring criteria present on the lead when it was
	// handed off, so rejections can be analysed per criterion.
	Criteria []string `json:"criteria,omitempty"`
}
