// Package smbeamtest generates deterministic synthetic funnel logs for
// testing and measuring smbeam pipelines: funnel events with recycles,
// skipped stages, rejections and losses, plus deals with exact amounts,
// marketing touches, handoff responses and sales decisions.
package smbeamtest

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/beam/smbeam"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// Spec is the report configuration the generated logs are meant for: the
// default path and detours, months in Europe/Madrid (so periods cross
// daylight-saving changes), a 90-day cohort window, one dimension
// ("source") and two goals.
func Spec() smbeam.Spec {
	return smbeam.Spec{
		Path:       []funnel.Stage{funnel.Subscriber, funnel.Lead, funnel.MQL, funnel.SQL, funnel.Opportunity, funnel.Customer, funnel.Evangelist},
		Detours:    []funnel.Stage{funnel.Nurture, funnel.Disqualified, funnel.Lost},
		Location:   "Europe/Madrid",
		Period:     report.Month,
		Window:     smbeam.Duration(90 * 24 * time.Hour),
		Dimensions: []string{"source"},
		Goals: []report.Goal{
			{Metric: "first_entries:mql", Label: "MQLs a month", Target: decimal.NewFromInt(300)},
			{Metric: "acceptance_rate", Label: "Sales acceptance", Target: decimal.RequireFromString("0.9")},
		},
	}
}

var (
	sources  = []string{"organic", "paid", "referral", "event", "outbound"}
	channels = []string{"email", "webinar", "ads", "seo", "social"}
	reasons  = []string{"procedural", "clerical", "definitional", "no_budget", "bad_timing"}
	criteria = []string{"company_size", "industry", "job_title", "visited_pricing", "opened_email"}
	start    = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Generate returns a log of at least events funnel events (and the other
// records of the same leads), the same for the same seed and size on every
// machine. Records come lead by lead.
func Generate(seed uint64, events int) []report.Record {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var recs []report.Record
	n := 0
	for lead := 0; n < events; lead++ {
		g := leadGen{r: r, id: fmt.Sprintf("L%07d", lead), source: sources[r.IntN(len(sources))]}
		g.at = start.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		g.run()
		n += g.events
		recs = append(recs, g.recs...)
	}
	return recs
}

// Count returns the number of funnel events among recs.
func Count(recs []report.Record) int {
	n := 0
	for _, rec := range recs {
		if rec.Kind == report.KindEvent {
			n++
		}
	}
	return n
}

type leadGen struct {
	r      *rand.Rand
	id     string
	source string
	at     time.Time
	stage  funnel.Stage
	since  time.Time
	ver    uint64
	seen   map[funnel.Stage]bool
	recs   []report.Record
	events int
}

func (g *leadGen) wait(max time.Duration) {
	g.at = g.at.Add(time.Minute + time.Duration(g.r.Int64N(int64(max))))
}

var rank = map[funnel.Stage]int{funnel.Subscriber: 0, funnel.Lead: 1, funnel.MQL: 2, funnel.SQL: 3, funnel.Opportunity: 4, funnel.Customer: 5, funnel.Evangelist: 6}

func (g *leadGen) move(to funnel.Stage, reason funnel.ReasonCode) {
	if g.seen == nil {
		g.seen = map[funnel.Stage]bool{}
	}
	g.ver++
	e := funnel.Event{
		ID: fmt.Sprintf("%s-%d", g.id, g.ver), Lead: g.id, Model: "default", Version: g.ver,
		At: g.at, From: g.stage, To: to, Actor: "system", Reason: reason, FirstEntry: !g.seen[to],
	}
	rf, fromPath := rank[g.stage]
	rt, toPath := rank[to]
	switch {
	case g.stage == "":
		e.Kind = funnel.MoveEntry
	case fromPath && toPath && rt == rf+1:
		e.Kind = funnel.MoveForward
	case fromPath && toPath && rt > rf:
		e.Kind = funnel.MoveSkip
	case fromPath && toPath:
		e.Kind = funnel.MoveBackward
	case fromPath:
		e.Kind = funnel.MoveDetour
	case toPath:
		e.Kind = funnel.MoveReturn
	default:
		e.Kind = funnel.MoveAcross
	}
	if g.stage != "" {
		e.Stay = g.at.Sub(g.since)
	}
	if g.r.IntN(10) == 0 {
		e.Note = `imported, "as is", from the CRM`
	}
	g.seen[to] = true
	g.stage, g.since = to, g.at
	g.recs = append(g.recs, report.EventRecord(e, g.source))
	g.events++
}

func (g *leadGen) touch(m report.Milestone) {
	g.recs = append(g.recs, report.TouchRecord(report.Touch{
		Lead: g.id, At: g.at, Channel: channels[g.r.IntN(len(channels))], Milestone: m,
	}))
}

func (g *leadGen) run() {
	r := g.r
	if r.IntN(3) == 0 {
		g.move(funnel.Subscriber, "")
		g.wait(30 * 24 * time.Hour)
		if r.IntN(4) == 0 {
			return // stays a subscriber
		}
	}
	g.touch(report.MilestoneLead)
	g.move(funnel.Lead, "")
	for range 3 { // up to two recycles
		g.wait(20 * 24 * time.Hour)
		if r.IntN(5) == 0 {
			if r.IntN(2) == 0 {
				g.move(funnel.Disqualified, "bad_fit")
			}
			return
		}
		if r.IntN(3) == 0 {
			g.touch("")
		}
		g.move(funnel.MQL, "")
		handoff := fmt.Sprintf("%s-h%d", g.id, g.ver)
		assigned := g.at.Add(time.Duration(r.Int64N(int64(2 * time.Hour))))
		resp := report.Response{
			Handoff: handoff, Lead: g.id, Rep: fmt.Sprintf("rep%d", r.IntN(8)),
			ActionAt: g.at, AssignedAt: assigned, Deadline: assigned.Add(24 * time.Hour),
		}
		if r.IntN(8) != 0 {
			resp.TouchedAt = assigned.Add(time.Duration(r.Int64N(int64(30 * time.Hour))))
		}
		if r.IntN(2) == 0 { // the host sends assignment and first touch apart
			first, second := resp, report.Response{Handoff: handoff, TouchedAt: resp.TouchedAt}
			first.TouchedAt = time.Time{}
			g.recs = append(g.recs, report.ResponseRecord(first), report.ResponseRecord(second))
		} else {
			g.recs = append(g.recs, report.ResponseRecord(resp))
		}
		g.wait(5 * 24 * time.Hour)
		var crit []string
		for _, c := range criteria {
			if r.IntN(2) == 0 {
				crit = append(crit, c)
			}
		}
		if r.IntN(4) == 0 { // rejected: back to marketing
			g.recs = append(g.recs, report.DecisionRecord(report.Decision{
				Lead: g.id, At: g.at, Rep: resp.Rep, Reason: reasons[r.IntN(len(reasons))], Criteria: crit,
			}))
			g.move(funnel.Nurture, "rejected")
			if r.IntN(2) == 0 {
				return
			}
			continue
		}
		g.recs = append(g.recs, report.DecisionRecord(report.Decision{
			Lead: g.id, At: g.at, Rep: resp.Rep, Accepted: true, Criteria: crit,
		}))
		g.move(funnel.SQL, "")
		g.wait(15 * 24 * time.Hour)
		if r.IntN(4) == 0 {
			g.move(funnel.Lost, "no_decision")
			return
		}
		g.touch(report.MilestoneOpportunity)
		g.move(funnel.Opportunity, "")
		created := g.at
		g.wait(60 * 24 * time.Hour)
		// An exact amount in cents, up to 50 000.00, sometimes with more
		// places (usage-priced deals) to catch any float rounding.
		amount := decimal.New(r.Int64N(5_000_000)+100, -2)
		if r.IntN(10) == 0 {
			amount = decimal.New(r.Int64N(1_000_000_000)+1, -6)
		}
		origin := []report.Origin{report.OriginMarketing, report.OriginSales, report.OriginOther}[r.IntN(3)]
		deal := report.Deal{ID: "D" + g.id, Lead: g.id, Amount: amount, CreatedAt: created, Origin: origin}
		switch r.IntN(5) {
		case 0: // still open
			g.recs = append(g.recs, report.DealRecord(deal))
			return
		case 1, 2:
			deal.ClosedAt, deal.Won = g.at, false
			g.recs = append(g.recs, report.DealRecord(deal))
			g.move(funnel.Lost, "lost_deal")
			return
		}
		deal.ClosedAt, deal.Won = g.at, true
		g.recs = append(g.recs, report.DealRecord(deal))
		g.move(funnel.Customer, "")
		if r.IntN(5) == 0 {
			g.wait(90 * 24 * time.Hour)
			g.move(funnel.Evangelist, "")
		}
		if r.IntN(1000) == 0 { // a stage the report does not know: rejected
			g.wait(24 * time.Hour)
			g.move("churned", "unknown")
		}
		return
	}
}

// WriteLog writes recs to w in format f, one line each.
func WriteLog(w io.Writer, f smbeam.Format, recs []report.Record) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	for i, rec := range recs {
		line, err := smbeam.FormatLine(f, rec)
		if err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		bw.WriteString(line)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
