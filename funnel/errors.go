package funnel

import "errors"

// Sentinel errors. Every error the package returns wraps one of these, so
// hosts test with [errors.Is]; the typed errors ([MoveError], [SpecError],
// [ReplayError]) carry the details for [errors.As].
var (
	// ErrInvalidStage: a stage identifier is malformed (see [Stage]).
	ErrInvalidStage = errors.New("funnel: invalid stage identifier")
	// ErrUnknownStage: the model does not declare the stage.
	ErrUnknownStage = errors.New("funnel: unknown stage")
	// ErrNotAllowed: the model has no such move from the current stage.
	ErrNotAllowed = errors.New("funnel: move not allowed")
	// ErrReasonRequired: the move needs a reason code and has none.
	ErrReasonRequired = errors.New("funnel: reason required")
	// ErrUnknownReason: the reason code is not one the model (or the
	// edge) accepts.
	ErrUnknownReason = errors.New("funnel: reason not allowed")
	// ErrTimeTravel: the move is dated before the state's last move.
	ErrTimeTravel = errors.New("funnel: move earlier than the last move")
	// ErrVersionConflict: the state's version is not the one the move
	// expected (optimistic concurrency: re-read and retry).
	ErrVersionConflict = errors.New("funnel: version conflict")
	// ErrGuard: a guard attached to the move refused it.
	ErrGuard = errors.New("funnel: guard refused the move")
	// ErrInvalidMove: the move itself is malformed (no target, zero time,
	// or a time JSON cannot hold: outside the years 0 to 9999, or in a zone
	// a day or more away from UTC or whose offset has seconds).
	ErrInvalidMove = errors.New("funnel: invalid move")
	// ErrInvalidSpec: a [Spec] failed validation.
	ErrInvalidSpec = errors.New("funnel: invalid spec")
	// ErrReplay: an event log cannot be replayed (duplicate IDs, version
	// gaps, moves the model forbids, facts that disagree). A [ReplayError]
	// matches it together with the precise cause.
	ErrReplay = errors.New("funnel: replay failed")
	// ErrDuplicateEvent: an event ID was seen before (in a log given to
	// [Model.Replay]), or a move reuses the state's last event ID for a
	// different move.
	ErrDuplicateEvent = errors.New("funnel: duplicate event ID")
	// ErrVersionGap: an event's version is not the previous one plus one.
	ErrVersionGap = errors.New("funnel: version gap")
	// ErrEventMismatch: a recorded event disagrees with what the model
	// derives from it (From, Kind, FirstEntry, Stay, Lead), or records a move
	// to the stage the contact was already in.
	ErrEventMismatch = errors.New("funnel: event disagrees with the model")
	// ErrInvalidState: the state given to [Model.Apply] is inconsistent
	// (its current stage has no facts, it has facts but no stage, it has a
	// stage at version 0 or a version but no stage, so the event would not
	// be the one Replay expects, or its version is math.MaxUint64, after
	// which the next version would wrap to 0, the version of the zero
	// Event), or, from [Model.CheckState],
	// fails one of the checks listed there.
	ErrInvalidState = errors.New("funnel: inconsistent state")
)
