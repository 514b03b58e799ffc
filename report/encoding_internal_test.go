package report

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
)

// A state that Add and Merge can never build — won + lost = 0 with a won
// deal — must not decode (counters are never negative), and Report must
// not divide by zero on it even when it is built in memory.
func TestNegativeCountersDoNotDecodeOrPanic(t *testing.T) {
	cfg := Config{Path: []funnel.Stage{funnel.MQL, funnel.SQL}}
	a, _ := NewAccumulator(cfg)
	at := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	if err := a.Add(DealRecord(Deal{ID: "d", Lead: "l", Amount: decimal.NewFromInt(10), CreatedAt: at.Add(-time.Hour), ClosedAt: at, Won: true})); err != nil {
		t.Fatal(err)
	}
	for _, b := range a.total.blocks {
		if b != nil {
			b.dealsLost = -b.dealsWon
		}
	}
	data, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	c, _ := NewAccumulator(cfg)
	if err := c.UnmarshalBinary(data); !errors.Is(err, ErrEncoding) {
		t.Errorf("decoding a negative counter: %v, want ErrEncoding", err)
	}
	if o := a.Report().Periods[0].Outcomes; o.PipelineVelocityDefined {
		t.Errorf("pipeline velocity defined with won + lost = 0: %+v", o)
	}
}
