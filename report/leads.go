package report

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"math"
	"slices"
)

// leadTable holds the per-lead facts of an [Accumulator]: one fixed-size
// record of int64 words per lead, in the order leads were first seen, and
// an open-addressing hash table from lead ID to record.
//
// It replaces a map[string]int32 beside three parallel slices, because in
// a host's time-ordered log consecutive events belong to unrelated leads:
// every event then costs a few cache misses, and this layout takes as few
// as it can. A lookup reads one 8-byte slot and then the lead's own
// record, which holds the ID itself when it has at most 16 bytes (and its
// first 8 bytes otherwise), so finding a lead and updating its facts
// touch the same one or two cache lines. Nothing in it holds a pointer,
// so the garbage collector never scans it.
//
// The hash seed is random per table (hash/maphash, as Go's own maps do,
// so that chosen IDs cannot make lookups slow). It decides only where a
// lead's slot lies: no figure, no order of output and no byte of the
// binary encoding depends on it or on the order of the records.
type leadTable struct {
	seed maphash.Seed
	// slots: 0 is empty; otherwise the high 32 bits of the ID's hash,
	// then the record index + 1 in the low 32 bits. The slot of hash h is
	// h >> shift (linear probing), so the stored bits are enough to move
	// slots when the table doubles.
	slots []uint64
	shift uint
	n     int // leads
	np    int // stages of Path
	st    int // words per record: recFirst + np
	// chunks hold the records, chunkLeads a chunk: lead l's record is in
	// chunks[l/chunkLeads]. Full chunks never move, so adding a lead
	// copies nothing (a growing slice would copy every record again and
	// again) and wastes at most one chunk; the first one starts at 8
	// records and doubles.
	chunks [][]int64
	long   []byte // the IDs longer than 16 bytes, one after another

	// The lead looked up last by an event, and the host's string for it:
	// logs grouped by lead skip the lookup.
	last   int
	lastID string
	// sink receives what touch reads, so the reads are not optimised away.
	sink uint64
}

// lookAhead is how many leads [Accumulator.AddEvents] and Merge look up
// at once.
const lookAhead = 16

// The words of a lead's record.
const (
	// recMeta: the ID's length in the low 55 bits, the entry mark in bit
	// 55 (set when an event at the earliest time, recCreated, is an entry
	// event: the lead's first event is in the data), the latest event's
	// stage index + 1 in the high 8 (0: no event yet).
	recMeta = iota
	// recID0, recID1: an ID of at most 16 bytes, big-endian and
	// zero-padded, so that comparing the words (then the lengths) orders
	// IDs as strings; a longer ID has its first 8 bytes in recID0 and its
	// offset in long in recID1.
	recID0
	recID1
	// recCreated: the earliest event time (unix ns; MaxInt64 before any).
	recCreated
	// recLastVer, recLastAt: version and time of the latest event.
	recLastVer
	recLastAt
	// recMarks: bit k is set when an event at the time recFirst+k holds
	// is marked FirstEntry: the lead's first entry at Path rank k is in the
	// data, not before it.
	recMarks
	// recFirst: np words, the earliest entry time at each Path rank
	// (MaxInt64: never entered).
	recFirst
)

const (
	inlineID   = 16
	lenMask    = 1<<55 - 1
	entryMark  = 1 << 55
	chunkLeads = 1024
)

func newLeadTable(npath int) *leadTable {
	return &leadTable{seed: maphash.MakeSeed(), np: npath, st: recFirst + npath, last: -1}
}

// record returns lead l's words.
func (t *leadTable) record(l int) []int64 {
	c, i := t.chunks[l/chunkLeads], l%chunkLeads*t.st
	return c[i : i+t.st : i+t.st]
}

// lastStage returns the stage index of a record's latest event, or -1.
func lastStage(r []int64) int { return int(uint64(r[recMeta])>>56) - 1 }

func setLastStage(r []int64, s int) {
	r[recMeta] = r[recMeta]&(lenMask|entryMark) | int64(uint64(s+1)<<56)
}

// noteCreated folds an event at time ns, an entry event or not, into the
// earliest time of record r and its entry mark: the earliest time wins,
// and at equal times the marks combine, so the result does not depend on
// the order events and merges come in.
func noteCreated(r []int64, ns int64, entry bool) {
	switch {
	case ns < r[recCreated]:
		r[recCreated] = ns
		r[recMeta] &^= entryMark
		if entry {
			r[recMeta] |= entryMark
		}
	case ns == r[recCreated] && entry:
		r[recMeta] |= entryMark
	}
}

// noteFirst folds an entry at Path rank k at time ns, marked FirstEntry
// or not, into record r, as noteCreated does for the earliest event.
func noteFirst(r []int64, k int, ns int64, first bool) {
	bit := int64(1) << k
	switch f := &r[recFirst+k]; {
	case ns < *f:
		*f = ns
		r[recMarks] &^= bit
		if first {
			r[recMarks] |= bit
		}
	case ns == *f && first:
		r[recMarks] |= bit
	}
}

// firstEntered returns the time of the lead's first entry at Path rank k
// when the data holds it (math.MaxInt64 otherwise: never entered, or first
// entered before the data begins).
func firstEntered(r []int64, k int) int64 {
	if r[recMarks]&(int64(1)<<k) == 0 {
		return math.MaxInt64
	}
	return r[recFirst+k]
}

// hash returns the hash of a lead ID.
func (t *leadTable) hash(id string) uint64 { return maphash.String(t.seed, id) }

// ofEvent returns the index of the lead of an event, whose ID hashes to h,
// adding the lead when it is new.
func (t *leadTable) ofEvent(id string, h uint64) int {
	if t.last >= 0 && id == t.lastID {
		return t.last
	}
	l := lookup(t, id, h)
	t.last, t.lastID = l, id
	return l
}

// touch reads the home slots of the hashes hs, then the records they
// name, each pass in one loop of independent loads: the processor then
// waits for the cache misses of all of them at once, and the lookups
// that follow find slots and records in the cache. It is software
// prefetching; it changes nothing.
func (t *leadTable) touch(hs []uint64) {
	if len(t.slots) == 0 {
		return
	}
	x := t.sink
	for _, h := range hs {
		x += t.slots[h>>t.shift]
	}
	for _, h := range hs {
		if s := t.slots[h>>t.shift]; s != 0 && s>>32 == h>>32 {
			r := t.record(int(uint32(s)) - 1)
			x += uint64(r[recMeta] ^ r[t.st-1])
		}
	}
	t.sink = x
}

// hashBytes returns the hash of a lead ID given as bytes.
func (t *leadTable) hashBytes(id []byte) uint64 { return maphash.Bytes(t.seed, id) }

// ofID returns the index of the lead whose ID is the bytes id and hashes
// to h, adding the lead when it is new.
func (t *leadTable) ofID(id []byte, h uint64) int { return lookup(t, id, h) }

func lookup[K string | []byte](t *leadTable, id K, h uint64) int {
	if l := find(t, id, h); l >= 0 {
		return l
	}
	return add(t, id, h)
}

func find[K string | []byte](t *leadTable, id K, h uint64) int {
	if len(t.slots) == 0 {
		return -1
	}
	mask := len(t.slots) - 1
	tag := h >> 32
	for i := int(h >> t.shift); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return -1
		}
		if s>>32 == tag {
			if l := int(uint32(s)) - 1; idIs(t, l, id) {
				return l
			}
		}
	}
}

// packID returns the first 16 bytes of id, zero-padded, as two
// big-endian words.
func packID[K string | []byte](id K) (uint64, uint64) {
	var b [inlineID]byte
	copy(b[:], id)
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

func idIs[K string | []byte](t *leadTable, l int, id K) bool {
	r := t.record(l)
	n := int(r[recMeta] & lenMask)
	if n != len(id) {
		return false
	}
	w0, w1 := packID(id)
	if uint64(r[recID0]) != w0 {
		return false
	}
	if n <= inlineID {
		return uint64(r[recID1]) == w1
	}
	off := int(r[recID1])
	return string(t.long[off:off+n]) == string(id)
}

func add[K string | []byte](t *leadTable, id K, h uint64) int {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	l := t.n
	switch ci, end := l/chunkLeads, (l%chunkLeads+1)*t.st; {
	case ci == len(t.chunks) && ci > 0:
		t.chunks = append(t.chunks, make([]int64, chunkLeads*t.st))
	case ci == len(t.chunks):
		t.chunks = append(t.chunks, make([]int64, 8*t.st))
	case end > len(t.chunks[ci]):
		// The first chunk starts small (an accumulator of a few leads
		// stays small) and doubles up to its full size.
		c := make([]int64, min(2*len(t.chunks[ci]), chunkLeads*t.st))
		copy(c, t.chunks[ci])
		t.chunks[ci] = c
	}
	t.n++
	r := t.record(l)
	r[recMeta] = int64(len(id)) // no event yet
	w0, w1 := packID(id)
	r[recID0], r[recID1] = int64(w0), int64(w1)
	if len(id) > inlineID {
		r[recID1] = int64(len(t.long))
		t.long = append(t.long, id...)
	}
	r[recCreated] = math.MaxInt64
	r[recLastVer], r[recLastAt] = 0, 0
	r[recMarks] = 0
	for k := recFirst; k < t.st; k++ {
		r[k] = math.MaxInt64
	}
	t.place(h>>32<<32 | uint64(l+1))
	return l
}

func (t *leadTable) place(s uint64) {
	mask := len(t.slots) - 1
	for i := int(s >> t.shift); ; i = (i + 1) & mask {
		if t.slots[i] == 0 {
			t.slots[i] = s
			return
		}
	}
}

// grow doubles the slots (16 at first), keeping the load at most 1/2.
func (t *leadTable) grow() {
	old := t.slots
	size := max(16, 2*len(old))
	t.slots = make([]uint64, size)
	t.shift = uint(64 - bitsOf(size))
	for _, s := range old {
		if s != 0 {
			t.place(s)
		}
	}
}

// bitsOf returns log2 of a power of two.
func bitsOf(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}

// idBytes returns lead l's ID; buf holds it when it is short.
func (t *leadTable) idBytes(l int, buf *[inlineID]byte) []byte {
	r := t.record(l)
	n := int(r[recMeta] & lenMask)
	if n > inlineID {
		off := int(r[recID1])
		return t.long[off : off+n]
	}
	binary.BigEndian.PutUint64(buf[:8], uint64(r[recID0]))
	binary.BigEndian.PutUint64(buf[8:], uint64(r[recID1]))
	return buf[:n]
}

// sorted returns the lead indices ordered by ID (as strings compare).
func (t *leadTable) sorted() []int32 {
	order := make([]int32, t.n)
	for i := range order {
		order[i] = int32(i)
	}
	var bx, by [inlineID]byte
	slices.SortFunc(order, func(x, y int32) int {
		rx, ry := t.record(int(x)), t.record(int(y))
		// The first 8 bytes decide most comparisons; two short IDs are
		// ordered by their padded words, then by length.
		if c := cmp.Compare(uint64(rx[recID0]), uint64(ry[recID0])); c != 0 {
			return c
		}
		nx, ny := rx[recMeta]&lenMask, ry[recMeta]&lenMask
		if nx <= inlineID && ny <= inlineID {
			if c := cmp.Compare(uint64(rx[recID1]), uint64(ry[recID1])); c != 0 {
				return c
			}
			return cmp.Compare(nx, ny)
		}
		return bytes.Compare(t.idBytes(int(x), &bx), t.idBytes(int(y), &by))
	})
	return order
}
