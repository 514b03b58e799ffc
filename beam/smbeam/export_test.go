package smbeam

import (
	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/smarketing/smarketing/report"
)

// ReadLogForBlocks is ReadLogFor splitting uncompressed files into blocks
// of block bytes, so tests split files inside lines.
func ReadLogForBlocks(s beam.Scope, spec Spec, f Format, glob string, block int64) (records, dead beam.PCollection) {
	records, dead, _ = readLog(s, &ParseFn{Format: f, Spec: &spec}, glob, block)
	return records, dead
}

// ShardOf is the shard CombineByLead keys rec into, of shards.
func ShardOf(shards int, rec report.Record) int {
	var k int
	(&shardFn{Shards: shards}).ProcessElement(rec, func(s int, _ report.Record) { k = s })
	return k
}
