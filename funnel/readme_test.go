package funnel_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
)

// readmeTaste is the root README's "A taste" code, line for line between
// the markers (TestREADMETaste compares them), so that the README shows
// code that compiles and prints what its comments say.
func readmeTaste(t0, t1 time.Time) error {
	var log []funnel.Event
	// taste:begin
	model := funnel.Default()

	st := funnel.State{Lead: "c-42"}
	st, ev, err := model.Apply(st, funnel.Move{To: funnel.Lead, At: t0, Actor: "form:/trial"})
	if err != nil {
		return err // typed: errors.Is(err, funnel.ErrNotAllowed), errors.As(err, &moveErr), ...
	}
	log = append(log, ev) // the audit record; store it with st in one transaction

	st, ev, err = model.Apply(st, funnel.Move{
		To: funnel.Nurture, At: t1, Actor: "rep:ana", Reason: "bad_timing", // detours and backward moves carry a reason
	})
	if err != nil {
		return err
	}
	log = append(log, ev)
	fmt.Println(st.Stage, st.TimeIn(funnel.Lead, t1)) // nurture 72h0m0s

	again, err := model.Replay("c-42", log) // rebuilds exactly the same state
	// taste:end
	if err != nil {
		return err
	}
	if !again.Equal(st) {
		return errors.New("replay differs from the state Apply returned")
	}
	fmt.Println("replayed:", again.Stage, again.Version)
	return nil
}

// The README's taste, run: the comments there show this output.
func Example_readmeTaste() {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if err := readmeTaste(t0, t0.Add(72*time.Hour)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// nurture 72h0m0s
	// replayed: nurture 2
}

// TestREADMETaste: the Go block under "## A taste" in the root README is
// exactly the code of readmeTaste between its markers.
func TestREADMETaste(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## A taste\n")
	if !ok {
		t.Fatal(`README.md has no "## A taste" section`)
	}
	_, block, ok := strings.Cut(after, "```go\n")
	if !ok {
		t.Fatal("no Go block in the taste section")
	}
	block, _, ok = strings.Cut(block, "```\n")
	if !ok {
		t.Fatal("unterminated Go block in the taste section")
	}
	src, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, code, _ := strings.Cut(string(src), "\t// taste:begin\n")
	code, _, _ = strings.Cut(code, "\t// taste:end\n")
	var lines []string
	for _, l := range strings.SplitAfter(code, "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	if diff := cmp.Diff(strings.SplitAfter(strings.Join(lines, ""), "\n"), strings.SplitAfter(block, "\n")); diff != "" {
		t.Errorf("README taste differs from readmeTaste (-test +README):\n%s", diff)
	}
}
