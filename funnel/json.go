package funnel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/smarketing/smarketing/internal/jsonstrict"
)

// ParseSpec decodes the JSON form of a [Spec]: the snake_case keys of its
// struct tags, for example
//
//	{
//	  "id": "acme",
//	  "entry": "lead",
//	  "allow_skip": true,
//	  "stages": [
//	    {"id": "lead", "label": "Lead", "team": "marketing", "kind": "forward"},
//	    {"id": "sql", "team": "sales", "kind": "forward"},
//	    {"id": "nurture", "team": "marketing", "kind": "detour"}
//	  ],
//	  "moves": [{"from": "sql", "to": "nurture", "reasons": ["bad_timing"], "guards": []}],
//	  "reasons": [{"code": "bad_timing", "label": "Not ready yet"}]
//	}
//
// Decoding is strict: unknown fields, trailing data, more than
// [MaxSpecJSONLen] bytes, more items than the Max limits, a UTF-8
// byte-order mark before the spec, input that is not
// UTF-8, a \u escape of half a UTF-16 surrogate pair and a key given
// twice in one object are errors (a [*SpecError] matching
// [ErrInvalidSpec]; encoding/json alone would silently read U+FFFD for
// the bytes that are not UTF-8 and for the half pair, and keep only the
// last of the repeated keys). Keys match as encoding/json matches them, ignoring case
// ("Allow_Skip" is allow_skip, and repeats "allow_skip"); write them as
// shown. ParseSpec checks only the form;
// [New] (or [Load], which does both) checks the meaning. Stage identifiers
// are meaning too: a malformed one is decoded as it is, so that New reports
// it with its path together with every other problem of the spec, exactly
// as for a spec written in Go. Guards are code and have no JSON form:
// attach them to the returned Spec's Guards, or pass them to Load.
func ParseSpec(data []byte) (Spec, error) {
	if len(data) > MaxSpecJSONLen {
		return Spec{}, &SpecError{Err: fmt.Errorf("JSON of %d bytes, at most %d", len(data), MaxSpecJSONLen)}
	}
	if jsonstrict.HasBOM(data) {
		return Spec{}, &SpecError{Err: errors.New(jsonstrict.BOMAdvice)}
	}
	if i := jsonstrict.InvalidUTF8(data); i >= 0 {
		return Spec{}, &SpecError{Err: fmt.Errorf("byte %d (0x%02x) is not UTF-8: save the spec as UTF-8", i, data[i])}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var js specJSON
	if err := dec.Decode(&js); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Spec{}, &SpecError{Path: jsonPath(data, err), Err: err}
	}
	if _, err := dec.Token(); err != io.EOF {
		return Spec{}, &SpecError{Err: fmt.Errorf("trailing data after the spec at offset %d", dec.InputOffset())}
	}
	if i := jsonstrict.LoneSurrogate(data); i >= 0 {
		return Spec{}, &SpecError{Path: jsonstrict.PathAt(data, int64(i)), Err: fmt.Errorf("the escape %s at byte %d is half of a UTF-16 surrogate pair (JSON would read it as U+FFFD): write the whole character", data[i:i+6], i)}
	}
	if d, ok := jsonstrict.DuplicateKey(data); ok {
		return Spec{}, &SpecError{Path: jsonstrict.JoinPath(d.Object, d.Again), Err: fmt.Errorf("key %q appears twice in one object (keys match without case): give it once", d.Again)}
	}
	s := js.spec()
	var v validator
	if len(s.Stages) > MaxStages {
		v.addf("stages", "%d stages, at most %d", len(s.Stages), MaxStages)
	}
	if len(s.Moves) > MaxMoves {
		v.addf("moves", "%d moves, at most %d", len(s.Moves), MaxMoves)
	}
	if len(s.Reasons) > MaxReasons {
		v.addf("reasons", "%d reasons, at most %d", len(s.Reasons), MaxReasons)
	}
	for i, m := range s.Moves {
		if len(m.Reasons) > MaxReasons {
			v.addf(fmt.Sprintf("moves[%d].reasons", i), "%d reasons, at most %d", len(m.Reasons), MaxReasons)
		}
		if len(m.Guards) > MaxGuards {
			v.addf(fmt.Sprintf("moves[%d].guards", i), "%d guards, at most %d", len(m.Guards), MaxGuards)
		}
	}
	if len(v.errs) > 0 {
		return Spec{}, errors.Join(v.errs...)
	}
	return s, nil
}

// specJSON is the JSON form of a [Spec] with stage identifiers as plain
// strings: Stage.UnmarshalText would stop the decoder at the first
// malformed one, without its path and hiding every other problem. Its
// fields and keys must stay those of Spec, StageSpec and MoveSpec (a test
// compares them).
type specJSON struct {
	ID        string          `json:"id"`
	Entry     string          `json:"entry,omitempty"`
	AllowSkip bool            `json:"allow_skip"`
	Stages    []stageSpecJSON `json:"stages"`
	Moves     []moveSpecJSON  `json:"moves,omitempty"`
	Reasons   []ReasonSpec    `json:"reasons,omitempty"`
}

type stageSpecJSON struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"`
	Team  Team   `json:"team"`
	Kind  Kind   `json:"kind"`
}

type moveSpecJSON struct {
	From    string       `json:"from"`
	To      string       `json:"to"`
	Reasons []ReasonCode `json:"reasons,omitempty"`
	Guards  []string     `json:"guards,omitempty"`
}

func (js *specJSON) spec() Spec {
	s := Spec{ID: js.ID, Entry: Stage(js.Entry), AllowSkip: js.AllowSkip, Reasons: js.Reasons}
	if js.Stages != nil {
		s.Stages = make([]StageSpec, len(js.Stages))
		for i, st := range js.Stages {
			s.Stages[i] = StageSpec{ID: Stage(st.ID), Label: st.Label, Team: st.Team, Kind: st.Kind}
		}
	}
	if js.Moves != nil {
		s.Moves = make([]MoveSpec, len(js.Moves))
		for i, mv := range js.Moves {
			s.Moves[i] = MoveSpec{From: Stage(mv.From), To: Stage(mv.To), Reasons: mv.Reasons, Guards: mv.Guards}
		}
	}
	return s
}

// jsonPath returns the path, as in [SpecError] ("stages[1].team"), of the
// value a decoding error is about, when encoding/json says which: its own
// Field ("stages.team") names no array index.
func jsonPath(data []byte, err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return jsonstrict.PathAt(data, te.Offset)
	}
	return ""
}

// Load decodes a spec with [ParseSpec], attaches the guards, and builds the
// model with [New]: a custom lifecycle loaded from JSON gets exactly the
// validation errors of one written in Go.
func Load(data []byte, guards ...Guard) (*Model, error) {
	s, err := ParseSpec(data)
	if err != nil {
		return nil, err
	}
	s.Guards = guards
	return New(s)
}
