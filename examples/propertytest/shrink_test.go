package propertytest

// Not part of what a host copies: this test keeps the README's
// demonstration true. It runs the two laws against the broken variant in
// a child process (this test binary, with SMARKETING_BROKEN=1) and checks
// that rapid fails them, shrinks the failing input and says how to replay
// it.

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestBrokenVariantIsShrunkAndReported(t *testing.T) {
	if Broken() {
		t.Skip("this is the child process, or the broken variant was asked for")
	}
	if testing.Short() {
		t.Skip("runs a child process")
	}
	cmd := exec.Command(os.Args[0],
		"-test.run=^(TestUnsubscribedIsNeverHot|TestSalesGetsOnlyFitOrAsked)$", "-test.count=1",
		"-rapid.seed=1", "-rapid.nofailfile") // no testdata/rapid left behind
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
		"[rapid] failed after",
		"lead that unsubscribed is high interest",
		"+1000  unsubscribed",
		"sends a lead that does not fit (fit 0) to sales",
		`To reproduce, specify -run="TestUnsubscribedIsNeverHot" -rapid.seed=`,
		`To reproduce, specify -run="TestSalesGetsOnlyFitOrAsked" -rapid.seed=`,
		// Shrunk: the unsubscribe law fails on a lead with nothing at all
		// but the unsubscribe the test adds.
		`[rapid] draw lead: propertytest.Lead{Email:"", Employees:0, Industry:"", Country:"", Events:[]propertytest.Event(nil)}`,
		// and the policy law on a lead with no profile.
		`[rapid] draw lead: propertytest.Lead{Email:"", Employees:0, Industry:"", Country:"", Events:[]propertytest.Event{`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
