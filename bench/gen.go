package bench

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smarketing/smarketing/funnel"
)

// Gen generates event logs deterministically: contact i's log depends only
// on the seed, i and its number of events, so logs can be generated in
// any order, in pieces, or streamed. Every event comes from
// [funnel.Model.Apply], so every log replays.
//
// A contact enters at subscriber, lead or mql, then moves one step on the
// forward path with probability 0.6, otherwise along another edge the
// model allows (skips, backward moves, detours, returns), with a reason
// drawn from the codes the edge accepts; it is disqualified (a terminal
// stage) only as its last move. Moves are 1 hour to 30 days apart, in
// whole seconds, starting in 2025.
type Gen struct {
	m       *funnel.Model
	seed    uint64
	start   time.Time
	fwd     map[funnel.Stage]funnel.Edge
	other   map[funnel.Stage][]funnel.Edge
	reasons []funnel.ReasonCode
	entry   []funnel.Stage
}

// NewGen returns a generator of logs on model m.
func NewGen(m *funnel.Model, seed uint64) *Gen {
	g := &Gen{m: m, seed: seed, start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		fwd: map[funnel.Stage]funnel.Edge{}, other: map[funnel.Stage][]funnel.Edge{}}
	for _, r := range m.Reasons() {
		g.reasons = append(g.reasons, r.Code)
	}
	for _, e := range m.Edges() {
		switch {
		case e.From == "":
			if len(g.entry) < 3 {
				g.entry = append(g.entry, e.To)
			}
		case e.Kind == funnel.MoveForward:
			g.fwd[e.From] = e
		default:
			g.other[e.From] = append(g.other[e.From], e)
		}
	}
	return g
}

// ContactID is the ID of contact i.
func ContactID(i int) string {
	var b [16]byte
	s := strconv.AppendInt(b[:0], int64(i), 10)
	out := make([]byte, 0, 9)
	out = append(out, 'c')
	for range 8 - len(s) {
		out = append(out, '0')
	}
	return string(append(out, s...))
}

// EventsOf is how many events contact i of contacts gets when a log of
// events events is spread evenly.
func EventsOf(i, contacts, events int) int {
	n := events / contacts
	if i < events%contacts {
		n++
	}
	return n
}

// Contact appends up to n events of contact i to buf and returns them
// with the contact's final state. It returns fewer than n events only if
// the contact was disqualified.
func (g *Gen) Contact(i, n int, buf []funnel.Event) ([]funnel.Event, funnel.State, error) {
	if len(g.entry) == 0 {
		return buf, funnel.State{}, fmt.Errorf("bench: model %q has no entry stage", g.m.ID())
	}
	src := rand.NewPCG(g.seed, uint64(i))
	r := rand.New(src)
	id := ContactID(i)
	s := funnel.State{Lead: id}
	at := g.start.Add(time.Duration(r.Int64N(365*24*3600)) * time.Second)
	idBuf := make([]byte, 0, len(id)+8)
	for v := range n {
		var e funnel.Edge
		switch {
		case s.Stage == "":
			e = funnel.Edge{To: g.entry[r.IntN(len(g.entry))]}
		default:
			f, hasFwd := g.fwd[s.Stage]
			others := g.other[s.Stage]
			if hasFwd && (len(others) == 0 || r.IntN(10) < 6) {
				e = f
				break
			}
			// Draw among the other edges; disqualification only last.
			for try := 0; ; try++ {
				if len(others) == 0 || try == 8 {
					return buf, s, nil
				}
				e = others[r.IntN(len(others))]
				if k, _ := g.m.Stage(e.To); k.Kind != funnel.Terminal || v == n-1 {
					break
				}
			}
		}
		mv := funnel.Move{To: e.To, At: at, Actor: "gen"}
		switch {
		case len(e.Reasons) > 0:
			mv.Reason = e.Reasons[r.IntN(len(e.Reasons))]
		case e.ReasonRequired && len(g.reasons) > 0:
			mv.Reason = g.reasons[r.IntN(len(g.reasons))]
		}
		idBuf = strconv.AppendInt(append(append(idBuf[:0], id...), '-'), int64(v+1), 10)
		mv.EventID = string(idBuf)
		var ev funnel.Event
		var err error
		if s, ev, err = g.m.Apply(s, mv); err != nil {
			return buf, s, fmt.Errorf("bench: generating contact %d: %w", i, err)
		}
		buf = append(buf, ev)
		at = at.Add(time.Hour + time.Duration(r.Int64N(30*24*3600))*time.Second)
	}
	return buf, s, nil
}

// Log generates the whole log of events events over contacts contacts,
// contact by contact, and returns it with the offset of each contact's
// first event (offsets[i]:offsets[i+1] is contact i's log).
func (g *Gen) Log(contacts, events int) ([]funnel.Event, []int, error) {
	if contacts <= 0 || events < 0 {
		return nil, nil, fmt.Errorf("bench: need contacts > 0 and events ≥ 0, have %d and %d", contacts, events)
	}
	log := make([]funnel.Event, 0, events)
	offsets := make([]int, 0, contacts+1)
	for i := range contacts {
		offsets = append(offsets, len(log))
		var err error
		if log, _, err = g.Contact(i, EventsOf(i, contacts, events), log); err != nil {
			return nil, nil, err
		}
	}
	return log, append(offsets, len(log)), nil
}

// TimeOrdered returns a copy of log sorted by time (then lead and
// version): the order in which a host appends events to its log.
func TimeOrdered(log []funnel.Event) []funnel.Event {
	idx := make([]int, len(log))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		x, y := &log[a], &log[b]
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		if c := strings.Compare(x.Lead, y.Lead); c != 0 {
			return c
		}
		return cmp.Compare(x.Version, y.Version)
	})
	out := make([]funnel.Event, len(log))
	for i, j := range idx {
		out[i] = log[j]
	}
	return out
}
