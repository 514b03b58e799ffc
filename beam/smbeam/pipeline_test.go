package smbeam_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
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
	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/beam/smbeam"
	"github.com/smarketing/smarketing/beam/smbeamtest"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// badLines are appended to every test log: each must reach the dead
// letters, none may fail the job. The events of leads "L\xff1" and
// "L\xfe1" (not UTF-8) and "L\ud800" (half a surrogate pair) would
// otherwise be read as one lead "L\ufffd1" (or "L\ufffd"). The deals "Dx"
// have amounts of exponent ±10⁸: added exactly, they would make every sum
// of their period a number of 10⁸ digits and stall the job
// (shopspring/decimal refuses them: they are unparsable lines).
var badLines = map[smbeam.Format][]string{
	smbeam.JSONL: {`{"lead":"L1",`, `{"record":"deal","id":"D1","lead":"L1"}`, `not json at all`,
		`{"id":"u1","lead":"L` + "\xff" + `1","version":1,"at":"2025-03-01T09:00:00Z","to":"lead","kind":"entry","first_entry":true,"dims":["paid"]}`,
		`{"id":"u2","lead":"L` + "\xfe" + `1","version":1,"at":"2025-03-01T09:00:00Z","to":"lead","kind":"entry","first_entry":true,"dims":["paid"]}`,
		`{"id":"u3","lead":"L\ud800","version":1,"at":"2025-03-01T09:00:00Z","to":"lead","kind":"entry","first_entry":true,"dims":["paid"]}`,
		`{"record":"deal","id":"Dx","lead":"L1","amount":"1e-100000000","created_at":"2025-01-01T00:00:00Z","closed_at":"2025-03-01T00:00:00Z","won":true}`},
	smbeam.CSV: {`deal,D1,L1,12.5.0,2025-01-01T00:00:00Z,,false,sales`, `event,"unterminated`, `touch,L1`,
		"event,u1,L\xff1,,1,2025-03-01T09:00:00Z,,lead,entry,,,,true,0,paid",
		"event,u2,L\xfe1,,1,2025-03-01T09:00:00Z,,lead,entry,,,,true,0,paid",
		"deal,Dx,L1,1e100000000,2025-01-01T00:00:00Z,2025-03-01T00:00:00Z,true,sales"},
}

type run struct {
	acc         *report.Accumulator // decoded from the binary output
	rejected    int64               // the combiner's count (none: ReadLogFor checks records)
	records     int64               // the records counter
	deadCounter int64               // the dead letters counter
	outputs     map[string][]byte   // by format
	dead        []smbeam.DeadLetter
	elapsed     time.Duration
}

// pipe says how runPipeline writes the log and builds the pipeline.
type pipe struct {
	format  smbeam.Format
	shards  int
	files   int  // split the log over this many files (default 1), read with a glob
	gzip    bool // compress every file
	formats []string
}

// writeLog writes recs as a log in format f, plus badLines, over files
// files (gzip-compressed if gz) in dir, and returns the glob to read.
func writeLog(t *testing.T, dir string, recs []report.Record, c pipe) string {
	t.Helper()
	files := max(c.files, 1)
	ext := "." + string(c.format)
	if c.gzip {
		ext += ".gz"
	}
	per := (len(recs) + files - 1) / files
	for i := range files {
		var log bytes.Buffer
		if c.format == smbeam.CSV {
			log.WriteString("record,id,lead,...\n# a comment\n")
		}
		part := recs[min(i*per, len(recs)):min((i+1)*per, len(recs))]
		if err := smbeamtest.WriteLog(&log, c.format, part); err != nil {
			t.Fatal(err)
		}
		if i == files-1 {
			for _, l := range badLines[c.format] {
				log.WriteString(l + "\n")
			}
		}
		data := log.Bytes()
		if c.gzip {
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			if _, err := zw.Write(data); err != nil {
				t.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			data = z.Bytes()
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("log-%03d%s", i, ext)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if files == 1 {
		return filepath.Join(dir, "log-000"+ext)
	}
	return filepath.Join(dir, "log-*"+ext)
}

// runPipeline writes recs as a log (plus badLines), runs the
// smarketing-beam pipeline (smbeam.Build) on Prism over it, and reads the
// outputs back.
func runPipeline(t *testing.T, spec smbeam.Spec, recs []report.Record, c pipe) run {
	t.Helper()
	dir := t.TempDir()
	o := smbeam.Options{
		Spec: spec, Input: writeLog(t, dir, recs, c), Format: c.format, Shards: c.shards,
		Outputs:     map[string]string{filepath.Join(dir, "report.bin"): "binary"},
		DeadLetters: filepath.Join(dir, "dead.jsonl"),
	}
	for _, fm := range c.formats {
		o.Outputs[filepath.Join(dir, "report."+fm)] = fm
	}
	p, s := beam.NewPipelineWithRoot()
	if _, err := smbeam.Build(s, o); err != nil {
		t.Fatal(err)
	}
	return execute(t, spec, p, o.Outputs, o.DeadLetters)
}

// execute runs p on Prism and reads back its outputs (one of them binary)
// and dead letters.
func execute(t *testing.T, spec smbeam.Spec, p *beam.Pipeline, outputs map[string]string, deadPath string) run {
	t.Helper()
	start := time.Now()
	res, err := prism.Execute(context.Background(), p)
	if err != nil {
		t.Fatalf("prism: %v", err)
	}
	r := run{
		elapsed:     time.Since(start),
		outputs:     map[string][]byte{},
		rejected:    smbeam.Counter(res, smbeam.CounterRejected),
		records:     smbeam.Counter(res, smbeam.CounterRecords),
		deadCounter: smbeam.Counter(res, smbeam.CounterDeadLetters),
	}
	for path, fm := range outputs {
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
	if r.acc, err = a.Open(spec); err != nil {
		t.Fatalf("binary output: %v", err)
	}
	dead, err := os.ReadFile(deadPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(dead), "\n"), "\n") {
		if line == "" {
			continue
		}
		var d smbeam.DeadLetter
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatalf("dead letter %q: %v", line, err)
		}
		r.dead = append(r.dead, d)
	}
	return r
}

// inProcess is the run a perfect pipeline would give: the in-process
// report of recs, rendered in every format, and the dead letters of the
// log (the bad lines and the records the report refuses).
func inProcess(t *testing.T, spec smbeam.Spec, recs []report.Record, f smbeam.Format) run {
	t.Helper()
	want, err := smbeam.Accumulate(spec, recs)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := want.Open(spec)
	if err != nil {
		t.Fatal(err)
	}
	r := run{acc: acc, outputs: map[string][]byte{}, records: int64(len(recs)) - want.Rejected()}
	for _, fm := range smbeam.Formats() {
		if r.outputs[fm], err = smbeam.Render(fm, acc); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range badLines[f] {
		r.dead = append(r.dead, smbeam.DeadLetter{File: "log", Line: l, Error: "smbeam: unparsable line: (in-process)"})
	}
	check, err := smbeam.NewChecker(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if err := check.Check(rec); err != nil {
			line, ferr := smbeam.FormatLine(f, rec)
			if ferr != nil {
				t.Fatal(ferr)
			}
			r.dead = append(r.dead, smbeam.DeadLetter{File: "log", Line: line, Error: err.Error()})
		}
	}
	r.deadCounter = int64(len(r.dead))
	if int64(len(r.dead)-len(badLines[f])) != want.Rejected() {
		t.Fatalf("Checker refuses %d records, the accumulator %d", len(r.dead)-len(badLines[f]), want.Rejected())
	}
	return r
}

// compareRuns lists every difference between a pipeline run and the
// in-process run of the same records: the accumulator's canonical
// encoding byte for byte (equal states encode to equal bytes), the Report
// value figure for figure, every rendered output byte for byte (the text
// forms keep each amount's exponent, so the log reads back to exactly the
// records generated), the counters, and the dead letters line for line
// (every bad line is there, with its file and a reason; nothing else).
func compareRuns(want, got run) []string {
	var diffs []string
	if diff := cmp.Diff(want.acc.Report(), got.acc.Report()); diff != "" {
		diffs = append(diffs, "report on Prism differs from in-process (-want +got):\n"+diff)
	}
	wantBin, err := want.acc.MarshalBinary()
	if err != nil {
		return append(diffs, err.Error())
	}
	if !bytes.Equal(wantBin, got.outputs["binary"]) {
		diffs = append(diffs, fmt.Sprintf("accumulator encoding on Prism differs from in-process (%d vs %d bytes)", len(got.outputs["binary"]), len(wantBin)))
	}
	for fm, b := range got.outputs {
		if !bytes.Equal(want.outputs[fm], b) {
			diffs = append(diffs, fm+" output differs from in-process rendering")
		}
	}
	if got.rejected != 0 {
		diffs = append(diffs, fmt.Sprintf("the combiner refused %d records: they should be dead letters", got.rejected))
	}
	if got.records != want.records {
		diffs = append(diffs, fmt.Sprintf("records counter: %d, want %d", got.records, want.records))
	}
	if got.deadCounter != want.deadCounter {
		diffs = append(diffs, fmt.Sprintf("dead letters counter: %d, want %d", got.deadCounter, want.deadCounter))
	}
	lines := func(ds []smbeam.DeadLetter) []string {
		var ls []string
		for _, d := range ds {
			ls = append(ls, d.Line)
		}
		slices.Sort(ls)
		return ls
	}
	if diff := cmp.Diff(lines(want.dead), lines(got.dead)); diff != "" {
		diffs = append(diffs, "dead letters (-want +got):\n"+diff)
	}
	for _, d := range got.dead {
		if d.File == "" || !strings.HasPrefix(d.Error, "smbeam: unparsable line: ") && !strings.HasPrefix(d.Error, "report: invalid record: ") &&
			!strings.HasPrefix(d.Error, "smbeam: unreadable file: ") {
			diffs = append(diffs, "dead letter without file or reason: "+d.String())
		}
	}
	return diffs
}

// checkSame compares a pipeline run with the in-process report of the
// same records (see compareRuns).
func checkSame(t *testing.T, spec smbeam.Spec, recs []report.Record, f smbeam.Format, got run) {
	t.Helper()
	for _, d := range compareRuns(inProcess(t, spec, recs, f), got) {
		t.Error(d)
	}
	if len(recs) > 0 {
		if won := totalWon(got.acc.Report()); won.IsZero() {
			t.Error("no won revenue in the test log")
		}
		if len(got.dead) == len(badLines[f]) {
			t.Error("the test log should hold records the report refuses")
		}
	}
}

// TestPipelineOnPrism runs the whole pipeline, both input formats, with a
// global combine and per lead shards, and compares with in-process.
func TestPipelineOnPrism(t *testing.T) {
	spec := smbeamtest.Spec()
	recs := withRefused(smbeamtest.Generate(11, 5000))
	for _, tc := range []struct {
		f      smbeam.Format
		shards int
	}{{smbeam.JSONL, 0}, {smbeam.CSV, 0}, {smbeam.JSONL, 7}} {
		t.Run(string(tc.f)+"/shards="+string(rune('0'+tc.shards)), func(t *testing.T) {
			got := runPipeline(t, spec, recs, pipe{format: tc.f, shards: tc.shards, formats: smbeam.Formats()})
			checkSame(t, spec, recs, tc.f, got)
		})
	}
}

// withRefused adds two records the report refuses (an unknown stage, a
// touch without a time): they must reach the dead letters, never fail the
// job.
func withRefused(recs []report.Record) []report.Record {
	return append(recs,
		report.EventRecord(funnel.Event{ID: "x1", Lead: "X", Version: 1, At: t0, To: "churned", Kind: funnel.MoveEntry}),
		report.TouchRecord(report.Touch{Lead: "X", Channel: "email"}))
}

// TestPipelineEmptyInput: an empty log gives the empty report, not an error.
func TestPipelineEmptyInput(t *testing.T) {
	spec := smbeamtest.Spec()
	got := runPipeline(t, spec, nil, pipe{format: smbeam.JSONL, formats: []string{"json"}})
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

// TestPipelineFiles reads a log spread over several files with a glob,
// gzip-compressed or not: every line of every file reaches the report or
// the dead letters. (Beam's own textio would read about one line in
// eight of these .gz files.)
func TestPipelineFiles(t *testing.T) {
	spec := smbeamtest.Spec()
	recs := withRefused(smbeamtest.Generate(23, 4000))
	for _, c := range []pipe{
		{format: smbeam.JSONL, files: 3, gzip: true, formats: []string{"json"}},
		{format: smbeam.CSV, files: 1, gzip: true},
		{format: smbeam.CSV, files: 4, shards: 3},
	} {
		t.Run(fmt.Sprintf("%s/files=%d/gzip=%v", c.format, c.files, c.gzip), func(t *testing.T) {
			checkSame(t, spec, recs, c.format, runPipeline(t, spec, recs, c))
		})
	}
}

// TestPipelineBadGzip: .gz files that do not decompress (a 0-byte file, a
// truncated one, one holding garbage) next to a good one: each bad file
// is one dead letter naming it and saying what is wrong, and the job goes
// on to give the good file's report, as in-process.
func TestPipelineBadGzip(t *testing.T) {
	spec := smbeamtest.Spec()
	recs := withRefused(smbeamtest.Generate(37, 600))
	c := pipe{format: smbeam.CSV, gzip: true, shards: 2}
	dir := t.TempDir()
	writeLog(t, dir, recs, c)
	good, err := os.ReadFile(filepath.Join(dir, "log-000.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"log-empty.csv.gz":     nil,
		"log-truncated.csv.gz": good[:len(good)*2/3],
		"log-garbage.csv.gz":   []byte("event,e1,L1,,1,2025-03-01T09:00:00Z,,lead,entry,,,,true,0\n"),
	}
	want := inProcess(t, spec, recs, c.format)
	for name, data := range bad {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		want.dead = append(want.dead, smbeam.DeadLetter{File: filepath.Join(dir, name)})
		want.deadCounter++
	}
	o := smbeam.Options{
		Spec: spec, Input: filepath.Join(dir, "log-*.csv.gz"), Format: c.format, Shards: c.shards,
		Outputs:     map[string]string{filepath.Join(dir, "report.bin"): "binary", filepath.Join(dir, "report.json"): "json"},
		DeadLetters: filepath.Join(dir, "dead.jsonl"),
	}
	p, s := beam.NewPipelineWithRoot()
	if _, err := smbeam.Build(s, o); err != nil {
		t.Fatal(err)
	}
	got := execute(t, spec, p, o.Outputs, o.DeadLetters)
	for _, d := range compareRuns(want, got) {
		t.Error(d)
	}
	reasons := map[string]string{}
	for _, d := range got.dead {
		if d.Line == "" {
			reasons[filepath.Base(d.File)] = d.Error
		}
	}
	for name, reason := range map[string]string{
		"log-empty.csv.gz":     "smbeam: unreadable file: empty file, not gzip data",
		"log-truncated.csv.gz": "smbeam: unreadable file: truncated gzip data",
		"log-garbage.csv.gz":   "smbeam: unreadable file: not gzip data",
	} {
		if !strings.HasPrefix(reasons[name], reason) {
			t.Errorf("%s: dead letter %q, want one starting %q", name, reasons[name], reason)
		}
	}
}

// TestPipelineSkipsDirectories: a glob that matches subdirectories as
// well as the log files ("logs/*" beside "logs/2025/") reads the files
// and skips the directories, as the command's -compare does; reading a
// directory once failed the job.
func TestPipelineSkipsDirectories(t *testing.T) {
	spec := smbeamtest.Spec()
	recs := withRefused(smbeamtest.Generate(29, 500))
	c := pipe{format: smbeam.JSONL, files: 2}
	dir := t.TempDir()
	glob := writeLog(t, dir, recs, c)
	sub := filepath.Join(dir, "log-dir.jsonl")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "inside.jsonl"), []byte("not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := smbeam.Options{
		Spec: spec, Input: glob, Format: c.format,
		Outputs:     map[string]string{filepath.Join(dir, "report.bin"): "binary"},
		DeadLetters: filepath.Join(dir, "dead.jsonl"),
	}
	p, s := beam.NewPipelineWithRoot()
	if _, err := smbeam.Build(s, o); err != nil {
		t.Fatal(err)
	}
	checkSame(t, spec, recs, c.format, execute(t, spec, p, o.Outputs, o.DeadLetters))
}

// TestPipelineTimeOrderedDuplicates: a log as hosts often have it, in
// time order over all leads (each lead's records far apart, the files
// cutting through every lead), with records repeated (a replayed batch)
// and some files out of order, reported in weeks of America/New_York
// (periods crossing daylight saving) with an as-of time inside the log:
// the same report as in-process, per lead shard and globally.
func TestPipelineTimeOrderedDuplicates(t *testing.T) {
	spec := smbeamtest.Spec()
	spec.Location, spec.Period = "America/New_York", report.Week
	spec.AsOf = time.Date(2025, 11, 2, 1, 30, 0, 0, time.FixedZone("EDT", -4*3600)) // the ambiguous hour
	spec.Pairs = []report.Pair{{From: funnel.Lead, To: funnel.SQL}}
	recs := withRefused(smbeamtest.Generate(41, 2500))
	at := func(r report.Record) time.Time {
		switch r.Kind {
		case report.KindEvent:
			return r.Event.At
		case report.KindDeal:
			return r.Deal.CreatedAt
		case report.KindTouch:
			return r.Touch.At
		case report.KindResponse:
			return r.Response.TouchedAt
		}
		return r.Decision.At
	}
	slices.SortStableFunc(recs, func(a, b report.Record) int { return at(a).Compare(at(b)) })
	recs = append(recs, recs[len(recs)/3:len(recs)/3+400]...) // a batch sent twice
	// The files are read in any order; the last ones hold the earliest
	// records.
	recs = append(recs[len(recs)*3/4:], recs[:len(recs)*3/4]...)
	for _, shards := range []int{0, 5} {
		got := runPipeline(t, spec, recs, pipe{format: smbeam.JSONL, files: 4, shards: shards, formats: []string{"json", "text"}})
		checkSame(t, spec, recs, smbeam.JSONL, got)
	}
}

// TestPipelineSplitsInsideLines reads a log split into blocks of 997
// bytes, so nearly every block starts and ends inside a line: every line
// is read exactly once.
func TestPipelineSplitsInsideLines(t *testing.T) {
	spec := smbeamtest.Spec()
	recs := withRefused(smbeamtest.Generate(29, 1500))
	dir := t.TempDir()
	glob := writeLog(t, dir, recs, pipe{format: smbeam.JSONL, files: 2})
	p, s := beam.NewPipelineWithRoot()
	good, dead := smbeam.ReadLogForBlocks(s, spec, smbeam.JSONL, glob, 997)
	out := map[string]string{filepath.Join(dir, "report.bin"): "binary"}
	smbeam.WriteReport(s, spec, "binary", filepath.Join(dir, "report.bin"), smbeam.Report(s, spec, good))
	smbeam.WriteDeadLetters(s, filepath.Join(dir, "dead.jsonl"), dead)
	got := execute(t, spec, p, out, filepath.Join(dir, "dead.jsonl"))
	checkSame(t, spec, recs, smbeam.JSONL, got)
}

// TestPipelineNoInputFile: a glob that matches no file, or only a
// directory, fails the job with a clear error (a mistyped path is not an
// empty log), and no report is
// written: Prism may still run the branches downstream of the failed
// match with no input, but the gate before the writers refuses to pass a
// report when no file matched (TestGate).
//
// Under the race detector it is skipped, and scripts/test-all runs it again
// without: when a job fails, Beam v2.78.0's harness closes its response
// channel (harness.go:197) while a bundle still in flight may send on it
// (harness.go:215), a race in Beam's code the detector reports about once
// in 40 runs of this test, failing it whatever our code does.
func TestPipelineNoInputFile(t *testing.T) {
	if raceEnabled {
		t.Skip("a failing job races inside Beam's harness (harness.go:197 vs :215); scripts/test-all runs this test without -race")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	// "logs/" matches the directory, which fileio skips: no file is read,
	// which once gave the empty report of a log that was never read.
	// So does "logs", and "lo*", which match it without the slash: fileio
	// took them for files, and reading one failed with "is a directory".
	for _, input := range []string{filepath.Join(dir, "no-such-log-*.jsonl"), filepath.Join(dir, "logs") + "/", filepath.Join(dir, "logs"), filepath.Join(dir, "lo*")} {
		out := filepath.Join(dir, "report.json")
		p, s := beam.NewPipelineWithRoot()
		if _, err := smbeam.Build(s, smbeam.Options{
			Spec: smbeamtest.Spec(), Input: input, Format: smbeam.JSONL,
			Outputs: map[string]string{out: "json"},
		}); err != nil {
			t.Fatal(err)
		}
		_, err := prism.Execute(context.Background(), p)
		if err == nil || !strings.Contains(err.Error(), "no files matching pattern") && !strings.Contains(err.Error(), "no file matches") {
			t.Errorf("%s: err = %v, want one saying no file matches", input, err)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: a report was written for a log that does not exist (stat: %v)", input, err)
		}
	}
}

// TestCompareRunsFails: the comparison the Prism tests rely on reports a
// single cent of difference, a lost event, a lost dead letter or a wrong
// counter; a test that could not fail would prove nothing.
func TestCompareRunsFails(t *testing.T) {
	spec := smbeamtest.Spec()
	recs := withRefused(smbeamtest.Generate(31, 1000))
	want := inProcess(t, spec, recs, smbeam.JSONL)
	if d := compareRuns(want, inProcess(t, spec, recs, smbeam.JSONL)); len(d) != 0 {
		t.Fatalf("identical runs differ: %v", d)
	}
	deal := slices.IndexFunc(recs, func(r report.Record) bool { return r.Kind == report.KindDeal && r.Deal.Won })
	event := slices.IndexFunc(recs, func(r report.Record) bool { return r.Kind == report.KindEvent })
	amount := recs[deal].Deal.Amount
	for _, tc := range []struct {
		name string
		recs func([]report.Record) // what the pipeline would have read
		run  func(*run)            // what it would have reported
	}{
		{name: "one cent more", recs: func(rs []report.Record) { rs[deal].Deal.Amount = amount.Add(decimal.New(1, -2)) }},
		{name: "same amount, other exponent", recs: func(rs []report.Record) {
			rs[deal].Deal.Amount = decimal.NewFromBigInt(new(big.Int).Mul(amount.Coefficient(), big.NewInt(10)), amount.Exponent()-1)
		}},
		{name: "an event lost", recs: func(rs []report.Record) { rs[event] = rs[event+1] }},
		{name: "a dead letter lost", run: func(r *run) { r.dead = r.dead[1:] }},
		{name: "records counter", run: func(r *run) { r.records-- }},
		{name: "refused in the combiner", run: func(r *run) { r.rejected = 1 }},
	} {
		mutated := slices.Clone(recs)
		if tc.recs != nil {
			tc.recs(mutated)
		}
		got := inProcess(t, spec, mutated, smbeam.JSONL)
		if tc.run != nil {
			tc.run(&got)
		}
		if d := compareRuns(want, got); len(d) == 0 {
			t.Errorf("%s: no difference reported", tc.name)
		}
	}
}

// TestReadLogWithoutSpec: ReadLog, which knows no report configuration,
// passes the records the report refuses on to the combiner, which counts
// them (CounterRejected) and leaves every figure as in-process.
func TestReadLogWithoutSpec(t *testing.T) {
	spec := smbeamtest.Spec()
	recs := withRefused(smbeamtest.Generate(43, 1000))
	dir := t.TempDir()
	glob := writeLog(t, dir, recs, pipe{format: smbeam.CSV})
	p, s := beam.NewPipelineWithRoot()
	good, dead := smbeam.ReadLog(s, smbeam.CSV, glob)
	out := map[string]string{filepath.Join(dir, "report.bin"): "binary"}
	smbeam.WriteReport(s, spec, "binary", filepath.Join(dir, "report.bin"), smbeam.Report(s, spec, good))
	smbeam.WriteDeadLetters(s, filepath.Join(dir, "dead.jsonl"), dead)
	got := execute(t, spec, p, out, filepath.Join(dir, "dead.jsonl"))
	want := inProcess(t, spec, recs, smbeam.CSV)
	refused := want.deadCounter - int64(len(badLines[smbeam.CSV]))
	if refused == 0 || got.rejected != refused {
		t.Errorf("combiner refused %d records, want %d (> 0)", got.rejected, refused)
	}
	if got.deadCounter != int64(len(badLines[smbeam.CSV])) || got.records != int64(len(recs)) {
		t.Errorf("dead letters %d, records %d; want %d and %d", got.deadCounter, got.records, len(badLines[smbeam.CSV]), len(recs))
	}
	wantBin, _ := want.acc.MarshalBinary()
	if !bytes.Equal(got.outputs["binary"], wantBin) {
		t.Error("report differs from in-process")
	}
}
