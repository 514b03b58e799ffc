package handoff_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/scoring"
)

func BenchmarkDecide(b *testing.B) {
	m := funnel.Default()
	p := pol(b)
	s, _, _ := m.Apply(funnel.State{Lead: "l"}, funnel.Move{To: funnel.MQL, At: t0})
	for _, bc := range []struct {
		name string
		q    scoring.Quadrant
	}{{"hand_off", scoring.HighFitHighInterest}, {"do_not_contact", scoring.LowFitLowInterest}} {
		in := handoff.Input{State: s, Score: result(bc.q), Now: t0.Add(time.Hour)}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Decide(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// longHolidays is 40 years of 14 holidays a year (560 dates) on Madrid
// office hours.
func longHolidays(b *testing.B) (*handoff.Weekly, map[handoff.Date]bool) {
	return holidayCalendar(b, 2000, 2040)
}

func holidayCalendar(b *testing.B, from, to int) (*handoff.Weekly, map[handoff.Date]bool) {
	var hs []handoff.Date
	set := map[handoff.Date]bool{}
	for y := from; y < to; y++ {
		for _, md := range [][2]int{{1, 1}, {1, 6}, {3, 19}, {4, 2}, {4, 3}, {5, 1}, {5, 15}, {8, 15}, {10, 12}, {11, 1}, {11, 9}, {12, 6}, {12, 8}, {12, 25}} {
			d := handoff.Date{Year: y, Month: time.Month(md[0]), Day: md[1]}
			hs = append(hs, d)
			set[d] = true
		}
	}
	w, err := handoff.NewWeekly(handoff.CalendarSpec{Zone: "Europe/Madrid",
		Week:     handoff.OfficeHours(handoff.Span{Start: 9 * handoff.Hour, End: 14 * handoff.Hour}, handoff.Span{Start: 15 * handoff.Hour, End: 18 * handoff.Hour}),
		Holidays: hs})
	if err != nil {
		b.Fatal(err)
	}
	return w, set
}

func BenchmarkWeeklyAdd(b *testing.B) {
	w, set := longHolidays(b)
	start := time.Date(2026, 12, 23, 16, 30, 0, 0, w.Location())
	for _, d := range []time.Duration{4 * time.Hour, 72 * time.Hour, 2000 * time.Hour} {
		b.Run(fmt.Sprintf("d=%v/impl=weekly", d), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w.Add(start, d)
			}
		})
		// The baseline a host would write: step minute by minute, checking
		// the wall clock and a holiday set.
		b.Run(fmt.Sprintf("d=%v/impl=naive_minutes", d), func(b *testing.B) {
			b.ReportAllocs()
			var got time.Time
			for b.Loop() {
				got = naiveAdd(start, d, set)
			}
			if want := w.Add(start, d); !got.Equal(want) {
				b.Fatalf("baseline %v, calendar %v", got, want)
			}
		})
	}
}

// BenchmarkWeeklyAddHolidays shows that the length of the holiday list
// barely matters: it is searched once, then walked in step.
func BenchmarkWeeklyAddHolidays(b *testing.B) {
	for _, years := range []int{0, 1, 40, 400} {
		w, _ := holidayCalendar(b, 2026-years/2, 2026-years/2+years)
		start := time.Date(2026, 12, 23, 16, 30, 0, 0, w.Location())
		b.Run(fmt.Sprintf("holidays=%d", 14*years), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w.Add(start, 72*time.Hour)
			}
		})
	}
}

func naiveAdd(t time.Time, d time.Duration, holidays map[handoff.Date]bool) time.Time {
	for d > 0 {
		wd, h := t.Weekday(), t.Hour()
		if wd != time.Saturday && wd != time.Sunday && !holidays[handoff.DateOf(t)] && (h >= 9 && h < 14 || h >= 15 && h < 18) {
			d -= time.Minute
		}
		t = t.Add(time.Minute)
	}
	return t
}

func BenchmarkWeeklyBetween(b *testing.B) {
	w, _ := longHolidays(b)
	a := time.Date(2026, 12, 23, 16, 30, 0, 0, w.Location())
	z := a.Add(30 * 24 * time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		w.Between(a, z)
	}
}

func BenchmarkSLAEvaluate(b *testing.B) {
	w, _ := longHolidays(b)
	sla := handoff.MustSLA(handoff.DefaultSLASpec())
	act := time.Date(2026, 3, 27, 16, 0, 0, 0, w.Location())
	tk := handoff.Ticket{ActionAt: act, AssignedAt: act.Add(30 * time.Minute)}
	now := act.Add(70 * time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sla.Evaluate(w, tk, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAssign(b *testing.B) {
	r, _ := handoff.NewRouter(handoff.RoutingSpec{})
	roster := make([]handoff.Rep, 50)
	for i := range roster {
		roster[i] = handoff.Rep{ID: fmt.Sprintf("rep%02d", i), Weight: 1 + i%3}
	}
	var rot handoff.Rotation
	for i := range 200 {
		_, rot, _ = r.Assign(roster, rot, handoff.Request{Lead: fmt.Sprint(i)})
	}
	req := handoff.Request{Lead: "x"}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := r.Assign(roster, rot, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseManyKeys parses (and refuses) a 1 MiB routing spec of one
// object with about 100 000 unknown keys: the strict checks must stay
// linear in the size of the spec.
func BenchmarkParseManyKeys(b *testing.B) {
	data := manyKeys(1<<20, "")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := handoff.ParseRoutingSpec(data); err == nil {
			b.Fatal("accepted")
		}
	}
}
