package funnel

// Reason codes of the preset models. Hosts may use any codes in their own
// specs; these are the ones [DefaultSpec] and [WaterfallSpec] declare.
//
// Sales rejections follow SiriusDecisions: a lead may be rejected only for
// procedural ([ReasonWrongTerritory]), clerical ([ReasonBadData],
// [ReasonDuplicate], [ReasonInsufficientData]) or definitional
// ([ReasonBadFit]) reasons; the readiness codes ([ReasonBadTiming] and the
// others of its group) recycle a lead that fits but is not ready.
const (
	// Rejections and recycling: the lead fits but is not ready.
	ReasonBadTiming    ReasonCode = "bad_timing"
	ReasonNoBudget     ReasonCode = "no_budget"
	ReasonNoAuthority  ReasonCode = "no_authority"
	ReasonNoNeed       ReasonCode = "no_need"
	ReasonUnresponsive ReasonCode = "unresponsive"
	// Procedural, clerical and definitional rejections.
	ReasonWrongTerritory   ReasonCode = "wrong_territory"
	ReasonBadData          ReasonCode = "bad_data"
	ReasonDuplicate        ReasonCode = "duplicate"
	ReasonBadFit           ReasonCode = "bad_fit"
	ReasonInsufficientData ReasonCode = "insufficient_data"
	// Score-driven moves.
	ReasonScoreDecay     ReasonCode = "score_decay"
	ReasonScoreThreshold ReasonCode = "score_threshold"
	// Returns from a detour.
	ReasonReEngaged ReasonCode = "re_engaged"
	ReasonRecycle   ReasonCode = "recycle"
	// Lost deals.
	ReasonLostToCompetitor ReasonCode = "lost_to_competitor"
	ReasonPrice            ReasonCode = "price"
	ReasonNoDecision       ReasonCode = "no_decision"
	// Disqualification.
	ReasonSpam         ReasonCode = "spam"
	ReasonIsCompetitor ReasonCode = "is_competitor"
	ReasonOptOut       ReasonCode = "opt_out"
	ReasonStudent      ReasonCode = "student"
	ReasonRecycleLimit ReasonCode = "recycle_limit"
	// Customers.
	ReasonChurned    ReasonCode = "churned"
	ReasonDisengaged ReasonCode = "disengaged"
)

// usedReasons returns the preset reasons that the moves list, in the
// order of the preset list.
func usedReasons(moves []MoveSpec) []ReasonSpec {
	used := map[ReasonCode]bool{}
	for _, m := range moves {
		for _, r := range m.Reasons {
			used[r] = true
		}
	}
	var out []ReasonSpec
	for _, r := range presetReasons() {
		if used[r.Code] {
			out = append(out, r)
		}
	}
	return out
}

func presetReasons() []ReasonSpec {
	return []ReasonSpec{
		{ReasonBadTiming, "Not ready to buy now (timing)"},
		{ReasonNoBudget, "No budget"},
		{ReasonNoAuthority, "Contact cannot decide or influence the purchase"},
		{ReasonNoNeed, "No current need"},
		{ReasonUnresponsive, "No answer after the agreed contact attempts"},
		{ReasonWrongTerritory, "Procedural: wrong territory or routing"},
		{ReasonBadData, "Clerical: wrong or incomplete contact data"},
		{ReasonDuplicate, "Clerical: duplicate of another contact"},
		{ReasonBadFit, "Definitional: does not meet the qualification definition"},
		{ReasonInsufficientData, "Not enough information to qualify yet"},
		{ReasonScoreDecay, "Score fell below the stage threshold"},
		{ReasonScoreThreshold, "Score reached the stage threshold"},
		{ReasonReEngaged, "Re-engaged: new interest after nurturing"},
		{ReasonRecycle, "Recycled to marketing for nurturing"},
		{ReasonLostToCompetitor, "Lost to a competitor"},
		{ReasonPrice, "Lost on price"},
		{ReasonNoDecision, "No decision (stalled)"},
		{ReasonSpam, "Spam or fake contact"},
		{ReasonIsCompetitor, "Works for a competitor"},
		{ReasonOptOut, "Asked not to be contacted"},
		{ReasonStudent, "Student or researcher, not a buyer"},
		{ReasonRecycleLimit, "Recycled too many times without converting"},
		{ReasonChurned, "Customer churned (win-back nurturing)"},
		{ReasonDisengaged, "Advocate no longer engaged"},
	}
}

// The reason lists shared by several preset moves. Functions, not
// variables: every spec gets its own slices.
func notReady() []ReasonCode {
	return []ReasonCode{ReasonBadTiming, ReasonNoBudget, ReasonNoAuthority, ReasonNoNeed, ReasonUnresponsive}
}

func disqualify() []ReasonCode {
	return []ReasonCode{ReasonSpam, ReasonBadData, ReasonDuplicate, ReasonIsCompetitor, ReasonOptOut, ReasonBadFit, ReasonStudent, ReasonRecycleLimit}
}

func lostReasons() []ReasonCode {
	return []ReasonCode{ReasonLostToCompetitor, ReasonPrice, ReasonNoDecision, ReasonNoBudget, ReasonBadTiming, ReasonUnresponsive}
}

func salesRejection() []ReasonCode {
	return []ReasonCode{ReasonWrongTerritory, ReasonBadData, ReasonBadFit, ReasonBadTiming, ReasonNoBudget, ReasonNoAuthority, ReasonNoNeed, ReasonUnresponsive}
}

func reasons(rs ...[]ReasonCode) []ReasonCode {
	var out []ReasonCode
	for _, r := range rs {
		out = append(out, r...)
	}
	return out
}

// DefaultSpec returns the spec of the [Default] lifecycle, a fresh copy to
// customise:
//
//	subscriber → lead → mql → sql → opportunity → customer → evangelist
//
// (marketing owns subscriber, lead and mql; sales owns sql and opportunity;
// customer success owns customer and evangelist), forward moves may skip
// stages, and beside the path:
//
//   - nurture (detour, marketing): leads that fit but are not ready, recycled
//     from lead, mql or sql (bad_timing, no_budget, no_authority, no_need,
//     unresponsive; score_decay from lead and mql, recycle from mql and
//     sql), from lost deals (recycle) and churned customers (churned); they
//     return to lead or mql when they re-engage (re_engaged, and
//     score_threshold into mql);
//   - lost (detour, sales): sql → lost and opportunity → lost with a loss
//     reason; lost → nurture to recycle, lost → opportunity when the deal
//     revives;
//   - disqualified (terminal, marketing): from every stage before customer
//     and from the detours (spam, bad_data, duplicate, is_competitor,
//     opt_out, bad_fit, student, recycle_limit); no way out;
//   - backward moves: mql → lead (score_decay, insufficient_data), sql → mql
//     (insufficient_data, wrong_territory), opportunity → sql (no_decision,
//     insufficient_data), evangelist → customer (disengaged).
func DefaultSpec() Spec {
	s := Spec{
		ID:        "smarketing_default",
		Entry:     Subscriber,
		AllowSkip: true,
		Stages: []StageSpec{
			{Subscriber, "Subscriber", Marketing, Forward},
			{Lead, "Lead", Marketing, Forward},
			{MQL, "Marketing qualified lead", Marketing, Forward},
			{SQL, "Sales qualified lead", Sales, Forward},
			{Opportunity, "Opportunity", Sales, Forward},
			{Customer, "Customer", CustomerSuccess, Forward},
			{Evangelist, "Evangelist", CustomerSuccess, Forward},
			{Nurture, "Nurture (recycled)", Marketing, Detour},
			{Lost, "Closed lost", Sales, Detour},
			{Disqualified, "Disqualified", Marketing, Terminal},
		},
		Moves: []MoveSpec{
			{From: MQL, To: Lead, Reasons: []ReasonCode{ReasonScoreDecay, ReasonInsufficientData}},
			{From: SQL, To: MQL, Reasons: []ReasonCode{ReasonInsufficientData, ReasonWrongTerritory}},
			{From: Opportunity, To: SQL, Reasons: []ReasonCode{ReasonNoDecision, ReasonInsufficientData}},
			{From: Evangelist, To: Customer, Reasons: []ReasonCode{ReasonDisengaged}},
			{From: Lead, To: Nurture, Reasons: reasons(notReady(), []ReasonCode{ReasonScoreDecay})},
			{From: MQL, To: Nurture, Reasons: reasons(notReady(), []ReasonCode{ReasonScoreDecay, ReasonRecycle})},
			{From: SQL, To: Nurture, Reasons: reasons(notReady(), []ReasonCode{ReasonRecycle})},
			{From: Customer, To: Nurture, Reasons: []ReasonCode{ReasonChurned}},
			{From: SQL, To: Lost, Reasons: lostReasons()},
			{From: Opportunity, To: Lost, Reasons: lostReasons()},
			{From: Lost, To: Nurture, Reasons: []ReasonCode{ReasonRecycle}},
			{From: Lost, To: Opportunity, Reasons: []ReasonCode{ReasonReEngaged}},
			{From: Nurture, To: Lead, Reasons: []ReasonCode{ReasonReEngaged}},
			{From: Nurture, To: MQL, Reasons: []ReasonCode{ReasonReEngaged, ReasonScoreThreshold}},
		},
	}
	for _, from := range []Stage{Subscriber, Lead, MQL, SQL, Opportunity, Nurture, Lost} {
		s.Moves = append(s.Moves, MoveSpec{From: from, To: Disqualified, Reasons: disqualify()})
	}
	s.Reasons = usedReasons(s.Moves)
	return s.clone()
}

// Default returns the default SMarketing lifecycle described at
// [DefaultSpec]. Each call builds a new (immutable) model; keep one in a
// package-level variable.
func Default() *Model { return MustNew(DefaultSpec()) }

// WaterfallSpec returns the spec of the [Waterfall] lifecycle, after the
// SiriusDecisions demand waterfall:
//
//	inquiry → mql → sal → sql → won
//
// (marketing owns inquiry and mql; sales accepts a lead into sal, qualifies
// it into sql and wins it), forward moves may skip stages (fast track), and
// beside the path nurture (detour, marketing), lost (detour, sales) and
// disqualified (terminal, marketing). Sales rejects an MQL (mql → nurture)
// or an SAL (sal → nurture) with a procedural, clerical, definitional or
// readiness reason; sql → nurture recycles a lead that is not ready. The
// backward moves are mql → inquiry (score_decay, insufficient_data), sal →
// mql for a wrongly routed lead (wrong_territory, insufficient_data) and
// sql → sal (insufficient_data). Nurture returns to inquiry or mql; sql →
// lost, lost → nurture and lost → sql; disqualified is reached from every
// stage before won and from the detours, with the reasons of
// [DefaultSpec].
func WaterfallSpec() Spec {
	s := Spec{
		ID:        "siriusdecisions_waterfall",
		Entry:     Inquiry,
		AllowSkip: true,
		Stages: []StageSpec{
			{Inquiry, "Inquiry", Marketing, Forward},
			{MQL, "Marketing qualified lead", Marketing, Forward},
			{SAL, "Sales accepted lead", Sales, Forward},
			{SQL, "Sales qualified lead", Sales, Forward},
			{Won, "Won", Sales, Forward},
			{Nurture, "Nurture (recycled)", Marketing, Detour},
			{Lost, "Closed lost", Sales, Detour},
			{Disqualified, "Disqualified", Marketing, Terminal},
		},
		Moves: []MoveSpec{
			{From: MQL, To: Inquiry, Reasons: []ReasonCode{ReasonScoreDecay, ReasonInsufficientData}},
			{From: SAL, To: MQL, Reasons: []ReasonCode{ReasonWrongTerritory, ReasonInsufficientData}},
			{From: SQL, To: SAL, Reasons: []ReasonCode{ReasonInsufficientData}},
			{From: MQL, To: Nurture, Reasons: salesRejection()},
			{From: SAL, To: Nurture, Reasons: salesRejection()},
			{From: SQL, To: Nurture, Reasons: reasons(notReady(), []ReasonCode{ReasonRecycle})},
			{From: SQL, To: Lost, Reasons: lostReasons()},
			{From: Lost, To: Nurture, Reasons: []ReasonCode{ReasonRecycle}},
			{From: Lost, To: SQL, Reasons: []ReasonCode{ReasonReEngaged}},
			{From: Nurture, To: Inquiry, Reasons: []ReasonCode{ReasonReEngaged}},
			{From: Nurture, To: MQL, Reasons: []ReasonCode{ReasonReEngaged, ReasonScoreThreshold}},
		},
	}
	for _, from := range []Stage{Inquiry, MQL, SAL, SQL, Nurture, Lost} {
		s.Moves = append(s.Moves, MoveSpec{From: from, To: Disqualified, Reasons: disqualify()})
	}
	s.Reasons = usedReasons(s.Moves)
	return s.clone()
}

// Waterfall returns the SiriusDecisions lifecycle described at
// [WaterfallSpec].
func Waterfall() *Model { return MustNew(WaterfallSpec()) }
