package smbeam

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local paths for textio and WriteFile
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

func init() {
	register.DoFn4x0[string, string, func(report.Record), func(DeadLetter)](&ParseFn{})
	register.Emitter1[report.Record]()
	register.Emitter1[DeadLetter]()
	register.Combiner2[Acc, report.Record](&Combiner{})
	register.Combiner1[Acc](&MergeCombiner{})
	register.DoFn2x0[report.Record, func(int, report.Record)](&shardFn{})
	register.Emitter2[int, report.Record]()
	register.Function2x1(dropKey)
	register.Function2x2(sortedEvents)
	register.Function1x2(eventByLead)
	register.DoFn1x2[Acc, []byte, error](&RenderFn{})
	register.DoFn2x1[context.Context, []byte, error](&WriteFileFn{})
	register.Function1x1(deadLetterLine)
}

// ReadLog reads the log files matching glob (any path Beam's filesystems
// know: local, gs://, ...) in format f, through textio so large files are
// split across workers. It returns the parsed records and the dead
// letters: lines that could not be parsed, with the file and the reason.
// A bad line never fails the job.
func ReadLog(s beam.Scope, f Format, glob string) (records, dead beam.PCollection) {
	s = s.Scope("smbeam.ReadLog")
	lines := textio.ReadWithFilename(s, glob)
	return beam.ParDo2(s, &ParseFn{Format: f}, lines)
}

// ParseFn parses lines read with textio.ReadWithFilename (file, line)
// with [ParseLine]. Records go to the first output, lines that cannot be
// parsed to the second as [DeadLetter]s; blank lines, comments and CSV
// headers to neither.
type ParseFn struct {
	Format Format
}

// ProcessElement parses one line.
func (fn *ParseFn) ProcessElement(file, line string, emit func(report.Record), bad func(DeadLetter)) {
	rec, skip, err := ParseLine(fn.Format, line)
	switch {
	case err != nil:
		bad(DeadLetter{File: file, Line: line, Error: err.Error()})
	case !skip:
		emit(rec)
	}
}

// Report combines records into one [Acc] holding the whole report, with
// [Combiner]: Beam pre-combines on each worker and merges the pieces.
func Report(s beam.Scope, spec Spec, records beam.PCollection) beam.PCollection {
	s = s.Scope("smbeam.Report")
	return beam.Combine(s, &Combiner{Spec: spec}, records)
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
	return beam.Combine(s, &MergeCombiner{Spec: spec}, beam.ParDo(s, dropKey, parts))
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
	emit(int(h.Sum32()%uint32(fn.Shards)), rec)
}

func dropKey(_ int, a Acc) Acc { return a }

// GroupByLead groups funnel events (PCollection<funnel.Event>) per lead:
// the result is a PCollection<KV<string, []funnel.Event>> whose events are
// in version order, ready for funnel's Replay or any per-lead analysis.
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
	slices.SortStableFunc(es, func(a, b funnel.Event) int {
		switch {
		case a.Version < b.Version:
			return -1
		case a.Version > b.Version:
			return 1
		}
		return a.At.Compare(b.At)
	})
	return lead, es
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

// WriteDeadLetters writes dead letters to path as JSON Lines (one
// [DeadLetter] a line; an empty file when there are none).
func WriteDeadLetters(s beam.Scope, path string, dead beam.PCollection) {
	s = s.Scope("smbeam.WriteDeadLetters")
	textio.Write(s, path, beam.ParDo(s, deadLetterLine, dead))
}

func deadLetterLine(d DeadLetter) string { return d.String() }
