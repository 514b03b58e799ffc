package smbeam_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/smarketing/smarketing/beam/smbeam"
	"github.com/smarketing/smarketing/beam/smbeamtest"
	"github.com/smarketing/smarketing/report"
)

// TestCombinerLifecycle drives the Combiner as a runner does on a
// cluster: records dealt at random to workers (a lead's records land on
// several), each worker creates an accumulator and adds its records, the
// accumulators cross Beam's coder, and they are merged in a random tree
// before the output is extracted. Every way gives the in-process report,
// byte for byte, and the same count of refused records.
func TestCombinerLifecycle(t *testing.T) {
	spec := smbeamtest.Spec()
	recs := withRefused(smbeamtest.Generate(37, 3000))
	want, err := smbeam.Accumulate(spec, recs)
	if err != nil {
		t.Fatal(err)
	}
	wantAcc, _ := want.Open(spec)
	wantBin, _ := wantAcc.MarshalBinary()
	c := &smbeam.Combiner{Spec: spec}
	for seed := range uint64(8) {
		r := rand.New(rand.NewPCG(seed, 99))
		workers := 1 + r.IntN(9)
		accs := make([]smbeam.Acc, workers)
		for i := range accs {
			if accs[i], err = c.CreateAccumulator(); err != nil {
				t.Fatal(err)
			}
		}
		for _, rec := range recs {
			w := r.IntN(workers)
			if accs[w], err = c.AddInput(accs[w], rec); err != nil {
				t.Fatal(err)
			}
		}
		for i := range accs {
			accs[i] = beamRoundTrip(t, accs[i])
		}
		for len(accs) > 1 {
			i, j := r.IntN(len(accs)), r.IntN(len(accs)-1)
			if j >= i {
				j++
			}
			m, err := c.MergeAccumulators(accs[i], accs[j])
			if err != nil {
				t.Fatal(err)
			}
			if r.IntN(2) == 0 {
				m = beamRoundTrip(t, m)
			}
			accs[i] = m
			accs = append(accs[:j], accs[j+1:]...)
		}
		out, err := c.ExtractOutput(accs[0])
		if err != nil {
			t.Fatal(err)
		}
		got, err := out.Open(spec)
		if err != nil {
			t.Fatal(err)
		}
		gotBin, _ := got.MarshalBinary()
		if !bytes.Equal(gotBin, wantBin) {
			t.Errorf("seed %d, %d workers: merged report differs from in-process", seed, workers)
		}
		if out.Rejected() != want.Rejected() || want.Rejected() == 0 {
			t.Errorf("seed %d: refused %d, want %d (> 0)", seed, out.Rejected(), want.Rejected())
		}
	}
}

// TestCheckerAgreesWithReport: the Checker refuses exactly the records
// the report's accumulator refuses, with the report's error.
func TestCheckerAgreesWithReport(t *testing.T) {
	spec := smbeamtest.Spec()
	check, err := smbeam.NewChecker(spec)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := spec.NewAccumulator()
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, rec := range append(withRefused(smbeamtest.Generate(41, 3000)), sampleRecords()...) {
		want := acc.Add(rec)
		got := check.Check(rec)
		if (want == nil) != (got == nil) || want != nil && want.Error() != got.Error() {
			t.Fatalf("record %+v: Checker says %v, the report %v", rec, got, want)
		}
		if got != nil {
			refused++
		}
	}
	if refused == 0 {
		t.Error("no refused record in the test data")
	}
	if _, err := smbeam.NewChecker(smbeam.Spec{}); err == nil {
		t.Error("NewChecker accepted an empty spec")
	}
	var zero report.Record
	if err := check.Check(zero); err == nil {
		t.Error("Checker accepted the zero record")
	}
}
