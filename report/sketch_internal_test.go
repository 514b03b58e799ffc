package report

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// bucketOf must agree with the definition: γ^(i−1) < v ≤ γ^i.
func TestBucketOfMatchesDefinition(t *testing.T) {
	check := func(v int64) {
		i := bucketOf(v)
		x := float64(v)
		if x > sketchBounds[i] || i > 0 && x <= sketchBounds[i-1] {
			t.Fatalf("bucketOf(%d) = %d: bounds (%g, %g]", v, i, sketchBounds[max(i-1, 0)], sketchBounds[i])
		}
	}
	for _, v := range []int64{1, 2, 3, 100, 1e9, 1 << 40, math.MaxInt64} {
		check(v)
	}
	for i := 1; i < 2100; i++ {
		b := int64(sketchBounds[i])
		for _, v := range []int64{b - 1, b, b + 1} {
			if v >= 1 {
				check(v)
			}
		}
	}
	rapid.Check(t, func(rt *rapid.T) {
		check(rapid.Int64Range(1, math.MaxInt64).Draw(rt, "v"))
	})
}
