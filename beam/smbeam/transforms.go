package smbeam

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local paths for reading and WriteFile
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

func init() {
	register.DoFn5x0[context.Context, string, string, func(report.Record), func(DeadLetter)](&ParseFn{})
	register.Emitter1[report.Record]()
	register.Emitter1[DeadLetter]()
	register.Combiner2[Acc, report.Record](&Combiner{})
	register.Combiner1[Acc](&MergeCombiner{})
	register.DoFn2x0[report.Record, func(int, report.Record)](&shardFn{})
	register.Emitter2[int, report.Record]()
	register.Function2x1(dropKey)
	register.DoFn4x1[context.Context, []byte, func(*Acc) bool, func(Acc), error](&oneFn{})
	register.Iter1[Acc]()
	register.Emitter1[Acc]()
	register.Function2x2(sortedEvents)
	register.Function1x2(eventByLead)
	register.DoFn1x2[Acc, []byte, error](&RenderFn{})
	register.DoFn2x1[context.Context, []byte, error](&WriteFileFn{})
	register.Function1x1(deadLetterLine)
	register.DoFn3x1[context.Context, []byte, func(*string) bool, error](&writeLinesFn{})
	register.Iter1[string]()
	register.DoFn3x1[Acc, func(*fileio.ReadableFile) bool, func(Acc), error](&gateFn{})
	register.Iter1[fileio.ReadableFile]()
	register.Function1x1(afterAcc)
}

// ReadLog reads the log files matching glob (any path Beam's filesystems
// know: local, gs://, ...) in format f through Beam's fileio: uncompressed
// files are split into blocks read in parallel, gzip files (".gz") are
// read whole; directories the glob matches are skipped. It returns the
// parsed records and the dead letters: lines
// that could not be parsed, with the file and the reason, and compressed
// files that do not decompress completely (empty, not gzip, truncated,
// corrupt: see [CheckGzip]), one dead letter each, with the file, an
// empty line and a reason wrapping [ErrUnreadable], none of their lines
// read. Bad data never fails the job: the other files are read; a glob
// that matches no file does (a mistyped path is not an empty log), and so
// does an I/O error (a runner may retry it).
//
// Records are not checked against a report configuration; use
// [ReadLogFor] to send the records a report would refuse to the dead
// letters too.
func ReadLog(s beam.Scope, f Format, glob string) (records, dead beam.PCollection) {
	records, dead, _ = readLog(s, &ParseFn{Format: f}, glob, 0)
	return records, dead
}

// ReadLogFor is [ReadLog] for the report configuration spec: a record the
// report would refuse ([report.ErrRecord]: an unknown stage, a zero or
// out-of-range time) goes to the dead letters with the report's reason,
// so every line of the log ends up either in the report or in the dead
// letters.
func ReadLogFor(s beam.Scope, spec Spec, f Format, glob string) (records, dead beam.PCollection) {
	records, dead, _ = readLog(s, &ParseFn{Format: f, Spec: &spec}, glob, 0)
	return records, dead
}

// readLog also returns the files read (PCollection<fileio.ReadableFile>):
// the matched paths less directories.
func readLog(s beam.Scope, fn *ParseFn, glob string, block int64) (records, dead, files beam.PCollection) {
	s = s.Scope("smbeam.ReadLog")
	matched := fileio.MatchFiles(s, glob, fileio.MatchEmptyDisallow())
	// fileio skips paths ending with a slash, skipDirsFn the other
	// directories.
	files = beam.ParDo(s, &skipDirsFn{}, fileio.ReadMatches(s, matched))
	lines, unreadable := beam.ParDo2(s, &readLinesFn{Block: block}, files)
	records, unparsable := beam.ParDo2(s, fn, lines)
	return records, beam.Flatten(s, unreadable, unparsable), files
}

// gateFn passes the report on only if the input matched a file that was
// read. When the match fails the job fails, but a runner may still run
// the branches downstream with no input (Prism drops a failed bundle's
// elements and moves on while the job is cancelled): without the gate
// they could write the empty report of a log that does not exist. A glob
// that matches only directories ("logs/", "logs", which readLog skips)
// fails here too, rather than giving the empty report.
type gateFn struct {
	Input string
}

func (fn *gateFn) ProcessElement(a Acc, files func(*fileio.ReadableFile) bool, emit func(Acc)) error {
	var f fileio.ReadableFile
	if !files(&f) {
		return fmt.Errorf("smbeam: no file matches %q (directories are not read): no report written", fn.Input)
	}
	emit(a)
	return nil
}

// afterAcc turns the report into the trigger of the dead letters' writer.
func afterAcc(Acc) []byte { return nil }

// ParseFn parses (file, line) pairs, as [ReadLog] reads them, with
// [ParseLine]. Records go to the first output, lines that cannot be
// parsed to the second as [DeadLetter]s; blank lines, comments and CSV
// headers to neither.
type ParseFn struct {
	Format Format
	// Spec, if set, is the report configuration: records it would refuse
	// go to the dead letters as well (see [Checker]).
	Spec *Spec

	check *Checker
}

// Setup prepares the record check.
func (fn *ParseFn) Setup() error {
	if fn.Spec == nil {
		return nil
	}
	c, err := NewChecker(*fn.Spec)
	fn.check = c
	return err
}

// ProcessElement parses one line.
func (fn *ParseFn) ProcessElement(ctx context.Context, file, line string, emit func(report.Record), bad func(DeadLetter)) {
	rec, skip, err := ParseLine(fn.Format, line)
	if err == nil && !skip && fn.Spec != nil {
		if fn.check == nil { // Setup not called: outside a pipeline
			if fn.check, err = NewChecker(*fn.Spec); err != nil {
				err = fmt.Errorf("smbeam: spec: %w", err)
			}
		}
		if err == nil {
			err = fn.check.Check(rec)
		}
	}
	switch {
	case err != nil:
		deadLetters.Inc(ctx, 1)
		bad(DeadLetter{File: file, Line: line, Error: err.Error()})
	case !skip:
		recordsRead.Inc(ctx, 1)
		emit(rec)
	}
}

// The pipeline's counters (namespace "smbeam"), readable from the
// runner's metrics: records passed on to the report, lines sent to the
// dead letters, and records the report's combiner refused
// ([Acc.Rejected]; none when the records were read with [ReadLogFor],
// which sends them to the dead letters).
var (
	recordsRead     = beam.NewCounter("smbeam", CounterRecords)
	deadLetters     = beam.NewCounter("smbeam", CounterDeadLetters)
	rejectedRecords = beam.NewCounter("smbeam", CounterRejected)
)

// Names of the pipeline's counters, in namespace "smbeam".
const (
	CounterRecords     = "records"
	CounterDeadLetters = "dead_letters"
	CounterRejected    = "rejected_records"
)

// Counter returns the committed value of one of the smbeam counters of a
// finished pipeline (0 when the runner reported none).
func Counter(res beam.PipelineResult, name string) int64 {
	if res == nil {
		return 0
	}
	var n int64
	for _, c := range res.Metrics().AllMetrics().Counters() {
		if c.Namespace() == "smbeam" && c.Name() == name {
			n += c.Result()
		}
	}
	return n
}

// Report combines records into one [Acc] holding the whole report, with
// [Combiner]: Beam pre-combines on each worker and merges the pieces.
func Report(s beam.Scope, spec Spec, records beam.PCollection) beam.PCollection {
	s = s.Scope("smbeam.Report")
	return exactlyOne(s, spec, beam.Combine(s, &Combiner{Spec: spec}, records))
}

// exactlyOne turns the result of a global combine, which is empty when
// the input is, into exactly one Acc: an empty report then.
func exactlyOne(s beam.Scope, spec Spec, acc beam.PCollection) beam.PCollection {
	return beam.ParDo(s, &oneFn{Spec: spec}, beam.Impulse(s), beam.SideInput{Input: acc})
}

type oneFn struct{ Spec Spec }

func (fn *oneFn) ProcessElement(ctx context.Context, _ []byte, accs func(*Acc) bool, emit func(Acc)) error {
	var a, out Acc
	n := 0
	for accs(&a) {
		out = a
		a = Acc{}
		n++
	}
	if n > 1 {
		return fmt.Errorf("smbeam: %d reports where one was expected", n)
	}
	if _, err := out.Open(fn.Spec); err != nil {
		return err
	}
	rejectedRecords.Inc(ctx, out.rejected)
	emit(out)
	return nil
}

// CombineByLead is [Report] grouped per lead: records are keyed by a hash
// of their lead into shards (0 < shards), each shard is combined
// separately, so all the records of a lead, and the per-lead state of
// cohort figures, meet in one accumulator, and the shards' partial
// reports are then merged. The figures equal [Report]'s; the grouping
// bounds the per-lead state any one worker holds before the final merge
// to about 1/shards of it.
func CombineByLead(s beam.Scope, spec Spec, shards int, records beam.PCollection) beam.PCollection {
	s = s.Scope("smbeam.CombineByLead")
	if shards < 1 {
		shards = 1
	}
	keyed := beam.ParDo(s, &shardFn{Shards: shards}, records)
	parts := beam.CombinePerKey(s, &Combiner{Spec: spec}, keyed)
	return exactlyOne(s, spec, beam.Combine(s, &MergeCombiner{Spec: spec}, beam.ParDo(s, dropKey, parts)))
}

// LeadOf is the lead a record is about ("" for none).
func LeadOf(rec report.Record) string {
	switch rec.Kind {
	case report.KindEvent:
		return rec.Event.Lead
	case report.KindDeal:
		return rec.Deal.Lead
	case report.KindTouch:
		return rec.Touch.Lead
	case report.KindResponse:
		return rec.Response.Lead
	case report.KindDecision:
		return rec.Decision.Lead
	}
	return ""
}

type shardFn struct{ Shards int }

func (fn *shardFn) ProcessElement(rec report.Record, emit func(int, report.Record)) {
	h := fnv.New32a()
	h.Write([]byte(LeadOf(rec)))
	// In 64 bits: uint32(fn.Shards) would be 0 for 2³² shards (a
	// division by zero) and 1 for 2³²+1.
	emit(int(uint64(h.Sum32())%uint64(fn.Shards)), rec)
}

func dropKey(_ int, a Acc) Acc { return a }

// GroupByLead groups funnel events (PCollection<funnel.Event>) per lead:
// the result is a PCollection<KV<string, []funnel.Event>> whose events are
// in version order, ready for funnel's Replay or any per-lead analysis.
// Events of the same version (duplicates, or a host's conflicting
// writes) are ordered by time, then ID, then the rest of the event, so
// each lead's slice is the same on every run, whatever order the runner
// delivers them in.
func GroupByLead(s beam.Scope, events beam.PCollection) beam.PCollection {
	s = s.Scope("smbeam.GroupByLead")
	keyed := beam.ParDo(s, eventByLead, events)
	return beam.ParDo(s, sortedEvents, beam.GroupByKey(s, keyed))
}

func eventByLead(e funnel.Event) (string, funnel.Event) { return e.Lead, e }

func sortedEvents(lead string, iter func(*funnel.Event) bool) (string, []funnel.Event) {
	var es []funnel.Event
	var e funnel.Event
	for iter(&e) {
		es = append(es, e)
	}
	slices.SortFunc(es, compareEvents)
	return lead, es
}

// compareEvents orders a lead's events by version, then (for duplicates
// of a version) by time, ID and the rest of the event byte for byte, so
// that the order does not depend on the order the runner delivers them.
func compareEvents(a, b funnel.Event) int {
	if c := cmp.Compare(a.Version, b.Version); c != 0 {
		return c
	}
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	if c := strings.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	pa, _ := MarshalEvent(a)
	pb, _ := MarshalEvent(b)
	return bytes.Compare(pa, pb)
}

// RenderFn renders the report of an [Acc] in one of the [Renderers]'
// formats, or as the accumulator's binary encoding ("binary"), which a
// later job can decode and merge with more data.
type RenderFn struct {
	Spec   Spec
	Format string
}

// ProcessElement renders one report.
func (fn *RenderFn) ProcessElement(a Acc) ([]byte, error) {
	acc, err := a.Open(fn.Spec)
	if err != nil {
		return nil, err
	}
	return Render(fn.Format, acc)
}

// WriteFileFn writes each []byte element to the file Path, replacing it,
// through Beam's filesystems (local, gs://, ...). Use it for a single
// element, such as a rendered report.
type WriteFileFn struct {
	Path string
}

// ProcessElement writes one file.
func (fn *WriteFileFn) ProcessElement(ctx context.Context, data []byte) error {
	fs, err := filesystem.New(ctx, fn.Path)
	if err != nil {
		return err
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, fn.Path)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return fmt.Errorf("smbeam: writing %s: %w", fn.Path, err)
	}
	return w.Close()
}

// WriteReport renders the single [Acc] of acc in format and writes it to
// path.
func WriteReport(s beam.Scope, spec Spec, format, path string, acc beam.PCollection) {
	s = s.Scope("smbeam.WriteReport")
	beam.ParDo0(s, &WriteFileFn{Path: path}, beam.ParDo(s, &RenderFn{Spec: spec, Format: format}, acc))
}

// WriteDeadLetters writes dead letters to path as JSON Lines, one
// [DeadLetter] a line, through Beam's filesystems; the file is written
// (empty) also when there are none.
func WriteDeadLetters(s beam.Scope, path string, dead beam.PCollection) {
	writeDeadLetters(s, path, dead, beam.PCollection{})
}

// writeDeadLetters writes the dead letters once after has an element
// (at once if after is not valid).
func writeDeadLetters(s beam.Scope, path string, dead, after beam.PCollection) {
	s = s.Scope("smbeam.WriteDeadLetters")
	lines := beam.ParDo(s, deadLetterLine, dead)
	trigger := beam.Impulse(s)
	if after.IsValid() {
		trigger = beam.ParDo(s, afterAcc, after)
	}
	beam.ParDo0(s, &writeLinesFn{Path: path}, trigger, beam.SideInput{Input: lines})
}

// writeLinesFn writes the lines of its side input to one file.
type writeLinesFn struct {
	Path string
}

func (fn *writeLinesFn) ProcessElement(ctx context.Context, _ []byte, lines func(*string) bool) error {
	fs, err := filesystem.New(ctx, fn.Path)
	if err != nil {
		return err
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, fn.Path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	var line string
	for lines(&line) {
		bw.WriteString(line)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		w.Close()
		return fmt.Errorf("smbeam: writing %s: %w", fn.Path, err)
	}
	return w.Close()
}

func deadLetterLine(d DeadLetter) string { return d.String() }

// Options describe the whole report pipeline that [Build] constructs.
type Options struct {
	// Spec is the report configuration.
	Spec Spec
	// Input is a file glob of the log (local path, gs://...); Format its
	// layout.
	Input  string
	Format Format
	// Outputs maps a path to the format written there (one of [Formats]).
	Outputs map[string]string
	// DeadLetters, if set, is where the dead letters are written as JSON
	// Lines: lines that do not parse and records the report refuses.
	DeadLetters string
	// Shards > 0 combines per lead shard first ([CombineByLead]); 0 uses
	// one global combine ([Report]). The figures are the same.
	Shards int
}

// Build adds the report pipeline of o to s: read and parse the log with
// [ReadLogFor], combine the records into the report, write it in every
// requested format, and write the dead letters. It returns the combined
// [Acc] PCollection for further use. The job fails when o.Input matches
// no file.
func Build(s beam.Scope, o Options) (_ beam.PCollection, err error) {
	// Beam's construction panics on some configuration errors (a path
	// whose scheme no filesystem handles): return them as errors.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("smbeam: building the pipeline: %v", r)
		}
	}()
	if o.Input == "" {
		return beam.PCollection{}, fmt.Errorf("smbeam: no input")
	}
	if o.Format != JSONL && o.Format != CSV {
		return beam.PCollection{}, fmt.Errorf("smbeam: unknown input format %q", o.Format)
	}
	if _, err := o.Spec.NewAccumulator(); err != nil {
		return beam.PCollection{}, err
	}
	paths := make([]string, 0, len(o.Outputs))
	for p, f := range o.Outputs {
		if _, ok := renderers[f]; !ok {
			return beam.PCollection{}, fmt.Errorf("smbeam: output %s: unknown format %q (want one of %v)", p, f, Formats())
		}
		paths = append(paths, p)
	}
	slices.Sort(paths)
	recs, dead, files := readLog(s, &ParseFn{Format: o.Format, Spec: &o.Spec}, o.Input, 0)
	var acc beam.PCollection
	if o.Shards > 0 {
		acc = CombineByLead(s, o.Spec, o.Shards, recs)
	} else {
		acc = Report(s, o.Spec, recs)
	}
	acc = beam.ParDo(s.Scope("smbeam.InputMatched"), &gateFn{Input: o.Input}, acc, beam.SideInput{Input: files})
	for _, p := range paths {
		WriteReport(s, o.Spec, o.Outputs[p], p, acc)
	}
	if o.DeadLetters != "" {
		writeDeadLetters(s, o.DeadLetters, dead, acc)
	}
	return acc, nil
}
