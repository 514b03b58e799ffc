package main

import (
	"bytes"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smarketing/smarketing/examples/internal/readmetest"
)

const (
	readme        = "../README.md"
	readmeHeading = "## Webhook: a qualification service"
)

var curlLine = regexp.MustCompile(`^curl -s --json '([^']*)' localhost:8080(/\S*)$`)

// TestREADMECommands sends the README's curl commands, in order, to a
// fresh service (through its handler, from a fixed Monday 10:00 in
// Madrid, a minute apart) and checks that the README shows what they print.
func TestREADMECommands(t *testing.T) {
	cmds, err := readmetest.Block(readme, readmeHeading, 0)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	var out bytes.Buffer
	n := 0
	for _, line := range cmds {
		if !strings.HasPrefix(line, "curl ") {
			continue
		}
		m := curlLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("README command %q is not of the form curl -s --json '...' localhost:8080/...", line)
		}
		n++
		h.clock.Add(time.Minute) // a minute between commands
		req := httptest.NewRequest("POST", m[2], strings.NewReader(m[1]))
		req.Header.Set("Content-Type", "application/json") // what curl --json sends
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		out.Write(rec.Body.Bytes())
	}
	if n == 0 {
		t.Fatal("no curl command in the README")
	}
	want, err := readmetest.Block(readme, readmeHeading, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := readmetest.Match(want, readmetest.Lines(out.Bytes())); err != nil {
		t.Errorf("examples/README.md does not show what its curl commands print:\n%v", err)
	}
}
