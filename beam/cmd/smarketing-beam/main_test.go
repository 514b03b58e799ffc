package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

func TestMain(m *testing.M) {
	flag.Parse()
	beam.Init()
	os.Exit(m.Run())
}

func TestParseOut(t *testing.T) {
	for in, want := range map[string][2]string{
		"r.html":             {"r.html", "html"},
		"/x/y.MD":            {"/x/y.MD", "markdown"},
		"text=report.out":    {"report.out", "text"},
		"md=gs://b/r":        {"gs://b/r", "markdown"},
		"gs://b/a=b/r.json":  {"gs://b/a=b/r.json", "json"},
		"binary=/tmp/x.data": {"/tmp/x.data", "binary"},
	} {
		p, f, err := parseOut(in)
		if err != nil || p != want[0] || f != want[1] {
			t.Errorf("parseOut(%q) = %q, %q, %v; want %q", in, p, f, err, want)
		}
	}
	if _, _, err := parseOut("report.pdf"); err == nil {
		t.Error("parseOut(report.pdf): no error")
	}
}

// TestRun runs the command end to end on Prism: generate a CSV log, build
// the report in every format plus the dead letters, and -compare it with
// the in-process report (run fails if any output differs).
func TestRun(t *testing.T) {
	dir := t.TempDir()
	set := func(name, value string) {
		t.Helper()
		if err := flag.Set(name, value); err != nil {
			t.Fatal(err)
		}
	}
	set("input", filepath.Join(dir, "log.csv"))
	set("generate", "3000")
	set("compare", "true")
	set("shards", "3")
	set("dead", filepath.Join(dir, "dead.jsonl"))
	outs = nil
	for _, o := range []string{"r.txt", "r.md", "r.csv", "r.json", "r.html", "r.bin"} {
		set("out", filepath.Join(dir, o))
	}
	if err := run(context.Background()); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "r.html"))
	if err != nil || !strings.Contains(string(html), "<svg") {
		t.Errorf("HTML report: %v, %d bytes without an SVG chart", err, len(html))
	}
	if d, err := os.ReadFile(filepath.Join(dir, "dead.jsonl")); err != nil || len(d) != 0 {
		t.Errorf("dead letters: %q, %v; want an empty file", d, err)
	}
}
