package smbeam

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/internal/jsonstrict"
	"github.com/smarketing/smarketing/report"
)

// Format is the layout of an input log: one record per line.
type Format string

// The input formats.
const (
	// JSONL: one JSON object per line (JSON Lines). A line without a
	// "record" key is a funnel event in [funnel.Event]'s JSON form; other
	// records name their kind in "record" ("event", "deal", "touch",
	// "response", "decision") beside the fields of that payload's JSON
	// form in the report package. "dims" gives the dimension values.
	JSONL Format = "jsonl"
	// CSV: comma-separated values, one record per line; the first column
	// is the record kind and the rest follow [CSVColumns]. Lines whose
	// first column is "record" (headers), blank lines and lines starting
	// with '#' are skipped. Quoted fields may hold commas and quotes but
	// not line breaks.
	CSV Format = "csv"
)

// ParseFormat returns the Format named by s ("jsonl", "json", "ndjson" or
// "csv", case-insensitive).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "jsonl", "json", "ndjson":
		return JSONL, nil
	case "csv":
		return CSV, nil
	}
	return "", fmt.Errorf("smbeam: unknown input format %q (want jsonl or csv)", s)
}

// ErrParse is wrapped by every error of [ParseLine].
var ErrParse = errors.New("smbeam: unparsable line")

// CSVColumns is the column layout of the [CSV] format, per record kind,
// after the first column (the kind). Times are RFC 3339 (fractional
// seconds allowed), an empty time is the zero time; durations are integer
// nanoseconds; booleans are true/false (also 1/0); amounts are decimal
// strings such as 1234.50, kept exact. For events, columns after stay_ns
// are the dimension values in [report.Config.Dimensions] order; for
// decisions, criteria are separated by '|'.
var CSVColumns = map[string][]string{
	"event":    {"id", "lead", "model", "version", "at", "from", "to", "kind", "actor", "reason", "note", "first_entry", "stay_ns", "dims..."},
	"deal":     {"id", "lead", "amount", "created_at", "closed_at", "won", "origin"},
	"touch":    {"lead", "at", "channel", "milestone"},
	"response": {"handoff", "lead", "rep", "action_at", "assigned_at", "deadline", "touched_at"},
	"decision": {"lead", "at", "rep", "accepted", "reason", "criteria"},
}

// ErrInvalidUTF8 is wrapped, beside [ErrParse], by the error of a line
// that is not valid UTF-8, or, in JSON, holds a \u escape of half a
// UTF-16 surrogate pair. Decoding would turn each such byte or escape
// into U+FFFD, so that IDs differing only there would become one (two
// leads merged): [ParseLine] refuses the line instead.
var ErrInvalidUTF8 = errors.New("smbeam: invalid UTF-8")

// utf8Error says where a line is not valid UTF-8; it is [ErrInvalidUTF8].
type utf8Error struct{ msg string }

func (e utf8Error) Error() string        { return "invalid UTF-8: " + e.msg }
func (e utf8Error) Is(target error) bool { return target == ErrInvalidUTF8 }

// checkUTF8 returns a utf8Error for the first byte of line that is not
// part of valid UTF-8.
func checkUTF8(line string) error {
	if utf8.ValidString(line) {
		return nil
	}
	i := jsonstrict.InvalidUTF8([]byte(line))
	return utf8Error{fmt.Sprintf("byte %#02x at offset %d (refused rather than read as U+FFFD, which could merge different IDs)", line[i], i)}
}

// checkSurrogates returns a utf8Error for the first \u escape in the
// JSON text p that is half a surrogate pair (a high one not followed by
// a low one, or a low one alone): encoding/json decodes it as U+FFFD.
func checkSurrogates(p string) error {
	if !strings.Contains(p, `\u`) { // the common line: no copy to scan
		return nil
	}
	at := jsonstrict.LoneSurrogate([]byte(p))
	if at < 0 {
		return nil
	}
	return utf8Error{fmt.Sprintf("%s at offset %d is half a UTF-16 surrogate pair (refused rather than read as U+FFFD, which could merge different IDs)", p[at:at+6], at)}
}

// ParseLine parses one line of a log in format f. skip is true for lines
// that hold no record (blank lines, comments, CSV headers). A line that
// cannot be parsed returns an error wrapping [ErrParse] that says which
// field is at fault; ParseLine never panics. A line holding a record must
// be valid UTF-8 (and, in JSON, hold no \u escape of half a surrogate
// pair), else the error also wraps [ErrInvalidUTF8]: no text is ever
// changed into U+FFFD.
func ParseLine(f Format, line string) (rec report.Record, skip bool, err error) {
	line = strings.TrimSuffix(line, "\r")
	line = strings.TrimPrefix(line, "\ufeff") // a byte-order mark opening a file
	t := strings.TrimSpace(line)
	if t == "" || strings.HasPrefix(t, "#") {
		return report.Record{}, true, nil
	}
	if err := checkUTF8(line); err != nil {
		return report.Record{}, false, fmt.Errorf("%w: %w", ErrParse, err)
	}
	switch f {
	case JSONL:
		if err := checkSurrogates(line); err != nil {
			return report.Record{}, false, fmt.Errorf("%w: %w", ErrParse, err)
		}
		rec, err = parseJSON([]byte(t))
	case CSV:
		rec, skip, err = parseCSV(line)
	default:
		err = fmt.Errorf("unknown format %q", f)
	}
	if err != nil {
		return report.Record{}, false, fmt.Errorf("%w: %v", ErrParse, err)
	}
	return rec, skip, nil
}

// jsonHead is the part of a JSON line that says what the line is.
type jsonHead struct {
	Record *string   `json:"record"`
	Dims   []string  `json:"dims"`
	Amount *jsonNull `json:"amount"`
}

// jsonNull notes whether a key is present (with any value).
type jsonNull struct{}

func (*jsonNull) UnmarshalJSON([]byte) error { return nil }

func parseJSON(p []byte) (report.Record, error) {
	var head jsonHead
	if err := json.Unmarshal(p, &head); err != nil {
		return report.Record{}, err
	}
	kind := "event"
	if head.Record != nil {
		kind = *head.Record
	}
	rec := report.Record{Dims: head.Dims}
	var err error
	switch kind {
	case "event":
		rec.Kind = report.KindEvent
		err = json.Unmarshal(p, &rec.Event)
	case "deal":
		rec.Kind = report.KindDeal
		if head.Amount == nil {
			return report.Record{}, errors.New(`deal: missing "amount"`)
		}
		err = json.Unmarshal(p, &rec.Deal)
	case "touch":
		rec.Kind = report.KindTouch
		err = json.Unmarshal(p, &rec.Touch)
	case "response":
		rec.Kind = report.KindResponse
		err = json.Unmarshal(p, &rec.Response)
	case "decision":
		rec.Kind = report.KindDecision
		err = json.Unmarshal(p, &rec.Decision)
	default:
		return report.Record{}, fmt.Errorf("unknown record kind %q", kind)
	}
	if err != nil {
		return report.Record{}, fmt.Errorf("%s: %v", kind, err)
	}
	return rec, nil
}

// csvFields reads the fields of one record; col names the column at
// fault in errors.
type csvFields struct {
	kind string
	f    []string
	i    int
	err  error
}

func (c *csvFields) next(col string) (name, val string) {
	if c.i >= len(c.f) {
		if c.err == nil {
			c.err = fmt.Errorf("%s: missing column %q (have %d columns)", c.kind, col, len(c.f)+1)
		}
		return col, ""
	}
	v := c.f[c.i]
	c.i++
	return col, v
}

func (c *csvFields) bad(col, val string, err error) {
	if c.err == nil {
		c.err = fmt.Errorf("%s: column %q: bad value %q: %v", c.kind, col, val, err)
	}
}

func (c *csvFields) str(col string) string { _, v := c.next(col); return v }

func (c *csvFields) time(col string) time.Time {
	_, v := c.next(col)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		c.bad(col, v, err)
	}
	return t
}

func (c *csvFields) boolean(col string) bool {
	_, v := c.next(col)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		c.bad(col, v, err)
	}
	return b
}

func (c *csvFields) uint(col string) uint64 {
	_, v := c.next(col)
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		c.bad(col, v, err)
	}
	return n
}

func (c *csvFields) int(col string) int64 {
	_, v := c.next(col)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		c.bad(col, v, err)
	}
	return n
}

func (c *csvFields) decimal(col string) decimal.Decimal {
	_, v := c.next(col)
	d, err := decimal.NewFromString(v)
	if err != nil {
		c.bad(col, v, err)
	}
	return d
}

func (c *csvFields) rest() []string {
	if c.i >= len(c.f) {
		return nil
	}
	r := c.f[c.i:]
	c.i = len(c.f)
	return r
}

func (c *csvFields) done() error {
	if c.err == nil && c.i < len(c.f) {
		c.err = fmt.Errorf("%s: %d extra columns", c.kind, len(c.f)-c.i)
	}
	return c.err
}

func parseCSV(line string) (report.Record, bool, error) {
	var f []string
	if !strings.Contains(line, `"`) {
		// No quoting: the fields are exactly what encoding/csv would
		// read, without its per-line reader and buffer.
		f = strings.Split(line, ",")
	} else {
		r := csv.NewReader(strings.NewReader(line))
		r.FieldsPerRecord = -1
		var err error
		if f, err = r.Read(); err != nil {
			return report.Record{}, false, err
		}
	}
	kind := strings.TrimSpace(f[0])
	if kind == "record" {
		return report.Record{}, true, nil
	}
	c := &csvFields{kind: kind, f: f[1:]}
	var rec report.Record
	switch kind {
	case "event":
		rec.Kind = report.KindEvent
		e := &rec.Event
		e.ID = c.str("id")
		e.Lead = c.str("lead")
		e.Model = c.str("model")
		e.Version = c.uint("version")
		e.At = c.time("at")
		e.From = funnel.Stage(c.str("from"))
		e.To = funnel.Stage(c.str("to"))
		e.Kind = funnel.MoveKind(c.str("kind"))
		e.Actor = c.str("actor")
		e.Reason = funnel.ReasonCode(c.str("reason"))
		e.Note = c.str("note")
		e.FirstEntry = c.boolean("first_entry")
		e.Stay = time.Duration(c.int("stay_ns"))
		if d := c.rest(); len(d) > 0 {
			rec.Dims = append([]string(nil), d...)
		}
	case "deal":
		rec.Kind = report.KindDeal
		d := &rec.Deal
		d.ID = c.str("id")
		d.Lead = c.str("lead")
		d.Amount = c.decimal("amount")
		d.CreatedAt = c.time("created_at")
		d.ClosedAt = c.time("closed_at")
		d.Won = c.boolean("won")
		d.Origin = report.Origin(c.str("origin"))
	case "touch":
		rec.Kind = report.KindTouch
		t := &rec.Touch
		t.Lead = c.str("lead")
		t.At = c.time("at")
		t.Channel = c.str("channel")
		t.Milestone = report.Milestone(c.str("milestone"))
	case "response":
		rec.Kind = report.KindResponse
		x := &rec.Response
		x.Handoff = c.str("handoff")
		x.Lead = c.str("lead")
		x.Rep = c.str("rep")
		x.ActionAt = c.time("action_at")
		x.AssignedAt = c.time("assigned_at")
		x.Deadline = c.time("deadline")
		x.TouchedAt = c.time("touched_at")
	case "decision":
		rec.Kind = report.KindDecision
		d := &rec.Decision
		d.Lead = c.str("lead")
		d.At = c.time("at")
		d.Rep = c.str("rep")
		d.Accepted = c.boolean("accepted")
		d.Reason = c.str("reason")
		if cr := c.str("criteria"); cr != "" {
			d.Criteria = strings.Split(cr, "|")
		}
	default:
		return report.Record{}, false, fmt.Errorf("unknown record kind %q", kind)
	}
	if err := c.done(); err != nil {
		return report.Record{}, false, err
	}
	return rec, false, nil
}

// FormatLine writes rec as one line of format f, without the line break:
// the inverse of [ParseLine], used to write logs that pipelines read. A
// string of rec that is not valid UTF-8 is an error wrapping
// [ErrInvalidUTF8] (JSON would write it changed, with U+FFFD, and
// ParseLine refuses it).
func FormatLine(f Format, rec report.Record) (string, error) {
	if err := checkRecordUTF8(rec); err != nil {
		return "", err
	}
	switch f {
	case JSONL:
		return formatJSON(rec)
	case CSV:
		return formatCSV(rec)
	}
	return "", fmt.Errorf("smbeam: unknown format %q", f)
}

func formatJSON(rec report.Record) (string, error) {
	var payload any
	kind := ""
	switch rec.Kind {
	case report.KindEvent:
		payload = rec.Event
	case report.KindDeal:
		// The amount as written keeps its exponent (1234.50, not
		// decimal's 1234.5), so the log reads back to the same decimal.
		kind, payload = "deal", struct {
			report.Deal
			Amount string `json:"amount"`
		}{rec.Deal, exactString(rec.Deal.Amount)}
	case report.KindTouch:
		kind, payload = "touch", rec.Touch
	case report.KindResponse:
		kind, payload = "response", rec.Response
	case report.KindDecision:
		kind, payload = "decision", rec.Decision
	default:
		return "", fmt.Errorf("smbeam: unknown record kind %d", rec.Kind)
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	var extra bytes.Buffer
	if kind != "" {
		fmt.Fprintf(&extra, `"record":%q,`, kind)
	}
	if len(rec.Dims) > 0 {
		d, err := json.Marshal(rec.Dims)
		if err != nil {
			return "", err
		}
		extra.WriteString(`"dims":`)
		extra.Write(d)
		extra.WriteByte(',')
	}
	if extra.Len() == 0 {
		return string(p), nil
	}
	if len(p) < 2 || p[0] != '{' {
		return "", fmt.Errorf("smbeam: payload is not a JSON object")
	}
	if string(p) == "{}" {
		return "{" + strings.TrimSuffix(extra.String(), ",") + "}", nil
	}
	return "{" + extra.String() + string(p[1:]), nil
}

// exactString writes d with as many places as its exponent says, so
// that decimal.NewFromString gives back the same coefficient and exponent
// (1234.50 stays 1234.50, where decimal's String writes 1234.5; 5e3 stays
// 5e3, where String writes 5000).
func exactString(d decimal.Decimal) string {
	switch e := d.Exponent(); {
	case e < 0:
		return d.StringFixed(-e)
	case e > 0:
		return d.Coefficient().String() + "e" + strconv.Itoa(int(e))
	}
	return d.String()
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func formatCSV(rec report.Record) (string, error) {
	var f []string
	switch rec.Kind {
	case report.KindEvent:
		e := rec.Event
		f = []string{"event", e.ID, e.Lead, e.Model, strconv.FormatUint(e.Version, 10), formatTime(e.At),
			string(e.From), string(e.To), string(e.Kind), e.Actor, string(e.Reason), e.Note,
			strconv.FormatBool(e.FirstEntry), strconv.FormatInt(int64(e.Stay), 10)}
		f = append(f, rec.Dims...)
	case report.KindDeal:
		d := rec.Deal
		f = []string{"deal", d.ID, d.Lead, exactString(d.Amount), formatTime(d.CreatedAt), formatTime(d.ClosedAt),
			strconv.FormatBool(d.Won), string(d.Origin)}
	case report.KindTouch:
		t := rec.Touch
		f = []string{"touch", t.Lead, formatTime(t.At), t.Channel, string(t.Milestone)}
	case report.KindResponse:
		x := rec.Response
		f = []string{"response", x.Handoff, x.Lead, x.Rep, formatTime(x.ActionAt), formatTime(x.AssignedAt),
			formatTime(x.Deadline), formatTime(x.TouchedAt)}
	case report.KindDecision:
		d := rec.Decision
		for _, c := range d.Criteria {
			if strings.Contains(c, "|") {
				return "", fmt.Errorf("smbeam: criterion %q contains '|'", c)
			}
		}
		if len(d.Criteria) == 1 && d.Criteria[0] == "" {
			// The column would be empty, which reads as no criterion:
			// the report would count one criterion less.
			return "", errors.New(`smbeam: a decision whose only criterion is "" cannot be written in CSV (an empty column means no criteria)`)
		}
		f = []string{"decision", d.Lead, formatTime(d.At), d.Rep, strconv.FormatBool(d.Accepted), d.Reason,
			strings.Join(d.Criteria, "|")}
	default:
		return "", fmt.Errorf("smbeam: unknown record kind %d", rec.Kind)
	}
	for _, s := range f {
		if strings.ContainsAny(s, "\r\n") {
			return "", fmt.Errorf("smbeam: CSV field %q contains a line break", s)
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(f); err != nil {
		return "", err
	}
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// checkRecordUTF8 returns an error wrapping [ErrInvalidUTF8] for the first
// string of rec that is not valid UTF-8.
func checkRecordUTF8(rec report.Record) error {
	var fields []string
	switch rec.Kind {
	case report.KindEvent:
		e := rec.Event
		fields = []string{"id", e.ID, "lead", e.Lead, "model", e.Model, "from", string(e.From), "to", string(e.To),
			"kind", string(e.Kind), "actor", e.Actor, "reason", string(e.Reason), "note", e.Note}
	case report.KindDeal:
		d := rec.Deal
		fields = []string{"id", d.ID, "lead", d.Lead, "origin", string(d.Origin)}
	case report.KindTouch:
		x := rec.Touch
		fields = []string{"lead", x.Lead, "channel", x.Channel, "milestone", string(x.Milestone)}
	case report.KindResponse:
		x := rec.Response
		fields = []string{"handoff", x.Handoff, "lead", x.Lead, "rep", x.Rep}
	case report.KindDecision:
		d := rec.Decision
		fields = []string{"lead", d.Lead, "rep", d.Rep, "reason", d.Reason}
		for _, c := range d.Criteria {
			fields = append(fields, "criteria", c)
		}
	}
	for _, d := range rec.Dims {
		fields = append(fields, "dims", d)
	}
	for i := 0; i < len(fields); i += 2 {
		if !utf8.ValidString(fields[i+1]) {
			return fmt.Errorf("%w in %s %q", ErrInvalidUTF8, fields[i], fields[i+1])
		}
	}
	return nil
}
