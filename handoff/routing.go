package handoff

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Rep is one sales rep on the host's roster, as the host sees it at the
// moment of routing.
type Rep struct {
	ID string `json:"id"`
	// Queues the rep works (see [RouteRule.Queue]).
	Queues []string `json:"queues,omitempty"`
	// Weight is the rep's share of the rotation, 1 to 1000: a rep of weight
	// 2 gets twice the leads of a rep of weight 1. Zero means 1. To weight
	// the rotation by capacity, derive it from the rep's capacity (a
	// full-time rep 2, a half-time one 1). Outside 0-1000 it is an
	// [ErrInvalidInput].
	Weight int `json:"weight,omitempty"`
	// Capacity is the most open leads the rep may hold; zero means no
	// limit. Open is how many the rep holds now (the host counts them).
	// Neither may be negative.
	Capacity int `json:"capacity,omitempty"`
	Open     int `json:"open,omitempty"`
	// Away reps (on leave, out of office) get no leads.
	Away bool `json:"away,omitempty"`
}

// RoutingSpec is the plain description of how handed-off leads are routed,
// compiled by [NewRouter].
type RoutingSpec struct {
	ID string `json:"id,omitempty"`
	// Rules are tried in order; the first that matches picks the queue.
	Rules []RouteRule `json:"rules,omitempty"`
	// Fallback is the queue of a lead no rule matches; empty means the
	// whole roster. With Strict, an unmatched lead is an error
	// ([ErrNoRoute]) instead.
	Fallback string `json:"fallback,omitempty"`
	Strict   bool   `json:"strict,omitempty"`
}

// RouteRule sends the leads that match it to a queue. An empty list
// matches anything.
type RouteRule struct {
	Name        string   `json:"name"`
	Territories []string `json:"territories,omitempty"`
	Segments    []string `json:"segments,omitempty"`
	// Queue is the queue the matching leads go to: the reps whose
	// [Rep.Queues] list it. Empty means the whole roster.
	Queue string `json:"queue,omitempty"`
}

// Request asks [Router.Assign] for a rep for one lead.
type Request struct {
	Lead      string `json:"lead"`
	Territory string `json:"territory,omitempty"`
	Segment   string `json:"segment,omitempty"`
	// Owner is the lead's current owner, empty when it has none. An owned
	// lead keeps its owner unless Escalation is set.
	Owner string `json:"owner,omitempty"`
	// Escalation names the [Reassign] escalation (see [SLA.Evaluate]) that
	// takes the lead from Owner. The owner is then not eligible. It needs
	// Owner: without it the rep the lead is taken from could get it back,
	// so [Router.Assign] refuses it ([ErrInvalidInput]).
	Escalation string `json:"escalation,omitempty"`
	// Exclude lists reps that must not get the lead, such as those who
	// rejected it ([RecycleState.RejectedBy]).
	Exclude []string `json:"exclude,omitempty"`
}

// Assignment is the outcome of [Router.Assign].
type Assignment struct {
	Lead string `json:"lead"`
	Rep  string `json:"rep"`
	// Queue is the queue the rep was taken from ("" for the whole roster)
	// and Rule the rule that chose it ("" for the fallback).
	Queue string `json:"queue,omitempty"`
	Rule  string `json:"rule,omitempty"`
	// Kept is true when the lead was already owned and keeps its owner;
	// Reassigned when an escalation took it from Previous.
	Kept       bool   `json:"kept,omitempty"`
	Reassigned bool   `json:"reassigned,omitempty"`
	Previous   string `json:"previous,omitempty"`
	// Why explains the choice in words.
	Why string `json:"why"`
}

// Rotation is the routing state the host stores between assignments (one
// value for the whole router, as JSON or in a row). The zero value is the
// start of the rotation. Assign never modifies the Rotation it is given;
// like the built-in append, the one it returns may share storage with it
// (call [Rotation.Clone] to keep both and modify one).
type Rotation struct {
	// Seq counts the assignments made.
	Seq uint64 `json:"seq"`
	// Queues hold one rotation per queue, sorted by name.
	Queues []QueueRotation `json:"queues,omitempty"`
}

// QueueRotation is the rotation of one queue: a virtual clock and, per rep,
// the virtual time of its next turn (stride scheduling: a rep's turn moves
// on by 2^32 / weight at every lead it gets, and a rep who was away or new
// rejoins at the current clock rather than catching up). So no pass is
// ever more than 2^32 after the clock; [Router.Assign] refuses a stored
// rotation where one is, or whose clock is within 2^33 of the largest
// uint64, rather than starve that rep or wrap around.
type QueueRotation struct {
	Queue string `json:"queue"`
	Clock uint64 `json:"clock"`
	Turns []Turn `json:"turns,omitempty"`
}

// Turn is one rep's place in a queue's rotation.
type Turn struct {
	Rep string `json:"rep"`
	// Pass is the virtual time of the rep's next turn.
	Pass uint64 `json:"pass"`
	// Last is the Rotation.Seq of the rep's last lead (0: never).
	Last uint64 `json:"last"`
	// Assigned counts the leads the rep got from this queue.
	Assigned uint64 `json:"assigned"`
}

// Clone returns a deep copy of r.
func (r Rotation) Clone() Rotation {
	r.Queues = slices.Clone(r.Queues)
	for i := range r.Queues {
		r.Queues[i].Turns = slices.Clone(r.Queues[i].Turns)
	}
	return r
}

// Router is a validated [RoutingSpec]. It is immutable and safe for
// concurrent use.
type Router struct {
	spec RoutingSpec
}

// NewRouter validates spec, reporting every problem at once.
func NewRouter(spec RoutingSpec) (*Router, error) {
	p := problems{spec: "routing"}
	p.text("id", spec.ID)
	p.text("fallback", spec.Fallback)
	names := map[string]bool{}
	for i, r := range spec.Rules {
		path := fmt.Sprintf("rules[%d]", i)
		if !validName(r.Name) {
			p.addf(path+".name", "want 1-64 lower-case letters, digits or underscores, got %q", clip([]byte(r.Name)))
		} else if names[r.Name] {
			p.addf(path+".name", "duplicate rule %q", r.Name)
		}
		names[r.Name] = true
		for j, t := range r.Territories {
			if strings.TrimSpace(t) == "" {
				p.addf(fmt.Sprintf("%s.territories[%d]", path, j), "empty territory")
			}
			p.text(fmt.Sprintf("%s.territories[%d]", path, j), t)
		}
		for j, s := range r.Segments {
			if strings.TrimSpace(s) == "" {
				p.addf(fmt.Sprintf("%s.segments[%d]", path, j), "empty segment")
			}
			p.text(fmt.Sprintf("%s.segments[%d]", path, j), s)
		}
		p.text(path+".queue", r.Queue)
	}
	if spec.Strict && spec.Fallback != "" {
		p.addf("fallback", "a strict router has no fallback")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	spec.Rules = slices.Clone(spec.Rules)
	for i := range spec.Rules {
		spec.Rules[i].Territories = slices.Clone(spec.Rules[i].Territories)
		spec.Rules[i].Segments = slices.Clone(spec.Rules[i].Segments)
	}
	return &Router{spec: spec}, nil
}

// Spec returns a copy of the spec r was built from.
func (r *Router) Spec() RoutingSpec {
	s := r.spec
	s.Rules = slices.Clone(s.Rules)
	for i := range s.Rules {
		s.Rules[i].Territories = slices.Clone(s.Rules[i].Territories)
		s.Rules[i].Segments = slices.Clone(s.Rules[i].Segments)
	}
	return s
}

// Route returns the queue and the rule for a request, without choosing a
// rep.
func (r *Router) Route(req Request) (queue, rule string, err error) {
	for _, rr := range r.spec.Rules {
		if (len(rr.Territories) == 0 || slices.Contains(rr.Territories, req.Territory)) &&
			(len(rr.Segments) == 0 || slices.Contains(rr.Segments, req.Segment)) {
			return rr.Queue, rr.Name, nil
		}
	}
	if r.spec.Strict {
		return "", "", fmt.Errorf("%w: territory %q, segment %q", ErrNoRoute, req.Territory, req.Segment)
	}
	return r.spec.Fallback, "", nil
}

const strideUnit = 1 << 32

func (rep Rep) weight() uint64 {
	if rep.Weight <= 0 {
		return 1
	}
	return uint64(min(rep.Weight, 1000))
}

// eligible reports why rep cannot take a lead in queue q, or "" when it
// can. exclude lists excluded reps.
func eligible(rep Rep, q string, exclude []string, owner string) string {
	switch {
	case rep.Away:
		return "away"
	case rep.Capacity > 0 && rep.Open >= rep.Capacity:
		return "at capacity"
	case q != "" && !slices.Contains(rep.Queues, q):
		return "not in queue"
	case slices.Contains(exclude, rep.ID):
		return "excluded"
	case owner != "" && rep.ID == owner:
		return "current owner"
	}
	return ""
}

// Assign picks a rep for req from roster and returns the assignment and the
// new rotation; rot itself is not modified. The rules choose the queue;
// among the queue's eligible reps (not away, below capacity, not excluded)
// the one whose turn comes first gets the lead: the rep with the smallest
// virtual pass, then the least recently assigned, then the smallest ID.
// With equal weights this is a plain round robin, least recently assigned
// first.
//
// An owned lead (req.Owner set) keeps its owner and the rotation does not
// move, unless req.Escalation is set: then the owner is excluded and the
// lead reassigned. Errors: [ErrInvalidInput] (an escalation without an
// owner, an empty or duplicate rep ID, a weight outside 0-1000, a negative capacity or open count, a
// rotation whose queues or turns are out of order or repeated, or whose
// counters Assign could not have written: see [Rotation]), [ErrNoRoute],
// [ErrNoEligibleRep].
func (r *Router) Assign(roster []Rep, rot Rotation, req Request) (Assignment, Rotation, error) {
	a := Assignment{Lead: req.Lead}
	if req.Escalation != "" && req.Owner == "" {
		// Reassigning without knowing from whom would let the rotation
		// hand the lead straight back to the rep who let it lapse.
		return Assignment{}, rot, fmt.Errorf("%w: escalation %q without the owner it takes lead %q from", ErrInvalidInput, req.Escalation, req.Lead)
	}
	if req.Owner != "" && req.Escalation == "" {
		a.Rep, a.Kept = req.Owner, true
		a.Why = "already owned by " + req.Owner + "; only an escalation reassigns it"
		return a, rot, nil
	}
	ids := make(map[string]bool, len(roster))
	for i, rep := range roster {
		switch {
		case rep.ID == "" || ids[rep.ID]:
			return Assignment{}, rot, fmt.Errorf("%w: empty or duplicate rep ID %q in roster", ErrInvalidInput, rep.ID)
		case !utf8.ValidString(rep.ID):
			// The rotation keeps turns by rep ID: stored as JSON, it
			// would come back as U+FFFD and the rep's turn would be lost.
			return Assignment{}, rot, fmt.Errorf("%w: roster[%d]: rep ID %q is not valid UTF-8", ErrInvalidInput, i, rep.ID)
		case rep.Weight < 0 || rep.Weight > 1000:
			return Assignment{}, rot, fmt.Errorf("%w: roster[%d] (%s): weight %d outside 0-1000", ErrInvalidInput, i, rep.ID, rep.Weight)
		case rep.Capacity < 0 || rep.Open < 0:
			return Assignment{}, rot, fmt.Errorf("%w: roster[%d] (%s): negative capacity or open count", ErrInvalidInput, i, rep.ID)
		}
		ids[rep.ID] = true
	}
	q, rule, err := r.Route(req)
	if err != nil {
		return Assignment{}, rot, err
	}
	a.Queue, a.Rule = q, rule
	if err := rot.check(); err != nil {
		return Assignment{}, rot, err
	}
	qi, found := slices.BinarySearchFunc(rot.Queues, q, func(x QueueRotation, q string) int { return cmp.Compare(x.Queue, q) })
	var qr QueueRotation
	if found {
		qr = rot.Queues[qi]
	} else {
		qr = QueueRotation{Queue: q}
	}
	best, bestPass, bestLast := -1, uint64(0), uint64(0)
	for i, rep := range roster {
		if eligible(rep, q, req.Exclude, req.Owner) != "" {
			continue
		}
		pass, last := qr.Clock, uint64(0)
		if ti, ok := findTurn(qr.Turns, rep.ID); ok {
			pass, last = max(qr.Turns[ti].Pass, qr.Clock), qr.Turns[ti].Last
		}
		if best < 0 || pass < bestPass || pass == bestPass && (last < bestLast || last == bestLast && rep.ID < roster[best].ID) {
			best, bestPass, bestLast = i, pass, last
		}
	}
	if best < 0 {
		return Assignment{}, rot, fmt.Errorf("%w: queue %q, lead %q", ErrNoEligibleRep, q, req.Lead)
	}
	rep := roster[best]
	out := rot
	out.Queues = slices.Clone(rot.Queues) // the other queues' turns are shared, never written
	out.Seq++
	qr.Turns = slices.Clone(qr.Turns)
	qr.Clock = bestPass
	t := Turn{Rep: rep.ID}
	ti, ok := findTurn(qr.Turns, rep.ID)
	if ok {
		t = qr.Turns[ti]
	}
	t.Pass = bestPass + strideUnit/rep.weight()
	t.Last = out.Seq
	t.Assigned++
	if ok {
		qr.Turns[ti] = t
	} else {
		qr.Turns = slices.Insert(qr.Turns, ti, t)
	}
	if found {
		out.Queues[qi] = qr
	} else {
		out.Queues = slices.Insert(out.Queues, qi, qr)
	}
	a.Rep = rep.ID
	where := "the whole roster"
	if q != "" {
		where = "queue " + q
	}
	if rule != "" {
		where += " (rule " + rule + ")"
	}
	a.Why = "next in turn in " + where
	if req.Owner != "" {
		a.Reassigned, a.Previous = true, req.Owner
		a.Why += "; reassigned from " + req.Owner + " by escalation " + req.Escalation
	}
	return a, out, nil
}

// check reports a rotation that Assign did not produce: queues or turns
// out of order or repeated (a hand-edited or corrupted stored value),
// counters past Seq, or a pass more than one turn (2^32) ahead of its
// queue's clock, which Assign never writes: that rep would wait for ever,
// or its next pass would wrap around to 0 and take every lead. Assign
// refuses it rather than bisecting a list that is not sorted or
// overflowing the virtual clock.
func (r Rotation) check() error {
	for i, q := range r.Queues {
		if i > 0 && r.Queues[i-1].Queue >= q.Queue {
			return fmt.Errorf("%w: rotation queues[%d] %q is out of order or repeated", ErrInvalidInput, i, q.Queue)
		}
		if q.Clock > math.MaxUint64-2*strideUnit {
			return fmt.Errorf("%w: rotation queues[%d] %q: clock %d is past what the rotation can count", ErrInvalidInput, i, q.Queue, q.Clock)
		}
		for j, t := range q.Turns {
			switch {
			case j > 0 && q.Turns[j-1].Rep >= t.Rep:
				return fmt.Errorf("%w: rotation queues[%d].turns[%d] %q is out of order or repeated", ErrInvalidInput, i, j, t.Rep)
			case t.Last > r.Seq:
				return fmt.Errorf("%w: rotation queues[%d].turns[%d] %q: last %d is after seq %d", ErrInvalidInput, i, j, t.Rep, t.Last, r.Seq)
			case t.Pass > q.Clock+strideUnit:
				return fmt.Errorf("%w: rotation queues[%d].turns[%d] %q: pass %d is more than one turn after the clock %d", ErrInvalidInput, i, j, t.Rep, t.Pass, q.Clock)
			}
		}
	}
	return nil
}

func findTurn(ts []Turn, rep string) (int, bool) {
	return slices.BinarySearchFunc(ts, rep, func(t Turn, id string) int { return cmp.Compare(t.Rep, id) })
}
