package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/smarketing/smarketing/beam/smbeam"
	"github.com/smarketing/smarketing/beam/smbeamtest"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

func TestMain(m *testing.M) {
	if os.Getenv("SMARKETING_BEAM_MAIN") == "1" {
		// Run as the command itself (see command below).
		os.Args = append([]string{"smarketing-beam"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	flag.Parse()
	beam.Init()
	os.Exit(m.Run())
}

// command runs the test binary as the smarketing-beam command with args
// and returns its exit status and output.
func command(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SMARKETING_BEAM_MAIN=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatal(err)
	return 0, "", ""
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
	for _, bad := range []string{"report.pdf", "pdf=report", "json="} {
		if _, _, err := parseOut(bad); err == nil {
			t.Errorf("parseOut(%s): no error", bad)
		}
	}
}

func TestFormatOf(t *testing.T) {
	for glob, want := range map[string]string{
		"logs/*.jsonl": "jsonl", "a/log.CSV": "csv", "log.jsonl.gz": "jsonl", "logs/*.csv.gz": "csv", "logs/*": "", "x.gz": "",
	} {
		if got := formatOf(glob); got != want {
			t.Errorf("formatOf(%q) = %q, want %q", glob, got, want)
		}
	}
}

// TestHelp: -h shows the command's own flags, then the runner flags its
// users need, not a hundred lines of Beam's; -help-beam shows them all.
// Both exit 0.
func TestHelp(t *testing.T) {
	code, out, errOut := command(t, "-h")
	help := out + errOut
	if code != 0 {
		t.Errorf("-h: exit status %d", code)
	}
	for _, want := range []string{"Usage: smarketing-beam -input GLOB -out [FMT=]PATH", "-input GLOB", "-out [FMT=]PATH", "-format FORMAT",
		"-spec FILE", "-dead PATH", "-shards N", "-generate N", "-compare", "-runner NAME", "prism (the default", "-endpoint",
		"-project", "-help-beam", "Exit status"} {
		if !strings.Contains(help, want) {
			t.Errorf("-h lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "-dataflow_kms_key") {
		t.Error("-h lists every Beam flag")
	}
	if strings.Index(help, "-input") > strings.Index(help, "-runner") {
		t.Error("-h lists Beam's flags before the command's own")
	}
	code, out, _ = command(t, "-help-beam")
	if code != 0 || !strings.Contains(out, "-dataflow_kms_key") || !strings.Contains(out, "-input GLOB") {
		t.Errorf("-help-beam: exit status %d, output:\n%s", code, out)
	}
}

// TestCommandErrors: mistakes on the command line exit 2 with a clear
// message on standard error; a log that does not exist fails the job
// (exit 1), without writing a report.
func TestCommandErrors(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log.jsonl")
	if err := os.WriteFile(log, []byte(`{"lead":"L1","version":1,"at":"2025-03-01T09:00:00Z","to":"lead","kind":"entry"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(spec, []byte(`{"path":["lead"],"periodd":"month"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.json")
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(log, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "-input is required"},
		{[]string{"-input", log}, "-out is required"},
		{[]string{"-input", filepath.Join(dir, "log.xml"), "-out", out}, `unknown input format "xml"`},
		{[]string{"-input", log, "-out", "r.pdf"}, "cannot tell the format"},
		{[]string{"-input", log, "-out", out, "-out", "json=" + out}, "already"},
		{[]string{"-input", log, "-out", out, "-dead", log}, "-dead " + log + ": that path is the input"},
		// The same file by another name: the run would read the log, then
		// overwrite it with the report or the dead letters.
		{[]string{"-input", log, "-out", out, "-dead", dir + "/./log.jsonl"}, "that path is the input"},
		{[]string{"-input", log, "-out", "json=" + dir + "/../" + filepath.Base(dir) + "/log.jsonl"}, "that path is the input"},
		{[]string{"-input", log, "-out", link}, "that path is the input file " + log},
		{[]string{"-input", filepath.Join(dir, "*.jsonl"), "-out", out, "-dead", filepath.Join(dir, "dead.jsonl")}, "the -input glob"},
		{[]string{"-input", log, "-out", out, "-out", "json=" + dir + "/./r.json"}, "already"},
		{[]string{"-input", log, "-out", out, "-spec", spec}, `unknown field "periodd"`},
		{[]string{"-input", log, "-out", out, "-spec", filepath.Join(dir, "none.json")}, "no such file"},
		{[]string{"-input", log, "-out", out, "-shards", "-1"}, "negative"},
		{[]string{"-input", log, "-out", out, "extra"}, "unexpected arguments"},
		{[]string{"-nosuchflag"}, "flag provided but not defined"},
	} {
		code, _, stderr := command(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit status %d, stderr:\n%s\nwant 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	code, _, stderr := command(t, "-input", filepath.Join(dir, "nosuch-*.jsonl"), "-out", out)
	// The match fails the job; the gate before the writers, if it runs,
	// fails it too: either says so.
	if code != 1 || !strings.Contains(stderr, "smarketing-beam: pipeline failed: no files matching pattern") &&
		!strings.Contains(stderr, "smarketing-beam: pipeline failed: smbeam: no file matches") {
		t.Errorf("missing log: exit status %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a report was written for a log that does not exist (%v)", err)
	}
	if code, _, stderr := command(t, "-input", log, "-out", out); code != 0 {
		t.Errorf("good run: exit status %d, stderr:\n%s", code, stderr)
	}
	if p, err := os.ReadFile(log); err != nil || !strings.HasPrefix(string(p), `{"lead":"L1"`) {
		t.Errorf("the log was overwritten: %q, %v", p, err)
	}
}

func set(t *testing.T, name, value string) {
	t.Helper()
	if err := flag.Set(name, value); err != nil {
		t.Fatal(err)
	}
}

// runWith sets the command's flags for one run of run() and restores
// them afterwards.
func runWith(t *testing.T, flags map[string]string, outPaths ...string) error {
	t.Helper()
	t.Cleanup(func() {
		for f := range flags {
			set(t, f, flag.Lookup(f).DefValue)
		}
		outs = nil
	})
	for f, v := range flags {
		set(t, f, v)
	}
	outs = nil
	for _, o := range outPaths {
		set(t, "out", o)
	}
	return run(context.Background())
}

// TestRun runs the command end to end on Prism over a gzip CSV log with
// bad lines and refused records: the report in every format, the dead
// letters, and -compare with the in-process report (run fails if any
// output differs or if a line is accounted for differently).
func TestRun(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "log.csv.gz")
	recs := append(smbeamtest.Generate(5, 3000),
		report.EventRecord(funnel.Event{ID: "x", Lead: "X", Version: 1, At: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), To: "churned"}))
	var log bytes.Buffer
	if err := smbeamtest.WriteLog(&log, smbeam.CSV, recs); err != nil {
		t.Fatal(err)
	}
	bad := []string{"deal,D1,L1,12.5.0,2025-01-01T00:00:00Z,,false,sales", "touch,L1"}
	log.WriteString(strings.Join(bad, "\n") + "\n")
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(log.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, o := range []string{"r.txt", "r.md", "r.csv", "r.json", "r.html", "r.bin"} {
		paths = append(paths, filepath.Join(dir, o))
	}
	deadPath := filepath.Join(dir, "dead.jsonl")
	if err := runWith(t, map[string]string{"input": in, "compare": "true", "shards": "3", "dead": deadPath}, paths...); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "r.html"))
	if err != nil || !strings.Contains(string(html), "<svg") {
		t.Errorf("HTML report: %v, %d bytes without an SVG chart", err, len(html))
	}
	d, err := os.ReadFile(deadPath)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(string(d)), "\n") {
		var dl smbeam.DeadLetter
		if err := json.Unmarshal([]byte(line), &dl); err != nil || dl.File != in || dl.Error == "" {
			t.Errorf("dead letter %q: %+v, %v", line, dl, err)
		}
		lines = append(lines, dl.Line)
	}
	want := append(bad, "event,x,X,,1,2025-05-01T00:00:00Z,,churned,,,,,false,0")
	slices.Sort(want)
	slices.Sort(lines)
	if !slices.Equal(lines, want) {
		t.Errorf("dead letters %q, want %q", lines, want)
	}
}

// TestRunGenerate: -generate writes a synthetic log that the run then
// reads; -compare finds the same report in-process.
func TestRunGenerate(t *testing.T) {
	dir := t.TempDir()
	if err := runWith(t, map[string]string{"input": filepath.Join(dir, "log.jsonl"), "generate": "2000", "compare": "true"},
		filepath.Join(dir, "r.json")); err != nil {
		t.Fatal(err)
	}
}

// TestRemoveWritten: after a failed run, the outputs it wrote are removed;
// an output from an earlier run stays.
func TestRemoveWritten(t *testing.T) {
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, "old.json"), filepath.Join(dir, "fresh.html")
	// An earlier run's output, written a moment before this run: in the
	// same second as its start (the outputs of a run were once told by
	// a modification time not before its start truncated to the second).
	recent, rewritten := filepath.Join(dir, "recent.md"), filepath.Join(dir, "rewritten.txt")
	for _, p := range []string{old, recent, rewritten} {
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now().Truncate(time.Second).Add(-time.Hour)
	past := start.Add(-time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{recent, rewritten} {
		if err := os.Chtimes(p, start.Add(time.Millisecond), start.Add(time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	// An output that is a link, as /dev/stdout is, to a file that changes
	// during the run (a terminal the runner logs to): removing it would
	// remove the link.
	target, link := filepath.Join(dir, "terminal"), filepath.Join(dir, "stdout")
	if err := os.WriteFile(target, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	o := smbeam.Options{
		Outputs:     map[string]string{old: "json", fresh: "html", recent: "markdown", rewritten: "text", link: "csv"},
		DeadLetters: filepath.Join(dir, "never-written.jsonl"),
	}
	before := outputTimes(context.Background(), o)
	// The failed run writes fresh and rewrites rewritten (with a time
	// before the earlier one's: clocks need not agree).
	if err := os.WriteFile(fresh, []byte("<html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rewritten, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(rewritten, past, past); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(link, []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(target, past, past); err != nil {
		t.Fatal(err)
	}
	removeWritten(context.Background(), o, before)
	for _, p := range []string{fresh, rewritten} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("the failed run's output %s is still there (%v)", filepath.Base(p), err)
		}
	}
	for _, p := range []string{old, recent} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("an earlier run's output was removed: %v", err)
		}
	}
	if _, err := os.Lstat(link); err != nil {
		t.Errorf("an output that is a link was removed: %v", err)
	}
}

// TestRunBadGzip: a 0-byte .gz and a truncated one next to a good log do
// not fail the run: each is one dead letter naming the file, the good
// log's report is written, and -compare accounts for the bad files as the
// pipeline does.
func TestRunBadGzip(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	if err := smbeamtest.WriteLog(&log, smbeam.JSONL, smbeamtest.Generate(7, 300)); err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(log.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"a.jsonl.gz": z.Bytes(), "b.jsonl.gz": nil, "c.jsonl.gz": z.Bytes()[:z.Len()/2]}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	deadPath := filepath.Join(dir, "dead.jsonl")
	if err := runWith(t, map[string]string{"input": filepath.Join(dir, "*.jsonl.gz"), "compare": "true", "dead": deadPath},
		filepath.Join(dir, "r.json")); err != nil {
		t.Fatal(err)
	}
	d, err := os.ReadFile(deadPath)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(d)), "\n") {
		var dl smbeam.DeadLetter
		if err := json.Unmarshal([]byte(line), &dl); err != nil || dl.Line != "" || !strings.HasPrefix(dl.Error, "smbeam: unreadable file: ") {
			t.Errorf("dead letter %q: %+v, %v", line, dl, err)
		}
		got = append(got, filepath.Base(dl.File))
	}
	slices.Sort(got)
	if want := []string{"b.jsonl.gz", "c.jsonl.gz"}; !slices.Equal(got, want) {
		t.Errorf("dead letters for %q, want %q", got, want)
	}
}
