// Command smarketing-beam computes smarketing's KPI report from a funnel
// event log on Apache Beam: locally on Prism (the default, in-process,
// over loopback), or on Flink, Spark or Dataflow with Beam's runner flags.
//
//	smarketing-beam -input 'logs/*.jsonl' -out report.html -out report.json
//
// Flags of its own (Beam's flags such as -runner, -endpoint,
// -environment_type, -project and -region come after):
//
//	-input GLOB      the log files (local path, gs://...)
//	-format F        jsonl or csv; default from the input's extension
//	-out [FMT=]PATH  a report to write, repeatable; FMT is text, markdown,
//	                 csv, json, html or binary, by default from PATH's
//	                 extension (.txt .md .csv .json .html .bin)
//	-spec FILE       the report configuration as JSON (smbeam.Spec);
//	                 default: the default funnel, months in UTC
//	-dead PATH       write unparsable lines here as JSON Lines
//	-shards N        combine per lead shard first (0: one global combine)
//	-generate N      first write a synthetic log of N events to -input
//	-compare         also compute the report in-process from the same
//	                 (local) files, check it is identical, print both speeds
//
// It exits non-zero when the pipeline fails or, with -compare, when the
// reports differ. Unparsable lines never fail the job: they are counted
// and written to -dead.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
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
	input    = flag.String("input", "", "log files to read (glob; local path, gs://...)")
	format   = flag.String("format", "", "input format: jsonl or csv (default: from the input's extension)")
	specFile = flag.String("spec", "", "report configuration as JSON (default: the default funnel, months in UTC)")
	dead     = flag.String("dead", "", "write unparsable lines here as JSON Lines")
	shards   = flag.Int("shards", 0, "combine per lead shard first (0: one global combine)")
	generate = flag.Int("generate", 0, "first write a synthetic log of this many events to -input")
	compare  = flag.Bool("compare", false, "also compute the report in-process, check it is identical, print both speeds")
	outs     outputs
)

func init() {
	flag.Var(&outs, "out", "a report to write, [FMT=]PATH, repeatable; FMT: "+strings.Join(smbeam.Formats(), ", "))
}

var extFormats = map[string]string{
	".txt": "text", ".text": "text", ".md": "markdown", ".csv": "csv",
	".json": "json", ".html": "html", ".htm": "html", ".bin": "binary",
}

func parseOut(o string) (path, fm string, err error) {
	if f, p, ok := strings.Cut(o, "="); ok && !strings.ContainsAny(f, "/\\:.") {
		if long, ok := extFormats["."+f]; ok {
			f = long // md=, txt=, bin=, htm=
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
	flag.Parse()
	beam.Init() // on a remote worker, this runs the worker and never returns
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	if *input == "" {
		return errors.New("-input is required")
	}
	spec := defaultSpec()
	if *specFile != "" {
		p, err := os.ReadFile(*specFile)
		if err != nil {
			return err
		}
		spec = smbeam.Spec{}
		dec := json.NewDecoder(bytes.NewReader(p))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&spec); err != nil {
			return fmt.Errorf("-spec %s: %w", *specFile, err)
		}
	}
	fs := *format
	if fs == "" {
		fs = strings.TrimPrefix(strings.ToLower(filepath.Ext(strings.TrimSuffix(*input, "*"))), ".")
	}
	f, err := smbeam.ParseFormat(fs)
	if err != nil {
		return fmt.Errorf("%w; set -format", err)
	}
	o := smbeam.Options{Spec: spec, Input: *input, Format: f, Outputs: map[string]string{}, DeadLetters: *dead, Shards: *shards}
	for _, out := range outs {
		p, fm, err := parseOut(out)
		if err != nil {
			return err
		}
		o.Outputs[p] = fm
	}
	if *generate > 0 {
		if err := writeSynthetic(*input, f, *generate); err != nil {
			return err
		}
	}

	p, s := beam.NewPipelineWithRoot()
	if _, err := smbeam.Build(s, o); err != nil {
		return err
	}
	start := time.Now()
	res, err := beamx.RunWithMetrics(ctx, p)
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	elapsed := time.Since(start)
	n := smbeam.Counter(res, smbeam.CounterRecords)
	log.Printf("pipeline done in %v: %d records read, %d unparsable lines, %d records refused by the report",
		elapsed.Round(time.Millisecond), n, smbeam.Counter(res, smbeam.CounterDeadLetters), smbeam.Counter(res, smbeam.CounterRejected))
	if !*compare {
		return nil
	}
	return compareInProcess(o, n, elapsed)
}

// writeSynthetic writes a deterministic log of about n events.
func writeSynthetic(path string, f smbeam.Format, n int) error {
	recs := smbeamtest.Generate(1, n)
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := smbeamtest.WriteLog(out, f, recs); err != nil {
		out.Close()
		return err
	}
	log.Printf("wrote %d records (%d events) to %s", len(recs), smbeamtest.Count(recs), path)
	return out.Close()
}

// compareInProcess reads the same local files in this process, builds the
// report with one accumulator, and checks every output is identical.
func compareInProcess(o smbeam.Options, pipelineRecords int64, pipelineTime time.Duration) error {
	files, err := filepath.Glob(o.Input)
	if err != nil || len(files) == 0 {
		return fmt.Errorf("-compare: no local files match %s", o.Input)
	}
	start := time.Now()
	acc, err := o.Spec.NewAccumulator()
	if err != nil {
		return err
	}
	var rejected, recs, events int64
	for _, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			return err
		}
		r := bufio.NewReaderSize(fh, 1<<20)
		for {
			line, rerr := r.ReadString('\n')
			if line != "" {
				rec, skip, err := smbeam.ParseLine(o.Format, strings.TrimSuffix(line, "\n"))
				if err == nil && !skip {
					recs++
					if rec.Kind == report.KindEvent {
						events++
					}
					if err := acc.Add(rec); err != nil {
						rejected++
					}
				}
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				fh.Close()
				return rerr
			}
		}
		fh.Close()
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
	if recs != pipelineRecords {
		return fmt.Errorf("-compare: pipeline read %d records, in-process %d", pipelineRecords, recs)
	}
	log.Printf("in-process: same report (%d outputs identical), %d records (%d events, %d refused) in %v",
		len(rendered), recs, events, rejected, inTime.Round(time.Millisecond))
	log.Printf("events/s: pipeline %.0f, in-process %.0f (parse + accumulate + render, this machine)",
		float64(events)/pipelineTime.Seconds(), float64(events)/inTime.Seconds())
	return nil
}
