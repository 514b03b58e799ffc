package handoff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/scoring"
)

// Verdict is what a policy decides should happen to a lead.
type Verdict string

const (
	// VerdictPromote: marketing qualifies the lead (Lead → MQL).
	VerdictPromote Verdict = "promote"
	// VerdictHandOff: the lead goes to sales (MQL → SQL or SAL): route it, start
	// its SLA clock.
	VerdictHandOff Verdict = "hand_off"
	// VerdictFastTrack: an explicit buying signal (a demo request) sends the lead
	// straight to sales on the fast SLA tier.
	VerdictFastTrack Verdict = "fast_track"
	// VerdictNurture: high fit, low interest: marketing keeps nurturing.
	VerdictNurture Verdict = "nurture"
	// VerdictOfferGap: low fit, high interest: flag it for product; do not
	// contact.
	VerdictOfferGap Verdict = "offer_gap"
	// VerdictDoNotContact: low fit, low interest.
	VerdictDoNotContact Verdict = "do_not_contact"
	// VerdictDisqualify: take the lead out of the funnel.
	VerdictDisqualify Verdict = "disqualify"
	// VerdictHold: nothing to do now (no rule fired). Only [Policy.Decide]
	// returns it; rules cannot.
	VerdictHold Verdict = "hold"
)

func (v Verdict) valid() bool {
	switch v {
	case VerdictPromote, VerdictHandOff, VerdictFastTrack, VerdictNurture, VerdictOfferGap, VerdictDoNotContact, VerdictDisqualify:
		return true
	}
	return false
}

// ToSales reports whether v hands the lead to sales (route it, start its
// SLA clock).
func (v Verdict) ToSales() bool { return v == VerdictHandOff || v == VerdictFastTrack }

// PolicySpec is the plain description of a handoff policy: ordered, named
// rules, the first that applies decides. Build it in Go or JSON
// ([ParsePolicySpec]); [DefaultPolicySpec] implements the method.
type PolicySpec struct {
	ID    string `json:"id,omitempty"`
	Rules []Rule `json:"rules"`
}

// Rule is one named rule: when its conditions hold, it decides Then.
type Rule struct {
	// Name identifies the rule in decisions and reports.
	Name string `json:"name"`
	// Because says why, in words sales and marketing agreed on; it is
	// copied to the decision.
	Because string    `json:"because,omitempty"`
	When    Condition `json:"when"`
	Then    Action    `json:"then"`
}

// Condition is what a rule asks of a lead; every non-empty field must hold.
// Score conditions (quadrants, grades, thresholds) never hold for a lead
// without a score.
type Condition struct {
	// Stages: the lead's current stage is one of these.
	Stages []funnel.Stage `json:"stages,omitempty"`
	// Activities: the triggering activity's kind is one of these (such as
	// "demo_request"); never holds without an activity.
	Activities []string `json:"activities,omitempty"`
	// Quadrants: the score's quadrant is one of these.
	Quadrants []scoring.Quadrant `json:"quadrants,omitempty"`
	// FitGrades, InterestGrades: the score's grade is one of these (such
	// as "A", "B" for "fit B or better"); an empty grade is refused.
	FitGrades      []string `json:"fit_grades,omitempty"`
	InterestGrades []string `json:"interest_grades,omitempty"`
	// MinFit, MaxFit, MinInterest, MaxInterest bound the score totals,
	// inclusive.
	MinFit      decimal.NullDecimal `json:"min_fit,omitzero"`
	MaxFit      decimal.NullDecimal `json:"max_fit,omitzero"`
	MinInterest decimal.NullDecimal `json:"min_interest,omitzero"`
	MaxInterest decimal.NullDecimal `json:"max_interest,omitzero"`
}

func (c Condition) needsScore() bool {
	return len(c.Quadrants)+len(c.FitGrades)+len(c.InterestGrades) > 0 ||
		c.MinFit.Valid || c.MaxFit.Valid || c.MinInterest.Valid || c.MaxInterest.Valid
}

// Action is what a rule decides.
type Action struct {
	Verdict Verdict `json:"verdict"`
	// To is the stage to move the lead to; empty means no move. A rule
	// whose move the funnel forbids from the lead's stage does not fire.
	To funnel.Stage `json:"to,omitempty"`
	// Reason is put on the move (required by the funnel for backward
	// moves, detours and returns); a Reason without To is refused.
	Reason funnel.ReasonCode `json:"reason,omitempty"`
	// Tier is the SLA tier for a lead handed to sales.
	Tier string `json:"tier,omitempty"`
	// OverrideCooldown lets the rule qualify a recycled lead during its
	// cooldown (an explicit demo request should); otherwise a rule that
	// would qualify it does not fire.
	OverrideCooldown bool `json:"override_cooldown,omitempty"`
}

// Activity is what just happened to the lead, when a decision is taken
// because of it.
type Activity struct {
	// Kind is the host's activity type, such as "demo_request".
	Kind string    `json:"kind"`
	At   time.Time `json:"at,omitzero"`
}

// Input is everything a decision reads. Score and Activity are optional.
type Input struct {
	State    funnel.State
	Score    *scoring.Result
	Activity *Activity
	Recycle  RecycleState
	// Now is when the decision is taken; the move is dated Now. Required.
	Now time.Time
}

// Decision is the outcome of [Policy.Decide]: which rule fired, why, and
// the move for the host to apply. Nothing has been applied.
type Decision struct {
	// Rule is the rule that fired; empty for Hold.
	Rule    string  `json:"rule,omitempty"`
	Verdict Verdict `json:"verdict"`
	// Move is the funnel move; HasMove is false when the rule moves
	// nothing (or the lead is already in the target stage).
	Move    funnel.Move `json:"move"`
	HasMove bool        `json:"has_move"`
	// Tier is the SLA tier when the verdict hands the lead to sales.
	Tier string `json:"tier,omitempty"`
	// Because is the rule's own explanation; Explanation is the full text
	// a sales rep reads: the rule, what matched, and the score's
	// explanation ([scoring.Result.Explain]).
	Because     string `json:"because,omitempty"`
	Explanation string `json:"explanation"`
	// Trace lists the rules tried before, with why each did not fire.
	Trace []Step `json:"trace,omitempty"`
}

// Step is one rule tried by [Policy.Decide].
type Step struct {
	Rule string `json:"rule"`
	// Why says why the rule did not fire.
	Why string `json:"why"`
}

// PolicyConfig configures a [Policy]. Model and Spec are required.
type PolicyConfig struct {
	Model *funnel.Model
	Spec  PolicySpec
	// SLA, when set, checks that every tier a rule names exists.
	SLA *SLA
	// QualifyStage is the stage from which a move counts as qualifying
	// the lead (blocked during a recycling cooldown): moves to it or to a
	// later forward stage. Empty means [funnel.MQL], or the first forward
	// stage when the model has no MQL.
	QualifyStage funnel.Stage
}

// Policy is a validated handoff policy bound to a funnel model. It is
// immutable and safe for concurrent use; Decide is pure.
type Policy struct {
	id          string
	model       *funnel.Model
	rules       []Rule
	qualifyRank int
}

// NewPolicy validates cfg and compiles the policy, reporting every problem
// at once with field paths (such as "rules[2].then.to").
func NewPolicy(cfg PolicyConfig) (*Policy, error) {
	p := problems{spec: "policy"}
	if cfg.Model == nil {
		p.addf("model", "a funnel model is required")
		return nil, p.err()
	}
	m := cfg.Model
	p.text("id", cfg.Spec.ID)
	pol := &Policy{id: cfg.Spec.ID, model: m}
	qs := cfg.QualifyStage
	if qs == "" {
		qs = funnel.MQL
		if _, ok := m.Rank(qs); !ok {
			qs = m.Path()[0]
		}
	}
	if r, ok := m.Rank(qs); ok {
		pol.qualifyRank = r
	} else {
		p.addf("qualify_stage", "%q is not a forward stage of model %q", clip([]byte(qs)), m.ID())
	}
	if len(cfg.Spec.Rules) == 0 {
		p.addf("rules", "at least one rule is required")
	}
	stage := func(path string, s funnel.Stage) {
		if _, ok := m.Stage(s); !ok {
			p.addf(path, "%w: %q in model %q", funnel.ErrUnknownStage, clip([]byte(s)), m.ID())
		}
	}
	seen := map[string]bool{}
	var bad []string
	for i, r := range cfg.Spec.Rules {
		path := fmt.Sprintf("rules[%d]", i)
		if !validName(r.Name) {
			p.addf(path+".name", "want 1-64 lower-case letters, digits or underscores, got %q", clip([]byte(r.Name)))
		} else if seen[r.Name] {
			p.addf(path+".name", "duplicate rule %q", r.Name)
		}
		seen[r.Name] = true
		p.text(path+".because", r.Because)
		w := r.When
		for j, s := range w.Stages {
			stage(fmt.Sprintf("%s.when.stages[%d]", path, j), s)
		}
		for j, a := range w.Activities {
			if strings.TrimSpace(a) == "" {
				p.addf(fmt.Sprintf("%s.when.activities[%d]", path, j), "empty activity kind")
			}
			p.text(fmt.Sprintf("%s.when.activities[%d]", path, j), a)
		}
		for k, gs := range [2][]string{w.FitGrades, w.InterestGrades} {
			for j, g := range gs {
				if strings.TrimSpace(g) == "" {
					// No band has an empty grade: the condition would
					// never hold through this entry.
					p.addf(fmt.Sprintf("%s.when.%s[%d]", path, [2]string{"fit_grades", "interest_grades"}[k], j), "empty grade")
				}
				p.text(fmt.Sprintf("%s.when.%s[%d]", path, [2]string{"fit_grades", "interest_grades"}[k], j), g)
			}
		}
		for j, q := range w.Quadrants {
			if q.Action() == "" {
				p.addf(fmt.Sprintf("%s.when.quadrants[%d]", path, j), "unknown quadrant %q", clip([]byte(q)))
			}
		}
		for name, v := range map[string]decimal.NullDecimal{"min_fit": w.MinFit, "max_fit": w.MaxFit, "min_interest": w.MinInterest, "max_interest": w.MaxInterest} {
			if v.Valid && !saneDecimal(v.Decimal) {
				bad = append(bad, name)
			}
		}
		slices.Sort(bad)
		for _, name := range bad {
			p.addf(path+".when."+name, "want at most %d digits and exponents within ±%d", maxDigits, maxExp)
		}
		bad = bad[:0]
		if w.MinFit.Valid && w.MaxFit.Valid && saneDecimal(w.MinFit.Decimal) && saneDecimal(w.MaxFit.Decimal) && w.MinFit.Decimal.GreaterThan(w.MaxFit.Decimal) {
			p.addf(path+".when.min_fit", "min_fit %s is above max_fit %s", w.MinFit.Decimal, w.MaxFit.Decimal)
		}
		if w.MinInterest.Valid && w.MaxInterest.Valid && saneDecimal(w.MinInterest.Decimal) && saneDecimal(w.MaxInterest.Decimal) && w.MinInterest.Decimal.GreaterThan(w.MaxInterest.Decimal) {
			p.addf(path+".when.min_interest", "min_interest %s is above max_interest %s", w.MinInterest.Decimal, w.MaxInterest.Decimal)
		}
		t := r.Then
		if !t.Verdict.valid() {
			p.addf(path+".then.verdict", "unknown verdict %q", clip([]byte(t.Verdict)))
		}
		if t.To != "" {
			stage(path+".then.to", t.To)
		}
		if t.Reason != "" && t.To == "" {
			p.addf(path+".then.reason", "a reason goes on a move: set then.to, or drop the reason")
		} else if t.Reason != "" && !t.Reason.Valid() {
			p.addf(path+".then.reason", "invalid reason code %q", clip([]byte(t.Reason)))
		} else if t.Reason != "" && !slices.ContainsFunc(m.Reasons(), func(r funnel.ReasonSpec) bool { return r.Code == t.Reason }) {
			p.addf(path+".then.reason", "%w: %q is not declared by model %q", funnel.ErrUnknownReason, t.Reason, m.ID())
		}
		if t.Tier != "" && cfg.SLA != nil {
			if _, ok := cfg.SLA.Tier(t.Tier); !ok {
				p.addf(path+".then.tier", "%w: %q", ErrUnknownTier, clip([]byte(t.Tier)))
			}
		}
		if t.Tier != "" && !t.Verdict.ToSales() {
			p.addf(path+".then.tier", "only hand_off and fast_track rules take an SLA tier")
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	pol.rules = cloneRules(cfg.Spec.Rules)
	return pol, nil
}

// MustPolicy is like [NewPolicy] but panics on error.
func MustPolicy(cfg PolicyConfig) *Policy {
	p, err := NewPolicy(cfg)
	if err != nil {
		panic(err)
	}
	return p
}

func cloneRules(rs []Rule) []Rule {
	out := slices.Clone(rs)
	for i := range out {
		w := &out[i].When
		w.Stages = slices.Clone(w.Stages)
		w.Activities = slices.Clone(w.Activities)
		w.Quadrants = slices.Clone(w.Quadrants)
		w.FitGrades = slices.Clone(w.FitGrades)
		w.InterestGrades = slices.Clone(w.InterestGrades)
	}
	return out
}

// Spec returns a copy of the policy's spec.
func (p *Policy) Spec() PolicySpec { return PolicySpec{ID: p.id, Rules: cloneRules(p.rules)} }

// Model returns the funnel model the policy is bound to.
func (p *Policy) Model() *funnel.Model { return p.model }

// Decide tries the rules in order and returns the decision of the first
// that fires: its conditions hold, its move (if any) is one the funnel
// allows from the lead's stage (checked with [funnel.Model.Can]), and it
// does not qualify a lead in its recycling cooldown unless it overrides
// the cooldown. When no rule fires the verdict is [VerdictHold].
//
// Decide applies nothing: the host applies Decision.Move with
// [funnel.Model.Apply] in its own transaction, then routes the lead and
// opens its SLA ticket when the verdict is for sales. A decision that moved
// the lead may make another rule apply (Lead → MQL, then MQL → SQL): decide
// again with the new state. The only error is [ErrInvalidInput] for a zero
// Now.
func (p *Policy) Decide(in Input) (Decision, error) {
	if in.Now.IsZero() {
		return Decision{}, fmt.Errorf("%w: Now is required", ErrInvalidInput)
	}
	var d Decision
	for i := range p.rules {
		r := &p.rules[i]
		why, ok := p.matches(r, in)
		if !ok {
			d.Trace = append(d.Trace, Step{Rule: r.Name, Why: why})
			continue
		}
		d.Rule, d.Verdict, d.Because = r.Name, r.Then.Verdict, r.Because
		if r.Then.Verdict.ToSales() {
			d.Tier = r.Then.Tier
		}
		if r.Then.To != "" && r.Then.To != in.State.Stage {
			d.Move = funnel.Move{To: r.Then.To, At: in.Now, Actor: "policy:" + r.Name, Reason: r.Then.Reason,
				CheckVersion: true, ExpectedVersion: in.State.Version}
			d.HasMove = true
		}
		d.Explanation = p.explain(r, in, d)
		return d, nil
	}
	d.Verdict = VerdictHold
	var b strings.Builder
	b.WriteString("no rule fired; the lead stays as it is")
	for _, st := range d.Trace {
		b.WriteString("\n  " + st.Rule + ": " + st.Why)
	}
	if in.Score != nil {
		b.WriteString("\n" + strings.TrimRight(in.Score.Explain(), "\n"))
	}
	d.Explanation = b.String()
	return d, nil
}

// matches reports whether rule r fires for in, or why not.
func (p *Policy) matches(r *Rule, in Input) (string, bool) {
	w := r.When
	if len(w.Stages) > 0 && !slices.Contains(w.Stages, in.State.Stage) {
		return "stage " + strconv.Quote(string(in.State.Stage)) + " is not one of " + list(w.Stages), false
	}
	if len(w.Activities) > 0 {
		if in.Activity == nil {
			return "no triggering activity", false
		}
		if !slices.Contains(w.Activities, in.Activity.Kind) {
			return "activity " + strconv.Quote(in.Activity.Kind) + " is not one of " + list(w.Activities), false
		}
	}
	if w.needsScore() {
		s := in.Score
		if s == nil {
			return "the lead has no score", false
		}
		if len(w.Quadrants) > 0 && !slices.Contains(w.Quadrants, s.Quadrant) {
			return "quadrant " + string(s.Quadrant) + " is not one of " + list(w.Quadrants), false
		}
		if len(w.FitGrades) > 0 && !slices.Contains(w.FitGrades, s.FitGrade) {
			return "fit grade " + strconv.Quote(s.FitGrade) + " is not one of " + list(w.FitGrades), false
		}
		if len(w.InterestGrades) > 0 && !slices.Contains(w.InterestGrades, s.InterestGrade) {
			return "interest grade " + strconv.Quote(s.InterestGrade) + " is not one of " + list(w.InterestGrades), false
		}
		if w.MinFit.Valid && s.Fit.LessThan(w.MinFit.Decimal) {
			return fmt.Sprintf("fit %s is below %s", s.Fit, w.MinFit.Decimal), false
		}
		if w.MaxFit.Valid && s.Fit.GreaterThan(w.MaxFit.Decimal) {
			return fmt.Sprintf("fit %s is above %s", s.Fit, w.MaxFit.Decimal), false
		}
		if w.MinInterest.Valid && s.Interest.LessThan(w.MinInterest.Decimal) {
			return fmt.Sprintf("interest %s is below %s", s.Interest, w.MinInterest.Decimal), false
		}
		if w.MaxInterest.Valid && s.Interest.GreaterThan(w.MaxInterest.Decimal) {
			return fmt.Sprintf("interest %s is above %s", s.Interest, w.MaxInterest.Decimal), false
		}
	}
	t := r.Then
	if t.To == "" || t.To == in.State.Stage {
		return "", true
	}
	if !t.OverrideCooldown && in.Recycle.CoolingDown(in.Now) && p.qualifies(in.State.Stage, t.To) {
		return fmt.Sprintf("recycled lead cooling down until %s", in.Recycle.Until.Format(time.RFC3339)), false
	}
	mv := funnel.Move{To: t.To, At: in.Now, Reason: t.Reason}
	if err := p.model.Can(in.State, mv); err != nil {
		return err.Error(), false
	}
	return "", true
}

// list formats xs as "[a b c]" (what %v prints, without reflection).
func list[T ~string](xs []T) string {
	n := 2
	for _, x := range xs {
		n += len(x) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, x...)
	}
	return string(append(b, ']'))
}

// Qualifies reports whether a move from → to qualifies the lead: to is a
// forward stage at or after the policy's qualify stage
// ([PolicyConfig.QualifyStage]) and from is not. A recycling cooldown
// keeps a rule with such a move from firing unless the rule overrides it
// ([Action.OverrideCooldown]); package handofftest uses this to tell
// whether a rule can be held by a cooldown while a later one fires.
func (p *Policy) Qualifies(from, to funnel.Stage) bool { return p.qualifies(from, to) }

// qualifies reports whether a move from → to qualifies the lead: to is a
// forward stage at or after the qualify stage, and from is not.
func (p *Policy) qualifies(from, to funnel.Stage) bool {
	rt, ok := p.model.Rank(to)
	if !ok || rt < p.qualifyRank {
		return false
	}
	rf, ok := p.model.Rank(from)
	return !ok || rf < p.qualifyRank
}

func (p *Policy) explain(r *Rule, in Input, d Decision) string {
	var b strings.Builder
	var score string
	if in.Score != nil {
		score = strings.TrimRight(in.Score.Explain(), "\n")
	}
	b.Grow(256 + len(r.Because) + len(score))
	fmt.Fprintf(&b, "rule %q fired: %s", r.Name, d.Verdict)
	if d.HasMove {
		fmt.Fprintf(&b, ", move %s → %s", in.State.Stage, d.Move.To)
	}
	if d.Tier != "" {
		fmt.Fprintf(&b, " (SLA tier %s)", d.Tier)
	}
	if r.Because != "" {
		b.WriteString(": " + r.Because)
	}
	var why []string
	w := r.When
	if len(w.Stages) > 0 {
		why = append(why, "stage "+string(in.State.Stage))
	}
	if len(w.Activities) > 0 {
		why = append(why, "activity "+in.Activity.Kind)
	}
	if w.needsScore() {
		s := in.Score
		why = append(why, fmt.Sprintf("fit %s (%s), interest %s (%s), %s", s.Fit, s.FitGrade, s.Interest, s.InterestGrade, s.Quadrant))
	}
	if len(why) > 0 {
		b.WriteString("\nmatched: " + strings.Join(why, "; "))
	}
	if score != "" {
		b.WriteString("\n")
		b.WriteString(score)
	}
	return b.String()
}
