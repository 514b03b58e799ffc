package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"
)

// The renderers write a Report for people (text, Markdown, HTML) and for
// tools (CSV, JSON). Output depends only on the report: the same report
// gives the same bytes. They never call time.Now; times are shown in the
// report's Location.

// percent formats a rate as a percentage with two decimals, or "n/a".
func percent(r Rate) string {
	if !r.Defined {
		return "n/a"
	}
	return r.Value.Shift(2).StringFixed(2) + "%"
}

func sharePct(s Share) string {
	if !s.Defined {
		return "n/a"
	}
	return s.Value.Shift(2).StringFixed(2) + "%"
}

// human formats a duration with one decimal of its largest unit (days,
// hours, minutes, seconds), using integer arithmetic.
func human(d time.Duration) string {
	units := []struct {
		d time.Duration
		s string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}}
	neg := d < 0
	// Unsigned, so that neither −d nor the rounding overflows (stays and
	// ages of decades, or −MinInt64).
	v := uint64(d)
	if neg {
		v = -v
	}
	for _, u := range units {
		if v >= uint64(u.d) || u.s == "s" {
			// Tenths of the unit, rounded half up; every unit is a
			// multiple of 20 ns.
			tenth := uint64(u.d) / 10
			tenths := v / tenth
			if v%tenth >= tenth/2 {
				tenths++
			}
			s := fmt.Sprintf("%d.%d%s", tenths/10, tenths%10, u.s)
			if neg {
				s = "-" + s
			}
			return s
		}
	}
	return ""
}

func velocityCells(v Velocity) []string {
	if v.Count == 0 {
		return []string{"-", "-", "-"}
	}
	return []string{human(v.Median), human(v.P90), human(v.Mean)}
}

func money(d decimal.Decimal, ok bool) string {
	if !ok {
		return "n/a"
	}
	return d.StringFixed(MoneyPlaces)
}

// table is a rendered table: a header and rows of cells.
type table struct {
	title  string
	header []string
	rows   [][]string
}

// Current returns the period that contains AsOf (the last one starting at
// or before it, which ends before AsOf when no listed period contains
// it; the last period when AsOf is zero) and the period before it, or
// nil (also when AsOf is before the first period). Later periods can exist, holding only SLA deadlines still
// ahead; the scorecard and the renderers' funnel use the current one.
func (r *Report) Current() (cur, prev *Period) {
	i := len(r.Periods) - 1
	if !r.AsOf.IsZero() {
		for i >= 0 && r.Periods[i].Start.After(r.AsOf) {
			i--
		}
	}
	if i < 0 {
		return nil, nil
	}
	if i > 0 {
		prev = &r.Periods[i-1]
	}
	return &r.Periods[i], prev
}

func (r *Report) latest() (*Period, *Period) { return r.Current() }

func pathStages(r *Report) []int {
	var out []int
	for i, s := range r.Stages {
		if s.Rank >= 0 {
			out = append(out, i)
		}
	}
	return out
}

func (r *Report) tables() []table {
	var ts []table
	cur, prev := r.latest()
	if r.Scorecard != nil && len(r.Scorecard.Lines) > 0 {
		t := table{title: "Scorecard " + r.Scorecard.Period, header: []string{"goal", "actual", "target", "attainment", "change", "status"}}
		if r.Scorecard.Previous != "" {
			t.title += " (change vs " + r.Scorecard.Previous + ")"
		}
		for _, l := range r.Scorecard.Lines {
			name := goalName(l.Goal)
			target := l.Goal.Target.String()
			if l.Goal.AtMost {
				target = "≤ " + target
			} else {
				target = "≥ " + target
			}
			act, att, ch := "n/a", "n/a", "n/a"
			if l.ActualDefined {
				act = l.Actual.String()
				if l.Immature {
					act += " (immature)"
				}
			}
			if l.AttainmentDefined {
				att = l.Attainment.Shift(2).StringFixed(2) + "%"
			}
			if l.ActualDefined && l.PreviousDefined {
				ch = signed(l.Change)
			}
			t.rows = append(t.rows, []string{name, act, target, att, ch, string(l.Status)})
		}
		ts = append(ts, t)
	}
	if cur == nil {
		return ts
	}
	path := pathStages(r)
	f := table{title: "Funnel " + cur.Label, header: []string{"stage", "first", "entries", "population", "median stay", "p90 stay", "mean stay", "flow to next", "cohort to next"}}
	for k, i := range path {
		s := stageAt(cur, i)
		row := []string{string(s.Stage), itoa(s.FirstEntries), itoa(s.Entries), itoa(s.Population)}
		row = append(row, velocityCells(s.TimeInStage)...)
		flow, coh := "", ""
		if k+1 < len(path) && k < len(cur.Flow) {
			flow = percent(cur.Flow[k].Rate)
			if k < len(cur.Cohort) {
				coh = percent(cur.Cohort[k].Rate)
				if !cur.Cohort[k].Mature {
					coh += " (immature)"
				}
			}
		}
		f.rows = append(f.rows, append(row, flow, coh))
	}
	for i, s := range r.Stages {
		if s.Rank < 0 {
			st := stageAt(cur, i)
			row := append([]string{string(st.Stage) + " (detour)", itoa(st.FirstEntries), itoa(st.Entries), itoa(st.Population)}, velocityCells(st.TimeInStage)...)
			f.rows = append(f.rows, append(row, "", ""))
		}
	}
	ts = append(ts, f)
	if prev != nil {
		c := table{title: "What changed " + prev.Label + " → " + cur.Label, header: []string{"figure", prev.Label, cur.Label, "change"}}
		for _, i := range path {
			a, b := stageAt(prev, i).FirstEntries, stageAt(cur, i).FirstEntries
			c.rows = append(c.rows, []string{"first entries " + string(r.Stages[i].Stage), itoa(a), itoa(b), signedInt(b - a)})
		}
		for k := range cur.Flow {
			c.rows = append(c.rows, rateChange("flow "+string(cur.Flow[k].From)+"→"+string(cur.Flow[k].To), flowAt(prev, k).Rate, cur.Flow[k].Rate))
		}
		c.rows = append(c.rows,
			rateChange("win rate", prev.Outcomes.WinRate, cur.Outcomes.WinRate),
			rateChange("acceptance", prev.Service.Acceptance, cur.Service.Acceptance),
			rateChange("SLA compliance", prev.Service.SLA, cur.Service.SLA))
		ts = append(ts, c)
	}
	tr := table{title: "Trend: first-time entries per period", header: []string{"period"}}
	for _, i := range path {
		tr.header = append(tr.header, string(r.Stages[i].Stage))
	}
	cv := table{title: "Trend: flow conversion per period", header: []string{"period"}}
	for _, c := range cur.Flow {
		cv.header = append(cv.header, string(c.From)+"→"+string(c.To))
	}
	oc := table{title: "Trend: outcomes per period", header: []string{"period", "win rate", "avg deal", "pipeline/day", "opps", "QL", "LVR", "recycle", "yield", "acceptance", "SLA"}}
	rv := table{title: "Trend: revenue per period", header: []string{"period", "won", "marketing-sourced", "sales-sourced", "other", "marketing-influenced"}}
	for i := range r.Periods {
		p := &r.Periods[i]
		row := []string{p.Label}
		for _, k := range path {
			row = append(row, itoa(stageAt(p, k).FirstEntries))
		}
		tr.rows = append(tr.rows, row)
		row = []string{p.Label}
		for _, c := range p.Flow {
			row = append(row, percent(c.Rate))
		}
		cv.rows = append(cv.rows, row)
		o := &p.Outcomes
		oc.rows = append(oc.rows, []string{p.Label, percent(o.WinRate), money(o.AverageDeal, o.AverageDealDefined),
			money(o.PipelineVelocity, o.PipelineVelocityDefined), itoa(o.Opportunities), itoa(o.QualifiedLeads),
			percent(o.LeadVelocity), percent(o.RecycleRate), percent(o.RecycleYield), percent(p.Service.Acceptance), percent(p.Service.SLA)})
		v := &p.Revenue
		rv.rows = append(rv.rows, []string{p.Label, v.Won.StringFixed(MoneyPlaces), sharePct(v.MarketingSourced), sharePct(v.SalesSourced),
			sharePct(v.OtherSourced), sharePct(v.MarketingInfluenced)})
	}
	ts = append(ts, tr, cv, oc, rv)
	if len(cur.Revenue.Attribution) > 0 {
		at := table{title: "Attribution " + cur.Label, header: []string{"channel"}}
		chans := map[string]bool{}
		var order []string
		for _, a := range cur.Revenue.Attribution {
			at.header = append(at.header, string(a.Model))
			for _, c := range a.Credits {
				if !chans[c.Channel] {
					chans[c.Channel] = true
					order = append(order, c.Channel)
				}
			}
		}
		sortStrings(order)
		for _, ch := range order {
			row := []string{ch}
			for _, a := range cur.Revenue.Attribution {
				amt := decimal.Zero
				for _, c := range a.Credits {
					if c.Channel == ch {
						amt = c.Amount
					}
				}
				row = append(row, amt.StringFixed(MoneyPlaces))
			}
			at.rows = append(at.rows, row)
		}
		row := []string{"(no touch)"}
		for _, a := range cur.Revenue.Attribution {
			row = append(row, a.Unattributed.StringFixed(MoneyPlaces))
		}
		at.rows = append(at.rows, row)
		ts = append(ts, at)
	}
	sv := &cur.Service
	if len(sv.Rejections) > 0 || len(sv.ByCriterion) > 0 {
		rj := table{title: "Rejections " + cur.Label, header: []string{"criterion present", "reason", "count", "share"}}
		for _, rc := range sv.Rejections {
			rj.rows = append(rj.rows, []string{"(all)", reasonName(rc.Reason), itoa(rc.Share.Num), percent(rc.Share)})
		}
		for _, c := range sv.ByCriterion {
			rj.rows = append(rj.rows, []string{c.Criterion, "(rejected)", itoa(c.Rejected.Num) + "/" + itoa(c.Rejected.Den), percent(c.Rejected)})
			for _, rc := range c.Reasons {
				rj.rows = append(rj.rows, []string{c.Criterion, reasonName(rc.Reason), itoa(rc.Share.Num), percent(rc.Share)})
			}
		}
		ts = append(ts, rj)
	}
	b := sv.SpeedToLead
	if b != (Bands{}) || sv.SLA.Defined || sv.Pending > 0 {
		sl := table{title: "Speed to lead " + cur.Label, header: []string{"0–5 min", "5–15 min", "15–60 min", "60+ min", "untouched", "SLA", "pending", "response median", "response p90"}}
		resp := velocityCells(sv.ResponseTime)
		sl.rows = append(sl.rows, []string{itoa(b.Under5), itoa(b.Under15), itoa(b.Under60), itoa(b.Over60), itoa(b.Untouched), percent(sv.SLA), itoa(sv.Pending), resp[0], resp[1]})
		ts = append(ts, sl)
	}
	if len(r.Aging) > 0 {
		ag := table{title: "Aging of open stays as of " + r.AsOf.Format("2006-01-02 15:04 MST"), header: []string{"stage", "open", "median age", "p90 age", "mean age"}}
		for _, a := range r.Aging {
			ag.rows = append(ag.rows, append([]string{string(a.Stage), itoa(a.Open.Count)}, velocityCells(a.Open)...))
		}
		ts = append(ts, ag)
	}
	return ts
}

// goalName is a scorecard line's name: the goal's label (else its
// metric), with the kind of conversion it tracks when the label does not
// say it, so a flow rate is never read as a cohort rate or the reverse.
func goalName(g Goal) string {
	if g.Label == "" {
		return g.Metric
	}
	kind, _, _ := strings.Cut(g.Metric, ":")
	if (kind == "flow" || kind == "cohort") && !strings.Contains(strings.ToLower(g.Label), kind) {
		return g.Label + " (" + kind + ")"
	}
	return g.Label
}

// stageAt and flowAt read a period defensively: a report decoded from
// JSON may have fewer entries than its stage list says.
func stageAt(p *Period, i int) StageFigure {
	if i >= 0 && i < len(p.Stages) {
		return p.Stages[i]
	}
	return StageFigure{}
}

func flowAt(p *Period, k int) Conversion {
	if k >= 0 && k < len(p.Flow) {
		return p.Flow[k]
	}
	return Conversion{}
}

func reasonName(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func sortStrings(ss []string) {
	for i := 1; i < len(ss); i++ {
		for j := i; j > 0 && ss[j] < ss[j-1]; j-- {
			ss[j], ss[j-1] = ss[j-1], ss[j]
		}
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func signedInt(v int64) string {
	if v > 0 {
		return "+" + itoa(v)
	}
	return itoa(v)
}

func signed(d decimal.Decimal) string {
	if d.IsPositive() {
		return "+" + d.String()
	}
	return d.String()
}

func rateChange(name string, a, b Rate) []string {
	ch := "n/a"
	if a.Defined && b.Defined {
		ch = signed(b.Value.Sub(a.Value).Shift(2)) + " pp"
	}
	return []string{name, percent(a), percent(b), ch}
}

func (r *Report) title() string {
	s := "SMarketing report"
	if r.Schema == "" {
		return s + " (empty)"
	}
	return fmt.Sprintf("%s: %s periods, %s, as of %s", s, r.Granularity, r.Location, r.AsOf.Format("2006-01-02 15:04 MST"))
}

// WriteText writes the report as aligned plain-text tables. Host text
// (channels, reasons, criteria, goal labels, the zone's name) is shown
// as it is, except that control characters, line separators and
// bidirectional controls are written as visible escapes (\n, \x1b,
// \u202e), so that no such text can split a row, reach the terminal or
// reorder a line.
func (r Report) WriteText(w io.Writer) error {
	var buf bytes.Buffer
	fmt.Fprintln(&buf, plain(r.title()))
	for _, t := range r.tables() {
		fmt.Fprintf(&buf, "\n%s\n", plain(t.title))
		tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(mapStr(t.header, plain), "\t"))
		for _, row := range t.rows {
			fmt.Fprintln(tw, strings.Join(mapStr(row, plain), "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	// No trailing spaces: empty last cells would leave some.
	lines := strings.Split(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n"))
	return err
}

// plain makes a cell safe for a line-based table: the host's strings
// (goal labels, channels, reasons, criteria, the zone name in the title)
// may hold tabs, line breaks, terminal escape sequences or bidirectional
// overrides, which would split a row or a column, reach the reader's
// terminal, or show the line's text in another order than it has. Each
// such character (see isControl) is written as a visible Go-style escape
// (\t, \n, \r, \x1b, \u202e); JSON and CSV keep the exact text.
func plain(s string) string {
	i := strings.IndexFunc(s, isControl)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch {
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case isControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isControl reports the C0 controls and DEL (the C1 controls, U+0080 to
// U+009F, too, as some terminals obey them), the line and paragraph
// separators U+2028 and U+2029 (line breaks to some viewers), and the
// invisible bidirectional marks, embeddings, overrides and isolates
// (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069), which
// reorder the text after them ("Trojan Source").
func isControl(r rune) bool {
	switch {
	case r < 0x20:
		return true
	case r < 0x7f:
		return false
	case r <= 0x9f:
		return true
	}
	return r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x2028 && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// mdEscape makes a cell (or a title) safe for a Markdown table row or
// heading: after [plain], a backslash before each character that
// Markdown would read as markup, so the host's text shows as it is
// rather than as a link, emphasis, code, raw HTML (a <script> or <img>
// tag) or an entity, and a pipe cannot end the cell: | < > & [ ] * ` ~,
// _ unless between two ASCII letters or digits (where it is never
// emphasis: on_track stays as it is), and \ before ASCII punctuation (a
// backslash before anything else is already literal, so the escapes of
// plain, such as \n, stay as they are).
func mdEscape(s string) string {
	s = plain(s)
	i := 0
	for i < len(s) && !mdNeedsEscape(s, i) {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		if mdNeedsEscape(s, i) {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mdNeedsEscape says whether s[i] needs a backslash before it in
// Markdown (see mdEscape).
func mdNeedsEscape(s string, i int) bool {
	switch s[i] {
	case '|', '<', '>', '&', '[', ']', '*', '`', '~':
		return true
	case '_':
		return i == 0 || i+1 == len(s) || !isAlnum(s[i-1]) || !isAlnum(s[i+1])
	case '\\':
		return i+1 < len(s) && isASCIIPunct(s[i+1])
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isASCIIPunct reports the characters a Markdown backslash escapes.
func isASCIIPunct(c byte) bool { return c > ' ' && c < 0x7f && !isAlnum(c) }

// WriteMarkdown writes the report for the review meeting: the scorecard
// first, then the funnel, then what changed since the previous period,
// then the trends and details. Host text is escaped as in
// [Report.WriteText], and Markdown markup in it (| < > & [ ] * _ ` ~ \)
// is backslash-escaped, so that it reads as the same text and never as a
// link, emphasis, code, raw HTML or the end of a table cell.
func (r Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s\n", mdEscape(r.title()))
	for _, t := range r.tables() {
		fmt.Fprintf(bw, "\n## %s\n\n", mdEscape(t.title))
		fmt.Fprintf(bw, "| %s |\n|", strings.Join(mapStr(t.header, mdEscape), " | "))
		for range t.header {
			bw.WriteString(" --- |")
		}
		bw.WriteString("\n")
		for _, row := range t.rows {
			fmt.Fprintf(bw, "| %s |\n", strings.Join(mapStr(row, mdEscape), " | "))
		}
	}
	return bw.Flush()
}

func mapStr(ss []string, f func(string) string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

// WriteCSV writes every figure as one row of a long table with the header
// period,section,subject,object,metric,value: subject and object are
// stages, channels, reasons or criteria depending on the section.
// Rates are ratios to [RatePlaces]; durations are integer nanoseconds;
// undefined values are empty. A subject or object that begins with =, +,
// -, @, a tab or a carriage return (host text: a channel, a reason, a
// criterion) is written with an apostrophe before it, so that a
// spreadsheet opening the file shows it as text rather than running it
// as a formula (CSV injection); [Report.WriteJSON] keeps such text as it
// is.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	row := func(cells ...string) {
		cells[2], cells[3] = csvText(cells[2]), csvText(cells[3])
		_ = cw.Write(cells)
	}
	row("period", "section", "subject", "object", "metric", "value")
	rate := func(p, sec, a, b, m string, x Rate) {
		v := ""
		if x.Defined {
			v = x.Value.String()
		}
		row(p, sec, a, b, m+"_num", itoa(x.Num))
		row(p, sec, a, b, m+"_den", itoa(x.Den))
		row(p, sec, a, b, m, v)
	}
	vel := func(p, sec, a, m string, v Velocity) {
		row(p, sec, a, "", m+"_count", itoa(v.Count))
		if v.Count > 0 {
			row(p, sec, a, "", m+"_median_ns", itoa(int64(v.Median)))
			row(p, sec, a, "", m+"_p90_ns", itoa(int64(v.P90)))
			row(p, sec, a, "", m+"_mean_ns", itoa(int64(v.Mean)))
		}
	}
	share := func(p, sec, m string, s Share) {
		v := ""
		if s.Defined {
			v = s.Value.String()
		}
		row(p, sec, "", "", m+"_amount", s.Amount.String())
		row(p, sec, "", "", m, v)
	}
	for i := range r.Periods {
		p := &r.Periods[i]
		for _, s := range p.Stages {
			st := string(s.Stage)
			row(p.Label, "stage", st, "", "first_entries", itoa(s.FirstEntries))
			row(p.Label, "stage", st, "", "entries", itoa(s.Entries))
			row(p.Label, "stage", st, "", "population", itoa(s.Population))
			vel(p.Label, "stage", st, "time_in_stage", s.TimeInStage)
		}
		for _, c := range p.Flow {
			rate(p.Label, "flow", string(c.From), string(c.To), "rate", c.Rate)
		}
		for _, c := range p.Cohort {
			rate(p.Label, "cohort", string(c.From), string(c.To), "rate", c.Rate)
			row(p.Label, "cohort", string(c.From), string(c.To), "mature", strconv.FormatBool(c.Mature))
			row(p.Label, "cohort", string(c.From), string(c.To), "mature_members", itoa(c.MatureMembers))
		}
		vel(p.Label, "lead_to_customer", "", "cycle", p.LeadToCustomer)
		o := &p.Outcomes
		rate(p.Label, "outcomes", "", "", "win_rate", o.WinRate)
		row(p.Label, "outcomes", "", "", "won_amount", o.WonAmount.String())
		row(p.Label, "outcomes", "", "", "average_deal", optDec(o.AverageDeal, o.AverageDealDefined))
		vel(p.Label, "outcomes", "", "sales_cycle", o.SalesCycle)
		row(p.Label, "outcomes", "", "", "opportunities", itoa(o.Opportunities))
		row(p.Label, "outcomes", "", "", "pipeline_velocity_per_day", optDec(o.PipelineVelocity, o.PipelineVelocityDefined))
		row(p.Label, "outcomes", "", "", "qualified_leads", itoa(o.QualifiedLeads))
		rate(p.Label, "outcomes", "", "", "lead_velocity_rate", o.LeadVelocity)
		rate(p.Label, "outcomes", "", "", "recycle_rate", o.RecycleRate)
		rate(p.Label, "outcomes", "", "", "recycle_yield", o.RecycleYield)
		v := &p.Revenue
		row(p.Label, "revenue", "", "", "won", v.Won.String())
		share(p.Label, "revenue", "marketing_sourced", v.MarketingSourced)
		share(p.Label, "revenue", "sales_sourced", v.SalesSourced)
		share(p.Label, "revenue", "other_sourced", v.OtherSourced)
		share(p.Label, "revenue", "marketing_influenced", v.MarketingInfluenced)
		for _, a := range v.Attribution {
			for _, c := range a.Credits {
				row(p.Label, "attribution", string(a.Model), c.Channel, "credit", c.Amount.String())
			}
			row(p.Label, "attribution", string(a.Model), "", "unattributed", a.Unattributed.String())
		}
		s := &p.Service
		rate(p.Label, "service", "", "", "acceptance", s.Acceptance)
		for _, rc := range s.Rejections {
			rate(p.Label, "rejections", "", rc.Reason, "share", rc.Share)
		}
		for _, c := range s.ByCriterion {
			rate(p.Label, "criterion", c.Criterion, "", "rejected", c.Rejected)
			for _, rc := range c.Reasons {
				rate(p.Label, "criterion", c.Criterion, rc.Reason, "share", rc.Share)
			}
		}
		rate(p.Label, "service", "", "", "sla_compliance", s.SLA)
		row(p.Label, "service", "", "", "sla_pending", itoa(s.Pending))
		b := s.SpeedToLead
		for _, kv := range []struct {
			k string
			v int64
		}{{"under_5m", b.Under5}, {"from_5m_under_15m", b.Under15}, {"from_15m_under_60m", b.Under60}, {"from_60m", b.Over60}, {"untouched", b.Untouched}} {
			row(p.Label, "speed_to_lead", "", "", kv.k, itoa(kv.v))
		}
		vel(p.Label, "service", "", "response_time", s.ResponseTime)
	}
	for _, a := range r.Aging {
		vel("", "aging", string(a.Stage), "open", a.Open)
	}
	for _, sg := range r.Segments {
		for _, p := range sg.Periods {
			for _, s := range p.Stages {
				key := sg.Dimension + "=" + sg.Value
				row(p.Label, "segment:"+key, string(s.Stage), "", "first_entries", itoa(s.FirstEntries))
				row(p.Label, "segment:"+key, string(s.Stage), "", "entries", itoa(s.Entries))
				row(p.Label, "segment:"+key, string(s.Stage), "", "population", itoa(s.Population))
			}
			for _, c := range p.Flow {
				rate(p.Label, "segment:"+sg.Dimension+"="+sg.Value, string(c.From), string(c.To), "flow", c.Rate)
			}
		}
	}
	if r.Scorecard != nil {
		for _, l := range r.Scorecard.Lines {
			row(r.Scorecard.Period, "scorecard", l.Goal.Metric, "", "actual", optDec(l.Actual, l.ActualDefined))
			row(r.Scorecard.Period, "scorecard", l.Goal.Metric, "", "target", l.Goal.Target.String())
			row(r.Scorecard.Period, "scorecard", l.Goal.Metric, "", "attainment", optDec(l.Attainment, l.AttainmentDefined))
			row(r.Scorecard.Period, "scorecard", l.Goal.Metric, "", "change", optDec(l.Change, l.ActualDefined && l.PreviousDefined))
			row(r.Scorecard.Period, "scorecard", l.Goal.Metric, "", "status", string(l.Status))
			if strings.HasPrefix(l.Goal.Metric, "cohort:") {
				row(r.Scorecard.Period, "scorecard", l.Goal.Metric, "", "immature", strconv.FormatBool(l.Immature))
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvText defuses host text that a spreadsheet would read as a formula.
func csvText(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

func optDec(d decimal.Decimal, ok bool) string {
	if !ok {
		return ""
	}
	return d.String()
}

// WriteJSON writes the report as indented JSON following the schema
// [SchemaVersion] (documented in doc.go). Decimals are JSON strings,
// durations integer nanoseconds, times RFC 3339.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ParseReport decodes a report written by [Report.WriteJSON], the zero
// Report's included (its schema is empty). Unknown fields and other
// schema versions are rejected with [ErrEncoding].
func ParseReport(data []byte) (Report, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Report
	if err := dec.Decode(&r); err != nil {
		return Report{}, fmt.Errorf("%w: report: %v", ErrEncoding, err)
	}
	if !atEnd(dec, data) {
		return Report{}, fmt.Errorf("%w: report: trailing data", ErrEncoding)
	}
	if r.Schema != SchemaVersion && !(r.Schema == "" && isZeroReport(r)) {
		return Report{}, fmt.Errorf("%w: report: schema %q, want %q", ErrEncoding, r.Schema, SchemaVersion)
	}
	return r, nil
}

// isZeroReport reports whether r, decoded from JSON, is the zero Report
// (what the zero Accumulator returns), by comparing the JSON forms.
func isZeroReport(r Report) bool {
	a, err1 := json.Marshal(r)
	b, err2 := json.Marshal(Report{})
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}
