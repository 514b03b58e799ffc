package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
)

// Goal is a target that sales and marketing agreed on (step 1 of the
// method), as data. Metric names the figure of a [Period] it is compared
// with:
//
//	first_entries:<stage>     first-time entries (MQLs a month: first_entries:mql)
//	entries:<stage>           all entries (re-entries included)
//	flow:<from>:<to>          flow conversion rate (0.25 = 25 %)
//	cohort:<from>:<to>        cohort conversion rate
//	acceptance_rate           sales acceptance rate
//	sla_compliance            touched within deadline ÷ deadlines due
//	response_minutes_median   follow-up time (assignment → first touch), minutes
//	response_minutes_p90      its 90th percentile, minutes
//	win_rate                  won ÷ (won + lost)
//	won_revenue               closed-won revenue
//	average_deal              average won deal size
//	marketing_sourced_share   marketing-sourced share of won revenue
//	marketing_influenced_share
//	lead_velocity_rate        growth of qualified leads over the previous period
//
// Rates are ratios (0.9, not 90). For a metric where lower is better
// (follow-up time) set AtMost. [NewAccumulator] rejects a goal whose stage
// is not in the Config's Path or Detours, or whose pair is not reported
// (adjacent Path stages, or Config.Pairs), so a typo is an error rather
// than a goal that never has data.
type Goal struct {
	Metric string          `json:"metric"`
	Label  string          `json:"label,omitempty"`
	Target decimal.Decimal `json:"target"`
	// AtMost: the goal is met when the actual is at most Target.
	AtMost bool `json:"at_most,omitempty"`
	// AtRisk is the attainment from which a goal not met is "at risk"
	// rather than "missed"; zero means 0.9.
	AtRisk decimal.Decimal `json:"at_risk,omitzero"`
}

// Status is a scorecard line's verdict.
type Status string

// The statuses of a scorecard line.
const (
	OnTrack Status = "on_track"
	AtRisk  Status = "at_risk"
	Missed  Status = "missed"
	// NoData: the actual figure is undefined (no denominator) in the period.
	NoData Status = "no_data"
	// Pending: the goal is on a cohort rate whose cohort is immature (see
	// [Score.Immature]) and the verdict can still change: members may
	// still convert (the rate can only rise once the period has ended) or,
	// while the period runs, still join. Attainment is shown all the same.
	Pending Status = "pending"
)

// Scorecard compares the goals with the current period of a report (the
// one containing AsOf, or the last one before it when none listed
// contains it: see [Report.Current]; later periods may exist) and
// shows the change from the period before (steps 1 and 8 of the method).
type Scorecard struct {
	Period   string  `json:"period"`
	Previous string  `json:"previous,omitempty"`
	Lines    []Score `json:"lines"`
}

// Score is one goal against the actual figure. Attainment is actual ÷
// target (target ÷ actual for AtMost goals), to [RatePlaces], defined only
// when that divisor is positive; Change is actual − previous. Status: on
// track when the goal is met (actual ≥ target, or ≤ for AtMost), at risk
// when attainment ≥ AtRisk, missed otherwise (a goal without a defined
// attainment is met or missed outright); no data when the actual is
// undefined.
//
// Actual is the figure as the report shows it (a rate's Value, rounded to
// [RatePlaces]), but the verdict and the attainment come from the exact
// figure, with one rounding: a rate's Num ÷ Den, a share's Amount ÷ Of,
// the average deal's won amount ÷ won deals, follow-up minutes from the
// nanoseconds. So 17 999 acceptances of 20 000 (0.89995, shown as 0.9)
// miss a 0.9 goal, and 2 of 3 against 0.8 attain 0.8333, not 0.6667 ÷
// 0.8 rounded again.
//
// A cohort rate is provisional until its cohort is mature
// ([CohortConversion.Mature]): members can still convert within the
// window. The line then says Immature, and its status is Pending unless
// it is final: once the period has ended the rate can only rise, up to 1
// when every member converts, so the verdict is final when full
// conversion would give the same one (a met "at least" goal, say, or an
// "at most" goal already missed). While the period runs new members still
// join and no verdict is final. With a zero [Report.AsOf] the period
// counts as running.
type Score struct {
	Goal              Goal            `json:"goal"`
	Actual            decimal.Decimal `json:"actual"`
	ActualDefined     bool            `json:"actual_defined"`
	Attainment        decimal.Decimal `json:"attainment"`
	AttainmentDefined bool            `json:"attainment_defined"`
	Previous          decimal.Decimal `json:"previous"`
	PreviousDefined   bool            `json:"previous_defined"`
	Change            decimal.Decimal `json:"change"`
	Status            Status          `json:"status"`
	// Immature: Actual is the rate of a cohort that is not mature yet;
	// PreviousImmature: the same of Previous (a Change between cohorts of
	// different ages is partly their age). Both are false for every
	// metric but cohort rates.
	Immature         bool `json:"immature"`
	PreviousImmature bool `json:"previous_immature"`
}

var errGoal = errors.New("invalid goal")

func (g Goal) validate() error {
	if g.Target.IsNegative() && !strings.HasPrefix(g.Metric, "lead_velocity") {
		return fmt.Errorf("%w: %w: negative target", ErrConfig, errGoal)
	}
	if g.AtRisk.IsNegative() || g.AtRisk.GreaterThan(decimal.NewFromInt(1)) {
		return fmt.Errorf("%w: %w: at_risk must be within [0, 1]", ErrConfig, errGoal)
	}
	parts := strings.Split(g.Metric, ":")
	stagesOK := func(ss []string) bool {
		for _, s := range ss {
			if !funnel.Stage(s).Valid() {
				return false
			}
		}
		return true
	}
	switch parts[0] {
	case "first_entries", "entries":
		if len(parts) == 2 && stagesOK(parts[1:]) {
			return nil
		}
	case "flow", "cohort":
		if len(parts) == 3 && stagesOK(parts[1:]) {
			return nil
		}
	case "acceptance_rate", "sla_compliance", "response_minutes_median", "response_minutes_p90",
		"win_rate", "won_revenue", "average_deal", "marketing_sourced_share",
		"marketing_influenced_share", "lead_velocity_rate":
		if len(parts) == 1 {
			return nil
		}
	}
	return fmt.Errorf("%w: %w: unknown metric %q", ErrConfig, errGoal, g.Metric)
}

// ParseGoals decodes a JSON array of goals (unknown fields rejected) and
// validates each; errors wrap [ErrEncoding] or [ErrConfig].
func ParseGoals(data []byte) ([]Goal, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var gs []Goal
	if err := dec.Decode(&gs); err != nil {
		return nil, fmt.Errorf("%w: goals: %v", ErrEncoding, err)
	}
	if !atEnd(dec, data) {
		return nil, fmt.Errorf("%w: goals: trailing data", ErrEncoding)
	}
	var errs []error
	for i, g := range gs {
		if err := g.validate(); err != nil {
			errs = append(errs, fmt.Errorf("goals[%d]: %w", i, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return gs, nil
}

// atEnd says whether only JSON whitespace follows the value dec has just
// decoded from data. (json.Decoder.More is not enough: it reports false
// before a stray ']' or '}'.)
func atEnd(dec *json.Decoder, data []byte) bool {
	off := dec.InputOffset()
	return off >= 0 && off <= int64(len(data)) && len(bytes.TrimLeft(data[off:], " \t\r\n")) == 0
}

func minutes(d time.Duration) decimal.Decimal {
	return decimal.NewFromInt(int64(d)).DivRound(decimal.NewFromInt(int64(time.Minute)), RatePlaces)
}

// Actual returns the figure a goal metric names in period per, and false
// when it is undefined or unknown.
func (per *Period) Actual(metric string) (decimal.Decimal, bool) {
	rate := func(r Rate) (decimal.Decimal, bool) { return r.Value, r.Defined }
	share := func(s Share) (decimal.Decimal, bool) { return s.Value, s.Defined }
	parts := strings.Split(metric, ":")
	switch parts[0] {
	case "first_entries", "entries":
		if len(parts) != 2 {
			return decimal.Decimal{}, false
		}
		for _, s := range per.Stages {
			if string(s.Stage) == parts[1] {
				if parts[0] == "entries" {
					return decimal.NewFromInt(s.Entries), true
				}
				return decimal.NewFromInt(s.FirstEntries), true
			}
		}
	case "flow":
		for _, c := range per.Flow {
			if len(parts) == 3 && string(c.From) == parts[1] && string(c.To) == parts[2] {
				return rate(c.Rate)
			}
		}
	case "cohort":
		if c := per.cohort(parts); c != nil {
			return rate(c.Rate)
		}
	case "acceptance_rate":
		return rate(per.Service.Acceptance)
	case "sla_compliance":
		return rate(per.Service.SLA)
	case "response_minutes_median":
		return minutes(per.Service.ResponseTime.Median), per.Service.ResponseTime.Count > 0
	case "response_minutes_p90":
		return minutes(per.Service.ResponseTime.P90), per.Service.ResponseTime.Count > 0
	case "win_rate":
		return rate(per.Outcomes.WinRate)
	case "won_revenue":
		return per.Revenue.Won, true
	case "average_deal":
		return per.Outcomes.AverageDeal, per.Outcomes.AverageDealDefined
	case "marketing_sourced_share":
		return share(per.Revenue.MarketingSourced)
	case "marketing_influenced_share":
		return share(per.Revenue.MarketingInfluenced)
	case "lead_velocity_rate":
		return rate(per.Outcomes.LeadVelocity)
	}
	return decimal.Decimal{}, false
}

// exact returns the defined figure metric names in per as an exact
// fraction num ÷ den with den > 0: a rate's counts, a share's amounts,
// the average deal's won amount and count, follow-up minutes in
// nanoseconds; actual ÷ 1 for the others (counts and money, exact
// already), or when the fraction does not round to actual (a report
// built by hand, or decoded, with inconsistent fields).
func (per *Period) exact(metric string, actual decimal.Decimal) (num, den decimal.Decimal) {
	one := decimal.NewFromInt(1)
	num, den = actual, one
	places := int32(RatePlaces)
	switch kind, _, _ := strings.Cut(metric, ":"); kind {
	case "flow":
		parts := strings.Split(metric, ":")
		for _, c := range per.Flow {
			if len(parts) == 3 && string(c.From) == parts[1] && string(c.To) == parts[2] {
				num, den = decimal.NewFromInt(c.Rate.Num), decimal.NewFromInt(c.Rate.Den)
				break
			}
		}
	case "cohort":
		if c := per.cohort(strings.Split(metric, ":")); c != nil {
			num, den = decimal.NewFromInt(c.Rate.Num), decimal.NewFromInt(c.Rate.Den)
		}
	case "acceptance_rate":
		num, den = ratio(per.Service.Acceptance)
	case "sla_compliance":
		num, den = ratio(per.Service.SLA)
	case "win_rate":
		num, den = ratio(per.Outcomes.WinRate)
	case "lead_velocity_rate":
		num, den = ratio(per.Outcomes.LeadVelocity)
	case "marketing_sourced_share":
		num, den = per.Revenue.MarketingSourced.Amount, per.Revenue.MarketingSourced.Of
	case "marketing_influenced_share":
		num, den = per.Revenue.MarketingInfluenced.Amount, per.Revenue.MarketingInfluenced.Of
	case "average_deal":
		num, den = per.Outcomes.WonAmount, decimal.NewFromInt(per.Outcomes.WinRate.Num)
		places = MoneyPlaces
	case "response_minutes_median":
		num, den = decimal.NewFromInt(int64(per.Service.ResponseTime.Median)), decimal.NewFromInt(int64(time.Minute))
	case "response_minutes_p90":
		num, den = decimal.NewFromInt(int64(per.Service.ResponseTime.P90)), decimal.NewFromInt(int64(time.Minute))
	}
	if den.IsNegative() {
		num, den = num.Neg(), den.Neg()
	}
	if !den.IsPositive() || !num.DivRound(den, places).Equal(actual) {
		return actual, one
	}
	return num, den
}

func ratio(r Rate) (num, den decimal.Decimal) {
	return decimal.NewFromInt(r.Num), decimal.NewFromInt(r.Den)
}

// cohort returns the cohort conversion a "cohort:<from>:<to>" metric,
// split at its colons, names in per, or nil.
func (per *Period) cohort(parts []string) *CohortConversion {
	if len(parts) != 3 || parts[0] != "cohort" {
		return nil
	}
	for i := range per.Cohort {
		if c := &per.Cohort[i]; string(c.From) == parts[1] && string(c.To) == parts[2] {
			return c
		}
	}
	return nil
}

// immature says whether metric is a cohort rate whose cohort is not mature
// in per.
func (per *Period) immature(metric string) bool {
	c := per.cohort(strings.Split(metric, ":"))
	return c != nil && !c.Mature
}

// NewScorecard scores goals against the current period of r (see
// [Report.Current]), with the change from the period before it. An empty
// report gives an empty scorecard.
func NewScorecard(r Report, goals []Goal) Scorecard {
	var sc Scorecard
	cur, prev := r.Current()
	if cur == nil {
		return sc
	}
	sc.Period = cur.Label
	if prev != nil {
		sc.Previous = prev.Label
	}
	for _, g := range goals {
		sc.Lines = append(sc.Lines, score(g, cur, prev, r.AsOf))
	}
	return sc
}

// verdict is g's status for the actual figure num ÷ den (den > 0), and
// the attainment, rounded once. Along a rising actual it only moves one
// way: missed, at risk, on track for an "at least" goal, the reverse for
// an "at most" one.
func (g Goal) verdict(num, den decimal.Decimal) (st Status, attainment decimal.Decimal, defined bool) {
	td := g.Target.Mul(den) // actual ⋚ target ⇔ num ⋚ target × den
	met := num.GreaterThanOrEqual(td)
	if g.AtMost {
		met = num.LessThanOrEqual(td)
	}
	switch {
	case !g.AtMost && g.Target.IsPositive():
		attainment, defined = num.DivRound(td, RatePlaces), true
	case g.AtMost && num.IsPositive() && !g.Target.IsNegative():
		attainment, defined = td.DivRound(num, RatePlaces), true
	}
	risk := g.AtRisk
	if risk.IsZero() {
		risk = decimal.New(9, -1)
	}
	switch {
	case met:
		return OnTrack, attainment, defined
	case defined && attainment.GreaterThanOrEqual(risk):
		return AtRisk, attainment, defined
	}
	return Missed, attainment, defined
}

func score(g Goal, cur, prev *Period, asOf time.Time) Score {
	s := Score{Goal: g}
	s.Actual, s.ActualDefined = cur.Actual(g.Metric)
	s.Immature = cur.immature(g.Metric)
	if prev != nil {
		s.Previous, s.PreviousDefined = prev.Actual(g.Metric)
		s.PreviousImmature = prev.immature(g.Metric)
	}
	if s.ActualDefined && s.PreviousDefined {
		s.Change = s.Actual.Sub(s.Previous)
	}
	if !s.ActualDefined {
		s.Status = NoData
		return s
	}
	num, den := cur.exact(g.Metric, s.Actual)
	s.Status, s.Attainment, s.AttainmentDefined = g.verdict(num, den)
	if s.Immature {
		// Once the period has ended its members only convert: the rate
		// only rises, to 1 at most (every member converted), and the
		// verdict moves one way with it, so it is final when full
		// conversion gives the same. While the period runs, members
		// still join and nothing is final.
		ended := !asOf.IsZero() && !cur.End.After(asOf)
		if full, _, _ := g.verdict(decimal.NewFromInt(1), decimal.NewFromInt(1)); !ended || full != s.Status {
			s.Status = Pending
		}
	}
	return s
}
