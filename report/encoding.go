package report

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// The binary encoding of an Accumulator (version 2; version 1, which
// lacked the marks of first entries, is still read):
//
//	"SMKA" | version byte | config fingerprint | state
//
// Integers are varints, strings and lists are length-prefixed, decimals
// are exponent and coefficient, maps are written in sorted key order, so
// equal states encode to equal bytes. The fingerprint is the canonical
// text of the Config (Goals excluded): decoding into an accumulator with
// another configuration fails.
const (
	binaryMagic   = "SMKA"
	binaryVersion = 2
	// binaryVersion1 lacked each lead's marks of first entries: its data
	// decodes as if every earliest event seen were the lead's first (the
	// reading of the releases that wrote it).
	binaryVersion1 = 1
)

// MarshalBinary encodes the accumulator's state (see
// [Accumulator.UnmarshalBinary]). It implements [encoding.BinaryMarshaler].
func (a *Accumulator) MarshalBinary() ([]byte, error) {
	if a == nil || a.p == nil {
		return nil, fmt.Errorf("%w: zero Accumulator; use NewAccumulator", ErrConfig)
	}
	w := &writer{}
	if t := a.leads; t != nil && t.n > 0 {
		// One allocation for the leads, the bulk of a large state: an ID
		// (inline ones have at most 16 bytes), and up to 10 bytes for each
		// varint of a record.
		w.b = make([]byte, 0, 4096+len(t.long)+t.n*(1+inlineID+10*(t.st-recFirst+4)))
	}
	w.b = append(w.b, binaryMagic...)
	w.b = append(w.b, binaryVersion)
	w.str(a.p.finger)
	w.bool(a.hasAt)
	w.int(a.maxAt)
	w.series(&a.total, true)
	w.uint(uint64(len(a.dims)))
	for _, ds := range a.dims {
		order := sortedIdx(ds.vals)
		w.uint(uint64(len(order)))
		for _, i := range order {
			w.str(ds.vals[i])
			w.series(&ds.series[i], false)
		}
	}
	if a.leads == nil {
		return w.b, nil
	}
	t := a.leads
	order := t.sorted()
	w.uint(uint64(len(order)))
	var buf [inlineID]byte
	for _, l := range order {
		r := t.record(int(l))
		w.bytes(t.idBytes(int(l), &buf))
		w.int(r[recCreated])
		w.uint(uint64(r[recLastVer]))
		w.int(int64(lastStage(r)))
		w.int(r[recLastAt])
		for _, f := range r[recFirst:] {
			w.int(f)
		}
		w.bool(r[recMeta]&entryMark != 0)
		w.uint(uint64(r[recMarks]))
	}
	leads := make([]string, 0, len(a.touches))
	for id := range a.touches {
		leads = append(leads, id)
	}
	slices.Sort(leads)
	w.uint(uint64(len(leads)))
	for _, id := range leads {
		ts := slices.Clone(a.touches[id])
		sortTouches(ts)
		w.str(id)
		w.uint(uint64(len(ts)))
		for _, t := range ts {
			w.int(t.at)
			w.str(t.channel)
			w.str(string(t.milestone))
		}
	}
	deals := slices.Clone(a.deals)
	slices.SortFunc(deals, compareDeals)
	w.uint(uint64(len(deals)))
	for _, d := range deals {
		w.str(d.ID)
		w.str(d.Lead)
		w.dec(d.Amount)
		w.time(d.CreatedAt)
		w.time(d.ClosedAt)
		w.bool(d.Won)
		w.str(string(d.Origin))
	}
	keys := make([]string, 0, len(a.responses))
	for k := range a.responses {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.uint(uint64(len(keys)))
	for _, k := range keys {
		r := a.responses[k]
		w.str(r.Handoff)
		w.str(r.Lead)
		w.str(r.Rep)
		w.time(r.ActionAt)
		w.time(r.AssignedAt)
		w.time(r.Deadline)
		w.time(r.TouchedAt)
	}
	return w.b, nil
}

func sortedIdx(ss []string) []int {
	order := make([]int, len(ss))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return cmp.Compare(ss[x], ss[y]) })
	return order
}

// UnmarshalBinary replaces the accumulator's state with the decoded one.
// The accumulator must come from [NewAccumulator] with the configuration
// the data was encoded with. Malformed, truncated or hostile input returns
// an error wrapping [ErrEncoding] (never a panic; allocations stay
// proportional to the input's length) and leaves the accumulator unchanged.
func (a *Accumulator) UnmarshalBinary(data []byte) error {
	if a == nil || a.p == nil {
		return fmt.Errorf("%w: zero Accumulator; use NewAccumulator", ErrConfig)
	}
	n := newAcc(a.p)
	if err := n.decode(data); err != nil {
		return err
	}
	cal := a.cal
	*a = *n
	a.cal = cal
	return nil
}

func (a *Accumulator) decode(data []byte) error {
	r := &reader{b: data}
	if len(data) < len(binaryMagic)+1 || string(data[:len(binaryMagic)]) != binaryMagic {
		return fmt.Errorf("%w: not an accumulator", ErrEncoding)
	}
	version := data[len(binaryMagic)]
	if version != binaryVersion && version != binaryVersion1 {
		return fmt.Errorf("%w: unsupported version %d", ErrEncoding, version)
	}
	r.pos = len(binaryMagic) + 1
	want := a.p.finger
	if version == binaryVersion1 {
		want = fingerprint(a.p, false) // the zone by name only
	}
	if f := r.str(); r.err == nil && f != want {
		return fmt.Errorf("%w: encoded with another configuration", ErrConfig)
	}
	p := a.p
	// Period indices of the accepted time range bound every series.
	c := &calendar{g: p.gran, loc: p.loc}
	r.pmin = c.index(time.Unix(minUnix, 0)) - 1
	r.pmax = c.index(time.Unix(maxUnix, 0)) + 1
	a.hasAt = r.bool()
	a.maxAt = r.int()
	r.series(p, &a.total, true)
	if nd := r.count(); r.err == nil && nd != len(a.dims) {
		r.fail("dimension count")
	}
	for d := 0; d < len(a.dims) && r.err == nil; d++ {
		ds := &a.dims[d]
		nv := r.count()
		for i := 0; i < nv && r.err == nil; i++ {
			v := r.str()
			if _, dup := ds.idx[v]; dup {
				r.fail("duplicate dimension value")
				break
			}
			ds.idx[v] = int32(len(ds.vals))
			ds.vals = append(ds.vals, v)
			ds.series = append(ds.series, series{})
			r.series(p, &ds.series[len(ds.series)-1], false)
		}
	}
	if t := a.leads; t != nil {
		nl := r.count()
		for i := 0; i < nl && r.err == nil; i++ {
			id := r.bytes()
			if r.err != nil {
				break
			}
			h := t.hashBytes(id)
			if find(t, id, h) >= 0 {
				r.fail("duplicate lead")
				break
			}
			rec := t.record(add(t, id, h))
			rec[recCreated] = r.int()
			rec[recLastVer] = int64(r.uint())
			ls := r.int()
			if ls < -1 || ls >= int64(len(p.stages)) {
				r.fail("stage index")
				break
			}
			setLastStage(rec, int(ls))
			rec[recLastAt] = r.int()
			var seen int64 // the ranks entered
			for k := range t.np {
				if rec[recFirst+k] = r.int(); rec[recFirst+k] != math.MaxInt64 {
					seen |= int64(1) << k
				}
			}
			entry, marks := rec[recCreated] != math.MaxInt64, seen
			if version != binaryVersion1 {
				entry, marks = r.bool(), int64(r.uint())
			}
			if r.err == nil && (marks&^seen != 0 || entry && rec[recCreated] == math.MaxInt64) {
				r.fail("first-entry marks")
				break
			}
			if entry {
				rec[recMeta] |= entryMark
			}
			rec[recMarks] = marks
		}
		nt := r.count()
		for i := 0; i < nt && r.err == nil; i++ {
			id := r.str()
			k := r.count()
			if _, dup := a.touches[id]; dup {
				r.fail("duplicate touch lead")
				break
			}
			ts := make([]touchRec, 0, k)
			for j := 0; j < k && r.err == nil; j++ {
				ts = append(ts, touchRec{at: r.int(), channel: r.str(), milestone: Milestone(r.str())})
			}
			a.touches[id] = ts
		}
		nd := r.count()
		for i := 0; i < nd && r.err == nil; i++ {
			d := Deal{ID: r.str(), Lead: r.str(), Amount: r.dec(), CreatedAt: r.time(), ClosedAt: r.time(), Won: r.bool(), Origin: Origin(r.str())}
			if r.err == nil && (d.ClosedAt.IsZero() || !d.Won) {
				r.fail("deal not closed-won")
			}
			a.deals = append(a.deals, d)
		}
		nr := r.count()
		for i := 0; i < nr && r.err == nil; i++ {
			rs := &Response{Handoff: r.str(), Lead: r.str(), Rep: r.str(), ActionAt: r.time(), AssignedAt: r.time(), Deadline: r.time(), TouchedAt: r.time()}
			k := rs.key()
			if _, dup := a.responses[k]; dup {
				r.fail("duplicate response")
				break
			}
			a.responses[k] = rs
		}
	}
	if r.err == nil && r.pos != len(r.b) {
		r.fail("trailing bytes")
	}
	return r.err
}

type writer struct{ b []byte }

func (w *writer) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *writer) str(s string) {
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}
func (w *writer) bytes(s []byte) {
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}
func (w *writer) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// dec keeps the exponent (String would drop trailing zeros), so a decoded
// decimal is identical, not only equal.
func (w *writer) dec(d decimal.Decimal) {
	w.int(int64(d.Exponent()))
	w.str(d.Coefficient().String())
}
func (w *writer) time(t time.Time) {
	if t.IsZero() {
		w.bool(false)
		return
	}
	w.bool(true)
	w.int(t.UnixNano())
}

func (w *writer) sketch(s *Sketch) {
	w.uint(s.n)
	if s.n == 0 {
		return
	}
	w.uint(s.zero)
	w.uint(s.sumHi)
	w.uint(s.sumLo)
	w.int(s.min)
	w.int(s.max)
	// Trim empty buckets at both ends so equal sketches encode equally.
	lo, hi := 0, len(s.counts)
	for lo < hi && s.counts[lo] == 0 {
		lo++
	}
	for hi > lo && s.counts[hi-1] == 0 {
		hi--
	}
	w.int(int64(s.off) + int64(lo))
	w.uint(uint64(hi - lo))
	for _, k := range s.counts[lo:hi] {
		w.uint(k)
	}
}

func (w *writer) series(s *series, withStays bool) {
	lo, hi := 0, len(s.blocks)
	for lo < hi && s.blocks[lo] == nil {
		lo++
	}
	for hi > lo && s.blocks[hi-1] == nil {
		hi--
	}
	w.int(s.base + int64(lo))
	w.uint(uint64(hi - lo))
	for _, b := range s.blocks[lo:hi] {
		if b == nil {
			w.bool(false)
			continue
		}
		w.bool(true)
		for _, v := range b.first {
			w.int(v)
		}
		for _, v := range b.all {
			w.int(v)
		}
		for _, v := range b.delta {
			w.int(v)
		}
		if !withStays {
			continue
		}
		for i := range b.stays {
			w.sketch(&b.stays[i])
		}
		w.int(b.recycleIn)
		w.int(b.recycleOut)
		w.int(b.dealsWon)
		w.int(b.dealsLost)
		w.dec(b.wonAmount)
		for i := range b.wonByOrigin {
			w.dec(b.wonByOrigin[i])
			w.int(b.wonByOriginN[i])
		}
		w.sketch(&b.salesCycle)
		w.int(b.accepted)
		w.int(b.rejected)
		keys := make([]string, 0, len(b.reasons))
		for k := range b.reasons {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.uint(uint64(len(keys)))
		for _, k := range keys {
			w.str(k)
			w.int(b.reasons[k])
		}
		keys = keys[:0]
		for k := range b.critDecisions {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.uint(uint64(len(keys)))
		for _, k := range keys {
			w.str(k)
			w.int(b.critDecisions[k])
		}
		crs := make([]critReason, 0, len(b.critRejections))
		for k := range b.critRejections {
			crs = append(crs, k)
		}
		slices.SortFunc(crs, func(x, y critReason) int {
			if c := cmp.Compare(x.crit, y.crit); c != 0 {
				return c
			}
			return cmp.Compare(x.reason, y.reason)
		})
		w.uint(uint64(len(crs)))
		for _, k := range crs {
			w.str(k.crit)
			w.str(k.reason)
			w.int(b.critRejections[k])
		}
	}
}

type reader struct {
	b          []byte
	pos        int
	err        error
	pmin, pmax int64
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: bad %s at byte %d", ErrEncoding, what, r.pos)
	}
}

func (r *reader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.pos:])
	if n <= 0 {
		r.fail("varint")
		return 0
	}
	r.pos += n
	return v
}

func (r *reader) int() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.pos:])
	if n <= 0 {
		r.fail("varint")
		return 0
	}
	r.pos += n
	return v
}

// tally reads a counter that Add and Merge only ever increment: a
// negative one is malformed (and would let a hostile state divide by zero
// in Report, such as won + lost = 0 with won > 0).
func (r *reader) tally() int64 {
	v := r.int()
	if v < 0 {
		r.fail("negative count")
		return 0
	}
	return v
}

// count reads a length that must not exceed the bytes left (every element
// takes at least one byte), which bounds allocations.
func (r *reader) count() int {
	v := r.uint()
	if r.err == nil && v > uint64(len(r.b)-r.pos) {
		r.fail("length")
		return 0
	}
	return int(v)
}

func (r *reader) str() string { return string(r.bytes()) }

// bytes returns the next length-prefixed string, sharing the input.
func (r *reader) bytes() []byte {
	n := r.count()
	if r.err != nil {
		return nil
	}
	s := r.b[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return s
}

func (r *reader) bool() bool {
	if r.err != nil {
		return false
	}
	if r.pos >= len(r.b) || r.b[r.pos] > 1 {
		r.fail("bool")
		return false
	}
	r.pos++
	return r.b[r.pos-1] == 1
}

// Decimals are bounded so that hostile input cannot make later arithmetic
// allocate without limit.
func (r *reader) dec() decimal.Decimal {
	exp := r.int()
	s := r.str()
	if r.err != nil {
		return decimal.Decimal{}
	}
	if len(s) == 0 || len(s) > 80 || exp < -40 || exp > 40 {
		r.fail("decimal")
		return decimal.Decimal{}
	}
	c, ok := new(big.Int).SetString(s, 10)
	if !ok || c.String() != s {
		r.fail("decimal")
		return decimal.Decimal{}
	}
	return decimal.NewFromBigInt(c, int32(exp))
}

func (r *reader) time() time.Time {
	if !r.bool() {
		return time.Time{}
	}
	v := r.int()
	if r.err != nil {
		return time.Time{}
	}
	t := time.Unix(0, v).UTC()
	if t.IsZero() {
		r.fail("time")
	}
	return t
}

func (r *reader) sketch(s *Sketch) {
	s.n = r.uint()
	if s.n == 0 || r.err != nil {
		return
	}
	s.zero = r.uint()
	s.sumHi = r.uint()
	s.sumLo = r.uint()
	s.min = r.int()
	s.max = r.int()
	off := r.int()
	k := r.count()
	if r.err != nil {
		return
	}
	if s.min < 0 || s.max < s.min || off < 0 || k > maxBuckets || off+int64(k) > maxBuckets || s.sumHi >= s.n {
		r.fail("sketch")
		return
	}
	s.off = int32(off)
	s.counts = make([]uint64, k)
	total := s.zero
	for i := range k {
		s.counts[i] = r.uint()
		total += s.counts[i]
		if total < s.counts[i] {
			r.fail("sketch count")
			return
		}
	}
	if r.err == nil && total != s.n {
		r.fail("sketch count")
	}
}

func (r *reader) series(p *plan, s *series, withStays bool) {
	base := r.int()
	nb := r.count()
	if r.err != nil {
		return
	}
	if nb == 0 {
		return
	}
	if base < r.pmin || base > r.pmax || base+int64(nb) > r.pmax+1 {
		r.fail("period")
		return
	}
	s.base = base
	s.blocks = make([]*block, nb)
	n := len(p.stages)
	for i := 0; i < nb && r.err == nil; i++ {
		if !r.bool() {
			continue
		}
		if len(r.b)-r.pos < 3*n {
			r.fail("block")
			return
		}
		b := p.newBlock(withStays)
		s.blocks[i] = b
		for j := range n {
			b.first[j] = r.tally()
		}
		for j := range n {
			b.all[j] = r.tally()
		}
		for j := range n {
			b.delta[j] = r.int()
		}
		if !withStays {
			continue
		}
		for j := range b.stays {
			r.sketch(&b.stays[j])
		}
		b.recycleIn = r.tally()
		b.recycleOut = r.tally()
		b.dealsWon = r.tally()
		b.dealsLost = r.tally()
		b.wonAmount = r.dec()
		for j := range b.wonByOrigin {
			b.wonByOrigin[j] = r.dec()
			b.wonByOriginN[j] = r.tally()
		}
		r.sketch(&b.salesCycle)
		b.accepted = r.tally()
		b.rejected = r.tally()
		if k := r.count(); k > 0 {
			b.reasons = make(map[string]int64, k)
			for range k {
				b.reasons[r.str()] = r.tally()
			}
		}
		if k := r.count(); k > 0 {
			b.critDecisions = make(map[string]int64, k)
			b.critRejections = map[critReason]int64{}
			for range k {
				b.critDecisions[r.str()] = r.tally()
			}
		}
		if k := r.count(); k > 0 {
			if b.critRejections == nil {
				b.critDecisions = map[string]int64{}
				b.critRejections = map[critReason]int64{}
			}
			for range k {
				c := critReason{r.str(), r.str()}
				b.critRejections[c] = r.tally()
			}
		}
	}
}
