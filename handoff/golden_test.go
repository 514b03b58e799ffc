package handoff_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/scoring"
)

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// TestDecisionGolden pins the text a sales rep reads and the JSON a host
// logs for two decisions: one that fires after a trace, one that holds.
func TestDecisionGolden(t *testing.T) {
	m := funnel.Default()
	p := pol(t)
	s := at(t, m, funnel.Lead)
	r := result(scoring.HighFitHighInterest)
	r.Ledger = []scoring.Entry{
		{Kind: scoring.EntryRule, Axis: scoring.AxisFit, Name: "industry_saas", Count: 1, Raw: decimal.NewFromInt(50), Decayed: decimal.NewFromInt(50), Points: decimal.NewFromInt(50), Reason: "industry is saas"},
		{Kind: scoring.EntryRule, Axis: scoring.AxisFit, Name: "size_200_plus", Count: 1, Raw: decimal.NewFromInt(30), Decayed: decimal.NewFromInt(30), Points: decimal.NewFromInt(30), Reason: "employees ≥ 200"},
		{Kind: scoring.EntryRule, Axis: scoring.AxisInterest, Name: "pricing_visits", Count: 3, Raw: decimal.NewFromInt(60), Decayed: decimal.NewFromInt(60), Points: decimal.NewFromInt(60),
			First: t0.Add(-72 * time.Hour), Last: t0.Add(-time.Hour), Reason: "3 visits to /pricing"},
	}
	promote, err := p.Decide(handoff.Input{State: s, Score: r, Now: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	hold, err := p.Decide(handoff.Input{State: at(t, m, funnel.SQL), Score: r, Now: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	text := "== promote ==\n" + promote.Explanation + "\n\n== hold ==\n" + hold.Explanation + "\n"
	golden(t, "decision.golden.txt", []byte(text))
	js, err := json.MarshalIndent(promote, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "decision.golden.json", append(js, '\n'))
}
