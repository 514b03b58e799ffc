// Command smarketing-beam computes smarketing's KPI report from a funnel
// event log on Apache Beam: locally on Prism (the default, in-process,
// over loopback), or on Flink, Spark or Dataflow with Beam's runner flags.
//
//	smarketing-beam -input 'logs/*.jsonl' -out report.html -out report.json
//
// Flags of its own (Beam's flags such as -runner, -endpoint,
// -environment_type, -project and -region can be mixed in; -h lists the
// common ones, -help-beam all of them):
//
//	-input GLOB      the log files (local path, gs://...; .gz files are
//	                 decompressed)
//	-format F        jsonl or csv; default from the input's extension
//	-out [FMT=]PATH  a report to write, repeatable, at least one; FMT is
//	                 text, markdown, csv, json, html or binary, by default
//	                 from PATH's extension (.txt .md .csv .json .html .bin)
//	-spec FILE       the report configuration as JSON (smbeam.Spec);
//	                 default: the default funnel, months in UTC
//	-dead PATH       write the dead letters here as JSON Lines: lines that
//	                 do not parse and records the report refuses
//	-shards N        combine per lead shard first (0: one global combine)
//	-generate N      first write a synthetic log of N events to -input
//	-compare         also compute the report in-process from the same
//	                 (local) files, check it is identical, print both speeds
//
// Exit status: 0 when the report was written; 1 when the pipeline failed
// (a glob matching no file, an unwritable output) or, with -compare, the
// reports differ; 2 for a mistake on the command line. A bad line never
// fails the job: it is counted and written to -dead.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
	"github.com/smarketing/smarketing/beam/smbeam"
	"github.com/smarketing/smarketing/beam/smbeamtest"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

type outputs []string

func (o *outputs) String() string     { return strings.Join(*o, ",") }
func (o *outputs) Set(v string) error { *o = append(*o, v); return nil }

var (
	input    = flag.String("input", "", "the log files to read: a `GLOB`, a local path or any scheme Beam's filesystems know (gs://...); .gz files are decompressed")
	format   = flag.String("format", "", "the `FORMAT` of the log: jsonl or csv (default: from the input's extension)")
	specFile = flag.String("spec", "", "the report configuration as JSON (smbeam.Spec) in `FILE` (default: the default funnel, months in UTC)")
	dead     = flag.String("dead", "", "write the dead letters to `PATH` as JSON Lines {file, line, error}: lines that do not parse and records the report refuses")
	shards   = flag.Int("shards", 0, "combine per lead shard first, in `N` shards (0: one global combine; the figures are the same)")
	generate = flag.Int("generate", 0, "first write a synthetic log of `N` events to -input (to try it out and to measure)")
	compare  = flag.Bool("compare", false, "also compute the report in-process from the same local files, fail unless every output is identical, print both speeds")
	helpBeam = flag.Bool("help-beam", false, "list every flag, Beam's included, and exit")
	outs     outputs
)

func init() {
	flag.Var(&outs, "out", "a report to write, `[FMT=]PATH`, repeatable; FMT is one of "+strings.Join(smbeam.Formats(), ", ")+
		", by default from PATH's extension (.txt .md .csv .json .html .bin)")
}

// Flags shown by -h: the command's own, then the Beam runner flags its
// users need most (-help-beam lists them all).
var (
	ownFlags    = []string{"input", "format", "out", "spec", "dead", "shards", "generate", "compare"}
	runnerFlags = []string{"runner", "endpoint", "environment_type", "environment_config", "job_name",
		"project", "region", "staging_location", "temp_location", "worker_binary"}
)

// runnerUsage replaces Beam's one-line description of -runner.
const runnerUsage = "the Beam runner: prism (the default: in-process, over loopback), flink, spark, dataflow, universal"

func printFlag(w io.Writer, f *flag.Flag) {
	name, use := flag.UnquoteUsage(f)
	if f.Name == "runner" {
		name, use = "NAME", runnerUsage
	}
	line := "  -" + f.Name
	if name != "" {
		line += " " + name
	}
	fmt.Fprintf(w, "%s\n    \t%s\n", line, strings.ReplaceAll(use, "\n", "\n    \t"))
}

// usage writes the help; all of Beam's flags too when all is set.
func usage(w io.Writer, all bool) {
	fmt.Fprint(w, `Usage: smarketing-beam -input GLOB -out [FMT=]PATH [-out ...] [flags] [Beam runner flags]

Computes smarketing's KPI report from a funnel event log (JSON Lines or CSV)
on Apache Beam and writes it in the report package's formats. Lines that do
not parse and records the report refuses go to the dead letters (-dead); they
never fail the job. Runs on Prism here; the README shows Flink and Dataflow.

Flags:
`)
	shown := map[string]bool{"help-beam": true}
	for _, n := range ownFlags {
		printFlag(w, flag.Lookup(n))
		shown[n] = true
	}
	fmt.Fprint(w, "\nRunner flags (Beam's own; those this command's users need most):\n")
	for _, n := range runnerFlags {
		if f := flag.Lookup(n); f != nil {
			printFlag(w, f)
			shown[n] = true
		}
	}
	if all {
		fmt.Fprint(w, "\nBeam's other flags:\n")
		flag.VisitAll(func(f *flag.Flag) {
			if !shown[f.Name] {
				printFlag(w, f)
			}
		})
	} else {
		n := 0
		flag.VisitAll(func(f *flag.Flag) {
			if !shown[f.Name] {
				n++
			}
		})
		fmt.Fprintf(w, "  -help-beam\n    \tlist Beam's %d other flags too\n", n)
	}
	fmt.Fprint(w, `
Examples:
  smarketing-beam -generate 100000 -input /tmp/log.jsonl -out /tmp/report.html -compare
  smarketing-beam -input 'logs/*.csv.gz' -spec spec.json -out report.html -out text=report.out -dead dead.jsonl
  smarketing-beam -runner=flink -endpoint=localhost:8099 -environment_type=LOOPBACK -input 'logs/*.jsonl' -out report.json

Exit status: 0 done; 1 the pipeline failed (or -compare found a difference); 2 a mistake on the command line.
`)
}

// pipelineError is a failed job. Runners report the failing stage's whole
// plan; its last line is the cause (no files matching pattern "logs/*",
// open report.html: permission denied), which comes first.
type pipelineError struct{ err error }

func (e pipelineError) Error() string {
	msg := strings.TrimSpace(e.err.Error())
	cause := msg[strings.LastIndexByte(msg, '\n')+1:]
	if cause == msg {
		return "pipeline failed: " + msg
	}
	return "pipeline failed: " + cause + "\n\nThe runner's error in full:\n" + msg
}

func (e pipelineError) Unwrap() error { return e.err }

// usageError is a mistake on the command line (exit status 2).
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

var extFormats = map[string]string{
	".txt": "text", ".text": "text", ".md": "markdown", ".csv": "csv",
	".json": "json", ".html": "html", ".htm": "html", ".bin": "binary",
}

func parseOut(o string) (path, fm string, err error) {
	if f, p, ok := strings.Cut(o, "="); ok && !strings.ContainsAny(f, "/\\:.") {
		if long, ok := extFormats["."+f]; ok {
			f = long // md=, txt=, bin=, htm=
		}
		if !slices.Contains(smbeam.Formats(), f) {
			return "", "", fmt.Errorf("-out %s: unknown format %q (want one of %s)", o, f, strings.Join(smbeam.Formats(), ", "))
		}
		if p == "" {
			return "", "", fmt.Errorf("-out %s: no path", o)
		}
		return p, f, nil
	}
	if f, ok := extFormats[strings.ToLower(filepath.Ext(o))]; ok {
		return o, f, nil
	}
	return "", "", fmt.Errorf("-out %s: cannot tell the format from the extension; write FMT=PATH", o)
}

// defaultSpec is the default funnel of the method, months in UTC.
func defaultSpec() smbeam.Spec {
	return smbeam.Spec{
		Path:    []funnel.Stage{funnel.Subscriber, funnel.Lead, funnel.MQL, funnel.SQL, funnel.Opportunity, funnel.Customer, funnel.Evangelist},
		Detours: []funnel.Stage{funnel.Nurture, funnel.Disqualified, funnel.Lost},
		Period:  report.Month,
	}
}

func main() {
	flag.Usage = func() { usage(flag.CommandLine.Output(), false) }
	flag.Parse()
	beam.Init() // on a remote worker, this runs the worker and never returns
	if *helpBeam {
		usage(os.Stdout, true)
		return
	}
	if err := run(context.Background()); err != nil {
		fmt.Fprintf(os.Stderr, "smarketing-beam: %v\n", err)
		if errors.As(err, new(usageError)) {
			fmt.Fprintln(os.Stderr, "(smarketing-beam -h for help)")
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// options checks the command line and returns the pipeline's options.
func options() (smbeam.Options, error) {
	if flag.NArg() > 0 {
		return smbeam.Options{}, usagef("unexpected arguments %q: every input and output is a flag", flag.Args())
	}
	if *input == "" {
		return smbeam.Options{}, usagef("-input is required: the log files to read")
	}
	if len(outs) == 0 {
		return smbeam.Options{}, usagef("-out is required: at least one report to write")
	}
	if *shards < 0 || *generate < 0 {
		return smbeam.Options{}, usagef("-shards and -generate cannot be negative")
	}
	spec := defaultSpec()
	if *specFile != "" {
		p, err := os.ReadFile(*specFile)
		if err != nil {
			return smbeam.Options{}, usagef("-spec: %w", err)
		}
		spec = smbeam.Spec{}
		dec := json.NewDecoder(bytes.NewReader(p))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&spec); err != nil {
			return smbeam.Options{}, usagef("-spec %s: %w", *specFile, err)
		}
		if _, err := dec.Token(); err != io.EOF { // More is false before a stray ']'
			return smbeam.Options{}, usagef("-spec %s: data after the JSON value", *specFile)
		}
		if _, err := spec.NewAccumulator(); err != nil {
			return smbeam.Options{}, usagef("-spec %s: %w", *specFile, err)
		}
	}
	fs := *format
	if fs == "" {
		fs = formatOf(*input)
	}
	f, err := smbeam.ParseFormat(fs)
	if err != nil {
		return smbeam.Options{}, usagef("-input %s: %w; set -format", *input, err)
	}
	if *dead != "" {
		if err := notInput("-dead", *dead); err != nil {
			return smbeam.Options{}, err
		}
	}
	o := smbeam.Options{Spec: spec, Input: *input, Format: f, Outputs: map[string]string{}, DeadLetters: *dead, Shards: *shards}
	written := map[string]bool{}
	if *dead != "" {
		written[cleanPath(*dead)] = true
	}
	for _, out := range outs {
		p, fm, err := parseOut(out)
		if err != nil {
			return smbeam.Options{}, usageError{err}
		}
		if err := notInput("-out", p); err != nil {
			return smbeam.Options{}, err
		}
		if written[cleanPath(p)] {
			return smbeam.Options{}, usagef("-out %s: that path is already another output or the dead letters", p)
		}
		written[cleanPath(p)] = true
		o.Outputs[p] = fm
	}
	return o, nil
}

// hasScheme reports whether p names a file by a scheme of Beam's
// filesystems (gs://...) rather than a local path.
func hasScheme(p string) bool { return strings.Contains(p, "://") }

// cleanPath is p as an absolute, clean local path, so that "./r.json" and
// "r.json" are one; a path with a scheme is left as it is.
func cleanPath(p string) string {
	if hasScheme(p) {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// notInput returns a usage error when the output path p of flag name is
// a file of the input: the run would read the log, then overwrite it
// with a report or the dead letters. Paths are compared with the -input
// glob (absolute and clean, so "./log.jsonl" is "log.jsonl"), and an
// existing local file also as a file, so a link to a log is caught. An
// output that the glob would match but that is not yet a log is refused
// as well: the next run would read it as one.
func notInput(name, p string) error {
	if hasScheme(p) != hasScheme(*input) {
		return nil
	}
	if hasScheme(p) {
		if ok, _ := path.Match(*input, p); ok || p == *input {
			return usagef("%s %s: that path is the input, or the -input glob matches it", name, p)
		}
		return nil
	}
	glob, out := cleanPath(*input), cleanPath(p)
	if out == glob {
		return usagef("%s %s: that path is the input", name, p)
	}
	if ok, _ := filepath.Match(glob, out); ok {
		return usagef("%s %s: the -input glob %s matches that path: the run would overwrite a log, or the next one read this output as log", name, p, *input)
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil
	}
	files, _ := filepath.Glob(*input)
	for _, f := range files {
		if fs, err := os.Stat(f); err == nil && os.SameFile(st, fs) {
			return usagef("%s %s: that path is the input file %s", name, p, f)
		}
	}
	return nil
}

// formatOf is the format a glob's extension names, looking past a
// compression extension (log.jsonl.gz is jsonl).
func formatOf(glob string) string {
	name := strings.TrimSuffix(glob, "*")
	if smbeam.Compressed(name) {
		name = strings.TrimSuffix(name, filepath.Ext(name))
	}
	return strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
}

func run(ctx context.Context) error {
	o, err := options()
	if err != nil {
		return err
	}
	if *generate > 0 {
		if err := writeSynthetic(o.Input, o.Format, *generate); err != nil {
			return err
		}
	}

	p, s := beam.NewPipelineWithRoot()
	if _, err := smbeam.Build(s, o); err != nil {
		return err
	}
	before := outputTimes(ctx, o)
	start := time.Now()
	res, err := beamx.RunWithMetrics(ctx, p)
	if err != nil {
		removeWritten(ctx, o, before)
		return pipelineError{err}
	}
	elapsed := time.Since(start)
	n, bad := smbeam.Counter(res, smbeam.CounterRecords), smbeam.Counter(res, smbeam.CounterDeadLetters)
	log.Printf("pipeline done in %v: %d records in the report, %d dead letters (unparsable lines and refused records)",
		elapsed.Round(time.Millisecond), n, bad)
	if bad > 0 && o.DeadLetters == "" {
		log.Printf("%d lines are left out of the report: pass -dead PATH to keep them with their reasons", bad)
	}
	if !*compare {
		return nil
	}
	return compareInProcess(o, n, bad, elapsed)
}

// outputPaths are the files a run of o writes.
func outputPaths(o smbeam.Options) []string {
	paths := slices.Sorted(maps.Keys(o.Outputs))
	if o.DeadLetters != "" {
		paths = append(paths, o.DeadLetters)
	}
	return paths
}

// outputTimes returns the modification time of each output of o that
// exists before the run (on a filesystem that tells).
func outputTimes(ctx context.Context, o smbeam.Options) map[string]time.Time {
	times := map[string]time.Time{}
	for _, p := range outputPaths(o) {
		fs, err := filesystem.New(ctx, p)
		if err != nil {
			continue
		}
		if lm, ok := fs.(filesystem.LastModifiedGetter); ok {
			if t, err := lm.LastModified(ctx, p); err == nil {
				times[p] = t
			}
		}
		fs.Close()
	}
	return times
}

// removeWritten removes the outputs a failed run wrote: one output may be
// written while another cannot be, or a runner may run a writer while
// another stage is failing the job, and a report of a failed run must not
// pass for a good one. An output is the failed run's when it did not
// exist before the run or its modification time is no longer the one
// before recorded (outputTimes); outputs from an earlier run that this
// one did not touch stay, even one written a moment before this run
// started (a time compared with the run's start would take it for this
// run's, and a filesystem's clock, gs:// for instance, need not agree
// with this machine's). Only regular files are removed: an output such
// as /dev/stdout (a link to a terminal or pipe whose time any write
// changes) stays.
func removeWritten(ctx context.Context, o smbeam.Options, before map[string]time.Time) {
	for _, p := range outputPaths(o) {
		fs, err := filesystem.New(ctx, p)
		if err != nil {
			continue
		}
		lm, okLM := fs.(filesystem.LastModifiedGetter)
		rm, okRM := fs.(filesystem.Remover)
		if okLM && okRM {
			t, err := lm.LastModified(ctx, p)
			if old, existed := before[p]; err == nil && (!existed || !t.Equal(old)) {
				if !hasScheme(p) && !regularFile(p) {
					// /dev/stdout, a terminal, a pipe, a link: their
					// time changes with any write, not only this run's,
					// and removing one would remove the link or device
					// node, not a report.
					log.Printf("left %s in place: not a regular file", p)
				} else if err := rm.Remove(ctx, p); err == nil {
					log.Printf("removed %s, written by the failed run", p)
				}
			}
		}
		fs.Close()
	}
}

// regularFile reports whether the local path p is a regular file itself
// (not a symbolic link, device, pipe or directory).
func regularFile(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode().IsRegular()
}

// writeSynthetic writes a deterministic log of about n events (gzipped
// if the path says so).
func writeSynthetic(path string, f smbeam.Format, n int) error {
	recs := smbeamtest.Generate(1, n)
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	var w io.Writer = out
	var zw *gzip.Writer
	if smbeam.Compressed(path) {
		zw = gzip.NewWriter(out)
		w = zw
	}
	err = smbeamtest.WriteLog(w, f, recs)
	if zw != nil {
		err = errors.Join(err, zw.Close())
	}
	if err = errors.Join(err, out.Close()); err != nil {
		return err
	}
	log.Printf("wrote %d records (%d events) to %s", len(recs), smbeamtest.Count(recs), path)
	return nil
}

// compareInProcess reads the same local files in this process, builds the
// report with one accumulator, and checks every output is identical and
// every line is accounted for as the pipeline accounted for it: in the
// report, or a dead letter.
func compareInProcess(o smbeam.Options, pipelineRecords, pipelineDead int64, pipelineTime time.Duration) error {
	files, err := filepath.Glob(o.Input)
	if err != nil || len(files) == 0 {
		return fmt.Errorf("-compare reads the input in this process, and no local file matches %s", o.Input)
	}
	start := time.Now()
	acc, err := o.Spec.NewAccumulator()
	if err != nil {
		return err
	}
	var recs, events, unreadable, unparsable, refused int64
	for _, name := range files {
		if st, err := os.Stat(name); err == nil && st.IsDir() {
			continue // the pipeline reads no directory either
		}
		if smbeam.Compressed(name) {
			// A .gz file that does not decompress completely is one dead
			// letter in the pipeline, and none of its lines is read.
			if err := checkGzip(name); errors.Is(err, smbeam.ErrUnreadable) {
				unreadable++
				continue
			} else if err != nil {
				return fmt.Errorf("-compare: %w", err)
			}
		}
		err := eachLine(name, func(line string) {
			rec, skip, err := smbeam.ParseLine(o.Format, line)
			switch {
			case err != nil:
				unparsable++
			case skip:
			case acc.Add(rec) != nil:
				refused++
			default:
				recs++
				if rec.Kind == report.KindEvent {
					events++
				}
			}
		})
		if err != nil {
			return fmt.Errorf("-compare: %w", err)
		}
	}
	var rendered = map[string][]byte{}
	for path, fm := range o.Outputs {
		b, err := smbeam.Render(fm, acc)
		if err != nil {
			return err
		}
		rendered[path] = b
	}
	inTime := time.Since(start)
	for path, want := range rendered {
		got, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("-compare: %w", err)
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("-compare: %s differs from the in-process report", path)
		}
	}
	if recs != pipelineRecords || unreadable+unparsable+refused != pipelineDead {
		return fmt.Errorf("-compare: the pipeline put %d records in the report and %d dead letters; in-process %d and %d",
			pipelineRecords, pipelineDead, recs, unreadable+unparsable+refused)
	}
	log.Printf("in-process: the same report (%d outputs identical), %d records (%d events), %d unreadable files, %d unparsable lines, %d refused records, in %v",
		len(rendered), recs, events, unreadable, unparsable, refused, inTime.Round(time.Millisecond))
	log.Printf("events/s: pipeline %.0f, in-process %.0f (read, parse, accumulate, render; this machine)",
		float64(events)/pipelineTime.Seconds(), float64(events)/inTime.Seconds())
	return nil
}

// checkGzip runs smbeam.CheckGzip over the local file name.
func checkGzip(name string) error {
	fh, err := os.Open(name)
	if err != nil {
		return err
	}
	defer fh.Close()
	if err := smbeam.CheckGzip(fh); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// eachLine calls line with every line of the local file name (without its
// line break), decompressing a .gz file as the pipeline does.
func eachLine(name string, line func(string)) error {
	fh, err := os.Open(name)
	if err != nil {
		return err
	}
	defer fh.Close()
	var r io.Reader = fh
	if smbeam.Compressed(name) {
		zr, err := gzip.NewReader(fh)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer zr.Close()
		r = zr
	}
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		s, err := br.ReadString('\n')
		if s != "" {
			line(strings.TrimSuffix(s, "\n"))
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
}
