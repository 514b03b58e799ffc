package report_test

import (
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
	"pgregory.net/rapid"
)

// TestDetailsMatchNaive extends the naive reference to the figures the
// other reference tests leave to hand-computed tables: the rejection mix
// per scoring criterion, response time, sales cycle, average deal size,
// pipeline velocity (recomputed literally from its definition with exact
// rationals), and every attribution model's credits, from weights
// written afresh from the models' definitions.
func TestDetailsMatchNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := madrid()
		recs := genRecords(t)
		halfLife := time.Duration(rapid.SampledFrom([]int{1, 7, 30}).Draw(t, "half_life_days")) * 24 * time.Hour
		acc, _ := report.NewAccumulator(report.Config{Path: testPath, Detours: testDetours, Location: loc, HalfLife: halfLife})
		for _, r := range rapid.Permutation(recs).Draw(t, "order") {
			if err := acc.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		got := acc.Report()
		label := func(ti time.Time) string { return naiveLabel(report.Month, naiveStart(report.Month, ti, loc)) }

		type crit struct {
			decisions, rejections int64
			reasons               map[string]int64
		}
		type period struct {
			crits          map[string]*crit
			response       []time.Duration
			cycles         []time.Duration
			won, lost      int64
			wonAmount      decimal.Decimal
			opps           int64
			credits        map[report.AttributionModel]map[string]decimal.Decimal
			unattributed   decimal.Decimal
			anyAttribution bool
		}
		per := map[string]*period{}
		at := func(ti time.Time) *period {
			l := label(ti)
			if per[l] == nil {
				per[l] = &period{crits: map[string]*crit{}, credits: map[report.AttributionModel]map[string]decimal.Decimal{}}
			}
			return per[l]
		}
		touches := map[string][]report.Touch{}
		responses := map[string]*report.Response{}
		for _, r := range recs {
			switch r.Kind {
			case report.KindTouch:
				touches[r.Touch.Lead] = append(touches[r.Touch.Lead], r.Touch)
			case report.KindResponse:
				c := r.Response
				if old := responses[c.Lead]; old != nil {
					if old.TouchedAt.IsZero() {
						old.TouchedAt = c.TouchedAt
					}
					if old.AssignedAt.IsZero() {
						old.AssignedAt = c.AssignedAt
					}
				} else {
					responses[c.Lead] = &c
				}
			case report.KindEvent:
				if r.Event.To == funnel.Opportunity {
					at(r.Event.At).opps++
				}
			case report.KindDecision:
				d := r.Decision
				p := at(d.At)
				for _, c := range d.Criteria {
					if p.crits[c] == nil {
						p.crits[c] = &crit{reasons: map[string]int64{}}
					}
					p.crits[c].decisions++
					if !d.Accepted {
						p.crits[c].rejections++
						p.crits[c].reasons[d.Reason]++
					}
				}
			}
		}
		for _, rs := range responses {
			if !rs.AssignedAt.IsZero() && !rs.TouchedAt.IsZero() {
				p := at(rs.AssignedAt)
				p.response = append(p.response, rs.TouchedAt.Sub(rs.AssignedAt))
			}
		}
		for _, r := range recs {
			if r.Kind != report.KindDeal {
				continue
			}
			d := r.Deal
			p := at(d.ClosedAt)
			if !d.Won {
				p.lost++
				continue
			}
			p.won++
			p.wonAmount = p.wonAmount.Add(d.Amount)
			p.cycles = append(p.cycles, d.ClosedAt.Sub(d.CreatedAt))
			p.anyAttribution = true
			var ts []report.Touch
			for _, tc := range touches[d.Lead] {
				if !tc.At.After(d.ClosedAt) {
					ts = append(ts, tc)
				}
			}
			if len(ts) == 0 {
				p.unattributed = p.unattributed.Add(d.Amount)
				continue
			}
			naiveSortTouches(ts)
			unit := naiveUnit(d.Amount)
			for _, m := range report.AttributionModels() {
				cs := report.Attribute(m, d.Amount, d.ClosedAt, halfLife, ts)
				exact := naiveShares(m, d.ClosedAt, halfLife, ts)
				sum := decimal.Zero
				for i, c := range cs {
					sum = sum.Add(c)
					// Each credit is the exact share rounded to a whole unit,
					// up or down: less than one unit away.
					want := new(big.Rat).Mul(exact[i], d.Amount.Rat())
					if diff := new(big.Rat).Sub(c.Rat(), want); new(big.Rat).Abs(diff).Cmp(unit) >= 0 {
						t.Fatalf("%s: deal %s touch %d: credit %s, exact %s", m, d.ID, i, c, want.FloatString(6))
					}
					if p.credits[m] == nil {
						p.credits[m] = map[string]decimal.Decimal{}
					}
					p.credits[m][ts[i].Channel] = p.credits[m][ts[i].Channel].Add(c)
				}
				if !sum.Equal(d.Amount) {
					t.Fatalf("%s: deal %s: credits add up to %s, not %s", m, d.ID, sum, d.Amount)
				}
			}
		}

		seen := 0
		for _, gp := range got.Periods {
			w := per[gp.Label]
			if w == nil {
				w = &period{crits: map[string]*crit{}}
			} else {
				seen++
			}
			// Rejection mix per criterion present.
			if len(gp.Service.ByCriterion) != len(w.crits) {
				t.Fatalf("%s: %d criteria, want %d", gp.Label, len(gp.Service.ByCriterion), len(w.crits))
			}
			for i, c := range gp.Service.ByCriterion {
				wc := w.crits[c.Criterion]
				if wc == nil || i > 0 && gp.Service.ByCriterion[i-1].Criterion >= c.Criterion {
					t.Fatalf("%s: criterion %q unexpected or out of order", gp.Label, c.Criterion)
				}
				if !sameCounts(c.Rejected, report.KindRatio, wc.rejections, wc.decisions) || len(c.Reasons) != len(wc.reasons) {
					t.Fatalf("%s %s: rejected %+v with %d reasons, want %d/%d with %d", gp.Label, c.Criterion, c.Rejected, len(c.Reasons), wc.rejections, wc.decisions, len(wc.reasons))
				}
				for j, rc := range c.Reasons {
					if !sameCounts(rc.Share, report.KindRatio, wc.reasons[rc.Reason], wc.rejections) {
						t.Fatalf("%s %s: reason %q %+v, want %d/%d", gp.Label, c.Criterion, rc.Reason, rc.Share, wc.reasons[rc.Reason], wc.rejections)
					}
					// Most frequent first, then by name.
					if j > 0 {
						pr := c.Reasons[j-1]
						if pr.Share.Num < rc.Share.Num || pr.Share.Num == rc.Share.Num && pr.Reason >= rc.Reason {
							t.Fatalf("%s %s: reasons out of order: %+v", gp.Label, c.Criterion, c.Reasons)
						}
					}
				}
			}
			checkVelocity(t, gp.Label+" response time", gp.Service.ResponseTime, w.response)
			o := gp.Outcomes
			checkVelocity(t, gp.Label+" sales cycle", o.SalesCycle, w.cycles)
			if w.won > 0 {
				avg := naiveRound(new(big.Rat).Quo(w.wonAmount.Rat(), new(big.Rat).SetInt64(w.won)), 2)
				if !o.AverageDealDefined || !o.AverageDeal.Equal(avg) {
					t.Fatalf("%s: average deal %s (%t), want %s", gp.Label, o.AverageDeal, o.AverageDealDefined, avg)
				}
			} else if o.AverageDealDefined {
				t.Fatalf("%s: average deal defined without a won deal", gp.Label)
			}
			// Pipeline velocity = opportunities × win rate × average deal ÷
			// mean sales cycle in days, exact, rounded once.
			var cycleSum int64
			for _, c := range w.cycles {
				cycleSum += int64(max(c, 0))
			}
			if o.Opportunities != w.opps {
				t.Fatalf("%s: opportunities %d, want %d", gp.Label, o.Opportunities, w.opps)
			}
			if w.won > 0 && cycleSum > 0 {
				v := new(big.Rat).SetInt64(w.opps)
				v.Mul(v, big.NewRat(w.won, w.won+w.lost))
				v.Mul(v, new(big.Rat).Quo(w.wonAmount.Rat(), new(big.Rat).SetInt64(w.won)))
				meanDays := new(big.Rat).Quo(big.NewRat(cycleSum, int64(len(w.cycles))), new(big.Rat).SetInt64(int64(24*time.Hour)))
				v.Quo(v, meanDays)
				if want := naiveRound(v, 2); !o.PipelineVelocityDefined || !o.PipelineVelocity.Equal(want) {
					t.Fatalf("%s: pipeline velocity %s (%t), want %s", gp.Label, o.PipelineVelocity, o.PipelineVelocityDefined, want)
				}
			} else if o.PipelineVelocityDefined {
				t.Fatalf("%s: pipeline velocity defined without won deals and cycle time", gp.Label)
			}
			// Attribution: per model, the credits per channel of the
			// period's won deals, and the revenue of those with no touch.
			if (len(gp.Revenue.Attribution) > 0) != w.anyAttribution {
				t.Fatalf("%s: attribution listed %t, want %t", gp.Label, len(gp.Revenue.Attribution) > 0, w.anyAttribution)
			}
			for _, a := range gp.Revenue.Attribution {
				if !a.Unattributed.Equal(w.unattributed) || len(a.Credits) != len(w.credits[a.Model]) {
					t.Fatalf("%s %s: %d channels, unattributed %s; want %d, %s", gp.Label, a.Model, len(a.Credits), a.Unattributed, len(w.credits[a.Model]), w.unattributed)
				}
				for i, c := range a.Credits {
					if want, ok := w.credits[a.Model][c.Channel]; !ok || !c.Amount.Equal(want) || i > 0 && a.Credits[i-1].Channel >= c.Channel {
						t.Fatalf("%s %s: %+v, want %v (channels in order)", gp.Label, a.Model, a.Credits, w.credits[a.Model])
					}
				}
			}
		}
		if seen != len(per) {
			t.Fatalf("report lists %d of the %d periods with data", seen, len(per))
		}
	})
}

// naiveSortTouches orders touches by time, then channel, then milestone.
func naiveSortTouches(ts []report.Touch) {
	slices.SortStableFunc(ts, func(a, b report.Touch) int {
		switch {
		case a.At.Before(b.At):
			return -1
		case a.At.After(b.At):
			return 1
		case a.Channel != b.Channel:
			if a.Channel < b.Channel {
				return -1
			}
			return 1
		case a.Milestone < b.Milestone:
			return -1
		case a.Milestone > b.Milestone:
			return 1
		}
		return 0
	})
}

// naiveShares returns each touch's exact share of a deal under model m,
// from the definitions in the documentation of the models.
func naiveShares(m report.AttributionModel, close time.Time, halfLife time.Duration, ts []report.Touch) []*big.Rat {
	n := len(ts)
	sh := make([]*big.Rat, n)
	for i := range sh {
		sh[i] = new(big.Rat)
	}
	add := func(i int, r *big.Rat) { sh[i].Add(sh[i], r) }
	lastMarked := func(ms report.Milestone, def int) int {
		for i := n - 1; i >= 0; i-- {
			if ts[i].Milestone == ms {
				return i
			}
		}
		return def
	}
	// positional gives each anchor slot its share and shares rest among
	// the touches that are not anchors, or among the anchor slots when
	// every touch is one.
	positional := func(anchors []int, each, rest *big.Rat) {
		isAnchor := map[int]bool{}
		for _, i := range anchors {
			add(i, each)
			isAnchor[i] = true
		}
		others := n - len(isAnchor)
		if others == 0 {
			for _, i := range anchors {
				add(i, new(big.Rat).Quo(rest, big.NewRat(int64(len(anchors)), 1)))
			}
			return
		}
		for i := range n {
			if !isAnchor[i] {
				add(i, new(big.Rat).Quo(rest, big.NewRat(int64(others), 1)))
			}
		}
	}
	switch {
	case m == report.FirstTouch:
		add(0, big.NewRat(1, 1))
	case m == report.LastTouch:
		add(n-1, big.NewRat(1, 1))
	case m == report.Linear, n == 1 && (m == report.UShaped || m == report.WShaped):
		for i := range n {
			add(i, big.NewRat(1, int64(n)))
		}
	case m == report.UShaped:
		positional([]int{0, lastMarked(report.MilestoneLead, n-1)}, big.NewRat(40, 100), big.NewRat(20, 100))
	case m == report.WShaped:
		positional([]int{0, lastMarked(report.MilestoneLead, n/2), lastMarked(report.MilestoneOpportunity, n-1)}, big.NewRat(30, 100), big.NewRat(10, 100))
	case m == report.TimeDecay:
		// Weight 2^-k for k whole half-lives between the touch and the close.
		total := new(big.Rat)
		w := make([]*big.Rat, n)
		for i, tc := range ts {
			k := int64(0)
			if d := close.Sub(tc.At); d > 0 {
				k = min(int64(d/halfLife), 62)
			}
			w[i] = new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(k)))
			total.Add(total, w[i])
		}
		for i := range n {
			add(i, new(big.Rat).Quo(w[i], total))
		}
	}
	return sh
}

// naiveUnit is the attribution unit of an amount: 10^-s for the smallest
// s ≥ 2 that makes amount × 10^s whole.
func naiveUnit(amount decimal.Decimal) *big.Rat {
	s := int32(2)
	for !amount.Shift(s).IsInteger() {
		s++
	}
	return new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s)), nil))
}

// naiveRound rounds r half away from zero to places decimal places.
func naiveRound(r *big.Rat, places int32) decimal.Decimal {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	x := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
	neg := x.Sign() < 0
	x.Abs(x)
	q, rem := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	if new(big.Int).Mul(rem, big.NewInt(2)).Cmp(x.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return decimal.NewFromBigInt(q, -places)
}
