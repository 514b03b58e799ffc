package scoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/shopspring/decimal"
	"github.com/smarketing/smarketing/internal/jsonstrict"
)

// SpecFormat is the version of the JSON spec format this package reads
// and writes. A spec with another format is rejected, so a host that
// stores specs can migrate them knowingly.
const SpecFormat = 1

// Spec is the declarative, serialisable definition of a scoring model:
// what marketing and sales agreed on. It is plain data; [New] validates
// and compiles it. The JSON form uses the field tags below; decimals are
// written as strings ("12.5") and read from strings or numbers; durations
// are written like "30d", "2w" or "36h" (see [Duration]).
type Spec struct {
	Format   int      `json:"format"`   // must be SpecFormat (1)
	ID       string   `json:"id"`       // model identifier, kept on every Result
	Version  int      `json:"version"`  // model version, kept on every Result
	Fit      AxisSpec `json:"fit"`      // how well the prospect matches the offer
	Interest AxisSpec `json:"interest"` // how much the prospect engages
}

// AxisSpec is the definition of one axis: its rules, the caps of its
// groups and of its total, its grade bands and its high/low threshold.
type AxisSpec struct {
	Rules  []Rule  `json:"rules,omitempty"`
	Groups []Group `json:"groups,omitempty"`
	// Min and Max clamp the axis total; null means unbounded.
	Min decimal.NullDecimal `json:"min,omitzero"`
	Max decimal.NullDecimal `json:"max,omitzero"`
	// Bands grade the total, best first; the last band must have no Min
	// (it catches everything below). Empty means the default bands:
	// A ≥ 75, B ≥ 50, C ≥ 25, D (fit) and 1 ≥ 75, 2 ≥ 50, 3 ≥ 25, 4 (interest).
	Bands []Band `json:"bands,omitempty"`
	// High splits the axis into high and low for the 2×2 matrix.
	High Threshold `json:"high"`
}

// Band is a grade and the lowest total that earns it.
type Band struct {
	Grade string              `json:"grade"`
	Min   decimal.NullDecimal `json:"min,omitzero"` // null only on the last band
}

// Threshold is the line between the low and the high side of an axis,
// with optional hysteresis: a lead enters the high side at a total ≥
// Enter and, once high (according to the previous result), stays high
// while its total is ≥ Leave. Null Enter means 50; null Leave means
// Leave = Enter (no hysteresis). Leave must not exceed Enter.
type Threshold struct {
	Enter decimal.NullDecimal `json:"enter,omitzero"`
	Leave decimal.NullDecimal `json:"leave,omitzero"`
}

// Group caps the sum of the rules that name it (after their own caps).
// Null Min or Max means unbounded on that side.
type Group struct {
	Name string              `json:"name"`
	Min  decimal.NullDecimal `json:"min,omitzero"`
	Max  decimal.NullDecimal `json:"max,omitzero"`
}

// Rule is a built-in criterion. It is either a field rule (When names a
// field of the lead: the rule gives Points once when the condition
// holds) or an activity rule (Activity names an activity type: the rule
// gives Points for every activity of that type that meets all Where
// conditions, happened at or before now and, if Within is set, less
// than Within ago; each occurrence's points decay with its age).
//
// Points may be negative (an unsubscribe, a competitor's domain). Cap,
// if set, limits the magnitude of the rule's total: a rule never gives
// more than Cap or less than −Cap.
type Rule struct {
	Name   string              `json:"name"`
	Points decimal.Decimal     `json:"points"`
	Cap    decimal.NullDecimal `json:"cap,omitzero"`
	Group  string              `json:"group,omitempty"`

	// Field rule.
	When Condition `json:"when,omitzero"`

	// Activity rule.
	Activity string      `json:"activity,omitempty"`
	Where    []Condition `json:"where,omitempty"`
	Within   Duration    `json:"within,omitempty"` // "last N days" window; 0 = no window
	Decay    Decay       `json:"decay,omitzero"`
}

// IsActivity reports whether r is an activity rule.
func (r Rule) IsActivity() bool { return r.Activity != "" }

// Op is the comparison a [Condition] makes.
type Op string

// Condition operators. String comparisons are exact unless the
// condition sets IgnoreCase (Unicode simple folding, as strings.EqualFold).
const (
	OpEquals   Op = "equals"     // value == Value
	OpOneOf    Op = "one_of"     // value is one of Values
	OpNotOneOf Op = "not_one_of" // value is present and not one of Values
	OpRange    Op = "range"      // value is a decimal number (at most 64 bytes, any form decimal.NewFromString reads: "1200", "-3.5", "1.2e3") with Min ≤ value < Max (either bound optional)
	OpPrefix   Op = "prefix"     // value starts with Value
	OpSuffix   Op = "suffix"     // value ends with Value
	OpContains Op = "contains"   // value contains Value
	OpRegex    Op = "regex"      // value matches the RE2 pattern Value
	OpPresent  Op = "present"    // the field exists and is not empty
	OpMissing  Op = "missing"    // the field is absent or empty
)

// Condition tests one field of a lead (or one attribute of an activity).
// A missing or empty field meets only OpMissing. Value is read by
// equals, prefix, suffix, contains and regex, Values by one_of and
// not_one_of, Min and Max by range; a part the operator does not read
// is an error ([Spec.Validate]), not ignored.
type Condition struct {
	Field      string              `json:"field"`
	Op         Op                  `json:"op"`
	Value      string              `json:"value,omitempty"`
	Values     []string            `json:"values,omitempty"`
	Min        decimal.NullDecimal `json:"min,omitzero"`
	Max        decimal.NullDecimal `json:"max,omitzero"`
	IgnoreCase bool                `json:"ignore_case,omitempty"`
}

// ParseSpec decodes a JSON spec. Unknown fields are errors, and so are
// what encoding/json would otherwise change silently: input that is not
// UTF-8 (it reads U+FFFD for each invalid byte, changing the values
// rules compare), a \u escape of half a UTF-16 surrogate pair without
// the other half ("\ud83d" alone: it reads U+FFFD too) and a key given
// twice in one object, in any case ("points" and "Points": it keeps the
// last). A UTF-8 byte-order mark before the spec is refused with an error
// that says so. It checks only the syntax and MaxSpecBytes; [Spec.Validate] and [New] check the
// content. It never panics.
func ParseSpec(data []byte) (Spec, error) {
	var s Spec
	if len(data) > MaxSpecBytes {
		return s, &SpecError{Path: "", Msg: fmt.Sprintf("spec is %d bytes, more than the limit of %d", len(data), MaxSpecBytes)}
	}
	if jsonstrict.HasBOM(data) {
		return s, &SpecError{Path: "", Msg: "invalid JSON: " + jsonstrict.BOMAdvice}
	}
	if i := jsonstrict.InvalidUTF8(data); i >= 0 {
		return s, &SpecError{Path: "", Msg: fmt.Sprintf("invalid JSON: byte %d (0x%02x) is not UTF-8; save the spec as UTF-8", i, data[i])}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		path := ""
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			// encoding/json names the field without array indexes.
			path = jsonstrict.PathAt(data, te.Offset)
		}
		return Spec{}, &SpecError{Path: path, Msg: "invalid JSON: " + err.Error()}
	}
	// Token, not More: More is false before a stray ']' or '}'.
	if _, err := dec.Token(); err != io.EOF {
		return Spec{}, &SpecError{Path: "", Msg: "invalid JSON: data after the spec"}
	}
	if i := jsonstrict.LoneSurrogate(data); i >= 0 {
		return Spec{}, &SpecError{Path: jsonstrict.PathAt(data, int64(i)), Msg: fmt.Sprintf("invalid JSON: the escape %s at byte %d is half of a UTF-16 surrogate pair (JSON would read it as U+FFFD); write the whole character", data[i:i+6], i)}
	}
	if d, ok := jsonstrict.DuplicateKey(data); ok {
		return Spec{}, &SpecError{Path: jsonstrict.JoinPath(d.Object, d.Again), Msg: fmt.Sprintf("invalid JSON: key %q appears twice in one object (keys are read without case); only one may be given", d.Again)}
	}
	return s, nil
}

// JSON returns the indented JSON form of s; it round-trips through
// [ParseSpec] to an equal spec (but for empty slices, read back as nil).
// A string of s that is not valid UTF-8, which JSON cannot hold (it
// would be written with U+FFFD in place of each invalid byte), is an
// error: a *SpecError at the string's path, one per such string, joined.
func (s Spec) JSON() ([]byte, error) {
	if err := s.utf8Errors(); err != nil {
		return nil, err
	}
	return json.MarshalIndent(s, "", "  ")
}
