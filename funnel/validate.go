package funnel

import (
	"fmt"
	"unicode/utf8"
)

// Limits that [New] and [ParseSpec] enforce, so that a spec loaded from
// untrusted JSON cannot make a model arbitrarily large.
const (
	MaxStages      = 64      // stages in a spec
	MaxMoves       = 4096    // declared moves in a spec
	MaxReasons     = 256     // reason codes in a spec
	MaxGuards      = 64      // guards in a spec
	MaxLabelLen    = 256     // bytes in a label
	MaxSpecIDLen   = 64      // bytes in a spec ID
	MaxSpecJSONLen = 1 << 20 // bytes of JSON accepted by ParseSpec
)

// SpecError is one problem of a [Spec]: the path of the field at fault,
// such as "stages[2].team" or "moves[4].reasons[1]", and what is wrong.
// It matches [ErrInvalidSpec] and, where one applies, a more precise
// sentinel ([ErrInvalidStage], [ErrUnknownStage], [ErrUnknownReason]).
type SpecError struct {
	Path string
	Err  error
}

func (e *SpecError) Error() string {
	if e.Path == "" {
		return "funnel: invalid spec: " + trimPrefix(e.Err)
	}
	return "funnel: invalid spec: " + e.Path + ": " + trimPrefix(e.Err)
}

// Unwrap returns [ErrInvalidSpec] and the precise cause.
func (e *SpecError) Unwrap() []error { return []error{ErrInvalidSpec, e.Err} }

type validator struct {
	errs []error
}

func (v *validator) add(path string, err error) {
	v.errs = append(v.errs, &SpecError{Path: path, Err: err})
}

func (v *validator) addf(path, format string, args ...any) {
	v.add(path, fmt.Errorf(format, args...))
}

func validSpecID(s string) bool {
	if len(s) == 0 || len(s) > MaxSpecIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func (v *validator) label(path, l string) {
	if len(l) > MaxLabelLen {
		v.addf(path, "label longer than %d bytes", MaxLabelLen)
	} else if !utf8.ValidString(l) {
		v.addf(path, "label is not valid UTF-8")
	}
}

// spec checks every rule and records every problem.
func (v *validator) spec(s *Spec) {
	if !validSpecID(s.ID) {
		v.addf("id", "%q is not 1 to %d letters, digits, '_', '-' or '.'", s.ID, MaxSpecIDLen)
	}

	// Stages.
	stages := make(map[Stage]Kind, len(s.Stages))
	forward := 0
	switch {
	case len(s.Stages) == 0:
		v.addf("stages", "no stages")
	case len(s.Stages) > MaxStages:
		v.addf("stages", "%d stages, at most %d", len(s.Stages), MaxStages)
	}
	for i, st := range s.Stages {
		p := fmt.Sprintf("stages[%d]", i)
		if !st.ID.Valid() {
			v.add(p+".id", fmt.Errorf("%w: %q", ErrInvalidStage, clip(string(st.ID))))
		} else if _, dup := stages[st.ID]; dup {
			v.addf(p+".id", "duplicate stage %q", st.ID)
		} else {
			stages[st.ID] = st.Kind
		}
		v.label(p+".label", st.Label)
		if !st.Team.Valid() {
			v.addf(p+".team", "unknown team %q (want marketing, sales or customer_success)", clip(string(st.Team)))
		}
		if !st.Kind.Valid() {
			v.addf(p+".kind", "unknown kind %q (want forward, detour or terminal)", clip(string(st.Kind)))
		}
		if st.Kind == Forward {
			forward++
		}
	}
	if len(s.Stages) > 0 && forward == 0 {
		v.addf("stages", "no forward stage")
	}
	if s.Entry != "" {
		k, ok := stages[s.Entry]
		switch {
		case !ok:
			v.add("entry", fmt.Errorf("%w: %q", ErrUnknownStage, clip(string(s.Entry))))
		case k != Forward:
			v.addf("entry", "entry stage %q is a %s stage, not forward", s.Entry, k)
		}
	}

	// Reasons.
	reasons := make(map[ReasonCode]bool, len(s.Reasons))
	if len(s.Reasons) > MaxReasons {
		v.addf("reasons", "%d reasons, at most %d", len(s.Reasons), MaxReasons)
	}
	for i, r := range s.Reasons {
		p := fmt.Sprintf("reasons[%d]", i)
		if !r.Code.Valid() {
			v.addf(p+".code", "malformed reason code %q", clip(string(r.Code)))
		} else if reasons[r.Code] {
			v.addf(p+".code", "duplicate reason %q", r.Code)
		} else {
			reasons[r.Code] = true
		}
		v.label(p+".label", r.Label)
	}

	// Guards.
	guards := make(map[string]bool, len(s.Guards))
	if len(s.Guards) > MaxGuards {
		v.addf("guards", "%d guards, at most %d", len(s.Guards), MaxGuards)
	}
	for i, g := range s.Guards {
		p := fmt.Sprintf("guards[%d]", i)
		if !validIdent(g.Name) {
			v.addf(p+".name", "malformed guard name %q", clip(g.Name))
		} else if guards[g.Name] {
			v.addf(p+".name", "duplicate guard %q", g.Name)
		} else {
			guards[g.Name] = true
		}
		if g.Check == nil {
			v.addf(p+".check", "guard %q has no Check function", clip(g.Name))
		}
	}

	// Moves.
	if len(s.Moves) > MaxMoves {
		v.addf("moves", "%d moves, at most %d", len(s.Moves), MaxMoves)
	}
	rank := make(map[Stage]int, len(s.Stages))
	for _, st := range s.Stages {
		if st.Kind == Forward {
			if _, ok := rank[st.ID]; !ok {
				rank[st.ID] = len(rank)
			}
		}
	}
	type pair struct{ from, to Stage }
	seen := make(map[pair]int, len(s.Moves))
	for i, mv := range s.Moves {
		p := fmt.Sprintf("moves[%d]", i)
		fk, fok := stages[mv.From]
		tk, tok := stages[mv.To]
		entry := mv.From == "" // an entry move: a new contact enters at To
		if !fok && !entry {
			v.add(p+".from", fmt.Errorf("%w: %q", ErrUnknownStage, clip(string(mv.From))))
		}
		if !tok {
			v.add(p+".to", fmt.Errorf("%w: %q", ErrUnknownStage, clip(string(mv.To))))
		}
		if entry && tok {
			if tk != Forward {
				v.addf(p+".to", "entry move into %q, a %s stage: contacts enter on the forward path", mv.To, tk)
			} else if j, dup := seen[pair{"", mv.To}]; dup {
				v.addf(p, "duplicate of moves[%d] (entry → %s)", j, mv.To)
			} else {
				seen[pair{"", mv.To}] = i
			}
		}
		if fok && tok {
			switch {
			case mv.From == mv.To:
				v.addf(p, "move from %q to itself", mv.From)
			case fk == Terminal:
				v.addf(p+".from", "terminal stage %q has no way out", mv.From)
			default:
				if j, dup := seen[pair{mv.From, mv.To}]; dup {
					v.addf(p, "duplicate of moves[%d] (%s → %s)", j, mv.From, mv.To)
				} else {
					seen[pair{mv.From, mv.To}] = i
				}
				fwd := fk == Forward && tk == Forward && rank[mv.To] > rank[mv.From]
				if !fwd && len(mv.Reasons) == 0 {
					v.addf(p+".reasons", "%s → %s is not a forward move: it needs at least one reason code", mv.From, mv.To)
				}
			}
		}
		rs := make(map[ReasonCode]bool, len(mv.Reasons))
		for j, r := range mv.Reasons {
			rp := fmt.Sprintf("%s.reasons[%d]", p, j)
			switch {
			case !reasons[r]:
				v.add(rp, fmt.Errorf("%w: %q is not declared in reasons", ErrUnknownReason, clip(string(r))))
			case rs[r]:
				v.addf(rp, "duplicate reason %q", r)
			}
			rs[r] = true
		}
		gs := make(map[string]bool, len(mv.Guards))
		for j, g := range mv.Guards {
			gp := fmt.Sprintf("%s.guards[%d]", p, j)
			switch {
			case !guards[g]:
				v.addf(gp, "guard %q is not declared in guards", clip(g))
			case gs[g]:
				v.addf(gp, "duplicate guard %q", g)
			}
			gs[g] = true
		}
	}
}

// clip shortens hostile input quoted in error messages.
func clip(s string) string {
	if len(s) > maxIdentLen {
		return s[:maxIdentLen] + "..."
	}
	return s
}

// stageIndex maps a stage identifier to its index with a perfect hash
// found at build time: a multiplicative hash of the length and a few bytes,
// one table probe, one string comparison. When no perfect hash is found (or
// the stages do not differ in the bytes sampled) it falls back to a map.
type stageIndex struct {
	names    []Stage
	table    []uint8 // slot → index+1, 0 for empty
	seed     uint64
	shift    uint8
	fallback map[Stage]int
}

// stageKey packs the length and three bytes of a non-empty identifier.
func stageKey(s Stage) uint64 {
	n := len(s)
	return uint64(n) | uint64(s[0])<<8 | uint64(s[n>>1])<<16 | uint64(s[n-1])<<24
}

func newStageIndex(stages []StageSpec) stageIndex {
	x := stageIndex{names: make([]Stage, len(stages)+1)}
	for i, st := range stages {
		x.names[i+1] = st.ID
	}
	seed := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 { // splitmix64, deterministic
		seed += 0x9e3779b97f4a7c15
		z := seed
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return (z ^ (z >> 31)) | 1
	}
	bits := 1
	for 1<<bits < 2*len(stages) {
		bits++
	}
	for ; bits <= 10; bits++ {
		table := make([]uint8, 1<<bits)
	seeds:
		for try := 0; try < 64; try++ {
			mul := next()
			clear(table)
			for i, st := range x.names[1:] {
				h := (stageKey(st) * mul) >> (64 - bits)
				if table[h] != 0 {
					continue seeds
				}
				table[h] = uint8(i + 1)
			}
			x.table, x.seed, x.shift = table, mul, uint8(64-bits)
			return x
		}
	}
	// No perfect hash: a one-slot empty table (seed 0 hashes everything to
	// slot 0) sends every lookup to the map.
	x.table, x.seed, x.shift = []uint8{0}, 0, 0
	x.fallback = make(map[Stage]int, len(stages))
	for i, st := range x.names[1:] {
		x.fallback[st] = i
	}
	return x
}

// find returns the index of s, or -1.
func (x *stageIndex) find(s Stage) int {
	if len(s) == 0 {
		return -1
	}
	if i := x.findFast(s); i >= 0 || x.fallback == nil {
		return i
	}
	return x.slowFind(s)
}

// findFast looks a non-empty s up in the perfect-hash table only; it is
// small enough to be inlined. Slot values are index+1 and names[0] is "",
// so an empty slot fails the comparison without a branch of its own. With
// no perfect hash the table has one empty slot and the map decides.
func (x *stageIndex) findFast(s Stage) int {
	j := int(x.table[(stageKey(s)*x.seed)>>x.shift])
	if x.names[j] == s {
		return j - 1
	}
	return -1
}

func (x *stageIndex) slowFind(s Stage) int {
	if i, ok := x.fallback[s]; ok {
		return i
	}
	return -1
}
