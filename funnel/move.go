package funnel

import "time"

// Move asks a [Model] to take a contact to another stage. The host builds
// one for every lifecycle change it wants (a form fill, a sales decision, a
// handoff rule) and passes it to [Model.Apply] with the contact's [State].
//
// The zero value is not a valid move: To and At are required. Move is a
// plain value, safe to copy and share.
type Move struct {
	// To is the target stage.
	To Stage `json:"to"`
	// At is when the move happened, in the host's clock. It must not be
	// earlier than the state's last move ([ErrTimeTravel]), its year (in
	// its own zone) must be between 0 and 9999, the range of RFC 3339 JSON,
	// and its zone's UTC offset less than a day in whole minutes, which
	// is what RFC 3339 can write (a [time.FixedZone] of 24 hours or more,
	// or a zone's local mean time before standard time, such as
	// Amsterdam's +00:19:32 until 1937: [ErrInvalidMove]), so that every
	// state and event Apply produces marshals and reads back the same. Times are compared and subtracted by their wall clock; a
	// monotonic reading (from time.Now) is ignored, as it is lost when the
	// event is stored.
	At time.Time `json:"at"`
	// Actor says who or what made the move: a user ID, a rule name,
	// "system". Copied to the event; never interpreted.
	Actor string `json:"actor,omitempty"`
	// Reason is required for backward moves, detours, returns and moves
	// across detours, and must then be one the model allows on that edge.
	// Optional on entry, forward and skip moves; when given it must still be
	// one the edge lists or, if the edge lists none, a code the model
	// declares.
	Reason ReasonCode `json:"reason,omitempty"`
	// Note is free text copied to the event (a rep's comment).
	Note string `json:"note,omitempty"`
	// EventID is the host's identifier for the resulting event (a UUID, a
	// log offset). Optional, but when set it makes re-delivery detectable:
	// see [State.LastEventID] and [Model.Replay].
	EventID string `json:"event_id,omitempty"`
	// CheckVersion turns on optimistic concurrency: the move fails with
	// [ErrVersionConflict] unless the state's Version equals
	// ExpectedVersion (the version the host read before deciding).
	CheckVersion    bool   `json:"check_version,omitempty"`
	ExpectedVersion uint64 `json:"expected_version,omitempty"`
}
