package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
	"github.com/smarketing/smarketing/scoring"
)

// ScaleConfig sizes a scale run. Zero fields take the defaults given.
type ScaleConfig struct {
	Contacts   int    // contacts (1,000)
	Events     int    // funnel events over all contacts (10 × Contacts)
	Activities int    // activities per contact for scoring (10)
	Workers    int    // goroutines, each with its own accumulator (2)
	Batch      int    // contacts generated and processed at a time (about 100,000 events' worth)
	Seed       uint64 // generator seed (1)
	// NoLeadState runs the report without per-lead figures
	// (report.Config.NoLeadState), so that its memory depends only on
	// periods and stages.
	NoLeadState bool
}

func (c *ScaleConfig) defaults() error {
	if c.Contacts == 0 {
		c.Contacts = 1000
	}
	if c.Events == 0 {
		c.Events = 10 * c.Contacts
	}
	if c.Activities == 0 {
		c.Activities = 10
	}
	if c.Workers == 0 {
		c.Workers = 2
	}
	if c.Batch == 0 && c.Contacts > 0 && c.Events >= 0 {
		// About 100,000 events a batch, so that a run's memory does not
		// grow with the events a contact has.
		c.Batch = int(max(1, min(int64(c.Contacts), 100_000*int64(c.Contacts)/max(int64(c.Events), 1))))
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Contacts < 0 || c.Events < 0 || c.Activities < 0 || c.Workers < 0 || c.Batch < 0 {
		return fmt.Errorf("bench: scale sizes must not be negative: %+v", *c)
	}
	return nil
}

// Phase is the time spent in one phase of a scale run, added up over
// the workers (busy time, not wall time), and how many items it handled.
type Phase struct {
	Name  string        `json:"name"`
	Items int64         `json:"items"`
	Unit  string        `json:"unit"`
	Busy  time.Duration `json:"busy_ns"`
}

// PerSecond is the phase's throughput on one core.
func (p Phase) PerSecond() float64 {
	if p.Busy <= 0 {
		return 0
	}
	return float64(p.Items) / p.Busy.Seconds()
}

// ScaleResult is what a scale run measured.
type ScaleResult struct {
	Config ScaleConfig   `json:"config"`
	Events int64         `json:"events"` // events generated (≤ Config.Events)
	Wall   time.Duration `json:"wall_ns"`
	Phases []Phase       `json:"phases"`
	// PeakHeap is the largest heap in use seen after any batch;
	// RetainedHeap the live heap after the last batch and a GC, with the
	// accumulators merged (what the report keeps, plus the run's fixed
	// buffers); Sys what the Go runtime obtained from the OS.
	PeakHeap     uint64 `json:"peak_heap_bytes"`
	RetainedHeap uint64 `json:"retained_heap_bytes"`
	Sys          uint64 `json:"sys_bytes"`
	// A digest of the outputs, equal across runs of the same config.
	Months       int    `json:"months"`
	MQLEntries   int64  `json:"mql_entries"`
	FitTotal     string `json:"fit_total"`
	InterestSum  string `json:"interest_total"`
	ContactNowNo int64  `json:"contact_now"`
}

type worker struct {
	acc      *report.Accumulator
	phases   [4]time.Duration // gen, score, replay, report
	events   int64
	fit, int decimal.Decimal
	now      int64
	peak     uint64
}

// Scale generates cfg.Contacts contacts deterministically, batch by batch
// on cfg.Workers goroutines, and for each batch scores every contact with
// the reference model (on its own random activities), replays every
// contact's funnel log with funnel.Model.Replay (checking that it
// rebuilds the generator's state) and accumulates the events into a
// report.Accumulator; then merges the accumulators and computes the full
// report (and renders it as JSON). Nothing is kept between batches but
// the accumulators, so memory is the accumulators' plus a batch's.
// Progress lines go to w.
func Scale(cfg ScaleConfig, w io.Writer) (ScaleResult, error) {
	if err := cfg.defaults(); err != nil {
		return ScaleResult{}, err
	}
	res := ScaleResult{Config: cfg}
	m := funnel.Default()
	sm, err := scoring.New(ReferenceSpec(), LeadSource())
	if err != nil {
		return res, err
	}
	gen := NewGen(m, cfg.Seed)
	rcfg := ReportConfig(cfg.NoLeadState)
	batches := (cfg.Contacts + cfg.Batch - 1) / cfg.Batch
	workers := make([]*worker, cfg.Workers)
	for i := range workers {
		acc, err := report.NewAccumulator(rcfg)
		if err != nil {
			return res, err
		}
		workers[i] = &worker{acc: acc}
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, cfg.Workers)
	for wi, wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[wi] = wk.run(&cfg, gen, m, sm, wi, batches)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return res, err
	}
	t := time.Now()
	acc := workers[0].acc
	for _, wk := range workers[1:] {
		if err := acc.Merge(wk.acc); err != nil {
			return res, err
		}
		wk.acc = nil
	}
	merge := time.Since(t)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.RetainedHeap = ms.HeapAlloc
	t = time.Now()
	rep := acc.Report()
	final := time.Since(t)
	t = time.Now()
	if err := rep.WriteJSON(io.Discard); err != nil {
		return res, err
	}
	render := time.Since(t)
	res.Wall = time.Since(start)
	runtime.ReadMemStats(&ms)
	res.Sys = ms.Sys

	var busy [4]time.Duration
	fit, interest := decimal.Zero, decimal.Zero
	for _, wk := range workers {
		for i := range busy {
			busy[i] += wk.phases[i]
		}
		res.Events += wk.events
		res.ContactNowNo += wk.now
		fit, interest = fit.Add(wk.fit), interest.Add(wk.int)
		res.PeakHeap = max(res.PeakHeap, wk.peak)
	}
	res.FitTotal, res.InterestSum = fit.String(), interest.String()
	c := int64(cfg.Contacts)
	res.Phases = []Phase{
		{"generate", res.Events, "events", busy[0]},
		{"score", c, "contacts", busy[1]},
		{"replay", res.Events, "events", busy[2]},
		{"report_add", res.Events, "events", busy[3]},
		{"report_merge", int64(cfg.Workers), "accumulators", merge},
		{"report_compute", res.Events, "events", final},
		{"report_render_json", 1, "reports", render},
	}
	res.Months = len(rep.Periods)
	for _, p := range rep.Periods {
		for _, s := range p.Stages {
			if s.Stage == funnel.MQL {
				res.MQLEntries += s.Entries
			}
		}
	}
	res.PeakHeap = max(res.PeakHeap, res.RetainedHeap)
	if w != nil {
		res.Print(w)
	}
	return res, nil
}

func (wk *worker) run(cfg *ScaleConfig, gen *Gen, m *funnel.Model, sm *scoring.Model[*Lead], wi, batches int) error {
	var (
		log     []funnel.Event
		offsets []int
		states  []funnel.State
		leads   = make([]Lead, cfg.Batch)
		ms      runtime.MemStats
		src     rand.PCG
		r       = rand.New(&src)
		res     scoring.Result
	)
	wk.fit, wk.int = decimal.Zero, decimal.Zero
	for b := wi; b < batches; b += cfg.Workers {
		lo, hi := b*cfg.Batch, min((b+1)*cfg.Batch, cfg.Contacts)
		// Generate.
		t := time.Now()
		log, offsets, states = log[:0], offsets[:0], states[:0]
		for i := lo; i < hi; i++ {
			offsets = append(offsets, len(log))
			var s funnel.State
			var err error
			if log, s, err = gen.Contact(i, EventsOf(i, cfg.Contacts, cfg.Events), log); err != nil {
				return err
			}
			states = append(states, s)
			src.Seed(cfg.Seed^0x5c0e, uint64(i))
			FillLead(&leads[i-lo], r, cfg.Activities, ScoreNow)
		}
		offsets = append(offsets, len(log))
		wk.events += int64(len(log))
		t2 := time.Now()
		wk.phases[0] += t2.Sub(t)
		// Score.
		for i := range hi - lo {
			if err := sm.ScoreInto(&res, &leads[i], ScoreNow, nil); err != nil {
				return fmt.Errorf("bench: scoring contact %d: %w", lo+i, err)
			}
			wk.fit, wk.int = wk.fit.Add(res.Fit), wk.int.Add(res.Interest)
			if res.Action == scoring.ActionContactNow {
				wk.now++
			}
		}
		t3 := time.Now()
		wk.phases[1] += t3.Sub(t2)
		// Replay.
		for i := range hi - lo {
			s, err := m.Replay(ContactID(lo+i), log[offsets[i]:offsets[i+1]])
			if err != nil {
				return fmt.Errorf("bench: replaying contact %d: %w", lo+i, err)
			}
			if !s.Equal(states[i]) {
				return fmt.Errorf("bench: replaying contact %d: state differs from the generator's", lo+i)
			}
		}
		t4 := time.Now()
		wk.phases[2] += t4.Sub(t3)
		// Report.
		if _, err := wk.acc.AddEvents(log); err != nil {
			return fmt.Errorf("bench: report: %w", err)
		}
		wk.phases[3] += time.Since(t4)
		if wi == 0 {
			runtime.ReadMemStats(&ms)
			wk.peak = max(wk.peak, ms.HeapInuse)
		}
	}
	return nil
}

// ProcessingRate is the events per second of the run without the
// generation: scoring, replay and report busy time divided by the
// workers, plus the merge, the report and its rendering.
func (r ScaleResult) ProcessingRate() float64 {
	var d time.Duration
	for _, p := range r.Phases {
		switch p.Name {
		case "score", "replay", "report_add":
			d += p.Busy / time.Duration(max(r.Config.Workers, 1))
		case "generate":
		default:
			d += p.Busy
		}
	}
	if d <= 0 {
		return 0
	}
	return float64(r.Events) / d.Seconds()
}

// Print writes the result as text.
func (r ScaleResult) Print(w io.Writer) {
	c := r.Config
	fmt.Fprintf(w, "scale run: %d contacts, %d events (%d activities a contact), %d workers, batches of %d, NoLeadState %v, %s\n",
		c.Contacts, r.Events, c.Activities, c.Workers, c.Batch, c.NoLeadState, runtime.Version())
	fmt.Fprintf(w, "  wall %v, %.0f events/s overall (generation included); %.0f events/s without generation\n",
		r.Wall.Round(time.Millisecond), float64(r.Events)/r.Wall.Seconds(), r.ProcessingRate())
	for _, p := range r.Phases {
		fmt.Fprintf(w, "  %-20s %10v busy  %14.0f %s/s a core\n", p.Name, p.Busy.Round(time.Microsecond), p.PerSecond(), p.Unit)
	}
	fmt.Fprintf(w, "  heap: peak in use %.1f MiB, retained after run %.1f MiB, runtime Sys %.1f MiB\n",
		mib(r.PeakHeap), mib(r.RetainedHeap), mib(r.Sys))
	fmt.Fprintf(w, "  digest: %d months, %d MQL entries, fit total %s, interest total %s, %d contact-now\n",
		r.Months, r.MQLEntries, r.FitTotal, r.InterestSum, r.ContactNowNo)
}

// JSON returns the result as one line of JSON.
func (r ScaleResult) JSON() ([]byte, error) { return json.Marshal(r) }

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
