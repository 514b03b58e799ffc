package scoring

import (
	"sync"
	"testing"

	"github.com/shopspring/decimal"
)

// rawMemo gives points × n for every n, whether it was built by New,
// grown on demand (by goroutines racing to grow it) or is beyond the
// table, and the table never outgrows maxRawMemo.
func TestRawMemo(t *testing.T) {
	const points = -123_456_789 // −12 345.6789
	m := newRawMemo(points)
	want := func(n int64) decimal.Decimal { return decimal.New(points, -PointPlaces).Mul(decimal.NewFromInt(n)) }
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each goroutine walks the counts in its own order, so they grow
			// the table concurrently from different sizes.
			for i := int64(0); i <= maxRawMemo+10; i++ {
				n := i
				if g%2 == 1 {
					n = maxRawMemo + 10 - i
				}
				got, ok := m.get(n)
				if ok != (n <= maxRawMemo) {
					errs <- "get reports the wrong range"
					return
				}
				if ok && !got.Equal(want(n)) {
					errs <- "get(" + decimal.NewFromInt(n).String() + ") = " + got.String()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(*m.tab.Load()); n != maxRawMemo+1 {
		t.Errorf("table has %d entries, want %d", n, maxRawMemo+1)
	}
	if got, _ := m.get(0); !got.IsZero() {
		t.Errorf("get(0) = %s", got)
	}
}
