package bench_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/smarketing/smarketing/bench"
)

// TestScaleTiny runs a tiny scale run twice (two workers, several batches)
// and checks that it processed every event and that its digest does not
// depend on the number of workers.
func TestScaleTiny(t *testing.T) {
	var out bytes.Buffer
	a, err := bench.Scale(bench.ScaleConfig{Contacts: 500, Events: 5000, Batch: 64, Workers: 2}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "events/s") {
		t.Errorf("output lacks throughput:\n%s", out.String())
	}
	b, err := bench.Scale(bench.ScaleConfig{Contacts: 500, Events: 5000, Batch: 100, Workers: 1, NoLeadState: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Events < 4500 || a.Events != b.Events {
		t.Errorf("events: %d and %d, want the same, about 5000", a.Events, b.Events)
	}
	if a.Months != b.Months || a.MQLEntries != b.MQLEntries || a.FitTotal != b.FitTotal || a.InterestSum != b.InterestSum || a.ContactNowNo != b.ContactNowNo {
		t.Errorf("digests differ:\n%+v\n%+v", a, b)
	}
	if _, err := bench.Scale(bench.ScaleConfig{Contacts: -1}, nil); err == nil {
		t.Error("negative size accepted")
	}
	if _, err := a.JSON(); err != nil {
		t.Error(err)
	}
}
