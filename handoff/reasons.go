package handoff

import (
	"fmt"
	"slices"

	"github.com/smarketing/smarketing/funnel"
)

// Class sorts the reasons a lead comes back from sales.
//
// Rejections (sales sends a handed-off lead back without working it) are a
// closed set of three classes, after SiriusDecisions: a lead may be
// rejected only because it was routed wrongly, its data is bad, or it does
// not meet the agreed definition. Everything sales learns by talking to the
// lead (no budget, no need, bad timing, ...) is a disqualification after
// contact, [AfterContact], and is kept apart so rejection analytics stay
// about marketing's qualification.
type Class string

const (
	// Procedural: the lead reached the wrong rep or team (territory,
	// segment, ownership).
	Procedural Class = "procedural"
	// Clerical: the data is wrong, incomplete or duplicated.
	Clerical Class = "clerical"
	// Definitional: the lead does not meet the agreed MQL definition.
	Definitional Class = "definitional"
	// AfterContact: sales worked the lead and found it not ready or not a
	// prospect. Not a rejection.
	AfterContact Class = "after_contact"
)

// Valid reports whether c is one of the four classes.
func (c Class) Valid() bool {
	switch c {
	case Procedural, Clerical, Definitional, AfterContact:
		return true
	}
	return false
}

// Rejection reports whether c is one of the three rejection classes.
func (c Class) Rejection() bool { return c == Procedural || c == Clerical || c == Definitional }

// Reason is one documented code a lead comes back from sales with.
type Reason struct {
	// Code is put on the funnel move, so it must be a code the funnel
	// model accepts on the edge (see [funnel.Spec.Reasons]).
	Code  funnel.ReasonCode `json:"code"`
	Class Class             `json:"class"`
	Label string            `json:"label,omitempty"`
	// To lists the stages the lead may go to, in order of preference: the
	// first that the funnel model allows from the lead's stage with Code is
	// taken. So one catalog serves several lifecycles (a bad fit goes to
	// nurture in the waterfall, to disqualified in the default lifecycle).
	To []funnel.Stage `json:"to"`
	// NeedsAttempts asks for the SLA's minimum contact attempts first
	// ("unresponsive").
	NeedsAttempts bool `json:"needs_attempts,omitempty"`
}

// ReasonStudent: the contact is a student or researcher, not a buyer. It is
// [funnel.ReasonStudent], kept here so existing callers compile; the funnel
// presets declare it on every move into disqualified.
const ReasonStudent = funnel.ReasonStudent

// DefaultReasons returns the documented catalog, a fresh copy that hosts
// may extend (append their own) and pass to [NewAcceptance]:
//
// Rejections:
//   - procedural: wrong_territory (back to mql to be routed again);
//   - clerical: bad_data, duplicate, insufficient_data;
//   - definitional: bad_fit.
//
// Disqualifications after contact: no_budget, no_need, no_authority,
// bad_timing, unresponsive (all back to nurture: the lead fits but is not
// ready), is_competitor and student (disqualified).
//
// The codes are those of the funnel presets ([funnel.ReasonBadFit], ...).
func DefaultReasons() []Reason {
	n, d, m, l := funnel.Nurture, funnel.Disqualified, funnel.MQL, funnel.Lost
	return []Reason{
		{Code: funnel.ReasonWrongTerritory, Class: Procedural, Label: "Routed to the wrong territory, segment or owner", To: []funnel.Stage{m, n}},
		{Code: funnel.ReasonBadData, Class: Clerical, Label: "Wrong or unusable contact data", To: []funnel.Stage{n, d}},
		{Code: funnel.ReasonDuplicate, Class: Clerical, Label: "Duplicate of another contact", To: []funnel.Stage{d}},
		{Code: funnel.ReasonInsufficientData, Class: Clerical, Label: "Not enough information to qualify", To: []funnel.Stage{m, n}},
		{Code: funnel.ReasonBadFit, Class: Definitional, Label: "Below the agreed fit or interest thresholds", To: []funnel.Stage{n, d}},
		{Code: funnel.ReasonNoBudget, Class: AfterContact, Label: "No budget", To: []funnel.Stage{n, l}},
		{Code: funnel.ReasonNoNeed, Class: AfterContact, Label: "No current need", To: []funnel.Stage{n}},
		{Code: funnel.ReasonNoAuthority, Class: AfterContact, Label: "Cannot decide or influence the purchase", To: []funnel.Stage{n}},
		{Code: funnel.ReasonBadTiming, Class: AfterContact, Label: "Not ready now: nurture", To: []funnel.Stage{n}},
		{Code: funnel.ReasonUnresponsive, Class: AfterContact, Label: "No answer after the agreed attempts", To: []funnel.Stage{n}, NeedsAttempts: true},
		{Code: funnel.ReasonIsCompetitor, Class: AfterContact, Label: "Works for a competitor", To: []funnel.Stage{d}},
		{Code: ReasonStudent, Class: AfterContact, Label: "Student or researcher, not a buyer", To: []funnel.Stage{d}},
	}
}

// catalog is a validated list of reasons.
type catalog struct {
	list  []Reason
	index map[funnel.ReasonCode]int
}

func newCatalog(rs []Reason, p *problems) catalog {
	c := catalog{index: map[funnel.ReasonCode]int{}}
	for i, r := range rs {
		path := fmt.Sprintf("reasons[%d]", i)
		if !r.Code.Valid() {
			p.addf(path+".code", "want 1-64 lower-case letters, digits or underscores, got %q", clip([]byte(r.Code)))
		} else if _, dup := c.index[r.Code]; dup {
			p.addf(path+".code", "duplicate reason %q", r.Code)
		}
		p.text(path+".label", r.Label)
		if !r.Class.Valid() {
			p.addf(path+".class", "want procedural, clerical, definitional or after_contact, got %q", clip([]byte(r.Class)))
		}
		if len(r.To) == 0 {
			p.addf(path+".to", "at least one target stage is required")
		}
		for j, s := range r.To {
			if !s.Valid() {
				p.addf(fmt.Sprintf("%s.to[%d]", path, j), "invalid stage %q", clip([]byte(s)))
			}
		}
		c.index[r.Code] = i
		r.To = slices.Clone(r.To)
		c.list = append(c.list, r)
	}
	return c
}

// find returns the entry of code, with its own copy of To: the catalog of
// an immutable [Acceptance] must not change through what it hands out
// ([Acceptance.Reason], [Outcome.Reason]).
func (c catalog) find(code funnel.ReasonCode) (Reason, bool) {
	i, ok := c.index[code]
	if !ok {
		return Reason{}, false
	}
	r := c.list[i]
	r.To = slices.Clone(r.To)
	return r, true
}

// FunnelReasons returns spec with what the catalog reasons need from a
// funnel lifecycle: every code declared in spec.Reasons, and each reason's
// first target stage reachable with its code from every stage in from
// (adding the code to an existing edge, or declaring the edge). Use it to
// prepare a custom lifecycle, or a preset for codes it lacks (such as
// [ReasonStudent]); spec itself is not modified.
func FunnelReasons(spec funnel.Spec, reasons []Reason, from ...funnel.Stage) funnel.Spec {
	out := spec
	out.Reasons = slices.Clone(spec.Reasons)
	out.Moves = slices.Clone(spec.Moves)
	for i := range out.Moves {
		out.Moves[i].Reasons = slices.Clone(out.Moves[i].Reasons)
	}
	has := func(code funnel.ReasonCode) bool {
		return slices.ContainsFunc(out.Reasons, func(r funnel.ReasonSpec) bool { return r.Code == code })
	}
	declared := func(s funnel.Stage) bool {
		return slices.ContainsFunc(out.Stages, func(st funnel.StageSpec) bool { return st.ID == s })
	}
	for _, r := range reasons {
		if !has(r.Code) {
			out.Reasons = append(out.Reasons, funnel.ReasonSpec{Code: r.Code, Label: r.Label})
		}
		for _, f := range from {
			// Already reachable through one of the targets?
			ok := false
			for _, to := range r.To {
				for _, m := range out.Moves {
					if m.From == f && m.To == to && (len(m.Reasons) == 0 || slices.Contains(m.Reasons, r.Code)) {
						ok = true
					}
				}
			}
			if ok || len(r.To) == 0 {
				continue
			}
			to := r.To[0]
			for _, t := range r.To {
				if declared(t) {
					to = t
					break
				}
			}
			if i := slices.IndexFunc(out.Moves, func(m funnel.MoveSpec) bool { return m.From == f && m.To == to }); i >= 0 {
				out.Moves[i].Reasons = append(out.Moves[i].Reasons, r.Code)
			} else {
				out.Moves = append(out.Moves, funnel.MoveSpec{From: f, To: to, Reasons: []funnel.ReasonCode{r.Code}})
			}
		}
	}
	return out
}
