package scoring

import (
	"math/big"
	"testing"

	"github.com/shopspring/decimal"
)

// TestHalfLifeTable recomputes the published table 2^(−j/1024), rounded
// half-even to 9 places, with 1024-bit floats by a different route
// (2^(−j/1024) = 1 / the j-th power of 2^(1/1024)) and checks every entry,
// and that no entry is within 10^−30 of a rounding tie (so no precision
// question can change it).
func TestHalfLifeTable(t *testing.T) {
	const prec = 1024
	two := new(big.Float).SetPrec(prec).SetInt64(2)
	root := new(big.Float).SetPrec(prec).Set(two) // 2^(1/1024)
	for i := 0; i < 10; i++ {
		root.Sqrt(root)
	}
	scale := new(big.Float).SetPrec(prec).SetInt64(1_000_000_000)
	p := new(big.Float).SetPrec(prec).SetInt64(1)
	tie := new(big.Float).SetPrec(prec).SetFloat64(0.5)
	eps, _ := new(big.Float).SetPrec(prec).SetString("1e-30")
	for j := 0; j < HalfLifeSteps; j++ {
		v := new(big.Float).SetPrec(prec).Quo(scale, p) // 10^9 × 2^(−j/1024)
		ip, _ := v.Int(nil)
		frac := new(big.Float).SetPrec(prec).Sub(v, new(big.Float).SetPrec(prec).SetInt(ip))
		d := new(big.Float).SetPrec(prec).Sub(frac, tie)
		if d.Abs(d).Cmp(eps) < 0 {
			t.Errorf("entry %d is too close to a tie", j)
		}
		if frac.Cmp(tie) > 0 {
			ip.Add(ip, big.NewInt(1))
		}
		if ip.Uint64() != halfLifeTable[j] {
			t.Errorf("halfLifeTable[%d] = %d, want %d", j, halfLifeTable[j], ip.Uint64())
		}
		p.Mul(p, root)
	}
}

func TestDividerIsExact(t *testing.T) {
	ds := []uint64{1, 2, 3, 7, 1000, 1 << 20, 86400e9, 14 * 86400e9, 1<<63 - 1, 1 << 63, ^uint64(0), 999999937}
	xs := []uint64{0, 1, 2, 3, 1<<53 - 1, 1 << 62, 1<<63 - 1, ^uint64(0), ^uint64(0) - 1, 123456789012345678}
	for _, d := range ds {
		v := newDivider(d)
		for _, x := range xs {
			for _, y := range []uint64{x, x / d * d, x/d*d - 1, x/d*d + d - 1} {
				if got, want := v.div(y), y/d; got != want {
					t.Errorf("%d / %d = %d, want %d", y, d, got, want)
				}
			}
		}
	}
}

// applyFactor (and the inlined mulRound it uses for points up to about
// 922 337) is points × f / 10^9 rounded half-even: checked against
// decimal arithmetic on ties, on both sides of the narrow limit and up
// to the largest points a spec allows.
func TestApplyFactorRoundsHalfEven(t *testing.T) {
	const maxPoints = 9_999_999_999_999 // 999 999 999.9999 in units
	limit := int64((1<<63 - factorOne/2) / factorOne)
	points := []int64{0, 1, 2, 3, 5, 7, 10, 15, 25, 999, 10_000, 123_457, 500_000, 1_000_001,
		limit - 1, limit, limit + 1, 2 * limit, 1 << 40, maxPoints - 1, maxPoints}
	factors := []uint64{0, 1, 2, 5, 499_999_999, 500_000_000, 500_000_001, 707_106_781, 353_553_390,
		999_999_999, factorOne}
	check := func(p int64, f uint64) {
		want := decimal.New(p, 0).Mul(decimal.New(int64(f), -FactorPlaces)).RoundBank(0)
		if got := applyFactor(p, f); !decimal.NewFromInt(got).Equal(want) {
			t.Errorf("applyFactor(%d, %d) = %d, want %s", p, f, got, want)
		}
		if narrow(p) {
			if got := mulRound(p, f); !decimal.NewFromInt(got).Equal(want) {
				t.Errorf("mulRound(%d, %d) = %d, want %s", p, f, got, want)
			}
		}
	}
	for _, p := range points {
		for _, f := range factors {
			check(p, f)
			check(-p, f)
		}
	}
	// Exact ties: p × f = (2k + 1) × 10^9 / 2, for odd and even quotients.
	for _, tie := range []struct {
		p int64
		f uint64
	}{{1, 500_000_000}, {3, 500_000_000}, {5, 100_000_000}, {15, 100_000_000}, {25, 20_000_000}, {limit, 500_000_000}, {maxPoints, 500_000_000}} {
		check(tie.p, tie.f)
		check(-tie.p, tie.f)
	}
	if !narrow(limit) || narrow(limit+1) || !narrow(-limit) || narrow(-limit-1) {
		t.Errorf("narrow is wrong around its limit %d", limit)
	}
}

func TestMulCheck(t *testing.T) {
	const maxI, minI = 1<<63 - 1, -1 << 63
	for _, tt := range []struct {
		a, b, want int64
		overflow   bool
	}{
		{0, 5, 0, false}, {5, 0, 0, false}, {-3, 7, -21, false}, {3, 7, 21, false},
		{maxI, 1, maxI, false}, {minI, 1, minI, false}, {-1, maxI, -maxI, false},
		{maxI/2 + 1, 2, 0, true}, {-(maxI/2 + 1), 2, minI, false}, {-(maxI/2 + 1) - 1, 2, 0, true},
		{minI, 2, 0, true}, {1 << 32, 1 << 31, 0, true}, {-(1 << 32), 1 << 31, minI, false},
		{9_999_999_999_999, 922_337, 9_223_369_999_999_077_663, false}, {9_999_999_999_999, 922_338, 0, true},
	} {
		got, overflow := mulCheck(tt.a, tt.b)
		if overflow != tt.overflow || (!overflow && got != tt.want) {
			t.Errorf("mulCheck(%d, %d) = %d, %v; want %d, %v", tt.a, tt.b, got, overflow, tt.want, tt.overflow)
		}
	}
}

// The activity loop finds types by their words and attributes with
// eqShort: test them on names that differ only in a middle or last
// byte, at every length around the 8- and 16-byte edges.
func TestNameWordsAndAttrOf(t *testing.T) {
	for n := 1; n <= 20; n++ {
		base := make([]byte, n)
		for i := range base {
			base[i] = byte('a' + i)
		}
		for pos := 0; pos < n; pos++ {
			other := append([]byte(nil), base...)
			other[pos] = 'Z'
			a, b := string(base), string(other)
			if n >= 8 && n <= 16 && wordsOf(a) == wordsOf(b) {
				t.Errorf("wordsOf(%q) == wordsOf(%q)", a, b)
			}
			attrs := []Attr{{Key: b, Value: "other"}, {Key: a, Value: "this"}}
			if v, ok := attrOf(attrs, a); !ok || v != "this" {
				t.Errorf("attrOf(%q) = %q, %v", a, v, ok)
			}
			if v, ok := attrOf(attrs[:1], a); ok {
				t.Errorf("attrOf(%q) found %q in %q", a, v, b)
			}
		}
	}
	if wordsOf("page_view") != wordsOf(string([]byte("page_view"))) || wordsOf("short") != (nameWords{}) {
		t.Error("wordsOf is not a function of the name, or keys a short name")
	}
}
