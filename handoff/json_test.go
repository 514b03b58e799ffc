package handoff_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
)

var specOpts = cmp.Options{
	cmpopts.IgnoreFields(handoff.CalendarSpec{}, "Location"),
	cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
	cmpopts.EquateEmpty(),
}

func readSpec(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseSpecFiles(t *testing.T) {
	cs, err := handoff.ParseCalendarSpec(readSpec(t, "calendar.json"))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := handoff.NewWeekly(cs)
	if err != nil {
		t.Fatal(err)
	}
	if cal.Location().String() != "Europe/Madrid" {
		t.Errorf("zone %v", cal.Location())
	}
	ss, err := handoff.ParseSLASpec(readSpec(t, "sla.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(handoff.DefaultSLASpec(), ss, specOpts); diff != "" {
		t.Errorf("sla.json differs from DefaultSLASpec (-want +got):\n%s", diff)
	}
	ps, err := handoff.ParsePolicySpec(readSpec(t, "policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(handoff.DefaultPolicySpec(funnel.Default()), ps, specOpts); diff != "" {
		t.Errorf("policy.json differs from DefaultPolicySpec (-want +got):\n%s", diff)
	}
	rs, err := handoff.ParseRoutingSpec(readSpec(t, "routing.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := handoff.NewRouter(rs); err != nil {
		t.Fatal(err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{`{"zone": 3}`, `{"week": {"monday": ["9-17"]}}`, `{"holidays": ["2026-02-30"]}`,
		`{"holidays": ["+202-01-01"]}`, `{"holidays": ["2026-+1-01"]}`, `{"holidays": ["2026-01- 1"]}`, `{"holidays": ["0000-01-01"]}`, `{"nope": 1}`, `{} {}`, `{}]`, `[`} {
		if _, err := handoff.ParseCalendarSpec([]byte(in)); !errors.Is(err, handoff.ErrInvalidSpec) {
			t.Errorf("ParseCalendarSpec(%s): err = %v", in, err)
		}
	}
	_, err := handoff.ParseSLASpec([]byte(`{"tiers": [{"name": "a", "targets": [{"target": "accept", "within": 5}]}]}`))
	var se *handoff.SpecError
	if !errors.As(err, &se) || se.Path != "tiers[0].targets[0].within" {
		t.Errorf("type error path: %v", err)
	}
}

// TestWriteSpecFiles regenerates testdata/{sla,policy}.json from the
// defaults with -update.
func TestWriteSpecFiles(t *testing.T) {
	if !*update {
		t.Skip("use -update to rewrite the spec files")
	}
	write := func(name string, v any) {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", name), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("sla.json", handoff.DefaultSLASpec())
	write("policy.json", handoff.DefaultPolicySpec(funnel.Default()))
}

// TestStateJSONRoundTrip: the values a host stores between calls (the
// recycling state, the rotation, the SLA ticket) come back equal from
// their JSON.
func TestStateJSONRoundTrip(t *testing.T) {
	m := funnel.Default()
	l := newLifecycle(t, m, handoff.RecycleSpec{})
	l.decide(t0.Add(time.Hour), "high_fit_high_interest")
	o, err := l.acc.Disqualify(l.state, l.recycle, handoff.Rejection{Rep: l.owner, Code: funnel.ReasonNoBudget, At: t0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var rs handoff.RecycleState
	b, _ := json.Marshal(o.Recycle)
	if err := json.Unmarshal(b, &rs); err != nil || !rs.Equal(o.Recycle) {
		t.Errorf("RecycleState round trip: %v\n%s", err, b)
	}
	var rot handoff.Rotation
	b, _ = json.Marshal(l.rot)
	if err := json.Unmarshal(b, &rot); err != nil || !cmp.Equal(rot, l.rot) {
		t.Errorf("Rotation round trip: %v\n%s", err, b)
	}
	tk := handoff.Ticket{Tier: "standard", ActionAt: t0, AssignedAt: t0.Add(time.Minute), Attempts: 2}
	var tk2 handoff.Ticket
	b, _ = json.Marshal(tk)
	if err := json.Unmarshal(b, &tk2); err != nil || !cmp.Equal(tk, tk2) {
		t.Errorf("Ticket round trip: %v\n%s", err, b)
	}
}

// TestParseErrorsUnwrap: a decoding error keeps what encoding/json says
// for errors.As, as json.Unmarshal gives it: a value of the wrong type is
// a *json.UnmarshalTypeError (and a *SpecError at its field path), and
// malformed or truncated input and data after the spec are a
// *json.SyntaxError, for every parser; all match ErrInvalidSpec.
func TestParseErrorsUnwrap(t *testing.T) {
	parsers := map[string]struct {
		parse func([]byte) error
		into  func() any
	}{
		"calendar": {func(b []byte) error { _, err := handoff.ParseCalendarSpec(b); return err }, func() any { return new(handoff.CalendarSpec) }},
		"sla":      {func(b []byte) error { _, err := handoff.ParseSLASpec(b); return err }, func() any { return new(handoff.SLASpec) }},
		"routing":  {func(b []byte) error { _, err := handoff.ParseRoutingSpec(b); return err }, func() any { return new(handoff.RoutingSpec) }},
		"policy":   {func(b []byte) error { _, err := handoff.ParsePolicySpec(b); return err }, func() any { return new(handoff.PolicySpec) }},
		"acceptance": {func(b []byte) error { _, err := handoff.ParseAcceptanceConfig(b); return err },
			func() any { return new(handoff.AcceptanceConfig) }},
	}
	// The *SpecError gives the path with array indexes; encoding/json's
	// own Field has none.
	typeCases := []struct{ kind, in, field, path string }{
		{"calendar", `{"zone": 3}`, "zone", "zone"},
		{"calendar", `{"week": {"monday": 3}}`, "week.monday", "week.monday"},
		{"calendar", `{"week": {"monday": ["09:00-10:00", 3]}}`, "week.monday", "week.monday[1]"},
		{"sla", `{"tiers": [{"name": "a", "targets": [{"target": "accept", "within": 5}]}]}`, "tiers.targets.within", "tiers[0].targets[0].within"},
		{"sla", `{"tiers": [{"name": "a"}, {"name": "b", "targets": [{}, {"target": 1}]}]}`, "tiers.targets.target", "tiers[1].targets[1].target"},
		{"routing", `{"strict": "yes"}`, "strict", "strict"},
		{"routing", `{"rules": [{"name": "a"}, {"name": "b", "territories": ["es", 7]}]}`, "rules.territories", "rules[1].territories[1]"},
		{"policy", `{"rules": [{"name": 7}]}`, "rules.name", "rules[0].name"},
		{"policy", `{"rules": [{}, {}, {"then": {"to": ["mql"]}}]}`, "rules.then.to", "rules[2].then.to"},
		{"acceptance", `{"recycle": {"max_recycles": "2"}}`, "recycle.max_recycles", "recycle.max_recycles"},
		{"acceptance", `{"reasons": [{"code": "a"}, {"code": "b", "to": "mql"}]}`, "reasons.to", "reasons[1].to"},
	}
	for _, c := range typeCases {
		err := parsers[c.kind].parse([]byte(c.in))
		var te *json.UnmarshalTypeError
		var se *handoff.SpecError
		switch {
		case !errors.Is(err, handoff.ErrInvalidSpec):
			t.Errorf("%s %s: err = %v, want ErrInvalidSpec", c.kind, c.in, err)
		case !errors.As(err, &te) || te.Field != c.field:
			t.Errorf("%s %s: err = %v, want a *json.UnmarshalTypeError at %s", c.kind, c.in, err, c.field)
		case !errors.As(err, &se) || se.Path != c.path || se.Spec != c.kind:
			t.Errorf("%s %s: err = %v, want a *SpecError at %s", c.kind, c.in, err, c.path)
		case !strings.Contains(err.Error(), c.path+": want "):
			t.Errorf("%s %s: message %q lacks the path", c.kind, c.in, err)
		}
	}
	syntax := []string{`{`, `[`, `{"id": "x"`, `{"id": }`, `{} {}`, `{}]`, `{"id": "x"} x`, `nul`, ``, `  `}
	for kind, p := range parsers {
		for _, in := range syntax {
			err := p.parse([]byte(in))
			var se *json.SyntaxError
			if !errors.Is(err, handoff.ErrInvalidSpec) || !errors.As(err, &se) {
				t.Errorf("%s %q: err = %v, want ErrInvalidSpec and a *json.SyntaxError", kind, in, err)
			}
		}
		// Whatever json.Unmarshal reports as a syntax or type error, the
		// parser reports too.
		for _, in := range append(syntax, `3`, `"x"`, `[1]`, `{"id": 1}`, `{"id": []}`) {
			jerr := json.Unmarshal([]byte(in), p.into())
			err := p.parse([]byte(in))
			var se1, se2 *json.SyntaxError
			var te1, te2 *json.UnmarshalTypeError
			if errors.As(jerr, &se1) != errors.As(err, &se2) || errors.As(jerr, &te1) != errors.As(err, &te2) {
				t.Errorf("%s %q: err = %v, json.Unmarshal gives %v", kind, in, err, jerr)
			}
		}
	}
}

// TestParseRefusesBOM: a spec saved with a UTF-8 byte-order mark is
// refused by every parser with an error that says so (encoding/json alone
// says "invalid character 'ï'"), still unwrapping to the *json.SyntaxError.
func TestParseRefusesBOM(t *testing.T) {
	bom := []byte("\ufeff{}")
	for name, parse := range map[string]func([]byte) error{
		"calendar":   func(b []byte) error { _, err := handoff.ParseCalendarSpec(b); return err },
		"sla":        func(b []byte) error { _, err := handoff.ParseSLASpec(b); return err },
		"routing":    func(b []byte) error { _, err := handoff.ParseRoutingSpec(b); return err },
		"policy":     func(b []byte) error { _, err := handoff.ParsePolicySpec(b); return err },
		"acceptance": func(b []byte) error { _, err := handoff.ParseAcceptanceConfig(b); return err },
	} {
		err := parse(bom)
		var se *json.SyntaxError
		if !errors.Is(err, handoff.ErrInvalidSpec) || !errors.As(err, &se) || !strings.Contains(err.Error(), "byte-order mark") {
			t.Errorf("%s: %v, want ErrInvalidSpec naming the byte-order mark", name, err)
		}
	}
}
