package handoff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxSpecBytes bounds the JSON specs the parsers accept.
const maxSpecBytes = 1 << 20

// ParseCalendarSpec decodes a [CalendarSpec] from JSON, rejecting unknown
// fields and trailing data. It checks only the syntax; [NewWeekly]
// validates the rest. Errors match [ErrInvalidSpec].
//
//	{"zone": "Europe/Madrid",
//	 "week": {"monday": ["09:00-14:00", "15:00-18:00"], "friday": ["08:00-15:00"]},
//	 "holidays": ["2026-12-25"],
//	 "pauses": [{"from": "2026-08-10T00:00:00+02:00", "to": "2026-08-24T00:00:00+02:00"}]}
func ParseCalendarSpec(data []byte) (CalendarSpec, error) {
	var s CalendarSpec
	return s, decode("calendar", data, &s)
}

// ParseSLASpec decodes an [SLASpec] from JSON (see [ParseCalendarSpec] for
// the rules); [NewSLA] validates it. Durations are text such as "5m",
// "4h", "3d"; shares are decimals such as "0.75" or 0.75.
func ParseSLASpec(data []byte) (SLASpec, error) {
	var s SLASpec
	return s, decode("sla", data, &s)
}

// ParseRoutingSpec decodes a [RoutingSpec] from JSON; [NewRouter]
// validates it.
func ParseRoutingSpec(data []byte) (RoutingSpec, error) {
	var s RoutingSpec
	return s, decode("routing", data, &s)
}

// ParsePolicySpec decodes a [PolicySpec] from JSON; [NewPolicy] validates
// it against a funnel model.
//
//	{"id": "acme", "rules": [
//	  {"name": "promote", "because": "fit B or better and interest 50 or more",
//	   "when": {"stages": ["lead"], "fit_grades": ["A", "B"], "min_interest": "50"},
//	   "then": {"verdict": "promote", "to": "mql", "reason": "score_threshold"}}]}
func ParsePolicySpec(data []byte) (PolicySpec, error) {
	var s PolicySpec
	return s, decode("policy", data, &s)
}

// ParseAcceptanceConfig decodes the data of an [AcceptanceConfig] from
// JSON: the reason catalog (a host's extended set), the recycling rules,
// the stages and AcceptTo. Model and SLA are not part of JSON: set them
// before calling [NewAcceptance], which validates the rest. Durations are
// text such as "30d"; a reasons list replaces [DefaultReasons] entirely.
//
//	{"reasons": [
//	   {"code": "wrong_territory", "class": "procedural", "to": ["mql", "nurture"]},
//	   {"code": "no_budget", "class": "after_contact", "to": ["nurture"]}],
//	 "recycle": {"cooldown": "21d", "max_recycles": 2}}
func ParseAcceptanceConfig(data []byte) (AcceptanceConfig, error) {
	var c AcceptanceConfig
	return c, decode("acceptance", data, &c)
}

// decode decodes one JSON spec into v. Errors match [ErrInvalidSpec] and
// keep what encoding/json reports, for [errors.As], as [json.Unmarshal]
// would give it: a *json.SyntaxError for malformed or truncated input and
// for data after the spec, a *json.UnmarshalTypeError for a value of the
// wrong type (whose [SpecError] carries the field path), and the error of
// a field's own decoder (a [Date], a [Span], a decimal) otherwise.
func decode(kind string, data []byte, v any) error {
	p := problems{spec: kind}
	if len(data) > maxSpecBytes {
		p.addf("", "spec is %d bytes, over the limit of %d", len(data), maxSpecBytes)
		return p.err()
	}
	// The syntax first, as json.Unmarshal checks it: a Decoder reports
	// truncated input as io.ErrUnexpectedEOF and stops before trailing
	// data, neither of which is a *json.SyntaxError.
	if !json.Valid(data) {
		var raw json.RawMessage
		err := json.Unmarshal(data, &raw) // the *json.SyntaxError, with its offset
		if err == nil {
			err = errors.New("invalid JSON")
		}
		what := "decoding JSON"
		if json.NewDecoder(bytes.NewReader(data)).Decode(&raw) == nil {
			what = "trailing data after the spec"
		}
		p.add("", fmt.Errorf("%s: %w", what, err))
		return p.err()
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			p.add(te.Field, &typeError{te})
		} else {
			p.add("", fmt.Errorf("decoding JSON: %w", err))
		}
		return p.err()
	}
	if _, err := dec.Token(); err != io.EOF { // unreachable after json.Valid; kept as a guard
		p.addf("", "trailing data after the spec")
		return p.err()
	}
	return nil
}

// typeError is a JSON value of the wrong type, reported at its field path
// by the [SpecError] that holds it; it unwraps to the *json.UnmarshalTypeError.
type typeError struct{ te *json.UnmarshalTypeError }

func (e *typeError) Error() string {
	want := "a value of another type"
	if e.te.Type != nil {
		want = e.te.Type.String()
	}
	return "want " + want + ", got JSON " + e.te.Value
}

func (e *typeError) Unwrap() error { return e.te }
