package funnel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// Decoding is strict: unknown fields, trailing data, malformed stage
// identifiers, more than [MaxSpecJSONLen] bytes and more items than the
// Max limits are errors (a [*SpecError] matching [ErrInvalidSpec]).
// ParseSpec checks only the form; [New] (or [Load], which does both)
// checks the meaning. Guards are code and have no JSON form: attach them to
// the returned Spec's Guards, or pass them to Load.
func ParseSpec(data []byte) (Spec, error) {
	if len(data) > MaxSpecJSONLen {
		return Spec{}, &SpecError{Err: fmt.Errorf("JSON of %d bytes, at most %d", len(data), MaxSpecJSONLen)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Spec{}, &SpecError{Path: jsonPath(err), Err: err}
	}
	if _, err := dec.Token(); err != io.EOF {
		return Spec{}, &SpecError{Err: fmt.Errorf("trailing data after the spec at offset %d", dec.InputOffset())}
	}
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

// jsonPath returns the field path of a decoding error when encoding/json
// knows it.
func jsonPath(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
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
