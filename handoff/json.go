package handoff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/smarketing/smarketing/internal/jsonstrict"
)

// maxSpecBytes bounds the JSON specs the parsers accept.
const maxSpecBytes = 1 << 20

// ParseCalendarSpec decodes a [CalendarSpec] from JSON. Like every Parse
// function of the package it is strict: it refuses unknown fields,
// trailing data, more than 1 MiB, a null document (encoding/json alone
// would return the zero spec; write {} for every default), input that is
// not UTF-8 or escapes half a UTF-16 surrogate pair ("\ud83d" alone:
// encoding/json alone would read U+FFFD for either, changing a name or an
// ID) and a key given twice in one object (encoding/json alone would keep
// the last value), and a UTF-8 byte-order mark before the spec, with an
// error that says so. Keys match fields as in encoding/json, without case, so
// "Zone" repeats "zone"; write them as shown. Every problem is a
// [*SpecError] matching [ErrInvalidSpec], at the path of the value at
// fault (such as "week.monday[1]" or "rules[2].then.to"); the problem of a
// field's own decoder (a [Span], a [Date], a [Duration], a stage) wraps
// that decoder's error. It checks only the syntax; [NewWeekly] validates
// the rest.
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

// ParseRoutingSpec decodes a [RoutingSpec] from JSON, as strictly as
// [ParseCalendarSpec]; [NewRouter] validates it.
func ParseRoutingSpec(data []byte) (RoutingSpec, error) {
	var s RoutingSpec
	return s, decode("routing", data, &s)
}

// ParsePolicySpec decodes a [PolicySpec] from JSON, as strictly as
// [ParseCalendarSpec]; [NewPolicy] validates it against a funnel model.
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
// JSON, as strictly as [ParseCalendarSpec]: the reason catalog (a host's
// extended set), the recycling rules, the stages and AcceptTo. Model and
// SLA are not part of JSON: set them before calling [NewAcceptance], which
// validates the rest. Durations are text such as "30d"; a reasons list
// replaces [DefaultReasons] entirely.
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
// wrong type, and the error of a field's own decoder (a [Date], a [Span],
// a decimal) otherwise, each in a [SpecError] at the path of the value at
// fault. It also refuses a null document, and what encoding/json would
// change silently (see package internal/jsonstrict): input that is not UTF-8, half a
// surrogate pair and a key given twice in one object; those come first, joined with the
// decoding error if there is one.
func decode(kind string, data []byte, v any) error {
	p := problems{spec: kind}
	if len(data) > maxSpecBytes {
		p.addf("", "spec is %d bytes, over the limit of %d", len(data), maxSpecBytes)
		return p.err()
	}
	if jsonstrict.HasBOM(data) {
		p.addf("", "%s", jsonstrict.BOMAdvice) // beside json's syntax error below
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
	// encoding/json decodes a null document as nothing at all, which
	// would make a spec of defaults (an empty routing or acceptance
	// config is valid) out of a file that holds none.
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		p.addf("", "the spec is null: want a JSON object ({} for every default)")
		return p.err()
	}
	// Valid JSON has bytes that are not UTF-8 only inside strings.
	if i := jsonstrict.InvalidUTF8(data); i >= 0 {
		p.addf(jsonstrict.PathAt(data, int64(i)), "byte %d (0x%02x) is not UTF-8: save the spec as UTF-8", i, data[i])
	}
	if i := jsonstrict.LoneSurrogate(data); i >= 0 {
		p.addf(jsonstrict.PathAt(data, int64(i)), "the escape %s at byte %d is half of a UTF-16 surrogate pair (JSON would read it as U+FFFD): write the whole character", data[i:i+6], i)
	}
	if d, ok := jsonstrict.DuplicateKey(data); ok {
		path := jsonstrict.JoinPath(d.Object, d.First)
		if d.First == d.Again {
			p.addf(path, "key %q appears twice in one object: give it once", d.First)
		} else {
			p.addf(path, "keys %q and %q are the same key (keys match without case): give it once", d.First, d.Again)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		if _, err := dec.Token(); err != io.EOF { // unreachable after json.Valid; kept as a guard
			p.addf("", "trailing data after the spec")
		}
	case errors.As(err, &te) && te.Field != "":
		// te.Field names no array index: "rules.then.to".
		path := jsonstrict.PathAt(data, te.Offset)
		if path == "" {
			path = te.Field
		}
		p.add(path, &typeError{te})
	case errors.As(err, &te):
		p.add("", fmt.Errorf("decoding JSON: %w", err))
	default:
		// A value its own decoder refused, or else an unknown key (whose
		// error encoding/json keeps only when no decoder fails): neither
		// says where it is.
		path, ok := jsonstrict.FieldPath(data, reflect.TypeOf(v), false)
		if !ok {
			path, ok = jsonstrict.FieldPath(data, reflect.TypeOf(v), true)
		}
		if ok {
			p.add(path, err)
		} else {
			p.add("", fmt.Errorf("decoding JSON: %w", err))
		}
	}
	return p.err()
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
