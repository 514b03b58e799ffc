// Command quickstart simulates one quarter of a small B2B company through
// the whole SMarketing funnel and prints the review meeting's scorecard and
// funnel.
//
// A few thousand contacts arrive over the quarter with a profile (company
// size, industry, country, seniority, e-mail domain) and keep doing things
// (page views, e-mail clicks, downloads, webinars, demo requests). Each
// activity is scored on fit and interest with a scoring model kept as JSON;
// the default handoff policy, edited as data so that marketing qualifies a
// lead (MQL) before it is hot enough for sales to contact (policySpec),
// promotes, hands off, fast-tracks or nurtures;
// a router assigns handed-off leads to reps by territory; reps touch them
// against business-hours SLA deadlines (a Madrid office calendar with its
// holidays), then accept them or send them back with a reason code, and
// recycled leads rest before marketing may qualify them again. Accepted
// leads become opportunities that are won or lost, with exact decimal deal
// amounts.
//
// Every lifecycle change goes through funnel.Model.Apply and is appended to
// the contact's event log; the report is built from that log alone, and
// replaying any contact's log gives its state back.
//
// The simulation is deterministic: the same -seed, -contacts and -out give
// the same standard output and the same HTML file, byte for byte (only the
// time taken, printed last on standard error, varies). Randomness lives
// here, in the host; the library never draws random numbers or reads the
// clock.
//
// Usage:
//
//	go run ./examples/quickstart [-seed N] [-contacts N] [-out FILE] [-full]
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // the office calendar is in Europe/Madrid, even on machines without a zoneinfo database

	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/report"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command-line flags.
type options struct {
	seed     uint64
	contacts int
	out      string
	full     bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the simulation; the same seed gives the same quarter, byte for byte")
	fs.IntVar(&o.contacts, "contacts", 3000, "number of contacts arriving during the quarter (1 to 200000)")
	fs.StringVar(&o.out, "out", "smarketing-report.html", "path of the HTML report to write (a self-contained page with the funnel chart)")
	fs.BoolVar(&o.full, "full", false, "print every table of the report (trends, attribution, rejections, aging), not only the scorecard and the funnel")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `quickstart simulates one quarter (Q1 2026) of a small B2B company through the
SMarketing funnel: contacts arrive and engage, a scoring model rates their fit
and interest, marketing qualifies the promising ones (MQL) and the default
handoff policy passes them to sales on SLA deadlines once they are hot, reps
accept or reject them with reason codes, rejected leads are recycled, and
opportunities are won or lost.

It prints the review meeting's scorecard and funnel for the last month and
writes the full report as HTML.

Usage:
  go run ./examples/quickstart [flags]

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "quickstart: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return o, errors.New("unexpected arguments")
	}
	if o.contacts < 1 || o.contacts > 200000 {
		fmt.Fprintf(stderr, "quickstart: -contacts must be between 1 and 200000, not %d\n", o.contacts)
		return o, errors.New("bad -contacts")
	}
	if o.out == "" {
		fmt.Fprintln(stderr, "quickstart: -out must name a file")
		return o, errors.New("bad -out")
	}
	return o, nil
}

// run is main without the exit, for tests: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	start := time.Now()
	q, err := runQuarter(o.seed, o.contacts)
	if err != nil {
		fmt.Fprintln(stderr, "quickstart:", err)
		return 1
	}
	w := bufio.NewWriter(stdout)
	q.writeSummary(w)
	if err := q.writeMeeting(w, o.full); err != nil {
		fmt.Fprintln(stderr, "quickstart:", err)
		return 1
	}
	path, err := writeHTML(q.report, o.out)
	if err != nil {
		fmt.Fprintln(stderr, "quickstart:", err)
		return 1
	}
	fmt.Fprintf(w, "\nHTML report written to %s (open it in a browser)\n", path)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(stderr, "quickstart:", err)
		return 1
	}
	// The time taken is the one thing that varies between runs: it goes to
	// standard error, so standard output is the same bytes for a seed.
	fmt.Fprintf(stderr, "simulated in %s\n", time.Since(start).Round(time.Millisecond))
	return 0
}

// quarter is a finished simulation and its report.
type quarter struct {
	sim    *sim
	report report.Report
}

// runQuarter simulates Q1 2026 for the given seed and number of contacts,
// and builds the report from the event log.
func runQuarter(seed uint64, contacts int) (*quarter, error) {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		return nil, err
	}
	h, err := newHosts(loc)
	if err != nil {
		return nil, err
	}
	cfg := simConfig{
		Seed:     seed,
		Contacts: contacts,
		Start:    time.Date(2026, time.January, 1, 0, 0, 0, 0, loc),
		End:      time.Date(2026, time.April, 1, 0, 0, 0, 0, loc),
	}
	s, err := simulate(h, cfg)
	if err != nil {
		return nil, err
	}
	rep, err := s.buildReport(reportConfig(h.funnel, loc, cfg.End, contacts))
	if err != nil {
		return nil, err
	}
	return &quarter{sim: s, report: rep}, nil
}

func (q *quarter) writeSummary(w io.Writer) {
	s := &q.sim.sum
	fmt.Fprintf(w, "Q1 2026, seed %d: %d contacts, %d activities, %d funnel events\n",
		q.sim.cfg.Seed, s.Contacts, s.Activities, s.Events)
	fmt.Fprintf(w, "handoffs to sales: %d; accepted %d (%d of them disqualified after contact), rejected %d; recycled %d\n",
		s.Handoffs, s.Accepted, s.Disqualified, s.Rejected, s.Recycled)
	fmt.Fprintf(w, "opportunities: %d; won %d (EUR %s), lost %d\n",
		s.Opportunities, s.Won, s.WonAmount.StringFixed(2), s.Lost)
	var verdicts []string
	for _, v := range []handoff.Verdict{handoff.VerdictPromote, handoff.VerdictHandOff, handoff.VerdictFastTrack,
		handoff.VerdictNurture, handoff.VerdictOfferGap, handoff.VerdictDoNotContact} {
		verdicts = append(verdicts, fmt.Sprintf("%s %d", v, s.Verdicts[v]))
	}
	fmt.Fprintf(w, "policy decisions: %s\n", strings.Join(verdicts, ", "))
	fmt.Fprintf(w, "flagged for product (low fit, high interest): %d contacts; SLA escalations due before first touch: %d\n\n",
		s.OfferGap, s.Escalations)
}

// writeMeeting prints what the review meeting reads: the scorecard and the
// funnel of the last month (every table with full).
func (q *quarter) writeMeeting(w io.Writer, full bool) error {
	if full {
		return q.report.WriteText(w)
	}
	// Keep the first two tables of the text report: the scorecard and the
	// funnel. Tables are separated by blank lines.
	var buf strings.Builder
	if err := q.report.WriteText(&buf); err != nil {
		return err
	}
	_, err := io.WriteString(w, firstTables(buf.String(), 2))
	return err
}

// writeHTML writes the report to path and returns its absolute form.
func writeHTML(r report.Report, path string) (string, error) {
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	bw := bufio.NewWriter(f)
	if err := r.WriteHTML(bw); err != nil {
		f.Close()
		return "", err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path, nil
}

// firstTables returns the title of a text report and its first n tables
// (WriteText separates them with blank lines).
func firstTables(text string, n int) string {
	parts := strings.SplitAfter(text, "\n\n")
	if len(parts) > n+1 {
		parts = parts[:n+1]
	}
	return strings.Join(parts, "")
}
