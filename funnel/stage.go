package funnel

import (
	"fmt"
)

// Stage identifies a lifecycle stage, such as [MQL]. It is a short, stable
// identifier: 1 to 64 bytes of lower-case ASCII letters, digits and
// underscores, starting with a letter. Display names belong in
// [StageSpec.Label]. The zero value is "no stage" (a contact not yet in the
// funnel).
//
// Stage implements [encoding.TextMarshaler] and [encoding.TextUnmarshaler];
// decoding rejects malformed identifiers with an error wrapping
// [ErrInvalidStage].
type Stage string

// The stages of the [Default] lifecycle.
const (
	Subscriber   Stage = "subscriber"
	Lead         Stage = "lead"
	MQL          Stage = "mql"
	SQL          Stage = "sql"
	Opportunity  Stage = "opportunity"
	Customer     Stage = "customer"
	Evangelist   Stage = "evangelist"
	Nurture      Stage = "nurture"
	Disqualified Stage = "disqualified"
	Lost         Stage = "lost"
)

// The stages that the [Waterfall] lifecycle adds to the default ones.
const (
	Inquiry Stage = "inquiry"
	SAL     Stage = "sal"
	Won     Stage = "won"
)

// maxIdentLen bounds every identifier (stages, reason codes, guard names).
const maxIdentLen = 64

// validIdent reports whether s is a well-formed identifier.
func validIdent(s string) bool {
	if len(s) == 0 || len(s) > maxIdentLen {
		return false
	}
	if s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Valid reports whether s is a well-formed stage identifier. It says nothing
// about whether a given model declares s.
func (s Stage) Valid() bool { return validIdent(string(s)) }

// String returns the identifier itself.
func (s Stage) String() string { return string(s) }

// MarshalText encodes s; it fails for a malformed non-empty identifier.
func (s Stage) MarshalText() ([]byte, error) {
	if s != "" && !s.Valid() {
		return nil, fmt.Errorf("%w: %q", ErrInvalidStage, string(s))
	}
	return []byte(s), nil
}

// UnmarshalText decodes a stage identifier. Empty text decodes to the zero
// Stage; malformed text returns an error wrapping [ErrInvalidStage] and
// leaves s unchanged.
func (s *Stage) UnmarshalText(text []byte) error {
	if len(text) > 0 && !validIdent(string(text)) {
		if len(text) > maxIdentLen {
			text = append(text[:maxIdentLen:maxIdentLen], "..."...)
		}
		return fmt.Errorf("%w: %q", ErrInvalidStage, text)
	}
	*s = Stage(text)
	return nil
}

// Team is the team that owns the contacts in a stage.
type Team string

// The teams of the method.
const (
	Marketing       Team = "marketing"
	Sales           Team = "sales"
	CustomerSuccess Team = "customer_success"
)

// Valid reports whether t is one of the known teams.
func (t Team) Valid() bool {
	switch t {
	case Marketing, Sales, CustomerSuccess:
		return true
	}
	return false
}

// Kind says what part a stage plays in the lifecycle.
type Kind string

const (
	// Forward stages form the main path, in the order the spec lists them.
	// Moving to a later forward stage is a forward move.
	Forward Kind = "forward"
	// Detour stages sit beside the main path (Nurture, Lost): they are
	// entered and left only along declared moves, each with a reason.
	Detour Kind = "detour"
	// Terminal stages have no way out (Disqualified).
	Terminal Kind = "terminal"
)

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	switch k {
	case Forward, Detour, Terminal:
		return true
	}
	return false
}

// ReasonCode names why a move happened, such as "no_budget". It follows the
// same identifier rules as [Stage]. A model lists the codes it accepts.
type ReasonCode string

// Valid reports whether r is a well-formed reason identifier.
func (r ReasonCode) Valid() bool { return validIdent(string(r)) }
