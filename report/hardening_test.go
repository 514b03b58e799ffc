package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// Record times are accepted from 1678 to 2262, so two of them can lie more
// than MaxInt64 nanoseconds (292 years) apart, and a window can be as
// long: lags, ages and maturity must saturate, not wrap around.
func TestTimesCenturiesApartSaturate(t *testing.T) {
	old := time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)
	late := time.Date(2250, 1, 1, 0, 0, 0, 0, time.UTC)
	acc, err := report.NewAccumulator(report.Config{Path: []funnel.Stage{funnel.MQL, funnel.SQL, funnel.Customer},
		Window: 30 * 24 * time.Hour, AsOf: late})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []funnel.Event{
		{Lead: "a", Version: 1, At: old, To: funnel.MQL, FirstEntry: true},
		{Lead: "a", Version: 2, At: late, From: funnel.MQL, To: funnel.Customer, FirstEntry: true},
		{Lead: "b", Version: 1, At: old, To: funnel.SQL, FirstEntry: true},
	} {
		if err := acc.AddEvent(e); err != nil {
			t.Fatal(err)
		}
	}
	r := acc.Report()
	first, last := r.Periods[0], r.Periods[len(r.Periods)-1]
	// a reached Customer 550 years after entering MQL: far outside the
	// 30-day window (a wrapped lag would be negative, hence "in time").
	if c := first.Cohort[0]; c.Rate.Num != 0 || c.Rate.Den != 1 {
		t.Errorf("%s cohort mql→sql %d/%d, want 0/1", first.Label, c.Rate.Num, c.Rate.Den)
	}
	const forever = time.Duration(math.MaxInt64)
	if l := last.LeadToCustomer; l.Count != 1 || l.Max != forever {
		t.Errorf("%s lead to customer %+v, want one cycle saturated at %v", last.Label, l, forever)
	}
	for _, a := range r.Aging {
		if a.Stage == funnel.SQL && (a.Open.Count != 1 || a.Open.Max != forever) {
			t.Errorf("aging of sql %+v, want one open stay saturated at %v", a.Open, forever)
		}
	}

	// A window of MaxInt64: no cohort can be mature in 2250.
	acc, _ = report.NewAccumulator(report.Config{Path: []funnel.Stage{funnel.MQL, funnel.SQL}, Window: forever})
	_ = acc.AddEvent(funnel.Event{Lead: "a", Version: 1, At: late, To: funnel.MQL, FirstEntry: true})
	_ = acc.AddEvent(funnel.Event{Lead: "b", Version: 1, At: late.Add(time.Hour), To: funnel.MQL, FirstEntry: true})
	if c := acc.Report().Periods[0].Cohort[0]; c.Mature || c.MatureMembers != 0 || c.Rate.Den != 2 {
		t.Errorf("cohort with an endless window: %+v, want 2 members, none mature", c)
	}
}

// json.Decoder.More reports false before a stray closing bracket: the
// parsers must still refuse anything but whitespace after the value.
func TestParseRejectsTrailingData(t *testing.T) {
	const rep = `{"schema":"smarketing.report/v1"}`
	for _, tail := range []string{"]", "}", " ]", "\n}", "{}", "x", "[]"} {
		if _, err := report.ParseReport([]byte(rep + tail)); !errors.Is(err, report.ErrEncoding) {
			t.Errorf("ParseReport(%q): %v, want ErrEncoding", rep+tail, err)
		}
		if _, err := report.ParseGoals([]byte("[]" + tail)); !errors.Is(err, report.ErrEncoding) {
			t.Errorf("ParseGoals(%q): %v, want ErrEncoding", "[]"+tail, err)
		}
	}
	if _, err := report.ParseReport([]byte(rep + " \r\n\t")); err != nil {
		t.Errorf("trailing whitespace: %v", err)
	}
	if _, err := report.ParseGoals([]byte("[]\n")); err != nil {
		t.Errorf("trailing newline: %v", err)
	}
}

// The bucket array never grows beyond the 2 185 buckets that durations of
// 1 ns to MaxInt64 ns span, whatever order values come in or are merged.
func TestSketchMemoryBoundHoldsOverFullRange(t *testing.T) {
	const limit = 64 + 8*2185
	var up, down, mid report.Sketch
	for v := time.Duration(1); v > 0 && v < math.MaxInt64/2; v *= 2 {
		up.Add(v)
	}
	up.Add(math.MaxInt64)
	down.Add(math.MaxInt64)
	for v := time.Duration(1 << 62); v > 0; v /= 2 {
		down.Add(v)
	}
	mid.Add(time.Hour)
	mid.Merge(&up)
	mid.Merge(&down)
	for name, s := range map[string]*report.Sketch{"ascending": &up, "descending": &down, "merged": &mid} {
		if b := s.Bytes(); b > limit {
			t.Errorf("%s: sketch holds %d bytes, want at most %d", name, b, limit)
		}
	}
	if mid.Count() != up.Count()+down.Count()+1 || mid.Max() != math.MaxInt64 || mid.Min() != 1 {
		t.Errorf("merged sketch: count %d min %v max %v", mid.Count(), mid.Min(), mid.Max())
	}
}

// A goal that names a stage or pair the Config does not report is an
// ErrConfig with its index, not a goal that silently never has data.
func TestGoalsMustNameReportedFigures(t *testing.T) {
	path := []funnel.Stage{funnel.Lead, funnel.MQL, funnel.SQL, funnel.Opportunity}
	for _, c := range []struct {
		metric string
		ok     bool
	}{
		{"first_entries:mql", true},
		{"entries:nurture", true}, // a detour
		{"flow:mql:sql", true},
		{"cohort:lead:sql", true}, // in Pairs
		{"acceptance_rate", true},
		{"first_entries:mlq", false},
		{"entries:customer", false},
		{"flow:lead:opportunity", false}, // not adjacent, not in Pairs
		{"cohort:sql:mql", false},
		{"flow:mql:evangelist", false},
	} {
		cfg := report.Config{Path: path, Detours: []funnel.Stage{funnel.Nurture},
			Pairs: []report.Pair{{From: funnel.Lead, To: funnel.SQL}},
			Goals: []report.Goal{{Metric: "win_rate"}, {Metric: c.metric, Target: decimal.NewFromInt(1)}}}
		_, err := report.NewAccumulator(cfg)
		switch {
		case c.ok && err != nil:
			t.Errorf("%s: %v", c.metric, err)
		case !c.ok && (!errors.Is(err, report.ErrConfig) || !strings.Contains(fmt.Sprint(err), "goals[1]")):
			t.Errorf("%s: error %v, want ErrConfig at goals[1]", c.metric, err)
		}
	}
}

// The zero Accumulator's report (the zero Report) goes through JSON and
// back like any other; a report without a schema that is not zero is
// still refused.
func TestParseReportZero(t *testing.T) {
	var acc report.Accumulator
	var b bytes.Buffer
	if err := acc.Report().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	got, err := report.ParseReport(b.Bytes())
	if err != nil {
		t.Fatalf("ParseReport(%s): %v", b.Bytes(), err)
	}
	if got.Schema != "" || len(got.Periods) != 0 {
		t.Errorf("zero report read back as %+v", got)
	}
	noSchema := bytes.Replace(b.Bytes(), []byte(`"granularity": ""`), []byte(`"granularity": "month"`), 1)
	if bytes.Equal(noSchema, b.Bytes()) {
		t.Fatalf("fixture: no granularity in %s", b.Bytes())
	}
	if _, err := report.ParseReport(noSchema); !errors.Is(err, report.ErrEncoding) {
		t.Errorf("a non-zero report without schema: %v, want ErrEncoding", err)
	}
}

// StagesOf a nil model is no stages, which NewAccumulator refuses as an
// ErrConfig; it does not panic.
func TestStagesOfNilModel(t *testing.T) {
	path, detours := report.StagesOf(nil)
	if path != nil || detours != nil {
		t.Fatalf("StagesOf(nil) = %v, %v", path, detours)
	}
	if _, err := report.NewAccumulator(report.Config{Path: path, Detours: detours}); !errors.Is(err, report.ErrConfig) {
		t.Errorf("NewAccumulator with the stages of a nil model: %v, want ErrConfig", err)
	}
}
