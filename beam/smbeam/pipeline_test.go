package smbeam_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/beam/smbeam"
	"github.com/smarketing/smarketing/beam/smbeamtest"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// badLines are appended to every test log: each must reach the dead
// letters, none may fail the job.
var badLines = map[smbeam.Format][]string{
	smbeam.JSONL: {`{"lead":"L1",`, `{"record":"deal","id":"D1","lead":"L1"}`, `not json at all`},
	smbeam.CSV:   {`deal,D1,L1,12.5.0,2025-01-01T00:00:00Z,,false,sales`, `event,"unterminated`, `touch,L1`},
}

type run struct {
	acc      *report.Accumulator // decoded from the binary output
	rejected int64
	outputs  map[string][]byte // by format
	dead     []string
	elapsed  time.Duration
}

// runPipeline writes recs as a log in format f (plus badLines), runs the
// smarketing-beam pipeline on Prism over it, and reads the outputs back.
func runPipeline(t *testing.T, spec smbeam.Spec, recs []report.Record, f smbeam.Format, shards int, formats ...string) run {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "log."+string(f))
	var log bytes.Buffer
	if f == smbeam.CSV {
		log.WriteString("record,id,lead,...\n# a comment\n")
	}
	if err := smbeamtest.WriteLog(&log, f, recs); err != nil {
		t.Fatal(err)
	}
	for _, l := range badLines[f] {
		log.WriteString(l + "\n")
	}
	if err := os.WriteFile(in, log.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	o := smbeam.Options{
		Spec: spec, Input: in, Format: f, Shards: shards,
		Outputs:     map[string]string{filepath.Join(dir, "report.bin"): "binary"},
		DeadLetters: filepath.Join(dir, "dead.jsonl"),
	}
	for _, fm := range formats {
		o.Outputs[filepath.Join(dir, "report."+fm)] = fm
	}
	p, s := beam.NewPipelineWithRoot()
	if _, err := smbeam.Build(s, o); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := prism.Execute(context.Background(), p)
	if err != nil {
		t.Fatalf("prism: %v", err)
	}
	rejected := smbeam.Counter(res, smbeam.CounterRejected)
	if n := smbeam.Counter(res, smbeam.CounterDeadLetters); n != int64(len(badLines[f])) {
		t.Errorf("dead letter counter: %d, want %d", n, len(badLines[f]))
	}
	if n := smbeam.Counter(res, smbeam.CounterRecords); n != int64(len(recs)) {
		t.Errorf("records counter: %d, want %d", n, len(recs))
	}
	r := run{elapsed: time.Since(start), outputs: map[string][]byte{}}
	for path, fm := range o.Outputs {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r.outputs[fm] = b
	}
	a, err := smbeam.UnmarshalAcc(append([]byte{1, 0}, r.outputs["binary"]...))
	if err != nil {
		t.Fatal(err)
	}
	r.rejected = rejected
	if r.acc, err = a.Open(spec); err != nil {
		t.Fatalf("binary output: %v", err)
	}
	dead, err := os.ReadFile(o.DeadLetters)
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.TrimSpace(string(dead)); s != "" {
		r.dead = strings.Split(s, "\n")
	}
	return r
}

// checkSame compares a pipeline run with the in-process report of the
// same records: the accumulator's canonical encoding byte for byte (equal
// states encode to equal bytes), the Report value figure for figure, and
// every rendered output byte for byte. (The text forms keep each amount's
// exponent, so the log reads back to exactly the records generated.)
func checkSame(t *testing.T, spec smbeam.Spec, recs []report.Record, f smbeam.Format, got run) {
	t.Helper()
	want, err := smbeam.Accumulate(spec, recs)
	if err != nil {
		t.Fatal(err)
	}
	wantAcc, _ := want.Open(spec)
	if got.rejected != want.Rejected() || (len(recs) > 0 && got.rejected == 0) {
		t.Errorf("rejected records: got %d, want %d", got.rejected, want.Rejected())
	}
	wantBin, err := wantAcc.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantAcc.Report(), got.acc.Report()); diff != "" {
		t.Errorf("report on Prism differs from in-process (-want +got):\n%s", diff)
	}
	if !bytes.Equal(wantBin, got.outputs["binary"]) {
		t.Errorf("accumulator encoding on Prism differs from in-process (%d vs %d bytes)", len(got.outputs["binary"]), len(wantBin))
	}
	for fm, b := range got.outputs {
		if fm == "binary" {
			continue
		}
		w, err := smbeam.Render(fm, wantAcc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(w, b) {
			t.Errorf("%s output differs from in-process rendering", fm)
		}
	}
	if len(got.dead) != len(badLines[f]) {
		t.Errorf("dead letters: got %d, want %d:\n%s", len(got.dead), len(badLines[f]), strings.Join(got.dead, "\n"))
	}
	for _, d := range got.dead {
		if !strings.Contains(d, `"error":"smbeam: unparsable line`) || !strings.Contains(d, `"file":`) {
			t.Errorf("dead letter without file or reason: %s", d)
		}
	}
	if won := totalWon(got.acc.Report()); won.IsZero() && len(recs) > 0 {
		t.Error("no won revenue in the test log")
	}
}

// TestPipelineOnPrism runs the whole pipeline, both input formats, with a
// global combine and per lead shards, and compares with in-process.
func TestPipelineOnPrism(t *testing.T) {
	spec := smbeamtest.Spec()
	recs := smbeamtest.Generate(11, 5000)
	// Two records the report refuses: counted, never fatal.
	recs = append(recs,
		report.EventRecord(funnel.Event{ID: "x1", Lead: "X", Version: 1, At: t0, To: "churned", Kind: funnel.MoveEntry}),
		report.TouchRecord(report.Touch{Lead: "X", Channel: "email"}))
	for _, tc := range []struct {
		f      smbeam.Format
		shards int
	}{{smbeam.JSONL, 0}, {smbeam.CSV, 0}, {smbeam.JSONL, 7}} {
		t.Run(string(tc.f)+"/shards="+string(rune('0'+tc.shards)), func(t *testing.T) {
			got := runPipeline(t, spec, recs, tc.f, tc.shards, smbeam.Formats()...)
			checkSame(t, spec, recs, tc.f, got)
		})
	}
}

// TestPipelineEmptyInput: an empty log gives the empty report, not an error.
func TestPipelineEmptyInput(t *testing.T) {
	spec := smbeamtest.Spec()
	got := runPipeline(t, spec, nil, smbeam.JSONL, 0, "json")
	checkSame(t, spec, nil, smbeam.JSONL, got)
}

// leadVersions writes a lead's events as its ID, their versions in order
// and every field of every event as funnel's JSON, so passert sees any
// field the []funnel.Event coding lost or changed, not only the order.
func leadVersions(lead string, es []funnel.Event) string {
	var b strings.Builder
	b.WriteString(lead + ":")
	for _, e := range es {
		fmt.Fprintf(&b, " %d", e.Version)
	}
	js, err := json.Marshal(es)
	if err != nil {
		return "json: " + err.Error()
	}
	b.WriteString(" ")
	b.Write(js)
	return b.String()
}

func init() { register.Function2x1(leadVersions) }

// TestGroupByLead: events of each lead, shuffled, come back together in
// version order, every field intact.
func TestGroupByLead(t *testing.T) {
	var events []any
	for _, rec := range smbeamtest.Generate(5, 300) {
		if rec.Kind == report.KindEvent {
			events = append(events, rec.Event)
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
	byLead := map[string][]funnel.Event{}
	for _, e := range events {
		e := e.(funnel.Event)
		byLead[e.Lead] = append(byLead[e.Lead], e)
	}
	var wantLines []any
	for lead, es := range byLead {
		slices.SortFunc(es, func(a, b funnel.Event) int { return cmpVersion(a.Version, b.Version) })
		wantLines = append(wantLines, leadVersions(lead, es))
	}
	p, s := beam.NewPipelineWithRoot()
	grouped := smbeam.GroupByLead(s, beam.Create(s, events...))
	passert.Equals(s, beam.ParDo(s, leadVersions, grouped), wantLines...)
	if _, err := prism.Execute(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

func cmpVersion(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestBuildErrors: configuration mistakes are errors, not panics.
func TestBuildErrors(t *testing.T) {
	spec := smbeamtest.Spec()
	for name, o := range map[string]smbeam.Options{
		"no input":       {Spec: spec, Format: smbeam.JSONL},
		"bad format":     {Spec: spec, Input: "x", Format: "xml"},
		"bad spec":       {Spec: smbeam.Spec{}, Input: "x", Format: smbeam.JSONL},
		"bad zone":       {Spec: smbeam.Spec{Path: spec.Path, Location: "Mars/Olympus"}, Input: "x", Format: smbeam.JSONL},
		"bad output":     {Spec: spec, Input: "x", Format: smbeam.JSONL, Outputs: map[string]string{"r.pdf": "pdf"}},
		"unknown scheme": {Spec: spec, Input: "nosuchscheme://bucket/x", Format: smbeam.JSONL},
	} {
		_, s := beam.NewPipelineWithRoot()
		if _, err := smbeam.Build(s, o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestRecordsThroughPrismShuffle sends records with exact amounts through
// Prism's data plane (beam.Create embeds them with their coder, Reshuffle
// moves them between stages) before combining: the report is the
// in-process one, byte for byte.
func TestRecordsThroughPrismShuffle(t *testing.T) {
	spec := smbeamtest.Spec()
	recs := append(smbeamtest.Generate(17, 2000), sampleRecords()...)
	out := filepath.Join(t.TempDir(), "report.bin")
	p, s := beam.NewPipelineWithRoot()
	col := beam.Reshuffle(s, beam.CreateList(s, recs))
	smbeam.WriteReport(s, spec, "binary", out, smbeam.Report(s, spec, col))
	if _, err := prism.Execute(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := smbeam.Accumulate(spec, recs)
	if err != nil {
		t.Fatal(err)
	}
	wantAcc, _ := want.Open(spec)
	wantBin, _ := wantAcc.MarshalBinary()
	if !bytes.Equal(got, wantBin) {
		t.Error("report after Prism's shuffle differs from in-process")
	}
}
