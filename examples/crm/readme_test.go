package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/smarketing/smarketing/examples/internal/readmetest"
)

var (
	digits = regexp.MustCompile(`[0-9]+`)
	spaces = regexp.MustCompile(` +`)
)

// outputShape reduces the command's output, or the README's copy of it,
// to what does not depend on how the writers interleaved: numbers become
// 0, runs of spaces one space, the database path "...". In the README's
// copy, the outbox lines (which kinds and recipients show up varies) stand
// for "some outbox lines", and each funnel row for its stage name.
func outputShape(lines []string, readme bool) []string {
	var out []string
	table, outbox := false, false
	for _, l := range lines {
		l = spaces.ReplaceAllString(digits.ReplaceAllString(strings.TrimRight(l, " "), "0"), " ")
		switch {
		case strings.HasPrefix(l, "database: "):
			l = "database: ..."
		case readme && strings.HasPrefix(l, " ") && !outbox:
			outbox = true
			out = append(out, " ...", "...")
			continue
		case readme && strings.HasPrefix(l, " "):
			continue
		case readme && table && l != "":
			l = strings.Fields(l)[0] + " ..."
		}
		table = table || strings.HasPrefix(l, "stage first entries")
		out = append(out, l)
	}
	return out
}

// checkREADMEOutput checks the command's output against the README's
// block, in shape: the same lines in the same order, the same words, but
// for the numbers and the outbox's recipients.
func checkREADMEOutput(t *testing.T, output string) {
	t.Helper()
	want, err := readmetest.Block("../README.md", "## CRM: a host with a real database", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := readmetest.Match(outputShape(want, true), outputShape(readmetest.Lines([]byte(output)), false)); err != nil {
		t.Errorf("examples/README.md does not show what the command prints (numbers aside):\n%v", err)
	}
}

func TestOutputShape(t *testing.T) {
	readme := []string{
		"database: /tmp/x-123/crm.db",
		"outbox: 9 effects to deliver",
		"  notify ana             12",
		"  notify product         1",
		"",
		"stage                  first  entries",
		"lead                   200    200",
		"nurture (detour)       6      9",
	}
	got := []string{
		"database: /var/folders/y/crm.db",
		"outbox: 30 effects to deliver",
		"  escalate manager       2",
		"  notify bruno           28",
		"",
		"stage                  first  entries",
		"lead                   40     41",
		"nurture (detour)       -      -",
	}
	if err := readmetest.Match(outputShape(readme, true), outputShape(got, false)); err != nil {
		t.Errorf("same shape: %v", err)
	}
	got[6] = "mql 1 1"
	if err := readmetest.Match(outputShape(readme, true), outputShape(got, false)); err == nil {
		t.Error("another stage in a row: no error")
	}
}
