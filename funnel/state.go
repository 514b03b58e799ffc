package funnel

import (
	"slices"
	"time"
)

// State is one contact's lifecycle position and history, owned and stored
// by the host (for instance as a JSON column next to its version). The zero
// value, with Lead set, is a contact not yet in the funnel.
//
// State is a plain value: safe to copy and to read from several
// goroutines, but, like a slice, not to move concurrently from two of them.
// [Model.Apply] works like the built-in append: on success the returned
// state may share the Facts storage of the state passed in, so keep using
// the returned value and call [State.Clone] first if the old one must be
// kept. On error the state passed in is untouched.
type State struct {
	// Lead is the host's contact ID, copied to every event.
	Lead string `json:"lead,omitempty"`
	// Stage is the current stage; empty before the first move.
	Stage Stage `json:"stage,omitempty"`
	// Version counts the events applied: 0 before the first move.
	Version uint64 `json:"version"`
	// Since is when the contact entered the current stage.
	Since time.Time `json:"since"`
	// LastEventID is the ID of the last event applied, for detecting
	// re-delivery.
	LastEventID string `json:"last_event_id,omitempty"`
	// Facts holds one entry per stage the contact has ever entered, in the
	// order of first entry.
	Facts []StageFacts `json:"facts,omitempty"`
}

// StageFacts are the per-stage facts CRM users rely on (HubSpot keeps the
// same): when a contact first and last entered a stage, when it last left
// it, how many times it entered, and the cumulative time of its finished
// stays (re-entries included). The open stay is counted by [State.TimeIn].
type StageFacts struct {
	Stage        Stage     `json:"stage"`
	FirstEntered time.Time `json:"first_entered"`
	LastEntered  time.Time `json:"last_entered"`
	// LastExited is the zero time while the contact has never left.
	LastExited time.Time `json:"last_exited,omitzero"`
	Entries    int       `json:"entries"`
	// Cumulative is the total time of the finished stays.
	Cumulative time.Duration `json:"cumulative_ns"`
}

// Fact returns the facts kept for stage st, and false if the contact never
// entered it.
func (s State) Fact(st Stage) (StageFacts, bool) {
	for _, f := range s.Facts {
		if f.Stage == st {
			return f, true
		}
	}
	return StageFacts{}, false
}

// TimeIn returns the total time the contact has spent in stage st as of
// now: the finished stays plus, when st is the current stage, the open
// stay up to now (never negative: a now before Since counts as Since;
// saturating instead of overflowing). Times compare by the wall clock.
func (s State) TimeIn(st Stage, now time.Time) time.Duration {
	f, ok := s.Fact(st)
	if !ok {
		return 0
	}
	d := f.Cumulative
	// Wall clock only, like Apply: monotonic readings are ignored.
	if now, since := now.Round(0), s.Since.Round(0); s.Stage == st && now.After(since) {
		if open := now.Sub(since); d > maxDuration-open {
			d = maxDuration
		} else {
			d += open
		}
	}
	return d
}

// Clone returns a deep copy of s that later moves on either copy cannot
// affect.
func (s State) Clone() State {
	s.Facts = slices.Clone(s.Facts)
	return s
}

// Equal reports whether s and o hold the same state, comparing times with
// [time.Time.Equal] (so a state decoded from JSON equals the original) and
// treating nil and empty Facts alike.
func (s State) Equal(o State) bool {
	if s.Lead != o.Lead || s.Stage != o.Stage || s.Version != o.Version ||
		!s.Since.Equal(o.Since) || s.LastEventID != o.LastEventID ||
		len(s.Facts) != len(o.Facts) {
		return false
	}
	for i := range s.Facts {
		if !s.Facts[i].Equal(o.Facts[i]) {
			return false
		}
	}
	return true
}

// Equal reports whether f and o hold the same facts, comparing times with
// [time.Time.Equal].
func (f StageFacts) Equal(o StageFacts) bool {
	return f.Stage == o.Stage && f.FirstEntered.Equal(o.FirstEntered) &&
		f.LastEntered.Equal(o.LastEntered) && f.LastExited.Equal(o.LastExited) &&
		f.Entries == o.Entries && f.Cumulative == o.Cumulative
}
