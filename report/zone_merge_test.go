package report_test

import (
	"errors"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// TestZonesOfOneNameWithOtherOffsets: two fixed zones with one name, or a
// zone whose rules differ between two machines' time-zone databases, put
// records in other periods; their accumulators must neither merge nor
// decode into each other. The same zone loaded twice still merges.
func TestZonesOfOneNameWithOtherOffsets(t *testing.T) {
	build := func(loc *time.Location) *report.Accumulator {
		t.Helper()
		acc, err := report.NewAccumulator(report.Config{Path: testPath, Detours: testDetours, Location: loc})
		if err != nil {
			t.Fatal(err)
		}
		if err := acc.AddEvent(funnel.Event{Lead: "a", Version: 1, At: day(3, 31).Add(11 * time.Hour), To: funnel.Lead, FirstEntry: true}); err != nil {
			t.Fatal(err)
		}
		return acc
	}
	plus1, plus2 := build(time.FixedZone("Office", 3600)), build(time.FixedZone("Office", 7200))
	if err := plus1.Merge(plus2); !errors.Is(err, report.ErrConfig) {
		t.Errorf("Merge of two zones named Office, +01:00 and +02:00: %v, want ErrConfig", err)
	}
	data, err := plus2.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := plus1.UnmarshalBinary(data); !errors.Is(err, report.ErrConfig) {
		t.Errorf("UnmarshalBinary across them: %v, want ErrConfig", err)
	}
	// The same rules under the same name merge, however they were built.
	if err := build(time.FixedZone("Office", 3600)).Merge(plus1); err != nil {
		t.Errorf("Merge of equal fixed zones: %v", err)
	}
	ny1, err1 := time.LoadLocation("America/New_York")
	ny2, err2 := time.LoadLocation("America/New_York")
	if err1 != nil || err2 != nil {
		t.Skip("no time-zone database")
	}
	if err := build(ny1).Merge(build(ny2)); err != nil {
		t.Errorf("Merge of America/New_York loaded twice: %v", err)
	}
}
