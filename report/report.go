package report

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
)

// SchemaVersion names the JSON schema of [Report] (see doc.go).
const SchemaVersion = "smarketing.report/v1"

// RatePlaces is the number of decimal places of every [Rate] value
// (rounded half away from zero, once, from the exact counts).
const RatePlaces = 4

// MoneyPlaces is the number of decimal places of derived money figures
// (average deal size, pipeline velocity), rounded half away from zero.
const MoneyPlaces = 2

// RateKind says what a [Rate] measures; rates of different kinds are
// never combined.
type RateKind string

// The kinds of rate.
const (
	// KindFlow: entries into B in the period ÷ entries into A in the same
	// period (period rate; may exceed 1).
	KindFlow RateKind = "flow"
	// KindCohort: of the leads whose first entry into A fell in the
	// period, the share that reached B or any later stage.
	KindCohort RateKind = "cohort"
	// KindRatio: a plain share of one count in another (win rate,
	// acceptance, SLA compliance, ...).
	KindRatio RateKind = "ratio"
	// KindGrowth: (this period − previous) ÷ previous (lead velocity rate).
	KindGrowth RateKind = "growth"
)

// Rate is Num ÷ Den, kept exact as counts, with Value rounded to
// [RatePlaces]. When Den is 0 the rate is undefined: Defined is false and
// Value is zero; nothing is ever divided by zero.
type Rate struct {
	Kind    RateKind        `json:"kind"`
	Num     int64           `json:"num"`
	Den     int64           `json:"den"`
	Defined bool            `json:"defined"`
	Value   decimal.Decimal `json:"value"`
}

func newRate(k RateKind, num, den int64) Rate {
	r := Rate{Kind: k, Num: num, Den: den}
	if den != 0 {
		r.Defined = true
		r.Value = decimal.NewFromInt(num).DivRound(decimal.NewFromInt(den), RatePlaces)
	}
	return r
}

func moneyShare(k RateKind, part, whole decimal.Decimal) Share {
	s := Share{Kind: k, Amount: part, Of: whole}
	if !whole.IsZero() {
		s.Defined = true
		s.Value = part.DivRound(whole, RatePlaces)
	}
	return s
}

// Share is a money amount as a share of a total, Value rounded to
// [RatePlaces]; undefined when the total is zero.
type Share struct {
	Kind    RateKind        `json:"kind"`
	Amount  decimal.Decimal `json:"amount"`
	Of      decimal.Decimal `json:"of"`
	Defined bool            `json:"defined"`
	Value   decimal.Decimal `json:"value"`
}

// Velocity summarises durations: exact count, mean, min and max, and
// median and p90 to within [SketchAccuracy]. JSON durations are integer
// nanoseconds.
type Velocity struct {
	Count  int64         `json:"count"`
	Median time.Duration `json:"median_ns"`
	P90    time.Duration `json:"p90_ns"`
	Mean   time.Duration `json:"mean_ns"`
	Min    time.Duration `json:"min_ns"`
	Max    time.Duration `json:"max_ns"`
}

func velocityOf(s *Sketch) Velocity {
	if s == nil || s.n == 0 {
		return Velocity{}
	}
	return Velocity{Count: s.Count(), Median: s.Quantile(0.5), P90: s.Quantile(0.9), Mean: s.Mean(), Min: s.Min(), Max: s.Max()}
}

// StageInfo describes a stage of the report.
type StageInfo struct {
	Stage funnel.Stage `json:"stage"`
	// Rank is the position on the path, -1 for detours.
	Rank int `json:"rank"`
}

// Report is the computed KPI report: plain data, safe to share, compared
// with go-cmp without options. See doc.go for every figure's definition
// and the JSON schema.
type Report struct {
	Schema      string        `json:"schema"`
	Granularity Granularity   `json:"granularity"`
	Location    string        `json:"location"`
	AsOf        time.Time     `json:"as_of"`
	Window      time.Duration `json:"cohort_window_ns"`
	Stages      []StageInfo   `json:"stages"`
	Periods     []Period      `json:"periods"`
	// Aging holds the open stays as of AsOf, per current stage.
	Aging     []Aging    `json:"aging,omitempty"`
	Segments  []Segment  `json:"segments,omitempty"`
	Scorecard *Scorecard `json:"scorecard,omitempty"`
}

// Period holds the figures of one calendar period [Start, End).
type Period struct {
	Label  string        `json:"label"`
	Start  time.Time     `json:"start"`
	End    time.Time     `json:"end"`
	Stages []StageFigure `json:"stages"`
	// Flow holds period (flow) conversion rates, adjacent pairs then
	// [Config.Pairs].
	Flow []Conversion `json:"flow"`
	// Cohort holds cohort conversion for the same pairs (empty with
	// NoLeadState).
	Cohort         []CohortConversion `json:"cohort,omitempty"`
	LeadToCustomer Velocity           `json:"lead_to_customer"`
	Outcomes       Outcomes           `json:"outcomes"`
	Revenue        Revenue            `json:"revenue"`
	Service        Service            `json:"service"`
}

// StageFigure holds one stage's volumes in a period, and the time spent
// in it by the stays that ended in the period.
type StageFigure struct {
	Stage        funnel.Stage `json:"stage"`
	FirstEntries int64        `json:"first_entries"`
	Entries      int64        `json:"entries"`
	Population   int64        `json:"population"`
	TimeInStage  Velocity     `json:"time_in_stage"`
}

// Conversion is a flow rate between two stages.
type Conversion struct {
	From funnel.Stage `json:"from"`
	To   funnel.Stage `json:"to"`
	Rate Rate         `json:"rate"`
}

// CohortConversion is a cohort rate between two stages: Rate.Den members
// (first entry into From in the period), Rate.Num of them reached To or
// a later stage (within [Config.Window] when set). Mature says the window
// of every member has closed by AsOf (with no window: the period has
// ended); MatureMembers counts the members whose own window has closed
// (with no window: every member).
type CohortConversion struct {
	From          funnel.Stage `json:"from"`
	To            funnel.Stage `json:"to"`
	Rate          Rate         `json:"rate"`
	Mature        bool         `json:"mature"`
	MatureMembers int64        `json:"mature_members"`
}

// Outcomes are the sales outcomes of a period.
type Outcomes struct {
	// WinRate: won ÷ (won + lost) deals closed in the period; its Num is
	// the count of won deals.
	WinRate Rate `json:"win_rate"`
	// WonAmount is the revenue of the won deals.
	WonAmount decimal.Decimal `json:"won_amount"`
	// AverageDeal: WonAmount ÷ won deals, to [MoneyPlaces];
	// AverageDealDefined is false with no won deal.
	AverageDeal        decimal.Decimal `json:"average_deal"`
	AverageDealDefined bool            `json:"average_deal_defined"`
	// SalesCycle: CreatedAt → ClosedAt of the won deals.
	SalesCycle Velocity `json:"sales_cycle"`
	// Opportunities: all entries into the Opportunity stage.
	Opportunities int64 `json:"opportunities"`
	// PipelineVelocity: Opportunities × win rate × average deal ÷ mean
	// sales cycle in days, money per day to [MoneyPlaces], from the exact
	// counts (one rounding).
	PipelineVelocity        decimal.Decimal `json:"pipeline_velocity_per_day"`
	PipelineVelocityDefined bool            `json:"pipeline_velocity_defined"`
	// QualifiedLeads: first-time entries into the Qualified stage.
	QualifiedLeads int64 `json:"qualified_leads"`
	// LeadVelocity: (QualifiedLeads − previous period's) ÷ previous
	// period's; undefined when the previous period has none.
	LeadVelocity Rate `json:"lead_velocity_rate"`
	// RecycleRate: entries into the Recycle stage ÷ all entries into
	// the Qualified stage (flow).
	RecycleRate Rate `json:"recycle_rate"`
	// RecycleYield: moves from the Recycle stage back to the path ÷
	// entries into the Recycle stage (flow).
	RecycleYield Rate `json:"recycle_yield"`
}

// Revenue splits the period's closed-won revenue.
type Revenue struct {
	// Won is the closed-won revenue of the period.
	Won decimal.Decimal `json:"won"`
	// MarketingSourced, SalesSourced and OtherSourced partition Won by
	// the deals' origin; their values add up to 1 (up to rounding).
	MarketingSourced Share `json:"marketing_sourced"`
	SalesSourced     Share `json:"sales_sourced"`
	OtherSourced     Share `json:"other_sourced"`
	// MarketingInfluenced: revenue of won deals whose lead had a marketing
	// touch at or before the close. It overlaps the sourced shares and is
	// never added to them.
	MarketingInfluenced Share `json:"marketing_influenced"`
	// Attribution: per model, the credits per channel; each model's
	// credits plus Unattributed (won deals with no touch) add up exactly
	// to Won.
	Attribution []Attribution `json:"attribution,omitempty"`
}

// Attribution is one model's split of a period's won revenue.
type Attribution struct {
	Model        AttributionModel `json:"model"`
	Credits      []Credit         `json:"credits"`
	Unattributed decimal.Decimal  `json:"unattributed"`
}

// Service holds the handoff figures of a period.
type Service struct {
	// Acceptance: accepted ÷ (accepted + rejected) decisions.
	Acceptance Rate `json:"acceptance"`
	// Rejections: the reason mix of the period's rejections.
	Rejections []ReasonCount `json:"rejections,omitempty"`
	// ByCriterion: per scoring criterion present, decisions, rejections
	// and their reason mix.
	ByCriterion []CriterionRejections `json:"by_criterion,omitempty"`
	// SLA: touched within the deadline ÷ handoffs whose deadline fell in
	// the period (at or before AsOf); untouched ones are breaches.
	SLA Rate `json:"sla_compliance"`
	// Pending: handoffs with a deadline in the period but after AsOf and
	// no touch yet (not counted in SLA).
	Pending int64 `json:"sla_pending"`
	// SpeedToLead: ActionAt → TouchedAt, by period of ActionAt.
	SpeedToLead Bands `json:"speed_to_lead"`
	// ResponseTime: AssignedAt → TouchedAt, by period of AssignedAt.
	ResponseTime Velocity `json:"response_time"`
}

// Bands counts speed-to-lead in minutes: [0,5), [5,15), [15,60), [60,∞),
// and handoffs not touched yet.
type Bands struct {
	Under5    int64 `json:"under_5m"`
	Under15   int64 `json:"from_5m_under_15m"`
	Under60   int64 `json:"from_15m_under_60m"`
	Over60    int64 `json:"from_60m"`
	Untouched int64 `json:"untouched"`
}

// ReasonCount is one rejection reason's count and share of rejections.
type ReasonCount struct {
	Reason string `json:"reason"`
	Share  Rate   `json:"share"`
}

// CriterionRejections is the rejection mix among decisions where a
// scoring criterion was present.
type CriterionRejections struct {
	Criterion string `json:"criterion"`
	// Rejected: rejections ÷ decisions with the criterion present.
	Rejected Rate          `json:"rejected"`
	Reasons  []ReasonCount `json:"reasons"`
}

// Aging is the open stays of one stage as of AsOf: leads whose latest
// event put them there, and how long ago.
type Aging struct {
	Stage funnel.Stage `json:"stage"`
	Open  Velocity     `json:"open"`
}

// Segment holds volumes and flow rates for one value of a dimension.
type Segment struct {
	Dimension string          `json:"dimension"`
	Value     string          `json:"value"`
	Periods   []SegmentPeriod `json:"periods"`
}

// SegmentPeriod is a segment's figures in one period.
type SegmentPeriod struct {
	Label  string        `json:"label"`
	Stages []StageVolume `json:"stages"`
	Flow   []Conversion  `json:"flow"`
}

// StageVolume is a stage's entries and population in a period.
type StageVolume struct {
	Stage        funnel.Stage `json:"stage"`
	FirstEntries int64        `json:"first_entries"`
	Entries      int64        `json:"entries"`
	Population   int64        `json:"population"`
}

// maxSpan bounds how many contiguous periods a report lists; beyond it,
// only periods with data are listed.
const maxSpan = 3000

// subSat returns a − b and addSat a + b, saturated to the int64 range:
// two accepted record times can lie more than 292 years (MaxInt64
// nanoseconds) apart, and a window can be as long, so plain arithmetic on
// unix nanoseconds would wrap (a lag of 550 years becoming negative, hence
// "within the window").
func subSat(a, b int64) int64 {
	d := a - b
	if (a >= 0) != (b >= 0) && (d >= 0) != (a >= 0) {
		if a >= 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return d
}

func addSat(a, b int64) int64 {
	s := a + b
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
		if a >= 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return s
}

// asOf returns the report time in unix nanoseconds.
func (a *Accumulator) asOf() int64 {
	if !a.p.cfg.AsOf.IsZero() {
		return a.p.cfg.AsOf.UnixNano()
	}
	if a.hasAt {
		return a.maxAt
	}
	return 0
}

// Report computes the report from everything accumulated. It does not
// change the accumulator and its result depends only on the records added
// (never on their order or on how they were split and merged). The zero
// Accumulator returns the zero Report.
func (a *Accumulator) Report() Report {
	if a == nil || a.p == nil {
		return Report{}
	}
	p := a.p
	asOf := a.asOf()
	r := Report{
		Schema:      SchemaVersion,
		Granularity: p.gran,
		Location:    p.loc.String(),
		Window:      p.cfg.Window,
		Stages:      make([]StageInfo, len(p.stages)),
	}
	if asOf != 0 || a.hasAt {
		r.AsOf = time.Unix(0, asOf).In(p.loc)
	}
	for i, s := range p.stages {
		r.Stages[i] = StageInfo{s, p.rank[i]}
	}
	cal := &calendar{g: p.gran, loc: p.loc}
	pidx := func(ns int64) int64 { return cal.index(time.Unix(0, ns)) }

	// Figures that need per-lead state, keyed by period.
	type leadFigures struct {
		cohortN, cohortC, cohortM []int64 // per pair
		l2c                       Sketch
		attr                      [][]Credit // per model
		unattr                    []decimal.Decimal
		influenced                decimal.Decimal
		slaDue, slaMet, pending   int64
		bands                     Bands
		resp                      Sketch
	}
	lf := map[int64]*leadFigures{}
	// Lead figures fall mostly in periods that have events: those are
	// found in a slice, the others in the map.
	dense := make([]*leadFigures, len(a.total.blocks))
	getLF := func(i int64) *leadFigures {
		j := i - a.total.base
		inDense := j >= 0 && j < int64(len(dense))
		var f *leadFigures
		if inDense {
			f = dense[j]
		} else {
			f = lf[i]
		}
		if f == nil {
			np := len(p.pairs)
			f = &leadFigures{cohortN: make([]int64, np), cohortC: make([]int64, np), cohortM: make([]int64, np),
				attr: make([][]Credit, len(attributionModels)), unattr: make([]decimal.Decimal, len(attributionModels))}
			lf[i] = f
			if inDense {
				dense[j] = f
			}
		}
		return f
	}
	var aging []Sketch
	if a.leads != nil {
		np := p.npath
		aging = make([]Sketch, len(p.stages))
		win := int64(p.cfg.Window)
		// reach[r] = first time at rank r or later.
		reach := make([]int64, np+1)
		reach[np] = math.MaxInt64
		for l := range a.leads.n {
			rec := a.leads.record(l)
			first := rec[recFirst:]
			for k := np - 1; k >= 0; k-- {
				reach[k] = min(reach[k+1], first[k])
			}
			for j, pr := range p.pairIdx {
				ta := firstEntered(rec, p.rank[pr[0]])
				if ta == math.MaxInt64 {
					continue
				}
				f := getLF(pidx(ta))
				f.cohortN[j]++
				tb := reach[p.rank[pr[1]]]
				if tb != math.MaxInt64 && (win == 0 || max(0, subSat(tb, ta)) <= win) {
					f.cohortC[j]++
				}
				if win == 0 || addSat(ta, win) <= asOf {
					f.cohortM[j]++
				}
			}
			if ls := lastStage(rec); ls >= 0 {
				aging[ls].Add(time.Duration(max(0, subSat(asOf, rec[recLastAt]))))
			}
			if p.won >= 0 && rec[recMeta]&entryMark != 0 {
				if tw := firstEntered(rec, p.rank[p.won]); tw != math.MaxInt64 {
					getLF(pidx(tw)).l2c.Add(time.Duration(subSat(tw, rec[recCreated])))
				}
			}
		}
		// Won deals: influence and attribution.
		deals := slices.Clone(a.deals)
		slices.SortFunc(deals, compareDeals)
		for _, d := range deals {
			closeNs := d.ClosedAt.UnixNano()
			f := getLF(pidx(closeNs))
			var ts []touchRec
			for _, t := range a.touches[d.Lead] {
				if t.at <= closeNs {
					ts = append(ts, t)
				}
			}
			if len(ts) > 0 {
				f.influenced = f.influenced.Add(d.Amount)
			}
			sortTouches(ts)
			for mi, m := range attributionModels {
				if len(ts) == 0 {
					f.unattr[mi] = f.unattr[mi].Add(d.Amount)
					continue
				}
				for ti, c := range attribute(m, d.Amount, closeNs, int64(p.halfLife), ts) {
					f.attr[mi] = addCredit(f.attr[mi], ts[ti].channel, c)
				}
			}
		}
		keys := make([]string, 0, len(a.responses))
		for k := range a.responses {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			rs := a.responses[k]
			if !rs.Deadline.IsZero() {
				dl := rs.Deadline.UnixNano()
				f := getLF(pidx(dl))
				touched := !rs.TouchedAt.IsZero()
				switch {
				case dl <= asOf:
					f.slaDue++
					if touched && !rs.TouchedAt.After(rs.Deadline) {
						f.slaMet++
					}
				case !touched:
					f.pending++
				}
			}
			if !rs.ActionAt.IsZero() {
				f := getLF(pidx(rs.ActionAt.UnixNano()))
				if rs.TouchedAt.IsZero() {
					f.bands.Untouched++
				} else {
					switch d := rs.TouchedAt.Sub(rs.ActionAt); {
					case d < 5*time.Minute:
						f.bands.Under5++
					case d < 15*time.Minute:
						f.bands.Under15++
					case d < 60*time.Minute:
						f.bands.Under60++
					default:
						f.bands.Over60++
					}
				}
			}
			if !rs.AssignedAt.IsZero() && !rs.TouchedAt.IsZero() {
				getLF(pidx(rs.AssignedAt.UnixNano())).resp.Add(rs.TouchedAt.Sub(rs.AssignedAt))
			}
		}
	}

	// The periods to list.
	var idxs []int64
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for i, b := range a.total.blocks {
		if b != nil {
			lo, hi = min(lo, a.total.base+int64(i)), max(hi, a.total.base+int64(i))
		}
	}
	for i := range lf {
		lo, hi = min(lo, i), max(hi, i)
	}
	if lo <= hi {
		if hi-lo < maxSpan {
			for i := lo; i <= hi; i++ {
				idxs = append(idxs, i)
			}
		} else {
			for i, b := range a.total.blocks {
				if b != nil {
					idxs = append(idxs, a.total.base+int64(i))
				}
			}
			for i := range lf {
				if a.total.get(i) == nil {
					idxs = append(idxs, i)
				}
			}
			slices.Sort(idxs)
		}
	}

	pop := make([]int64, len(p.stages))
	popAt := a.total.base
	empty := p.newBlock(true)
	for _, idx := range idxs {
		// Populations: cumulative population change up to this period.
		for ; popAt <= idx && popAt < a.total.base+int64(len(a.total.blocks)); popAt++ {
			if b := a.total.get(popAt); b != nil {
				for s := range pop {
					pop[s] += b.delta[s]
				}
			}
		}
		b := a.total.get(idx)
		if b == nil {
			b = empty
		}
		start, end := periodBounds(p.gran, p.loc, idx)
		per := Period{Label: periodLabel(p.gran, idx), Start: start, End: end}
		per.Stages = make([]StageFigure, len(p.stages))
		for s := range p.stages {
			per.Stages[s] = StageFigure{Stage: p.stages[s], FirstEntries: b.first[s], Entries: b.all[s],
				Population: pop[s], TimeInStage: velocityOf(&b.stays[s])}
		}
		per.Flow = flows(p, b)
		f := lf[idx]
		if f == nil {
			f = getLF(idx)
			delete(lf, idx)
		}
		if a.leads != nil {
			per.Cohort = make([]CohortConversion, len(p.pairs))
			endNs := end.UnixNano()
			for j, pr := range p.pairs {
				per.Cohort[j] = CohortConversion{From: pr.From, To: pr.To,
					Rate:          newRate(KindCohort, f.cohortC[j], f.cohortN[j]),
					Mature:        addSat(endNs, int64(p.cfg.Window)) <= asOf,
					MatureMembers: f.cohortM[j]}
			}
			per.LeadToCustomer = velocityOf(&f.l2c)
		}
		// Outcomes.
		o := &per.Outcomes
		o.WinRate = newRate(KindRatio, b.dealsWon, b.dealsWon+b.dealsLost)
		o.WonAmount = b.wonAmount
		if b.dealsWon > 0 {
			o.AverageDeal = b.wonAmount.DivRound(decimal.NewFromInt(b.dealsWon), MoneyPlaces)
			o.AverageDealDefined = true
		}
		o.SalesCycle = velocityOf(&b.salesCycle)
		if p.opp >= 0 {
			o.Opportunities = b.all[p.opp]
		}
		// opps × won/(won+lost) × wonAmount/won ÷ (cycleSum/cycleN/day)
		// = opps × wonAmount × cycleN × day ÷ ((won+lost) × cycleSum).
		if b.dealsWon > 0 && b.salesCycle.n > 0 && (b.salesCycle.sumHi != 0 || b.salesCycle.sumLo != 0) {
			sum := decimal.NewFromBigInt(sum128(&b.salesCycle), 0)
			num := b.wonAmount.Mul(decimal.NewFromInt(o.Opportunities)).Mul(decimal.NewFromInt(b.salesCycle.Count())).Mul(decimal.NewFromInt(int64(24 * time.Hour)))
			// den is positive for any state Add and Merge build; the check
			// keeps a hostile decoded state from dividing by zero.
			if den := sum.Mul(decimal.NewFromInt(b.dealsWon + b.dealsLost)); !den.IsZero() {
				o.PipelineVelocity = num.DivRound(den, MoneyPlaces)
				o.PipelineVelocityDefined = true
			}
		}
		if p.qual >= 0 {
			o.QualifiedLeads = b.first[p.qual]
			var base int64
			if pb := a.total.get(idx - 1); pb != nil {
				base = pb.first[p.qual]
			}
			o.LeadVelocity = newRate(KindGrowth, o.QualifiedLeads-base, base)
			if p.recycle >= 0 {
				o.RecycleRate = newRate(KindFlow, b.recycleIn, b.all[p.qual])
			} else {
				o.RecycleRate = newRate(KindFlow, 0, 0)
			}
		} else {
			o.LeadVelocity = newRate(KindGrowth, 0, 0)
			o.RecycleRate = newRate(KindFlow, b.recycleIn, 0)
		}
		o.RecycleYield = newRate(KindFlow, b.recycleOut, b.recycleIn)
		// Revenue.
		rv := &per.Revenue
		rv.Won = b.wonAmount
		rv.MarketingSourced = moneyShare(KindRatio, b.wonByOrigin[0], b.wonAmount)
		rv.SalesSourced = moneyShare(KindRatio, b.wonByOrigin[1], b.wonAmount)
		rv.OtherSourced = moneyShare(KindRatio, b.wonByOrigin[2], b.wonAmount)
		// Without lead state the influenced share is unknown: undefined,
		// but still of its kind.
		rv.MarketingInfluenced = Share{Kind: KindRatio}
		if a.leads != nil {
			rv.MarketingInfluenced = moneyShare(KindRatio, f.influenced, b.wonAmount)
			if b.dealsWon > 0 {
				rv.Attribution = make([]Attribution, len(attributionModels))
				for mi, m := range attributionModels {
					cr := f.attr[mi]
					if cr == nil {
						cr = []Credit{}
					}
					rv.Attribution[mi] = Attribution{Model: m, Credits: cr, Unattributed: f.unattr[mi]}
				}
			}
		}
		// Service.
		sv := &per.Service
		sv.Acceptance = newRate(KindRatio, b.accepted, b.accepted+b.rejected)
		sv.Rejections = reasonMix(b.reasons, b.rejected)
		sv.ByCriterion = criterionMix(b)
		sv.SLA = newRate(KindRatio, f.slaMet, f.slaDue)
		sv.Pending = f.pending
		sv.SpeedToLead = f.bands
		sv.ResponseTime = velocityOf(&f.resp)
		r.Periods = append(r.Periods, per)
	}
	if aging != nil {
		for s := range p.stages {
			if aging[s].n > 0 {
				r.Aging = append(r.Aging, Aging{Stage: p.stages[s], Open: velocityOf(&aging[s])})
			}
		}
	}
	r.Segments = a.segments(idxs)
	if len(p.cfg.Goals) > 0 {
		sc := NewScorecard(r, p.cfg.Goals)
		r.Scorecard = &sc
	}
	return r
}

func compareDeals(x, y Deal) int {
	if c := x.ClosedAt.Compare(y.ClosedAt); c != 0 {
		return c
	}
	if c := cmp.Compare(x.ID, y.ID); c != 0 {
		return c
	}
	if c := cmp.Compare(x.Lead, y.Lead); c != 0 {
		return c
	}
	if c := x.Amount.Cmp(y.Amount); c != 0 {
		return c
	}
	if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(x.Origin, y.Origin)
}

// addCredit adds c to channel's credit, keeping the list sorted by channel.
func addCredit(cs []Credit, channel string, c decimal.Decimal) []Credit {
	i, ok := slices.BinarySearchFunc(cs, channel, func(x Credit, ch string) int { return cmp.Compare(x.Channel, ch) })
	if ok {
		cs[i].Amount = cs[i].Amount.Add(c)
		return cs
	}
	return slices.Insert(cs, i, Credit{Channel: channel, Amount: c})
}

func flows(p *plan, b *block) []Conversion {
	out := make([]Conversion, len(p.pairs))
	for j, pr := range p.pairIdx {
		out[j] = Conversion{From: p.pairs[j].From, To: p.pairs[j].To, Rate: newRate(KindFlow, b.all[pr[1]], b.all[pr[0]])}
	}
	return out
}

func reasonMix(m map[string]int64, total int64) []ReasonCount {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]ReasonCount, 0, len(keys))
	for _, k := range keys {
		out = append(out, ReasonCount{Reason: k, Share: newRate(KindRatio, m[k], total)})
	}
	// Most frequent first, then by name.
	slices.SortStableFunc(out, func(x, y ReasonCount) int { return cmp.Compare(y.Share.Num, x.Share.Num) })
	return out
}

func criterionMix(b *block) []CriterionRejections {
	if len(b.critDecisions) == 0 {
		return nil
	}
	crits := make([]string, 0, len(b.critDecisions))
	for c := range b.critDecisions {
		crits = append(crits, c)
	}
	slices.Sort(crits)
	out := make([]CriterionRejections, 0, len(crits))
	for _, c := range crits {
		m := map[string]int64{}
		var rej int64
		for k, v := range b.critRejections {
			if k.crit == c {
				m[k.reason] += v
				rej += v
			}
		}
		out = append(out, CriterionRejections{Criterion: c, Rejected: newRate(KindRatio, rej, b.critDecisions[c]), Reasons: reasonMix(m, rej)})
	}
	return out
}

func (a *Accumulator) segments(idxs []int64) []Segment {
	p := a.p
	var out []Segment
	for d, ds := range a.dims {
		order := make([]int, len(ds.vals))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(x, y int) int { return cmp.Compare(ds.vals[x], ds.vals[y]) })
		for _, si := range order {
			s := &ds.series[si]
			seg := Segment{Dimension: p.cfg.Dimensions[d], Value: ds.vals[si]}
			pop := make([]int64, len(p.stages))
			popAt := s.base
			empty := p.newBlock(false)
			for _, idx := range idxs {
				for ; popAt <= idx && popAt < s.base+int64(len(s.blocks)); popAt++ {
					if b := s.get(popAt); b != nil {
						for k := range pop {
							pop[k] += b.delta[k]
						}
					}
				}
				b := s.get(idx)
				if b == nil {
					b = empty
				}
				sp := SegmentPeriod{Label: periodLabel(p.gran, idx), Stages: make([]StageVolume, len(p.stages)), Flow: flows(p, b)}
				for k := range p.stages {
					sp.Stages[k] = StageVolume{p.stages[k], b.first[k], b.all[k], pop[k]}
				}
				seg.Periods = append(seg.Periods, sp)
			}
			out = append(out, seg)
		}
	}
	return out
}
