package report

import (
	"fmt"
	"math"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
)

// Accumulator gathers the figures of a [Report] from records in one pass.
// Records may come in any order and in any number of pieces: accumulate
// each piece separately, [Accumulator.Merge] the pieces in any grouping,
// and the [Report] is the same as from one pass over all records (merging
// is associative and commutative). [Accumulator.MarshalBinary] lets a
// piece travel between processes.
//
// Memory grows with periods, stages and dimension values, and, unless
// [Config.NoLeadState] is set, with leads (a record of 48 bytes plus 8 per
// stage of Path, an ID longer than 16 bytes, and 16 to 32 bytes of hash
// table per lead: see BENCHMARKS.md for the measured figure), touches, won
// deals and handoffs; never with the number of funnel events as such.
//
// An Accumulator is not safe for concurrent use; give each goroutine its
// own and merge them. The zero Accumulator has no configuration: its
// methods return an error wrapping [ErrConfig]; use [NewAccumulator].
type Accumulator struct {
	p   *plan
	cal calendar

	hasAt bool
	maxAt int64 // unix nanoseconds of the latest record time

	total series
	dims  []dimState

	// Per-lead state (nil with NoLeadState).
	leads     *leadTable
	touches   map[string][]touchRec
	deals     []Deal // closed-won deals, for attribution and influence
	responses map[string]*Response
}

type touchRec struct {
	at        int64
	channel   string
	milestone Milestone
}

type dimState struct {
	idx    map[string]int32
	vals   []string
	series []series
}

// series is a dense run of period blocks starting at period base.
type series struct {
	base   int64
	blocks []*block
}

// block holds the stateless figures of one period.
type block struct {
	// Per stage: first-time entries, all entries, population change.
	first, all, delta []int64
	// Per stage: finished stays that ended in the period (nil in segments).
	stays []Sketch

	recycleIn, recycleOut int64

	// Deals closed in the period.
	dealsWon, dealsLost int64
	wonAmount           decimal.Decimal
	wonByOrigin         [3]decimal.Decimal // marketing, sales, other
	wonByOriginN        [3]int64
	salesCycle          Sketch

	// Decisions made in the period.
	accepted, rejected int64
	reasons            map[string]int64
	critDecisions      map[string]int64
	critRejections     map[critReason]int64
}

type critReason struct{ crit, reason string }

// NewAccumulator returns an empty accumulator for cfg, or an error wrapping
// [ErrConfig] that lists every problem of cfg.
func NewAccumulator(cfg Config) (*Accumulator, error) {
	p, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	return newAcc(p), nil
}

func newAcc(p *plan) *Accumulator {
	a := &Accumulator{p: p, cal: calendar{g: p.gran, loc: p.loc}}
	a.dims = make([]dimState, len(p.cfg.Dimensions))
	for i := range a.dims {
		a.dims[i].idx = map[string]int32{}
	}
	if !p.cfg.NoLeadState {
		a.leads = newLeadTable(p.npath)
		a.touches = map[string][]touchRec{}
		a.responses = map[string]*Response{}
	}
	return a
}

func (p *plan) newBlock(withStays bool) *block {
	n := len(p.stages)
	buf := make([]int64, 3*n)
	b := &block{first: buf[:n:n], all: buf[n : 2*n : 2*n], delta: buf[2*n:]}
	if withStays {
		b.stays = make([]Sketch, n)
	}
	return b
}

// at returns the block of period idx, creating it.
func (s *series) at(p *plan, idx int64, withStays bool) *block {
	i := idx - s.base
	if i >= 0 && i < int64(len(s.blocks)) {
		if b := s.blocks[i]; b != nil {
			return b
		}
		b := p.newBlock(withStays)
		s.blocks[i] = b
		return b
	}
	return s.grow(p, idx, withStays)
}

func (s *series) grow(p *plan, idx int64, withStays bool) *block {
	switch {
	case len(s.blocks) == 0:
		s.base = idx
		s.blocks = make([]*block, 1, 16)
	case idx < s.base:
		grow := s.base - idx
		nb := make([]*block, int64(len(s.blocks))+grow)
		copy(nb[grow:], s.blocks)
		s.blocks, s.base = nb, idx
	default:
		j := idx - s.base
		if j < int64(cap(s.blocks)) {
			s.blocks = s.blocks[:j+1]
		} else {
			nb := make([]*block, j+1, 2*(j+1))
			copy(nb, s.blocks)
			s.blocks = nb
		}
	}
	b := p.newBlock(withStays)
	s.blocks[idx-s.base] = b
	return b
}

// get returns the block of period idx, or nil.
func (s *series) get(idx int64) *block {
	i := idx - s.base
	if i >= 0 && i < int64(len(s.blocks)) {
		return s.blocks[i]
	}
	return nil
}

// Unix seconds bounds of the times the accumulator accepts: those whose
// UnixNano is defined (years 1678 to 2262).
const (
	minUnix = -9_200_000_000
	maxUnix = 9_200_000_000
)

func checkTime(t time.Time, what string) error {
	u := t.Unix()
	if t.IsZero() || u < minUnix || u > maxUnix {
		return fmt.Errorf("%w: %s %v out of range", ErrRecord, what, t)
	}
	return nil
}

func (a *Accumulator) seen(ns int64) {
	if !a.hasAt || ns > a.maxAt {
		a.maxAt, a.hasAt = ns, true
	}
}

// Add accumulates one record. A malformed record (unknown kind or stage,
// zero or out-of-range time) returns an error wrapping [ErrRecord] and
// changes nothing. Adding an event allocates nothing once its period and
// lead have been seen.
func (a *Accumulator) Add(rec Record) error {
	if a == nil || a.p == nil {
		return fmt.Errorf("%w: zero Accumulator; use NewAccumulator", ErrConfig)
	}
	switch rec.Kind {
	case KindEvent:
		return a.addEvent(&rec.Event, rec.Dims)
	case KindDeal:
		return a.addDeal(&rec.Deal)
	case KindTouch:
		return a.addTouch(&rec.Touch)
	case KindResponse:
		return a.addResponse(&rec.Response)
	case KindDecision:
		return a.addDecision(&rec.Decision)
	}
	return fmt.Errorf("%w: unknown record kind %d", ErrRecord, rec.Kind)
}

// AddEvent accumulates one funnel event; it is Add(EventRecord(e, dims...)).
func (a *Accumulator) AddEvent(e funnel.Event, dims ...string) error {
	if a == nil || a.p == nil {
		return fmt.Errorf("%w: zero Accumulator; use NewAccumulator", ErrConfig)
	}
	return a.addEvent(&e, dims)
}

// AddEvents accumulates events, in order, as AddEvent(e) would one after
// another (with no dimension values), and faster: it reads the slice in
// place (AddEvent copies each event), and with lead state it looks the
// leads of a few events up at once, so that their memory accesses overlap
// instead of waiting for each other (see BENCHMARKS.md). It returns how
// many events it added: all of them, or, when an event is malformed, those
// before it, with an error wrapping [ErrRecord] that names the malformed
// event's index (it and the events after it are not added, so the host
// can fix or drop it and call AddEvents again with the rest).
func (a *Accumulator) AddEvents(events []funnel.Event) (int, error) {
	if a == nil || a.p == nil {
		return 0, fmt.Errorf("%w: zero Accumulator; use NewAccumulator", ErrConfig)
	}
	var hs, hk [lookAhead]uint64
	var tos, froms [lookAhead]int
	for lo := 0; lo < len(events); lo += lookAhead {
		g := events[lo:min(lo+lookAhead, len(events))]
		var bad error
		for i := range g {
			to, from, err := a.p.checkEvent(&g[i])
			if err != nil {
				bad, g = fmt.Errorf("events[%d]: %w", lo+i, err), g[:i]
				break
			}
			tos[i], froms[i] = to, from
		}
		if t := a.leads; t != nil {
			// Consecutive events of one lead (a log grouped by lead) need
			// neither a hash nor a touch.
			k := 0
			for i := range g {
				if i > 0 && g[i].Lead == g[i-1].Lead {
					hs[i] = hs[i-1]
					continue
				}
				hs[i] = t.hash(g[i].Lead)
				hk[k] = hs[i]
				k++
			}
			t.touch(hk[:k])
		}
		for i := range g {
			a.applyEvent(&g[i], nil, tos[i], froms[i], hs[i])
		}
		if bad != nil {
			return lo + len(g), bad
		}
	}
	return len(events), nil
}

// checkEvent returns the stage indices of an event (from is -1 for an
// entry), or the error that makes it malformed.
func (p *plan) checkEvent(e *funnel.Event) (to, from int, err error) {
	to = p.stageIndex(e.To)
	if to < 0 {
		return 0, 0, fmt.Errorf("%w: event %q: unknown stage %q", ErrRecord, e.ID, e.To)
	}
	from = -1
	if e.From != "" {
		if from = p.stageIndex(e.From); from < 0 {
			return 0, 0, fmt.Errorf("%w: event %q: unknown stage %q", ErrRecord, e.ID, e.From)
		}
	}
	if err := checkTime(e.At, "event time"); err != nil {
		return 0, 0, err
	}
	return to, from, nil
}

func (a *Accumulator) addEvent(e *funnel.Event, dims []string) error {
	to, from, err := a.p.checkEvent(e)
	if err != nil {
		return err
	}
	var h uint64
	if a.leads != nil {
		h = a.leads.hash(e.Lead)
	}
	a.applyEvent(e, dims, to, from, h)
	return nil
}

// applyEvent adds an event that checkEvent accepted, with its stage
// indices; h is the hash of its lead ID (unused without lead state).
func (a *Accumulator) applyEvent(e *funnel.Event, dims []string, to, from int, h uint64) {
	p := a.p
	ns := e.At.UnixNano()
	idx := a.cal.index(e.At)
	b := a.total.at(p, idx, true)
	b.all[to]++
	b.delta[to]++
	if e.FirstEntry {
		b.first[to]++
	}
	if from >= 0 {
		b.delta[from]--
		b.stays[from].Add(e.Stay)
		if from == p.recycle && p.rank[to] >= 0 {
			b.recycleOut++
		}
	}
	if to == p.recycle {
		b.recycleIn++
	}
	for d := range a.dims {
		v := ""
		if d < len(dims) {
			v = dims[d]
		}
		ds := &a.dims[d]
		si, ok := ds.idx[v]
		if !ok {
			si = int32(len(ds.vals))
			ds.idx[v] = si
			ds.vals = append(ds.vals, v)
			ds.series = append(ds.series, series{})
		}
		sb := ds.series[si].at(p, idx, false)
		sb.all[to]++
		sb.delta[to]++
		if e.FirstEntry {
			sb.first[to]++
		}
		if from >= 0 {
			sb.delta[from]--
		}
	}
	a.seen(ns)
	if t := a.leads; t != nil {
		r := t.record(t.ofEvent(e.Lead, h))
		noteCreated(r, ns, from < 0)
		if laterEvent(e.Version, ns, to, r) {
			r[recLastVer], r[recLastAt] = int64(e.Version), ns
			setLastStage(r, to)
		}
		if rk := p.rank[to]; rk >= 0 {
			noteFirst(r, rk, ns, e.FirstEntry)
		}
	}
}

// laterEvent says whether an event (version, time, stage) comes after the
// latest one of record r: by version, then time, then stage index (a
// total order, so the latest event is the same whatever order events and
// merges come in). Any event comes after none.
func laterEvent(ver uint64, at int64, stage int, r []int64) bool {
	ls := lastStage(r)
	if ls < 0 {
		return true
	}
	lv, la := uint64(r[recLastVer]), r[recLastAt]
	return ver > lv || ver == lv && (at > la || at == la && stage > ls)
}

func originIndex(o Origin) int {
	switch o {
	case OriginMarketing:
		return 0
	case OriginSales:
		return 1
	}
	return 2
}

func (a *Accumulator) addDeal(d *Deal) error {
	if d.ClosedAt.IsZero() {
		// An open deal: nothing to count until it closes.
		if !d.CreatedAt.IsZero() {
			if err := checkTime(d.CreatedAt, "deal created_at"); err != nil {
				return err
			}
		}
		return nil
	}
	if err := checkTime(d.ClosedAt, "deal closed_at"); err != nil {
		return err
	}
	if !d.CreatedAt.IsZero() {
		if err := checkTime(d.CreatedAt, "deal created_at"); err != nil {
			return err
		}
	}
	b := a.total.at(a.p, a.cal.index(d.ClosedAt), true)
	a.seen(d.ClosedAt.UnixNano())
	if !d.Won {
		b.dealsLost++
		return nil
	}
	b.dealsWon++
	b.wonAmount = b.wonAmount.Add(d.Amount)
	o := originIndex(d.Origin)
	b.wonByOrigin[o] = b.wonByOrigin[o].Add(d.Amount)
	b.wonByOriginN[o]++
	if !d.CreatedAt.IsZero() {
		b.salesCycle.Add(d.ClosedAt.Sub(d.CreatedAt))
	}
	if a.leads != nil {
		a.deals = append(a.deals, *d)
	}
	return nil
}

func (a *Accumulator) addTouch(t *Touch) error {
	if err := checkTime(t.At, "touch time"); err != nil {
		return err
	}
	a.seen(t.At.UnixNano())
	if a.touches != nil {
		a.touches[t.Lead] = append(a.touches[t.Lead], touchRec{t.At.UnixNano(), t.Channel, t.Milestone})
	}
	return nil
}

func (r *Response) key() string {
	if r.Handoff != "" {
		return "h:" + r.Handoff
	}
	return "l:" + r.Lead
}

func (a *Accumulator) addResponse(r *Response) error {
	if r.Handoff == "" && r.Lead == "" {
		// Records are combined by key: keyless ones would all become one
		// handoff.
		return fmt.Errorf("%w: response without Handoff or Lead", ErrRecord)
	}
	times := [4]struct {
		t    time.Time
		what string
	}{{r.ActionAt, "action_at"}, {r.AssignedAt, "assigned_at"}, {r.TouchedAt, "touched_at"}, {r.Deadline, "deadline"}}
	for _, t := range times {
		if !t.t.IsZero() {
			if err := checkTime(t.t, "response "+t.what); err != nil {
				return err
			}
		}
	}
	// A deadline is a promise about the future, not something that
	// happened: it does not move the default AsOf.
	for _, t := range times[:3] {
		if !t.t.IsZero() {
			a.seen(t.t.UnixNano())
		}
	}
	if a.responses == nil {
		return nil
	}
	k := r.key()
	if old, ok := a.responses[k]; ok {
		mergeResponse(old, r)
		return nil
	}
	c := *r
	a.responses[k] = &c
	return nil
}

func minTime(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero():
		return a
	case b.Before(a):
		return b
	}
	return a
}

func minStr(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	case b < a:
		return b
	}
	return a
}

func mergeResponse(dst, src *Response) {
	dst.Lead = minStr(dst.Lead, src.Lead)
	dst.Rep = minStr(dst.Rep, src.Rep)
	dst.ActionAt = minTime(dst.ActionAt, src.ActionAt)
	dst.AssignedAt = minTime(dst.AssignedAt, src.AssignedAt)
	dst.Deadline = minTime(dst.Deadline, src.Deadline)
	dst.TouchedAt = minTime(dst.TouchedAt, src.TouchedAt)
}

func (a *Accumulator) addDecision(d *Decision) error {
	if err := checkTime(d.At, "decision time"); err != nil {
		return err
	}
	b := a.total.at(a.p, a.cal.index(d.At), true)
	a.seen(d.At.UnixNano())
	if d.Accepted {
		b.accepted++
	} else {
		b.rejected++
		if b.reasons == nil {
			b.reasons = map[string]int64{}
		}
		b.reasons[d.Reason]++
	}
	if len(d.Criteria) > 0 && b.critDecisions == nil {
		b.critDecisions = map[string]int64{}
		b.critRejections = map[critReason]int64{}
	}
	for i, c := range d.Criteria {
		dup := false
		for _, c2 := range d.Criteria[:i] {
			if c2 == c {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		b.critDecisions[c]++
		if !d.Accepted {
			b.critRejections[critReason{c, d.Reason}]++
		}
	}
	return nil
}

// Merge adds everything other has accumulated to a. other is not changed.
// Both must have been built from the same configuration (Goals aside; a
// Location of the same name and the same UTC offsets), otherwise Merge
// returns an error wrapping [ErrConfig] and changes nothing.
func (a *Accumulator) Merge(other *Accumulator) error {
	if a == nil || a.p == nil || other == nil || other.p == nil {
		return fmt.Errorf("%w: zero Accumulator; use NewAccumulator", ErrConfig)
	}
	if a.p.finger != other.p.finger {
		return fmt.Errorf("%w: cannot merge accumulators of different configurations", ErrConfig)
	}
	if other == a {
		c, err := a.clone()
		if err != nil {
			return err
		}
		other = c
	}
	if other.hasAt {
		a.seen(other.maxAt)
	}
	a.total.merge(a.p, &other.total, true)
	for d := range a.dims {
		od := &other.dims[d]
		ds := &a.dims[d]
		for oi, v := range od.vals {
			si, ok := ds.idx[v]
			if !ok {
				si = int32(len(ds.vals))
				ds.idx[v] = si
				ds.vals = append(ds.vals, v)
				ds.series = append(ds.series, series{})
			}
			ds.series[si].merge(a.p, &od.series[oi], false)
		}
	}
	if a.leads == nil {
		return nil
	}
	t, ot := a.leads, other.leads
	var buf [inlineID]byte
	var hs [lookAhead]uint64
	for lo := 0; lo < ot.n; lo += lookAhead {
		hi := min(lo+lookAhead, ot.n)
		for ol := lo; ol < hi; ol++ {
			hs[ol-lo] = t.hashBytes(ot.idBytes(ol, &buf))
		}
		t.touch(hs[:hi-lo])
		for ol := lo; ol < hi; ol++ {
			or := ot.record(ol)
			r := t.record(t.ofID(ot.idBytes(ol, &buf), hs[ol-lo]))
			if or[recCreated] != math.MaxInt64 {
				noteCreated(r, or[recCreated], or[recMeta]&entryMark != 0)
			}
			if ls := lastStage(or); ls >= 0 && laterEvent(uint64(or[recLastVer]), or[recLastAt], ls, r) {
				r[recLastVer], r[recLastAt] = or[recLastVer], or[recLastAt]
				setLastStage(r, ls)
			}
			for k := range t.np {
				if f := or[recFirst+k]; f != math.MaxInt64 {
					noteFirst(r, k, f, or[recMarks]&(int64(1)<<k) != 0)
				}
			}
		}
	}
	for id, ts := range other.touches {
		a.touches[id] = append(a.touches[id], ts...)
	}
	a.deals = append(a.deals, other.deals...)
	for k, r := range other.responses {
		if old, ok := a.responses[k]; ok {
			mergeResponse(old, r)
		} else {
			c := *r
			a.responses[k] = &c
		}
	}
	return nil
}

func (s *series) merge(p *plan, o *series, withStays bool) {
	for i, ob := range o.blocks {
		if ob == nil {
			continue
		}
		b := s.at(p, o.base+int64(i), withStays)
		b.merge(ob)
	}
}

func (b *block) merge(o *block) {
	for i := range b.first {
		b.first[i] += o.first[i]
		b.all[i] += o.all[i]
		b.delta[i] += o.delta[i]
	}
	for i := range o.stays {
		b.stays[i].Merge(&o.stays[i])
	}
	b.recycleIn += o.recycleIn
	b.recycleOut += o.recycleOut
	b.dealsWon += o.dealsWon
	b.dealsLost += o.dealsLost
	b.wonAmount = b.wonAmount.Add(o.wonAmount)
	for i := range b.wonByOrigin {
		b.wonByOrigin[i] = b.wonByOrigin[i].Add(o.wonByOrigin[i])
		b.wonByOriginN[i] += o.wonByOriginN[i]
	}
	b.salesCycle.Merge(&o.salesCycle)
	b.accepted += o.accepted
	b.rejected += o.rejected
	for k, v := range o.reasons {
		if b.reasons == nil {
			b.reasons = map[string]int64{}
		}
		b.reasons[k] += v
	}
	for k, v := range o.critDecisions {
		if b.critDecisions == nil {
			b.critDecisions = map[string]int64{}
			b.critRejections = map[critReason]int64{}
		}
		b.critDecisions[k] += v
	}
	for k, v := range o.critRejections {
		if b.critRejections == nil {
			b.critDecisions = map[string]int64{}
			b.critRejections = map[critReason]int64{}
		}
		b.critRejections[k] += v
	}
}

// clone returns a deep copy through the binary encoding.
func (a *Accumulator) clone() (*Accumulator, error) {
	data, err := a.MarshalBinary()
	if err != nil {
		return nil, err
	}
	c := newAcc(a.p)
	if err := c.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	return c, nil
}
