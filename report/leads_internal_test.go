package report

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// The lead table against a map: every ID added gets the next index, is
// found again (by string, by bytes, through the last-lead shortcut or not),
// reads back byte for byte, and sorted() orders the leads as their IDs
// compare as strings, through every growth of the table.
func TestLeadTableMatchesMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tb := newLeadTable(rapid.IntRange(1, 8).Draw(t, "npath"))
		want := map[string]int{}
		var ids []string
		id := rapid.OneOf(
			rapid.StringOfN(rapid.RuneFrom([]rune{'a', 'b', 0, 0xff, 'é'}), 0, 40, -1),
			rapid.SampledFrom([]string{"", "a", "a\x00", "ab", "abcdefgh", "abcdefgh\x00", "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnopq\x00"}),
		)
		for range rapid.IntRange(1, 300).Draw(t, "ops") {
			s := id.Draw(t, "id")
			var l int
			switch rapid.IntRange(0, 2).Draw(t, "how") {
			case 0:
				l = tb.ofEvent(s, tb.hash(s))
			case 1:
				l = tb.ofID([]byte(s), tb.hash(s))
			default:
				if l = find(tb, []byte(s), tb.hashBytes([]byte(s))); l < 0 {
					l = tb.ofEvent(s, tb.hash(s))
				}
			}
			if w, ok := want[s]; ok {
				if l != w {
					t.Fatalf("%q: index %d, want %d", s, l, w)
				}
				continue
			}
			if l != len(ids) {
				t.Fatalf("new %q: index %d, want %d", s, l, len(ids))
			}
			r := tb.record(l)
			if lastStage(r) != -1 || r[recCreated] != math.MaxInt64 || r[recFirst] != math.MaxInt64 {
				t.Fatalf("new %q: record %v", s, r)
			}
			want[s] = l
			ids = append(ids, s)
		}
		// touch (software prefetching) changes nothing a lookup sees.
		var hs []uint64
		for _, s := range ids {
			hs = append(hs, tb.hash(s))
		}
		tb.touch(hs)
		for l, s := range ids {
			if f := find(tb, s, hs[l]); f != l {
				t.Fatalf("after touch, %q is lead %d, want %d", s, f, l)
			}
		}
		if tb.n != len(ids) || 2*tb.n > len(tb.slots) {
			t.Fatalf("%d leads in %d slots, want %d", tb.n, len(tb.slots), len(ids))
		}
		var buf [inlineID]byte
		for l, s := range ids {
			if got := string(tb.idBytes(l, &buf)); got != s {
				t.Fatalf("lead %d: ID %q, want %q", l, got, s)
			}
			if f := find(tb, s+"\x00", tb.hash(s+"\x00")); f >= 0 && ids[f] != s+"\x00" {
				t.Fatalf("%q found as lead %d (%q)", s+"\x00", f, ids[f])
			}
			setLastStage(tb.record(l), l%64)
			if lastStage(tb.record(l)) != l%64 || string(tb.idBytes(l, &buf)) != s {
				t.Fatalf("lead %d: setting the stage changed the record", l)
			}
		}
		var got []string
		for _, l := range tb.sorted() {
			got = append(got, ids[l])
		}
		sorted := slices.Clone(ids)
		slices.Sort(sorted)
		if !slices.Equal(got, sorted) {
			t.Fatalf("sorted %q, want %q", got, sorted)
		}
	})
}

// Past the first chunk and several doublings of the slots: every lead
// keeps its index and record.
func TestLeadTableManyLeads(t *testing.T) {
	tb := newLeadTable(3)
	const n = 3*chunkLeads + 5
	id := func(i int) string {
		if i%2 == 0 {
			return fmt.Sprintf("lead-%d", i)
		}
		return fmt.Sprintf("a-rather-long-lead-identifier-%d", i)
	}
	for i := range n {
		if l := tb.ofEvent(id(i), tb.hash(id(i))); l != i {
			t.Fatalf("lead %d got index %d", i, l)
		}
		tb.record(i)[recFirst+2] = int64(i)
	}
	var buf [inlineID]byte
	for i := range n {
		l := tb.ofID([]byte(id(i)), tb.hashBytes([]byte(id(i))))
		if r := tb.record(l); l != i || r[recFirst+2] != int64(i) || string(tb.idBytes(l, &buf)) != id(i) {
			t.Fatalf("lead %d: index %d, record %v", i, l, r)
		}
	}
	if tb.n != n || len(tb.chunks) != 4 || 2*n > len(tb.slots) {
		t.Fatalf("%d leads, %d chunks, %d slots", tb.n, len(tb.chunks), len(tb.slots))
	}
}
