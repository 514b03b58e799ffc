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

func decode(kind string, data []byte, v any) error {
	p := problems{spec: kind}
	if len(data) > maxSpecBytes {
		p.addf("", "spec is %d bytes, over the limit of %d", len(data), maxSpecBytes)
		return p.err()
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			p.addf(te.Field, "want %s, got JSON %s", te.Type, te.Value)
		} else {
			p.add("", fmt.Errorf("decoding JSON: %w", err))
		}
		return p.err()
	}
	if _, err := dec.Token(); err != io.EOF {
		p.addf("", "trailing data after the spec")
		return p.err()
	}
	return nil
}
