package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from golden (-want +got):\n%s", name, diff)
	}
}

func TestRenderersGolden(t *testing.T) {
	r := smallReport(t, nil)
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"small.txt", func(b *bytes.Buffer) error { return r.WriteText(b) }},
		{"small.md", func(b *bytes.Buffer) error { return r.WriteMarkdown(b) }},
		{"small.csv", func(b *bytes.Buffer) error { return r.WriteCSV(b) }},
		{"small.json", func(b *bytes.Buffer) error { return r.WriteJSON(b) }},
		{"small.html", func(b *bytes.Buffer) error { return r.WriteHTML(b) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b1, b2 bytes.Buffer
			if err := tc.write(&b1); err != nil {
				t.Fatal(err)
			}
			if err := tc.write(&b2); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
				t.Fatal("two renderings differ")
			}
			golden(t, tc.name, b1.Bytes())
		})
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := smallReport(t, nil).WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, bad := range []string{"<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(s, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	if strings.Count(s, "<svg") != 2 {
		t.Errorf("want 2 inline SVG charts")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	r := smallReport(t, nil)
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	got, err := report.ParseReport(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestMarkdownOrder(t *testing.T) {
	var b bytes.Buffer
	if err := smallReport(t, nil).WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	sc, fu, ch := strings.Index(s, "## Scorecard"), strings.Index(s, "## Funnel"), strings.Index(s, "## What changed")
	if !(sc >= 0 && sc < fu && fu < ch) {
		t.Errorf("want scorecard, funnel, what changed in that order: %d %d %d", sc, fu, ch)
	}
}

// TestJSONSchemaIsDocumented checks that every field name the JSON
// renderer writes (for a report with every optional section: cohorts,
// aging, segments, attribution, rejections by criterion, a scorecard) is
// named in the schema section of doc.go, so the documented schema cannot
// fall behind the Go types.
func TestJSONSchemaIsDocumented(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, schema, ok := strings.Cut(string(src), "# JSON schema")
	if !ok {
		t.Fatal("doc.go has no JSON schema section")
	}
	r := smallReport(t, nil)
	sc := report.NewScorecard(r, append(smallConfig().Goals,
		report.Goal{Metric: "response_minutes_median", Label: "follow-up", Target: dec("5"), AtMost: true, AtRisk: dec("0.8")}))
	r.Scorecard = &sc
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				keys[k] = true
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	for _, k := range []string{"segments", "aging", "scorecard", "cohort", "attribution", "by_criterion", "mature_members", "at_most", "at_risk", "label"} {
		if !keys[k] {
			t.Errorf("the test report lacks %q: it must exercise every section", k)
		}
	}
	word := regexp.MustCompile(`[a-z0-9_]+`)
	documented := map[string]bool{}
	for _, w := range word.FindAllString(schema, -1) {
		documented[w] = true
	}
	for k := range keys {
		if !documented[k] {
			t.Errorf("JSON field %q is not in doc.go's schema section", k)
		}
	}
}

// A stay or an age of more than 29 years (a lead untouched since a
// legacy import) overflowed the text, Markdown and HTML renderers'
// duration arithmetic: 40 years read "-8210.-3d" while JSON and CSV had
// the right nanoseconds.
func TestRenderersShowDecadesOfAging(t *testing.T) {
	since := time.Date(1986, 1, 1, 0, 0, 0, 0, time.UTC)
	asOf := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // 14 610 days later
	acc, err := report.NewAccumulator(report.Config{Path: testPath, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if err := acc.AddEvent(funnel.Event{Lead: "old", Version: 1, At: since, To: funnel.Subscriber, FirstEntry: true}); err != nil {
		t.Fatal(err)
	}
	r := acc.Report()
	if len(r.Aging) != 1 || r.Aging[0].Open.Median != asOf.Sub(since) {
		t.Fatalf("aging %+v, want one stay of %v", r.Aging, asOf.Sub(since))
	}
	for name, write := range map[string]func(io.Writer) error{"text": r.WriteText, "markdown": r.WriteMarkdown, "html": r.WriteHTML} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(b.String(), "14610.0d"); n != 3 || strings.Contains(b.String(), ".-") {
			t.Errorf("%s: want median, p90 and mean as 14610.0d (found %d):\n%s", name, n, b.String())
		}
	}
}

// Host strings reach the tables (a rejection reason, a scoring
// criterion): a tab, a line break or a terminal escape in one must not
// split a row or a column of the text and Markdown tables, nor reach the
// reader's terminal; each is written as a visible escape, while JSON keeps
// the exact text.
func TestRenderersEscapeControlCharacters(t *testing.T) {
	asOf := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	acc, err := report.NewAccumulator(report.Config{Path: testPath, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	const reason, criterion = "bad\tdata\nsee|notes\r", "title\x1b[31m\u0085cfo"
	if err := acc.Add(report.DecisionRecord(report.Decision{
		Lead: "L1", At: asOf.Add(-time.Hour), Reason: reason, Criteria: []string{criterion},
	})); err != nil {
		t.Fatal(err)
	}
	r := acc.Report()
	for name, write := range map[string]func(io.Writer) error{"text": r.WriteText, "markdown": r.WriteMarkdown} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if strings.ContainsAny(out, "\t\r\x1b\u0085") {
			t.Errorf("%s: raw control characters in the output:\n%q", name, out)
		}
		wants := []string{`bad\tdata\nsee`, `notes\r`, `title\x1b[31m\u0085cfo`}
		if name == "markdown" {
			wants[2] = `title\x1b\[31m\u0085cfo` // [ is Markdown markup
		}
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("%s: no %q in:\n%s", name, want, out)
			}
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "notes") || strings.HasPrefix(line, "| notes") || strings.HasPrefix(line, "data") {
				t.Errorf("%s: a host string split a row: %q", name, line)
			}
		}
		if name == "markdown" && !strings.Contains(out, `see\|notes`) {
			t.Errorf("markdown: the pipe is not escaped:\n%s", out)
		}
	}
	j, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(j, []byte(`bad\tdata\nsee|notes\r`)) {
		t.Errorf("JSON lost the exact reason: %s", j)
	}
}
