package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/report"
)

// small keeps the tests quick; the figures are checked the same way at any size.
const small = 250

var (
	memoMu sync.Mutex
	memo   = map[[2]uint64]*quarter{}
)

// quarterFor simulates a quarter once per seed and size and shares it
// between the tests that only read it.
func quarterFor(t *testing.T, seed uint64, contacts int) *quarter {
	t.Helper()
	memoMu.Lock()
	defer memoMu.Unlock()
	k := [2]uint64{seed, uint64(contacts)}
	if q, ok := memo[k]; ok {
		return q
	}
	q, err := runQuarter(seed, contacts)
	if err != nil {
		t.Fatal(err)
	}
	memo[k] = q
	return q
}

// freshQuarter simulates a quarter without sharing it.
func freshQuarter(t *testing.T, seed uint64, contacts int) *quarter {
	t.Helper()
	q, err := runQuarter(seed, contacts)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestFunnelCountsMatchEvents recounts, from the simulated event log
// alone, the first-time and all entries of every stage in every month, and
// checks that the report says the same.
func TestFunnelCountsMatchEvents(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		q := quarterFor(t, seed, small)
		if len(q.sim.log) == 0 {
			t.Fatal("no events")
		}
		loc := q.sim.loc
		type key struct {
			period string
			stage  funnel.Stage
		}
		first, all := map[key]int64{}, map[key]int64{}
		for _, ev := range q.sim.log {
			k := key{ev.At.In(loc).Format("2006-01"), ev.To}
			all[k]++
			if ev.FirstEntry {
				first[k]++
			}
		}
		if len(q.report.Periods) != 3 {
			t.Fatalf("seed %d: %d periods, want the 3 months of the quarter", seed, len(q.report.Periods))
		}
		var seen int64
		for _, p := range q.report.Periods {
			for _, sf := range p.Stages {
				k := key{p.Label, sf.Stage}
				if sf.FirstEntries != first[k] || sf.Entries != all[k] {
					t.Errorf("seed %d, %s %s: report first=%d all=%d, log first=%d all=%d",
						seed, p.Label, sf.Stage, sf.FirstEntries, sf.Entries, first[k], all[k])
				}
				seen += sf.Entries
			}
		}
		if seen != int64(len(q.sim.log)) {
			t.Errorf("seed %d: report counts %d entries, the log has %d events", seed, seen, len(q.sim.log))
		}
		if q.sim.sum.Events != len(q.sim.log) {
			t.Errorf("summary says %d events, log has %d", q.sim.sum.Events, len(q.sim.log))
		}
	}
}

// TestPopulationMatchesFinalStages checks the last period's populations
// (contacts in each stage at its end) against the contacts' stored states.
func TestPopulationMatchesFinalStages(t *testing.T) {
	q := quarterFor(t, 1, small)
	want := map[funnel.Stage]int64{}
	for _, c := range q.sim.contacts {
		if c.state.Stage != "" {
			want[c.state.Stage]++
		}
	}
	last := q.report.Periods[len(q.report.Periods)-1]
	for _, sf := range last.Stages {
		if sf.Population != want[sf.Stage] {
			t.Errorf("%s: population %d, stored states say %d", sf.Stage, sf.Population, want[sf.Stage])
		}
	}
}

// TestReplayGivesStoredState replays every contact's log and compares the
// result with the state the simulation stored.
func TestReplayGivesStoredState(t *testing.T) {
	q := quarterFor(t, 2, small)
	m := q.sim.h.funnel
	moved := 0
	for _, c := range q.sim.contacts {
		got, err := m.Replay(c.id, c.events)
		if err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		if !got.Equal(c.state) {
			t.Fatalf("%s: replayed state differs:\n%s", c.id, cmp.Diff(c.state, got))
		}
		if len(c.events) > 1 {
			moved++
		}
	}
	if moved == 0 {
		t.Fatal("no contact moved beyond its entry stage")
	}
}

// TestOutcomesMatchDeals checks the report's won revenue and counts
// against the simulated deals, and that sales decisions carry reason codes.
func TestOutcomesMatchDeals(t *testing.T) {
	q := quarterFor(t, 5, 500)
	s := q.sim
	var won, closed int64
	for _, d := range s.deals {
		if !d.ClosedAt.IsZero() {
			closed++
			if d.Won {
				won++
			}
		}
	}
	var repWon, repDen int64
	for _, p := range q.report.Periods {
		repWon += p.Outcomes.WinRate.Num
		repDen += p.Outcomes.WinRate.Den
	}
	if repWon != won || repDen != closed {
		t.Errorf("report: %d won of %d closed; deals: %d of %d", repWon, repDen, won, closed)
	}
	if won != int64(s.sum.Won) || s.sum.Won == 0 {
		t.Errorf("summary says %d won, deals %d", s.sum.Won, won)
	}
	var acc, rej int
	for _, d := range s.decisions {
		switch {
		case d.Accepted:
			acc++
		case d.Reason == "":
			t.Errorf("rejection of %s without a reason", d.Lead)
		default:
			// Only procedural, clerical or definitional returns are
			// rejections; a lead disqualified after contact was accepted.
			if r, ok := s.h.acceptance.Reason(funnel.ReasonCode(d.Reason)); !ok || !r.Class.Rejection() {
				t.Errorf("%s counted as rejected for %q, not a rejection reason (class %q)", d.Lead, d.Reason, r.Class)
			}
			rej++
		}
	}
	if acc != s.sum.Accepted || rej != s.sum.Rejected || acc == 0 {
		t.Errorf("decisions: %d accepted, %d rejected; summary %+v", acc, rej, s.sum)
	}
	var num, den int64
	for _, p := range q.report.Periods {
		num += p.Service.Acceptance.Num
		den += p.Service.Acceptance.Den
	}
	if num != int64(acc) || den != int64(acc+rej) {
		t.Errorf("report acceptance %d/%d, decisions %d/%d", num, den, acc, acc+rej)
	}
	// Every event into a detour or backwards carries a reason code.
	for _, ev := range s.log {
		switch ev.Kind {
		case funnel.MoveBackward, funnel.MoveDetour, funnel.MoveReturn, funnel.MoveAcross:
			if ev.Reason == "" {
				t.Errorf("event %s (%s → %s) has no reason", ev.ID, ev.From, ev.To)
			}
		}
	}
}

// TestDeterministic runs the same seed twice (same bytes) and another seed
// (different bytes).
func TestDeterministic(t *testing.T) {
	render := func(seed uint64) (string, string) {
		q := freshQuarter(t, seed, small)
		var text, html bytes.Buffer
		q.writeSummary(&text)
		if err := q.report.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if err := q.report.WriteHTML(&html); err != nil {
			t.Fatal(err)
		}
		return text.String(), html.String()
	}
	t1, h1 := render(42)
	t2, h2 := render(42)
	if t1 != t2 {
		t.Errorf("same seed, different text:\n%s", cmp.Diff(t1, t2))
	}
	if h1 != h2 {
		t.Error("same seed, different HTML")
	}
	if t3, _ := render(43); t3 == t1 {
		t.Error("different seeds gave the same report")
	}
}

// TestRun runs the command as a user does and checks what it prints and
// writes.
func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.html")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-seed", "3", "-contacts", "400", "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	got := stdout.String()
	for _, want := range []string{"Scorecard 2026-03", "Funnel 2026-03", "MQLs this month", "subscriber", "HTML report written to " + out} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Trend:") {
		t.Errorf("without -full the output should stop after the funnel:\n%s", got)
	}
	html, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "</html>", "MQLs this month", "Funnel 2026-03", "Trend"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("the HTML report lacks %q: %.200s", want, html)
		}
	}
}

// TestRunIsDeterministic runs the command twice as a user does, with the
// same seed and output path: the same bytes on standard output and in the
// HTML file; another seed prints another quarter. Only the time taken,
// on standard error, may differ.
func TestRunIsDeterministic(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.html")
	runOnce := func(seed string) (string, []byte) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run([]string{"-seed", seed, "-contacts", "300", "-out", out}, &stdout, &stderr); code != 0 {
			t.Fatalf("seed %s: exit %d, stderr:\n%s", seed, code, stderr.String())
		}
		if !strings.HasPrefix(stderr.String(), "simulated in ") {
			t.Errorf("seed %s: stderr %q, want the time taken", seed, stderr.String())
		}
		html, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), html
	}
	o1, h1 := runOnce("7")
	o2, h2 := runOnce("7")
	if o1 != o2 {
		t.Errorf("same seed, different output (-first +second):\n%s", cmp.Diff(o1, o2))
	}
	if !bytes.Equal(h1, h2) {
		t.Error("same seed, different HTML file")
	}
	if o3, _ := runOnce("8"); o3 == o1 {
		t.Error("another seed printed the same quarter")
	}
}

// TestSummaryMatchesReport checks the summary the command prints, counted
// by the simulation as it acts (every handoff routed, opportunity opened,
// deal closed), against the report built from the event log and the deals:
// the two are kept apart, so a move the log misses or doubles shows here.
func TestSummaryMatchesReport(t *testing.T) {
	for _, seed := range []uint64{1, 4} {
		q := quarterFor(t, seed, 500)
		s := q.sim.sum
		entries := map[funnel.Stage]int64{}
		won := decimal.Zero
		for _, p := range q.report.Periods {
			for _, sf := range p.Stages {
				entries[sf.Stage] += sf.Entries
			}
			won = won.Add(p.Revenue.Won)
		}
		// Sales gets a lead only through the policy's hand_off or
		// fast_track, each routed at once; a lead sent back for the wrong
		// territory re-enters mql and is routed again.
		var rerouted int64
		for _, d := range q.sim.decisions {
			if d.Reason == string(funnel.ReasonWrongTerritory) {
				rerouted++
			}
		}
		// A demo request from nurture is a fast_track verdict in two
		// steps: back to mql (re-engaged), then on to sql.
		var reengaged int64
		for _, e := range q.sim.log {
			if e.From == funnel.Nurture && e.To == funnel.MQL && e.Actor == "policy:fast_track_nurture" {
				reengaged++
			}
		}
		for _, c := range []struct {
			what      string
			got, want int64
		}{
			{"sql entries vs handoffs", entries[funnel.SQL], int64(s.Handoffs)},
			{"handoffs vs hand_off + fast_track decisions", int64(s.Handoffs), int64(s.Verdicts[handoff.VerdictHandOff]+s.Verdicts[handoff.VerdictFastTrack]) - reengaged},
			{"mql entries vs promotions + wrong-territory returns + re-engagements", entries[funnel.MQL], int64(s.Verdicts[handoff.VerdictPromote]) + rerouted + reengaged},
			{"opportunity entries vs opportunities", entries[funnel.Opportunity], int64(s.Opportunities)},
			{"customer entries vs deals won", entries[funnel.Customer], int64(s.Won)},
			{"lost entries vs deals lost", entries[funnel.Lost], int64(s.Lost)},
			{"contacts that entered vs contacts", entries[funnel.Subscriber] + firstLeads(q), int64(s.Contacts)},
		} {
			if c.got != c.want {
				t.Errorf("seed %d: %s: %d, want %d", seed, c.what, c.got, c.want)
			}
		}
		if s.Handoffs == 0 || s.Won == 0 || s.Lost == 0 || s.Recycled == 0 {
			t.Errorf("seed %d: the quarter lacks a handoff, a win, a loss or a recycle: %+v", seed, s)
		}
		if s.Accepted+s.Rejected > s.Handoffs || s.Disqualified > s.Accepted {
			t.Errorf("seed %d: %d sales decisions on %d handoffs, %d of %d accepted disqualified", seed, s.Accepted+s.Rejected, s.Handoffs, s.Disqualified, s.Accepted)
		}
		if !won.Equal(s.WonAmount) {
			t.Errorf("seed %d: report's won revenue %s, summary %s", seed, won, s.WonAmount)
		}
	}
}

// firstLeads counts the contacts whose first event entered the lead stage
// (the others entered as subscribers).
func firstLeads(q *quarter) int64 {
	var n int64
	for _, c := range q.sim.contacts {
		if len(c.events) > 0 && c.events[0].To == funnel.Lead {
			n++
		}
	}
	return n
}

func TestFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-h"}, &stdout, &stderr); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
	for _, want := range []string{"-seed", "-contacts", "-out", "Q1 2026"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("-h does not explain %q:\n%s", want, stderr.String())
		}
	}
	for _, args := range [][]string{{"-contacts", "0"}, {"-contacts", "x"}, {"stray"}, {"-out", ""}} {
		stderr.Reset()
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if stderr.Len() == 0 {
			t.Errorf("%v: nothing on stderr", args)
		}
	}
	stderr.Reset()
	if code := run([]string{"-contacts", "10", "-out", filepath.Join(t.TempDir(), "no", "such", "dir.html")}, &stdout, &stderr); code != 1 {
		t.Errorf("unwritable -out: exit %d, want 1", code)
	}
}

// TestReportJSONRoundTrip checks that the report a host stores as JSON
// reads back the same.
func TestReportJSONRoundTrip(t *testing.T) {
	q := quarterFor(t, 1, small)
	var buf bytes.Buffer
	if err := q.report.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := report.ParseReport(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(q.report, back); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
	if !q.report.AsOf.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, q.sim.loc)) {
		t.Errorf("as of %v", q.report.AsOf)
	}
}

// TestMQLIsAStage checks, on the simulated quarter, that MQL is a stage
// leads spend time in and not a step they pass in no time: marketing
// promotes at its own interest line, below the contact-now band, so MQLs
// wait, some go back to nurture and not all of them reach sales. Every
// promotion and every return to nurture is scored again from the
// contact's activities at its time, against the policy's lines.
func TestMQLIsAStage(t *testing.T) {
	for _, seed := range []uint64{1, 4} {
		q := quarterFor(t, seed, 500)
		byID := map[string]*contact{}
		for _, c := range q.sim.contacts {
			byID[c.id] = c
		}
		var stays []time.Duration
		rules := map[string]int{}
		for _, ev := range q.sim.log {
			if ev.From == funnel.MQL {
				stays = append(stays, ev.Stay)
			}
			rule, ok := strings.CutPrefix(ev.Actor, "policy:")
			if !ok {
				continue
			}
			rules[rule]++
			if rule != "promote" && rule != "requalify" && rule != "nurture_mql" {
				continue
			}
			r, err := q.sim.h.scoring.Score(byID[ev.Lead].lead, ev.At, nil)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case !r.FitHigh:
				t.Errorf("seed %d, %s: %s moved a low-fit lead (fit %s)", seed, ev.ID, rule, r.Fit)
			case rule == "nurture_mql" && r.Interest.GreaterThan(decimal.NewFromInt(nurtureInterest)):
				t.Errorf("seed %d, %s: an MQL with interest %s went back to nurture (line %d)", seed, ev.ID, r.Interest, nurtureInterest)
			case rule != "nurture_mql" && r.Interest.LessThan(decimal.NewFromInt(promoteInterest)):
				t.Errorf("seed %d, %s: %s qualified a lead with interest %s (line %d)", seed, ev.ID, rule, r.Interest, promoteInterest)
			}
		}
		if rules["promote"] == 0 || rules["nurture_mql"] == 0 || rules["hand_off"] == 0 {
			t.Errorf("seed %d: the quarter lacks a promotion, a return to nurture or a hand-off: %v", seed, rules)
		}
		slices.Sort(stays)
		if len(stays) == 0 || stays[len(stays)/2] == 0 {
			t.Fatalf("seed %d: %d MQL stays, median zero: leads pass through MQL in no time", seed, len(stays))
		}
		last := q.report.Periods[len(q.report.Periods)-1]
		for _, sf := range last.Stages {
			if sf.Stage == funnel.MQL && (sf.Population == 0 || sf.TimeInStage.Median <= 0) {
				t.Errorf("seed %d, %s: MQL population %d, median stay %v", seed, last.Label, sf.Population, sf.TimeInStage.Median)
			}
		}
		// A month's cohort may be small enough to convert whole; the
		// quarter's may not.
		var converted, members int64
		for _, p := range q.report.Periods {
			for _, c := range p.Cohort {
				if c.From == funnel.MQL && c.To == funnel.SQL {
					converted += c.Rate.Num
					members += c.Rate.Den
				}
			}
		}
		if converted == 0 || converted >= members {
			t.Errorf("seed %d: %d of the quarter's %d MQLs reached sales", seed, converted, members)
		}
	}
}
