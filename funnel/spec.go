package funnel

// Spec is the plain description of a lifecycle that [New] validates and
// compiles into a [Model]. Build it in Go or load it from JSON with
// [ParseSpec]; start from [DefaultSpec] or [WaterfallSpec] to customise
// (add, rename, reorder or remove stages).
//
// Spec is a plain value; [New] deep-copies it, so it may be reused and
// changed after building a model.
//
// The forward path is implicit: the Forward stages in the order listed.
// Moving to the next one is always allowed, to a later one when AllowSkip
// is set. Every other move (backward, into or out of a detour) must be
// declared in Moves, with the reason codes it accepts. A new contact enters
// at Entry (with AllowSkip, at any later forward stage too); a declared
// entry move (a [MoveSpec] with an empty From) guards an entry, restricts
// its reasons, or opens another forward stage as an entry.
type Spec struct {
	// ID names the model; it is copied to every event.
	ID string `json:"id"`
	// Entry is the stage a new contact enters first. Empty means the first
	// Forward stage. With AllowSkip a contact may also enter at any later
	// forward stage (an imported customer, say); with or without it, at the
	// target of any declared entry move.
	Entry Stage `json:"entry,omitempty"`
	// AllowSkip lets forward moves skip stages (Lead → SQL).
	AllowSkip bool `json:"allow_skip"`
	// Stages lists every stage, the forward ones in path order.
	Stages []StageSpec `json:"stages"`
	// Moves declares the edges beyond the plain forward path, forward edges
	// that carry guards, and entry moves (From empty).
	Moves []MoveSpec `json:"moves,omitempty"`
	// Reasons lists every reason code the model accepts.
	Reasons []ReasonSpec `json:"reasons,omitempty"`
	// Guards are the host's checks, referred to by name from
	// [MoveSpec.Guards]. They are code, so they are not part of the JSON
	// form: attach them after [ParseSpec].
	Guards []Guard `json:"-"`
}

// StageSpec declares one stage.
type StageSpec struct {
	ID    Stage  `json:"id"`
	Label string `json:"label,omitempty"`
	Team  Team   `json:"team"`
	Kind  Kind   `json:"kind"`
}

// MoveSpec declares one edge From → To.
type MoveSpec struct {
	// From is the stage left. Empty declares an entry move: a new contact
	// may enter at To, which must be a forward stage (even one past Entry
	// without AllowSkip), under this move's reasons and guards. Declaring
	// one is the way to guard an entry: with AllowSkip, a rule such as "SQL
	// needs an owner" must be attached to the entry move into SQL as well as
	// to the moves into it from other stages.
	From Stage `json:"from"`
	To   Stage `json:"to"`
	// Reasons are the codes this edge accepts. Backward moves, detours,
	// returns and moves across detours require one of them; a forward edge
	// or an entry move may leave it empty (any code of the model is then
	// accepted, and none required).
	Reasons []ReasonCode `json:"reasons,omitempty"`
	// Guards name entries of [Spec.Guards] that must all pass.
	Guards []string `json:"guards,omitempty"`
}

// ReasonSpec declares one reason code with a human label.
type ReasonSpec struct {
	Code  ReasonCode `json:"code"`
	Label string     `json:"label,omitempty"`
}

// Guard is a host rule attached to moves by name, such as "sql_needs_owner".
// Check returns nil to allow the move, or an error that says why not; the
// model wraps it in a [MoveError] matching [ErrGuard]. Check must be pure
// and safe for concurrent use: [Model.Apply] and [Model.Can] call it. It
// must not modify the state's Facts, which it shares with the caller.
// Guards attach to moves, not to stages: to enforce a rule on every way
// into a stage, attach it to each move into it, entry moves included (see
// [MoveSpec.From]). Guards run after every other check, in the order the
// move lists them; [Model.Replay] does not run them (they judged the
// decision when it was made).
type Guard struct {
	Name  string
	Check func(s State, m Move) error
}
