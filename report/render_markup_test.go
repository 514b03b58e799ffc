package report_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// TestRenderersNeutraliseHostMarkup: host text that is Markdown or HTML
// markup (a channel that is an <img> tag, a reason that is a link, a goal
// label with emphasis and a code span) shows in the Markdown as the text
// it is, never as markup; a bidirectional override cannot reorder a line
// of the text or Markdown output; and the zone's name, host text too
// (time.FixedZone), is escaped in the title like any cell.
func TestRenderersNeutraliseHostMarkup(t *testing.T) {
	zone := time.FixedZone("HQ\n\x1b[2J<b>*", 0)
	asOf := time.Date(2026, 3, 31, 0, 0, 0, 0, zone)
	const (
		channel = `<img src=x onerror=alert(1)>`
		reason  = "[click](http://x) \u202etxt.exe"
		label   = "**MQLs** `a month` \\| & _all_"
	)
	acc, err := report.NewAccumulator(report.Config{
		Path: testPath, Location: zone, AsOf: asOf,
		Goals: []report.Goal{{Metric: "first_entries:mql", Label: label, Target: decimal.NewFromInt(3)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range []report.Record{
		report.EventRecord(funnel.Event{Lead: "a", Version: 1, At: asOf.Add(-72 * time.Hour), To: funnel.MQL, FirstEntry: true}),
		report.TouchRecord(report.Touch{Lead: "a", At: asOf.Add(-48 * time.Hour), Channel: channel}),
		report.DealRecord(report.Deal{ID: "D", Lead: "a", Amount: decimal.NewFromInt(100), CreatedAt: asOf.Add(-48 * time.Hour), ClosedAt: asOf.Add(-24 * time.Hour), Won: true}),
		report.DecisionRecord(report.Decision{Lead: "a", At: asOf.Add(-time.Hour), Reason: reason, Criteria: []string{"c|<i>"}}),
	} {
		if err := acc.Add(rec); err != nil {
			t.Fatal(err)
		}
	}
	r := acc.Report()

	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		`# SMarketing report: month periods, HQ\n\x1b\[2J\<b\>\*, as of`,
		`\<img src=x onerror=alert(1)\>`,
		`\[click\](http://x) \u202etxt.exe`,
		`\*\*MQLs\*\* \` + "`" + `a month\` + "`" + ` \\\| \& \_all\_`,
		`c\|\<i\>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown: no %s in:\n%s", want, out)
		}
	}
	if m := regexp.MustCompile("(^|[^\\\\])[<>\\[\\]*`&~]").FindString(out); m != "" {
		t.Errorf("markdown: unescaped markup %q in:\n%s", m, out)
	}
	if strings.ContainsAny(out, "\x1b\u202e") {
		t.Errorf("markdown: raw escape or bidi override in:\n%q", out)
	}

	var txt bytes.Buffer
	if err := r.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	out = txt.String()
	if first, _, _ := strings.Cut(out, "\n"); !strings.HasPrefix(first, `SMarketing report: month periods, HQ\n\x1b[2J<b>*, as of`) {
		t.Errorf("text: the title is not one escaped line: %q", first)
	}
	if strings.ContainsAny(out, "\x1b\u202e") {
		t.Errorf("text: raw escape or bidi override in:\n%q", out)
	}
	if !strings.Contains(out, `[click](http://x) \u202etxt.exe`) {
		t.Errorf("text: the reason is not shown escaped:\n%s", out)
	}
}
