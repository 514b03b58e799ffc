package handoff

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/scoring"
)

// Duration is a length of time in a spec, with the text form of
// [scoring.Duration]: "5m", "4h", "1h30m", "3d" (3 × 24 hours). In an SLA
// it is measured on the tier's clock: "24h" of business time on a
// 09:00-17:00 calendar is three working days.
type Duration = scoring.Duration

// Target is one promise of a service level.
type Target string

const (
	// TargetAccept: sales accepts or rejects the handed-off lead.
	TargetAccept Target = "accept"
	// TargetFirstTouch: the first contact attempt (a call, an email).
	TargetFirstTouch Target = "first_touch"
)

func (t Target) valid() bool { return t == TargetAccept || t == TargetFirstTouch }

// Anchor is the instant a target's clock starts from. The brief keeps the
// two apart: speed to lead counts from the lead's own action, response time
// from the assignment to a rep.
type Anchor string

const (
	// FromAction starts the clock at the lead's action ([Ticket.ActionAt]):
	// speed to lead.
	FromAction Anchor = "action"
	// FromAssignment starts the clock at the assignment to a rep
	// ([Ticket.AssignedAt]): response time.
	FromAssignment Anchor = "assignment"
)

// ClockKind says which calendar a tier counts on.
type ClockKind string

const (
	// BusinessClock counts on the [Calendar] given to [SLA.Evaluate]
	// (the default).
	BusinessClock ClockKind = "business"
	// WallClock counts every minute ([Continuous]), whatever calendar is
	// given: for promises kept around the clock.
	WallClock ClockKind = "wall"
)

// EscalationAction is what an escalation asks the host to do.
type EscalationAction string

const (
	// RemindOwner: remind the assigned rep.
	RemindOwner EscalationAction = "remind_owner"
	// AlertManager: tell the rep's manager.
	AlertManager EscalationAction = "alert_manager"
	// Reassign: take the lead from its owner and route it again (see
	// [Request.Escalation]).
	Reassign EscalationAction = "reassign"
)

func (a EscalationAction) valid() bool {
	return a == RemindOwner || a == AlertManager || a == Reassign
}

// SLASpec is the plain description of a service-level agreement between
// marketing and sales, compiled by [NewSLA]. See [DefaultSLASpec] for the
// defaults the brief's evidence supports.
type SLASpec struct {
	// ID names the agreement.
	ID string `json:"id,omitempty"`
	// DueSoon is the share of a target's time after which a pending target
	// is "due soon", between 0 and 1 exclusive. Zero means 0.75.
	DueSoon decimal.Decimal `json:"due_soon"`
	// DefaultTier is used when a [Ticket] names no tier. Empty means the
	// first tier.
	DefaultTier string `json:"default_tier,omitempty"`
	// Tiers are the levels of service, by priority (a demo request, a
	// normal MQL). Names are unique.
	Tiers []TierSpec `json:"tiers"`
}

// TierSpec is one level of service.
type TierSpec struct {
	Name  string `json:"name"`
	Label string `json:"label,omitempty"`
	// Clock is BusinessClock (default when empty) or WallClock.
	Clock ClockKind `json:"clock,omitempty"`
	// Targets are the promises of the tier, at most one per Target.
	Targets []TargetSpec `json:"targets"`
	// MinAttempts is how many contact attempts sales owes before it may
	// call the lead unresponsive. Zero means no minimum.
	MinAttempts int `json:"min_attempts,omitempty"`
	// Escalations fire while a target is not met, in the order listed.
	Escalations []EscalationSpec `json:"escalations,omitempty"`
}

// TargetSpec is one promise: Target within Within of From.
type TargetSpec struct {
	Target Target   `json:"target"`
	Within Duration `json:"within"`
	// From is where the clock starts. Empty means FromAssignment for
	// TargetAccept and FromAction (speed to lead) for TargetFirstTouch.
	From Anchor `json:"from,omitempty"`
}

// EscalationSpec fires Action once the share At of Target's time has
// passed with the target still unmet: At 0.5 is half-way, 1 the deadline,
// 3 three times the allowed time.
type EscalationSpec struct {
	// Name identifies the escalation, so the host fires each one once.
	Name   string           `json:"name"`
	Target Target           `json:"target"`
	At     decimal.Decimal  `json:"at"`
	Action EscalationAction `json:"action"`
}

// SLA is a validated [SLASpec]. It is immutable and safe for concurrent
// use; the zero value is not usable.
type SLA struct {
	spec    SLASpec
	dueSoon decimal.Decimal
	tiers   map[string]int
	def     int
}

var defaultDueSoon = decimal.New(75, -2)

// NewSLA validates spec and compiles it, reporting every problem at once
// (each a [*SpecError] matching [ErrInvalidSpec]).
func NewSLA(spec SLASpec) (*SLA, error) {
	p := problems{spec: "sla"}
	p.text("id", spec.ID)
	s := &SLA{dueSoon: spec.DueSoon, tiers: map[string]int{}}
	if !saneDecimal(s.dueSoon) {
		p.addf("due_soon", "want at most %d digits and exponents within ±%d", maxDigits, maxExp)
		s.dueSoon = defaultDueSoon
	} else if s.dueSoon.IsZero() {
		s.dueSoon = defaultDueSoon
	} else if !s.dueSoon.IsPositive() || s.dueSoon.GreaterThanOrEqual(decimal.NewFromInt(1)) {
		p.addf("due_soon", "must be between 0 and 1 exclusive, got %s", spec.DueSoon)
	}
	if len(spec.Tiers) == 0 {
		p.addf("tiers", "at least one tier is required")
	}
	for i, t := range spec.Tiers {
		path := fmt.Sprintf("tiers[%d]", i)
		if !validName(t.Name) {
			p.addf(path+".name", "want 1-64 lower-case letters, digits or underscores, got %q", clip([]byte(t.Name)))
		} else if _, dup := s.tiers[t.Name]; dup {
			p.addf(path+".name", "duplicate tier %q", t.Name)
		} else {
			s.tiers[t.Name] = i
		}
		p.text(path+".label", t.Label)
		if t.Clock != "" && t.Clock != BusinessClock && t.Clock != WallClock {
			p.addf(path+".clock", "want %q or %q, got %q", BusinessClock, WallClock, clip([]byte(t.Clock)))
		}
		if t.MinAttempts < 0 {
			p.addf(path+".min_attempts", "must not be negative")
		}
		seen := map[Target]bool{}
		for j, g := range t.Targets {
			gp := fmt.Sprintf("%s.targets[%d]", path, j)
			if !g.Target.valid() {
				p.addf(gp+".target", "want %q or %q, got %q", TargetAccept, TargetFirstTouch, clip([]byte(g.Target)))
			} else if seen[g.Target] {
				p.addf(gp+".target", "duplicate target %q", g.Target)
			}
			seen[g.Target] = true
			if g.Within <= 0 {
				p.addf(gp+".within", "must be positive")
			}
			if g.From != "" && g.From != FromAction && g.From != FromAssignment {
				p.addf(gp+".from", "want %q or %q, got %q", FromAction, FromAssignment, clip([]byte(g.From)))
			}
		}
		names := map[string]bool{}
		for j, e := range t.Escalations {
			ep := fmt.Sprintf("%s.escalations[%d]", path, j)
			if !validName(e.Name) {
				p.addf(ep+".name", "want 1-64 lower-case letters, digits or underscores, got %q", clip([]byte(e.Name)))
			} else if names[e.Name] {
				p.addf(ep+".name", "duplicate escalation %q", e.Name)
			}
			names[e.Name] = true
			if !seen[e.Target] {
				p.addf(ep+".target", "the tier has no target %q", clip([]byte(e.Target)))
			}
			if !saneDecimal(e.At) {
				p.addf(ep+".at", "want at most %d digits and exponents within ±%d", maxDigits, maxExp)
			} else if !e.At.IsPositive() || e.At.GreaterThan(decimal.NewFromInt(1000)) {
				p.addf(ep+".at", "must be a share of the target's time above 0 and at most 1000, got %s", e.At)
			}
			if !e.Action.valid() {
				p.addf(ep+".action", "want %q, %q or %q, got %q", RemindOwner, AlertManager, Reassign, clip([]byte(e.Action)))
			}
		}
	}
	if spec.DefaultTier != "" {
		if i, ok := s.tiers[spec.DefaultTier]; ok {
			s.def = i
		} else {
			p.addf("default_tier", "no tier %q", clip([]byte(spec.DefaultTier)))
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	s.spec = cloneSLASpec(spec)
	return s, nil
}

// MustSLA is like [NewSLA] but panics on error, for package-level
// variables.
func MustSLA(spec SLASpec) *SLA {
	s, err := NewSLA(spec)
	if err != nil {
		panic(err)
	}
	return s
}

func cloneSLASpec(s SLASpec) SLASpec {
	tiers := make([]TierSpec, len(s.Tiers))
	for i, t := range s.Tiers {
		t.Targets = append([]TargetSpec(nil), t.Targets...)
		t.Escalations = append([]EscalationSpec(nil), t.Escalations...)
		tiers[i] = t
	}
	s.Tiers = tiers
	return s
}

// Spec returns a copy of the spec s was built from.
func (s *SLA) Spec() SLASpec { return cloneSLASpec(s.spec) }

// Tier returns the spec of the named tier ("" for the default tier), a
// copy.
func (s *SLA) Tier(name string) (TierSpec, bool) {
	i, ok := s.tierIndex(name)
	if !ok {
		return TierSpec{}, false
	}
	t := s.spec.Tiers[i]
	t.Targets = slices.Clone(t.Targets)
	t.Escalations = slices.Clone(t.Escalations)
	return t, true
}

// usable reports a nil or zero *SLA, which has no tiers to read.
func (s *SLA) usable() error {
	if s == nil || len(s.spec.Tiers) == 0 {
		return fmt.Errorf("%w: a nil or zero *SLA (build it with NewSLA)", ErrInvalidInput)
	}
	return nil
}

func (s *SLA) tierIndex(name string) (int, bool) {
	if s == nil || len(s.spec.Tiers) == 0 {
		return 0, false
	}
	if name == "" {
		return s.def, true
	}
	i, ok := s.tiers[name]
	return i, ok
}

// Ticket is the host's record of one handed-off lead's service level: the
// instants the clocks read. The host stores it next to the lead and fills
// in the fields as things happen; zero times mean "not yet".
type Ticket struct {
	// Tier names the level of service ("" for the default tier); the
	// policy's [Decision.Tier] says which.
	Tier string `json:"tier,omitempty"`
	// ActionAt is the lead's own action that started it all (the form, the
	// demo request): speed to lead counts from here.
	ActionAt time.Time `json:"action_at,omitzero"`
	// AssignedAt is when the lead was assigned to its current owner:
	// response time counts from here.
	AssignedAt time.Time `json:"assigned_at,omitzero"`
	// DecidedAt is when sales accepted or rejected the lead.
	DecidedAt time.Time `json:"decided_at,omitzero"`
	// FirstTouchAt is the first contact attempt.
	FirstTouchAt time.Time `json:"first_touch_at,omitzero"`
	// Attempts counts contact attempts so far.
	Attempts int `json:"attempts,omitempty"`
}

// Status is where one target's clock stands at a given now.
type Status string

const (
	// StatusWaiting: the clock has not started (its anchor is not set).
	StatusWaiting Status = "waiting"
	// StatusPending: running, less than the due-soon share used.
	StatusPending Status = "pending"
	// StatusDueSoon: running, at least the due-soon share used.
	StatusDueSoon Status = "due_soon"
	// StatusMet: done at or before the deadline.
	StatusMet Status = "met"
	// StatusBreached: past the deadline and not done in time (done late or
	// not done at all). Final.
	StatusBreached Status = "breached"
)

// Clock is the state of one target at a given now.
type Clock struct {
	Target Target `json:"target"`
	Status Status `json:"status"`
	// Start is the anchor instant; zero while waiting.
	Start time.Time `json:"start,omitzero"`
	// Deadline is the last instant at which the target is met, zero while
	// waiting or when NoDeadline is set.
	Deadline time.Time `json:"deadline,omitzero"`
	// NoDeadline is true when the clock has started but its deadline
	// never comes: the calendar's working time runs out before Within is
	// used (a pause that never ends, see [CalendarSpec.Pauses]) and
	// [Calendar.Add] returned [TimeLineEnd] or later, which RFC 3339 (JSON)
	// cannot write. Deadline is then zero, the target cannot be breached,
	// and its escalations that fall there never come due.
	NoDeadline bool `json:"no_deadline,omitempty"`
	// Within is the allowed time; Used the time counted on the tier's
	// clock from Start to the target's completion or to now, whichever is
	// first.
	Within time.Duration `json:"within_ns"`
	Used   time.Duration `json:"used_ns"`
	// Done is when the target was done (accepted or rejected, first
	// touched), in time (StatusMet) or late (StatusBreached); zero if not
	// yet, or later than now.
	Done time.Time `json:"done,omitzero"`
}

// Escalation is one escalation due at a given now. The host fires each
// (Name) once, so it can call [SLA.Evaluate] as often as it likes.
type Escalation struct {
	Name   string           `json:"name"`
	Target Target           `json:"target"`
	Action EscalationAction `json:"action"`
	// At is when the escalation became due.
	At time.Time `json:"at"`
}

// Report is the service level of one ticket at a given now.
//
// Its instants are in the location they were computed in (the ticket's for
// Start and Done, the calendar's for Deadline and Escalation.At), except
// when RFC 3339 cannot write them exactly there (a few hours before
// [TimeLineEnd] in a zone east of Greenwich is year 10000 on the local wall
// clock; a local mean time has an offset in seconds): they are then given
// in UTC, so every Report marshals to JSON and reads back to the same
// instants.
type Report struct {
	Tier   string  `json:"tier"`
	Clocks []Clock `json:"clocks"`
	// Escalations are the escalations due by now, in the tier's order.
	Escalations []Escalation `json:"escalations,omitempty"`
	// AttemptsLeft is how many more attempts the tier requires before the
	// lead may be called unresponsive.
	AttemptsLeft int `json:"attempts_left"`
}

// Clock returns the clock of target t, and false when the tier has no such
// target.
func (r Report) Clock(t Target) (Clock, bool) {
	for _, c := range r.Clocks {
		if c.Target == t {
			return c, true
		}
	}
	return Clock{}, false
}

// Breached reports whether any target is breached.
func (r Report) Breached() bool {
	for _, c := range r.Clocks {
		if c.Status == StatusBreached {
			return true
		}
	}
	return false
}

// Evaluate returns the report of ticket t at now, counting business time on
// cal (nil means [Continuous]; a WallClock tier always uses Continuous).
// It fails with [ErrUnknownTier], and with [ErrInvalidInput] for a negative
// attempt count, a nil or zero *Weekly, a nil or zero s, or a now or a
// ticket instant outside years 0 to 9999 UTC (before 0000-01-01T00:00:00Z
// or at or after [TimeLineEnd]), which RFC 3339 (JSON) cannot write.
//
// A deadline that never comes, because the calendar has no working time
// left before TimeLineEnd, is reported as [Clock.NoDeadline] with a zero
// Deadline, and the escalations that would fall at or after TimeLineEnd
// are never due; so every Report Evaluate returns marshals to JSON.
//
// Evaluate while the lead is with sales. When it leaves (rejected,
// disqualified, won), the ticket's final state is its report at that
// instant: evaluate it once with now set to when the lead left and store
// that, or the first-touch clock of a lead rejected untouched would go on
// to breach and escalate. Acceptance stops only the accept clock: a lead
// accepted but never touched still breaches its first-touch target, and
// escalations on that target still fall due. Whether an accepted lead may
// be reassigned is the host's call (the examples' CRM escalates only
// leads waiting for sales' decision).
func (s *SLA) Evaluate(cal Calendar, t Ticket, now time.Time) (Report, error) {
	if err := s.usable(); err != nil {
		return Report{}, err
	}
	i, ok := s.tierIndex(t.Tier)
	if !ok {
		return Report{}, fmt.Errorf("%w: %q", ErrUnknownTier, t.Tier)
	}
	if t.Attempts < 0 {
		return Report{}, fmt.Errorf("%w: %d contact attempts", ErrInvalidInput, t.Attempts)
	}
	for _, x := range [...]struct {
		name string
		t    time.Time
	}{{"now", now}, {"action_at", t.ActionAt}, {"assigned_at", t.AssignedAt}, {"decided_at", t.DecidedAt}, {"first_touch_at", t.FirstTouchAt}} {
		if !x.t.IsZero() && !jsonInstant(x.t) {
			return Report{}, fmt.Errorf("%w: %s %s is outside years 0000-9999 (UTC)", ErrInvalidInput, x.name, x.t.UTC().Format(time.RFC3339Nano))
		}
	}
	if w, ok := cal.(*Weekly); ok && (w == nil || w.loc == nil) {
		return Report{}, fmt.Errorf("%w: a nil or zero *Weekly calendar (build it with NewWeekly)", ErrInvalidInput)
	}
	tier := s.spec.Tiers[i]
	if cal == nil || tier.Clock == WallClock {
		cal = Continuous{}
	}
	r := Report{Tier: tier.Name, Clocks: make([]Clock, 0, len(tier.Targets))}
	for _, g := range tier.Targets {
		r.Clocks = append(r.Clocks, s.clock(cal, g, t, now))
	}
	for _, e := range tier.Escalations {
		c, _ := r.Clock(e.Target)
		if c.Start.IsZero() {
			continue
		}
		at := cal.Add(c.Start, share(c.Within, e.At))
		if now.Before(at) { // also when at is TimeLineEnd or later: never
			continue
		}
		if done := doneAt(e.Target, t); !done.IsZero() && !done.After(at) {
			continue
		}
		r.Escalations = append(r.Escalations, Escalation{Name: e.Name, Target: e.Target, Action: e.Action, At: jsonSafe(at)})
	}
	for i := range r.Clocks {
		c := &r.Clocks[i]
		c.Start, c.Done = jsonSafe(c.Start), jsonSafe(c.Done)
		if c.Deadline.IsZero() {
			continue
		}
		if !c.Deadline.Before(lineEnd()) {
			c.Deadline, c.NoDeadline = time.Time{}, true
		} else {
			c.Deadline = jsonSafe(c.Deadline)
		}
	}
	if left := tier.MinAttempts - t.Attempts; left > 0 {
		r.AttemptsLeft = left
	}
	return r, nil
}

// CheckUnresponsive returns nil when sales may call the lead of ticket t
// unresponsive (it made at least the tier's MinAttempts), and an error
// matching [ErrTooFewAttempts] (or [ErrUnknownTier]) otherwise; a negative
// attempt count (or a nil or zero s) is an [ErrInvalidInput], as for
// [SLA.Evaluate].
func (s *SLA) CheckUnresponsive(t Ticket) error {
	if err := s.usable(); err != nil {
		return err
	}
	i, ok := s.tierIndex(t.Tier)
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownTier, t.Tier)
	}
	if t.Attempts < 0 {
		return fmt.Errorf("%w: %d contact attempts", ErrInvalidInput, t.Attempts)
	}
	if min := s.spec.Tiers[i].MinAttempts; t.Attempts < min {
		return fmt.Errorf("%w: %d of %d", ErrTooFewAttempts, t.Attempts, min)
	}
	return nil
}

func anchorOf(g TargetSpec) Anchor {
	if g.From != "" {
		return g.From
	}
	if g.Target == TargetAccept {
		return FromAssignment
	}
	return FromAction
}

func doneAt(tg Target, t Ticket) time.Time {
	if tg == TargetAccept {
		return t.DecidedAt
	}
	return t.FirstTouchAt
}

func (s *SLA) clock(cal Calendar, g TargetSpec, t Ticket, now time.Time) Clock {
	c := Clock{Target: g.Target, Within: time.Duration(g.Within), Status: StatusWaiting}
	c.Start = t.ActionAt
	if anchorOf(g) == FromAssignment {
		c.Start = t.AssignedAt
	}
	if c.Start.IsZero() {
		return c
	}
	c.Deadline = cal.Add(c.Start, c.Within)
	done := doneAt(g.Target, t)
	if !done.IsZero() && !done.After(now) {
		c.Done = done
		c.Used = max(cal.Between(c.Start, done), 0)
		if done.After(c.Deadline) {
			c.Status = StatusBreached
		} else {
			c.Status = StatusMet
		}
		return c
	}
	c.Used = max(cal.Between(c.Start, now), 0)
	switch {
	case now.After(c.Deadline):
		c.Status = StatusBreached
	case !decimal.NewFromInt(int64(c.Used)).LessThan(s.dueSoon.Mul(decimal.NewFromInt(int64(c.Within)))):
		c.Status = StatusDueSoon
	default:
		c.Status = StatusPending
	}
	return c
}

// share returns d × f, truncated to the nanosecond and saturated.
func share(d time.Duration, f decimal.Decimal) time.Duration {
	v := decimal.NewFromInt(int64(d)).Mul(f).Truncate(0)
	if v.GreaterThan(decimal.NewFromInt(int64(maxDuration))) {
		return maxDuration
	}
	return time.Duration(v.IntPart())
}

const maxDuration = time.Duration(1<<63 - 1)

// Decimals in specs are bounded so that no comparison or product has to
// build huge powers of ten (a spec with "1e-1000000" would otherwise cost
// seconds per evaluation).
const (
	maxDigits = 40
	maxExp    = 30
)

func saneDecimal(d decimal.Decimal) bool {
	e := d.Exponent()
	return e >= -maxExp && e <= maxExp && d.NumDigits() <= maxDigits
}

// validName reports whether s is 1-64 lower-case ASCII letters, digits and
// underscores starting with a letter (the identifier rule of package
// funnel).
func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// DefaultSLASpec returns the agreement the brief's evidence supports, a
// fresh copy to customise:
//
//   - tier "fast_track" (a demo request, a hot lead): first touch within 5
//     minutes of the lead's action (contacting within 5 rather than 30
//     minutes gives about 100 times the odds of contact, MIT/InsideSales
//     2007), accept within 30 minutes of assignment; remind the owner at
//     half the first-touch time, alert the manager at the deadline,
//     reassign at six times it (30 minutes);
//   - tier "standard" (a normal MQL): accept within 4 business hours of
//     assignment, first touch within 24 business hours of the action
//     (SiriusDecisions' practice); remind at 75 %, alert the manager at the
//     deadline, reassign at 72 business hours (three times: the
//     SiriusDecisions maximum).
//
// Both tiers ask for 6 contact attempts before "unresponsive" (a common
// sales-development cadence; the brief gives no figure, so adjust it) and
// count business time; "standard" is the default tier.
func DefaultSLASpec() SLASpec {
	return SLASpec{
		ID:          "smarketing_default",
		DueSoon:     defaultDueSoon,
		DefaultTier: "standard",
		Tiers: []TierSpec{
			{
				Name: "fast_track", Label: "Demo request or hot lead",
				Targets: []TargetSpec{
					{Target: TargetFirstTouch, Within: Duration(5 * time.Minute), From: FromAction},
					{Target: TargetAccept, Within: Duration(30 * time.Minute), From: FromAssignment},
				},
				MinAttempts: 6,
				Escalations: []EscalationSpec{
					{Name: "remind_owner", Target: TargetFirstTouch, At: decimal.New(5, -1), Action: RemindOwner},
					{Name: "alert_manager", Target: TargetFirstTouch, At: decimal.NewFromInt(1), Action: AlertManager},
					{Name: "reassign", Target: TargetFirstTouch, At: decimal.NewFromInt(6), Action: Reassign},
				},
			},
			{
				Name: "standard", Label: "Marketing qualified lead",
				Targets: []TargetSpec{
					{Target: TargetAccept, Within: Duration(4 * time.Hour), From: FromAssignment},
					{Target: TargetFirstTouch, Within: Duration(24 * time.Hour), From: FromAction},
				},
				MinAttempts: 6,
				Escalations: []EscalationSpec{
					{Name: "remind_owner", Target: TargetFirstTouch, At: decimal.New(75, -2), Action: RemindOwner},
					{Name: "alert_manager", Target: TargetFirstTouch, At: decimal.NewFromInt(1), Action: AlertManager},
					{Name: "reassign", Target: TargetFirstTouch, At: decimal.NewFromInt(3), Action: Reassign},
				},
			},
		},
	}
}
