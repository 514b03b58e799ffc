// Package handoff decides when a lead passes between marketing and sales,
// within what time, to whom, and how it comes back: steps 4 and 6 of the
// SMarketing method. It composes package funnel (the lifecycle) and package
// scoring (fit and interest), and like them it is pure: the host passes
// states, scores, rosters, clocks and calendars in, and gets decisions,
// moves, deadlines and assignments back as data to apply and store in its
// own transaction.
//
// # Overview
//
//   - Policies as data. A [Policy] is an ordered list of named rules
//     ([Rule], [PolicySpec], in Go or JSON via [ParsePolicySpec]).
//     [Policy.Decide] reads an [Input] (the lead's [funnel.State], its
//     latest [scoring.Result], the [Activity] that just happened, its
//     [RecycleState]) and returns a [Decision]: the rule that fired, its
//     [Verdict] (promote, hand off, fast-track, nurture, offer gap, do not
//     contact, disqualify, hold), the [funnel.Move] for the host to apply,
//     the SLA tier, an explanation that includes the score's own
//     ([scoring.Result.Explain]) and a [Step] trace of the rules that did
//     not fire and why. [DefaultPolicySpec] implements the method's 2×2
//     matrix and the fast track for demo requests.
//   - Acceptance. [Acceptance] is sales' side: [Acceptance.Accept],
//     [Acceptance.Reject] with a closed set of rejection classes
//     ([Procedural], [Clerical], [Definitional]) and [Acceptance.Disqualify]
//     after contact ([AfterContact]: no budget, no need, bad timing,
//     competitor, student, ...). [DefaultReasons] is the documented catalog;
//     hosts append to it in Go, or list a whole catalog of their own in
//     JSON ([ParseAcceptanceConfig]: a reasons list replaces the default
//     one). A rejection always returns the lead to a marketing stage
//     ([NewAcceptance] refuses a rejection reason aimed at a sales stage).
//     Each call returns an [Outcome]: the move (its reason code goes on the
//     audit event) and the new [RecycleState].
//   - Recycling. A lead that goes back to nurture waits a cooldown before a
//     policy may qualify it again, is disqualified after
//     [RecycleSpec.MaxRecycles] (at once with [RecycleSpec.NoRecycling]),
//     and remembers who sent it back
//     ([RecycleState.RejectedBy], passed to routing as [Request.Exclude])
//     so routing never returns it to them. The count, the cooldown and
//     every return with its reason ([Return]) live in the [RecycleState]
//     the host stores next to the lead.
//   - Service levels. An [SLA] ([SLASpec], [DefaultSLASpec]) has tiers by
//     priority, each with targets ([TargetAccept], [TargetFirstTouch])
//     counted from the lead's action (speed to lead, [FromAction]) or from
//     the assignment (response time, [FromAssignment]), a minimum number of
//     attempts, and escalations. [SLA.Evaluate] reads a host-stored
//     [Ticket] and returns a [Report]: one [Clock] per target with its
//     deadline and [Status] (waiting, pending, due soon, met, breached), the
//     escalations due ([Escalation]), and the attempts left. Met means done
//     at or before the deadline; a target not done by its deadline is
//     breached, as the brief's compliance (touched within the deadline ÷
//     deadlines due) counts it. When the lead leaves sales, its report at
//     that instant is final (see [SLA.Evaluate]).
//   - Business calendars. Deadlines count business time through the
//     [Calendar] interface. [Weekly] ([CalendarSpec], [NewWeekly],
//     [ParseCalendarSpec]) has working periods ([Span]) per weekday in one
//     *time.Location, [Date] holidays and [Interval] pauses; [Continuous]
//     counts every instant.
//   - Routing. A [Router] ([RoutingSpec], [RouteRule]) sends a [Request] to a
//     queue by territory and segment, then picks the next [Rep] in turn:
//     least recently assigned first, weighted by capacity ([Rep.Weight],
//     which the host derives from each rep's capacity), skipping reps who
//     are away, at capacity ([Rep.Capacity]) or excluded. The host passes
//     the roster and the [Rotation] state and stores the one it gets back.
//     An owned lead keeps its owner unless an escalation reassigns it.
//   - Test kit. Package handoff/handofftest checks a host's own policy
//     (every quadrant handled, no forbidden move, no shadowed rule), the
//     laws of a host's own Calendar, and draws rapid inputs.
//
// # Worked example
//
// An MQL fills the pricing form on a Friday afternoon in Madrid. The host
// scores it, asks the policy, applies the move, routes the lead and opens
// its SLA ticket (a lead still at Lead would get "promote" to MQL first):
//
//	model := funnel.Default()
//	policy, _ := handoff.DefaultPolicy(model)
//	d, _ := policy.Decide(handoff.Input{State: st, Score: &res, Now: now})
//	// d.Rule == "hand_off", d.Verdict == handoff.VerdictHandOff, d.Tier == "standard"
//	st, ev, err := model.Apply(st, d.Move) // the host's transaction: store st, append ev
//
//	a, rot2, err := router.Assign(roster, rot, handoff.Request{Lead: st.Lead, Territory: "es", Exclude: rs.RejectedBy})
//	ticket := handoff.Ticket{Tier: d.Tier, ActionAt: formAt, AssignedAt: now}
//
//	rep, _ := sla.Evaluate(madrid, ticket, later) // deadlines in Madrid business hours
//	for _, e := range rep.Escalations { /* remind, alert, reassign: once per e.Name */ }
//
//	// The rep rejects it: not the agreed definition.
//	o, err := acc.Reject(st, rs, handoff.Rejection{Rep: a.Rep, Code: funnel.ReasonBadFit, At: t})
//	st, ev, err = model.Apply(st, o.Move) // store st and o.Recycle together
//
// The runnable examples of [Policy.Decide], [Acceptance.Reject],
// [SLA.Evaluate], [Weekly.Add] and [Router.Assign] show each step with its
// output.
//
// # Business time and daylight saving
//
// An instant is business time in a [Weekly] calendar when its local
// wall-clock time falls in a span of its local weekday, its local date is
// not a holiday and no pause covers it. So a 09:00-17:00 day is eight hours
// on the days clocks change, a wall time that a spring-forward change skips
// does not exist, and one that a fall-back change repeats counts twice.
// [Calendar.Add] returns the earliest instant at which the duration has
// passed (for a positive duration, inside working time or at the very end
// of a working period); the laws it keeps are listed on [Calendar] and
// property-tested in Europe/Madrid and America/New_York across their
// daylight-saving weeks and the year end, and in America/Santiago (clocks
// change at midnight) and Australia/Lord_Howe (by half an hour), against an
// independent wall-clock oracle. The last day of a leap year past a zone's
// explicit transitions (31 December 2040 with the embedded database) is
// tested too: there [time.Time.ZoneBounds] reports an offset period that
// ends before the instant (Go issue 81583), which [Weekly] works around.
//
// Edge cases, each pinned by a test: a zero or negative duration returns
// the start itself (in the calendar's location); a week without working
// hours is refused by [NewWeekly] ([ErrNoWorkingTime]) rather than searched
// for ever; a [Weekly] counts years 1 to 9999 (UTC), the years a [Date] and
// time.Time's JSON form hold, so a pause that never ends, or a duration
// longer than the working hours left, makes Add saturate at
// 10000-01-01T00:00:00Z ([TimeLineEnd], which means "never": [SLA.Evaluate]
// reports such a deadline as [Clock.NoDeadline], so every report marshals
// to JSON; a pause for ever ends at 9999-12-31T23:59:59Z, and a pause
// JSON cannot write is refused) instead of looping; Between saturates at the
// largest Duration, as [time.Time.Sub] does, so the zero time.Time a host
// forgot to fill gives a huge positive duration, never a wrapped negative
// one; working-hour boundaries inside a spring-forward gap or a fall-back
// overlap follow the wall clock. Every call ends in bounded time: its cost
// grows with the holidays, pauses and clock changes it crosses (about two a
// year in a zone with daylight saving, so at most about 20 000), since
// whole weeks free of them are skipped at once.
//
// # Errors
//
// Constructors ([NewWeekly], [NewSLA], [NewRouter], [NewAcceptance],
// [NewPolicy]) validate everything and report every problem at once,
// joined with [errors.Join], each a [*SpecError] carrying the JSON path of
// the field at fault and matching [ErrInvalidSpec]. The Parse functions
// report their problems the same way, with array indexes in the path
// ("rules[2].then.to"), and refuse what encoding/json would silently
// change: input that is not UTF-8 and a key given twice in one object
// (see [ParseCalendarSpec]). Calls return errors
// wrapping the sentinels ([ErrNotHandedOff], [ErrUnknownReason],
// [ErrNoEligibleRep], ...) or funnel's [*funnel.MoveError]; test them with
// [errors.Is] and [errors.As]. Nothing panics on data; the Must functions
// panic on invalid specs and are meant for package-level variables.
//
// # Concurrency, determinism and zero values
//
// Compiled values ([*Weekly], [*SLA], [*Router], [*Acceptance], [*Policy])
// are immutable and safe for concurrent use by any number of goroutines;
// [Continuous] is a stateless value. Every function is pure and
// deterministic: it reads no clock (time is always a parameter), draws no
// random numbers, starts no goroutines, keeps no global state and lets no
// map order leak into results. Inputs are never modified: [Router.Assign]
// returns a new [Rotation], Reject and Disqualify a new [RecycleState].
//
// The zero [RecycleState] is a lead never sent back, the zero [Rotation]
// the start of a rotation, the zero [Ticket] a clock not started, and the
// zero [RecycleSpec] the documented defaults (30-day cooldown, three
// recycles). The zero values of the compiled types are not usable: build
// them with their constructors.
//
// # Exact numbers
//
// Score thresholds and SLA shares are [decimal.Decimal]; comparisons are
// exact, and an escalation at share f of a target's time d falls at d×f
// truncated to the nanosecond. Spec decimals are limited to 40 digits and
// exponents within ±30, so no evaluation has to build huge powers of ten.
package handoff
