package scoring

import (
	"sync/atomic"

	"github.com/shopspring/decimal"
)

// rawMemo holds an activity rule's raw totals, points × n, as ready
// decimals for n = 0, 1, ..., so that a ledger entry shares one instead
// of allocating a new decimal (a decimal.Decimal is immutable, so one
// value can sit in any number of results). The first rawEager counts
// are built by New; larger counts, up to maxRawMemo, are added the first
// time a lead needs them (the table doubles, so a rule that has seen
// counts up to n has built at most 2n decimals in its lifetime). Beyond
// maxRawMemo a score builds the decimal itself: memory stays bounded
// (about 56 bytes a count, at most about 57 KB a rule) and the number of
// allocations of a score still does not depend on how many activities
// a rule counts.
//
// Concurrent scores read the table with an atomic load; a score that
// grows it publishes the larger table with a compare-and-swap and, if
// another score published first, uses its own copy once. Every table
// holds the same values, so results never depend on the interleaving.
type rawMemo struct {
	points int64
	tab    atomic.Pointer[[]decimal.Decimal]
}

const (
	rawEager   = 16   // counts built by New
	maxRawMemo = 1024 // the largest count kept
)

func newRawMemo(points int64) *rawMemo {
	m := &rawMemo{points: points}
	t := make([]decimal.Decimal, rawEager+1)
	for n := range t {
		t[n] = fromUnits(points * int64(n))
	}
	m.tab.Store(&t)
	return m
}

// get returns points × n for 0 ≤ n ≤ maxRawMemo (ok false above), where
// points × n has been checked not to overflow.
func (m *rawMemo) get(n int64) (decimal.Decimal, bool) {
	old := m.tab.Load()
	if t := *old; n < int64(len(t)) {
		return t[n], true
	}
	if n > maxRawMemo {
		return decimal.Decimal{}, false
	}
	return m.grow(old, n), true
}

// grow builds a table that reaches n and publishes it unless another
// score already replaced old.
func (m *rawMemo) grow(old *[]decimal.Decimal, n int64) decimal.Decimal {
	t := *old
	size := max(2*len(t), int(n)+1)
	size = min(size, maxRawMemo+1)
	nt := make([]decimal.Decimal, size)
	copy(nt, t)
	for i := len(t); i < size; i++ {
		nt[i] = fromUnits(m.points * int64(i))
	}
	m.tab.CompareAndSwap(old, &nt)
	return nt[n]
}
