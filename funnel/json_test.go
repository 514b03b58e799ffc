package funnel_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
)

func TestSpecJSONRoundTrip(t *testing.T) {
	for _, spec := range []funnel.Spec{funnel.DefaultSpec(), funnel.WaterfallSpec()} {
		data, err := json.Marshal(spec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := funnel.ParseSpec(data)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(spec, got); diff != "" {
			t.Errorf("%s round trip (-want +got):\n%s", spec.ID, diff)
		}
		m, err := funnel.Load(data)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(spec, m.Spec()); diff != "" {
			t.Errorf("Load (-want +got):\n%s", diff)
		}
	}
}

// TestSpecJSONGolden pins the documented JSON form of the default spec.
func TestSpecJSONGolden(t *testing.T) {
	data, err := json.MarshalIndent(funnel.DefaultSpec(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/default_spec.json", append(data, '\n'))
}

func TestLoadExample(t *testing.T) {
	data, err := os.ReadFile("testdata/custom_spec.json")
	if err != nil {
		t.Fatal(err)
	}
	guard := funnel.Guard{Name: "has_owner", Check: func(s funnel.State, mv funnel.Move) error { return nil }}
	m, err := funnel.Load(data, guard)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID() != "acme_b2b" || m.Entry() != funnel.Lead {
		t.Errorf("loaded %s entering at %s", m.ID(), m.Entry())
	}
	// Without the guard the spec is invalid, with the path of the reference.
	_, err = funnel.Load(data)
	var se *funnel.SpecError
	if !errors.As(err, &se) || se.Path != "moves[1].guards[0]" {
		t.Errorf("Load without guards = %v", err)
	}
}

func TestParseSpecErrors(t *testing.T) {
	big := `{"id":"x","stages":[` + strings.Repeat(`{"id":"a","team":"sales","kind":"forward"},`, 64) + `{"id":"a","team":"sales","kind":"forward"}]}`
	for _, tc := range []struct {
		name, json, path, contains string
		is                         error
	}{
		{"empty", ``, "", "unexpected EOF", nil},
		{"syntax", `{"id":`, "", "unexpected EOF", nil},
		{"unknown field", `{"id":"x","stagez":[]}`, "", `unknown field "stagez"`, nil},
		{"unknown nested field", `{"id":"x","stages":[{"id":"a","colour":"red"}]}`, "", `unknown field "colour"`, nil},
		{"wrong type", `{"id":"x","allow_skip":"yes"}`, "allow_skip", "cannot unmarshal", nil},
		// encoding/json names the field without its index ("stages.team").
		{"wrong type in a list", `{"id":"x","stages":[{"id":"a","team":"sales","kind":"forward"},{"id":"b","team":5,"kind":"forward"}]}`,
			"stages[1].team", "cannot unmarshal", nil},
		{"wrong type of a list", `{"id":"x","stages":[{"id":"a","team":"sales","kind":"forward"}],"moves":[{"from":"a","to":"b","reasons":[{"code":"r"}]}]}`,
			"moves[0].reasons[0]", "cannot unmarshal", nil},
		{"object for a string", `{"id":"x","stages":[{"id":{"a":[1,2]},"team":"sales"}]}`,
			"stages[0].id", "cannot unmarshal", nil},
		{"trailing data", `{"id":"x"} {}`, "", "trailing data", nil},
		{"too many stages", big, "stages", "65 stages, at most 64", nil},
		{"byte-order mark", "\ufeff{\"id\":\"x\"}", "", "byte-order mark", nil},
		{"too large", `{"id":"` + strings.Repeat("x", funnel.MaxSpecJSONLen) + `"}`, "", "at most", nil},
		{"guards have no JSON form", `{"id":"x","guards":[]}`, "", `unknown field "guards"`, nil},
		// encoding/json alone reads U+FFFD for bytes that are not UTF-8 and
		// keeps the last of repeated keys: ParseSpec used to return a
		// silently changed spec that New then accepted.
		{"not UTF-8", "{\"id\":\"x\",\"stages\":[{\"id\":\"a\",\"label\":\"R\xe9sum\xe9\",\"team\":\"sales\",\"kind\":\"forward\"}]}",
			"", "byte 40 (0xe9) is not UTF-8", nil},
		{"repeated key", `{"id":"x","stages":[{"id":"a","team":"sales","kind":"forward"},{"id":"b","kind":"forward","team":"sales","kind":"detour"}]}`,
			"stages[1].kind", `key "kind" appears twice`, nil},
		{"half a surrogate pair", `{"id":"x","stages":[{"id":"a","label":"Hot \ud83d","team":"sales","kind":"forward"}]}`,
			"stages[0].label", "half of a UTF-16 surrogate pair", nil},
		{"repeated key in another case", `{"id":"x","allow_skip":false,"stages":[],"Allow_Skip":true}`,
			"Allow_Skip", `key "Allow_Skip" appears twice`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := funnel.ParseSpec([]byte(tc.json))
			if !errors.Is(err, funnel.ErrInvalidSpec) {
				t.Fatalf("ParseSpec = %v, want ErrInvalidSpec", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not match %v", err, tc.is)
			}
			var se *funnel.SpecError
			if !errors.As(err, &se) || se.Path != tc.path {
				t.Errorf("path = %q, want %q (%v)", se.Path, tc.path, err)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error %q does not contain %q", err, tc.contains)
			}
		})
	}
}

func TestLoadSameErrorsAsNew(t *testing.T) {
	spec := funnel.DefaultSpec()
	spec.Stages[3].Team = "ops"
	spec.Moves[0].Reasons = nil
	spec.Entry = funnel.Nurture
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	_, errNew := funnel.New(spec)
	_, errLoad := funnel.Load(data)
	if errNew == nil || errLoad == nil || errNew.Error() != errLoad.Error() {
		t.Errorf("New and Load disagree:\nNew:  %v\nLoad: %v", errNew, errLoad)
	}
}

// TestLoadMalformedIdentifiers: malformed stage identifiers in JSON are
// reported by New's validator, each with its path and together with every
// other problem, exactly as for the same spec written in Go (not by the
// decoder, which would stop at the first, without a path).
func TestLoadMalformedIdentifiers(t *testing.T) {
	data := []byte(`{
		"id": "x",
		"entry": "Lead",
		"stages": [
			{"id": "Lead", "team": "marketing", "kind": "forward"},
			{"id": "sql", "team": "ops", "kind": "forward"},
			{"id": "big stage", "team": "sales", "kind": "detour"}
		],
		"moves": [{"from": "sql", "to": "big stage", "reasons": ["r"]}],
		"reasons": [{"code": "r"}]
	}`)
	spec, err := funnel.ParseSpec(data)
	if err != nil {
		t.Fatalf("ParseSpec checks the form only: %v", err)
	}
	goSpec := funnel.Spec{
		ID: "x", Entry: "Lead",
		Stages: []funnel.StageSpec{
			{ID: "Lead", Team: funnel.Marketing, Kind: funnel.Forward},
			{ID: "sql", Team: "ops", Kind: funnel.Forward},
			{ID: "big stage", Team: funnel.Sales, Kind: funnel.Detour},
		},
		Moves:   []funnel.MoveSpec{{From: "sql", To: "big stage", Reasons: []funnel.ReasonCode{"r"}}},
		Reasons: []funnel.ReasonSpec{{Code: "r"}},
	}
	if diff := cmp.Diff(goSpec, spec); diff != "" {
		t.Errorf("decoded spec (-want +got):\n%s", diff)
	}
	_, errLoad := funnel.Load(data)
	_, errNew := funnel.New(goSpec)
	if errLoad == nil || errNew == nil || errLoad.Error() != errNew.Error() {
		t.Fatalf("Load and New disagree:\nLoad: %v\nNew:  %v", errLoad, errNew)
	}
	if !errors.Is(errLoad, funnel.ErrInvalidSpec) || !errors.Is(errLoad, funnel.ErrInvalidStage) {
		t.Errorf("error does not match ErrInvalidSpec and ErrInvalidStage: %v", errLoad)
	}
	var paths []string
	for _, e := range errLoad.(interface{ Unwrap() []error }).Unwrap() {
		var se *funnel.SpecError
		if !errors.As(e, &se) {
			t.Fatalf("not a *SpecError: %v", e)
		}
		paths = append(paths, se.Path)
	}
	want := []string{"stages[0].id", "stages[1].team", "stages[2].id", "entry", "moves[0].to"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s\n%v", diff, errLoad)
	}
}

func TestStageText(t *testing.T) {
	var s funnel.Stage
	if err := json.Unmarshal([]byte(`"mql"`), &s); err != nil || s != funnel.MQL {
		t.Errorf("decode mql = %q, %v", s, err)
	}
	for _, bad := range []string{`"MQL"`, `"9a"`, `"a-b"`, `"` + strings.Repeat("a", 65) + `"`, `"é"`} {
		s := funnel.Lead
		err := json.Unmarshal([]byte(bad), &s)
		if !errors.Is(err, funnel.ErrInvalidStage) || s != funnel.Lead {
			t.Errorf("decode %s = %q, %v", bad, s, err)
		}
	}
	if _, err := funnel.Stage("Bad").MarshalText(); !errors.Is(err, funnel.ErrInvalidStage) {
		t.Errorf("MarshalText(Bad) = %v", err)
	}
	if b, err := json.Marshal(funnel.Stage("")); err != nil || string(b) != `""` {
		t.Errorf("marshal empty = %s, %v", b, err)
	}
}

func TestStateAndEventJSON(t *testing.T) {
	m, s, evs := sampleLog(t)
	// Times in another zone and with a monotonic reading survive as instants.
	loc := time.FixedZone("CET", 3600)
	s2, ev, err := m.Apply(s.Clone(), funnel.Move{To: funnel.Opportunity, At: time.Now().In(loc).AddDate(10, 0, 0), EventID: "e6", Actor: "ann", Note: "ünïcode \"quoted\""})
	if err != nil {
		t.Fatal(err)
	}
	evs = append(evs, ev)
	for _, v := range []any{s, s2} {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var back funnel.State
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !back.Equal(v.(funnel.State)) {
			t.Errorf("state round trip differs:\n%s\n%s", data, cmp.Diff(v, back))
		}
	}
	data, err := json.Marshal(evs)
	if err != nil {
		t.Fatal(err)
	}
	var back []funnel.Event
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		if !back[i].Equal(evs[i]) {
			t.Errorf("event %d round trip differs", i)
		}
	}
	// A log decoded from JSON replays to the same state.
	got, err := m.Replay("c1", back)
	if err != nil || !got.Equal(s2) {
		t.Errorf("replay of decoded log: %v", err)
	}
}

// TestJSONShape pins the documented keys of State and Event.
func TestJSONShape(t *testing.T) {
	_, s, evs := sampleLog(t)
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	for _, v := range []any{s, evs[2]} {
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	golden(t, "testdata/state_event.json", []byte(buf.String()))
}

func ExampleParseSpec() {
	spec, err := funnel.ParseSpec([]byte(`{
		"id": "acme",
		"allow_skip": false,
		"stages": [
			{"id": "lead", "team": "marketing", "kind": "forward"},
			{"id": "sql", "team": "sales", "kind": "forward"},
			{"id": "nurture", "team": "marketing", "kind": "detour"}
		],
		"moves": [
			{"from": "sql", "to": "nurture", "reasons": ["bad_timing"]},
			{"from": "nurture", "to": "lead"}
		],
		"reasons": [{"code": "bad_timing"}]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = funnel.New(spec)
	fmt.Println(err)
	// Output:
	// funnel: invalid spec: moves[1].reasons: nurture → lead is not a forward move: it needs at least one reason code
}
