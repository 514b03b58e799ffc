// Package reporttest helps hosts and pipeline authors test their use of
// package report: a rapid generator of consistent funnel event logs, and a
// checker of the merge law (any split, order and grouping of records,
// with pieces sent through the binary encoding, gives the one-pass
// report). A Beam or other distributed pipeline can run [CheckMerge] on
// its own configuration in CI.
package reporttest

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
	"pgregory.net/rapid"
)

// Events returns a generator of event logs of up to maxLeads leads moving
// over the given stages: entries at one of the first three path stages,
// then any stage (forward, skipping, backward, into and out of detours,
// re-entries), at times spread over about nine months starting around the
// 2026 European daylight-saving change. Versions, FirstEntry and Stay are
// consistent per lead, as funnel.Model.Apply would produce them. Move
// legality under a particular model is not enforced.
func Events(path, detours []funnel.Stage, maxLeads int) *rapid.Generator[[]funnel.Event] {
	all := append(slices.Clone(path), detours...)
	entries := path[:min(3, len(path))]
	return rapid.Custom(func(t *rapid.T) []funnel.Event {
		n := rapid.IntRange(1, max(1, maxLeads)).Draw(t, "leads")
		var out []funnel.Event
		base := time.Date(2026, 3, 28, 22, 0, 0, 0, time.UTC)
		for l := range n {
			id := fmt.Sprintf("L%03d", l)
			at := base.Add(time.Duration(rapid.Int64Range(-40*24, 240*24).Draw(t, "start_h")) * time.Hour)
			steps := rapid.IntRange(1, 8).Draw(t, "steps")
			var cur funnel.Stage
			var since time.Time
			var ver uint64
			seen := map[funnel.Stage]bool{}
			for range steps {
				var to funnel.Stage
				if cur == "" {
					to = rapid.SampledFrom(entries).Draw(t, "entry")
				} else if to = rapid.SampledFrom(all).Draw(t, "to"); to == cur {
					continue
				}
				ver++
				e := funnel.Event{ID: fmt.Sprintf("%s-%d", id, ver), Lead: id, Version: ver, At: at, From: cur, To: to,
					Kind: funnel.MoveForward, FirstEntry: !seen[to]}
				if cur == "" {
					e.Kind = funnel.MoveEntry
				} else {
					e.Stay = at.Sub(since)
				}
				out = append(out, e)
				seen[to] = true
				cur, since = to, at
				at = at.Add(time.Duration(rapid.Int64Range(0, 45*24*3600).Draw(t, "gap_s")) * time.Second)
			}
		}
		return out
	})
}

// CheckMerge accumulates recs in one pass, then again split into 1 to 5
// pieces in a random order, merges the pieces in a random grouping (some
// after a MarshalBinary/UnmarshalBinary round trip), and fails t unless
// the two reports and the two encodings are identical.
func CheckMerge(t *rapid.T, cfg report.Config, recs []report.Record) {
	one, err := report.NewAccumulator(cfg)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	for _, r := range recs {
		if err := one.Add(r); err != nil {
			t.Fatalf("add: %v", err)
		}
	}
	k := rapid.IntRange(1, 5).Draw(t, "pieces")
	pieces := make([]*report.Accumulator, k)
	for i := range pieces {
		pieces[i], _ = report.NewAccumulator(cfg)
	}
	for _, r := range rapid.Permutation(recs).Draw(t, "order") {
		if err := pieces[rapid.IntRange(0, k-1).Draw(t, "piece")].Add(r); err != nil {
			t.Fatalf("add: %v", err)
		}
	}
	for len(pieces) > 1 {
		i := rapid.IntRange(0, len(pieces)-1).Draw(t, "i")
		a := pieces[i]
		pieces = slices.Delete(pieces, i, i+1)
		b := pieces[rapid.IntRange(0, len(pieces)-1).Draw(t, "j")]
		if rapid.Bool().Draw(t, "travel") {
			data, err := a.MarshalBinary()
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			a, _ = report.NewAccumulator(cfg)
			if err := a.UnmarshalBinary(data); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
		}
		if err := b.Merge(a); err != nil {
			t.Fatalf("merge: %v", err)
		}
	}
	if diff := cmp.Diff(one.Report(), pieces[0].Report()); diff != "" {
		t.Fatalf("merged report differs from one pass (-one +merged):\n%s", diff)
	}
	b1, _ := one.MarshalBinary()
	b2, _ := pieces[0].MarshalBinary()
	if string(b1) != string(b2) {
		t.Fatalf("merged encoding differs from one pass")
	}
}
