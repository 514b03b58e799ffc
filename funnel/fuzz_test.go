package funnel_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
)

// FuzzLoadSpec feeds arbitrary bytes to the JSON spec loader: it must never
// panic, every error must match ErrInvalidSpec, and an accepted spec must
// build a model that re-encodes to a spec that loads again identically and
// whose entry move works.
func FuzzLoadSpec(f *testing.F) {
	for _, name := range []string{"testdata/custom_spec.json", "testdata/default_spec.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"id":"x","stages":[{"id":"a","team":"sales","kind":"forward"}]}`))
	f.Add([]byte(`{"id":"x","stages":[{"id":"A"}],"moves":[{"from":"a","to":"a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := funnel.Load(data)
		if err != nil {
			if !errors.Is(err, funnel.ErrInvalidSpec) {
				t.Fatalf("error does not match ErrInvalidSpec: %v", err)
			}
			return
		}
		enc, err := json.Marshal(m.Spec())
		if err != nil {
			t.Fatal(err)
		}
		m2, err := funnel.Load(enc)
		if err != nil {
			t.Fatalf("re-encoded spec rejected: %v\n%s", err, enc)
		}
		enc2, _ := json.Marshal(m2.Spec())
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("unstable encoding:\n%s\n%s", enc, enc2)
		}
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		s, _, err := m.Apply(funnel.State{}, funnel.Move{To: m.Entry(), At: at})
		if err != nil {
			t.Fatalf("entry move refused: %v", err)
		}
		for _, e := range m.EdgesFrom(m.Entry()) {
			mv := funnel.Move{To: e.To, At: at}
			if len(e.Reasons) > 0 {
				mv.Reason = e.Reasons[0]
			}
			if err := m.Can(s, mv); err != nil {
				t.Fatalf("edge %+v refused: %v", e, err)
			}
		}
		var buf bytes.Buffer
		if err := m.WriteMermaid(&buf); err != nil {
			t.Fatal(err)
		}
		if err := m.WriteDOT(&buf); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzStageText: decoding never panics, accepts exactly the valid
// identifiers, and round-trips them.
func FuzzStageText(f *testing.F) {
	for _, s := range []string{"mql", "", "MQL", "a_1", "9lives", "é", "a-b", "x\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s funnel.Stage
		err := s.UnmarshalText(data)
		if len(data) > 0 && funnel.Stage(data).Valid() != (err == nil) {
			t.Fatalf("UnmarshalText(%q) = %v, Valid = %t", data, err, funnel.Stage(data).Valid())
		}
		if err != nil {
			if !errors.Is(err, funnel.ErrInvalidStage) || s != "" {
				t.Fatalf("error %v, stage %q", err, s)
			}
			if len(err.Error()) > 400 { // clipped input, at most 4 bytes per input byte when quoted
				t.Fatalf("error message of %d bytes", len(err.Error()))
			}
			return
		}
		out, err := s.MarshalText()
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("round trip %q → %q, %v", data, out, err)
		}
	})
}
