package propertytest

// Not part of what a host copies: this test keeps the README's
// demonstration true. It runs the two laws against the broken variant in
// a child process (this test binary, with SMARKETING_BROKEN=1) and checks
// that rapid fails them, shrinks the failing input and says how to replay
// it, as examples/README.md shows.

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smarketing/smarketing/examples/internal/readmetest"
)

func TestBrokenVariantIsShrunkAndReported(t *testing.T) {
	if Broken() {
		t.Skip("this is the child process, or the broken variant was asked for")
	}
	if testing.Short() {
		t.Skip("runs a child process")
	}
	bin, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin,
		"-test.run=^(TestUnsubscribedIsNeverHot|TestSalesGetsOnlyFitOrAsked)$", "-test.count=1", "-rapid.seed=1")
	// rapid replays the cases it kept under testdata/rapid of the working
	// directory before anything else: in an empty one, the run is the
	// same whatever a user's earlier runs left behind, and leaves nothing.
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "SMARKETING_BROKEN=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the broken variant should fail its laws; got %v:\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{
		"--- FAIL: TestUnsubscribedIsNeverHot",
		"--- FAIL: TestSalesGetsOnlyFitOrAsked",
		"lead that unsubscribed is high interest",
		"+1000  unsubscribed",
		"sends a lead that does not fit (fit 0) to sales",
		`To reproduce, specify -run="TestUnsubscribedIsNeverHot" -rapid.failfile="testdata/rapid/`,
		`To reproduce, specify -run="TestSalesGetsOnlyFitOrAsked" -rapid.failfile="testdata/rapid/`,
		// Shrunk: the unsubscribe law fails on a lead with nothing at all
		// but the unsubscribe the test adds,
		`[rapid] draw lead: propertytest.Lead{Email:"", Employees:0, Industry:"", Country:"", Events:[]propertytest.Event(nil)}`,
		// and the policy law on a lead with no profile.
		`[rapid] draw lead: propertytest.Lead{Email:"", Employees:0, Industry:"", Country:"", Events:[]propertytest.Event{`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	want, err := readmetest.Block("../README.md", "## Property test: your configuration in CI", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := readmetest.Match(want, readmetest.Lines(out)); err != nil {
		t.Errorf("examples/README.md does not show what the broken variant prints:\n%v", err)
	}
	// The kept cases went to the temporary directory, not to the package's.
	if _, err := os.Stat(filepath.Join(cmd.Dir, "testdata", "rapid")); err != nil {
		t.Errorf("rapid kept no failing case: %v", err)
	}
}
