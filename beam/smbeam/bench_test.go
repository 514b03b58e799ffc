package smbeam_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/smarketing/smarketing/beam/smbeam"
	"github.com/smarketing/smarketing/beam/smbeamtest"
	"github.com/smarketing/smarketing/report"
)

func benchRecords(b *testing.B) []report.Record {
	b.Helper()
	return smbeamtest.Generate(1, 2000)
}

// BenchmarkRecordCoder is the cost per record of the explicit coder, as
// Beam calls it between stages.
func BenchmarkRecordCoder(b *testing.B) {
	recs := benchRecords(b)
	enc := beam.NewElementEncoder(reflect.TypeFor[report.Record]())
	dec := beam.NewElementDecoder(reflect.TypeFor[report.Record]())
	var buf bytes.Buffer
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf.Reset()
		if err := enc.Encode(recs[i%len(recs)], &buf); err != nil {
			b.Fatal(err)
		}
		if _, err := dec.Decode(&buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordJSON is what Beam's JSON fallback would cost for the same
// records (for comparison only: smbeam never uses it).
func BenchmarkRecordJSON(b *testing.B) {
	recs := benchRecords(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p, err := json.Marshal(recs[i%len(recs)])
		if err != nil {
			b.Fatal(err)
		}
		var r report.Record
		if err := json.Unmarshal(p, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func benchParse(b *testing.B, f smbeam.Format) {
	recs := benchRecords(b)
	lines := make([]string, len(recs))
	for i, rec := range recs {
		l, err := smbeam.FormatLine(f, rec)
		if err != nil {
			b.Fatal(err)
		}
		lines[i] = l
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, _, err := smbeam.ParseLine(f, lines[i%len(lines)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseLineJSONL(b *testing.B) { benchParse(b, smbeam.JSONL) }
func BenchmarkParseLineCSV(b *testing.B)   { benchParse(b, smbeam.CSV) }

// BenchmarkMarshalRecord is the encoding alone, without Beam's wrapper.
func BenchmarkMarshalRecord(b *testing.B) {
	recs := benchRecords(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p, err := smbeam.MarshalRecord(recs[i%len(recs)])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := smbeam.UnmarshalRecord(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChecker is what ReadLogFor adds per record: asking the report
// whether it accepts the record.
func BenchmarkChecker(b *testing.B) {
	recs := benchRecords(b)
	c, err := smbeam.NewChecker(smbeamtest.Spec())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = c.Check(recs[i%len(recs)])
	}
}
