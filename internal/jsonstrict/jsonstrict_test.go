package jsonstrict_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/smarketing/smarketing/internal/jsonstrict"
)

func TestHasBOM(t *testing.T) {
	for in, want := range map[string]bool{"\ufeff{}": true, "{}": false, "": false, "\xef\xbb": false, " \ufeff{}": false} {
		if got := jsonstrict.HasBOM([]byte(in)); got != want {
			t.Errorf("HasBOM(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", -1},
		{`{"a":"é😀"}`, -1},
		{"{\"a\":\"R\xe9sum\xe9\"}", 7},
		{"\xff", 0},
		{"ab\xed\xa0\x80", 2}, // an encoded surrogate
		{"ab\xc0\xaf", 2},     // an overlong '/'
		{"é\xc3", 2},          // cut in the middle of a rune
	} {
		if got := jsonstrict.InvalidUTF8([]byte(tc.in)); got != tc.want {
			t.Errorf("InvalidUTF8(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestLoneSurrogate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{`{"a":"x"}`, -1},
		{`{"a":"\ud83d\ude00"}`, -1}, // a whole pair
		{`{"a":"\\ud800"}`, -1},      // an escaped backslash, then text
		{`{"a":"\\\ud800"}`, 8},      // an escaped backslash, then half a pair
		{`{"a":"\u00e9\n\"\ud800"}`, 16},
		{`{"a":"\ud83d"}`, 6},       // a high half alone
		{`{"a":"\ude00x"}`, 6},      // a low half alone
		{`{"a":"\ud83d\u0041"}`, 6}, // a high half, then no low half
		{`{"a":"\ud83d\ud83d\ude00"}`, 6},
		{`{"\udbff":1}`, 2}, // in a key
	} {
		if got := jsonstrict.LoneSurrogate([]byte(tc.in)); got != tc.want {
			t.Errorf("LoneSurrogate(%s) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestDuplicateKey(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  jsonstrict.Duplicate
		found bool
	}{
		{`{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}`, jsonstrict.Duplicate{}, false},
		{`{"a":1,"a":2}`, jsonstrict.Duplicate{Object: "", First: "a", Again: "a"}, true},
		{`{"x":{"to":"sql","To":"mql"}}`, jsonstrict.Duplicate{Object: "x", First: "to", Again: "To"}, true},
		{`{"r":[{"a":1},{"b":1,"B":2}]}`, jsonstrict.Duplicate{Object: "r[1]", First: "b", Again: "B"}, true},
		{`{"a": {"": 1, "": 2}}`, jsonstrict.Duplicate{Object: "a", First: "", Again: ""}, true},
		{`{"s":1,"ſ":2}`, jsonstrict.Duplicate{Object: "", First: "s", Again: "ſ"}, true}, // the long s
		{`[[{"k":1}],{"K":1,"k":2}]`, jsonstrict.Duplicate{Object: "[1]", First: "K", Again: "k"}, true},
	} {
		got, found := jsonstrict.DuplicateKey([]byte(tc.in))
		if got != tc.want || found != tc.found {
			t.Errorf("DuplicateKey(%s) = %+v, %v; want %+v, %v", tc.in, got, found, tc.want, tc.found)
		}
	}
}

// TestPathAt: the path of the value an encoding/json type error is about,
// with array indexes.
func TestPathAt(t *testing.T) {
	type spec struct {
		Stages []struct {
			ID   string `json:"id"`
			Team string `json:"team"`
		} `json:"stages"`
		Moves []struct {
			Reasons []string `json:"reasons"`
		} `json:"moves"`
		Skip bool `json:"skip"`
	}
	for _, tc := range []struct{ in, want string }{
		{`{"skip":"yes"}`, "skip"},
		{`{"stages":[{"id":"a","team":"s"},{"id":"b","team":5}]}`, "stages[1].team"},
		{`{"stages":[{"id":{"a":[1,2]}}]}`, "stages[0].id"},
		{`{"moves":[{"reasons":["a",{"code":"r"}]}]}`, "moves[0].reasons[1]"},
		{`{"stages":"none"}`, "stages"},
		{`[]`, ""},
	} {
		var v spec
		err := json.Unmarshal([]byte(tc.in), &v)
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			t.Fatalf("%s: %v, want a type error", tc.in, err)
		}
		if got := jsonstrict.PathAt([]byte(tc.in), te.Offset); got != tc.want {
			t.Errorf("PathAt(%s, %d) = %q, want %q (encoding/json: %q)", tc.in, te.Offset, got, tc.want, te.Field)
		}
	}
	// A byte inside a string: the string's path.
	in := "{\"a\":[\"x\",\"caf\xe9\"]}"
	if got := jsonstrict.PathAt([]byte(in), int64(jsonstrict.InvalidUTF8([]byte(in)))); got != "a[1]" {
		t.Errorf("PathAt of a byte in a string = %q, want a[1]", got)
	}
}

// day is a field with its own decoder.
type day struct{ time.Weekday }

func (d *day) UnmarshalText(b []byte) error {
	for w := time.Sunday; w <= time.Saturday; w++ {
		if strings.EqualFold(w.String(), string(b)) {
			d.Weekday = w
			return nil
		}
	}
	return errors.New("not a day")
}

func TestFieldPath(t *testing.T) {
	type rule struct {
		Days []day `json:"days"`
		Name string
	}
	type spec struct {
		Rules []rule `json:"rules"`
		First *day   `json:"first"`
	}
	typ := reflect.TypeFor[spec]()
	for _, tc := range []struct {
		in      string
		unknown bool
		want    string
		ok      bool
	}{
		{`{"rules":[{"days":["monday"]},{"days":["friday","someday"]}]}`, false, "rules[1].days[1]", true},
		{`{"first":"funday"}`, false, "first", true},
		{`{"rules":[{"days":["monday"],"NAME":"x"}]}`, false, "", false},
		{`{"rules":[{"dayz":[]}]}`, true, "rules[0].dayz", true},
		{`{"rules":[{"name":"a"}],"second":1}`, true, "second", true},
		{`{"rules":[{"name":"a"}]}`, true, "", false},
	} {
		got, ok := jsonstrict.FieldPath([]byte(tc.in), typ, tc.unknown)
		if got != tc.want || ok != tc.ok {
			t.Errorf("FieldPath(%s, unknown %v) = %q, %v; want %q, %v", tc.in, tc.unknown, got, ok, tc.want, tc.ok)
		}
	}
}

// letters has one field per ASCII letter, keyed by the lower-case letter.
type letters struct {
	A, B, C, D, E, F, G, H, I, J, K, L, M int `json:",omitempty"`
	N, O, P, Q, R, S, T, U, V, W, X, Y, Z int `json:",omitempty"`
}

// TestFoldKey: a one-rune key folds to the form of an ASCII letter exactly
// when encoding/json decodes it into that letter's field ("k" for the
// Kelvin sign, "s" for the long s, but nothing for the dotted capital I),
// for every rune, so the duplicate check refuses what encoding/json would
// merge into one field, and nothing else.
func TestFoldKey(t *testing.T) {
	letterFold := map[string]int{}
	for i := range 26 {
		letterFold[jsonstrict.FoldKey(string(rune('a'+i)))] = i
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) || r == '"' || r == '\\' || r < ' ' {
			continue
		}
		want, ok := letterFold[jsonstrict.FoldKey(string(r))] // the field encoding/json should fill
		if !ok {
			want = -1
		}
		if want < 0 && r > unicode.MaxASCII && unicode.SimpleFold(r) == r {
			continue // no case at all: skip the decoding, for speed
		}
		var v letters
		if err := json.Unmarshal([]byte(`{"`+string(r)+`": 1}`), &v); err != nil {
			t.Fatal(err)
		}
		got := -1
		rv := reflect.ValueOf(v)
		for i := range 26 {
			if rv.Field(i).Int() != 0 {
				got = i
			}
		}
		if got != want {
			t.Fatalf("key %q (%U): encoding/json fills field %d, FoldKey says %d", r, r, got, want)
		}
	}
}

// FuzzDuplicateKey: on any valid JSON document, DuplicateKey finds a
// repeated key exactly when a naive scan of every object (each key
// compared with every earlier one by strings.EqualFold) does, and
// nothing panics.
func FuzzDuplicateKey(f *testing.F) {
	for _, s := range []string{`{"a":1,"A":2}`, `{"a":{"b":1,"c":[{"d":1,"D":2}]}}`, `[1,"x",null]`, `{"ſ":1,"S":2}`, `{"\ud800":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		jsonstrict.InvalidUTF8(data)
		jsonstrict.LoneSurrogate(data)
		jsonstrict.PathAt(data, int64(len(data)/2))
		if !json.Valid(data) {
			jsonstrict.DuplicateKey(data)
			return
		}
		_, found := jsonstrict.DuplicateKey(data)
		if want := naiveRepeats(data); found != want {
			t.Fatalf("DuplicateKey(%s) found %v, naive scan %v", data, found, want)
		}
	})
}

// naiveRepeats reports whether some object of data, a valid JSON
// document, has two keys equal without case.
func naiveRepeats(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	var keys [][]string // per open object: its keys; nil for an array
	var expectKey []bool
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		n := len(keys)
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if n > 0 && !expectKey[n-1] && keys[n-1] != nil {
					expectKey[n-1] = true
				}
				if d == '{' {
					keys = append(keys, []string{})
					expectKey = append(expectKey, true)
				} else {
					keys = append(keys, nil)
					expectKey = append(expectKey, false)
				}
			default:
				keys, expectKey = keys[:n-1], expectKey[:n-1]
			}
			continue
		}
		if n > 0 && keys[n-1] != nil {
			if expectKey[n-1] {
				k := tok.(string)
				for _, seen := range keys[n-1] {
					if strings.EqualFold(seen, k) {
						return true
					}
				}
				keys[n-1] = append(keys[n-1], k)
				expectKey[n-1] = false
			} else {
				expectKey[n-1] = true
			}
		}
	}
}
