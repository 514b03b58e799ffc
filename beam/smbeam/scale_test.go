package smbeam_test

import (
	"flag"
	"testing"
	"time"

	"github.com/smarketing/smarketing/beam/smbeam"
	"github.com/smarketing/smarketing/beam/smbeamtest"
)

var events = flag.Int("events", 0, "events in TestPrismEqualsInProcess's log (default 100000; 20000 with -short)")

// TestPrismEqualsInProcess generates a deterministic log of 100,000 funnel
// events (plus the deals, touches, responses and decisions of the same
// leads), runs the pipeline on Prism over it, and checks that the report
// equals the in-process report figure for figure, byte for byte in every
// output format. It takes about 10 s on 2 cores, about 45 s under the
// race detector (which is how CI runs it, at full size). With -short the
// log has 20,000 events; -events=N sets the size, e.g.
//
//	go test -run TestPrismEqualsInProcess ./smbeam -events=1000000
func TestPrismEqualsInProcess(t *testing.T) {
	n := *events
	if n == 0 {
		n = 100_000
		if testing.Short() {
			n = 20_000
		}
	}
	spec := smbeamtest.Spec()
	recs := smbeamtest.Generate(2026, n)
	if got := smbeamtest.Count(recs); got < n {
		t.Fatalf("generated %d events, want at least %d", got, n)
	}
	// Per lead shard: the partial reports of 16 shards cross Prism's
	// shuffle through the accumulator's coder and are merged, as on a
	// cluster (Prism runs a global combine in one bundle, which never
	// merges two non-empty accumulators; TestPipelineOnPrism covers it).
	got := runPipeline(t, spec, recs, pipe{format: smbeam.JSONL, shards: 16, formats: smbeam.Formats()})
	start := time.Now()
	checkSame(t, spec, recs, smbeam.JSONL, got)
	t.Logf("%d events, %d records (race detector %v): Prism %v (%.0f events/s, parse to rendered outputs); in-process check %v",
		smbeamtest.Count(recs), len(recs), raceEnabled, got.elapsed.Round(time.Millisecond),
		float64(smbeamtest.Count(recs))/got.elapsed.Seconds(), time.Since(start).Round(time.Millisecond))
}
