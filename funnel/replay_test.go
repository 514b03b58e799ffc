package funnel_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
)

func sampleLog(t *testing.T) (*funnel.Model, funnel.State, []funnel.Event) {
	t.Helper()
	m := funnel.Default()
	s, evs := walk(t, m, funnel.State{Lead: "c1"},
		funnel.Move{To: funnel.Lead, At: at(0), EventID: "e1"},
		funnel.Move{To: funnel.MQL, At: at(1), EventID: "e2"},
		funnel.Move{To: funnel.Nurture, At: at(2), EventID: "e3", Reason: funnel.ReasonNoBudget},
		funnel.Move{To: funnel.MQL, At: at(4), EventID: "e4", Reason: funnel.ReasonScoreThreshold},
		funnel.Move{To: funnel.SQL, At: at(7), EventID: "e5"},
	)
	return m, s, evs
}

func TestReplay(t *testing.T) {
	m, want, evs := sampleLog(t)
	got, err := m.Replay("c1", evs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replayed state (-want +got):\n%s", diff)
	}
	// Replay does not modify the log.
	again, err := m.Replay("c1", evs)
	if err != nil || !again.Equal(want) {
		t.Errorf("second replay: %v", err)
	}
	// An empty log is a new contact.
	if s, err := m.Replay("c9", nil); err != nil || !s.Equal(funnel.State{Lead: "c9"}) {
		t.Errorf("empty replay = %+v, %v", s, err)
	}
}

func TestReplayRedelivery(t *testing.T) {
	m, want, evs := sampleLog(t)
	// The last event delivered twice (and one in the middle, three times).
	log := slices.Clone(evs)
	log = slices.Insert(log, 2, evs[1], evs[1])
	log = append(log, evs[len(evs)-1])
	got, err := m.Replay("c1", log)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(want) {
		t.Errorf("state after re-delivery differs:\n%s", cmp.Diff(want, got))
	}
}

func TestReplayErrors(t *testing.T) {
	m, _, evs := sampleLog(t)
	for _, tc := range []struct {
		name  string
		edit  func([]funnel.Event) []funnel.Event
		lead  string
		index int
		want  error
	}{
		{"gap", func(l []funnel.Event) []funnel.Event { return slices.Delete(l, 2, 3) }, "c1", 2, funnel.ErrVersionGap},
		{"first not version 1", func(l []funnel.Event) []funnel.Event { return l[1:] }, "c1", 0, funnel.ErrVersionGap},
		{"duplicate ID", func(l []funnel.Event) []funnel.Event { l[3].ID = "e1"; return l }, "c1", 3, funnel.ErrDuplicateEvent},
		{"same ID, different content", func(l []funnel.Event) []funnel.Event {
			d := l[4]
			d.Note = "edited"
			return append(l, d)
		}, "c1", 5, funnel.ErrDuplicateEvent},
		{"other lead", func(l []funnel.Event) []funnel.Event { return l }, "c2", 0, funnel.ErrEventMismatch},
		{"forbidden move", func(l []funnel.Event) []funnel.Event { l[2].To = funnel.Lost; return l }, "c1", 2, funnel.ErrNotAllowed},
		{"missing reason", func(l []funnel.Event) []funnel.Event { l[2].Reason = ""; return l }, "c1", 2, funnel.ErrReasonRequired},
		{"time travel", func(l []funnel.Event) []funnel.Event { l[3].At = at(-5); return l }, "c1", 3, funnel.ErrTimeTravel},
		{"wrong from", func(l []funnel.Event) []funnel.Event { l[1].From = funnel.Subscriber; return l }, "c1", 1, funnel.ErrEventMismatch},
		{"wrong kind", func(l []funnel.Event) []funnel.Event { l[1].Kind = funnel.MoveSkip; return l }, "c1", 1, funnel.ErrEventMismatch},
		{"wrong first entry", func(l []funnel.Event) []funnel.Event { l[3].FirstEntry = true; return l }, "c1", 3, funnel.ErrEventMismatch},
		{"wrong stay", func(l []funnel.Event) []funnel.Event { l[4].Stay = time.Minute; return l }, "c1", 4, funnel.ErrEventMismatch},
		{"move to the current stage", func(l []funnel.Event) []funnel.Event {
			d := l[4]
			d.ID, d.Version, d.From, d.Stay = "e6", 6, funnel.SQL, 0
			return append(l, d)
		}, "c1", 5, funnel.ErrEventMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := tc.edit(slices.Clone(evs))
			got, err := m.Replay(tc.lead, log)
			if !errors.Is(err, funnel.ErrReplay) || !errors.Is(err, tc.want) {
				t.Fatalf("Replay error = %v, want ErrReplay and %v", err, tc.want)
			}
			var re *funnel.ReplayError
			if !errors.As(err, &re) {
				t.Fatalf("not a *ReplayError: %T", err)
			}
			if re.Index != tc.index || re.EventID != log[tc.index].ID {
				t.Errorf("ReplayError at %d (%q), want %d (%q)", re.Index, re.EventID, tc.index, log[tc.index].ID)
			}
			// The state returned is the one before the bad event.
			prefix, perr := m.Replay(tc.lead, log[:tc.index])
			if perr != nil {
				t.Fatalf("prefix replay: %v", perr)
			}
			if diff := cmp.Diff(prefix, got); diff != "" {
				t.Errorf("state on error (-want +got):\n%s", diff)
			}
		})
	}
	// The message names the position.
	_, err := m.Replay("c1", evs[1:])
	if want := `funnel: replay event 0 (id "e2"): version gap: version 2, want 1`; err == nil || err.Error() != want {
		t.Errorf("message\n got %v\nwant %s", err, want)
	}
}

func TestReplayIgnoresGuardsAndModelID(t *testing.T) {
	m, want, evs := sampleLog(t)
	spec := funnel.DefaultSpec()
	spec.ID = "v2"
	spec.Guards = []funnel.Guard{{Name: "never", Check: func(funnel.State, funnel.Move) error { return errors.New("no") }}}
	spec.Moves = append(spec.Moves, funnel.MoveSpec{From: funnel.MQL, To: funnel.SQL, Guards: []string{"never"}})
	m2 := funnel.MustNew(spec)
	got, err := m2.Replay("c1", evs)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(want) {
		t.Error("replay on the new model differs")
	}
	_ = m
}
