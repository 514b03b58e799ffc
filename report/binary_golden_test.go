package report_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// TestBinaryGolden pins version 2 of the binary encoding: the bytes of
// the hand-computed example's accumulator (with dimensions and every kind
// of record) must not change, or accumulators encoded by one release
// could not be read by the next. A new layout needs a new version byte.
func TestBinaryGolden(t *testing.T) {
	acc := goldenAccumulator(t)
	data, err := acc.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "small.smka", data)
	back, _ := report.NewAccumulator(smallConfig())
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(acc.Report(), back.Report()); diff != "" {
		t.Errorf("decoded report differs (-encoded +decoded):\n%s", diff)
	}
}

// TestBinaryVersion1 reads an accumulator written by the releases before
// version 2 (which kept no marks of first entries): it decodes, reading
// every lead's earliest events as first entries as those releases did, so
// for this complete log its report is the fresh accumulator's; and it
// encodes again as version 2.
func TestBinaryVersion1(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "small-v1.smka"))
	if err != nil {
		t.Fatal(err)
	}
	if data[4] != 1 {
		t.Fatalf("small-v1.smka has version %d", data[4])
	}
	old, _ := report.NewAccumulator(smallConfig())
	if err := old.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	acc := goldenAccumulator(t)
	if diff := cmp.Diff(acc.Report(), old.Report()); diff != "" {
		t.Errorf("version 1 report differs (-fresh +decoded):\n%s", diff)
	}
	got, _ := old.MarshalBinary()
	want, _ := acc.MarshalBinary()
	if string(got) != string(want) {
		t.Errorf("version 1 data re-encodes differently from the fresh accumulator")
	}
}

// goldenAccumulator is the hand-computed example's accumulator, with
// dimensions and every kind of record.
func goldenAccumulator(t *testing.T) *report.Accumulator {
	t.Helper()
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
	return acc
}
