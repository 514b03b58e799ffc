package handoff

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/smarketing/smarketing/funnel"
)

// RecycleSpec says how leads sent back to marketing are recycled. The zero
// value is the default: a 30-day cooldown, three recycles, then the next
// return disqualifies the lead.
type RecycleSpec struct {
	// Cooldown is how long a recycled lead waits, in wall time, before a
	// policy may qualify it again. Zero means 30 days; use a negative value
	// for none. A cooldown that would end past year 9999 ends at
	// 9999-12-31T23:59:59.999999999Z (see [RecycleState.Until]).
	Cooldown Duration `json:"cooldown,omitempty"`
	// MaxRecycles is how many times a lead may be recycled; the return
	// after that disqualifies it. Zero means 3 (unless NoRecycling is
	// set); negative means no limit.
	MaxRecycles int `json:"max_recycles,omitempty"`
	// NoRecycling turns recycling off: a return that would recycle the
	// lead (whose reason goes to Stage) disqualifies it at once, as if
	// MaxRecycles could say 0. MaxRecycles and Cooldown must then be left
	// zero: [NewAcceptance] refuses them, as they would be ignored.
	NoRecycling bool `json:"no_recycling,omitempty"`
	// Stage is the recycling stage; empty means [funnel.Nurture].
	Stage funnel.Stage `json:"stage,omitempty"`
	// Disqualified is the stage of a lead past its recycles; empty means
	// [funnel.Disqualified]. A rejection reason that recycles (lists Stage)
	// may end there, so then it must be owned by [funnel.Marketing].
	Disqualified funnel.Stage `json:"disqualified,omitempty"`
	// LimitReason is put on the disqualifying move when the return's own
	// code is not accepted on that edge; empty means
	// [funnel.ReasonRecycleLimit]. When set, the model must declare it.
	LimitReason funnel.ReasonCode `json:"limit_reason,omitempty"`
}

func (r RecycleSpec) withDefaults() RecycleSpec {
	if r.Cooldown == 0 {
		r.Cooldown = Duration(30 * 24 * time.Hour)
	}
	if r.MaxRecycles == 0 && !r.NoRecycling {
		r.MaxRecycles = 3
	}
	if r.Stage == "" {
		r.Stage = funnel.Nurture
	}
	if r.Disqualified == "" {
		r.Disqualified = funnel.Disqualified
	}
	if r.LimitReason == "" {
		r.LimitReason = funnel.ReasonRecycleLimit
	}
	return r
}

// RecycleState is what the host stores per lead about its returns from
// sales, next to its [funnel.State]. The zero value is a lead never sent
// back.
type RecycleState struct {
	// Count is how many times the lead was recycled.
	Count int `json:"count"`
	// Until is the end of the current cooldown (zero: none), in the
	// location of the return's time; one that would fall past year 9999
	// is 9999-12-31T23:59:59.999999999Z (UTC), so the state always
	// marshals to JSON.
	Until time.Time `json:"until,omitzero"`
	// RejectedBy lists the reps who sent the lead back, in order, without
	// repeats: routing excludes them ([Request.Exclude]).
	RejectedBy []string `json:"rejected_by,omitempty"`
	// History records every return, oldest first, for rejection analytics.
	History []Return `json:"history,omitempty"`
}

// Return is one time sales sent the lead back.
type Return struct {
	At    time.Time         `json:"at"`
	Rep   string            `json:"rep"`
	Code  funnel.ReasonCode `json:"code"`
	Class Class             `json:"class"`
	From  funnel.Stage      `json:"from"`
	To    funnel.Stage      `json:"to"`
}

// Clone returns a deep copy of r.
func (r RecycleState) Clone() RecycleState {
	r.RejectedBy = slices.Clone(r.RejectedBy)
	r.History = slices.Clone(r.History)
	return r
}

// Equal reports whether r and o hold the same state, comparing times with
// [time.Time.Equal] and treating nil and empty slices alike.
func (r RecycleState) Equal(o RecycleState) bool {
	return r.Count == o.Count && r.Until.Equal(o.Until) && slices.Equal(r.RejectedBy, o.RejectedBy) &&
		slices.EqualFunc(r.History, o.History, func(a, b Return) bool {
			return a.At.Equal(b.At) && a.Rep == b.Rep && a.Code == b.Code && a.Class == b.Class && a.From == b.From && a.To == b.To
		})
}

// CoolingDown reports whether the lead is still in its cooldown at now.
func (r RecycleState) CoolingDown(now time.Time) bool { return now.Before(r.Until) }

// AcceptanceConfig configures an [Acceptance]. Model is required; every
// other field has a documented zero-value default. Build it in Go, or load
// the data fields from JSON with [ParseAcceptanceConfig] and set Model (and
// SLA) in code:
//
//	{"reasons": [{"code": "wrong_product", "class": "procedural", "to": ["mql"]}, ...],
//	 "recycle": {"cooldown": "21d", "max_recycles": 2},
//	 "accept_to": "sql"}
type AcceptanceConfig struct {
	// Model is the funnel lifecycle the moves are checked against. Not
	// part of JSON.
	Model *funnel.Model `json:"-"`
	// Reasons is the catalog; nil means [DefaultReasons]. A host extends
	// the documented set by passing DefaultReasons() with its own codes
	// appended. The stages of a rejection (procedural, clerical or
	// definitional) reason must be owned by [funnel.Marketing]: a rejection
	// returns the lead to marketing. An empty, non-nil list is refused.
	Reasons []Reason `json:"reasons,omitempty"`
	// Recycle configures recycling.
	Recycle RecycleSpec `json:"recycle,omitzero"`
	// Stages are the stages in which sales may accept, reject or
	// disqualify a lead; nil means every forward stage owned by
	// [funnel.Sales]. An empty, non-nil list is refused.
	Stages []funnel.Stage `json:"stages,omitempty"`
	// AcceptTo is the stage an accepted lead moves to (such as
	// [funnel.SQL] when the handoff stops at [funnel.SAL]); empty means
	// acceptance moves nothing and is recorded only on the SLA ticket.
	AcceptTo funnel.Stage `json:"accept_to,omitempty"`
	// SLA, when set, checks [Reason.NeedsAttempts] reasons against the
	// ticket given with the rejection. Not part of JSON.
	SLA *SLA `json:"-"`
}

// Acceptance is sales' side of the handoff: accept, reject with a
// procedural, clerical or definitional reason, or disqualify after contact.
// Every call returns the funnel move for the host to apply and the new
// [RecycleState]; nothing is applied or stored. An Acceptance is immutable
// and safe for concurrent use.
type Acceptance struct {
	model    *funnel.Model
	reasons  catalog
	recycle  RecycleSpec
	stages   []funnel.Stage
	acceptTo funnel.Stage
	sla      *SLA
}

// NewAcceptance validates cfg, reporting every problem at once.
func NewAcceptance(cfg AcceptanceConfig) (*Acceptance, error) {
	p := problems{spec: "acceptance"}
	rs := cfg.Reasons
	if rs == nil {
		rs = DefaultReasons()
	}
	a := &Acceptance{reasons: newCatalog(rs, &p), recycle: cfg.Recycle.withDefaults(), acceptTo: cfg.AcceptTo, sla: cfg.SLA, model: cfg.Model}
	if cfg.Model == nil {
		p.addf("model", "a funnel model is required")
		return nil, p.err()
	}
	known := func(path string, s funnel.Stage) {
		if _, ok := cfg.Model.Stage(s); !ok {
			p.addf(path, "%w: %q", funnel.ErrUnknownStage, clip([]byte(s)))
		}
	}
	for i, r := range a.reasons.list {
		ok := false
		for j, s := range r.To {
			st, in := cfg.Model.Stage(s)
			ok = ok || in
			if in && r.Class.Rejection() && st.Team != funnel.Marketing {
				p.addf(fmt.Sprintf("reasons[%d].to[%d]", i, j), "a %s rejection returns the lead to marketing, but stage %q is owned by %s", r.Class, s, st.Team)
			}
		}
		if !ok && len(r.To) > 0 {
			p.addf(fmt.Sprintf("reasons[%d].to", i), "none of the stages is in model %q", cfg.Model.ID())
		}
	}
	if cfg.Reasons != nil && len(cfg.Reasons) == 0 {
		// An empty list is not nil (the default catalog): with no reason,
		// sales could never send a lead back, and JSON, which leaves an
		// empty list out, would bring the default catalog back.
		p.addf("reasons", "at least one reason is required (nil means the default catalog)")
	}
	if cfg.SLA != nil && cfg.SLA.usable() != nil {
		p.addf("sla", "a zero *SLA (build it with NewSLA)")
	}
	if cfg.Recycle.NoRecycling {
		if cfg.Recycle.MaxRecycles != 0 {
			p.addf("recycle.max_recycles", "must be left zero when no_recycling is set, got %d", cfg.Recycle.MaxRecycles)
		}
		if cfg.Recycle.Cooldown != 0 {
			p.addf("recycle.cooldown", "must be left zero when no_recycling is set: no lead cools down")
		}
	}
	known("recycle.stage", a.recycle.Stage)
	known("recycle.disqualified", a.recycle.Disqualified)
	if st, ok := cfg.Model.Stage(a.recycle.Disqualified); ok && st.Team != funnel.Marketing {
		// A rejection recycled too often goes to Disqualified, and a
		// rejection always returns the lead to marketing.
		for i, r := range a.reasons.list {
			if r.Class.Rejection() && slices.Contains(r.To, a.recycle.Stage) {
				p.addf("recycle.disqualified", "reasons[%d] (%s rejection %s) recycles to %q, and past the recycle limit a rejection would go to stage %q, owned by %s, not marketing",
					i, r.Class, r.Code, a.recycle.Stage, st.ID, st.Team)
				break
			}
		}
	}
	if lr := cfg.Recycle.LimitReason; lr != "" {
		if !lr.Valid() {
			p.addf("recycle.limit_reason", "invalid reason code %q", clip([]byte(lr)))
		} else if !slices.ContainsFunc(cfg.Model.Reasons(), func(r funnel.ReasonSpec) bool { return r.Code == lr }) {
			p.addf("recycle.limit_reason", "%w: %q is not declared by model %q", funnel.ErrUnknownReason, lr, cfg.Model.ID())
		}
	}
	if cfg.AcceptTo != "" {
		known("accept_to", cfg.AcceptTo)
	}
	if cfg.Stages == nil {
		for _, st := range cfg.Model.Stages() {
			if st.Team == funnel.Sales && st.Kind == funnel.Forward {
				a.stages = append(a.stages, st.ID)
			}
		}
	} else {
		if len(cfg.Stages) == 0 {
			// Not nil (every forward sales stage): sales could act nowhere,
			// and JSON, which leaves an empty list out, would bring the
			// default back.
			p.addf("stages", "at least one stage is required (nil means every forward stage owned by sales)")
		}
		for i, s := range cfg.Stages {
			known(fmt.Sprintf("stages[%d]", i), s)
		}
		a.stages = slices.Clone(cfg.Stages)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return a, nil
}

// Reasons returns the catalog, a copy.
func (a *Acceptance) Reasons() []Reason {
	out := slices.Clone(a.reasons.list)
	for i := range out {
		out[i].To = slices.Clone(out[i].To)
	}
	return out
}

// Reason returns the catalog entry of code, a copy.
func (a *Acceptance) Reason(code funnel.ReasonCode) (Reason, bool) { return a.reasons.find(code) }

// Rejection is sales sending a lead back: who, why, when.
type Rejection struct {
	// Rep is the rep who decides; required.
	Rep string
	// Code is a catalog reason: a rejection class for [Acceptance.Reject],
	// AfterContact for [Acceptance.Disqualify].
	Code funnel.ReasonCode
	// At is when; required.
	At time.Time
	// Note is the rep's comment, copied to the funnel event.
	Note string
	// EventID is the host's ID for the resulting funnel event.
	EventID string
	// Ticket is the lead's SLA ticket, needed for reasons with
	// NeedsAttempts when the Acceptance has an SLA.
	Ticket *Ticket
}

// Outcome is the result of a sales action: the move for the host to apply
// with [funnel.Model.Apply] (in the same transaction as storing Recycle)
// and the lead's new recycling state.
type Outcome struct {
	// Move is the funnel move; HasMove is false when there is none (an
	// acceptance that moves nothing).
	Move    funnel.Move
	HasMove bool
	// Reason is the catalog entry used (zero for an acceptance).
	Reason Reason
	// Recycle is the new recycling state to store.
	Recycle RecycleState
	// Recycled is true when the lead goes to the recycling stage (and its
	// cooldown starts); Disqualified when it is disqualified, LimitReached
	// when because it was recycled too often.
	Recycled, Disqualified, LimitReached bool
	// Why explains the outcome in words.
	Why string
}

func (a *Acceptance) handedOff(s funnel.State) error {
	if !slices.Contains(a.stages, s.Stage) {
		return fmt.Errorf("%w: lead %q is in stage %q, sales acts in %v", ErrNotHandedOff, s.Lead, s.Stage, a.stages)
	}
	return nil
}

// Accept records that rep accepts the lead at at. The outcome moves the
// lead to AcceptTo when configured and not already there, and carries rs
// forward unchanged. Errors: [ErrInvalidInput] (no rep or time, a time
// outside years 0 to 9999 UTC, a negative recycle count, as for
// [Acceptance.Reject]), [ErrNotHandedOff],
// and the funnel's error when the move to AcceptTo is not allowed.
func (a *Acceptance) Accept(s funnel.State, rs RecycleState, rep string, at time.Time) (Outcome, error) {
	if rep == "" || at.IsZero() {
		return Outcome{}, fmt.Errorf("%w: rep and time are required", ErrInvalidInput)
	}
	if !jsonInstant(at) {
		return Outcome{}, fmt.Errorf("%w: time %s is outside years 0000-9999 (UTC)", ErrInvalidInput, at.UTC().Format(time.RFC3339Nano))
	}
	if rs.Count < 0 {
		return Outcome{}, fmt.Errorf("%w: recycle count %d is negative", ErrInvalidInput, rs.Count)
	}
	if err := a.handedOff(s); err != nil {
		return Outcome{}, err
	}
	o := Outcome{Recycle: rs.Clone(), Why: rep + " accepted the lead"}
	if a.acceptTo != "" && s.Stage != a.acceptTo {
		o.Move = funnel.Move{To: a.acceptTo, At: at, Actor: rep, CheckVersion: true, ExpectedVersion: s.Version}
		if err := a.model.Can(s, o.Move); err != nil {
			return Outcome{}, err
		}
		o.HasMove = true
		o.Why += "; it moves to " + string(a.acceptTo)
	}
	return o, nil
}

// Reject sends a handed-off lead back to marketing with a procedural,
// clerical or definitional reason. The lead goes to the first of the
// reason's stages the funnel allows; when that is the recycling stage it
// is recycled (cooldown, count), and past MaxRecycles (or at once, with
// [RecycleSpec.NoRecycling]) it is disqualified. The rep is added to RejectedBy so routing never sends the lead back to
// them. Errors: [ErrInvalidInput], [ErrNotHandedOff], [ErrUnknownReason]
// (also for an after-contact code: use Disqualify), and the funnel's
// [*funnel.MoveError] when no target stage is allowed.
func (a *Acceptance) Reject(s funnel.State, rs RecycleState, r Rejection) (Outcome, error) {
	return a.giveBack(s, rs, r, true)
}

// Disqualify sends a lead back after sales worked it, with an
// [AfterContact] reason (no budget, bad timing, ...). It follows the same
// rules as [Acceptance.Reject]; when the Acceptance has an SLA, a reason
// with NeedsAttempts also needs the SLA's minimum attempts on r.Ticket
// ([ErrTooFewAttempts]).
func (a *Acceptance) Disqualify(s funnel.State, rs RecycleState, r Rejection) (Outcome, error) {
	return a.giveBack(s, rs, r, false)
}

func (a *Acceptance) giveBack(s funnel.State, rs RecycleState, r Rejection, rejection bool) (Outcome, error) {
	if r.Rep == "" || r.At.IsZero() {
		return Outcome{}, fmt.Errorf("%w: rep and time are required", ErrInvalidInput)
	}
	if !jsonInstant(r.At) {
		// The return is recorded in History, which must marshal.
		return Outcome{}, fmt.Errorf("%w: time %s is outside years 0000-9999 (UTC)", ErrInvalidInput, r.At.UTC().Format(time.RFC3339Nano))
	}
	if rs.Count < 0 {
		return Outcome{}, fmt.Errorf("%w: recycle count %d is negative", ErrInvalidInput, rs.Count)
	}
	if err := a.handedOff(s); err != nil {
		return Outcome{}, err
	}
	reason, ok := a.reasons.find(r.Code)
	switch {
	case !ok:
		return Outcome{}, fmt.Errorf("%w: %q is not in the catalog", ErrUnknownReason, r.Code)
	case rejection && !reason.Class.Rejection():
		return Outcome{}, fmt.Errorf("%w: %q is a disqualification after contact, not a rejection (use Disqualify)", ErrUnknownReason, r.Code)
	case !rejection && reason.Class.Rejection():
		return Outcome{}, fmt.Errorf("%w: %q is a %s rejection, not a disqualification after contact (use Reject)", ErrUnknownReason, r.Code, reason.Class)
	}
	if reason.NeedsAttempts && a.sla != nil {
		if r.Ticket == nil {
			return Outcome{}, fmt.Errorf("%w: %q needs the lead's SLA ticket", ErrTooFewAttempts, r.Code)
		}
		if err := a.sla.CheckUnresponsive(*r.Ticket); err != nil {
			return Outcome{}, err
		}
	}
	mv := funnel.Move{At: r.At, Actor: r.Rep, Reason: r.Code, Note: r.Note, EventID: r.EventID, CheckVersion: true, ExpectedVersion: s.Version}
	var errs []error
	found := false
	for _, to := range reason.To {
		mv.To = to
		err := a.model.Can(s, mv)
		if err == nil {
			found = true
			break
		}
		errs = append(errs, err)
	}
	if !found {
		return Outcome{}, errors.Join(errs...)
	}
	o := Outcome{Reason: reason, Recycle: rs.Clone(), HasMove: true}
	verb := "disqualified after contact"
	if rejection {
		verb = "rejected (" + string(reason.Class) + ")"
	}
	o.Why = fmt.Sprintf("%s %s the lead: %s", r.Rep, verb, r.Code)
	if mv.To == a.recycle.Stage {
		if a.recycle.MaxRecycles >= 0 && rs.Count >= a.recycle.MaxRecycles {
			dq := mv
			dq.To = a.recycle.Disqualified
			if a.model.Can(s, dq) != nil {
				dq.Reason = a.recycle.LimitReason
				dq.Note = joinNote(r.Note, fmt.Sprintf("recycle limit reached (%d) on %s", a.recycle.MaxRecycles, r.Code))
			}
			if err := a.model.Can(s, dq); err != nil {
				return Outcome{}, err
			}
			mv = dq
			o.LimitReached = true
			if a.recycle.NoRecycling {
				o.Why += "; recycling is off, so it is disqualified"
			} else {
				o.Why += fmt.Sprintf("; recycled %d times already, so it is disqualified", rs.Count)
			}
		} else {
			o.Recycled = true
			o.Recycle.Count++
			o.Recycle.Until = time.Time{}
			if cd := time.Duration(a.recycle.Cooldown); cd > 0 {
				o.Recycle.Until = jsonSafe(r.At.Add(cd))
			}
			o.Why += fmt.Sprintf("; recycled to %s (recycle %d)", mv.To, o.Recycle.Count)
			if !o.Recycle.Until.IsZero() {
				o.Why += ", cooling down until " + o.Recycle.Until.Format(time.RFC3339)
			}
		}
	} else {
		o.Why += "; it goes to " + string(mv.To)
	}
	if st, ok := a.model.Stage(mv.To); ok && st.Kind == funnel.Terminal {
		o.Disqualified = true
	}
	if !slices.Contains(o.Recycle.RejectedBy, r.Rep) {
		o.Recycle.RejectedBy = append(o.Recycle.RejectedBy, r.Rep)
	}
	o.Recycle.History = append(o.Recycle.History, Return{At: r.At, Rep: r.Rep, Code: r.Code, Class: reason.Class, From: s.Stage, To: mv.To})
	o.Move = mv
	return o, nil
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
