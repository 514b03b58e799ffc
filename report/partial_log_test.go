package report_test

import (
	"testing"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// TestPartialLog: a log that starts after some leads began (an export of
// this year only). Lead "old" first became an MQL last year: its March
// entry into MQL is a re-entry, so it is in no MQL cohort of the report,
// just as it is not among March's first-time MQLs; and its first event is
// not in the log, so its lead-to-customer cycle is unknown rather than the
// 17 days since its first event in the log.
func TestPartialLog(t *testing.T) {
	acc, err := report.NewAccumulator(report.Config{Path: testPath, Detours: testDetours})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []funnel.Event{
		{Lead: "old", Version: 5, At: day(3, 3), From: funnel.Nurture, To: funnel.MQL, Stay: 30 * 24 * 3600e9},
		{Lead: "old", Version: 6, At: day(3, 10), From: funnel.MQL, To: funnel.SQL, FirstEntry: true, Stay: 7 * 24 * 3600e9},
		{Lead: "old", Version: 7, At: day(3, 20), From: funnel.SQL, To: funnel.Customer, FirstEntry: true, Stay: 10 * 24 * 3600e9},
		{Lead: "new", Version: 1, At: day(3, 2), To: funnel.Lead, FirstEntry: true},
		{Lead: "new", Version: 2, At: day(3, 4), From: funnel.Lead, To: funnel.MQL, FirstEntry: true, Stay: 2 * 24 * 3600e9},
		{Lead: "new", Version: 3, At: day(3, 30), From: funnel.MQL, To: funnel.SQL, FirstEntry: true, Stay: 26 * 24 * 3600e9},
	} {
		if err := acc.AddEvent(e); err != nil {
			t.Fatal(err)
		}
	}
	r := acc.Report()
	if len(r.Periods) != 1 {
		t.Fatalf("%d periods, want March only", len(r.Periods))
	}
	mar := r.Periods[0]
	for _, sf := range mar.Stages {
		if sf.Stage == funnel.MQL && (sf.FirstEntries != 1 || sf.Entries != 2) {
			t.Errorf("MQL: %d first-time entries, %d entries; want 1, 2", sf.FirstEntries, sf.Entries)
		}
	}
	found := false
	for _, c := range mar.Cohort {
		if c.From == funnel.MQL && c.To == funnel.SQL {
			found = true
			if c.Rate.Num != 1 || c.Rate.Den != 1 {
				t.Errorf("MQL→SQL cohort: %d/%d, want 1/1 (only the lead whose first entry into MQL is in the log)", c.Rate.Num, c.Rate.Den)
			}
		}
	}
	if !found {
		t.Fatal("no MQL→SQL cohort")
	}
	if n := mar.LeadToCustomer.Count; n != 0 {
		t.Errorf("lead-to-customer: %d cycles, want 0 (the customer's first event is not in the log)", n)
	}
}
