package smbeam

import (
	"github.com/smarketing/smarketing/report"
)

// checkerReset bounds the scratch accumulator of a [Checker]: it starts
// afresh after this many records.
const checkerReset = 1 << 16

// Checker tells whether the report of a configuration accepts a record,
// without counting it anywhere. [ReadLogFor] uses it to send the records
// a report would refuse to the dead letters, with the report's reason,
// instead of letting the combiner drop them with only a count.
//
// It asks the report itself: the record is added to a scratch
// accumulator of the same configuration without per-lead state, goals or
// dimensions (none of which decide whether a record is accepted), which
// is dropped every 65,536 records, so a Checker's memory stays small.
// A Checker is not safe for concurrent use.
type Checker struct {
	cfg report.Config
	acc *report.Accumulator
	n   int
}

// NewChecker returns a Checker for the report configuration s, or the
// configuration's error.
func NewChecker(s Spec) (*Checker, error) {
	cfg, err := s.Config()
	if err != nil {
		return nil, err
	}
	if _, err := report.NewAccumulator(cfg); err != nil {
		return nil, err
	}
	cfg.NoLeadState, cfg.Goals, cfg.Dimensions = true, nil, nil
	return &Checker{cfg: cfg}, nil
}

// Check returns nil when the report accepts rec, else the report's error
// (wrapping [report.ErrRecord]: unknown kind or stage, zero or
// out-of-range time).
func (c *Checker) Check(rec report.Record) error {
	if c.acc == nil || c.n >= checkerReset {
		acc, err := report.NewAccumulator(c.cfg)
		if err != nil {
			return err
		}
		c.acc, c.n = acc, 0
	}
	c.n++
	return c.acc.Add(rec)
}
