package funnel

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"time"
)

// CheckState reports whether s is a state that this model's [Model.Apply]
// calls could have produced, for states read from storage the host does
// not fully trust (a JSON column edited by hand, an import, a migration
// that renamed stages). It returns nil, or an error matching
// [ErrInvalidState] that joins one error per problem, each naming the
// field at fault ("facts[2].entries").
//
// It checks that a state with version 0 has no stage, facts or event ID;
// that otherwise its stage is declared and has facts; that every fact
// names a declared stage, once; that the facts are in the order of first
// entry, as Apply appends them; that entries are at least 1 and add up to
// Version (every applied event enters exactly one stage); that Since and
// the facts' times are set (a missing "since" or "first_entered" reads
// back as the zero time, which Apply never records) and can be written
// as JSON (see [Move.At]); that the times are in order: first entry ≤
// last entry ≤ Since, a stage entered once was last entered when it was
// first entered, a stage the contact left was left after it was last
// entered and no later than Since, and the current stage was last entered
// at Since and was left before (no later than Since) exactly when it was
// entered more than once; and that cumulative time is not negative, is
// zero for a stage never left, is the length of the one finished stay of
// a stage entered once and left, and is never more than the time from a
// stage's first entry to its last exit. Times compare by the wall clock,
// and durations are computed, as in Apply.
//
// Apply itself checks only what it needs to stay safe (see
// [ErrInvalidState]), so that a move costs no scan of the facts; a state
// that fails CheckState moves without a panic but its facts are garbage
// in, garbage out. [Model.Replay] rebuilds a trustworthy state from the
// event log. CheckState does not allocate unless it finds a problem and is
// safe for concurrent use.
func (m *Model) CheckState(s State) error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalidState, path, fmt.Sprintf(format, args...)))
	}
	// at names field of facts[i]; built only for a problem found.
	at := func(i int, field string) string { return fmt.Sprintf("facts[%d].%s", i, field) }
	if s.Version == 0 {
		if s.Stage != "" || len(s.Facts) > 0 || s.LastEventID != "" {
			bad("version", "0 (no move applied), but the state has a stage, facts or an event ID")
		}
		return errors.Join(errs...)
	}
	if s.Stage == "" {
		bad("stage", "empty at version %d", s.Version)
	} else if m.lookup.find(s.Stage) < 0 {
		bad("stage", "%q is not a stage of model %q", clip(string(s.Stage)), m.id)
	}
	if p := timeProblem(s.Since); p != "" {
		bad("since", "%s at version %d", p, s.Version)
	}
	if len(s.Facts) > m.n {
		bad("facts", "%d entries, but model %q has %d stages", len(s.Facts), m.id, m.n)
	}
	var entries uint64
	wrapped := false
	current := -1
	for i, f := range s.Facts {
		if m.lookup.find(f.Stage) < 0 {
			bad(at(i, "stage"), "%q is not a stage of model %q", clip(string(f.Stage)), m.id)
		}
		// Searched among the first m.n facts only, so that a hostile state
		// of a million facts costs O(len × stages), not O(len²): in a state
		// of the right size that is every earlier fact.
		for j := range min(i, m.n) {
			if s.Facts[j].Stage == f.Stage {
				bad(at(i, "stage"), "%q repeats facts[%d]", clip(string(f.Stage)), j)
				break
			}
		}
		if f.Entries < 1 {
			bad(at(i, "entries"), "%d, want at least 1", f.Entries)
		} else {
			// A sum that wraps around could equal Version: remember it.
			var carry uint64
			entries, carry = bits.Add64(entries, uint64(f.Entries), 0)
			wrapped = wrapped || carry != 0
		}
		if p := timeProblem(f.FirstEntered); p != "" {
			bad(at(i, "first_entered"), "%s", p)
		} else if i > 0 && wallBefore(f.FirstEntered, s.Facts[i-1].FirstEntered) && plausibleEntries(s.Facts[i-1], s.Since) {
			// Apply appends a stage's facts when it is first entered. (When
			// the earlier fact's own entry times are wrong, that is the
			// problem reported, not the order.)
			bad(at(i, "first_entered"), "before facts[%d].first_entered, but facts are kept in the order of first entry", i-1)
		}
		if p := timeProblem(f.LastEntered); p != "" {
			bad(at(i, "last_entered"), "%s", p)
		}
		if p := timeProblem(f.LastExited); p != "" && !f.LastExited.IsZero() {
			bad(at(i, "last_exited"), "%s", p)
		}
		switch {
		case wallBefore(f.LastEntered, f.FirstEntered):
			bad(at(i, "last_entered"), "before first_entered")
		case f.Entries == 1 && !wallEqual(f.LastEntered, f.FirstEntered):
			bad(at(i, "last_entered"), "differs from first_entered, but the stage was entered once")
		}
		if wallBefore(s.Since, f.LastEntered) {
			bad(at(i, "last_entered"), "after since")
		}
		// ordered: first entry ≤ last entry ≤ last exit, so that the
		// finished stays can be measured.
		ordered := !f.LastExited.IsZero() && !wallBefore(f.LastExited, f.FirstEntered)
		if f.Stage == s.Stage {
			current = i
			if !wallEqual(f.LastEntered, s.Since) {
				bad(at(i, "last_entered"), "the current stage was last entered at %s, not at since (%s)",
					f.LastEntered.Format(time.RFC3339Nano), s.Since.Format(time.RFC3339Nano))
			}
			switch {
			case f.LastExited.IsZero():
				if f.Entries > 1 {
					bad(at(i, "last_exited"), "missing, but the current stage was entered %d times", f.Entries)
				}
			case wallBefore(f.LastExited, f.FirstEntered):
				bad(at(i, "last_exited"), "before first_entered")
			case wallBefore(s.Since, f.LastExited):
				// Left before the stay that is still open began.
				bad(at(i, "last_exited"), "after since")
			case f.Entries == 1:
				bad(at(i, "last_exited"), "set, but the contact entered the current stage once and never left it")
			}
		} else {
			switch {
			case f.LastExited.IsZero():
				bad(at(i, "last_exited"), "missing for a stage the contact is not in")
			case wallBefore(f.LastExited, f.LastEntered):
				bad(at(i, "last_exited"), "before last_entered")
				ordered = false
			case wallBefore(s.Since, f.LastExited):
				bad(at(i, "last_exited"), "after since")
			}
		}
		switch {
		case f.Cumulative < 0:
			bad(at(i, "cumulative_ns"), "negative (%v)", f.Cumulative)
		case f.Stage == s.Stage && f.LastExited.IsZero() && f.Entries == 1:
			if f.Cumulative != 0 {
				bad(at(i, "cumulative_ns"), "%v for a stage the contact never left, want 0", f.Cumulative)
			}
		case !ordered:
			// A time is missing or out of order, reported above: the
			// finished stays cannot be measured.
		case f.Entries == 1 && f.Stage != s.Stage:
			if stay := since(f.LastExited, f.LastEntered); f.Cumulative != stay {
				bad(at(i, "cumulative_ns"), "%v, but the one finished stay lasted %v", f.Cumulative, stay)
			}
		default:
			if span := since(f.LastExited, f.FirstEntered); f.Cumulative > span {
				bad(at(i, "cumulative_ns"), "%v, more than the %v from first entry to last exit", f.Cumulative, span)
			}
		}
	}
	if s.Stage != "" && current < 0 {
		bad("facts", "no facts for the current stage %q", clip(string(s.Stage)))
	}
	switch {
	case wrapped:
		bad("version", "%d, but the facts count more than %d entries (one per applied event)", s.Version, uint64(math.MaxUint64))
	case entries != s.Version:
		bad("version", "%d, but the facts count %d entries (one per applied event)", s.Version, entries)
	}
	return errors.Join(errs...)
}

// timeProblem says what is wrong with a time that a state must hold: the
// zero time (Apply refuses it, so it means a missing field) or a time JSON
// cannot write; "" when it is fine.
func timeProblem(t time.Time) string {
	switch {
	case t.IsZero():
		return "missing (the zero time)"
	case !jsonTime(t):
		return "outside what JSON can hold (years 0 to 9999, zones less than a day from UTC, in whole minutes)"
	}
	return ""
}

// plausibleEntries reports whether f's entry times are set and in order:
// first entry ≤ last entry ≤ since.
func plausibleEntries(f StageFacts, since time.Time) bool {
	return !f.FirstEntered.IsZero() && !wallBefore(f.LastEntered, f.FirstEntered) && !wallBefore(since, f.LastEntered)
}

// wallEqual reports whether a and b are the same wall-clock instant.
func wallEqual(a, b time.Time) bool {
	return a.Unix() == b.Unix() && a.Nanosecond() == b.Nanosecond()
}
