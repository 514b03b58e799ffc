package main

import (
	"bytes"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smarketing/smarketing/examples/internal/readmetest"
)

var update = flag.Bool("update", false, "rewrite the output shown in examples/README.md from what the quickstart prints now")

const (
	readme        = "../README.md"
	readmeHeading = "## Quickstart: a simulated quarter"
)

// TestREADMEShowsTheOutput runs the README's command (the default flags:
// seed 1, 3000 contacts) and checks that examples/README.md shows what it
// prints today, byte for byte but for the directory of the HTML file.
// When the output changes on purpose,
//
//	go test ./examples/quickstart -run README -update
//
// rewrites the README's block.
func TestREADMEShowsTheOutput(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", filepath.Join(dir, "smarketing-report.html")}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	got := readmetest.Lines([]byte(strings.ReplaceAll(stdout.String(), dir, "/path/to")))
	if *update {
		if err := readmetest.Replace(readme, readmeHeading, 1, got); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := readmetest.Block(readme, readmeHeading, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := readmetest.Match(want, got); err != nil {
		t.Errorf("examples/README.md does not show what the quickstart prints (if the change is meant, `go test ./examples/quickstart -run README -update` rewrites it):\n%v", err)
	}
}
