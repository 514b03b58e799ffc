package bench

import (
	"fmt"
	"math"
	"math/bits"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// The KPI workload: for every calendar month (UTC) with events and every
// stage of the default lifecycle, first-time entries, all entries, the
// population at the end of the month, and the count, exact mean
// (truncated to the nanosecond), minimum and maximum of the stays that
// ended in the month; and the flow conversion of each adjacent pair of
// the forward path (entries into B ÷ entries into A in the month).

// Path and Detours are the stages of the default lifecycle, as the
// report configuration lists them.
var (
	Path    = []funnel.Stage{funnel.Subscriber, funnel.Lead, funnel.MQL, funnel.SQL, funnel.Opportunity, funnel.Customer, funnel.Evangelist}
	Detours = []funnel.Stage{funnel.Nurture, funnel.Disqualified, funnel.Lost}
	// Stages is Path then Detours: the order of [Month.Cells].
	Stages = append(append([]funnel.Stage{}, Path...), Detours...)
)

// Cell holds one stage's figures in one month.
type Cell struct {
	First, All, Pop int64
	Stays           int64
	StayMean        time.Duration
	StayMin         time.Duration
	StayMax         time.Duration
}

// Flow is a flow conversion: Num entries into To over Den entries into
// From.
type Flow struct {
	From, To funnel.Stage
	Num, Den int64
}

// Month holds the figures of one month: Cells in the order of [Stages],
// Flows for the adjacent pairs of [Path].
type Month struct {
	Label string // 2026-03
	Cells []Cell
	Flows []Flow
}

// Figures are the KPI figures of a log, months in order.
type Figures []Month

// ReportConfig is the report configuration of the workload: monthly
// periods in UTC over the default lifecycle; noLeadState turns off the
// per-lead figures (cohorts, aging, ...), which the workload does not
// compare.
func ReportConfig(noLeadState bool) report.Config {
	return report.Config{Path: Path, Detours: Detours, Period: report.Month, Location: time.UTC, NoLeadState: noLeadState}
}

// ReportFigures reads the workload's figures from a report.
func ReportFigures(r report.Report) (Figures, error) {
	var out Figures
	for _, p := range r.Periods {
		m := Month{Label: p.Start.UTC().Format("2006-01"), Cells: make([]Cell, len(Stages))}
		var any int64
		for _, sf := range p.Stages {
			i := stageIndex(sf.Stage)
			if i < 0 {
				return nil, fmt.Errorf("bench: report has unknown stage %q", sf.Stage)
			}
			v := sf.TimeInStage
			m.Cells[i] = Cell{First: sf.FirstEntries, All: sf.Entries, Pop: sf.Population,
				Stays: v.Count, StayMean: v.Mean, StayMin: v.Min, StayMax: v.Max}
			any += sf.Entries
		}
		if any == 0 {
			continue // a month without events: the others do not list it
		}
		for _, c := range p.Flow {
			m.Flows = append(m.Flows, Flow{From: c.From, To: c.To, Num: c.Rate.Num, Den: c.Rate.Den})
		}
		out = append(out, m)
	}
	return out, nil
}

// stageIndex is the position of s in Stages, or -1: a switch, as a
// hand-written loop would have it.
func stageIndex(s funnel.Stage) int {
	switch s {
	case funnel.Subscriber:
		return 0
	case funnel.Lead:
		return 1
	case funnel.MQL:
		return 2
	case funnel.SQL:
		return 3
	case funnel.Opportunity:
		return 4
	case funnel.Customer:
		return 5
	case funnel.Evangelist:
		return 6
	case funnel.Nurture:
		return 7
	case funnel.Disqualified:
		return 8
	case funnel.Lost:
		return 9
	}
	return -1
}

// raw holds the sums of one stage in one month, before populations and
// means are derived.
type raw struct {
	first, all, exits int64
	stays             int64
	sumHi, sumLo      uint64 // 128-bit sum of stays, ns
	min, max          int64
}

func (r *raw) stay(d int64) {
	if r.stays == 0 || d < r.min {
		r.min = d
	}
	if r.stays == 0 || d > r.max {
		r.max = d
	}
	r.stays++
	var c uint64
	r.sumLo, c = bits.Add64(r.sumLo, uint64(d), 0)
	r.sumHi += c
}

func monthLabel(idx int) string {
	return fmt.Sprintf("%04d-%02d", idx/12, idx%12+1)
}

// figuresOf derives the figures from per-month raw sums, months given by
// index (year×12 + month−1) in increasing order.
func figuresOf(idx []int, rows [][]raw) Figures {
	out := make(Figures, 0, len(idx))
	pop := make([]int64, len(Stages))
	for k, mi := range idx {
		m := Month{Label: monthLabel(mi), Cells: make([]Cell, len(Stages))}
		for s := range Stages {
			r := &rows[k][s]
			pop[s] += r.all - r.exits
			c := Cell{First: r.first, All: r.all, Pop: pop[s], Stays: r.stays}
			if r.stays > 0 {
				c.StayMin, c.StayMax = time.Duration(r.min), time.Duration(r.max)
				if r.sumHi < uint64(r.stays) {
					q, _ := bits.Div64(r.sumHi, r.sumLo, uint64(r.stays))
					if q <= math.MaxInt64 {
						c.StayMean = time.Duration(q)
					}
				}
			}
			m.Cells[s] = c
		}
		for j := 0; j+1 < len(Path); j++ {
			m.Flows = append(m.Flows, Flow{From: Path[j], To: Path[j+1], Num: m.Cells[j+1].All, Den: m.Cells[j].All})
		}
		out = append(out, m)
	}
	return out
}

// HandFigures computes the figures in one hand-written pass over the log:
// a dense table of months × stages, a switch for the stage index, time's
// Date for the month.
func HandFigures(log []funnel.Event) (Figures, error) {
	lo, hi := math.MaxInt, math.MinInt
	var rows [][]raw // by month − lo
	for i := range log {
		e := &log[i]
		y, mo, _ := e.At.UTC().Date()
		mi := y*12 + int(mo) - 1
		switch {
		case len(rows) == 0:
			lo, hi = mi, mi
			rows = append(rows, make([]raw, len(Stages)))
		case mi < lo:
			grow := make([][]raw, lo-mi, lo-mi+len(rows))
			for k := range grow {
				grow[k] = make([]raw, len(Stages))
			}
			rows, lo = append(grow, rows...), mi
		case mi > hi:
			for ; hi < mi; hi++ {
				rows = append(rows, make([]raw, len(Stages)))
			}
		}
		row := rows[mi-lo]
		to := stageIndex(e.To)
		if to < 0 {
			return nil, fmt.Errorf("bench: event %d: unknown stage %q", i, e.To)
		}
		row[to].all++
		if e.FirstEntry {
			row[to].first++
		}
		if e.From != "" {
			from := stageIndex(e.From)
			if from < 0 {
				return nil, fmt.Errorf("bench: event %d: unknown stage %q", i, e.From)
			}
			row[from].exits++
			row[from].stay(int64(e.Stay))
		}
	}
	var idx []int
	var keep [][]raw
	for k, row := range rows {
		var n int64
		for s := range row {
			n += row[s].all
		}
		if n > 0 {
			idx, keep = append(idx, lo+k), append(keep, row)
		}
	}
	return figuresOf(idx, keep), nil
}

// ReportRun accumulates the log with package report (AddEvents, the bulk
// form a host importing a log would call) and returns the report.
func ReportRun(cfg report.Config, log []funnel.Event) (report.Report, error) {
	acc, err := report.NewAccumulator(cfg)
	if err != nil {
		return report.Report{}, err
	}
	if _, err := acc.AddEvents(log); err != nil {
		return report.Report{}, err
	}
	return acc.Report(), nil
}
