package funneltest

import (
	"fmt"
	"strconv"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"pgregory.net/rapid"
)

// Invalid is a move that a model must refuse, with the sentinel error it
// must refuse it with (errors.Is(err, Err)).
type Invalid struct {
	Move funnel.Move
	Err  error
}

// UnknownStage is a well-formed stage identifier that the generators use as
// a target no model is expected to declare.
const UnknownStage funnel.Stage = "zz_unknown_stage"

// UnknownReason is a well-formed reason code that the generators use as a
// code no model is expected to declare.
const UnknownReason funnel.ReasonCode = "zz_unknown_reason"

// gap draws the time between two moves: often zero or short, sometimes
// months.
func gap(t *rapid.T) time.Duration {
	switch rapid.IntRange(0, 5).Draw(t, "gap_kind") {
	case 0:
		return 0
	case 1:
		return time.Duration(rapid.IntRange(1, 59).Draw(t, "gap_s")) * time.Second
	case 2, 3:
		return time.Duration(rapid.IntRange(1, 72).Draw(t, "gap_h")) * time.Hour
	default:
		return time.Duration(rapid.IntRange(1, 180).Draw(t, "gap_d")) * 24 * time.Hour
	}
}

// freshEventID returns "e" and the version the next move gives s ("e1",
// "e2", ...), or that with "_x" appended when s's last event ID (a host's
// own) is already that, which Apply would refuse as a re-delivery.
func freshEventID(s funnel.State) string {
	id := "e" + strconv.FormatUint(s.Version+1, 10)
	if id == s.LastEventID {
		id += "_x"
	}
	return id
}

// ValidMove returns a generator of moves that m accepts from state s (as
// checked by [funnel.Model.Can], so guards are honoured): a target among
// the allowed edges, a reason when the edge needs one (sometimes an
// optional one on forward moves), a time at or after the state's last move
// (exactly start for a new contact), and a fresh EventID ("e" and the
// version the move gives, see [ValidMoves], unless s's last event ID is
// already that). When no move is possible
// (a terminal stage, or guards refuse everything) it draws a no-op move to
// the current stage; for a new contact, which has no current stage, that
// move has no target and Apply refuses it with [funnel.ErrInvalidMove].
func ValidMove(m *funnel.Model, s funnel.State, start time.Time) *rapid.Generator[funnel.Move] {
	return rapid.Custom(func(t *rapid.T) funnel.Move {
		mv, _ := validMove(t, m, s, start)
		return mv
	})
}

func validMove(t *rapid.T, m *funnel.Model, s funnel.State, start time.Time) (funnel.Move, bool) {
	at := start // a new contact enters at start
	if s.Stage != "" {
		at = s.Since.Add(gap(t))
	}
	eventID := freshEventID(s)
	var cands []funnel.Move
	for _, e := range m.EdgesFrom(s.Stage) {
		mv := funnel.Move{To: e.To, At: at, Actor: "funneltest", EventID: eventID}
		if len(e.Reasons) > 0 {
			mv.Reason = e.Reasons[0]
		}
		if m.Can(s, mv) == nil {
			cands = append(cands, mv)
		}
	}
	if len(cands) == 0 {
		return funnel.Move{To: s.Stage, At: at, Actor: "funneltest"}, false
	}
	mv := rapid.SampledFrom(cands).Draw(t, "move")
	// Draw the reason among those the edge accepts.
	for _, e := range m.EdgesFrom(s.Stage) {
		if e.To != mv.To {
			continue
		}
		rs := e.Reasons
		if len(rs) == 0 && rapid.IntRange(0, 3).Draw(t, "optional_reason") == 0 {
			for _, r := range m.Reasons() {
				rs = append(rs, r.Code)
			}
			if len(rs) > 0 {
				rs = append(rs, "") // sometimes none after all
			}
		}
		if len(rs) > 0 {
			try := mv
			try.Reason = rapid.SampledFrom(rs).Draw(t, "reason")
			if m.Can(s, try) == nil {
				mv = try
			}
		}
	}
	return mv, true
}

// ValidMoves returns a generator of move sequences, up to maxLen long, that
// m accepts one after the other from the new contact State{Lead: lead}:
// applying them in order with [funnel.Model.Apply] succeeds every time and
// produces a (non-zero) event each time. The first move is at start; times
// never go backward; EventIDs are "e1", "e2", ... (the resulting version).
// A sequence stops early when the contact reaches a stage with no way out.
func ValidMoves(m *funnel.Model, lead string, start time.Time, maxLen int) *rapid.Generator[[]funnel.Move] {
	return rapid.Custom(func(t *rapid.T) []funnel.Move {
		n := rapid.IntRange(0, maxLen).Draw(t, "len")
		s := funnel.State{Lead: lead}
		var out []funnel.Move
		for range n {
			mv, ok := validMove(t, m, s, start)
			if !ok {
				break
			}
			next, _, err := m.Apply(s, mv)
			if err != nil {
				t.Fatalf("funneltest: generated move %+v refused: %v", mv, err) // a bug in funnel or here
			}
			s = next
			out = append(out, mv)
		}
		return out
	})
}

// InvalidMove returns a generator of moves that m must refuse from state
// s, each with the sentinel it must be refused with. It covers every kind
// of refusal that applies to s: [funnel.ErrInvalidMove],
// [funnel.ErrUnknownStage], [funnel.ErrDuplicateEvent],
// [funnel.ErrVersionConflict], [funnel.ErrTimeTravel],
// [funnel.ErrNotAllowed], [funnel.ErrReasonRequired] and
// [funnel.ErrUnknownReason] (guards aside: a model whose guards refuse a
// move may report [funnel.ErrGuard] where a valid base move was meant).
func InvalidMove(m *funnel.Model, s funnel.State, start time.Time) *rapid.Generator[Invalid] {
	return rapid.Custom(func(t *rapid.T) Invalid {
		at := start
		if s.Stage != "" {
			at = s.Since
		}
		at = at.Add(gap(t))
		eventID := freshEventID(s)
		// A declared target other than the current stage.
		var others []funnel.Stage
		for _, st := range m.Stages() {
			if st.ID != s.Stage {
				others = append(others, st.ID)
			}
		}
		allowed := map[funnel.Stage]funnel.Edge{}
		for _, e := range m.EdgesFrom(s.Stage) {
			allowed[e.To] = e
		}
		var notAllowed, needReason, anyEdge []funnel.Stage
		for _, st := range others {
			e, ok := allowed[st]
			switch {
			case !ok:
				notAllowed = append(notAllowed, st)
			case e.ReasonRequired:
				needReason = append(needReason, st)
			}
			if ok {
				anyEdge = append(anyEdge, st)
			}
		}
		type kind struct {
			err  error
			make func() funnel.Move
		}
		kinds := []kind{
			{funnel.ErrInvalidMove, func() funnel.Move {
				if rapid.Bool().Draw(t, "zero_time") && len(others) > 0 {
					return funnel.Move{To: rapid.SampledFrom(others).Draw(t, "to")}
				}
				return funnel.Move{At: at}
			}},
			{funnel.ErrUnknownStage, func() funnel.Move {
				to := rapid.SampledFrom([]funnel.Stage{UnknownStage, "Bad Stage", "x-y", funnel.Stage(make([]byte, 80))}).Draw(t, "unknown")
				return funnel.Move{To: to, At: at}
			}},
		}
		if len(others) > 0 {
			kinds = append(kinds, kind{funnel.ErrVersionConflict, func() funnel.Move {
				return funnel.Move{To: rapid.SampledFrom(others).Draw(t, "to"), At: at,
					CheckVersion: true, ExpectedVersion: s.Version + 1 + uint64(rapid.IntRange(0, 3).Draw(t, "ahead"))}
			}})
		}
		if s.LastEventID != "" && len(others) > 0 {
			kinds = append(kinds, kind{funnel.ErrDuplicateEvent, func() funnel.Move {
				return funnel.Move{To: rapid.SampledFrom(others).Draw(t, "to"), At: at, EventID: s.LastEventID}
			}})
		}
		if s.Stage != "" && len(others) > 0 {
			kinds = append(kinds, kind{funnel.ErrTimeTravel, func() funnel.Move {
				back := time.Duration(rapid.IntRange(1, 1000).Draw(t, "back")) * time.Minute
				return funnel.Move{To: rapid.SampledFrom(others).Draw(t, "to"), At: s.Since.Add(-back), EventID: eventID}
			}})
		}
		if len(notAllowed) > 0 {
			kinds = append(kinds, kind{funnel.ErrNotAllowed, func() funnel.Move {
				return funnel.Move{To: rapid.SampledFrom(notAllowed).Draw(t, "to"), At: at, EventID: eventID, Reason: UnknownReason}
			}})
		}
		if len(needReason) > 0 {
			kinds = append(kinds, kind{funnel.ErrReasonRequired, func() funnel.Move {
				return funnel.Move{To: rapid.SampledFrom(needReason).Draw(t, "to"), At: at, EventID: eventID}
			}})
		}
		if len(anyEdge) > 0 {
			kinds = append(kinds, kind{funnel.ErrUnknownReason, func() funnel.Move {
				return funnel.Move{To: rapid.SampledFrom(anyEdge).Draw(t, "to"), At: at, EventID: eventID, Reason: UnknownReason}
			}})
		}
		k := rapid.SampledFrom(kinds).Draw(t, "invalid_kind")
		mv := k.make()
		mv.Actor = "funneltest"
		return Invalid{Move: mv, Err: k.err}
	})
}

// Step is one move of a mixed sequence and the sentinel error it must
// fail with (nil when it must succeed).
type Step struct {
	Move funnel.Move
	Err  error
}

// Moves returns a generator of mixed sequences, up to maxLen long, for the
// contact State{Lead: lead}: valid moves (as [ValidMoves]), invalid ones
// (as [InvalidMove]), and no-op moves to the current stage, each with the
// error it must produce when applied in order (a refused move leaves the
// state as it was).
func Moves(m *funnel.Model, lead string, start time.Time, maxLen int) *rapid.Generator[[]Step] {
	return rapid.Custom(func(t *rapid.T) []Step {
		n := rapid.IntRange(0, maxLen).Draw(t, "len")
		s := funnel.State{Lead: lead}
		var out []Step
		for range n {
			var st Step
			switch r := rapid.IntRange(0, 9).Draw(t, "step_kind"); {
			case r < 3:
				inv := InvalidMove(m, s, start).Draw(t, "invalid")
				st = Step(inv)
			case r == 3 && s.Stage != "":
				st = Step{Move: funnel.Move{To: s.Stage, At: s.Since, Actor: "funneltest"}}
			default:
				mv, ok := validMove(t, m, s, start)
				st = Step{Move: mv}
				if !ok && s.Stage == "" {
					// A new contact that cannot enter (guards refuse every
					// entry move) has no current stage for a no-op: the
					// move validMove draws has no target.
					st.Err = funnel.ErrInvalidMove
				}
			}
			next, _, err := m.Apply(s, st.Move)
			if err == nil {
				s = next
			}
			out = append(out, st)
		}
		return out
	})
}

// Spec returns a generator of random valid lifecycle specs: 1 to 7 forward
// stages, up to 3 detours and 2 terminals, teams, random backward, detour,
// return and across moves each with 1 to 3 reasons, optional forward
// declarations, AllowSkip on or off, and sometimes an entry stage other
// than the first. [funnel.New] accepts every spec drawn (no guards).
func Spec() *rapid.Generator[funnel.Spec] {
	return rapid.Custom(func(t *rapid.T) funnel.Spec {
		teams := []funnel.Team{funnel.Marketing, funnel.Sales, funnel.CustomerSuccess}
		nf := rapid.IntRange(1, 7).Draw(t, "forward")
		nd := rapid.IntRange(0, 3).Draw(t, "detours")
		nt := rapid.IntRange(0, 2).Draw(t, "terminals")
		var stages []funnel.StageSpec
		for i := range nf {
			stages = append(stages, funnel.StageSpec{ID: funnel.Stage(fmt.Sprintf("f%d", i)), Team: rapid.SampledFrom(teams).Draw(t, "team"), Kind: funnel.Forward})
		}
		for i := range nd {
			stages = append(stages, funnel.StageSpec{ID: funnel.Stage(fmt.Sprintf("d%d", i)), Team: rapid.SampledFrom(teams).Draw(t, "team"), Kind: funnel.Detour})
		}
		for i := range nt {
			stages = append(stages, funnel.StageSpec{ID: funnel.Stage(fmt.Sprintf("t%d", i)), Team: rapid.SampledFrom(teams).Draw(t, "team"), Kind: funnel.Terminal})
		}
		// Declaration order need not group kinds.
		stages = rapid.Permutation(stages).Draw(t, "order")
		reasons := []funnel.ReasonSpec{{Code: "r0"}, {Code: "r1"}, {Code: "r2"}, {Code: "r3"}}
		codes := []funnel.ReasonCode{"r0", "r1", "r2", "r3"}
		spec := funnel.Spec{ID: "gen", AllowSkip: rapid.Bool().Draw(t, "skip"), Stages: stages, Reasons: reasons}
		var fwd []funnel.Stage
		for _, st := range stages {
			if st.Kind == funnel.Forward {
				fwd = append(fwd, st.ID)
			}
		}
		if rapid.IntRange(0, 3).Draw(t, "custom_entry") == 0 {
			spec.Entry = rapid.SampledFrom(fwd).Draw(t, "entry")
		}
		rank := map[funnel.Stage]int{}
		for i, f := range fwd {
			rank[f] = i
		}
		kindOf := map[funnel.Stage]funnel.Kind{}
		for _, st := range stages {
			kindOf[st.ID] = st.Kind
		}
		nm := rapid.IntRange(0, 12).Draw(t, "moves")
		seen := map[[2]funnel.Stage]bool{}
		for range nm {
			from := rapid.SampledFrom(stages).Draw(t, "from").ID
			to := rapid.SampledFrom(stages).Draw(t, "to").ID
			if from == to || kindOf[from] == funnel.Terminal || seen[[2]funnel.Stage{from, to}] {
				continue
			}
			seen[[2]funnel.Stage{from, to}] = true
			fw := kindOf[from] == funnel.Forward && kindOf[to] == funnel.Forward && rank[to] > rank[from]
			min := 1
			if fw {
				min = 0
			}
			rs := rapid.SliceOfNDistinct(rapid.SampledFrom(codes), min, 3, func(r funnel.ReasonCode) funnel.ReasonCode { return r }).Draw(t, "reasons")
			spec.Moves = append(spec.Moves, funnel.MoveSpec{From: from, To: to, Reasons: rs})
		}
		return spec
	})
}
