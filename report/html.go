package report

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strings"
)

const htmlStyle = `body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em;color:#1d2330;max-width:72em}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em;border-bottom:1px solid #d9dde5;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0}th,td{padding:.25em .7em;border-bottom:1px solid #eceff4;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f4f6fa}
.on_track{color:#17663a;font-weight:600}.at_risk{color:#9a6700;font-weight:600}.missed{color:#b42318;font-weight:600}.no_data{color:#6b7280}.pending{color:#1d4ed8}
svg text{font-family:inherit;font-size:12px;fill:#1d2330}`

// WriteHTML writes a self-contained HTML page: the scorecard, a funnel
// chart of the current period ([Report.Current]) with the flow conversion
// between stages, trend charts of first-time entries per period, and every
// table of [Report.WriteText]. It has inline CSS and SVG only: no
// JavaScript, no external assets.
func (r Report) WriteHTML(w io.Writer) error {
	bw := bufio.NewWriter(w)
	esc := html.EscapeString
	fmt.Fprintf(bw, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n<style>\n%s\n</style>\n</head>\n<body>\n<h1>%s</h1>\n",
		esc(r.title()), htmlStyle, esc(r.title()))
	tables := r.tables()
	i := 0
	if r.Scorecard != nil && len(r.Scorecard.Lines) > 0 {
		writeHTMLTable(bw, tables[0], true)
		i = 1
	}
	r.funnelSVG(bw)
	r.trendSVG(bw)
	for ; i < len(tables); i++ {
		writeHTMLTable(bw, tables[i], false)
	}
	bw.WriteString("</body>\n</html>\n")
	return bw.Flush()
}

func writeHTMLTable(bw *bufio.Writer, t table, status bool) {
	esc := html.EscapeString
	fmt.Fprintf(bw, "<h2>%s</h2>\n<table>\n<tr>", esc(t.title))
	for _, h := range t.header {
		fmt.Fprintf(bw, "<th>%s</th>", esc(h))
	}
	bw.WriteString("</tr>\n")
	for _, row := range t.rows {
		bw.WriteString("<tr>")
		for j, c := range row {
			if status && j == len(row)-1 {
				fmt.Fprintf(bw, "<td class=\"%s\">%s</td>", esc(c), esc(strings.ReplaceAll(c, "_", " ")))
				continue
			}
			fmt.Fprintf(bw, "<td>%s</td>", esc(c))
		}
		bw.WriteString("</tr>\n")
	}
	bw.WriteString("</table>\n")
}

// funnelSVG draws the latest period's entries per path stage as centred
// bars, with the flow conversion to the next stage between them.
func (r *Report) funnelSVG(bw *bufio.Writer) {
	cur, _ := r.latest()
	if cur == nil {
		return
	}
	path := pathStages(r)
	const width, barH, gap, left = 640, 28, 22, 120
	var maxE int64
	for _, i := range path {
		maxE = max(maxE, stageAt(cur, i).Entries)
	}
	h := len(path)*(barH+gap) + 10
	fmt.Fprintf(bw, "<h2>Funnel %s: entries per stage, flow conversion between stages</h2>\n", html.EscapeString(cur.Label))
	fmt.Fprintf(bw, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"funnel\">\n", width+left+80, h, width+left+80, h)
	for k, i := range path {
		s := stageAt(cur, i)
		y := 5 + k*(barH+gap)
		bar := int64(2)
		if maxE > 0 {
			bar = max(2, s.Entries*width/maxE)
		}
		x := int64(left) + (width-bar)/2
		fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left-8, y+barH/2+4, html.EscapeString(string(s.Stage)))
		fmt.Fprintf(bw, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#3b6fd8\" rx=\"3\"/>\n", x, y, bar, barH)
		fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\">%d</text>\n", left+width+8, y+barH/2+4, s.Entries)
		if k+1 < len(path) && k < len(cur.Flow) {
			fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">↓ %s</text>\n", left+width/2, y+barH+gap/2+5, percent(cur.Flow[k].Rate))
		}
	}
	bw.WriteString("</svg>\n")
}

// trendSVG draws first-time entries per period for each path stage as
// small bar charts (one row per stage, one bar per period).
func (r *Report) trendSVG(bw *bufio.Writer) {
	if len(r.Periods) == 0 {
		return
	}
	path := pathStages(r)
	const rowH, left, chartW = 70, 120, 600
	n := len(r.Periods)
	barW := max(2, chartW/n-2)
	h := len(path)*rowH + 24
	fmt.Fprintf(bw, "<h2>Trend: first-time entries per period</h2>\n")
	fmt.Fprintf(bw, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"trends\">\n", left+chartW+60, h, left+chartW+60, h)
	for k, i := range path {
		var maxV int64
		for _, p := range r.Periods {
			maxV = max(maxV, stageAt(&p, i).FirstEntries)
		}
		base := (k+1)*rowH - 8
		fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left-8, base-4, html.EscapeString(string(r.Stages[i].Stage)))
		fmt.Fprintf(bw, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c8cdd6\"/>\n", left, base, left+chartW, base)
		for j, p := range r.Periods {
			v := stageAt(&p, i).FirstEntries
			bh := int64(0)
			if maxV > 0 {
				bh = v * (rowH - 20) / maxV
			}
			x := left + j*(chartW/n)
			fmt.Fprintf(bw, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#5a8f5a\"><title>%s: %d</title></rect>\n",
				x, int64(base)-bh, barW, bh, html.EscapeString(p.Label), v)
		}
		fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\">max %d</text>\n", left+chartW+6, base-4, maxV)
	}
	fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\">%s</text>\n", left, h-4, html.EscapeString(r.Periods[0].Label))
	fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left+chartW, h-4, html.EscapeString(r.Periods[n-1].Label))
	bw.WriteString("</svg>\n")
}
