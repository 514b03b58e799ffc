package report_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/smarketing/smarketing/report"
)

func FuzzUnmarshalBinary(f *testing.F) {
	cfg := smallConfig()
	acc, _ := report.NewAccumulator(cfg)
	for _, r := range smallLog() {
		_ = acc.Add(r)
	}
	data, _ := acc.MarshalBinary()
	f.Add(data)
	empty, _ := report.NewAccumulator(cfg)
	e, _ := empty.MarshalBinary()
	f.Add(e)
	f.Add([]byte("SMKA\x01"))
	for _, name := range []string{"small.smka", "small-v1.smka"} {
		if golden, err := os.ReadFile("testdata/" + name); err == nil {
			f.Add(golden) // lead IDs longer than 16 bytes and prefixes of others; version 1
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, _ := report.NewAccumulator(cfg)
		if err := a.UnmarshalBinary(data); err != nil {
			return
		}
		// What decodes re-encodes to the same bytes and reports without panic.
		again, err := a.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := report.NewAccumulator(cfg)
		if err := b.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		again2, _ := b.MarshalBinary()
		if !bytes.Equal(again, again2) {
			t.Fatal("encoding not stable")
		}
		_ = a.Report()
		_ = a.Merge(b)
	})
}

func FuzzParseGoals(f *testing.F) {
	f.Add([]byte(`[{"metric":"first_entries:mql","target":"120"},{"metric":"response_minutes_median","target":"5","at_most":true,"at_risk":"0.8"}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"metric":"flow:mql:sql","target":"-1"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		gs, err := report.ParseGoals(data)
		if err != nil {
			return
		}
		// Parsed goals are well formed; the Config may still reject one
		// that names a stage or pair it does not report, as ErrConfig.
		if _, err := report.NewAccumulator(report.Config{Path: testPath, Goals: gs}); err != nil &&
			(!errors.Is(err, report.ErrConfig) || !strings.Contains(err.Error(), "goals[")) {
			t.Fatalf("parsed goals rejected by Config for another reason: %v", err)
		}
		_ = report.NewScorecard(smallReport(&testing.T{}, nil), gs)
	})
}

func FuzzParseReport(f *testing.F) {
	var b bytes.Buffer
	r := smallReport(&testing.T{}, nil)
	_ = r.WriteJSON(&b)
	f.Add(b.Bytes())
	f.Add([]byte(`{"schema":"smarketing.report/v1"}`))
	// Inconsistent lengths: three stages, periods without figures.
	f.Add([]byte(`{"schema":"smarketing.report/v1","stages":[{"stage":"a","rank":0},{"stage":"b","rank":1},{"stage":"c","rank":-1}],` +
		`"periods":[{"label":"x","flow":[{"from":"a","to":"b","rate":{"kind":"flow","num":1,"den":0}}]},{"label":"y"}],` +
		`"scorecard":{"period":"y","lines":[{"goal":{"metric":"win_rate","target":"1"},"status":"missed"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := report.ParseReport(data)
		if err != nil {
			return
		}
		// Every renderer copes with any decodable report.
		var out bytes.Buffer
		_ = r.WriteText(&out)
		_ = r.WriteMarkdown(&out)
		_ = r.WriteCSV(&out)
		_ = r.WriteHTML(&out)
		_ = r.WriteJSON(&out)
	})
}
