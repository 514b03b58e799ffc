package report_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// TestCSVDefusesFormulas: host text (a channel, a reason, a criterion)
// that a spreadsheet would run as a formula is written as text, with an
// apostrophe before it; numbers, negative ones included, are not.
func TestCSVDefusesFormulas(t *testing.T) {
	acc, err := report.NewAccumulator(report.Config{Path: testPath, Detours: testDetours})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []report.Record{
		report.EventRecord(funnel.Event{Lead: "a", Version: 1, At: day(3, 2), To: funnel.Lead, FirstEntry: true}),
		report.TouchRecord(report.Touch{Lead: "a", At: day(3, 3), Channel: `=HYPERLINK("http://x","y")`}),
		report.TouchRecord(report.Touch{Lead: "a", At: day(3, 4), Channel: "email"}),
		report.DealRecord(report.Deal{ID: "D", Lead: "a", Amount: dec("100"), CreatedAt: day(3, 5), ClosedAt: day(3, 9), Won: true}),
		report.DecisionRecord(report.Decision{Lead: "a", At: day(3, 6), Reason: "@SUM(A1)", Criteria: []string{"-2+3", "\tx"}}),
		// Lead velocity: no qualified leads last period, so an undefined rate;
		// a lost deal makes the win rate a plain decimal.
		report.DealRecord(report.Deal{ID: "E", Lead: "a", Amount: dec("5"), CreatedAt: day(3, 5), ClosedAt: day(3, 10)}),
	} {
		if err := acc.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := acc.Report().WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, row := range rows[1:] {
		for _, c := range row[2:4] {
			if c != "" && !slices.Contains(texts, c) {
				texts = append(texts, c)
			}
			if c != "" && slices.Contains([]byte("=+-@\t\r"), c[0]) {
				t.Errorf("row %q: cell %q would run as a formula", row, c)
			}
		}
		if v := row[5]; v != "" && v[0] == '\'' {
			t.Errorf("row %q: value %q was changed", row, v)
		}
	}
	for _, want := range []string{`'=HYPERLINK("http://x","y")`, "email", "'@SUM(A1)", "'-2+3", "'\tx"} {
		if !slices.Contains(texts, want) {
			t.Errorf("no cell %q among %q", want, texts)
		}
	}
}
