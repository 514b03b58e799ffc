package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
