package handoff_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
)

// parseAny parses data with the parser of kind.
func parseAny(kind string, data []byte) error {
	var err error
	switch kind {
	case "calendar":
		_, err = handoff.ParseCalendarSpec(data)
	case "sla":
		_, err = handoff.ParseSLASpec(data)
	case "routing":
		_, err = handoff.ParseRoutingSpec(data)
	case "policy":
		_, err = handoff.ParsePolicySpec(data)
	case "acceptance":
		_, err = handoff.ParseAcceptanceConfig(data)
	default:
		panic(kind)
	}
	return err
}

// wantSpecError checks that err matches ErrInvalidSpec and holds a
// *SpecError of kind at path whose message contains every one of msg.
func wantSpecError(t *testing.T, kind, in string, err error, path string, msg ...string) {
	t.Helper()
	var se *handoff.SpecError
	switch {
	case !errors.Is(err, handoff.ErrInvalidSpec):
		t.Errorf("%s %q: err = %v, want ErrInvalidSpec", kind, in, err)
	case !errors.As(err, &se) || se.Path != path || se.Spec != kind:
		t.Errorf("%s %q: err = %v, want a *SpecError at %q", kind, in, err, path)
	default:
		for _, m := range msg {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("%s %q: message %q lacks %q", kind, in, err, m)
			}
		}
	}
}

// TestParseRefusesNonUTF8: encoding/json would read U+FFFD for every byte
// that is not UTF-8 ("Jos\xe9" and "Jos\xe8" would both become
// "Jos\uFFFD"); the parsers refuse such input, at the path of the string
// and with the offset of the byte. The same input in UTF-8 is accepted.
func TestParseRefusesNonUTF8(t *testing.T) {
	cases := []struct {
		kind, in, path string
		off            int
	}{
		{"calendar", `{"id": "Jos\xe9"}`, "id", 11},
		{"calendar", `{"zone": "UTC", "week": {"monday": ["09:00-17:00"]}, "holidays": ["2026-12-25"], "id": "\xc3"}`, "id", 88},
		{"sla", `{"tiers": [{"name": "a", "label": "r\xe1pido", "targets": [{"target": "accept", "within": "1h"}]}]}`, "tiers[0].label", 36},
		{"routing", `{"rules": [{"name": "a"}, {"name": "b", "territories": ["M\xe9xico"]}]}`, "rules[1].territories[0]", 58},
		{"routing", `{"fallback": "\xed\xa0\x80"}`, "fallback", 14}, // a surrogate
		{"routing", `{"fallback": "\xc0\xaf"}`, "fallback", 14},     // an overlong '/'
		{"policy", `{"rules": [{"name": "r", "because": "caf\xe9 con leche"}]}`, "rules[0].because", 40},
		{"acceptance", `{"reasons": [{"code": "x", "class": "clerical", "label": "Dupl\xe9", "to": ["nurture"]}]}`, "reasons[0].label", 62},
	}
	for _, c := range cases {
		c.in = unhex(c.in)
		err := parseAny(c.kind, []byte(c.in))
		wantSpecError(t, c.kind, c.in, err, c.path, "byte "+strconv.Itoa(c.off)+" ", "not UTF-8")
		// The same spec, in UTF-8, parses: the encoding alone was refused.
		fixed := strings.ToValidUTF8(c.in, "é")
		if err := parseAny(c.kind, []byte(fixed)); err != nil {
			t.Errorf("%s %q: %v", c.kind, fixed, err)
		}
	}
	// A key that is not UTF-8 is refused too (and is unknown).
	if err := parseAny("calendar", []byte("{\"zon\xe9\": \"UTC\"}")); !errors.Is(err, handoff.ErrInvalidSpec) || !strings.Contains(err.Error(), "byte 5 ") {
		t.Errorf("key not UTF-8: err = %v", err)
	}
}

// unhex replaces each \xNN of s, written as text in a raw string, by
// the byte it stands for.
func unhex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], `\x`) && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// TestParseRefusesRepeatedKeys: encoding/json keeps the last of two values
// given for one key in one object, keys compared without case as it
// matches them to fields; the parsers refuse the spec at the path of the
// key, spelled as it was first given.
func TestParseRefusesRepeatedKeys(t *testing.T) {
	cases := []struct{ kind, in, path, key string }{
		{"calendar", `{"zone": "UTC", "zone": "Europe/Madrid"}`, "zone", `"zone"`},
		{"calendar", `{"week": {"monday": ["09:00-17:00"], "tuesday": [], "MONDAY": []}}`, "week.monday", `"MONDAY"`},
		{"calendar", `{"pauses": [{"from": "2026-08-10T00:00:00Z", "to": "2026-08-24T00:00:00Z", "To": "2027-08-24T00:00:00Z"}]}`, "pauses[0].to", `"To"`},
		{"sla", `{"tiers": [{"name": "a", "targets": [{"target": "accept", "within": "1h", "Within": "9h"}]}]}`, "tiers[0].targets[0].within", `"Within"`},
		{"routing", `{"rules": [{"name": "a"}, {"name": "b", "queue": "x", "NAME": "c"}]}`, "rules[1].name", `"NAME"`},
		{"policy", `{"rules": [{}, {}, {"then": {"to": "sql", "verdict": "promote", "To": "mql"}}]}`, "rules[2].then.to", `"To"`},
		{"policy", `{"id": "a", "id": "a"}`, "id", `"id"`}, // even with the same value
		{"acceptance", `{"recycle": {"cooldown": "1d"}, "Recycle": {"max_recycles": 2}}`, "recycle", `"Recycle"`},
	}
	for _, c := range cases {
		err := parseAny(c.kind, []byte(c.in))
		wantSpecError(t, c.kind, c.in, err, c.path, c.key, "give it once")
	}
	// The same key in different objects is no repeat.
	ok := `{"rules": [{"name": "a", "territories": ["es"]}, {"name": "b", "territories": ["fr"]}]}`
	if err := parseAny("routing", []byte(ok)); err != nil {
		t.Errorf("%s: %v", ok, err)
	}
}

// TestParseFieldErrorPaths: an error of a field's own decoder (a span, a
// date, a time, a duration, a decimal, a stage) and an unknown key come at
// the path of the value, with array indexes, and keep the decoder's error
// for errors.Is and errors.As.
func TestParseFieldErrorPaths(t *testing.T) {
	cases := []struct {
		kind, in, path string
		is             error
	}{
		{"calendar", `{"week": {"monday": ["09:00-17:00"], "tuesday": ["09:00-12:00", "13:00-1700"]}}`, "week.tuesday[1]", nil},
		{"calendar", `{"holidays": ["2026-12-25", "2026-02-30"]}`, "holidays[1]", nil},
		{"calendar", `{"pauses": [{"from": "2026-08-10T00:00:00Z", "to": "2026-08-24T00:00:00Z"}, {"from": "2026-08-10T00:00:00Z", "to": "tomorrow"}]}`, "pauses[1].to", nil},
		{"calendar", `{"week": {"mondya": ["09:00-17:00"]}}`, "week.mondya", nil},
		{"calendar", `{"Location": "UTC"}`, "Location", nil},
		{"sla", `{"tiers": [{"name": "a", "targets": [{"target": "accept", "within": "1h"}, {"target": "first_touch", "within": "5 minutes"}]}]}`, "tiers[0].targets[1].within", nil},
		{"sla", `{"due_soon": "three quarters"}`, "due_soon", nil},
		{"sla", `{"tiers": [{"name": "a", "escalations": [{"name": "e", "at": "x"}]}]}`, "tiers[0].escalations[0].at", nil},
		{"sla", `{"tiers": [{"name": "a", "targets": [{"target": "accept", "whitin": "1h"}]}]}`, "tiers[0].targets[0].whitin", nil},
		{"routing", `{"rules": [{"name": "a"}, {"name": "b", "territory": ["es"]}]}`, "rules[1].territory", nil},
		{"policy", `{"rules": [{"name": "a"}, {"name": "b", "when": {"stages": ["lead", "Lead!"]}}]}`, "rules[1].when.stages[1]", funnel.ErrInvalidStage},
		{"policy", `{"rules": [{"name": "a", "when": {"min_fit": "fifty"}}]}`, "rules[0].when.min_fit", nil},
		{"policy", `{"rules": [{"name": "a", "then": {"to": "s q l"}}]}`, "rules[0].then.to", funnel.ErrInvalidStage},
		{"policy", `{"rules": [{"name": "a", "when": {"stage": ["lead"]}}]}`, "rules[0].when.stage", nil},
		{"acceptance", `{"recycle": {"cooldown": "3 days"}}`, "recycle.cooldown", nil},
		{"acceptance", `{"reasons": [{"code": "x", "to": ["nurture", "Nurture?"]}]}`, "reasons[0].to[1]", funnel.ErrInvalidStage},
		{"acceptance", `{"Model": {}}`, "Model", nil},
	}
	for _, c := range cases {
		err := parseAny(c.kind, []byte(c.in))
		wantSpecError(t, c.kind, c.in, err, c.path, c.path+": ")
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s %s: err = %v, want %v", c.kind, c.in, err, c.is)
		}
	}
	// A time keeps its *time.ParseError.
	_, err := handoff.ParseCalendarSpec([]byte(`{"pauses": [{"from": "2026-08-10", "to": "2026-08-24T00:00:00Z"}]}`))
	var pe *time.ParseError
	if !errors.As(err, &pe) {
		t.Errorf("pause: err = %v, want a *time.ParseError", err)
	}
	// encoding/json reports the first problem in document order, and so
	// does the path: a bad value after an unknown key is the one returned.
	_, err = handoff.ParseCalendarSpec([]byte(`{"nope": 1, "holidays": ["2026-13-01"]}`))
	wantSpecError(t, "calendar", "nope", err, "holidays[0]", "2026-13-01")
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		t.Errorf("unexpected type error %v", ute)
	}
}

// TestParseRefusesNull: encoding/json decodes a null document as nothing,
// which would turn a file that holds no spec into the defaults (an empty
// routing spec or acceptance config is valid); the parsers refuse it.
func TestParseRefusesNull(t *testing.T) {
	for _, kind := range []string{"calendar", "sla", "routing", "policy", "acceptance"} {
		for _, in := range []string{"null", " null\n"} {
			wantSpecError(t, kind, in, parseAny(kind, []byte(in)), "", "null")
		}
		member := `{"id": null}` // a null member is as if left out
		if kind == "acceptance" {
			member = `{"recycle": null}`
		}
		if err := parseAny(kind, []byte(member)); err != nil {
			t.Errorf("%s %s: %v", kind, member, err)
		}
	}
}

// manyKeys returns a spec of at most n bytes: {"id": "x"}, then members
// "k0", "k1", ... as many as fit, then last.
func manyKeys(n int, last string) []byte {
	var b strings.Builder
	b.WriteString(`{"id": "x"`)
	for i := 0; ; i++ {
		m := `,"k` + strconv.Itoa(i) + `":0`
		if b.Len()+len(m)+len(last)+1 > n {
			break
		}
		b.WriteString(m)
	}
	b.WriteString(last + "}")
	return []byte(b.String())
}

// TestParseManyKeys: an object of 1 MiB of keys is checked in time linear
// in its size (it took the quadratic first version 48 s), and its problems
// come at their paths: the first unknown key, a key repeated at the end.
func TestParseManyKeys(t *testing.T) {
	data := manyKeys(1<<20, "")
	_, err := handoff.ParseRoutingSpec(data)
	wantSpecError(t, "routing", "1 MiB of keys", err, "k0", "unknown field")
	data = manyKeys(1<<20, `,"ID":"y"`)
	_, err = handoff.ParseRoutingSpec(data)
	wantSpecError(t, "routing", "1 MiB of keys", err, "id", `"ID"`, "give it once")
}

// TestParseRefusesLoneSurrogate: encoding/json reads an escape of half a
// UTF-16 surrogate pair as U+FFFD ("\ud83d" alone, as JavaScript writes
// half an emoji); the parsers refuse it at the string's path, and accept
// whole pairs and an escaped backslash before "u".
func TestParseRefusesLoneSurrogate(t *testing.T) {
	cases := []struct{ kind, in, path, escape string }{
		{"routing", `{"fallback": "emea\ud83d"}`, "fallback", `\ud83d at byte 18`},
		{"routing", `{"rules": [{"name": "a", "territories": ["es", "\ude00x"]}]}`, "rules[0].territories[1]", `\ude00 at byte 48`},
		{"policy", `{"rules": [{"name": "a", "because": "\ud83d\u0041"}]}`, "rules[0].because", `\ud83d at byte 37`},
		{"calendar", `{"id": "\ud83d\ud83d\ude00"}`, "id", `\ud83d at byte 8`},
	}
	for _, c := range cases {
		wantSpecError(t, c.kind, c.in, parseAny(c.kind, []byte(c.in)), c.path, c.escape, "surrogate")
	}
	for _, in := range []string{`{"id": "\ud83d\ude00"}`, `{"id": "\\ud83d"}`, `{"id": "\\\ud83d\ude00\n\u00e9"}`} {
		if err := parseAny("routing", []byte(in)); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
}
