package bench_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/smarketing/smarketing/bench"
	"github.com/smarketing/smarketing/scoring"
)

// TestScoringAgrees checks that package scoring, the expr and cel-go
// programs and the hand-written code give the same fit and interest, to
// the last unit, on the reference lead and on random leads.
func TestScoringAgrees(t *testing.T) {
	m, err := scoring.New(bench.ReferenceSpec(), bench.LeadSource())
	if err != nil {
		t.Fatal(err)
	}
	ex, err := bench.NewExpr()
	if err != nil {
		t.Fatal(err)
	}
	ce, err := bench.NewCEL()
	if err != nil {
		t.Fatal(err)
	}
	hand := bench.NewHand()
	type lc struct {
		name string
		lead *bench.Lead
		now  time.Time
	}
	var cases []lc
	for _, n := range []int{1, 10, 50, 200} {
		for _, d := range []int{0, 20, 400} {
			cases = append(cases, lc{"reference", bench.NewLead(n), bench.ScoreNow.Add(time.Duration(d) * 24 * time.Hour)})
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		cases = append(cases, lc{"random", bench.RandomLead(r, r.IntN(60), bench.ScoreNow), bench.ScoreNow})
	}
	for i, c := range cases {
		res, err := m.Score(c.lead, c.now, nil)
		if err != nil {
			t.Fatalf("case %d: scoring: %v", i, err)
		}
		fit, err1 := bench.Units(res.Fit)
		interest, err2 := bench.Units(res.Interest)
		if err1 != nil || err2 != nil {
			t.Fatalf("case %d: %v %v", i, err1, err2)
		}
		hf, hi := hand.Score(c.lead, c.now)
		ef, ei, err := ex.Score(c.lead, c.now)
		if err != nil {
			t.Fatalf("case %d: expr: %v", i, err)
		}
		cf, ci, err := ce.Score(c.lead, c.now)
		if err != nil {
			t.Fatalf("case %d: cel: %v", i, err)
		}
		want := [2]int64{fit, interest}
		for name, got := range map[string][2]int64{"hand-written": {hf, hi}, "expr": {ef, ei}, "cel-go": {cf, ci}} {
			if got != want {
				t.Errorf("case %d (%s, %d activities, %+v): scoring %v, %s %v", i, c.name, len(c.lead.Activities), *c.lead, want, name, got)
			}
		}
	}
}
