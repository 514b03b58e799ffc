package smbeam_test

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/smarketing/smarketing/beam/smbeam"
	"github.com/smarketing/smarketing/beam/smbeamtest"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// shardSpecs are report configurations that exercise every Spec option
// but Goals (which do not affect accumulation): no dimensions, other
// zones and periods, an as-of time, pairs, other stages for the
// qualified, opportunity, won and recycle roles, no per-lead state, a
// half-life.
func shardSpecs() map[string]smbeam.Spec {
	base := smbeamtest.Spec()
	specs := map[string]smbeam.Spec{"default": base}
	s := base
	s.Dimensions, s.Location, s.Period, s.Window = nil, "", report.Quarter, 0
	specs["no dimensions, UTC quarters, no window"] = s
	s = base
	s.Location, s.Period = "Asia/Kolkata", report.Week
	s.AsOf = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	s.Pairs = []report.Pair{{From: funnel.Subscriber, To: funnel.Customer}, {From: funnel.MQL, To: funnel.Opportunity}}
	specs["Kolkata weeks, as of, pairs"] = s
	s = base
	s.Qualified, s.Opportunity, s.Won, s.Recycle = funnel.SQL, funnel.SQL, funnel.Evangelist, funnel.Lost
	s.HalfLife = smbeam.Duration(36 * time.Hour)
	specs["other roles, half-life"] = s
	s = base
	s.NoLeadState = true
	specs["no lead state"] = s
	return specs
}

// forSpec adapts generated records to spec's dimensions (none, or the
// one "source" they carry).
func forSpec(spec smbeam.Spec, recs []report.Record) []report.Record {
	if len(spec.Dimensions) > 0 {
		return recs
	}
	out := make([]report.Record, len(recs))
	for i, r := range recs {
		r.Dims = nil
		out[i] = r
	}
	return out
}

// TestShardsEqualGlobal drives CombineByLead's combiners as a runner does
// (records keyed by lead shard, a Combiner per shard, the partial reports
// through Beam's coder, then merged by MergeCombiner in a random order)
// for every Spec option: the report is the global combine's, byte for
// byte in every format, with the same count of refused records.
func TestShardsEqualGlobal(t *testing.T) {
	for name, spec := range shardSpecs() {
		t.Run(name, func(t *testing.T) {
			recs := forSpec(spec, withRefused(smbeamtest.Generate(53, 1500)))
			want, err := smbeam.Accumulate(spec, recs)
			if err != nil {
				t.Fatal(err)
			}
			wantAcc, err := want.Open(spec)
			if err != nil {
				t.Fatal(err)
			}
			if want.Rejected() == 0 || want.Rejected() > 10 {
				t.Fatalf("%d records refused, want a few", want.Rejected())
			}
			c := &smbeam.Combiner{Spec: spec}
			m := &smbeam.MergeCombiner{Spec: spec}
			for _, shards := range []int{1, 3, 16} {
				parts := make([]smbeam.Acc, shards)
				for i := range parts {
					if parts[i], err = c.CreateAccumulator(); err != nil {
						t.Fatal(err)
					}
				}
				for _, rec := range recs {
					k := smbeam.ShardOf(shards, rec)
					if parts[k], err = c.AddInput(parts[k], rec); err != nil {
						t.Fatal(err)
					}
				}
				r := rand.New(rand.NewPCG(uint64(shards), 7))
				r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
				var got smbeam.Acc
				for _, p := range parts {
					if p, err = c.ExtractOutput(p); err != nil {
						t.Fatal(err)
					}
					if got, err = m.MergeAccumulators(got, beamRoundTrip(t, p)); err != nil {
						t.Fatal(err)
					}
				}
				if got, err = m.ExtractOutput(got); err != nil {
					t.Fatal(err)
				}
				gotAcc, err := got.Open(spec)
				if err != nil {
					t.Fatal(err)
				}
				for _, fm := range smbeam.Formats() {
					w, err := smbeam.Render(fm, wantAcc)
					if err != nil {
						t.Fatal(err)
					}
					g, err := smbeam.Render(fm, gotAcc)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(g, w) {
						t.Errorf("%d shards: %s output differs from the global combine's", shards, fm)
					}
				}
				if got.Rejected() != want.Rejected() {
					t.Errorf("%d shards: %d refused, want %d", shards, got.Rejected(), want.Rejected())
				}
			}
		})
	}
}

// TestPipelineShardsEverySpecOption runs the whole pipeline on Prism per
// lead shard for each configuration of shardSpecs (the other pipeline
// tests use smbeamtest.Spec and one variant): the report equals the
// in-process one, byte for byte.
func TestPipelineShardsEverySpecOption(t *testing.T) {
	for name, spec := range shardSpecs() {
		if name == "default" {
			continue // TestPipelineOnPrism
		}
		t.Run(name, func(t *testing.T) {
			recs := forSpec(spec, withRefused(smbeamtest.Generate(59, 1200)))
			got := runPipeline(t, spec, recs, pipe{format: smbeam.CSV, shards: 4, formats: []string{"json", "text"}})
			checkSame(t, spec, recs, smbeam.CSV, got)
		})
	}
}
