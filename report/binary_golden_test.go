package report_test

import (
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// TestBinaryGolden pins version 1 of the binary encoding: the bytes of
// the hand-computed example's accumulator (with dimensions and every kind
// of record) must not change, or accumulators encoded by one release
// could not be read by the next. A new layout needs a new version byte.
func TestBinaryGolden(t *testing.T) {
	acc, err := report.NewAccumulator(smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range smallLog() {
		if err := acc.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	// A lead ID longer than 16 bytes, and one that is a prefix of another.
	for _, id := range []string{"a-lead-id-longer-than-sixteen-bytes", "a-lead-id-longer-than-sixteen", "L1x", "L"} {
		e := evAt("lead", day(4, 9))
		e.Lead = id
		if err := acc.AddEvent(e, "web"); err != nil {
			t.Fatal(err)
		}
		e = funnel.Event{Lead: id, Version: 2, At: day(4, 10), From: funnel.Lead, To: funnel.MQL, FirstEntry: true, Stay: 24 * time.Hour}
		if err := acc.AddEvent(e, "web"); err != nil {
			t.Fatal(err)
		}
	}
	data, err := acc.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "small.smka", data)
	back, _ := report.NewAccumulator(smallConfig())
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
}
