package report

import (
	"math"
	"math/big"
	"math/bits"
	"time"
)

// Sketch is a bounded-memory, mergeable quantile sketch of non-negative
// durations in the style of DDSketch (Masson, Rim and Lee, VLDB 2019):
// a value v > 0 goes to bucket ⌈log_γ v⌉ with γ = (1+α)/(1−α) and
// α = [SketchAccuracy] = 1 %, and a bucket is read back as 2γ^i/(γ+1).
// Every quantile it returns is therefore within 1 % (relative) of the exact
// value of that rank, plus at most half a nanosecond from rounding to a
// whole [time.Duration]. Zero durations are counted exactly, negative ones
// are counted as zero.
//
// Memory is bounded whatever the number of values: durations up to 292
// years span at most 2 185 buckets of 8 bytes (the bucket array never
// grows beyond that), and only the range between the smallest and the
// largest bucket used is allocated (a few hundred buckets for stays from
// minutes to months). The count, the exact sum
// (128-bit) and the exact minimum and maximum are kept beside the buckets.
//
// Merging two sketches adds their buckets: it is exact, associative and
// commutative. The zero Sketch is empty and ready to use. A Sketch is not
// safe for concurrent mutation.
type Sketch struct {
	zero   uint64   // values <= 0
	off    int32    // bucket index of counts[0]
	counts []uint64 // dense buckets off, off+1, ...
	n      uint64
	sumHi  uint64
	sumLo  uint64
	min    int64
	max    int64
}

// SketchAccuracy is the relative accuracy α of [Sketch] quantiles.
const SketchAccuracy = 0.01

var sketchGamma = (1 + SketchAccuracy) / (1 - SketchAccuracy)

// maxBuckets bounds the dense bucket range (also on decoding).
const maxBuckets = 4096

// sketchBounds[i] = γ^i: bucket i holds the values in (γ^(i−1), γ^i]. It is
// an immutable table computed once; bucketOf uses it instead of math.Log on
// the hot path.
var sketchBounds = func() []float64 {
	b := make([]float64, maxBuckets)
	for i := range b {
		b[i] = math.Pow(sketchGamma, float64(i))
	}
	return b
}()

var sketchInvLog2Gam = 1 / math.Log2(sketchGamma)

// bucketOf returns the bucket of v ≥ 1: the smallest i with v ≤ γ^i. A
// cheap estimate of log2 (the float's exponent plus a quadratic fit of the
// mantissa, off by less than one bucket) is corrected against the exact
// bounds.
func bucketOf(v int64) int32 {
	x := float64(v)
	bits := math.Float64bits(x)
	e := float64(int((bits>>52)&0x7ff) - 1023)
	f := float64(bits&(1<<52-1)) / (1 << 52)
	i := int(math.Ceil((e + f + 0.3433*f*(1-f)) * sketchInvLog2Gam))
	i = max(0, min(i, maxBuckets-1))
	for i > 0 && x <= sketchBounds[i-1] {
		i--
	}
	for i < maxBuckets-1 && x > sketchBounds[i] {
		i++
	}
	return int32(i)
}

func bucketValue(i int32) float64 {
	return 2 * math.Pow(sketchGamma, float64(i)) / (sketchGamma + 1)
}

// Add counts one duration.
func (s *Sketch) Add(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	if s.n == 0 || v < s.min {
		s.min = v
	}
	if s.n == 0 || v > s.max {
		s.max = v
	}
	s.n++
	var c uint64
	s.sumLo, c = bits.Add64(s.sumLo, uint64(v), 0)
	s.sumHi += c
	if v == 0 {
		s.zero++
		return
	}
	s.addBucket(bucketOf(v), 1)
}

// sketchSpan is the number of buckets durations of 1 ns to MaxInt64 ns
// occupy (2 185): the most a sketch of real durations ever allocates.
var sketchSpan = int(bucketOf(math.MaxInt64)) + 1

// bucketCap returns the capacity to allocate for n buckets: some room to
// grow, never beyond sketchSpan (unless n itself is larger, which only a
// decoded sketch with out-of-range buckets can ask for).
func bucketCap(n, want int) int {
	return max(n, min(want, sketchSpan))
}

func (s *Sketch) addBucket(i int32, k uint64) {
	if len(s.counts) == 0 {
		s.counts = make([]uint64, 1, 64)
		s.off = i
	} else if i < s.off {
		grow := int(s.off - i)
		n := grow + len(s.counts)
		nc := make([]uint64, n, bucketCap(n, n+32))
		copy(nc[grow:], s.counts)
		s.counts, s.off = nc, i
	} else if j := int(i - s.off); j >= len(s.counts) {
		if j < cap(s.counts) {
			s.counts = s.counts[:j+1]
		} else {
			nc := make([]uint64, j+1, bucketCap(j+1, 2*(j+1)))
			copy(nc, s.counts)
			s.counts = nc
		}
	}
	s.counts[i-s.off] += k
}

// Merge adds o's values to s.
func (s *Sketch) Merge(o *Sketch) {
	if o.n == 0 {
		return
	}
	if s.n == 0 || o.min < s.min {
		s.min = o.min
	}
	if s.n == 0 || o.max > s.max {
		s.max = o.max
	}
	s.n += o.n
	var c uint64
	s.sumLo, c = bits.Add64(s.sumLo, o.sumLo, 0)
	s.sumHi += o.sumHi + c
	s.zero += o.zero
	for j, k := range o.counts {
		if k != 0 {
			s.addBucket(o.off+int32(j), k)
		}
	}
}

// Count returns the number of values added.
func (s *Sketch) Count() int64 { return int64(s.n) }

// Mean returns the exact mean, truncated to the nanosecond; zero when empty.
func (s *Sketch) Mean() time.Duration {
	if s.n == 0 || s.sumHi >= s.n {
		return 0
	}
	q, _ := bits.Div64(s.sumHi, s.sumLo, s.n)
	if q > math.MaxInt64 {
		return 0
	}
	return time.Duration(q)
}

// Min and Max return the exact extremes; zero when empty.
func (s *Sketch) Min() time.Duration { return time.Duration(s.min) }

// Max returns the exact largest value; zero when empty.
func (s *Sketch) Max() time.Duration { return time.Duration(s.max) }

// Quantile returns the value of rank ⌊q·(n−1)⌋ (0-based, ascending) to
// within [SketchAccuracy], rounded to the nanosecond and clamped to
// [Min, Max]. q is clamped to [0, 1]; an empty sketch returns 0.
func (s *Sketch) Quantile(q float64) time.Duration {
	if s.n == 0 {
		return 0
	}
	if !(q >= 0) {
		q = 0
	}
	if q > 1 {
		q = 1
	}
	rank := uint64(q * float64(s.n-1))
	if rank >= s.n {
		rank = s.n - 1
	}
	// Exact at the ends.
	if rank == 0 {
		return time.Duration(s.min)
	}
	if rank == s.n-1 {
		return time.Duration(s.max)
	}
	seen := s.zero
	if rank < seen {
		return 0
	}
	for j, k := range s.counts {
		seen += k
		if rank < seen {
			v := math.Round(bucketValue(s.off + int32(j)))
			switch {
			case v < float64(s.min):
				return time.Duration(s.min)
			case v > float64(s.max):
				return time.Duration(s.max)
			}
			return time.Duration(int64(v))
		}
	}
	return time.Duration(s.max)
}

// Bytes returns the approximate memory the sketch holds, in bytes.
func (s *Sketch) Bytes() int { return 64 + 8*cap(s.counts) }

func sum128(s *Sketch) *big.Int {
	hi := new(big.Int).SetUint64(s.sumHi)
	hi.Lsh(hi, 64)
	return hi.Add(hi, new(big.Int).SetUint64(s.sumLo))
}
