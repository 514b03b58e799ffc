package smbeam_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/beam/smbeam"
	"github.com/smarketing/smarketing/beam/smbeamtest"
	"github.com/smarketing/smarketing/report"
)

// TestLineRoundTrip: every generated record, and the hand-made samples,
// come back from FormatLine → ParseLine unchanged in both formats.
func TestLineRoundTrip(t *testing.T) {
	recs := append(smbeamtest.Generate(7, 2000), sampleRecords()...)
	for _, f := range []smbeam.Format{smbeam.JSONL, smbeam.CSV} {
		for i, rec := range recs {
			if f == smbeam.CSV && rec.Kind == report.KindDecision && strings.Contains(strings.Join(rec.Decision.Criteria, ""), "|") {
				if _, err := smbeam.FormatLine(f, rec); err == nil {
					t.Errorf("%s: criterion with '|' formatted without error", f)
				}
				continue
			}
			if f == smbeam.CSV && rec.Kind != report.KindEvent && len(rec.Dims) > 0 {
				continue // CSV carries dimensions on events only
			}
			line, err := smbeam.FormatLine(f, rec)
			if f == smbeam.CSV && strings.Contains(rec.Event.Note, "\n") {
				if err == nil {
					t.Errorf("CSV: a note with a line break formatted without error")
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: record %d: %v", f, i, err)
			}
			if strings.Contains(line, "\n") {
				t.Fatalf("%s: record %d: line break in %q", f, i, line)
			}
			got, skip, err := smbeam.ParseLine(f, line)
			if err != nil || skip {
				t.Fatalf("%s: record %d: ParseLine(%q) = skip %v, %v", f, i, line, skip, err)
			}
			if diff := cmp.Diff(rec, got); diff != "" {
				t.Fatalf("%s: record %d %q (-want +got):\n%s", f, i, line, diff)
			}
			if rec.Kind == report.KindDeal && (got.Deal.Amount.Exponent() != rec.Deal.Amount.Exponent() ||
				got.Deal.Amount.Coefficient().Cmp(rec.Deal.Amount.Coefficient()) != 0) {
				t.Fatalf("%s: amount %s read back as %s: exponent lost", f, rec.Deal.Amount, got.Deal.Amount)
			}
		}
	}
}

func TestParseLineErrors(t *testing.T) {
	for _, tc := range []struct {
		f    smbeam.Format
		line string
		want string // in the error
	}{
		{smbeam.JSONL, `{"lead":"L1",`, "unexpected end"},
		{smbeam.JSONL, `{"record":"refund","lead":"L1"}`, `unknown record kind "refund"`},
		{smbeam.JSONL, `{"record":"deal","id":"D1","lead":"L1"}`, `missing "amount"`},
		{smbeam.JSONL, `{"record":"deal","id":"D1","amount":"12,50"}`, "deal"},
		{smbeam.JSONL, `{"lead":"L1","at":"yesterday","to":"mql"}`, "event"},
		{smbeam.JSONL, `[1,2]`, "cannot unmarshal"},
		{smbeam.CSV, `deal,D1,L1,12.5.0,2025-01-01T00:00:00Z,,false,sales`, `column "amount": bad value "12.5.0"`},
		{smbeam.CSV, `deal,D1,L1`, `missing column "amount"`},
		{smbeam.CSV, `event,e1,L1,m,one,2025-01-01T00:00:00Z,,lead,entry,,,,true,0`, `column "version"`},
		{smbeam.CSV, `event,e1,L1,m,1,2025-13-01T00:00:00Z,,lead,entry,,,,true,0`, `column "at"`},
		{smbeam.CSV, `touch,L1,2025-01-01T00:00:00Z,email,lead,extra`, "1 extra columns"},
		{smbeam.CSV, `refund,R1`, `unknown record kind "refund"`},
		{smbeam.CSV, `event,"unterminated`, "quote"},
		{"xml", `<event/>`, "unknown format"},
	} {
		_, _, err := smbeam.ParseLine(tc.f, tc.line)
		if !errors.Is(err, smbeam.ErrParse) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseLine(%s, %q) = %v, want ErrParse with %q", tc.f, tc.line, err, tc.want)
		}
	}
	for _, line := range []string{"", "  \r", "# comment", "record,id,lead", "\ufeffrecord,id"} {
		if _, skip, err := smbeam.ParseLine(smbeam.CSV, line); !skip || err != nil {
			t.Errorf("CSV %q: skip %v, err %v; want skipped", line, skip, err)
		}
	}
}

func FuzzParseLine(f *testing.F) {
	for _, rec := range sampleRecords() {
		for _, fm := range []smbeam.Format{smbeam.JSONL, smbeam.CSV} {
			if line, err := smbeam.FormatLine(fm, rec); err == nil {
				f.Add(string(fm), line)
			}
		}
	}
	f.Fuzz(func(t *testing.T, fm, line string) {
		rec, skip, err := smbeam.ParseLine(smbeam.Format(fm), line)
		if err != nil || skip {
			return
		}
		if _, err := smbeam.MarshalRecord(rec); err != nil {
			t.Fatalf("parsed record does not encode: %v", err)
		}
	})
}
