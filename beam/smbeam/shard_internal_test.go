package smbeam

import (
	"math"
	"testing"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// TestShardFnAnyCount: every positive shard count keys records into
// [0, shards), counts of 2³² and more included (the key was taken modulo
// uint32(shards), which is 0 for 2³², a division by zero that failed the
// job, and 1 for 2³²+1, one shard for every lead).
func TestShardFnAnyCount(t *testing.T) {
	if math.MaxInt == math.MaxInt32 {
		t.Skip("int has 32 bits")
	}
	recs := []report.Record{
		report.EventRecord(funnel.Event{Lead: "L1"}),
		report.EventRecord(funnel.Event{Lead: "L2"}),
		report.TouchRecord(report.Touch{Lead: "L3"}),
		report.DealRecord(report.Deal{Lead: ""}),
	}
	for _, n := range []int{1, 7, math.MaxUint32, 1 << 32, 1<<32 + 1, math.MaxInt} {
		fn := &shardFn{Shards: n}
		keys := map[int]bool{}
		for _, rec := range recs {
			fn.ProcessElement(rec, func(k int, _ report.Record) {
				if k < 0 || k >= n {
					t.Errorf("%d shards: key %d", n, k)
				}
				keys[k] = true
			})
		}
		if n >= 1<<32 && len(keys) < 2 {
			t.Errorf("%d shards: every record in shard %v", n, keys)
		}
	}
}
