package smbeam_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/beam/smbeam"
	"github.com/smarketing/smarketing/beam/smbeamtest"
	"github.com/smarketing/smarketing/funnel"
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
		// An exponent such as this would make every sum of the period a
		// number of 10⁷ digits: shopspring/decimal (v1.6) refuses it.
		{smbeam.CSV, `deal,D1,L1,1e-10000000,2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,true,sales`, `column "amount": bad value "1e-10000000"`},
		{smbeam.JSONL, `{"record":"deal","id":"D1","lead":"L1","amount":1e2000000000,"closed_at":"2025-02-01T00:00:00Z","won":true}`, "deal"},
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

// TestParseLineInvalidUTF8: a line that is not valid UTF-8, or whose JSON
// holds a \u escape of half a surrogate pair, is refused with ErrParse and
// ErrInvalidUTF8 saying where: read as U+FFFD, the two leads of each pair
// below would become one. Valid text, surrogate pairs and a literal
// U+FFFD still parse; a comment is skipped whatever it holds. FormatLine
// refuses a record it could not write exactly.
func TestParseLineInvalidUTF8(t *testing.T) {
	event := `{"lead":"%s","version":1,"at":"2025-03-01T09:00:00Z","to":"lead","kind":"entry"}`
	csvEvent := "event,e1,%s,,1,2025-03-01T09:00:00Z,,lead,entry,,,,true,0"
	for _, tc := range []struct {
		f    smbeam.Format
		line string
		want string // in the error
	}{
		{smbeam.JSONL, fmt.Sprintf(event, "L\xff1"), "invalid UTF-8: byte 0xff at offset 10"},
		{smbeam.JSONL, fmt.Sprintf(event, "L\xfe1"), "invalid UTF-8: byte 0xfe at offset 10"},
		{smbeam.JSONL, fmt.Sprintf(event, "L\xc3"), "byte 0xc3"},
		{smbeam.JSONL, fmt.Sprintf(event, "L\xed\xa0\x80"), "byte 0xed"}, // an encoded surrogate
		{smbeam.JSONL, fmt.Sprintf(event, `L\ud800`), `\ud800 at offset 10 is half a UTF-16 surrogate pair`},
		{smbeam.JSONL, fmt.Sprintf(event, `L\udbff`), `\udbff at offset 10`},
		{smbeam.JSONL, fmt.Sprintf(event, `L\udc00x`), `\udc00 at offset 10`},
		{smbeam.JSONL, fmt.Sprintf(event, `L\ud800\u0041`), `\ud800 at offset 10`},
		{smbeam.JSONL, fmt.Sprintf(event, `L\ud800\ud800\udc00`), `\ud800 at offset 10`},
		{smbeam.CSV, fmt.Sprintf(csvEvent, "L\xff1"), "invalid UTF-8: byte 0xff at offset 10"},
		{smbeam.CSV, fmt.Sprintf(csvEvent, "\"L\xfe1\""), "byte 0xfe at offset 11"},
	} {
		_, _, err := smbeam.ParseLine(tc.f, tc.line)
		if !errors.Is(err, smbeam.ErrParse) || !errors.Is(err, smbeam.ErrInvalidUTF8) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseLine(%s, %q) = %v, want ErrParse and ErrInvalidUTF8 with %q", tc.f, tc.line, err, tc.want)
		}
	}
	for _, tc := range []struct {
		f          smbeam.Format
		line, lead string
	}{
		{smbeam.JSONL, fmt.Sprintf(event, `L\ud83d\ude00`), "L\U0001F600"},
		{smbeam.JSONL, fmt.Sprintf(event, `L\\ud800`), `L\ud800`}, // an escaped backslash, then "ud800"
		{smbeam.JSONL, fmt.Sprintf(event, `L\ufffd`), "L\ufffd"},
		{smbeam.JSONL, fmt.Sprintf(event, "L\ufffd"), "L\ufffd"},
		{smbeam.JSONL, fmt.Sprintf(event, "Lé"), "Lé"},
		{smbeam.CSV, fmt.Sprintf(csvEvent, "Lé\ufffd"), "Lé\ufffd"},
	} {
		rec, _, err := smbeam.ParseLine(tc.f, tc.line)
		if err != nil || rec.Event.Lead != tc.lead {
			t.Errorf("ParseLine(%s, %q) = lead %q, %v; want %q", tc.f, tc.line, rec.Event.Lead, err, tc.lead)
		}
	}
	if _, skip, err := smbeam.ParseLine(smbeam.JSONL, "# caf\xe9"); !skip || err != nil {
		t.Errorf("comment: skip %v, err %v; want skipped", skip, err)
	}
	for _, f := range []smbeam.Format{smbeam.JSONL, smbeam.CSV} {
		for _, rec := range []report.Record{
			report.EventRecord(funnel.Event{ID: "e1", Lead: "L\xff1", Version: 1, At: t0, To: funnel.Lead, Kind: funnel.MoveEntry}),
			report.EventRecord(funnel.Event{ID: "e1", Lead: "L1", Version: 1, At: t0, To: funnel.Lead, Kind: funnel.MoveEntry}, "p\xffaid"),
			report.DecisionRecord(report.Decision{Lead: "L1", At: t0, Criteria: []string{"ok", "\xc3"}}),
		} {
			if line, err := smbeam.FormatLine(f, rec); !errors.Is(err, smbeam.ErrInvalidUTF8) {
				t.Errorf("FormatLine(%s) of a record with invalid UTF-8 = %q, %v; want ErrInvalidUTF8", f, line, err)
			}
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
		// A parsed record writes back in the same format and reads back
		// the same (ParseLine refuses what FormatLine could not write).
		out, err := smbeam.FormatLine(smbeam.Format(fm), rec)
		if err != nil {
			t.Fatalf("parsed record does not format: %v", err)
		}
		back, skip, err := smbeam.ParseLine(smbeam.Format(fm), out)
		if err != nil || skip {
			t.Fatalf("formatted line %q does not parse: skip %v, %v", out, skip, err)
		}
		// The same record, but for the zone of its times: "+00:00" reads
		// as UTC's offset and writes back as "Z".
		if diff := cmp.Diff(rec, back, sameInstant, exactDecimal); diff != "" {
			t.Fatalf("line %q read back from %q as another record (-first +again):\n%s", out, line, diff)
		}
		// Written again, the line is the same.
		if again, err := smbeam.FormatLine(smbeam.Format(fm), back); err != nil || again != out {
			t.Fatalf("line %q formats again as %q (%v)", out, again, err)
		}
	})
}

// sameInstant compares times by instant, whatever their zones.
var sameInstant = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

// exactDecimal compares decimals by coefficient and exponent: 1.50 is not
// 1.5.
var exactDecimal = cmp.Comparer(func(a, b decimal.Decimal) bool {
	return a.Exponent() == b.Exponent() && a.Coefficient().Cmp(b.Coefficient()) == 0
})

// TestFormatLineEmptyCriterion: a decision whose only criterion is ""
// counts that criterion in the report, but its CSV column would be empty,
// which reads back as no criterion: FormatLine refuses it in CSV (and
// writes it in JSON Lines, which keeps it); two empty criteria ("|")
// come back as written.
func TestFormatLineEmptyCriterion(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	one := report.DecisionRecord(report.Decision{Lead: "L1", At: at, Criteria: []string{""}})
	if line, err := smbeam.FormatLine(smbeam.CSV, one); err == nil {
		got, _, _ := smbeam.ParseLine(smbeam.CSV, line)
		t.Errorf("CSV: formatted as %q, read back as criteria %q", line, got.Decision.Criteria)
	}
	for _, tc := range []struct {
		f   smbeam.Format
		rec report.Record
	}{
		{smbeam.JSONL, one},
		{smbeam.CSV, report.DecisionRecord(report.Decision{Lead: "L1", At: at, Criteria: []string{"", ""}})},
		{smbeam.CSV, report.DecisionRecord(report.Decision{Lead: "L1", At: at, Criteria: []string{"a", ""}})},
	} {
		line, err := smbeam.FormatLine(tc.f, tc.rec)
		if err != nil {
			t.Fatalf("%s %q: %v", tc.f, tc.rec.Decision.Criteria, err)
		}
		got, _, err := smbeam.ParseLine(tc.f, line)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.rec, got); diff != "" {
			t.Errorf("%s %q (-want +got):\n%s", tc.f, line, diff)
		}
	}
}
