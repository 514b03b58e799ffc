// Package report computes the KPIs of the SMarketing method from the
// host's log — funnel events, deals, marketing touches and handoff
// outcomes — exactly, in one mergeable pass, and renders them for the
// review meeting (steps 1, 7 and 8 of the method).
//
// # Overview
//
//   - [Config] says what to count: the funnel's forward [Config.Path] and
//     [Config.Detours] (or [StagesOf] a [funnel.Model]), the period
//     [Granularity] in the host's [time.Location], the cohort window, extra
//     conversion pairs ([Pair]), host dimensions and goals ([Goal]).
//   - [Accumulator] reads records ([Record]: [EventRecord], [DealRecord],
//     [TouchRecord], [ResponseRecord], [DecisionRecord]) with
//     [Accumulator.Add] or [Accumulator.AddEvent], or a slice of events
//     with [Accumulator.AddEvents] (faster on large logs); pieces
//     [Accumulator.Merge] in any order and grouping, and travel as bytes
//     with [Accumulator.MarshalBinary] / [Accumulator.UnmarshalBinary].
//   - [Accumulator.Report] returns a [Report]: per [Period] the stage
//     figures ([StageFigure]), flow and cohort conversions ([Conversion],
//     [CohortConversion]), [Outcomes], [Revenue] with [Attribution] and
//     [Service] figures, plus [Aging], segments ([Segment]) and a
//     [Scorecard] ([NewScorecard]).
//   - Renderers: [Report.WriteText], [Report.WriteMarkdown],
//     [Report.WriteCSV], [Report.WriteJSON] (read back with [ParseReport])
//     and [Report.WriteHTML]. Goals load from JSON with [ParseGoals].
//   - From package handoff: [Response.WithTicket] reads an SLA ticket and
//     its first-touch deadline, [Decision.WithOutcome] an Accept, Reject or
//     Disqualify outcome (only procedural, clerical and definitional
//     returns are rejections), and [CriteriaOf] the scoring criteria
//     present on the lead.
//   - Building blocks usable alone: [Sketch] (mergeable quantiles within
//     1 %) and [Attribute] (exact multi-touch credits).
//
// # Worked example
//
//	path, detours := report.StagesOf(funnel.Default())
//	acc, err := report.NewAccumulator(report.Config{
//		Path: path, Detours: detours,
//		Location: madrid, Period: report.Month,
//		Window:     30 * 24 * time.Hour,
//		Dimensions: []string{"source"},
//		Goals:      goals, // from report.ParseGoals
//	})
//	for _, e := range events { // funnel.Event values from the host's log
//		if err := acc.AddEvent(e, sourceOf[e.Lead]); err != nil { ... }
//	}
//	for _, d := range deals {
//		acc.Add(report.DealRecord(d))
//	}
//	r := acc.Report()
//	r.WriteMarkdown(os.Stdout) // scorecard, funnel, what changed, trends
//
// Two MQLs in March (one of them recycled through Nurture and back) and
// one SQL give, for March: MQL first-time entries 2, all entries 3, flow
// MQL→SQL 1/3 (entries into SQL ÷ entries into MQL in March), and cohort
// MQL→SQL of the March MQL cohort = leads that reached SQL or later ÷ 2.
// The tests in kpi_test.go work a larger log out by hand, figure by figure.
//
// # Definitions
//
// These are the contract; users compare them with their CRM's figures.
//
// Periods. A record belongs to the calendar period (ISO week Monday to
// Sunday, month, quarter) that contains its civil date in
// [Config.Location]; period boundaries are local midnights, so a month
// across a daylight-saving change is still exactly that month. Labels:
// 2026-W09 (ISO week-year), 2026-03, 2026-Q1. The report lists every
// period from the first to the last with data (only those with data when
// they would span more than 3 000 periods). AsOf is [Config.AsOf] or, by
// default, the latest time of any record: event, touch and decision times,
// a closed deal's ClosedAt, a response's ActionAt, AssignedAt and
// TouchedAt (not SLA deadlines, which are promises, not happenings, nor a
// deal's CreatedAt). [Report.Current] is the period containing
// AsOf: the scorecard and the renderers' funnel use it; later periods may
// exist and hold only pending deadlines. Periods without data after the
// last one with data are not listed, so with a [Config.AsOf] later than
// every record the current period is the last one listed, before AsOf
// (the scorecard names it).
//
// Volumes. First-time entries into stage S in P: events into S in P whose
// [funnel.Event.FirstEntry] is set. All entries: every event into S in P
// (re-entries after recycling included). Population of S at the end of P:
// leads whose latest event up to the end of P put them in S (entries minus
// exits, accumulated since the first period; so it needs each lead's log
// from its first event: see Partial logs below).
//
// Reached. A lead reached stage B when it entered B or any later stage of
// [Config.Path]; skipped stages therefore do not distort conversion.
//
// Flow (period) conversion A→B in P ([KindFlow]): all entries into B in P
// ÷ all entries into A in P. It compares volumes, not people, and can
// exceed 100 %.
//
// Cohort conversion A→B for P ([KindCohort]): the cohort is the leads whose
// first entry into A (the event marked [funnel.Event.FirstEntry]) fell in
// P, so a cohort's members are the period's first-time entries into A; a
// member converted when its first entry
// into B-or-later came no more than [Config.Window] after its first entry
// into A (any time, with no window; a member that had reached B-or-later
// before entering A counts as converted with a lag of zero). Rate =
// converted ÷ members. Maturity: Mature when the end of P plus the window
// is at or before AsOf; MatureMembers counts the members whose own
// window (first entry into A + W) has closed by AsOf (every member when
// there is no window). Flow and cohort figures are separate fields and
// are never combined.
//
// Time in stage: the durations of finished stays of S ([funnel.Event.Stay]
// of the events leaving S), by the period of the exit: count, mean, min,
// max exact; median and p90 from a [Sketch]. Aging: for every lead, its
// current stage (its latest event by Version) and AsOf minus the time it
// entered it; reported per stage as of AsOf, never mixed with finished
// stays. Lead-to-customer cycle: first entry into [Config.Won] minus the
// lead's first event (its entry, the event with no From), by the period
// it became a customer.
//
// Partial logs. A log may start after some leads began (an export of this
// year only). Volumes, flow, time in stage, aging and the lead-to-customer
// cycles of leads whose first event is in the log stay exact. A lead whose
// earliest event into A in the log is not marked FirstEntry entered A
// before the log began: it is in no cohort of A; and a lead whose first
// event is not in the log has no lead-to-customer cycle. Population alone
// is off: the log holds exits from stays it has no entry for, so a stage
// that leads left after the log began shows fewer leads than it had
// (possibly fewer than none); feed such a lead's whole log, or read
// populations from the host's current states.
//
// Quantiles: the median is the value of rank ⌊0.5·(n−1)⌋ (0-based,
// ascending), p90 of rank ⌊0.9·(n−1)⌋, each within 1 % relative error
// ([SketchAccuracy]) plus at most half a nanosecond of rounding to a whole
// duration; the sketch's memory is bounded (at most 2 185 buckets of 8
// bytes) however many values it holds, and merging is exact.
//
// Win rate ([KindRatio]): won ÷ (won + lost) among the deals ([Deal]) whose
// ClosedAt falls in P. Average deal size: closed-won amount ÷ won deals.
// Sales cycle: ClosedAt − CreatedAt of the won deals. Pipeline velocity
// (money per day): Opportunities × win rate × average deal ÷ mean sales
// cycle in days, where Opportunities is all entries into
// [Config.Opportunity] in P; computed from the exact counts and sums with
// one rounding. Lead velocity rate ([KindGrowth]): (QL in P − QL in P−1) ÷
// QL in P−1, QL = first-time entries into [Config.Qualified]; undefined
// (Defined false, Value zero) when P−1 has none — nothing is ever divided
// by zero. Recycle rate ([KindFlow]): entries into [Config.Recycle] ÷ all
// entries into the Qualified stage; recycle yield: moves from the Recycle
// stage back to a path stage ÷ entries into the Recycle stage.
//
// Acceptance rate: accepted ÷ (accepted + rejected) decisions ([Decision])
// in P.
// Rejection mix: each reason's count ÷ rejections, most frequent first;
// per scoring criterion present at handoff: rejections ÷ decisions with
// that criterion present, and the reason mix among them (step 6 of the
// method).
//
// SLA compliance: handoffs ([Response]) touched at or before their
// deadline ÷ handoffs whose deadline fell in P at or before AsOf;
// untouched handoffs past their deadline are breaches; untouched ones whose
// deadline is still ahead are Pending and not counted. Speed to lead is
// measured from the lead's action (ActionAt, by its period), in bands
// [0, 5), [5, 15), [15, 60) and 60+ minutes, plus the untouched; response
// time is measured from assignment (AssignedAt → TouchedAt).
//
// Revenue: Won is the closed-won amount in P. Marketing-sourced,
// sales-sourced and other-sourced shares partition it by [Deal.Origin].
// Marketing-influenced share: won revenue of deals whose lead had a
// marketing [Touch] at or before the close ÷ won revenue. It overlaps the
// sourced shares and is never added to them.
//
// Attribution ([AttributionModel]): for each won deal, the lead's touches
// at or before the close, ordered by time, channel and milestone, share
// the amount under [FirstTouch], [LastTouch], [Linear], [UShaped],
// [WShaped] and [TimeDecay]; credits are summed per channel. Per deal the
// credits add up exactly to the amount: see [Attribute] for the
// largest-remainder rule (unit 10^-s with s = max(2, significant places),
// remainders to the largest fractional parts, ties to the earlier touch).
// Won deals with no touch are Unattributed.
//
// Goals and scorecard: see [Goal] for the metrics and [Score] for
// attainment and status (on track, at risk, missed, no data, pending:
// a cohort goal whose cohort is still immature and can still turn).
// [NewScorecard] scores the current period ([Report.Current]: the one
// containing AsOf, or the last before it) and shows the change from the
// one before it.
//
// Dimensions: with [Config.Dimensions], volumes, populations and flow
// rates are also given per value ([Segment]). Populations by dimension are
// meaningful when the values are attributes of the lead that do not change
// (source, region): the host passes the same values with every event of a
// lead.
//
// # Exactness and rounding
//
// Counts are int64, money is [decimal.Decimal], durations are
// [time.Duration] nanoseconds; no float64 reaches a result except through
// the sketch's documented 1 % bound. Every [Rate] keeps its exact Num and
// Den; Value is Num ÷ Den rounded once, half away from zero, to
// [RatePlaces] places. Money derived by division (average deal, pipeline
// velocity) is rounded once to [MoneyPlaces]. Shares of money are rounded
// to [RatePlaces]. The package never changes decimal's package-level
// settings; note that JSON output follows them (decimals are JSON strings
// by default).
//
// # Merging and encoding
//
// For any records R split into pieces in any way, accumulating each piece
// and merging the accumulators in any order and grouping gives the same
// [Report], and the same bytes from MarshalBinary, as one pass over R in
// any order: every figure is a sum, a minimum, a maximum or a union of
// per-lead facts, and everything order-dependent (touch lists, deal lists,
// map iteration) is sorted before use. Accumulators merge only when their
// configurations are equal (goals aside), the Location by its name and its
// offsets (two fixed zones of one name, or one zone name whose rules differ
// between two machines' time-zone databases, would put records in other
// periods); otherwise [ErrConfig].
//
// On a distributed engine the accumulator is a combiner: create with
// [NewAccumulator] (the same [Config] on every worker), add input with
// [Accumulator.Add], merge with [Accumulator.Merge], extract with
// [Accumulator.Report], and code it with [Accumulator.MarshalBinary] and,
// on a fresh NewAccumulator(cfg), [Accumulator.UnmarshalBinary]. Package
// reporttest checks the merge law for a given configuration.
//
// The binary form is "SMKA", a version byte (2; data of version 1 is
// still read), the configuration's
// fingerprint, then the state as varints and length-prefixed strings with
// maps in sorted order. UnmarshalBinary needs an accumulator built with the
// same configuration. Malformed input of any kind returns an error
// wrapping [ErrEncoding] (never a panic); every length is checked against
// the bytes left, so allocations stay proportional to the input.
//
// # Memory
//
// The accumulator's memory depends on periods × stages (3 counters and a
// sketch per stage and period) and on dimension values, never on the
// number of events. Cohort conversion, aging, lead-to-customer cycle,
// attribution, influence and SLA need per-lead facts: a record of 56
// bytes plus 8 per stage of Path (the lead ID inside it when it has at
// most 16 bytes, beside it otherwise) and 16 to 32 bytes of hash table,
// about 130 bytes per lead with the 7-stage default path (measured:
// 16.3 MB for 125 000 leads, the same after 125 000 or 1 000 000 events;
// see BENCHMARKS.md), plus each touch, won deal and handoff.
// [Config.NoLeadState] drops them.
//
// Speed: an event costs a period lookup, a stage lookup and a few
// counters; with lead state also a hash of the lead ID, one 8-byte slot
// and the lead's record, so a log in time order over many more leads than
// the CPU caches hold pays two or three cache misses an event, and a log
// grouped by lead (consecutive events of the same lead skip the hash)
// pays them once per lead. [Accumulator.AddEvents] looks the leads of
// several events up at once, so that their cache misses overlap: about
// 1.5 times as fast as AddEvent on a time-ordered log of a million leads.
// The hash seed is random per accumulator, as Go's maps' are; it affects
// where a lead is kept, never a result.
//
// # Concurrency, determinism and zero values
//
// [Accumulator] is not safe for concurrent use: give each goroutine its
// own and merge them. [Report] and the other result types are plain values,
// safe to share once built. The package keeps no global state, starts no
// goroutine, does no I/O except to the [io.Writer] a renderer is given,
// and never reads the clock: "now" is [Config.AsOf] or the latest record
// time. The same records give the same report and the same rendered bytes.
// The zero [Accumulator] returns [ErrConfig] (use [NewAccumulator]); the
// zero [Sketch] is empty and ready; the zero [Report] renders as an empty
// report.
//
// # JSON schema (smarketing.report/v1)
//
// [Report.WriteJSON] writes one object: schema (the string
// "smarketing.report/v1"), granularity, location, as_of (RFC 3339),
// cohort_window_ns, stages [{stage, rank}] (rank −1 for detours),
// periods [...], aging [{stage, open}], segments [{dimension, value,
// periods [{label, stages, flow}]}] and scorecard {period, previous,
// lines [{goal {metric, label, target, at_most, at_risk}, actual,
// actual_defined, attainment, attainment_defined, previous,
// previous_defined, change, status, immature, previous_immature}]} (a
// goal is also the element of the array [ParseGoals] reads). Each period
// has label, start, end, stages [{stage, first_entries, entries,
// population, time_in_stage}], flow and cohort [{from, to, rate, (mature,
// mature_members)}], lead_to_customer, outcomes {win_rate, won_amount,
// average_deal, average_deal_defined, sales_cycle, opportunities,
// pipeline_velocity_per_day, pipeline_velocity_defined, qualified_leads,
// lead_velocity_rate, recycle_rate, recycle_yield}, revenue {won,
// marketing_sourced, sales_sourced, other_sourced, marketing_influenced,
// attribution [{model, credits [{channel, amount}], unattributed}]} and
// service {acceptance, rejections [{reason, share (a rate)}], by_criterion
// [{criterion, rejected, reasons}], sla_compliance, sla_pending,
// speed_to_lead {under_5m, from_5m_under_15m, from_15m_under_60m,
// from_60m, untouched}, response_time}. A rate is {kind, num, den,
// defined, value}; a share is {kind, amount, of, defined, value}; a
// velocity is {count, median_ns, p90_ns, mean_ns, min_ns, max_ns}.
// Decimals are strings, durations integer nanoseconds. The field names are
// the json tags of the Go types, which are authoritative.
package report
