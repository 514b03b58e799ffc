package report_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
	"pgregory.net/rapid"
)

// scorePeriod scores g against a one-period report whose figures are
// the exact fraction num ÷ den, as the accumulator builds them.
func scorePeriod(g report.Goal, num, den int64) report.Score {
	rate := func(k report.RateKind) report.Rate {
		return report.Rate{Kind: k, Num: num, Den: den, Defined: true,
			Value: decimal.NewFromInt(num).DivRound(decimal.NewFromInt(den), report.RatePlaces)}
	}
	amount, of := decimal.New(num, -2), decimal.New(den, -2)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	p := report.Period{Label: "2026-03", Start: start, End: start.AddDate(0, 1, 0),
		Flow:   []report.Conversion{{From: funnel.MQL, To: funnel.SQL, Rate: rate(report.KindFlow)}},
		Cohort: []report.CohortConversion{{From: funnel.MQL, To: funnel.SQL, Rate: rate(report.KindCohort), Mature: true}},
		Outcomes: report.Outcomes{WinRate: rate(report.KindRatio), LeadVelocity: rate(report.KindGrowth),
			// num ÷ den cents: den won deals of num cents in all.
			WonAmount: amount, AverageDeal: amount.DivRound(decimal.NewFromInt(den), report.MoneyPlaces), AverageDealDefined: true},
		Revenue: report.Revenue{Won: of, MarketingSourced: report.Share{Kind: report.KindRatio, Amount: amount, Of: of, Defined: true,
			Value: amount.DivRound(of, report.RatePlaces)}},
		Service: report.Service{Acceptance: rate(report.KindRatio), SLA: rate(report.KindRatio),
			ResponseTime: report.Velocity{Count: 1, Median: time.Duration(num) * time.Minute / time.Duration(den)}},
	}
	// The won deals' count is the win rate's Num: make it den for the
	// average deal.
	if g.Metric == "average_deal" {
		p.Outcomes.WinRate = report.Rate{Kind: report.KindRatio, Num: den, Den: den, Defined: true, Value: decimal.NewFromInt(1)}
	}
	sc := report.NewScorecard(report.Report{AsOf: start.AddDate(0, 2, 0), Periods: []report.Period{p}}, []report.Goal{g})
	return sc.Lines[0]
}

// roundRat rounds x half away from zero to places decimals.
func roundRat(x *big.Rat, places int32) decimal.Decimal {
	d := decimal.NewFromBigInt(x.Num(), 0).DivRound(decimal.NewFromBigInt(x.Denom(), 0), places)
	return d
}

// TestScorecardVerdictIsExact: a goal's verdict and attainment come from
// the exact figure with one rounding, compared with a naive big.Rat
// reference: a rate that rounds to the target but is below it misses an
// "at least" goal, and the attainment is not the rounded rate divided and
// rounded again.
func TestScorecardVerdictIsExact(t *testing.T) {
	for _, c := range []struct {
		metric   string
		num, den int64
		target   string
		atMost   bool
		status   report.Status
		att      string
	}{
		{"acceptance_rate", 17_999, 20_000, "0.9", false, report.AtRisk, "0.9999"}, // 0.89995 shows as 0.9
		{"acceptance_rate", 18_000, 20_000, "0.9", false, report.OnTrack, "1"},
		{"flow:mql:sql", 2, 3, "0.8", false, report.Missed, "0.8333"}, // not 0.6667 ÷ 0.8 = 0.8334
		{"win_rate", 1, 3, "0.3333", false, report.OnTrack, "1.0001"},
		{"sla_compliance", 20_001, 20_000, "1", true, report.AtRisk, "1"}, // shows as 1.0001; 0.99995 attained, shown as 1
		{"cohort:mql:sql", 1, 8, "0.125", true, report.OnTrack, "1"},
	} {
		g := report.Goal{Metric: c.metric, Target: decimal.RequireFromString(c.target), AtMost: c.atMost}
		s := scorePeriod(g, c.num, c.den)
		if s.Status != c.status || !s.AttainmentDefined || s.Attainment.String() != c.att {
			t.Errorf("%s %d/%d vs %s: %s, attainment %s (defined %v); want %s, %s",
				c.metric, c.num, c.den, c.target, s.Status, s.Attainment, s.AttainmentDefined, c.status, c.att)
		}
	}

	metrics := []string{"acceptance_rate", "sla_compliance", "win_rate", "lead_velocity_rate", "flow:mql:sql",
		"cohort:mql:sql", "marketing_sourced_share", "average_deal", "response_minutes_median"}
	rapid.Check(t, func(t *rapid.T) {
		metric := rapid.SampledFrom(metrics).Draw(t, "metric")
		den := rapid.Int64Range(1, 200_000).Draw(t, "den")
		num := rapid.Int64Range(0, 3*den).Draw(t, "num")
		if metric == "response_minutes_median" {
			den = rapid.SampledFrom([]int64{1, 2, 3, 7, 60, 1000}).Draw(t, "den_minutes")
		}
		g := report.Goal{Metric: metric, AtMost: rapid.Bool().Draw(t, "at_most"),
			Target: decimal.New(rapid.Int64Range(0, 30_000).Draw(t, "target"), -4)}
		if rapid.Bool().Draw(t, "near") { // a target at the displayed figure
			g.Target = decimal.NewFromInt(num).DivRound(decimal.NewFromInt(den), report.RatePlaces)
			if metric == "average_deal" {
				g.Target = decimal.New(num, -2).DivRound(decimal.NewFromInt(den), report.MoneyPlaces)
			}
		}
		s := scorePeriod(g, num, den)

		// The reference, from the exact fraction.
		exact := big.NewRat(num, den)
		switch metric {
		case "response_minutes_median": // the sketch keeps whole nanoseconds
			exact = big.NewRat(int64(time.Duration(num)*time.Minute/time.Duration(den)), int64(time.Minute))
		case "average_deal": // num cents over den deals
			exact = big.NewRat(num, 100*den)
		}
		target := new(big.Rat).SetFrac(g.Target.Coefficient(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-g.Target.Exponent())), nil))
		cmpT := exact.Cmp(target)
		met := cmpT >= 0
		if g.AtMost {
			met = cmpT <= 0
		}
		var att decimal.Decimal
		defined := false
		switch {
		case !g.AtMost && target.Sign() > 0:
			att, defined = roundRat(new(big.Rat).Quo(exact, target), report.RatePlaces), true
		case g.AtMost && exact.Sign() > 0:
			att, defined = roundRat(new(big.Rat).Quo(target, exact), report.RatePlaces), true
		}
		want := report.Missed
		switch {
		case met:
			want = report.OnTrack
		case defined && att.GreaterThanOrEqual(decimal.New(9, -1)):
			want = report.AtRisk
		}
		if s.Status != want || s.AttainmentDefined != defined || !s.Attainment.Equal(att) {
			t.Fatalf("%s = %d/%d vs %s (at most %v): %s, attainment %s (%v); want %s, %s (%v)",
				metric, num, den, g.Target, g.AtMost, s.Status, s.Attainment, s.AttainmentDefined, want, att, defined)
		}
	})
}
