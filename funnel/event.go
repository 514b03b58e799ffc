package funnel

import "time"

// MoveKind classifies a move by where it goes relative to the model's
// forward path.
type MoveKind string

const (
	// MoveEntry is a contact's first move, from no stage into the model.
	MoveEntry MoveKind = "entry"
	// MoveForward goes to the next forward stage.
	MoveForward MoveKind = "forward"
	// MoveSkip goes to a later forward stage, skipping one or more.
	MoveSkip MoveKind = "skip"
	// MoveBackward goes to an earlier forward stage (always with a reason).
	MoveBackward MoveKind = "backward"
	// MoveDetour leaves the forward path for a detour or terminal stage
	// (always with a reason).
	MoveDetour MoveKind = "detour"
	// MoveReturn comes back from a detour to a forward stage (always with a
	// reason), such as Nurture → MQL after recycling.
	MoveReturn MoveKind = "return"
	// MoveAcross goes from one detour to another (Lost → Nurture).
	MoveAcross MoveKind = "across"
)

// Event is the audit record of one successful move: what the host appends
// to its log, in the same transaction as the new [State]. Replaying a
// contact's events with [Model.Replay] rebuilds its state exactly.
//
// Event is a plain value, safe to copy and to share between goroutines.
// Its JSON form uses snake_case keys; times are RFC 3339 with nanoseconds
// and durations are integer nanoseconds.
type Event struct {
	// ID is the host's event ID, copied from [Move.EventID].
	ID string `json:"id,omitempty"`
	// Lead is the contact's ID, copied from [State.Lead].
	Lead string `json:"lead,omitempty"`
	// Model is the ID of the model that produced the event.
	Model string `json:"model,omitempty"`
	// Version is the state's version after this event: 1 for the first
	// event of a contact, then 2, 3, ... without gaps.
	Version uint64 `json:"version"`
	// At is when the move happened.
	At time.Time `json:"at"`
	// From is the stage left; empty for the entry move.
	From Stage `json:"from,omitempty"`
	// To is the stage entered.
	To Stage `json:"to"`
	// Kind classifies the move.
	Kind MoveKind `json:"kind"`
	// Actor, Reason and Note are copied from the move.
	Actor  string     `json:"actor,omitempty"`
	Reason ReasonCode `json:"reason,omitempty"`
	Note   string     `json:"note,omitempty"`
	// FirstEntry is true when this is the contact's first entry into To,
	// so reports count first-time and all entries without keeping state.
	FirstEntry bool `json:"first_entry"`
	// Stay is how long the contact had been in From when it left (the
	// closed stay this move ends); zero for the entry move.
	Stay time.Duration `json:"stay_ns"`
}

// IsZero reports whether e is the zero Event, which [Model.Apply] returns
// for a no-op move (a move to the current stage). Hosts append only
// non-zero events.
func (e Event) IsZero() bool { return e.Version == 0 }

// Equal reports whether e and o describe the same event, comparing times
// with [time.Time.Equal] so that values decoded from JSON compare equal to
// the originals.
func (e Event) Equal(o Event) bool {
	return e.ID == o.ID && e.Lead == o.Lead && e.Model == o.Model &&
		e.Version == o.Version && e.At.Equal(o.At) && e.From == o.From &&
		e.To == o.To && e.Kind == o.Kind && e.Actor == o.Actor &&
		e.Reason == o.Reason && e.Note == o.Note &&
		e.FirstEntry == o.FirstEntry && e.Stay == o.Stay
}
