// Package funnel is the lifecycle state machine of the SMarketing method:
// the stages a contact goes through (Subscriber → Lead → MQL → SQL →
// Opportunity → Customer → Evangelist, or any custom lifecycle), the moves
// allowed between them, the reason codes that backward moves and detours
// must carry, and the per-stage facts that reports rely on.
//
// It is pure: no I/O, no clock, no goroutines, no global state. The host
// owns storage and time; the package owns the rules.
//
// # Models
//
// A [Spec] describes a lifecycle as plain data: [StageSpec] values in
// order (each with a [Team] and a [Kind]: [Forward], [Detour] or
// [Terminal]), declared [MoveSpec] edges with their [ReasonCode] values,
// the [ReasonSpec] list, and named [Guard] checks. [New] validates it,
// reporting every problem at once as [*SpecError] values with the path of
// the field at fault, and compiles it into an immutable [*Model] that is
// safe for concurrent use. [MustNew] panics instead, for package-level
// variables.
//
// The forward path is implicit: the Forward stages in the order listed.
// The next forward stage is always reachable; later ones too when
// [Spec.AllowSkip] is set (without it, a skip declared in [Spec.Moves] is
// allowed too). Every other move must be declared and carries a reason:
// [MoveBackward] to an earlier forward stage, [MoveDetour] from the path to
// a detour or terminal, [MoveReturn] from a detour back to the path,
// [MoveAcross] between detours. Terminal stages have no way out. A new
// contact enters at [Model.Entry] (or, with AllowSkip, any later forward
// stage), or where a declared entry move (one with an empty
// [MoveSpec.From]) lets it; entry moves carry reasons and guards like any
// other. [Model.Rank] gives a stage's position on the forward path, which
// is how reports read "reached B or any later stage".
//
// Presets: [Default] (the SMarketing funnel with Nurture, Lost and
// Disqualified) and [Waterfall] (SiriusDecisions: Inquiry, MQL, SAL, SQL,
// Won). Start from [DefaultSpec] or [WaterfallSpec] to add, rename,
// reorder or remove stages. The reason codes they use are constants
// ([ReasonBadTiming], [ReasonBadFit], ...).
//
// # Moves
//
// The host keeps one [State] per contact (a JSON column beside its row)
// and asks for a change with a [Move]:
//
//	m := funnel.Default() // once, shared
//
//	s := funnel.State{Lead: "ada@example.com"}
//	s, ev, err := m.Apply(s, funnel.Move{To: funnel.MQL, At: now, Actor: "scoring", EventID: id})
//	if err != nil { ... }       // a *MoveError; s is unchanged
//	if !ev.IsZero() { ... }     // store s and append ev in one transaction
//
// [Model.Apply] returns the new state and an [Event], the audit record to
// append to the host's log; a move to the current stage is a no-op that
// returns the state unchanged and the zero Event. Refusals are
// [*MoveError] values matching one sentinel each: [ErrInvalidMove],
// [ErrUnknownStage], [ErrDuplicateEvent], [ErrVersionConflict] (optimistic
// concurrency with [Move.CheckVersion]), [ErrTimeTravel], [ErrNotAllowed],
// [ErrReasonRequired], [ErrUnknownReason], [ErrGuard] (with the guard's
// own error) and [ErrInvalidState] ([Model.CheckState] checks a stored
// state in full before it is trusted). [Model.Can] runs the same checks
// without moving. [Model.ApplyTo] is the same operation on pointers, for
// hot loops.
//
// Apply works like append: the returned state may share its Facts storage
// with the state passed in, so a successful Apply allocates nothing once
// the contact has entered its stages. Keep the returned value, and call
// [State.Clone] first when the old value must survive.
//
// # Facts
//
// The state keeps, for every stage the contact entered, the facts CRM
// users rely on ([StageFacts]): first entered, last entered, last exited,
// number of entries and cumulative time of the finished stays; and
// [State.TimeIn] adds the open stay as of a given time. Each Event says
// whether it is the contact's first entry into its stage and how long the
// stay it closes lasted, so reports count first-time and all entries
// without keeping state.
//
// # Replay
//
// [Model.Replay] rebuilds a state from its event log and returns exactly
// the state that the Apply calls produced. It reports, with the event's
// position in a [*ReplayError], duplicate event IDs, version gaps, moves
// the model forbids and events whose derived fields (From, Kind,
// FirstEntry, Stay) disagree with the model; a re-delivered copy of the
// previous event is skipped.
//
// # JSON
//
// [Spec], [Stage], [State] and [Event] marshal to stable snake_case JSON
// (times in RFC 3339 with nanoseconds, durations in integer nanoseconds,
// keys as in their struct tags). [ParseSpec] decodes a spec strictly
// (unknown fields, trailing data and oversized input are errors) and
// [Load] builds the model with the same validation as New; guards, being
// code, are attached by name when loading.
//
// # Pictures
//
// [Model.WriteMermaid] and [Model.WriteDOT] draw the lifecycle
// (deterministically, so they can be committed and diffed): the forward
// path in team colours, detours dashed, terminals grey, and every declared
// move labelled with its reasons and guards.
//
// # Testing a lifecycle
//
// Package [github.com/smarketing/smarketing/funnel/funneltest] checks a
// host's own model in CI (every stage reachable, terminals closed, reasons
// on every backward edge, ...) and provides rapid generators of valid and
// invalid move sequences.
//
// # Determinism and concurrency
//
// Every function returns the same output for the same input: declaration
// order is kept and no map order leaks into results. A [*Model] is
// immutable and safe for concurrent use; [Spec], [State], [Event] and
// [Move] are plain values (a State shares Facts storage with the state it
// came from, see above). Guards must be pure and safe for concurrent use.
package funnel
